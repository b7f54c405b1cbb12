//! Feeds one sync request frame (`SyncRequest`: a digest, or every author's head) to the codec
//! the sync protocol reads it with: the frame limit `MAX_SYNC_REQUEST_BYTES`, then
//! `bureau_core::codec::decode` as `bureau-net`'s codec calls it.
//!
//! Protects: no panic and no allocation beyond the frame's limit on a request from any peer
//! (sync answers even members still catching up); decode and encode agree.

#![no_main]

use bureau_net::config::MAX_SYNC_REQUEST_BYTES;
use bureau_net::protocol::SyncRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(request) = bureau_fuzz::frame::decode::<SyncRequest>(data, MAX_SYNC_REQUEST_BYTES)
    else {
        return;
    };
    bureau_fuzz::check::round_trip_encoding::<SyncRequest, { bureau_fuzz::frame::DECODE_LIMIT }>(
        &request,
    );
    if let SyncRequest::Heads { heads, limits } = &request {
        for (author, head) in heads {
            let _ = (author.short(), head.seq.checked_add(1));
        }
        let _ = (limits.max_entries, limits.max_bytes);
    }
});
