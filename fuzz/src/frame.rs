//! Frames as `bureau-net`'s request-response codec reads them (`crates/bureau-net/src/codec.rs`,
//! private to that crate): a frame longer than its protocol's limit is refused before decoding;
//! the rest is decoded by `bureau_core::codec::decode_canonical` with the codec's bincode limit
//! [`DECODE_LIMIT`]. Keep the two in step: a change to the codec's decode is a change here.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The bincode limit `bureau-net`'s codec decodes every frame with.
pub const DECODE_LIMIT: usize = bureau_net::config::MAX_FRAME_BYTES;

/// Decodes one frame of at most `max_frame_bytes`, as the codec does; `None` where the codec
/// answers an error.
pub fn decode<M: Serialize + DeserializeOwned>(frame: &[u8], max_frame_bytes: usize) -> Option<M> {
    if frame.len() > max_frame_bytes {
        return None;
    }
    bureau_core::codec::decode_canonical::<M, DECODE_LIMIT>(frame).ok()
}
