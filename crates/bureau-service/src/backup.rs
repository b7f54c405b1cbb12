//! Backups of what no peer holds, and restoring them without forking the member's log.
//!
//! Peers give a node back every entry of the shared log, its own included; they cannot give
//! back its keys, certificate, API token, config, audit log, or its mailbox (messages sent and
//! received, the outbox, hits and their answers). A backup is those, in one file:
//!
//! ```text
//! "BUREAU-BACKUP\n" · version (4 bytes BE) · frames · the end frame
//! frame: length (4 bytes BE) · canonical encoding of a [`Part`]
//! ```
//!
//! [`Part::Header`] first (member, when, how far the node's own log had reached), then each
//! file of the node directory ([`Part::File`] and its [`Part::Chunk`]s; the store is not among
//! them), then the mailbox a page at a time ([`Part::Mail`]), then [`Part::End`] with the
//! SHA-256 of every byte before it, so a truncated or damaged backup is refused as a whole.
//!
//! A restore writes into a directory of its own beside the target and renames it into place
//! only once the end frame checks out. The store it makes holds the mailbox and a mark
//! ([`bureau_store::Store::restored_own_seq`]): the node signs nothing until it has got its own
//! log back from a member (at least up to the seq the backup names, and one full sync round),
//! since an entry signed from the backup's older state would fork its log.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use bureau_core::{MemberCode, Timestamp, codec};
use bureau_store::MailItem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Context, Error, Result};
use crate::fail;
use crate::files;

/// The first bytes of every backup.
pub const MAGIC: &[u8; 14] = b"BUREAU-BACKUP\n";
/// The backup format this `bureau` writes and reads.
pub const BACKUP_VERSION: u32 = 1;
/// Largest frame a backup holds (a file chunk, a page of mail): a longer length is damage, not
/// something this code wrote, and is refused before anything is allocated for it.
pub const MAX_FRAME_BYTES: usize = 64 << 20;
/// File bytes per [`Part::Chunk`].
pub const FILE_CHUNK_BYTES: usize = 4 << 20;
/// Most files one backup holds (a node directory has about ten).
pub const MAX_BACKUP_FILES: usize = 10_000;
/// Deepest path inside the node directory a backup holds (`retired-keys/KEY` is two).
pub const MAX_PATH_DEPTH: usize = 4;
/// The audit log: copied up to its last complete line, as the running node may be appending.
const AUDIT_LOG: &str = files::AUDIT_LOG;

/// What a backup says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub member: MemberCode,
    /// The node's libp2p peer id, as `status` shows it.
    pub peer_id: String,
    pub taken_at: Timestamp,
    /// How far the node's own log had reached (0: it had signed nothing).
    pub own_seq: u64,
    /// The `bureau` version that wrote it.
    pub written_by: String,
}

/// One frame of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Part {
    Header(Header),
    /// A file of the node directory (a path relative to it, `/`-separated) with its mode; its
    /// content follows in chunks. A directory is implied by the paths of its files.
    File {
        path: String,
        mode: u32,
    },
    Chunk(Vec<u8>),
    Mail(Vec<MailItem>),
    End {
        sha256: [u8; 32],
    },
}

/// What a backup holds, or what a restore put back.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub header: Header,
    pub files: Vec<String>,
    pub file_bytes: u64,
    /// Messages kept (sent and received, hits among them).
    pub messages: u64,
    pub hits: u64,
    /// Messages still waiting for delivery.
    pub outbox: u64,
    /// Bytes of the backup file.
    pub backup_bytes: u64,
}

impl Summary {
    fn new(header: Header) -> Summary {
        Summary {
            header,
            files: Vec::new(),
            file_bytes: 0,
            messages: 0,
            hits: 0,
            outbox: 0,
            backup_bytes: 0,
        }
    }

    fn count_mail(&mut self, items: &[MailItem]) {
        for item in items {
            match item {
                MailItem::Kept { kept, .. } => {
                    self.messages += 1;
                    if kept.kind == bureau_store::MailKind::Hit {
                        self.hits += 1;
                    }
                }
                MailItem::Outgoing(_) => self.outbox += 1,
            }
        }
    }
}

