//! Read-side queries: heads, digest, what another replica lacks, records and exact search.

use std::collections::BTreeMap;

use bureau_core::codec;
use bureau_core::hash::{self, Hash};
use bureau_core::quota::{Amount, Bucket};
use bureau_core::record::IndexTerm;
use bureau_core::{Body, Certificate, Entry, Head, MemberCode, PublicKey, Record, RecordKey};
use serde::{Deserialize, Serialize};

use crate::layout::{self, RecordState};
use crate::{Result, Store, stored};

/// Entries another replica lacks, bounded in count and bytes.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub entries: Vec<Entry>,
    /// False when a limit cut the batch short: ask again with the new heads.
    pub complete: bool,
    /// The `Erase` entries that let the receiver accept the batch's entries without bodies.
    pub proofs: Vec<Entry>,
}

/// A record as a replica holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordView {
    pub key: RecordKey,
    /// The winning version (of the record or of its cancellation).
    pub version: u64,
    /// The current record; `None` once cancelled.
    pub record: Option<Record>,
    /// The reason given when it was cancelled.
    pub cancel_reason: Option<String>,
    /// Why the secretariat blocked it, while it is blocked (it is then hidden from search).
    pub blocked: Option<String>,
    /// True when its current version's body has been erased (retention or cancellation).
    pub erased: bool,
    /// True when it is sealed to other members: this replica holds it but cannot read it.
    #[serde(default)]
    pub restricted: bool,
    pub author: PublicKey,
    pub seq: u64,
}

impl Store {
    /// Every author's head, in author order.
    pub fn heads(&self) -> Result<BTreeMap<PublicKey, Head>> {
        let mut heads = BTreeMap::new();
        for item in self.trees[layout::T_HEADS].iter() {
            let (key, value) = item.map_err(|e| self.sled_error(e))?;
            let author = <[u8; 32]>::try_from(key.as_ref()).map_err(|e| self.corrupt(e))?;
            let head: Head = stored(codec::decode::<_, { usize::MAX }>(&value), &self.path)?;
            heads.insert(PublicKey(author), head);
        }
        Ok(heads)
    }

