//! What a user of the store relies on: records appear in search, changes and cancellations
//! win by version, data survives a reopen, the digest tells replicas apart, and a replica can
//! be brought level from another's `entries_after`.

use std::collections::BTreeMap;

use bureau_core::record::IndexTerm;
use bureau_core::schema::DocumentType;
use bureau_core::testkit::{self, NOW, TestNetwork};
use bureau_core::validate::EntryError;
use bureau_core::{Body, Database, RecordKey};
use bureau_store::{Error, Outcome, Store};

use crate::harness::{self, TestStore};

/// The record a put entry publishes.
fn record_key_of(entry: &bureau_core::Entry) -> RecordKey {
    match &entry.body {
        Some(Body::Put(record)) => record.key.clone(),
        other => panic!("not a put: {other:?}"),
    }
}

fn network() -> TestNetwork {
    TestNetwork::new("store", &["XGS", "FRA", "DEU", "RUS"])
}

/// A published document is found by its number however the officer types it.
#[test]
fn a_published_record_is_found_by_exact_search() {
    let mut network = network();
    let TestStore { store, .. } = harness::open(&network);
    let entry = network.put_document(1, "p1", "P 1234-567");
    assert!(store.apply(entry, NOW).expect("apply").is_applied());

    for typed in ["P 1234-567", "p1234567", "P-1234 567"] {
        let found = store
            .search(&IndexTerm::travel_document(typed, None, None), 10)
            .expect("search");
        assert_eq!(found.len(), 1, "searching {typed:?}");
    }
    let fra = network.code(1);
    let exact = IndexTerm::travel_document("p1234567", Some(fra), Some(DocumentType::Passport));
    assert_eq!(store.search(&exact, 10).expect("search").len(), 1);
    let wrong_type = IndexTerm::travel_document("p1234567", Some(fra), Some(DocumentType::Visa));
    assert!(store.search(&wrong_type, 10).expect("search").is_empty());
    let prefix_only = IndexTerm::travel_document("p123456", None, None);
    assert!(
        store.search(&prefix_only, 10).expect("search").is_empty(),
        "numbers match whole"
    );
    assert_eq!(store.live_record_count().expect("count"), 1);
}

/// Vehicles by VIN and persons by name in any order and case.
#[test]
fn vehicles_and_persons_are_found() {
    let mut network = network();
    let TestStore { store, .. } = harness::open(&network);
    let code = network.code(2);
    let car = network.sign(
        2,
        Body::Put(testkit::vehicle(code, "v1", "WVWZZZ1JZ3W386752", 1)),
    );
    let person = network.sign(
        2,
        Body::Put(testkit::person(code, "n1", "Müller", "Jürgen", 1)),
    );
    let report = store.apply_batch(vec![car, person], NOW).expect("apply");
    assert!(report.outcomes.iter().all(Outcome::is_applied));
    assert_eq!(
        store
            .search(&IndexTerm::vin("wvw zzz 1jz 3w386752"), 10)
            .expect("search")
            .len(),
        1
    );
    assert_eq!(
        store
            .search(&IndexTerm::person_name("jurgen", "MULLER"), 10)
            .expect("search")
            .len(),
        1
    );
}

/// A person's name candidate is stored once, whatever the number of its name postings, and
/// goes with the record when it is cancelled.
#[test]
fn a_persons_name_candidate_is_stored_once() {
    use bureau_core::record::{Index, NameCandidate};
    let mut network = network();
    let TestStore { store, .. } = harness::open(&network);
    let code = network.code(2);
    let mut record = testkit::person(code, "n1", "Müller Schmidt", "Jürgen Karl", 1);
    if let bureau_core::record::RecordData::Person(person) = &mut record.data {
        person.aliases = vec!["Georg Miller".into()];
    }
    let put = network.sign(2, Body::Put(record.clone()));
    assert!(store.apply(put, NOW).expect("apply").is_applied());

    let (phonetic, _) = store.index_footprint(Index::NamePhonetic).expect("size");
    let (pairs, _) = store.index_footprint(Index::NamePair).expect("size");
    assert!(phonetic + pairs >= 10, "{phonetic} + {pairs} name postings");
    assert_eq!(
        store.index_footprint(Index::NameCandidate).expect("size").0,
        1
    );
    let candidate = store
        .index_value(&IndexTerm::name_candidate(), &record.key.to_bytes())
        .expect("read")
        .expect("the candidate is there");
    let candidate = NameCandidate::decode(&candidate).expect("decode");
    assert_eq!(candidate.names.len(), 2, "the name and the alias");
    let mut postings = 0;
    for posting in store.postings(&IndexTerm::phonetic("Mueller")) {
        assert!(
            posting.expect("read").1.is_empty(),
            "postings carry no copy"
        );
        postings += 1;
    }
    assert_eq!(
        postings, 1,
        "the person under its key, whatever the birth year"
    );

    let cancel = network.cancel(2, record.key.clone(), 2);
    assert!(store.apply(cancel, NOW).expect("apply").is_applied());
    for index in [Index::NamePhonetic, Index::NamePair, Index::NameCandidate] {
        assert_eq!(
            store.index_footprint(index).expect("size"),
            (0, 0),
            "{index:?}"
        );
    }
}

