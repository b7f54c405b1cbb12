//! Records: the current state of the shared databases, folded from the members' logs.
//!
//! A record is keyed by `(database, owner, local id)`. Ownership is by member, not by key, so a
//! member's records stay its own across key rotations. The owner raises the version on every
//! change; replicas keep the highest version, and break ties by the entry hash, so every replica
//! agrees whatever order entries arrive in ([`Precedence`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::hash::Hash;
use crate::member::CountryCode;
use crate::member::MemberCode;
use crate::names;
use crate::normalize;
use crate::schema::{
    self, AdministrativeDocument, DnaProfile, DocumentType, Firearm, Modality, Person, SchemaError,
    TemplateReference, TravelDocument, Vehicle, Vessel, WorkOfArt,
};
use crate::time::{Date, PartialDate};

/// Longest local id, in bytes.
pub const MAX_LOCAL_ID_BYTES: usize = 64;
/// Hex digits of an opaque local id (after its `s` prefix): 96 bits.
pub const OPAQUE_ID_HEX_DIGITS: usize = 24;

/// The secret a member's restricted records take their local ids from, derived from a secret
/// only its node holds (its encryption key).
pub fn opaque_id_key(secret: &[u8; 32]) -> [u8; 32] {
    crate::Hash::of(crate::hash::domain::OPAQUE_ID_KEY, &[secret]).0
}

/// The local id a restricted record is published under instead of `local_id` (which is often
/// the identifier itself: a passport number, a VIN): `s` and 24 hex digits of a hash keyed
/// with `key`, so a member without the key can neither read the identifier from the reference
/// nor confirm a guess of it. The same `local_id` always gives the same id, so updates and
/// cancellations find the record. An id that is already opaque is kept.
pub fn opaque_local_id(key: &[u8; 32], database: Database, local_id: &str) -> String {
    if is_opaque_id(local_id) {
        return local_id.to_owned();
    }
    let hash = crate::Hash::of(
        crate::hash::domain::OPAQUE_ID,
        &[key, database.name().as_bytes(), b"\0", local_id.as_bytes()],
    );
    let mut id = String::with_capacity(1 + OPAQUE_ID_HEX_DIGITS);
    id.push('s');
    for byte in &hash.0[..OPAQUE_ID_HEX_DIGITS / 2] {
        id.push_str(&format!("{byte:02x}"));
    }
    id
}

/// Whether `local_id` has the form of an opaque id.
pub fn is_opaque_id(local_id: &str) -> bool {
    local_id.len() == 1 + OPAQUE_ID_HEX_DIGITS
        && local_id.starts_with('s')
        && local_id[1..]
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}
/// Most members an access list may name.
pub const MAX_ACCESS_MEMBERS: usize = 256;

/// The shared databases. The declaration order is the wire encoding: append, never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Database {
    /// Stolen and lost travel documents.
    #[serde(rename = "sltd")]
    TravelDocuments,
    /// Stolen motor vehicles.
    #[serde(rename = "vehicles")]
    Vehicles,
    /// Nominal data: persons.
    #[serde(rename = "persons")]
    Persons,
    /// Lost, stolen, trafficked or smuggled firearms (iARMS).
    #[serde(rename = "firearms")]
    Firearms,
    /// Stolen works of art.
    #[serde(rename = "art")]
    WorksOfArt,
    /// Stolen vessels and vessel engines.
    #[serde(rename = "vessels")]
    Vessels,
    /// Stolen blank administrative documents.
    #[serde(rename = "admin-documents")]
    AdministrativeDocuments,
    /// DNA profiles (no names).
    #[serde(rename = "dna")]
    Dna,
    /// Fingerprint template references.
    #[serde(rename = "fingerprints")]
    Fingerprints,
    /// Face template references.
    #[serde(rename = "faces")]
    Faces,
}

impl Database {
    pub const ALL: [Database; 10] = [
        Database::TravelDocuments,
        Database::Vehicles,
        Database::Persons,
        Database::Firearms,
        Database::WorksOfArt,
        Database::Vessels,
        Database::AdministrativeDocuments,
        Database::Dna,
        Database::Fingerprints,
        Database::Faces,
    ];