    pub fn head(&self, author: &PublicKey) -> Result<Option<Head>> {
        self.trees[layout::T_HEADS]
            .get(author.as_bytes())
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path))
            .transpose()
    }

    /// A hash over every `(author, seq, head hash)` and every fork point: two replicas have the
    /// same digest exactly when they hold the same entries (logs are hash chains, so the head
    /// fixes the whole log) and know the same forks.
    pub fn digest(&self) -> Result<Hash> {
        let heads = self.heads()?;
        let forks = self.fork_points()?;
        Ok(digest_with_forks(&heads, &forks))
    }

    /// Every forked key with its fork point.
    pub fn fork_points(&self) -> Result<BTreeMap<PublicKey, u64>> {
        let mut points = BTreeMap::new();
        for proof in self.fork_proofs()? {
            if let Some(point) = proof.point() {
                points.insert(proof.author(), point);
            }
        }
        Ok(points)
    }

    /// Entries held here that a replica with `their_heads` lacks, oldest first per author, at
    /// most `max_entries` and about `max_bytes` (at least one entry is always returned).
    pub fn entries_after(
        &self,
        their_heads: &BTreeMap<PublicKey, Head>,
        max_entries: usize,
        max_bytes: usize,
    ) -> Result<Batch> {
        let mut batch = Batch {
            entries: Vec::new(),
            complete: true,
            proofs: Vec::new(),
        };
        let mut bytes = 0usize;
        for (author, head) in self.heads()? {
            let from = match their_heads.get(&author) {
                None => 0,
                // Their log goes further than ours: nothing to send.
                Some(theirs) if theirs.seq > head.seq => continue,
                // Their head is not our entry at that seq: the logs forked. Send ours from
                // there, so they hold both and keep the proof.
                Some(theirs) if !self.holds_head(&author, &head, theirs)? => {
                    theirs.seq.saturating_sub(1)
                }
                Some(theirs) => theirs.seq,
            };
            if from >= head.seq {
                continue;
            }
            let range = layout::entry_key(&author, from + 1)..=layout::entry_key(&author, head.seq);
            for item in self.trees[layout::T_ENTRIES].range(range) {
                let (_, value) = item.map_err(|e| self.sled_error(e))?;
                if !batch.entries.is_empty()
                    && (batch.entries.len() >= max_entries || bytes + value.len() > max_bytes)
                {
                    batch.complete = false;
                    return Ok(batch);
                }
                bytes += value.len();
                let entry = stored(Entry::from_bytes(&value), &self.path)?;
                if entry.body.is_none() {
                    self.add_proof(&entry, &mut batch.proofs)?;
                }
                batch.entries.push(entry);
            }
        }
        Ok(batch)
    }

    /// Whether `theirs` (another replica's head of `author`, at most our `head`'s seq) is the
    /// entry we hold at that seq.
    fn holds_head(&self, author: &PublicKey, head: &Head, theirs: &Head) -> Result<bool> {
        if theirs.seq == head.seq {
            return Ok(theirs.hash == head.hash);
        }
        Ok(self
            .entry(author, theirs.seq)?
            .is_some_and(|entry| entry.hash() == theirs.hash))
    }

    /// Adds the `Erase` entry that covers an entry held without its body.
    fn add_proof(&self, entry: &Entry, proofs: &mut Vec<Entry>) -> Result<()> {
        let key = layout::entry_key(&entry.header.author, entry.header.seq);
        let Some(bytes) = self.trees[layout::T_ERASURES]
            .get(key)
            .map_err(|e| self.sled_error(e))?
        else {
            return Ok(());
        };
        let erasure: layout::Erasure =
            stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path)?;
        if proofs.iter().any(|proof| {
            proof.header.author == erasure.by_author && proof.header.seq == erasure.by_seq
        }) {
            return Ok(());
        }
        if let Some(proof) = self.entry(&erasure.by_author, erasure.by_seq)? {
            proofs.push(proof);
        }
        Ok(())
    }

    pub fn entry(&self, author: &PublicKey, seq: u64) -> Result<Option<Entry>> {
        self.trees[layout::T_ENTRIES]
            .get(layout::entry_key(author, seq))
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| stored(Entry::from_bytes(&bytes), &self.path))
            .transpose()
    }

    /// The state of one record, live or cancelled.
    pub fn get(&self, key: &RecordKey) -> Result<Option<RecordView>> {
        let Some(bytes) = self.trees[layout::T_RECORDS]
            .get(key.to_bytes())
            .map_err(|e| self.sled_error(e))?
        else {
            return Ok(None);
        };
        let state = self.current_state(&bytes)?;
        let entry = self
            .entry(&state.author, state.seq)?
            .ok_or_else(|| self.corrupt(format!("record {key} points at a missing entry")))?;
        let erased = entry.body.is_none();
        let sealed = matches!(entry.body, Some(Body::PutSealed(_)));
        // A reader opens a sealed cancellation's reason; to others it stays sealed.
        let opener = match &entry.body {
            Some(Body::CancelSealed(cancel)) => self.opener(&entry, &cancel.sealed)?,
            _ => None,
        };
        let (record, cancel_reason) = match entry.body {
            Some(Body::Cancel(cancel)) => (None, Some(cancel.reason)),
            Some(Body::CancelSealed(cancel)) => {
                let reason = opener
                    .and_then(|opener| cancel.open(&entry.header, opener.opener()).ok())
                    .map_or_else(|| "(sealed)".to_owned(), |opened| opened.reason);
                (None, Some(reason))
            }
            body => (self.record_of_body(&state, body)?, None),
        };
        let restricted = sealed && record.is_none() && !erased;
        Ok(Some(RecordView {
            key: key.clone(),
            version: state.precedence.version,
            record,
            cancel_reason,
            blocked: self.block(key)?,
            erased,
            restricted,
            author: state.author,
            seq: state.seq,
        }))
    }

    /// Live records matching an exact term, at most `limit`.
    pub fn search(&self, term: &IndexTerm, limit: usize) -> Result<Vec<Record>> {
        self.search_where(term, limit, |_| true)
    }

    /// Live records matching a term whose index value passes `keep`, at most `limit`.
    pub fn search_where(
        &self,
        term: &IndexTerm,
        limit: usize,
        mut keep: impl FnMut(&[u8]) -> bool,
    ) -> Result<Vec<Record>> {
        let mut found = Vec::new();
        for posting in self.postings(term) {
            if found.len() >= limit {
                break;
            }
            let (record_key, value) = posting?;
            if keep(&value)
                && let Some(record) = self.searchable(&record_key)?
            {
                found.push(record);
            }
        }
        Ok(found)
    }

    /// The index entries under a term (or a prefix): record key bytes and stored value.
    pub fn postings(
        &self,
        term: &IndexTerm,
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>)>> + '_ {
        let mut prefix = term.bytes.clone();
        if !term.prefix {
            prefix.push(0);
        }
        self.trees[layout::index_position(term.index)]
            .scan_prefix(&prefix)
            .map(|item| {
                let (key, value) = item.map_err(|e| self.sled_error(e))?;
                let record_key = layout::record_part_of_index_key(&key)
                    .ok_or_else(|| self.corrupt("index key without separator"))?;
                Ok((record_key.to_vec(), value.to_vec()))
            })
    }

    /// Whether any record has an entry under `term` (one seek).
    pub fn has_postings(&self, term: &IndexTerm) -> Result<bool> {
        Ok(self.postings(term).next().transpose()?.is_some())
    }

    /// What one log holds in each quota bucket it uses (entries kept with their body, and
    /// their bytes).
    pub fn log_usage(&self, author: &PublicKey) -> Result<Vec<(Bucket, Amount)>> {
        let mut used = Vec::new();
        for item in self.trees[layout::T_USAGE].scan_prefix(author.as_bytes()) {
            let (key, value) = item.map_err(|e| self.sled_error(e))?;
            let bucket = Bucket::all().find(|bucket| key.get(32) == Some(&bucket.tag()));
            let amount = layout::usage_of(&value);
            match (bucket, amount) {
                (Some(bucket), Some(amount)) => used.push((bucket, amount)),
                _ => return Err(self.corrupt("unreadable quota count")),
            }
        }
        Ok(used)
    }

    /// The genesis's storage limit for a member's logs in one bucket (`None`: unlimited).
    pub fn quota_limit(&self, member: MemberCode, bucket: Bucket) -> Option<Amount> {
        bureau_core::quota::limit_for(&self.quotas, member, bucket)
    }

    /// How many entries one index holds and their key and value bytes (before sled's own
    /// overhead and compression): what the index costs per record. Reads the whole index.
    pub fn index_footprint(&self, index: bureau_core::record::Index) -> Result<(u64, u64)> {
        let mut entries = 0u64;
        let mut bytes = 0u64;
        for item in self.trees[layout::index_position(index)].iter() {
            let (key, value) = item.map_err(|e| self.sled_error(e))?;
            entries += 1;
            bytes += (key.len() + value.len()) as u64;
        }
        Ok((entries, bytes))
    }

    /// The value stored beside one record's entry under a whole term (a person's name
    /// candidate), if the record has that entry.
    pub fn index_value(&self, term: &IndexTerm, record_key: &[u8]) -> Result<Option<Vec<u8>>> {
        let key = layout::index_key_of_bytes(&term.bytes, record_key);
        Ok(self.trees[layout::index_position(term.index)]
            .get(key)
            .map_err(|e| self.sled_error(e))?
            .map(|value| value.to_vec()))
    }

    /// The current record under store key bytes, unless it is blocked, cancelled or erased.
    pub fn searchable(&self, record_key: &[u8]) -> Result<Option<Record>> {
        if self
            .block_state(record_key)?
            .is_some_and(|block| block.blocked)
        {
            return Ok(None);
        }
        let Some(state) = self.trees[layout::T_RECORDS]
            .get(record_key)
            .map_err(|e| self.sled_error(e))?
        else {
            return Err(self.corrupt("index entry for a record that does not exist"));
        };
        let state = self.current_state(&state)?;
        let body = self
            .entry(&state.author, state.seq)?
            .and_then(|entry| entry.body);
        self.record_of_body(&state, body)
    }

    /// The record an entry body publishes, as this replica can read it: a sealed one only if
    /// it was opened here.
    fn record_of_body(&self, state: &RecordState, body: Option<Body>) -> Result<Option<Record>> {
        match body {
            Some(Body::Put(record)) => Ok(Some(record)),
            Some(Body::PutSealed(_)) => self.trees[layout::T_UNSEALED]
                .get(layout::entry_key(&state.author, state.seq))
                .map_err(|e| self.sled_error(e))?
                .map(|bytes| stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path))
                .transpose(),
            _ => Ok(None),
        }
    }

    /// Why a record is blocked, if it is.
    pub fn block(&self, key: &RecordKey) -> Result<Option<String>> {
        Ok(self
            .block_state(&key.to_bytes())?
            .filter(|block| block.blocked)
            .map(|block| block.reason))
    }

    fn block_state(&self, record_key: &[u8]) -> Result<Option<layout::BlockState>> {
        self.trees[layout::T_BLOCKS]
            .get(record_key)
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path))
            .transpose()
    }

    /// The current certificate of every known key (see [`Store::certificate`]).
    pub fn members(&self) -> Result<Vec<Certificate>> {
        self.trees[layout::T_MEMBERS]
            .iter()
            .values()
            .map(|bytes| {
                let bytes = bytes.map_err(|e| self.sled_error(e))?;
                let held: Vec<Certificate> =
                    stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path)?;
                latest(held).ok_or_else(|| self.corrupt("a key without certificates"))
            })
            .collect()
    }

    /// A key's current certificate: the one that starts last (then the highest serial).
    pub fn certificate(&self, node_key: &PublicKey) -> Result<Option<Certificate>> {
        Ok(latest(self.certificates(node_key)?))
    }

    /// Every certificate known for a key (a renewal adds one).
    pub fn certificates(&self, node_key: &PublicKey) -> Result<Vec<Certificate>> {
        Ok(self.trees[layout::T_MEMBERS]
            .get(node_key.as_bytes())
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path))
            .transpose()?
            .unwrap_or_default())
    }

    /// The revocation that covers a key (of any of its certificates: the earliest cut).
    pub fn revocation_of_key(
        &self,
        node_key: &PublicKey,
    ) -> Result<Option<bureau_core::entry::Revoke>> {
        bureau_core::validate::earliest_revocation(&self.certificates(node_key)?, |serial| {
            self.revocation(serial)
        })
    }

    /// The fork proof held against a key, if its log forked.
    pub fn fork_proof(&self, author: &PublicKey) -> Result<Option<bureau_core::ForkProof>> {
        self.trees[layout::T_FORKS]
            .get(author.as_bytes())
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| bureau_core::ForkProof::from_bytes(&bytes).map_err(|e| self.corrupt(e)))
            .transpose()
    }

    fn current_state(&self, bytes: &[u8]) -> Result<RecordState> {
        let versions: layout::RecordVersions =
            stored(codec::decode::<_, { usize::MAX }>(bytes), &self.path)?;
        versions
            .current()
            .copied()
            .ok_or_else(|| self.corrupt("a record without versions"))
    }

    /// Entries held: the logs are contiguous, so this is the sum of head seqs.
    pub fn entry_count(&self) -> Result<u64> {
        Ok(self.heads()?.values().map(|head| head.seq).sum())
    }

    /// The latest audit witness `author` signed into its log, if any.
    pub fn audit_witness(&self, author: &PublicKey) -> Result<Option<bureau_core::AuditWitness>> {
        self.trees[layout::T_META]
            .get(layout::audit_witness_key(author))
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| {
                stored(
                    codec::decode::<layout::AuditWitnessAt, { usize::MAX }>(&bytes),
                    &self.path,
                )
                .map(|at| at.witness)
            })
            .transpose()
    }

    /// The seq this node's own log had reached when the backup this store was restored from
    /// was taken, while the restore is not settled (see [`layout::META_RESTORED`]).
    pub fn restored_own_seq(&self) -> Result<Option<u64>> {
        Ok(self.trees[layout::T_META]
            .get(layout::META_RESTORED)
            .map_err(|e| self.sled_error(e))?
            .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// Marks the store as restored from a backup taken at `own_seq` (`Some`), or the restore
    /// as settled (`None`), durably.
    pub fn set_restored_own_seq(&self, own_seq: Option<u64>) -> Result<()> {
        let meta = &self.trees[layout::T_META];
        match own_seq {
            Some(seq) => meta.insert(layout::META_RESTORED, &seq.to_be_bytes()[..]),
            None => meta.remove(layout::META_RESTORED),
        }
        .map_err(|e| self.sled_error(e))?;
        self.flush()
    }

    /// The keys of one database's records (of one owner, when given) after `after`
    /// (exclusive; from the start when `None`), in key order, at most `limit`: an export's
    /// pages. Cancelled, blocked and unreadable records are among them; [`Store::searchable`]
    /// tells which are live.
    pub fn record_keys_page(
        &self,
        database: bureau_core::Database,
        owner: Option<bureau_core::MemberCode>,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>> {
        let mut prefix = vec![database.tag()];
        if let Some(owner) = owner {
            prefix.extend_from_slice(owner.as_bytes());
        }
        let start = match after {
            Some(key) if key.starts_with(&prefix) => [key, &[0]].concat(),
            Some(_) => {
                return Err(crate::Error::Invalid(
                    "the position is not a record of this database and owner".into(),
                ));
            }
            None => prefix.clone(),
        };
        let mut keys = Vec::new();
        for item in self.trees[layout::T_RECORDS]
            .range(start..)
            .keys()
            .take(limit)
        {
            let key = item.map_err(|e| self.sled_error(e))?;
            if !key.starts_with(&prefix) {
                break;
            }
            keys.push(key.to_vec());
        }
        Ok(keys)
    }

    /// Records published and not cancelled.
    pub fn live_record_count(&self) -> Result<u64> {
        Ok(self.trees[layout::T_META]
            .get(layout::META_LIVE_RECORDS)
            .map_err(|e| self.sled_error(e))?
            .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_ref()).ok())
            .map_or(0, u64::from_be_bytes))
    }
}

