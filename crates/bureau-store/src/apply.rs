//! Applying entries: validation, the atomic commit of an entry with every index update it
//! causes, the fold of records, and the release of held entries once their gap closes.
//!
//! One call of [`Store::apply_batch`] is one sled transaction over every tree followed by one
//! flush, so a batch is all-or-nothing on disk and is acknowledged only once durable.

use std::collections::BTreeMap;
use std::path::Path;

use bureau_core::codec;
use bureau_core::entry::{self, Revoke};
use bureau_core::record::Precedence;
use bureau_core::validate::{self, EntryError, Placement, ReplicaView};
use bureau_core::{
    Body, Certificate, Entry, Hash, Head, NetworkId, PublicKey, Record, RecordKey, Timestamp,
};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use crate::layout::{self, RecordState};
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
}

type TxError = ConflictableTransactionError<Error>;
type TxResult<T> = std::result::Result<T, TxError>;

/// Whether `new` should replace `held` as a key's certificate: the later start wins, then the
/// higher serial, so replicas agree whatever order certificates arrive in.
pub(crate) fn supersedes(new: &Certificate, held: &Certificate) -> bool {
    (new.body.not_before, new.body.serial) > (held.body.not_before, held.body.serial)
}

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
                    unseal_key: self.unseal_key.as_ref(),
                },
                pending: &pending,
                outcomes: outcomes.clone(),
                gaps: BTreeMap::new(),
                released: Vec::new(),
                touched: BTreeMap::new(),
            };
            for proof in &proofs {
                if validate::check_erasure_proof(&batch.view, proof, now)?.is_ok()
                    && let Some(Body::Erase(erase)) = &proof.body
                {
                    batch.authorise_erasure(proof, erase)?;
                }
            }
            for (index, entry) in entries.iter().enumerate() {
                if batch.outcomes[index].is_none() {
                    batch.place(index, entry, &entries)?;
                }
            }
            Ok((batch.outcomes, batch.gaps, batch.released, batch.touched))
        });
        let (outcomes, gaps, released, touched) = match result {
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
        let mut outcomes: Vec<Outcome> = outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or(Outcome::Duplicate))
            .collect();
        for ((author, _, _), index) in gaps {
            // The log may have moved since the entry was found early: report what it waits for now.
            let expected = match (touched.get(&author), &outcomes[index]) {
                (Some(head_seq), _) => head_seq + 1,
                (None, Outcome::Held { expected }) => *expected,
                (None, _) => continue,
            };
            outcomes[index] = if pending.hold(entries[index].clone()) {
                Outcome::Held { expected }
            } else {
                Outcome::Dropped { expected }
            };
        }
        Ok(ApplyReport {
            outcomes,
            released: released.len(),
        })
    }

    /// How many entries are held waiting for their predecessors.
    pub fn pending_len(&self) -> usize {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

/// The replica as seen from inside a transaction, for the validation rules.
struct TxView<'a> {
    trees: &'a [TransactionalTree],
    network: NetworkId,
    root_key: PublicKey,
    path: &'a Path,
    unseal_key: Option<&'a crate::UnsealKey>,
}

impl TxView<'_> {
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

    fn certificate(&self, node_key: &PublicKey) -> TxResult<Option<Certificate>> {
        self.get(layout::T_MEMBERS, node_key.as_bytes())?
            .map(|bytes| self.decode(&bytes))
            .transpose()
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
}

