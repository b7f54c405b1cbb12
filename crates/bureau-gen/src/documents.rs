//! Generated stolen, lost and revoked travel documents (SLTD): numbers in the issuer's own
//! format, unique within a generated set, with consistent issue, expiry and theft dates.

use bureau_core::schema::{DocumentType, LossType, TravelDocument};
use bureau_core::{CountryCode, Date};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::lexicon::LEXICON;
use crate::persons::Rendering;

/// Number formats by issuer: `9` a digit, `A` a letter, `C` a character of the German
/// document alphabet (no vowels, no look-alikes); anything else is literal.
const NUMBER_FORMATS: &[(&str, &str)] = &[
    ("CAN", "AA999999"),
    ("CHN", "E99999999"),
    ("DEU", "CCCCCCCCC"),
    ("ESP", "AAA999999"),
    ("FRA", "99AA99999"),
    ("GBR", "999999999"),
    ("ITA", "AA9999999"),
    ("NLD", "AA99AA999"),
    ("POL", "AA9999999"),
    ("RUS", "999999999"),
    ("TUR", "A99999999"),
    ("USA", "999999999"),
];
/// The format of issuers not listed above.
const DEFAULT_NUMBER_FORMAT: &str = "AA9999999";
const GERMAN_DOCUMENT_ALPHABET: &[u8] = b"CFGHJKLMNPRTVWXYZ0123456789";
/// Issuers without national identity cards: their losses are all passports and visas.
const NO_IDENTITY_CARD: &[&str] = &["AUS", "CAN", "GBR", "USA"];

/// A multiplier coprime with every format's number space (a prime larger than all their
/// factors), so `index * MULTIPLIER + offset` visits each number once: numbers stay unique
/// without remembering which were used.
pub const NUMBER_MULTIPLIER: u128 = 2_654_435_761;

/// The latest date any generated event (issue, theft) falls on, fixed so output does not depend
/// on the day it is generated.
pub fn latest_event_date() -> Date {
    Date::from_days_since_epoch(20_269) // 2025-06-30
}

fn radix(symbol: u8) -> u128 {
    match symbol {
        b'9' => 10,
        b'A' => 26,
        b'C' => GERMAN_DOCUMENT_ALPHABET.len() as u128,
        _ => 1,
    }
}

/// The `value`-th number of `format`, written right to left in mixed radix.
fn format_number(format: &str, mut value: u128) -> String {
    let mut symbols: Vec<u8> = format.bytes().collect();
    for symbol in symbols.iter_mut().rev() {
        let base = radix(*symbol);
        let digit = (value % base) as u8;
        value /= base;
        *symbol = match *symbol {
            b'9' => b'0' + digit,
            b'A' => b'A' + digit,
            b'C' => GERMAN_DOCUMENT_ALPHABET[usize::from(digit)],
            literal => literal,
        };
    }
    String::from_utf8_lossy(&symbols).into_owned()
}

/// The unique number of the `index`-th document of `issuer`.
pub fn document_number(issuer: CountryCode, index: u64, offset: u64) -> String {
    let format = NUMBER_FORMATS
        .iter()
        .find(|(code, _)| *code == issuer.as_str())
        .map_or(DEFAULT_NUMBER_FORMAT, |(_, format)| *format);
    let space: u128 = format.bytes().map(radix).product();
    let value = (u128::from(index) * NUMBER_MULTIPLIER + u128::from(offset)) % space;
    format_number(format, value)
}

fn random_date_between(first: Date, last: Date, rng: &mut impl Rng) -> Date {
    let (first, last) = (first.days_since_epoch(), last.days_since_epoch());
    Date::from_days_since_epoch(rng.random_range(first..=last.max(first)))
}

/// The `index`-th travel document of `issuer`.
pub(crate) fn travel_document(
    issuer: CountryCode,
    index: u64,
    offset: u64,
    rng: &mut impl Rng,
) -> TravelDocument {
    let has_identity_card = !NO_IDENTITY_CARD.contains(&issuer.as_str());
    let document_type = match rng.random_range(0..100) {
        0..60 => DocumentType::Passport,
        60..95 if has_identity_card => DocumentType::IdCard,
        60..95 => DocumentType::Passport,
        _ => DocumentType::Visa,
    };
    let loss = match rng.random_range(0..100) {
        0..40 => LossType::Stolen,
        40..85 => LossType::Lost,
        85..90 => LossType::StolenBlank,
        _ => LossType::Revoked,
    };
    let latest = latest_event_date();
    let earliest_issue = latest.plus_days(-13 * 365);
    let (issue_date, expiry_date) = if loss == LossType::StolenBlank {
        (None, None)
    } else {
        let issued = random_date_between(earliest_issue, latest, rng);
        let years = if document_type == DocumentType::Visa {
            1
        } else {
            10
        };
        (Some(issued), Some(issued.plus_years(years).plus_days(-1)))
    };
    let theft_date = (loss != LossType::Revoked).then(|| {
        let from = issue_date.unwrap_or(earliest_issue);
        let until = expiry_date.map_or(latest, |expiry| expiry.min(latest));
        random_date_between(from, until, rng)
    });
    let theft_place = (theft_date.is_some() && rng.random_bool(0.5))
        .then(|| LEXICON.cultures.choose(rng)?.places.sample(rng))
        .flatten()
        .map(|place| place.render(Rendering::Latin(0)).to_owned());
    TravelDocument {
        number: document_number(issuer, index, offset),
        issuing_country: issuer,
        document_type,
        loss,
        issue_date,
        expiry_date,
        theft_date,
        theft_place,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Numbers follow the issuer's format and never repeat within a set.
    #[test]
    fn numbers_are_formatted_and_unique() {
        let france: CountryCode = "FRA".parse().expect("valid code");
        let numbers: HashSet<String> = (0..50_000)
            .map(|i| document_number(france, i, 77))
            .collect();
        assert_eq!(numbers.len(), 50_000);
        for number in numbers.iter().take(100) {
            let bytes = number.as_bytes();
            assert_eq!(bytes.len(), 9);
            assert!(bytes[..2].iter().all(u8::is_ascii_digit), "{number}");
            assert!(bytes[2..4].iter().all(u8::is_ascii_uppercase), "{number}");
            assert!(bytes[4..].iter().all(u8::is_ascii_digit), "{number}");
        }
        let germany: CountryCode = "DEU".parse().expect("valid code");
        let number = document_number(germany, 5, 0);
        assert!(
            number
                .bytes()
                .all(|b| GERMAN_DOCUMENT_ALPHABET.contains(&b)),
            "{number}"
        );
    }
}
