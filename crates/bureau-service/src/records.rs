//! A member's own records: publish, bulk import, extend, cancel, and what is due for review.
//! Each change is signed as the next entry of this node's log under the append lock and
//! applied to the replica before it is acknowledged.

use std::collections::BTreeMap;

use bureau_core::entry::Cancel;
use bureau_core::quota::{Amount, Bucket};
use bureau_core::{Access, Body, Date, Entry, Hash, Record, RecordData, RecordKey};
use bureau_store::Outcome;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use crate::clock;
use crate::error::{ErrorKind, OrKind, Result};
use crate::fail;
use crate::replica::{Readers, Replica, Trace};

/// Records in one bulk-import batch: one transaction, one flush, one gossip message.
pub const IMPORT_BATCH_RECORDS: usize = 1000;

/// A record ready to publish: what the CLI sends to the API.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Draft {
    pub local_id: String,
    pub access: Access,
    pub review_date: Option<Date>,
    pub data: RecordData,
}

/// What a publish or cancel did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Published {
    #[serde(rename = "ref")]
    pub reference: String,
    pub version: u64,
    pub seq: u64,
    pub entry: Hash,
}

/// One draft's fate in a batch: what was published, or why not.
pub type BatchResult = Result<Published, String>;

impl Replica {
    /// Publishes (or updates) a record owned by this member; returns what was published and the
    /// signed entry, for the network to gossip.
    pub fn publish(
        &self,
        local_id: &str,
        access: Access,
        review_date: Option<Date>,
        data: RecordData,
    ) -> Result<(Published, Entry)> {
        let key = self.own_key(data.database(), local_id, &access)?;
        let review_date = review_date_of(review_date, &data, clock::now().date())?;
        let mut version = 0;
        let entry = self.append(
            &key,
            Trace::new(AuditAction::Publish, key.to_string(), None),
            |current| {
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
            },
        )?;
        Ok((published(&key, version, &entry), entry))
    }