/// A key's current certificate among several: the one that starts last, then the highest serial.
pub fn latest(certificates: Vec<Certificate>) -> Option<Certificate> {
    certificates
        .into_iter()
        .max_by_key(|certificate| (certificate.body.not_before, certificate.body.serial))
}

/// The digest of a set of heads (see [`Store::digest`]).
pub fn digest_of(heads: &BTreeMap<PublicKey, Head>) -> Hash {
    let mut hasher = Hash::hasher(hash::domain::DIGEST);
    for (author, head) in heads {
        hasher.update(author.as_bytes());
        hasher.update(&head.seq.to_be_bytes());
        hasher.update(head.hash.as_bytes());
    }
    hasher.finish()
}

/// The digest of heads and fork points (see [`Store::digest`]); without forks, [`digest_of`].
pub fn digest_with_forks(
    heads: &BTreeMap<PublicKey, Head>,
    forks: &BTreeMap<PublicKey, u64>,
) -> Hash {
    if forks.is_empty() {
        return digest_of(heads);
    }
    let mut hasher = Hash::hasher(hash::domain::DIGEST);
    hasher.update(digest_of(heads).as_bytes());
    for (author, point) in forks {
        hasher.update(author.as_bytes());
        hasher.update(&point.to_be_bytes());
    }
    hasher.finish()
}