    /// The name used in references, the CLI and the API.
    pub fn name(&self) -> &'static str {
        match self {
            Database::TravelDocuments => "sltd",
            Database::Vehicles => "vehicles",
            Database::Persons => "persons",
            Database::Firearms => "firearms",
            Database::WorksOfArt => "art",
            Database::Vessels => "vessels",
            Database::AdministrativeDocuments => "admin-documents",
            Database::Dna => "dna",
            Database::Fingerprints => "fingerprints",
            Database::Faces => "faces",
        }
    }

    /// One byte per database, for store keys.
    pub fn tag(&self) -> u8 {
        match self {
            Database::TravelDocuments => 1,
            Database::Vehicles => 2,
            Database::Persons => 3,
            Database::Firearms => 4,
            Database::WorksOfArt => 5,
            Database::Vessels => 6,
            Database::AdministrativeDocuments => 7,
            Database::Dna => 8,
            Database::Fingerprints => 9,
            Database::Faces => 10,
        }
    }

    pub fn from_tag(tag: u8) -> Option<Database> {
        Database::ALL
            .into_iter()
            .find(|database| database.tag() == tag)
    }

    /// Longest time a record may go without review, in years (`DOMAIN.md`). Databases without a
    /// published rule get ten years, so nothing is kept forever unreviewed. Biometric records
    /// of identified persons get less: see [`RecordData::retention_years`].
    pub fn retention_years(&self) -> u16 {
        match self {
            Database::Persons => 5,
            Database::Dna | Database::Fingerprints | Database::Faces => 15,
            _ => 10,
        }
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Database {
    type Err = RecordError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sltd" | "travel-documents" => Ok(Database::TravelDocuments),
            "vehicles" | "vehicle" | "smv" => Ok(Database::Vehicles),
            "persons" | "person" | "nominal" => Ok(Database::Persons),
            "firearms" | "firearm" | "iarms" => Ok(Database::Firearms),
            "art" | "works-of-art" => Ok(Database::WorksOfArt),
            "vessels" | "vessel" => Ok(Database::Vessels),
            "admin-documents" | "admin-document" => Ok(Database::AdministrativeDocuments),
            "dna" => Ok(Database::Dna),
            "fingerprints" | "fingerprint" => Ok(Database::Fingerprints),
            "faces" | "face" => Ok(Database::Faces),
            _ => Err(RecordError::UnknownDatabase(text.to_owned())),
        }
    }
}

/// Why a record or a record reference was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error(
        "unknown database {0:?} (known: sltd, vehicles, persons, firearms, art, vessels, admin-documents, dna, fingerprints, faces)"
    )]
    UnknownDatabase(String),
    #[error(
        "{0:?} is not a record reference (expected DATABASE/OWNER/LOCAL-ID, e.g. sltd/FRA/p1234567)"
    )]
    Reference(String),
    #[error("local id must be 1 to {MAX_LOCAL_ID_BYTES} letters, digits, '.', '_' or '-'")]
    LocalId,
    #[error("a local id cannot be only dots (it would read as '.' or '..' in a reference or path)")]
    DotsOnlyLocalId,
    #[error("the key says database {key} but the data is a {data} record")]
    DatabaseMismatch { key: Database, data: Database },
    #[error("the version must be at least 1")]
    ZeroVersion,
    #[error("an access list must name 1 to {MAX_ACCESS_MEMBERS} members")]
    AccessList,
    #[error("a {database} record cannot be a {modality} template")]
    Modality {
        database: Database,
        modality: schema::Modality,
    },
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// Identifies a record across all replicas.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordKey {
    pub database: Database,
    pub owner: MemberCode,
    pub local_id: String,
}

impl RecordKey {
    pub fn new(
        database: Database,
        owner: MemberCode,
        local_id: &str,
    ) -> Result<RecordKey, RecordError> {
        let key = RecordKey {
            database,
            owner,
            local_id: local_id.to_owned(),
        };
        key.check()?;
        Ok(key)
    }

    pub fn check(&self) -> Result<(), RecordError> {
        let id = self.local_id.as_bytes();
        let allowed =
            |byte: &u8| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-');
        if id.is_empty() || id.len() > MAX_LOCAL_ID_BYTES || !id.iter().all(allowed) {
            return Err(RecordError::LocalId);
        }
        // `.` and `..` (and longer runs, for symmetry) read as directories in the
        // `sltd/FRA/<id>` references, URLs and file names built from a key.
        if id.iter().all(|byte| *byte == b'.') {
            return Err(RecordError::DotsOnlyLocalId);
        }
        Ok(())
    }

    /// Store key bytes: database tag, owner, local id. Byte order groups records by database,
    /// then owner.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(4 + self.local_id.len());
        bytes.push(self.database.tag());
        bytes.extend_from_slice(self.owner.as_bytes());
        bytes.extend_from_slice(self.local_id.as_bytes());
        bytes
    }

    /// The key [`RecordKey::to_bytes`] gave these bytes; `None` for bytes it never gives.
    pub fn from_bytes(bytes: &[u8]) -> Option<RecordKey> {
        let database = Database::from_tag(*bytes.first()?)?;
        let owner = MemberCode::try_from(<[u8; 3]>::try_from(bytes.get(1..4)?).ok()?).ok()?;
        let local_id = std::str::from_utf8(bytes.get(4..)?).ok()?;
        RecordKey::new(database, owner, local_id).ok()
    }
}

