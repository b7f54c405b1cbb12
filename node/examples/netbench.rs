//! Network measurements on loopback, printed as a table:
//! - time from publish on one node to present on every node, at 5 and 20 nodes;
//! - catch-up rate of a node that missed 10,000 and 100,000 entries;
//! - resident memory per in-process node.
//!
//! Run: `cargo run --release -p bureau-node --example netbench` (about two minutes).
//! `BUREAU_NETBENCH_QUICK=1` uses smaller numbers.

#[path = "../tests/it/net_harness.rs"]
#[allow(dead_code)]
mod net_harness;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bureau_core::{Body, Entry};
use net_harness::TestNet;

/// Publishes timed per network size.
const PUBLISHES: usize = 60;

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

async fn propagation(nodes: usize, publishes: usize) -> (Vec<Duration>, u64) {
    let before = rss_bytes();
    let net = TestNet::start(&format!("bench{nodes}"), nodes).await;
    net.wait_meshed().await;
    let per_node = rss_bytes().saturating_sub(before) / nodes as u64;
    let mut latencies = Vec::new();
    for n in 0..publishes {
        let publisher = 1 + n % (nodes - 1);
        let number = format!("L{nodes}X{n:06}");
        let started = Instant::now();
        let entry = net.publish_document(publisher, &number).await;
        let Some(Body::Put(record)) = entry.body else {
            unreachable!("a publish is a put")
        };
        while !net.holds_everywhere(&record.key).await {
            tokio::time::sleep(Duration::from_millis(1)).await;
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "record {number} never reached every node"
            );
        }
        latencies.push(started.elapsed());
    }
    net.shutdown().await;
    latencies.sort();
    (latencies, per_node)
}

/// Signs `count` vehicle records as node 0 straight into its store, then restarts node 1 and times
/// until it holds them all.
async fn catch_up(count: usize) -> Duration {
    let mut net = TestNet::start(&format!("catchup{count}"), 2).await;
    net.wait_meshed().await;
    net.stop_node(1).await;
    let store = Arc::clone(&net.node(0).replica.store);
    let mut network = net.network.clone();
    tokio::task::spawn_blocking(move || {
        network.members[0].head = store.head(&network.members[0].key.public()).expect("head");
        network.members[0].clock = bureau_service::clock::now();
        // The secretariat (node 0) may own vehicle records: realistic puts, one signature each.
        let owner = network.code(0);
        let mut written = 0;
        while written < count {
            let batch: Vec<Entry> = (written..(written + 1024).min(count))
                .map(|n| {
                    let record = bureau_core::testkit::vehicle(
                        owner,
                        &format!("v{n}"),
                        &format!("VIN{n:09}"),
                        1,
                    );
                    network.sign(0, Body::Put(record))
                })
                .collect();
            written += batch.len();
            store
                .apply_batch(batch, bureau_service::clock::now())
                .expect("apply");
        }
    })
    .await
    .expect("join");
    let started = Instant::now();
    net.start_node(1).await;
    net.wait_converged().await;
    let elapsed = started.elapsed();
    net.shutdown().await;
    elapsed
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::var_os("BUREAU_NETBENCH_QUICK").is_some();
    let publishes = if quick { 10 } else { PUBLISHES };
    println!("| measurement | value |");
    println!("|---|---|");
    for nodes in [5, 20] {
        let (latencies, per_node) = propagation(nodes, publishes).await;
        println!(
            "| publish -> on all {nodes} nodes, p50 / p99 / max ({} publishes) | {:.1} / {:.1} / {:.1} ms |",
            latencies.len(),
            net_harness::percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
            net_harness::percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
            latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        );
        println!(
            "| resident memory per in-process node, {nodes} nodes | {:.1} MiB |",
            per_node as f64 / 1048576.0
        );
    }
    let sizes: &[usize] = if quick { &[2_000] } else { &[10_000, 100_000] };
    for &count in sizes {
        let elapsed = catch_up(count).await;
        println!(
            "| catch-up of {count} missed entries (restart to same digest) | {:.1} s, {:.0} entries/s |",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64()
        );
    }
}
