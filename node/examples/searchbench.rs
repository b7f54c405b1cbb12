//! Search and import measurements on one replica, printed as a table:
//! - bulk import throughput (`bureau import`'s path: JSON Lines parsed, validated, signed,
//!   applied in batches) of generated travel documents and persons;
//! - exact search latency (travel document by number, hits and misses) at that size, in the
//!   store and through the replica (audit line written).
//!
//! Name search (recall per script and kind, latency, index size) has its own evaluation:
//! `scripts/name-eval.sh`.
//!
//! Run: `cargo run --release -p bureau-node --example searchbench -- [RECORDS]` (default
//! 1,000,000 persons and as many travel documents; about 10 minutes on 2 cores).

#[path = "../tests/it/net_harness.rs"]
#[allow(dead_code)]
mod net_harness;

use std::time::{Duration, Instant};

use bureau_gen::Generator;
use bureau_node::cli::import::{self, Format};
use bureau_service::query::{Query, SearchRequest};
use bureau_service::replica::Replica;
use bureau_service::search;

/// Queries timed per kind.
const EXACT_QUERIES: usize = 2_000;
/// Exact queries served through the replica (each writes and syncs an audit line).
const SERVED_QUERIES: u64 = 200;
/// sled page cache for the bench: what a production node might give a large replica.
const CACHE_BYTES: u64 = 512 * 1024 * 1024;

fn micros(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

fn import(
    replica: &Replica,
    database: bureau_core::Database,
    path: &std::path::Path,
) -> import::Summary {
    let summary = import::import_file(database, path, Some(Format::Jsonl), |drafts| {
        Ok(replica.publish_batch(drafts)?.0)
    })
    .expect("import");
    assert_eq!(summary.rejected, 0, "{:?}", summary.errors.first());
    summary
}

fn main() {
    let records: u64 = match std::env::args().nth(1) {
        None => 1_000_000,
        Some(arg) => match arg.parse() {
            Ok(records) if records > 0 => records,
            _ => {
                eprintln!("searchbench: RECORDS must be a positive number, not {arg:?}");
                std::process::exit(2);
            }
        },
    };
    let net = net_harness::TestNet::new("searchbench", 2);
    let replica = Replica::open(&net.dirs[1], CACHE_BYTES).expect("replica");
    let generator = Generator::new(2026);
    let work = tempfile::tempdir().expect("tempdir");
    let mut rows: Vec<(String, String)> = Vec::new();

    // Import: files first, so only the import is timed.
    let documents = work.path().join("sltd.jsonl");
    let people = work.path().join("persons.jsonl");
    let issuer = "FRA".parse().expect("code");
    let file = |path: &std::path::Path| {
        std::io::BufWriter::new(std::fs::File::create(path).expect("file"))
    };
    generator
        .write_travel_documents(records, issuer, file(&documents))
        .expect("generate documents");
    generator
        .write_persons(records, 0, file(&people), std::io::sink())
        .expect("generate persons");
    for (label, database, path) in [
        (
            "travel documents",
            bureau_core::Database::TravelDocuments,
            &documents,
        ),
        ("persons", bureau_core::Database::Persons, &people),
    ] {
        let summary = import(&replica, database, path);
        rows.push((
            format!("import {} {label}", summary.imported),
            format!(
                "{:.0} s, {:.0} records/s",
                summary.seconds, summary.records_per_second
            ),
        ));
        eprintln!("imported {label}: {:.0}/s", summary.records_per_second);
    }
    let store_bytes = replica.store.size_on_disk().unwrap_or(0);
    rows.push((
        "replica on disk".into(),
        format!("{:.0} MiB", store_bytes as f64 / (1024.0 * 1024.0)),
    ));

    // Exact search: half hits (numbers that exist), half misses.
    let today = bureau_service::clock::now().date();
    let mut hits = Vec::new();
    let mut misses = Vec::new();
    let step = (records / EXACT_QUERIES as u64).max(1);
    for n in 0..EXACT_QUERIES as u64 {
        let document = generator.travel_document((n * step) % records, issuer);
        let (number, expect_hit) = if n % 2 == 0 {
            (document.record.number, true)
        } else {
            (format!("{}Z9", document.record.number), false)
        };
        let query = Query::TravelDocument {
            number,
            issuing_country: None,
            document_type: None,
        };
        let started = Instant::now();
        let found = search::run(&replica.store, &query, today).expect("search");
        let elapsed = started.elapsed();
        assert_eq!(found.results.is_empty(), !expect_hit);
        if expect_hit {
            hits.push(elapsed)
        } else {
            misses.push(elapsed)
        }
    }
    for (label, mut times) in [("exact search, hit", hits), ("exact search, miss", misses)] {
        times.sort();
        rows.push((
            format!("{label} (p50 / p99)"),
            format!(
                "{} / {}",
                micros(net_harness::percentile(&times, 0.5)),
                micros(net_harness::percentile(&times, 0.99))
            ),
        ));
    }

    // The same hits through the replica, as the API serves them: audit line (fsync) and hit
    // notification included.
    let mut served = Vec::new();
    for n in 0..SERVED_QUERIES {
        let document = generator.travel_document((n * step) % records, issuer);
        let request = SearchRequest {
            query: Query::TravelDocument {
                number: document.record.number,
                issuing_country: None,
                document_type: None,
            },
            purpose: Some("bench".into()),
            place: None,
        };
        let started = Instant::now();
        replica.search(&request).expect("search");
        served.push(started.elapsed());
    }
    served.sort();
    rows.push((
        "exact search through the replica, audit line written (p50 / p99)".into(),
        format!(
            "{} / {}",
            micros(net_harness::percentile(&served, 0.5)),
            micros(net_harness::percentile(&served, 0.99))
        ),
    ));

    println!("\n| measurement at {records} persons + {records} travel documents | result |");
    println!("|---|---|");
    for (what, result) in rows {
        println!("| {what} | {result} |");
    }
}
