//! The rules that decide whether an entry joins a replica, as pure functions.
//!
//! Validation runs in two stages. [`check_alone`] needs nothing but the entry, the network and
//! `now`: size, network, timestamp skew, body hash and the body's own schema. [`check_in_context`]
//! asks a [`ReplicaView`] about the author's certificate, revocations and log head, and decides
//! whether the entry is the next one ([`Placement::Next`]), one already held
//! ([`Placement::Duplicate`]) or one that arrived early ([`Placement::Gap`]), or rejects it.
//! Signatures are checked by the caller, one by one or in batches, between the two stages.
//!
//! Every rejection is an [`EntryError`] that says why.

use std::time::Duration;

use crate::case::{DiffusionAction, NoticeAction};
use crate::certificate::{Certificate, CertificateError, Role};
use crate::codec::{self, MAX_ENTRY_BYTES};
use crate::entry::{Body, Entry, Head, Revoke};
use crate::hash::{Hash, NetworkId};
use crate::keys::{KeyError, PublicKey};
use crate::member::MemberCode;
use crate::record::{Record, RecordData, RecordError, RecordKey};
use crate::schema;
use crate::time::Timestamp;

/// The clock tolerance: how far in the future an entry's timestamp may be, to absorb clock
/// differences between bureaus. Anything later was signed by a wrong clock or is an attempt to
/// pre-date. The same bound applies to certificate validity at the handshake, and a node whose
/// clock runs ahead of its peers' by more than this refuses to sign.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);
/// Longest reason for a cancellation or a revocation, in characters.
pub const MAX_REASON_CHARS: usize = 1000;

/// Why an entry was rejected.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    #[error("entry is {len} bytes, more than the limit of {MAX_ENTRY_BYTES}")]
    TooLarge { len: usize },
    #[error("entry belongs to network {found}, not {expected}")]
    WrongNetwork {
        expected: NetworkId,
        found: NetworkId,
    },
    #[error("timestamp {timestamp} ms is more than {skew_seconds} s ahead of now ({now} ms)", skew_seconds = MAX_CLOCK_SKEW.as_secs())]
    FutureTimestamp { timestamp: u64, now: u64 },
    #[error("the body does not match the header's body hash")]
    BodyHashMismatch,
    #[error("a record readable by all is published in clear, not sealed")]
    SealedForAll,
    #[error("malformed sealed body: {0}")]
    Sealed(crate::seal::SealError),
    #[error("the entry has no body")]
    MissingBody,
    #[error("signature: {0}")]
    Signature(#[from] KeyError),
    #[error("author {0} has no known certificate")]
    UnknownAuthor(PublicKey),
    #[error("author {author}'s certificate ({member}) is not valid at the entry's time")]
    NotCurrentMember {
        author: PublicKey,
        member: MemberCode,
    },
    #[error("author's certificate {serial} was revoked after seq {last_valid_seq}: {reason}")]
    Revoked {
        serial: u64,
        last_valid_seq: u64,
        reason: String,
    },
    #[error("seq {seq} already holds a different entry (fork)")]
    Fork { seq: u64 },
    #[error("the author's log forked at seq {point}: entries from there on are refused everywhere")]
    Forked { point: u64 },
    #[error("prev_hash does not match the hash of entry {seq}")]
    PrevHashMismatch { seq: u64 },
    #[error("seq must start at 1")]
    ZeroSeq,
    #[error("timestamp goes back in time from the previous entry")]
    TimestampBeforePrevious,
    #[error("member {author_member} may not write records owned by {owner}")]
    NotOwner {
        author_member: MemberCode,
        owner: MemberCode,
    },
    #[error(
        "only the issuing country publishes a travel document (issuer {issuer}, owner {owner})"
    )]
    NotIssuingCountry {
        issuer: MemberCode,
        owner: MemberCode,
    },
    #[error("a {kind} entry needs the secretariat role")]
    SecretariatOnly { kind: &'static str },
    #[error("the admitted certificate is invalid: {0}")]
    InvalidCertificate(CertificateError),
    #[error("invalid record: {0}")]
    InvalidRecord(#[from] RecordError),
    #[error("the reason must be 1 to {MAX_REASON_CHARS} printable characters")]
    Reason,
    #[error("invalid notice or diffusion: {0}")]
    InvalidCase(crate::schema::SchemaError),
    #[error(
        "over quota: the author's log holds {held_entries} {bucket} entries ({held_bytes} bytes) and the genesis allows {limit_entries} entries and {limit_bytes} bytes; erase old entries to make room"
    )]
    OverQuota {
        bucket: crate::quota::Bucket,
        held_entries: u64,
        held_bytes: u64,
        limit_entries: u64,
        limit_bytes: u64,
    },
    #[error(
        "the review date {review_date} is later than the database allows ({latest}); review and extend instead"
    )]
    ReviewDateTooFar {
        review_date: crate::Date,
        latest: crate::Date,
    },
}