impl Store {
    /// The revocation of a certificate serial, if one is held.
    pub fn revocation(&self, serial: u64) -> Result<Option<bureau_core::entry::Revoke>> {
        self.trees[layout::T_REVOCATIONS]
            .get(serial.to_be_bytes())
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path))
            .transpose()
    }
}

impl Store {
    /// What opens a sealed body here: one of this node's secrets it names, or a content key a
    /// key wrap gave one of them.
    pub(crate) fn opener(
        &self,
        entry: &bureau_core::Entry,
        sealed: &bureau_core::seal::Sealed,
    ) -> Result<Option<crate::HeldOpener>> {
        self.unsealer.opener(entry, sealed, |row| {
            self.trees[layout::T_WRAPS]
                .get(row)
                .map(|bytes| bytes.map(|bytes| bytes.to_vec()))
                .map_err(|e| self.sled_error(e))
        })
    }

    /// The content key of a sealed entry this node reads (to wrap it for a reader added
    /// later); `None` when it cannot read it, or the body is in clear or erased.
    pub fn content_key(
        &self,
        entry: &bureau_core::Entry,
    ) -> Result<Option<zeroize::Zeroizing<[u8; bureau_core::seal::CONTENT_KEY_BYTES]>>> {
        let Some((sealed, aad)) = entry
            .body
            .as_ref()
            .and_then(|body| body.sealed(&entry.header))
        else {
            return Ok(None);
        };
        Ok(self
            .opener(entry, sealed)?
            .and_then(|opener| opener.content_key(sealed, &aad)))
    }

