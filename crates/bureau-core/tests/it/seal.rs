//! Sealed restricted bodies: who can open them, and that any alteration is refused.

use std::time::Instant;

use bureau_core::EncryptionPublicKey;
use bureau_core::codec;
use bureau_core::seal::{
    self, BYTES_PER_RECIPIENT, MAX_SEAL_PLAINTEXT_BYTES, MAX_SEAL_RECIPIENTS, MAX_SEALED_BYTES,
    SealError, Sealed,
};

const AAD: &[u8] = b"entry header bytes";
const BODY: &[u8] = b"travel document FRA 12AB34567, stolen 2026-01-02";

/// Distinct X25519 secrets (the index sits clear of the bits that clamping overwrites).
fn secret(index: u32) -> [u8; 32] {
    let mut secret = [7u8; 32];
    secret[8..12].copy_from_slice(&index.to_le_bytes());
    secret
}

fn public(index: u32) -> EncryptionPublicKey {
    EncryptionPublicKey::from_secret(secret(index))
}

fn publics(count: u32) -> Vec<EncryptionPublicKey> {
    (0..count).map(public).collect()
}

fn sealed_for(count: u32) -> Sealed {
    seal::seal(BODY, &publics(count), AAD, [1; 32]).expect("sealing succeeds")
}

/// Every recipient reads the plaintext, duplicates are dropped, and the recipients are listed.
#[test]
fn every_recipient_opens_the_body() {
    let mut recipients = publics(3);
    recipients.push(public(1));
    let sealed = seal::seal(BODY, &recipients, AAD, [1; 32]).expect("sealing succeeds");
    assert_eq!(sealed.recipients().count(), 3);
    for index in 0..3 {
        assert!(sealed.is_recipient(&public(index)));
        assert_eq!(seal::open(&sealed, &secret(index), AAD), Ok(BODY.to_vec()));
    }
}

/// A node whose key was not named cannot open the body, and says so.
#[test]
fn a_non_recipient_is_told_so() {
    let sealed = sealed_for(3);
    assert!(!sealed.is_recipient(&public(9)));
    assert_eq!(
        seal::open(&sealed, &secret(9), AAD),
        Err(SealError::NotARecipient)
    );
}

/// A body moved under another entry header does not open.
#[test]
fn other_associated_data_is_refused() {
    let sealed = sealed_for(2);
    assert_eq!(
        seal::open(&sealed, &secret(0), b"another entry header"),
        Err(SealError::Tampered)
    );
}

/// One flipped bit anywhere in the ciphertext, a wrapped key or the commitment is refused.
#[test]
fn a_flipped_byte_is_refused() {
    let sealed = sealed_for(2);
    let mut flipped = sealed.clone();
    flipped.ciphertext[5] ^= 1;
    assert_eq!(
        seal::open(&flipped, &secret(0), AAD),
        Err(SealError::Tampered)
    );

    let mut flipped = sealed.clone();
    flipped.recipients[0].wrapped[0] ^= 1;
    let reader = secret_of(&flipped, 0);
    assert_eq!(seal::open(&flipped, &reader, AAD), Err(SealError::Tampered));

    let mut flipped = sealed.clone();
    flipped.key_commitment.0[0] ^= 1;
    assert_eq!(
        seal::open(&flipped, &secret(0), AAD),
        Err(SealError::Tampered)
    );
}

/// A wrapped key taken from another sealed body, or from another recipient, is refused: a
/// recipient can only ever read the content its own wrapped key was made for.
#[test]
fn a_swapped_wrapped_key_is_refused() {
    let first = sealed_for(2);
    let second = seal::seal(b"other content", &publics(2), AAD, [2; 32]).expect("sealing succeeds");
    let mut swapped = first.clone();
    swapped.recipients[0] = second.recipients[0].clone();
    let reader = secret_of(&swapped, 0);
    assert_eq!(seal::open(&swapped, &reader, AAD), Err(SealError::Tampered));

    let mut crossed = first.clone();
    crossed.recipients[0].encapsulated = first.recipients[1].encapsulated;
    crossed.recipients[0].wrapped = first.recipients[1].wrapped.clone();
    let reader = secret_of(&crossed, 0);
    assert_eq!(seal::open(&crossed, &reader, AAD), Err(SealError::Tampered));
}

/// A peer's body that breaks the canonical shape is malformed, not merely unreadable.
#[test]
fn a_malformed_body_is_refused() {
    let sealed = sealed_for(2);
    let mut unsorted = sealed.clone();
    unsorted.recipients.reverse();
    assert!(matches!(unsorted.check(), Err(SealError::Malformed(_))));

    let mut short = sealed.clone();
    short.recipients[1].wrapped.pop();
    assert!(matches!(
        seal::open(&short, &secret(0), AAD),
        Err(SealError::Malformed(_))
    ));

    let mut empty = sealed;
    empty.recipients.clear();
    assert_eq!(empty.check(), Err(SealError::NoRecipients));
}