impl EntryError {
    /// Whether the entry may become valid later (its author's certificate, another certificate
    /// of its key, or the erasure that allows it without a body may still arrive), so the sender
    /// should not be penalised for it and sync should ask again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            EntryError::UnknownAuthor(_)
                | EntryError::NotCurrentMember { .. }
                | EntryError::MissingBody
                // An erasure of the author's older entries may still arrive and make room.
                | EntryError::OverQuota { .. }
        )
    }

    /// Whether the fault is provably the sender's: the entry is invalid whatever the receiver
    /// holds and whatever its clock says (bad bytes, a bad signature, a body that breaks its
    /// schema or its author's rights). Verdicts that depend on the receiver's view (a fork,
    /// a revocation or a certificate it may not know yet, its clock) are not held against the
    /// peer that forwarded the entry.
    pub fn is_attributable(&self) -> bool {
        match self {
            EntryError::TooLarge { .. }
            | EntryError::WrongNetwork { .. }
            | EntryError::BodyHashMismatch
            | EntryError::SealedForAll
            | EntryError::Sealed(_)
            | EntryError::Signature(_)
            | EntryError::ZeroSeq
            | EntryError::NotIssuingCountry { .. }
            | EntryError::InvalidCertificate(_)
            | EntryError::InvalidRecord(_)
            | EntryError::Reason
            | EntryError::InvalidCase(_)
            | EntryError::ReviewDateTooFar { .. }
            // Judged on the author's certificate, which fixes its member and roles for good.
            | EntryError::NotOwner { .. }
            | EntryError::SecretariatOnly { .. } => true,
            EntryError::FutureTimestamp { .. }
            | EntryError::MissingBody
            | EntryError::UnknownAuthor(_)
            | EntryError::NotCurrentMember { .. }
            | EntryError::Revoked { .. }
            | EntryError::Fork { .. }
            | EntryError::Forked { .. }
            | EntryError::PrevHashMismatch { .. }
            | EntryError::OverQuota { .. }
            | EntryError::TimestampBeforePrevious => false,
        }
    }

    /// Whether the entry conflicts with the log the replica holds: a fork proof can be built.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            EntryError::Fork { .. } | EntryError::PrevHashMismatch { .. }
        )
    }
}

/// What a replica knows that validation asks about. Implemented by the store (on its
/// transaction) and by the test model.
pub trait ReplicaView {
    type Error;
    fn network(&self) -> NetworkId;
    fn root_key(&self) -> PublicKey;
    /// Every certificate known for a node key (renewals give a key several).
    fn certificates(&self, node_key: &PublicKey) -> Result<Vec<Certificate>, Self::Error>;
    fn revocation(&self, serial: u64) -> Result<Option<Revoke>, Self::Error>;
    /// The fork point of the author's log, when a fork proof is known (the lowest one).
    fn fork_point(&self, author: &PublicKey) -> Result<Option<u64>, Self::Error>;
    fn head(&self, author: &PublicKey) -> Result<Option<Head>, Self::Error>;
    fn entry_hash(&self, author: &PublicKey, seq: u64) -> Result<Option<Hash>, Self::Error>;
    /// The hash of the entry at `(author, seq)` whose body an `Erase` has allowed to drop.
    fn erasure(&self, author: &PublicKey, seq: u64) -> Result<Option<Hash>, Self::Error>;
}

