//! `backup`, `restore` and `export`: keeping what no peer holds, putting it back without a
//! fork, and dumping a database's live records (format in `bureau_service::backup`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use bureau_core::{Database, MemberCode, codec};
use bureau_service::backup::{self, Header, Summary};
use bureau_service::ops::{EXPORT_PAGE_RECORDS, ExportMail, ExportRecords, MailPage};
use bureau_store::MailItem;
use clap::{Args, ValueEnum};

use super::context::Context;
use crate::http::API_ADDR;

/// `bureau backup OUT`
#[derive(Debug, Args)]
pub struct Backup {
    /// The backup file to write (a new file, readable by its owner only). It holds the node's
    /// secret keys: keep it as safe as the node directory.
    out: PathBuf,
}

/// `bureau restore BACKUP`
#[derive(Debug, Args)]
pub struct Restore {
    /// The file `bureau backup` wrote.
    backup: PathBuf,
    /// Only check the backup (every frame and its checksum) and show what it holds; --dir is
    /// not needed.
    #[arg(long)]
    check: bool,
}

/// `bureau export --database DB`
#[derive(Debug, Args)]
pub struct Export {
    /// The database whose live records to write.
    #[arg(long)]
    database: Database,
    /// Only this member's records (e.g. your own, to re-import elsewhere).
    #[arg(long)]
    owner: Option<MemberCode>,
    /// Output format: JSON Lines or CSV, as `bureau import` reads them.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    format: ExportFormat,
    /// Write to this file (a new one) instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// A header row, then one row per record; lists joined by `;`, nested fields named
    /// `parent.child`.
    Csv,
}

/// `bureau backup OUT`: the node directory's files and the mailbox (from the running node
/// when one runs, else from the replica), in one file.
pub fn backup(context: &Context, Backup { out }: Backup) -> Result<()> {
    let dir = context.node_dir();
    if !dir.node_key().exists() {
        usage!(
            "{} is not a node directory (no {}): pass --dir",
            dir.root.display(),
            bureau_service::files::NODE_KEY
        );
    }
    let backend = context.backend()?;
    let first = backend.call(ExportMail { after: None })?;
    let header = Header {
        member: first.member,
        peer_id: first.peer_id.clone(),
        taken_at: bureau_service::clock::now(),
        own_seq: first.own_seq,
        written_by: env!("CARGO_PKG_VERSION").to_owned(),
    };
    let mut first = Some(first);
    let summary = backup::write(&dir.root, &out, header, &[API_ADDR], |after| {
        let page = match (after, first.take()) {
            (None, Some(page)) => page,
            (after, _) => backend.call(ExportMail {
                after: after.map(hex::encode),
            })?,
        };
        decode_page(&page)
    })?;
    context.print(&summary, |summary| {
        println!(
            "backed up {} (its log at seq {}) to {}: {}; {} bytes. It holds the node's secret keys: keep it as safe as the node directory",
            summary.header.member,
            summary.header.own_seq,
            out.display(),
            contents(summary),
            summary.backup_bytes
        );
    })
}

/// `bureau restore BACKUP`
pub fn restore(context: &Context, Restore { backup, check }: Restore) -> Result<()> {
    if check {
        let summary = backup::read(&backup, None)?;
        return context.print(&summary, |summary| {
            println!(
                "{} is a sound backup of {} (peer {}), taken {} at seq {} of its log by bureau {}: {}",
                backup.display(),
                summary.header.member,
                summary.header.peer_id,
                bureau_service::audit::utc_text(summary.header.taken_at),
                summary.header.own_seq,
                summary.header.written_by,
                contents(summary)
            );
        });
    }
    let Some(dir) = &context.dir else {
        usage!("restore needs --dir: the new node directory (it must not exist, or be empty)");
    };
    let summary = backup::read(&backup, Some(dir))?;
    context.print(&summary, |summary| {
        println!(
            "restored {} into {}: {}.\nStart it with `bureau --dir {} node run`: it syncs the shared log from its peers and signs nothing until a member has given back its own log (up to seq {}), so it cannot fork it",
            summary.header.member,
            dir.display(),
            contents(summary),
            dir.display(),
            summary.header.own_seq
        );
    })
}

fn contents(summary: &Summary) -> String {
    format!(
        "{} files ({} bytes), {} messages ({} hits), {} waiting in the outbox",
        summary.files.len(),
        summary.file_bytes,
        summary.messages,
        summary.hits,
        summary.outbox
    )
}

fn decode_page(page: &MailPage) -> bureau_service::Result<(Vec<MailItem>, Option<Vec<u8>>)> {
    let damaged = |what: &str| {
        bureau_service::Error::internal(format!("the node sent a mailbox page with {what}"))
    };
    let bytes = hex::decode(&page.items).map_err(|_| damaged("items that are not hex"))?;
    let items: Vec<MailItem> = codec::decode::<_, { backup::MAX_FRAME_BYTES }>(&bytes)
        .map_err(|_| damaged("items that do not decode"))?;
    let next = page
        .next
        .as_deref()
        .map(hex::decode)
        .transpose()
        .map_err(|_| damaged("a position that is not hex"))?;
    Ok((items, next))
}

