//! One history per member: an equivocation shown to two halves of the network, a second
//! process with a node's key, and a node restored from an old backup, on real nodes in one
//! process.

use std::sync::Arc;
use std::time::Instant;

use bureau_core::{Body, PublicKey};
use bureau_node::daemon;

use crate::net_harness::{TestNet, copy_dir, wait_until};

/// The fork point every running node holds for `author`, in index order.
async fn fork_points(net: &TestNet, author: PublicKey) -> Vec<Option<u64>> {
    let mut points = Vec::new();
    for node in net.nodes.iter().flatten() {
        let store = Arc::clone(&node.replica.store);
        points.push(
            tokio::task::spawn_blocking(move || store.fork_points())
                .await
                .expect("join")
                .expect("read")
                .get(&author)
                .copied(),
        );
    }
    points
}

/// One key signs two entries at one seq; each half of the network hears a different one
/// first. Every node ends with the same digest, the log frozen before the fork, the fork in
/// its status, and the key's own node refusing to sign.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equivocation_shown_to_two_halves_converges_everywhere() {
    let mut net = TestNet::start("equivocate", 4).await;
    net.wait_meshed().await;
    net.publish_document(1, "BEFORE1").await;
    net.wait_converged().await;
    net.resume_log(1).await;
    let fork_seq = net.network.members[1].head.map_or(1, |head| head.seq + 1);
    let (one, other) = net.network.equivocate(1, ["LEFT1", "RIGHT1"]);
    assert_eq!(one.header.seq, other.header.seq);
    let author = one.header.author;

    let started = Instant::now();
    for (index, entry) in [(0, one), (2, other)] {
        let store = Arc::clone(&net.node(index).replica.store);
        let applied = entry.clone();
        tokio::task::spawn_blocking(move || store.apply(applied, bureau_service::clock::now()))
            .await
            .expect("join")
            .expect("apply");
        net.node(index).net.publish(entry).await.expect("gossip");
    }
    wait_until("every node holds the fork", || async {
        fork_points(&net, author)
            .await
            .iter()
            .all(|point| *point == Some(fork_seq))
    })
    .await;
    let shown = started.elapsed();
    net.wait_converged().await;
    println!("fork shown on 4 nodes in {shown:?}");
    // Every node counts it, whether it found the fork itself or was told.
    wait_until("every node counts the fork", || async {
        for node in net.nodes.iter().flatten() {
            let learned = node
                .net
                .info()
                .await
                .map(|info| info.counters.forks_learned)
                .unwrap_or(0);
            if learned < 1 {
                return false;
            }
        }
        true
    })
    .await;

    for index in 0..4 {
        let replica = Arc::clone(&net.node(index).replica);
        let status = tokio::task::spawn_blocking(move || replica.status())
            .await
            .expect("join")
            .expect("status");
        assert_eq!(status.forks.len(), 1, "node {index}");
        assert_eq!(status.forks[0].seq, fork_seq);
        assert_eq!(
            status.forks[0].member,
            Some(net.network.members[1].certificate.member())
        );
        let members = net
            .node(index)
            .service
            .call(bureau_service::ops::ListMembers {})
            .await
            .expect("members");
        let forked = members
            .iter()
            .find(|member| member.node_key == author.to_string())
            .expect("listed");
        assert_eq!(forked.status, "forked");
        assert_eq!(forked.forked_at, Some(fork_seq));
    }
    // The record before the fork stays; neither branch's record is anywhere.
    for index in 0..4 {
        let store = Arc::clone(&net.node(index).replica.store);
        let (before, left, right) = tokio::task::spawn_blocking(move || {
            let find = |number: &str| {
                store
                    .search(
                        &bureau_core::record::IndexTerm::travel_document(number, None, None),
                        10,
                    )
                    .expect("search")
                    .len()
            };
            (find("BEFORE1"), find("LEFT1"), find("RIGHT1"))
        })
        .await
        .expect("join");
        assert_eq!((before, left, right), (1, 0, 0), "node {index}");
    }
    // The key's own node knows its log forked and refuses to sign.
    let refused = net.node(1).service.may_sign().await;
    assert!(refused.is_err(), "the forked node must not sign");
    let error = tokio::task::spawn_blocking({
        let replica = Arc::clone(&net.node(1).replica);
        move || {
            replica.append_body(Body::Cancel(bureau_core::entry::Cancel {
                key: "sltd/DEU/before1".parse().expect("key"),
                version: 2,
                reason: "x".into(),
            }))
        }
    })
    .await
    .expect("join")
    .expect_err("a forked log signs nothing");
    assert!(error.to_string().contains("forked"), "{error}");
    net.shutdown().await;
}

