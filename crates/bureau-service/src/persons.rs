//! Person search by name across scripts and spellings, in two stages: a ranked candidate list
//! from the phonetic index (name, birth date, sex, nationalities and score: what an officer
//! needs to choose), then the full record with `get`, which tells the owner.
//!
//! Each query part is transliterated to Latin and given its phonetic key. Candidates come first
//! from pairs of keys (one index entry per pair of a name's parts, selective even for the
//! commonest parts), then, unless one of them is a near-certain match, from every person sharing
//! any one key. They are ranked by [`names::name_score`] over their names, read from each
//! person's name candidate (stored once beside the index), so no record is loaded until the
//! best candidates are known. A date of birth and a nationality narrow the list.

use std::collections::{BTreeSet, HashMap};

use crate::error::Result;
use crate::fail;
use bureau_core::names;
use bureau_core::record::{IndexTerm, NameCandidate};
use bureau_core::{CountryCode, Date, MemberCode};
use bureau_store::{Posting, Store};

use crate::grouped::{Grouped, owner_of};
use crate::query::{DobFilter, Found, MAX_POSTINGS_PER_OWNER, PersonCandidate, Searched};

/// Most index entries read per phonetic key and owner: a very common name part is capped
/// rather than scanned to the end (the other parts of the query still find the person), and
/// capped per owner so that one member's names cannot take another's place.
pub const MAX_NAME_POSTINGS_PER_KEY_PER_OWNER: usize = 5_000;
/// A candidate at least this close makes the pair lookup enough: the single-key scan (slow for
/// common name parts) runs only when no candidate reaches it.
pub const CONFIDENT_NAME_SCORE: f32 = 0.9;
/// Candidates scoring below this are not shown.
pub const MIN_NAME_SCORE: f32 = 0.35;

/// Ranked persons whose names resemble `name`; expired, blocked and cancelled ones left out.
pub fn search(
    store: &Store,
    name: &str,
    dob: Option<&DobFilter>,
    nationality: Option<CountryCode>,
    today: Date,
) -> Result<Searched> {
    let readings = names::query_readings(name);
    if readings.is_empty() {
        fail!(InvalidInput, "the name has no letters");
    }
    let query: Vec<names::NameQuery> = readings
        .iter()
        .map(|parts| names::NameQuery::from_parts(parts))
        .collect();
    let filter = |candidate: &NameCandidate| {
        dob.is_none_or(|filter| filter.matches(candidate.date_of_birth))
            && nationality.is_none_or(|code| {
                candidate.nationalities.is_empty() || candidate.nationalities.contains(&code)
            })
    };
    let mut scored: HashMap<Vec<u8>, f32> = HashMap::new();
    let mut capped = BTreeSet::new();
    // Stage one: pairs of the query's keys (in each of its readings), selective even for the
    // commonest name parts.
    let mut pairs = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for reading in &readings {
        let reading_keys = IndexTerm::phonetic_keys(reading);
        for (i, first) in reading_keys.iter().enumerate() {
            for second in &reading_keys[i + 1..] {
                pairs.insert((first.clone(), second.clone()));
            }
        }
        keys.extend(reading_keys);
    }
    for (first, second) in pairs {
        let term = IndexTerm::name_pair(&first, &second);
        score_postings(store, &term, &query, &filter, &mut scored, &mut capped)?;
    }
    // Stage two, when no candidate is a near-certain match (a typo or another spelling changed
    // a key, or the query has one part): every candidate sharing any one key.
    if !scored.values().any(|score| *score >= CONFIDENT_NAME_SCORE) {
        for key in &keys {
            let term = IndexTerm::phonetic_key(key);
            score_postings(store, &term, &query, &filter, &mut scored, &mut capped)?;
        }
    }

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
                    candidate: Some(PersonCandidate::of(person)),
                    record: None,
                },
            );
        }
    }
    grouped.mark_more(&capped);
    Ok(grouped.finish())
}

/// Scores every candidate under `term` not scored yet (0 when the filter excludes it).
fn score_postings(
    store: &Store,
    term: &IndexTerm,
    query: &[names::NameQuery],
    filter: &impl Fn(&NameCandidate) -> bool,
    scored: &mut HashMap<Vec<u8>, f32>,
    capped: &mut BTreeSet<MemberCode>,
) -> Result<()> {
    let candidate_term = IndexTerm::name_candidate();
    let mut postings = store.postings_per_owner(term, MAX_NAME_POSTINGS_PER_KEY_PER_OWNER);
    for posting in postings.by_ref() {
        let Posting { record_key, .. } = posting?;
        if scored.contains_key(&record_key) {
            continue;
        }
        let value = store.index_value(&candidate_term, &record_key)?;
        let Some(Ok(candidate)) = value.as_deref().map(NameCandidate::decode) else {
            tracing::warn!("name index entry without a readable candidate skipped");
            continue;
        };
        let score = if filter(&candidate) {
            query
                .iter()
                .flat_map(|reading| candidate.names.iter().map(|parts| reading.score(parts)))
                .fold(0.0, f32::max)
        } else {
            0.0
        };
        scored.insert(record_key, score);
    }
    capped.extend(postings.capped().iter().copied());
    Ok(())
}