/// Where a valid-looking entry stands relative to the replica's copy of its author's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The next entry of the log: apply it.
    Next,
    /// Already held: nothing to do.
    Duplicate,
    /// Ahead of the log: hold it until the entries before it arrive.
    Gap { expected: u64 },
}

fn check_reason(reason: &str) -> Result<(), EntryError> {
    schema::check_text("reason", reason, MAX_REASON_CHARS, true).map_err(|_| EntryError::Reason)
}

/// Checks everything that needs no replica state. Does not check the signature.
pub fn check_alone(entry: &Entry, network: &NetworkId, now: Timestamp) -> Result<(), EntryError> {
    let len = codec::encoded_len(entry);
    if len > MAX_ENTRY_BYTES {
        return Err(EntryError::TooLarge { len });
    }
    let header = &entry.header;
    if header.network != *network {
        return Err(EntryError::WrongNetwork {
            expected: *network,
            found: header.network,
        });
    }
    if header.seq == 0 {
        return Err(EntryError::ZeroSeq);
    }
    if header.timestamp > now.saturating_add(MAX_CLOCK_SKEW) {
        return Err(EntryError::FutureTimestamp {
            timestamp: header.timestamp.0,
            now: now.0,
        });
    }
    // An entry without its body is judged in context: it needs an erasure that names it.
    let Some(body) = entry.body.as_ref() else {
        return Ok(());
    };
    if body.hash() != header.body_hash {
        return Err(EntryError::BodyHashMismatch);
    }
    match body {
        Body::Put(record) => {
            record.validate()?;
            // A record may go unreviewed for at most its retention period, counted
            // from the entry that (re)publishes it.
            let latest = header
                .timestamp
                .date()
                .plus_years(record.data.retention_years());
            if record.review_date > latest {
                return Err(EntryError::ReviewDateTooFar {
                    review_date: record.review_date,
                    latest,
                });
            }
        }
        Body::PutSealed(sealed) => {
            // Only the clear part can be checked here; recipients check the rest on opening.
            sealed.key.check()?;
            if sealed.version == 0 {
                return Err(RecordError::ZeroVersion.into());
            }
            match &sealed.access {
                crate::record::Access::All => return Err(EntryError::SealedForAll),
                crate::record::Access::Members(members)
                | crate::record::Access::AllExcept(members)
                    if members.len() > crate::record::MAX_ACCESS_MEMBERS =>
                {
                    return Err(RecordError::AccessList.into());
                }
                _ => {}
            }
            sealed.sealed.check().map_err(EntryError::Sealed)?;
            let latest = header
                .timestamp
                .date()
                .plus_years(sealed.key.database.retention_years());
            if sealed.review_date > latest {
                return Err(EntryError::ReviewDateTooFar {
                    review_date: sealed.review_date,
                    latest,
                });
            }
        }
        Body::Cancel(cancel) => {
            cancel.key.check()?;
            if cancel.version == 0 {
                return Err(RecordError::ZeroVersion.into());
            }
            check_reason(&cancel.reason)?;
        }
        Body::Admit(_) => {}
        Body::Revoke(revoke) => check_reason(&revoke.reason)?,
        Body::Block(block) => {
            block.key.check()?;
            check_reason(&block.reason)?;
        }
        Body::Notice(action) => action.validate().map_err(EntryError::InvalidCase)?,
        Body::Erase(erase) => {
            if erase.entries.is_empty() || erase.entries.len() > crate::entry::MAX_ERASE_ENTRIES {
                return Err(EntryError::InvalidCase(crate::schema::SchemaError::new(
                    "entries",
                    format!(
                        "an erasure names 1 to {} entries",
                        crate::entry::MAX_ERASE_ENTRIES
                    ),
                )));
            }
            check_reason(&erase.reason)?;
        }
        Body::Diffusion(action) => action.validate().map_err(EntryError::InvalidCase)?,
        Body::CancelSealed(cancel) => {
            cancel.key.check()?;
            if cancel.version == 0 {
                return Err(RecordError::ZeroVersion.into());
            }
            cancel.sealed.check().map_err(EntryError::Sealed)?;
        }
        Body::CaseSealed(sealed) => {
            sealed.case.check().map_err(EntryError::InvalidCase)?;
            if sealed.step == crate::case::CaseStep::NoticeReview(crate::case::Decision::Publish) {
                return Err(EntryError::InvalidCase(crate::schema::SchemaError::new(
                    "step",
                    "a publication is in clear, so that every member reads the notice",
                )));
            }
            sealed.sealed.check().map_err(EntryError::Sealed)?;
        }
        Body::KeyWrap(wrap) => {
            let count = wrap.wraps.len();
            if count == 0 || count > crate::entry::MAX_KEY_WRAPS {
                return Err(EntryError::InvalidCase(crate::schema::SchemaError::new(
                    "wraps",
                    format!(
                        "a key wrap carries 1 to {} keys",
                        crate::entry::MAX_KEY_WRAPS
                    ),
                )));
            }
            let mut seen = std::collections::BTreeSet::new();
            for item in &wrap.wraps {
                if item.seq == 0 || item.wrapped.wrapped.len() != crate::seal::WRAPPED_KEY_BYTES {
                    return Err(EntryError::Sealed(crate::seal::SealError::Malformed(
                        "a wrapped key of the wrong length, or for seq 0",
                    )));
                }
                if !seen.insert((item.author, item.seq, item.wrapped.recipient)) {
                    return Err(EntryError::Sealed(crate::seal::SealError::Malformed(
                        "one key wrapped twice for one recipient",
                    )));
                }
            }
        }
        Body::AuditWitness(witness) => {
            if witness.seq == 0 || witness.len == 0 {
                return Err(EntryError::InvalidCase(crate::schema::SchemaError::new(
                    "seq",
                    "an audit witness names a line: seq and len are at least 1",
                )));
            }
        }
    }
    Ok(())
}

