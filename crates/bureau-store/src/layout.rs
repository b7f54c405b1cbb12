//! How Bureau's data is laid out in sled: tree names and key encodings.
//!
//! Keys are written by hand, big-endian and fixed width where numeric, so byte order is numeric
//! order (bincode's varints would break range scans). Values are canonical bincode.
//!
//! | tree | key | value |
//! |---|---|---|
//! | `entries` | author (32) · seq (8, BE) | encoded [`Entry`](bureau_core::Entry) |
//! | `heads` | author (32) | encoded [`Head`](bureau_core::Head) |
//! | `records` | [`RecordKey::to_bytes`](bureau_core::RecordKey::to_bytes) | encoded [`RecordVersions`] |
//! | `records` holds every version a replica saw (highest precedence first, at most [`MAX_RECORD_VERSIONS_KEPT`]), so removing an entry (a fork, a revocation) restores the one before it |
//! | `certificates` | node key (32) | every certificate of the key (encoded `Vec`) |
//! | `serials` | serial (8, BE) | node key (32) of the certificate |
//! | `revocations` | serial (8, BE) | encoded revocation |
//! | `forks` | author (32) | encoded [`ForkProof`](bureau_core::ForkProof) with the lowest fork point known |
//! | `blocks` | record key | encoded [`BlockState`] |
//! | `erasures` | author (32) · seq (8, BE) | encoded [`Erasure`] |
//! | `cases` | kind (1: `N`/`D` in clear, `n`/`d` sealed to others) · owner (3) · id · 0x00 · timestamp (8, BE) · author (32) · seq (8, BE) | encoded case event (a sealed one holds only its step) |
//! | `usage` | author (32) · [`Bucket::tag`](bureau_core::quota::Bucket::tag) (1) | entries (8, BE) · bytes (8, BE) the author's log holds with their body in that bucket (its storage quota's count) |
//! | `wraps` | sealed entry's author (32) · seq (8, BE) · recipient's encryption key (32) | the content key wrapped for that recipient by a later `KeyWrap` ([`bureau_core::entry::EntryKeyWrap`]) |
//! | `unsealed` | author (32) · seq (8, BE) | encoded [`Record`](bureau_core::Record) opened from a sealed entry (local only, never shipped) |
//! | `notice-persons` | person's record key · 0x00 · notice's owner (3) · notice id | empty: a notice the secretariat published about the person (its status is the case's fold; a pointer whose notice is no longer published is skipped) |
//! | `index/…` | term · 0x00 · record key | the term's value (usually empty) |
//! | `index/name-phonetic`, `index/name-pair` | key (or two keys joined by `+`) · 0x01 · birth year (2 bytes, never 0; unknown sorts first) · 0x00 · record key | empty |
//! | `mailbox/…` | see `mailbox.rs` | local to this node (messages, outbox, hits): what a backup keeps |
//! | `meta` | name | value (`format-version`, `genesis`, `live-records`, `name-index-version`, `restored-own-seq`, audit witnesses) |

use bureau_core::record::{Index, Precedence};
use bureau_core::{PublicKey, RecordKey};
use serde::{Deserialize, Serialize};

pub const ENTRIES: &str = "entries";
pub const HEADS: &str = "heads";
pub const RECORDS: &str = "records";
pub const MEMBERS: &str = "certificates";
pub const SERIALS: &str = "serials";
pub const FORKS: &str = "forks";
pub const REVOCATIONS: &str = "revocations";
pub const META: &str = "meta";
pub const BLOCKS: &str = "blocks";
pub const CASES: &str = "cases";
pub const ERASURES: &str = "erasures";
pub const UNSEALED: &str = "unsealed";
pub const USAGE: &str = "usage";
pub const WRAPS: &str = "wraps";
pub const NOTICE_PERSONS: &str = "notice-persons";

