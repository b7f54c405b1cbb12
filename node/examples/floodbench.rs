//! Honest latency with and without a flooding member, on loopback, printed as a table.
//!
//! Five in-process nodes. Honest traffic: France publishes stolen documents (time until every
//! node holds each one) and Italy searches a VIN (time per search, hits included). The flood,
//! all from Germany at once: 5,000 decoy cars under the searched VIN, 2,000 entries signed far
//! ahead of its own head (gossiped), and 300 direct messages of about 60 KB to Italy. Each
//! honest measurement runs once before the flood and once during it; the goal is an honest p99
//! within 1.2x of the baseline.
//!
//! Run: `scripts/flood-bench.sh` (about three minutes with the release build).

#[path = "../tests/it/net_harness.rs"]
#[allow(dead_code)]
mod net_harness;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bureau_core::{Body, Entry, Head};
use bureau_service::mail::{Handling, SendMessage};
use bureau_service::query::{Query, SearchRequest};
use net_harness::{TestNet, percentile};

const NODES: usize = 5;
const FRA: usize = 1;
const DEU: usize = 2;
const ITA: usize = 3;
const PUBLISHES: usize = 100;
const SEARCHES: usize = 500;
const VIN: &str = "WVWZZZ1JZ3W386752";
const DECOYS: usize = 5_000;
const AHEAD: usize = 2_000;
const MESSAGES: usize = 300;

/// Time from France's publish to every node holding the record.
async fn propagation(net: &TestNet, round: &str) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for n in 0..PUBLISHES {
        let started = Instant::now();
        let entry = net.publish_document(FRA, &format!("{round}X{n:05}")).await;
        let Some(Body::Put(record)) = entry.body else {
            unreachable!("a publish is a put")
        };
        while !net.holds_everywhere(&record.key).await {
            tokio::time::sleep(Duration::from_millis(1)).await;
            assert!(started.elapsed() < Duration::from_secs(60), "never arrived");
        }
        latencies.push(started.elapsed());
    }
    latencies.sort();
    latencies
}

/// Time per search of the VIN on Italy's node; checks France's car is always in the answer.
async fn searches(net: &TestNet) -> Vec<Duration> {
    let replica = Arc::clone(&net.node(ITA).replica);
    let latencies = tokio::task::spawn_blocking(move || {
        let mut latencies = Vec::new();
        for _ in 0..SEARCHES {
            let started = Instant::now();
            let searched = replica
                .search(&SearchRequest {
                    query: Query::Vehicle {
                        vin: Some(VIN.into()),
                        engine_number: None,
                    },
                    purpose: Some("bench".into()),
                    place: None,
                })
                .expect("search");
            latencies.push(started.elapsed());
            assert!(
                searched
                    .results
                    .iter()
                    .any(|found| found.reference == "vehicles/FRA/victim"),
                "France's car is hidden"
            );
        }
        latencies
    })
    .await
    .expect("join");
    let mut latencies = latencies;
    latencies.sort();
    latencies
}

/// Germany's flood: decoys and far-ahead entries gossiped, messages to Italy.
async fn flood(net: &TestNet) -> tokio::task::JoinHandle<()> {
    let germany = Arc::clone(&net.node(DEU).replica);
    let handle = net.node(DEU).net.clone();
    let network = net.network.genesis.network_id();
    tokio::spawn(async move {
        let owner = germany.member();
        let decoys: Vec<Entry> = {
            let germany = Arc::clone(&germany);
            tokio::task::spawn_blocking(move || {
                let mut entries = Vec::new();
                for chunk in (0..DECOYS).collect::<Vec<_>>().chunks(500) {
                    let drafts = chunk
                        .iter()
                        .map(|i| {
                            let record =
                                bureau_core::testkit::vehicle(owner, &format!("decoy{i}"), VIN, 1);
                            bureau_service::records::Draft {
                                local_id: record.key.local_id.clone(),
                                access: bureau_core::Access::All,
                                review_date: None,
                                data: record.data,
                            }
                        })
                        .collect();
                    let (_, signed) = germany.publish_batch(drafts).expect("decoys");
                    entries.extend(signed);
                }
                entries
            })
            .await
            .expect("join")
        };
        let head = decoys.last().map(Entry::as_head).unwrap_or(Head {
            seq: 0,
            hash: bureau_core::Hash::ZERO,
            timestamp: bureau_service::clock::now(),
        });
        for entry in decoys {
            let _ = handle.publish(entry).await;
        }
        // Entries far ahead of Germany's own head: valid signatures, no predecessors.
        for n in 0..AHEAD {
            let fake = Head {
                seq: head.seq + 10_000 + n as u64,
                hash: bureau_core::Hash::ZERO,
                timestamp: head.timestamp,
            };
            let record = bureau_core::testkit::vehicle(owner, &format!("ahead{n}"), "AHEAD", 1);
            let entry = Entry::sign(
                &germany.key,
                network,
                Some(&fake),
                bureau_service::clock::now(),
                Body::Put(record),
            );
            let _ = handle.publish(entry).await;
        }
        let text = "€".repeat(19_900);
        tokio::task::spawn_blocking(move || {
            for i in 0..MESSAGES {
                let _ = germany.send_message(SendMessage {
                    to: "ITA".parse().expect("code"),
                    handling: Handling::H0,
                    subject: format!("flood {i}"),
                    text: text.clone(),
                });
            }
        })
        .await
        .expect("join");
    })
}

