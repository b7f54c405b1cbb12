//! One test per validation rule: each builds an entry that breaks exactly one rule and checks
//! that the model replica (the same rules the store runs) rejects it with that rule's error.

use bureau_core::entry::{Body, Entry};
use bureau_core::testkit::{self, MemoryReplica, ModelOutcome, NOW, TestNetwork, YEAR_MS};
use bureau_core::validate::{EntryError, MAX_CLOCK_SKEW};
use bureau_core::{Hash, Timestamp};

/// Secretariat (0), France (1), Germany (2).
fn network() -> (TestNetwork, MemoryReplica) {
    let network = TestNetwork::new("rules", &["XGS", "FRA", "DEU"]);
    let replica = MemoryReplica::new(&network.genesis, &network.certificates());
    (network, replica)
}

fn rejected(outcome: ModelOutcome) -> EntryError {
    match outcome {
        ModelOutcome::Rejected(error) => error,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// A valid entry is applied: the baseline every other test breaks.
#[test]
fn a_valid_entry_is_applied() {
    let (mut network, mut replica) = network();
    let entry = network.put_document(1, "p1", "P 1234-567");
    assert_eq!(replica.apply(&entry, NOW), ModelOutcome::Applied);
    assert_eq!(replica.live_records().len(), 1);
}

/// Changing a signed header (here its timestamp) breaks the signature.
#[test]
fn a_forged_signature_is_rejected() {
    let (mut network, mut replica) = network();
    let mut entry = network.put_document(1, "p1", "P1");
    entry.header.timestamp = Timestamp(entry.header.timestamp.0 + 1);
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::Signature(_)
    ));

    // A body swapped under a valid header no longer matches the body hash.
    let mut entry = network.put_document(1, "p2", "P2");
    entry.body = Some(Body::Put(testkit::travel_document(
        network.code(1),
        "p2",
        "OTHER",
        1,
    )));
    assert_eq!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::BodyHashMismatch
    );
}

/// France may not write a record that Germany owns.
#[test]
fn a_record_written_by_a_non_owner_is_rejected() {
    let (mut network, mut replica) = network();
    let german = testkit::vehicle(network.code(2), "v1", "WVWZZZ1JZ3W386752", 1);
    let entry = network.sign(1, Body::Put(german));
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::NotOwner { .. }
    ));
}

/// Only the issuing country publishes a travel document, even as its own record.
#[test]
fn a_travel_document_of_another_issuer_is_rejected() {
    let (mut network, mut replica) = network();
    let mut record = testkit::travel_document(network.code(1), "p1", "P1", 1);
    if let bureau_core::RecordData::TravelDocument(document) = &mut record.data {
        document.issuing_country = "DEU".parse().expect("valid code");
    }
    let entry = network.sign(1, Body::Put(record));
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::NotIssuingCountry { .. }
    ));
}

/// A key without a certificate cannot write; an expired certificate cannot either.
#[test]
fn a_non_member_author_is_rejected() {
    let (mut network, mut replica) = network();
    let stranger = network.add_member(
        testkit::seeded_key("stranger"),
        "ITA".parse().expect("valid code"),
    );
    let entry = network.put_document(stranger, "p1", "P1");
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::UnknownAuthor(_)
    ));

    let expired = network.certify(
        &network.members[stranger].key.clone(),
        "ITA".parse().expect("valid code"),
        Timestamp(NOW.0 - 2 * YEAR_MS),
        Timestamp(NOW.0 - YEAR_MS),
    );
    let mut replica = MemoryReplica::new(&network.genesis, &[expired]);
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::NotCurrentMember { .. }
    ));
}

