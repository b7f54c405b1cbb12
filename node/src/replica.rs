//! A member's view of its local replica: publish, cancel, search, get and status, signed with
//! the node's key. The offline CLI uses it directly; the daemon will serve the same operations.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use bureau_core::entry::Cancel;
use bureau_core::{
    Access, Body, Certificate, Date, Entry, Hash, MemberCode, Record, RecordData, RecordKey,
    SecretKey, Timestamp,
};
use bureau_store::{Outcome, RecordView, Store};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::files::{Identity, NodeDir};
use crate::search::{Found, SearchRequest};

/// How far ahead `bureau review` looks by default: six months, when `DOMAIN.md` says the
/// source is reminded.
pub const REVIEW_NOTICE_DAYS: i64 = 183;

/// A record whose review date has passed without an extension has expired: it no longer
/// answers searches.
pub fn is_expired(record: &Record, today: Date) -> bool {
    record.review_date < today
}

/// Entries per batch when copying between replicas.
pub const SYNC_BATCH_ENTRIES: usize = 1024;
/// Bytes per batch when copying between replicas.
pub const SYNC_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// One draft's fate in a batch: what was published, or why not.
pub type BatchResult = Result<Published, String>;

/// What a publish or cancel did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Published {
    #[serde(rename = "ref")]
    pub reference: String,
    pub version: u64,
    pub seq: u64,
    pub entry: Hash,
}

/// A member as a replica knows it: one line of `bureau members`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberInfo {
    pub member: MemberCode,
    pub roles: Vec<bureau_core::Role>,
    pub serial: u64,
    pub node_key: String,
    pub not_after: bureau_core::Date,
    /// `active`, `revoked` or `expired`.
    pub status: String,
    /// Why it was revoked, and the last entry of its key that stays valid.
    pub revocation: Option<String>,
}

/// A node's status.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Status {
    pub member: MemberCode,
    /// Set when this node's own certificate has been revoked: why.
    pub revoked: Option<String>,
    pub node_key: String,
    pub network: String,
    pub digest: Hash,
    pub entries: u64,
    pub records: u64,
    pub authors: usize,
    pub members_known: usize,
    pub pending: usize,
    pub store_bytes: u64,
}

/// The local replica, opened with the node's identity.
#[derive(Debug)]
pub struct Replica {
    pub store: Arc<Store>,
    pub key: SecretKey,
    pub certificate: Certificate,
    /// Serialises appends: reading the head, signing the next entry and applying it are one step.
    append: Mutex<()>,
}

impl Replica {
    /// Opens the node directory's replica and teaches it the node's own certificate.
    pub fn open(dir: &NodeDir, cache_capacity_bytes: u64) -> Result<Replica> {
        let identity = Identity::load(dir)?;
        let mut config = bureau_store::Config::new(dir.store());
        config.cache_capacity_bytes = cache_capacity_bytes;
        config.unseal_key = Some(identity.encryption.clone());
        let store = Store::open(&config, &identity.genesis)?;
        store.learn_certificate(&identity.certificate)?;
        Ok(Replica {
            store: Arc::new(store),
            key: identity.key,
            certificate: identity.certificate,
            append: Mutex::new(()),
        })
    }

    pub fn member(&self) -> MemberCode {
        self.certificate.member()
    }

    /// Builds the next entry's body (given the version the change must carry), signs it as the
    /// next entry of this node's log and applies it. Reading the current version and the head,
    /// signing and applying are one step under the append lock, so concurrent changes never
    /// share a version or a seq.
    fn append(
        &self,
        key: &RecordKey,
        build: impl FnOnce(Option<RecordView>) -> Result<Body>,
    ) -> Result<Entry> {
        let _serialised = self
            .append
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let body = build(self.store.get(key)?)?;
        self.sign_and_apply(body)
    }

    /// Announces a member's certificate with an `Admit` entry (secretariat only).
    pub fn admit(&self, certificate: Certificate) -> Result<Entry> {
        self.append_body(Body::Admit(certificate))
    }

