//! Generates synthetic records and measures the generator's speed.
//!
//! Run: `cargo run --release -p bureau-gen --example generate -- [PERSONS] [DIR]`
//! (default 1,000,000 persons, no files). With `DIR`, writes `persons.jsonl`, `persons-key.jsonl`
//! (5 variants per person), `documents.jsonl` and `vehicles.jsonl` there.

use std::fs::File;
use std::io::{BufWriter, sink};
use std::path::PathBuf;
use std::time::Instant;

use bureau_core::CountryCode;
use bureau_gen::Generator;

const SEED: u64 = 42;
const VARIANTS_PER_PERSON: usize = 5;

/// Any error, printed by `main`: an example needs no error types of its own (and anyhow is
/// for `node/` only).
type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let persons: u64 = args.next().map_or(Ok(1_000_000), |n| n.parse())?;
    let directory = args.next().map(PathBuf::from);
    let generator = Generator::new(SEED);
    let create = |name: &str| -> Result<Box<dyn std::io::Write>> {
        Ok(match &directory {
            Some(directory) => Box::new(BufWriter::new(File::create(directory.join(name))?)),
            None => Box::new(sink()),
        })
    };

    let start = Instant::now();
    generator.write_persons(persons, 0, create("persons.jsonl")?, sink())?;
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{persons} persons written in {elapsed:.2} s: {:.0} persons/s",
        persons as f64 / elapsed
    );

    let start = Instant::now();
    let key_only = sink();
    let written = generator.write_persons(
        persons,
        VARIANTS_PER_PERSON,
        sink(),
        match &directory {
            Some(_) => create("persons-key.jsonl")?,
            None => Box::new(key_only),
        },
    )?;
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{} variant queries (with their persons) in {elapsed:.2} s: {:.0} persons/s",
        written.variants,
        persons as f64 / elapsed
    );

    let issuer: CountryCode = "FRA".parse()?;
    let start = Instant::now();
    generator.write_travel_documents(persons, issuer, create("documents.jsonl")?)?;
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{persons} travel documents in {elapsed:.2} s: {:.0}/s",
        persons as f64 / elapsed
    );

    let start = Instant::now();
    generator.write_vehicles(persons, create("vehicles.jsonl")?)?;
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{persons} vehicles in {elapsed:.2} s: {:.0}/s",
        persons as f64 / elapsed
    );
    Ok(())
}