/// Meta key: the [`crate::STORE_FORMAT_VERSION`] the store is written in, as 4 bytes BE.
pub const META_FORMAT_VERSION: &[u8] = b"format-version";
/// Meta key: the genesis this store belongs to.
pub const META_GENESIS: &[u8] = b"genesis";
/// Meta key: the [`bureau_core::record::NAME_INDEX_VERSION`] the person name index was built
/// with, as 4 bytes BE.
pub const META_NAME_INDEX_VERSION: &[u8] = b"name-index-version";
/// Meta key: how many records are live (published and not cancelled), as 8 bytes BE.
pub const META_LIVE_RECORDS: &[u8] = b"live-records";
/// Meta key: set by a restore from a backup, the seq this node's own log had reached when the
/// backup was taken (8 bytes BE); removed once the running node got its own log back from a
/// member. While it is set the node does not sign (see `Store::restored_own_seq`).
pub const META_RESTORED: &[u8] = b"restored-own-seq";
/// Meta key prefix, then a key's 32 bytes: the latest audit witness that key signed, as
/// ([`AuditWitnessAt`]).
pub const META_AUDIT_WITNESS: &[u8] = b"audit-witness/";

/// The meta key of `author`'s latest audit witness.
pub fn audit_witness_key(author: &bureau_core::PublicKey) -> Vec<u8> {
    [META_AUDIT_WITNESS, &author.as_bytes()[..]].concat()
}

/// An audit witness with the seq of the entry that carries it (the latest in log order wins).
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct AuditWitnessAt {
    pub entry_seq: u64,
    pub witness: bureau_core::AuditWitness,
}

/// Positions of the trees in the transaction slice.
pub const T_ENTRIES: usize = 0;
pub const T_HEADS: usize = 1;
pub const T_RECORDS: usize = 2;
pub const T_MEMBERS: usize = 3;
pub const T_REVOCATIONS: usize = 4;
pub const T_META: usize = 5;
pub const T_BLOCKS: usize = 6;
pub const T_CASES: usize = 7;
pub const T_ERASURES: usize = 8;
pub const T_UNSEALED: usize = 9;
pub const T_SERIALS: usize = 10;
pub const T_FORKS: usize = 11;
pub const T_USAGE: usize = 12;
pub const T_WRAPS: usize = 13;
pub const T_NOTICE_PERSONS: usize = 14;
/// Index trees follow, in [`Index::ALL`] order.
pub const T_FIRST_INDEX: usize = 15;

/// Most versions of one record a replica keeps (highest precedence first). Only the current one
/// is read; the others are there so that removing entries (a frozen fork, a revocation's cut)
/// can fall back to the version before. Within one log only versions that outrank every
/// earlier version of that log are kept (the others can never become current again), so a
/// record updated in order keeps one per update; past this many, a cut deeper than the kept
/// versions leaves the record absent rather than at an older version.
pub const MAX_RECORD_VERSIONS_KEPT: usize = 64;

/// Case kinds in the `cases` tree: events held in clear (published so, or opened by this
/// node)…
pub const CASE_NOTICE: u8 = b'N';
pub const CASE_DIFFUSION: u8 = b'D';
/// …and the steps of events sealed to others ([`bureau_core::case::CaseStep`]).
pub const CASE_NOTICE_SEALED: u8 = b'n';
pub const CASE_DIFFUSION_SEALED: u8 = b'd';
/// The clear and sealed kinds of each case.
pub const NOTICE_KINDS: (u8, u8) = (CASE_NOTICE, CASE_NOTICE_SEALED);
pub const DIFFUSION_KINDS: (u8, u8) = (CASE_DIFFUSION, CASE_DIFFUSION_SEALED);

/// The prefix of every event of one case.
pub fn case_prefix(kind: u8, case: &bureau_core::case::CaseRef) -> Vec<u8> {
    let mut key = Vec::with_capacity(5 + case.id.len());
    key.push(kind);
    key.extend_from_slice(case.owner.as_bytes());
    key.extend_from_slice(case.id.as_bytes());
    key.push(0);
    key
}

/// The key of a content key wrapped for `recipient`: the sealed entry's key, then the
/// recipient's encryption key.
pub fn wrap_key(
    author: &bureau_core::PublicKey,
    seq: u64,
    recipient: &bureau_core::EncryptionPublicKey,
) -> Vec<u8> {
    let mut key = entry_key(author, seq).to_vec();
    key.extend_from_slice(recipient.as_bytes());
    key
}