    /// Revokes the current certificates of `member` (secretariat only), or only the one with
    /// `serial` (key rotation): each key's entries after its present head in this replica stop
    /// being valid everywhere.
    pub fn revoke(
        &self,
        member: MemberCode,
        serial: Option<u64>,
        reason: &str,
    ) -> Result<Vec<Entry>> {
        let now = clock::now();
        let targets: Vec<Certificate> = self
            .store
            .members()?
            .into_iter()
            .filter(|certificate| certificate.member() == member && certificate.is_valid_at(now))
            .filter(|certificate| serial.is_none_or(|serial| certificate.body.serial == serial))
            .collect();
        let mut entries = Vec::new();
        for certificate in targets {
            if self.store.revocation(certificate.body.serial)?.is_some() {
                continue;
            }
            let last_valid_seq = self
                .store
                .head(&certificate.node_key())?
                .map_or(0, |head| head.seq);
            let _serialised = self
                .append
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            entries.push(
                self.sign_and_apply(Body::Revoke(bureau_core::entry::Revoke {
                    serial: certificate.body.serial,
                    last_valid_seq,
                    reason: reason.to_owned(),
                }))?,
            );
        }
        if entries.is_empty() {
            bail!("{member} has no current certificate that is not already revoked");
        }
        Ok(entries)
    }

    /// Blocks (or unblocks) a record on every replica (secretariat only).
    pub fn block(&self, key: &RecordKey, blocked: bool, reason: &str) -> Result<Entry> {
        self.append_body(Body::Block(bureau_core::entry::Block {
            key: key.clone(),
            blocked,
            reason: reason.to_owned(),
        }))
    }

    /// Signs and applies a body that is not a record change.
    pub fn append_body(&self, body: Body) -> Result<Entry> {
        let _serialised = self
            .append
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.sign_and_apply(body)
    }

