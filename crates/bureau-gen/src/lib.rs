//! Synthetic data for tests and benchmarks: realistic persons, travel documents and vehicles in
//! the `bureau import` format, and for persons a key of variant queries (the spellings an officer
//! might type) with the person each should find, for the name-search recall benchmark.
//!
//! Everything is a pure function of the seed and the record's position: the same seed gives the
//! same files, record `n` does not depend on how many records come before it, and variants do
//! not disturb the records. That makes a 1M-person set reproducible from two numbers.
//!
//! Import format (JSON Lines): one object per line, `"id"` (the record's local id) first, then the
//! fields of [`Person`], [`TravelDocument`] or [`Vehicle`] as serde writes them. Lines are built
//! by serialising the real structs, so they always parse and validate.
//!
//! Components, each using only those listed before it:
//! - `culture`: the plain data types of the name tables (`Script`, `CultureData`);
//! - `names_latin`, `names`: the raw name lists of each culture (`names` gathers them all);
//! - `lexicon`: those lists parsed into Zipf-weighted pools;
//! - `persons`: persons and the identity behind each; `variants`: the queries for a person;
//! - `documents`: travel documents; `vehicles`: stolen vehicles with valid VINs;
//! - `handwritten`: the hand-written evaluation pairs (`handwritten.txt`), for scripts and
//!   conventions the tables do not generate.

mod culture;
mod documents;
mod handwritten;
mod lexicon;
mod names;
mod names_latin;
mod persons;
mod variants;
mod vehicles;

use std::io::Write;

use bureau_core::CountryCode;
use bureau_core::schema::{TravelDocument, Vehicle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

pub use documents::document_number;
pub use handwritten::{
    HANDWRITTEN_ID_PREFIX, HandWritten, HandWrittenQuery, PairError, handwritten,
};
pub use persons::{GeneratedPerson, MAX_BIRTH_YEAR, MIN_BIRTH_YEAR};
pub use variants::{
    EXTRA_VARIANT_ATTEMPTS, MIN_TYPO_CHARS, QueryParts, VARIANT_DOB_PERCENT,
    VARIANT_FULL_DATE_PERCENT, VARIANT_KINDS, VariantQuery, strip_diacritics,
};
pub use vehicles::{VIN_ALPHABET, vin_check_digit};

/// Local ids are a prefix and the record's position, zero-padded to this many digits so files
/// sort naturally up to ten million records.
pub const ID_DIGITS: usize = 7;
pub const PERSON_ID_PREFIX: &str = "p";
pub const DOCUMENT_ID_PREFIX: &str = "d";
pub const VEHICLE_ID_PREFIX: &str = "v";

/// Independent random streams, so adding variants never changes the records.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Persons = 1,
    Variants = 2,
    Documents = 3,
    Vehicles = 4,
    Numbering = 5,
}

/// Why generated records could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("cannot write generated records: {0} (check the output path and free disk space)")]
    Write(#[from] std::io::Error),
    #[error("cannot serialise a generated record: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error("a generated record did not serialise as a JSON object")]
    NotAnObject,
}

/// A generated record and the local id it is imported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated<T> {
    pub id: String,
    pub record: T,
}

/// How many lines a writer produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub records: u64,
    pub variants: u64,
}

/// The seeded generator. Cheap to create and to copy; it holds no state besides the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generator {
    seed: u64,
}

