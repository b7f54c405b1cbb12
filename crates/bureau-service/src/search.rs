//! Searching the local replica: one query type per shared database, answered from the store's
//! indexes. Exact identifiers are normalised (case, spaces, dashes); persons are found by name
//! across scripts and spellings and ranked by score; DNA is compared locus by locus and answers
//! with a reference only (Prüm: hit/no-hit).

use std::collections::{BTreeMap, HashMap};

use bureau_core::record::IndexTerm;
use bureau_core::schema;
use bureau_core::{Database, Date, Record, RecordData};
use bureau_store::Store;

use crate::error::Result;
use crate::fail;
use crate::grouped::{Grouped, owner_of};
use crate::persons;
use crate::query::{Found, MAX_POSTINGS_PER_OWNER, Query, Searched};

/// Fewest STR loci that must agree for a DNA match, when the query has that many (Prüm).
pub const MIN_DNA_MATCH_LOCI: usize = 6;
/// Most loci that may differ in a DNA match ("near match": one typing error or mutation).
pub const MAX_DNA_MISMATCHES: usize = 1;
/// Most index entries read per DNA locus and owner; common alleles are shared by many profiles,
/// so the candidate count is bounded rather than the database size, and bounded per owner so
/// that one member's profiles cannot take another's place.
pub const MAX_DNA_POSTINGS_PER_LOCUS_PER_OWNER: usize = 50_000;

fn need(value: &str, what: &str) -> Result<()> {
    if bureau_core::normalize::identifier(value).is_empty() {
        fail!(InvalidInput, "the {what} has no letters or digits");
    }
    Ok(())
}

/// Runs a query; expired, blocked and cancelled records are left out before any limit, and
/// the answer names every owner with a live match (see [`Grouped`]).
pub fn run(store: &Store, query: &Query, today: Date) -> Result<Searched> {
    let exact = |term: IndexTerm| exact_matches(store, &term, today, |_| true, |_| true);
    let in_database = |term: IndexTerm, database: Database| {
        exact_matches(
            store,
            &term,
            today,
            |_| true,
            |record: &Record| record.key.database == database,
        )
    };
    match query {
        Query::TravelDocument {
            number,
            issuing_country,
            document_type,
        } => {
            need(number, "document number")?;
            if document_type.is_some() && issuing_country.is_none() {
                fail!(
                    InvalidInput,
                    "--type needs --country: document types are indexed per issuing country"
                );
            }
            exact(IndexTerm::travel_document(
                number,
                *issuing_country,
                *document_type,
            ))
        }
        Query::Vehicle { vin, engine_number } => match (vin, engine_number) {
            (Some(vin), _) => {
                need(vin, "VIN")?;
                exact(IndexTerm::vin(vin))
            }
            (None, Some(engine)) => {
                need(engine, "engine number")?;
                in_database(IndexTerm::engine(engine), Database::Vehicles)
            }
            (None, None) => fail!(InvalidInput, "give a VIN or an engine number"),
        },
        Query::Person {
            name,
            dob,
            sex,
            nationality,
        } => persons::search(
            store,
            name,
            persons::Evidence {
                dob: dob.as_ref(),
                sex: *sex,
                nationality: *nationality,
            },
            today,
        ),
        Query::Firearm {
            serial_number,
            make,
        } => {
            need(serial_number, "serial number")?;
            exact(IndexTerm::firearm(serial_number, make.as_deref()))
        }
        Query::Vessel {
            imo_number,
            hull_number,
            engine_serial,
        } => {
            let term = match (imo_number, hull_number, engine_serial) {
                (Some(imo), _, _) => {
                    if schema::imo_digits(imo).is_none() {
                        fail!(
                            InvalidInput,
                            "{imo:?} is not an IMO number (seven digits with a check digit)"
                        );
                    }
                    IndexTerm::imo(imo)
                }
                (None, Some(hull), _) => {
                    need(hull, "hull number")?;
                    IndexTerm::hull(hull)
                }
                (None, None, Some(serial)) => {
                    need(serial, "engine serial")?;
                    IndexTerm::engine(serial)
                }
                (None, None, None) => {
                    fail!(
                        InvalidInput,
                        "give an IMO number, a hull number or an engine serial"
                    )
                }
            };
            in_database(term, Database::Vessels)
        }
        Query::AdministrativeDocument {
            serial,
            issuing_country,
        } => {
            let Some((letters, number, _)) = schema::split_serial(serial) else {
                fail!(
                    InvalidInput,
                    "{serial:?} is not a serial number (letters, then digits)"
                );
            };
            let term = IndexTerm {
                prefix: true,
                ..IndexTerm::serial_range(&letters, *issuing_country, 0, 0)
            };
            let covers = |value: &[u8]| {
                IndexTerm::decode_serial_range(value)
                    .is_some_and(|(first, last)| (first..=last).contains(&number))
            };
            exact_matches(store, &term, today, covers, |_| true)
        }
        Query::WorkOfArt { title } => {
            if bureau_core::normalize::name_parts(title).is_empty() {
                fail!(InvalidInput, "the title has no letters or digits");
            }
            exact(IndexTerm::art_title(title))
        }
        Query::Dna { loci } => dna(store, loci, today),
        Query::Template {
            modality,
            reference,
        } => {
            need(reference, "template reference")?;
            exact(IndexTerm::template(*modality, reference))
        }
    }
}

