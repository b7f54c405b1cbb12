//! Applying entries: validation, the atomic commit of an entry with every index update it
//! causes, the fold of records, and the release of held entries once their gap closes.
//!
//! One call of [`Store::apply_batch`] is one sled transaction over every tree followed by one
//! flush, so a batch is all-or-nothing on disk and is acknowledged only once durable.

use std::collections::BTreeMap;
use std::path::Path;

use bureau_core::case::CaseAction;
use bureau_core::codec;
use bureau_core::entry::{self, Revoke};
use bureau_core::fork::SignedHeader;
use bureau_core::quota::{self, Amount, Bucket, QuotaRule};
use bureau_core::record::Precedence;
use bureau_core::validate::{self, EntryError, Placement, ReplicaView};
use bureau_core::{
    Body, Certificate, Entry, ForkProof, Hash, Head, NetworkId, PublicKey, Record, RecordKey,
    Timestamp,
};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use crate::layout::{self, RecordState, RecordVersions};
use crate::{Error, Result, Store, stored};

/// What became of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored, durable, and folded into the records.
    Applied { hash: Hash },
    /// Already held: nothing changed.
    Duplicate,
    /// Arrived before its predecessors; held in memory until they come.
    Held { expected: u64 },
    /// Arrived before its predecessors, and the holding buffer is full: fetch it again later.
    Dropped { expected: u64 },
    /// Invalid, with the reason.
    Rejected(EntryError),
}

impl Outcome {
    pub fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied { .. })
    }
}

/// The result of one batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplyReport {
    /// One outcome per entry given, in order. An entry first held and then released by a later
    /// entry of the same batch is reported as applied.
    pub outcomes: Vec<Outcome>,
    /// Entries held by earlier calls that this batch allowed to apply.
    pub released: usize,
    /// Forks this batch revealed (or proofs it was given) that lowered a log's fork point: the
    /// network passes them on so every replica freezes the same logs.
    pub forks: Vec<ForkProof>,
}

type TxError = ConflictableTransactionError<Error>;
type TxResult<T> = std::result::Result<T, TxError>;

impl Store {
    /// Validates and applies one entry; see [`Store::apply_batch`].
    pub fn apply(&self, entry: Entry, now: Timestamp) -> Result<Outcome> {
        let mut report = self.apply_batch(vec![entry], now)?;
        Ok(report.outcomes.pop().unwrap_or(Outcome::Duplicate))
    }

    /// Validates a batch (signatures verified together), commits every valid entry with all its
    /// index updates in one transaction, flushes, and only then returns. Entries are placed in
    /// the order given; an entry whose predecessors are missing is held and applied as soon as
    /// they arrive, in this batch or a later one.
    pub fn apply_batch(&self, entries: Vec<Entry>, now: Timestamp) -> Result<ApplyReport> {
        self.apply_batch_with_proofs(entries, Vec::new(), now)
    }

    /// [`Store::apply_batch`], with `Erase` entries that authorise some of `entries` to come
    /// without their bodies (a sync peer sends them along). Valid proofs are recorded first, in
    /// the same transaction; invalid ones are ignored, and the entries they would cover are then
    /// rejected for their missing body.
    pub fn apply_batch_with_proofs(
        &self,
        entries: Vec<Entry>,
        proofs: Vec<Entry>,
        now: Timestamp,
    ) -> Result<ApplyReport> {
        self.apply_all(entries, proofs, Vec::new(), now)
    }

