//! Bulk import: records of one database from JSON Lines or CSV, validated line by line,
//! published in batches, with a progress bar, a validation report and the throughput.
//!
//! Format: one record per line (or CSV row) with `id` (the local id), the fields of the
//! database's schema under their own names, and optionally `access` and `review_date`. In CSV,
//! list fields are separated by `;`, nested fields are named with a dot (`legal_basis.warrant`),
//! and DNA loci are one `loci` cell such as `D3S1358=15,16;TH01=6,9.3`. Empty cells are absent
//! fields. `bureau generate` writes this format.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bureau_core::{Access, Database, Date, RecordData};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use bureau_service::records::Draft;

/// Records per batch: one signature run, one transaction and one flush on the node.
pub const IMPORT_BATCH_RECORDS: usize = 1000;
/// Longest line read; a longer one is reported and skipped.
pub const MAX_IMPORT_LINE_BYTES: usize = 64 * 1024;
/// Validation errors printed at the end (all of them go to `--report`).
pub const MAX_ERRORS_SHOWN: usize = 20;

/// CSV columns holding lists (cells split on `;`).
const LIST_FIELDS: &[&str] = &[
    "aliases",
    "nationalities",
    "documents",
    "images",
    "engine_serials",
];
/// CSV columns holding numbers.
const NUMBER_FIELDS: &[&str] = &["year", "legal_basis.max_penalty_months"];
/// CSV columns holding true/false.
const BOOL_FIELDS: &[&str] = &["known_person"];

/// One line that could not be imported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineError {
    pub line: u64,
    /// The field at fault, when known.
    pub field: Option<String>,
    pub error: String,
}

impl LineError {
    /// An error of a whole line, not of one field.
    fn at(line: u64, error: String) -> LineError {
        LineError {
            line,
            field: None,
            error,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub database: Database,
    pub lines: u64,
    pub imported: u64,
    pub rejected: u64,
    pub seconds: f64,
    pub records_per_second: f64,
    pub errors: Vec<LineError>,
}

/// The serde name of a database's `RecordData` variant.
fn variant(database: Database) -> &'static str {
    match database {
        Database::TravelDocuments => "travel-document",
        Database::Vehicles => "vehicle",
        Database::Persons => "person",
        Database::Firearms => "firearm",
        Database::WorksOfArt => "work-of-art",
        Database::Vessels => "vessel",
        Database::AdministrativeDocuments => "administrative-document",
        Database::Dna => "dna",
        Database::Fingerprints => "fingerprint",
        Database::Faces => "face",
    }
}

/// Turns one JSON object into a draft, naming the field at fault when it fails.
pub fn draft_from_json(
    database: Database,
    mut object: Map<String, Value>,
) -> Result<Draft, LineError> {
    let error = |field: Option<String>, error: String| LineError {
        line: 0,
        field,
        error,
    };
    let local_id = match object.remove("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => id.trim().to_owned(),
        Some(Value::Number(number)) => number.to_string(),
        _ => {
            return Err(error(
                Some("id".into()),
                "is required (the record's local id)".into(),
            ));
        }
    };
    let access = match object.remove("access") {
        None | Some(Value::Null) => Access::All,
        Some(Value::String(text)) => super::publish::parse_access(&text)
            .map_err(|e| error(Some("access".into()), format!("{e:#}")))?,
        Some(other) => serde_json::from_value(other)
            .map_err(|e| error(Some("access".into()), e.to_string()))?,
    };
    let review_date = match object.remove("review_date") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            serde_json::from_value::<Date>(value)
                .map_err(|e| error(Some("review_date".into()), e.to_string()))?,
        ),
    };
    let tagged = Value::Object(Map::from_iter([(
        variant(database).to_owned(),
        Value::Object(object),
    )]));
    let data: RecordData = serde_path_to_error::deserialize(tagged).map_err(|e| {
        let path = e.path().to_string();
        let field = path
            .split_once('.')
            .map(|(_, field)| field.to_owned())
            .filter(|field| !field.is_empty() && field != "?");
        error(field, e.into_inner().to_string())
    })?;
    data.validate()
        .map_err(|e| error(Some(e.field.to_owned()), e.problem))?;
    Ok(Draft {
        local_id,
        access,
        review_date,
        data,
    })
}

