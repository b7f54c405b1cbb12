//! Exact searches through the API, as a national system sends them: one node holding RECORDS
//! travel documents, CLIENTS threads each sending searches over HTTP one after the other. Each
//! search writes its audit line and waits for it to be on disk, so this measures the audit
//! path as callers feel it. Prints p50, p99 and searches/s for each number of clients.
//!
//! Run: `cargo run --release -p bureau-node --example apibench -- [RECORDS]` (default 2,000;
//! under a minute on 2 cores). The store and the audit log live under `TMPDIR`.

#[path = "../tests/it/net_harness.rs"]
#[allow(dead_code)]
mod net_harness;

use std::time::{Duration, Instant};

use bureau_node::http::client::Client;
use bureau_service::query::{Query, SearchRequest};

/// Searches each client sends.
const SEARCHES_PER_CLIENT: usize = 200;
/// The numbers of concurrent clients measured.
const CLIENTS: [usize; 4] = [1, 2, 8, 32];
/// The member that publishes (node 0 is the secretariat, which has no country).
const PUBLISHER: usize = 1;

fn number(n: u64) -> String {
    format!("AB{n:07}")
}

fn main() {
    let records: u64 = match std::env::args().nth(1) {
        None => 2_000,
        Some(arg) => match arg.parse() {
            Ok(records) if records > 0 => records,
            _ => {
                eprintln!("apibench: RECORDS must be a positive number, not {arg:?}");
                std::process::exit(2);
            }
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut net = net_harness::TestNet::new("apibench", 2);
    let (base, token) = runtime.block_on(async {
        net.start_node(PUBLISHER).await;
        let node = net.node(PUBLISHER);
        node.service.may_sign().await.expect("the node signs");
        let started = Instant::now();
        for n in 0..records {
            net.publish_document(PUBLISHER, &number(n)).await;
        }
        eprintln!(
            "apibench: {records} records published in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        (node.api_addr.to_string(), node.token.clone())
    });

    println!("| clients | searches | p50 | p99 | searches/s |");
    println!("|---|---|---|---|---|");
    for clients in CLIENTS {
        let started = Instant::now();
        let threads: Vec<_> = (0..clients)
            .map(|client| {
                let (base, token) = (base.clone(), token.clone());
                std::thread::spawn(move || {
                    let api = Client::new(&base, &token);
                    let mut times = Vec::with_capacity(SEARCHES_PER_CLIENT);
                    for i in 0..SEARCHES_PER_CLIENT {
                        let n = (client * SEARCHES_PER_CLIENT + i) as u64 % records;
                        let request = SearchRequest {
                            query: Query::TravelDocument {
                                number: number(n),
                                issuing_country: None,
                                document_type: None,
                            },
                            purpose: Some("apibench".into()),
                            place: None,
                        };
                        let sent = Instant::now();
                        let answer = api.call(&request).expect("search");
                        times.push(sent.elapsed());
                        assert!(!answer.results.is_empty(), "{} not found", number(n));
                    }
                    times
                })
            })
            .collect();
        let mut times: Vec<Duration> = threads
            .into_iter()
            .flat_map(|thread| thread.join().expect("client thread"))
            .collect();
        let elapsed = started.elapsed();
        times.sort();
        let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
        println!(
            "| {clients} | {} | {:.2} ms | {:.2} ms | {:.0} |",
            times.len(),
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            times.len() as f64 / elapsed.as_secs_f64()
        );
    }
    runtime.block_on(net.shutdown());
}
