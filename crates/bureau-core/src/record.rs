//! Records: the current state of the shared databases, folded from the members' logs.
//!
//! A record is keyed by `(database, owner, local id)`. Ownership is by member, not by key, so a
//! member's records stay its own across key rotations. The owner raises the version on every
//! change; replicas keep the highest version, and break ties by the entry hash, so every replica
//! agrees whatever order entries arrive in ([`Precedence`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::hash::Hash;
use crate::member::MemberCode;
use crate::normalize;
use crate::schema::{self, DocumentType, Person, SchemaError, TravelDocument, Vehicle};
use crate::time::Date;

/// Longest local id, in bytes.
pub const MAX_LOCAL_ID_BYTES: usize = 64;
/// Most members an access list may name.
pub const MAX_ACCESS_MEMBERS: usize = 256;

/// The shared databases. The declaration order is the wire encoding: append, never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
}

impl Database {
    pub const ALL: [Database; 3] = [
        Database::TravelDocuments,
        Database::Vehicles,
        Database::Persons,
    ];

    /// The name used in references, the CLI and the API.
    pub fn name(&self) -> &'static str {
        match self {
            Database::TravelDocuments => "sltd",
            Database::Vehicles => "vehicles",
            Database::Persons => "persons",
        }
    }

    /// One byte per database, for store keys.
    pub fn tag(&self) -> u8 {
        match self {
            Database::TravelDocuments => 1,
            Database::Vehicles => 2,
            Database::Persons => 3,
        }
    }

    pub fn from_tag(tag: u8) -> Option<Database> {
        Database::ALL
            .into_iter()
            .find(|database| database.tag() == tag)
    }

    /// Longest time a record may go without review, in years (`DOMAIN.md`). Databases without a
    /// published rule get ten years, so nothing is kept forever unreviewed.
    pub fn retention_years(&self) -> u16 {
        match self {
            Database::TravelDocuments => 10,
            Database::Vehicles => 10,
            Database::Persons => 5,
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
            _ => Err(RecordError::UnknownDatabase(text.to_owned())),
        }
    }
}

/// Why a record or a record reference was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("unknown database {0:?} (known: sltd, vehicles, persons)")]
    UnknownDatabase(String),
    #[error(
        "{0:?} is not a record reference (expected DATABASE/OWNER/LOCAL-ID, e.g. sltd/FRA/p1234567)"
    )]
    Reference(String),
    #[error("local id must be 1 to {MAX_LOCAL_ID_BYTES} letters, digits, '.', '_' or '-'")]
    LocalId,
    #[error("the key says database {key} but the data is a {data} record")]
    DatabaseMismatch { key: Database, data: Database },
    #[error("the version must be at least 1")]
    ZeroVersion,
    #[error("an access list must name 1 to {MAX_ACCESS_MEMBERS} members")]
    AccessList,
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// Identifies a record across all replicas.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

/// Who may read a record. Restrictions must hold at every replica (sealing comes later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    All,
    Members(BTreeSet<MemberCode>),
    SecretariatOnly,
}

/// The data of a record, one variant per database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordData {
    TravelDocument(TravelDocument),
    Vehicle(Vehicle),
    Person(Person),
}

impl RecordData {
    /// Checks the fields against their database's schema.
    pub fn validate(&self) -> Result<(), SchemaError> {
        match self {
            RecordData::TravelDocument(document) => document.validate(),
            RecordData::Vehicle(vehicle) => vehicle.validate(),
            RecordData::Person(person) => person.validate(),
        }
    }

    pub fn database(&self) -> Database {
        match self {
            RecordData::TravelDocument(_) => Database::TravelDocuments,
            RecordData::Vehicle(_) => Database::Vehicles,
            RecordData::Person(_) => Database::Persons,
        }
    }
}

/// A record as its owner published it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        if let Some(reason) = &self.review_reason {
            schema::check_text("review_reason", reason, schema::MAX_TEXT_CHARS, true)?;
        }
        Ok(self.data.validate()?)
    }

    /// The exact-search terms this record is indexed under.
    pub fn index_terms(&self) -> Vec<IndexTerm> {
        match &self.data {
            RecordData::TravelDocument(document) => vec![IndexTerm::travel_document(
                &document.number,
                Some(document.issuing_country.into()),
                Some(document.document_type),
            )],
            RecordData::Vehicle(vehicle) => vec![IndexTerm::vin(&vehicle.vin)],
            RecordData::Person(person) => {
                let mut terms = vec![IndexTerm::person_name(
                    &person.family_name,
                    &person.given_names,
                )];
                for alias in &person.aliases {
                    let term = IndexTerm::person_name(alias, "");
                    if !terms.contains(&term) {
                        terms.push(term);
                    }
                }
                terms
            }
        }
    }
}

/// The exact-search indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Index {
    /// Normalised document number, then issuing country, then document type.
    TravelDocument,
    /// Normalised VIN.
    Vin,
    /// Folded, sorted name parts.
    PersonName,
}

impl Index {
    pub const ALL: [Index; 3] = [Index::TravelDocument, Index::Vin, Index::PersonName];

    pub fn name(&self) -> &'static str {
        match self {
            Index::TravelDocument => "index/travel-document",
            Index::Vin => "index/vin",
            Index::PersonName => "index/person-name",
        }
    }
}

/// A search term (or prefix) in one index. Terms never contain a zero byte, which the store
/// uses to separate a term from the record key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTerm {
    pub index: Index,
    pub bytes: Vec<u8>,
    /// True when the term is only the start of the indexed terms it should match (a travel
    /// document number without its country or type); false for a whole term.
    pub prefix: bool,
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
            index: Index::TravelDocument,
            bytes,
            prefix,
        }
    }

    pub fn vin(vin: &str) -> IndexTerm {
        IndexTerm {
            index: Index::Vin,
            bytes: normalize::identifier(vin).into_bytes(),
            prefix: false,
        }
    }

    pub fn person_name(family_name: &str, given_names: &str) -> IndexTerm {
        IndexTerm {
            index: Index::PersonName,
            bytes: normalize::name_key(family_name, given_names).into_bytes(),
            prefix: false,
        }
    }
}

/// Which of two competing changes to one record wins: the higher version, then the higher entry
/// hash. Total and independent of arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Precedence {
    pub version: u64,
    pub entry: Hash,
}

/// Schema field limits, re-exported for callers that only import this module.
pub use schema::{MAX_IDENTIFIER_CHARS, MAX_NAME_CHARS};
