//! `bureau`: the one binary every member runs. Thin by design: it sets up logging, parses the
//! command line and hands over to the library (`bureau_node::cli`), then turns a failure into
//! its exit code.

use std::process::ExitCode;

use bureau_node::cli::{self, exit};
use bureau_node::config::{self, Environment};
use clap::FromArgMatches;

fn main() -> ExitCode {
    // Whatever the shell's umask, what this process creates (keys, the store, the audit log,
    // the API token) is for its user alone: TRUST.md, rule 10.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(
        bureau_service::files::NOT_FOR_OTHERS,
    ));
    let env = Environment::from_process();
    let wants_json = std::env::args().any(|arg| arg == "--json");
    let command = cli::command();
    let parsed = command
        .try_get_matches()
        .and_then(|matches| cli::Cli::from_arg_matches(&matches));
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(error) if wants_json && error.use_stderr() => {
            let error = anyhow::Error::new(bureau_service::Error::invalid(
                error.render().to_string().trim().to_owned(),
            ));
            cli::print_error(&error, true);
            return ExitCode::from(exit::USAGE);
        }
        Err(error) => error.exit(),
    };
    // The daemon logs what it does at info by default; a command run by hand only warns.
    let daemon = matches!(
        parsed.command,
        cli::flags::Command::Node(cli::flags::NodeCommand::Run(_))
    );
    let filter = match config::log_filter(&env, daemon) {
        Ok(filter) => filter,
        Err(error) => {
            cli::print_error(&error, wants_json);
            return ExitCode::from(exit::USAGE);
        }
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match parsed.log_format {
        cli::flags::LogFormat::Json => logs.json().flatten_event(true).init(),
        cli::flags::LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
    match cli::run(parsed, env) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(error) => {
            cli::print_error(&error, wants_json);
            ExitCode::from(cli::exit_code(&error))
        }
    }
}
