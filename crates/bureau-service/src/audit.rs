//! The node's audit log: every search and every change made through the node, one JSON line
//! each, appended and hash-chained, so `bureau audit` can show who did what, when and why, and
//! `bureau audit --verify` can tell whether the file was edited afterwards.
//!
//! The domain rule is that every processing of police data is traceable. The log is therefore
//! append-only, and [`AuditLog::append`] returns only once the line is on disk (`sync_data`):
//! nothing acknowledged to a caller is lost in a crash. A crash in the middle of an append
//! leaves a torn last line (no newline), which [`AuditLog::open`] cuts off with a warning; a
//! whole, sound line that only lacks its newline is kept.
//!
//! # Line format
//!
//! `audit.log` holds one JSON object per line, fields in this order:
//!
//! ```text
//! {"seq":1,"at":1700000000000,"at_utc":"2023-11-14T22:13:20.000Z","actor":"FR/api",
//!  "action":"search","target":"sltd number=X123","purpose":"border check","results":2,
//!  "prev":"0000…0000","hash":"3f9a…"}
//! ```
//!
//! `seq` counts from 1 without gaps; `at` is milliseconds since the Unix epoch and `at_utc` the
//! same instant as text; `purpose` and `results` may be `null`; `prev` is the `hash` of the line
//! before (64 zeros on the first line). `hash` is SHA-256 over [`AUDIT_HASH_DOMAIN`], the 32
//! bytes of `prev`, and the compact JSON (as `serde_json` writes it) of the object made of the
//! fields `seq` to `results` in the order above.
//!
//! # What the chain proves, and what it does not
//!
//! Editing, inserting, deleting or reordering a line breaks the chain at that line, and
//! [`verify`] names it. It does not stop someone with write access from rewriting every line
//! from the tampered one to the end with fresh hashes, nor from cutting lines off the end: both
//! leave a chain that verifies. Those are only caught against an anchor kept elsewhere: the
//! [`AuditHead`] (`seq` and `hash` of the last line, from [`AuditLog::head`] or
//! [`VerifyReport::head`]) printed, sent to another member or written to paper. A later log
//! whose line `seq` no longer carries the anchored hash has been rewritten.
//!
//! # Cost
//!
//! Each append is one `write` under a mutex; flushes (`sync_data`) are shared: an appender
//! flushes everything written so far outside the lock, and appenders that wrote meanwhile wait
//! for that flush or the next one (group commit). One writer alone pays a flush per line: on
//! the development VM (ext4 on virtio, 2 cores) 1 100 to 3 300 lines/s, 0.3 to 0.9 ms each;
//! concurrent searches share flushes (`append_cost` in the service's integration tests prints
//! both). An API handler should append from `spawn_blocking`, not on the async runtime.
//! Verifying reads about 65 000 lines/s.
//!
//! **Invariant:** one process appends to a log at a time. The node that holds the replica (sled
//! locks it) is the one that holds the audit log; `bureau audit` only reads.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};

use bureau_core::{AuditWitness, Hash, Timestamp};
use serde::{Deserialize, Serialize};

mod reader;

pub use reader::{
    ProblemKind, Rollback, VerifyProblem, VerifyReport, check_witness, read, tail, verify,
};

/// Domain prefix of a line's hash, so it can never be confused with any other hash in Bureau.
pub const AUDIT_HASH_DOMAIN: &[u8] = b"bureau/v1/hash/audit-line\0";
/// Longest `actor`, `target` or `purpose` kept, in characters. Longer text (a pasted document)
/// is cut and ends in `…`: the search still happens and is still logged.
pub const MAX_AUDIT_FIELD_CHARS: usize = 1_000;
/// Longest line, newline included. Three fields of [`MAX_AUDIT_FIELD_CHARS`] characters take at
/// most 18 000 bytes even if every character is a control character escaped as `\u001f`; the
/// rest of a line is under 400 bytes. Anything longer is damage, not a line we wrote.
pub const MAX_AUDIT_LINE_BYTES: usize = 32 * 1024;
/// Most lines one [`read`] or [`tail`] returns, which bounds their memory.
pub const MAX_AUDIT_READ_LINES: usize = 1_000;
/// Ends a field that was cut at [`MAX_AUDIT_FIELD_CHARS`].
const TRUNCATION_MARK: char = '…';
const MILLIS_PER_DAY: u64 = 86_400_000;

