//! Person search by name across scripts and spellings, in two stages: a ranked candidate list
//! from the phonetic index, then the full record with `get`.
//!
//! Each query part is transliterated to Latin and looked up by its phonetic key; every person
//! sharing a key becomes a candidate, ranked by [`names::name_score`] over its names (the index
//! value carries them, so no record is loaded until the best candidates are known). A date of
//! birth and a nationality narrow the list.

use std::collections::HashMap;

use anyhow::{Result, bail};
use bureau_core::names;
use bureau_core::record::{IndexTerm, NameCandidate};
use bureau_core::{CountryCode, Date, PartialDate};
use bureau_store::Store;
use serde::{Deserialize, Serialize};

use crate::search::{Found, MAX_SEARCH_RESULTS};

/// Most index entries read per phonetic key: a very common name part is capped rather than
/// scanned to the end (the other parts of the query still find the person).
pub const MAX_NAME_POSTINGS_PER_KEY: usize = 50_000;
/// Candidates scoring below this are not shown.
pub const MIN_NAME_SCORE: f32 = 0.35;

/// A date-of-birth filter: the date as precise as known, give or take some years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DobFilter {
    pub date: PartialDate,
    /// 0: the same year (and month and day, where both sides have them).
    #[serde(default)]
    pub within_years: u16,
}

impl DobFilter {
    /// Whether a person's date of birth passes (an unknown one does: a partial record should
    /// not hide a person).
    pub fn matches(&self, dob: Option<PartialDate>) -> bool {
        let Some(dob) = dob else { return true };
        if self.within_years > 0 {
            return dob.year().abs_diff(self.date.year()) <= self.within_years;
        }
        let agree = |a: Option<u8>, b: Option<u8>| a.is_none() || b.is_none() || a == b;
        self.date.year() == dob.year()
            && agree(self.date.month(), dob.month())
            && agree(self.date.day(), dob.day())
    }
}

/// Ranked persons whose names resemble `name`; expired, blocked and cancelled ones left out.
pub fn search(
    store: &Store,
    name: &str,
    dob: Option<&DobFilter>,
    nationality: Option<CountryCode>,
    today: Date,
) -> Result<Vec<Found>> {
    let query = names::latin_parts(name);
    if query.is_empty() {
        bail!("the name has no letters");
    }
    let mut terms: Vec<IndexTerm> = query.iter().map(|part| IndexTerm::phonetic(part)).collect();
    terms.sort_by(|a, b| a.bytes.cmp(&b.bytes));
    terms.dedup_by(|a, b| a.bytes == b.bytes);

    let mut scored: HashMap<Vec<u8>, f32> = HashMap::new();
    for term in &terms {
        for posting in store.postings(term).take(MAX_NAME_POSTINGS_PER_KEY) {
            let (record_key, value) = posting?;
            if scored.contains_key(&record_key) {
                continue;
            }
            let Ok(candidate) = NameCandidate::decode(&value) else {
                tracing::warn!("undecodable name index entry skipped");
                continue;
            };
            if dob.is_some_and(|filter| !filter.matches(candidate.date_of_birth))
                || nationality.is_some_and(|code| {
                    !candidate.nationalities.is_empty() && !candidate.nationalities.contains(&code)
                })
            {
                scored.insert(record_key, 0.0);
                continue;
            }
            let score = candidate
                .names
                .iter()
                .map(|parts| names::name_score(&query, parts))
                .fold(0.0, f32::max);
            scored.insert(record_key, score);
        }
    }

    let mut ranked: Vec<(Vec<u8>, f32)> = scored
        .into_iter()
        .filter(|(_, score)| *score >= MIN_NAME_SCORE)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut found = Vec::new();
    for (record_key, score) in ranked {
        if found.len() >= MAX_SEARCH_RESULTS {
            break;
        }
        if let Some(record) = store.searchable(&record_key)?
            && record.review_date >= today
        {
            found.push(Found {
                reference: record.key.to_string(),
                score,
                detail: None,
                record: Some(record),
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_of_birth_match_as_precisely_as_known() {
        let date = |text: &str| text.parse::<PartialDate>().expect("date");
        let year = DobFilter {
            date: date("1980"),
            within_years: 0,
        };
        assert!(year.matches(Some(date("1980-03-04"))));
        assert!(!year.matches(Some(date("1981-03-04"))));
        assert!(year.matches(None));
        let day = DobFilter {
            date: date("1980-03-04"),
            within_years: 0,
        };
        assert!(day.matches(Some(date("1980-03"))));
        assert!(!day.matches(Some(date("1980-03-05"))));
        let around = DobFilter {
            date: date("1980"),
            within_years: 2,
        };
        assert!(around.matches(Some(date("1982-12-31"))));
        assert!(!around.matches(Some(date("1983-01-01"))));
    }
}
