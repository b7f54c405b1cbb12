//! Sealed records and the keys that open them: a retired encryption key kept for reading, and
//! a key wrap that opens a record for a reader added after it was sealed, in either order.

use bureau_core::entry::{EntryKeyWrap, KeyWrap};
use bureau_core::record::IndexTerm;
use bureau_core::testkit::{self, NOW, TestNetwork};
use bureau_core::validate::EntryError;
use bureau_core::{Access, Body, EncryptionPublicKey, Entry};
use bureau_store::{Outcome, Store, UnsealKey};

use crate::harness;

const NUMBER: &str = "SEAL0001";

/// Secretariat (0), France (1), Germany (2), Russia (3).
fn network() -> TestNetwork {
    TestNetwork::new("sealed", &["XGS", "FRA", "DEU", "RUS"])
}

fn public_of(network: &TestNetwork, index: usize) -> EncryptionPublicKey {
    EncryptionPublicKey::from_secret(testkit::encryption_secret(network.code(index)))
}

/// France's travel document sealed to the members at `readers`.
fn sealed_document(network: &mut TestNetwork, readers: &[usize]) -> Entry {
    let mut record = testkit::travel_document(network.code(1), "sealed1", NUMBER, 1);
    record.access = Access::SecretariatOnly;
    network.sign_sealed(1, record, readers, [7; 32])
}

/// A store of `network` opening sealed bodies with `current` and the `retired` secrets.
fn store_with(
    network: &TestNetwork,
    current: [u8; 32],
    retired: &[[u8; 32]],
) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = harness::config(&dir.path().join("store"));
    config.unseal_key = Some(UnsealKey(current));
    config.retired_unseal_keys = retired.iter().copied().map(UnsealKey).collect();
    let store = Store::open(&config, &network.genesis).expect("store opens");
    for certificate in network.certificates() {
        store.learn_certificate(&certificate).expect("verifies");
    }
    (store, dir)
}

fn finds(store: &Store) -> bool {
    !store
        .search(&IndexTerm::travel_document(NUMBER, None, None), 10)
        .expect("search")
        .is_empty()
}

fn applied(store: &Store, entry: Entry) {
    let outcome = store.apply(entry, NOW).expect("apply");
    assert!(outcome.is_applied(), "{outcome:?}");
}

/// A node whose encryption key changed keeps the old one to read what was sealed to it.
#[test]
fn a_retired_key_still_opens_what_was_sealed_to_it() {
    let mut network = network();
    let entry = sealed_document(&mut network, &[1, 2]);
    let germany_before = testkit::encryption_secret(network.code(2));
    let germany_now = [42; 32];
    let (forgetful, _a) = store_with(&network, germany_now, &[]);
    applied(&forgetful, entry.clone());
    assert!(!finds(&forgetful), "sealed to a key it no longer holds");
    let (keeping, _b) = store_with(&network, germany_now, &[germany_before]);
    applied(&keeping, entry);
    assert!(finds(&keeping), "the retired key opens it");
}

/// France wraps its record's key for Russia, which it was not sealed to: Russia's store opens
/// and indexes it at once, or when the record arrives after the wrap; a wrap from another
/// member, or bound to another entry, opens nothing.
#[test]
fn a_key_wrap_opens_a_record_for_a_reader_added_later() {
    let mut network = network();
    let entry = sealed_document(&mut network, &[0, 1]);
    let (sealed, aad) = entry
        .body
        .as_ref()
        .and_then(|body| body.sealed(&entry.header))
        .expect("a sealed body");
    let france = testkit::encryption_secret(network.code(1));
    let content_key = bureau_core::seal::content_key(sealed, &france, &aad).expect("France reads");
    let hash = entry.hash();
    let wrap_for = |recipient: EncryptionPublicKey, hash: &bureau_core::Hash| EntryKeyWrap {
        author: entry.header.author,
        seq: entry.header.seq,
        entry: *hash,
        wrapped: bureau_core::seal::wrap_key(
            &content_key,
            recipient,
            &EntryKeyWrap::aad(hash),
            [9; 32],
        )
        .expect("wraps"),
    };
    let russia = public_of(&network, 3);
    let body = |wraps| Body::KeyWrap(KeyWrap { wraps });

    // Germany may not hand out France's keys.
    let (store, _dir) = store_with(&network, testkit::encryption_secret(network.code(3)), &[]);
    applied(&store, entry.clone());
    assert!(!finds(&store), "not sealed to Russia");
    let usurped = network.sign(2, body(vec![wrap_for(russia, &hash)]));
    match store.apply(usurped, NOW).expect("apply") {
        Outcome::Rejected(EntryError::NotOwner { .. }) => {}
        other => panic!("expected NotOwner, got {other:?}"),
    }
    assert!(!finds(&store));

    // A wrap bound to another entry opens nothing; France's own wrap opens it at once.
    let misbound = network.sign(1, body(vec![wrap_for(russia, &bureau_core::Hash([3; 32]))]));
    applied(&store, misbound.clone());
    assert!(!finds(&store), "a wrap for another entry");
    let wrap = network.sign(1, body(vec![wrap_for(russia, &hash)]));
    applied(&store, wrap.clone());
    assert!(finds(&store), "the wrap opened the record");
    assert_eq!(
        store
            .wrapped_for(&entry.header.author, entry.header.seq)
            .expect("wraps"),
        vec![russia]
    );

    // Delivered out of order, the wraps wait for the record, then open it.
    let (late, _dir) = store_with(&network, testkit::encryption_secret(network.code(3)), &[]);
    for early in [wrap, misbound] {
        assert!(matches!(
            late.apply(early, NOW).expect("apply"),
            Outcome::Held { .. }
        ));
    }
    applied(&late, entry.clone());
    assert!(finds(&late), "held wraps, then the record");

    // Another of France's keys (its node after a rotation) wraps it, and the wrap arrives
    // first: the record opens as it is applied.
    let second_key = bureau_core::SecretKey::from_seed([77; 32]);
    let certificate = network.certify(
        &second_key,
        network.code(1),
        bureau_core::Timestamp(NOW.0 - 1_000),
        bureau_core::Timestamp(NOW.0 + testkit::YEAR_MS),
    );
    network.members.push(testkit::TestMember {
        key: second_key,
        certificate: certificate.clone(),
        head: None,
        clock: network.members[1].clock,
    });
    let (first, _dir) = store_with(&network, testkit::encryption_secret(network.code(3)), &[]);
    first.learn_certificate(&certificate).expect("verifies");
    let from_second_key = network.sign(4, body(vec![wrap_for(russia, &hash)]));
    applied(&first, from_second_key);
    assert!(!finds(&first), "nothing to open yet");
    applied(&first, entry);
    assert!(
        finds(&first),
        "the record opened with the wrap held before it"
    );
}
