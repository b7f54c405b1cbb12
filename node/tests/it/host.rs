//! The host gives nothing away (TRUST.md, rule 10): a node directory is private whatever the
//! umask, secrets others may read are refused, and so is an unusable API token.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use bureau_node::daemon;

use crate::harness::ok;
use crate::net_harness::{TestNet, write_node_dir};

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Every file and directory under `root`, with its mode, that others have any right on.
fn open_to_others(root: &Path) -> Vec<(String, u32)> {
    let mut open = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        let metadata = std::fs::symlink_metadata(&path).expect("metadata");
        if metadata.is_dir() {
            for entry in std::fs::read_dir(&path).expect("list") {
                pending.push(entry.expect("entry").path());
            }
        }
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            open.push((path.display().to_string(), mode));
        }
    }
    open
}

/// The trust flow and an offline publish under umask 022: every file the binary made (keys,
/// certificate, store, audit log) is for its user alone.
#[test]
fn what_the_binary_makes_is_private_whatever_the_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
    let temp = crate::cli::admitted_france();
    let cwd = temp.path();
    ok(
        cwd,
        &[
            "--dir",
            "fra",
            "--offline",
            "publish",
            "sltd",
            "--number",
            "PRIV123",
        ],
    );
    assert_eq!(open_to_others(&cwd.join("fra")), vec![]);
    assert_eq!(open_to_others(&cwd.join("net")), vec![]);
}

/// A node directory left open by a loose umask is closed at start; a node key others may read,
/// and an empty API token, stop the node with a message saying what to do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_closes_its_directory_and_refuses_readable_secrets() {
    let net = TestNet::new("host", 2);
    let temp = tempfile::tempdir().expect("tempdir");
    let root = temp.path().join("fra");
    let dir = write_node_dir(&net.network, 1, &root);
    std::fs::write(root.join("notes.txt"), "left by the operator").expect("write");
    set_mode(&root, 0o755);
    set_mode(&root.join("notes.txt"), 0o644);
    set_mode(&dir.certificate(), 0o644);

    let running = daemon::start(dir.clone(), net.config())
        .await
        .expect("starts");
    running.shutdown().await.expect("stops");
    assert_eq!(open_to_others(&root), vec![], "closed at start");
    assert_eq!(mode_of(&root), 0o700);
    assert_eq!(mode_of(&root.join("notes.txt")), 0o600);

    set_mode(&dir.node_key(), 0o644);
    let refused = daemon::start(dir.clone(), net.config())
        .await
        .expect_err("a readable key is refused");
    let message = format!("{refused:#}");
    assert!(
        message.contains("node.key") && message.contains("chmod 600"),
        "{message}"
    );
    assert_eq!(
        mode_of(&dir.node_key()),
        0o644,
        "left for the operator to look at"
    );
    set_mode(&dir.node_key(), 0o600);

    std::fs::write(root.join("api.token"), "\n").expect("empty token");
    set_mode(&root.join("api.token"), 0o600);
    let refused = daemon::start(dir.clone(), net.config())
        .await
        .expect_err("an empty token is refused");
    let message = format!("{refused:#}");
    assert!(
        message.contains("api.token") && message.contains("empty"),
        "{message}"
    );
}
