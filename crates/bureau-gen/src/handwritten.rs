//! The hand-written part of the name-search evaluation (`handwritten.txt`): persons as bureaus
//! publish them in scripts and conventions the generator has no tables for (Hangul, Hebrew,
//! Persian, Japanese kana, Thai, Devanagari, Georgian, Armenian, Ethiopic; Wade–Giles and Hong
//! Kong spellings of Chinese; German and French transcriptions of Cyrillic; the Maghreb
//! tradition for Arabic), each with a query as an officer elsewhere would type it.

use bureau_core::PartialDate;
use bureau_core::schema::{Person, Sex};

/// The pairs, one per line (format in the file's header).
const PAIRS: &str = include_str!("handwritten.txt");
/// Local ids of hand-written persons: this prefix and the person's position.
pub const HANDWRITTEN_ID_PREFIX: &str = "h";

/// One evaluation query and the person it should find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandWrittenQuery {
    pub script: &'static str,
    /// `transliteration/SYSTEM`, `script`, `order`, `diacritics`, `typo`, `partial`, `no-given`.
    pub kind: &'static str,
    pub query: &'static str,
    /// The date of birth the officer gives (`YYYY`, or a full date).
    pub dob: Option<&'static str>,
    /// The local id of the person in [`HandWritten::persons`].
    pub person_id: String,
}

/// The hand-written set: distinct persons to publish, and the queries for them.
#[derive(Debug, Clone)]
pub struct HandWritten {
    pub persons: Vec<(String, Person)>,
    pub queries: Vec<HandWrittenQuery>,
}

/// Why a line of the set does not parse (a fault in the checked-in file, caught by a test).
#[derive(Debug, thiserror::Error)]
#[error("handwritten.txt line {line}: {reason}")]
pub struct PairError {
    pub line: usize,
    pub reason: String,
}

fn optional(text: &'static str) -> Option<&'static str> {
    (!text.is_empty()).then_some(text)
}

/// Parses the set; the same person on several lines is published once.
pub fn handwritten() -> Result<HandWritten, PairError> {
    let mut set = HandWritten {
        persons: Vec::new(),
        queries: Vec::new(),
    };
    for (number, line) in PAIRS.lines().enumerate() {
        let line_error = |reason: String| PairError {
            line: number + 1,
            reason,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&'static str> = line.split('|').map(str::trim).collect();
        let [script, kind, family, given, sex, dob, query, query_dob] = fields[..] else {
            return Err(line_error(format!("{} fields, not 8", fields.len())));
        };
        let sex = match sex {
            "M" => Sex::Male,
            "F" => Sex::Female,
            "X" => Sex::Unknown,
            other => return Err(line_error(format!("sex {other:?} is not M, F or X"))),
        };
        let date_of_birth = optional(dob)
            .map(str::parse::<PartialDate>)
            .transpose()
            .map_err(|e| line_error(format!("date of birth {dob:?}: {e}")))?;
        if let Some(text) = optional(query_dob) {
            text.parse::<PartialDate>()
                .map_err(|e| line_error(format!("query date of birth {text:?}: {e}")))?;
        }
        let person = Person {
            family_name: family.to_owned(),
            given_names: given.to_owned(),
            aliases: Vec::new(),
            sex,
            date_of_birth,
            place_of_birth: None,
            nationalities: Vec::new(),
            documents: Vec::new(),
            description: None,
            offence: None,
            legal_basis: None,
        };
        person
            .validate()
            .map_err(|e| line_error(format!("person: {e}")))?;
        let person_id = match set.persons.iter().find(|(_, known)| *known == person) {
            Some((id, _)) => id.clone(),
            None => {
                let id = format!("{HANDWRITTEN_ID_PREFIX}{:04}", set.persons.len());
                set.persons.push((id.clone(), person));
                id
            }
        };
        set.queries.push(HandWrittenQuery {
            script,
            kind,
            query,
            dob: optional(query_dob),
            person_id,
        });
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_parses_and_covers_the_kinds() {
        let set = handwritten().expect("handwritten.txt parses");
        assert!(set.queries.len() >= 150, "{} pairs", set.queries.len());
        for kind in [
            "transliteration",
            "script",
            "order",
            "diacritics",
            "typo",
            "partial",
            "no-given",
        ] {
            assert!(
                set.queries
                    .iter()
                    .any(|q| q.kind.split('/').next() == Some(kind)),
                "no {kind} pair"
            );
        }
        // A no-given query names one person only with the full date of birth.
        for query in set.queries.iter().filter(|q| q.kind == "no-given") {
            assert!(query.dob.is_some_and(|dob| dob.len() == 10), "{query:?}");
        }
    }
}
