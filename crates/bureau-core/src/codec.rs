//! The one canonical encoding of everything Bureau signs, hashes, stores or sends.
//!
//! serde + bincode 2 with a fixed configuration: little-endian, variable-length integers. Every
//! decode has a size limit, rejects trailing bytes, and never trusts a length prefix beyond that
//! limit. Golden byte vectors in this crate's tests freeze the format, so a dependency upgrade
//! cannot silently change what was signed.
//!
//! Signatures and hashes are always computed over [`encode`] of a decoded value, never over the
//! bytes a peer sent, so a non-minimal encoding from a peer cannot change an entry's identity.
//! What comes from a peer is decoded with [`decode_canonical`], which also refuses bytes that
//! are not the canonical encoding of their value: otherwise one entry has many encodings, each
//! new to gossip's duplicate filter and each costing a signature check before it is found to be
//! a duplicate.

use bincode::config::{Configuration, Limit, LittleEndian, Varint};
use serde::{Serialize, de::DeserializeOwned};

/// Largest encoded entry (header, signature and body). Keeps entries far below sled's blob
/// threshold (~128 KiB) and within one gossip message.
pub const MAX_ENTRY_BYTES: usize = 64 * 1024;
/// Largest encoded certificate or join request.
pub const MAX_CERTIFICATE_BYTES: usize = 4 * 1024;
/// Largest fork proof: two signed headers.
pub const MAX_FORK_PROOF_BYTES: usize = 1024;
/// Largest encoded genesis file.
pub const MAX_GENESIS_BYTES: usize = 64 * 1024;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("{len} bytes is more than the limit of {limit} bytes")]
    TooLarge { len: usize, limit: usize },
    #[error("{extra} unexpected bytes after the value")]
    TrailingBytes { extra: usize },
    #[error("malformed encoding: {0}")]
    Malformed(String),
    #[error("not the canonical encoding of its value")]
    NotCanonical,
}

const fn config<const LIMIT: usize>() -> Configuration<LittleEndian, Varint, Limit<LIMIT>> {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// Encodes a value canonically.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, bincode::config::standard())
        .expect("every Bureau type has a known length and serialises without error")
}

/// The encoded length of a value, without keeping the bytes.
pub fn encoded_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = bincode::enc::write::SizeWriter::default();
    bincode::serde::encode_into_writer(value, &mut counter, bincode::config::standard())
        .expect("every Bureau type has a known length and serialises without error");
    counter.bytes_written
}

/// Decodes a value of at most `LIMIT` bytes; the whole slice must be one value.
pub fn decode<T: DeserializeOwned, const LIMIT: usize>(bytes: &[u8]) -> Result<T, DecodeError> {
    let (value, rest) = decode_prefix::<T, LIMIT>(bytes)?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes { extra: rest.len() });
    }
    Ok(value)
}

/// [`decode`] of a value followed by zero bytes (padding), which are skipped; any other
/// trailing byte is refused.
pub fn decode_padded<T: DeserializeOwned, const LIMIT: usize>(
    bytes: &[u8],
) -> Result<T, DecodeError> {
    let (value, rest) = decode_prefix::<T, LIMIT>(bytes)?;
    if rest.iter().any(|&byte| byte != 0) {
        return Err(DecodeError::TrailingBytes { extra: rest.len() });
    }
    Ok(value)
}

/// The value at the start of `bytes` (at most `LIMIT` of them), and the bytes after it.
fn decode_prefix<T: DeserializeOwned, const LIMIT: usize>(
    bytes: &[u8],
) -> Result<(T, &[u8]), DecodeError> {
    if bytes.len() > LIMIT {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            limit: LIMIT,
        });
    }
    let (value, read) = bincode::serde::decode_from_slice(bytes, config::<LIMIT>())
        .map_err(|error| DecodeError::Malformed(error.to_string()))?;
    Ok((value, &bytes[read..]))
}

/// [`decode`], and the bytes must be the canonical encoding of the value (what [`encode`]
/// gives): for everything a peer sends.
pub fn decode_canonical<T: Serialize + DeserializeOwned, const LIMIT: usize>(
    bytes: &[u8],
) -> Result<T, DecodeError> {
    let value: T = decode::<T, LIMIT>(bytes)?;
    if encoded_len(&value) != bytes.len() || encode(&value) != bytes {
        return Err(DecodeError::NotCanonical);
    }
    Ok(value)
}
