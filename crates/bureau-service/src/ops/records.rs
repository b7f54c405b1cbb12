//! Operations on records: publish, get, cancel, block, extend, bulk import, review and erase.

use bureau_core::{Date, Record};
use bureau_store::RecordView;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::paths::{RecordPath, integer_or_text};
use crate::error::{Error, OrKind, Result};
use crate::operation::{Method, Operation};
use crate::query::SearchContext;
use crate::records::{
    BatchResult, Draft, IMPORT_BATCH_RECORDS, Published, RecordWithRef, RecordsPage,
};
use crate::service::Service;

/// Largest bulk-import request: a batch of [`IMPORT_BATCH_RECORDS`] records.
pub const MAX_IMPORT_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// Longest look-ahead of `bureau review`: a hundred years is past every retention period, and
/// bounds the date arithmetic.
pub const MAX_REVIEW_WITHIN_DAYS: i64 = 36_525;

impl Operation for Draft {
    type Answer = Published;
    const NAME: &'static str = "publish";
    const SUMMARY: &'static str = "Publish or update a record owned by this member";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/records";

    async fn run(self, service: &Service) -> Result<Published> {
        service
            .change(move |replica| {
                let (published, entry) =
                    replica.publish(&self.local_id, self.access, self.review_date, self.data)?;
                Ok((published, vec![entry]))
            })
            .await
    }
}

/// One record, the second stage of a search; why and where it is looked at go to the audit
/// log (and, for another member's person or work of art, to its owner as a hit).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct GetRecord {
    #[serde(flatten)]
    pub record: RecordPath,
    #[serde(flatten)]
    pub context: SearchContext,
}

impl Operation for GetRecord {
    type Answer = RecordView;
    const NAME: &'static str = "get_record";
    const SUMMARY: &'static str = "One record by reference";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/records/{database}/{owner}/{id}";

    async fn run(self, service: &Service) -> Result<RecordView> {
        let key = self.record.key()?;
        service
            .blocking(move |replica| {
                replica
                    .get_for(&key, &self.context)?
                    .or_not_found(|| format!("no record {key} in this replica"))
            })
            .await
    }
}

/// Cancels a record this member owns.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CancelRecord {
    #[serde(flatten)]
    pub record: RecordPath,
    pub reason: String,
}

impl Operation for CancelRecord {
    type Answer = Published;
    const NAME: &'static str = "cancel_record";
    const SUMMARY: &'static str = "Cancel a record this member owns";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/records/{database}/{owner}/{id}/cancel";

    async fn run(self, service: &Service) -> Result<Published> {
        let key = self.record.key()?;
        service
            .change(move |replica| {
                let (published, entry) = replica.cancel(&key, &self.reason)?;
                Ok((published, vec![entry]))
            })
            .await
    }
}

/// Blocks or unblocks a record everywhere (secretariat only).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct BlockRecord {
    #[serde(flatten)]
    pub record: RecordPath,
    /// True to block, false to unblock.
    pub blocked: bool,
    pub reason: String,
}

/// What a block or unblock published.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Blocked {
    #[serde(rename = "ref")]
    pub reference: String,
    pub blocked: bool,
    pub seq: u64,
}

impl Operation for BlockRecord {
    type Answer = Blocked;
    const NAME: &'static str = "block_record";
    const SUMMARY: &'static str = "Block or unblock a record (secretariat only)";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/records/{database}/{owner}/{id}/block";

    async fn run(self, service: &Service) -> Result<Blocked> {
        let key = self.record.key()?;
        service
            .change(move |replica| {
                let entry = replica.block(&key, self.blocked, &self.reason)?;
                let done = Blocked {
                    reference: key.to_string(),
                    blocked: self.blocked,
                    seq: entry.header.seq,
                };
                Ok((done, vec![entry]))
            })
            .await
    }
}

/// Extends a record's review date, with the reason: a new version with the same data.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExtendRecord {
    #[serde(flatten)]
    pub record: RecordPath,
    pub review_date: Date,
    pub reason: String,
}

impl Operation for ExtendRecord {
    type Answer = Published;
    const NAME: &'static str = "extend_record";
    const SUMMARY: &'static str = "Extend a record's review date, with the reason";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/records/{database}/{owner}/{id}/extend";

    async fn run(self, service: &Service) -> Result<Published> {
        let key = self.record.key()?;
        service
            .change(move |replica| {
                let (published, entry) = replica.extend(&key, self.review_date, &self.reason)?;
                Ok((published, vec![entry]))
            })
            .await
    }
}

/// A batch of a bulk import, published in one transaction. Only its last entry is gossiped:
/// peers see the gap it leaves and sync the rest, much cheaper than a message per record.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ImportBatch(pub Vec<Draft>);

impl Operation for ImportBatch {
    type Answer = Vec<BatchResult>;
    const NAME: &'static str = "import";
    const SUMMARY: &'static str = "Publish a batch of records (bulk import); one result per record";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/import";
    const MAX_REQUEST_BYTES: usize = MAX_IMPORT_REQUEST_BYTES;

