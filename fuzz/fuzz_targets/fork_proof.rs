//! Feeds bytes to `ForkProof::from_bytes` (fork proofs arrive on their own gossip topic and in
//! every sync answer), then `bureau_fuzz::check::fork_proof`: `verify` against the network,
//! its fork point, the canonical order, and (re-signed by its author) the model's fork rule.
//!
//! Protects: no panic on a peer's proof; a proof is accepted only for two conflicting headers
//! of one key, and its fork point freezes that log before it (the forks invariant); decode and
//! encode agree.

#![no_main]

use bureau_core::ForkProof;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(proof) = ForkProof::from_bytes(data) {
        bureau_fuzz::check::fork_proof(&proof);
    }
});
