//! The files a node and a root-key holder keep, and how they are read and written.
//!
//! A node directory holds `node.key` and `encryption.key` (secret, mode 0600), `genesis.bureau`,
//! `node.cert` once admitted, `join-request.bureau`, the replica under `store/`, and `audit.log`
//! (every search and change, JSON lines, see [`crate::audit`]). Key files are hex text; the rest
//! is the canonical binary encoding. Every error names the file and, when the user can act, says
//! what to do.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Context, Error, Result};
use crate::fail;
use bureau_core::{Certificate, Genesis, SecretKey};

pub const NODE_KEY: &str = "node.key";
pub const ENCRYPTION_KEY: &str = "encryption.key";
pub const GENESIS: &str = "genesis.bureau";
pub const CERTIFICATE: &str = "node.cert";
pub const JOIN_REQUEST: &str = "join-request.bureau";
pub const STORE: &str = "store";
pub const AUDIT_LOG: &str = "audit.log";
pub const ROOT_KEY: &str = "root.key";
/// The bearer token of the node's API (written by the daemon on first start).
pub const API_TOKEN: &str = "api.token";

/// Encryption keys this node held before, kept to read what was sealed to them (one
/// `encryption-<first 8 bytes of the public key in hex>.key` each, secret like the others).
pub const RETIRED_KEYS: &str = "retired-keys";

/// The files whose content is secret: refused when others may read them, never fixed quietly
/// (and every file in [`RETIRED_KEYS`]).
pub const SECRET_FILES: [&str; 4] = [NODE_KEY, ENCRYPTION_KEY, ROOT_KEY, API_TOKEN];
/// Mode bits a node's files and directories must not have: nothing for group or others.
pub const NOT_FOR_OTHERS: u32 = 0o077;

/// The paths inside a node directory.
#[derive(Debug, Clone)]
pub struct NodeDir {
    pub root: PathBuf,
}

impl NodeDir {
    pub fn new(root: impl Into<PathBuf>) -> NodeDir {
        NodeDir { root: root.into() }
    }
    pub fn node_key(&self) -> PathBuf {
        self.root.join(NODE_KEY)
    }
    pub fn encryption_key(&self) -> PathBuf {
        self.root.join(ENCRYPTION_KEY)
    }
    pub fn genesis(&self) -> PathBuf {
        self.root.join(GENESIS)
    }
    pub fn retired_keys(&self) -> PathBuf {
        self.root.join(RETIRED_KEYS)
    }
    pub fn certificate(&self) -> PathBuf {
        self.root.join(CERTIFICATE)
    }
    pub fn join_request(&self) -> PathBuf {
        self.root.join(JOIN_REQUEST)
    }
    pub fn store(&self) -> PathBuf {
        self.root.join(STORE)
    }
    pub fn audit_log(&self) -> PathBuf {
        self.root.join(AUDIT_LOG)
    }
}

/// Writes a new file, refusing to replace one (keys and certificates are never overwritten by
/// accident). Secret files get mode 0600 from creation, so they are never readable by others.
pub fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create directory {}", parent.display()))?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    if secret {
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::conflict(format!(
                "{} already exists; refusing to overwrite it (move it aside first)",
                path.display()
            ))
        } else {
            Error::internal(format!("cannot create {}: {error}", path.display()))
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

pub fn read(path: &Path, what: &str, hint: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            Error::not_found(format!("{what} not found at {} ({hint})", path.display()))
        } else {
            Error::internal(format!("cannot read {what} at {}: {error}", path.display()))
        }
    })
}

/// A 32-byte secret as a hex line.
pub fn write_secret(path: &Path, secret: &[u8; 32]) -> Result<()> {
    write_new(path, format!("{}\n", hex::encode(secret)).as_bytes(), true)
}

