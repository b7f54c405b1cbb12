//! Bureau's local replica: every member's signed log and the records folded from them, on sled.
//!
//! This is the only crate that imports sled. Major components:
//! - [`Store`]: opens the database for one network, answers queries (heads, digest, records,
//!   exact search, what another replica lacks) and applies entries ([`Store::apply_batch`]):
//!   each batch is validated, committed atomically with all its index updates in one sled
//!   transaction, and flushed before it is acknowledged;
//! - [`Committer`]: group commit on a dedicated thread, so many small writers share one flush;
//! - `layout`: tree names and key encodings;
//! - `anomaly`: signals of decoys (many records under one identifier) and floods;
//! - `pending`: the bounded buffer of entries that arrived before their predecessors;
//! - [`OwnerPostings`]: an index scan that reaches every owner however many postings one wrote.
//!
//! Feature `schema`: [`RecordView`] also implements `schemars::JsonSchema`, for the API document.

mod anomaly;
mod apply;
mod committer;
mod layout;
mod mailbox;
mod pending;
mod postings;
mod query;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use bureau_core::codec::DecodeError;
use bureau_core::record::Index;
use bureau_core::{Certificate, Genesis, NetworkId, PublicKey};
use sled::Transactional;

pub use anomaly::{MAX_ENTRIES_PER_MEMBER_PER_HOUR, MAX_RECORDS_PER_IDENTIFIER, MemberAnomalies};
pub use apply::{ApplyReport, Outcome};
pub use committer::{Committer, CommitterError};
pub use layout::{MAX_RECORD_VERSIONS_KEPT, RecordState};
pub use mailbox::{
    Direction, InboxQuota, Kept, MailItem, MailKind, Outgoing, Received, SenderUsage,
};
pub use pending::{
    MAX_PENDING_AHEAD, MAX_PENDING_BYTES, MAX_PENDING_BYTES_PER_AUTHOR, MAX_PENDING_PER_AUTHOR,
    PENDING_MAX_AGE,
};
pub use postings::{MAX_POSTINGS_PER_SCAN, OwnerPostings, Posting};
pub use query::{Batch, RecordView, digest_of, digest_with_forks, latest};

/// Default sled page cache: small, since a node shares its machine with national systems.
pub const DEFAULT_CACHE_CAPACITY_BYTES: u64 = 32 * 1024 * 1024;
/// Most entries held while waiting for the entries before them; beyond it they are dropped and
/// left for sync to fetch again.
pub const MAX_PENDING_ENTRIES: usize = 10_000;
/// Most entries committed and flushed together by the [`Committer`].
pub const GROUP_COMMIT_MAX_ENTRIES: usize = 1024;
/// How long the [`Committer`] waits for more writers before committing what it has.
pub const GROUP_COMMIT_WINDOW: Duration = Duration::from_millis(2);
/// sled's background `fsync` interval; our own flushes cover process crashes before an
/// acknowledgement, this covers the rest of the page cache (`SLED.md`).
pub const BACKGROUND_FLUSH_EVERY_MS: u64 = 500;

/// How to open a store.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    /// sled's page cache in bytes; sled's own default is 1 GB, far too much per node.
    pub cache_capacity_bytes: u64,
    pub max_pending_entries: usize,
    /// This node's X25519 secret: sealed records addressed to it are opened and indexed.
    pub unseal_key: Option<UnsealKey>,
    /// Encryption secrets this node held before (a rotated key kept for reading): what was
    /// sealed to them opens too.
    pub retired_unseal_keys: Vec<UnsealKey>,
}

impl Config {
    pub fn new(path: impl Into<PathBuf>) -> Config {
        Config {
            path: path.into(),
            cache_capacity_bytes: DEFAULT_CACHE_CAPACITY_BYTES,
            max_pending_entries: MAX_PENDING_ENTRIES,
            unseal_key: None,
            retired_unseal_keys: Vec::new(),
        }
    }
}

/// An X25519 secret that opens sealed records; never printed.
#[derive(Clone)]
pub struct UnsealKey(pub [u8; 32]);

/// The secrets a store opens sealed bodies with: the node's current encryption key first,
/// then retired ones, each with its public key (computed once).
#[derive(Clone, Default)]
pub struct Unsealer {
    keys: Vec<(UnsealKey, bureau_core::EncryptionPublicKey)>,
}

impl std::fmt::Debug for Unsealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Unsealer({} keys)", self.keys.len())
    }
}

/// What opens one sealed body here: one of our secrets, or a content key wrapped for one.
pub enum HeldOpener {
    Secret(zeroize::Zeroizing<[u8; 32]>),
    ContentKey(zeroize::Zeroizing<[u8; bureau_core::seal::CONTENT_KEY_BYTES]>),
}

