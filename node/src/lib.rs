//! The `bureau` binary's two faces over `bureau-service`, as a library so tests can start nodes
//! in-process. `main.rs` only sets up logging, parses the command line and calls [`cli::run`].
//!
//! Modules, each using only those listed before it:
//! - `config`: the daemon's settings (flags > `BUREAU_*` > file > defaults, with sources);
//! - `metrics`: `/metrics` (Prometheus), `/healthz` and `/readyz`;
//! - `http`: the API server and client, generic over the service's operations, and the OpenAPI
//!   document;
//! - `backend`: one call that runs an operation in-process or over HTTP;
//! - `daemon`: `bureau node run`;
//! - `output`: tables and JSON;
//! - `dev`: devnet, sandbox, provisioning and sample data;
//! - `cli`: flags to requests and answers to text, grouped by area.

pub mod config;

pub mod metrics;

pub mod http;

pub mod backend;

pub mod daemon;

pub mod output;

pub mod dev;

pub mod cli;