/// A store whose name index was built by an older version (other readings, another term
/// layout) rebuilds it when it opens: the persons it holds are found again, by the birth-year
/// terms as by the all-years ones.
#[test]
fn an_old_name_index_is_rebuilt_at_open() {
    use bureau_core::record::Index;
    let mut network = network();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("store");
    let store = harness::open_at(&network, &path);
    let code = network.code(2);
    let record = testkit::person(code, "n1", "Иванов", "Сергей", 1);
    let put = network.sign(2, Body::Put(record.clone()));
    assert!(store.apply(put, NOW).expect("apply").is_applied());
    drop(store);
    // What an older version left: a name index of another layout and no version mark.
    {
        let db = sled::open(&path).expect("raw sled");
        for index in [Index::NamePhonetic, Index::NamePair, Index::NameCandidate] {
            let tree = db.open_tree(index.name()).expect("tree");
            tree.clear().expect("clear");
            tree.insert(b"ivanov\0stale", b"").expect("stale posting");
        }
        db.open_tree("meta")
            .expect("meta")
            .remove(b"name-index-version")
            .expect("remove");
        db.flush().expect("flush");
    }
    let store = harness::open_at(&network, &path);
    let key = record.key.to_bytes();
    let born = match &record.data {
        bureau_core::record::RecordData::Person(person) => person.date_of_birth.map(|d| d.year()),
        _ => unreachable!("a person"),
    };
    let ivanov = bureau_core::names::phonetic("ivanov");
    for term in [
        IndexTerm::phonetic_key(&ivanov),
        IndexTerm::phonetic_key_born(&ivanov, born),
    ] {
        let found: Vec<Vec<u8>> = store
            .postings(&term)
            .map(|posting| posting.expect("read").0)
            .collect();
        assert_eq!(found, vec![key.clone()], "{term:?}");
    }
    assert!(
        store
            .index_value(&IndexTerm::name_candidate(), &key)
            .expect("read")
            .is_some()
    );
    assert_eq!(
        store.index_footprint(Index::NamePhonetic).expect("size").0,
        2,
        "the stale posting is gone, the two name parts are there"
    );
}

/// The highest version wins whatever the arrival order; a cancellation hides the record
/// from search and `get` reports why.
#[test]
fn versions_and_cancellations_fold_in_any_order() {
    let mut network = network();
    let code = network.code(1);
    let v1 = network.sign(
        1,
        Body::Put(testkit::travel_document(code, "p1", "OLD1", 1)),
    );
    let v2 = network.sign(
        1,
        Body::Put(testkit::travel_document(code, "p1", "NEW2", 2)),
    );
    let key = RecordKey::new(Database::TravelDocuments, code, "p1").expect("key");
    let cancel = network.cancel(1, key.clone(), 3);

    let TestStore { store, .. } = harness::open(&network);
    store.apply_batch(vec![v1, v2], NOW).expect("apply");
    let view = store.get(&key).expect("get").expect("present");
    assert_eq!(view.version, 2);
    assert!(
        store
            .search(&IndexTerm::travel_document("OLD1", None, None), 10)
            .expect("search")
            .is_empty()
    );
    assert_eq!(
        store
            .search(&IndexTerm::travel_document("NEW2", None, None), 10)
            .expect("search")
            .len(),
        1
    );

    store.apply(cancel, NOW).expect("apply");
    let view = store.get(&key).expect("get").expect("present");
    assert!(view.record.is_none());
    assert_eq!(view.cancel_reason.as_deref(), Some("document recovered"));
    assert!(
        store
            .search(&IndexTerm::travel_document("NEW2", None, None), 10)
            .expect("search")
            .is_empty()
    );
    assert_eq!(store.live_record_count().expect("count"), 0);
}

