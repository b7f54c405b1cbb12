//! `bureau devnet`: a real local network in one command. It provisions a secretariat and
//! members (or reuses an existing devnet directory), starts one `bureau node run` process per
//! node on loopback, waits until they are connected, publishes sample records on a fresh
//! network, prints how to use the CLI against each node, and stops every node on Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bureau_core::Access;

use super::{provision, sample};
use crate::config::{CONFIG_FILE, FileConfig};
use crate::http::API_ADDR;
use crate::http::client::Client;
use crate::output;
use bureau_service::files::{self, NodeDir};
use bureau_service::records::Draft;
use bureau_service::replica::Replica;

/// How long the nodes get to start, connect and agree.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the nodes get to stop before they are killed.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the devnet polls its nodes.
const POLL: Duration = Duration::from_millis(100);
/// Largest sled cache of one devnet node: several nodes share one machine.
pub const MAX_NODE_CACHE_BYTES: u64 = 16 << 20;

/// A node process of the devnet.
struct NodeProcess {
    dir: NodeDir,
    child: Child,
}

/// How far apart the ports of one role are: node `i` of `nodes` listens on `base + i`, serves
/// its API (in `testnet/`) on `base + stride + i` and its metrics on `base + 2 × stride + i`,
/// with `stride` the node count rounded up to a hundred (100 up to 100 nodes, 200 up to 200,
/// 300 for every country).
pub fn port_stride(nodes: usize) -> usize {
    nodes.div_ceil(PORT_STRIDE_STEP).max(1) * PORT_STRIDE_STEP
}

/// See [`port_stride`].
pub const PORT_STRIDE_STEP: usize = 100;

/// Where node `index` of `nodes` serves `/metrics`, `/healthz` and `/readyz` (see
/// [`port_stride`]).
fn metrics_port(base_port: u16, nodes: usize, index: usize) -> Result<u16> {
    u16::try_from(usize::from(base_port) + 2 * port_stride(nodes) + index)
        .context("--base-port plus the node count goes past port 65535 for the metrics ports")
}

/// The `metrics_listen` of a devnet node's config file, if it has one.
fn metrics_address(node: &NodeDir) -> Option<String> {
    let text = std::fs::read_to_string(node.root.join(CONFIG_FILE)).ok()?;
    toml::from_str::<FileConfig>(&text).ok()?.metrics_listen
}

fn node_config(
    index: usize,
    nodes: usize,
    base_port: u16,
    bootstrap: Option<String>,
) -> Result<FileConfig> {
    let port = base_port
        .checked_add(u16::try_from(index)?)
        .context("--base-port plus the node count goes past port 65535")?;
    Ok(FileConfig {
        listen: Some(vec![
            format!("/ip4/127.0.0.1/tcp/{port}"),
            format!("/ip4/127.0.0.1/udp/{port}/quic-v1"),
        ]),
        bootstrap: bootstrap.map(|address| vec![address]),
        api_listen: Some("127.0.0.1:0".into()),
        metrics_listen: Some(format!(
            "127.0.0.1:{}",
            metrics_port(base_port, nodes, index)?
        )),
        cache_mib: Some(16),
        sync_interval_ms: Some(5_000),
        // Every devnet node shares 127.0.0.1: the colocation penalty would make them all suspects.
        ip_colocation_weight: Some(0.0),
        dns: Some(false),
        ..FileConfig::default()
    })
}

