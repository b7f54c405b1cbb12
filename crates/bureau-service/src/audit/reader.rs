//! Reading the audit log back: listing it (`bureau audit`, `--tail N`) and verifying its chain
//! (`bureau audit --verify`). Every read is bounded by [`MAX_AUDIT_LINE_BYTES`] per line and
//! [`MAX_AUDIT_READ_LINES`] per listing, so a damaged or huge file cannot exhaust memory.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

use bureau_core::{AuditWitness, Hash};
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

/// How the log on disk falls short of the head the network witnessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rollback {
    #[error(
        "the audit log holds {found_bytes} bytes, but the network witnessed {} lines in {} bytes: lines were cut off or the log was deleted",
        witnessed.seq,
        witnessed.len
    )]
    Shorter {
        found_bytes: u64,
        witnessed: AuditWitness,
    },
    #[error(
        "line {} of the audit log is not the line the network witnessed (hash {}): the log was rewritten or replaced",
        witnessed.seq,
        witnessed.hash
    )]
    Rewritten { witnessed: AuditWitness },
}

impl Rollback {
    /// The witnessed head the log falls short of.
    pub fn witnessed(&self) -> AuditWitness {
        match self {
            Rollback::Shorter { witnessed, .. } | Rollback::Rewritten { witnessed } => *witnessed,
        }
    }
}

/// Checks the log at `path` against a witnessed head: the file is at least `witness.len`
/// bytes long and its line ending there is line `witness.seq` with hash `witness.hash`.
/// Reads one line, whatever the size of the log. That line's hash covers every line before it,
/// so a log that passes was only appended to since; an edit before it that did not rewrite
/// the chain is found by [`verify`].
pub fn check_witness(path: &Path, witness: &AuditWitness) -> Result<Option<Rollback>, AuditError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Some(Rollback::Shorter {
                found_bytes: 0,
                witnessed: *witness,
            }));
        }
        Err(error) => return Err(io_error("read", path)(error)),
    };
    let found_bytes = file.metadata().map_err(io_error("read", path))?.len();
    if found_bytes < witness.len {
        return Ok(Some(Rollback::Shorter {
            found_bytes,
            witnessed: *witness,
        }));
    }
    let rewritten = Ok(Some(Rollback::Rewritten {
        witnessed: *witness,
    }));
    let start = witness.len.saturating_sub(MAX_AUDIT_LINE_BYTES as u64);
    let mut bytes = vec![0; usize::try_from(witness.len - start).unwrap_or(0)];
    file.read_exact_at(&mut bytes, start)
        .map_err(io_error("read", path))?;
    let Some((b'\n', before)) = bytes.split_last() else {
        return rewritten;
    };
    let line = match before.iter().rposition(|&byte| byte == b'\n') {
        Some(newline) => &before[newline + 1..],
        None if start == 0 => before,
        None => return rewritten,
    };
    match AuditRecord::from_line(line) {
        Ok(record)
            if record.seq == witness.seq
                && record.hash == witness.hash
                && record.computed_hash() == record.hash =>
        {
            Ok(None)
        }
        _ => rewritten,
    }
}
