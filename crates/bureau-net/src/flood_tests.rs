//! A member that floods gossip (TRUST.md, rule 3): entries signed far ahead of its own log and
//! re-encodings of its real entries, while an honest member publishes and a new member's node
//! joins. Real network tasks in one process, seeded keys, temporary directories, TCP on
//! 127.0.0.1 port 0.

use std::time::{Duration, Instant};

use bureau_core::testkit::{self, TestNetwork};
use bureau_core::{Body, Entry, Head};
use bureau_store::{MAX_PENDING_BYTES_PER_AUTHOR, MAX_PENDING_PER_AUTHOR};

use crate::Config;
use crate::direct_tests::{TestNode, start, wait_until};

const XGS: usize = 0;
const FRA: usize = 1;
const DEU: usize = 2;
const RUS: usize = 3;
const ITA: usize = 4;
/// Entries the flooder signs past its head, and real entries it also sends re-encoded.
const AHEAD: u64 = 3_000;
const REENCODED: usize = 200;
/// How soon an honest entry and a newcomer must get through, flood or not.
const DEADLINE: Duration = Duration::from_secs(10);

/// The entry `entry` written with its seq (a single-byte varint) the long way: the same value,
/// other bytes (see the golden test of canonical encodings).
fn reencoded(entry: &Entry) -> Vec<u8> {
    let bytes = entry.to_bytes();
    let seq_at = 32 + 32;
    assert!(bytes[seq_at] < 251, "a one-byte seq");
    let mut long = bytes[..seq_at].to_vec();
    long.extend_from_slice(&[251, bytes[seq_at], 0]);
    long.extend_from_slice(&bytes[seq_at + 1..]);
    long
}

async fn holds(node: &TestNode, entry: &Entry) -> bool {
    node.store
        .entry(&entry.header.author, entry.header.seq)
        .expect("read")
        .is_some_and(|held| held.hash() == entry.hash())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gossip_flood_delays_neither_an_honest_entry_nor_a_newcomer() {
    let mut network = TestNetwork::new_at(
        "flood",
        &["XGS", "FRA", "DEU", "RUS", "ITA"],
        crate::gate::now(),
    );
    let xgs = start(&network, XGS, &[], Config::for_tests()).await;
    let fra = start(&network, FRA, &xgs.addresses, Config::for_tests()).await;
    let deu = start(&network, DEU, &xgs.addresses, Config::for_tests()).await;
    let rus = start(&network, RUS, &xgs.addresses, Config::for_tests()).await;
    for node in [&xgs, &fra, &deu, &rus] {
        wait_until("the four members meshed", || async {
            node.info().await.members_connected >= 3
        })
        .await;
    }

    // Germany's real entries, applied at home and gossiped as they should be.
    let germany = network.code(DEU);
    let real: Vec<Entry> = (0..REENCODED)
        .map(|i| {
            let record = testkit::vehicle(germany, &format!("real{i}"), "WVWZZZ1JZ3W386752", 1);
            network.sign(DEU, Body::Put(record))
        })
        .collect();
    deu.store
        .apply_batch(real.clone(), crate::gate::now())
        .expect("apply");
    let head = real.last().map(Entry::as_head).expect("a head");
    let key = network.members[DEU].key.clone();
    let network_id = network.genesis.network_id();
    let flooder = deu.started.handle.clone();
    let flood = tokio::spawn(async move {
        for entry in &real {
            let _ = flooder.publish(entry.clone()).await;
        }
        for n in 0..AHEAD {
            // Valid signatures, no predecessors: never applicable here.
            let fake = Head {
                seq: head.seq + 10 + n,
                hash: bureau_core::Hash::ZERO,
                timestamp: head.timestamp,
            };
            let record = testkit::vehicle(germany, &format!("ahead{n}"), "AHEADAHEAD", 1);
            let entry = Entry::sign(
                &key,
                network_id,
                Some(&fake),
                crate::gate::now(),
                Body::Put(record),
            );
            let _ = flooder.publish(entry).await;
        }
        // Last, since the first one gets the flooder's gossip refused by its peers.
        for entry in &real {
            let _ = flooder.publish_bytes(reencoded(entry)).await;
        }
    });

    // While it floods: France publishes, and Italy's node joins.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let france = network.code(FRA);
    let honest = network.sign(
        FRA,
        Body::Put(testkit::travel_document(france, "honest1", "HONEST123", 1)),
    );
    fra.store
        .apply(honest.clone(), crate::gate::now())
        .expect("apply");
    let published = Instant::now();
    fra.started
        .handle
        .publish(honest.clone())
        .await
        .expect("gossip");
    let ita = start(&network, ITA, &xgs.addresses, Config::for_tests()).await;

    for (name, node) in [("Russia", &rus), ("the secretariat", &xgs), ("Italy", &ita)] {
        while !holds(node, &honest).await {
            assert!(
                published.elapsed() < DEADLINE,
                "{name} did not get France's entry within {DEADLINE:?} of the flood"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    while ita.info().await.members_connected == 0 {
        assert!(
            published.elapsed() < DEADLINE,
            "the newcomer was not verified within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    flood.await.expect("flood");

    // What the flood left behind is bounded, and the re-encodings counted against the sender.
    for node in [&xgs, &fra, &rus, &ita] {
        assert!(node.store.pending_len() <= MAX_PENDING_PER_AUTHOR);
        assert!(node.store.pending_bytes() <= MAX_PENDING_BYTES_PER_AUTHOR);
    }
    wait_until("the re-encodings rejected", || async {
        let mut rejected = 0;
        for node in [&xgs, &fra, &rus] {
            rejected += node.info().await.counters.gossip_rejected;
        }
        rejected > 0
    })
    .await;
    for node in [xgs, fra, deu, rus, ita] {
        node.shutdown().await;
    }
}