/// Writes a backup file frame by frame, hashing as it goes.
#[derive(Debug)]
struct Writer {
    out: BufWriter<File>,
    hasher: Sha256,
    written: u64,
}

impl Writer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        self.out.write_all(bytes)
    }

    fn part(&mut self, part: &Part) -> std::io::Result<()> {
        let bytes = codec::encode(part);
        let len = u32::try_from(bytes.len())
            .ok()
            .filter(|len| *len as usize <= MAX_FRAME_BYTES)
            .ok_or_else(|| std::io::Error::other("a backup frame over its limit"))?;
        self.write(&len.to_be_bytes())?;
        self.write(&bytes)
    }
}

/// The node directory's files a backup holds: every regular file in it and its directories,
/// except the store and the names in `skip` (runtime files such as `api.addr`), sorted.
pub fn files_to_keep(dir: &Path, skip: &[&str]) -> Result<Vec<PathBuf>> {
    fn walk(
        root: &Path,
        at: &Path,
        depth: usize,
        skip: &[&str],
        out: &mut Vec<PathBuf>,
    ) -> Result<()> {
        let entries = std::fs::read_dir(root.join(at))
            .with_context(|| format!("cannot list {}", root.join(at).display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", root.display()))?;
            let relative = at.join(entry.file_name());
            if depth == 0
                && (entry.file_name() == files::STORE
                    || skip.iter().any(|name| entry.file_name() == *name))
            {
                continue;
            }
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot read {}", root.join(&relative).display()))?;
            if kind.is_dir() && depth + 1 < MAX_PATH_DEPTH {
                walk(root, &relative, depth + 1, skip, out)?;
            } else if kind.is_file() {
                out.push(relative);
            } else {
                tracing::warn!(path = %relative.display(), "not a regular file: left out of the backup");
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, Path::new(""), 0, skip, &mut out)?;
    out.sort();
    if out.len() > MAX_BACKUP_FILES {
        fail!(
            InvalidInput,
            "{} holds {} files, more than a backup takes ({MAX_BACKUP_FILES}): is it a node directory?",
            dir.display(),
            out.len()
        );
    }
    Ok(out)
}

/// Writes a backup of the node directory `dir` to `out` (a new file, private to its owner):
/// `header`, the files [`files_to_keep`] names, then the mailbox pages `next_mail` gives
/// (called with the previous page's position until it answers `None`).
pub fn write(
    dir: &Path,
    out: &Path,
    header: Header,
    skip: &[&str],
    mut next_mail: impl FnMut(Option<Vec<u8>>) -> Result<(Vec<MailItem>, Option<Vec<u8>>)>,
) -> Result<Summary> {
    let keep = files_to_keep(dir, skip)?;
    let partial = sibling(out, "partial")?;
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| {
            format!(
                "cannot create {} (remove it if an earlier backup was interrupted)",
                partial.display()
            )
        })?;
    let mut summary = Summary::new(header.clone());
    let result = (|| -> Result<()> {
        let mut writer = Writer {
            out: BufWriter::new(file),
            hasher: Sha256::new(),
            written: 0,
        };
        let io = |error: std::io::Error| {
            Error::internal(format!("cannot write {}: {error}", partial.display()))
        };
        writer.write(MAGIC).map_err(io)?;
        writer.write(&BACKUP_VERSION.to_be_bytes()).map_err(io)?;
        writer.part(&Part::Header(header)).map_err(io)?;
        for relative in &keep {
            let path = dir.join(relative);
            let name = path_text(relative)?;
            let copied = copy_file(&mut writer, &path, &name, relative.as_os_str() == AUDIT_LOG)
                .map_err(|error| {
                    Error::internal(format!("cannot back up {}: {error}", path.display()))
                })?;
            summary.files.push(name);
            summary.file_bytes += copied;
        }
        let mut position = None;
        loop {
            let (items, next) = next_mail(position)?;
            summary.count_mail(&items);
            if !items.is_empty() {
                writer.part(&Part::Mail(items)).map_err(io)?;
            }
            match next {
                Some(next) => position = Some(next),
                None => break,
            }
        }
        let sha256: [u8; 32] = writer.hasher.clone().finalize().into();
        writer.part(&Part::End { sha256 }).map_err(io)?;
        summary.backup_bytes = writer.written;
        let file = writer
            .out
            .into_inner()
            .map_err(|error| io(error.into_error()))?;
        file.sync_all().map_err(io)?;
        Ok(())
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    if out.exists() {
        let _ = std::fs::remove_file(&partial);
        fail!(
            Conflict,
            "{} exists: choose another name (a backup never replaces a file)",
            out.display()
        );
    }
    std::fs::rename(&partial, out)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), out.display()))?;
    Ok(summary)
}

/// Longest audit line (see `audit::MAX_AUDIT_LINE_BYTES`): the tail read to find where the
/// last complete line ends.
const AUDIT_TAIL_BYTES: u64 = 64 * 1024;

/// Writes one file of the node directory as a [`Part::File`] and its chunks, streaming it;
/// the audit log only up to its last complete line, as the node may be writing the next.
/// Returns the bytes copied.
fn copy_file(writer: &mut Writer, path: &Path, name: &str, audit: bool) -> std::io::Result<u64> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path)?;
    let metadata = file.metadata()?;
    let mut len = metadata.len();
    if audit {
        let from = len.saturating_sub(AUDIT_TAIL_BYTES);
        file.seek(SeekFrom::Start(from))?;
        let mut tail = Vec::new();
        (&mut file).take(len - from).read_to_end(&mut tail)?;
        len = tail
            .iter()
            .rposition(|byte| *byte == b'\n')
            .map_or(from, |at| from + at as u64 + 1);
        file.seek(SeekFrom::Start(0))?;
    }
    writer.part(&Part::File {
        path: name.to_owned(),
        mode: metadata.permissions().mode() & 0o777,
    })?;
    let mut left = len;
    let mut chunk = vec![0u8; FILE_CHUNK_BYTES];
    while left > 0 {
        let size = usize::try_from(left.min(FILE_CHUNK_BYTES as u64)).unwrap_or(FILE_CHUNK_BYTES);
        file.read_exact(&mut chunk[..size])?;
        writer.part(&Part::Chunk(chunk[..size].to_vec()))?;
        left -= size as u64;
    }
    Ok(len)
}