    /// The encryption keys a sealed entry's content key was wrapped for after it was sealed.
    pub fn wrapped_for(
        &self,
        author: &PublicKey,
        seq: u64,
    ) -> Result<Vec<bureau_core::EncryptionPublicKey>> {
        let prefix = layout::entry_key(author, seq);
        let mut keys = Vec::new();
        for item in self.trees[layout::T_WRAPS].scan_prefix(prefix) {
            let (row, _) = item.map_err(|e| self.sled_error(e))?;
            let recipient = row
                .get(prefix.len()..)
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| self.corrupt("malformed wraps key"))?;
            keys.push(bureau_core::EncryptionPublicKey(recipient));
        }
        Ok(keys)
    }

    /// This member's live restricted records: each record's current sealed entry.
    pub fn sealed_records_of(&self, owner: &bureau_core::MemberCode) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for state in self.live_states_of(owner)? {
            if let Some(entry) = self.entry(&state.author, state.seq)?
                && matches!(entry.body, Some(Body::PutSealed(_)))
            {
                entries.push(entry);
            }
        }
        Ok(entries)
    }
}

impl Store {
    /// The sealed case entries `member`'s keys signed that this node reads (it keeps them in
    /// clear), each with its case: a notice's (`true`) or a diffusion's.
    pub fn sealed_case_entries_of(
        &self,
        member: &MemberCode,
    ) -> Result<Vec<(bureau_core::case::CaseRef, bool, Entry)>> {
        use bureau_core::case::{DiffusionAction, NoticeAction};
        let mut found = Vec::new();
        let notices = self.case_entries::<NoticeAction>(&[layout::CASE_NOTICE])?;
        let diffusions = self.case_entries::<DiffusionAction>(&[layout::CASE_DIFFUSION])?;
        let orders = notices
            .into_iter()
            .map(|(case, event)| (case, true, event.member, event.order))
            .chain(
                diffusions
                    .into_iter()
                    .map(|(case, event)| (case, false, event.member, event.order)),
            );
        for (case, is_notice, author_member, order) in orders {
            if author_member != *member {
                continue;
            }
            if let Some(entry) = self.entry(&order.author, order.seq)?
                && matches!(entry.body, Some(Body::CaseSealed(_)))
            {
                found.push((case, is_notice, entry));
            }
        }
        Ok(found)
    }
}