/// Exact matches of a term whose index value passes `keep_value` and whose record passes
/// `keep_record`, read owner by owner.
fn exact_matches(
    store: &Store,
    term: &IndexTerm,
    today: Date,
    keep_value: impl Fn(&[u8]) -> bool,
    keep_record: impl Fn(&Record) -> bool,
) -> Result<Searched> {
    let mut grouped = Grouped::default();
    let mut postings = store.postings_per_owner(term, MAX_POSTINGS_PER_OWNER);
    while let Some(posting) = postings.next() {
        let posting = posting?;
        if !keep_value(&posting.value) {
            continue;
        }
        let Some(record) = store.searchable(&posting.record_key)? else {
            continue;
        };
        if record.review_date >= today && keep_record(&record) {
            grouped.add(posting.owner, Found::exact(record));
            // An owner with all its results shown costs the search nothing more: its other
            // entries are not read, and the answer says it has more.
            if grouped.is_full(&posting.owner) {
                postings.skip_owner(posting.owner);
            }
        }
    }
    grouped.mark_more(postings.capped());
    Ok(grouped.finish())
}

/// Prüm-style DNA search: candidates share alleles at enough loci (counted from the locus
/// index), then each is compared in full. The answer names the reference and how many loci
/// agree, never a person.
fn dna(store: &Store, loci: &BTreeMap<String, String>, today: Date) -> Result<Searched> {
    let query = schema::DnaProfile {
        loci: loci.clone(),
        sample: schema::DnaSample::CrimeScene,
        known_person: false,
        lab_reference: None,
    };
    let canonical = query.canonical_loci();
    if canonical.len() != loci.len() {
        let bad: Vec<_> = loci
            .iter()
            .filter(|(locus, alleles)| {
                schema::dna_locus(locus)
                    .and_then(|locus| schema::dna_alleles(locus, alleles))
                    .is_none()
            })
            .map(|(locus, alleles)| format!("{locus}={alleles}"))
            .collect();
        fail!(
            InvalidInput,
            "not loci with one or two alleles: {}",
            bad.join(", ")
        );
    }
    let typed = canonical
        .iter()
        .filter(|(locus, _)| *locus != "AMEL")
        .count();
    let needed = MIN_DNA_MATCH_LOCI.min(typed).max(1);
    let mut counts: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut capped = std::collections::BTreeSet::new();
    for (locus, alleles) in canonical.iter().filter(|(locus, _)| *locus != "AMEL") {
        let term = IndexTerm::dna(locus, alleles);
        let mut postings = store.postings_per_owner(&term, MAX_DNA_POSTINGS_PER_LOCUS_PER_OWNER);
        for posting in postings.by_ref() {
            *counts.entry(posting?.record_key).or_default() += 1;
        }
        capped.extend(postings.capped().iter().copied());
    }
    let mut found = Vec::new();
    for (record_key, count) in counts {
        if count < needed {
            continue;
        }
        let Some(record) = store.searchable(&record_key)? else {
            continue;
        };
        let RecordData::Dna(profile) = &record.data else {
            continue;
        };
        if record.review_date < today {
            continue;
        }
        let comparison = schema::compare_dna(&canonical, &profile.canonical_loci());
        if comparison.matching < needed || comparison.mismatching > MAX_DNA_MISMATCHES {
            continue;
        }
        let compared = comparison.matching + comparison.mismatching;
        let mut detail = format!("{} of {compared} loci match", comparison.matching);
        if let Some(lab) = &profile.lab_reference {
            detail.push_str(&format!("; laboratory reference {lab}"));
        }
        let Some(owner) = owner_of(&record_key) else {
            continue;
        };
        found.push((
            owner,
            Found {
                reference: record.key.to_string(),
                score: comparison.matching as f32 / compared.max(1) as f32,
                detail: Some(detail),
                candidate: None,
                record: None,
            },
        ));
    }
    found.sort_by(|(_, a), (_, b)| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    let mut grouped = Grouped::default();
    for (owner, found) in found {
        grouped.add(owner, found);
    }
    grouped.mark_more(&capped);
    Ok(grouped.finish())
}
