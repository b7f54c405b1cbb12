//! The store against a plain in-memory model: random sequences of valid and invalid entries,
//! delivered in random order, duplicated and in random batch sizes, must leave the store and
//! the model with the same heads, records, search results and rejections.

use std::collections::BTreeSet;

use bureau_core::Body;
use bureau_core::testkit::{self, MemoryReplica, ModelOutcome, NOW, TestNetwork};
use bureau_store::{Outcome, digest_of};
use proptest::prelude::*;

use crate::harness;

/// Members 1..=3 write; member 0 is the secretariat.
const WRITERS: usize = 3;
/// Record slots per database and owner, so updates and cancellations hit the same records.
const SLOTS: u8 = 4;

#[derive(Debug, Clone)]
enum Op {
    Put {
        member: usize,
        database: u8,
        slot: u8,
        version: u64,
    },
    Cancel {
        member: usize,
        database: u8,
        slot: u8,
        version: u64,
    },
    /// A member writes a record owned by the next member: invalid.
    NotOwner { member: usize, slot: u8 },
    /// A valid put whose signature is then broken: invalid.
    Forge { member: usize, slot: u8 },
    /// The secretariat revokes a member at its current seq plus `allowance`.
    Revoke { member: usize, allowance: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let member = 1..=WRITERS;
    prop_oneof![
        6 => (member.clone(), 0..3u8, 0..SLOTS, 1..5u64)
            .prop_map(|(member, database, slot, version)| Op::Put { member, database, slot, version }),
        2 => (member.clone(), 0..3u8, 0..SLOTS, 1..6u64)
            .prop_map(|(member, database, slot, version)| Op::Cancel { member, database, slot, version }),
        1 => (member.clone(), 0..SLOTS).prop_map(|(member, slot)| Op::NotOwner { member, slot }),
        1 => (member.clone(), 0..SLOTS).prop_map(|(member, slot)| Op::Forge { member, slot }),
        1 => (member, 0..3u64).prop_map(|(member, allowance)| Op::Revoke { member, allowance }),
    ]
}

fn record(
    network: &TestNetwork,
    owner: usize,
    database: u8,
    slot: u8,
    version: u64,
) -> bureau_core::Record {
    let code = network.code(owner);
    let id = format!("r{slot}");
    match database {
        0 => testkit::travel_document(
            code,
            &id,
            &format!("DOC {owner}-{slot}-{}", version % 2),
            version,
        ),
        1 => testkit::vehicle(
            code,
            &id,
            &format!("VIN{owner}{slot}X{}", version % 2),
            version,
        ),
        _ => testkit::person(
            code,
            &id,
            &format!("Family{slot}"),
            &format!("Given{}", version % 2),
            version,
        ),
    }
}

fn key_of(network: &TestNetwork, owner: usize, database: u8, slot: u8) -> bureau_core::RecordKey {
    record(network, owner, database, slot, 1).key
}

/// Signs the entries `ops` describe, in signing order. Invalid entries do not move the
/// signer's head, so the valid entries after them still chain.
fn sign_all(network: &mut TestNetwork, ops: &[Op]) -> Vec<bureau_core::Entry> {
    let mut entries = Vec::new();
    for op in ops {
        match *op {
            Op::Put {
                member,
                database,
                slot,
                version,
            } => {
                let record = record(network, member, database, slot, version);
                entries.push(network.sign(member, Body::Put(record)));
            }
            Op::Cancel {
                member,
                database,
                slot,
                version,
            } => {
                let key = key_of(network, member, database, slot);
                entries.push(network.cancel(member, key, version));
            }
            Op::NotOwner { member, slot } => {
                let owner = member % WRITERS + 1;
                let head = network.members[member].head;
                let record = record(network, owner, 1, slot, 1);
                entries.push(network.sign(member, Body::Put(record)));
                network.members[member].head = head;
            }
            Op::Forge { member, slot } => {
                let head = network.members[member].head;
                let record = record(network, member, 0, slot, 9);
                let mut entry = network.sign(member, Body::Put(record));
                entry.signature.0[7] ^= 1;
                entries.push(entry);
                network.members[member].head = head;
            }
            Op::Revoke { member, allowance } => {
                let serial = network.members[member].certificate.body.serial;
                let seq = network.members[member].head.map_or(0, |head| head.seq) + allowance;
                entries.push(network.revoke(0, serial, seq));
            }
        }
    }
    entries
}

/// Delivery order: the signing order with some entries moved and some sent twice.
fn delivery(len: usize, moves: &[(usize, usize)], repeats: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    for &(from, to) in moves {
        if len > 0 {
            let item = order.remove(from % len);
            order.insert(to % len, item);
        }
    }
    for &repeat in repeats {
        if len > 0 {
            order.push(repeat % len);
        }
    }
    order
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn the_store_matches_the_model(
        ops in proptest::collection::vec(op(), 1..40),
        moves in proptest::collection::vec((0..64usize, 0..64usize), 0..6),
        repeats in proptest::collection::vec(0..64usize, 0..4),
        batch_sizes in proptest::collection::vec(1..9usize, 1..10),
    ) {
        let mut network = TestNetwork::new("model", &["XGS", "FRA", "DEU", "RUS"]);
        let entries = sign_all(&mut network, &ops);
        let order = delivery(entries.len(), &moves, &repeats);

        let mut model = MemoryReplica::new(&network.genesis, &network.certificates());
        let model_outcomes: Vec<ModelOutcome> = order.iter().map(|i| model.apply(&entries[*i], NOW)).collect();

        let store = harness::open(&network);
        let mut store_outcomes = Vec::new();
        let mut next = 0;
        for size in batch_sizes.iter().cycle() {
            if next >= order.len() {
                break;
            }
            let batch: Vec<_> = order[next..(next + size).min(order.len())].iter().map(|i| entries[*i].clone()).collect();
            next += batch.len();
            store_outcomes.extend(store.store.apply_batch(batch, NOW).expect("apply").outcomes);
        }

        for (position, (model_outcome, store_outcome)) in model_outcomes.iter().zip(&store_outcomes).enumerate() {
            let entry = &entries[order[position]];
            match (model_outcome, store_outcome) {
                (ModelOutcome::Applied, Outcome::Applied { hash }) => prop_assert_eq!(*hash, entry.hash()),
                (ModelOutcome::Duplicate, Outcome::Duplicate) => {}
                (ModelOutcome::Rejected(expected), Outcome::Rejected(found)) => prop_assert_eq!(expected, found),
                // An entry held by the model may be released within the same store batch.
                (ModelOutcome::Held, _) => {}
                (expected, found) => prop_assert!(false, "entry {position}: model {expected:?}, store {found:?}"),
            }
        }

        let heads = store.store.heads().expect("heads");
        prop_assert_eq!(&heads, &model.heads());
        prop_assert_eq!(store.store.digest().expect("digest"), digest_of(&model.heads()));
        for entry in &entries {
            let stored = store.store.entry(&entry.header.author, entry.header.seq).expect("entry");
            prop_assert_eq!(stored.as_ref() == Some(entry), model.holds(entry));
        }

        let live = model.live_records();
        prop_assert_eq!(store.store.live_record_count().expect("count"), live.len() as u64);
        for (key, record) in &live {
            let view = store.store.get(key).expect("get").expect("record present");
            prop_assert_eq!(view.record.as_ref(), Some(record));
        }
        // Every term of every record ever written finds exactly the live records with that term.
        let mut terms = Vec::new();
        for entry in &entries {
            if let Some(Body::Put(record)) = &entry.body {
                terms.extend(record.index_terms());
            }
        }
        for term in terms {
            let found: BTreeSet<_> = store.store.search(&term, 1000).expect("search").into_iter().map(|r| r.key).collect();
            let expected: BTreeSet<_> = live
                .values()
                // A term is its index and bytes; its value is only carried along.
                .filter(|record| {
                    record
                        .index_terms()
                        .iter()
                        .any(|t| t.index == term.index && t.bytes == term.bytes)
                })
                .map(|record| record.key.clone())
                .collect();
            prop_assert_eq!(found, expected);
        }
    }
}
