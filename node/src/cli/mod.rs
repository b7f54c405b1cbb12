//! The command-line face: flags become requests, answers become tables or JSON.
//!
//! Areas, each with its flags, the requests they make and how answers print: `records`,
//! `search`, `cases` (notices and diffusions), `mail` (messages and hits), `members` (status,
//! peers, membership), `trust` (genesis, init, admit and the audit log, all offline) and
//! `network` (the daemon, its configuration, local networks and synthetic data). `import`
//! reads bulk files. Commands reach the node through [`Backend`]; errors carry the service's
//! kind, which decides the exit code.

/// Returns early with an invalid-input error (exit code 2): the user's flags are wrong.
macro_rules! usage {
    ($($message:tt)+) => {
        return Err(bureau_service::Error::invalid(format!($($message)+)).into())
    };
}

pub mod context;
pub mod flags;
pub mod import;

pub mod publish;
pub mod records;

pub mod cases;
pub mod mail;
pub mod members;
pub mod network;
pub mod search;
pub mod trust;

use anyhow::Result;

pub use context::{Context, EXIT_CODES_HELP, exit, exit_code, kind_of, print_error};
pub use flags::Cli;
use flags::{Command, ConfigCommand, NodeCommand};

use crate::config::Environment;
use crate::output;

/// Runs one command.
pub fn run(cli: Cli, env: Environment) -> Result<()> {
    let context = Context {
        dir: cli.dir,
        json: cli.json,
        api: cli.api,
        token: cli.token,
        api_ca: cli.api_ca,
        cache_mib: cli.cache_mib,
        offline: cli.offline,
        env,
    };
    let context = &context;
    match cli.command {
        Command::Genesis {
            name,
            bootstrap,
            quota,
        } => trust::genesis(context, &name, bootstrap, &quota),
        Command::Init { member, genesis } => trust::init(context, member, &genesis),
        Command::Admit {
            root,
            genesis,
            request,
            role,
            valid_days,
            out,
            renew,
        } => trust::admit(
            context,
            &bureau_service::trust::Admission {
                root_key: &root,
                genesis: &genesis,
                request: &request,
                secretariat: role.is_some(),
                valid_days,
                out: &out,
                renews: renew,
            },
        ),
        Command::Audit {
            verify,
            witness,
            tail,
        } => {
            if witness {
                trust::witness_audit(context)
            } else {
                trust::audit(context, verify, tail)
            }
        }
        Command::Publish(publish) => records::publish(context, publish),
        Command::Get(get) => records::get(context, get),
        Command::Cancel(cancel) => records::cancel(context, cancel),
        Command::Block(block) => records::block(context, block, true),
        Command::Unblock(block) => records::block(context, block, false),
        Command::Extend(extend) => records::extend(context, extend),
        Command::Review { within_days } => records::review(context, within_days),
        Command::Erase => records::erase(context),
        Command::WrapKeys => records::wrap_keys(context),
        Command::Import(import) => records::import(context, import),
        Command::Search(search) => search::search(context, search),
        Command::Notice(command) => cases::notice(context, command),
        Command::Diffusion(command) => cases::diffusion(context, command),
        Command::Message(command) => mail::message(context, command),
        Command::Hits { answer, page } => mail::hits(context, answer, page),
        Command::Status => members::status(context),
        Command::Peers => members::peers(context),
        Command::Members => members::members(context),
        Command::AdmitPublish { certificate, renew } => {
            members::admit_publish(context, &certificate, renew)
        }
        Command::Revoke {
            member,
            serial,
            reason,
        } => members::revoke(context, member, serial, reason),
        Command::Node(NodeCommand::Run(flags)) => network::node_run(context, &flags),
        Command::Node(NodeCommand::TlsCert { names, force }) => {
            network::tls_cert(context, &names, force)
        }
        Command::Node(NodeCommand::KeepKey { file }) => network::keep_key(context, &file),
        Command::Config(ConfigCommand::Show(flags)) => network::config_show(context, &flags),
        Command::Openapi => {
            output::json(&crate::http::openapi::document());
            Ok(())
        }
        Command::Devnet {
            nodes,
            base_port,
            provision_only,
            key_seed,
        } => network::devnet(context, nodes, base_port, provision_only, key_seed),
        Command::Sandbox { members } => network::sandbox(context, members),
        Command::Sync { from } => network::sync(context, &from),
        Command::Generate(generate) => network::generate(context, generate),
    }
}
