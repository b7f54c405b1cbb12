//! What a search asks and what it answers: the query of each shared database, why and where the
//! search is made, and one result. Plain data shared by the search code, the service's
//! operations and both faces.

use std::collections::BTreeMap;

use bureau_core::schema::{DocumentType, Modality};
use bureau_core::{CountryCode, MemberCode, PartialDate, Record};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Results one search returns in all, beyond which each owner keeps only its best ones: an
/// answer always names every owner with a live match, so it holds at most
/// `max(MAX_SEARCH_RESULTS, owners)` results.
pub const MAX_SEARCH_RESULTS: usize = 100;
/// Most results one owner contributes to one answer; its other matches are counted.
pub const MAX_RESULTS_PER_OWNER: usize = 10;
/// Most index entries read per owner for one search term, to find its live matches among
/// expired or blocked ones; reading stops earlier once the owner has [`MAX_RESULTS_PER_OWNER`]
/// live matches, so one owner's flood costs a search at most this many reads.
pub const MAX_POSTINGS_PER_OWNER: usize = 200;

/// A search: which database, and what to look for.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "database", rename_all = "kebab-case")]
pub enum Query {
    /// A travel document by number, optionally narrowed by issuer and type.
    #[serde(rename = "sltd")]
    TravelDocument {
        number: String,
        issuing_country: Option<MemberCode>,
        document_type: Option<DocumentType>,
    },
    /// A vehicle by VIN or engine number.
    #[serde(rename = "vehicles")]
    Vehicle {
        vin: Option<String>,
        engine_number: Option<String>,
    },
    /// Persons by name, in any script and order, narrowed by the date of birth and ranked by
    /// sex and nationality when given (see `persons` for what the score means).
    #[serde(rename = "persons")]
    Person {
        name: String,
        #[serde(default)]
        dob: Option<DobFilter>,
        #[serde(default)]
        sex: Option<bureau_core::schema::Sex>,
        #[serde(default)]
        nationality: Option<CountryCode>,
    },
    /// A firearm by serial number, optionally with its make.
    #[serde(rename = "firearms")]
    Firearm {
        serial_number: String,
        make: Option<String>,
    },
    /// A vessel by IMO number, hull number or engine serial.
    #[serde(rename = "vessels")]
    Vessel {
        imo_number: Option<String>,
        hull_number: Option<String>,
        engine_serial: Option<String>,
    },
    /// The series of stolen blank documents a serial number belongs to.
    #[serde(rename = "admin-documents")]
    AdministrativeDocument {
        serial: String,
        issuing_country: Option<MemberCode>,
    },
    /// A work of art by title (words in any order).
    #[serde(rename = "art")]
    WorkOfArt { title: String },
    /// A DNA profile against every shared profile.
    #[serde(rename = "dna")]
    Dna { loci: BTreeMap<String, String> },
    /// A fingerprint or face template by its reference.
    #[serde(rename = "templates")]
    Template {
        modality: Modality,
        reference: String,
    },
}

/// A search as the CLI sends it to the API: the query, and why and where it is made (kept in
/// the audit log and sent to the owner with a hit).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SearchRequest {
    #[serde(flatten)]
    pub query: Query,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Found {
    #[serde(rename = "ref")]
    pub reference: String,
    /// 1 for an exact identifier; a name or DNA similarity in [0, 1] otherwise.
    pub score: f32,
    /// How the match was made, when there is more to say than the score.
    pub detail: Option<String>,
    /// What a person search lists: enough to choose a candidate, not the record (`get` reads
    /// it, and the owner hears of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<PersonCandidate>,
    /// The record; absent for DNA, whose answer names only the reference, and for a person
    /// search's candidates.
    #[serde(flatten)]
    pub record: Option<Record>,
}

/// A person as a name search lists it: name, birth date, sex, nationalities and the colours of
/// the notices published about it. Offence, legal basis, documents, places and description stay
/// in the record, which `get` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PersonCandidate {
    pub family_name: String,
    pub given_names: String,
    pub date_of_birth: Option<bureau_core::PartialDate>,
    pub sex: bureau_core::schema::Sex,
    pub nationalities: Vec<bureau_core::CountryCode>,
    /// Colours of the notices published about the person (red: wanted for arrest, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<bureau_core::case::Colour>,
}

impl PersonCandidate {
    /// The candidate of a person, with the colours of the notices published about it.
    pub fn of(
        person: &bureau_core::schema::Person,
        notices: Vec<bureau_core::case::Colour>,
    ) -> PersonCandidate {
        PersonCandidate {
            family_name: person.family_name.clone(),
            given_names: person.given_names.clone(),
            date_of_birth: person.date_of_birth,
            sex: person.sex,
            nationalities: person.nationalities.clone(),
            notices,
        }
    }
}

/// A search's answer: the results, grouped by owner, and every owner with a live match.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Searched {
    /// Best score first, then by reference (so by owner).
    pub results: Vec<Found>,
    /// Every owner with a live match, in code order.
    pub owners: Vec<OwnerMatches>,
    /// True when a cap left matches out of `results`: see each owner's `matches` and `more`.
    pub truncated: bool,
}

/// How many live matches one owner has, and how many of them the answer shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OwnerMatches {
    pub owner: MemberCode,
    /// Live matches found (a lower bound when `more` is true).
    pub matches: u64,
    /// Of these, how many are in `results`.
    pub shown: u64,
    /// The owner has more candidates than this search read: once an owner fills its
    /// `MAX_RESULTS_PER_OWNER` results, or after `MAX_POSTINGS_PER_OWNER` index entries, its
    /// others are not looked at.
    pub more: bool,
}

impl Found {
    pub(crate) fn exact(record: Record) -> Found {
        Found {
            reference: record.key.to_string(),
            score: 1.0,
            detail: None,
            candidate: None,
            record: Some(record),
        }
    }

    /// The member that owns the matched record.
    pub fn owner(&self) -> Option<MemberCode> {
        self.reference
            .parse::<bureau_core::RecordKey>()
            .ok()
            .map(|key| key.owner)
    }
}

impl Query {
    /// Whether a result is a full record (a hit the owner hears about) rather than a
    /// candidate to look at with `get`.
    pub fn is_exact(&self) -> bool {
        !matches!(self, Query::Person { .. } | Query::WorkOfArt { .. })
    }

    /// A short text for the audit log.
    pub fn describe(&self) -> String {
        match self {
            Query::Dna { loci } => format!("dna profile of {} loci", loci.len()),
            other => serde_json::to_string(other).unwrap_or_else(|_| "query".to_owned()),
        }
    }
}

/// A date-of-birth filter: the date as precise as known, give or take some years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// Why a search or a look-up is made and where: kept in the audit log and sent with a hit to the
/// owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SearchContext {
    /// Why (e.g. "border check").
    #[serde(default)]
    pub purpose: Option<String>,
    /// Where: the post or place (e.g. "Vienna airport, gate B").
    #[serde(default)]
    pub place: Option<String>,
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
