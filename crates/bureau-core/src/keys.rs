//! Keys and signatures.
//!
//! One ed25519 key per node is both its (future) libp2p identity and its entry-signing key; the
//! root key signs the genesis and certificates. Everything signed carries a domain prefix from
//! [`domain`], so a signature made for one purpose is never valid for another. Verification is
//! `verify_strict`, and weak (small-order) public keys are refused outright.

use curve25519_dalek::montgomery::MontgomeryPoint;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use crate::hash::parse_hex32;
use crate::text_serde::{text_or_binary, text_schema};

/// Domain prefixes for signatures.
pub mod domain {
    pub const GENESIS: &[u8] = b"bureau/v1/sign/genesis\0";
    pub const CERTIFICATE: &[u8] = b"bureau/v1/sign/certificate\0";
    pub const JOIN_REQUEST: &[u8] = b"bureau/v1/sign/join-request\0";
    pub const ENTRY: &[u8] = b"bureau/v1/sign/entry\0";
    pub const DIRECT_MESSAGE: &[u8] = b"bureau/v1/sign/direct-message\0";
}

/// Why a key or a signature was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("not a valid ed25519 public key")]
    InvalidPublicKey,
    #[error("weak ed25519 public key (small order) refused")]
    WeakPublicKey,
    #[error("signature does not verify")]
    BadSignature,
    #[error("expected 64 hex digits")]
    BadHex,
}

/// An ed25519 public key, as 32 bytes. Parsing does not check the point; [`PublicKey::verify`]
/// does, and refuses weak keys.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The key as a curve point, refusing invalid and weak keys.
    pub fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| KeyError::InvalidPublicKey)?;
        if key.is_weak() {
            return Err(KeyError::WeakPublicKey);
        }
        Ok(key)
    }

    /// Checks a domain-separated signature with `verify_strict`.
    pub fn verify(
        &self,
        domain: &[u8],
        message: &[u8],
        signature: &Signature,
    ) -> Result<(), KeyError> {
        let key = self.verifying_key()?;
        let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
        key.verify_strict(&separated(domain, message), &signature)
            .map_err(|_| KeyError::BadSignature)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first eight hex digits, for logs and tables.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }
}

fn separated(domain: &[u8], message: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(domain.len() + message.len());
    bytes.extend_from_slice(domain);
    bytes.extend_from_slice(message);
    bytes
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.short())
    }
}

impl std::str::FromStr for PublicKey {
    type Err = KeyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hex32(text)
            .map(PublicKey)
            .map_err(|_| KeyError::BadHex)
    }
}

impl From<&PublicKey> for [u8; 32] {
    fn from(key: &PublicKey) -> Self {
        key.0
    }
}

impl From<[u8; 32]> for PublicKey {
    fn from(bytes: [u8; 32]) -> Self {
        PublicKey(bytes)
    }
}

text_or_binary!(PublicKey, [u8; 32]);
text_schema!(PublicKey, "PublicKey", {
    "description": "An ed25519 public key (a node's key): 64 lowercase hex digits.",
    "type": "string",
    "pattern": "^[0-9a-f]{64}$",
});

/// An ed25519 signature, as 64 bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({}..)", hex::encode(&self.0[..4]))
    }
}

impl std::str::FromStr for Signature {
    type Err = KeyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 64];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| KeyError::BadHex)?;
        Ok(Signature(bytes))
    }
}

impl From<&Signature> for ([u8; 32], [u8; 32]) {
    fn from(signature: &Signature) -> Self {
        let mut low = [0u8; 32];
        let mut high = [0u8; 32];
        low.copy_from_slice(&signature.0[..32]);
        high.copy_from_slice(&signature.0[32..]);
        (low, high)
    }
}

impl From<([u8; 32], [u8; 32])> for Signature {
    fn from((low, high): ([u8; 32], [u8; 32])) -> Self {
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&low);
        bytes[32..].copy_from_slice(&high);
        Signature(bytes)
    }
}

text_or_binary!(Signature, ([u8; 32], [u8; 32]));

/// An ed25519 secret key (a node key or the root key). Built from a 32-byte seed; the caller
/// supplies the randomness, since this crate never reads a random source.
#[derive(Clone)]
pub struct SecretKey(SigningKey);

impl SecretKey {
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// The seed, for writing the key file.
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// Signs `message` after the domain prefix.
    pub fn sign(&self, domain: &[u8], message: &[u8]) -> Signature {
        Signature(self.0.sign(&separated(domain, message)).to_bytes())
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public().short())
    }
}

/// An X25519 public key for sealing restricted records to a member.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EncryptionPublicKey(pub [u8; 32]);

impl EncryptionPublicKey {
    /// The public key of an X25519 secret (clamped as X25519 requires).
    pub fn from_secret(secret: [u8; 32]) -> EncryptionPublicKey {
        EncryptionPublicKey(MontgomeryPoint::mul_base_clamped(secret).to_bytes())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Display for EncryptionPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::fmt::Debug for EncryptionPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncryptionPublicKey({})", hex::encode(&self.0[..4]))
    }
}

impl std::str::FromStr for EncryptionPublicKey {
    type Err = KeyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hex32(text)
            .map(EncryptionPublicKey)
            .map_err(|_| KeyError::BadHex)
    }
}

impl From<&EncryptionPublicKey> for [u8; 32] {
    fn from(key: &EncryptionPublicKey) -> Self {
        key.0
    }
}

impl From<[u8; 32]> for EncryptionPublicKey {
    fn from(bytes: [u8; 32]) -> Self {
        EncryptionPublicKey(bytes)
    }
}

text_or_binary!(EncryptionPublicKey, [u8; 32]);
