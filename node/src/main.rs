//! `bureau`: the one binary every member runs.
//!
//! Thin by design: it sets up logging, parses the command line and calls the library code in
//! the modules below. Components:
//! - `cli`: the flags; `files`: the node directory and key files; `clock`: the wall clock;
//! - `trust`: genesis, init and admit (offline trust flow);
//! - `replica`: publish, cancel, search, get, status and offline copy on the local replica;
//! - `publish`: records from flags; `sample` and `sandbox`: the demonstration network;
//! - `output`: tables and JSON.

mod cli;
mod clock;
mod files;
mod output;
mod publish;
mod replica;
mod sample;
mod sandbox;
mod trust;

use std::path::Path;

use anyhow::{Context, Result};
use clap::Parser;

use crate::cli::{Cli, Command, Search};
use crate::files::NodeDir;
use crate::replica::{Query, Replica};

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BUREAU_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let cache_bytes = cli.cache_mib.saturating_mul(1024 * 1024);
    let dir = NodeDir::new(&cli.dir);
    let as_json = cli.json;
    match cli.command {
        Command::Genesis { name, bootstrap } => {
            let founded = trust::genesis(&cli.dir, &name, bootstrap)?;
            if as_json {
                output::json(&serde_json::json!({
                    "network": founded.network,
                    "genesis": founded.genesis,
                    "root_key": founded.root_key,
                }));
            } else {
                println!("network {}", founded.network);
                println!("genesis  {}", founded.genesis.display());
                println!(
                    "root key {} (keep it offline: it admits and revokes members)",
                    founded.root_key.display()
                );
            }
        }
        Command::Init { member, genesis } => {
            let request = trust::init(&dir, member, &genesis)?;
            println!(
                "node key and join request written for {member} in {}",
                cli.dir.display()
            );
            println!(
                "next: send {} to the root-key holder, who runs",
                request.display()
            );
            println!(
                "  bureau admit --root ROOT_KEY --genesis GENESIS {} --out {}",
                request.display(),
                dir.certificate().display()
            );
        }
        Command::Admit {
            root,
            genesis,
            request,
            role,
            valid_days,
            out,
        } => {
            let certificate =
                trust::admit(&root, &genesis, &request, role.is_some(), valid_days, &out)?;
            println!(
                "certificate {} for {} (key {}) written to {}",
                certificate.body.serial,
                certificate.member(),
                certificate.node_key().short(),
                out.display()
            );
        }
        Command::Publish(publish) => {
            let replica = Replica::open(&dir, cache_bytes)?;
            let draft = publish::draft(publish, replica.member())?;
            let published =
                replica.publish(&draft.local_id, draft.access, draft.review_date, draft.data)?;
            if as_json {
                output::json(&published);
            } else {
                println!(
                    "published {} (version {}, entry {})",
                    published.reference, published.version, published.seq
                );
            }
        }
        Command::Search(search) => {
            let query = match search {
                Search::Sltd {
                    number,
                    country,
                    document_type,
                } => Query::TravelDocument {
                    number,
                    issuing_country: country,
                    document_type,
                },
                Search::Vehicle { vin } => Query::Vehicle { vin },
                Search::Person { name } => Query::Person { name },
            };
            let replica = Replica::open(&dir, cache_bytes)?;
            output::records(&replica.search(&query)?, as_json);
        }
        Command::Get { reference } => {
            let replica = Replica::open(&dir, cache_bytes)?;
            let view = replica
                .get(&reference)?
                .with_context(|| format!("no record {reference} in this replica"))?;
            if as_json {
                output::json(&view);
            } else {
                match &view.record {
                    Some(record) => {
                        println!("{}  version {}", reference, view.version);
                        println!("{}", serde_json::to_string_pretty(&record.data)?);
                        println!("review by {}", record.review_date);
                    }
                    None => println!(
                        "{reference}  version {}  cancelled: {}",
                        view.version,
                        view.cancel_reason.as_deref().unwrap_or("no reason")
                    ),
                }
            }
        }
        Command::Cancel { reference, reason } => {
            let replica = Replica::open(&dir, cache_bytes)?;
            let published = replica.cancel(&reference, &reason)?;
            if as_json {
                output::json(&published);
            } else {
                println!(
                    "cancelled {} (version {})",
                    published.reference, published.version
                );
            }
        }
        Command::Status => {
            let status = Replica::open(&dir, cache_bytes)?.status()?;
            if as_json {
                output::json(&status);
            } else {
                let rows = vec![
                    vec!["member".into(), status.member.to_string()],
                    vec!["node key".into(), status.node_key.clone()],
                    vec!["network".into(), status.network.clone()],
                    vec!["digest".into(), status.digest.to_string()],
                    vec!["entries".into(), status.entries.to_string()],
                    vec!["records".into(), status.records.to_string()],
                    vec!["authors".into(), status.authors.to_string()],
                    vec!["members known".into(), status.members_known.to_string()],
                    vec!["store bytes".into(), status.store_bytes.to_string()],
                ];
                output::table(&["FIELD", "VALUE"], &rows);
            }
        }
        Command::Sync { from } => {
            let replica = Replica::open(&dir, cache_bytes)?;
            let source = Replica::open(&NodeDir::new(&from), cache_bytes)?;
            let copied = replica::copy_missing(&source.store, &replica.store)?;
            if as_json {
                output::json(&copied);
            } else {
                println!(
                    "copied {} entries from {} in {} batches ({} rejected)",
                    copied.applied,
                    from.display(),
                    copied.batches,
                    copied.rejected
                );
            }
        }
        Command::Sandbox { members } => {
            let target = if cli.dir == Path::new(".") {
                Path::new("sandbox")
            } else {
                cli.dir.as_path()
            };
            sandbox::run(
                target,
                members,
                cli.cache_mib.saturating_mul(1024 * 1024).min(8 << 20),
                as_json,
            )?;
        }
    }
    Ok(())
}
