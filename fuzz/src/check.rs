//! What the targets assert beyond "no panic", and the handling a node gives a decoded value.
//!
//! Round trips: a decoded value re-encodes to bytes that decode to the same value, and encoding
//! is a fixed point. Not asserted: that the peer's bytes were the canonical encoding. The codec
//! accepts non-minimal varints and unsorted or repeated set and map items (it keeps one), which
//! is safe because hashes and signatures are computed over the re-encoded value, never over the
//! bytes a peer sent (`bureau_core::codec`).

use std::fmt::Debug;

use bureau_core::entry::SealedRecord;
use bureau_core::record::{MAX_NAME_CANDIDATE_BYTES, NameCandidate};
use bureau_core::validate::check_erasure_proof;
use bureau_core::{Body, Entry, EntryHeader, ForkProof, Record, RecordData, codec};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::fixture::fixture;

/// `decode(encode(value)) == value`, and encoding it again gives the same bytes.
pub fn round_trip<T, const LIMIT: usize>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let bytes = codec::encode(value);
    let again: T = codec::decode::<T, LIMIT>(&bytes)
        .expect("a decoded value re-encodes to bytes that decode within the same limit");
    assert_eq!(
        &again, value,
        "decode(encode(value)) differs from the value"
    );
    assert_eq!(
        codec::encode(&again),
        bytes,
        "encoding is not a fixed point"
    );
}

/// The same for wire types that do not implement `PartialEq`: the encodings agree.
pub fn round_trip_encoding<T, const LIMIT: usize>(value: &T)
where
    T: Serialize + DeserializeOwned,
{
    let bytes = codec::encode(value);
    let again: T = codec::decode::<T, LIMIT>(&bytes)
        .expect("a decoded value re-encodes to bytes that decode within the same limit");
    assert_eq!(
        codec::encode(&again),
        bytes,
        "encoding is not a fixed point"
    );
}

/// An entry from a peer, handled as a replica does: validated and applied as sent, then
/// re-signed by its author (rules after the signature), then moved to the next position of its
/// author's log (rights, folding, revocations). Every body is also inspected as the store does
/// on apply (index terms, sealed bodies opened with each member's key).
pub fn entry(entry: &Entry) {
    let fixture = fixture();
    round_trip::<Entry, { codec::MAX_ENTRY_BYTES }>(entry);
    inspect_body(&entry.header, entry.body.as_ref());
    let mut replica = fixture.replica.clone();
    let _ = replica.apply(entry, fixture.now);
    if let Some(resigned) = fixture.resign(entry) {
        let _ = replica.apply(&resigned, fixture.now);
    }
    // Not asserted: that an applied entry stays held. A held successor that does not follow it
    // proves a fork and freezes the log before it, as the rule says.
    if let Some(next) = fixture.resign_next(entry, &replica) {
        let _ = replica.apply(&next, fixture.now);
    }
}

/// What the store computes from a body it applies: a record's index terms (and the name
/// candidate a person's phonetic terms carry), or a sealed body opened with its reader's key.
pub fn inspect_body(header: &EntryHeader, body: Option<&Body>) {
    match body {
        Some(Body::Put(record)) if record.validate().is_ok() => index(record),
        Some(Body::PutSealed(sealed)) => open_sealed(header, sealed),
        _ => {}
    }
}

/// Opens a sealed body with every fixture member's key, as the replica of each would.
pub fn open_sealed(header: &EntryHeader, sealed: &SealedRecord) {
    let _ = sealed.sealed.check();
    for secret in fixture().reader_secrets() {
        if let Ok(record) = sealed.open(header, &secret) {
            assert!(record.validate().is_ok(), "an opened record is valid");
            index(&record);
        }
    }
}

/// A valid record's index terms; a person's name candidate fits the limit searches read it with.
pub fn index(record: &Record) {
    let _ = record.index_terms();
    if let RecordData::Person(person) = &record.data {
        let candidate = NameCandidate::of(person);
        let bytes = codec::encode(&candidate);
        assert!(
            bytes.len() <= MAX_NAME_CANDIDATE_BYTES,
            "a valid person's name candidate is {} bytes, over the {MAX_NAME_CANDIDATE_BYTES} \
             a name search decodes: the person would never be found by name",
            bytes.len()
        );
        round_trip::<NameCandidate, MAX_NAME_CANDIDATE_BYTES>(&candidate);
    }
}

/// A fork proof from a peer: its verdict agrees with its fork point, a conflict in the peer's
/// order is one in canonical order, and (re-signed by its author when that is a fixture member)
/// the model's fork rule freezes the log before the point.
pub fn fork_proof(proof: &ForkProof) {
    let fixture = fixture();
    round_trip::<ForkProof, { codec::MAX_FORK_PROOF_BYTES }>(proof);
    let network = fixture.network_id();
    let point = proof.point();
    if let Ok(verified) = proof.verify(&network) {
        assert_eq!(
            Some(verified),
            point,
            "a verified proof's point is its fork point"
        );
    }
    if let Some(point) = point {
        assert!(point >= 1, "logs start at seq 1");
        let canonical = ForkProof::new(proof.first.clone(), proof.second.clone())
            .expect("a conflict in the peer's order is one in canonical order");
        assert_eq!(canonical.point(), Some(point));
    }
    let _ = proof.hash();
    let Some(key) = fixture.key_of(&proof.author()) else {
        return;
    };
    let mut resigned = proof.clone();
    for signed in [&mut resigned.first, &mut resigned.second] {
        signed.signature = key.sign(
            bureau_core::keys::domain::ENTRY,
            &codec::encode(&signed.header),
        );
    }
    if let Ok(point) = resigned.verify(&network) {
        let mut replica = fixture.replica.clone();
        replica.learn_fork_point(resigned.author(), point);
        let Ok(head) = bureau_core::validate::ReplicaView::head(&replica, &resigned.author());
        assert!(
            head.is_none_or(|head| head.seq < point),
            "a forked log is frozen before its fork point"
        );
    }
}

/// An `Erase` entry that travels as a sync proof: checked on its own (as sent, and re-signed by
/// its author). An accepted proof names 1 to `MAX_ERASE_ENTRIES` entries, and one that
/// disagrees with its author's log as held makes a fork proof that verifies.
pub fn erasure_proof(proof: &Entry) {
    let fixture = fixture();
    let network = fixture.network_id();
    for candidate in [Some(proof.clone()), fixture.resign(proof)]
        .into_iter()
        .flatten()
    {
        let Ok(verdict) = check_erasure_proof(&fixture.replica, &candidate, fixture.now);
        if verdict.is_err() {
            continue;
        }
        let named = match &candidate.body {
            Some(Body::Erase(erase)) => erase.entries.len(),
            _ => panic!("an accepted erasure proof is an Erase entry"),
        };
        assert!((1..=bureau_core::entry::MAX_ERASE_ENTRIES).contains(&named));
        if candidate.verify_signature().is_err() {
            continue;
        }
        let (author, seq) = (candidate.header.author, candidate.header.seq);
        if let Some(held) = fixture.replica.stored_entry(&author, seq)
            && held.hash() != candidate.hash()
        {
            let fork = ForkProof::new(
                bureau_core::fork::SignedHeader::of(&held),
                bureau_core::fork::SignedHeader::of(&candidate),
            )
            .expect("two entries at one seq conflict");
            assert_eq!(fork.verify(&network), Ok(seq));
        }
    }
}
