//! Reading the audit log back: listing it (`bureau audit`, `--tail N`) and verifying its chain
//! (`bureau audit --verify`). Every read is bounded by [`MAX_AUDIT_LINE_BYTES`] per line and
//! [`MAX_AUDIT_READ_LINES`] per listing, so a damaged or huge file cannot exhaust memory.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

use bureau_core::Hash;
use serde::Serialize;

use super::{
    AuditError, AuditHead, AuditRecord, MAX_AUDIT_LINE_BYTES, MAX_AUDIT_READ_LINES, damaged,
    io_error,
};

/// How much [`tail`] reads per step, walking back from the end.
const TAIL_CHUNK_BYTES: u64 = 64 * 1024;

/// Reads a log line by line, each line bounded by [`MAX_AUDIT_LINE_BYTES`].
struct Lines {
    reader: BufReader<File>,
    buffer: Vec<u8>,
}

/// One step of [`Lines`].
enum Line<'a> {
    /// A complete line, without its newline.
    Complete(&'a [u8]),
    /// Text after the last newline: an append in flight or torn by a crash.
    Unfinished(usize),
    TooLong,
    End,
}

impl Lines {
    fn open(path: &Path) -> Result<Lines, AuditError> {
        let file = File::open(path).map_err(io_error("open", path))?;
        Ok(Lines {
            reader: BufReader::new(file),
            buffer: Vec::new(),
        })
    }

    fn next_line(&mut self, path: &Path) -> Result<Line<'_>, AuditError> {
        self.buffer.clear();
        let read = (&mut self.reader)
            .take(MAX_AUDIT_LINE_BYTES as u64)
            .read_until(b'\n', &mut self.buffer)
            .map_err(io_error("read", path))?;
        Ok(match self.buffer.split_last() {
            None => Line::End,
            Some((b'\n', line)) => Line::Complete(line),
            Some(_) if read >= MAX_AUDIT_LINE_BYTES => Line::TooLong,
            Some(_) => Line::Unfinished(read),
        })
    }
}

/// Up to `limit` (at most [`MAX_AUDIT_READ_LINES`]) lines with `seq >= from_seq`, oldest first.
/// Reads from the start of the file; [`tail`] is cheaper for the newest lines. Does not check
/// the chain (that is [`verify`]); a line in flight at the end is left out.
pub fn read(path: &Path, from_seq: u64, limit: usize) -> Result<Vec<AuditRecord>, AuditError> {
    let limit = limit.min(MAX_AUDIT_READ_LINES);
    let mut lines = Lines::open(path)?;
    let mut records = Vec::new();
    let mut number = 0u64;
    while records.len() < limit {
        number += 1;
        let record = match lines.next_line(path)? {
            Line::Complete(line) => parse_listed(line, number, path)?,
            Line::TooLong => return Err(damaged(path, format!("line {number} is too long"))),
            Line::Unfinished(_) | Line::End => break,
        };
        if record.seq >= from_seq {
            records.push(record);
        }
    }
    Ok(records)
}

fn parse_listed(line: &[u8], number: u64, path: &Path) -> Result<AuditRecord, AuditError> {
    AuditRecord::from_line(line)
        .map_err(|error| damaged(path, format!("line {number} does not parse ({error})")))
}

