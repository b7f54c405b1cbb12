//! Person search by name across scripts and spellings, in two stages: a ranked candidate list
//! from the phonetic index (name, birth date, sex, nationalities and score: what an officer
//! needs to choose), then the full record with `get`, which tells the owner.
//!
//! Each query part is transliterated to Latin and given its phonetic key. Candidates come first
//! from pairs of keys (one index entry per pair of a name's parts, selective even for the
//! commonest parts); while none is a near-certain match, from the same pairs with one key one
//! edit away (a typo, or a letter another transliteration writes otherwise), then from every
//! person sharing any one key. They are ranked by [`names::name_score`] over their names, read from each
//! person's name candidate (stored once beside the index), so no record is loaded until the
//! best candidates are known.
//!
//! The score means the same in every search, so an officer (or a national system) can act on
//! it alone: the name's likeness in [0, 1] (1: the same name in some reading; 0.9 or more: the
//! same name in another spelling, or one typo; shown from [`MIN_NAME_SCORE`]), multiplied by
//! the evidence of whatever else the query gives:
//! - a date of birth narrows the list (within its tolerance); a person whose date is unknown,
//!   or known less precisely than the query's (the year where the query gives the day), stays,
//!   at [`UNKNOWN_EVIDENCE`] per part (year, month, day) it lacks;
//! - a sex the record contradicts multiplies by [`CONTRADICTED_SEX`], an unknown one by
//!   [`UNKNOWN_EVIDENCE`];
//! - a nationality the record lacks multiplies by [`OTHER_NATIONALITY`] (files disagree on
//!   nationality more than on sex), none recorded by [`UNKNOWN_EVIDENCE`].

use std::collections::{BTreeSet, HashMap};

use crate::error::Result;
use crate::fail;
use bureau_core::names;
use bureau_core::record::{IndexTerm, NameCandidate};
use bureau_core::schema::Sex;
use bureau_core::{CountryCode, Date, MemberCode};
use bureau_store::{Posting, Store};

use crate::grouped::{Grouped, owner_of};
use crate::query::{DobFilter, Found, MAX_POSTINGS_PER_OWNER, PersonCandidate, Searched};

/// Most index entries read per phonetic key and owner: a very common name part is capped
/// rather than scanned to the end (the other parts of the query still find the person), and
/// capped per owner so that one member's names cannot take another's place.
pub const MAX_NAME_POSTINGS_PER_KEY_PER_OWNER: usize = 5_000;
/// Most name candidates of one owner a search reads and scores, across all its keys: the bound
/// on one search's work (a candidate costs 10-20 µs to read and score at a million persons).
/// Only a search without a date of birth for common name parts reaches it; per owner, so one
/// member's names never use up another's share.
pub const MAX_NAME_CANDIDATES_PER_OWNER: usize = 1_000;
/// Most keys one edit away from a query key that a search pairs with the query's other keys
/// (among those some person has): bounds the seeks of a query whose key has many neighbours.
pub const MAX_NEIGHBOUR_KEYS: usize = 16;
/// A candidate at least this close makes the pair lookup enough: the single-key scan (slow for
/// common name parts) runs only when no candidate reaches it.
pub const CONFIDENT_NAME_SCORE: f32 = 0.9;
/// A date of birth with at most this many years of tolerance reads only those years'
/// postings (and those of persons born in an unknown year); a wider one reads every year's.
pub const MAX_BIRTH_YEARS_READ_APART: u16 = 10;
/// Candidates scoring below this are not shown.
pub const MIN_NAME_SCORE: f32 = 0.35;
/// The score kept when the query gives a date of birth, sex or nationality the record does not
/// have: a little less than a confirmed one, so that a confirmed match ranks first.
pub const UNKNOWN_EVIDENCE: f32 = 0.97;
/// The score kept when the record's sex is not the one the query gives: a strong sign of
/// another person, yet not proof (records carry errors).
pub const CONTRADICTED_SEX: f32 = 0.8;
/// The score kept when the record's nationalities do not include the one the query gives.
pub const OTHER_NATIONALITY: f32 = 0.9;

/// What a person search gives besides the name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    pub dob: Option<&'a DobFilter>,
    pub sex: Option<Sex>,
    pub nationality: Option<CountryCode>,
}

