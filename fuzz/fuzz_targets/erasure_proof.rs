//! Feeds bytes to `Entry::from_bytes` as the erasure proofs a sync answer carries (`Erase`
//! entries that let a replica accept entries without their bodies), then checks each with
//! `bureau_core::validate::check_erasure_proof` against the model replica, as sent and re-signed
//! by its author (`bureau_fuzz::check::erasure_proof`).
//!
//! Protects: no panic on a peer's proof; only an `Erase` of 1 to `MAX_ERASE_ENTRIES` entries
//! by a member with the right to erase is accepted, and one that disagrees with its author's
//! log as held is a fork proof (the erasure invariant).

#![no_main]

use bureau_core::Entry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(proof) = Entry::from_bytes(data) {
        bureau_fuzz::check::erasure_proof(&proof);
    }
});