/// One CSV row as the JSON object the line format would have.
fn object_from_csv(
    header: &csv::StringRecord,
    row: &csv::StringRecord,
) -> Result<Map<String, Value>, LineError> {
    let mut object = Map::new();
    for (name, cell) in header.iter().zip(row.iter()) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        let bad = |what: &str| LineError {
            line: 0,
            field: Some(name.to_owned()),
            error: format!("{cell:?} is not {what}"),
        };
        let value = if LIST_FIELDS.contains(&name) {
            Value::Array(
                cell.split(';')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Value::String(item.to_owned()))
                    .collect(),
            )
        } else if NUMBER_FIELDS.contains(&name) {
            Value::Number(
                cell.parse::<u64>()
                    .map_err(|_| bad("a whole number"))?
                    .into(),
            )
        } else if BOOL_FIELDS.contains(&name) {
            Value::Bool(match cell.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => true,
                "false" | "no" | "0" => false,
                _ => return Err(bad("true or false")),
            })
        } else if name == "loci" {
            let mut loci = Map::new();
            for pair in cell.split(';').filter(|pair| !pair.trim().is_empty()) {
                let (locus, alleles) =
                    super::publish::parse_locus(pair).map_err(|e| LineError {
                        line: 0,
                        field: Some("loci".into()),
                        error: e,
                    })?;
                loci.insert(locus, Value::String(alleles));
            }
            Value::Object(loci)
        } else {
            Value::String(cell.to_owned())
        };
        match name.split_once('.') {
            Some((outer, inner)) => {
                let nested = object
                    .entry(outer.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(nested) = nested {
                    nested.insert(inner.to_owned(), value);
                }
            }
            None => {
                object.insert(name.to_owned(), value);
            }
        }
    }
    Ok(object)
}

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// The format a file name suggests: `.csv` is CSV, anything else JSON Lines.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Jsonl,
        }
    }
}

/// Reads drafts from `input`, calling `sink` with each full batch. Lines that fail are
/// collected with their line number; `progress` is told how many bytes were read.
pub fn read(
    database: Database,
    format: Format,
    input: impl Read,
    mut sink: impl FnMut(Vec<(u64, Draft)>) -> Result<()>,
    mut progress: impl FnMut(u64),
) -> Result<(u64, Vec<LineError>)> {
    let mut errors = Vec::new();
    let mut batch = Vec::with_capacity(IMPORT_BATCH_RECORDS);
    let mut row = |line: u64, parsed: Result<Map<String, Value>, LineError>| -> Result<()> {
        match parsed.and_then(|object| draft_from_json(database, object)) {
            Ok(draft) => batch.push((line, draft)),
            Err(error) => errors.push(LineError { line, ..error }),
        }
        if batch.len() >= IMPORT_BATCH_RECORDS {
            sink(std::mem::take(&mut batch))?;
        }
        Ok(())
    };
    let lines = match format {
        Format::Jsonl => read_jsonl(input, &mut row, &mut progress)?,
        Format::Csv => read_csv(input, &mut row, &mut progress)?,
    };
    if !batch.is_empty() {
        sink(batch)?;
    }
    Ok((lines, errors))
}

/// A parsed line (or a line's error) with its number.
type Row<'a> = dyn FnMut(u64, Result<Map<String, Value>, LineError>) -> Result<()> + 'a;

/// Reads JSON Lines, one object a line; returns the number of lines.
fn read_jsonl(input: impl Read, row: &mut Row<'_>, progress: &mut dyn FnMut(u64)) -> Result<u64> {
    let mut reader = BufReader::new(input);
    let mut buffer = Vec::new();
    let mut lines = 0u64;
    loop {
        buffer.clear();
        let read = reader
            .by_ref()
            .take(MAX_IMPORT_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .context("cannot read the input")?;
        if read == 0 {
            return Ok(lines);
        }
        progress(read as u64);
        lines += 1;
        if !buffer.ends_with(b"\n") && read > MAX_IMPORT_LINE_BYTES {
            let error = format!("longer than {MAX_IMPORT_LINE_BYTES} bytes");
            row(lines, Err(LineError::at(lines, error)))?;
            // Skip the rest of the over-long line.
            let mut rest = Vec::new();
            reader.read_until(b'\n', &mut rest)?;
            continue;
        }
        let text = String::from_utf8_lossy(&buffer);
        if text.trim().is_empty() {
            continue;
        }
        let parsed = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(_) => Err("is not a JSON object".to_owned()),
            Err(e) => Err(format!("is not JSON: {e}")),
        };
        let parsed = parsed.map_err(|error| LineError::at(lines, error));
        row(lines, parsed)?;
    }
}