/// The reference officers see and type: `sltd/FRA/p1234567`.
impl std::fmt::Display for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.database, self.owner, self.local_id)
    }
}

impl std::str::FromStr for RecordKey {
    type Err = RecordError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let reference = || RecordError::Reference(text.to_owned());
        let mut parts = text.trim().splitn(3, '/');
        let database = parts.next().ok_or_else(reference)?.parse()?;
        let owner = parts
            .next()
            .ok_or_else(reference)?
            .parse()
            .map_err(|_| reference())?;
        let local_id = parts.next().ok_or_else(reference)?;
        RecordKey::new(database, owner, local_id)
    }
}

/// Who may read a record. Anything but `All` is sealed to its readers' keys, so the
/// restriction holds at every replica. Append variants, never reorder (wire encoding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    All,
    /// Only these members (and the owner).
    Members(BTreeSet<MemberCode>),
    /// Only the secretariat (and the owner).
    SecretariatOnly,
    /// Every member but these.
    AllExcept(BTreeSet<MemberCode>),
}

impl Access {
    /// Whether `member` may read a record `owner` published under this access.
    pub fn allows(&self, member: MemberCode, owner: MemberCode) -> bool {
        member == owner
            || match self {
                Access::All => true,
                Access::Members(members) => members.contains(&member),
                Access::SecretariatOnly => member.is_secretariat(),
                Access::AllExcept(excluded) => !excluded.contains(&member),
            }
    }
}

/// The data of a record, one variant per database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RecordData {
    TravelDocument(TravelDocument),
    Vehicle(Vehicle),
    Person(Person),
    Firearm(Firearm),
    WorkOfArt(WorkOfArt),
    Vessel(Vessel),
    AdministrativeDocument(AdministrativeDocument),
    Dna(DnaProfile),
    Fingerprint(TemplateReference),
    Face(TemplateReference),
}

impl RecordData {
    /// Checks the fields against their database's schema.
    pub fn validate(&self) -> Result<(), SchemaError> {
        match self {
            RecordData::TravelDocument(document) => document.validate(),
            RecordData::Vehicle(vehicle) => vehicle.validate(),
            RecordData::Person(person) => person.validate(),
            RecordData::Firearm(firearm) => firearm.validate(),
            RecordData::WorkOfArt(work) => work.validate(),
            RecordData::Vessel(vessel) => vessel.validate(),
            RecordData::AdministrativeDocument(document) => document.validate(),
            RecordData::Dna(profile) => profile.validate(),
            RecordData::Fingerprint(template) | RecordData::Face(template) => template.validate(),
        }
    }

    pub fn database(&self) -> Database {
        match self {
            RecordData::TravelDocument(_) => Database::TravelDocuments,
            RecordData::Vehicle(_) => Database::Vehicles,
            RecordData::Person(_) => Database::Persons,
            RecordData::Firearm(_) => Database::Firearms,
            RecordData::WorkOfArt(_) => Database::WorksOfArt,
            RecordData::Vessel(_) => Database::Vessels,
            RecordData::AdministrativeDocument(_) => Database::AdministrativeDocuments,
            RecordData::Dna(_) => Database::Dna,
            RecordData::Fingerprint(_) => Database::Fingerprints,
            RecordData::Face(_) => Database::Faces,
        }
    }

    /// Longest time this record may go without review, in years: the database's rule, but
    /// 5 years for biometric data of an identified person (`DOMAIN.md`).
    pub fn retention_years(&self) -> u16 {
        let known = match self {
            RecordData::Dna(profile) => profile.known_person,
            RecordData::Fingerprint(template) | RecordData::Face(template) => template.known_person,
            _ => false,
        };
        if known {
            5
        } else {
            self.database().retention_years()
        }
    }
}

/// A record as its owner published it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Record {
    pub key: RecordKey,
    /// Raised by the owner on every change; the highest wins.
    pub version: u64,
    pub access: Access,
    /// When the owner must review the record, or it expires.
    pub review_date: Date,
    /// Why the source extended the review date, when it did.
    pub review_reason: Option<String>,
    pub data: RecordData,
}

