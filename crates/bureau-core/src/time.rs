//! Time values: instants in milliseconds since the Unix epoch, calendar dates and partial dates
//! (a date of birth is often known only to the year or month).
//!
//! Nothing here reads the clock: the caller passes `now` as a [`Timestamp`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::text_serde::{text_or_binary, text_schema};

/// Milliseconds since the Unix epoch (UTC).
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Timestamp(pub u64);

impl Timestamp {
    pub fn from_millis(millis: u64) -> Timestamp {
        Timestamp(millis)
    }
    pub fn millis(&self) -> u64 {
        self.0
    }
    pub fn saturating_add(self, duration: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)),
        )
    }
    pub fn saturating_sub(self, duration: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_sub(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)),
        )
    }
    /// The calendar day (UTC) this instant falls on.
    pub fn date(&self) -> Date {
        Date::from_days_since_epoch((self.0 / 86_400_000) as i64)
    }
}

/// Why a date was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DateError {
    #[error("{0:?} is not a date (use YYYY-MM-DD)")]
    Format(String),
    #[error("{0:?} is not a partial date (use YYYY, YYYY-MM or YYYY-MM-DD)")]
    PartialFormat(String),
    #[error("{year:04}-{month:02}-{day:02} does not exist")]
    NoSuchDay { year: u16, month: u8, day: u8 },
}

/// Earliest year accepted in a date (older dates are data errors in police records).
pub const MIN_YEAR: u16 = 1800;
/// Latest year accepted in a date.
pub const MAX_YEAR: u16 = 2200;

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn check(year: u16, month: Option<u8>, day: Option<u8>) -> Result<(), DateError> {
    let month_ok = month.is_none_or(|month| (1..=12).contains(&month));
    let day_ok = match (month, day) {
        (Some(month), Some(day)) => day >= 1 && day <= days_in_month(year, month),
        (None, Some(_)) => false,
        _ => true,
    };
    if (MIN_YEAR..=MAX_YEAR).contains(&year) && month_ok && day_ok {
        Ok(())
    } else {
        Err(DateError::NoSuchDay {
            year,
            month: month.unwrap_or(0),
            day: day.unwrap_or(0),
        })
    }
}