/// `bureau export --database DB`: every live record of the database, page by page from the
/// node (or the replica), in the import format.
pub fn export(context: &Context, export: Export) -> Result<()> {
    context.no_json("export")?;
    let backend = context.backend()?;
    let out: Box<dyn Write> = match &export.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut sink = match export.format {
        ExportFormat::Jsonl => Sink::Jsonl(out),
        ExportFormat::Csv => Sink::Csv {
            out,
            staged: tempfile::tempfile().context("cannot make a temporary file")?,
            columns: std::collections::BTreeSet::new(),
        },
    };
    let mut after = None;
    let mut written = 0u64;
    loop {
        let page = backend.call(ExportRecords {
            database: export.database.to_string(),
            owner: export.owner.map(|owner| owner.to_string()),
            after: after.take(),
            limit: Some(EXPORT_PAGE_RECORDS as i64),
        })?;
        for record in &page.records {
            sink.record(record)?;
            written += 1;
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    sink.finish()?;
    eprintln!(
        "exported {written} live {} records{}",
        export.database,
        export
            .out
            .as_ref()
            .map(|path| format!(" to {}", path.display()))
            .unwrap_or_default()
    );
    Ok(())
}

/// Where exported records go. CSV needs every column before the first row, so its rows are
/// staged as JSON lines in a temporary file while the columns are gathered.
enum Sink {
    Jsonl(Box<dyn Write>),
    Csv {
        out: Box<dyn Write>,
        staged: std::fs::File,
        columns: std::collections::BTreeSet<String>,
    },
}

impl Sink {
    fn record(&mut self, record: &serde_json::Value) -> Result<()> {
        match self {
            Sink::Jsonl(out) => {
                serde_json::to_writer(&mut *out, record).context("cannot write the export")?;
                out.write_all(b"\n").context("cannot write the export")?;
            }
            Sink::Csv {
                staged, columns, ..
            } => {
                let cells = flatten(record);
                columns.extend(cells.keys().cloned());
                serde_json::to_writer(&mut *staged, &cells).context("cannot stage the export")?;
                staged.write_all(b"\n").context("cannot stage the export")?;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        match self {
            Sink::Jsonl(mut out) => out.flush().context("cannot write the export"),
            Sink::Csv {
                out,
                mut staged,
                columns,
            } => {
                use std::io::{BufRead, Seek};
                // `reference`, `owner` and `id` first, then the fields in name order.
                let mut order: Vec<String> = ["reference", "owner", "id"]
                    .into_iter()
                    .map(str::to_owned)
                    .filter(|column| columns.contains(column))
                    .collect();
                let first = order.clone();
                order.extend(columns.into_iter().filter(|column| !first.contains(column)));
                let mut writer = csv::Writer::from_writer(out);
                writer
                    .write_record(&order)
                    .context("cannot write the export")?;
                staged
                    .seek(std::io::SeekFrom::Start(0))
                    .context("cannot read the staged export")?;
                for line in std::io::BufReader::new(staged).lines() {
                    let line = line.context("cannot read the staged export")?;
                    let cells: std::collections::BTreeMap<String, String> =
                        serde_json::from_str(&line).context("cannot read the staged export")?;
                    writer
                        .write_record(order.iter().map(|column| {
                            cells.get(column).map(String::as_str).unwrap_or_default()
                        }))
                        .context("cannot write the export")?;
                }
                writer.flush().context("cannot write the export")
            }
        }
    }
}

/// One record as CSV cells, the way `bureau import` reads them back: nested fields as
/// `parent.child`, lists of plain values joined by `;`, DNA loci as `LOCUS=ALLELES;...`,
/// anything else as JSON text.
fn flatten(record: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    use serde_json::Value;
    fn plain(value: &Value) -> Option<String> {
        match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }
    fn walk(prefix: &str, value: &Value, cells: &mut std::collections::BTreeMap<String, String>) {
        match value {
            Value::Null => {}
            Value::Object(fields) if prefix == "loci" => {
                let loci: Vec<String> = fields
                    .iter()
                    .map(|(locus, alleles)| {
                        format!(
                            "{locus}={}",
                            plain(alleles).unwrap_or_else(|| alleles.to_string())
                        )
                    })
                    .collect();
                cells.insert(prefix.to_owned(), loci.join(";"));
            }
            Value::Object(fields) => {
                for (name, value) in fields {
                    let name = if prefix.is_empty() {
                        name.clone()
                    } else {
                        format!("{prefix}.{name}")
                    };
                    walk(&name, value, cells);
                }
            }
            Value::Array(items) => {
                let texts: Option<Vec<String>> = items.iter().map(plain).collect();
                let cell = match texts {
                    Some(texts) => texts.join(";"),
                    None => value.to_string(),
                };
                cells.insert(prefix.to_owned(), cell);
            }
            other => {
                cells.insert(prefix.to_owned(), plain(other).unwrap_or_default());
            }
        }
    }
    let mut cells = std::collections::BTreeMap::new();
    walk("", record, &mut cells);
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_what_import_reads() {
        let record = serde_json::json!({
            "reference": "persons/FRA/p1",
            "id": "p1",
            "family_name": "Dupont",
            "nationalities": ["FRA", "BEL"],
            "legal_basis": {"warrant": "W-1", "max_penalty_months": 24},
            "known_person": true,
            "aliases": [],
        });
        let cells = flatten(&record);
        assert_eq!(cells["nationalities"], "FRA;BEL");
        assert_eq!(cells["legal_basis.warrant"], "W-1");
        assert_eq!(cells["legal_basis.max_penalty_months"], "24");
        assert_eq!(cells["known_person"], "true");
        assert_eq!(cells["aliases"], "");
        assert_eq!(cells["id"], "p1");
    }
}