impl BatchTx<'_> {
    fn place(&mut self, index: usize, entry: &Entry, entries: &[Entry]) -> TxResult<()> {
        let outcome = match validate::check_in_context(&self.view, entry)? {
            Err(error) => Outcome::Rejected(error),
            Ok(Placement::Duplicate) => Outcome::Duplicate,
            Ok(Placement::Gap { expected }) => {
                self.gaps
                    .insert((entry.header.author, entry.header.seq, entry.hash()), index);
                Outcome::Held { expected }
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
                    Ok(Placement::Next) => {
                        applied = true;
                        Outcome::Applied {
                            hash: self.write(candidate)?,
                        }
                    }
                    Ok(Placement::Duplicate) => Outcome::Duplicate,
                    Ok(Placement::Gap { expected }) => Outcome::Held { expected },
                    Err(error) => Outcome::Rejected(error),
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

    /// Stores the entry, moves its author's head and applies its body.
    fn write(&mut self, entry: &Entry) -> TxResult<Hash> {
        let trees = self.view.trees;
        let header = &entry.header;
        let head = entry.as_head();
        trees[layout::T_ENTRIES].insert(
            &layout::entry_key(&header.author, header.seq)[..],
            entry.to_bytes(),
        )?;
        trees[layout::T_HEADS].insert(&header.author.as_bytes()[..], codec::encode(&head))?;
        self.touched.insert(header.author, header.seq);
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
                let opened = self.unseal(entry, sealed);
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
            Some(Body::Admit(certificate)) => {
                let key = certificate.node_key();
                let replace = match self.view.certificate(&key)? {
                    Some(held) => supersedes(certificate, &held),
                    None => true,
                };
                if replace {
                    trees[layout::T_MEMBERS].insert(&key.as_bytes()[..], certificate.to_bytes())?;
                }
            }
            Some(Body::Revoke(revoke)) => {
                // Several revocations of one certificate: the earliest cut wins, in any order.
                let replace = self
                    .view
                    .revocation(revoke.serial)?
                    .is_none_or(|held| revoke.last_valid_seq < held.last_valid_seq);
                if replace {
                    trees[layout::T_REVOCATIONS]
                        .insert(&revoke.serial.to_be_bytes()[..], codec::encode(revoke))?;
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
            Some(Body::Notice(action)) => self.record_case(
                layout::CASE_NOTICE,
                entry,
                |member| action.case(member),
                action,
            )?,
            Some(Body::Diffusion(action)) => self.record_case(
                layout::CASE_DIFFUSION,
                entry,
                |member| action.case(member),
                action,
            )?,
            Some(Body::Erase(erase)) => {
                self.authorise_erasure(entry, erase)?;
                for erased in &erase.entries {
                    self.erase_body(erased)?;
                }
            }
            None => {}
        }
        Ok(head.hash)
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
                };
                self.view.trees[layout::T_ERASURES].insert(&key[..], codec::encode(&erasure))?;
            }
        }
        Ok(())
    }

    /// Drops a stored entry's body (if it is the entry named and still has one). A record
    /// whose current version loses its body disappears: out of the indexes, no longer live.
    fn erase_body(&mut self, erased: &bureau_core::entry::ErasedEntry) -> TxResult<()> {
        let trees = self.view.trees;
        let key = layout::entry_key(&erased.author, erased.seq);
        let Some(bytes) = self.view.get(layout::T_ENTRIES, &key)? else {
            return Ok(());
        };
        let mut stored: Entry = self.view.decode(&bytes)?;
        if stored.hash() != erased.entry {
            return Ok(());
        }
        let Some(body) = stored.body.take() else {
            return Ok(());
        };
        trees[layout::T_ENTRIES].insert(&key[..], stored.to_bytes())?;
        let record_key = match &body {
            Body::Put(record) => record.key.clone(),
            Body::PutSealed(sealed) => sealed.key.clone(),
            _ => return Ok(()),
        };
        let opened = match body {
            Body::Put(record) => Some(record),
            _ => {
                let opened = self.view.get(layout::T_UNSEALED, &key)?;
                trees[layout::T_UNSEALED].remove(&key[..])?;
                opened
                    .map(|bytes| self.view.decode::<Record>(&bytes))
                    .transpose()?
            }
        };
        let key_bytes = record_key.to_bytes();
        let Some(state_bytes) = self.view.get(layout::T_RECORDS, &key_bytes)? else {
            return Ok(());
        };
        let mut state: RecordState = self.view.decode(&state_bytes)?;
        if state.author != erased.author || state.seq != erased.seq || !state.live {
            return Ok(());
        }
        for term in opened.iter().flat_map(Record::index_terms) {
            trees[layout::index_position(term.index)]
                .remove(layout::index_key(&term.bytes, &record_key))?;
        }
        state.live = false;
        trees[layout::T_RECORDS].insert(key_bytes, codec::encode(&state))?;
        self.adjust_live(false)
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

    /// Adds an event to its case's history; the case's state is folded from it when read.
    fn record_case<A: serde::Serialize + Clone>(
        &mut self,
        kind: u8,
        entry: &Entry,
        case_of: impl FnOnce(bureau_core::MemberCode) -> bureau_core::case::CaseRef,
        action: &A,
    ) -> TxResult<()> {
        let header = &entry.header;
        let Some(certificate) = self.view.certificate(&header.author)? else {
            return Ok(());
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
        let key = layout::case_event_key(kind, &case_of(member), &order);
        self.view.trees[layout::T_CASES].insert(key, codec::encode(&event))?;
        Ok(())
    }

    /// Makes `new` the record's state if it takes precedence, moving index entries and the live
    /// count with it.
    fn fold(&mut self, key: &RecordKey, new: RecordState, record: Option<&Record>) -> TxResult<()> {
        let trees = self.view.trees;
        let key_bytes = key.to_bytes();
        let old: Option<RecordState> = self
            .view
            .get(layout::T_RECORDS, &key_bytes)?
            .map(|bytes| self.view.decode(&bytes))
            .transpose()?;
        if old.is_some_and(|old| old.precedence >= new.precedence) {
            return Ok(());
        }
        let was_live = old.is_some_and(|old| old.live);
        if let Some(old) = old.filter(|old| old.live) {
            for term in self.load_record(&old)?.iter().flat_map(Record::index_terms) {
                trees[layout::index_position(term.index)]
                    .remove(layout::index_key(&term.bytes, key))?;
            }
        }
        if let Some(record) = record {
            for term in record.index_terms() {
                trees[layout::index_position(term.index)]
                    .insert(layout::index_key(&term.bytes, key), term.value)?;
            }
        }
        trees[layout::T_RECORDS].insert(key_bytes, codec::encode(&new))?;
        if was_live != new.live {
            self.adjust_live(new.live)?;
        }
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

    /// Opens a sealed record addressed to this node; `None` when it is not, or when the content
    /// fails (the author answers for it; the entry itself stays valid and replicated).
    fn unseal(&self, entry: &Entry, sealed: &bureau_core::entry::SealedRecord) -> Option<Record> {
        let key = self.view.unseal_key?;
        let public = bureau_core::EncryptionPublicKey::from_secret(key.0);
        if !sealed.sealed.is_recipient(&public) {
            return None;
        }
        match sealed.open(&entry.header, &key.0) {
            Ok(record) => {
                if let bureau_core::RecordData::TravelDocument(document) = &record.data
                    && bureau_core::MemberCode::from(document.issuing_country) != record.key.owner
                {
                    tracing::warn!(record = %record.key, "sealed travel document not published by its issuer; not indexed");
                    return None;
                }
                Some(record)
            }
            Err(error) => {
                tracing::warn!(record = %sealed.key, %error, "cannot open a sealed record addressed to this node");
                None
            }
        }
    }
}
