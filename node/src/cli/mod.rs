//! The command-line face: flags become requests, answers become tables or JSON.
//!
//! Areas, each with its flags, the requests they make and how answers print: `records`,
//! `search`, `cases` (notices and diffusions), `mail` (messages and hits), `members` (status,
//! peers, membership), `trust` (genesis, init, admit and the audit log, all offline) and
//! `network` (the daemon, its configuration, local networks and synthetic data), `backup`
//! (backup, restore, export). `import` reads bulk files. Commands reach the node through [`Backend`]; errors carry the service's
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

pub mod backup;
pub mod cases;
pub mod mail;
pub mod members;
pub mod network;
pub mod search;
pub mod trust;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

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
        Command::Node(NodeCommand::Stop) => network::node_stop(context),
        Command::Node(NodeCommand::TlsCert { names, force }) => {
            network::tls_cert(context, &names, force)
        }
        Command::Node(NodeCommand::KeepKey { file }) => network::keep_key(context, &file),
        Command::Config(ConfigCommand::Show(flags)) => network::config_show(context, &flags),
        Command::Dashboard => network::dashboard(context),
        Command::Backup(flags) => backup::backup(context, flags),
        Command::Restore(flags) => backup::restore(context, flags),
        Command::Export(flags) => backup::export(context, flags),
        Command::Openapi => {
            output::json(&crate::http::openapi::document());
            Ok(())
        }
        Command::Completions { shell } => {
            context.no_json("completions")?;
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "bureau", &mut script);
            print_bytes(&script)
        }
        Command::Man { out } => {
            context.no_json("man")?;
            let command = Cli::command().after_long_help(EXIT_CODES_HELP);
            match out {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                    clap_mangen::generate_to(command, &dir).with_context(|| {
                        format!("cannot write the manual pages into {}", dir.display())
                    })?;
                    println!("wrote the manual pages into {}", dir.display());
                }
                None => {
                    let mut page = Vec::new();
                    clap_mangen::Man::new(command)
                        .render(&mut page)
                        .context("cannot render the manual page")?;
                    print_bytes(&page)?;
                }
            }
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

/// The commands as `bureau --help` lists them, by what they are for (clap lists them in one
/// flat list; every command is still parsed, completed and documented as clap knows it).
pub const COMMAND_GROUPS: &[(&str, &[&str])] = &[
    (
        "Records",
        &[
            "publish", "import", "get", "cancel", "extend", "review", "erase",
        ],
    ),
    ("Search", &["search"]),
    (
        "Notices, diffusions, messages and hits",
        &["notice", "diffusion", "message", "hits"],
    ),
    (
        "Running a node",
        &[
            "node",
            "config",
            "status",
            "peers",
            "dashboard",
            "audit",
            "backup",
            "restore",
            "export",
        ],
    ),
    (
        "Membership",
        &[
            "members",
            "admit-publish",
            "revoke",
            "block",
            "unblock",
            "wrap-keys",
        ],
    ),
    (
        "Founding a network and joining it (offline)",
        &["genesis", "init", "admit"],
    ),
    (
        "Local networks and tools",
        &[
            "devnet",
            "sandbox",
            "sync",
            "generate",
            "openapi",
            "completions",
            "man",
            "help",
        ],
    ),
];

/// The command line as `bureau` parses it: the derived definition, with the exit codes after
/// the long help and the commands grouped in the help ([`COMMAND_GROUPS`]).
pub fn command() -> clap::Command {
    let command = Cli::command().after_long_help(EXIT_CODES_HELP);
    let commands: Vec<(String, String)> = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| {
            let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
            (sub.get_name().to_owned(), about)
        })
        .chain([(
            "help".to_owned(),
            "Print this message or the help of the given command(s)".to_owned(),
        )])
        .collect();
    let width = commands
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut listing = String::new();
    let mut listed = Vec::new();
    let groups = COMMAND_GROUPS
        .iter()
        .map(|(heading, names)| (*heading, names.to_vec()))
        .chain([("Other commands", Vec::new())]);
    for (heading, names) in groups {
        let members: Vec<&(String, String)> = commands
            .iter()
            .filter(|(name, _)| {
                names.contains(&name.as_str())
                    || (heading == "Other commands" && !listed.contains(name))
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        listing.push_str(&format!("{heading}:\n"));
        for (name, about) in members {
            listing.push_str(&format!("  {name:width$}  {about}\n"));
            listed.push(name.clone());
        }
        listing.push('\n');
    }
    command.help_template(format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{listing}Global options:\n{{options}}{{after-help}}"
    ))
}

/// Writes generated text to stdout; a reader that closed early (`| head`) is not an error.
fn print_bytes(bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bureau --help` lists every command once, under its group.
    #[test]
    fn help_lists_every_command_under_one_group() {
        let mut command = command();
        let help = command.render_help().to_string();
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|sub| sub.get_name().to_owned())
            .collect();
        for name in &names {
            let groups: Vec<&str> = COMMAND_GROUPS
                .iter()
                .filter(|(_, members)| members.contains(&name.as_str()))
                .map(|(heading, _)| *heading)
                .collect();
            assert_eq!(groups.len(), 1, "{name} is in {groups:?}");
            assert!(
                help.lines()
                    .any(|line| line.trim_start().starts_with(&format!("{name} "))),
                "{name} missing from:\n{help}"
            );
        }
        for (heading, members) in COMMAND_GROUPS {
            assert!(help.contains(&format!("{heading}:")), "{heading}");
            for member in *members {
                assert!(
                    *member == "help" || names.iter().any(|name| name == member),
                    "{member} is not a command"
                );
            }
        }
        assert!(!help.contains("Other commands"), "{help}");
        assert!(help.contains("--dir"), "{help}");
    }

    /// Every command, flag and argument has help text, so `--help` explains all of it.
    #[test]
    fn every_flag_and_command_has_help() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let name = arg.get_id().as_str();
                if name == "help" || name == "version" || arg.is_hide_set() {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} --{name}"));
                }
            }
            for sub in command.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(sub_path.clone());
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "bureau", &mut missing);
        assert!(
            missing.is_empty(),
            "{} without help:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }
}
