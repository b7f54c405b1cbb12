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
/// so the CLI, the API and the wire agree on spelling. Optional `codes` (lowercase) are also
/// read, never written; the enum must give serde the same codes as aliases.
macro_rules! named_enum {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }
     $(codes { $($code:literal => $code_variant:ident),+ $(,)? })?) => {
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
                    $($($code => Ok($ty::$code_variant),)+)?
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
named_enum!(Sex { Female => "female", Male => "male", Unknown => "unknown" }
    codes { "f" => Female, "m" => Male, "x" => Unknown });

/// Kinds of travel document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DocumentType {
    Passport,
    IdCard,
    Visa,
    Other,
}

/// How a travel document left its holder's control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum LossType {
    StolenBlank,
    Stolen,
    Lost,
    Revoked,
}

/// SLTD: a stolen, lost or revoked passport, identity card or visa.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
        check_vin(&self.vin)?;
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

/// ISO 3779 rules on a VIN: at most 17 letters and digits; a full 17-character VIN never uses
/// I, O or Q; North American VINs (first character 1 to 5) carry a check digit in position 9.
/// Older chassis numbers are shorter and only length-checked.
pub fn check_vin(vin: &str) -> Result<(), SchemaError> {
    let normal = normalize::identifier(vin);
    let chars: Vec<char> = normal.chars().collect();
    if chars.len() > MAX_VIN_CHARS {
        return Err(SchemaError::new(
            "vin",
            format!("has more than {MAX_VIN_CHARS} letters and digits"),
        ));
    }
    if chars.len() < MAX_VIN_CHARS {
        return Ok(());
    }
    if chars.iter().any(|c| matches!(c, 'I' | 'O' | 'Q')) {
        return Err(SchemaError::new(
            "vin",
            "a 17-character VIN never contains I, O or Q",
        ));
    }
    if matches!(chars[0], '1'..='5') {
        let expected = vin_check_digit(&chars)
            .ok_or_else(|| SchemaError::new("vin", "contains characters a VIN cannot have"))?;
        if chars[8] != expected {
            return Err(SchemaError::new(
                "vin",
                format!(
                    "check digit (position 9) is {} but should be {expected}",
                    chars[8]
                ),
            ));
        }
    }
    Ok(())
}

/// The check digit of a 17-character VIN (49 CFR 565): transliterated values weighted by
/// position, modulo 11, with 10 written as X.
pub fn vin_check_digit(chars: &[char]) -> Option<char> {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let value = |c: char| -> Option<u32> {
        Some(match c {
            '0'..='9' => c.to_digit(10)?,
            'A' | 'J' => 1,
            'B' | 'K' | 'S' => 2,
            'C' | 'L' | 'T' => 3,
            'D' | 'M' | 'U' => 4,
            'E' | 'N' | 'V' => 5,
            'F' | 'W' => 6,
            'G' | 'P' | 'X' => 7,
            'H' | 'Y' => 8,
            'R' | 'Z' => 9,
            _ => return None,
        })
    };
    let mut sum = 0;
    for (c, weight) in chars.iter().zip(WEIGHTS) {
        sum += value(*c)? * weight;
    }
    Some(match sum % 11 {
        10 => 'X',
        digit => char::from_digit(digit, 10)?,
    })
}

/// Sex as recorded on documents.
///
/// Read from the words `female`, `male` and `unknown`, or from the ICAO 9303 codes printed on
/// travel documents, in either case: `F` is `Female`, `M` is `Male`, and `X` ("unspecified")
/// is `Unknown`, the variant for a sex the record does not state. Always written as the word,
/// so the JSON form and the canonical encoding do not change: a person imported with `X` reads
/// back as `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Sex {
    #[serde(alias = "F", alias = "f")]
    Female,
    #[serde(alias = "M", alias = "m")]
    Male,
    #[serde(alias = "X", alias = "x")]
    Unknown,
}