/// What was done. Written to the log as its kebab-case name ([`AuditAction::as_str`]); read
/// back as text, so a log written by a newer node with more actions still lists and verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Search,
    Get,
    Publish,
    Cancel,
    Block,
    Extend,
    Erase,
    Review,
    Admit,
    Revoke,
    NoticeRequest,
    NoticeList,
    NoticeShow,
    NoticeReview,
    NoticeCancel,
    DiffusionSend,
    DiffusionList,
    DiffusionReview,
    Import,
    Unblock,
    MessageSend,
    HitAnswer,
    /// The operator started the node on an audit log shorter than, or different from, what the
    /// network witnessed (`--accept-audit-loss`).
    AuditLossAccepted,
    /// This member's restricted records' keys given to readers added since they were sealed.
    KeyWrap,
    /// A page of the mailbox read for a backup (`bureau backup`).
    Backup,
    /// A page of live records read for an export (`bureau export`).
    Export,
}

impl AuditAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            AuditAction::Search => "search",
            AuditAction::Get => "get",
            AuditAction::Publish => "publish",
            AuditAction::Cancel => "cancel",
            AuditAction::Block => "block",
            AuditAction::Extend => "extend",
            AuditAction::Erase => "erase",
            AuditAction::Review => "review",
            AuditAction::Admit => "admit",
            AuditAction::Revoke => "revoke",
            AuditAction::NoticeRequest => "notice-request",
            AuditAction::NoticeList => "notice-list",
            AuditAction::NoticeShow => "notice-show",
            AuditAction::NoticeReview => "notice-review",
            AuditAction::NoticeCancel => "notice-cancel",
            AuditAction::Import => "import",
            AuditAction::Unblock => "unblock",
            AuditAction::MessageSend => "message-send",
            AuditAction::HitAnswer => "hit-answer",
            AuditAction::AuditLossAccepted => "audit-loss-accepted",
            AuditAction::DiffusionSend => "diffusion-send",
            AuditAction::DiffusionList => "diffusion-list",
            AuditAction::DiffusionReview => "diffusion-review",
            AuditAction::KeyWrap => "key-wrap",
            AuditAction::Backup => "backup",
            AuditAction::Export => "export",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing to log, as the caller knows it; [`AuditLog::append`] numbers and chains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// When it happened; the caller reads the clock (`clock::now()`), so tests can fix it.
    pub at: Timestamp,
    /// Who: the member code and the channel or officer, e.g. `FR/api` or `FR/officer-4711`.
    pub actor: String,
    pub action: AuditAction,
    /// The query as text, or the record reference (`DATABASE/OWNER/ID`).
    pub target: String,
    /// Why, when the caller gave a reason (a case number, "border check").
    pub purpose: Option<String>,
    /// How many records a search or listing returned.
    pub results: Option<u64>,
}

impl AuditEvent {
    pub fn new(
        at: Timestamp,
        actor: impl Into<String>,
        action: AuditAction,
        target: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent {
            at,
            actor: actor.into(),
            action,
            target: target.into(),
            purpose: None,
            results: None,
        }
    }
    pub fn with_purpose(mut self, purpose: impl Into<String>) -> AuditEvent {
        self.purpose = Some(purpose.into());
        self
    }
    pub fn with_results(mut self, results: u64) -> AuditEvent {
        self.results = Some(results);
        self
    }
}

/// One line of the log, as written and as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    pub seq: u64,
    pub at: Timestamp,
    /// `at` as `YYYY-MM-DDTHH:MM:SS.mmmZ`, for a person reading the file without tools.
    pub at_utc: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub purpose: Option<String>,
    pub results: Option<u64>,
    pub prev: Hash,
    pub hash: Hash,
}

/// The fields a line's hash covers, borrowed from an [`AuditRecord`], in line order.
#[derive(Serialize)]
struct HashedFields<'a> {
    seq: u64,
    at: Timestamp,
    at_utc: &'a str,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    purpose: Option<&'a str>,
    results: Option<u64>,
}

impl AuditRecord {
    /// Numbers `event` as line `seq` after the line whose hash is `prev`, and seals it.
    fn chained(event: AuditEvent, seq: u64, prev: Hash) -> AuditRecord {
        let mut record = AuditRecord {
            seq,
            at: event.at,
            at_utc: utc_text(event.at),
            actor: bounded(event.actor),
            action: event.action.as_str().to_owned(),
            target: bounded(event.target),
            purpose: event.purpose.map(bounded),
            results: event.results,
            prev,
            hash: Hash::ZERO,
        };
        record.hash = record.computed_hash();
        record
    }