/// Reads CSV with a header row; returns the number of lines, the header included.
fn read_csv(input: impl Read, row: &mut Row<'_>, progress: &mut dyn FnMut(u64)) -> Result<u64> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header = reader
        .headers()
        .context("cannot read the CSV header")?
        .clone();
    let mut lines = 1;
    let mut record = csv::StringRecord::new();
    let mut last_position = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(lines),
            Ok(true) => {
                lines += 1;
                let position = reader.position().byte();
                progress(position - last_position);
                last_position = position;
                row(lines, object_from_csv(&header, &record))?;
            }
            Err(e) => {
                lines += 1;
                let error = format!("unreadable CSV row: {e}");
                row(lines, Err(LineError::at(lines, error)))?;
            }
        }
    }
}

/// Imports a file through `publish` (the node's API or the local replica), showing progress
/// on stderr, and returns the summary.
pub fn import_file(
    database: Database,
    path: &Path,
    format: Option<Format>,
    mut publish: impl FnMut(
        Vec<Draft>,
    ) -> Result<Vec<Result<bureau_service::records::Published, String>>>,
) -> Result<Summary> {
    let format = format.unwrap_or_else(|| Format::of(path));
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {percent:>3}% {msg} ({elapsed} elapsed, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let mut imported = 0u64;
    let mut rejected_by_node = Vec::new();
    let (lines, mut errors) = read(
        database,
        format,
        file,
        |batch| {
            let (numbers, drafts): (Vec<u64>, Vec<Draft>) = batch.into_iter().unzip();
            for (line, result) in numbers.into_iter().zip(publish(drafts)?) {
                match result {
                    Ok(_) => imported += 1,
                    Err(error) => rejected_by_node.push(LineError {
                        line,
                        field: None,
                        error,
                    }),
                }
            }
            let rate = imported as f64 / started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{imported} records, {rate:.0}/s"));
            Ok(())
        },
        |bytes| bar.inc(bytes),
    )?;
    bar.finish_and_clear();
    errors.append(&mut rejected_by_node);
    errors.sort_by_key(|error| error.line);
    let seconds = started.elapsed().as_secs_f64();
    Ok(Summary {
        database,
        lines,
        imported,
        rejected: errors.len() as u64,
        seconds,
        records_per_second: imported as f64 / seconds.max(1e-3),
        errors,
    })
}

/// Prints the summary and the first errors; writes every error to `report` if given.
pub fn print_summary(summary: &Summary, report: Option<&Path>) -> Result<()> {
    println!(
        "imported {} {} records from {} lines in {:.1} s ({:.0} records/s); {} rejected",
        summary.imported,
        summary.database,
        summary.lines,
        summary.seconds,
        summary.records_per_second,
        summary.rejected
    );
    for error in summary.errors.iter().take(MAX_ERRORS_SHOWN) {
        println!(
            "  line {}: {}{}",
            error.line,
            error
                .field
                .as_ref()
                .map(|field| format!("{field}: "))
                .unwrap_or_default(),
            error.error
        );
    }
    if summary.errors.len() > MAX_ERRORS_SHOWN {
        println!("  … and {} more", summary.errors.len() - MAX_ERRORS_SHOWN);
    }
    if let Some(path) = report {
        let mut file = std::io::BufWriter::new(
            File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
        );
        let mut writer = csv::Writer::from_writer(&mut file);
        writer.write_record(["line", "field", "error"])?;
        for error in &summary.errors {
            writer.write_record([
                error.line.to_string(),
                error.field.clone().unwrap_or_default(),
                error.error.clone(),
            ])?;
        }
        writer.flush()?;
        drop(writer);
        file.flush()?;
        println!("validation report: {}", path.display());
    }
    if summary.imported == 0 && summary.lines > 0 {
        bail!("nothing was imported");
    }
    Ok(())
}
