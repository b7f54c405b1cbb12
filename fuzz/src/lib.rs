//! Shared harness of Bureau's fuzz targets (`fuzz_targets/`), one per decoder or handler that
//! takes bytes from a peer.
//!
//! - [`fixture`]: the fixed world every target runs in: the golden-vector network, logs with a
//!   body of every kind, fork proofs, and a model replica that holds the logs;
//! - [`frame`]: frames decoded the way `bureau-net`'s request-response codec decodes them;
//! - [`check`]: what every target asserts beyond "no panic": round trips, and the handling a
//!   node gives a decoded value (validation, opening sealed bodies, indexing, fork rules);
//! - [`seeds`]: the seed corpus, written by `src/bin/seeds.rs` from the golden vectors and from
//!   real encodings of every message.
//!
//! Nothing here is part of the product; it is built only by `cargo fuzz` (`scripts/fuzz.sh`).

pub mod check;
pub mod fixture;
pub mod frame;
pub mod records;
pub mod seeds;
