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

/// An API on an address other hosts reach is served over HTTPS: a client that trusts its
/// certificate gets answers, one that trusts another certificate or speaks plain HTTP does not,
/// the CLI on the node's host finds the certificate by itself, and a TLS key others may read
/// stops the node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reachable_api_is_served_over_https_to_clients_that_trust_it() {
    use bureau_node::config::ApiTls;
    use bureau_node::http::client::Client;
    use bureau_node::http::tls;

    let net = TestNet::new("tls", 1);
    let dir = net.dirs[0].clone();
    let (cert_pem, key_pem) = tls::self_signed(&[]).expect("self-signed");
    let cert = dir.root.join(tls::SELF_SIGNED_CERT);
    let key = dir.root.join(tls::SELF_SIGNED_KEY);
    std::fs::write(&cert, cert_pem).expect("write cert");
    std::fs::write(&key, key_pem).expect("write key");
    set_mode(&key, 0o600);
    let mut config = net.config();
    config.api_listen = "0.0.0.0:0".parse().expect("address");
    config.api_tls = Some(ApiTls {
        cert: cert.clone(),
        key: key.clone(),
    });

    let running = daemon::start(dir.clone(), config.clone())
        .await
        .expect("starts with TLS");
    let url = running.api_url.clone();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let token = running.token.clone();
    let call = |client: Client| async move {
        tokio::task::spawn_blocking(move || client.call(&bureau_service::ops::GetStatus {}))
            .await
            .expect("join")
    };
    let trusted = Client::with_ca(&url, &token, Some(&cert)).expect("client");
    let status = call(trusted)
        .await
        .expect("HTTPS answers a client that trusts it");
    assert_eq!(status.replica.member.to_string(), "XGS");

    let other = dir.root.join("other.crt");
    std::fs::write(&other, tls::self_signed(&[]).expect("another").0).expect("write");
    let untrusting = Client::with_ca(&url, &token, Some(&other)).expect("client");
    call(untrusting)
        .await
        .expect_err("a certificate the client does not trust is refused");
    let plain = Client::new(&format!("127.0.0.1:{}", running.api_addr.port()), &token);
    call(plain).await.expect_err("plain HTTP gets no answer");

    // The CLI on this host: api.addr says https, DIR/api-tls.crt is trusted.
    let parent = dir.root.parent().expect("parent").to_path_buf();
    let name = dir
        .root
        .file_name()
        .expect("name")
        .to_str()
        .expect("utf-8")
        .to_owned();
    let out =
        tokio::task::spawn_blocking(move || ok(&parent, &["--dir", &name, "status", "--json"]))
            .await
            .expect("join");
    assert!(out.contains("\"member\": \"XGS\""), "{out}");
    running.shutdown().await.expect("stops");

    // Inside the node directory the key is made private at start; elsewhere it is the
    // operator's to fix.
    let outside = dir.root.with_file_name("api.key");
    std::fs::copy(&key, &outside).expect("copy the key");
    set_mode(&outside, 0o644);
    config.api_tls = Some(ApiTls { cert, key: outside });
    let refused = daemon::start(dir, config)
        .await
        .expect_err("a TLS key others may read is refused");
    let message = format!("{refused:#}");
    assert!(message.contains("TLS key"), "{message}");
}
