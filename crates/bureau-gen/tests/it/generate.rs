//! The synthetic data generator: reproducible, always importable, and hard enough in the right
//! ways for the name-search recall benchmark.

use std::collections::HashMap;
use std::time::Instant;

use bureau_core::normalize;
use bureau_core::schema::{Person, TravelDocument, Vehicle};
use bureau_core::{CountryCode, Database, MemberCode, RecordKey};
use bureau_gen::{Generator, VARIANT_KINDS};
use serde::de::DeserializeOwned;

const SEED: u64 = 20_250_630;

fn generate_persons(seed: u64, count: u64, variants: usize) -> (Vec<u8>, Vec<u8>) {
    let mut records = Vec::new();
    let mut key = Vec::new();
    Generator::new(seed)
        .write_persons(count, variants, &mut records, &mut key)
        .expect("writing to memory cannot fail");
    (records, key)
}

/// Parses one import line the way an importer would: the local id, then the data struct from
/// the remaining fields.
fn parse_line<T: DeserializeOwned>(line: &str, database: Database) -> (String, T) {
    let mut object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(line).expect("each line is a JSON object");
    let id = object
        .remove("id")
        .and_then(|id| id.as_str().map(str::to_owned))
        .expect("each line has a string id");
    let owner: MemberCode = "FRA".parse().expect("valid member");
    RecordKey::new(database, owner, &id).expect("the id is a valid local id");
    let data = serde_json::from_value(serde_json::Value::Object(object))
        .unwrap_or_else(|error| panic!("{line} does not parse: {error}"));
    (id, data)
}

/// Whether every letter of `text` is a Latin letter (with or without diacritics).
fn is_latin(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| c < '\u{0250}' || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

/// The same seed writes byte-identical files; another seed writes different ones.
#[test]
fn the_same_seed_gives_the_same_output() {
    let first = generate_persons(SEED, 500, 4);
    assert_eq!(first, generate_persons(SEED, 500, 4));
    assert_ne!(first.0, generate_persons(SEED + 1, 500, 4).0);

    let generator = Generator::new(SEED);
    let issuer: CountryCode = "DEU".parse().expect("valid code");
    let write = |generator: Generator| {
        let mut documents = Vec::new();
        let mut vehicles = Vec::new();
        generator
            .write_travel_documents(300, issuer, &mut documents)
            .expect("in memory");
        generator
            .write_vehicles(300, &mut vehicles)
            .expect("in memory");
        (documents, vehicles)
    };
    assert_eq!(write(generator), write(Generator::new(SEED)));
    // Record n does not depend on the records before it, nor on whether variants are written.
    assert_eq!(
        generator.person(250).person,
        generator.persons(251).last().expect("251").person
    );
    assert_eq!(first.0, generate_persons(SEED, 500, 0).0);
}

/// Every person, document and vehicle line parses into the schema's struct, validates, and has
/// a valid, unique local id.
#[test]
fn every_generated_record_validates() {
    let (records, _) = generate_persons(SEED, 5_000, 0);
    let text = String::from_utf8(records).expect("UTF-8");
    let mut ids = std::collections::HashSet::new();
    let mut native_script = 0;
    for line in text.lines() {
        let (id, person): (String, Person) = parse_line(line, Database::Persons);
        person
            .validate()
            .unwrap_or_else(|error| panic!("{line}: {error}"));
        assert!(ids.insert(id), "ids are unique");
        assert!(
            person
                .date_of_birth
                .is_some_and(|date| (1940..=2008).contains(&date.year()))
        );
        assert!(!person.nationalities.is_empty());
        if !person.family_name.is_ascii()
            && !person
                .family_name
                .chars()
                .any(|c| c.is_alphabetic() && c < '\u{0250}' && !c.is_ascii())
        {
            native_script += 1;
        }
    }
    assert_eq!(ids.len(), 5_000);
    assert!(
        native_script > 250,
        "some records are published in native script ({native_script})"
    );

    let generator = Generator::new(SEED);
    let mut vins = std::collections::HashSet::new();
    for issuer in ["FRA", "DEU", "USA", "RUS", "BRA"] {
        let issuer: CountryCode = issuer.parse().expect("valid code");
        let mut out = Vec::new();
        generator
            .write_travel_documents(1_000, issuer, &mut out)
            .expect("in memory");
        let mut numbers = std::collections::HashSet::new();
        for line in String::from_utf8(out).expect("UTF-8").lines() {
            let (_, document): (String, TravelDocument) =
                parse_line(line, Database::TravelDocuments);
            document
                .validate()
                .unwrap_or_else(|error| panic!("{line}: {error}"));
            assert_eq!(document.issuing_country, issuer);
            assert!(
                numbers.insert(document.number),
                "document numbers are unique"
            );
        }
    }
    let mut out = Vec::new();
    generator
        .write_vehicles(5_000, &mut out)
        .expect("in memory");
    for line in String::from_utf8(out).expect("UTF-8").lines() {
        let (_, vehicle): (String, Vehicle) = parse_line(line, Database::Vehicles);
        vehicle
            .validate()
            .unwrap_or_else(|error| panic!("{line}: {error}"));
        assert_eq!(vehicle.vin.len(), 17);
        assert!(vins.insert(vehicle.vin), "VINs are unique");
    }
}

/// Variants never repeat the published spelling, name their person, carry the right year most
/// of the time (a family name alone, the full date), and cover every kind of change.
#[test]
fn variants_differ_from_the_published_spelling() {
    let generator = Generator::new(SEED);
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let mut with_year = 0;
    let mut total = 0;
    for person in generator.persons(3_000) {
        let published = person.published_name();
        let year = person
            .person
            .date_of_birth
            .map(|date| date.year().to_string());
        let full_date = person.person.date_of_birth.map(|date| date.to_string());
        let variants = generator.variants(&person, 5);
        assert!(
            variants.len() >= 2,
            "{published} has only {} variants",
            variants.len()
        );
        for variant in &variants {
            assert_ne!(variant.query, published);
            assert_eq!(variant.person_id, person.id);
            assert!(VARIANT_KINDS.contains(&variant.kind));
            if variant.kind == "no-given" {
                assert_eq!(variant.dob.as_ref(), full_date.as_ref());
                assert!(variant.dob.as_ref().is_some_and(|dob| dob.len() == 10));
            } else if let Some(dob) = &variant.dob {
                assert!(
                    Some(dob) == year.as_ref() || Some(dob) == full_date.as_ref(),
                    "{dob} for {:?}",
                    person.person.date_of_birth
                );
                with_year += 1;
            }
            *kinds.entry(variant.kind).or_default() += 1;
            total += 1;
        }
        let distinct: std::collections::HashSet<_> = variants.iter().map(|v| &v.query).collect();
        assert_eq!(distinct.len(), variants.len(), "variants are distinct");
    }
    for kind in VARIANT_KINDS {
        assert!(
            kinds.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} variants"
        );
    }
    let year_share = with_year as f64 / (total - kinds["no-given"]) as f64;
    assert!((0.7..0.9).contains(&year_share), "{year_share}");
    println!("variant kinds over {total} queries: {kinds:?}");
}

