//! Feeds bytes to `Entry::from_bytes`, the decoder of every entry that arrives by gossip or
//! sync, then handles what decodes as a replica does (`bureau_fuzz::check::entry`): validated
//! and applied to the model replica as sent, re-signed by its author, and moved to the next
//! position of its author's log; put records indexed, sealed bodies opened with each member's
//! key.
//!
//! Protects: no panic on outside data (a malformed entry is rejected, never crashes the node);
//! decode and encode agree; an indexed person's name candidate stays searchable.

#![no_main]

use bureau_core::Entry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Entry::from_bytes(data) {
        bureau_fuzz::check::entry(&entry);
    }
});