/// A case and its events, in replay order.
type CaseHistory<A> = (
    bureau_core::case::CaseRef,
    Vec<bureau_core::case::CaseEvent<bureau_core::case::Held<A>>>,
);

impl Store {
    /// The events under `prefix` of the `cases` tree, each with its case, in key order.
    fn case_entries<T: serde::de::DeserializeOwned>(
        &self,
        prefix: &[u8],
    ) -> Result<Vec<(bureau_core::case::CaseRef, bureau_core::case::CaseEvent<T>)>> {
        let mut events = Vec::new();
        for item in self.trees[layout::T_CASES].scan_prefix(prefix) {
            let (key, bytes) = item.map_err(|e| self.sled_error(e))?;
            let separator = key
                .iter()
                .skip(4)
                .position(|byte| *byte == 0)
                .map(|at| at + 4);
            let (Some(separator), Ok(owner)) = (
                separator,
                key.get(1..4)
                    .and_then(|code| <[u8; 3]>::try_from(code).ok())
                    .ok_or(())
                    .and_then(|code| bureau_core::MemberCode::try_from(code).map_err(|_| ())),
            ) else {
                return Err(self.corrupt("malformed case key"));
            };
            let case = bureau_core::case::CaseRef {
                owner,
                id: String::from_utf8_lossy(&key[4..separator]).into_owned(),
            };
            let event = stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path)?;
            events.push((case, event));
        }
        Ok(events)
    }

    /// The cases of a kind (or the one case `only`), each with its events in replay order:
    /// those held in clear under `kinds.0` and those sealed to others under `kinds.1`.
    fn cases<A: serde::de::DeserializeOwned>(
        &self,
        kinds: (u8, u8),
        only: Option<&bureau_core::case::CaseRef>,
    ) -> Result<Vec<CaseHistory<A>>> {
        use bureau_core::case::{CaseEvent, CaseStep, Held};
        let prefix = |kind: u8| match only {
            Some(case) => layout::case_prefix(kind, case),
            None => vec![kind],
        };
        let mut cases: std::collections::BTreeMap<_, Vec<CaseEvent<Held<A>>>> = Default::default();
        for (case, event) in self.case_entries::<A>(&prefix(kinds.0))? {
            cases.entry(case).or_default().push(CaseEvent {
                order: event.order,
                member: event.member,
                action: Held::Clear(event.action),
            });
        }
        for (case, event) in self.case_entries::<CaseStep>(&prefix(kinds.1))? {
            cases.entry(case).or_default().push(CaseEvent {
                order: event.order,
                member: event.member,
                action: Held::Sealed(event.action),
            });
        }
        Ok(cases
            .into_iter()
            .map(|(case, mut events)| {
                events.sort_by_key(|event| event.order);
                (case, events)
            })
            .collect())
    }

    /// A notice, folded from its events; `None` also when it is sealed to others.
    pub fn notice(
        &self,
        case: &bureau_core::case::CaseRef,
    ) -> Result<Option<bureau_core::case::Notice>> {
        Ok(self
            .cases(layout::NOTICE_KINDS, Some(case))?
            .into_iter()
            .find_map(|(held, events)| {
                (held == *case)
                    .then(|| bureau_core::case::fold_notice(case, &events))
                    .flatten()
            }))
    }

    /// A diffusion, folded from its events; `None` also when it is sealed to others.
    pub fn diffusion(
        &self,
        case: &bureau_core::case::CaseRef,
    ) -> Result<Option<bureau_core::case::Diffusion>> {
        Ok(self
            .cases(layout::DIFFUSION_KINDS, Some(case))?
            .into_iter()
            .find_map(|(held, events)| {
                (held == *case)
                    .then(|| bureau_core::case::fold_diffusion(case, &events))
                    .flatten()
            }))
    }

    /// The colours of the notices published about a person (by its record key), each once.
    /// Only the secretariat's publications point a person at a notice, so the scan is short.
    pub fn published_notice_colours(
        &self,
        person: &[u8],
    ) -> Result<Vec<bureau_core::case::Colour>> {
        let mut prefix = person.to_vec();
        prefix.push(0);
        let mut colours = Vec::new();
        for item in self.trees[layout::T_NOTICE_PERSONS].scan_prefix(&prefix) {
            let (key, _) = item.map_err(|e| self.sled_error(e))?;
            let Some(case) = layout::notice_of_person_key(&key[prefix.len()..]) else {
                return Err(self.corrupt("malformed notice-persons key"));
            };
            if let Some(notice) = self.notice(&case)?
                && notice.status == bureau_core::case::NoticeStatus::Published
                && notice.request.person.to_bytes() == person
                && !colours.contains(&notice.request.colour)
            {
                colours.push(notice.request.colour);
            }
        }
        Ok(colours)
    }

    /// Every notice this replica holds and can read.
    pub fn notices(&self) -> Result<Vec<bureau_core::case::Notice>> {
        Ok(self
            .cases(layout::NOTICE_KINDS, None)?
            .into_iter()
            .filter_map(|(case, events)| bureau_core::case::fold_notice(&case, &events))
            .collect())
    }

    /// Every diffusion this replica holds and can read.
    pub fn diffusions(&self) -> Result<Vec<bureau_core::case::Diffusion>> {
        Ok(self
            .cases(layout::DIFFUSION_KINDS, None)?
            .into_iter()
            .filter_map(|(case, events)| bureau_core::case::fold_diffusion(&case, &events))
            .collect())
    }
}