/// Entries that arrive before their predecessors wait, then apply; duplicates change nothing.
#[test]
fn out_of_order_entries_are_held_then_applied() {
    let mut network = network();
    let TestStore { store, .. } = harness::open(&network);
    let entries: Vec<_> = (0..5)
        .map(|i| network.put_document(1, &format!("p{i}"), &format!("N{i}")))
        .collect();
    let outcome = store.apply(entries[2].clone(), NOW).expect("apply");
    assert_eq!(outcome, Outcome::Held { expected: 1 });
    assert_eq!(store.pending_len(), 1);
    let report = store
        .apply_batch(vec![entries[4].clone(), entries[0].clone()], NOW)
        .expect("apply");
    assert_eq!(
        report.outcomes[1],
        Outcome::Applied {
            hash: entries[0].hash()
        }
    );
    assert_eq!(report.outcomes[0], Outcome::Held { expected: 2 });
    let report = store
        .apply_batch(vec![entries[1].clone(), entries[1].clone()], NOW)
        .expect("apply");
    assert!(report.outcomes[0].is_applied());
    assert_eq!(report.outcomes[1], Outcome::Duplicate);
    assert_eq!(report.released, 1, "entry 3 was waiting in the buffer");
    assert_eq!(
        store
            .head(&entries[0].header.author)
            .expect("head")
            .map(|h| h.seq),
        Some(3)
    );
    assert_eq!(store.pending_len(), 1, "entry 5 still waits for entry 4");
    store.apply(entries[3].clone(), NOW).expect("apply");
    assert_eq!(
        store
            .head(&entries[0].header.author)
            .expect("head")
            .map(|h| h.seq),
        Some(5)
    );
    assert_eq!(store.pending_len(), 0);
}

/// Rejections come back with their reason and store nothing.
#[test]
fn invalid_entries_are_rejected_with_a_reason() {
    let mut network = network();
    let TestStore { store, .. } = harness::open(&network);
    let german = testkit::vehicle(network.code(2), "v1", "VIN1", 1);
    let entry = network.sign(1, Body::Put(german));
    let outcome = store.apply(entry, NOW).expect("apply");
    assert!(
        matches!(outcome, Outcome::Rejected(EntryError::NotOwner { .. })),
        "{outcome:?}"
    );
    assert_eq!(store.entry_count().expect("count"), 0);
}

/// Everything survives closing and reopening the store.
#[test]
fn data_survives_a_reopen() {
    let mut network = network();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    let digest = {
        let store = harness::open_at(&network, &path);
        let entries = (0..50)
            .map(|i| network.put_document(3, &format!("p{i}"), &format!("N{i}")))
            .collect();
        store.apply_batch(entries, NOW).expect("apply");
        store.digest().expect("digest")
    };
    let store = Store::open(&harness::config(&path), &network.genesis).expect("reopen");
    assert_eq!(store.digest().expect("digest"), digest);
    assert_eq!(store.entry_count().expect("count"), 50);
    assert_eq!(store.live_record_count().expect("count"), 50);
    assert_eq!(
        store
            .search(&IndexTerm::travel_document("N49", None, None), 10)
            .expect("search")
            .len(),
        1
    );
    assert_eq!(
        store.members().expect("members").len(),
        4,
        "learned certificates persist"
    );
}

