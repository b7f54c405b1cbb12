//! The fields of each shared database's records, with their validation.
//!
//! Field lists follow `DOMAIN.md`. Every text field has a named length limit; every enumeration
//! is closed. Validation returns a [`SchemaError`] that names the field, so an officer or an
//! import report can say exactly what to fix.

use serde::{Deserialize, Serialize};

use crate::member::CountryCode;
use crate::normalize;
use crate::time::{Date, PartialDate};

/// Longest identifier (document number, VIN, engine number, plate), in characters.
pub const MAX_IDENTIFIER_CHARS: usize = 64;
/// Longest name (family name, given names, alias, make, model), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest free text (place, description, offence), in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Most items in a list field (aliases, nationalities, documents).
pub const MAX_LIST_ITEMS: usize = 16;
/// Most characters of a VIN (ISO 3779); older chassis numbers are shorter.
pub const MAX_VIN_CHARS: usize = 17;

/// A field that breaks its rule.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("field {field}: {problem}")]
pub struct SchemaError {
    pub field: &'static str,
    pub problem: String,
}

impl SchemaError {
    pub fn new(field: &'static str, problem: impl Into<String>) -> SchemaError {
        SchemaError {
            field,
            problem: problem.into(),
        }
    }
}

pub(crate) fn check_text(
    field: &'static str,
    value: &str,
    max_chars: usize,
    required: bool,
) -> Result<(), SchemaError> {
    if required && value.trim().is_empty() {
        return Err(SchemaError::new(field, "is required"));
    }
    if value.chars().count() > max_chars {
        return Err(SchemaError::new(
            field,
            format!("is longer than {max_chars} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(SchemaError::new(field, "contains control characters"));
    }
    Ok(())
}

fn check_optional(
    field: &'static str,
    value: &Option<String>,
    max_chars: usize,
) -> Result<(), SchemaError> {
    value
        .as_deref()
        .map_or(Ok(()), |value| check_text(field, value, max_chars, true))
}

fn check_identifier(field: &'static str, value: &str) -> Result<(), SchemaError> {
    check_text(field, value, MAX_IDENTIFIER_CHARS, true)?;
    if normalize::identifier(value).is_empty() {
        return Err(SchemaError::new(field, "has no letters or digits"));
    }
    Ok(())
}

fn check_list(field: &'static str, len: usize) -> Result<(), SchemaError> {
    if len > MAX_LIST_ITEMS {
        return Err(SchemaError::new(
            field,
            format!("has more than {MAX_LIST_ITEMS} items"),
        ));
    }
    Ok(())
}

/// `FromStr` and `Display` for closed enumerations, with the same kebab-case names serde uses,
/// so the CLI, the API and the wire agree on spelling.
macro_rules! named_enum {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub const NAMES: &'static [&'static str] = &[$($name),+];
            pub fn name(&self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = SchemaError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text.trim().to_ascii_lowercase().as_str() {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(SchemaError::new(stringify!($ty), format!("{text:?} is not one of {}", $ty::NAMES.join(", ")))),
                }
            }
        }
    };
}

pub(crate) use named_enum;

named_enum!(DocumentType { Passport => "passport", IdCard => "id-card", Visa => "visa", Other => "other" });
named_enum!(LossType { StolenBlank => "stolen-blank", Stolen => "stolen", Lost => "lost", Revoked => "revoked" });
named_enum!(VehicleKind { Car => "car", Truck => "truck", Motorcycle => "motorcycle", Trailer => "trailer", Part => "part", Other => "other" });
named_enum!(Sex { Female => "female", Male => "male", Unknown => "unknown" });

/// Kinds of travel document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentType {
    Passport,
    IdCard,
    Visa,
    Other,
}

/// How a travel document left its holder's control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossType {
    StolenBlank,
    Stolen,
    Lost,
    Revoked,
}

/// SLTD: a stolen, lost or revoked passport, identity card or visa.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TravelDocument {
    pub number: String,
    /// Only the issuing country may publish a travel document, so this equals the record owner.
    pub issuing_country: CountryCode,
    pub document_type: DocumentType,
    pub loss: LossType,
    pub issue_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub theft_date: Option<Date>,
    pub theft_place: Option<String>,
}

