//! Entries: the signed, hash-chained units of every member's append-only log.
//!
//! An entry is a header `{network, author, seq, prev_hash, timestamp, body_hash}`, the author's
//! signature over the canonical header, and the body. `seq` is contiguous per author and
//! `prev_hash` is the hash of the previous header, so a gap or a fork is detectable and provable.
//! The header commits to the body by hash, so a body can later be erased (retention, deletion
//! orders) while the chain still verifies.

use serde::{Deserialize, Serialize};

use crate::certificate::Certificate;
use crate::codec::{self, DecodeError, MAX_ENTRY_BYTES};
use crate::hash::{self, Hash, NetworkId};
use crate::keys::{self, KeyError, PublicKey, SecretKey, Signature};
use crate::record::{Record, RecordKey};
use crate::seal::Opener;
use crate::time::Timestamp;

/// The signed part of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryHeader {
    pub network: NetworkId,
    /// The node key that signed the entry; its certificate names the member.
    pub author: PublicKey,
    /// 1 for the first entry of a log, then +1 each entry.
    pub seq: u64,
    /// Hash of the previous entry's header; [`Hash::ZERO`] for seq 1.
    pub prev_hash: Hash,
    pub timestamp: Timestamp,
    pub body_hash: Hash,
}

/// Withdraws a record: it disappears from search on every replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancel {
    pub key: RecordKey,
    /// Like any change, a cancellation raises the record's version.
    pub version: u64,
    pub reason: String,
}

/// Revokes a certificate: its key's entries after `last_valid_seq` are rejected everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoke {
    pub serial: u64,
    pub last_valid_seq: u64,
    pub reason: String,
}

/// Secretariat only: hides a record from search on every replica (non-compliance with
/// Article 3 or the data rules), or lifts that. The record itself is never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub key: RecordKey,
    /// True to block, false to unblock.
    pub blocked: bool,
    pub reason: String,
}

/// Most entries one `Erase` names.
pub const MAX_ERASE_ENTRIES: usize = 256;

/// One entry whose body may be erased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasedEntry {
    pub author: PublicKey,
    pub seq: u64,
    /// The entry's hash, so the erasure names exactly one entry.
    pub entry: Hash,
}

/// Authorises replicas to drop the bodies of entries (retention expired, record cancelled, a
/// deletion order) while their signed headers stay, so logs still verify. Signed by the member
/// that wrote the entries, or by the secretariat. It also travels as the proof that lets a
/// replica accept those entries without their bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erase {
    pub entries: Vec<ErasedEntry>,
    pub reason: String,
}

/// Where a node's audit log stood, signed into the node's own log so the network witnesses
/// it: the log had `seq` lines, the last one hashing to `hash`, and `len` bytes up to the end
/// of that line. A node that later finds its audit log shorter, or line `seq` different, knows
/// the log was cut, deleted or rewritten: every member holds this entry, so rolling the
/// node's whole directory back does not hide it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditWitness {
    pub seq: u64,
    pub hash: Hash,
    pub len: u64,
}

/// What an entry does. The declaration order is the wire encoding: append, never reorder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Body {
    /// Publishes a record or a new version of it.
    Put(Record),
    Cancel(Cancel),
    /// Secretariat only: announces a member's certificate to the network.
    Admit(Certificate),
    /// Secretariat only.
    Revoke(Revoke),
    /// Secretariat only.
    Block(Block),
    /// Filing, reviewing or cancelling a notice.
    Notice(crate::case::NoticeAction),
    /// Sending, flagging or withdrawing a diffusion.
    Diffusion(crate::case::DiffusionAction),
    /// Dropping bodies of entries whose records expired or were cancelled.
    Erase(Erase),
    /// Publishes a restricted record: its data sealed to its readers' encryption keys.
    PutSealed(SealedRecord),
    /// The author's audit log head, witnessed by the network.
    AuditWitness(AuditWitness),
    /// Cancels a restricted record, its reason sealed.
    CancelSealed(SealedCancel),
    /// A notice or diffusion action sealed to the case's readers.
    CaseSealed(SealedCase),
    /// The owner gives readers added later (a member admitted, a new encryption key) the
    /// content keys of bodies it sealed before.
    KeyWrap(KeyWrap),
}