/// Two replicas converge through `entries_after` in bounded batches and then share a digest.
#[test]
fn a_replica_catches_up_from_another_in_bounded_batches() {
    let mut network = network();
    let source = harness::open(&network);
    let target = harness::open(&network);
    let mut entries = Vec::new();
    for i in 0..300 {
        entries.push(network.put_document(1 + i % 3, &format!("p{i}"), &format!("N{i}")));
    }
    source.store.apply_batch(entries, NOW).expect("apply");
    assert_ne!(
        source.store.digest().expect("digest"),
        target.store.digest().expect("digest")
    );

    let mut rounds = 0;
    loop {
        let batch = source
            .store
            .entries_after(&target.store.heads().expect("heads"), 64, 1 << 20)
            .expect("entries_after");
        assert!(batch.entries.len() <= 64);
        let report = target.store.apply_batch(batch.entries, NOW).expect("apply");
        assert!(report.outcomes.iter().all(Outcome::is_applied));
        rounds += 1;
        if batch.complete {
            break;
        }
    }
    assert_eq!(rounds, 5, "300 entries in batches of at most 64");
    assert_eq!(
        source.store.digest().expect("digest"),
        target.store.digest().expect("digest")
    );
    assert_eq!(
        source.store.heads().expect("heads"),
        target.store.heads().expect("heads")
    );
    let empty = BTreeMap::new();
    assert_eq!(
        source
            .store
            .entries_after(&empty, 1, 1)
            .expect("entries_after")
            .entries
            .len(),
        1
    );
}

/// A store refuses another network's genesis, and a second opener gets a clear error.
#[test]
fn opening_the_wrong_network_or_a_locked_store_is_a_clear_error() {
    let network = network();
    let TestStore { store, dir } = harness::open(&network);
    let path = dir.path().join("store");
    let locked = Store::open(&harness::config(&path), &network.genesis);
    assert!(matches!(locked, Err(Error::Locked { .. })), "{locked:?}");
    drop(store);
    let other = TestNetwork::new("another", &["XGS"]);
    let wrong = Store::open(&harness::config(&path), &other.genesis);
    assert!(
        matches!(wrong, Err(Error::WrongNetwork { .. })),
        "{wrong:?}"
    );
    let message = wrong.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("use a fresh directory"), "{message}");
}

/// A store records its format; one written by a newer bureau (a format this binary does not
/// read) is refused with an error that says what to do, and one from before formats were
/// recorded opens as the current format.
#[test]
fn a_store_in_a_newer_format_is_refused_and_an_unmarked_one_is_marked() {
    let network = network();
    let TestStore { store, dir } = harness::open(&network);
    drop(store);
    let path = dir.path().join("store");
    let rewrite = |value: Option<u32>| {
        let db = sled::open(&path).expect("raw sled");
        let meta = db.open_tree("meta").expect("meta tree");
        match value {
            Some(version) => meta
                .insert("format-version", &version.to_be_bytes()[..])
                .map(drop),
            None => meta.remove("format-version").map(drop),
        }
        .expect("write meta");
        db.flush().expect("flush");
    };
    rewrite(Some(bureau_store::STORE_FORMAT_VERSION + 1));
    let newer = Store::open(&harness::config(&path), &network.genesis);
    let message = newer
        .as_ref()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(matches!(newer, Err(Error::Format { .. })), "{message}");
    assert!(message.contains("a newer bureau wrote it"), "{message}");
    // A store from before the format was recorded.
    rewrite(None);
    let store = Store::open(&harness::config(&path), &network.genesis).expect("unmarked opens");
    drop(store);
    let db = sled::open(&path).expect("raw sled");
    let marked = db
        .open_tree("meta")
        .and_then(|meta| meta.get("format-version"))
        .expect("read meta");
    assert_eq!(
        marked.as_deref(),
        Some(&bureau_store::STORE_FORMAT_VERSION.to_be_bytes()[..])
    );
}

/// A certificate from another network's root is refused.
#[test]
fn a_foreign_certificate_is_not_learned() {
    let network = network();
    let other = TestNetwork::new("another", &["XGS", "FRA"]);
    let TestStore { store, .. } = harness::open(&network);
    assert!(
        store
            .learn_certificate(&other.members[1].certificate)
            .is_err()
    );
}

