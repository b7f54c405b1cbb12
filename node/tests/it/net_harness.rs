//! In-process networks of real nodes: seeded keys, temporary directories, TCP on 127.0.0.1
//! port 0, short intervals. Each node is a full daemon (store, network, API).

use std::future::Future;
use std::time::{Duration, Instant};

use bureau_core::testkit::TestNetwork;
use bureau_core::{Hash, Timestamp};
use bureau_node::config::NodeConfig;
use bureau_node::daemon::{self, Running};
use bureau_node::dev::sample;
use bureau_service::files::{self, NodeDir};

/// How long any wait in these tests may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(60);
/// sled cache per test node.
const CACHE_BYTES: u64 = 4 * 1024 * 1024;

pub struct TestNet {
    pub network: TestNetwork,
    pub dirs: Vec<NodeDir>,
    pub nodes: Vec<Option<Running>>,
    /// Where each node listens (with its peer id), once started.
    addresses: Vec<Vec<bureau_net::config::Multiaddr>>,
    _temp: tempfile::TempDir,
}

/// Codes: the secretariat, then the sample members.
pub fn codes(count: usize) -> Vec<&'static str> {
    std::iter::once("XGS")
        .chain(sample::member_codes())
        .take(count)
        .collect()
}

fn now() -> Timestamp {
    bureau_service::clock::now()
}

/// Writes a node directory for member `index` of `network`.
pub fn write_node_dir(network: &TestNetwork, index: usize, root: &std::path::Path) -> NodeDir {
    let dir = NodeDir::new(root);
    let member = &network.members[index];
    files::write_secret(&dir.node_key(), &member.key.seed()).expect("write node key");
    files::write_secret(
        &dir.encryption_key(),
        &bureau_core::testkit::encryption_secret(member.certificate.member()),
    )
    .expect("write encryption key");
    files::write_new(&dir.genesis(), &network.genesis.to_bytes(), false).expect("write genesis");
    files::write_new(&dir.certificate(), &member.certificate.to_bytes(), false)
        .expect("write certificate");
    dir
}

/// Copies a stopped node's directory (a backup, or a cloned machine).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for item in std::fs::read_dir(from).expect("read dir") {
        let item = item.expect("entry");
        let target = to.join(item.file_name());
        if item.file_type().expect("type").is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), target).expect("copy");
        }
    }
}

impl TestNet {
    /// Makes `count` node directories (not started).
    pub fn new(label: &str, count: usize) -> TestNet {
        let network = TestNetwork::new_at(label, &codes(count), now());
        let temp = tempfile::tempdir().expect("tempdir");
        let dirs = (0..count)
            .map(|index| write_node_dir(&network, index, &temp.path().join(format!("node{index}"))))
            .collect();
        TestNet {
            network,
            dirs,
            nodes: (0..count).map(|_| None).collect(),
            addresses: vec![Vec::new(); count],
            _temp: temp,
        }
    }

    /// Makes and starts `count` nodes, each bootstrapping from the first.
    pub async fn start(label: &str, count: usize) -> TestNet {
        let mut net = TestNet::new(label, count);
        for index in 0..count {
            net.start_node(index).await;
        }
        net
    }

    pub fn config(&self) -> NodeConfig {
        let mut net = bureau_net::Config::for_tests();
        // Bootstrap from every node started so far, so any of them can be restarted.
        for addresses in &self.addresses {
            net.bootstrap.extend(addresses.iter().cloned());
        }
        NodeConfig {
            net,
            api_listen: "127.0.0.1:0".parse().expect("literal address"),
            api_insecure: false,
            api_tls: None,
            cache_bytes: CACHE_BYTES,
            accept_audit_loss: false,
            metrics_listen: Some("127.0.0.1:0".parse().expect("literal address")),
        }
    }

    pub async fn start_node(&mut self, index: usize) {
        let config = self.config();
        let running = daemon::start(self.dirs[index].clone(), config)
            .await
            .expect("node starts");
        let info = running.net.info().await.expect("net info");
        let peer = &info.peer_id;
        self.addresses[index] = info
            .listen
            .iter()
            .filter_map(|address| format!("{address}/p2p/{peer}").parse().ok())
            .collect();
        self.nodes[index] = Some(running);
    }

    pub async fn stop_node(&mut self, index: usize) {
        if let Some(running) = self.nodes[index].take() {
            running.shutdown().await.expect("clean shutdown");
        }
    }

