//! Fork proofs: two signed headers by one key that no honest log can hold together.
//!
//! A log is a hash chain, so one key signing two different entries at one seq, or an entry whose
//! `prev_hash` is not the hash of the entry it signed just before, proves that the key signed
//! two histories (a copied node directory, a restored backup that published, a rogue member).
//! The proof travels and is checked on its own: anyone holding the key's certificate can verify
//! it, whatever else it holds.
//!
//! The rule every replica applies is deterministic: a forked log is frozen before its **fork
//! point** (the first seq at which the two histories differ), and when a replica knows several
//! proofs for one key, the lowest fork point wins. Entries at or after the fork point are
//! removed wherever they were stored and refused from then on; entries before it stay valid.
//! The secretariat resolves a fork by revoking the key and admitting a new one.

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::entry::{Entry, EntryHeader};
use crate::hash::{Hash, NetworkId};
use crate::keys::{self, KeyError, PublicKey, Signature};

/// An entry's header with its author's signature: what a fork proof carries of each entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedHeader {
    pub header: EntryHeader,
    pub signature: Signature,
}

impl SignedHeader {
    pub fn of(entry: &Entry) -> SignedHeader {
        SignedHeader {
            header: entry.header.clone(),
            signature: entry.signature,
        }
    }

    fn verify(&self) -> Result<(), KeyError> {
        self.header.author.verify(
            keys::domain::ENTRY,
            &codec::encode(&self.header),
            &self.signature,
        )
    }
}

/// Two headers signed by one key that cannot both belong to its log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkProof {
    /// The lower of the two (by seq, then hash).
    pub first: SignedHeader,
    pub second: SignedHeader,
}

/// Why a fork proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForkProofError {
    #[error("the two headers have different authors")]
    Authors,
    #[error("a header belongs to another network")]
    WrongNetwork,
    #[error("a header's signature does not verify: {0}")]
    Signature(KeyError),
    #[error("the two headers do not conflict")]
    NoConflict,
}

impl ForkProof {
    /// Builds a proof from two signed headers, in canonical order; `None` when they do not
    /// conflict or have different authors. Signatures are not checked here: see
    /// [`ForkProof::verify`].
    pub fn new(a: SignedHeader, b: SignedHeader) -> Option<ForkProof> {
        let (first, second) = if (a.header.seq, a.header.hash()) <= (b.header.seq, b.header.hash())
        {
            (a, b)
        } else {
            (b, a)
        };
        let proof = ForkProof { first, second };
        proof.point().map(|_| proof)
    }

    /// The key whose log forked.
    pub fn author(&self) -> PublicKey {
        self.first.header.author
    }

    /// The first seq at which the two histories differ, if they do.
    pub fn point(&self) -> Option<u64> {
        let (first, second) = (&self.first.header, &self.second.header);
        // Logs start at seq 1: a header at seq 0 belongs to no log.
        if first.author != second.author || first.seq == 0 {
            return None;
        }
        if first.seq == second.seq && first.hash() != second.hash() {
            return Some(first.seq);
        }
        // An entry that does not follow the one its author signed just before implies another
        // entry at that position.
        if first.seq.checked_add(1) == Some(second.seq) && second.prev_hash != first.hash() {
            return Some(first.seq);
        }
        None
    }

    /// Checks that the proof holds: one author on `network`, both signatures valid, a conflict.
    /// Returns the fork point.
    pub fn verify(&self, network: &NetworkId) -> Result<u64, ForkProofError> {
        if self.first.header.author != self.second.header.author {
            return Err(ForkProofError::Authors);
        }
        if self.first.header.network != *network || self.second.header.network != *network {
            return Err(ForkProofError::WrongNetwork);
        }
        let point = self.point().ok_or(ForkProofError::NoConflict)?;
        self.first.verify().map_err(ForkProofError::Signature)?;
        self.second.verify().map_err(ForkProofError::Signature)?;
        Ok(point)
    }

    /// A short identity for logs and deduplication.
    pub fn hash(&self) -> Hash {
        Hash::of(
            crate::hash::domain::FORK_PROOF,
            &[&self.first.header.hash().0, &self.second.header.hash().0],
        )
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<ForkProof, codec::DecodeError> {
        codec::decode_canonical::<_, { codec::MAX_FORK_PROOF_BYTES }>(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{Body, Cancel};
    use crate::keys::SecretKey;
    use crate::time::Timestamp;

    fn body(reason: &str) -> Body {
        Body::Cancel(Cancel {
            key: "vehicles/FRA/1".parse().expect("key"),
            version: 1,
            reason: reason.into(),
        })
    }

    #[test]
    fn two_entries_at_one_seq_or_a_broken_link_prove_a_fork() {
        let key = SecretKey::from_seed([7; 32]);
        let network = NetworkId(Hash([1; 32]));
        let one = Entry::sign(&key, network, None, Timestamp(1), body("a"));
        let other = Entry::sign(&key, network, None, Timestamp(1), body("b"));
        let proof = ForkProof::new(SignedHeader::of(&one), SignedHeader::of(&other))
            .expect("conflict at seq 1");
        assert_eq!(proof.verify(&network), Ok(1));
        let two = Entry::sign(
            &key,
            network,
            Some(&other.as_head()),
            Timestamp(2),
            body("c"),
        );
        let proof = ForkProof::new(SignedHeader::of(&two), SignedHeader::of(&one))
            .expect("seq 2 follows another seq 1");
        assert_eq!(proof.verify(&network), Ok(1));
        // A consistent pair proves nothing.
        assert!(ForkProof::new(SignedHeader::of(&other), SignedHeader::of(&two)).is_none());
        // A forged signature is refused.
        let mut forged = proof.clone();
        forged.second.signature.0[0] ^= 1;
        assert!(matches!(
            forged.verify(&network),
            Err(ForkProofError::Signature(_))
        ));
    }
}