/// What a person may be arrested or sought for: the warrant behind a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LegalBasis {
    pub warrant: String,
    pub authority: String,
    /// The maximum penalty the offence carries, in months.
    pub max_penalty_months: u32,
}

/// Nominal data: a person subject to police cooperation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

named_enum!(FirearmKind { Pistol => "pistol", Revolver => "revolver", Rifle => "rifle", Shotgun => "shotgun", SubmachineGun => "submachine-gun", MachineGun => "machine-gun", Other => "other" });
named_enum!(FirearmStatus { Lost => "lost", Stolen => "stolen", Trafficked => "trafficked", Smuggled => "smuggled" });
named_enum!(ArtObjectType { Painting => "painting", Sculpture => "sculpture", Drawing => "drawing", Print => "print", Manuscript => "manuscript", Coin => "coin", Jewellery => "jewellery", Furniture => "furniture", Ceramic => "ceramic", Textile => "textile", Archaeological => "archaeological", Religious => "religious", Other => "other" });
named_enum!(VesselKind { Yacht => "yacht", Motorboat => "motorboat", Sailboat => "sailboat", Fishing => "fishing", Cargo => "cargo", PersonalWatercraft => "personal-watercraft", OutboardEngine => "outboard-engine", Other => "other" });
named_enum!(Modality { Fingerprint => "fingerprint", Face => "face" });
named_enum!(DnaSample { ReferencePerson => "reference-person", CrimeScene => "crime-scene", MissingPersonRelative => "missing-person-relative", UnidentifiedBody => "unidentified-body" });

/// Kinds of firearm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FirearmKind {
    Pistol,
    Revolver,
    Rifle,
    Shotgun,
    SubmachineGun,
    MachineGun,
    Other,
}

/// Why a firearm is recorded (iARMS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FirearmStatus {
    Lost,
    Stolen,
    Trafficked,
    Smuggled,
}

/// A lost, stolen, trafficked or smuggled firearm (iARMS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Firearm {
    pub serial_number: String,
    pub make: String,
    pub model: Option<String>,
    pub calibre: Option<String>,
    pub kind: FirearmKind,
    pub status: FirearmStatus,
    pub theft_date: Option<Date>,
    pub theft_place: Option<String>,
}

impl Firearm {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_identifier("serial_number", &self.serial_number)?;
        check_text("make", &self.make, MAX_NAME_CHARS, true)?;
        if normalize::identifier(&self.make).is_empty() {
            return Err(SchemaError::new("make", "has no letters or digits"));
        }
        check_optional("model", &self.model, MAX_NAME_CHARS)?;
        check_optional("calibre", &self.calibre, MAX_IDENTIFIER_CHARS)?;
        check_optional("theft_place", &self.theft_place, MAX_TEXT_CHARS)
    }
}

/// Kinds of cultural object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ArtObjectType {
    Painting,
    Sculpture,
    Drawing,
    Print,
    Manuscript,
    Coin,
    Jewellery,
    Furniture,
    Ceramic,
    Textile,
    Archaeological,
    Religious,
    Other,
}

/// A stolen cultural object (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WorkOfArt {
    pub object_type: ArtObjectType,
    pub title: String,
    pub maker: Option<String>,
    pub period: Option<String>,
    pub materials: Option<String>,
    pub dimensions: Option<String>,
    /// Inscriptions, signatures, labels, damage: what identifies this very object.
    pub marks: Option<String>,
    /// References to images (hashes or national archive ids), not the images themselves.
    pub images: Vec<String>,
    pub theft_date: Option<Date>,
    pub theft_place: Option<String>,
}

