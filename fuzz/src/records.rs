//! Persons named in several scripts, beside the testkit's record of every database
//! (`bureau_core::testkit::one_of_each`): the bodies the fixture logs publish, so the seeds
//! reach every schema rule and every index term.

use bureau_core::schema::{LegalBasis, Person, Sex};
use bureau_core::{CountryCode, RecordData};

/// A person with aliases in Cyrillic, Chinese, Arabic and Greek, so the seeds reach every
/// transliteration table.
pub fn person(family_name: &str, given_names: &str, aliases: &[&str]) -> RecordData {
    RecordData::Person(Person {
        family_name: family_name.into(),
        given_names: given_names.into(),
        aliases: aliases.iter().map(|alias| (*alias).to_owned()).collect(),
        sex: Sex::Male,
        date_of_birth: "1980-03".parse().ok(),
        place_of_birth: Some("Москва".into()),
        nationalities: vec![country("RUS"), country("FRA")],
        documents: vec!["24FR99812".into()],
        description: Some("scar on the left hand".into()),
        offence: Some("armed robbery".into()),
        legal_basis: Some(LegalBasis {
            warrant: "MA-2025-118".into(),
            authority: "Tribunal judiciaire de Lyon".into(),
            max_penalty_months: 240,
        }),
    })
}

fn country(code: &str) -> CountryCode {
    code.parse().expect("fixture country codes are valid")
}