/// Refuses a secret file that other users may read or write: it may have been read already,
/// so the operator must look, not the node quietly fix it.
pub fn check_private(path: &Path, what: &str) -> Result<()> {
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mode = metadata.permissions().mode() & 0o777;
    if mode & NOT_FOR_OTHERS != 0 {
        fail!(
            Forbidden,
            "{what} {} has mode {mode:04o}: other users may read it. Find out who could have, replace the secret if need be, then `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// Makes a node directory private whatever the umask it was made under: group and others lose
/// every right on the directory and everything in it (0755 becomes 0700, 0644 becomes 0600;
/// symbolic links are left alone). Secret files
/// open to others are refused instead ([`check_private`]). Returns the paths it fixed, for a
/// warning.
pub fn make_private(root: &Path) -> Result<Vec<PathBuf>> {
    for name in SECRET_FILES {
        check_private(&root.join(name), name)?;
    }
    for path in retired_key_files(&root.join(RETIRED_KEYS))? {
        check_private(&path, "retired encryption key")?;
    }
    let mut fixed = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(path) = pending.pop() {
        // The directory itself may be reached through a link; links inside it are not followed.
        let metadata = if path == root {
            std::fs::metadata(&path)
        } else {
            std::fs::symlink_metadata(&path)
        }
        .with_context(|| format!("cannot read the mode of {}", path.display()))?;
        if metadata.is_dir() {
            let entries = std::fs::read_dir(&path)
                .with_context(|| format!("cannot list {}", path.display()))?;
            for entry in entries {
                let entry = entry.with_context(|| format!("cannot list {}", path.display()))?;
                pending.push(entry.path());
            }
        } else if !metadata.is_file() {
            continue;
        }
        // The owner's bits stay as they are; group and others lose theirs.
        let mode = metadata.permissions().mode() & 0o777;
        if mode & NOT_FOR_OTHERS != 0 {
            let private = std::fs::Permissions::from_mode(mode & !NOT_FOR_OTHERS);
            std::fs::set_permissions(&path, private)
                .with_context(|| format!("cannot make {} private", path.display()))?;
            fixed.push(path);
        }
    }
    Ok(fixed)
}

pub fn read_secret(path: &Path, what: &str, hint: &str) -> Result<[u8; 32]> {
    check_private(path, what)?;
    let text = read(path, what, hint)?;
    let text = String::from_utf8_lossy(&text);
    let mut secret = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut secret).with_context(|| {
        format!(
            "{} is not a {what} file (expected 64 hex digits)",
            path.display()
        )
    })?;
    Ok(secret)
}

pub fn read_key(path: &Path, what: &str, hint: &str) -> Result<SecretKey> {
    Ok(SecretKey::from_seed(read_secret(path, what, hint)?))
}

pub fn read_genesis(path: &Path, hint: &str) -> Result<Genesis> {
    let bytes = read(path, "genesis", hint)?;
    Genesis::from_bytes(&bytes)
        .with_context(|| format!("{} is not a valid genesis file", path.display()))
}

/// A fresh 32-byte secret from the operating system.
pub fn random_secret() -> [u8; 32] {
    rand::random()
}

/// The files in a retired-keys directory, sorted (none when it does not exist).
fn retired_key_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", dir.display()));
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|extension| extension == "key") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The encryption keys kept in `dir`'s retired-keys directory.
pub fn read_retired_keys(dir: &NodeDir) -> Result<Vec<bureau_store::UnsealKey>> {
    retired_key_files(&dir.retired_keys())?
        .iter()
        .map(|path| {
            read_secret(
                path,
                "retired encryption key",
                "`bureau node keep-key` writes it",
            )
            .map(bureau_store::UnsealKey)
        })
        .collect()
}

/// Keeps an encryption key this node (or the node it replaces) held before, so that what was
/// sealed to it stays readable: copied into the retired-keys directory, owner-only. Returns
/// where it went; a key already kept is not copied twice.
pub fn keep_retired_key(dir: &NodeDir, from: &Path) -> Result<PathBuf> {
    let secret = read_secret(
        from,
        "encryption key",
        "give the encryption.key of the node directory it came from",
    )?;
    let public = bureau_core::EncryptionPublicKey::from_secret(secret);
    let retired = dir.retired_keys();
    std::fs::create_dir_all(&retired)
        .with_context(|| format!("cannot create {}", retired.display()))?;
    std::fs::set_permissions(&retired, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot make {} private", retired.display()))?;
    let path = retired.join(format!("encryption-{}.key", hex::encode(&public.0[..8])));
    if !path.exists() {
        write_secret(&path, &secret)?;
    }
    Ok(path)
}

/// Everything a node needs from its directory to act as a member.
#[derive(Debug)]
pub struct Identity {
    pub key: SecretKey,
    pub certificate: Certificate,
    pub genesis: Genesis,
    /// The X25519 secret that opens records sealed to this node.
    pub encryption: bureau_store::UnsealKey,
    /// Encryption secrets it held before ([`RETIRED_KEYS`]), kept for reading.
    pub retired: Vec<bureau_store::UnsealKey>,
}

impl Identity {
    pub fn load(dir: &NodeDir) -> Result<Identity> {
        let genesis = read_genesis(
            &dir.genesis(),
            "is --dir a node directory? `bureau init` makes one, or run `bureau sandbox` for a demonstration",
        )?;
        let key = read_key(
            &dir.node_key(),
            "node key",
            "run `bureau init` to create one",
        )?;
        let bytes = read(
            &dir.certificate(),
            "certificate",
            "send join-request.bureau to the root-key holder and put the certificate from `bureau admit` here",
        )?;
        let certificate = Certificate::from_bytes(&bytes)
            .with_context(|| format!("{} is not a certificate", dir.certificate().display()))?;
        certificate
            .verify(&genesis.network_id(), &genesis.root_key())
            .with_context(|| {
                format!(
                    "{} does not verify against {}",
                    dir.certificate().display(),
                    dir.genesis().display()
                )
            })?;
        if certificate.node_key() != key.public() {
            fail!(
                InvalidInput,
                "{} was issued for another key than {}; it belongs to another node directory",
                dir.certificate().display(),
                dir.node_key().display()
            );
        }
        let encryption = read_secret(
            &dir.encryption_key(),
            "encryption key",
            "it is made by `bureau init` with the node key",
        )?;
        if bureau_core::EncryptionPublicKey::from_secret(encryption)
            != certificate.body.encryption_key
        {
            fail!(
                InvalidInput,
                "{} does not match the encryption key in {}",
                dir.encryption_key().display(),
                dir.certificate().display()
            );
        }
        Ok(Identity {
            retired: read_retired_keys(dir)?,
            encryption: bureau_store::UnsealKey(encryption),
            key,
            certificate,
            genesis,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn a_node_directory_made_under_a_loose_umask_is_made_private() {
        let temp = tempfile::tempdir().expect("tempdir");
        let root = temp.path().join("node");
        std::fs::create_dir_all(root.join("store/blobs")).expect("dirs");
        std::fs::write(root.join("store/db"), b"data").expect("file");
        std::fs::write(root.join("audit.log"), b"line").expect("file");
        for (path, mode) in [
            (root.clone(), 0o755),
            (root.join("store"), 0o755),
            (root.join("store/blobs"), 0o750),
            (root.join("store/db"), 0o644),
            (root.join("audit.log"), 0o640),
        ] {
            set_mode(&path, mode);
        }
        write_secret(&root.join(NODE_KEY), &[7; 32]).expect("key");

        let fixed = make_private(&root).expect("private");
        assert_eq!(fixed.len(), 5, "{fixed:?}");
        for dir in [&root, &root.join("store"), &root.join("store/blobs")] {
            assert_eq!(mode_of(dir), 0o700, "{}", dir.display());
        }
        for file in ["store/db", "audit.log", NODE_KEY] {
            assert_eq!(mode_of(&root.join(file)), 0o600, "{file}");
        }
        assert!(make_private(&root).expect("again").is_empty());
    }

    #[test]
    fn a_secret_others_may_read_is_refused_not_fixed() {
        let temp = tempfile::tempdir().expect("tempdir");
        let key = temp.path().join(NODE_KEY);
        write_secret(&key, &[7; 32]).expect("key");
        assert!(read_secret(&key, "node key", "test").is_ok());
        set_mode(&key, 0o644);
        let error = read_secret(&key, "node key", "test").expect_err("refused");
        assert_eq!(error.kind, crate::error::ErrorKind::Forbidden);
        assert!(error.message.contains("chmod 600"), "{}", error.message);
        let refused = make_private(temp.path()).expect_err("refused");
        assert!(refused.message.contains("0644"), "{}", refused.message);
        assert_eq!(mode_of(&key), 0o644, "left for the operator to look at");
    }

    /// `bureau node keep-key`: the old encryption key is kept private, once, and read at
    /// start; one others may read stops the start like any secret.
    #[test]
    fn a_retired_encryption_key_is_kept_private_and_read_back() {
        let temp = tempfile::tempdir().expect("tempdir");
        let dir = NodeDir::new(temp.path().join("node"));
        std::fs::create_dir_all(&dir.root).expect("dir");
        let old = temp.path().join("old-encryption.key");
        write_secret(&old, &[5; 32]).expect("old key");
        assert!(read_retired_keys(&dir).expect("none yet").is_empty());
        let kept = keep_retired_key(&dir, &old).expect("kept");
        assert_eq!(keep_retired_key(&dir, &old).expect("again"), kept);
        assert_eq!(mode_of(&kept), 0o600);
        assert_eq!(mode_of(&dir.retired_keys()), 0o700);
        let read: Vec<_> = read_retired_keys(&dir)
            .expect("read")
            .into_iter()
            .map(|key| key.0)
            .collect();
        assert_eq!(read, vec![[5; 32]]);
        set_mode(&kept, 0o640);
        let refused = make_private(&dir.root).expect_err("refused");
        assert!(
            refused.message.contains("retired encryption key"),
            "{}",
            refused.message
        );
        std::fs::write(&old, "not a key").expect("write");
        set_mode(&old, 0o600);
        assert!(keep_retired_key(&dir, &old).is_err());
    }
}