/// Creates the devnet directory: network, node directories and one config per node.
fn provision(
    dir: &Path,
    nodes: usize,
    base_port: u16,
    cache_bytes: u64,
    key_seed: Option<u64>,
) -> Result<Vec<NodeDir>> {
    let network = provision::create(dir, "bureau-devnet", nodes - 1, cache_bytes, key_seed)?;
    let first_key = files::read_key(&network.nodes[0].node_key(), "node key", "just written")?;
    let first_peer = bureau_net::identity::keypair(&first_key)
        .public()
        .to_peer_id();
    for (index, node) in network.nodes.iter().enumerate() {
        let bootstrap =
            (index > 0).then(|| format!("/ip4/127.0.0.1/tcp/{base_port}/p2p/{first_peer}"));
        let config = node_config(index, nodes, base_port, bootstrap)?;
        let text = toml::to_string(&config).context("cannot write a node config")?;
        files::write_new(&node.root.join(CONFIG_FILE), text.as_bytes(), false)?;
    }
    Ok(network.nodes)
}

/// The node directories of an existing devnet.
fn existing(dir: &Path) -> Result<Vec<NodeDir>> {
    let mut nodes = Vec::new();
    while dir
        .join(format!("node{}", nodes.len()))
        .join(CONFIG_FILE)
        .exists()
    {
        nodes.push(NodeDir::new(dir.join(format!("node{}", nodes.len()))));
    }
    if nodes.is_empty() {
        bail!(
            "{} exists but is not a devnet (no node0/{CONFIG_FILE}); remove it or pass another --dir",
            dir.display()
        );
    }
    Ok(nodes)
}