/// Checks the entry against what the replica holds. Call after [`check_alone`] and a signature
/// check. Returns the placement of an acceptable entry or the reason for rejecting it.
pub fn check_in_context<V: ReplicaView>(
    view: &V,
    entry: &Entry,
) -> Result<Result<Placement, EntryError>, V::Error> {
    let header = &entry.header;
    let certificate = match standing(view, header)? {
        Ok(certificate) => certificate,
        Err(error) => return Ok(Err(error)),
    };
    let head = view.head(&header.author)?;
    let head_seq = head.map_or(0, |head| head.seq);
    if header.seq <= head_seq {
        let held = view.entry_hash(&header.author, header.seq)?;
        return Ok(if held == Some(entry.hash()) {
            Ok(Placement::Duplicate)
        } else {
            Err(EntryError::Fork { seq: header.seq })
        });
    }
    if header.seq > head_seq + 1 {
        return Ok(Ok(Placement::Gap {
            expected: head_seq + 1,
        }));
    }
    let (prev_hash, prev_timestamp) = head.map_or((Hash::ZERO, Timestamp(0)), |head| {
        (head.hash, head.timestamp)
    });
    if header.prev_hash != prev_hash {
        return Ok(Err(EntryError::PrevHashMismatch { seq: head_seq }));
    }
    if header.timestamp < prev_timestamp {
        return Ok(Err(EntryError::TimestampBeforePrevious));
    }
    if entry.body.is_none() {
        let erased = view.erasure(&header.author, header.seq)?;
        return Ok(if erased == Some(entry.hash()) {
            Ok(Placement::Next)
        } else {
            Err(EntryError::MissingBody)
        });
    }
    Ok(check_body_rights(view, &certificate, entry).map(|()| Placement::Next))
}

