//! Storage quotas (TRUST.md, rule 3): a log past its genesis limit in one database is refused
//! by every replica, whatever it received first; an erasure makes room, and a cut refunds.

use bureau_core::quota::{Amount, Bucket, QuotaRule};
use bureau_core::testkit::{self, NOW, TestNetwork};
use bureau_core::validate::EntryError;
use bureau_core::{Body, Database, Entry, PublicKey};
use bureau_store::{Outcome, Store};

use crate::harness;

const XGS: usize = 0;
const FRA: usize = 1;
const DEU: usize = 2;
const VEHICLES: Bucket = Bucket::Records(Database::Vehicles);

/// Three vehicle entries per log (bytes unlimited), the defaults elsewhere.
fn network() -> TestNetwork {
    let three_vehicles = QuotaRule {
        member: None,
        bucket: VEHICLES,
        limit: Amount {
            entries: 3,
            bytes: u64::MAX,
        },
    };
    let rules = bureau_core::quota::overlay(bureau_core::quota::default_rules(), &[three_vehicles]);
    TestNetwork::with_quotas("quota", &["XGS", "FRA", "DEU"], NOW, rules)
}

fn cars(network: &mut TestNetwork, index: usize, count: usize) -> Vec<Entry> {
    let code = network.code(index);
    (0..count)
        .map(|i| {
            let record = testkit::vehicle(code, &format!("c{i}"), "WVWZZZ1JZ3W386752", 1);
            network.sign(index, Body::Put(record))
        })
        .collect()
}

fn vehicles_held(store: &Store, author: &PublicKey) -> u64 {
    store
        .log_usage(author)
        .expect("usage")
        .into_iter()
        .find(|(bucket, _)| *bucket == VEHICLES)
        .map_or(0, |(_, held)| held.entries)
}

#[test]
fn a_log_past_its_quota_is_refused_everywhere_until_an_erasure_makes_room() {
    let mut network = network();
    let fra = cars(&mut network, FRA, 4);
    let author = fra[0].header.author;
    let first = harness::open(&network);

    let report = first.store.apply_batch(fra.clone(), NOW).expect("apply");
    assert!(report.outcomes[..3].iter().all(Outcome::is_applied));
    let Outcome::Rejected(error) = &report.outcomes[3] else {
        panic!("the fourth car is refused: {:?}", report.outcomes[3]);
    };
    assert!(
        matches!(error, EntryError::OverQuota { bucket, held_entries: 3, limit_entries: 3, .. } if *bucket == VEHICLES),
        "{error:?}"
    );
    assert!(error.is_retryable(), "an erasure may still make room");
    assert!(!error.is_attributable(), "the forwarder is not to blame");
    assert!(error.to_string().contains("over quota"), "{error}");
    assert_eq!(vehicles_held(&first.store, &author), 3);
    let flagged = first.store.anomalies_seen();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0].0, network.code(FRA));
    assert_eq!(
        (flagged[0].1.over_quota, flagged[0].1.last_over_quota),
        (1, Some(VEHICLES)),
        "the refusal is visible"
    );

    // Another member's log has its own quota.
    let deu = cars(&mut network, DEU, 3);
    let report = first.store.apply_batch(deu.clone(), NOW).expect("apply");
    assert!(report.outcomes.iter().all(Outcome::is_applied));

    // The secretariat erases France's first car: the fourth fits when offered again.
    let erase = network.erase(XGS, &fra[0], "deletion order");
    assert!(
        first
            .store
            .apply(erase.clone(), NOW)
            .expect("apply")
            .is_applied()
    );
    assert_eq!(
        vehicles_held(&first.store, &author),
        2,
        "the erased body is refunded"
    );
    assert!(
        first
            .store
            .apply(fra[3].clone(), NOW)
            .expect("apply")
            .is_applied()
    );
    assert_eq!(vehicles_held(&first.store, &author), 3);

    // A replica that catches up later gets the first car without its body (and the proof):
    // it counts the same and takes the fourth at once.
    let late = harness::open(&network);
    let batch = first
        .store
        .entries_after(&Default::default(), 100, 1 << 20)
        .expect("entries_after");
    let report = late
        .store
        .apply_batch_with_proofs(batch.entries, batch.proofs, NOW)
        .expect("apply");
    assert!(
        report.outcomes.iter().all(Outcome::is_applied),
        "{:?}",
        report.outcomes
    );
    assert_eq!(vehicles_held(&late.store, &author), 3);

    // A replica that saw the refusal before the erasure: the erasure, then the car again.
    let early = harness::open(&network);
    early.store.apply_batch(fra.clone(), NOW).expect("apply");
    early.store.apply_batch(deu, NOW).expect("apply");
    early.store.apply(erase, NOW).expect("apply");
    assert!(
        early
            .store
            .apply(fra[3].clone(), NOW)
            .expect("apply")
            .is_applied()
    );

    let digests: Vec<_> = [&first, &late, &early]
        .iter()
        .map(|replica| replica.store.digest().expect("digest"))
        .collect();
    assert!(
        digests.windows(2).all(|pair| pair[0] == pair[1]),
        "{digests:?}"
    );
}

/// A revocation's cut removes entries, and what they held goes back to the log's quota.
#[test]
fn a_cut_log_gets_its_quota_back() {
    let mut network = network();
    let fra = cars(&mut network, FRA, 3);
    let author = fra[0].header.author;
    let replica = harness::open(&network);
    replica.store.apply_batch(fra, NOW).expect("apply");
    assert_eq!(vehicles_held(&replica.store, &author), 3);
    let serial = network
        .certificates()
        .into_iter()
        .find(|certificate| certificate.node_key() == author)
        .expect("France's certificate")
        .body
        .serial;
    let revoke = network.revoke(XGS, serial, 1);
    assert!(
        replica
            .store
            .apply(revoke, NOW)
            .expect("apply")
            .is_applied()
    );
    assert_eq!(vehicles_held(&replica.store, &author), 1);
}