/// The buffer of early entries is bounded: beyond it entries are dropped (to be fetched again
/// by sync), not held, and the store stays usable.
#[test]
fn the_pending_buffer_is_bounded() {
    let mut network = network();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = harness::config(&dir.path().join("store"));
    config.max_pending_entries = 2;
    let store = Store::open(&config, &network.genesis).expect("open");
    for certificate in network.certificates() {
        store.learn_certificate(&certificate).expect("learn");
    }
    let entries: Vec<_> = (0..5)
        .map(|i| network.put_document(1, &format!("p{i}"), &format!("N{i}")))
        .collect();
    let report = store
        .apply_batch(entries[2..].to_vec(), NOW)
        .expect("apply");
    assert_eq!(
        report.outcomes,
        vec![
            Outcome::Held { expected: 1 },
            Outcome::Held { expected: 1 },
            Outcome::Dropped { expected: 1 }
        ]
    );
    assert_eq!(store.pending_len(), 2);
    let report = store
        .apply_batch(entries[..2].to_vec(), NOW)
        .expect("apply");
    assert_eq!(report.released, 2);
    assert_eq!(
        store
            .head(&entries[0].header.author)
            .expect("head")
            .map(|h| h.seq),
        Some(4)
    );
    assert!(
        store
            .apply(entries[4].clone(), NOW)
            .expect("apply")
            .is_applied(),
        "the dropped entry arrives again"
    );
}

/// A damaged store is reported with its path and what to do, not a panic.
#[test]
fn a_corrupt_store_is_a_clear_error() {
    let network = network();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store");
    drop(harness::open_at(&network, &path));
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut garbage = Vec::new();
    let mut value = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..64 * 1024 {
        value ^= value << 13;
        value ^= value >> 7;
        value ^= value << 17;
        garbage.push(value as u8);
    }
    std::fs::write(path.join("conf"), &garbage[..512]).expect("damage conf");
    std::fs::write(path.join("db"), &garbage).expect("damage db");
    let opened =
        std::panic::catch_unwind(|| Store::open(&harness::config(&path), &network.genesis));
    let result = opened.expect("opening a damaged store must not panic");
    let error = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        error.contains(&path.display().to_string()),
        "error names the path: {error}"
    );
}

/// Key rotation: a member's new key updates the records its old key wrote (ownership is by
/// member), and once the old key is revoked at a seq, its later entries are refused.
#[test]
fn rotation_keeps_ownership() {
    let mut network = network();
    let old = 1;
    let new = network.add_member(testkit::seeded_key("FRA, second key"), network.code(old));
    let TestStore { store, .. } = harness::open(&network);
    let code = network.code(old);
    let v1 = network.sign(
        old,
        Body::Put(testkit::travel_document(code, "p1", "ROT1", 1)),
    );
    let v2 = network.sign(
        new,
        Body::Put(testkit::travel_document(code, "p1", "ROT2", 2)),
    );
    let serial = network.members[old].certificate.body.serial;
    let revoke = network.revoke(0, serial, 1);
    let late = network.sign(
        old,
        Body::Put(testkit::travel_document(code, "p1", "ROT3", 3)),
    );
    let report = store.apply_batch(vec![v1, v2, revoke], NOW).expect("apply");
    assert!(
        report.outcomes.iter().all(Outcome::is_applied),
        "{:?}",
        report.outcomes
    );
    let key = RecordKey::new(Database::TravelDocuments, code, "p1").expect("key");
    let view = store.get(&key).expect("get").expect("present");
    assert_eq!(view.version, 2);
    assert_eq!(
        view.author,
        network.members[new].key.public(),
        "the new key's update wins"
    );
    let outcome = store.apply(late, NOW).expect("apply");
    assert!(
        matches!(outcome, Outcome::Rejected(EntryError::Revoked { .. })),
        "{outcome:?}"
    );
    assert_eq!(store.get(&key).expect("get").expect("present").version, 2);
}