impl Record {
    /// Checks the record's own rules (not who may publish it: that is [`crate::validate`]).
    pub fn validate(&self) -> Result<(), RecordError> {
        self.key.check()?;
        if self.key.database != self.data.database() {
            return Err(RecordError::DatabaseMismatch {
                key: self.key.database,
                data: self.data.database(),
            });
        }
        if self.version == 0 {
            return Err(RecordError::ZeroVersion);
        }
        if let Access::Members(members) = &self.access
            && (members.is_empty() || members.len() > MAX_ACCESS_MEMBERS)
        {
            return Err(RecordError::AccessList);
        }
        let modality = match &self.data {
            RecordData::Fingerprint(template) => Some((template.modality, Modality::Fingerprint)),
            RecordData::Face(template) => Some((template.modality, Modality::Face)),
            _ => None,
        };
        if let Some((modality, expected)) = modality
            && modality != expected
        {
            return Err(RecordError::Modality {
                database: self.key.database,
                modality,
            });
        }
        if let Access::Members(members) | Access::AllExcept(members) = &self.access
            && members.len() > MAX_ACCESS_MEMBERS
        {
            return Err(RecordError::AccessList);
        }
        if let Some(reason) = &self.review_reason {
            schema::check_text("review_reason", reason, schema::MAX_TEXT_CHARS, true)?;
        }
        Ok(self.data.validate()?)
    }

    /// The search terms this record is indexed under.
    pub fn index_terms(&self) -> Vec<IndexTerm> {
        let mut terms = Vec::new();
        match &self.data {
            RecordData::TravelDocument(document) => terms.push(IndexTerm::travel_document(
                &document.number,
                Some(document.issuing_country.into()),
                Some(document.document_type),
            )),
            RecordData::Vehicle(vehicle) => {
                terms.push(IndexTerm::vin(&vehicle.vin));
                terms.extend(vehicle.engine_number.as_deref().map(IndexTerm::engine));
            }
            RecordData::Person(person) => {
                terms.push(IndexTerm::person_name(
                    &person.family_name,
                    &person.given_names,
                ));
                for alias in &person.aliases {
                    terms.push(IndexTerm::person_name(alias, ""));
                }
                terms.extend(IndexTerm::name_terms(person));
            }
            RecordData::Firearm(firearm) => terms.push(IndexTerm::firearm(
                &firearm.serial_number,
                Some(&firearm.make),
            )),
            RecordData::WorkOfArt(work) => terms.push(IndexTerm::art_title(&work.title)),
            RecordData::Vessel(vessel) => {
                terms.extend(vessel.imo_number.as_deref().map(IndexTerm::imo));
                terms.extend(vessel.hull_number.as_deref().map(IndexTerm::hull));
                terms.extend(vessel.engine_serials.iter().map(|s| IndexTerm::engine(s)));
            }
            RecordData::AdministrativeDocument(document) => {
                if let Ok((prefix, first, last)) = document.range() {
                    terms.push(IndexTerm::serial_range(
                        &prefix,
                        Some(document.issuing_country.into()),
                        first,
                        last,
                    ));
                }
            }
            RecordData::Dna(profile) => {
                for (locus, alleles) in profile.canonical_loci() {
                    if locus != "AMEL" {
                        terms.push(IndexTerm::dna(locus, &alleles));
                    }
                }
            }
            RecordData::Fingerprint(template) | RecordData::Face(template) => {
                terms.push(IndexTerm::template(template.modality, &template.reference))
            }
        }
        terms.sort_by(|a, b| (a.index, &a.bytes).cmp(&(b.index, &b.bytes)));
        terms.dedup_by(|a, b| a.index == b.index && a.bytes == b.bytes);
        terms
    }
}

/// The search indexes. The order is the store's tree order: append, never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Index {
    /// Normalised document number, then issuing country, then document type.
    TravelDocument,
    /// Normalised VIN.
    Vin,
    /// Folded, sorted name parts.
    PersonName,
    /// Engine numbers of vehicles and vessels.
    EngineNumber,
    /// Firearm serial number, then make.
    Firearm,
    /// IMO numbers and hull identification numbers.
    Vessel,
    /// Administrative document serial prefix and issuing country; the value is the range.
    SerialRange,
    /// One STR locus with its alleles, for DNA candidate counting.
    DnaLocus,
    /// Template modality and reference.
    Template,
    /// Folded, sorted title words of a work of art.
    ArtTitle,
    /// The phonetic key of each Latin name part of a person (no value: the candidate is in
    /// [`Index::NameCandidate`]).
    NamePhonetic,
    /// Two phonetic keys of one name, for selective lookups of common name parts.
    NamePair,
    /// One entry per person under the empty term: its [`NameCandidate`], so a name search
    /// ranks candidates without loading records. Stored once per person, not once per
    /// phonetic posting (a person has a dozen or more of those).
    NameCandidate,
}