/// Sealing refuses what could not travel in one entry, with the limit in the error.
#[test]
fn sealing_refuses_what_exceeds_the_limits() {
    assert_eq!(
        seal::seal(BODY, &[], AAD, [1; 32]),
        Err(SealError::NoRecipients)
    );
    let too_many = publics(MAX_SEAL_RECIPIENTS as u32 + 1);
    assert_eq!(
        seal::seal(BODY, &too_many, AAD, [1; 32]).err(),
        Some(SealError::TooManyRecipients {
            count: MAX_SEAL_RECIPIENTS + 1,
            limit: MAX_SEAL_RECIPIENTS
        })
    );
    let large = vec![0u8; MAX_SEAL_PLAINTEXT_BYTES + 1];
    assert!(matches!(
        seal::seal(&large, &publics(1), AAD, [1; 32]),
        Err(SealError::PlaintextTooLarge { .. })
    ));
    // Within each limit on its own, but not together.
    let full = vec![0u8; MAX_SEAL_PLAINTEXT_BYTES];
    assert!(matches!(
        seal::seal(&full, &publics(300), AAD, [1; 32]),
        Err(SealError::TooLarge {
            limit: MAX_SEALED_BYTES,
            ..
        })
    ));
}

/// A key of low order (a faulty certificate) is named in the error rather than sealed to.
#[test]
fn an_unusable_recipient_key_is_named() {
    let zero = EncryptionPublicKey([0; 32]);
    assert_eq!(
        seal::seal(BODY, &[zero], AAD, [1; 32]),
        Err(SealError::UnusableRecipientKey(zero))
    );
}

/// The same inputs and seed give the same body; a reused seed with other content does not
/// reuse keys.
#[test]
fn sealing_is_deterministic_in_its_seed_but_hedged() {
    assert_eq!(sealed_for(2), sealed_for(2));
    let other = seal::seal(b"other content", &publics(2), AAD, [1; 32]).expect("sealing succeeds");
    let first = sealed_for(2);
    assert_ne!(other.key_commitment, first.key_commitment);
    assert_ne!(
        other.recipients[0].encapsulated,
        first.recipients[0].encapsulated
    );
}

/// A sealed body survives the canonical encoding, and its size is as documented: 113 bytes per
/// recipient on top of the plaintext and a small fixed overhead.
#[test]
fn sealed_bodies_round_trip_through_the_codec() {
    let sealed = sealed_for(10);
    let bytes = codec::encode(&sealed);
    let decoded: Sealed = codec::decode::<Sealed, MAX_SEALED_BYTES>(&bytes).expect("decodes");
    assert_eq!(decoded, sealed);
    assert_eq!(seal::open(&decoded, &secret(4), AAD), Ok(BODY.to_vec()));

    let one = codec::encode(&sealed_for(1)).len();
    assert_eq!(bytes.len() - one, 9 * BYTES_PER_RECIPIENT);
    assert_eq!(BYTES_PER_RECIPIENT, 113);
    let fixed = one - BYTES_PER_RECIPIENT - BODY.len();
    assert!(fixed <= 48 + 6, "fixed overhead {fixed} bytes");

    // A 16 KiB body for 256 recipients still decodes within the limit.
    let largest = seal::seal(
        &vec![3u8; 16 * 1024],
        &publics(MAX_SEAL_RECIPIENTS as u32 / 2),
        AAD,
        [1; 32],
    )
    .expect("sealing succeeds");
    let bytes = codec::encode(&largest);
    assert!(codec::decode::<Sealed, MAX_SEALED_BYTES>(&bytes).is_ok());
}

/// Rough cost of sealing 1 KiB for 10 recipients and opening it once (printed, not asserted).
#[test]
fn sealing_cost_for_ten_recipients() {
    let body = vec![5u8; 1024];
    let recipients = publics(10);
    let rounds = 20;
    let start = Instant::now();
    let mut sealed = None;
    for round in 0..rounds {
        sealed = Some(seal::seal(&body, &recipients, AAD, [round; 32]).expect("sealing succeeds"));
    }
    let seal_time = start.elapsed() / u32::from(rounds);
    let sealed = sealed.expect("sealed at least once");
    let start = Instant::now();
    for _ in 0..rounds {
        assert_eq!(seal::open(&sealed, &secret(9), AAD), Ok(body.clone()));
    }
    let open_time = start.elapsed() / u32::from(rounds);
    eprintln!(
        "seal 1 KiB to 10 recipients: {seal_time:?}, open: {open_time:?}, {} bytes",
        codec::encode(&sealed).len()
    );
}

/// The secret of the recipient at `position` in a sealed body (recipients are sorted by key).
fn secret_of(sealed: &Sealed, position: usize) -> [u8; 32] {
    let key = sealed.recipients[position].recipient;
    (0..16)
        .map(secret)
        .find(|secret| EncryptionPublicKey::from_secret(*secret) == key)
        .expect("recipient made by this test")
}