/// An `Erase` by the owner drops bodies but keeps signed headers: the record disappears, the
/// digest does not change, and another replica takes the body-less entries only with the proof.
#[test]
fn erasure_drops_bodies_and_keeps_logs_verifiable() {
    let mut network = network();
    let code = network.code(1);
    let put = network.sign(
        1,
        Body::Put(testkit::travel_document(code, "p1", "ERASE1", 1)),
    );
    let key = RecordKey::new(Database::TravelDocuments, code, "p1").expect("key");
    let cancel = network.cancel(1, key.clone(), 2);
    let erase = network.erase(1, &put, "record cancelled");
    let source = harness::open(&network);
    source
        .store
        .apply_batch(vec![put.clone(), cancel], NOW)
        .expect("apply");
    let digest = source.store.digest().expect("digest");
    assert!(
        source
            .store
            .apply(erase.clone(), NOW)
            .expect("apply")
            .is_applied()
    );
    let held = source
        .store
        .entry(&put.header.author, put.header.seq)
        .expect("read")
        .expect("header kept");
    assert!(held.body.is_none(), "the body is gone");
    assert_eq!(held.hash(), put.hash(), "the signed header is unchanged");
    assert!(held.verify_signature().is_ok());

    // Another replica gets the erased entry from the source, with the proof.
    let target = harness::open(&network);
    let batch = source
        .store
        .entries_after(&Default::default(), 100, 1 << 20)
        .expect("entries_after");
    assert_eq!(batch.proofs, vec![erase.clone()]);
    let without_proof = target
        .store
        .apply_batch(batch.entries.clone(), NOW)
        .expect("apply");
    assert!(matches!(
        without_proof.outcomes[0],
        Outcome::Rejected(EntryError::MissingBody)
    ));
    let with_proof = target
        .store
        .apply_batch_with_proofs(batch.entries.clone(), batch.proofs.clone(), NOW)
        .expect("apply");
    // A peer that pads the proofs with thousands of erasures naming nothing in the batch
    // (dropped before any signature check) does not stop the real proof from working.
    let padded = harness::open(&network);
    let mut junk = erase.clone();
    if let Some(bureau_core::Body::Erase(body)) = &mut junk.body {
        body.entries[0].seq += 1_000;
    }
    let mut proofs = vec![junk; 2_000];
    proofs.extend(batch.proofs.clone());
    let report = padded
        .store
        .apply_batch_with_proofs(batch.entries.clone(), proofs, NOW)
        .expect("apply");
    assert!(report.outcomes[0].is_applied(), "{:?}", report.outcomes);
    // The first attempt held the entries after the refused one; they apply now too.
    assert!(
        with_proof.outcomes[0].is_applied(),
        "{:?}",
        with_proof.outcomes
    );
    assert!(
        with_proof
            .outcomes
            .iter()
            .all(|o| !matches!(o, Outcome::Rejected(_)))
    );
    assert_eq!(
        target.store.digest().expect("digest"),
        source.store.digest().expect("digest")
    );
    assert_ne!(
        digest,
        source.store.digest().expect("digest"),
        "the erase entry itself is new"
    );

    // Nobody else may erase France's entries.
    let forged = network.erase(2, &put, "not mine");
    assert!(matches!(
        source.store.apply(forged, NOW).expect("apply"),
        Outcome::Rejected(EntryError::NotOwner { .. })
    ));
}

/// Erasing the current version of a live record takes it out of search.
#[test]
fn erasing_a_live_record_removes_it_from_search() {
    let mut network = network();
    let code = network.code(1);
    let put = network.sign(
        1,
        Body::Put(testkit::travel_document(code, "p1", "GONE1", 1)),
    );
    let erase = network.erase(1, &put, "retention: review date passed");
    let TestStore { store, .. } = harness::open(&network);
    store.apply_batch(vec![put, erase], NOW).expect("apply");
    assert!(
        store
            .search(&IndexTerm::travel_document("GONE1", None, None), 10)
            .expect("search")
            .is_empty()
    );
    assert_eq!(store.live_record_count().expect("count"), 0);
    let view = store
        .get(&RecordKey::new(Database::TravelDocuments, code, "p1").expect("key"))
        .expect("get")
        .expect("state kept");
    assert!(view.erased && view.record.is_none());
}

