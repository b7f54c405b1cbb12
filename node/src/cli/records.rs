//! Record commands: `publish`, `get`, `cancel`, `extend`, `block` and `unblock`, `review`,
//! `erase` and `import`, and how their answers are printed. The flags of `publish` and their
//! conversion to a record are in `publish`.

use std::path::PathBuf;

use anyhow::{Result, bail};
use bureau_core::{Database, Date, RecordKey};
use bureau_service::ops::{
    BlockRecord, CancelRecord, DueForReview, EraseDue, ExtendRecord, GetRecord, GetStatus,
    ImportBatch, RecordPath,
};
use bureau_service::replica::is_expired;
use clap::Args;

use super::context::Context;
use super::import;
use super::publish::{Publish, draft};
use super::search::ContextFlags;
use crate::backend::Backend;
use crate::output;

/// `bureau publish ...`
pub fn publish(context: &Context, publish: Publish) -> Result<()> {
    let backend = context.backend()?;
    let member = backend.call(GetStatus {})?.replica.member;
    let published = backend.call(draft(publish, member)?)?;
    context.print(&published, |published| {
        println!(
            "published {} (version {}, entry {})",
            published.reference, published.version, published.seq
        );
    })
}

/// `bureau get REF`
#[derive(Debug, Args)]
pub struct Get {
    /// The record: DATABASE/OWNER/ID, as `publish` and `search` print it.
    reference: RecordKey,
    #[command(flatten)]
    context: ContextFlags,
}

pub fn get(context: &Context, get: Get) -> Result<()> {
    let reference = get.reference;
    let view = context.backend()?.call(GetRecord {
        record: RecordPath::from(&reference),
        context: get.context.into(),
    })?;
    context.print(&view, |view| match &view.record {
        Some(record) => {
            println!("{reference}  version {}", view.version);
            println!(
                "{}",
                serde_json::to_string_pretty(&record.data).unwrap_or_default()
            );
            println!("review by {}", record.review_date);
            if is_expired(record, bureau_service::clock::now().date()) {
                println!("EXPIRED: the review date has passed (not shown in searches)");
            }
            if let Some(reason) = &view.blocked {
                println!("BLOCKED by the secretariat: {reason} (hidden from search)");
            }
        }
        None if view.erased => println!(
            "{reference}  version {}  erased (expired or cancelled)",
            view.version
        ),
        None => println!(
            "{reference}  version {}  cancelled: {}",
            view.version,
            view.cancel_reason.as_deref().unwrap_or("no reason")
        ),
    })
}

/// `bureau cancel REF --reason ...`
#[derive(Debug, Args)]
pub struct Cancel {
    /// The record: DATABASE/OWNER/ID (one of this member's).
    reference: RecordKey,
    /// Why the record is cancelled (kept in the signed log).
    #[arg(long)]
    reason: String,
}

pub fn cancel(context: &Context, cancel: Cancel) -> Result<()> {
    let published = context.backend()?.call(CancelRecord {
        record: RecordPath::from(&cancel.reference),
        reason: cancel.reason,
    })?;
    context.print(&published, |published| {
        println!(
            "cancelled {} (version {})",
            published.reference, published.version
        );
    })
}

/// `bureau block|unblock REF --reason ...`
#[derive(Debug, Args)]
pub struct Block {
    /// The record: DATABASE/OWNER/ID.
    reference: RecordKey,
    /// Why (Article 3, data rules…); kept in the signed log.
    #[arg(long)]
    reason: String,
}

pub fn block(context: &Context, block: Block, blocked: bool) -> Result<()> {
    let done = context.backend()?.call(BlockRecord {
        record: RecordPath::from(&block.reference),
        blocked,
        reason: block.reason,
    })?;
    context.print(&done, |done| {
        let what = if done.blocked { "blocked" } else { "unblocked" };
        println!("{what} {}", done.reference);
    })
}

/// `bureau extend REF --review-date D --reason ...`
#[derive(Debug, Args)]
pub struct Extend {
    /// The record: DATABASE/OWNER/ID (one of this member's).
    reference: RecordKey,
    /// The new review date (YYYY-MM-DD).
    #[arg(long)]
    review_date: Date,
    /// Why, in a sentence (kept with the action and shown to the members concerned).
    #[arg(long)]
    reason: String,
}

pub fn extend(context: &Context, extend: Extend) -> Result<()> {
    let review_date = extend.review_date;
    let published = context.backend()?.call(ExtendRecord {
        record: RecordPath::from(&extend.reference),
        review_date,
        reason: extend.reason,
    })?;
    context.print(&published, |published| {
        println!(
            "extended {} to {review_date} (version {})",
            published.reference, published.version
        );
    })
}

/// `bureau review [--within-days N]`
pub fn review(context: &Context, within_days: i64) -> Result<()> {
    let due = context.backend()?.call(DueForReview { within_days })?;
    context.print(&due, |due| {
        if due.is_empty() {
            println!("nothing due for review in the next {within_days} days");
            return;
        }
        let today = bureau_service::clock::now().date();
        let rows: Vec<Vec<String>> = due
            .iter()
            .map(|due| {
                let record = &due.record;
                let days = record.review_date.days_since_epoch() - today.days_since_epoch();
                let when = if days < 0 {
                    format!("EXPIRED {} days ago", -days)
                } else {
                    format!("in {days} days")
                };
                vec![
                    due.reference.clone(),
                    record.review_date.to_string(),
                    when,
                    output::summary(record),
                ]
            })
            .collect();
        output::table(&["REF", "REVIEW BY", "WHEN", "RECORD"], &rows);
    })
}

/// `bureau erase`
pub fn erase(context: &Context) -> Result<()> {
    let erased = context.backend()?.call(EraseDue {})?;
    context.print(&erased, |erased| {
        println!("{} erase entries published", erased.erase_entries);
    })
}

/// `bureau wrap-keys`
pub fn wrap_keys(context: &Context) -> Result<()> {
    let wrapped = context.backend()?.call(bureau_service::ops::WrapKeys {})?;
    context.print(&wrapped, |wrapped| {
        println!(
            "{} keys of {} records given to new readers in {} entries",
            wrapped.keys, wrapped.records, wrapped.entries
        );
        if wrapped.unreadable > 0 {
            println!(
                "{} records with new readers cannot be opened by this node: keep the key they were sealed to with `bureau node keep-key`",
                wrapped.unreadable
            );
        }
    })
}

/// `bureau import --database DB FILE`
#[derive(Debug, Args)]
pub struct Import {
    /// The database: sltd, vehicles, persons, firearms, art, vessels, admin-documents,
    /// dna, fingerprints or faces.
    #[arg(long)]
    database: Database,
    /// The file to read.
    file: PathBuf,
    /// The format (default: from the file name; .csv is CSV, anything else JSON Lines).
    #[arg(long, value_enum)]
    format: Option<import::Format>,
    /// Write every rejected line (line, field, error) to this CSV file.
    #[arg(long)]
    report: Option<PathBuf>,
}

pub fn import(context: &Context, import: Import) -> Result<()> {
    let backend: Backend = context.backend()?;
    let summary = import::import_file(import.database, &import.file, import.format, |drafts| {
        Ok(backend.call(ImportBatch(drafts))?)
    })?;
    if context.json {
        output::json(&summary);
        if summary.imported == 0 && summary.lines > 0 {
            bail!("nothing was imported");
        }
        return Ok(());
    }
    import::print_summary(&summary, import.report.as_deref())
}
