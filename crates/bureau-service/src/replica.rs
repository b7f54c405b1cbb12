//! A member's view of its local replica: publish, cancel, search, get and status, signed with
//! the node's key. The offline CLI uses it directly; the daemon will serve the same operations.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::error::{Context, Error, Result};
use crate::fail;
use bureau_core::case::{CaseAction, DiffusionAction, NoticeAction};
use bureau_core::quota::{Amount, Bucket};
use bureau_core::validate::EntryError;
use bureau_core::{
    Access, Body, Certificate, Date, Entry, Hash, MemberCode, Record, RecordKey, SecretKey,
    Timestamp,
};
use bureau_store::{Outcome, RecordView, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::{self, AuditAction, AuditEvent, AuditLog, AuditState, Rollback};
use crate::clock;
use crate::files::{Identity, NodeDir};
use bureau_core::AuditWitness;

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
pub(crate) struct Readers(Option<Vec<(MemberCode, bureau_core::EncryptionPublicKey)>>);

/// Days before its certificate expires at which a node starts warning (status and log).
pub const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// A fork as `status` shows it: a key that signed two histories.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ForkInfo {
    /// The member the key belongs to (`None` if no certificate of it is known here).
    pub member: Option<MemberCode>,
    pub key: String,
    /// The first seq at which the two histories differ: the log is frozen before it.
    pub seq: u64,
}

/// A node's status.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Status {
    pub member: MemberCode,
    /// Set when this node's own certificate has been revoked: why.
    pub revoked: Option<String>,
    /// Keys whose logs forked, as this replica knows them (its own included).
    pub forks: Vec<ForkInfo>,
    /// Days until this node's certificate expires (negative once expired).
    pub certificate_days_left: i64,
    /// Restored from a backup and not signing yet: the seq of its own log it waits to get back
    /// from a member (see `backup`).
    pub restored_awaiting_seq: Option<u64>,
    /// What the operator should act on: a fork of this node's log, a certificate about to
    /// expire.
    pub warnings: Vec<String>,
    pub node_key: String,
    pub network: String,
    pub digest: Hash,
    pub entries: u64,
    pub records: u64,
    pub authors: usize,
    pub members_known: usize,
    pub pending: usize,
    /// Bytes of the entries held waiting for their predecessors.
    pub pending_bytes: usize,
    pub store_bytes: u64,
    /// Messages waiting in the outbox.
    pub outbox: usize,
    /// Members whose messages this node refused today for being past their inbox quota.
    pub inbox_refusals: Vec<InboxRefusals>,
    /// Members seen publishing like a flooder: many live records under one identifier, more
    /// entries in an hour than `bureau_store::MAX_ENTRIES_PER_MEMBER_PER_HOUR`, or entries past
    /// their storage quota (since start).
    pub anomalies: Vec<Anomaly>,
    /// What this node's own log holds in each storage quota bucket it uses, with the genesis's
    /// limit (a warning is added from [`QUOTA_WARNING_PERCENT`] of either limit).
    pub quota: Vec<QuotaUse>,
    /// The audit log against the head the network last witnessed.
    pub audit: AuditState,
}

/// The audit line of a change, written before the change is signed: a change whose line
/// cannot be written does not happen.
#[derive(Debug)]
pub(crate) struct Trace<'a> {
    action: AuditAction,
    target: String,
    purpose: Option<&'a str>,
}

impl<'a> Trace<'a> {
    pub(crate) fn new(
        action: AuditAction,
        target: impl Into<String>,
        purpose: Option<&'a str>,
    ) -> Trace<'a> {
        Trace {
            action,
            target: target.into(),
            purpose,
        }
    }
}

/// Share of a storage quota (entries or bytes) from which `status` warns.
pub const QUOTA_WARNING_PERCENT: u64 = 90;

/// What this node's log holds in one quota bucket.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct QuotaUse {
    /// A database name, or `other`.
    pub bucket: String,
    /// Entries held with their body, and their encoded bytes.
    pub entries: u64,
    pub bytes: u64,
    /// The genesis's limits for this member (absent: unlimited).
    pub max_entries: Option<u64>,
    pub max_bytes: Option<u64>,
}

