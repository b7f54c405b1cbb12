//! Demonstration and test networks: `devnet` (real node processes with sample data), `sandbox`
//! (a whole network built offline), `provision` (keys, certificates and configs of a local
//! network), `sample` (the records they publish) and `name_eval` (the name-search evaluation).

pub mod sample;

pub mod name_eval;

pub mod provision;

pub mod devnet;
pub mod sandbox;