impl std::fmt::Debug for HeldOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HeldOpener::Secret(_) => "HeldOpener::Secret(..)",
            HeldOpener::ContentKey(_) => "HeldOpener::ContentKey(..)",
        })
    }
}

impl HeldOpener {
    pub fn opener(&self) -> bureau_core::seal::Opener<'_> {
        match self {
            HeldOpener::Secret(secret) => bureau_core::seal::Opener::Secret(secret),
            HeldOpener::ContentKey(key) => bureau_core::seal::Opener::ContentKey(key),
        }
    }

    /// The body's content key (unwrapping it when this is a secret).
    pub fn content_key(
        &self,
        sealed: &bureau_core::seal::Sealed,
        aad: &[u8],
    ) -> Option<zeroize::Zeroizing<[u8; bureau_core::seal::CONTENT_KEY_BYTES]>> {
        match self {
            HeldOpener::Secret(secret) => bureau_core::seal::content_key(sealed, secret, aad).ok(),
            HeldOpener::ContentKey(key) => Some(key.clone()),
        }
    }
}

impl Unsealer {
    pub fn new(current: Option<UnsealKey>, retired: Vec<UnsealKey>) -> Unsealer {
        let keys = current
            .into_iter()
            .chain(retired)
            .map(|key| {
                let public = bureau_core::EncryptionPublicKey::from_secret(key.0);
                (key, public)
            })
            .collect();
        Unsealer { keys }
    }

    /// The secret of ours `sealed` names as a recipient.
    pub fn secret_for(&self, sealed: &bureau_core::seal::Sealed) -> Option<&[u8; 32]> {
        self.keys
            .iter()
            .find(|(_, public)| sealed.is_recipient(public))
            .map(|(key, _)| &key.0)
    }

    /// The secret of one of our public keys.
    pub fn secret_of(&self, public: &bureau_core::EncryptionPublicKey) -> Option<&[u8; 32]> {
        self.keys
            .iter()
            .find(|(_, held)| held == public)
            .map(|(key, _)| &key.0)
    }

    /// Our public keys, the current one first.
    pub fn publics(&self) -> impl Iterator<Item = &bureau_core::EncryptionPublicKey> {
        self.keys.iter().map(|(_, public)| public)
    }

    /// What opens the sealed body of `entry` here: a secret it names, or a content key wrapped
    /// for one of ours (`wrapped` looks a wrap up by its `wraps` key). `None` when neither.
    pub fn opener<E>(
        &self,
        entry: &bureau_core::Entry,
        sealed: &bureau_core::seal::Sealed,
        mut wrapped: impl FnMut(&[u8]) -> std::result::Result<Option<Vec<u8>>, E>,
    ) -> std::result::Result<Option<HeldOpener>, E> {
        if let Some(secret) = self.secret_for(sealed) {
            return Ok(Some(HeldOpener::Secret(zeroize::Zeroizing::new(*secret))));
        }
        let hash = entry.hash();
        for (key, public) in &self.keys {
            let row = layout::wrap_key(&entry.header.author, entry.header.seq, public);
            let Some(bytes) = wrapped(&row)? else {
                continue;
            };
            let Ok(wrap) = bureau_core::codec::decode::<
                bureau_core::entry::EntryKeyWrap,
                { usize::MAX },
            >(&bytes) else {
                continue;
            };
            if wrap.entry != hash {
                continue;
            }
            let aad = bureau_core::entry::EntryKeyWrap::aad(&hash);
            match bureau_core::seal::unwrap_key(&wrap.wrapped, &key.0, &aad) {
                Ok(content_key) => return Ok(Some(HeldOpener::ContentKey(content_key))),
                Err(error) => {
                    tracing::warn!(author = %entry.header.author, seq = entry.header.seq, %error, "a content key wrapped for this node does not open");
                }
            }
        }
        Ok(None)
    }
}

impl std::fmt::Debug for UnsealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsealKey(..)")
    }
}