impl Index {
    pub const ALL: [Index; 13] = [
        Index::TravelDocument,
        Index::Vin,
        Index::PersonName,
        Index::EngineNumber,
        Index::Firearm,
        Index::Vessel,
        Index::SerialRange,
        Index::DnaLocus,
        Index::Template,
        Index::ArtTitle,
        Index::NamePhonetic,
        Index::NamePair,
        Index::NameCandidate,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Index::TravelDocument => "index/travel-document",
            Index::Vin => "index/vin",
            Index::PersonName => "index/person-name",
            Index::EngineNumber => "index/engine-number",
            Index::Firearm => "index/firearm",
            Index::Vessel => "index/vessel",
            Index::SerialRange => "index/serial-range",
            Index::DnaLocus => "index/dna-locus",
            Index::Template => "index/template",
            Index::ArtTitle => "index/art-title",
            Index::NamePhonetic => "index/name-phonetic",
            Index::NamePair => "index/name-pair",
            Index::NameCandidate => "index/name-candidate",
        }
    }
}

/// A search term (or prefix) in one index, with the value stored beside it. Terms never
/// contain a zero byte, which the store uses to separate a term from the record key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTerm {
    pub index: Index,
    pub bytes: Vec<u8>,
    /// True when the term is only the start of the indexed terms it should match (a travel
    /// document number without its country or type); false for a whole term.
    pub prefix: bool,
    /// Stored with the index entry so a search can filter candidates without loading records
    /// (a serial range's bounds); empty for most indexes.
    pub value: Vec<u8>,
}

fn document_type_tag(document_type: DocumentType) -> u8 {
    match document_type {
        DocumentType::Passport => b'P',
        DocumentType::IdCard => b'I',
        DocumentType::Visa => b'V',
        DocumentType::Other => b'O',
    }
}

impl IndexTerm {
    fn whole(index: Index, bytes: Vec<u8>) -> IndexTerm {
        IndexTerm {
            index,
            bytes,
            prefix: false,
            value: Vec::new(),
        }
    }

    /// A travel document term. Without a country the term is a prefix matching every issuer;
    /// without a type, every type (a type needs a country).
    pub fn travel_document(
        number: &str,
        issuing_country: Option<MemberCode>,
        document_type: Option<DocumentType>,
    ) -> IndexTerm {
        let mut bytes = normalize::identifier(number).into_bytes();
        bytes.push(b'/');
        let mut prefix = true;
        if let Some(country) = issuing_country {
            bytes.extend_from_slice(country.as_bytes());
            if let Some(document_type) = document_type {
                bytes.push(document_type_tag(document_type));
                prefix = false;
            }
        }
        IndexTerm {
            prefix,
            ..IndexTerm::whole(Index::TravelDocument, bytes)
        }
    }

    pub fn vin(vin: &str) -> IndexTerm {
        IndexTerm::whole(Index::Vin, normalize::identifier(vin).into_bytes())
    }

    pub fn engine(number: &str) -> IndexTerm {
        IndexTerm::whole(
            Index::EngineNumber,
            normalize::identifier(number).into_bytes(),
        )
    }

    pub fn person_name(family_name: &str, given_names: &str) -> IndexTerm {
        IndexTerm::whole(
            Index::PersonName,
            normalize::name_key(family_name, given_names).into_bytes(),
        )
    }

    /// A firearm term; without a make, a prefix matching every make.
    pub fn firearm(serial_number: &str, make: Option<&str>) -> IndexTerm {
        let mut bytes = normalize::identifier(serial_number).into_bytes();
        bytes.push(b'/');
        match make {
            Some(make) => {
                bytes.extend_from_slice(normalize::identifier(make).as_bytes());
                IndexTerm::whole(Index::Firearm, bytes)
            }
            None => IndexTerm {
                prefix: true,
                ..IndexTerm::whole(Index::Firearm, bytes)
            },
        }
    }

    /// An IMO number term: its seven digits, whichever way it was written.
    pub fn imo(number: &str) -> IndexTerm {
        let digits = schema::imo_digits(number).unwrap_or_else(|| normalize::identifier(number));
        IndexTerm::whole(Index::Vessel, format!("IMO{digits}").into_bytes())
    }

    pub fn hull(number: &str) -> IndexTerm {
        let normal = normalize::identifier(number);
        IndexTerm::whole(Index::Vessel, format!("HIN{normal}").into_bytes())
    }

    /// An administrative document series: serial letters, then the issuing country (a prefix
    /// over every country without one). The value holds the inclusive number range, 16 bytes.
    pub fn serial_range(
        letters: &str,
        issuing_country: Option<MemberCode>,
        first: u64,
        last: u64,
    ) -> IndexTerm {
        let mut bytes = format!("{letters}/").into_bytes();
        if let Some(country) = issuing_country {
            bytes.extend_from_slice(country.as_bytes());
        }
        let mut value = first.to_be_bytes().to_vec();
        value.extend_from_slice(&last.to_be_bytes());
        IndexTerm {
            prefix: issuing_country.is_none(),
            value,
            ..IndexTerm::whole(Index::SerialRange, bytes)
        }
    }

