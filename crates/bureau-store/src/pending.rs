//! The bounded buffer of entries that arrived before their predecessors.
//!
//! Held entries have passed every check that needs no log position (schema, signature, known
//! author), so the buffer cannot be filled with garbage. Entries are keyed by author, seq *and*
//! hash: an invalid entry at a seq (a fork, a non-owner write) must not hide the valid one that
//! arrives later for the same seq. It lives in memory: a held entry was never acknowledged as
//! stored, and sync fetches it again after a restart.

use std::collections::BTreeMap;

use bureau_core::{Entry, Hash, PublicKey};

#[derive(Debug)]
pub struct Pending {
    entries: BTreeMap<(PublicKey, u64, Hash), Entry>,
    capacity: usize,
}

fn seq_range(author: &PublicKey, seq: u64) -> std::ops::RangeInclusive<(PublicKey, u64, Hash)> {
    (*author, seq, Hash([0; 32]))..=(*author, seq, Hash([0xff; 32]))
}

impl Pending {
    pub fn new(capacity: usize) -> Pending {
        Pending {
            entries: BTreeMap::new(),
            capacity,
        }
    }

    /// Holds an entry; false when the buffer is full and the entry was dropped.
    pub fn hold(&mut self, entry: Entry) -> bool {
        let key = (entry.header.author, entry.header.seq, entry.hash());
        if self.entries.contains_key(&key) {
            return true;
        }
        if self.entries.len() >= self.capacity {
            return false;
        }
        self.entries.insert(key, entry);
        true
    }

    /// Every held entry for one position of a log, in hash order.
    pub fn candidates(&self, author: &PublicKey, seq: u64) -> impl Iterator<Item = &Entry> {
        self.entries
            .range(seq_range(author, seq))
            .map(|(_, entry)| entry)
    }

    /// Forgets every held entry for one position of a log.
    pub fn remove_seq(&mut self, author: &PublicKey, seq: u64) {
        let keys: Vec<_> = self
            .entries
            .range(seq_range(author, seq))
            .map(|(key, _)| *key)
            .collect();
        for key in keys {
            self.entries.remove(&key);
        }
    }

    /// Drops what the log has already passed (held entries at or below `head_seq`).
    pub fn forget_through(&mut self, author: &PublicKey, head_seq: u64) {
        let stale: Vec<_> = self
            .entries
            .range((*author, 0, Hash([0; 32]))..=(*author, head_seq, Hash([0xff; 32])))
            .map(|(key, _)| *key)
            .collect();
        for key in stale {
            self.entries.remove(&key);
        }
    }

    /// Forgets held entries of an author after `keep` (its log was cut there).
    pub fn forget_after(&mut self, author: &PublicKey, keep: u64) {
        let stale: Vec<_> = self
            .entries
            .range(
                (*author, keep.saturating_add(1), Hash([0; 32]))
                    ..=(*author, u64::MAX, Hash([0xff; 32])),
            )
            .map(|(key, _)| *key)
            .collect();
        for key in stale {
            self.entries.remove(&key);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}