impl Evidence<'_> {
    /// The factor a candidate's name score is multiplied by; `None` when its date of birth is
    /// outside the query's.
    pub fn factor(&self, candidate: &NameCandidate) -> Option<f32> {
        let mut factor = 1.0;
        if let Some(dob) = self.dob {
            if !dob.matches(candidate.date_of_birth) {
                return None;
            }
            // Each part of the date (year, month, day) the query gives and the record lacks.
            let given = |date: Option<bureau_core::PartialDate>| {
                date.map_or(0, |date| {
                    1 + i32::from(date.month().is_some()) + i32::from(date.day().is_some())
                })
            };
            let unknown = (given(Some(dob.date)) - given(candidate.date_of_birth)).max(0);
            factor *= UNKNOWN_EVIDENCE.powi(unknown);
        }
        if let Some(sex) = self.sex.filter(|sex| *sex != Sex::Unknown) {
            if candidate.sex == Sex::Unknown {
                factor *= UNKNOWN_EVIDENCE;
            } else if candidate.sex != sex {
                factor *= CONTRADICTED_SEX;
            }
        }
        if let Some(code) = self.nationality {
            if candidate.nationalities.is_empty() {
                factor *= UNKNOWN_EVIDENCE;
            } else if !candidate.nationalities.contains(&code) {
                factor *= OTHER_NATIONALITY;
            }
        }
        Some(factor)
    }
}

/// Ranked persons whose names resemble `name`; expired, blocked and cancelled ones left out.
pub fn search(store: &Store, name: &str, evidence: Evidence, today: Date) -> Result<Searched> {
    let readings = names::query_readings(name);
    if readings.is_empty() {
        fail!(InvalidInput, "the name has no letters");
    }
    let query: Vec<names::NameQuery> = readings
        .iter()
        .map(|parts| names::NameQuery::from_parts(parts))
        .collect();
    let mut gathered = Gatherer {
        store,
        query: &query,
        evidence: &evidence,
        scored: HashMap::new(),
        capped: BTreeSet::new(),
        read: HashMap::new(),
    };
    // Stage one: pairs of the query's keys (in each of its readings), selective even for the
    // commonest name parts.
    let reading_keys: Vec<Vec<String>> = readings
        .iter()
        .map(|reading| IndexTerm::phonetic_keys(reading))
        .collect();
    let mut pairs = BTreeSet::new();
    for keys in &reading_keys {
        for (i, first) in keys.iter().enumerate() {
            for second in &keys[i + 1..] {
                pairs.insert(ordered(first, second));
            }
        }
    }
    let years = birth_years(evidence.dob);
    for (first, second) in &pairs {
        for term in year_terms(
            &years,
            || IndexTerm::name_pair(first, second),
            |year| IndexTerm::name_pair_born(first, second, year),
        ) {
            gathered.score_term(&term, MAX_NAME_POSTINGS_PER_KEY_PER_OWNER)?;
        }
    }
    // Stage two, when no candidate is a near-certain match: the same pairs with one key one
    // edit away (a typo, or a letter another transliteration writes otherwise: Mehmed and
    // Mehmet, Munos and Muñoz), among the keys some person has.
    if !gathered.has_confident() {
        let mut near_pairs = BTreeSet::new();
        let mut existing: HashMap<String, bool> = HashMap::new();
        for keys in &reading_keys {
            for key in keys {
                let mut kept = 0;
                for neighbour in names::neighbours(key) {
                    if kept == MAX_NEIGHBOUR_KEYS {
                        break;
                    }
                    let exists = match existing.get(&neighbour) {
                        Some(exists) => *exists,
                        None => {
                            let term = IndexTerm::phonetic_key(&neighbour);
                            let exists = store.has_postings(&term)?;
                            existing.insert(neighbour.clone(), exists);
                            exists
                        }
                    };
                    if !exists {
                        continue;
                    }
                    kept += 1;
                    for other in keys.iter().filter(|other| *other != key) {
                        let pair = ordered(&neighbour, other);
                        if !pairs.contains(&pair) {
                            near_pairs.insert(pair);
                        }
                    }
                }
            }
        }
        let groups = near_pairs.iter().map(|(first, second)| {
            year_terms(
                &years,
                || IndexTerm::name_pair(first, second),
                |year| IndexTerm::name_pair_born(first, second, year),
            )
        });
        gathered.score_shared(groups.collect())?;
    }
    // Stage three, when still no candidate is a near-certain match (the query has one part, or
    // a typo and another spelling changed its keys): every candidate sharing any one key.
    if !gathered.has_confident() {
        let keys: BTreeSet<&String> = reading_keys.iter().flatten().collect();
        let groups = keys.iter().map(|key| {
            year_terms(
                &years,
                || IndexTerm::phonetic_key(key),
                |year| IndexTerm::phonetic_key_born(key, year),
            )
        });
        gathered.score_shared(groups.collect())?;
    }
    let Gatherer {
        scored, mut capped, ..
    } = gathered;

    let mut ranked: Vec<(Vec<u8>, f32)> = scored
        .into_iter()
        .filter(|(_, score)| *score >= MIN_NAME_SCORE)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut grouped = Grouped::default();
    let mut checked: HashMap<MemberCode, usize> = HashMap::new();
    for (record_key, score) in ranked {
        let Some(owner) = owner_of(&record_key) else {
            continue;
        };
        let checked = checked.entry(owner).or_default();
        if *checked >= MAX_POSTINGS_PER_OWNER || grouped.is_full(&owner) {
            capped.insert(owner);
            continue;
        }
        *checked += 1;
        if let Some(record) = store.searchable(&record_key)?
            && record.review_date >= today
            && let bureau_core::RecordData::Person(person) = &record.data
        {
            grouped.add(
                owner,
                Found {
                    reference: record.key.to_string(),
                    score,
                    detail: None,
                    candidate: Some(PersonCandidate::of(
                        person,
                        store.published_notice_colours(&record_key)?,
                    )),
                    record: None,
                },
            );
        }
    }
    grouped.mark_more(&capped);
    Ok(grouped.finish())
}