    async fn run(self, service: &Service) -> Result<Vec<BatchResult>> {
        if self.0.len() > IMPORT_BATCH_RECORDS {
            return Err(Error::new(
                crate::ErrorKind::TooLarge,
                format!("at most {IMPORT_BATCH_RECORDS} records per import batch"),
            ));
        }
        service
            .change(move |replica| {
                let (results, mut entries) = replica.publish_batch(self.0)?;
                Ok((results, entries.pop().into_iter().collect()))
            })
            .await
    }
}

/// This member's records due for review within so many days (expired ones included).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DueForReview {
    #[serde(deserialize_with = "integer_or_text")]
    pub within_days: i64,
}

impl Operation for DueForReview {
    type Answer = Vec<RecordWithRef>;
    const NAME: &'static str = "due_for_review";
    const SUMMARY: &'static str = "This member's records due for review within N days";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/review/{within_days}";

    async fn run(self, service: &Service) -> Result<Vec<RecordWithRef>> {
        let within_days = self.within_days;
        if !(0..=MAX_REVIEW_WITHIN_DAYS).contains(&within_days) {
            return Err(Error::invalid(format!(
                "within_days must be between 0 and {MAX_REVIEW_WITHIN_DAYS}, not {within_days}"
            )));
        }
        let due = service
            .blocking(move |replica| replica.due_for_review(within_days))
            .await?;
        Ok(due.into_iter().map(RecordWithRef::from).collect())
    }
}

/// Erases, on every replica, the bodies of this member's expired and cancelled records.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct EraseDue {}

/// What an erasure published.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Erased {
    /// `Erase` entries published.
    pub erase_entries: usize,
}

impl Operation for EraseDue {
    type Answer = Erased;
    const NAME: &'static str = "erase";
    const SUMMARY: &'static str =
        "Erase the bodies of this member's expired and cancelled records everywhere";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/erase";

    async fn run(self, service: &Service) -> Result<Erased> {
        service
            .change(|replica| {
                let entries = replica.erase_due()?;
                Ok((
                    Erased {
                        erase_entries: entries.len(),
                    },
                    entries,
                ))
            })
            .await
    }
}

impl From<Record> for RecordWithRef {
    fn from(record: Record) -> RecordWithRef {
        RecordWithRef {
            reference: record.key.to_string(),
            record,
        }
    }
}

/// One page of one database's live records (published, not cancelled or blocked, review date
/// not passed), for `bureau export`: in the import format (`id`, the schema's fields, `access`,
/// `review_date`), with `reference` and `owner` beside them. The export is written to the audit
/// log; owners are not told (it is this replica's own copy, not a search).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExportRecords {
    /// The database (`persons`, `sltd`, ...).
    pub database: String,
    /// Only this member's records.
    #[serde(default)]
    pub owner: Option<String>,
    /// Where the previous page ended (its `next`: a record reference); from the start when
    /// absent.
    #[serde(default)]
    pub after: Option<String>,
    /// At most this many records read (default and most [`EXPORT_PAGE_RECORDS`]).
    #[serde(default, deserialize_with = "super::paths::optional_integer_or_text")]
    pub limit: Option<i64>,
}

/// Records read per export page by default, and at most.
pub const EXPORT_PAGE_RECORDS: usize = 1_000;

impl Operation for ExportRecords {
    type Answer = RecordsPage;
    const NAME: &'static str = "export_records";
    const SUMMARY: &'static str =
        "One page of a database's live records in the import format, for an export";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/export/{database}";

    async fn run(self, service: &Service) -> Result<RecordsPage> {
        let database: bureau_core::Database = self
            .database
            .parse()
            .map_err(|error| Error::invalid(format!("{error}")))?;
        let owner: Option<bureau_core::MemberCode> = self
            .owner
            .as_deref()
            .map(|code| {
                code.parse()
                    .map_err(|error| Error::invalid(format!("{code:?}: {error}")))
            })
            .transpose()?;
        let after = self
            .after
            .as_deref()
            .map(|reference| {
                let key: bureau_core::RecordKey = reference
                    .parse()
                    .map_err(|error| Error::invalid(format!("{reference:?}: {error}")))?;
                if key.database != database {
                    return Err(Error::invalid(format!(
                        "{reference} is not a record of {database}"
                    )));
                }
                Ok(key.to_bytes())
            })
            .transpose()?;
        let limit = match self.limit {
            None => EXPORT_PAGE_RECORDS,
            Some(limit) => usize::try_from(limit)
                .ok()
                .filter(|limit| (1..=EXPORT_PAGE_RECORDS).contains(limit))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "a limit of {limit} is out of range (1 to {EXPORT_PAGE_RECORDS})"
                    ))
                })?,
        };
        service
            .blocking(move |replica| {
                crate::records::export_page(replica, database, owner, after.as_deref(), limit)
            })
            .await
    }
}
