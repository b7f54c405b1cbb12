//! The bounded buffer of entries that arrived before their predecessors.
//!
//! Held entries have passed every check that needs no log position (schema, signature, known
//! author), so the buffer cannot be filled with garbage. Entries are keyed by author, seq *and*
//! hash: an invalid entry at a seq (a fork, a non-owner write) must not hide the valid one that
//! arrives later for the same seq. It lives in memory: a held entry was never acknowledged as
//! stored, and sync fetches it again after a restart.
//!
//! Any member can sign entries of its own far ahead of its head, so the buffer is shared
//! fairly (TRUST.md, rule 3): an entry more than [`MAX_PENDING_AHEAD`] past its author's head is
//! not held, one author holds at most [`MAX_PENDING_PER_AUTHOR`] entries and
//! [`MAX_PENDING_BYTES_PER_AUTHOR`] bytes, the whole buffer at most [`MAX_PENDING_BYTES`], and
//! entries held longer than [`PENDING_MAX_AGE`] make room for new ones. Whatever is not held,
//! sync fetches again in order.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bureau_core::{Entry, Hash, PublicKey, Timestamp};

/// Furthest past its author's head an entry may be and still be held.
pub const MAX_PENDING_AHEAD: u64 = 4_096;
/// Most entries held for one author.
pub const MAX_PENDING_PER_AUTHOR: usize = 2_048;
/// Most bytes held for one author.
pub const MAX_PENDING_BYTES_PER_AUTHOR: usize = 16 << 20;
/// Most bytes held in all.
pub const MAX_PENDING_BYTES: usize = 64 << 20;
/// Held entries older than this give way to new ones when the buffer is full (sync fetches
/// them again if they are still needed).
pub const PENDING_MAX_AGE: Duration = Duration::from_secs(600);

#[derive(Debug)]
struct Held {
    entry: Entry,
    bytes: usize,
    held_at: Timestamp,
}

/// What one author holds.
#[derive(Debug, Default, Clone, Copy)]
struct Share {
    entries: usize,
    bytes: usize,
}

/// Why an entry was not held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotHeld {
    /// More than [`MAX_PENDING_AHEAD`] past its author's head.
    TooFarAhead,
    /// Its author holds its whole share.
    AuthorShareFull,
    /// The buffer is full of recent entries.
    Full,
}

#[derive(Debug)]
pub struct Pending {
    entries: BTreeMap<(PublicKey, u64, Hash), Held>,
    shares: HashMap<PublicKey, Share>,
    bytes: usize,
    capacity: usize,
}

fn seq_range(author: &PublicKey, seq: u64) -> std::ops::RangeInclusive<(PublicKey, u64, Hash)> {
    (*author, seq, Hash([0; 32]))..=(*author, seq, Hash([0xff; 32]))
}

impl Pending {
    pub fn new(capacity: usize) -> Pending {
        Pending {
            entries: BTreeMap::new(),
            shares: HashMap::new(),
            bytes: 0,
            capacity,
        }
    }

    /// Holds an entry whose author's log expects `expected` next.
    pub fn hold(&mut self, entry: Entry, expected: u64, now: Timestamp) -> Result<(), NotHeld> {
        let author = entry.header.author;
        let key = (author, entry.header.seq, entry.hash());
        if self.entries.contains_key(&key) {
            return Ok(());
        }
        if entry.header.seq > expected.saturating_add(MAX_PENDING_AHEAD) {
            return Err(NotHeld::TooFarAhead);
        }
        let bytes = bureau_core::codec::encoded_len(&entry);
        let share = self.shares.get(&author).copied().unwrap_or_default();
        if share.entries >= MAX_PENDING_PER_AUTHOR
            || share.bytes + bytes > MAX_PENDING_BYTES_PER_AUTHOR
        {
            return Err(NotHeld::AuthorShareFull);
        }
        if self.is_full(bytes) {
            self.evict_older_than(now.saturating_sub(PENDING_MAX_AGE));
            if self.is_full(bytes) {
                return Err(NotHeld::Full);
            }
        }
        let share = self.shares.entry(author).or_default();
        share.entries += 1;
        share.bytes += bytes;
        self.bytes += bytes;
        self.entries.insert(
            key,
            Held {
                entry,
                bytes,
                held_at: now,
            },
        );
        Ok(())
    }