impl Store {
    /// The current states of a member's live records, in key order.
    fn live_states_of(&self, owner: &bureau_core::MemberCode) -> Result<Vec<RecordState>> {
        let mut states = Vec::new();
        for database in bureau_core::Database::ALL {
            let mut prefix = vec![database.tag()];
            prefix.extend_from_slice(owner.as_bytes());
            for item in self.trees[layout::T_RECORDS].scan_prefix(prefix) {
                let (_, bytes) = item.map_err(|e| self.sled_error(e))?;
                let state = self.current_state(&bytes)?;
                if state.live {
                    states.push(state);
                }
            }
        }
        Ok(states)
    }

    /// Every live record a member owns, in key order.
    pub fn records_of(&self, owner: &bureau_core::MemberCode) -> Result<Vec<Record>> {
        let mut records = Vec::new();
        for state in self.live_states_of(owner)? {
            let body = self
                .entry(&state.author, state.seq)?
                .and_then(|entry| entry.body);
            if let Some(record) = self.record_of_body(&state, body)? {
                records.push(record);
            }
        }
        Ok(records)
    }
}

impl Store {
    /// Calls `visit` with every entry of one author's log, in seq order.
    pub fn for_each_entry(&self, author: &PublicKey, mut visit: impl FnMut(Entry)) -> Result<()> {
        let range = layout::entry_key(author, 0)..=layout::entry_key(author, u64::MAX);
        for item in self.trees[layout::T_ENTRIES].range(range) {
            let (_, value) = item.map_err(|e| self.sled_error(e))?;
            visit(stored(Entry::from_bytes(&value), &self.path)?);
        }
        Ok(())
    }
}

