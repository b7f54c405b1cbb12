//! Sealing: encrypting a restricted record's body so that only its recipients can read it.
//!
//! Every node stores and forwards a sealed body, but only the holders of the recipients' X25519
//! secrets (the members named by the record, the secretariat and the author) can open and index
//! it. The content is encrypted once, with a fresh content key, by ChaCha20-Poly1305; the content
//! key is then wrapped for each recipient with HPKE (RFC 9180, base mode,
//! DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305). Both layers authenticate the
//! caller's associated data (the entry header), so a sealed body cannot be moved to another entry.
//!
//! The content key is used for exactly one message, so its nonce is fixed at zero, as age does
//! for its wrapped file keys. A public commitment to the content key makes the sealing
//! key-committing: ChaCha20-Poly1305 alone would let a dishonest author wrap two different keys
//! that open one ciphertext to two different plaintexts, showing each member a different record.
//!
//! Size: each recipient adds [`BYTES_PER_RECIPIENT`] (113) bytes to the encoded [`Sealed`]; the
//! fixed overhead is 48 bytes (key commitment and tag) plus at most 6 bytes of length prefixes.
//!
//! This module draws no randomness of its own: [`seal`] takes a 32-byte seed from the caller.

use chacha20::ChaCha20Rng;
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Nonce, Payload};
use hpke::rand_core::{Rng as _, SeedableRng as _};
use hpke::{Deserializable as _, OpModeR, OpModeS, Serializable as _};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::codec;
use crate::hash::{Hash, domain};
use crate::keys::EncryptionPublicKey;

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type WrapAead = hpke::aead::ChaCha20Poly1305;

/// HPKE `info`: binds every wrapped key to this use, so it is never valid in another protocol.
pub const SEAL_INFO: &[u8] = b"bureau/v1/seal";
/// Most recipients of one sealed body: a record may name up to 256 members
/// ([`crate::record::MAX_ACCESS_MEMBERS`]), some with several nodes, plus the secretariat and
/// the author.
pub const MAX_SEAL_RECIPIENTS: usize = 512;
/// Largest plaintext [`seal`] accepts: a record's body is a few KiB; this leaves room for the
/// wrapped keys within one entry.
pub const MAX_SEAL_PLAINTEXT_BYTES: usize = 32 * 1024;
/// Largest encoded [`Sealed`]: one entry ([`codec::MAX_ENTRY_BYTES`]) less room for the entry
/// header, its signature and the record's clear fields.
pub const MAX_SEALED_BYTES: usize = codec::MAX_ENTRY_BYTES - 4 * 1024;
/// Length of a content key.
pub const CONTENT_KEY_BYTES: usize = 32;
/// Length of a wrapped content key: the key and its tag.
pub const WRAPPED_KEY_BYTES: usize = CONTENT_KEY_BYTES + TAG_BYTES;
/// Length of a Poly1305 authentication tag.
pub const TAG_BYTES: usize = 16;
/// Encoded bytes each recipient adds: its key, the encapsulated key, and the wrapped content key
/// with its one-byte length prefix.
pub const BYTES_PER_RECIPIENT: usize = 32 + 32 + 1 + WRAPPED_KEY_BYTES;

/// A body encrypted for a set of recipients. Canonical: recipients are sorted by key, unique.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The content key, wrapped once for each recipient.
    pub recipients: Vec<WrappedKey>,
    /// Hash of the content key, checked on opening so that all recipients read one plaintext.
    pub key_commitment: Hash,
    /// The plaintext encrypted with the content key and the caller's associated data; tag last.
    pub ciphertext: Vec<u8>,
}

/// The content key, wrapped with HPKE for one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    /// In clear, so every node knows who may read and index the body.
    pub recipient: EncryptionPublicKey,
    /// The HPKE encapsulated (ephemeral X25519 public) key.
    pub encapsulated: [u8; 32],
    /// The content key encrypted by HPKE, with its tag ([`WRAPPED_KEY_BYTES`]).
    pub wrapped: Vec<u8>,
}