    /// Publishes many records at once (bulk import): each draft is checked, the valid ones are
    /// signed in sequence and applied in one batch (one transaction and one flush). Returns one
    /// result per draft, and the signed entries for the network.
    pub fn publish_batch(&self, drafts: Vec<Draft>) -> Result<(Vec<BatchResult>, Vec<Entry>)> {
        let _serialised = self
            .append_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.check_may_sign()?;
        let today = clock::now().date();
        let mut head = self.store.head(&self.key.public())?;
        let mut versions: BTreeMap<RecordKey, u64> = BTreeMap::new();
        let mut readers = Readers::default();
        let mut results = Vec::with_capacity(drafts.len());
        let mut entries = Vec::new();
        // The log's storage quota, checked before an entry is kept: an entry every replica
        // would refuse must not take a sequence number.
        let mut held: BTreeMap<Bucket, Amount> = self
            .store
            .log_usage(&self.key.public())?
            .into_iter()
            .collect();
        for draft in drafts {
            let built = (|| -> Result<Record> {
                let key = self.own_key(draft.data.database(), &draft.local_id, &draft.access)?;
                let review_date = review_date_of(draft.review_date, &draft.data, today)?;
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
                bureau_core::validate::check_record_rights(self.member(), &record)?;
                Ok(record)
            })();
            match built {
                Ok(record) => {
                    let key = record.key.clone();
                    let version = record.version;
                    let bucket = Bucket::Records(key.database);
                    let entry = self.sign_next(head.as_ref(), Body::Put(record), &mut readers)?;
                    let used = held.entry(bucket).or_default();
                    if let Err(error) = self.check_quota(bucket, *used, &entry) {
                        results.push(Err(error.to_string()));
                        continue;
                    }
                    used.entries += 1;
                    used.bytes += bureau_core::codec::encoded_len(&entry) as u64;
                    versions.insert(key.clone(), version);
                    head = Some(entry.as_head());
                    results.push(Ok(published(&key, version, &entry)));
                    entries.push(entry);
                }
                Err(error) => results.push(Err(format!("{error:#}"))),
            }
        }
        if !entries.is_empty() {
            self.audit(
                AuditAction::Import,
                format!("{} records", entries.len()),
                None,
                Some(entries.len() as u64),
            )?;
        }
        let report = self.store.apply_batch(entries.clone(), clock::now())?;
        for (outcome, entry) in report.outcomes.iter().zip(&entries) {
            if !matches!(outcome, Outcome::Applied { .. }) {
                fail!(
                    Internal,
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
            fail!(
                Forbidden,
                "{key} belongs to {}; only the owner may extend it",
                key.owner
            );
        }
        let key = &self.resolve_own(key)?;
        let mut version = 0;
        let entry = self.append(
            key,
            Trace::new(AuditAction::Extend, key.to_string(), Some(reason)),
            |current| {
                let view = current.or_not_found(|| format!("no record {key} in this replica"))?;
                let record = view.record.or_kind(ErrorKind::Conflict, || {
                    format!("{key} is cancelled or erased")
                })?;
                if review_date <= record.review_date {
                    fail!(
                        InvalidInput,
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
            },
        )?;
        Ok((published(key, version, &entry), entry))
    }

    /// Cancels a record owned by this member; returns the result and the signed entry.
    pub fn cancel(&self, key: &RecordKey, reason: &str) -> Result<(Published, Entry)> {
        if key.owner != self.member() {
            fail!(
                Forbidden,
                "{key} belongs to {}; only the owner may cancel it",
                key.owner
            );
        }
        let key = &self.resolve_own(key)?;
        let mut version = 0;
        let entry = self.append(
            key,
            Trace::new(AuditAction::Cancel, key.to_string(), Some(reason)),
            |current| {
                let view = current.or_not_found(|| format!("no record {key} in this replica"))?;
                if view.record.is_none() {
                    fail!(Conflict, "{key} is already cancelled");
                }
                version = view.version + 1;
                Ok(Body::Cancel(Cancel {
                    key: key.clone(),
                    version,
                    reason: reason.to_owned(),
                }))
            },
        )?;
        Ok((published(key, version, &entry), entry))
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
}

/// The review date a new record gets: the one asked for, or today plus its database's
/// retention; it must lie in the future.
fn review_date_of(requested: Option<Date>, data: &RecordData, today: Date) -> Result<Date> {
    let review_date = requested.unwrap_or_else(|| today.plus_years(data.retention_years()));
    if review_date <= today {
        fail!(
            InvalidInput,
            "the review date {review_date} is not in the future"
        );
    }
    Ok(review_date)
}

fn published(key: &RecordKey, version: u64, entry: &Entry) -> Published {
    Published {
        reference: key.to_string(),
        version,
        seq: entry.header.seq,
        entry: entry.hash(),
    }
}

/// A record with its reference alongside, as lists of records answer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RecordWithRef {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(flatten)]
    pub record: Record,
}

/// A page of exported records.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RecordsPage {
    /// The live records among those read, as JSON objects in the import format.
    pub records: Vec<serde_json::Value>,
    /// Records read for this page (live or not).
    pub read: usize,
    /// Where the next page starts; absent after the last one.
    pub next: Option<String>,
}

/// JSON bytes after which an export page ends, whatever its record count: well under what an
/// HTTP client reads of one answer by default (10 MB for the CLI's).
pub const EXPORT_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// One page of an export (see `ops::records::ExportRecords`): the records of `database` (of
/// `owner` when given) after `after` (record key bytes), at most `limit` read and about
/// [`EXPORT_PAGE_BYTES`] written, the live ones in the import format. Each page is written to
/// the audit log.
pub fn export_page(
    replica: &Replica,
    database: bureau_core::Database,
    owner: Option<bureau_core::MemberCode>,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<RecordsPage> {
    let store = &replica.store;
    let keys = store.record_keys_page(database, owner, after, limit)?;
    let today = clock::now().date();
    let mut records = Vec::new();
    let mut bytes = 0;
    let mut read = 0;
    for key in &keys {
        read += 1;
        if let Some(record) = store.searchable(key)?
            && record.review_date >= today
        {
            let record = import_form(&record)?;
            bytes += record.to_string().len();
            records.push(record);
            if bytes >= EXPORT_PAGE_BYTES {
                break;
            }
        }
    }
    replica.audit(
        AuditAction::Export,
        format!(
            "{database}{}",
            owner.map(|owner| format!("/{owner}")).unwrap_or_default()
        ),
        None,
        Some(records.len() as u64),
    )?;
    // More may follow when the page stopped early or read as many keys as it could.
    let next = (read < keys.len() || keys.len() == limit)
        .then(|| keys.get(read - 1))
        .flatten()
        .map(|key| {
            RecordKey::from_bytes(key)
                .map(|key| key.to_string())
                .ok_or_else(|| crate::error::Error::internal("a record key the store cannot read"))
        })
        .transpose()?;
    Ok(RecordsPage {
        read,
        records,
        next,
    })
}

/// A record as `bureau import` reads it: `id`, the schema's fields, `access` (when not open to
/// all) and `review_date`, with its `reference` and `owner`.
fn import_form(record: &Record) -> Result<serde_json::Value> {
    let tagged = serde_json::to_value(&record.data)
        .map_err(|error| crate::error::Error::internal(format!("cannot show a record: {error}")))?;
    let mut object = match tagged {
        serde_json::Value::Object(map) => match map.into_iter().next() {
            Some((_, serde_json::Value::Object(fields))) => fields,
            _ => serde_json::Map::new(),
        },
        _ => serde_json::Map::new(),
    };
    object.insert("id".into(), record.key.local_id.clone().into());
    if record.access != Access::All {
        let access = serde_json::to_value(&record.access).map_err(|error| {
            crate::error::Error::internal(format!("cannot show a record: {error}"))
        })?;
        object.insert("access".into(), access);
    }
    object.insert("review_date".into(), record.review_date.to_string().into());
    let mut out = serde_json::Map::new();
    out.insert("reference".into(), record.key.to_string().into());
    out.insert("owner".into(), record.key.owner.to_string().into());
    out.extend(object);
    Ok(serde_json::Value::Object(out))
}
