//! How results are shown: a readable table by default, JSON with `--json`.

use bureau_core::{Record, RecordData};
use serde::Serialize;

/// Prints `value` as pretty JSON.
pub fn json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("error: cannot render JSON: {error}"),
    }
}

/// One line describing a record's data.
pub fn summary(record: &Record) -> String {
    match &record.data {
        RecordData::TravelDocument(document) => format!(
            "{} {} issued by {}, {}",
            document.document_type, document.number, document.issuing_country, document.loss
        ),
        RecordData::Vehicle(vehicle) => {
            let mut text = format!("{} VIN {}", vehicle.kind, vehicle.vin);
            for part in [&vehicle.make, &vehicle.model, &vehicle.colour]
                .into_iter()
                .flatten()
            {
                text.push(' ');
                text.push_str(part);
            }
            text
        }
        RecordData::Person(person) => {
            let mut text = format!("{}, {}", person.family_name, person.given_names);
            if let Some(dob) = person.date_of_birth {
                text.push_str(&format!(" born {dob}"));
            }
            if !person.nationalities.is_empty() {
                let codes: Vec<_> = person
                    .nationalities
                    .iter()
                    .map(ToString::to_string)
                    .collect();
                text.push_str(&format!(" ({})", codes.join(", ")));
            }
            text
        }
        RecordData::Firearm(firearm) => format!(
            "{} {} {} serial {}, {}",
            firearm.kind,
            firearm.make,
            firearm.model.as_deref().unwrap_or_default(),
            firearm.serial_number,
            firearm.status
        ),
        RecordData::WorkOfArt(work) => format!(
            "{} \"{}\"{}",
            work.object_type,
            work.title,
            work.maker
                .as_ref()
                .map(|maker| format!(" by {maker}"))
                .unwrap_or_default()
        ),
        RecordData::Vessel(vessel) => {
            let mut text = vessel.kind.to_string();
            for (label, value) in [
                ("", &vessel.name),
                ("IMO ", &vessel.imo_number),
                ("hull ", &vessel.hull_number),
            ] {
                if let Some(value) = value {
                    text.push_str(&format!(" {label}{value}"));
                }
            }
            text
        }
        RecordData::AdministrativeDocument(document) => format!(
            "{} blanks {} to {} issued by {} ({})",
            document.document_type,
            document.first_serial,
            document.last_serial,
            document.issuing_authority,
            document.issuing_country
        ),
        RecordData::Dna(profile) => format!(
            "DNA profile, {} loci, {}",
            profile.loci.len(),
            profile.sample
        ),
        RecordData::Fingerprint(template) | RecordData::Face(template) => {
            format!("{} template {}", template.modality, template.reference)
        }
    }
}

/// A person search's candidate: "Family, Given born DATE (sex; NATIONALITIES)".
pub fn candidate_summary(candidate: &bureau_service::query::PersonCandidate) -> String {
    let mut text = format!("{}, {}", candidate.family_name, candidate.given_names);
    if let Some(dob) = candidate.date_of_birth {
        text.push_str(&format!(" born {dob}"));
    }
    let mut about = vec![candidate.sex.to_string()];
    about.extend(candidate.nationalities.iter().map(ToString::to_string));
    text.push_str(&format!(" ({})", about.join(", ")));
    for colour in &candidate.notices {
        text.push_str(&format!(" [{colour} notice]"));
    }
    text
}

/// Search results: reference, score and record (or the match detail for DNA), then the
/// owners whose matches did not all fit.
pub fn found(searched: &bureau_service::query::Searched, as_json: bool) {
    if as_json {
        json(searched);
        return;
    }
    if searched.results.is_empty() {
        println!("no match");
        return;
    }
    let rows: Vec<Vec<String>> = searched
        .results
        .iter()
        .map(|found| {
            let what = match (&found.record, &found.candidate, &found.detail) {
                (Some(record), _, _) => summary(record),
                (None, Some(candidate), _) => candidate_summary(candidate),
                (None, None, Some(detail)) => detail.clone(),
                (None, None, None) => String::new(),
            };
            vec![found.reference.clone(), format!("{:.2}", found.score), what]
        })
        .collect();
    table(&["REF", "SCORE", "RECORD"], &rows);
    for owner in &searched.owners {
        if owner.more || owner.shown < owner.matches {
            let plus = if owner.more { "+" } else { "" };
            println!(
                "{}: {} of {}{plus} matches shown (at most {} per owner)",
                owner.owner,
                owner.shown,
                owner.matches,
                bureau_service::query::MAX_RESULTS_PER_OWNER
            );
        }
    }
}

/// A table with a header row and columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(ToString::to_string).collect());
    for row in rows {
        line(row.clone());
    }
}

/// JSON form of a record with its reference alongside.
#[derive(Debug, Serialize)]
pub struct RecordOut<'a> {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(flatten)]
    pub record: &'a Record,
}

impl<'a> RecordOut<'a> {
    pub fn list(records: &'a [Record]) -> Vec<RecordOut<'a>> {
        records
            .iter()
            .map(|record| RecordOut {
                reference: record.key.to_string(),
                record,
            })
            .collect()
    }
}

pub fn records(records: &[Record], as_json: bool) {
    if as_json {
        json(&RecordOut::list(records));
        return;
    }
    if records.is_empty() {
        println!("no match");
        return;
    }
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|record| {
            vec![
                record.key.to_string(),
                record.version.to_string(),
                summary(record),
            ]
        })
        .collect();
    table(&["REF", "VERSION", "RECORD"], &rows);
}