    /// [`Store::apply_batch_with_proofs`] in transactions of at most `step` entries, each
    /// flushed, so that a long batch (a sync answer) does not hold the write path for its whole
    /// length: the committer and local publishes get their turn between steps. Not atomic as a
    /// whole; an entry held in one step and released in a later one is reported held, and
    /// counted in `released`.
    pub fn apply_in_steps(
        &self,
        entries: Vec<Entry>,
        proofs: Vec<Entry>,
        now: Timestamp,
        step: usize,
    ) -> Result<ApplyReport> {
        let mut report = ApplyReport::default();
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            let chunk: Vec<Entry> = entries.by_ref().take(step.max(1)).collect();
            let part = self.apply_batch_with_proofs(chunk, proofs.clone(), now)?;
            report.outcomes.extend(part.outcomes);
            report.released += part.released;
            report.forks.extend(part.forks);
            if entries.peek().is_some() {
                std::thread::yield_now();
            }
        }
        Ok(report)
    }

    /// Learns fork proofs from a peer: each is checked on its own, and a proof that lowers a
    /// log's fork point freezes that log there (see [`bureau_core::fork`]). Returns the proofs
    /// that changed something, for the network to pass on.
    pub fn apply_fork_proofs(
        &self,
        proofs: Vec<ForkProof>,
        now: Timestamp,
    ) -> Result<Vec<ForkProof>> {
        // Every sync answer carries the responder's proofs: those that would lower no fork
        // point are dropped before their signatures are checked, and nothing is written.
        let held = self.fork_points()?;
        let proofs: Vec<ForkProof> = proofs
            .into_iter()
            .filter(|proof| {
                proof.point().is_some_and(|point| {
                    held.get(&proof.author())
                        .is_none_or(|lowest| point < *lowest)
                })
            })
            .collect();
        if proofs.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.apply_all(Vec::new(), Vec::new(), proofs, now)?.forks)
    }

    /// Every fork proof held, one per forked author (the lowest fork point).
    pub fn fork_proofs(&self) -> Result<Vec<ForkProof>> {
        self.trees[layout::T_FORKS]
            .iter()
            .values()
            .map(|bytes| {
                let bytes = bytes.map_err(|e| self.sled_error(e))?;
                ForkProof::from_bytes(&bytes).map_err(|e| self.corrupt(e))
            })
            .collect()
    }

    fn apply_all(
        &self,
        entries: Vec<Entry>,
        proofs: Vec<Entry>,
        forks: Vec<ForkProof>,
        now: Timestamp,
    ) -> Result<ApplyReport> {
        let forks: Vec<(ForkProof, u64)> = forks
            .into_iter()
            .filter_map(|proof| {
                let point = proof.verify(&self.network).ok()?;
                Some((proof, point))
            })
            .collect();
        let proofs = useful_proofs(&entries, proofs, &self.network, now);
        let verdicts = entry::verify_signatures(&proofs);
        let proofs: Vec<Entry> = proofs
            .into_iter()
            .zip(verdicts)
            .filter_map(|(proof, verdict)| verdict.is_ok().then_some(proof))
            .collect();
        let mut outcomes: Vec<Option<Outcome>> = entries
            .iter()
            .map(|entry| {
                validate::check_alone(entry, &self.network, now)
                    .err()
                    .map(Outcome::Rejected)
            })
            .collect();
        let candidates: Vec<usize> = (0..entries.len())
            .filter(|i| outcomes[*i].is_none())
            .collect();
        let verdicts = entry::verify_signatures(candidates.iter().map(|i| &entries[*i]));
        for (index, verdict) in candidates.iter().zip(verdicts) {
            if let Err(error) = verdict {
                outcomes[*index] = Some(Outcome::Rejected(error.into()));
            }
        }

        let mut pending = self
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let trees = self.trees.as_slice();
        let result = trees.transaction(|trees| {
            let mut batch = BatchTx {
                view: TxView {
                    trees,
                    network: self.network,
                    root_key: self.root_key,
                    path: &self.path,
                    unsealer: &self.unsealer,
                    quotas: &self.quotas,
                },
                pending: &pending,
                outcomes: outcomes.clone(),
                gaps: BTreeMap::new(),
                released: Vec::new(),
                touched: BTreeMap::new(),
                forks: Vec::new(),
                frozen: Vec::new(),
            };
            for (proof, point) in &forks {
                batch.learn_fork(proof.clone(), *point)?;
            }
            // An erasure proof must be an entry of its author's log: one this replica holds,
            // or one at a position it does not hold yet. A proof that conflicts with the held
            // log is not used: it proves the author signed two histories.
            for proof in &proofs {
                if validate::check_erasure_proof(&batch.view, proof, now)?.is_ok() {
                    batch.authorise_if_in_log(proof)?;
                }
            }
            for (index, entry) in entries.iter().enumerate() {
                if batch.outcomes[index].is_none() {
                    batch.place(index, entry, &entries)?;
                }
            }
            Ok((
                batch.outcomes,
                batch.gaps,
                batch.released,
                batch.touched,
                (batch.forks, batch.frozen),
            ))
        });
        let (outcomes, gaps, released, touched, (new_forks, frozen)) = match result {
            Ok(done) => done,
            Err(TransactionError::Abort(error)) => return Err(error),
            Err(TransactionError::Storage(error)) => return Err(self.sled_error(error)),
        };
        self.flush()?;

        for (author, seq) in &released {
            pending.remove_seq(author, *seq);
        }
        for (author, head_seq) in &touched {
            pending.forget_through(author, *head_seq);
        }
        for (author, keep) in &frozen {
            pending.forget_after(author, *keep);
        }
        for proof in &new_forks {
            let author = proof.author();
            let member = self
                .certificate(&author)?
                .map_or_else(|| "unknown".to_owned(), |c| c.member().to_string());
            tracing::warn!(
                %member,
                key = %author,
                seq = proof.point().unwrap_or_default(),
                "fork: this key signed two histories; its log is frozen before that seq on every node until the secretariat revokes the key and admits a new one"
            );
        }
        let mut outcomes: Vec<Outcome> = outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or(Outcome::Duplicate))
            .collect();
        let frozen_authors: std::collections::BTreeSet<PublicKey> =
            frozen.iter().map(|(author, _)| *author).collect();
        for ((author, _, _), index) in gaps {
            if frozen_authors.contains(&author) {
                continue;
            }
            // The log may have moved since the entry was found early: report what it waits for now.
            let expected = match (touched.get(&author), &outcomes[index]) {
                (Some(head_seq), _) => head_seq + 1,
                (None, Outcome::Held { expected }) => *expected,
                (None, _) => continue,
            };
            outcomes[index] = match pending.hold(entries[index].clone(), expected, now) {
                Ok(()) => Outcome::Held { expected },
                Err(why) => {
                    tracing::debug!(author = %author, seq = entries[index].header.seq, ?why, "early entry not held");
                    Outcome::Dropped { expected }
                }
            };
        }
        let applied: Vec<_> = entries
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| outcome.is_applied())
            .filter_map(|(entry, _)| {
                let (owner, record) = match &entry.body {
                    Some(bureau_core::Body::Put(record)) => (record.key.owner, Some(record)),
                    Some(bureau_core::Body::PutSealed(sealed)) => (sealed.key.owner, None),
                    Some(bureau_core::Body::Cancel(cancel)) => (cancel.key.owner, None),
                    Some(bureau_core::Body::CancelSealed(cancel)) => (cancel.key.owner, None),
                    _ => return None,
                };
                Some((owner, entry.header.timestamp, record))
            })
            .collect();
        self.watch(&applied)?;
        let over_quota: Vec<(PublicKey, Bucket)> = outcomes
            .iter()
            .zip(&entries)
            .filter_map(|(outcome, entry)| match outcome {
                Outcome::Rejected(EntryError::OverQuota { bucket, .. }) => {
                    Some((entry.header.author, *bucket))
                }
                _ => None,
            })
            .collect();
        if !over_quota.is_empty() {
            self.watch_quota(&over_quota)?;
        }
        Ok(ApplyReport {
            outcomes,
            released: released.len(),
            forks: new_forks,
        })
    }

    /// How many entries are held waiting for their predecessors.
    pub fn pending_len(&self) -> usize {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// Bytes of the entries held waiting for their predecessors.
    pub fn pending_bytes(&self) -> usize {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .bytes()
    }
}

/// Most erasure proofs one batch uses: a proof covers up to `MAX_ERASED_PER_ENTRY` entries, so
/// a batch of bodiless entries never needs more than one proof per entry.
pub const MAX_ERASURE_PROOFS_PER_BATCH: usize = 256;

/// The erasure proofs worth a signature check: `Erase` entries of this network that pass the
/// checks needing no signature and name an entry of the batch that came without its body, at
/// most one per such entry and [`MAX_ERASURE_PROOFS_PER_BATCH`] in all. Others are dropped
/// unchecked, so a peer cannot make this replica verify signatures for nothing.
fn useful_proofs(
    entries: &[Entry],
    proofs: Vec<Entry>,
    network: &bureau_core::NetworkId,
    now: Timestamp,
) -> Vec<Entry> {
    let bodiless: std::collections::BTreeSet<(PublicKey, u64, Hash)> = entries
        .iter()
        .filter(|entry| entry.body.is_none())
        .map(|entry| (entry.header.author, entry.header.seq, entry.hash()))
        .collect();
    let limit = bodiless.len().min(MAX_ERASURE_PROOFS_PER_BATCH);
    proofs
        .into_iter()
        .filter(|proof| {
            let Some(bureau_core::Body::Erase(erase)) = &proof.body else {
                return false;
            };
            validate::check_alone(proof, network, now).is_ok()
                && erase
                    .entries
                    .iter()
                    .any(|erased| bodiless.contains(&(erased.author, erased.seq, erased.entry)))
        })
        .take(limit)
        .collect()
}

