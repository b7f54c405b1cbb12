//! A member's view of its local replica: publish, cancel, search, get and status, signed with
//! the node's key. The offline CLI uses it directly; the daemon will serve the same operations.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use bureau_core::entry::Cancel;
use bureau_core::{
    Access, Body, Certificate, Database, Date, Entry, Hash, MemberCode, Record, RecordData,
    RecordKey, SecretKey, Timestamp,
};
use bureau_store::{Outcome, RecordView, Store};
use serde::{Deserialize, Serialize};

use crate::audit::{AuditAction, AuditEvent, AuditLog};
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

/// Current certificates (member, encryption key), read once per append or import batch.
#[derive(Debug, Default)]
struct Readers(Option<Vec<(MemberCode, bureau_core::EncryptionPublicKey)>>);

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
    /// Wakes the outbox worker when a message is queued.
    pub outbox_waker: Arc<tokio::sync::Notify>,
    /// Every search and change made through this node (`bureau audit`).
    pub audit: AuditLog,
    /// Who acts, for the audit log: the member and the channel (`FRA/api`, `FRA/cli`).
    actor: String,
}

impl Replica {
    /// Opens the node directory's replica and teaches it the node's own certificate.
    pub fn open(dir: &NodeDir, cache_capacity_bytes: u64) -> Result<Replica> {
        Replica::open_for(dir, cache_capacity_bytes, "cli")
    }

