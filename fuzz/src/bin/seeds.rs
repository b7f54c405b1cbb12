//! Writes the seed corpus of every fuzz target: `seeds [CORPUS_DIR]` (default `corpus`, beside
//! this crate's manifest when run by `scripts/fuzz.sh`).

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let corpus = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("corpus"), PathBuf::from);
    for (target, count) in bureau_fuzz::seeds::write(&corpus)? {
        println!(
            "{target}: {count} seeds in {}",
            corpus.join(target).display()
        );
    }
    Ok(())
}
