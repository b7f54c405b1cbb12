//! Integration tests of bureau-gen: the generated files are reproducible, always importable,
//! and hard enough in the right ways for the name-search recall benchmark.

mod generate;