/// Reads a backup, checking every frame and the end's checksum. With `into`, restores it
/// there (see the module comment): `into` must not exist, or be an empty directory.
pub fn read(backup: &Path, into: Option<&Path>) -> Result<Summary> {
    let staging = match into {
        Some(target) => {
            let empty = match std::fs::read_dir(target) {
                Ok(mut entries) => entries.next().is_none(),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => true,
                Err(error) => {
                    return Err(Error::internal(format!(
                        "cannot read {}: {error}",
                        target.display()
                    )));
                }
            };
            if !empty {
                fail!(
                    Conflict,
                    "{} is not empty: restore into a new directory (a restore never mixes with a node's files)",
                    target.display()
                );
            }
            let staging = sibling(target, "restoring")?;
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&staging)
                .with_context(|| {
                    format!(
                        "cannot create {} (remove it if an earlier restore was interrupted)",
                        staging.display()
                    )
                })?;
            Some(staging)
        }
        None => None,
    };
    let result = read_into(backup, staging.as_deref());
    let summary = match (result, &staging, into) {
        (Ok(summary), Some(staging), Some(target)) => {
            if target.exists() {
                std::fs::remove_dir(target)
                    .with_context(|| format!("cannot replace {}", target.display()))?;
            }
            std::fs::rename(staging, target).with_context(|| {
                format!(
                    "cannot rename {} to {}",
                    staging.display(),
                    target.display()
                )
            })?;
            summary
        }
        (Ok(summary), _, _) => summary,
        (Err(error), staging, _) => {
            if let Some(staging) = staging {
                let _ = std::fs::remove_dir_all(staging);
            }
            return Err(error);
        }
    };
    Ok(summary)
}

