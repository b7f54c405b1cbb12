//! Feeds one sync response frame (`SyncResponse`: entries, erasure proofs and fork proofs) to
//! the codec (limit `MAX_SYNC_RESPONSE_BYTES`, then `bureau_core::codec::decode` as
//! `bureau-net`'s codec calls it), then handles a batch as `sync.rs` does: at most
//! `MAX_FORK_PROOFS_IN_SYNC` fork proofs verified and applied first, each erasure proof checked
//! on its own, then the entries validated and applied in order to the model replica.
//!
//! Protects: no panic on a peer's answer; fork proofs, proofs and entries from sync follow the
//! same rules as from gossip; decode and encode agree.

#![no_main]

use bureau_core::validate::check_erasure_proof;
use bureau_fuzz::check;
use bureau_fuzz::fixture::fixture;
use bureau_net::config::{MAX_FORK_PROOFS_IN_SYNC, MAX_SYNC_RESPONSE_BYTES};
use bureau_net::protocol::SyncResponse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(response) = bureau_fuzz::frame::decode::<SyncResponse>(data, MAX_SYNC_RESPONSE_BYTES)
    else {
        return;
    };
    check::round_trip_encoding::<SyncResponse, { bureau_fuzz::frame::DECODE_LIMIT }>(&response);
    let SyncResponse::Entries {
        entries,
        proofs,
        mut forks,
        ..
    } = response
    else {
        return;
    };
    let fixture = fixture();
    let mut replica = fixture.replica.clone();
    forks.truncate(MAX_FORK_PROOFS_IN_SYNC);
    for proof in &forks {
        if let Ok(point) = proof.verify(&fixture.network_id()) {
            replica.learn_fork_point(proof.author(), point);
        }
    }
    for proof in &proofs {
        let Ok(_) = check_erasure_proof(&replica, proof, fixture.now);
    }
    for entry in &entries {
        check::inspect_body(&entry.header, entry.body.as_ref());
        let _ = replica.apply(entry, fixture.now);
    }
});
