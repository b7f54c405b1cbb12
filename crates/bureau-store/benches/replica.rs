//! Replica benchmarks at scale: apply throughput (batched, and through the group committer with
//! concurrent writers) and exact lookups on a store of `BUREAU_BENCH_RECORDS` records (default
//! 1,000,000), with the raw costs they are made of measured in the same run: one ed25519
//! `verify_strict`, 64 entries' signatures as the store checks them (each alone, strictly: see
//! ARCHITECTURE.md), and a plain sled `get` on a tree of the same size.
//!
//! Run with `scripts/bench.sh` (or `cargo bench -p bureau-store --bench replica`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bureau_core::record::IndexTerm;
use bureau_core::testkit::{self, NOW, TestNetwork};
use bureau_core::{Body, Entry, Timestamp};
use bureau_store::{Committer, Config, Store};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const DEFAULT_RECORDS: usize = 1_000_000;
/// Entries per `apply_batch` call while filling and in the batched benchmark.
const BATCH: usize = 1024;
/// Concurrent writers in the group-commit benchmark.
const WRITERS: usize = 8;

fn records() -> usize {
    std::env::var("BUREAU_BENCH_RECORDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_RECORDS)
}

/// Far enough ahead that a million 1 ms-apart entries are not "in the future".
fn now() -> Timestamp {
    Timestamp(NOW.0 + 30 * 24 * 3600 * 1000)
}

fn number(member: usize, n: usize) -> String {
    format!("B{member}{n:09}")
}

fn sign_batch(network: &mut TestNetwork, member: usize, start: usize, count: usize) -> Vec<Entry> {
    let code = network.code(member);
    (start..start + count)
        .map(|n| {
            let record = testkit::travel_document(code, &format!("d{n}"), &number(member, n), 1);
            network.sign(member, Body::Put(record))
        })
        .collect()
}

struct Fixture {
    network: TestNetwork,
    store: Arc<Store>,
    /// Records written so far by member 1 (the filler), so new entries get new numbers.
    written: usize,
    _dir: tempfile::TempDir,
}

fn fill() -> Fixture {
    let count = records();
    let mut network = TestNetwork::new("bench", &["XGS", "FRA", "DEU"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::new(dir.path().join("store"));
    config.cache_capacity_bytes = 64 * 1024 * 1024;
    let store = Store::open(&config, &network.genesis).expect("open");
    for certificate in network.certificates() {
        store.learn_certificate(&certificate).expect("learn");
    }
    let started = Instant::now();
    let mut written = 0;
    while written < count {
        let size = BATCH.min(count - written);
        let batch = sign_batch(&mut network, 1, written, size);
        store.apply_batch(batch, now()).expect("apply");
        written += size;
    }
    let elapsed = started.elapsed();
    eprintln!(
        "filled {count} records in {:.1} s (signing included): {:.0} entries/s; {} MiB on disk",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        store.size_on_disk().expect("size") / (1024 * 1024)
    );
    Fixture {
        network,
        store: Arc::new(store),
        written,
        _dir: dir,
    }
}

fn benches(c: &mut Criterion) {
    let mut fixture = fill();

    let mut group = c.benchmark_group("apply");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    group.bench_function("apply_batch_1024_entries", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let batch = sign_batch(&mut fixture.network, 1, fixture.written, BATCH);
                fixture.written += BATCH;
                let started = Instant::now();
                fixture.store.apply_batch(batch, now()).expect("apply");
                total += started.elapsed();
            }
            total
        })
    });
    // Concurrent writers sending one entry each through the committer: group commit at work.
    let per_writer = 64;
    group.throughput(Throughput::Elements((WRITERS * per_writer) as u64));
    group.bench_function("committer_8_writers_single_entries", |b| {
        let committer = Committer::spawn(Arc::clone(&fixture.store), now);
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Writers 0..WRITERS are distinct fresh members, so their logs do not interfere.
                let mut logs = Vec::new();
                for _ in 0..WRITERS {
                    let index = fixture.network.add_member(
                        testkit::seeded_key(&format!("writer{}", fixture.network.members.len())),
                        "ITA".parse().expect("code"),
                    );
                    let certificate = fixture.network.members[index].certificate.clone();
                    fixture
                        .store
                        .learn_certificate(&certificate)
                        .expect("learn");
                    logs.push(sign_batch(&mut fixture.network, index, 0, per_writer));
                }
                let started = Instant::now();
                let threads: Vec<_> = logs
                    .into_iter()
                    .map(|log| {
                        let committer = committer.clone();
                        std::thread::spawn(move || {
                            for entry in log {
                                committer.apply(vec![entry]).expect("commit");
                            }
                        })
                    })
                    .collect();
                for thread in threads {
                    thread.join().expect("writer");
                }
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();

    let mut group = c.benchmark_group("lookup");
    let count = records();
    let mut n = 0usize;
    group.bench_function("exact_search_sltd", |b| {
        b.iter(|| {
            n = (n + 7919) % count;
            let term = IndexTerm::travel_document(&number(1, n), None, None);
            let found = fixture.store.search(&term, 10).expect("search");
            assert_eq!(found.len(), 1);
            black_box(found)
        })
    });
    group.bench_function("exact_search_miss", |b| {
        b.iter(|| {
            n = (n + 7919) % count;
            let term = IndexTerm::travel_document(&number(2, n), None, None);
            black_box(fixture.store.search(&term, 10).expect("search"))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("raw");
    let raw_dir = tempfile::tempdir().expect("tempdir");
    let raw = sled::Config::new()
        .path(raw_dir.path())
        .cache_capacity(64 * 1024 * 1024)
        .open()
        .expect("open raw sled");
    let value = vec![7u8; 300];
    let mut batch = sled::Batch::default();
    for key in 0..count as u64 {
        batch.insert(&key.to_be_bytes(), value.as_slice());
        if key % 10_000 == 9_999 {
            raw.apply_batch(std::mem::take(&mut batch))
                .expect("raw insert");
        }
    }
    raw.apply_batch(batch).expect("raw insert");
    group.bench_function("sled_get", |b| {
        b.iter(|| {
            n = (n + 7919) % count;
            black_box(raw.get((n as u64).to_be_bytes()).expect("get"))
        })
    });
    let entry = sign_batch(&mut fixture.network, 2, 0, 1).remove(0);
    group.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| black_box(entry.verify_signature()))
    });
    let entries = sign_batch(&mut fixture.network, 2, 1, 64);
    group.throughput(Throughput::Elements(64));
    group.bench_function("ed25519_verify_entries_64", |b| {
        b.iter(|| black_box(bureau_core::entry::verify_signatures(&entries)))
    });
    group.finish();
}

criterion_group!(replica, benches);
criterion_main!(replica);