/// A renewed key: entries under the old certificate and under the renewal both hold, whatever
/// order a replica learns the two certificates in; a revocation of either covers the key.
#[test]
fn renewals_keep_every_certificate_and_revocation_covers_the_key() {
    let mut network = network();
    let member = &network.members[1];
    let (secret, code) = (member.key.clone(), member.certificate.member());
    let key = secret.public();
    let old = member.certificate.clone();
    // The renewal starts where the old one ends.
    let renewal = network.certify(
        &secret,
        code,
        old.body.not_after,
        bureau_core::Timestamp(old.body.not_after.0 + 1_000_000),
    );
    let early = network.put_document(1, "p1", "EARLY1");
    network.members[1].clock = bureau_core::Timestamp(old.body.not_after.0 + 10);
    let late = network.put_document(1, "p2", "LATE1");

    // A replica that knows only the renewal refuses the early entry for now...
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        Store::open(&harness::config(&dir.path().join("s")), &network.genesis).expect("open");
    for certificate in network.certificates() {
        if certificate.node_key() != key {
            store.learn_certificate(&certificate).expect("learn");
        }
    }
    store.learn_certificate(&renewal).expect("learn");
    let now = bureau_core::Timestamp(old.body.not_after.0 + 20);
    let refused = store.apply(early.clone(), now).expect("apply");
    assert!(
        matches!(
            refused,
            Outcome::Rejected(EntryError::NotCurrentMember { .. })
        ),
        "{refused:?}"
    );
    // ...and takes the whole log once it learns the old certificate too.
    store.learn_certificate(&old).expect("learn");
    let report = store
        .apply_batch(vec![early.clone(), late.clone()], now)
        .expect("apply");
    assert!(
        report.outcomes.iter().all(Outcome::is_applied),
        "{report:?}"
    );
    assert_eq!(store.certificates(&key).expect("read").len(), 2);

    // Revoking the old serial revokes the key: the renewal does not save later entries.
    let revoke = network.revoke(0, old.body.serial, early.header.seq);
    assert!(store.apply(revoke, now).expect("apply").is_applied());
    assert_eq!(
        store.head(&key).expect("head").map(|head| head.seq),
        Some(early.header.seq),
        "the entry after the cut is removed"
    );
    assert!(store.revocation_of_key(&key).expect("read").is_some());
    assert!(store.get(&record_key_of(&late)).expect("get").is_none());
}

/// A replica that stored entries beyond a revocation's cut before it learned the revocation
/// removes them, so it ends like a replica that learned the revocation first.
#[test]
fn the_revocation_race_ends_in_one_state() {
    let mut network = network();
    let first = network.put_document(2, "d1", "KEEP1");
    let cut = first.header.seq;
    let second = network.put_document(2, "d2", "DROP1");
    let serial = network.members[2].certificate.body.serial;
    let revoke = network.revoke(0, serial, cut);

    let early = harness::open(&network);
    early.store.apply(revoke.clone(), NOW).expect("apply");
    early
        .store
        .apply_batch(vec![first.clone(), second.clone()], NOW)
        .expect("apply");
    let late = harness::open(&network);
    late.store
        .apply_batch(vec![first, second.clone()], NOW)
        .expect("apply");
    assert!(
        late.store
            .get(&record_key_of(&second))
            .expect("get")
            .is_some()
    );
    late.store.apply(revoke, NOW).expect("apply");
    assert_eq!(
        early.store.digest().expect("digest"),
        late.store.digest().expect("digest")
    );
    assert!(
        late.store
            .get(&record_key_of(&second))
            .expect("get")
            .is_none()
    );
    assert_eq!(late.store.live_record_count().expect("count"), 1);
}

/// An erasure names record bodies only: naming a cancellation leaves it (the record stays
/// cancelled), and a forged proof that is not the author's logged entry is kept as a fork proof
/// instead of being used.
#[test]
fn erasures_touch_record_bodies_only_and_proofs_must_be_logged() {
    let mut network = network();
    let put = network.put_document(1, "x1", "ERASE1");
    let key = record_key_of(&put);
    let cancel = network.cancel(1, key.clone(), 2);
    let erase = network.erase(1, &cancel, "retention");
    let TestStore { store, .. } = harness::open(&network);
    store
        .apply_batch(vec![put.clone(), cancel.clone(), erase.clone()], NOW)
        .expect("apply");
    let held = store
        .entry(&cancel.header.author, cancel.header.seq)
        .expect("read")
        .expect("held");
    assert!(held.body.is_some(), "a cancellation keeps its body");
    let view = store.get(&key).expect("get").expect("record");
    assert!(view.record.is_none() && view.cancel_reason.is_some());

    // A forged proof: the author signs another Erase at the seq its log already used.
    let mut forger = network.clone();
    forger.members[1].head = Some(cancel.as_head());
    let forged = forger.erase(1, &put, "forged");
    let mut bodiless = put.clone();
    bodiless.body = None;
    let other = harness::open(&network);
    other
        .store
        .apply_batch(vec![put.clone(), cancel.clone(), erase], NOW)
        .expect("apply");
    let report = other
        .store
        .apply_batch_with_proofs(vec![bodiless], vec![forged], NOW)
        .expect("apply");
    assert_eq!(report.forks.len(), 1, "the forged proof proves a fork");
    assert!(
        other
            .store
            .entry(&put.header.author, put.header.seq)
            .expect("read")
            .expect("held")
            .body
            .is_some(),
        "the forged proof erased nothing"
    );
}