fn spawn(dir: &NodeDir) -> Result<NodeProcess> {
    let _ = std::fs::remove_file(dir.root.join(API_ADDR));
    let log_path = dir.root.join("node.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let child = Command::new(std::env::current_exe().context("cannot find the bureau binary")?)
        .args(["node", "run", "--dir"])
        .arg(&dir.root)
        .env(
            "BUREAU_LOG",
            std::env::var("BUREAU_LOG").unwrap_or_else(|_| "info".into()),
        )
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("cannot start a node process")?;
    Ok(NodeProcess {
        dir: dir.clone(),
        child,
    })
}

fn status(node: &NodeDir) -> Option<serde_json::Value> {
    let status = Client::from_dir(node, None, None)
        .ok()
        .flatten()?
        .call(&bureau_service::ops::GetStatus {})
        .ok()?;
    serde_json::to_value(status).ok()
}

/// Polls until `ready` holds for every node, or fails naming the node that is not ready.
fn wait_for(
    processes: &mut [NodeProcess],
    what: &str,
    deadline: Instant,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> Result<Vec<serde_json::Value>> {
    loop {
        for process in processes.iter_mut() {
            if let Some(exit) = process.child.try_wait()? {
                bail!(
                    "{} exited ({exit}); see {}/node.log",
                    process.dir.root.display(),
                    process.dir.root.display()
                );
            }
        }
        let statuses: Vec<Option<serde_json::Value>> =
            processes.iter().map(|p| status(&p.dir)).collect();
        if statuses
            .iter()
            .all(|status| status.as_ref().is_some_and(&ready))
        {
            return Ok(statuses.into_iter().flatten().collect());
        }
        if Instant::now() > deadline {
            let late: Vec<String> = processes
                .iter()
                .zip(&statuses)
                .filter(|(_, status)| !status.as_ref().is_some_and(&ready))
                .map(|(process, _)| process.dir.root.display().to_string())
                .collect();
            bail!(
                "timed out waiting for {what}: {} (see their node.log)",
                late.join(", ")
            );
        }
        std::thread::sleep(POLL);
    }
}

fn stop(processes: &mut [NodeProcess]) {
    for process in processes.iter() {
        if let Ok(Some(client)) = Client::from_dir(&process.dir, None, None) {
            let _ = client.shutdown();
        }
    }
    let deadline = Instant::now() + STOP_TIMEOUT;
    for process in processes.iter_mut() {
        while Instant::now() < deadline && matches!(process.child.try_wait(), Ok(None)) {
            std::thread::sleep(POLL);
        }
        let _ = process.child.kill();
        let _ = process.child.wait();
    }
}

fn publish_samples(nodes: &[NodeDir]) -> Result<usize> {
    let mut published = 0;
    for (index, node) in nodes.iter().enumerate().skip(1) {
        let client = Client::from_dir(node, None, None)?.context("node has no API address")?;
        let member = sample::member_codes()[index - 1].parse()?;
        for (local_id, data) in sample::records(index, member) {
            let draft = Draft {
                local_id,
                access: Access::All,
                review_date: None,
                data,
            };
            client.call(&draft)?;
            published += 1;
        }
    }
    Ok(published)
}

fn check_node_count(nodes: usize) -> Result<()> {
    if !(2..=provision::MAX_LOCAL_MEMBERS + 1).contains(&nodes) {
        bail!(
            "--nodes must be between 2 and {}",
            provision::MAX_LOCAL_MEMBERS + 1
        );
    }
    Ok(())
}

/// Creates a devnet directory without starting it, for scripts that run each node as its own
/// long-lived process. The sample records go straight into each member's replica, signed by
/// the member, so the started nodes exchange them by sync like any other entries.
pub fn provision_only(
    dir: &Path,
    nodes: usize,
    base_port: u16,
    cache_bytes: u64,
    key_seed: Option<u64>,
) -> Result<()> {
    check_node_count(nodes)?;
    let node_dirs = provision(dir, nodes, base_port, cache_bytes, key_seed)?;
    let mut published = 0;
    for (index, node) in node_dirs.iter().enumerate().skip(1) {
        let replica = Replica::open(node, cache_bytes)?;
        for (local_id, data) in sample::records(index, replica.member()) {
            replica
                .publish(&local_id, Access::All, None, data)
                .with_context(|| format!("sample record {local_id} of {}", replica.member()))?;
            published += 1;
        }
    }
    println!(
        "devnet of {nodes} nodes provisioned in {} (ports {base_port}-{}, {published} sample records)",
        dir.display(),
        usize::from(base_port) + nodes - 1
    );
    Ok(())
}

/// Runs the devnet until Ctrl-C (or until a node dies).
pub fn run(
    dir: &Path,
    nodes: usize,
    base_port: u16,
    cache_bytes: u64,
    interrupted: &dyn Fn() -> bool,
) -> Result<()> {
    check_node_count(nodes)?;
    let started = Instant::now();
    let fresh = !dir.exists();
    let node_dirs = if fresh {
        provision(dir, nodes, base_port, cache_bytes, None)?
    } else {
        existing(dir)?
    };
    let count = node_dirs.len();
    let mut processes = Vec::new();
    for node in &node_dirs {
        processes.push(spawn(node)?);
    }
    let result = (|| -> Result<()> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        wait_for(&mut processes, "the nodes to start", deadline, |_| true)?;
        wait_for(
            &mut processes,
            "every node to connect to every other",
            deadline,
            |status| status["members_connected"].as_u64() == Some(count as u64 - 1),
        )?;
        let published = if fresh {
            publish_samples(&node_dirs)?
        } else {
            0
        };
        // Ready (caught up with a member, as GET /readyz says), then equal digests: the
        // sample records just published are on every node before the newcomer searches.
        let statuses = wait_for(
            &mut processes,
            "every node to be ready",
            deadline,
            |status| status["ready"].as_bool() == Some(true),
        )?;
        let agreed = wait_until_agreed(&mut processes, deadline, statuses)?;
        print_ready(dir, &node_dirs, &agreed, published, started.elapsed());
        while !interrupted() {
            for process in processes.iter_mut() {
                if let Some(exit) = process.child.try_wait()? {
                    bail!(
                        "{} exited ({exit}); see its node.log",
                        process.dir.root.display()
                    );
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        println!("\nstopping the devnet");
        Ok(())
    })();
    stop(&mut processes);
    result
}

fn wait_until_agreed(
    processes: &mut [NodeProcess],
    deadline: Instant,
    mut statuses: Vec<serde_json::Value>,
) -> Result<Vec<serde_json::Value>> {
    loop {
        let digests: std::collections::BTreeSet<String> = statuses
            .iter()
            .map(|status| status["digest"].as_str().unwrap_or_default().to_owned())
            .collect();
        if digests.len() == 1 {
            return Ok(statuses);
        }
        if Instant::now() > deadline {
            bail!(
                "the replicas did not agree in time ({} different digests)",
                digests.len()
            );
        }
        std::thread::sleep(POLL);
        statuses = wait_for(processes, "the nodes to answer", deadline, |_| true)?;
    }
}

fn print_ready(
    dir: &Path,
    nodes: &[NodeDir],
    statuses: &[serde_json::Value],
    published: usize,
    elapsed: Duration,
) {
    println!(
        "devnet of {} nodes up and meshed in {:.1} s ({} sample records published)\n",
        nodes.len(),
        elapsed.as_secs_f64(),
        published
    );
    let rows: Vec<Vec<String>> = nodes
        .iter()
        .zip(statuses)
        .map(|(node, status)| {
            let text = |field: &str| status[field].as_str().unwrap_or_default().to_owned();
            vec![
                node.root.display().to_string(),
                text("member"),
                status["members_connected"].to_string(),
                status["entries"].to_string(),
                status["records"].to_string(),
                text("digest").chars().take(8).collect(),
                status["listen"][0].as_str().unwrap_or_default().to_owned(),
            ]
        })
        .collect();
    output::table(
        &[
            "NODE", "MEMBER", "PEERS", "ENTRIES", "RECORDS", "DIGEST", "LISTEN",
        ],
        &rows,
    );
    let bureau = bureau_command();
    let node = |index: usize| dir.join(format!("node{index}")).display().to_string();
    let last = node(nodes.len() - 1);
    let metrics: Vec<String> = nodes.iter().filter_map(metrics_address).collect();
    if let (Some(first), Some(last)) = (metrics.first(), metrics.last()) {
        println!(
            "\nmetrics (Prometheus, no token): http://{first}/metrics .. http://{last}/metrics, with /healthz and /readyz"
        );
    }
    println!("\ntry, in another terminal:");
    println!(
        "  {bureau} --dir {} publish sltd --number \"P 1234-567\" --type passport --loss stolen",
        node(1)
    );
    println!("  {bureau} --dir {last} search sltd --number p1234567");
    println!("  {bureau} --dir {last} search person --name \"jurgen muller\"");
    println!(
        "  {bureau} --dir {last} search person --name \"Sergei Ivanov\" --dob 1980   # published as Иванов Сергей"
    );
    println!(
        "  {bureau} --dir {last} search firearm --serial FR40001 --purpose \"border check\"   # a hit for France"
    );
    println!("  {bureau} --dir {} hits", node(1));
    println!(
        "  {bureau} --dir {last} message send --to FRA --handling h2 --subject \"Op. Nord\" \"Call me\""
    );
    println!("  {bureau} --dir {last} audit");
    println!("  {bureau} --dir {last} status --json");
    println!("  {bureau} --dir {last} peers");
    println!("  {bureau} --dir {} get sltd/FRA/p1234567", node(1));
    println!(
        "  {bureau} --dir {} cancel sltd/FRA/p1234567 --reason \"document recovered\"",
        node(1)
    );
    println!(
        "\nlogs: {}/node*/node.log; Ctrl-C stops every node",
        dir.display()
    );
}

/// How to call this binary from the current directory.
fn bureau_command() -> String {
    let exe = std::env::current_exe().ok();
    let cwd = std::env::current_dir().ok();
    match (&exe, &cwd) {
        (Some(exe), Some(cwd)) => exe
            .strip_prefix(cwd)
            .map(PathBuf::from)
            .unwrap_or_else(|_| exe.clone())
            .display()
            .to_string(),
        _ => "bureau".to_owned(),
    }
}