    /// The range an administrative-document index value holds.
    pub fn decode_serial_range(value: &[u8]) -> Option<(u64, u64)> {
        let first = u64::from_be_bytes(value.get(..8)?.try_into().ok()?);
        let last = u64::from_be_bytes(value.get(8..16)?.try_into().ok()?);
        Some((first, last))
    }

    /// One locus of a canonical DNA profile.
    pub fn dna(locus: &str, alleles: &str) -> IndexTerm {
        IndexTerm::whole(Index::DnaLocus, format!("{locus}={alleles}").into_bytes())
    }

    pub fn template(modality: Modality, reference: &str) -> IndexTerm {
        let tag = match modality {
            Modality::Fingerprint => 'F',
            Modality::Face => 'A',
        };
        let normal = normalize::identifier(reference);
        IndexTerm::whole(Index::Template, format!("{tag}/{normal}").into_bytes())
    }

    /// The phonetic term of one Latin name part, whatever the birth year.
    pub fn phonetic(part: &str) -> IndexTerm {
        IndexTerm::phonetic_key(&names::phonetic(part))
    }

    /// The term of a phonetic key already computed (see [`IndexTerm::phonetic_keys`]), whatever
    /// the birth year: a prefix of every year's term.
    pub fn phonetic_key(key: &str) -> IndexTerm {
        IndexTerm::any_birth_year(Index::NamePhonetic, key.as_bytes())
    }

    /// The term of a phonetic key for persons born in `year` (`None`: date of birth unknown).
    pub fn phonetic_key_born(key: &str, year: Option<u16>) -> IndexTerm {
        IndexTerm::born(Index::NamePhonetic, key.as_bytes(), year)
    }

    fn any_birth_year(index: Index, key: &[u8]) -> IndexTerm {
        let mut bytes = key.to_vec();
        bytes.push(BIRTH_YEAR_MARK);
        IndexTerm {
            prefix: true,
            ..IndexTerm::whole(index, bytes)
        }
    }

    fn born(index: Index, key: &[u8], year: Option<u16>) -> IndexTerm {
        IndexTerm::whole(index, [key, &birth_year_suffix(year)].concat())
    }

    /// A person's name terms: one phonetic term per distinct key among its names, one pair
    /// term per pair of keys of one name, each with the birth year after it (so a search with a
    /// date of birth reads only that year's postings), and its [`NameCandidate`] once.
    pub fn name_terms(person: &Person) -> Vec<IndexTerm> {
        let candidate = NameCandidate::of(person);
        let mut keys: Vec<String> = Vec::new();
        let mut pairs: Vec<Vec<u8>> = Vec::new();
        for parts in &candidate.names {
            let name_keys = IndexTerm::phonetic_keys(parts);
            for (i, first) in name_keys.iter().enumerate() {
                for second in &name_keys[i + 1..] {
                    pairs.push(IndexTerm::pair_bytes(first, second));
                }
            }
            keys.extend(name_keys);
        }
        keys.sort();
        keys.dedup();
        pairs.sort();
        pairs.dedup();
        let year = person.date_of_birth.map(|date| date.year());
        let singles = keys
            .into_iter()
            .map(move |key| IndexTerm::born(Index::NamePhonetic, key.as_bytes(), year));
        let pairs = pairs
            .into_iter()
            .map(move |bytes| IndexTerm::born(Index::NamePair, &bytes, year));
        let candidate = IndexTerm {
            value: codec::encode(&candidate),
            ..IndexTerm::name_candidate()
        };
        singles.chain(pairs).chain([candidate]).collect()
    }

    /// The term under which every person's [`NameCandidate`] is kept (empty: the index entry's
    /// key is the record key alone).
    pub fn name_candidate() -> IndexTerm {
        IndexTerm::whole(Index::NameCandidate, Vec::new())
    }