/// After a revocation at seq 2, the key's seq 3 is rejected; seq 2 and before stay valid.
#[test]
fn a_revoked_key_beyond_last_valid_seq_is_rejected() {
    let (mut network, mut replica) = network();
    let first = network.put_document(1, "p1", "P1");
    let second = network.put_document(1, "p2", "P2");
    let third = network.put_document(1, "p3", "P3");
    let serial = network.members[1].certificate.body.serial;
    let revoke = network.revoke(0, serial, 2);
    assert_eq!(replica.apply(&first, NOW), ModelOutcome::Applied);
    assert_eq!(replica.apply(&revoke, NOW), ModelOutcome::Applied);
    assert_eq!(replica.apply(&second, NOW), ModelOutcome::Applied);
    assert!(matches!(
        rejected(replica.apply(&third, NOW)),
        EntryError::Revoked {
            last_valid_seq: 2,
            ..
        }
    ));
}

/// An entry that skips a seq is held, not applied, and is applied once the gap is filled.
#[test]
fn a_seq_gap_is_held_until_filled() {
    let (mut network, mut replica) = network();
    let first = network.put_document(1, "p1", "P1");
    let second = network.put_document(1, "p2", "P2");
    assert_eq!(replica.apply(&second, NOW), ModelOutcome::Held);
    assert!(!replica.holds(&second));
    assert_eq!(replica.apply(&first, NOW), ModelOutcome::Applied);
    assert!(
        replica.holds(&second),
        "the held entry is applied once its predecessor arrives"
    );
}

/// A replayed entry changes nothing; a different entry at a used seq is a fork; an entry from
/// another network is refused.
#[test]
fn a_replayed_old_entry_is_not_applied_again() {
    let (mut network, mut replica) = network();
    let first = network.put_document(1, "p1", "P1");
    assert_eq!(replica.apply(&first, NOW), ModelOutcome::Applied);
    assert_eq!(replica.apply(&first, NOW), ModelOutcome::Duplicate);

    let mut forked = network.clone();
    forked.members[1].head = None;
    let fork = forked.put_document(1, "p1", "DIFFERENT");
    assert_eq!(
        rejected(replica.apply(&fork, NOW)),
        EntryError::Fork { seq: 1 }
    );

    let other = TestNetwork::new("another network", &["XGS", "FRA"]);
    let mut elsewhere = MemoryReplica::new(&other.genesis, &network.certificates());
    assert!(matches!(
        rejected(elsewhere.apply(&first, NOW)),
        EntryError::WrongNetwork { .. }
    ));
}

/// An entry whose prev_hash does not chain to the head is rejected.
#[test]
fn a_broken_chain_is_rejected() {
    let (mut network, mut replica) = network();
    let first = network.put_document(1, "p1", "P1");
    assert_eq!(replica.apply(&first, NOW), ModelOutcome::Applied);
    network.members[1]
        .head
        .as_mut()
        .expect("head after sign")
        .hash = Hash([9; 32]);
    let second = network.put_document(1, "p2", "P2");
    assert_eq!(
        rejected(replica.apply(&second, NOW)),
        EntryError::PrevHashMismatch { seq: 1 }
    );
}

/// An entry larger than the limit is rejected before anything else is looked at.
#[test]
fn an_oversized_entry_is_rejected() {
    let (mut network, mut replica) = network();
    let mut record = testkit::person(network.code(1), "x1", "Doe", "John", 1);
    if let bureau_core::RecordData::Person(person) = &mut record.data {
        person.aliases = vec!["A".repeat(200); 16];
        person.description = Some("D".repeat(2000));
    }
    // Still within the schema's limits, so only the entry size rule can catch a huge body:
    // build one past the limit by hand.
    let mut entry = network.sign(1, Body::Put(record));
    let padding = "x".repeat(bureau_core::codec::MAX_ENTRY_BYTES);
    entry.body = Some(Body::Cancel(bureau_core::entry::Cancel {
        key: bureau_core::RecordKey::new(bureau_core::Database::Persons, network.code(1), "x1")
            .expect("valid key"),
        version: 2,
        reason: padding,
    }));
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::TooLarge { .. }
    ));
}

