//! The genesis: the small signed file that founds a network.
//!
//! It names the network, its root public key, when it was made, where to find the first nodes
//! and the storage quotas every replica applies to every log ([`crate::quota`]). The network id is the hash of its canonical body, so every certificate and entry that
//! names the id is bound to exactly this file.

use serde::{Deserialize, Serialize};

use crate::codec::{self, DecodeError, MAX_GENESIS_BYTES};
use crate::hash::{self, Hash, NetworkId};
use crate::keys::{self, KeyError, PublicKey, SecretKey, Signature};
use crate::quota::{MAX_QUOTA_RULES, QuotaRule};
use crate::time::Timestamp;

/// The genesis format this code writes and reads.
pub const GENESIS_VERSION: u16 = 2;
/// Longest network name, in characters.
pub const MAX_NETWORK_NAME_CHARS: usize = 64;
/// Most bootstrap addresses in a genesis.
pub const MAX_BOOTSTRAP_ADDRESSES: usize = 32;
/// Longest bootstrap address, in bytes.
pub const MAX_BOOTSTRAP_ADDRESS_BYTES: usize = 256;

/// Why a genesis was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GenesisError {
    #[error("cannot decode the genesis: {0}")]
    Decode(#[from] DecodeError),
    #[error("unsupported genesis version {0} (this build reads version {GENESIS_VERSION})")]
    Version(u16),
    #[error("the network name must be 1 to {MAX_NETWORK_NAME_CHARS} printable characters")]
    Name,
    #[error(
        "at most {MAX_BOOTSTRAP_ADDRESSES} bootstrap addresses of at most {MAX_BOOTSTRAP_ADDRESS_BYTES} bytes each"
    )]
    Bootstrap,
    #[error("at most {MAX_QUOTA_RULES} quota rules, at most one per member and bucket: {0}")]
    Quotas(String),
    #[error("the genesis signature does not verify against its root key: {0}")]
    Signature(KeyError),
}

/// The signed content of a genesis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisBody {
    pub version: u16,
    pub name: String,
    pub root_key: PublicKey,
    pub created_at: Timestamp,
    /// Addresses of nodes to contact first (multiaddresses, as text).
    pub bootstrap: Vec<String>,
    /// Storage limits per log and bucket (network-wide, or for one member).
    pub quotas: Vec<QuotaRule>,
}

/// A genesis body with the root key's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub body: GenesisBody,
    pub signature: Signature,
}

impl GenesisBody {
    fn check(&self) -> Result<(), GenesisError> {
        if self.version != GENESIS_VERSION {
            return Err(GenesisError::Version(self.version));
        }
        let name_chars = self.name.chars().count();
        if name_chars == 0
            || name_chars > MAX_NETWORK_NAME_CHARS
            || self.name.chars().any(char::is_control)
        {
            return Err(GenesisError::Name);
        }
        if self.bootstrap.len() > MAX_BOOTSTRAP_ADDRESSES
            || self
                .bootstrap
                .iter()
                .any(|address| address.len() > MAX_BOOTSTRAP_ADDRESS_BYTES)
        {
            return Err(GenesisError::Bootstrap);
        }
        if self.quotas.len() > MAX_QUOTA_RULES {
            return Err(GenesisError::Quotas(format!("{} rules", self.quotas.len())));
        }
        let mut seen = std::collections::BTreeSet::new();
        for rule in &self.quotas {
            if !seen.insert((rule.member, rule.bucket)) {
                let who = rule
                    .member
                    .map_or("every member".to_owned(), |m| m.to_string());
                return Err(GenesisError::Quotas(format!(
                    "two rules for {who} in {}",
                    rule.bucket
                )));
            }
        }
        Ok(())
    }
}

impl Genesis {
    /// Founds a network: checks the body and signs it with the root key.
    pub fn create(
        root: &SecretKey,
        name: &str,
        created_at: Timestamp,
        bootstrap: Vec<String>,
        quotas: Vec<QuotaRule>,
    ) -> Result<Genesis, GenesisError> {
        let body = GenesisBody {
            version: GENESIS_VERSION,
            name: name.to_owned(),
            root_key: root.public(),
            created_at,
            bootstrap,
            quotas,
        };
        body.check()?;
        let signature = root.sign(keys::domain::GENESIS, &codec::encode(&body));
        Ok(Genesis { body, signature })
    }

    /// Decodes and verifies a genesis file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Genesis, GenesisError> {
        let genesis: Genesis = codec::decode::<_, MAX_GENESIS_BYTES>(bytes)?;
        genesis.verify()?;
        Ok(genesis)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Checks the body's limits and the root key's signature.
    pub fn verify(&self) -> Result<(), GenesisError> {
        self.body.check()?;
        self.body
            .root_key
            .verify(
                keys::domain::GENESIS,
                &codec::encode(&self.body),
                &self.signature,
            )
            .map_err(GenesisError::Signature)
    }

    /// The network id: the hash of the canonical body.
    pub fn network_id(&self) -> NetworkId {
        NetworkId(Hash::of(
            hash::domain::GENESIS,
            &[&codec::encode(&self.body)],
        ))
    }

    pub fn root_key(&self) -> PublicKey {
        self.body.root_key
    }

    /// The storage quota rules every replica of this network applies.
    pub fn quotas(&self) -> &[QuotaRule] {
        &self.body.quotas
    }
}