/// A calendar date (UTC).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, DateError> {
        check(year, Some(month), Some(day))?;
        Ok(Date { year, month, day })
    }
    pub fn year(&self) -> u16 {
        self.year
    }
    pub fn month(&self) -> u8 {
        self.month
    }
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(&self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`), clamped to the
    /// accepted year range.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let days = days + 719_468;
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u8;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        } as u8;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        match u16::try_from(year) {
            Ok(year) if (MIN_YEAR..=MAX_YEAR).contains(&year) => Date { year, month, day },
            _ if year < i64::from(MIN_YEAR) => Date {
                year: MIN_YEAR,
                month: 1,
                day: 1,
            },
            _ => Date {
                year: MAX_YEAR,
                month: 12,
                day: 31,
            },
        }
    }

    /// The same day `years` later (29 February becomes 28 February in a common year).
    pub fn plus_years(&self, years: u16) -> Date {
        let year = self.year.saturating_add(years).min(MAX_YEAR);
        let day = self.day.min(days_in_month(year, self.month));
        Date {
            year,
            month: self.month,
            day,
        }
    }

    pub fn plus_days(&self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::fmt::Debug for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Digits in a date's year part.
const YEAR_DIGITS: usize = 4;
/// Digits in a date's month and day parts (zero-padded: `2030-02-03`).
const MONTH_DAY_DIGITS: usize = 2;

/// `part` as a number if it is exactly `digits` ASCII digits. `u16::from_str` alone would also
/// take a leading `+` (`2030-+2-+3`), which no date format allows.
fn parse_digits<T: std::str::FromStr>(part: &str, digits: usize) -> Option<T> {
    if part.len() != digits || !part.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (surrounding whitespace ignored), not yet range-checked.
fn parse_parts(text: &str) -> Option<(u16, Option<u8>, Option<u8>)> {
    let mut parts = text.trim().split('-');
    let year = parse_digits(parts.next()?, YEAR_DIGITS)?;
    let month = match parts.next() {
        Some(part) => Some(parse_digits(part, MONTH_DAY_DIGITS)?),
        None => None,
    };
    let day = match parts.next() {
        Some(part) => Some(parse_digits(part, MONTH_DAY_DIGITS)?),
        None => None,
    };
    parts.next().is_none().then_some((year, month, day))
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match parse_parts(text) {
            Some((year, Some(month), Some(day))) => Date::new(year, month, day),
            _ => Err(DateError::Format(text.to_owned())),
        }
    }
}

impl From<&Date> for (u16, u8, u8) {
    fn from(date: &Date) -> Self {
        (date.year, date.month, date.day)
    }
}

impl TryFrom<(u16, u8, u8)> for Date {
    type Error = DateError;
    fn try_from((year, month, day): (u16, u8, u8)) -> Result<Self, Self::Error> {
        Date::new(year, month, day)
    }
}

text_or_binary!(Date, (u16, u8, u8));
text_schema!(Date, "Date", {
    "description": "A calendar date (UTC), YYYY-MM-DD, between the years 1800 and 2200.",
    "type": "string",
    "format": "date",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
});

/// A date known to the year, the month, or the day. Month 0 and day 0 mean unknown on the wire.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

impl PartialDate {
    pub fn new(year: u16, month: Option<u8>, day: Option<u8>) -> Result<PartialDate, DateError> {
        check(year, month, day)?;
        Ok(PartialDate { year, month, day })
    }
    pub fn year(&self) -> u16 {
        self.year
    }
    pub fn month(&self) -> Option<u8> {
        self.month
    }
    pub fn day(&self) -> Option<u8> {
        self.day
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for PartialDate {
    type Err = DateError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (year, month, day) =
            parse_parts(text).ok_or_else(|| DateError::PartialFormat(text.to_owned()))?;
        PartialDate::new(year, month, day)
    }
}

impl From<&PartialDate> for (u16, u8, u8) {
    fn from(date: &PartialDate) -> Self {
        (date.year, date.month.unwrap_or(0), date.day.unwrap_or(0))
    }
}

impl TryFrom<(u16, u8, u8)> for PartialDate {
    type Error = DateError;
    fn try_from((year, month, day): (u16, u8, u8)) -> Result<Self, Self::Error> {
        PartialDate::new(
            year,
            (month != 0).then_some(month),
            (day != 0).then_some(day),
        )
    }
}

text_or_binary!(PartialDate, (u16, u8, u8));
text_schema!(PartialDate, "PartialDate", {
    "description": "A date known to the year, the month or the day: YYYY, YYYY-MM or YYYY-MM-DD.",
    "type": "string",
    "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_across_centuries() {
        for days in (-60_000..80_000).step_by(37) {
            let date = Date::from_days_since_epoch(days);
            assert_eq!(date.days_since_epoch(), days, "{date}");
        }
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Timestamp(1_709_510_400_000).date().to_string(),
            "2024-03-04"
        );
    }

    /// `u16::from_str` takes a leading `+`; a date's parts are digits only, so `2030-+2-+3`
    /// is not 3 February 2030, and every form valid before stays valid.
    #[test]
    fn dates_refuse_signs_and_non_digits() {
        for text in [
            "2030-+2-+3",
            "2030-+2-03",
            "2030-02-+3",
            "+2030-02-03",
            "+203-02-03",
            "2030--2-03",
            "2030-0x-03",
            "2030-02-3 ",
            "2030-2-3",
            "2030-02-03-",
            "２０３０-02-03",
        ] {
            assert!(text.parse::<Date>().is_err(), "{text:?} parsed as a date");
            assert!(
                text.parse::<PartialDate>().is_err(),
                "{text:?} parsed as a partial date"
            );
        }
        for text in ["+2030", "2030-+2", "+203-+2"] {
            assert!(
                text.parse::<PartialDate>().is_err(),
                "{text:?} parsed as a partial date"
            );
        }
        assert_eq!(
            " 2030-02-03 ".parse::<Date>().map(|d| d.to_string()),
            Ok("2030-02-03".into())
        );
        for text in ["2030", "2030-02", "2030-02-03", " 1980-12 "] {
            assert!(text.parse::<PartialDate>().is_ok(), "{text:?} refused");
        }
    }

    #[test]
    fn dates_refuse_impossible_days() {
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2024-13-01".parse::<Date>().is_err());
        assert!("24-01-01".parse::<Date>().is_err());
        assert_eq!(
            "1980".parse::<PartialDate>().map(|d| d.to_string()),
            Ok("1980".into())
        );
        assert_eq!(
            "1980-03".parse::<PartialDate>().map(|d| d.month()),
            Ok(Some(3))
        );
        assert_eq!(
            Date::new(2024, 2, 29).map(|d| d.plus_years(1).to_string()),
            Ok("2025-02-28".into())
        );
    }
}