fn row(what: &str, baseline: &[Duration], flooded: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (b50, b99) = (percentile(baseline, 0.5), percentile(baseline, 0.99));
    let (f50, f99) = (percentile(flooded, 0.5), percentile(flooded, 0.99));
    println!(
        "| {what} | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.2}x |",
        ms(b50),
        ms(b99),
        ms(f50),
        ms(f99),
        ms(f99) / ms(b99).max(0.001)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let net = TestNet::start("floodbench", NODES).await;
    net.wait_meshed().await;
    let france = Arc::clone(&net.node(FRA).replica);
    let victim = tokio::task::spawn_blocking(move || {
        let record = bureau_core::testkit::vehicle(france.member(), "victim", VIN, 1);
        france
            .publish(
                &record.key.local_id,
                bureau_core::Access::All,
                None,
                record.data,
            )
            .expect("victim")
    })
    .await
    .expect("join");
    net.node(FRA).net.publish(victim.1).await.expect("gossip");
    net.wait_converged().await;

    let baseline_propagation = propagation(&net, "B").await;
    let baseline_search = searches(&net).await;
    let started = Instant::now();
    let flooding = flood(&net).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let flooded_propagation = propagation(&net, "F").await;
    let flooded_search = searches(&net).await;
    flooding.await.expect("flood");
    let flood_seconds = started.elapsed().as_secs_f64();

    println!("| honest traffic (p50 / p99) | baseline | during the flood | p99 ratio |");
    println!("|---|---|---|---|");
    row(
        &format!("publish -> on all {NODES} nodes ({PUBLISHES} publishes)"),
        &baseline_propagation,
        &flooded_propagation,
    );
    row(
        &format!("search of the crowded VIN on ITA ({SEARCHES} searches)"),
        &baseline_search,
        &flooded_search,
    );
    let italy = net.node(ITA).replica.status().expect("status");
    println!();
    println!(
        "flood: {DECOYS} decoys, {AHEAD} far-ahead entries and {MESSAGES} messages of 60 KB from DEU, sent over {flood_seconds:.1} s; \
         on ITA: pending {} entries / {} bytes, anomalies {:?}, inbox refusals {:?}",
        italy.pending,
        italy.pending_bytes,
        italy
            .anomalies
            .iter()
            .map(|a| (a.member, a.crowded_identifiers))
            .collect::<Vec<_>>(),
        italy
            .inbox_refusals
            .iter()
            .map(|r| (r.member, r.refused))
            .collect::<Vec<_>>(),
    );
    for index in [FRA, ITA] {
        let counters = net.node(index).net.info().await.expect("info").counters;
        println!(
            "node {index}: gossip accepted {} / ignored {} / duplicates {}; store-job share exhausted {}, author share exhausted {}, sync budget exhausted {}",
            counters.gossip_accepted,
            counters.gossip_ignored,
            counters.gossip_duplicates,
            counters.store_jobs_share_exhausted,
            counters.gossip_author_share_exhausted,
            counters.sync_budget_exhausted
        );
    }
    net.shutdown().await;
}