/// The replica as seen from inside a transaction, for the validation rules.
struct TxView<'a> {
    trees: &'a [TransactionalTree],
    network: NetworkId,
    root_key: PublicKey,
    path: &'a Path,
    unsealer: &'a crate::Unsealer,
    quotas: &'a [QuotaRule],
}

impl TxView<'_> {
    /// What the author's log holds in one quota bucket.
    fn usage(&self, author: &PublicKey, bucket: Bucket) -> TxResult<Amount> {
        let Some(bytes) = self.get(layout::T_USAGE, &layout::usage_key(author, bucket))? else {
            return Ok(Amount::default());
        };
        layout::usage_of(&bytes).ok_or_else(|| {
            ConflictableTransactionError::Abort(crate::Error::Corrupt {
                path: self.path.to_owned(),
                detail: "a quota count is not 16 bytes".into(),
            })
        })
    }

    fn fork_proof(&self, author: &PublicKey) -> TxResult<Option<ForkProof>> {
        self.get(layout::T_FORKS, author.as_bytes())?
            .map(|bytes| self.decode(&bytes))
            .transpose()
    }

    fn get(&self, tree: usize, key: &[u8]) -> TxResult<Option<sled::IVec>> {
        Ok(self.trees[tree].get(key)?)
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, bytes: &[u8]) -> TxResult<T> {
        stored(codec::decode::<T, { usize::MAX }>(bytes), self.path)
            .map_err(ConflictableTransactionError::Abort)
    }
}

impl ReplicaView for TxView<'_> {
    type Error = TxError;

    fn network(&self) -> NetworkId {
        self.network
    }

    fn root_key(&self) -> PublicKey {
        self.root_key
    }

    fn certificates(&self, node_key: &PublicKey) -> TxResult<Vec<Certificate>> {
        Ok(self
            .get(layout::T_MEMBERS, node_key.as_bytes())?
            .map(|bytes| self.decode(&bytes))
            .transpose()?
            .unwrap_or_default())
    }

    fn fork_point(&self, author: &PublicKey) -> TxResult<Option<u64>> {
        Ok(self.fork_proof(author)?.and_then(|proof| proof.point()))
    }

    fn revocation(&self, serial: u64) -> TxResult<Option<Revoke>> {
        self.get(layout::T_REVOCATIONS, &serial.to_be_bytes())?
            .map(|bytes| self.decode(&bytes))
            .transpose()
    }

    fn head(&self, author: &PublicKey) -> TxResult<Option<Head>> {
        self.get(layout::T_HEADS, author.as_bytes())?
            .map(|bytes| self.decode(&bytes))
            .transpose()
    }

    fn erasure(&self, author: &PublicKey, seq: u64) -> TxResult<Option<Hash>> {
        let Some(bytes) = self.get(layout::T_ERASURES, &layout::entry_key(author, seq))? else {
            return Ok(None);
        };
        let erasure: layout::Erasure = self.decode(&bytes)?;
        Ok(Some(erasure.entry))
    }

    fn entry_hash(&self, author: &PublicKey, seq: u64) -> TxResult<Option<Hash>> {
        let Some(bytes) = self.get(layout::T_ENTRIES, &layout::entry_key(author, seq))? else {
            return Ok(None);
        };
        let entry: Entry = self.decode(&bytes)?;
        Ok(Some(entry.hash()))
    }
}

/// The work of one batch inside its transaction.
struct BatchTx<'a> {
    view: TxView<'a>,
    pending: &'a crate::pending::Pending,
    outcomes: Vec<Option<Outcome>>,
    /// Entries of this batch that arrived early, by (author, seq, hash), with their batch index.
    gaps: BTreeMap<(PublicKey, u64, Hash), usize>,
    /// Log positions whose held entries this batch settled (applied or found invalid).
    released: Vec<(PublicKey, u64)>,
    /// Authors whose logs grew, with their new head seq.
    touched: BTreeMap<PublicKey, u64>,
    /// Fork proofs that lowered a log's fork point in this batch.
    forks: Vec<ForkProof>,
    /// Logs cut back in this batch (fork or revocation), with the last seq kept.
    frozen: Vec<(PublicKey, u64)>,
}