impl TravelDocument {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_identifier("number", &self.number)?;
        check_optional("theft_place", &self.theft_place, MAX_TEXT_CHARS)?;
        if let (Some(issued), Some(expires)) = (self.issue_date, self.expiry_date)
            && expires < issued
        {
            return Err(SchemaError::new("expiry_date", "is before issue_date"));
        }
        Ok(())
    }
}

/// Kinds of vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VehicleKind {
    Car,
    Truck,
    Motorcycle,
    Trailer,
    Part,
    Other,
}

/// A stolen motor vehicle (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vehicle {
    pub vin: String,
    pub kind: VehicleKind,
    pub engine_number: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<u16>,
    pub colour: Option<String>,
    pub plate: Option<String>,
    pub plate_country: Option<CountryCode>,
    pub theft_date: Option<Date>,
    pub theft_place: Option<String>,
}

impl Vehicle {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_identifier("vin", &self.vin)?;
        if normalize::identifier(&self.vin).chars().count() > MAX_VIN_CHARS {
            return Err(SchemaError::new(
                "vin",
                format!("has more than {MAX_VIN_CHARS} letters and digits"),
            ));
        }
        if let Some(engine) = &self.engine_number {
            check_identifier("engine_number", engine)?;
        }
        if let Some(plate) = &self.plate {
            check_identifier("plate", plate)?;
        }
        check_optional("make", &self.make, MAX_NAME_CHARS)?;
        check_optional("model", &self.model, MAX_NAME_CHARS)?;
        check_optional("colour", &self.colour, MAX_NAME_CHARS)?;
        check_optional("theft_place", &self.theft_place, MAX_TEXT_CHARS)?;
        if let Some(year) = self.year
            && !(1880..=2200).contains(&year)
        {
            return Err(SchemaError::new("year", "is not a plausible model year"));
        }
        Ok(())
    }
}

/// Sex as recorded on documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

/// What a person may be arrested or sought for: the warrant behind a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    pub warrant: String,
    pub authority: String,
    /// The maximum penalty the offence carries, in months.
    pub max_penalty_months: u32,
}

/// Nominal data: a person subject to police cooperation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub family_name: String,
    pub given_names: String,
    pub aliases: Vec<String>,
    pub sex: Sex,
    pub date_of_birth: Option<PartialDate>,
    pub place_of_birth: Option<String>,
    pub nationalities: Vec<CountryCode>,
    /// Numbers of identity documents the person is known to hold.
    pub documents: Vec<String>,
    pub description: Option<String>,
    pub offence: Option<String>,
    pub legal_basis: Option<LegalBasis>,
}

impl Person {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_text("family_name", &self.family_name, MAX_NAME_CHARS, true)?;
        check_text("given_names", &self.given_names, MAX_NAME_CHARS, false)?;
        if normalize::name_key(&self.family_name, &self.given_names).is_empty() {
            return Err(SchemaError::new("family_name", "has no letters"));
        }
        check_list("aliases", self.aliases.len())?;
        for alias in &self.aliases {
            check_text("aliases", alias, MAX_NAME_CHARS, true)?;
        }
        check_optional("place_of_birth", &self.place_of_birth, MAX_TEXT_CHARS)?;
        check_list("nationalities", self.nationalities.len())?;
        check_list("documents", self.documents.len())?;
        for document in &self.documents {
            check_identifier("documents", document)?;
        }
        check_optional("description", &self.description, MAX_TEXT_CHARS)?;
        check_optional("offence", &self.offence, MAX_TEXT_CHARS)?;
        if let Some(basis) = &self.legal_basis {
            check_text("legal_basis.warrant", &basis.warrant, MAX_TEXT_CHARS, true)?;
            check_text(
                "legal_basis.authority",
                &basis.authority,
                MAX_NAME_CHARS,
                true,
            )?;
        }
        Ok(())
    }
}