/// A copy of a running node's directory (a cloned machine) starts while the original runs:
/// peers refuse the second process, which then refuses to sign; the original keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_with_the_same_key_is_refused_and_signs_nothing() {
    let mut net = TestNet::start("doppelganger", 3).await;
    net.wait_meshed().await;
    net.stop_node(2).await;
    let copy = net.dirs[2].root.with_file_name("node2-copy");
    copy_dir(&net.dirs[2].root, &copy);
    net.start_node(2).await;
    net.wait_meshed().await;

    let config = net.config();
    let second = bureau_node::daemon::start(bureau_service::files::NodeDir::new(&copy), config)
        .await
        .expect("the copy starts");
    wait_until("the copy knows its key is in use", || async {
        matches!(second.net.signing(), bureau_net::Signing::Refused(_))
    })
    .await;
    let error = second.service.may_sign().await.expect_err("refused");
    assert!(error.to_string().contains("another process"), "{error}");
    // The original signs, and its record reaches everyone.
    net.node(2)
        .service
        .may_sign()
        .await
        .expect("the original signs");
    net.publish_document(2, "ORIGINAL1").await;
    net.wait_converged().await;
    let author = net.network.members[2].key.public();
    assert!(fork_points(&net, author).await.iter().all(Option::is_none));
    second.shutdown().await.expect("stop the copy");
    net.shutdown().await;
}

/// A node restored from an older backup gets its newer entries back before it signs, so the
/// record it publishes at once extends its log instead of forking it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_backup_rejoins_without_forking() {
    let mut net = TestNet::start("backup", 3).await;
    net.wait_meshed().await;
    net.stop_node(2).await;
    let backup = net.dirs[2].root.with_file_name("node2-backup");
    copy_dir(&net.dirs[2].root, &backup);
    net.start_node(2).await;
    net.wait_meshed().await;
    net.node(2).service.may_sign().await.expect("signs");
    net.publish_document(2, "NEWER1").await;
    net.publish_document(2, "NEWER2").await;
    // Its audit log's head (the two publishes) witnessed everywhere: the third entry.
    daemon::witness_audit(&net.node(2).service)
        .await
        .expect("witnessed");
    net.wait_converged().await;
    net.stop_node(2).await;
    std::fs::remove_dir_all(&net.dirs[2].root).expect("remove");
    copy_dir(&backup, &net.dirs[2].root);

    let started = Instant::now();
    net.start_node(2).await;
    net.node(2)
        .service
        .may_sign()
        .await
        .expect("signs once checked");
    let rejoined = started.elapsed();
    let author = net.network.members[2].key.public();
    let store = Arc::clone(&net.node(2).replica.store);
    let head = tokio::task::spawn_blocking(move || store.head(&author))
        .await
        .expect("join")
        .expect("head")
        .map(|head| head.seq);
    assert_eq!(
        head,
        Some(3),
        "its three newer entries came back before it signed"
    );
    let status = net.node(2).replica.status().expect("status");
    let lost = status
        .audit
        .rolled_back
        .expect("the backup's audit log lacks two lines");
    assert!(lost.contains("cut off or the log was deleted"), "{lost}");
    assert!(
        status
            .warnings
            .iter()
            .any(|warning| warning.contains("--accept-audit-loss")),
        "{:?}",
        status.warnings
    );
    let entry = net.publish_document(2, "AFTER1").await;
    assert_eq!(entry.header.seq, 4);
    net.wait_converged().await;
    println!("restored node ready to sign {rejoined:?} after start");
    assert!(fork_points(&net, author).await.iter().all(Option::is_none));
    net.shutdown().await;
}
