//! How requests name records and cases in the API's paths, and reading a number from a path.

use bureau_core::RecordKey;
use bureau_core::case::CaseRef;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};

/// A record named by its parts, as the API's paths carry it (`/v1/records/{database}/{owner}/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RecordPath {
    pub database: String,
    pub owner: String,
    pub id: String,
}

impl RecordPath {
    /// The record key, checked.
    pub fn key(&self) -> Result<RecordKey> {
        Ok(format!("{}/{}/{}", self.database, self.owner, self.id).parse()?)
    }
}

impl From<&RecordKey> for RecordPath {
    fn from(key: &RecordKey) -> RecordPath {
        RecordPath {
            database: key.database.to_string(),
            owner: key.owner.to_string(),
            id: key.local_id.clone(),
        }
    }
}

/// A notice or diffusion named by its parts (`/v1/notices/{owner}/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CasePath {
    pub owner: String,
    pub id: String,
}

impl CasePath {
    /// The case reference, checked.
    pub fn case(&self) -> Result<CaseRef> {
        format!("{}/{}", self.owner, self.id)
            .parse()
            .map_err(Error::from)
    }
}

impl From<&CaseRef> for CasePath {
    fn from(case: &CaseRef) -> CasePath {
        CasePath {
            owner: case.owner.to_string(),
            id: case.id.clone(),
        }
    }
}

/// Reads an integer given as a JSON number or as text (a path segment or query parameter).
pub(super) fn integer_or_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Text(String),
    }
    match Either::deserialize(deserializer)? {
        Either::Number(number) => Ok(number),
        Either::Text(text) => text
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a whole number"))),
    }
}

/// [`integer_or_text`] for an optional field (absent, `null` or empty text: none).
pub(super) fn optional_integer_or_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(i64),
        Text(String),
    }
    match Option::<Either>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Either::Number(number)) => Ok(Some(number)),
        Some(Either::Text(text)) if text.trim().is_empty() => Ok(None),
        Some(Either::Text(text)) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a whole number"))),
    }
}