impl WorkOfArt {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_text("title", &self.title, MAX_NAME_CHARS, true)?;
        if normalize::name_parts(&self.title).is_empty() {
            return Err(SchemaError::new("title", "has no letters or digits"));
        }
        check_optional("maker", &self.maker, MAX_NAME_CHARS)?;
        check_optional("period", &self.period, MAX_NAME_CHARS)?;
        check_optional("materials", &self.materials, MAX_TEXT_CHARS)?;
        check_optional("dimensions", &self.dimensions, MAX_NAME_CHARS)?;
        check_optional("marks", &self.marks, MAX_TEXT_CHARS)?;
        check_list("images", self.images.len())?;
        for image in &self.images {
            check_identifier("images", image)?;
        }
        check_optional("theft_place", &self.theft_place, MAX_TEXT_CHARS)
    }
}

/// Kinds of vessel, or a vessel's engine on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum VesselKind {
    Yacht,
    Motorboat,
    Sailboat,
    Fishing,
    Cargo,
    PersonalWatercraft,
    OutboardEngine,
    Other,
}

/// A stolen vessel or vessel engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Vessel {
    /// IMO ship identification number: seven digits, the last a check digit.
    pub imo_number: Option<String>,
    /// Hull identification number (small craft).
    pub hull_number: Option<String>,
    pub name: Option<String>,
    pub kind: VesselKind,
    pub flag: Option<CountryCode>,
    pub engine_serials: Vec<String>,
    pub make: Option<String>,
    pub theft_date: Option<Date>,
    pub theft_place: Option<String>,
}

/// The digits of an IMO number ("IMO 9074729" or "9074729"), if its check digit holds.
pub fn imo_digits(text: &str) -> Option<String> {
    let normal = normalize::identifier(text);
    let digits = normal.strip_prefix("IMO").unwrap_or(&normal);
    let values: Vec<u32> = digits
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if values.len() != 7 {
        return None;
    }
    let sum: u32 = values[..6]
        .iter()
        .zip((2..=7).rev())
        .map(|(digit, weight)| digit * weight)
        .sum();
    (sum % 10 == values[6]).then(|| digits.to_owned())
}

impl Vessel {
    pub fn validate(&self) -> Result<(), SchemaError> {
        if self.imo_number.is_none() && self.hull_number.is_none() && self.engine_serials.is_empty()
        {
            return Err(SchemaError::new(
                "imo_number",
                "a vessel needs an IMO number, a hull number or an engine serial",
            ));
        }
        if let Some(imo) = &self.imo_number {
            check_identifier("imo_number", imo)?;
            if imo_digits(imo).is_none() {
                return Err(SchemaError::new(
                    "imo_number",
                    "is not seven digits with a valid check digit (e.g. IMO 9074729)",
                ));
            }
        }
        if let Some(hull) = &self.hull_number {
            check_identifier("hull_number", hull)?;
        }
        check_optional("name", &self.name, MAX_NAME_CHARS)?;
        check_list("engine_serials", self.engine_serials.len())?;
        for serial in &self.engine_serials {
            check_identifier("engine_serials", serial)?;
        }
        check_optional("make", &self.make, MAX_NAME_CHARS)?;
        check_optional("theft_place", &self.theft_place, MAX_TEXT_CHARS)
    }
}

/// Most documents one administrative-document record may cover.
pub const MAX_SERIAL_RANGE: u64 = 1_000_000;

/// Stolen blank official documents: a serial range of one document type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdministrativeDocument {
    /// What the blanks are: "driving licence", "vehicle registration certificate", ...
    pub document_type: String,
    pub issuing_country: CountryCode,
    pub issuing_authority: String,
    /// First and last serial of the range, inclusive: the same letters, then numbers of the
    /// same width ("AB000100" to "AB000250"). A single document has first == last.
    pub first_serial: String,
    pub last_serial: String,
    pub theft_date: Option<Date>,
    pub theft_place: Option<String>,
}