/// Reads frames from `backup`; writes files and the store under `staging` when given.
fn read_into(backup: &Path, staging: Option<&Path>) -> Result<Summary> {
    let file = File::open(backup).with_context(|| format!("cannot open {}", backup.display()))?;
    let mut reader = Reader {
        input: BufReader::new(file),
        hasher: Sha256::new(),
        read: 0,
        path: backup.to_owned(),
    };
    let mut magic = [0u8; MAGIC.len()];
    if reader.exact(&mut magic).is_err() || &magic != MAGIC {
        fail!(InvalidInput, "{} is not a Bureau backup", backup.display());
    }
    let mut version = [0u8; 4];
    reader.exact(&mut version)?;
    let version = u32::from_be_bytes(version);
    if version != BACKUP_VERSION {
        fail!(
            InvalidInput,
            "{} is a backup in format {version}; this bureau reads format {BACKUP_VERSION} (use the bureau version that wrote it)",
            backup.display()
        );
    }
    let Part::Header(header) = reader.part()? else {
        return Err(reader.damaged("it does not start with its header"));
    };
    let mut summary = Summary::new(header.clone());
    let mut open: Option<File> = None;
    let mut store: Option<bureau_store::Store> = None;
    loop {
        let before = reader.hasher.clone().finalize();
        match reader.part()? {
            Part::Header(_) => return Err(reader.damaged("a second header")),
            Part::File { path, mode } => {
                let relative = safe_relative(&path).ok_or_else(|| {
                    reader.damaged(&format!("a file outside the node directory ({path:?})"))
                })?;
                if summary.files.len() == MAX_BACKUP_FILES {
                    return Err(reader.damaged("too many files"));
                }
                if store.is_some() {
                    return Err(reader.damaged("a file after the mailbox"));
                }
                summary.files.push(path);
                if let Some(file) = open.take() {
                    file.sync_all().map_err(|error| {
                        Error::internal(format!("cannot write a restored file: {error}"))
                    })?;
                }
                open = match staging {
                    Some(staging) => Some(create_private(staging, &relative, mode)?),
                    None => None,
                };
            }
            Part::Chunk(bytes) => {
                if summary.files.is_empty() || store.is_some() {
                    return Err(reader.damaged("file content outside a file"));
                }
                summary.file_bytes += bytes.len() as u64;
                if let Some(file) = open.as_mut() {
                    file.write_all(&bytes).map_err(|error| {
                        Error::internal(format!("cannot write a restored file: {error}"))
                    })?;
                }
            }
            Part::Mail(items) => {
                if let Some(staging) = staging {
                    if store.is_none() {
                        store = Some(open_store(staging)?);
                    }
                    if let Some(store) = &store {
                        store.restore_mail(&items)?;
                    }
                }
                summary.count_mail(&items);
            }
            Part::End { sha256 } => {
                if sha256[..] != before[..] {
                    return Err(reader.damaged("its checksum does not match its content"));
                }
                let mut rest = [0u8; 1];
                if reader.input.read(&mut rest).map_err(|e| reader.io(e))? != 0 {
                    return Err(reader.damaged("bytes after its end"));
                }
                break;
            }
        }
    }
    summary.backup_bytes = reader.read;
    if let Some(staging) = staging {
        if let Some(file) = open.take() {
            file.sync_all().map_err(|error| {
                Error::internal(format!("cannot write a restored file: {error}"))
            })?;
        }
        let store = match store {
            Some(store) => store,
            None => open_store(staging)?,
        };
        store.set_restored_own_seq(Some(header.own_seq))?;
    }
    Ok(summary)
}

/// The store of a directory being restored, made new.
fn open_store(staging: &Path) -> Result<bureau_store::Store> {
    let dir = files::NodeDir::new(staging);
    let genesis = files::read_genesis(&dir.genesis(), "the backup holds no genesis file")?;
    Ok(bureau_store::Store::open(
        &bureau_store::Config::new(dir.store()),
        &genesis,
    )?)
}

/// Creates a restored file (and its directories), readable by its owner only whatever the mode
/// the backup gives: a node directory is private.
fn create_private(staging: &Path, relative: &Path, mode: u32) -> Result<File> {
    let path = staging.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode & 0o700)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// A path of the backup as one inside the node directory: relative, made of plain names only,
/// and not the store.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let relative = PathBuf::from(path);
    let plain = relative
        .components()
        .all(|component| matches!(component, Component::Normal(_)));
    let depth = relative.components().count();
    let first = relative.components().next()?;
    (plain && (1..=MAX_PATH_DEPTH).contains(&depth) && first.as_os_str() != files::STORE)
        .then_some(relative)
}

