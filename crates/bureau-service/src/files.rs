//! The files a node and a root-key holder keep, and how they are read and written.
//!
//! A node directory holds `node.key` and `encryption.key` (secret, mode 0600), `genesis.bureau`,
//! `node.cert` once admitted, `join-request.bureau`, the replica under `store/`, and `audit.log`
//! (every search and change, JSON lines, see [`crate::audit`]). Key files are hex text; the rest
//! is the canonical binary encoding. Every error names the file and, when the user can act, says
//! what to do.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
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

pub fn read_secret(path: &Path, what: &str, hint: &str) -> Result<[u8; 32]> {
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

/// Everything a node needs from its directory to act as a member.
#[derive(Debug)]
pub struct Identity {
    pub key: SecretKey,
    pub certificate: Certificate,
    pub genesis: Genesis,
    /// The X25519 secret that opens records sealed to this node.
    pub encryption: bureau_store::UnsealKey,
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
            encryption: bureau_store::UnsealKey(encryption),
            key,
            certificate,
            genesis,
        })
    }
}
