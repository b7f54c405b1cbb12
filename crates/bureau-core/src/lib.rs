//! Bureau's core: the trust model, the signed log format, the police records and the rules that
//! decide whether an entry may join a replica.
//!
//! This crate does no IO: it never reads the clock, the disk, the network or a random source.
//! Callers pass `now` and key material in, which keeps every rule deterministic and testable.
//!
//! Major components:
//! - [`codec`]: the one canonical encoding (serde + bincode 2, fixed configuration, size limits);
//! - [`keys`]: ed25519 node and root keys, domain-separated signatures, X25519 encryption keys;
//! - [`member`]: ISO 3166 alpha-3 member and country codes, plus the secretariat's code;
//! - [`genesis`] and [`certificate`]: the root of trust and the certificates it signs;
//! - [`entry`]: signed, hash-chained log entries and their bodies;
//! - [`fork`]: proofs that one key signed two histories, and the rule that freezes such a log;
//! - [`record`] and [`schema`]: the records entries describe and how replicas fold them;
//! - [`case`]: notices and diffusions, folded from the events of several logs;
//! - [`normalize`]: the normalised search keys used by every index;
//! - [`seal`]: restricted bodies encrypted for their recipients' X25519 keys (HPKE);
//! - [`quota`]: storage quotas per log and database, set in the genesis;
//! - [`names`]: person names across scripts: transliteration, phonetic keys, fuzzy scores;
//! - [`validate`]: the validation rules, as pure functions with `now` passed in.
//!
//! Feature `schema`: the types the node's API carries also implement `schemars::JsonSchema`
//! (derived, or written by hand for those JSON carries as text), for its OpenAPI document.

pub mod case;
pub mod certificate;
pub mod codec;
pub mod entry;
pub mod fork;
pub mod genesis;
pub mod hash;
pub mod keys;
pub mod member;
pub mod names;
pub mod normalize;
pub mod quota;
pub mod record;
pub mod schema;
pub mod seal;
pub mod time;
pub mod validate;

#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

mod text_serde;

pub use certificate::{Certificate, CertificateBody, JoinRequest, Role, Roles};
pub use entry::{AuditWitness, Body, Entry, EntryHeader, Head};
pub use fork::ForkProof;
pub use genesis::{Genesis, GenesisBody};
pub use hash::{Hash, NetworkId};
pub use keys::{EncryptionPublicKey, PublicKey, SecretKey, Signature};
pub use member::{CountryCode, MemberCode};
pub use record::{Access, Database, Record, RecordData, RecordKey};
pub use time::{Date, PartialDate, Timestamp};
