//! Search results grouped by owner, so that no member can hide another's record by publishing
//! its own (TRUST.md, rule 2). Each owner contributes at most [`MAX_RESULTS_PER_OWNER`]
//! results and its other matches are counted; when the answer would pass
//! [`MAX_SEARCH_RESULTS`], owners give up their lower-ranked results first, never their best.

use std::collections::{BTreeMap, BTreeSet};

use bureau_core::MemberCode;

use crate::query::{Found, MAX_RESULTS_PER_OWNER, MAX_SEARCH_RESULTS, OwnerMatches, Searched};

/// The owner in a record's store key bytes (database tag, then the owner's code).
pub fn owner_of(record_key: &[u8]) -> Option<MemberCode> {
    record_key
        .get(1..4)
        .and_then(|code| <[u8; 3]>::try_from(code).ok())
        .and_then(|code| MemberCode::try_from(code).ok())
}

/// Live matches collected owner by owner; add them best first.
#[derive(Debug, Default)]
pub struct Grouped {
    owners: BTreeMap<MemberCode, Owner>,
}

#[derive(Debug, Default)]
struct Owner {
    best: Vec<Found>,
    matches: u64,
    more: bool,
}

impl Grouped {
    /// Counts a live match of `owner`; keeps it if the owner has fewer than
    /// [`MAX_RESULTS_PER_OWNER`] kept (add matches best first).
    pub fn add(&mut self, owner: MemberCode, found: Found) {
        let entry = self.owners.entry(owner).or_default();
        entry.matches += 1;
        if entry.best.len() < MAX_RESULTS_PER_OWNER {
            entry.best.push(found);
        }
    }

    /// Whether `owner` already has all the results it may show (later matches only count).
    pub fn is_full(&self, owner: &MemberCode) -> bool {
        self.owners
            .get(owner)
            .is_some_and(|entry| entry.best.len() >= MAX_RESULTS_PER_OWNER)
    }

    /// Counts a live match of `owner` that is not shown (its place is taken by better ones).
    pub fn count(&mut self, owner: MemberCode) {
        self.owners.entry(owner).or_default().matches += 1;
    }

    /// Marks owners whose index entries were not all read: their counts are lower bounds. An
    /// owner none of whose read entries matched is listed too, with no match: it may have some.
    pub fn mark_more(&mut self, owners: &BTreeSet<MemberCode>) {
        for owner in owners {
            self.owners.entry(*owner).or_default().more = true;
        }
    }

    /// The answer: every owner's best result, then second-best ones and so on while the total
    /// stays within [`MAX_SEARCH_RESULTS`].
    pub fn finish(self) -> Searched {
        let mut shown: BTreeMap<MemberCode, usize> = BTreeMap::new();
        let mut results = Vec::new();
        for rank in 0..MAX_RESULTS_PER_OWNER {
            for (owner, entry) in &self.owners {
                let Some(found) = entry.best.get(rank) else {
                    continue;
                };
                if rank > 0 && results.len() >= MAX_SEARCH_RESULTS {
                    continue;
                }
                results.push(found.clone());
                *shown.entry(*owner).or_default() += 1;
            }
        }
        results.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.reference.cmp(&b.reference))
        });
        let owners: Vec<OwnerMatches> = self
            .owners
            .into_iter()
            .map(|(owner, entry)| OwnerMatches {
                owner,
                matches: entry.matches,
                shown: shown.get(&owner).copied().unwrap_or(0) as u64,
                more: entry.more,
            })
            .collect();
        let truncated = owners
            .iter()
            .any(|owner| owner.more || owner.shown < owner.matches);
        Searched {
            results,
            owners,
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(reference: &str, score: f32) -> Found {
        Found {
            reference: reference.to_owned(),
            score,
            detail: None,
            candidate: None,
            record: None,
        }
    }

    fn code(text: &str) -> MemberCode {
        text.parse().expect("member code")
    }

    #[test]
    fn one_owner_with_many_matches_cannot_push_another_out() {
        let mut grouped = Grouped::default();
        for i in 0..500 {
            grouped.add(code("DEU"), found(&format!("vehicles/DEU/d{i:03}"), 1.0));
        }
        grouped.add(code("FRA"), found("vehicles/FRA/stolen", 1.0));
        let searched = grouped.finish();
        assert!(searched.truncated);
        assert_eq!(searched.results.len(), MAX_RESULTS_PER_OWNER + 1);
        assert!(
            searched
                .results
                .iter()
                .any(|f| f.reference == "vehicles/FRA/stolen")
        );
        let deu = &searched.owners[0];
        assert_eq!(
            (deu.matches, deu.shown),
            (500, MAX_RESULTS_PER_OWNER as u64)
        );
        let fra = &searched.owners[1];
        assert_eq!((fra.matches, fra.shown), (1, 1));
    }

    #[test]
    fn many_owners_each_keep_their_best_result() {
        let mut grouped = Grouped::default();
        let letters = || b'A'..=b'Z';
        let codes: Vec<MemberCode> = letters()
            .flat_map(|a| letters().flat_map(move |b| letters().map(move |c| [a, b, c])))
            .filter_map(|code| MemberCode::try_from(code).ok())
            .take(150)
            .collect();
        assert_eq!(codes.len(), 150);
        for owner in &codes {
            for rank in 0..3 {
                grouped.add(*owner, found(&format!("persons/{owner}/p{rank}"), 0.9));
            }
        }
        let searched = grouped.finish();
        let owners_shown: BTreeSet<_> = searched
            .results
            .iter()
            .filter_map(|f| f.reference.split('/').nth(1))
            .collect();
        assert_eq!(owners_shown.len(), codes.len());
        assert!(searched.results.len() <= MAX_SEARCH_RESULTS.max(codes.len()));
        assert!(searched.truncated);
    }
}