/// Two replicas whose copies of one log differ at the same length (a node restored from a
/// backup that signed offline): sync still finds the fork, and both sides end with the proof.
#[test]
fn sync_finds_a_fork_between_logs_of_the_same_length() {
    let mut network = network();
    let first = network.put_document(1, "a1", "SAME1");
    let (ours, theirs) = network.equivocate(1, ["OURS1", "THEIRS1"]);
    let a = harness::open(&network);
    let b = harness::open(&network);
    a.store
        .apply_batch(vec![first.clone(), ours], NOW)
        .expect("apply");
    b.store
        .apply_batch(vec![first, theirs], NOW)
        .expect("apply");
    assert_ne!(
        a.store.digest().expect("digest"),
        b.store.digest().expect("digest")
    );
    let batch = a
        .store
        .entries_after(&b.store.heads().expect("heads"), 100, 1 << 20)
        .expect("entries_after");
    assert_eq!(batch.entries.len(), 1, "our entry at their head's seq");
    let report = b
        .store
        .apply_batch_with_proofs(batch.entries, batch.proofs, NOW)
        .expect("apply");
    assert_eq!(report.forks.len(), 1);
    a.store
        .apply_fork_proofs(b.store.fork_proofs().expect("proofs"), NOW)
        .expect("apply");
    assert_eq!(
        a.store.digest().expect("digest"),
        b.store.digest().expect("digest")
    );
    assert_eq!(
        a.store
            .head(&network.members[1].key.public())
            .expect("head")
            .map(|h| h.seq),
        Some(1)
    );
}

/// Fork proofs from peers are checked on their own: a forged signature, a key no certificate
/// names (anyone can make keys and fork them) and headers at seq 0 change nothing.
#[test]
fn fork_proofs_from_peers_must_hold_and_name_a_member() {
    use bureau_core::fork::{ForkProof, SignedHeader};
    let mut network = network();
    let TestStore { store, .. } = harness::open(&network);
    let (one, two) = network.equivocate(1, ["F1", "F2"]);
    let proof = ForkProof::new(SignedHeader::of(&one), SignedHeader::of(&two)).expect("a fork");

    let mut forged = proof.clone();
    forged.second.signature.0[3] ^= 1;
    assert!(
        store
            .apply_fork_proofs(vec![forged], NOW)
            .expect("apply")
            .is_empty()
    );

    let mut stranger = TestNetwork::new("stranger", &["XGS", "FRA"]);
    let (a, b) = stranger.equivocate(1, ["S1", "S2"]);
    let unknown = ForkProof::new(SignedHeader::of(&a), SignedHeader::of(&b)).expect("a fork");
    assert!(
        store
            .apply_fork_proofs(vec![unknown], NOW)
            .expect("apply")
            .is_empty()
    );

    let mut zero = proof.clone();
    zero.first.header.seq = 0;
    zero.second.header.seq = 0;
    assert!(
        store
            .apply_fork_proofs(vec![zero], NOW)
            .expect("apply")
            .is_empty()
    );

    assert!(store.fork_points().expect("read").is_empty());
    assert_eq!(
        store
            .apply_fork_proofs(vec![proof.clone()], NOW)
            .expect("apply")
            .len(),
        1
    );
    assert_eq!(store.fork_points().expect("read").len(), 1);
    // Sent again (every sync answer carries it), it changes nothing.
    assert!(
        store
            .apply_fork_proofs(vec![proof], NOW)
            .expect("apply")
            .is_empty()
    );
}