    /// The hash this line's content and `prev` call for; differs from `hash` if either was
    /// edited after the line was written.
    pub fn computed_hash(&self) -> Hash {
        let fields = HashedFields {
            seq: self.seq,
            at: self.at,
            at_utc: &self.at_utc,
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            purpose: self.purpose.as_deref(),
            results: self.results,
        };
        let canonical =
            serde_json::to_vec(&fields).expect("strings and integers always serialise to JSON");
        Hash::of(AUDIT_HASH_DOMAIN, &[self.prev.as_bytes(), &canonical])
    }

    fn to_line(&self) -> Vec<u8> {
        let mut line =
            serde_json::to_vec(self).expect("strings and integers always serialise to JSON");
        line.push(b'\n');
        line
    }

    fn from_line(line: &[u8]) -> Result<AuditRecord, serde_json::Error> {
        serde_json::from_slice(line)
    }
}

/// `text` cut to [`MAX_AUDIT_FIELD_CHARS`] characters, the last one a [`TRUNCATION_MARK`].
fn bounded(text: String) -> String {
    match text.char_indices().nth(MAX_AUDIT_FIELD_CHARS) {
        None => text,
        Some(_) => {
            let mut cut: String = text.chars().take(MAX_AUDIT_FIELD_CHARS - 1).collect();
            cut.push(TRUNCATION_MARK);
            cut
        }
    }
}

/// `at` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
pub fn utc_text(at: Timestamp) -> String {
    let of_day = at.millis() % MILLIS_PER_DAY;
    let (hours, minutes) = (of_day / 3_600_000, of_day / 60_000 % 60);
    let (seconds, millis) = (of_day / 1_000 % 60, of_day % 1_000);
    format!(
        "{}T{hours:02}:{minutes:02}:{seconds:02}.{millis:03}Z",
        at.date()
    )
}

/// The audit log as `status` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditState {
    /// Lines on disk.
    pub lines: u64,
    /// Lines of the latest head the network witnessed (absent: none yet).
    pub witnessed_lines: Option<u64>,
    /// Bytes of the file up to the witnessed line.
    pub witnessed_bytes: Option<u64>,
    /// Hash of the witnessed line.
    pub witnessed_hash: Option<Hash>,
    /// Set when the log falls short of the witnessed head: how.
    pub rolled_back: Option<String>,
}

/// The last line of a log: what an anchor records and what the next line chains to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// Lines so far (0 for an empty log).
    pub seq: u64,
    /// The last line's hash ([`Hash::ZERO`] for an empty log).
    pub hash: Hash,
}

impl AuditState {
    /// The witnessed head, if any.
    pub fn witnessed(&self) -> Option<AuditWitness> {
        Some(AuditWitness {
            seq: self.witnessed_lines?,
            hash: self.witnessed_hash?,
            len: self.witnessed_bytes?,
        })
    }
}

impl AuditHead {
    const EMPTY: AuditHead = AuditHead {
        seq: 0,
        hash: Hash::ZERO,
    };
}

/// Why an audit log could not be opened, appended to or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot {action} audit log {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no audit log at {} (a node creates it when it starts)", path.display())]
    NotFound { path: PathBuf },
    #[error(
        "audit log {} is damaged: {reason}; run `bureau audit --verify` to see where, and move the file aside to start a new log",
        path.display()
    )]
    Damaged { path: PathBuf, reason: String },
    #[error(
        "audit log {} takes no more lines: a write failed and could not be undone; check the disk and restart the node",
        path.display()
    )]
    WriteFailed { path: PathBuf },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> AuditError {
    let path = path.to_path_buf();
    move |source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            AuditError::NotFound { path }
        } else {
            AuditError::Io {
                action,
                path,
                source,
            }
        }
    }
}