/// Why a body could not be sealed or opened.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("a sealed body needs at least one recipient")]
    NoRecipients,
    #[error("{count} recipients is more than the limit of {limit}: name fewer members")]
    TooManyRecipients { count: usize, limit: usize },
    #[error("{len} bytes of plaintext is more than the limit of {limit} bytes: shorten the record")]
    PlaintextTooLarge { len: usize, limit: usize },
    #[error(
        "the sealed body takes {len} bytes, more than the limit of {limit}: \
         name fewer recipients or shorten the record"
    )]
    TooLarge { len: usize, limit: usize },
    #[error("recipient encryption key {0} is unusable (low order); its certificate is faulty")]
    UnusableRecipientKey(EncryptionPublicKey),
    #[error("this node's encryption key is not among the recipients")]
    NotARecipient,
    #[error("the sealed body or its associated data was altered, or the key is wrong")]
    Tampered,
    #[error("malformed sealed body: {0}")]
    Malformed(&'static str),
}

impl Sealed {
    /// Whether `key` can open this body.
    pub fn is_recipient(&self, key: &EncryptionPublicKey) -> bool {
        self.wrapped_for(key).is_some()
    }

    /// The recipients' encryption keys, in order.
    pub fn recipients(&self) -> impl Iterator<Item = &EncryptionPublicKey> {
        self.recipients.iter().map(|wrapped| &wrapped.recipient)
    }

    /// Checks the shape a peer's sealed body must have, without any key: a recipient count within
    /// limits, recipients sorted and unique, wrapped keys and ciphertext of possible lengths.
    pub fn check(&self) -> Result<(), SealError> {
        check_recipient_count(self.recipients.len())?;
        let sorted = self
            .recipients
            .windows(2)
            .all(|pair| pair[0].recipient < pair[1].recipient);
        if !sorted {
            return Err(SealError::Malformed("recipients not sorted and unique"));
        }
        if self
            .recipients
            .iter()
            .any(|wrapped| wrapped.wrapped.len() != WRAPPED_KEY_BYTES)
        {
            return Err(SealError::Malformed("wrapped key of the wrong length"));
        }
        if self.ciphertext.len() < TAG_BYTES {
            return Err(SealError::Malformed("ciphertext shorter than its tag"));
        }
        Ok(())
    }

    fn wrapped_for(&self, key: &EncryptionPublicKey) -> Option<&WrappedKey> {
        // Linear, so the answer is right even for a peer's unchecked, unsorted body.
        self.recipients
            .iter()
            .find(|wrapped| &wrapped.recipient == key)
    }
}

/// Encrypts `plaintext` for `recipients` (duplicates are dropped), authenticating `aad`.
///
/// `seed` must be fresh secret randomness (e.g. 32 bytes from the OS). It is hashed with every
/// input before use, so reusing a seed by mistake for another plaintext, AAD or recipient set
/// still yields independent keys; only identical inputs give an identical result.
pub fn seal(
    plaintext: &[u8],
    recipients: &[EncryptionPublicKey],
    aad: &[u8],
    seed: [u8; 32],
) -> Result<Sealed, SealError> {
    let mut recipients = recipients.to_vec();
    recipients.sort_unstable();
    recipients.dedup();
    check_recipient_count(recipients.len())?;
    if plaintext.len() > MAX_SEAL_PLAINTEXT_BYTES {
        return Err(SealError::PlaintextTooLarge {
            len: plaintext.len(),
            limit: MAX_SEAL_PLAINTEXT_BYTES,
        });
    }
    let mut rng = ChaCha20Rng::from_seed(derive_rng_seed(seed, plaintext, &recipients, aad));
    let mut content_key = Zeroizing::new([0u8; CONTENT_KEY_BYTES]);
    rng.fill_bytes(content_key.as_mut());
    let ciphertext = content_cipher(&content_key)
        .encrypt(
            &zero_nonce(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("ChaCha20-Poly1305 only fails past 256 GiB; the plaintext is bounded above");
    let recipients = recipients
        .into_iter()
        .map(|recipient| wrap(&content_key, recipient, aad, &mut rng))
        .collect::<Result<Vec<_>, _>>()?;
    let sealed = Sealed {
        recipients,
        key_commitment: commit(&content_key),
        ciphertext,
    };
    let len = codec::encoded_len(&sealed);
    if len > MAX_SEALED_BYTES {
        return Err(SealError::TooLarge {
            len,
            limit: MAX_SEALED_BYTES,
        });
    }
    Ok(sealed)
}

/// What opens a sealed body: a recipient's X25519 secret, or the body's content key itself
/// (given to a reader added later by a key wrap, [`wrap_key`]).
#[derive(Clone, Copy)]
pub enum Opener<'a> {
    Secret(&'a [u8; 32]),
    ContentKey(&'a [u8; CONTENT_KEY_BYTES]),
}

impl std::fmt::Debug for Opener<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Opener::Secret(_) => "Opener::Secret(..)",
            Opener::ContentKey(_) => "Opener::ContentKey(..)",
        })
    }
}