/// The indexes a person's name fills, rebuilt together ([`Store::check_name_index`]).
const NAME_INDEXES: [bureau_core::record::Index; 3] = [
    bureau_core::record::Index::NamePhonetic,
    bureau_core::record::Index::NamePair,
    bureau_core::record::Index::NameCandidate,
];
/// Persons between two progress lines of a name index rebuild.
const REBUILD_PROGRESS_EVERY: u64 = 100_000;

impl Store {
    /// Rebuilds the person name index from the live person records when it was built with
    /// another [`NAME_INDEX_VERSION`](bureau_core::record::NAME_INDEX_VERSION) (a node upgraded
    /// to new readings or a new term layout), so that no person goes unfound after an upgrade.
    /// The version is written last: a rebuild cut short starts again at the next open.
    pub(crate) fn check_name_index(&self) -> Result<()> {
        let meta = &self.trees[layout::T_META];
        let version = bureau_core::record::NAME_INDEX_VERSION.to_be_bytes();
        let built = meta
            .get(layout::META_NAME_INDEX_VERSION)
            .map_err(|e| self.sled_error(e))?;
        if built.as_deref() == Some(&version[..]) {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let persons = self.rebuild_name_index()?;
        meta.insert(layout::META_NAME_INDEX_VERSION, &version[..])
            .map_err(|e| self.sled_error(e))?;
        self.flush()?;
        if built.is_some() || persons > 0 {
            tracing::info!(
                persons,
                seconds = started.elapsed().as_secs_f64(),
                version = bureau_core::record::NAME_INDEX_VERSION,
                "name index rebuilt for this version's readings"
            );
        }
        Ok(())
    }

    /// Clears the person name index and fills it again from the live person records (and
    /// points persons at the notices filed about them); returns how many persons it indexed.
    /// Not atomic: [`Store::check_name_index`] runs it before the store is used, and marks the
    /// version only once it is done.
    pub fn rebuild_name_index(&self) -> Result<u64> {
        for index in NAME_INDEXES {
            self.trees[layout::index_position(index)]
                .clear()
                .map_err(|e| self.sled_error(e))?;
        }
        let mut persons = 0u64;
        let prefix = [bureau_core::Database::Persons.tag()];
        for item in self.trees[layout::T_RECORDS].scan_prefix(prefix) {
            let (record_key, bytes) = item.map_err(|e| self.sled_error(e))?;
            let state = self.current_state(&bytes)?;
            if !state.live {
                continue;
            }
            let body = self
                .entry(&state.author, state.seq)?
                .and_then(|entry| entry.body);
            let Some(record) = self.record_of_body(&state, body)? else {
                continue;
            };
            for term in record.index_terms() {
                if NAME_INDEXES.contains(&term.index) {
                    self.trees[layout::index_position(term.index)]
                        .insert(
                            layout::index_key_of_bytes(&term.bytes, &record_key),
                            term.value,
                        )
                        .map_err(|e| self.sled_error(e))?;
                }
            }
            persons += 1;
            if persons.is_multiple_of(REBUILD_PROGRESS_EVERY) {
                tracing::info!(persons, "rebuilding the name index");
            }
        }
        // Notices published before the store pointed persons at them.
        let notices = &self.trees[layout::T_NOTICE_PERSONS];
        for (case, event) in
            self.case_entries::<bureau_core::case::NoticeAction>(&[layout::CASE_NOTICE])?
        {
            if let bureau_core::case::NoticeAction::Publish { request, .. } = &event.action
                && event.member.is_secretariat()
            {
                notices
                    .insert(layout::notice_person_key(&request.person, &case), &[][..])
                    .map_err(|e| self.sled_error(e))?;
            }
        }
        Ok(persons)
    }
}
