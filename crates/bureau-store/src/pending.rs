//! The bounded buffer of entries that arrived before their predecessors.
//!
//! Held entries have passed every check that needs no log position (schema, signature, known
//! author), so the buffer cannot be filled with garbage. It lives in memory: a held entry was
//! never acknowledged as stored, and sync fetches it again after a restart.

use std::collections::BTreeMap;

use bureau_core::{Entry, PublicKey};

#[derive(Debug)]
pub struct Pending {
    entries: BTreeMap<(PublicKey, u64), Entry>,
    capacity: usize,
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
        let key = (entry.header.author, entry.header.seq);
        if self.entries.contains_key(&key) {
            return true;
        }
        if self.entries.len() >= self.capacity {
            return false;
        }
        self.entries.insert(key, entry);
        true
    }

    pub fn get(&self, author: &PublicKey, seq: u64) -> Option<&Entry> {
        self.entries.get(&(*author, seq))
    }

    pub fn remove(&mut self, author: &PublicKey, seq: u64) {
        self.entries.remove(&(*author, seq));
    }

    /// Drops what the log has already passed (held entries at or below `head_seq`).
    pub fn forget_through(&mut self, author: &PublicKey, head_seq: u64) {
        let stale: Vec<_> = self
            .entries
            .range((*author, 0)..=(*author, head_seq))
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