    /// Erases, on every replica, the bodies of this member's records that expired or were
    /// cancelled: publishes `Erase` entries naming their `Put` entries (all versions), in chunks
    /// of [`bureau_core::entry::MAX_ERASE_ENTRIES`]. Returns the entries, for the network.
    pub fn erase_due(&self) -> Result<Vec<Entry>> {
        let today = clock::now().date();
        let me = self.member();
        let my_keys: Vec<_> = self
            .store
            .members()?
            .into_iter()
            .filter(|certificate| certificate.member() == me)
            .map(|certificate| certificate.node_key())
            .collect();
        let mut puts: BTreeMap<RecordKey, Vec<bureau_core::entry::ErasedEntry>> = BTreeMap::new();
        for author in &my_keys {
            self.store.for_each_entry(author, |entry| {
                let key = match &entry.body {
                    Some(Body::Put(record)) => Some(&record.key),
                    Some(Body::PutSealed(sealed)) => Some(&sealed.key),
                    _ => None,
                };
                if let Some(key) = key {
                    puts.entry(key.clone())
                        .or_default()
                        .push(bureau_core::entry::ErasedEntry {
                            author: entry.header.author,
                            seq: entry.header.seq,
                            entry: entry.hash(),
                        });
                }
            })?;
        }
        let mut due: Vec<(bureau_core::entry::ErasedEntry, &'static str)> = Vec::new();
        for (key, entries) in puts {
            let Some(view) = self.store.get(&key)? else {
                continue;
            };
            let reason = match &view.record {
                None => "record cancelled",
                Some(record) if is_expired(record, today) => "retention: review date passed",
                Some(_) => continue,
            };
            due.extend(entries.into_iter().map(|entry| (entry, reason)));
        }
        let mut published = Vec::new();
        for reason in ["record cancelled", "retention: review date passed"] {
            let mine: Vec<_> = due
                .iter()
                .filter(|(_, why)| *why == reason)
                .map(|(entry, _)| entry.clone())
                .collect();
            for chunk in mine.chunks(bureau_core::entry::MAX_ERASE_ENTRIES) {
                published.push(self.append_body(Body::Erase(bureau_core::entry::Erase {
                    entries: chunk.to_vec(),
                    reason: reason.to_owned(),
                }))?);
            }
        }
        Ok(published)
    }

    /// Every member this replica knows, with the status of its certificate.
    pub fn members(&self) -> Result<Vec<MemberInfo>> {
        let now = clock::now();
        let mut members = Vec::new();
        for certificate in self.store.members()? {
            let revocation = self.store.revocation(certificate.body.serial)?;
            let status = if revocation.is_some() {
                "revoked"
            } else if certificate.is_valid_at(now) {
                "active"
            } else {
                "expired"
            };
            members.push(MemberInfo {
                member: certificate.member(),
                roles: certificate.body.roles.iter().copied().collect(),
                serial: certificate.body.serial,
                node_key: certificate.node_key().to_string(),
                not_after: certificate.body.not_after.date(),
                status: status.to_owned(),
                revocation: revocation.map(|revoke| {
                    format!(
                        "{} (entries after seq {} refused)",
                        revoke.reason, revoke.last_valid_seq
                    )
                }),
            });
        }
        members.sort_by(|a, b| a.member.cmp(&b.member).then(a.serial.cmp(&b.serial)));
        Ok(members)
    }

    /// Signs `body` as the next entry of this node's log and applies it; the caller holds the
    /// append lock.
    fn sign_and_apply(&self, body: Body) -> Result<Entry> {
        let head = self.store.head(&self.key.public())?;
        let entry = self.sign_next(head.as_ref(), body)?;
        match self.store.apply(entry.clone(), clock::now())? {
            Outcome::Applied { .. } => Ok(entry),
            Outcome::Rejected(error) => bail!("rejected: {error}"),
            other => bail!("unexpected outcome for a local entry: {other:?}"),
        }
    }

    /// Signs the entry after `head`; a restricted record is sealed to its readers.
    fn sign_next(&self, head: Option<&bureau_core::Head>, body: Body) -> Result<Entry> {
        // Entries of one log never go back in time, even if the wall clock does.
        let now = clock::now().max(head.map_or(Timestamp(0), |head| head.timestamp));
        Ok(match body {
            Body::Put(record) if record.access != Access::All => {
                let readers = self.readers(&record.access)?;
                Entry::sign_sealed(
                    &self.key,
                    self.store.network(),
                    head,
                    now,
                    record,
                    &readers,
                    crate::files::random_secret(),
                )
                .context("cannot seal the record")?
            }
            body => Entry::sign(&self.key, self.store.network(), head, now, body),
        })
    }

    /// The encryption keys a restricted record is sealed to: every current certificate of the
    /// members its access allows, and this member's own.
    pub fn readers(&self, access: &Access) -> Result<Vec<bureau_core::EncryptionPublicKey>> {
        let now = clock::now();
        let me = self.member();
        let mut readers = Vec::new();
        for certificate in self.store.members()? {
            if !certificate.is_valid_at(now)
                || self.store.revocation(certificate.body.serial)?.is_some()
                || !access.allows(certificate.member(), me)
            {
                continue;
            }
            readers.push(certificate.body.encryption_key);
        }
        readers.sort();
        readers.dedup();
        Ok(readers)
    }

    /// Publishes (or updates) a record owned by this member; returns what was published and the
    /// signed entry, for the network to gossip.
    pub fn publish(
        &self,
        local_id: &str,
        access: Access,
        review_date: Option<Date>,
        data: RecordData,
    ) -> Result<(Published, Entry)> {
        let key = RecordKey::new(data.database(), self.member(), local_id)?;
        let today = clock::now().date();
        let review_date = review_date.unwrap_or_else(|| today.plus_years(data.retention_years()));
        if review_date <= today {
            bail!("the review date {review_date} is not in the future");
        }
        let mut version = 0;
        let entry = self.append(&key, |current| {
            // One above whatever the replica holds, published or cancelled.
            version = current.map_or(1, |view| view.version + 1);
            Ok(Body::Put(Record {
                key: key.clone(),
                version,
                access,
                review_date,
                review_reason: None,
                data,
            }))
        })?;
        Ok((published(&key, version, &entry), entry))
    }

    /// Publishes many records at once (bulk import): each draft is checked, the valid ones are
    /// signed in sequence and applied in one batch (one transaction and one flush). Returns one
    /// result per draft, and the signed entries for the network.
    pub fn publish_batch(
        &self,
        drafts: Vec<crate::publish::Draft>,
    ) -> Result<(Vec<BatchResult>, Vec<Entry>)> {
        let _serialised = self
            .append
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let today = clock::now().date();
        let mut head = self.store.head(&self.key.public())?;
        let mut versions: BTreeMap<RecordKey, u64> = BTreeMap::new();
        let mut results = Vec::with_capacity(drafts.len());
        let mut entries = Vec::new();
        for draft in drafts {
            let built = (|| -> Result<Record> {
                let key = RecordKey::new(draft.data.database(), self.member(), &draft.local_id)?;
                let review_date = draft
                    .review_date
                    .unwrap_or_else(|| today.plus_years(draft.data.retention_years()));
                if review_date <= today {
                    bail!("the review date {review_date} is not in the future");
                }
                let version = match versions.get(&key) {
                    Some(version) => version + 1,
                    None => self.store.get(&key)?.map_or(1, |view| view.version + 1),
                };
                let record = Record {
                    key,
                    version,
                    access: draft.access,
                    review_date,
                    review_reason: None,
                    data: draft.data,
                };
                record.validate()?;
                Ok(record)
            })();
            match built {
                Ok(record) => {
                    versions.insert(record.key.clone(), record.version);
                    let key = record.key.clone();
                    let version = record.version;
                    let entry = self.sign_next(head.as_ref(), Body::Put(record))?;
                    head = Some(entry.as_head());
                    results.push(Ok(published(&key, version, &entry)));
                    entries.push(entry);
                }
                Err(error) => results.push(Err(format!("{error:#}"))),
            }
        }
        let report = self.store.apply_batch(entries.clone(), clock::now())?;
        for (outcome, entry) in report.outcomes.iter().zip(&entries) {
            if !matches!(outcome, Outcome::Applied { .. }) {
                bail!(
                    "the replica refused entry {} of the batch: {outcome:?}",
                    entry.header.seq
                );
            }
        }
        Ok((results, entries))
    }

    /// Extends a record's review date, with the reason the source gives (`DOMAIN.md`: "+5 with
    /// reasons"): a new version with the same data.
    pub fn extend(
        &self,
        key: &RecordKey,
        review_date: Date,
        reason: &str,
    ) -> Result<(Published, Entry)> {
        if key.owner != self.member() {
            bail!(
                "{key} belongs to {}; only the owner may extend it",
                key.owner
            );
        }
        let mut version = 0;
        let entry = self.append(key, |current| {
            let view = current.with_context(|| format!("no record {key} in this replica"))?;
            let record = view
                .record
                .with_context(|| format!("{key} is cancelled or erased"))?;
            if review_date <= record.review_date {
                bail!(
                    "{review_date} is not later than the current review date {}",
                    record.review_date
                );
            }
            version = view.version + 1;
            Ok(Body::Put(Record {
                version,
                review_date,
                review_reason: Some(reason.to_owned()),
                ..record
            }))
        })?;
        Ok((published(key, version, &entry), entry))
    }

    /// Cancels a record owned by this member; returns the result and the signed entry.
    pub fn cancel(&self, key: &RecordKey, reason: &str) -> Result<(Published, Entry)> {
        if key.owner != self.member() {
            bail!(
                "{key} belongs to {}; only the owner may cancel it",
                key.owner
            );
        }
        let mut version = 0;
        let entry = self.append(key, |current| {
            let view = current.with_context(|| format!("no record {key} in this replica"))?;
            if view.record.is_none() {
                bail!("{key} is already cancelled");
            }
            version = view.version + 1;
            Ok(Body::Cancel(Cancel {
                key: key.clone(),
                version,
                reason: reason.to_owned(),
            }))
        })?;
        Ok((published(key, version, &entry), entry))
    }

    /// Searches the replica; expired, blocked and cancelled records are left out.
    pub fn search(&self, request: &SearchRequest) -> Result<Vec<Found>> {
        crate::search::run(&self.store, &request.query, clock::now().date())
    }

    /// This member's live records whose review date falls within `within_days`, soonest first
    /// (expired ones included, at the top).
    pub fn due_for_review(&self, within_days: i64) -> Result<Vec<Record>> {
        let horizon = clock::now().date().plus_days(within_days);
        let mut due: Vec<Record> = self
            .store
            .records_of(&self.member())?
            .into_iter()
            .filter(|record| record.review_date <= horizon)
            .collect();
        due.sort_by(|a, b| {
            a.review_date
                .cmp(&b.review_date)
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(due)
    }

    pub fn get(&self, key: &RecordKey) -> Result<Option<RecordView>> {
        Ok(self.store.get(key)?)
    }

    pub fn status(&self) -> Result<Status> {
        let heads = self.store.heads()?;
        let revoked = self
            .store
            .revocation(self.certificate.body.serial)?
            .map(|revoke| revoke.reason);
        Ok(Status {
            member: self.member(),
            revoked,
            node_key: self.key.public().to_string(),
            network: self.store.network().to_string(),
            digest: bureau_store::digest_of(&heads),
            entries: heads.values().map(|head| head.seq).sum(),
            records: self.store.live_record_count()?,
            authors: heads.len(),
            members_known: self.store.members()?.len(),
            pending: self.store.pending_len(),
            store_bytes: self.store.size_on_disk()?,
        })
    }
}

fn published(key: &RecordKey, version: u64, entry: &Entry) -> Published {
    Published {
        reference: key.to_string(),
        version,
        seq: entry.header.seq,
        entry: entry.hash(),
    }
}

/// What one offline copy moved.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Copied {
    pub applied: usize,
    pub rejected: usize,
    pub batches: usize,
}

/// Copies every entry `from` holds that `to` lacks, in bounded batches (the same exchange the
/// network's sync protocol will make). Certificates travel first, since entries need them.
pub fn copy_missing(from: &Store, to: &Store) -> Result<Copied> {
    for certificate in from.members()? {
        to.learn_certificate(&certificate)?;
    }
    let mut copied = Copied::default();
    loop {
        let their_heads: BTreeMap<_, _> = to.heads()?;
        let batch = from.entries_after(&their_heads, SYNC_BATCH_ENTRIES, SYNC_BATCH_BYTES)?;
        if batch.entries.is_empty() {
            return Ok(copied);
        }
        let report = to.apply_batch_with_proofs(batch.entries, batch.proofs, clock::now())?;
        copied.batches += 1;
        for outcome in &report.outcomes {
            match outcome {
                Outcome::Applied { .. } => copied.applied += 1,
                Outcome::Rejected(_) => copied.rejected += 1,
                _ => {}
            }
        }
        if batch.complete {
            return Ok(copied);
        }
        if !report.outcomes.iter().any(Outcome::is_applied) {
            bail!("copy made no progress: the target rejects what the source holds");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record expires the day after its review date.
    #[test]
    fn records_expire_after_their_review_date() {
        let mut record =
            bureau_core::testkit::travel_document("FRA".parse().expect("code"), "p1", "P1", 1);
        let today = Date::new(2030, 6, 1).expect("date");
        record.review_date = today;
        assert!(!is_expired(&record, today), "due today is not yet expired");
        record.review_date = today.plus_days(-1);
        assert!(is_expired(&record, today));
    }
}
