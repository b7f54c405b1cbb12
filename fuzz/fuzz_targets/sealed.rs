//! Feeds the open path of sealed bodies (`SealedRecord::open`, which a replica runs on every
//! `PutSealed` addressed to it). First byte even: the rest is an encoded `SealedRecord`, opened
//! under the fixture's sealed entry header with each member's X25519 key. Odd: the rest is the
//! plaintext, sealed with `bureau_core::seal::seal` to France and Germany under that header's
//! associated data, then opened, so the decoder of the content and the record rules see
//! arbitrary plaintexts.
//!
//! Protects: no panic on a peer's sealed body; a body sealed to a reader opens for it (only the
//! content may be refused, never the sealing); an opened record is valid.

#![no_main]

use bureau_core::entry::{SealedRecord, UnsealError};
use bureau_core::keys::EncryptionPublicKey;
use bureau_core::{codec, seal, testkit};
use bureau_fuzz::check;
use bureau_fuzz::fixture::{FRANCE, GERMANY, fixture};
use libfuzzer_sys::fuzz_target;

/// The associated data `SealedRecord::open` computes (private to `bureau_core::entry`): every
/// header field but the body hash, and the record's clear fields. The fixture's sealed entry
/// opening with it (checked below) keeps this copy honest.
fn aad(header: &bureau_core::EntryHeader, record: &SealedRecord) -> Vec<u8> {
    let mut aad = b"bureau/v1/aad/sealed-record\0".to_vec();
    aad.extend_from_slice(&codec::encode(&(
        header.network,
        header.author,
        header.seq,
        header.prev_hash,
        header.timestamp,
        (
            &record.key,
            record.version,
            &record.access,
            record.review_date,
        ),
    )));
    aad
}

fuzz_target!(|data: &[u8]| {
    let Some((tag, rest)) = data.split_first() else {
        return;
    };
    let fixture = fixture();
    let (entry, genuine) = fixture.sealed_entry();
    if tag % 2 == 0 {
        if let Ok(sealed) = codec::decode::<SealedRecord, { codec::MAX_ENTRY_BYTES }>(rest) {
            check::round_trip::<SealedRecord, { codec::MAX_ENTRY_BYTES }>(&sealed);
            check::open_sealed(&entry.header, &sealed);
        }
        return;
    }
    if rest.len() > seal::MAX_SEAL_PLAINTEXT_BYTES {
        return;
    }
    let readers = [fixture.code(FRANCE), fixture.code(GERMANY)];
    let secrets = readers.map(testkit::encryption_secret);
    let recipients = secrets.map(EncryptionPublicKey::from_secret);
    let aad = aad(&entry.header, genuine);
    assert!(
        seal::open(&genuine.sealed, &secrets[0], &aad).is_ok(),
        "the copy of the associated data matches SealedRecord::open's"
    );
    let sealed = seal::seal(rest, &recipients, &aad, [9; 32])
        .expect("a plaintext within the limit seals for two recipients");
    let record = SealedRecord {
        sealed,
        ..genuine.clone()
    };
    for secret in &secrets {
        match record.open(&entry.header, secret) {
            Ok(opened) => check::index(&opened),
            Err(UnsealError::Decode(_) | UnsealError::Record(_)) => {}
            Err(UnsealError::Seal(error)) => panic!("a body sealed to a reader fails: {error}"),
        }
    }
});