/// Most content keys one [`KeyWrap`] entry carries (about 190 bytes each, so 256 fit one entry
/// with room to spare: checked by a test).
pub const MAX_KEY_WRAPS: usize = 256;

/// Content keys of sealed bodies (entries of the author's member), each wrapped for one more
/// recipient, so readers added after the sealing open them without the body being sealed
/// again. Only a member that wrote an entry wraps its key; what is wrapped for whom is in
/// clear, like a sealed body's recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyWrap {
    pub wraps: Vec<EntryKeyWrap>,
}

/// One content key wrapped for one more recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryKeyWrap {
    /// The sealed entry whose content key this is.
    pub author: PublicKey,
    pub seq: u64,
    /// The entry's hash, bound into the wrap, so a key wrapped for one entry never opens
    /// another (nor a fork's entry at the same seq).
    pub entry: Hash,
    pub wrapped: crate::seal::WrappedKey,
}

impl EntryKeyWrap {
    const AAD_LABEL: &'static [u8] = b"bureau/v1/aad/key-wrap\0";

    /// The associated data of a wrap for the entry with this hash.
    pub fn aad(entry: &Hash) -> Vec<u8> {
        [EntryKeyWrap::AAD_LABEL, &entry.0[..]].concat()
    }
}

/// A record only some members may read. Its key, version, access and review date stay in
/// clear, so every replica folds versions, cancellations and expiry alike; its data (and the
/// review reason) are sealed to the encryption keys of the members the access allows and of the
/// owner. The entry's header, but for the body hash, is the associated data: a sealed body
/// cannot be replayed under another author, position, time or record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRecord {
    pub key: RecordKey,
    pub version: u64,
    pub access: crate::record::Access,
    pub review_date: crate::time::Date,
    pub sealed: crate::seal::Sealed,
}

/// The sizes a sealed record's plaintext is padded to with zeros (the smallest that holds it),
/// so that its size tells a member who cannot open it only the class. Records are mostly under
/// a kilobyte; the last class is `seal::MAX_SEAL_PLAINTEXT_BYTES`.
pub const SEALED_SIZE_CLASSES: [usize; 7] = [512, 1024, 2048, 4096, 8192, 16384, 32768];

/// The cancellation of a restricted record: its key and version in clear, so every replica
/// folds it; its reason sealed to the record's readers like the record's data (a reason often
/// says what happened to the person or the object). The entry's header, but for the body hash,
/// is the associated data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedCancel {
    pub key: RecordKey,
    pub version: u64,
    pub sealed: crate::seal::Sealed,
}

impl SealedCancel {
    const AAD_LABEL: &'static [u8] = b"bureau/v1/aad/sealed-cancel\0";

    fn aad(&self, header: &EntryHeader) -> Vec<u8> {
        sealed_aad(
            SealedCancel::AAD_LABEL,
            &header.network,
            &header.author,
            (header.seq, &header.prev_hash),
            header.timestamp,
            (&self.key, self.version),
        )
    }

    /// Opens the cancellation with an X25519 secret (or a content key), for an entry with this
    /// header.
    pub fn open<'k>(
        &self,
        header: &EntryHeader,
        opener: impl Into<Opener<'k>>,
    ) -> Result<Cancel, UnsealError> {
        let plain = crate::seal::open_by(&self.sealed, opener.into(), &self.aad(header))?;
        let reason: String =
            codec::decode_padded::<_, { crate::seal::MAX_SEAL_PLAINTEXT_BYTES }>(&plain)?;
        Ok(Cancel {
            key: self.key.clone(),
            version: self.version,
            reason,
        })
    }
}