    fn is_full(&self, more_bytes: usize) -> bool {
        self.entries.len() >= self.capacity || self.bytes + more_bytes > MAX_PENDING_BYTES
    }

    fn evict_older_than(&mut self, cutoff: Timestamp) {
        let old: Vec<_> = self
            .entries
            .iter()
            .filter(|(_, held)| held.held_at < cutoff)
            .map(|(key, _)| *key)
            .collect();
        self.remove_keys(old);
    }

    fn remove_keys(&mut self, keys: Vec<(PublicKey, u64, Hash)>) {
        for key in keys {
            let Some(held) = self.entries.remove(&key) else {
                continue;
            };
            self.bytes -= held.bytes;
            if let Some(share) = self.shares.get_mut(&key.0) {
                share.entries -= 1;
                share.bytes -= held.bytes;
                if share.entries == 0 {
                    self.shares.remove(&key.0);
                }
            }
        }
    }

    /// Every held entry for one position of a log, in hash order.
    pub fn candidates(&self, author: &PublicKey, seq: u64) -> impl Iterator<Item = &Entry> {
        self.entries
            .range(seq_range(author, seq))
            .map(|(_, held)| &held.entry)
    }

    /// Forgets every held entry for one position of a log.
    pub fn remove_seq(&mut self, author: &PublicKey, seq: u64) {
        let keys: Vec<_> = self
            .entries
            .range(seq_range(author, seq))
            .map(|(key, _)| *key)
            .collect();
        self.remove_keys(keys);
    }

    /// Drops what the log has already passed (held entries at or below `head_seq`).
    pub fn forget_through(&mut self, author: &PublicKey, head_seq: u64) {
        let stale: Vec<_> = self
            .entries
            .range((*author, 0, Hash([0; 32]))..=(*author, head_seq, Hash([0xff; 32])))
            .map(|(key, _)| *key)
            .collect();
        self.remove_keys(stale);
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
        self.remove_keys(stale);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Bytes held in all.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bureau_core::testkit::{NOW, TestNetwork};

    /// One author signing far ahead of its head cannot take the buffer from another: its
    /// entries past the window are refused, and its share is bounded.
    #[test]
    fn one_author_cannot_take_the_buffer() {
        let mut network = TestNetwork::new("pending-share", &["FRA", "DEU"]);
        let mut pending = Pending::new(MAX_PENDING_PER_AUTHOR + 10);
        let flood: Vec<Entry> = (0..MAX_PENDING_PER_AUTHOR + 5)
            .map(|i| network.put_document(1, &format!("d{i}"), &format!("D{i}")))
            .collect();
        let far = network.put_document(1, "far", "FAR");
        let mut refused = 0;
        for entry in flood {
            if pending.hold(entry, 0, NOW).is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, 5);
        assert_eq!(pending.hold(far, 0, NOW), Err(NotHeld::AuthorShareFull));
        let _gap = network.put_document(0, "f1", "F1");
        let honest = network.put_document(0, "f2", "F2");
        assert_eq!(pending.hold(honest, 1, NOW), Ok(()));
        let far_ahead = {
            let mut entry = network.put_document(0, "f3", "F3");
            entry.header.seq += MAX_PENDING_AHEAD + 10;
            entry
        };
        assert_eq!(pending.hold(far_ahead, 1, NOW), Err(NotHeld::TooFarAhead));
    }

    /// A full buffer makes room by dropping entries held longer than the age limit.
    #[test]
    fn old_entries_give_way_when_the_buffer_is_full() {
        let mut network = TestNetwork::new("pending-age", &["FRA", "DEU"]);
        let mut pending = Pending::new(3);
        for i in 0..3 {
            let entry = network.put_document(0, &format!("a{i}"), &format!("A{i}"));
            pending.hold(entry, 0, NOW).expect("held");
        }
        let newer = network.put_document(1, "b", "B");
        assert_eq!(pending.hold(newer.clone(), 0, NOW), Err(NotHeld::Full));
        let later = NOW.saturating_add(PENDING_MAX_AGE + Duration::from_secs(1));
        assert_eq!(pending.hold(newer, 0, later), Ok(()));
        assert_eq!(pending.len(), 1);
    }
}