/// The last `count` (at most [`MAX_AUDIT_READ_LINES`]) lines, oldest first, read backwards from
/// the end so a long log costs no more than a short one (`bureau audit --tail N`).
pub fn tail(path: &Path, count: usize) -> Result<Vec<AuditRecord>, AuditError> {
    let count = count.min(MAX_AUDIT_READ_LINES);
    if count == 0 {
        return Ok(Vec::new());
    }
    let file = File::open(path).map_err(io_error("open", path))?;
    let len = file.metadata().map_err(io_error("read", path))?.len();
    let most_bytes = (count + 1) * MAX_AUDIT_LINE_BYTES + TAIL_CHUNK_BYTES as usize;
    let mut start = len;
    let mut text: Vec<u8> = Vec::new();
    let mut newlines = 0;
    while start > 0 && newlines <= count {
        if text.len() > most_bytes {
            return Err(damaged(path, "its last lines are too long"));
        }
        let chunk_start = start.saturating_sub(TAIL_CHUNK_BYTES);
        let mut chunk = vec![0; (start - chunk_start) as usize];
        file.read_exact_at(&mut chunk, chunk_start)
            .map_err(io_error("read", path))?;
        newlines += chunk.iter().filter(|&&byte| byte == b'\n').count();
        chunk.extend_from_slice(&text);
        text = chunk;
        start = chunk_start;
    }
    let complete = text
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |index| index + 1);
    let mut lines: Vec<&[u8]> = text[..complete].split(|&byte| byte == b'\n').collect();
    lines.pop(); // the empty piece after the last newline
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // the first piece begins before what was read
    }
    let skip = lines.len().saturating_sub(count);
    lines[skip..]
        .iter()
        .map(|line| {
            AuditRecord::from_line(line).map_err(|error| {
                damaged(
                    path,
                    format!("a line near its end does not parse ({error})"),
                )
            })
        })
        .collect()
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Lines from the start that are sound and chained.
    pub good_lines: u64,
    /// The last sound line: compare it with an anchor kept elsewhere.
    pub head: AuditHead,
    /// The first bad line, if any; nothing after it was checked.
    pub problem: Option<VerifyProblem>,
    /// Bytes after the last newline: an append in flight, or torn by a crash (cut off at the
    /// next open). Not a sign of tampering.
    pub unfinished_bytes: u64,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.problem.is_none()
    }
}

/// The first line that breaks the chain, counted from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct VerifyProblem {
    pub line: u64,
    #[serde(flatten)]
    pub kind: ProblemKind,
}

/// How a line breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum ProblemKind {
    #[error("longer than {MAX_AUDIT_LINE_BYTES} bytes")]
    TooLong,
    #[error("not an audit line ({error})")]
    Unparsable { error: String },
    #[error("seq is {found}, expected {expected} (a line was removed, inserted or moved)")]
    SeqGap { expected: u64, found: u64 },
    #[error("prev does not match the hash of the line before (a line was changed or replaced)")]
    PrevMismatch { expected: Hash, found: Hash },
    #[error("its content does not match its hash (it was edited after it was written)")]
    HashMismatch { stated: Hash, computed: Hash },
}

/// Walks every line of the log at `path` and reports the first that does not parse, is out of
/// sequence, does not chain to the line before, or does not match its own hash. Reads the file
/// once, a line at a time, so any size of log verifies in bounded memory.
pub fn verify(path: &Path) -> Result<VerifyReport, AuditError> {
    let mut lines = Lines::open(path)?;
    let mut report = VerifyReport {
        good_lines: 0,
        head: AuditHead::EMPTY,
        problem: None,
        unfinished_bytes: 0,
    };
    loop {
        let line_number = report.good_lines + 1;
        let checked = match lines.next_line(path)? {
            Line::Complete(line) => check_line(line, report.head),
            Line::TooLong => Err(ProblemKind::TooLong),
            Line::Unfinished(bytes) => {
                report.unfinished_bytes = bytes as u64;
                break;
            }
            Line::End => break,
        };
        match checked {
            Ok(head) => {
                report.good_lines = line_number;
                report.head = head;
            }
            Err(kind) => {
                report.problem = Some(VerifyProblem {
                    line: line_number,
                    kind,
                });
                break;
            }
        }
    }
    Ok(report)
}

/// Checks one line against the line before it (`before`), returning the new head.
pub(super) fn check_line(line: &[u8], before: AuditHead) -> Result<AuditHead, ProblemKind> {
    let record = AuditRecord::from_line(line).map_err(|error| ProblemKind::Unparsable {
        error: error.to_string(),
    })?;
    if record.seq != before.seq + 1 {
        return Err(ProblemKind::SeqGap {
            expected: before.seq + 1,
            found: record.seq,
        });
    }
    if record.prev != before.hash {
        return Err(ProblemKind::PrevMismatch {
            expected: before.hash,
            found: record.prev,
        });
    }
    let computed = record.computed_hash();
    if computed != record.hash {
        return Err(ProblemKind::HashMismatch {
            stated: record.hash,
            computed,
        });
    }
    Ok(AuditHead {
        seq: record.seq,
        hash: record.hash,
    })
}