/// Who may publish a record: its owner, and for a travel document only its issuing country.
/// (A publisher checks this before signing, so a refused record never takes a sequence number.)
pub fn check_record_rights(author: MemberCode, record: &Record) -> Result<(), EntryError> {
    if record.key.owner != author {
        return Err(EntryError::NotOwner {
            author_member: author,
            owner: record.key.owner,
        });
    }
    if let RecordData::TravelDocument(document) = &record.data {
        let issuer = MemberCode::from(document.issuing_country);
        if issuer != record.key.owner {
            return Err(EntryError::NotIssuingCountry {
                issuer,
                owner: record.key.owner,
            });
        }
    }
    Ok(())
}

/// Who may write what: owners write their records, the issuing country its travel documents,
/// the secretariat its own bodies.
fn check_body_rights<V: ReplicaView>(
    view: &V,
    author: &Certificate,
    entry: &Entry,
) -> Result<(), EntryError> {
    let Some(body) = &entry.body else {
        return Err(EntryError::MissingBody);
    };
    let check_owner = |key: &RecordKey| {
        if key.owner != author.member() {
            return Err(EntryError::NotOwner {
                author_member: author.member(),
                owner: key.owner,
            });
        }
        Ok(())
    };
    match body {
        Body::Put(record) => check_record_rights(author.member(), record),
        Body::PutSealed(sealed) => check_owner(&sealed.key),
        Body::Cancel(cancel) => check_owner(&cancel.key),
        Body::CancelSealed(cancel) => check_owner(&cancel.key),
        Body::Admit(certificate) => {
            if !author.has_role(Role::Secretariat) {
                return Err(EntryError::SecretariatOnly { kind: body.kind() });
            }
            certificate
                .verify(&view.network(), &view.root_key())
                .map_err(EntryError::InvalidCertificate)
        }
        Body::Erase(erase) => {
            if author.has_role(Role::Secretariat) {
                return Ok(());
            }
            // Only the member that wrote an entry may erase it (any of its keys).
            check_same_member(
                view,
                author,
                erase.entries.iter().map(|erased| &erased.author),
            )
        }
        // Only the member that sealed an entry gives its key to more readers.
        Body::KeyWrap(wrap) => {
            check_same_member(view, author, wrap.wraps.iter().map(|item| &item.author))
        }
        // Every member witnesses its own audit log; the entry says nothing about anyone else.
        Body::AuditWitness(_) => Ok(()),
        Body::Notice(NoticeAction::Request(request)) => check_owner(&request.person),
        Body::Diffusion(DiffusionAction::Send { person, .. }) => check_owner(person),
        Body::Notice(NoticeAction::Cancel { notice, .. }) if notice.owner == author.member() => {
            Ok(())
        }
        // The owner opens its case (the sealed action's person is its own: its readers check
        // that on opening) and may withdraw its own notice; the rest is the secretariat's.
        Body::CaseSealed(sealed)
            if sealed.step.opens_case()
                || (sealed.step == crate::case::CaseStep::NoticeCancel
                    && sealed.case.owner == author.member()) =>
        {
            if sealed.step.opens_case() && sealed.case.owner != author.member() {
                return Err(EntryError::NotOwner {
                    author_member: author.member(),
                    owner: sealed.case.owner,
                });
            }
            Ok(())
        }
        Body::Revoke(_)
        | Body::Block(_)
        | Body::CaseSealed(_)
        | Body::Notice(
            NoticeAction::Review { .. }
            | NoticeAction::Cancel { .. }
            | NoticeAction::Publish { .. },
        )
        | Body::Diffusion(DiffusionAction::Flag { .. } | DiffusionAction::Withdraw { .. }) => {
            if !author.has_role(Role::Secretariat) {
                return Err(EntryError::SecretariatOnly { kind: body.kind() });
            }
            Ok(())
        }
    }
}