impl<'a> From<&'a [u8; 32]> for Opener<'a> {
    fn from(secret: &'a [u8; 32]) -> Opener<'a> {
        Opener::Secret(secret)
    }
}

/// Decrypts a sealed body with this node's X25519 `secret`, checking `aad`.
pub fn open(sealed: &Sealed, secret: &[u8; 32], aad: &[u8]) -> Result<Vec<u8>, SealError> {
    open_by(sealed, Opener::Secret(secret), aad)
}

/// The content key of a sealed body, unwrapped with a recipient's X25519 `secret` and checked
/// against the body's commitment.
pub fn content_key(
    sealed: &Sealed,
    secret: &[u8; 32],
    aad: &[u8],
) -> Result<Zeroizing<[u8; CONTENT_KEY_BYTES]>, SealError> {
    sealed.check()?;
    let public = EncryptionPublicKey::from_secret(*secret);
    let wrapped = sealed
        .wrapped_for(&public)
        .ok_or(SealError::NotARecipient)?;
    let content_key = unwrap(wrapped, secret, aad)?;
    if commit(&content_key) != sealed.key_commitment {
        return Err(SealError::Tampered);
    }
    Ok(content_key)
}

/// Decrypts a sealed body with `opener`, checking `aad`.
pub fn open_by(sealed: &Sealed, opener: Opener<'_>, aad: &[u8]) -> Result<Vec<u8>, SealError> {
    let content_key = match opener {
        Opener::Secret(secret) => content_key(sealed, secret, aad)?,
        Opener::ContentKey(key) => {
            sealed.check()?;
            if commit(key) != sealed.key_commitment {
                return Err(SealError::Tampered);
            }
            Zeroizing::new(*key)
        }
    };
    content_cipher(&content_key)
        .decrypt(
            &zero_nonce(),
            Payload {
                msg: &sealed.ciphertext,
                aad,
            },
        )
        .map_err(|_| SealError::Tampered)
}

/// Wraps a body's content key for one more recipient (a reader added after the body was
/// sealed), authenticating `aad`. `seed` must be fresh secret randomness.
pub fn wrap_key(
    content_key: &[u8; CONTENT_KEY_BYTES],
    recipient: EncryptionPublicKey,
    aad: &[u8],
    seed: [u8; 32],
) -> Result<WrappedKey, SealError> {
    let mut hasher = Hash::hasher(domain::SEAL_RANDOMNESS);
    hasher.update(&seed);
    hasher.update(aad);
    hasher.update(recipient.as_bytes());
    let mut rng = ChaCha20Rng::from_seed(hasher.finish().0);
    wrap(content_key, recipient, aad, &mut rng)
}

