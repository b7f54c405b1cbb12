//! An audit log that cannot be rolled back (TRUST.md): the node signs its audit head into its
//! log, the network keeps it, and a log found shorter or different is refused at start and
//! reported by `bureau audit --verify`, until the operator accepts the loss.

use std::path::Path;

use bureau_node::daemon;
use bureau_service::audit::{AuditAction, AuditEvent, AuditLog};

use crate::harness::{bureau, ok};
use crate::net_harness::{TestNet, wait_until};

/// `bureau audit --verify` on a stopped node's directory (a real process).
fn verify(root: &Path) -> crate::harness::Run {
    let parent = root.parent().expect("parent");
    let name = root.file_name().expect("name").to_str().expect("utf-8");
    bureau(parent, &["--dir", name, "audit", "--verify"])
}

/// What starting the node on its directory says, when it refuses.
async fn refused(net: &TestNet, index: usize) -> String {
    let error = daemon::start(net.dirs[index].clone(), net.config())
        .await
        .expect_err("the node must not start on this audit log");
    format!("{error:#}")
}

/// Cutting the last line, deleting the log or writing a new one in its place while the node is
/// stopped: the node refuses to start and `audit --verify` fails, each time naming the loss;
/// the untouched log starts; with --accept-audit-loss it starts, says so in the log, and
/// witnesses the new head.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_deleted_or_rewritten_audit_log_is_refused_until_accepted() {
    let mut net = TestNet::start("witness", 2).await;
    net.wait_meshed().await;
    for number in ["WIT1", "WIT2", "WIT3"] {
        net.publish_document(1, number).await;
    }
    daemon::witness_audit(&net.node(1).service)
        .await
        .expect("witnessed");
    let witnessed = net
        .node(1)
        .replica
        .audit_witnessed()
        .expect("read")
        .expect("a witness");
    assert_eq!(witnessed.seq, 3, "three publishes, three lines");
    let author = net.network.members[1].key.public();
    wait_until("the other node holds the witness", || async {
        net.node(0)
            .replica
            .store
            .audit_witness(&author)
            .expect("read")
            == Some(witnessed)
    })
    .await;
    net.stop_node(1).await;

    let root = net.dirs[1].root.clone();
    let log = net.dirs[1].audit_log();
    let original = std::fs::read(&log).expect("read the log");
    let last_line = original[..original.len() - 1]
        .iter()
        .rposition(|&byte| byte == b'\n')
        .expect("three lines")
        + 1;

    // The last line cut off.
    std::fs::write(&log, &original[..last_line]).expect("cut");
    let message = refused(&net, 1).await;
    assert!(
        message.contains("cut off or the log was deleted")
            && message.contains("--accept-audit-loss"),
        "{message}"
    );
    let run = verify(&root);
    assert!(!run.success, "verify must fail: {}", run.stdout);
    assert!(run.stderr.contains("rolled back"), "{}", run.stderr);

    // Deleted.
    std::fs::remove_file(&log).expect("delete");
    let message = refused(&net, 1).await;
    assert!(
        message.contains("cut off or the log was deleted"),
        "{message}"
    );

    // Replaced by a log of as many lines that chains and verifies on its own.
    std::fs::remove_file(&log).ok();
    let forged = AuditLog::open(&log).expect("new log");
    for _ in 0..3 {
        let event = AuditEvent::new(
            bureau_service::clock::now(),
            "FRA/api",
            AuditAction::Search,
            "nothing to see",
        );
        forged.append(event).expect("append");
    }
    drop(forged);
    let message = refused(&net, 1).await;
    assert!(message.contains("rewritten or replaced"), "{message}");
    let run = verify(&root);
    assert!(
        !run.success && run.stderr.contains("rewritten"),
        "{}",
        run.stderr
    );

    // The original, untouched, starts and verifies.
    std::fs::write(&log, &original).expect("restore");
    let out = ok(
        root.parent().expect("parent"),
        &[
            "--dir",
            root.file_name().expect("name").to_str().expect("utf-8"),
            "audit",
            "--verify",
        ],
    );
    assert!(
        out.contains("it holds the 3 lines the network witnessed"),
        "{out}"
    );
    net.start_node(1).await;
    net.stop_node(1).await;

    // Cut again, then accepted by the operator.
    std::fs::write(&log, &original[..last_line]).expect("cut");
    let mut config = net.config();
    config.accept_audit_loss = true;
    let running = daemon::start(net.dirs[1].clone(), config)
        .await
        .expect("starts once the loss is accepted");
    let status = running.replica.status().expect("status");
    assert_eq!(status.audit.rolled_back, None, "accepted");
    running.service.may_sign().await.expect("signs");
    daemon::witness_audit(&running.service)
        .await
        .expect("the new head is witnessed");
    let renewed = running
        .replica
        .audit_witnessed()
        .expect("read")
        .expect("a witness");
    assert_eq!(renewed.seq, 3, "two old lines and the acceptance");
    running.shutdown().await.expect("stops");
    let text = std::fs::read_to_string(&log).expect("read");
    assert!(
        text.contains("\"action\":\"audit-loss-accepted\""),
        "{text}"
    );
    net.start_node(1).await;
    net.shutdown().await;
}