/// Checks that every key in `writers` is one of `author`'s member's keys.
fn check_same_member<'a, V: ReplicaView>(
    view: &V,
    author: &Certificate,
    writers: impl IntoIterator<Item = &'a PublicKey>,
) -> Result<(), EntryError> {
    for writer_key in writers {
        let Some(writer) = view
            .certificates(writer_key)
            .ok()
            .and_then(|held| held.into_iter().next())
        else {
            return Err(EntryError::UnknownAuthor(*writer_key));
        };
        if writer.member() != author.member() {
            return Err(EntryError::NotOwner {
                author_member: author.member(),
                owner: writer.member(),
            });
        }
    }
    Ok(())
}

/// Checks an `Erase` entry on its own, out of log order, as the proof that lets a replica
/// accept entries without their bodies: its signature (checked by the caller), its author's
/// standing and its right to erase what it names. It is applied in order later like any entry.
pub fn check_erasure_proof<V: ReplicaView>(
    view: &V,
    entry: &Entry,
    now: Timestamp,
) -> Result<Result<(), EntryError>, V::Error> {
    if let Err(error) = check_alone(entry, &view.network(), now) {
        return Ok(Err(error));
    }
    if !matches!(entry.body, Some(Body::Erase(_))) {
        return Ok(Err(EntryError::MissingBody));
    }
    let certificate = match standing(view, &entry.header)? {
        Ok(certificate) => certificate,
        Err(error) => return Ok(Err(error)),
    };
    Ok(check_body_rights(view, &certificate, entry))
}

/// Whether the author may sign the entry, and under which certificate: one of its key's
/// certificates is valid at the entry's time, no revocation of the key (of any of its
/// certificates: a revocation covers the key) cuts its log before the entry's seq, and no fork
/// proof freezes its log before it.
fn standing<V: ReplicaView>(
    view: &V,
    header: &crate::entry::EntryHeader,
) -> Result<Result<Certificate, EntryError>, V::Error> {
    let certificates = view.certificates(&header.author)?;
    if certificates.is_empty() {
        return Ok(Err(EntryError::UnknownAuthor(header.author)));
    }
    if let Some(point) = view.fork_point(&header.author)?
        && header.seq >= point
    {
        return Ok(Err(EntryError::Forked { point }));
    }
    if let Some(revoke) = revocation_of(view, &certificates)?
        && header.seq > revoke.last_valid_seq
    {
        return Ok(Err(EntryError::Revoked {
            serial: revoke.serial,
            last_valid_seq: revoke.last_valid_seq,
            reason: revoke.reason,
        }));
    }
    // The latest certificate valid at the entry's time judges it.
    let valid = certificates
        .iter()
        .filter(|certificate| certificate.is_valid_at(header.timestamp))
        .max_by_key(|certificate| (certificate.body.not_before, certificate.body.serial));
    match valid {
        Some(certificate) => Ok(Ok(certificate.clone())),
        None => Ok(Err(EntryError::NotCurrentMember {
            author: header.author,
            member: certificates[0].member(),
        })),
    }
}

/// The revocation that covers a key: of all revocations naming one of its certificates, the
/// one with the earliest cut, so replicas agree whatever order they learn them in.
pub fn revocation_of<V: ReplicaView>(
    view: &V,
    certificates: &[Certificate],
) -> Result<Option<Revoke>, V::Error> {
    earliest_revocation(certificates, |serial| view.revocation(serial))
}

/// Of the revocations `revocation` finds for these certificates' serials, the earliest cut.
pub fn earliest_revocation<E>(
    certificates: &[Certificate],
    mut revocation: impl FnMut(u64) -> Result<Option<Revoke>, E>,
) -> Result<Option<Revoke>, E> {
    let mut earliest: Option<Revoke> = None;
    for certificate in certificates {
        if let Some(revoke) = revocation(certificate.body.serial)?
            && earliest
                .as_ref()
                .is_none_or(|held| revoke.last_valid_seq < held.last_valid_seq)
        {
            earliest = Some(revoke);
        }
    }
    Ok(earliest)
}
