//! The node's operations, free of any transport: one typed request and one typed answer per
//! operation, run in-process against the replica (and the network handle when a node runs).
//! The binary's two faces, the command line and the HTTP API, only build requests and print or
//! serve answers.
//!
//! Modules, each using only those listed before it:
//! - `error`: the one error type, with a kind (HTTP status and exit code derive from it);
//! - `clock`: the one place the wall clock is read; `files`: the node directory and key files;
//!   `backup`: backups of what no peer holds, and restoring them;
//! - `trust`: genesis, init and admit (offline); `audit`: the hash-chained audit log;
//! - `query`: search requests and results; `grouped`: results grouped by owner so that no
//!   member hides another's record; `persons` and `search`: answering them from the store;
//! - `replica`: the replica with the node's identity, signing and appending entries;
//! - `records`: a member's own records; `governance`: membership, blocks and erasure;
//!   `witness`: the audit log's head signed into the node's log, and checked against it;
//! - `mail`: direct messages, hits and the outbox; `lookup`: searches and gets with their hits;
//! - `cases`: notices and diffusions;
//! - `service`: what operations run against; `operation`: the contract; `ops`: every operation.

pub mod error;

pub mod clock;
pub mod files;

pub mod backup;

pub mod audit;
pub mod trust;

pub mod query;

pub mod grouped;

pub mod persons;
pub mod search;

pub mod replica;

pub mod governance;
pub mod records;
pub mod rewrap;
pub mod witness;

pub mod mail;

pub mod cases;
pub mod lookup;

pub mod service;

pub mod operation;

pub mod ops;

pub use error::{Error, ErrorKind, Result};
pub use operation::{Method, Operation, Visitor};
pub use service::Service;