/// A notice or diffusion action sealed to the case's readers: the requester and the secretariat
/// for a notice; the sender, its recipients and the secretariat for a diffusion. The case and
/// the step stay in clear, so every replica folds the case's status alike and checks who may
/// take the step; the action (the person, the summary, the offence, the recipients, every
/// reason) is sealed. The entry's header, but for the body hash, is the associated data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedCase {
    pub case: crate::case::CaseRef,
    pub step: crate::case::CaseStep,
    pub sealed: crate::seal::Sealed,
}

impl SealedCase {
    const AAD_LABEL: &'static [u8] = b"bureau/v1/aad/sealed-case\0";

    fn aad(&self, header: &EntryHeader) -> Vec<u8> {
        sealed_aad(
            SealedCase::AAD_LABEL,
            &header.network,
            &header.author,
            (header.seq, &header.prev_hash),
            header.timestamp,
            (&self.case, self.step),
        )
    }

    /// Opens the action with an X25519 secret (or a content key), for an entry with this
    /// header. The caller checks
    /// it against the clear case and step ([`crate::case::CaseAction::check_matches`]).
    pub fn open<'k>(
        &self,
        header: &EntryHeader,
        opener: impl Into<Opener<'k>>,
    ) -> Result<crate::case::CaseAction, UnsealError> {
        let plain = crate::seal::open_by(&self.sealed, opener.into(), &self.aad(header))?;
        Ok(codec::decode_padded::<
            _,
            { crate::seal::MAX_SEAL_PLAINTEXT_BYTES },
        >(&plain)?)
    }
}

/// The associated data of a sealed body: its `label`, then every header field the body hash
/// does not cover (`position` is the seq and the previous entry's hash), then the body's clear
/// fields. A sealed body cannot be replayed under another author, position, time or record.
fn sealed_aad<C: Serialize>(
    label: &[u8],
    network: &NetworkId,
    author: &PublicKey,
    position: (u64, &Hash),
    timestamp: Timestamp,
    clear: C,
) -> Vec<u8> {
    let (seq, prev_hash) = position;
    let mut aad = label.to_vec();
    aad.extend_from_slice(&codec::encode(&(
        network, author, seq, prev_hash, timestamp, clear,
    )));
    aad
}

/// The seq and previous hash of the entry that follows `head`.
fn next_position(head: Option<&Head>) -> (u64, Hash) {
    head.map_or((1, Hash::ZERO), |head| (head.seq + 1, head.hash))
}

/// Zero-pads sealed content to the smallest of [`SEALED_SIZE_CLASSES`] that holds it.
fn pad(mut content: Vec<u8>) -> Vec<u8> {
    if let Some(class) = SEALED_SIZE_CLASSES
        .iter()
        .find(|&&class| class >= content.len())
    {
        content.resize(*class, 0);
    }
    content
}

/// What a [`SealedRecord`] seals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SealedContent {
    review_reason: Option<String>,
    data: crate::record::RecordData,
}

/// Why a case action could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealCaseError {
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    #[error("a publication is in clear, so that every member reads the notice; it is not sealed")]
    Publication,
}

/// Why a sealed record could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum UnsealError {
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    #[error("the sealed content does not decode: {0}")]
    Decode(#[from] DecodeError),
    #[error("the sealed record breaks its schema: {0}")]
    Record(#[from] crate::record::RecordError),
}

impl SealedRecord {
    const AAD_LABEL: &'static [u8] = b"bureau/v1/aad/sealed-record\0";

    fn aad(&self, header: &EntryHeader) -> Vec<u8> {
        sealed_aad(
            SealedRecord::AAD_LABEL,
            &header.network,
            &header.author,
            (header.seq, &header.prev_hash),
            header.timestamp,
            (&self.key, self.version, &self.access, self.review_date),
        )
    }

    /// Opens the record with an X25519 secret (or a content key a key wrap gave), for an entry
    /// with this header.
    pub fn open<'k>(
        &self,
        header: &EntryHeader,
        opener: impl Into<Opener<'k>>,
    ) -> Result<Record, UnsealError> {
        let plain = crate::seal::open_by(&self.sealed, opener.into(), &self.aad(header))?;
        let content: SealedContent =
            codec::decode_padded::<_, { crate::seal::MAX_SEAL_PLAINTEXT_BYTES }>(&plain)?;
        let record = Record {
            key: self.key.clone(),
            version: self.version,
            access: self.access.clone(),
            review_date: self.review_date,
            review_reason: content.review_reason,
            data: content.data,
        };
        record.validate()?;
        Ok(record)
    }
}

