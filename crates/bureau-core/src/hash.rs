//! SHA-256 hashes with a domain prefix, and the network id derived from the genesis.

use sha2::{Digest, Sha256};

use crate::text_serde::{text_or_binary, text_schema};

/// A SHA-256 hash. Always computed with a domain prefix (see [`Hash::of`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hash(pub [u8; 32]);

/// Domain prefixes for hashes, so a hash of one kind of thing can never stand for another.
pub mod domain {
    pub const GENESIS: &[u8] = b"bureau/v1/hash/genesis\0";
    pub const ENTRY_HEADER: &[u8] = b"bureau/v1/hash/entry-header\0";
    pub const BODY: &[u8] = b"bureau/v1/hash/body\0";
    pub const DIGEST: &[u8] = b"bureau/v1/hash/digest\0";
    pub const SERIAL: &[u8] = b"bureau/v1/hash/serial\0";
    pub const FORK_PROOF: &[u8] = b"bureau/v1/hash/fork-proof\0";
    pub const SEAL_RANDOMNESS: &[u8] = b"bureau/v1/hash/seal-randomness\0";
    pub const SEAL_KEY_COMMITMENT: &[u8] = b"bureau/v1/hash/seal-key-commitment\0";
    /// The member's secret for the local ids of its restricted records.
    pub const OPAQUE_ID_KEY: &[u8] = b"bureau/v1/hash/opaque-id-key\0";
    /// A restricted record's local id, keyed by that secret.
    pub const OPAQUE_ID: &[u8] = b"bureau/v1/hash/opaque-id\0";
    /// A node-local fingerprint of the current reader keys (never shipped).
    pub const READER_KEYS: &[u8] = b"bureau/v1/hash/reader-keys\0";
}

impl Hash {
    /// The all-zero hash: `prev_hash` of the first entry of every log.
    pub const ZERO: Hash = Hash([0; 32]);

    /// Hashes `parts` in order, after a domain prefix.
    pub fn of(domain: &[u8], parts: &[&[u8]]) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update(domain);
        for part in parts {
            hasher.update(part);
        }
        Hash(hasher.finalize().into())
    }

    /// A streaming hasher with the domain prefix already written.
    pub fn hasher(domain: &[u8]) -> Hasher {
        let mut inner = Sha256::new();
        inner.update(domain);
        Hasher(inner)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first eight hex digits, for logs and tables.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }
}

/// Incremental form of [`Hash::of`].
#[derive(Debug, Clone)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    pub fn finish(self) -> Hash {
        Hash(self.0.finalize().into())
    }
}

impl std::fmt::Display for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hash({})", self.short())
    }
}

/// A hex string that is not 32 bytes.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("expected 64 hex digits")]
pub struct HexError;

pub(crate) fn parse_hex32(text: &str) -> Result<[u8; 32], HexError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| HexError)?;
    Ok(bytes)
}

impl std::str::FromStr for Hash {
    type Err = HexError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hex32(text).map(Hash)
    }
}

impl From<&Hash> for [u8; 32] {
    fn from(hash: &Hash) -> Self {
        hash.0
    }
}

impl From<[u8; 32]> for Hash {
    fn from(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }
}

text_or_binary!(Hash, [u8; 32]);
text_schema!(Hash, "Hash", {
    "description": "A SHA-256 hash: 64 lowercase hex digits.",
    "type": "string",
    "pattern": "^[0-9a-f]{64}$",
});

/// Identifies a network: the hash of its genesis body. Carried in every certificate and entry,
/// and (later) in protocol names and topics, so two networks never mix.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NetworkId(pub Hash);

impl std::fmt::Display for NetworkId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