/// Signals of decoys or a flood from one member (see `bureau_store::anomaly`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Anomaly {
    pub member: MemberCode,
    /// Identifiers under which it holds more than `bureau_store::MAX_RECORDS_PER_IDENTIFIER`
    /// live records (counted as records were applied since this node started).
    pub crowded_identifiers: u64,
    /// The last such identifier, normalised as indexed.
    pub last_crowded: Option<String>,
    /// Hours in which it signed more entries than the hourly limit.
    pub busy_hours: u64,
    /// Entries of its logs refused here for their storage quota, and the last bucket.
    pub over_quota: u64,
    pub last_over_quota: Option<String>,
}

/// One member past its inbox quota today.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct InboxRefusals {
    pub member: MemberCode,
    /// Messages refused today.
    pub refused: u32,
}

/// The local replica, opened with the node's identity.
#[derive(Debug)]
pub struct Replica {
    pub store: Arc<Store>,
    pub key: SecretKey,
    pub certificate: Certificate,
    /// Serialises appends: reading the head, signing the next entry and applying it are one step.
    pub(crate) append_lock: Mutex<()>,
    /// Wakes the outbox worker when a message is queued.
    pub outbox_waker: Arc<tokio::sync::Notify>,
    /// Every search and change made through this node (`bureau audit`).
    pub audit: AuditLog,
    /// Who acts, for the audit log: the member and the channel (`FRA/api`, `FRA/cli`).
    actor: String,
    /// The records whose owners were told of a hit today, so each hears of a record at most
    /// once a day from this member however often it is searched.
    pub(crate) hits_told: Mutex<HitsTold>,
    /// What each sender may leave in the inbox when set; `mail::INBOX_QUOTA` otherwise (tests
    /// lower it to flood a node quickly).
    pub inbox_quota: Mutex<Option<bureau_store::InboxQuota>>,
    /// A witnessed audit head the operator accepted losing at start: not held against the log
    /// until the next witness replaces it.
    pub(crate) audit_loss_accepted: Mutex<Option<bureau_core::AuditWitness>>,
    /// What the local ids of this member's restricted records are keyed with
    /// (`bureau_core::record::opaque_local_id`).
    opaque_id_key: [u8; 32],
}

/// Most records remembered as told of a hit in one day; past it the memory starts over (an
/// owner may then hear of a record twice that day, never not at all).
pub const MAX_HITS_REMEMBERED: usize = 200_000;

/// The records whose owners heard of a hit on `day`.
#[derive(Debug, Default)]
pub(crate) struct HitsTold {
    day: Option<bureau_core::Date>,
    records: std::collections::HashSet<bureau_core::RecordKey>,
}