/// Sealed records are padded to a size class: two records of different lengths in one class
/// seal to bodies of one size, and both open to what was sealed.
#[test]
fn sealed_records_of_one_size_class_look_alike() {
    use bureau_core::testkit::{self, NOW};
    use bureau_core::{Body, Entry, NetworkId};

    let owner: bureau_core::MemberCode = "FRA".parse().expect("code");
    let reader = EncryptionPublicKey::from_secret(testkit::encryption_secret(owner));
    let key = testkit::seeded_key("padding");
    let network = NetworkId(bureau_core::Hash::of(b"padding test\0", &[]));
    let sealed = |number: &str, place: &str| {
        let mut record = testkit::travel_document(owner, "s0123456789abcdef01234567", number, 1);
        record.access = bureau_core::Access::SecretariatOnly;
        if let bureau_core::RecordData::TravelDocument(document) = &mut record.data {
            document.theft_place = Some(place.into());
        }
        let entry =
            Entry::sign_sealed(&key, network, None, NOW, record.clone(), &[reader], [9; 32])
                .expect("seals");
        (entry, record)
    };
    let (short, short_record) = sealed("X1", "Lyon");
    let (long, long_record) = sealed("X1234567890ABCDEFGH", &"Saint-Rémy-de-Provence ".repeat(8));
    let size = |entry: &Entry| match &entry.body {
        Some(Body::PutSealed(sealed)) => sealed.sealed.ciphertext.len(),
        other => panic!("not sealed: {other:?}"),
    };
    assert_eq!(size(&short), size(&long), "one size class");
    assert!(size(&short) >= bureau_core::entry::SEALED_SIZE_CLASSES[0]);
    for (entry, record) in [(short, short_record), (long, long_record)] {
        let Some(Body::PutSealed(body)) = &entry.body else {
            panic!("not sealed");
        };
        let opened = body
            .open(&entry.header, &testkit::encryption_secret(owner))
            .expect("opens");
        assert_eq!(opened, record);
    }
}

/// A sealed case action opens for its readers only, and an opened action that is not what its
/// entry names in clear (another case, another step) is caught.
#[test]
fn a_sealed_case_action_opens_for_its_readers_and_matches_its_clear_step() {
    use bureau_core::case::{CaseAction, CaseStep, DiffusionAction};
    use bureau_core::entry::Body;
    use bureau_core::testkit::{self, TestNetwork};
    let mut network = TestNetwork::new("sealed-case", &["XGS", "FRA", "DEU", "ITA"]);
    let (france, germany) = (network.code(1), network.code(2));
    let action = CaseAction::Diffusion(DiffusionAction::Send {
        id: "d1".into(),
        to: [germany].into_iter().collect(),
        person: format!("persons/{france}/p1").parse().expect("key"),
        purpose: "locate and report".into(),
    });
    let entry = network.sign_case(1, action.clone(), &[0, 1, 2]);
    let Some(Body::CaseSealed(sealed)) = &entry.body else {
        panic!("sealed: {entry:?}");
    };
    assert_eq!(sealed.step, CaseStep::DiffusionSend);
    assert_eq!(sealed.case.to_string(), format!("{france}/d1"));
    let opened = sealed
        .open(&entry.header, &testkit::encryption_secret(germany))
        .expect("Germany reads it");
    assert_eq!(opened, action);
    opened
        .check_matches(sealed.step, &sealed.case, france)
        .expect("what the entry names");
    assert!(
        opened
            .check_matches(CaseStep::DiffusionFlag, &sealed.case, france)
            .is_err()
    );
    assert!(
        opened
            .check_matches(sealed.step, &sealed.case, germany)
            .is_err(),
        "a case about another member's person"
    );
    assert!(matches!(
        sealed.open(&entry.header, &testkit::encryption_secret(network.code(3))),
        Err(bureau_core::entry::UnsealError::Seal(
            bureau_core::seal::SealError::NotARecipient
        ))
    ));
}

/// What one wrapped key costs in a `KeyWrap` entry, and that a full entry fits the entry limit.
#[test]
fn a_key_wrap_entry_of_the_most_keys_fits_one_entry() {
    use bureau_core::entry::{Body, EntryKeyWrap, KeyWrap, MAX_KEY_WRAPS};
    let item = EntryKeyWrap {
        author: bureau_core::SecretKey::from_seed([1; 32]).public(),
        seq: u64::MAX,
        entry: bureau_core::Hash([2; 32]),
        wrapped: seal::wrap_key(&[3; 32], public(1), b"aad", [4; 32]).expect("wraps"),
    };
    let one = bureau_core::codec::encoded_len(&item);
    assert!(one <= 200, "{one} bytes per wrapped key");
    let body = Body::KeyWrap(KeyWrap {
        wraps: vec![item; MAX_KEY_WRAPS],
    });
    let len = bureau_core::codec::encoded_len(&body);
    assert!(
        len + 1024 <= bureau_core::codec::MAX_ENTRY_BYTES,
        "{len} bytes for {MAX_KEY_WRAPS} keys"
    );
}