/// The key of one event: its case, then its replay order.
pub fn case_event_key(
    kind: u8,
    case: &bureau_core::case::CaseRef,
    order: &bureau_core::case::EventOrder,
) -> Vec<u8> {
    let mut key = case_prefix(kind, case);
    key.extend_from_slice(&order.timestamp.0.to_be_bytes());
    key.extend_from_slice(order.author.as_bytes());
    key.extend_from_slice(&order.seq.to_be_bytes());
    key
}

/// The key of a notice filed about a person.
pub fn notice_person_key(person: &RecordKey, notice: &bureau_core::case::CaseRef) -> Vec<u8> {
    let mut key = person.to_bytes();
    key.push(0);
    key.extend_from_slice(notice.owner.as_bytes());
    key.extend_from_slice(notice.id.as_bytes());
    key
}

/// The notice a [`notice_person_key`] names, given the key after the person's part.
pub fn notice_of_person_key(rest: &[u8]) -> Option<bureau_core::case::CaseRef> {
    let owner = <[u8; 3]>::try_from(rest.get(..3)?).ok()?;
    Some(bureau_core::case::CaseRef {
        owner: bureau_core::MemberCode::try_from(owner).ok()?,
        id: String::from_utf8(rest.get(3..)?.to_vec()).ok()?,
    })
}

pub fn index_position(index: Index) -> usize {
    T_FIRST_INDEX
        + Index::ALL
            .iter()
            .position(|candidate| *candidate == index)
            .expect("Index::ALL lists every index")
}

pub fn entry_key(author: &PublicKey, seq: u64) -> [u8; 40] {
    let mut key = [0u8; 40];
    key[..32].copy_from_slice(author.as_bytes());
    key[32..].copy_from_slice(&seq.to_be_bytes());
    key
}

pub fn index_key(term: &[u8], record: &RecordKey) -> Vec<u8> {
    index_key_of_bytes(term, &record.to_bytes())
}

/// [`index_key`] of a record key already in bytes.
pub fn index_key_of_bytes(term: &[u8], record: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(term.len() + 1 + record.len());
    key.extend_from_slice(term);
    key.push(0);
    key.extend_from_slice(record);
    key
}

/// The key of one log's count in one quota bucket.
pub fn usage_key(author: &PublicKey, bucket: bureau_core::quota::Bucket) -> [u8; 33] {
    let mut key = [0u8; 33];
    key[..32].copy_from_slice(author.as_bytes());
    key[32] = bucket.tag();
    key
}

/// A log's count in a bucket as stored: entries then bytes, big-endian.
pub fn usage_bytes(amount: &bureau_core::quota::Amount) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&amount.entries.to_be_bytes());
    bytes[8..].copy_from_slice(&amount.bytes.to_be_bytes());
    bytes
}

/// Reads [`usage_bytes`] back (`None` when it is not 16 bytes long).
pub fn usage_of(bytes: &[u8]) -> Option<bureau_core::quota::Amount> {
    let entries = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    let bytes = u64::from_be_bytes(bytes.get(8..16)?.try_into().ok()?);
    Some(bureau_core::quota::Amount { entries, bytes })
}

/// The record key bytes at the end of an index key.
pub fn record_part_of_index_key(key: &[u8]) -> Option<&[u8]> {
    let separator = key.iter().position(|byte| *byte == 0)?;
    Some(&key[separator + 1..])
}

/// Which entry currently defines a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordState {
    pub precedence: Precedence,
    pub author: PublicKey,
    pub seq: u64,
    /// False once the winning entry is a cancellation.
    pub live: bool,
}

/// The versions of one record a replica holds, highest precedence first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordVersions {
    pub states: Vec<RecordState>,
}

impl RecordVersions {
    pub fn current(&self) -> Option<&RecordState> {
        self.states.first()
    }
}

/// The secretariat's latest word on a record: the block or unblock entry with the latest
/// `(timestamp, author, seq)` wins, so replicas agree whatever the arrival order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockState {
    pub blocked: bool,
    pub reason: String,
    pub order: (bureau_core::Timestamp, PublicKey, u64),
}

/// An entry whose body an `Erase` entry allows to drop, and where that `Erase` is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub entry: bureau_core::Hash,
    pub by_author: PublicKey,
    pub by_seq: u64,
    /// The record whose version the body published, once the body was dropped here (so the
    /// version can be removed again if the entry is).
    pub record: Option<RecordKey>,
}
