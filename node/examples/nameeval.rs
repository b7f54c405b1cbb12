//! The name-search evaluation at scale: generated persons (1,000,000 by default) and the
//! hand-written set on one replica, then the variant queries of the first persons and every
//! hand-written query, with recall@1 / recall@10 per script and kind, search latency and the
//! name index's size per person, printed as Markdown tables.
//!
//! Run: `scripts/name-eval.sh [PERSONS] [CHECKED]` (release build; 10-20 minutes on 2 cores
//! at a million persons).

#[path = "../tests/it/net_harness.rs"]
#[allow(dead_code)]
mod net_harness;

use std::time::Instant;

use bureau_gen::Generator;
use bureau_node::dev::name_eval;
use bureau_service::replica::Replica;

/// Persons whose variant queries are searched, by default.
const DEFAULT_CHECKED: u64 = 2_000;
/// sled page cache: what a production node might give a large replica.
const CACHE_BYTES: u64 = 512 * 1024 * 1024;
/// The generator seed, fixed so that runs compare.
const SEED: u64 = 2026;

fn count(position: usize, default: u64) -> u64 {
    match std::env::args().nth(position) {
        None => default,
        Some(arg) => match arg.parse() {
            Ok(value) if value > 0 => value,
            _ => {
                eprintln!("nameeval: expected a positive number, not {arg:?}");
                std::process::exit(2);
            }
        },
    }
}

fn main() -> anyhow::Result<()> {
    let persons = count(1, 1_000_000);
    let checked = count(2, DEFAULT_CHECKED).min(persons);
    let net = net_harness::TestNet::new("nameeval", 2);
    let replica = Replica::open(&net.dirs[1], CACHE_BYTES)?;
    let generator = Generator::new(SEED);

    let started = Instant::now();
    let step = (persons / 10).max(1);
    let mut next = step;
    name_eval::publish(&replica, &generator, persons, |published| {
        if published >= next {
            eprintln!(
                "published {published} persons ({:.0}/s)",
                published as f64 / started.elapsed().as_secs_f64()
            );
            next += step;
        }
    })?;
    let published = started.elapsed();
    eprintln!("searching...");
    let today = bureau_service::clock::now().date();
    let evaluation = name_eval::evaluate(&replica, &generator, checked, today)?;

    println!("\n## Name search at {persons} generated persons (+ the hand-written set)");
    println!("{}", evaluation.table());
    println!("\n| measurement | result |\n|---|---|");
    println!(
        "| published | {:.0} s, {:.0} persons/s |",
        published.as_secs_f64(),
        persons as f64 / published.as_secs_f64()
    );
    let micros = |p: f64| evaluation.latency(p).as_secs_f64() * 1e6;
    println!(
        "| name search, {} queries: p50 / p99 / max | {:.0} µs / {:.0} µs / {:.0} µs |",
        evaluation.latencies.len(),
        micros(0.5),
        micros(0.99),
        micros(1.0)
    );
    let mut total = 0;
    for (index, entries, bytes) in name_eval::name_index_bytes(&replica.store)? {
        total += bytes;
        println!(
            "| {index} per person | {:.1} entries, {:.0} bytes |",
            entries as f64 / persons as f64,
            bytes as f64 / persons as f64
        );
    }
    println!(
        "| name index per person (keys and values) | {:.0} bytes |",
        total as f64 / persons as f64
    );
    let started = Instant::now();
    let rebuilt = replica.store.rebuild_name_index()?;
    println!(
        "| name index rebuilt from the records (what an upgraded node does once) | {rebuilt} persons in {:.0} s |",
        started.elapsed().as_secs_f64()
    );
    if let Some((weakest, tally)) = evaluation.weakest() {
        println!(
            "| weakest script or kind (recall@10) | {weakest}: {:.3} |",
            tally.recall_at_10()
        );
    }
    println!("\nSlowest searches:");
    for (took, query) in &evaluation.slowest {
        println!("- {:.1} ms: {query}", took.as_secs_f64() * 1e3);
    }
    println!("\nNot ranked first (first {}):", evaluation.misses.len());
    for miss in &evaluation.misses {
        println!("- {miss}");
    }
    Ok(())
}