/// A serial split into its letter prefix and its number: "AB-000100" is ("AB", 100, 6 digits).
pub fn split_serial(text: &str) -> Option<(String, u64, usize)> {
    let normal = normalize::identifier(text);
    let start = normal
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map(|(index, _)| index)?;
    let digits = &normal[start..];
    if digits.len() > 18 {
        return None;
    }
    Some((
        normal[..start].to_owned(),
        digits.parse().ok()?,
        digits.len(),
    ))
}

impl AdministrativeDocument {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_text("document_type", &self.document_type, MAX_NAME_CHARS, true)?;
        check_text(
            "issuing_authority",
            &self.issuing_authority,
            MAX_NAME_CHARS,
            true,
        )?;
        check_identifier("first_serial", &self.first_serial)?;
        check_identifier("last_serial", &self.last_serial)?;
        self.range()?;
        check_optional("theft_place", &self.theft_place, MAX_TEXT_CHARS)
    }

    /// The serial prefix and the inclusive number range.
    pub fn range(&self) -> Result<(String, u64, u64), SchemaError> {
        let parse = |field, text: &str| {
            split_serial(text)
                .ok_or_else(|| SchemaError::new(field, "must end in digits (at most 18)"))
        };
        let (prefix, first, width) = parse("first_serial", &self.first_serial)?;
        let (last_prefix, last, last_width) = parse("last_serial", &self.last_serial)?;
        if prefix != last_prefix || width != last_width {
            return Err(SchemaError::new(
                "last_serial",
                "must have the same letters and number width as first_serial",
            ));
        }
        if last < first {
            return Err(SchemaError::new("last_serial", "is before first_serial"));
        }
        if last - first >= MAX_SERIAL_RANGE {
            return Err(SchemaError::new(
                "last_serial",
                format!("the range covers more than {MAX_SERIAL_RANGE} documents"),
            ));
        }
        Ok((prefix, first, last))
    }
}

/// Biometric modalities whose templates are referenced, not shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    Fingerprint,
    Face,
}

/// A fingerprint or face template held by the source's national system: the shared record is
/// only its reference, so a match on the template is confirmed with the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TemplateReference {
    pub modality: Modality,
    /// The template's id in the source's system, or a hash of the template.
    pub reference: String,
    /// The template format, e.g. "ISO/IEC 19794-2" or "ANSI/NIST-ITL 1-2011".
    pub format: Option<String>,
    /// True when the person is identified (5 years' retention), false for an unknown person
    /// or a crime-scene mark (15 years).
    pub known_person: bool,
    pub capture_date: Option<Date>,
}

impl TemplateReference {
    pub fn validate(&self) -> Result<(), SchemaError> {
        check_identifier("reference", &self.reference)?;
        check_optional("format", &self.format, MAX_NAME_CHARS)
    }
}

/// The STR loci a DNA profile may carry: the European Standard Set, the CODIS core loci,
/// SE33 and amelogenin.
pub const DNA_LOCI: &[&str] = &[
    "AMEL", "CSF1PO", "D10S1248", "D12S391", "D13S317", "D16S539", "D18S51", "D19S433", "D1S1656",
    "D21S11", "D22S1045", "D2S1338", "D2S441", "D3S1358", "D5S818", "D7S820", "D8S1179", "FGA",
    "PENTAD", "PENTAE", "SE33", "TH01", "TPOX", "VWA",
];
/// Fewest STR loci (amelogenin aside) a profile needs to be shared (the Prüm minimum).
pub const MIN_DNA_LOCI: usize = 6;

/// A DNA profile: STR loci and their alleles, and no name (Prüm: the answer to a search names
/// a reference; identity follows on request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DnaProfile {
    /// Locus name to its one or two alleles, written "15,16" (or "15" when homozygous).
    pub loci: std::collections::BTreeMap<String, String>,
    pub sample: DnaSample,
    /// True when the person is identified (5 years' retention), false otherwise (15 years).
    pub known_person: bool,
    /// The laboratory's reference, for the follow-up request.
    pub lab_reference: Option<String>,
}