/// SplitMix64's finaliser: spreads nearby inputs (seed, index) over the whole `u64` range.
fn mix(mut value: u64) -> u64 {
    value = (value ^ (value >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    value ^ (value >> 31)
}

fn local_id(prefix: &str, index: u64) -> String {
    format!("{prefix}{index:0width$}", width = ID_DIGITS)
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { seed }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn rng(&self, stream: Stream, index: u64) -> StdRng {
        let key = mix(self.seed ^ mix((stream as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ index));
        StdRng::seed_from_u64(key)
    }

    /// A per-seed offset for numbering schemes, so different seeds give different numbers.
    fn numbering_offset(&self, stream: Stream) -> u64 {
        self.rng(Stream::Numbering, stream as u64).random()
    }

    /// The `index`-th person (0-based), with local id `p` and the zero-padded index.
    pub fn person(&self, index: u64) -> GeneratedPerson {
        let mut rng = self.rng(Stream::Persons, index);
        persons::person(local_id(PERSON_ID_PREFIX, index), index, &mut rng)
    }

    /// The generated person a local id names (`p` and a zero-padded index), if it is one.
    pub fn person_by_id(&self, local_id: &str) -> Option<GeneratedPerson> {
        let digits = local_id.strip_prefix(PERSON_ID_PREFIX)?;
        if digits.len() != ID_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(self.person(digits.parse().ok()?))
    }

    /// Persons `0..count`, lazily: a million fit in a stream without being held in memory.
    pub fn persons(&self, count: u64) -> impl Iterator<Item = GeneratedPerson> + '_ {
        (0..count).map(|index| self.person(index))
    }

    /// Up to `k` distinct queries an officer might type for `person`, none equal to its
    /// published spelling. Fewer than `k` when the name allows no more (a short Latin name
    /// without alternatives has few). The same person and `k` always give the same queries.
    pub fn variants(&self, person: &GeneratedPerson, k: usize) -> Vec<VariantQuery> {
        let mut rng = self.rng(Stream::Variants, person.index);
        variants::variants(person, k, &mut rng)
    }

    /// The `index`-th travel document of `issuer`, numbers unique within the set.
    pub fn travel_document(&self, index: u64, issuer: CountryCode) -> Generated<TravelDocument> {
        let mut rng = self.rng(Stream::Documents, index);
        let offset = self.numbering_offset(Stream::Documents);
        Generated {
            id: local_id(DOCUMENT_ID_PREFIX, index),
            record: documents::travel_document(issuer, index, offset, &mut rng),
        }
    }

    pub fn travel_documents(
        &self,
        count: u64,
        issuer: CountryCode,
    ) -> impl Iterator<Item = Generated<TravelDocument>> + '_ {
        (0..count).map(move |index| self.travel_document(index, issuer))
    }

    /// The `index`-th stolen vehicle, VINs unique within the set.
    pub fn vehicle(&self, index: u64) -> Generated<Vehicle> {
        let mut rng = self.rng(Stream::Vehicles, index);
        let offset = self.numbering_offset(Stream::Vehicles);
        Generated {
            id: local_id(VEHICLE_ID_PREFIX, index),
            record: vehicles::vehicle(index, offset, &mut rng),
        }
    }

    pub fn vehicles(&self, count: u64) -> impl Iterator<Item = Generated<Vehicle>> + '_ {
        (0..count).map(|index| self.vehicle(index))
    }

    /// Writes `count` persons to `records` (import format) and `variants_per_person` queries
    /// each to `key` (one [`VariantQuery`] per line). Pass `std::io::sink()` and 0 for no key.
    /// Wrap files in a `BufWriter`: this writes one line at a time.
    pub fn write_persons(
        &self,
        count: u64,
        variants_per_person: usize,
        records: impl Write,
        key: impl Write,
    ) -> Result<Written, GenerateError> {
        let mut records = JsonLinesWriter::new(records);
        let mut key = JsonLinesWriter::new(key);
        let mut written = Written::default();
        for generated in self.persons(count) {
            records.record(&generated.id, &generated.person)?;
            written.records += 1;
            if variants_per_person > 0 {
                for query in self.variants(&generated, variants_per_person) {
                    key.line(&query)?;
                    written.variants += 1;
                }
            }
        }
        records.finish()?;
        key.finish()?;
        Ok(written)
    }

    /// Writes `count` travel documents of `issuer` in the import format.
    pub fn write_travel_documents(
        &self,
        count: u64,
        issuer: CountryCode,
        out: impl Write,
    ) -> Result<Written, GenerateError> {
        write_all(self.travel_documents(count, issuer), out)
    }

    /// Writes `count` vehicles in the import format.
    pub fn write_vehicles(&self, count: u64, out: impl Write) -> Result<Written, GenerateError> {
        write_all(self.vehicles(count), out)
    }
}

fn write_all<T: Serialize>(
    items: impl Iterator<Item = Generated<T>>,
    out: impl Write,
) -> Result<Written, GenerateError> {
    let mut writer = JsonLinesWriter::new(out);
    let mut written = Written::default();
    for item in items {
        writer.record(&item.id, &item.record)?;
        written.records += 1;
    }
    writer.finish()?;
    Ok(written)
}

/// Writes JSON Lines, reusing one buffer so a million records cost no allocation per line.
#[derive(Debug)]
pub struct JsonLinesWriter<W: Write> {
    out: W,
    buffer: Vec<u8>,
}

impl<W: Write> JsonLinesWriter<W> {
    pub fn new(out: W) -> JsonLinesWriter<W> {
        JsonLinesWriter {
            out,
            buffer: Vec::with_capacity(1024),
        }
    }

    /// One import line: `{"id":…,` followed by the fields of `data` as serde writes them.
    pub fn record<T: Serialize>(&mut self, id: &str, data: &T) -> Result<(), GenerateError> {
        self.buffer.clear();
        self.buffer.extend_from_slice(b"{\"id\":");
        serde_json::to_writer(&mut self.buffer, id)?;
        let fields_start = self.buffer.len();
        serde_json::to_writer(&mut self.buffer, data)?;
        let fields = &self.buffer[fields_start..];
        if fields.first() != Some(&b'{') || fields.last() != Some(&b'}') {
            return Err(GenerateError::NotAnObject);
        }
        if fields.len() == 2 {
            // An object without fields: keep only its closing brace.
            self.buffer.remove(fields_start);
        } else {
            self.buffer[fields_start] = b',';
        }
        self.buffer.push(b'\n');
        self.out.write_all(&self.buffer)?;
        Ok(())
    }

    /// One line holding `value` as JSON.
    pub fn line<T: Serialize>(&mut self, value: &T) -> Result<(), GenerateError> {
        self.buffer.clear();
        serde_json::to_writer(&mut self.buffer, value)?;
        self.buffer.push(b'\n');
        self.out.write_all(&self.buffer)?;
        Ok(())
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> Result<W, GenerateError> {
        self.out.flush()?;
        Ok(self.out)
    }
}
