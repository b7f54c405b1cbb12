//! The `bureau` node: daemon, local API and command line, as a library so tests can start nodes
//! in-process. `main.rs` only parses the command line and calls [`commands::run`].
//!
//! Components:
//! - `cli`, `commands`: the flags and what each command does; `output`: tables and JSON;
//! - `audit`: the append-only, hash-chained log of every search and change;
//! - `files`: the node directory and key files; `clock`: the wall clock; `config`: the daemon's
//!   TOML, flags and environment;
//! - `trust`: genesis, init and admit; `provision`: whole local networks;
//! - `replica`: publish, cancel, search, get and status on the local replica; `search` and
//!   `persons`: the queries of every database; `cases`: notices and diffusions;
//! - `daemon`: `bureau node run`; `api`: its HTTP+JSON API; `client`: the CLI's side of it;
//! - `sample`, `sandbox`, `devnet`: demonstration networks (synthetic records for `bureau
//!   generate` come from the `bureau-gen` crate).

pub mod api;
pub mod audit;
pub mod cases;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod devnet;
pub mod files;
pub mod import;
pub mod mail;
pub mod more;
pub mod output;
pub mod persons;
pub mod provision;
pub mod publish;
pub mod replica;
pub mod sample;
pub mod sandbox;
pub mod search;
pub mod trust;