/// A candidate's score for a query: its best name score over the query's and the candidate's
/// readings, times the evidence factor (0 when its date of birth is excluded).
fn score(query: &[names::NameQuery], evidence: &Evidence, candidate: &NameCandidate) -> f32 {
    match evidence.factor(candidate) {
        Some(factor) => {
            let mut best = 0.0_f32;
            for parts in &candidate.names {
                // Keyed once per candidate reading, not once per query reading.
                let keys = names::candidate_keys(parts);
                for reading in query {
                    best = best.max(reading.score_keyed(parts, &keys));
                }
            }
            factor * best
        }
        None => 0.0,
    }
}

/// The score a search for `name` gives the person under `record_key` whether or not it finds
/// it (`None` when the replica has no name candidate for it): what an evaluation compares the
/// found persons' scores with, to tell a missed person from one that ties with namesakes.
pub fn score_of(
    store: &Store,
    name: &str,
    evidence: Evidence,
    record_key: &[u8],
) -> Result<Option<f32>> {
    let query: Vec<names::NameQuery> = names::query_readings(name)
        .iter()
        .map(|parts| names::NameQuery::from_parts(parts))
        .collect();
    let value = store.index_value(&IndexTerm::name_candidate(), record_key)?;
    Ok(value
        .as_deref()
        .and_then(|bytes| NameCandidate::decode(bytes).ok())
        .map(|candidate| score(&query, &evidence, &candidate)))
}

/// Two keys in order, as a pair term holds them.
fn ordered(first: &str, second: &str) -> (String, String) {
    if first <= second {
        (first.to_owned(), second.to_owned())
    } else {
        (second.to_owned(), first.to_owned())
    }
}

/// The terms a search reads for one key or pair: one per birth year when it reads by year,
/// else the term of every year.
fn year_terms(
    years: &Option<Vec<Option<u16>>>,
    any_year: impl Fn() -> IndexTerm,
    born: impl Fn(Option<u16>) -> IndexTerm,
) -> Vec<IndexTerm> {
    match years {
        Some(years) => years.iter().map(|year| born(*year)).collect(),
        None => vec![any_year()],
    }
}

/// The birth years whose postings a search reads: those its date of birth allows, then the
/// unknown year; `None` (every year, one prefix scan) without a date or with a wide tolerance.
fn birth_years(dob: Option<&DobFilter>) -> Option<Vec<Option<u16>>> {
    let dob = dob.filter(|dob| dob.within_years <= MAX_BIRTH_YEARS_READ_APART)?;
    let year = dob.date.year();
    let first = year.saturating_sub(dob.within_years);
    let last = year.saturating_add(dob.within_years);
    Some((first..=last).map(Some).chain([None]).collect())
}

/// The candidates one search has read and scored, and what it left out.
struct Gatherer<'a> {
    store: &'a Store,
    query: &'a [names::NameQuery],
    evidence: &'a Evidence<'a>,
    /// Each candidate read, with its score (0 when its date of birth is excluded).
    scored: HashMap<Vec<u8>, f32>,
    /// Owners with candidates left unread.
    capped: BTreeSet<MemberCode>,
    /// Candidates read per owner, against [`MAX_NAME_CANDIDATES_PER_OWNER`].
    read: HashMap<MemberCode, usize>,
}