    pub fn node(&self, index: usize) -> &Running {
        self.nodes[index].as_ref().expect("node is running")
    }

    pub async fn shutdown(mut self) {
        for index in 0..self.nodes.len() {
            self.stop_node(index).await;
        }
    }

    /// Digests of the running nodes, in index order.
    pub async fn digests(&self) -> Vec<Hash> {
        let mut digests = Vec::new();
        for running in self.nodes.iter().flatten() {
            let store = std::sync::Arc::clone(&running.replica.store);
            digests.push(
                tokio::task::spawn_blocking(move || store.digest())
                    .await
                    .expect("join")
                    .expect("digest"),
            );
        }
        digests
    }

    /// Points the test network's copy of member `index` at its node's real log head, so the
    /// test can sign that member's next entry by hand.
    pub async fn resume_log(&mut self, index: usize) {
        let store = std::sync::Arc::clone(&self.node(index).replica.store);
        let author = self.network.members[index].key.public();
        let head = tokio::task::spawn_blocking(move || store.head(&author))
            .await
            .expect("join")
            .expect("head");
        self.network.members[index].head = head;
        self.network.members[index].clock = now();
    }

    /// Whether every running node holds the record (the benchmarks' examples use it).
    #[allow(dead_code)]
    pub async fn holds_everywhere(&self, key: &bureau_core::RecordKey) -> bool {
        for running in self.nodes.iter().flatten() {
            let store = std::sync::Arc::clone(&running.replica.store);
            let key = key.clone();
            let present =
                tokio::task::spawn_blocking(move || store.get(&key).ok().flatten().is_some())
                    .await
                    .unwrap_or(false);
            if !present {
                return false;
            }
        }
        true
    }

    /// Waits until every running node is connected to every other running node.
    /// Whether any file of node `index`'s store holds `needle`'s bytes (after a flush): what a
    /// member could read from its own disk.
    pub fn store_files_hold(&self, index: usize, needle: &str) -> bool {
        self.node(index).replica.store.flush().expect("flush");
        walk(&self.dirs[index].store()).iter().any(|file| {
            let bytes = std::fs::read(file).unwrap_or_default();
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
    }

    pub async fn wait_meshed(&self) {
        let running = self.nodes.iter().flatten().count();
        wait_until("every node connected to every other", || async {
            for node in self.nodes.iter().flatten() {
                if node
                    .net
                    .info()
                    .await
                    .map(|info| info.members_connected)
                    .unwrap_or(0)
                    < running - 1
                {
                    return false;
                }
            }
            true
        })
        .await;
    }

    /// Waits until every running node has the same digest.
    pub async fn wait_converged(&self) -> Hash {
        wait_until("one digest on every node", || async {
            let digests = self.digests().await;
            digests.windows(2).all(|pair| pair[0] == pair[1])
        })
        .await;
        self.digests().await[0]
    }

    /// Publishes a travel document on node `index`, as the API does: apply locally, then gossip.
    pub async fn publish_document(&self, index: usize, number: &str) -> bureau_core::Entry {
        let running = self.node(index);
        let replica = std::sync::Arc::clone(&running.replica);
        let member = replica.member();
        let number = number.to_owned();
        let (_, entry) = tokio::task::spawn_blocking(move || {
            let data =
                bureau_core::RecordData::TravelDocument(bureau_core::schema::TravelDocument {
                    number: number.clone(),
                    issuing_country: member.country().expect("a country"),
                    document_type: bureau_core::schema::DocumentType::Passport,
                    loss: bureau_core::schema::LossType::Stolen,
                    issue_date: None,
                    expiry_date: None,
                    theft_date: None,
                    theft_place: None,
                });
            replica.publish(
                &bureau_core::normalize::identifier(&number).to_ascii_lowercase(),
                bureau_core::Access::All,
                None,
                data,
            )
        })
        .await
        .expect("join")
        .expect("publish");
        running.net.publish(entry.clone()).await.expect("gossip");
        entry
    }
}

/// Polls `condition` every 50 ms until it holds; fails the test after [`WAIT`].
pub async fn wait_until<F, Fut>(what: &str, mut condition: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if condition().await {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < WAIT,
            "timed out after {WAIT:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `p` quantile (0 to 1) of non-empty, sorted latencies; for the benchmark examples.
#[allow(dead_code)]
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Every file under `dir`, recursively.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