impl Body {
    /// Short name for logs and errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Put(_) => "put",
            Body::Cancel(_) => "cancel",
            Body::Admit(_) => "admit",
            Body::Revoke(_) => "revoke",
            Body::Block(block) if block.blocked => "block",
            Body::Block(_) => "unblock",
            Body::Notice(_) => "notice",
            Body::Diffusion(_) => "diffusion",
            Body::Erase(_) => "erase",
            Body::PutSealed(_) => "put-sealed",
            Body::AuditWitness(_) => "audit-witness",
            Body::CancelSealed(_) => "cancel-sealed",
            Body::CaseSealed(_) => "case-sealed",
            Body::KeyWrap(_) => "key-wrap",
        }
    }

    pub fn hash(&self) -> Hash {
        Hash::of(hash::domain::BODY, &[&codec::encode(self)])
    }

    /// A sealed body's sealing and its associated data under this header; `None` for a body
    /// in clear.
    pub fn sealed(&self, header: &EntryHeader) -> Option<(&crate::seal::Sealed, Vec<u8>)> {
        match self {
            Body::PutSealed(record) => Some((&record.sealed, record.aad(header))),
            Body::CancelSealed(cancel) => Some((&cancel.sealed, cancel.aad(header))),
            Body::CaseSealed(case) => Some((&case.sealed, case.aad(header))),
            _ => None,
        }
    }
}

/// A signed entry. The body is optional so an erased entry still travels and verifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub header: EntryHeader,
    pub signature: Signature,
    pub body: Option<Body>,
}

/// The last entry of an author's log as a replica holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: Hash,
    pub timestamp: Timestamp,
}

impl EntryHeader {
    /// The entry's identity: the hash of the canonical header.
    pub fn hash(&self) -> Hash {
        Hash::of(hash::domain::ENTRY_HEADER, &[&codec::encode(self)])
    }
}

impl Entry {
    /// Signs the next entry of `key`'s log after `head` (`None` for a new log).
    pub fn sign(
        key: &SecretKey,
        network: NetworkId,
        head: Option<&Head>,
        timestamp: Timestamp,
        body: Body,
    ) -> Entry {
        let header = EntryHeader {
            network,
            author: key.public(),
            seq: head.map_or(1, |head| head.seq + 1),
            prev_hash: head.map_or(Hash::ZERO, |head| head.hash),
            timestamp,
            body_hash: body.hash(),
        };
        let signature = key.sign(keys::domain::ENTRY, &codec::encode(&header));
        Entry {
            header,
            signature,
            body: Some(body),
        }
    }

    /// Signs the next entry publishing `record` sealed to `recipients` (X25519 keys), with the
    /// header bound as associated data. `seed` is fresh randomness from the caller.
    pub fn sign_sealed(
        key: &SecretKey,
        network: NetworkId,
        head: Option<&Head>,
        timestamp: Timestamp,
        record: Record,
        recipients: &[crate::keys::EncryptionPublicKey],
        seed: [u8; 32],
    ) -> Result<Entry, crate::seal::SealError> {
        let (seq, prev_hash) = next_position(head);
        let aad = sealed_aad(
            SealedRecord::AAD_LABEL,
            &network,
            &key.public(),
            (seq, &prev_hash),
            timestamp,
            (
                &record.key,
                record.version,
                &record.access,
                record.review_date,
            ),
        );
        let content = pad(codec::encode(&SealedContent {
            review_reason: record.review_reason,
            data: record.data,
        }));
        let sealed = crate::seal::seal(&content, recipients, &aad, seed)?;
        let body = Body::PutSealed(SealedRecord {
            key: record.key,
            version: record.version,
            access: record.access,
            review_date: record.review_date,
            sealed,
        });
        Ok(Entry::sign(key, network, head, timestamp, body))
    }