/// What a DNA sample comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DnaSample {
    ReferencePerson,
    CrimeScene,
    MissingPersonRelative,
    UnidentifiedBody,
}

/// A locus name in its canonical spelling, if it is one of [`DNA_LOCI`].
pub fn dna_locus(name: &str) -> Option<&'static str> {
    let normal = normalize::identifier(name);
    DNA_LOCI.iter().copied().find(|locus| *locus == normal)
}

/// Alleles in canonical form: sorted, comma-separated ("16,15" is "15,16", "15" is "15,15").
pub fn dna_alleles(locus: &str, text: &str) -> Option<String> {
    let mut alleles: Vec<String> = text
        .split([',', '/', ' '])
        .filter(|part| !part.is_empty())
        .map(|part| part.trim().to_ascii_uppercase())
        .collect();
    let valid = |allele: &String| {
        if locus == "AMEL" {
            return allele == "X" || allele == "Y";
        }
        let mut parts = allele.splitn(2, '.');
        let whole = parts.next().unwrap_or_default();
        let micro = parts.next();
        !whole.is_empty()
            && whole.len() <= 3
            && whole.chars().all(|c| c.is_ascii_digit())
            && micro.is_none_or(|m| m.len() == 1 && m.chars().all(|c| c.is_ascii_digit()))
    };
    if alleles.is_empty() || alleles.len() > 2 || !alleles.iter().all(valid) {
        return None;
    }
    if alleles.len() == 1 {
        alleles.push(alleles[0].clone());
    }
    alleles.sort_by(|a, b| {
        let value = |allele: &String| allele.parse::<f64>().unwrap_or(0.0);
        value(a).total_cmp(&value(b)).then_with(|| a.cmp(b))
    });
    Some(alleles.join(","))
}

impl DnaProfile {
    pub fn validate(&self) -> Result<(), SchemaError> {
        let mut str_loci = 0;
        let mut seen = std::collections::BTreeSet::new();
        for (locus, alleles) in &self.loci {
            let Some(canonical) = dna_locus(locus) else {
                return Err(SchemaError::new(
                    "loci",
                    format!("{locus:?} is not a known locus ({})", DNA_LOCI.join(", ")),
                ));
            };
            if !seen.insert(canonical) {
                return Err(SchemaError::new(
                    "loci",
                    format!("{canonical} is given twice"),
                ));
            }
            if dna_alleles(canonical, alleles).is_none() {
                return Err(SchemaError::new(
                    "loci",
                    format!("{locus}: {alleles:?} is not one or two alleles like \"15,16.3\""),
                ));
            }
            if canonical != "AMEL" {
                str_loci += 1;
            }
        }
        if str_loci < MIN_DNA_LOCI {
            return Err(SchemaError::new(
                "loci",
                format!(
                    "a profile needs at least {MIN_DNA_LOCI} STR loci, this one has {str_loci}"
                ),
            ));
        }
        check_optional("lab_reference", &self.lab_reference, MAX_IDENTIFIER_CHARS)
    }

    /// The profile in canonical form: locus spelling and allele order fixed, so equal profiles
    /// compare equal and index alike.
    pub fn canonical_loci(&self) -> Vec<(&'static str, String)> {
        let mut loci: Vec<_> = self
            .loci
            .iter()
            .filter_map(|(locus, alleles)| {
                let locus = dna_locus(locus)?;
                Some((locus, dna_alleles(locus, alleles)?))
            })
            .collect();
        loci.sort();
        loci
    }
}

/// How two DNA profiles compare, locus by locus (Prüm style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnaComparison {
    /// STR loci typed in both profiles with the same alleles.
    pub matching: usize,
    /// STR loci typed in both with different alleles.
    pub mismatching: usize,
}