/// A timestamp further ahead than the skew bound is refused; just inside it is accepted.
#[test]
fn a_timestamp_beyond_the_skew_bound_is_rejected() {
    let (mut network, mut replica) = network();
    network.members[1].clock = NOW.saturating_add(MAX_CLOCK_SKEW);
    let inside = network.put_document(1, "p1", "P1");
    assert_eq!(replica.apply(&inside, NOW), ModelOutcome::Applied);
    network.members[1].clock = Timestamp(NOW.saturating_add(MAX_CLOCK_SKEW).0 + 1000);
    let beyond = network.put_document(1, "p2", "P2");
    assert!(matches!(
        rejected(replica.apply(&beyond, NOW)),
        EntryError::FutureTimestamp { .. }
    ));
}

/// Entries of one log may not go back in time.
#[test]
fn a_timestamp_before_the_previous_entry_is_rejected() {
    let (mut network, mut replica) = network();
    let first = network.put_document(1, "p1", "P1");
    assert_eq!(replica.apply(&first, NOW), ModelOutcome::Applied);
    network.members[1].clock = Timestamp(NOW.0 - 1);
    let second = network.put_document(1, "p2", "P2");
    assert_eq!(
        rejected(replica.apply(&second, NOW)),
        EntryError::TimestampBeforePrevious
    );
}

/// A plain member cannot admit or revoke; the secretariat can.
#[test]
fn a_secretariat_body_from_a_plain_member_is_rejected() {
    let (mut network, mut replica) = network();
    let serial = network.members[2].certificate.body.serial;
    let revoke = network.revoke(1, serial, 0);
    assert_eq!(
        rejected(replica.apply(&revoke, NOW)),
        EntryError::SecretariatOnly { kind: "revoke" }
    );
    let certificate = network.members[2].certificate.clone();
    let admit = network.sign(2, Body::Admit(certificate.clone()));
    assert!(matches!(
        rejected(replica.apply(&admit, NOW)),
        EntryError::SecretariatOnly { kind: "admit" }
    ));

    let admit = network.sign(0, Body::Admit(certificate));
    assert_eq!(replica.apply(&admit, NOW), ModelOutcome::Applied);
}

/// Records that break their schema are rejected with the field named.
#[test]
fn an_invalid_record_is_rejected_with_its_field() {
    let (mut network, mut replica) = network();
    let mut record = testkit::travel_document(network.code(1), "p1", " - ", 1);
    let entry = network.sign(1, Body::Put(record.clone()));
    let error = rejected(replica.apply(&entry, NOW));
    assert_eq!(
        error.to_string(),
        "invalid record: field number: has no letters or digits"
    );
    record.version = 0;
    let entry = Entry::sign(
        &network.members[1].key,
        network.genesis.network_id(),
        None,
        NOW,
        Body::Put(record),
    );
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::InvalidRecord(_)
    ));
}

/// A weak (small-order) key is refused as a certificate's node key.
#[test]
fn a_weak_key_is_refused() {
    // The identity point: a classic small-order public key.
    let mut weak = [0u8; 32];
    weak[0] = 1;
    let key = bureau_core::PublicKey(weak);
    assert_eq!(
        key.verifying_key().err(),
        Some(bureau_core::keys::KeyError::WeakPublicKey)
    );
}

/// A record cannot be kept unreviewed longer than its database's retention period.
#[test]
fn a_review_date_beyond_retention_is_rejected() {
    let (mut network, mut replica) = network();
    let mut record = testkit::person(network.code(1), "n1", "Doe", "John", 1);
    record.review_date = NOW.date().plus_years(6);
    let entry = network.sign(1, Body::Put(record.clone()));
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::ReviewDateTooFar { .. }
    ));
    network.members[1].head = None;
    record.review_date = NOW.date().plus_years(5);
    let entry = network.sign(1, Body::Put(record));
    assert_eq!(
        replica.apply(&entry, NOW),
        ModelOutcome::Applied,
        "five years is the persons limit"
    );
}