    /// Signs the cancellation of a restricted record, its reason sealed to `recipients`
    /// (the record's readers and the owner).
    pub fn sign_sealed_cancel(
        key: &SecretKey,
        network: NetworkId,
        head: Option<&Head>,
        timestamp: Timestamp,
        cancel: Cancel,
        recipients: &[crate::keys::EncryptionPublicKey],
        seed: [u8; 32],
    ) -> Result<Entry, crate::seal::SealError> {
        let (seq, prev_hash) = next_position(head);
        let aad = sealed_aad(
            SealedCancel::AAD_LABEL,
            &network,
            &key.public(),
            (seq, &prev_hash),
            timestamp,
            (&cancel.key, cancel.version),
        );
        let sealed =
            crate::seal::seal(&pad(codec::encode(&cancel.reason)), recipients, &aad, seed)?;
        let body = Body::CancelSealed(SealedCancel {
            key: cancel.key,
            version: cancel.version,
            sealed,
        });
        Ok(Entry::sign(key, network, head, timestamp, body))
    }

    /// Signs a notice or diffusion action sealed to `recipients` (the case's readers), taken by
    /// `author` (the signing key's member). A publication is never sealed.
    #[allow(clippy::too_many_arguments)]
    pub fn sign_sealed_case(
        key: &SecretKey,
        network: NetworkId,
        head: Option<&Head>,
        timestamp: Timestamp,
        author: crate::MemberCode,
        action: crate::case::CaseAction,
        recipients: &[crate::keys::EncryptionPublicKey],
        seed: [u8; 32],
    ) -> Result<Entry, SealCaseError> {
        let step = action.step().ok_or(SealCaseError::Publication)?;
        let case = action.case(author);
        let (seq, prev_hash) = next_position(head);
        let aad = sealed_aad(
            SealedCase::AAD_LABEL,
            &network,
            &key.public(),
            (seq, &prev_hash),
            timestamp,
            (&case, step),
        );
        let sealed = crate::seal::seal(&pad(codec::encode(&action)), recipients, &aad, seed)?;
        let body = Body::CaseSealed(SealedCase { case, step, sealed });
        Ok(Entry::sign(key, network, head, timestamp, body))
    }

    /// Decodes an entry of at most [`MAX_ENTRY_BYTES`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Entry, DecodeError> {
        codec::decode_canonical::<_, MAX_ENTRY_BYTES>(bytes)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    pub fn hash(&self) -> Hash {
        self.header.hash()
    }

    /// Checks the author's signature over the header.
    pub fn verify_signature(&self) -> Result<(), KeyError> {
        self.header.author.verify(
            keys::domain::ENTRY,
            &codec::encode(&self.header),
            &self.signature,
        )
    }

    /// The head this entry makes for its author.
    pub fn as_head(&self) -> Head {
        Head {
            seq: self.header.seq,
            hash: self.hash(),
            timestamp: self.header.timestamp,
        }
    }
}

/// Verifies many entries' signatures, each with the strict rule (`verify_strict`), so whether an
/// entry is accepted never depends on what else is in the batch. (ed25519 batch verification
/// can accept signatures with small-order or mixed-order components that the strict rule
/// refuses, and its verdict on such a signature depends on the other items.)
pub fn verify_signatures<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
) -> Vec<Result<(), KeyError>> {
    entries.into_iter().map(Entry::verify_signature).collect()
}