/// Compares two canonical profiles over the STR loci both carry.
pub fn compare_dna(a: &[(&'static str, String)], b: &[(&'static str, String)]) -> DnaComparison {
    let mut comparison = DnaComparison {
        matching: 0,
        mismatching: 0,
    };
    for (locus, alleles) in a.iter().filter(|(locus, _)| *locus != "AMEL") {
        if let Some((_, other)) = b.iter().find(|(other, _)| other == locus) {
            if other == alleles {
                comparison.matching += 1;
            } else {
                comparison.mismatching += 1;
            }
        }
    }
    comparison
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ICAO 9303 codes F, M and X (either case) read as a sex on the CLI and in JSON, beside
    /// the words; X, "unspecified", is `Unknown`. Writing is unchanged: always the word.
    #[test]
    fn sex_reads_icao_codes_and_writes_words() {
        let cases = [
            ("F", Sex::Female),
            ("f", Sex::Female),
            ("M", Sex::Male),
            ("m", Sex::Male),
            ("X", Sex::Unknown),
            ("x", Sex::Unknown),
            ("female", Sex::Female),
            ("male", Sex::Male),
            ("unknown", Sex::Unknown),
        ];
        for (text, sex) in cases {
            assert_eq!(text.parse::<Sex>(), Ok(sex), "FromStr {text:?}");
            assert_eq!(
                serde_json::from_str::<Sex>(&format!("{text:?}")).ok(),
                Some(sex),
                "serde {text:?}"
            );
        }
        assert_eq!(" X ".parse::<Sex>(), Ok(Sex::Unknown));
        assert_eq!("Male".parse::<Sex>(), Ok(Sex::Male));
        for text in ["U", "<", "mf", ""] {
            assert!(text.parse::<Sex>().is_err(), "FromStr {text:?}");
            assert!(
                serde_json::from_str::<Sex>(&format!("{text:?}")).is_err(),
                "serde {text:?}"
            );
        }
        for (sex, word) in [
            (Sex::Female, "female"),
            (Sex::Male, "male"),
            (Sex::Unknown, "unknown"),
        ] {
            assert_eq!(sex.to_string(), word);
            assert_eq!(serde_json::to_string(&sex).ok(), Some(format!("{word:?}")));
        }
    }

    #[test]
    fn north_american_vins_need_their_check_digit() {
        assert!(check_vin("1M8GDM9AXKP042788").is_ok());
        assert!(check_vin("1M8GDM9A1KP042788").is_err());
        // European VINs carry no check digit.
        assert!(check_vin("WVWZZZ1JZ3W386752").is_ok());
        assert!(check_vin("WVWZZZ1JZ3W38675O").is_err());
        assert!(check_vin("ABC123").is_ok());
    }

    #[test]
    fn imo_numbers_need_their_check_digit() {
        assert_eq!(imo_digits("IMO 9074729").as_deref(), Some("9074729"));
        assert_eq!(imo_digits("9074729").as_deref(), Some("9074729"));
        assert_eq!(imo_digits("IMO 9074728"), None);
        assert_eq!(imo_digits("907472"), None);
    }

    #[test]
    fn serials_split_into_letters_and_number() {
        assert_eq!(split_serial("AB-000100"), Some(("AB".into(), 100, 6)));
        assert_eq!(split_serial("12345"), Some((String::new(), 12345, 5)));
        assert_eq!(split_serial("ABC"), None);
    }

    #[test]
    fn dna_alleles_are_canonical() {
        assert_eq!(dna_alleles("TH01", "9.3, 6").as_deref(), Some("6,9.3"));
        assert_eq!(dna_alleles("TH01", "7").as_deref(), Some("7,7"));
        assert_eq!(dna_alleles("AMEL", "y,x").as_deref(), Some("X,Y"));
        assert_eq!(dna_alleles("TH01", "7,8,9"), None);
        assert_eq!(dna_alleles("TH01", "seven"), None);
        assert_eq!(dna_locus("vWA"), Some("VWA"));
        assert_eq!(dna_locus("D99"), None);
    }
}