fn damaged(path: &Path, reason: impl Into<String>) -> AuditError {
    AuditError::Damaged {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// An open log, shared by every request of a node (`Arc<AuditLog>`); appends are serialised,
/// and their flushes shared (group commit).
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    tail: Mutex<Tail>,
    /// Woken when a flush ends.
    flushed: Condvar,
    /// The same open file, flushed outside the lock so that others can write meanwhile.
    flusher: File,
}

/// What an append needs: the file, where the chain stands, and where the file ends.
#[derive(Debug)]
struct Tail {
    file: File,
    /// The chain after the last line written.
    head: AuditHead,
    /// Length of the file up to the last line written.
    len: u64,
    /// Length and chain up to the last line known to be on disk: what a failed flush goes
    /// back to.
    durable_len: u64,
    durable_head: AuditHead,
    /// Whether an appender is flushing now (the others wait for it, then maybe flush again).
    flushing: bool,
    /// Set when a write or flush failed and could not be undone: the file's end is unknown.
    broken: bool,
}

impl AuditLog {
    /// Opens the log at `path`, creating it (mode 0600: it holds the queries) if it is missing.
    /// Reads only the end of the file, to learn where the chain stands; a torn last line left by
    /// a crash mid-append is cut off with a warning (see `finish_unfinished`). Refuses a log
    /// whose last line is damaged, since new lines could not chain to it.
    pub fn open(path: impl Into<PathBuf>) -> Result<AuditLog, AuditError> {
        let path = path.into();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io_error("create the directory of", &path))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_error("open", &path))?;
        let len = file.metadata().map_err(io_error("open", &path))?.len();
        let end = find_end(&file, len, &path)?;
        let mut head = match &end.last_line {
            None => AuditHead::EMPTY,
            Some(line) => head_of(line, &path)?,
        };
        let mut complete_len = end.complete_len;
        if complete_len < len {
            head = finish_unfinished(&mut file, &end, head, &path)?;
            complete_len = file.metadata().map_err(io_error("open", &path))?.len();
        }
        let flusher = file.try_clone().map_err(io_error("open", &path))?;
        Ok(AuditLog {
            path,
            tail: Mutex::new(Tail {
                file,
                head,
                len: complete_len,
                durable_len: complete_len,
                durable_head: head,
                flushing: false,
                broken: false,
            }),
            flushed: Condvar::new(),
            flusher,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The last line's `seq` and `hash`: print or send it elsewhere to anchor the log.
    pub fn head(&self) -> AuditHead {
        self.lock().head
    }

    /// What the network should witness: the lines known to be on disk, and the length of the
    /// file up to them (`None` while the log is empty).
    pub fn witness(&self) -> Option<AuditWitness> {
        let tail = self.lock();
        (tail.durable_head.seq > 0).then_some(AuditWitness {
            seq: tail.durable_head.seq,
            hash: tail.durable_head.hash,
            len: tail.durable_len,
        })
    }

    /// Appends `event` as the next line and returns once it is on disk. Text fields longer than
    /// [`MAX_AUDIT_FIELD_CHARS`] are cut. Concurrent appends share flushes: each writes its line
    /// under the lock, then either flushes everything written so far or waits for the flush
    /// under way. A failed write or flush is undone (the file is cut back to what is on disk),
    /// so the log stays a valid chain; if even that fails, every later append is refused.
    pub fn append(&self, event: AuditEvent) -> Result<AuditRecord, AuditError> {
        let mut tail = self.lock();
        if tail.broken {
            return Err(AuditError::WriteFailed {
                path: self.path.clone(),
            });
        }
        let record = AuditRecord::chained(event, tail.head.seq + 1, tail.head.hash);
        let line = record.to_line();
        debug_assert!(line.len() <= MAX_AUDIT_LINE_BYTES, "fields are bounded");
        if let Err(source) = tail.file.write_all(&line) {
            let undo_to = tail.len;
            self.undo(&mut tail, undo_to);
            return Err(io_error("append to", &self.path)(source));
        }
        tail.head = AuditHead {
            seq: record.seq,
            hash: record.hash,
        };
        tail.len += line.len() as u64;
        let mine = tail.len;
        loop {
            if tail.durable_len >= mine {
                return Ok(record);
            }
            if tail.broken || tail.len < mine {
                // A flush failed and the lines after the durable end, ours among them, are gone.
                return Err(AuditError::WriteFailed {
                    path: self.path.clone(),
                });
            }
            if tail.flushing {
                tail = self
                    .flushed
                    .wait(tail)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Flush everything written so far, ours and whoever wrote while the last flush ran.
            tail.flushing = true;
            let (target_len, target_head) = (tail.len, tail.head);
            drop(tail);
            let flushed = self.flusher.sync_data();
            tail = self.lock();
            tail.flushing = false;
            match flushed {
                Ok(()) => {
                    if target_len > tail.durable_len {
                        tail.durable_len = target_len;
                        tail.durable_head = target_head;
                    }
                }
                Err(source) => {
                    tracing::error!(path = %self.path.display(), %source, "audit log flush failed; cutting back to what is on disk");
                    let undo_to = tail.durable_len;
                    self.undo(&mut tail, undo_to);
                }
            }
            self.flushed.notify_all();
        }
    }

    /// Cuts the file back to `len` (lines past it were never acknowledged) and the chain with
    /// it; marks the log broken if that fails too.
    fn undo(&self, tail: &mut Tail, len: u64) {
        let undone = tail.file.set_len(len).and_then(|()| tail.file.sync_data());
        if undone.is_err() {
            tail.broken = true;
            tracing::error!(path = %self.path.display(), "audit log write failed and could not be undone");
            return;
        }
        if len < tail.len {
            tail.len = len;
            tail.head = tail.durable_head;
        }
    }

    /// The tail; a thread that panicked while holding it left it consistent, because it is only
    /// updated after a line is on disk.
    fn lock(&self) -> std::sync::MutexGuard<'_, Tail> {
        self.tail.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The end of a log file as [`AuditLog::open`] needs it.
struct LogEnd {
    /// Length up to and including the last newline.
    complete_len: u64,
    /// The last complete line, without its newline.
    last_line: Option<Vec<u8>>,
    /// What follows the last newline: normally nothing.
    unfinished: Vec<u8>,
}

/// Deals with text after the last newline. A crash mid-append leaves part of a line, which was
/// never acknowledged: it is cut off. A whole sound line that only lacks its newline (the crash
/// hit the last byte, or an editor dropped it) is kept and given its newline, since cutting it
/// would lose a line that may have been acknowledged.
fn finish_unfinished(
    file: &mut File,
    end: &LogEnd,
    head: AuditHead,
    path: &Path,
) -> Result<AuditHead, AuditError> {
    if let Ok(next) = reader::check_line(&end.unfinished, head) {
        tracing::warn!(path = %path.display(), seq = next.seq, "audit log's last line lacked its newline; added it");
        file.write_all(b"\n")
            .and_then(|()| file.sync_data())
            .map_err(io_error("finish the last line of", path))?;
        return Ok(next);
    }
    tracing::warn!(
        path = %path.display(),
        dropped_bytes = end.unfinished.len(),
        "audit log ended in a torn line (a crash mid-append); cut it off"
    );
    file.set_len(end.complete_len)
        .and_then(|()| file.sync_data())
        .map_err(io_error("cut the torn line off", path))?;
    Ok(head)
}

/// Finds the last complete line by reading at most two line lengths from the end: a torn line
/// is shorter than a line, and the line before it at most [`MAX_AUDIT_LINE_BYTES`].
fn find_end(file: &File, len: u64, path: &Path) -> Result<LogEnd, AuditError> {
    let window_start = len.saturating_sub(2 * MAX_AUDIT_LINE_BYTES as u64);
    let mut window = vec![0; (len - window_start) as usize];
    file.read_exact_at(&mut window, window_start)
        .map_err(io_error("read the end of", path))?;
    let complete = match window.iter().rposition(|&byte| byte == b'\n') {
        Some(index) => index + 1,
        None if window_start == 0 => 0,
        None => return Err(damaged(path, "its end holds no line break")),
    };
    if window.len() - complete >= MAX_AUDIT_LINE_BYTES {
        return Err(damaged(path, "it ends in more text than one line"));
    }
    let complete_len = window_start + complete as u64;
    let unfinished = window[complete..].to_vec();
    if complete == 0 {
        return Ok(LogEnd {
            complete_len,
            last_line: None,
            unfinished,
        });
    }
    let body = &window[..complete - 1];
    let line_start = match body.iter().rposition(|&byte| byte == b'\n') {
        Some(index) => index + 1,
        None if window_start == 0 => 0,
        None => return Err(damaged(path, "its last line is too long")),
    };
    Ok(LogEnd {
        complete_len,
        last_line: Some(body[line_start..].to_vec()),
        unfinished,
    })
}

fn head_of(line: &[u8], path: &Path) -> Result<AuditHead, AuditError> {
    let record = AuditRecord::from_line(line)
        .map_err(|error| damaged(path, format!("its last line does not parse ({error})")))?;
    if record.computed_hash() != record.hash {
        return Err(damaged(path, "its last line does not match its hash"));
    }
    Ok(AuditHead {
        seq: record.seq,
        hash: record.hash,
    })
}

impl From<AuditError> for crate::error::Error {
    fn from(error: AuditError) -> crate::error::Error {
        let kind = match &error {
            AuditError::NotFound { .. } => crate::error::ErrorKind::NotFound,
            _ => crate::error::ErrorKind::Internal,
        };
        crate::error::Error::new(kind, error.to_string())
    }
}