/// A record whose local id is only dots (as a peer could send it, bypassing `RecordKey::new`)
/// is rejected: it would name a directory in a `sltd/FRA/..` reference.
#[test]
fn a_local_id_of_only_dots_is_rejected() {
    let (mut network, mut replica) = network();
    let mut record = testkit::travel_document(network.code(1), "p1", "P1", 1);
    record.key.local_id = "..".into();
    let entry = network.sign(1, Body::Put(record));
    assert!(matches!(
        rejected(replica.apply(&entry, NOW)),
        EntryError::InvalidRecord(bureau_core::record::RecordError::DotsOnlyLocalId)
    ));
}

/// A sealed case action: the owner opens its case, the secretariat reviews it, and what a
/// replica cannot read is still checked from what stays in clear (the case, the step).
#[test]
fn sealed_case_actions_keep_their_rights() {
    use bureau_core::case::{CaseAction, CaseRef, CaseStep, Colour, Decision, NoticeAction};
    let (mut network, mut replica) = network();
    let france = network.code(1);
    let request = |id: &str| {
        CaseAction::Notice(NoticeAction::Request(bureau_core::case::NoticeRequest {
            id: id.into(),
            colour: Colour::Yellow,
            person: format!("persons/{france}/p1").parse().expect("key"),
            summary: "missing since May".into(),
            offence: None,
            legal_basis: None,
            remaining_months: None,
        }))
    };
    let entry = network.sign_case(1, request("n1"), &[0, 1]);
    assert!(matches!(entry.body, Some(Body::CaseSealed(_))));
    assert_eq!(replica.apply(&entry, NOW), ModelOutcome::Applied);

    // A sealed body as member `index` would make it, leaving its log where it was.
    let sealed_body = |network: &mut TestNetwork, index: usize, action, readers: &[usize]| {
        let (head, clock) = (network.members[index].head, network.members[index].clock);
        let entry = network.sign_case(index, action, readers);
        (network.members[index].head, network.members[index].clock) = (head, clock);
        match entry.body {
            Some(Body::CaseSealed(sealed)) => sealed,
            other => panic!("not sealed: {other:?}"),
        }
    };
    // Germany cannot open a case in France's name: the clear case names its owner.
    let mut forged = sealed_body(&mut network, 2, request("n2"), &[0, 2]);
    forged.case.owner = france;
    let germany_log = (network.members[2].head, network.members[2].clock);
    let forged = network.sign(2, Body::CaseSealed(forged));
    assert!(matches!(
        rejected(replica.apply(&forged, NOW)),
        EntryError::NotOwner { .. }
    ));
    (network.members[2].head, network.members[2].clock) = germany_log;

    // Only the secretariat reviews, sealed or not.
    let case: CaseRef = format!("{france}/n1").parse().expect("case");
    let refuse = CaseAction::Notice(NoticeAction::Review {
        notice: case.clone(),
        decision: Decision::Refuse,
        reason: "Article 3".into(),
    });
    let usurped = network.sign_case(2, refuse.clone(), &[0, 1]);
    assert_eq!(
        rejected(replica.apply(&usurped, NOW)),
        EntryError::SecretariatOnly {
            kind: "case-sealed"
        }
    );
    let reviewed = network.sign_case(0, refuse, &[0, 1]);
    assert_eq!(replica.apply(&reviewed, NOW), ModelOutcome::Applied);

    // A publication is in clear: a sealed one is refused everywhere.
    let mut sealed_publication = sealed_body(&mut network, 1, request("n3"), &[0, 1]);
    sealed_publication.step = CaseStep::NoticeReview(Decision::Publish);
    let sealed_publication = network.sign(0, Body::CaseSealed(sealed_publication));
    assert!(matches!(
        rejected(replica.apply(&sealed_publication, NOW)),
        EntryError::InvalidCase(_)
    ));
}