impl BatchTx<'_> {
    fn place(&mut self, index: usize, entry: &Entry, entries: &[Entry]) -> TxResult<()> {
        let outcome = match validate::check_in_context(&self.view, entry)? {
            Err(error) => {
                if error.is_conflict() {
                    self.prove_fork(entry)?;
                }
                Outcome::Rejected(error)
            }
            Ok(Placement::Duplicate) => Outcome::Duplicate,
            Ok(Placement::Gap { expected }) => {
                self.gaps
                    .insert((entry.header.author, entry.header.seq, entry.hash()), index);
                Outcome::Held { expected }
            }
            Ok(Placement::Next) if let Some(error) = self.over_quota(entry)? => {
                Outcome::Rejected(error)
            }
            Ok(Placement::Next) => {
                let hash = self.write(entry)?;
                self.outcomes[index] = Some(Outcome::Applied { hash });
                self.release_after(entry, entries)?;
                return Ok(());
            }
        };
        self.outcomes[index] = Some(outcome);
        Ok(())
    }

    /// Applies held entries (from this batch or the pending buffer) that now follow the log.
    /// Every candidate for the next position is tried in hash order; the first valid one is
    /// applied and the others are then forks, so one bad entry cannot block a good one.
    fn release_after(&mut self, entry: &Entry, entries: &[Entry]) -> TxResult<()> {
        let author = entry.header.author;
        let pending = self.pending;
        let mut next = entry.header.seq + 1;
        loop {
            let range = (author, next, Hash([0; 32]))..=(author, next, Hash([0xff; 32]));
            let in_batch: Vec<_> = self
                .gaps
                .range(range)
                .map(|(key, index)| (*key, *index))
                .collect();
            let mut candidates: Vec<(Hash, &Entry, Option<usize>)> = Vec::new();
            for (key, index) in in_batch {
                self.gaps.remove(&key);
                candidates.push((key.2, &entries[index], Some(index)));
            }
            for held in pending.candidates(&author, next) {
                let hash = held.hash();
                if !candidates.iter().any(|(known, _, _)| *known == hash) {
                    candidates.push((hash, held, None));
                }
            }
            if candidates.is_empty() {
                return Ok(());
            }
            candidates.sort_by_key(|(hash, _, _)| *hash);
            self.released.push((author, next));
            let mut applied = false;
            for (_, candidate, index) in candidates {
                let outcome = match validate::check_in_context(&self.view, candidate)? {
                    Ok(Placement::Next) if let Some(error) = self.over_quota(candidate)? => {
                        Outcome::Rejected(error)
                    }
                    Ok(Placement::Next) => {
                        applied = true;
                        Outcome::Applied {
                            hash: self.write(candidate)?,
                        }
                    }
                    Ok(Placement::Duplicate) => Outcome::Duplicate,
                    Ok(Placement::Gap { expected }) => Outcome::Held { expected },
                    Err(error) => {
                        if error.is_conflict() {
                            self.prove_fork(candidate)?;
                        }
                        Outcome::Rejected(error)
                    }
                };
                if let Some(index) = index {
                    self.outcomes[index] = Some(outcome);
                }
            }
            if !applied {
                return Ok(());
            }
            next += 1;
        }
    }

    /// Why the next entry of a log may not join it for its storage quota, if it may not: the
    /// genesis's limit for its author's member in its bucket, against what the log holds.
    fn over_quota(&self, entry: &Entry) -> TxResult<Option<EntryError>> {
        let Some(body) = &entry.body else {
            return Ok(None);
        };
        let author = &entry.header.author;
        let Some(certificate) = self.view.certificates(author)?.into_iter().next() else {
            return Ok(None);
        };
        let bucket = Bucket::of(body);
        let Some(limit) = quota::limit_for(self.view.quotas, certificate.member(), bucket) else {
            return Ok(None);
        };
        let held = self.view.usage(author, bucket)?;
        let len = codec::encoded_len(entry) as u64;
        Ok((!held.fits(len, &limit)).then_some(EntryError::OverQuota {
            bucket,
            held_entries: held.entries,
            held_bytes: held.bytes,
            limit_entries: limit.entries,
            limit_bytes: limit.bytes,
        }))
    }

    /// Moves a log's count in the bucket of `entry` (which has its body) up or down by it.
    fn count_usage(&mut self, entry: &Entry, up: bool) -> TxResult<()> {
        let Some(body) = &entry.body else {
            return Ok(());
        };
        let author = &entry.header.author;
        let bucket = Bucket::of(body);
        let len = codec::encoded_len(entry) as u64;
        let held = self.view.usage(author, bucket)?;
        let now = if up {
            Amount {
                entries: held.entries + 1,
                bytes: held.bytes.saturating_add(len),
            }
        } else {
            Amount {
                entries: held.entries.saturating_sub(1),
                bytes: held.bytes.saturating_sub(len),
            }
        };
        let key = layout::usage_key(author, bucket);
        if now == Amount::default() {
            self.view.trees[layout::T_USAGE].remove(&key[..])?;
        } else {
            self.view.trees[layout::T_USAGE].insert(&key[..], &layout::usage_bytes(&now)[..])?;
        }
        Ok(())
    }

    /// Stores the entry, moves its author's head and applies its body; a record body an
    /// erasure already names is dropped at once, so the order of the two makes no difference.
    fn write(&mut self, entry: &Entry) -> TxResult<Hash> {
        let hash = self.write_entry(entry)?;
        let header = &entry.header;
        if matches!(entry.body, Some(Body::Put(_) | Body::PutSealed(_)))
            && self.view.erasure(&header.author, header.seq)? == Some(hash)
        {
            self.erase_body(&bureau_core::entry::ErasedEntry {
                author: header.author,
                seq: header.seq,
                entry: hash,
            })?;
        }
        Ok(hash)
    }

    fn write_entry(&mut self, entry: &Entry) -> TxResult<Hash> {
        let trees = self.view.trees;
        let header = &entry.header;
        let head = entry.as_head();
        trees[layout::T_ENTRIES].insert(
            &layout::entry_key(&header.author, header.seq)[..],
            entry.to_bytes(),
        )?;
        trees[layout::T_HEADS].insert(&header.author.as_bytes()[..], codec::encode(&head))?;
        self.touched.insert(header.author, header.seq);
        self.count_usage(entry, true)?;
        let state = |precedence, live| RecordState {
            precedence,
            author: header.author,
            seq: header.seq,
            live,
        };
        match &entry.body {
            Some(Body::Put(record)) => {
                let precedence = Precedence {
                    version: record.version,
                    entry: head.hash,
                };
                self.fold(&record.key, state(precedence, true), Some(record))?;
            }
            Some(Body::PutSealed(sealed)) => {
                let precedence = Precedence {
                    version: sealed.version,
                    entry: head.hash,
                };
                let opened = self.unseal(entry, sealed)?;
                if let Some(record) = &opened {
                    trees[layout::T_UNSEALED].insert(
                        &layout::entry_key(&header.author, header.seq)[..],
                        codec::encode(record),
                    )?;
                }
                self.fold(&sealed.key, state(precedence, true), opened.as_ref())?;
            }
            Some(Body::Cancel(cancel)) => {
                let precedence = Precedence {
                    version: cancel.version,
                    entry: head.hash,
                };
                self.fold(&cancel.key, state(precedence, false), None)?;
            }
            Some(Body::CancelSealed(cancel)) => {
                let precedence = Precedence {
                    version: cancel.version,
                    entry: head.hash,
                };
                self.fold(&cancel.key, state(precedence, false), None)?;
            }
            Some(Body::Admit(certificate)) => self.add_certificate(certificate)?,
            Some(Body::Revoke(revoke)) => {
                // Several revocations of one certificate: the earliest cut wins, in any order.
                let replace = self
                    .view
                    .revocation(revoke.serial)?
                    .is_none_or(|held| revoke.last_valid_seq < held.last_valid_seq);
                if replace {
                    trees[layout::T_REVOCATIONS]
                        .insert(&revoke.serial.to_be_bytes()[..], codec::encode(revoke))?;
                    self.cut_revoked(revoke.serial)?;
                }
            }
            Some(Body::Block(block)) => {
                let state = layout::BlockState {
                    blocked: block.blocked,
                    reason: block.reason.clone(),
                    order: (header.timestamp, header.author, header.seq),
                };
                let key = block.key.to_bytes();
                let held: Option<layout::BlockState> = self
                    .view
                    .get(layout::T_BLOCKS, &key)?
                    .map(|bytes| self.view.decode(&bytes))
                    .transpose()?;
                if held.is_none_or(|held| held.order < state.order) {
                    trees[layout::T_BLOCKS].insert(key, codec::encode(&state))?;
                }
            }
            Some(Body::Notice(action)) => {
                let case = self.record_case(
                    layout::CASE_NOTICE,
                    entry,
                    |member| action.case(member),
                    action,
                )?;
                self.note_notice_person(action, case.as_ref())?;
            }
            Some(Body::Diffusion(action)) => {
                self.record_case(
                    layout::CASE_DIFFUSION,
                    entry,
                    |member| action.case(member),
                    action,
                )?;
            }
            Some(Body::CaseSealed(sealed)) => {
                let case = |_| sealed.case.clone();
                let (clear, hidden) = case_kinds(sealed);
                match self.open_case(entry, sealed)? {
                    Some(CaseAction::Notice(action)) => {
                        let case = self.record_case(clear, entry, case, &action)?;
                        self.note_notice_person(&action, case.as_ref())?;
                    }
                    Some(CaseAction::Diffusion(action)) => {
                        self.record_case(clear, entry, case, &action)?;
                    }
                    None => {
                        self.record_case(hidden, entry, case, &sealed.step)?;
                    }
                }
            }
            Some(Body::KeyWrap(wrap)) => self.apply_key_wrap(wrap)?,
            Some(Body::Erase(erase)) => {
                self.authorise_erasure(entry, erase)?;
                for erased in &erase.entries {
                    self.erase_body(erased)?;
                }
            }
            Some(Body::AuditWitness(witness)) => {
                // Entries apply in log order, so this one is the author's latest.
                let at = layout::AuditWitnessAt {
                    entry_seq: header.seq,
                    witness: *witness,
                };
                trees[layout::T_META].insert(
                    layout::audit_witness_key(&header.author),
                    codec::encode(&at),
                )?;
            }
            None => {}
        }
        Ok(head.hash)
    }

    /// Authorises what an erasure proof names unless the proof conflicts with its author's log
    /// as held here (then it is kept as a fork proof instead).
    fn authorise_if_in_log(&mut self, proof: &Entry) -> TxResult<()> {
        let author = proof.header.author;
        let seq = proof.header.seq;
        let head_seq = self.view.head(&author)?.map_or(0, |head| head.seq);
        let conflicts = if seq <= head_seq {
            self.view.entry_hash(&author, seq)? != Some(proof.hash())
        } else if seq == head_seq + 1 {
            let prev = self
                .view
                .head(&author)?
                .map_or(Hash::ZERO, |head| head.hash);
            proof.header.prev_hash != prev
        } else {
            false
        };
        if conflicts {
            return self.prove_fork(proof);
        }
        if let Some(Body::Erase(erase)) = &proof.body {
            self.authorise_erasure(proof, erase)?;
        }
        Ok(())
    }

    /// Records that the entries an `Erase` names may be held without their bodies.
    fn authorise_erasure(&mut self, by: &Entry, erase: &bureau_core::entry::Erase) -> TxResult<()> {
        for erased in &erase.entries {
            let key = layout::entry_key(&erased.author, erased.seq);
            if self.view.get(layout::T_ERASURES, &key)?.is_none() {
                let erasure = layout::Erasure {
                    entry: erased.entry,
                    by_author: by.header.author,
                    by_seq: by.header.seq,
                    record: None,
                };
                self.view.trees[layout::T_ERASURES].insert(&key[..], codec::encode(&erasure))?;
            }
        }
        Ok(())
    }

    /// Drops a stored entry's body if it is the entry named and publishes a record (only record
    /// bodies are erasable: a cancellation, block, notice event or certificate stays, so an
    /// erasure can never bring a record back or change a case). A record whose current version
    /// loses its body disappears: out of the indexes, no longer live.
    fn erase_body(&mut self, erased: &bureau_core::entry::ErasedEntry) -> TxResult<()> {
        let trees = self.view.trees;
        let key = layout::entry_key(&erased.author, erased.seq);
        let Some(mut stored) = self.stored_entry(&erased.author, erased.seq)? else {
            return Ok(());
        };
        if stored.hash() != erased.entry {
            return Ok(());
        }
        let record_key = match &stored.body {
            Some(Body::Put(record)) => record.key.clone(),
            Some(Body::PutSealed(sealed)) => sealed.key.clone(),
            _ => return Ok(()),
        };
        let mut versions = self.versions(&record_key)?;
        let position = versions
            .states
            .iter()
            .position(|state| state.author == erased.author && state.seq == erased.seq);
        if let Some(position) = position {
            let state = versions.states[position];
            if position == 0 && state.live {
                // Unindex while the body is still readable.
                let erased_state = RecordState {
                    live: false,
                    ..state
                };
                self.reindex(&record_key, Some(state), Some((erased_state, None)))?;
            }
            versions.states[position].live = false;
            self.store_versions(&record_key, &versions)?;
        }
        // The body no longer takes space here: the log's quota gets it back.
        self.count_usage(&stored, false)?;
        stored.body = None;
        trees[layout::T_ENTRIES].insert(&key[..], stored.to_bytes())?;
        trees[layout::T_UNSEALED].remove(&key[..])?;
        if let Some(bytes) = self.view.get(layout::T_ERASURES, &key)? {
            let mut erasure: layout::Erasure = self.view.decode(&bytes)?;
            erasure.record = Some(record_key);
            trees[layout::T_ERASURES].insert(&key[..], codec::encode(&erasure))?;
        }
        Ok(())
    }

    /// Moves the live-record count by one.
    fn adjust_live(&mut self, up: bool) -> TxResult<()> {
        let meta = &self.view.trees[layout::T_META];
        let live = meta
            .get(layout::META_LIVE_RECORDS)?
            .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_ref()).ok())
            .map_or(0, u64::from_be_bytes);
        let live = if up { live + 1 } else { live.saturating_sub(1) };
        meta.insert(layout::META_LIVE_RECORDS, &live.to_be_bytes()[..])?;
        Ok(())
    }

    /// Adds an event to its case's history (the case's state is folded from it when read);
    /// returns its author's member and the case it belongs to (`None` when the author has no
    /// certificate here, and nothing was stored).
    fn record_case<A: serde::Serialize + Clone>(
        &mut self,
        kind: u8,
        entry: &Entry,
        case_of: impl FnOnce(bureau_core::MemberCode) -> bureau_core::case::CaseRef,
        action: &A,
    ) -> TxResult<Option<(bureau_core::MemberCode, bureau_core::case::CaseRef)>> {
        let header = &entry.header;
        let Some(certificate) = self.view.certificates(&header.author)?.into_iter().next() else {
            return Ok(None);
        };
        let member = certificate.member();
        let order = bureau_core::case::EventOrder {
            timestamp: header.timestamp,
            author: header.author,
            seq: header.seq,
        };
        let event = bureau_core::case::CaseEvent {
            order,
            member,
            action: action.clone(),
        };
        let case = case_of(member);
        let key = layout::case_event_key(kind, &case, &order);
        self.view.trees[layout::T_CASES].insert(key, codec::encode(&event))?;
        Ok(Some((member, case)))
    }

    /// Points the person a notice is about at it when the secretariat publishes it, so that a
    /// person search shows the notices published about a candidate. Only the secretariat's
    /// publications point: a member filing requests about a person cannot lengthen the list
    /// every search showing that person reads.
    fn note_notice_person(
        &mut self,
        action: &bureau_core::case::NoticeAction,
        recorded: Option<&(bureau_core::MemberCode, bureau_core::case::CaseRef)>,
    ) -> TxResult<()> {
        let (Some((member, case)), bureau_core::case::NoticeAction::Publish { request, .. }) =
            (recorded, action)
        else {
            return Ok(());
        };
        if !member.is_secretariat() {
            return Ok(());
        }
        self.view.trees[layout::T_NOTICE_PERSONS]
            .insert(layout::notice_person_key(&request.person, case), &[][..])?;
        Ok(())
    }

    /// Adds a version to a record; if it takes precedence it becomes the record's state, and
    /// index entries and the live count move with it.
    fn fold(&mut self, key: &RecordKey, new: RecordState, record: Option<&Record>) -> TxResult<()> {
        let mut versions = self.versions(key)?;
        // Within one log, a version that an earlier entry of the same log outranks can never
        // become current: any cut that keeps it keeps that entry too. Logs apply in seq order,
        // so what is kept does not depend on how logs interleave.
        if versions.states.iter().any(|held| {
            held.author == new.author && held.seq <= new.seq && held.precedence >= new.precedence
        }) {
            return Ok(());
        }
        versions.states.retain(|held| {
            !(held.author == new.author && held.seq > new.seq && held.precedence < new.precedence)
        });
        let position = versions
            .states
            .iter()
            .position(|held| held.precedence < new.precedence)
            .unwrap_or(versions.states.len());
        if position >= layout::MAX_RECORD_VERSIONS_KEPT {
            return Ok(());
        }
        let old = versions.current().copied();
        versions.states.insert(position, new);
        versions.states.truncate(layout::MAX_RECORD_VERSIONS_KEPT);
        if position == 0 {
            self.reindex(key, old, Some((new, record.cloned())))?;
        }
        self.store_versions(key, &versions)
    }

    /// Removes the version an entry wrote; when it was the current one, the next version
    /// becomes current (or the record disappears).
    fn unfold(&mut self, key: &RecordKey, author: &PublicKey, seq: u64) -> TxResult<()> {
        let mut versions = self.versions(key)?;
        let Some(position) = versions
            .states
            .iter()
            .position(|held| held.author == *author && held.seq == seq)
        else {
            return Ok(());
        };
        let old = versions.states.remove(position);
        if position == 0 {
            let next = match versions.current().copied() {
                Some(next) if next.live => Some((next, self.load_record(&next)?)),
                Some(next) => Some((next, None)),
                None => None,
            };
            self.reindex(key, Some(old), next)?;
        }
        self.store_versions(key, &versions)
    }

    /// Moves a record's index entries and the live count from its old current state to a new
    /// one. The old state's entry must still be readable.
    fn reindex(
        &mut self,
        key: &RecordKey,
        old: Option<RecordState>,
        new: Option<(RecordState, Option<Record>)>,
    ) -> TxResult<()> {
        let trees = self.view.trees;
        let was_live = old.is_some_and(|old| old.live);
        if let Some(old) = old.filter(|old| old.live) {
            for term in self.load_record(&old)?.iter().flat_map(Record::index_terms) {
                trees[layout::index_position(term.index)]
                    .remove(layout::index_key(&term.bytes, key))?;
            }
        }
        let is_live = new.as_ref().is_some_and(|(state, _)| state.live);
        if let Some((_, Some(record))) = new.as_ref().filter(|(state, _)| state.live) {
            for term in record.index_terms() {
                trees[layout::index_position(term.index)]
                    .insert(layout::index_key(&term.bytes, key), term.value)?;
            }
        }
        if was_live != is_live {
            self.adjust_live(is_live)?;
        }
        Ok(())
    }

    fn versions(&self, key: &RecordKey) -> TxResult<RecordVersions> {
        Ok(self
            .view
            .get(layout::T_RECORDS, &key.to_bytes())?
            .map(|bytes| self.view.decode(&bytes))
            .transpose()?
            .unwrap_or_default())
    }

    fn store_versions(&self, key: &RecordKey, versions: &RecordVersions) -> TxResult<()> {
        let tree = &self.view.trees[layout::T_RECORDS];
        if versions.states.is_empty() {
            tree.remove(key.to_bytes())?;
        } else {
            tree.insert(key.to_bytes(), codec::encode(versions))?;
        }
        Ok(())
    }

    /// Adds a certificate to its key's list (every certificate is kept: renewals).
    fn add_certificate(&mut self, certificate: &Certificate) -> TxResult<()> {
        let key = certificate.node_key();
        let mut held = self.view.certificates(&key)?;
        if held.contains(certificate) {
            return Ok(());
        }
        held.push(certificate.clone());
        let trees = self.view.trees;
        trees[layout::T_MEMBERS].insert(&key.as_bytes()[..], codec::encode(&held))?;
        trees[layout::T_SERIALS].insert(
            &certificate.body.serial.to_be_bytes()[..],
            &key.as_bytes()[..],
        )?;
        // A key revoked under another certificate stays revoked: cut what this one let in.
        self.cut_key(&key)
    }

    /// Applies a revocation: the key holding the certificate loses its entries after the cut.
    fn cut_revoked(&mut self, serial: u64) -> TxResult<()> {
        let Some(bytes) = self.view.get(layout::T_SERIALS, &serial.to_be_bytes())? else {
            return Ok(());
        };
        let Ok(key) = <[u8; 32]>::try_from(bytes.as_ref()) else {
            return Ok(());
        };
        self.cut_key(&PublicKey(key))
    }

    /// Removes a key's entries beyond the earliest revocation covering it.
    fn cut_key(&mut self, key: &PublicKey) -> TxResult<()> {
        let certificates = self.view.certificates(key)?;
        if let Some(revoke) = validate::revocation_of(&self.view, &certificates)? {
            self.truncate(key, revoke.last_valid_seq)?;
        }
        Ok(())
    }

    /// Builds the fork proof an entry that conflicts with the held log gives: the held entry at
    /// its seq, or the held entry before it when its `prev_hash` does not match.
    fn prove_fork(&mut self, entry: &Entry) -> TxResult<()> {
        let author = entry.header.author;
        let seq = entry.header.seq;
        let held = match self.stored_entry(&author, seq)? {
            Some(held) if held.hash() != entry.hash() => Some(held),
            _ => match seq.checked_sub(1).filter(|seq| *seq > 0) {
                Some(before) => self.stored_entry(&author, before)?,
                None => None,
            },
        };
        let Some(held) = held else { return Ok(()) };
        let Some(proof) = ForkProof::new(SignedHeader::of(&held), SignedHeader::of(entry)) else {
            return Ok(());
        };
        match proof.point() {
            Some(point) => self.learn_fork(proof, point),
            None => Ok(()),
        }
    }

    /// Keeps a fork proof if it lowers the author's fork point, and freezes the log before it.
    /// Proofs against keys with no known certificate are not kept (anyone can make keys and
    /// fork them): a peer sends them again with every sync answer once the certificate is known.
    fn learn_fork(&mut self, proof: ForkProof, point: u64) -> TxResult<()> {
        let author = proof.author();
        if point == 0 || self.view.certificates(&author)?.is_empty() {
            return Ok(());
        }
        if self
            .view
            .fork_point(&author)?
            .is_some_and(|held| held <= point)
        {
            return Ok(());
        }
        self.view.trees[layout::T_FORKS].insert(&author.as_bytes()[..], proof.to_bytes())?;
        self.truncate(&author, point - 1)?;
        self.frozen.push((author, point - 1));
        self.forks.retain(|known| known.author() != author);
        self.forks.push(proof);
        Ok(())
    }

    fn stored_entry(&self, author: &PublicKey, seq: u64) -> TxResult<Option<Entry>> {
        self.view
            .get(layout::T_ENTRIES, &layout::entry_key(author, seq))?
            .map(|bytes| self.view.decode(&bytes))
            .transpose()
    }

    /// Removes an author's entries after `keep`, newest first, undoing what each did to records
    /// and cases, and moves its head back. Certificates, revocations and blocks an entry
    /// announced stay (they are facts signed by the root key or the secretariat, and a removed
    /// secretariat entry is rare enough to leave to the next admission or unblock).
    fn truncate(&mut self, author: &PublicKey, keep: u64) -> TxResult<()> {
        let Some(head) = self.view.head(author)? else {
            return Ok(());
        };
        if head.seq <= keep {
            return Ok(());
        }
        let trees = self.view.trees;
        for seq in (keep + 1..=head.seq).rev() {
            let key = layout::entry_key(author, seq);
            let Some(entry) = self.stored_entry(author, seq)? else {
                continue;
            };
            match &entry.body {
                Some(Body::Put(record)) => self.unfold(&record.key, author, seq)?,
                Some(Body::PutSealed(sealed)) => self.unfold(&sealed.key, author, seq)?,
                Some(Body::Cancel(cancel)) => self.unfold(&cancel.key, author, seq)?,
                Some(Body::CancelSealed(cancel)) => self.unfold(&cancel.key, author, seq)?,
                Some(Body::Notice(action)) => {
                    self.remove_case(layout::CASE_NOTICE, &entry, |member| action.case(member))?;
                }
                Some(Body::Diffusion(action)) => {
                    self.remove_case(layout::CASE_DIFFUSION, &entry, |member| action.case(member))?;
                }
                Some(Body::CaseSealed(sealed)) => {
                    // Held in clear or sealed, whichever this node could do.
                    let (clear, hidden) = case_kinds(sealed);
                    for kind in [clear, hidden] {
                        self.remove_case(kind, &entry, |_| sealed.case.clone())?;
                    }
                }
                // What a cut key wrap opened stays open here; its keys go.
                Some(Body::KeyWrap(wrap)) => {
                    for item in &wrap.wraps {
                        let row = layout::wrap_key(&item.author, item.seq, &item.wrapped.recipient);
                        trees[layout::T_WRAPS].remove(row)?;
                    }
                }
                // A witness cut with its log witnesses nothing.
                Some(Body::AuditWitness(_)) => {
                    trees[layout::T_META].remove(layout::audit_witness_key(author))?;
                }
                None => {
                    // An erased record body: the erasure remembers which record it was.
                    if let Some(bytes) = self.view.get(layout::T_ERASURES, &key)? {
                        let erasure: layout::Erasure = self.view.decode(&bytes)?;
                        if let Some(record) = erasure.record {
                            self.unfold(&record, author, seq)?;
                        }
                    }
                }
                _ => {}
            }
            self.count_usage(&entry, false)?;
            trees[layout::T_UNSEALED].remove(&key[..])?;
            trees[layout::T_ENTRIES].remove(&key[..])?;
        }
        match self.stored_entry(author, keep)? {
            Some(last) if keep > 0 => {
                trees[layout::T_HEADS]
                    .insert(&author.as_bytes()[..], codec::encode(&last.as_head()))?;
            }
            _ => {
                trees[layout::T_HEADS].remove(&author.as_bytes()[..])?;
            }
        }
        self.touched.insert(*author, keep);
        self.frozen.push((*author, keep));
        Ok(())
    }

    fn remove_case(
        &mut self,
        kind: u8,
        entry: &Entry,
        case_of: impl FnOnce(bureau_core::MemberCode) -> bureau_core::case::CaseRef,
    ) -> TxResult<()> {
        let header = &entry.header;
        let Some(certificate) = self.view.certificates(&header.author)?.into_iter().next() else {
            return Ok(());
        };
        let order = bureau_core::case::EventOrder {
            timestamp: header.timestamp,
            author: header.author,
            seq: header.seq,
        };
        let key = layout::case_event_key(kind, &case_of(certificate.member()), &order);
        self.view.trees[layout::T_CASES].remove(key)?;
        Ok(())
    }

    /// The record a live state points at: `None` for a sealed record this node cannot read.
    fn load_record(&self, state: &RecordState) -> TxResult<Option<Record>> {
        let corrupt = || {
            ConflictableTransactionError::Abort(Error::Corrupt {
                path: self.view.path.to_owned(),
                detail: format!("record state points at a missing put entry {}", state.seq),
            })
        };
        let bytes = self
            .view
            .get(
                layout::T_ENTRIES,
                &layout::entry_key(&state.author, state.seq),
            )?
            .ok_or_else(corrupt)?;
        match self.view.decode::<Entry>(&bytes)?.body {
            Some(Body::Put(record)) => Ok(Some(record)),
            Some(Body::PutSealed(_)) => self
                .view
                .get(
                    layout::T_UNSEALED,
                    &layout::entry_key(&state.author, state.seq),
                )?
                .map(|bytes| self.view.decode::<Record>(&bytes))
                .transpose(),
            _ => Err(corrupt()),
        }
    }

    /// Opens a sealed case action addressed to this node; `None` when it is not, or when the
    /// action fails to open or does not match what its entry says in clear (the author answers
    /// for it; the entry stays valid and replicated, and this node holds only its step).
    fn open_case(
        &self,
        entry: &Entry,
        sealed: &bureau_core::entry::SealedCase,
    ) -> TxResult<Option<CaseAction>> {
        let Some(opener) = self.opener(entry, &sealed.sealed)? else {
            return Ok(None);
        };
        let Some(author) = self
            .view
            .certificates(&entry.header.author)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let opened = sealed
            .open(&entry.header, opener.opener())
            .map_err(|error| error.to_string())
            .and_then(|action| {
                action
                    .check_matches(sealed.step, &sealed.case, author.member())
                    .map(|()| action)
                    .map_err(|error| error.to_string())
            });
        Ok(match opened {
            Ok(action) => Some(action),
            Err(error) => {
                tracing::warn!(case = %sealed.case, %error, "cannot read a sealed case action addressed to this node; only its step is kept");
                None
            }
        })
    }

    /// Opens a sealed record addressed to this node; `None` when it is not, or when the content
    /// fails (the author answers for it; the entry itself stays valid and replicated).
    fn unseal(
        &self,
        entry: &Entry,
        sealed: &bureau_core::entry::SealedRecord,
    ) -> TxResult<Option<Record>> {
        let Some(opener) = self.opener(entry, &sealed.sealed)? else {
            return Ok(None);
        };
        Ok(match sealed.open(&entry.header, opener.opener()) {
            Ok(record) => {
                if let bureau_core::RecordData::TravelDocument(document) = &record.data
                    && bureau_core::MemberCode::from(document.issuing_country) != record.key.owner
                {
                    tracing::warn!(record = %record.key, "sealed travel document not published by its issuer; not indexed");
                    return Ok(None);
                }
                Some(record)
            }
            Err(error) => {
                tracing::warn!(record = %sealed.key, %error, "cannot open a sealed record addressed to this node");
                None
            }
        })
    }

    /// What opens a sealed body here: one of this node's secrets it names, or a content key a
    /// key wrap gave one of them.
    fn opener(
        &self,
        entry: &Entry,
        sealed: &bureau_core::seal::Sealed,
    ) -> TxResult<Option<crate::HeldOpener>> {
        self.view.unsealer.opener(entry, sealed, |row| {
            Ok(self
                .view
                .get(layout::T_WRAPS, row)?
                .map(|bytes| bytes.to_vec()))
        })
    }

    /// Keeps a key wrap's content keys, and opens at once what they open here that was sealed
    /// before (a record becomes searchable, a case readable).
    fn apply_key_wrap(&mut self, wrap: &bureau_core::entry::KeyWrap) -> TxResult<()> {
        for item in &wrap.wraps {
            let row = layout::wrap_key(&item.author, item.seq, &item.wrapped.recipient);
            self.view.trees[layout::T_WRAPS].insert(row, codec::encode(item))?;
            if self
                .view
                .unsealer
                .secret_of(&item.wrapped.recipient)
                .is_some()
            {
                self.open_late(&item.author, item.seq)?;
            }
        }
        Ok(())
    }

    /// Opens an entry applied before this node could read it, if it can now.
    fn open_late(&mut self, author: &PublicKey, seq: u64) -> TxResult<()> {
        let Some(entry) = self.stored_entry(author, seq)? else {
            return Ok(());
        };
        let entry_key = layout::entry_key(author, seq);
        match &entry.body {
            Some(Body::PutSealed(sealed)) => {
                if self.view.get(layout::T_UNSEALED, &entry_key)?.is_some() {
                    return Ok(());
                }
                let Some(record) = self.unseal(&entry, sealed)? else {
                    return Ok(());
                };
                // Indexed now if it is the current version; kept for when it becomes so.
                let versions = self.versions(&sealed.key)?;
                if let Some(current) = versions.current().copied()
                    && current.author == *author
                    && current.seq == seq
                {
                    self.reindex(
                        &sealed.key,
                        Some(current),
                        Some((current, Some(record.clone()))),
                    )?;
                }
                self.view.trees[layout::T_UNSEALED]
                    .insert(&entry_key[..], codec::encode(&record))?;
            }
            Some(Body::CaseSealed(sealed)) => {
                let case = |_| sealed.case.clone();
                let (clear, hidden) = case_kinds(sealed);
                let opened = self.open_case(&entry, sealed)?;
                if opened.is_some() {
                    self.remove_case(hidden, &entry, case)?;
                }
                match opened {
                    Some(CaseAction::Notice(action)) => {
                        let case = self.record_case(clear, &entry, case, &action)?;
                        self.note_notice_person(&action, case.as_ref())?;
                    }
                    Some(CaseAction::Diffusion(action)) => {
                        self.record_case(clear, &entry, case, &action)?;
                    }
                    None => {}
                }
            }
            // A sealed cancellation's reason is opened when it is read.
            _ => {}
        }
        Ok(())
    }
}

/// The kinds a sealed case action is kept under: in clear once opened, or its step alone.
fn case_kinds(sealed: &bureau_core::entry::SealedCase) -> (u8, u8) {
    if sealed.step.is_notice() {
        layout::NOTICE_KINDS
    } else {
        layout::DIFFUSION_KINDS
    }
}
