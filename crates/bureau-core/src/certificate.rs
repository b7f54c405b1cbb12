//! Certificates: the root key's statement that a node key belongs to a member, with roles.
//!
//! Certificates are self-authenticating: anyone holding the genesis can check one against the
//! root key, so a replica may learn them from any source (the genesis holder, `Admit` entries,
//! a peer's handshake). A [`JoinRequest`] is what a new node hands the root-key holder: its keys
//! and member code, signed by the node key to prove possession.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::codec::{self, DecodeError, MAX_CERTIFICATE_BYTES};
use crate::hash::{self, Hash, NetworkId};
use crate::keys::{self, EncryptionPublicKey, KeyError, PublicKey, SecretKey, Signature};
use crate::member::MemberCode;
use crate::time::Timestamp;

/// What a certificate allows its holder to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Publish and cancel the member's own records; every certificate has it.
    Member,
    /// The General Secretariat: admit and revoke members, review notices, block records.
    Secretariat,
}

/// A set of roles; a `BTreeSet` so its encoding is canonical (sorted, no duplicates).
pub type Roles = BTreeSet<Role>;

/// Why a certificate or join request was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CertificateError {
    #[error("cannot decode: {0}")]
    Decode(#[from] DecodeError),
    #[error("issued for network {found}, not this network ({expected})")]
    WrongNetwork {
        expected: NetworkId,
        found: NetworkId,
    },
    #[error("the signature does not verify: {0}")]
    Signature(KeyError),
    #[error("the node key is unusable: {0}")]
    NodeKey(KeyError),
    #[error("the secretariat role belongs to member XGS and only to it (member {0})")]
    SecretariatRole(MemberCode),
    #[error("every certificate carries the member role")]
    MissingMemberRole,
    #[error("the validity period is empty (not_before is after not_after)")]
    EmptyValidity,
}

/// The signed content of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateBody {
    pub network: NetworkId,
    pub member: MemberCode,
    pub node_key: PublicKey,
    pub encryption_key: EncryptionPublicKey,
    pub roles: Roles,
    /// Unique per certificate; revocations name it.
    pub serial: u64,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
}

/// A certificate body with the root key's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub body: CertificateBody,
    pub signature: Signature,
}

impl CertificateBody {
    fn check(&self) -> Result<(), CertificateError> {
        if !self.roles.contains(&Role::Member) {
            return Err(CertificateError::MissingMemberRole);
        }
        if self.roles.contains(&Role::Secretariat) != self.member.is_secretariat() {
            return Err(CertificateError::SecretariatRole(self.member));
        }
        if self.not_before > self.not_after {
            return Err(CertificateError::EmptyValidity);
        }
        self.node_key
            .verifying_key()
            .map_err(CertificateError::NodeKey)?;
        Ok(())
    }
}

/// A serial derived from what the certificate binds, so the root-key holder needs no counter
/// and two certificates for different keys or times never share one. Kept below 2^53 so it
/// survives JSON tools that read numbers as doubles.
pub fn derive_serial(
    network: &NetworkId,
    member: &MemberCode,
    node_key: &PublicKey,
    not_before: Timestamp,
) -> u64 {
    let hash = Hash::of(
        hash::domain::SERIAL,
        &[
            &network.0.0,
            member.as_bytes(),
            &node_key.0,
            &not_before.0.to_be_bytes(),
        ],
    );
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash.0[..8]);
    u64::from_be_bytes(first) & ((1 << 53) - 1)
}

impl Certificate {
    /// Signs a certificate body with the root key, after checking its rules.
    pub fn issue(root: &SecretKey, body: CertificateBody) -> Result<Certificate, CertificateError> {
        body.check()?;
        let signature = root.sign(keys::domain::CERTIFICATE, &codec::encode(&body));
        Ok(Certificate { body, signature })
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Certificate, CertificateError> {
        Ok(codec::decode_canonical::<_, MAX_CERTIFICATE_BYTES>(bytes)?)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Checks the certificate against a network and its root key.
    pub fn verify(
        &self,
        network: &NetworkId,
        root_key: &PublicKey,
    ) -> Result<(), CertificateError> {
        if self.body.network != *network {
            return Err(CertificateError::WrongNetwork {
                expected: *network,
                found: self.body.network,
            });
        }
        self.body.check()?;
        root_key
            .verify(
                keys::domain::CERTIFICATE,
                &codec::encode(&self.body),
                &self.signature,
            )
            .map_err(CertificateError::Signature)
    }

    pub fn is_valid_at(&self, at: Timestamp) -> bool {
        self.body.not_before <= at && at <= self.body.not_after
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.body.roles.contains(&role)
    }

    pub fn member(&self) -> MemberCode {
        self.body.member
    }

    pub fn node_key(&self) -> PublicKey {
        self.body.node_key
    }
}

/// The content of a join request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestBody {
    pub network: NetworkId,
    pub member: MemberCode,
    pub node_key: PublicKey,
    pub encryption_key: EncryptionPublicKey,
    pub created_at: Timestamp,
}

/// A join request, signed by the node key it asks a certificate for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub body: JoinRequestBody,
    pub signature: Signature,
}

impl JoinRequest {
    pub fn new(node_key: &SecretKey, body: JoinRequestBody) -> JoinRequest {
        let signature = node_key.sign(keys::domain::JOIN_REQUEST, &codec::encode(&body));
        JoinRequest { body, signature }
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<JoinRequest, CertificateError> {
        Ok(codec::decode::<_, MAX_CERTIFICATE_BYTES>(bytes)?)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// Checks the network and the proof of possession of the node key.
    pub fn verify(&self, network: &NetworkId) -> Result<(), CertificateError> {
        if self.body.network != *network {
            return Err(CertificateError::WrongNetwork {
                expected: *network,
                found: self.body.network,
            });
        }
        self.body
            .node_key
            .verify(
                keys::domain::JOIN_REQUEST,
                &codec::encode(&self.body),
                &self.signature,
            )
            .map_err(CertificateError::Signature)
    }
}