    /// [`Replica::open`] for a channel named in the audit log: `api` for the daemon.
    pub fn open_for(dir: &NodeDir, cache_capacity_bytes: u64, channel: &str) -> Result<Replica> {
        let identity = Identity::load(dir)?;
        let actor = format!("{}/{channel}", identity.certificate.member());
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
            outbox_waker: Arc::new(tokio::sync::Notify::new()),
            audit: AuditLog::open(dir.audit_log())?,
            actor,
        })
    }

    /// Writes one line of the audit log. An operation that cannot be traced fails.
    pub fn audit(
        &self,
        action: AuditAction,
        target: impl Into<String>,
        purpose: Option<&str>,
        results: Option<u64>,
    ) -> Result<()> {
        let mut event = AuditEvent::new(clock::now(), self.actor.clone(), action, target);
        if let Some(purpose) = purpose {
            event = event.with_purpose(purpose);
        }
        if let Some(results) = results {
            event = event.with_results(results);
        }
        self.audit
            .append(event)
            .context("cannot write the audit log")?;
        Ok(())
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
        let target = format!(
            "{} serial {}",
            certificate.member(),
            certificate.body.serial
        );
        let entry = self.append_body(Body::Admit(certificate))?;
        self.audit(AuditAction::Admit, target, None, None)?;
        Ok(entry)
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
        self.audit(AuditAction::Revoke, member.to_string(), Some(reason), None)?;
        Ok(entries)
    }

    /// Blocks (or unblocks) a record on every replica (secretariat only).
    pub fn block(&self, key: &RecordKey, blocked: bool, reason: &str) -> Result<Entry> {
        let entry = self.append_body(Body::Block(bureau_core::entry::Block {
            key: key.clone(),
            blocked,
            reason: reason.to_owned(),
        }))?;
        let action = if blocked {
            AuditAction::Block
        } else {
            AuditAction::Unblock
        };
        self.audit(action, key.to_string(), Some(reason), None)?;
        Ok(entry)
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
        if !published.is_empty() {
            self.audit(
                AuditAction::Erase,
                "expired and cancelled records",
                None,
                Some(published.len() as u64),
            )?;
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
        let entry = self.sign_next(head.as_ref(), body, &mut Readers::default())?;
        match self.store.apply(entry.clone(), clock::now())? {
            Outcome::Applied { .. } => Ok(entry),
            Outcome::Rejected(error) => bail!("rejected: {error}"),
            other => bail!("unexpected outcome for a local entry: {other:?}"),
        }
    }

    /// Signs the entry after `head`; a restricted record is sealed to its readers.
    fn sign_next(
        &self,
        head: Option<&bureau_core::Head>,
        body: Body,
        readers: &mut Readers,
    ) -> Result<Entry> {
        // Entries of one log never go back in time, even if the wall clock does.
        let now = clock::now().max(head.map_or(Timestamp(0), |head| head.timestamp));
        Ok(match body {
            Body::Put(record) if record.access != Access::All => {
                let readers = self.readers(&record.access, readers)?;
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
    /// members its access allows, and this member's own. The current certificates are read
    /// once per `cache` (one append, or one import batch).
    fn readers(
        &self,
        access: &Access,
        cache: &mut Readers,
    ) -> Result<Vec<bureau_core::EncryptionPublicKey>> {
        if cache.0.is_none() {
            let now = clock::now();
            let mut current = Vec::new();
            for certificate in self.store.members()? {
                if certificate.is_valid_at(now)
                    && self.store.revocation(certificate.body.serial)?.is_none()
                {
                    current.push((certificate.member(), certificate.body.encryption_key));
                }
            }
            cache.0 = Some(current);
        }
        let me = self.member();
        let mut readers: Vec<_> = cache
            .0
            .iter()
            .flatten()
            .filter(|(member, _)| access.allows(*member, me))
            .map(|(_, key)| *key)
            .collect();
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
        self.audit(AuditAction::Publish, key.to_string(), None, None)?;
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
        let mut readers = Readers::default();
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
                    let entry = self.sign_next(head.as_ref(), Body::Put(record), &mut readers)?;
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
        self.audit(
            AuditAction::Import,
            format!("{} records", entries.len()),
            None,
            Some(entries.len() as u64),
        )?;
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
        self.audit(AuditAction::Extend, key.to_string(), Some(reason), None)?;
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
        self.audit(AuditAction::Cancel, key.to_string(), Some(reason), None)?;
        Ok((published(key, version, &entry), entry))
    }

    /// Searches the replica; expired, blocked and cancelled records are left out.
    /// Exact and DNA results owned by another member are hits: the owner is told directly.
    pub fn search(&self, request: &SearchRequest) -> Result<Vec<Found>> {
        let found = crate::search::run(&self.store, &request.query, clock::now().date())?;
        let description = request.query.describe();
        self.audit(
            AuditAction::Search,
            &description,
            request.purpose.as_deref(),
            Some(found.len() as u64),
        )?;
        if request.query.is_exact() {
            for result in &found {
                if let Ok(reference) = result.reference.parse::<RecordKey>() {
                    self.notify_hit(reference, &request.purpose, &request.place, &description)?;
                }
            }
        }
        Ok(found)
    }

    /// Tells the owner of `reference` that a search here returned it (not for own records).
    fn notify_hit(
        &self,
        reference: RecordKey,
        purpose: &Option<String>,
        place: &Option<String>,
        query: &str,
    ) -> Result<()> {
        if reference.owner == self.member() {
            return Ok(());
        }
        let owner = reference.owner;
        self.queue_message(
            owner,
            crate::mail::Content::Hit(crate::mail::HitNotice {
                reference,
                searched_at: clock::now(),
                place: place.clone(),
                purpose: purpose.clone(),
                query: query
                    .chars()
                    .take(bureau_core::schema::MAX_TEXT_CHARS)
                    .collect(),
            }),
        )?;
        Ok(())
    }

    /// This member's live records whose review date falls within `within_days`, soonest first
    /// (expired ones included, at the top).
    pub fn due_for_review(&self, within_days: i64) -> Result<Vec<Record>> {
        self.audit(
            AuditAction::Review,
            format!("due within {within_days} days"),
            None,
            None,
        )?;
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
        self.get_for(key, &crate::cli::SearchContext::default())
    }

    /// The second stage of a search: the full record. Getting another member's person or work
    /// of art (found by a fuzzy search, which only lists candidates) is the hit.
    pub fn get_for(
        &self,
        key: &RecordKey,
        context: &crate::cli::SearchContext,
    ) -> Result<Option<RecordView>> {
        let view = self.store.get(key)?;
        self.audit(
            AuditAction::Get,
            key.to_string(),
            context.purpose.as_deref(),
            Some(u64::from(view.is_some())),
        )?;
        let fuzzy = matches!(key.database, Database::Persons | Database::WorksOfArt);
        if fuzzy && view.as_ref().is_some_and(|view| view.record.is_some()) {
            self.notify_hit(
                key.clone(),
                &context.purpose,
                &context.place,
                &format!("get {key}"),
            )?;
        }
        Ok(view)
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
