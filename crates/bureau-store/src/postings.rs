//! Reading an index term fairly. An index key is `term ‖ 0 ‖ record key`, and a record key
//! starts with its database and owner, so one term's postings come ordered by owner. A plain
//! scan with a limit therefore stops inside whichever owner sorts first and wrote the most: a
//! member that publishes a thousand decoys under another member's identifier hides that
//! member's record. [`OwnerPostings`] reads at most a bounded number of postings per owner, then
//! seeks past that owner, so every owner with a posting is reached whatever the others wrote.

use std::collections::{BTreeSet, HashMap};

use bureau_core::MemberCode;
use bureau_core::record::IndexTerm;

use crate::{Result, Store, layout};

/// Most postings one fair scan reads in all, across owners: with about 200 members and the
/// per-owner limits callers use, a bound on the work of one search even when many owners share
/// a term.
pub const MAX_POSTINGS_PER_SCAN: usize = 2_000_000;

/// One index entry: the record it points at (store key bytes), its owner and the stored value.
#[derive(Debug, Clone)]
pub struct Posting {
    pub record_key: Vec<u8>,
    pub owner: MemberCode,
    pub value: Vec<u8>,
}

/// The postings of a term, at most `max_per_owner` per owner (see the module comment).
pub struct OwnerPostings<'a> {
    store: &'a Store,
    tree: &'a sled::Tree,
    prefix: Vec<u8>,
    iter: sled::Iter,
    max_per_owner: usize,
    read: HashMap<MemberCode, usize>,
    read_in_all: usize,
    capped: BTreeSet<MemberCode>,
}

impl Store {
    /// The postings under a term (or a prefix), at most `max_per_owner` per owner, owner by
    /// owner; [`OwnerPostings::capped`] then names the owners that had more.
    pub fn postings_per_owner(&self, term: &IndexTerm, max_per_owner: usize) -> OwnerPostings<'_> {
        let mut prefix = term.bytes.clone();
        if !term.prefix {
            prefix.push(0);
        }
        let tree = &self.trees[layout::index_position(term.index)];
        OwnerPostings {
            store: self,
            tree,
            iter: tree.range(prefix.clone()..),
            prefix,
            max_per_owner,
            read: HashMap::new(),
            read_in_all: 0,
            capped: BTreeSet::new(),
        }
    }
}

impl std::fmt::Debug for OwnerPostings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnerPostings")
            .field("prefix", &self.prefix)
            .field("max_per_owner", &self.max_per_owner)
            .field("read_in_all", &self.read_in_all)
            .field("capped", &self.capped)
            .finish_non_exhaustive()
    }
}

impl OwnerPostings<'_> {
    /// Owners whose postings were not all read: their counts are lower bounds.
    pub fn capped(&self) -> &BTreeSet<MemberCode> {
        &self.capped
    }

    /// Reads no more postings of `owner`: the scan seeks past it at its next posting (and then
    /// counts it among the capped owners, as it has more).
    pub fn skip_owner(&mut self, owner: MemberCode) {
        self.read.insert(owner, self.max_per_owner);
    }

    /// Whether the scan stopped at [`MAX_POSTINGS_PER_SCAN`] before the term's end.
    pub fn stopped_early(&self) -> bool {
        self.read_in_all >= MAX_POSTINGS_PER_SCAN
    }

    /// Splits an index key into its record part and the record's owner.
    fn parse<'k>(&self, key: &'k [u8]) -> Result<(usize, &'k [u8], MemberCode)> {
        let record = layout::record_part_of_index_key(key)
            .ok_or_else(|| self.store.corrupt("index key without separator"))?;
        let owner = record
            .get(1..4)
            .and_then(|code| <[u8; 3]>::try_from(code).ok())
            .and_then(|code| MemberCode::try_from(code).ok())
            .ok_or_else(|| {
                self.store
                    .corrupt("index entry with a malformed record key")
            })?;
        Ok((key.len() - record.len(), record, owner))
    }
}

impl Iterator for OwnerPostings<'_> {
    type Item = Result<Posting>;

    fn next(&mut self) -> Option<Result<Posting>> {
        loop {
            if self.stopped_early() {
                return None;
            }
            let (key, value) = match self.iter.next()? {
                Ok(item) => item,
                Err(error) => return Some(Err(self.store.sled_error(error))),
            };
            if !key.starts_with(&self.prefix) {
                return None;
            }
            let (record_at, record, owner) = match self.parse(&key) {
                Ok(parsed) => parsed,
                Err(error) => return Some(Err(error)),
            };
            let read = self.read.entry(owner).or_default();
            if *read >= self.max_per_owner {
                // Seek past this term's postings of this database and owner: a local id is
                // UTF-8, which never holds the byte 0xFF.
                self.capped.insert(owner);
                let mut past = key[..record_at + 4].to_vec();
                past.push(0xFF);
                self.iter = self.tree.range(past..);
                continue;
            }
            *read += 1;
            self.read_in_all += 1;
            return Some(Ok(Posting {
                record_key: record.to_vec(),
                owner,
                value: value.to_vec(),
            }));
        }
    }
}
