//! Demonstration and test networks: `devnet` (real node processes with sample data), `sandbox`
//! (a whole network built offline), `provision` (keys, certificates and configs of a local
//! network) and `sample` (the records they publish).

pub mod sample;

pub mod provision;

pub mod devnet;
pub mod sandbox;