    /// The distinct, non-empty phonetic keys of one name's Latin parts, sorted.
    pub fn phonetic_keys(parts: &[String]) -> Vec<String> {
        let mut keys: Vec<String> = parts
            .iter()
            .map(|part| names::phonetic(part))
            .filter(|key| !key.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// A pair term's bytes: two phonetic keys of one name, in order, joined by `+` (keys come
    /// from name parts, which are letters and digits only).
    pub fn pair_bytes(first: &str, second: &str) -> Vec<u8> {
        let (a, b) = if first <= second {
            (first, second)
        } else {
            (second, first)
        };
        format!("{a}+{b}").into_bytes()
    }

    /// The pair term of two phonetic keys (what a name search of two parts or more looks up
    /// first).
    pub fn name_pair(first: &str, second: &str) -> IndexTerm {
        IndexTerm::any_birth_year(Index::NamePair, &IndexTerm::pair_bytes(first, second))
    }

    /// The pair term of two phonetic keys for persons born in `year` (`None`: unknown).
    pub fn name_pair_born(first: &str, second: &str, year: Option<u16>) -> IndexTerm {
        IndexTerm::born(Index::NamePair, &IndexTerm::pair_bytes(first, second), year)
    }

    pub fn art_title(title: &str) -> IndexTerm {
        IndexTerm::whole(Index::ArtTitle, normalize::name_key(title, "").into_bytes())
    }
}

/// The version of the person name index: bump it whenever a person's name terms change
/// (readings, phonetic keys, term layout). A store whose name index has another version
/// rebuilds it from its records when it opens.
pub const NAME_INDEX_VERSION: u32 = 3;

/// Name terms end with the birth year: this byte (which no phonetic key holds), then the year
/// in two bytes that are never 0 (the index key's separator) and sort as the year does.
const BIRTH_YEAR_MARK: u8 = 0x01;

/// The birth-year suffix of a name term; an unknown year sorts first.
fn birth_year_suffix(year: Option<u16>) -> [u8; 3] {
    match year {
        // Years are at most `MAX_YEAR` (2200), so both bytes stay within 2..=101.
        Some(year) => [
            BIRTH_YEAR_MARK,
            u8::try_from(2 + year / 100).unwrap_or(u8::MAX),
            u8::try_from(2 + year % 100).unwrap_or(u8::MAX),
        ],
        None => [BIRTH_YEAR_MARK, 1, 1],
    }
}

/// What a name search needs to rank a person without loading the record: the Latin parts of
/// each of its names (family and given names first, then aliases, each with its other
/// [`names::readings`]), birth date, nationalities and sex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameCandidate {
    pub names: Vec<Vec<String>>,
    pub date_of_birth: Option<PartialDate>,
    pub nationalities: Vec<CountryCode>,
    /// Last, so that a candidate written before it existed still decodes (sex unknown).
    pub sex: crate::schema::Sex,
}

/// A [`NameCandidate`] as stores written before the sex was kept hold it.
#[derive(Deserialize)]
struct NameCandidateWithoutSex {
    names: Vec<Vec<String>>,
    date_of_birth: Option<PartialDate>,
    nationalities: Vec<CountryCode>,
}

impl NameCandidate {
    /// The candidate of a person: each name's first reading, then its other readings while the
    /// candidate stays within [`MAX_NAME_CANDIDATE_BYTES`] (a person with many long aliases
    /// keeps every name, if not every way of reading it).
    pub fn of(person: &Person) -> NameCandidate {
        let full_name = format!("{} {}", person.family_name, person.given_names);
        let readings: Vec<Vec<Vec<String>>> = std::iter::once(full_name.as_str())
            .chain(person.aliases.iter().map(String::as_str))
            .map(names::readings)
            .collect();
        let mut candidate = NameCandidate {
            names: Vec::new(),
            date_of_birth: person.date_of_birth,
            nationalities: person.nationalities.clone(),
            sex: person.sex,
        };
        let firsts = readings.iter().filter_map(|name| name.first());
        let others = readings.iter().flat_map(|name| name.iter().skip(1));
        let mut size = codec::encoded_len(&candidate);
        for parts in firsts.chain(others) {
            // Each name costs its encoding and at most a few bytes of list length.
            let cost = codec::encoded_len(parts) + 8;
            if size + cost > MAX_NAME_CANDIDATE_BYTES || candidate.names.contains(parts) {
                continue;
            }
            size += cost;
            candidate.names.push(parts.clone());
        }
        candidate
    }

    /// Decodes a candidate, also one written before the sex was kept.
    pub fn decode(bytes: &[u8]) -> Result<NameCandidate, crate::codec::DecodeError> {
        codec::decode::<_, MAX_NAME_CANDIDATE_BYTES>(bytes).or_else(|error| {
            match codec::decode::<NameCandidateWithoutSex, MAX_NAME_CANDIDATE_BYTES>(bytes) {
                Ok(old) => Ok(NameCandidate {
                    names: old.names,
                    date_of_birth: old.date_of_birth,
                    nationalities: old.nationalities,
                    sex: crate::schema::Sex::Unknown,
                }),
                Err(_) => Err(error),
            }
        })
    }
}

/// Largest encoded [`NameCandidate`].
pub const MAX_NAME_CANDIDATE_BYTES: usize = 16 * 1024;

/// Which of two competing changes to one record wins: the higher version, then the higher entry
/// hash. Total and independent of arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Precedence {
    pub version: u64,
    pub entry: Hash,
}

