//! What every command shares: the global flags and the environment ([`Context`]), the way to
//! the node ([`Context::backend`]), printing answers, and turning a failure into its exit code
//! and message.

use std::path::PathBuf;

use anyhow::Result;
use bureau_service::files::NodeDir;
use bureau_service::{Error, ErrorKind};
use serde::Serialize;

use crate::backend::Backend;
use crate::config::{self, Environment};
use crate::output;

/// Exit codes, as `--help` and the README list them.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Any other failure (the node's own fault, a conflict, a network error).
    pub const OTHER: u8 = 1;
    /// Bad flags or invalid input (clap uses 2 for bad flags too).
    pub const USAGE: u8 = 2;
    /// What the command names does not exist.
    pub const NOT_FOUND: u8 = 3;
    /// Not allowed: another member's record, a secretariat-only act, a wrong API token.
    pub const FORBIDDEN: u8 = 4;
    /// No node answers, the network is down, or the store is in use.
    pub const UNAVAILABLE: u8 = 5;
}

/// The text `--help` ends with.
pub const EXIT_CODES_HELP: &str = "Exit codes: 0 done, 1 other error, 2 bad flags or invalid \
    input, 3 not found, 4 forbidden or unauthorised, 5 unavailable (no node answers, store in \
    use). With --json, errors are printed as {\"error\": {\"kind\", \"message\"}}.";

/// What every command may need: the global flags and the environment.
#[derive(Debug)]
pub struct Context {
    pub dir: Option<PathBuf>,
    pub json: bool,
    pub api: Option<String>,
    pub token: Option<String>,
    /// The PEM certificates an `https://` API is trusted through (`--api-ca`).
    pub api_ca: Option<PathBuf>,
    pub cache_mib: Option<u64>,
    /// Sign on the replica itself when no node runs (`--offline`).
    pub offline: bool,
    pub env: Environment,
}

impl Context {
    /// The node directory: `--dir`, or the current directory.
    pub fn node_dir(&self) -> NodeDir {
        NodeDir::new(self.dir.clone().unwrap_or_else(|| PathBuf::from(".")))
    }

    /// The directory of a whole local network (`devnet`, `sandbox`): `--dir` or a default.
    pub fn network_dir(&self, default: &str) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| PathBuf::from(default))
    }

    /// The replica's page cache: `--cache-mib`, then `BUREAU_CACHE_MIB`, then the default.
    pub fn cache_bytes(&self) -> Result<u64> {
        Ok(config::cache_mib(self.cache_mib, &self.env)?.saturating_mul(1024 * 1024))
    }

    /// Where requests go: the running node, or the replica itself.
    pub fn backend(&self) -> Result<Backend> {
        Ok(Backend::open(
            &self.node_dir(),
            self.api.as_deref(),
            self.token.as_deref(),
            self.api_ca.as_deref(),
            self.cache_bytes()?,
            self.offline,
        )?)
    }

    /// Prints an answer as JSON with `--json`, or as `human` prints it.
    pub fn print<T: Serialize>(&self, answer: &T, human: impl FnOnce(&T)) -> Result<()> {
        if self.json {
            output::json(answer);
        } else {
            human(answer);
        }
        Ok(())
    }

    /// Refuses `--json` for a command that has nothing to print as JSON.
    pub fn no_json(&self, command: &str) -> Result<()> {
        if self.json {
            usage!("`{command}` does not print JSON; run it without --json");
        }
        Ok(())
    }
}

/// The kind of a failed command: the service's, where it decided one.
pub fn kind_of(error: &anyhow::Error) -> Option<ErrorKind> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Error>())
        .map(|error| error.kind)
}

/// The exit code for a failed command.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    match kind_of(error) {
        Some(ErrorKind::InvalidInput | ErrorKind::TooLarge) => exit::USAGE,
        Some(ErrorKind::NotFound) => exit::NOT_FOUND,
        Some(ErrorKind::Forbidden | ErrorKind::Unauthorised) => exit::FORBIDDEN,
        Some(ErrorKind::Unavailable) => exit::UNAVAILABLE,
        _ => exit::OTHER,
    }
}

/// Prints a failed command's error: JSON on stdout with `--json`, a line on stderr otherwise.
pub fn print_error(error: &anyhow::Error, json: bool) {
    if json {
        let kind = kind_of(error).unwrap_or(ErrorKind::Internal);
        output::json(&serde_json::json!({
            "error": {"kind": kind, "message": format!("{error:#}")}
        }));
    } else {
        eprintln!("error: {error:#}");
    }
}