impl HitsTold {
    /// Whether the owner of `record` is still to hear of a hit on it `today`; remembers that it
    /// now has.
    pub(crate) fn first_today(
        &mut self,
        record: &bureau_core::RecordKey,
        today: bureau_core::Date,
    ) -> bool {
        if self.day != Some(today) || self.records.len() >= MAX_HITS_REMEMBERED {
            self.day = Some(today);
            self.records.clear();
        }
        self.records.insert(record.clone())
    }
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
        config.retired_unseal_keys = identity.retired.clone();
        let encryption_secret = identity.encryption.0;
        let store = Store::open(&config, &identity.genesis)?;
        store.learn_certificate(&identity.certificate)?;
        Ok(Replica {
            store: Arc::new(store),
            key: identity.key,
            certificate: identity.certificate,
            append_lock: Mutex::new(()),
            outbox_waker: Arc::new(tokio::sync::Notify::new()),
            audit: AuditLog::open(dir.audit_log())?,
            actor,
            hits_told: Mutex::new(HitsTold::default()),
            inbox_quota: Mutex::new(None),
            audit_loss_accepted: Mutex::new(None),
            opaque_id_key: bureau_core::record::opaque_id_key(&encryption_secret),
        })
    }

    /// The latest audit head this node's key signed, as this replica holds it.
    pub fn audit_witnessed(&self) -> Result<Option<AuditWitness>> {
        Ok(self.store.audit_witness(&self.key.public())?)
    }

    /// The audit log against the latest witnessed head: how it falls short, if it does (a loss
    /// the operator accepted at start is not held against it).
    pub fn audit_rollback(&self) -> Result<Option<Rollback>> {
        let Some(witness) = self.audit_witnessed()? else {
            return Ok(None);
        };
        if *self.lock_accepted() == Some(witness) {
            return Ok(None);
        }
        Ok(audit::check_witness(self.audit.path(), &witness)?)
    }

    /// What `status` shows of the audit log.
    pub fn audit_state(&self) -> Result<AuditState> {
        let witnessed = self.audit_witnessed()?;
        Ok(AuditState {
            lines: self.audit.head().seq,
            witnessed_lines: witnessed.map(|witness| witness.seq),
            witnessed_bytes: witnessed.map(|witness| witness.len),
            witnessed_hash: witnessed.map(|witness| witness.hash),
            rolled_back: self.audit_rollback()?.map(|rollback| rollback.to_string()),
        })
    }

    pub(crate) fn lock_accepted(&self) -> std::sync::MutexGuard<'_, Option<AuditWitness>> {
        self.audit_loss_accepted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The key this member's record `local_id` takes when published with `access`: a restricted
    /// record gets an opaque local id, so that its reference says nothing of the identifier.
    pub(crate) fn own_key(
        &self,
        database: bureau_core::Database,
        local_id: &str,
        access: &bureau_core::Access,
    ) -> Result<RecordKey> {
        let local_id = match access {
            bureau_core::Access::All => local_id.to_owned(),
            _ => bureau_core::record::opaque_local_id(&self.opaque_id_key, database, local_id),
        };
        Ok(RecordKey::new(database, self.member(), &local_id)?)
    }

    /// This member's record as a caller names it: a restricted record may be named by the id it
    /// was published with, and is found under its opaque id. Other keys are returned as they
    /// are.
    /// A case id that names neither the person nor the case's content: a hash of `seed` keyed
    /// like restricted records' ids, so the same seed gives the same id.
    pub(crate) fn opaque_case_id(&self, seed: &str) -> String {
        bureau_core::record::opaque_local_id(
            &self.opaque_id_key,
            bureau_core::Database::Persons,
            &format!("case/{seed}"),
        )
    }

    pub(crate) fn resolve_own(&self, key: &RecordKey) -> Result<RecordKey> {
        if key.owner != self.member()
            || bureau_core::record::is_opaque_id(&key.local_id)
            || self.store.get(key)?.is_some()
        {
            return Ok(key.clone());
        }
        let opaque = RecordKey::new(
            key.database,
            key.owner,
            &bureau_core::record::opaque_local_id(&self.opaque_id_key, key.database, &key.local_id),
        )?;
        Ok(if self.store.get(&opaque)?.is_some() {
            opaque
        } else {
            key.clone()
        })
    }

    /// Writes a change's audit line.
    pub(crate) fn trace(&self, trace: Trace<'_>) -> Result<()> {
        self.audit(trace.action, trace.target, trace.purpose, None)
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

    /// Builds the next entry's body (given the version the change must carry), writes the
    /// change's audit line, then signs it as the next entry of this node's log and applies it.
    /// Reading the current version and the head, signing and applying are one step under the
    /// append lock, so concurrent changes never share a version or a seq.
    pub(crate) fn append(
        &self,
        key: &RecordKey,
        trace: Trace<'_>,
        build: impl FnOnce(Option<RecordView>) -> Result<Body>,
    ) -> Result<Entry> {
        let _serialised = self
            .append_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let body = build(self.store.get(key)?)?;
        self.check_may_sign()?;
        self.trace(trace)?;
        self.sign_and_apply(body)
    }

    /// Writes the change's audit line, then signs and applies a body that is not a record
    /// change.
    pub(crate) fn append_traced(&self, body: Body, trace: Trace<'_>) -> Result<Entry> {
        let _serialised = self
            .append_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.check_may_sign()?;
        self.trace(trace)?;
        self.sign_and_apply(body)
    }

    /// Signs and applies a body that is not a record change, without an audit line (the audit
    /// witness; tests).
    pub fn append_body(&self, body: Body) -> Result<Entry> {
        let _serialised = self
            .append_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.sign_and_apply(body)
    }

    /// Signs `body` as the next entry of this node's log and applies it; the caller holds the
    /// append lock.
    pub(crate) fn sign_and_apply(&self, body: Body) -> Result<Entry> {
        self.check_may_sign()?;
        let head = self.store.head(&self.key.public())?;
        let entry = self.sign_next(head.as_ref(), body, &mut Readers::default())?;
        match self.store.apply(entry.clone(), clock::now())? {
            Outcome::Applied { .. } => Ok(entry),
            Outcome::Rejected(error) => Err(Error::from(error).context("rejected")),
            other => fail!(Internal, "unexpected outcome for a local entry: {other:?}"),
        }
    }

    /// Refuses to sign what every replica would refuse, and what would fork this node's log:
    /// its log forked already, its key was revoked, or no certificate of its key is valid now.
    pub(crate) fn check_may_sign(&self) -> Result<()> {
        let key = self.key.public();
        if let Some(proof) = self.store.fork_proof(&key)? {
            fail!(
                Conflict,
                "this node's log forked at seq {}: another process (a copied directory, a restored backup) signed with its key; nothing it signs is accepted any more. The secretariat must revoke this key (`bureau revoke {}`) and admit a new one",
                proof.point().unwrap_or_default(),
                self.member()
            );
        }
        if let Some(seq) = self.store.restored_own_seq()? {
            let held = self.store.head(&key)?.map_or(0, |head| head.seq);
            if held < seq {
                fail!(
                    Unavailable,
                    "this directory was restored from a backup taken when this node's log had reached seq {seq}, and the replica holds it up to seq {held}: it signs nothing until it has its own log back from a member, or it would fork it. Start the node (`bureau node run`) and let it sync; `bureau status` shows when it may sign"
                );
            }
        }
        if let Some(revoke) = self.store.revocation_of_key(&key)? {
            fail!(
                Forbidden,
                "this node's key was revoked: {} (entries after seq {} are refused)",
                revoke.reason,
                revoke.last_valid_seq
            );
        }
        let now = clock::now();
        let certificates = self.store.certificates(&key)?;
        if !certificates
            .iter()
            .any(|certificate| certificate.is_valid_at(now))
        {
            let latest =
                bureau_store::latest(certificates).unwrap_or_else(|| self.certificate.clone());
            if latest.body.not_before > now {
                fail!(
                    Conflict,
                    "this node's certificate is not valid before {} (is the clock right?)",
                    latest.body.not_before.date()
                );
            }
            fail!(
                Forbidden,
                "this node's certificate {} expired on {}: ask the root-key holder for a renewal (`bureau admit --renew {}`), announce it (`bureau admit-publish --renew {}`), put it at node.cert and restart",
                latest.body.serial,
                latest.body.not_after.date(),
                latest.body.serial,
                latest.body.serial
            );
        }
        Ok(())
    }

    /// Refuses an entry this node signed but has not kept when it would take the log past its
    /// storage quota in `bucket` (`held`: what the log holds there).
    pub(crate) fn check_quota(
        &self,
        bucket: Bucket,
        held: Amount,
        entry: &Entry,
    ) -> std::result::Result<(), EntryError> {
        let Some(limit) = self.store.quota_limit(self.member(), bucket) else {
            return Ok(());
        };
        let len = bureau_core::codec::encoded_len(entry) as u64;
        if held.fits(len, &limit) {
            return Ok(());
        }
        Err(EntryError::OverQuota {
            bucket,
            held_entries: held.entries,
            held_bytes: held.bytes,
            limit_entries: limit.entries,
            limit_bytes: limit.bytes,
        })
    }

    /// Days until this node's latest certificate expires (negative once it has).
    pub fn certificate_days_left(&self) -> Result<i64> {
        let latest = bureau_store::latest(self.store.certificates(&self.key.public())?)
            .unwrap_or_else(|| self.certificate.clone());
        let left_ms = i128::from(latest.body.not_after.0) - i128::from(clock::now().0);
        Ok(i64::try_from(left_ms.div_euclid(86_400_000)).unwrap_or(i64::MAX))
    }

    /// Signs the entry after `head`; a restricted record is sealed to its readers.
    pub(crate) fn sign_next(
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
            Body::Cancel(cancel) => match self.restricted_access(&cancel.key)? {
                Some(access) => {
                    let readers = self.readers(&access, readers)?;
                    Entry::sign_sealed_cancel(
                        &self.key,
                        self.store.network(),
                        head,
                        now,
                        cancel,
                        &readers,
                        crate::files::random_secret(),
                    )
                    .context("cannot seal the cancellation")?
                }
                None => Entry::sign(
                    &self.key,
                    self.store.network(),
                    head,
                    now,
                    Body::Cancel(cancel),
                ),
            },
            Body::Notice(action) if !matches!(action, NoticeAction::Publish { .. }) => {
                self.sign_case(head, now, CaseAction::Notice(action), readers)?
            }
            Body::Diffusion(action) => {
                self.sign_case(head, now, CaseAction::Diffusion(action), readers)?
            }
            body => Entry::sign(&self.key, self.store.network(), head, now, body),
        })
    }

    /// Signs a notice or diffusion action sealed to the case's readers: its owner and the
    /// secretariat, and a diffusion's recipients.
    fn sign_case(
        &self,
        head: Option<&bureau_core::Head>,
        now: Timestamp,
        action: CaseAction,
        readers: &mut Readers,
    ) -> Result<Entry> {
        let case = action.case(self.member());
        let mut members = std::collections::BTreeSet::from([case.owner, MemberCode::SECRETARIAT]);
        match &action {
            CaseAction::Diffusion(DiffusionAction::Send { to, .. }) => members.extend(to),
            CaseAction::Diffusion(_) => {
                if let Some(diffusion) = self.store.diffusion(&case)? {
                    members.extend(diffusion.to);
                }
            }
            CaseAction::Notice(_) => {}
        }
        let readers = self.readers(&Access::Members(members), readers)?;
        Entry::sign_sealed_case(
            &self.key,
            self.store.network(),
            head,
            now,
            self.member(),
            action,
            &readers,
            crate::files::random_secret(),
        )
        .context("cannot seal the case action")
    }

    /// The access of a record this replica reads, when it is restricted: its cancellation is
    /// sealed to the same readers.
    fn restricted_access(&self, key: &RecordKey) -> Result<Option<Access>> {
        Ok(self
            .store
            .get(key)?
            .and_then(|view| view.record)
            .map(|record| record.access)
            .filter(|access| *access != Access::All))
    }

    /// The encryption keys a restricted record is sealed to: every current certificate of the
    /// members its access allows, and this member's own. The current certificates are read
    /// once per `cache` (one append, or one import batch).
    /// Fills `cache` with the current certificates' members and encryption keys, if empty.
    pub(crate) fn current_readers<'c>(
        &self,
        cache: &'c mut Readers,
    ) -> Result<&'c [(MemberCode, bureau_core::EncryptionPublicKey)]> {
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
            current.sort();
            cache.0 = Some(current);
        }
        Ok(cache.0.as_deref().unwrap_or_default())
    }

    pub(crate) fn readers(
        &self,
        access: &Access,
        cache: &mut Readers,
    ) -> Result<Vec<bureau_core::EncryptionPublicKey>> {
        self.current_readers(cache)?;
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

    pub fn status(&self) -> Result<Status> {
        let heads = self.store.heads()?;
        let own = self.key.public();
        let revoked = self
            .store
            .revocation_of_key(&own)?
            .map(|revoke| revoke.reason);
        let mut forks = Vec::new();
        let mut warnings = Vec::new();
        for (key, seq) in self.store.fork_points()? {
            let member = self.store.certificate(&key)?.map(|c| c.member());
            if key == own {
                warnings.push(format!(
                    "this node's log forked at seq {seq}: it no longer signs; the secretariat must revoke its key and admit a new one"
                ));
            }
            forks.push(ForkInfo {
                member,
                key: key.to_string(),
                seq,
            });
        }
        let certificate_days_left = self.certificate_days_left()?;
        if certificate_days_left < 0 {
            warnings.push("this node's certificate has expired: it no longer signs".to_owned());
        } else if certificate_days_left <= CERTIFICATE_WARNING_DAYS {
            warnings.push(format!(
                "this node's certificate expires in {certificate_days_left} days: ask the root-key holder for a renewal"
            ));
        }
        let mut quota = Vec::new();
        for (bucket, held) in self.store.log_usage(&own)? {
            let limit = self.store.quota_limit(self.member(), bucket);
            if let Some(limit) = limit {
                let near = |held: u64, max: u64| {
                    u128::from(held) * 100 >= u128::from(max) * u128::from(QUOTA_WARNING_PERCENT)
                };
                if near(held.entries, limit.entries) || near(held.bytes, limit.bytes) {
                    warnings.push(format!(
                        "this node's log holds {} {bucket} entries ({} bytes) of the {} entries and {} bytes its storage quota allows: erase old entries, or ask for a larger quota in the next genesis",
                        held.entries, held.bytes, limit.entries, limit.bytes
                    ));
                }
            }
            quota.push(QuotaUse {
                bucket: bucket.to_string(),
                entries: held.entries,
                bytes: held.bytes,
                max_entries: limit.map(|limit| limit.entries),
                max_bytes: limit.map(|limit| limit.bytes),
            });
        }
        let audit = self.audit_state()?;
        if let Some(rolled_back) = &audit.rolled_back {
            warnings.push(format!(
                "{rolled_back}: find out why (restored from a backup? edited?) and restart the node with --accept-audit-loss"
            ));
        }
        let restored_awaiting_seq = self.store.restored_own_seq()?;
        if let Some(seq) = restored_awaiting_seq {
            warnings.push(format!(
                "restored from a backup taken at seq {seq} of this node's log: it signs nothing until a member has given that log back (the node must run and reach a member)"
            ));
        }
        Ok(Status {
            audit,
            member: self.member(),
            revoked,
            forks,
            certificate_days_left,
            restored_awaiting_seq,
            warnings,
            node_key: own.to_string(),
            network: self.store.network().to_string(),
            digest: self.store.digest()?,
            entries: heads.values().map(|head| head.seq).sum(),
            records: self.store.live_record_count()?,
            authors: heads.len(),
            members_known: self.store.members()?.len(),
            pending: self.store.pending_len(),
            pending_bytes: self.store.pending_bytes(),
            store_bytes: self.store.size_on_disk()?,
            outbox: self.store.outbox_len()?,
            inbox_refusals: self.inbox_refusals()?,
            anomalies: self
                .store
                .anomalies_seen()
                .into_iter()
                .map(|(member, seen)| Anomaly {
                    member,
                    crowded_identifiers: seen.crowded_identifiers,
                    last_crowded: seen.last_crowded,
                    busy_hours: seen.busy_hours,
                    over_quota: seen.over_quota,
                    last_over_quota: seen.last_over_quota.map(|bucket| bucket.to_string()),
                })
                .collect(),
            quota,
        })
    }

    /// Members past their inbox quota today (UTC).
    fn inbox_refusals(&self) -> Result<Vec<InboxRefusals>> {
        let today = i64::try_from(clock::now().0 / 86_400_000).unwrap_or(i64::MAX);
        Ok(self
            .store
            .inbox_usage()?
            .into_iter()
            .filter(|(_, usage)| usage.day == today && usage.refused_today > 0)
            .map(|(member, usage)| InboxRefusals {
                member,
                refused: usage.refused_today,
            })
            .collect())
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
            fail!(
                Internal,
                "copy made no progress: the target rejects what the source holds"
            );
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