fn path_text(path: &Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::invalid(format!("{} is not UTF-8: rename it", path.display())))
}

/// `path` with `.suffix` added to its file name, in the same directory.
fn sibling(path: &Path, suffix: &str) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{} names no file", path.display())))?;
    let mut name = name.to_os_string();
    name.push(format!(".{suffix}"));
    Ok(path.with_file_name(name))
}

/// Reads a backup frame by frame, hashing as it goes.
struct Reader {
    input: BufReader<File>,
    hasher: Sha256,
    read: u64,
    path: PathBuf,
}

impl Reader {
    fn damaged(&self, why: &str) -> Error {
        Error::invalid(format!(
            "{} is damaged: {why}; nothing was restored from it",
            self.path.display()
        ))
    }

    fn io(&self, error: std::io::Error) -> Error {
        if error.kind() == std::io::ErrorKind::UnexpectedEof {
            self.damaged("it ends before its end frame (a copy cut short?)")
        } else {
            Error::internal(format!("cannot read {}: {error}", self.path.display()))
        }
    }

    fn exact(&mut self, buffer: &mut [u8]) -> Result<()> {
        self.input.read_exact(buffer).map_err(|e| self.io(e))?;
        self.hasher.update(&*buffer);
        self.read += buffer.len() as u64;
        Ok(())
    }

    fn part(&mut self) -> Result<Part> {
        let mut len = [0u8; 4];
        self.exact(&mut len)?;
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_FRAME_BYTES {
            return Err(self.damaged("a frame longer than any backup holds"));
        }
        let mut bytes = vec![0u8; len];
        self.exact(&mut bytes)?;
        codec::decode::<Part, MAX_FRAME_BYTES>(&bytes)
            .map_err(|_| self.damaged("a frame that does not decode"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The audit log is kept up to its last complete line (the node may be writing the next),
    /// the store and skipped runtime files are left out, and the backup reads back whole.
    #[test]
    fn a_backup_keeps_complete_audit_lines_and_leaves_the_store_out() {
        let temp = tempfile::tempdir().expect("tempdir");
        let dir = temp.path().join("node");
        std::fs::create_dir_all(dir.join("store")).expect("dirs");
        std::fs::create_dir_all(dir.join(files::RETIRED_KEYS)).expect("dirs");
        std::fs::write(dir.join("store/db"), b"replica").expect("write");
        std::fs::write(dir.join("api.addr"), b"http://127.0.0.1:1\n").expect("write");
        std::fs::write(dir.join(files::NODE_KEY), b"00").expect("write");
        std::fs::write(
            dir.join(files::RETIRED_KEYS).join("encryption-00.key"),
            b"11",
        )
        .expect("write");
        std::fs::write(
            dir.join(AUDIT_LOG),
            b"{\"n\":1}\n{\"n\":2}\n{\"n\":3,\"half",
        )
        .expect("write");
        let header = Header {
            member: "FRA".parse().expect("code"),
            peer_id: String::new(),
            taken_at: Timestamp(0),
            own_seq: 7,
            written_by: "test".into(),
        };
        let out = temp.path().join("node.backup");
        let written = write(&dir, &out, header.clone(), &["api.addr"], |_| {
            Ok((Vec::new(), None))
        })
        .expect("backup");
        assert_eq!(
            written.files,
            ["audit.log", "node.key", "retired-keys/encryption-00.key"]
        );
        assert_eq!(written.file_bytes, 16 + 2 + 2, "two whole audit lines");
        let read = read(&out, None).expect("read back");
        assert_eq!(read.header, header);
        assert_eq!(read.files, written.files);
        assert_eq!(read.backup_bytes, written.backup_bytes);
    }

    #[test]
    fn only_plain_paths_inside_the_directory_are_restored() {
        assert!(safe_relative("node.key").is_some());
        assert!(safe_relative("retired-keys/encryption-00.key").is_some());
        for hostile in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "store/db",
            "",
            "./node.key",
        ] {
            assert!(safe_relative(hostile).is_none(), "{hostile:?}");
        }
    }
}