/// Unwraps a content key [`wrap_key`] wrapped for this node's X25519 `secret`. The caller
/// checks it against the sealed body it opens ([`open_by`] does).
pub fn unwrap_key(
    wrapped: &WrappedKey,
    secret: &[u8; 32],
    aad: &[u8],
) -> Result<Zeroizing<[u8; CONTENT_KEY_BYTES]>, SealError> {
    if wrapped.wrapped.len() != WRAPPED_KEY_BYTES {
        return Err(SealError::Malformed("wrapped key of the wrong length"));
    }
    unwrap(wrapped, secret, aad)
}

fn check_recipient_count(count: usize) -> Result<(), SealError> {
    match count {
        0 => Err(SealError::NoRecipients),
        count if count > MAX_SEAL_RECIPIENTS => Err(SealError::TooManyRecipients {
            count,
            limit: MAX_SEAL_RECIPIENTS,
        }),
        _ => Ok(()),
    }
}

/// Hashes the caller's seed with every input (lengths first, so no two inputs collide).
fn derive_rng_seed(
    seed: [u8; 32],
    plaintext: &[u8],
    recipients: &[EncryptionPublicKey],
    aad: &[u8],
) -> [u8; 32] {
    let mut hasher = Hash::hasher(domain::SEAL_RANDOMNESS);
    hasher.update(&seed);
    for part in [plaintext, aad] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    for recipient in recipients {
        hasher.update(recipient.as_bytes());
    }
    hasher.finish().0
}

fn commit(content_key: &[u8; CONTENT_KEY_BYTES]) -> Hash {
    Hash::of(domain::SEAL_KEY_COMMITMENT, &[content_key])
}

/// Each content key encrypts exactly one message, so one fixed nonce is safe (see the module doc).
fn zero_nonce() -> Nonce<ChaCha20Poly1305> {
    Nonce::<ChaCha20Poly1305>::default()
}

fn content_cipher(content_key: &[u8; CONTENT_KEY_BYTES]) -> ChaCha20Poly1305 {
    ChaCha20Poly1305::new(&(*content_key).into())
}

fn wrap(
    content_key: &[u8; CONTENT_KEY_BYTES],
    recipient: EncryptionPublicKey,
    aad: &[u8],
    rng: &mut ChaCha20Rng,
) -> Result<WrappedKey, SealError> {
    let public = <Kem as hpke::Kem>::PublicKey::from_bytes(recipient.as_bytes())
        .map_err(|_| SealError::UnusableRecipientKey(recipient))?;
    let (encapsulated, wrapped) = hpke::single_shot_seal_with_rng::<WrapAead, Kdf, Kem>(
        &OpModeS::Base,
        &public,
        SEAL_INFO,
        content_key,
        aad,
        rng,
    )
    .map_err(|_| SealError::UnusableRecipientKey(recipient))?;
    Ok(WrappedKey {
        recipient,
        encapsulated: encapsulated.to_bytes().into(),
        wrapped,
    })
}

fn unwrap(
    wrapped: &WrappedKey,
    secret: &[u8; 32],
    aad: &[u8],
) -> Result<Zeroizing<[u8; CONTENT_KEY_BYTES]>, SealError> {
    let private = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret)
        .map_err(|_| SealError::Malformed("secret key of the wrong length"))?;
    let encapsulated = <Kem as hpke::Kem>::EncappedKey::from_bytes(&wrapped.encapsulated)
        .map_err(|_| SealError::Malformed("encapsulated key of the wrong length"))?;
    let content_key = Zeroizing::new(
        hpke::single_shot_open::<WrapAead, Kdf, Kem>(
            &OpModeR::Base,
            &private,
            &encapsulated,
            SEAL_INFO,
            &wrapped.wrapped,
            aad,
        )
        .map_err(|_| SealError::Tampered)?,
    );
    let key = <[u8; CONTENT_KEY_BYTES]>::try_from(content_key.as_slice())
        .map_err(|_| SealError::Malformed("wrapped key of the wrong length"))?;
    Ok(Zeroizing::new(key))
}