/// Examples from the brief: the same person found under each script and spelling.
#[test]
fn variants_cover_scripts_and_transliterations() {
    let generator = Generator::new(SEED);
    let mut seen_cyrillic_to_latin = false;
    let mut seen_latin_to_native = false;
    for person in generator.persons(2_000) {
        for variant in generator.variants(&person, 8) {
            let published_latin = is_latin(&person.person.family_name);
            let query_latin = is_latin(&variant.query);
            if variant.kind == "script" {
                assert_ne!(
                    published_latin,
                    query_latin,
                    "{} vs {}",
                    person.published_name(),
                    variant.query
                );
                seen_cyrillic_to_latin |= person.culture == "russian" && query_latin;
                seen_latin_to_native |= published_latin && !query_latin;
            }
        }
    }
    assert!(seen_cyrillic_to_latin && seen_latin_to_native);
}

/// Common names collide, as in a real national file: report how many persons share their
/// exact name with someone else among 10,000, and with the year of birth too.
#[test]
fn duplicate_names_are_realistic() {
    let generator = Generator::new(SEED);
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut by_name_and_year: HashMap<(String, u16), usize> = HashMap::new();
    for person in generator.persons(10_000) {
        let person = person.person;
        let key = normalize::name_key(&person.family_name, &person.given_names);
        let year = person.date_of_birth.map_or(0, |date| date.year());
        *by_name.entry(key.clone()).or_default() += 1;
        *by_name_and_year.entry((key, year)).or_default() += 1;
    }
    let shared =
        |counts: Vec<usize>| counts.iter().filter(|&&n| n > 1).sum::<usize>() as f64 / 10_000.0;
    let name_rate = shared(by_name.values().copied().collect());
    let year_rate = shared(by_name_and_year.values().copied().collect());
    let largest = by_name.values().max().copied().unwrap_or(0);
    println!(
        "10k persons: {:.1}% share their exact name, {:.1}% name and birth year; \
         {} distinct names, largest group {largest}",
        name_rate * 100.0,
        year_rate * 100.0,
        by_name.len()
    );
    assert!((0.05..0.5).contains(&name_rate), "{name_rate}");
    assert!(year_rate < name_rate / 3.0, "{year_rate}");
    assert!(largest < 100);
}

/// Prints generation speed (not asserted: test builds are unoptimised and machines differ).
#[test]
fn generation_throughput_is_reported() {
    let generator = Generator::new(SEED);
    let count = 20_000;
    let start = Instant::now();
    let written = generator
        .write_persons(count, 0, std::io::sink(), std::io::sink())
        .expect("sink");
    let persons = start.elapsed();
    let start = Instant::now();
    let with_key = generator
        .write_persons(count, 5, std::io::sink(), std::io::sink())
        .expect("sink");
    let keyed = start.elapsed();
    assert_eq!(written.records, count);
    println!(
        "persons: {:.0}/s written; with 5 variants each: {:.0} persons/s ({} queries)",
        count as f64 / persons.as_secs_f64(),
        count as f64 / keyed.as_secs_f64(),
        with_key.variants
    );
}