impl Gatherer<'_> {
    /// Whether a candidate is a near-certain match ([`CONFIDENT_NAME_SCORE`]).
    fn has_confident(&self) -> bool {
        self.scored
            .values()
            .any(|score| *score >= CONFIDENT_NAME_SCORE)
    }

    /// Scores the candidates under each group of terms (a key or a pair, in each year read).
    /// Each group gets an equal share of what is left of the budget, and what it does not use
    /// goes to the groups after it: a common name part cannot use the budget up before a rare
    /// one is read, and a rare (or misspelled) one leaves it to the others.
    fn score_shared(&mut self, groups: Vec<Vec<IndexTerm>>) -> Result<()> {
        for (index, terms) in groups.iter().enumerate() {
            let used = self.read.values().copied().max().unwrap_or(0);
            let share = (MAX_NAME_CANDIDATES_PER_OWNER.saturating_sub(used)
                / (groups.len() - index))
                .clamp(1, MAX_NAME_POSTINGS_PER_KEY_PER_OWNER);
            for term in terms {
                self.score_term(term, share)?;
            }
        }
        Ok(())
    }

    /// Scores the candidates under `term` not scored yet, at most `per_owner` postings of each
    /// owner, within each owner's budget.
    fn score_term(&mut self, term: &IndexTerm, per_owner: usize) -> Result<()> {
        let candidate_term = IndexTerm::name_candidate();
        let mut postings = self.store.postings_per_owner(term, per_owner);
        while let Some(posting) = postings.next() {
            let Posting {
                record_key, owner, ..
            } = posting?;
            if self.scored.contains_key(&record_key) {
                continue;
            }
            let read = self.read.entry(owner).or_default();
            if *read >= MAX_NAME_CANDIDATES_PER_OWNER {
                postings.skip_owner(owner);
                self.capped.insert(owner);
                continue;
            }
            *read += 1;
            let value = self.store.index_value(&candidate_term, &record_key)?;
            let Some(Ok(candidate)) = value.as_deref().map(NameCandidate::decode) else {
                tracing::warn!("name index entry without a readable candidate skipped");
                continue;
            };
            let score = score(self.query, self.evidence, &candidate);
            self.scored.insert(record_key, score);
        }
        self.capped.extend(postings.capped().iter().copied());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(sex: Sex, dob: Option<&str>, nationalities: &[&str]) -> NameCandidate {
        NameCandidate {
            names: vec![vec!["ivanov".into(), "sergei".into()]],
            date_of_birth: dob.map(|text| text.parse().expect("date")),
            nationalities: nationalities
                .iter()
                .map(|code| code.parse().expect("code"))
                .collect(),
            sex,
        }
    }

    #[test]
    fn evidence_ranks_confirmed_over_unknown_over_contradicted() {
        let dob = DobFilter {
            date: "1980".parse().expect("date"),
            within_years: 0,
        };
        let evidence = Evidence {
            dob: Some(&dob),
            sex: Some(Sex::Male),
            nationality: Some("RUS".parse().expect("code")),
        };
        let confirmed = evidence.factor(&candidate(Sex::Male, Some("1980-05-01"), &["RUS"]));
        let unknown = evidence.factor(&candidate(Sex::Unknown, None, &[]));
        let contradicted = evidence.factor(&candidate(Sex::Female, Some("1980"), &["UKR"]));
        assert_eq!(confirmed, Some(1.0));
        assert!(unknown.is_some_and(|f| f < 1.0 && f > CONTRADICTED_SEX));
        assert_eq!(contradicted, Some(CONTRADICTED_SEX * OTHER_NATIONALITY));
        // A full date ranks the record known to the day above one known to the year.
        let day = DobFilter {
            date: "1980-05-01".parse().expect("date"),
            within_years: 0,
        };
        let by_day = Evidence {
            dob: Some(&day),
            ..Default::default()
        };
        let to_the_day = by_day.factor(&candidate(Sex::Male, Some("1980-05-01"), &[]));
        let to_the_year = by_day.factor(&candidate(Sex::Male, Some("1980"), &[]));
        assert_eq!(to_the_day, Some(1.0));
        assert_eq!(to_the_year, Some(UNKNOWN_EVIDENCE * UNKNOWN_EVIDENCE));
        // The date of birth narrows rather than ranks.
        assert_eq!(
            evidence.factor(&candidate(Sex::Male, Some("1981"), &["RUS"])),
            None
        );
        // Nothing given: every candidate keeps its name score.
        let none = Evidence::default();
        assert_eq!(
            none.factor(&candidate(Sex::Female, Some("1950"), &["UKR"])),
            Some(1.0)
        );
    }
}