/// Schema field limits, re-exported for callers that only import this module.
pub use schema::{MAX_IDENTIFIER_CHARS, MAX_NAME_CHARS};

#[cfg(test)]
mod tests {
    use super::*;

    /// A local id of only dots would be `.` or `..` in a path or URL (`sltd/FRA/..`), so it is
    /// refused wherever a local id is checked; dots inside an id stay allowed.
    #[test]
    fn opaque_ids_are_keyed_stable_and_valid_local_ids() {
        let key = super::opaque_id_key(&[7; 32]);
        let id = super::opaque_local_id(&key, Database::TravelDocuments, "x1234567");
        assert!(super::is_opaque_id(&id), "{id}");
        assert!(
            RecordKey::new(Database::TravelDocuments, "FRA".parse().expect("code"), &id).is_ok()
        );
        assert_eq!(
            id,
            super::opaque_local_id(&key, Database::TravelDocuments, "x1234567")
        );
        assert_eq!(
            id,
            super::opaque_local_id(&key, Database::TravelDocuments, &id),
            "kept"
        );
        let other_key = super::opaque_id_key(&[8; 32]);
        assert_ne!(
            id,
            super::opaque_local_id(&other_key, Database::TravelDocuments, "x1234567")
        );
        assert_ne!(
            id,
            super::opaque_local_id(&key, Database::Vehicles, "x1234567")
        );
        assert!(!super::is_opaque_id("x1234567"));
    }

    #[test]
    fn local_ids_of_only_dots_are_refused() {
        let owner: MemberCode = "FRA".parse().expect("FRA is a member code");
        for id in [".", "..", "..."] {
            assert_eq!(
                RecordKey::new(Database::TravelDocuments, owner, id),
                Err(RecordError::DotsOnlyLocalId),
                "{id:?}"
            );
            assert!(format!("sltd/FRA/{id}").parse::<RecordKey>().is_err());
            assert!(format!("FRA/{id}").parse::<crate::case::CaseRef>().is_err());
        }
        for id in ["p.1", ".p", "p..", "1.2.3", "-", "_"] {
            assert!(
                RecordKey::new(Database::TravelDocuments, owner, id).is_ok(),
                "{id:?}"
            );
        }
    }

    /// A person with the most aliases, each as long as allowed, hyphenated and in a
    /// transcription that is respelled (so each has four readings), still has a candidate that
    /// decodes, with every name's first reading in it. Latin names at the schema's limits fit
    /// (11,687 bytes for 68 readings, measured); the cap in `NameCandidate::of` is for names whose letters stay outside
    /// ASCII (up to 4 bytes each), which this test does not reach.
    #[test]
    fn a_name_candidate_stays_within_its_limit() {
        let name = |tag: char| {
            let word = format!("{tag}tchabcdefghijklmnopq");
            vec![format!("{word}-{word}"); 4].join(" ")
        };
        let mut record = crate::testkit::person(
            "FRA".parse().expect("code"),
            "p1",
            &name('a'),
            &name('b'),
            1,
        );
        if let RecordData::Person(person) = &mut record.data {
            person.aliases = ('c'..='r').map(name).collect();
            assert_eq!(person.aliases.len(), crate::schema::MAX_LIST_ITEMS);
            person.validate().expect("a valid person");
            let candidate = NameCandidate::of(person);
            let bytes = codec::encode(&candidate);
            assert!(
                bytes.len() <= MAX_NAME_CANDIDATE_BYTES,
                "{} bytes",
                bytes.len()
            );
            assert_eq!(NameCandidate::decode(&bytes).ok(), Some(candidate.clone()));
            assert!(
                candidate.names.len() > crate::schema::MAX_LIST_ITEMS,
                "every name kept"
            );
        }
    }

    /// A candidate written before the sex was kept (an existing store) still decodes, with the
    /// sex unknown, so a store needs no re-index for it.
    #[test]
    fn a_name_candidate_without_sex_still_decodes() {
        let names = vec![vec!["ivanov".to_owned(), "sergei".to_owned()]];
        let date: Option<PartialDate> = "1980".parse().ok();
        let nationalities: Vec<CountryCode> = vec!["RUS".parse().expect("code")];
        let old = codec::encode(&(&names, date, &nationalities));
        let candidate = NameCandidate::decode(&old).expect("old candidate");
        assert_eq!(candidate.names, names);
        assert_eq!(candidate.date_of_birth, date);
        assert_eq!(candidate.sex, crate::schema::Sex::Unknown);
        assert!(NameCandidate::decode(&old[..old.len() - 1]).is_err());
    }
}