/// Why a store operation failed. Rejected entries are not errors: see [`Outcome`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the store at {path} is in use by another process (is a node already running on this directory?)"
    )]
    Locked { path: PathBuf },
    #[error(
        "the store at {path} is corrupt ({detail}); move the directory aside and start again: the node resyncs every entry from its peers, but not its mailbox (inbox, outbox, sent messages) and hits, which no peer holds: keep the old directory"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the store at {path} is in format {found}, which this bureau does not read (it reads format {supported}): {advice}"
    )]
    Format {
        path: PathBuf,
        found: u32,
        supported: u32,
        advice: &'static str,
    },
    #[error(
        "the store at {path} belongs to network {found}, not {expected}; use a fresh directory"
    )]
    WrongNetwork {
        path: PathBuf,
        expected: NetworkId,
        found: NetworkId,
    },
    #[error("the certificate does not belong to this network: {0}")]
    Certificate(#[from] bureau_core::certificate::CertificateError),
    #[error("store IO at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("store: {0}")]
    Sled(String),
    /// A caller's argument the store cannot use (a page position it never gave, say).
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The layout of the store's trees and values. A store records the version it is written in
/// (`layout::META_FORMAT_VERSION`) and [`Store::open`] refuses another: a newer one (written by
/// a newer `bureau`) with a clear error rather than misreading it. A store from before versions
/// were recorded is format 1 and is marked so at its next open.
///
/// Migration path: a change to the layout bumps this number and adds, in `Store::open`, the
/// step from the previous version (rewriting what changed in one pass, then the new number),
/// so a node upgrades its store in place at its first start with the new binary; derived data
/// that can be rebuilt (the person name index: `NAME_INDEX_VERSION`) is rebuilt instead. A
/// binary never writes a store in a format newer than its own.
pub const STORE_FORMAT_VERSION: u32 = 1;

/// The replica of one network.
#[derive(Debug)]
pub struct Store {
    db: sled::Db,
    /// Every tree, in the order the `layout::T_*` constants give; one slice so one transaction
    /// covers them all.
    trees: Vec<sled::Tree>,
    path: PathBuf,
    network: NetworkId,
    root_key: PublicKey,
    /// Entries that arrived before their predecessors; behind the writer's lock.
    pending: Mutex<pending::Pending>,
    unsealer: Unsealer,
    /// Signals of decoys and floods seen in applied entries (in memory).
    anomalies: Mutex<anomaly::Anomalies>,
    /// The genesis's storage quotas.
    quotas: Vec<bureau_core::quota::QuotaRule>,
}

impl Store {
    /// Opens (or creates) the store for `genesis`'s network.
    pub fn open(config: &Config, genesis: &Genesis) -> Result<Store> {
        let path = config.path.clone();
        let created = !path.join("conf").exists();
        let db = open_db(config)?;
        if created {
            // sled 0.34 does not fsync the directory after creating its files (`SLED.md`).
            sync_directory(&path)?;
        }
        let mut names = vec![
            layout::ENTRIES,
            layout::HEADS,
            layout::RECORDS,
            layout::MEMBERS,
        ];
        names.extend([
            layout::REVOCATIONS,
            layout::META,
            layout::BLOCKS,
            layout::CASES,
            layout::ERASURES,
            layout::UNSEALED,
            layout::SERIALS,
            layout::FORKS,
            layout::USAGE,
            layout::WRAPS,
            layout::NOTICE_PERSONS,
        ]);
        names.extend(Index::ALL.iter().map(Index::name));
        let trees = names
            .iter()
            .map(|name| db.open_tree(name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| open_error(&path, error))?;
        let network = genesis.network_id();
        let store = Store {
            db,
            trees,
            path,
            network,
            root_key: genesis.root_key(),
            pending: Mutex::new(pending::Pending::new(config.max_pending_entries)),
            unsealer: Unsealer::new(
                config.unseal_key.clone(),
                config.retired_unseal_keys.clone(),
            ),
            anomalies: Mutex::new(anomaly::Anomalies::default()),
            quotas: genesis.quotas().to_vec(),
        };
        store.check_format()?;
        store.check_genesis(genesis)?;
        store.check_name_index()?;
        Ok(store)
    }

    /// Refuses a store in a format this binary does not read; marks a store from before
    /// formats were recorded (or a new one) as [`STORE_FORMAT_VERSION`].
    fn check_format(&self) -> Result<()> {
        let meta = &self.trees[layout::T_META];
        let stored = meta
            .get(layout::META_FORMAT_VERSION)
            .map_err(|e| self.sled_error(e))?;
        let found = match stored {
            None => {
                meta.insert(
                    layout::META_FORMAT_VERSION,
                    &STORE_FORMAT_VERSION.to_be_bytes()[..],
                )
                .map_err(|e| self.sled_error(e))?;
                self.flush()?;
                return Ok(());
            }
            Some(bytes) => match <[u8; 4]>::try_from(&bytes[..]) {
                Ok(bytes) => u32::from_be_bytes(bytes),
                Err(_) => return Err(self.corrupt("an unreadable format version")),
            },
        };
        if found == STORE_FORMAT_VERSION {
            return Ok(());
        }
        Err(Error::Format {
            path: self.path.clone(),
            found,
            supported: STORE_FORMAT_VERSION,
            advice: if found > STORE_FORMAT_VERSION {
                "a newer bureau wrote it; run that version (or a later one) on this directory"
            } else {
                "no migration from it exists; move the store aside and resync (the mailbox and hits stay in the old directory)"
            },
        })
    }

    fn check_genesis(&self, genesis: &Genesis) -> Result<()> {
        let meta = &self.trees[layout::T_META];
        match meta
            .get(layout::META_GENESIS)
            .map_err(|e| self.sled_error(e))?
        {
            Some(stored) => {
                let stored = Genesis::from_bytes(&stored).map_err(|error| self.corrupt(error))?;
                if stored.network_id() != self.network {
                    return Err(Error::WrongNetwork {
                        path: self.path.clone(),
                        expected: self.network,
                        found: stored.network_id(),
                    });
                }
            }
            None => {
                meta.insert(layout::META_GENESIS, genesis.to_bytes())
                    .map_err(|e| self.sled_error(e))?;
                self.flush()?;
            }
        }
        Ok(())
    }

    pub fn network(&self) -> NetworkId {
        self.network
    }

    pub fn root_key(&self) -> PublicKey {
        self.root_key
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Learns a certificate from any source (genesis holder, handshake): it is checked against
    /// the root key first. Every certificate of a key is kept (a renewal adds one), so the
    /// outcome does not depend on arrival order.
    pub fn learn_certificate(&self, certificate: &Certificate) -> Result<()> {
        certificate.verify(&self.network, &self.root_key)?;
        let trees = (
            &self.trees[layout::T_MEMBERS],
            &self.trees[layout::T_SERIALS],
        );
        let added = trees
            .transaction(|(members, serials)| {
                let key = certificate.node_key();
                let mut held: Vec<Certificate> = match members.get(key.as_bytes())? {
                    Some(bytes) => stored(
                        bureau_core::codec::decode::<_, { usize::MAX }>(&bytes),
                        &self.path,
                    )
                    .map_err(sled::transaction::ConflictableTransactionError::Abort)?,
                    None => Vec::new(),
                };
                if held.contains(certificate) {
                    return Ok(false);
                }
                held.push(certificate.clone());
                members.insert(&key.as_bytes()[..], bureau_core::codec::encode(&held))?;
                serials.insert(
                    &certificate.body.serial.to_be_bytes()[..],
                    &key.as_bytes()[..],
                )?;
                Ok(true)
            })
            .map_err(|error| match error {
                sled::transaction::TransactionError::Abort(error) => error,
                sled::transaction::TransactionError::Storage(error) => self.sled_error(error),
            })?;
        if added {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes everything committed so far to disk. Called before every acknowledgement.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.sled_error(e))?;
        Ok(())
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        self.db.size_on_disk().map_err(|e| self.sled_error(e))
    }

    fn sled_error(&self, error: sled::Error) -> Error {
        match error {
            sled::Error::Corruption { .. } => Error::Corrupt {
                path: self.path.clone(),
                detail: error.to_string(),
            },
            sled::Error::Io(source) => Error::Io {
                path: self.path.clone(),
                source,
            },
            other => Error::Sled(other.to_string()),
        }
    }

    fn corrupt(&self, error: impl std::fmt::Display) -> Error {
        Error::Corrupt {
            path: self.path.clone(),
            detail: error.to_string(),
        }
    }
}

/// How long opening waits for a lock held by a store being closed in this process: sled
/// releases its file lock from background threads a moment after the last handle drops.
pub const OPEN_LOCK_WAIT: Duration = Duration::from_secs(2);

fn open_db(config: &Config) -> Result<sled::Db> {
    let deadline = std::time::Instant::now() + OPEN_LOCK_WAIT;
    loop {
        let opened = sled::Config::new()
            .path(&config.path)
            .cache_capacity(config.cache_capacity_bytes)
            .flush_every_ms(Some(BACKGROUND_FLUSH_EVERY_MS))
            .open();
        match opened.map_err(|error| open_error(&config.path, error)) {
            Err(Error::Locked { .. }) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn open_error(path: &Path, error: sled::Error) -> Error {
    match error {
        sled::Error::Io(source) if source.to_string().contains("could not acquire lock") => {
            Error::Locked {
                path: path.to_owned(),
            }
        }
        sled::Error::Io(source) => Error::Io {
            path: path.to_owned(),
            source,
        },
        other => Error::Corrupt {
            path: path.to_owned(),
            detail: other.to_string(),
        },
    }
}

fn sync_directory(path: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    std::fs::File::open(path)
        .and_then(|dir| dir.sync_all())
        .map_err(io)?;
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::File::open(parent)
            .and_then(|dir| dir.sync_all())
            .map_err(io)?;
    }
    Ok(())
}

/// Decoding stored bytes failed: the store is corrupt.
pub(crate) fn stored<T>(result: std::result::Result<T, DecodeError>, path: &Path) -> Result<T> {
    result.map_err(|error| Error::Corrupt {
        path: path.to_owned(),
        detail: format!("undecodable stored value: {error}"),
    })
}
