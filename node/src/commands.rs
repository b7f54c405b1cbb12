//! What each command does: offline trust commands, record commands through a running node's
//! API (or on the replica itself when none runs), the daemon, and the demonstration networks.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use bureau_core::MemberCode;

use crate::cases::{CaseDone, DiffusionDraft, NoticeDraft};
use crate::cli::{Cli, Command, DiffusionCommand, NodeCommand, NoticeCommand};
use crate::client::Backend;
use crate::config::NodeConfig;
use crate::files::{self, NodeDir};
use crate::output::RecordOut;
use crate::replica::{self, Replica};
use crate::{daemon, devnet, output, publish, sandbox, trust};

pub fn run(cli: Cli) -> Result<()> {
    let cache_bytes = cli.cache_mib.saturating_mul(1024 * 1024);
    let as_json = cli.json;
    let node_dir = || NodeDir::new(cli.dir.clone().unwrap_or_else(|| PathBuf::from(".")));
    let backend = || {
        Backend::open(
            &node_dir(),
            cli.api.as_deref(),
            cli.token.as_deref(),
            cache_bytes,
        )
    };
    match cli.command {
        Command::Genesis {
            ref name,
            ref bootstrap,
        } => {
            let founded = trust::genesis(&node_dir().root, name, bootstrap.clone())?;
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
        Command::Init {
            member,
            ref genesis,
        } => {
            let dir = node_dir();
            let request = trust::init(&dir, member, genesis)?;
            println!(
                "node key and join request written for {member} in {}",
                dir.root.display()
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
            ref root,
            ref genesis,
            ref request,
            ref role,
            valid_days,
            ref out,
        } => {
            let certificate =
                trust::admit(root, genesis, request, role.is_some(), valid_days, out)?;
            println!(
                "certificate {} for {} (key {}) written to {}",
                certificate.body.serial,
                certificate.member(),
                certificate.node_key().short(),
                out.display()
            );
        }
        Command::Publish(publish) => {
            let backend = backend()?;
            let draft = publish::draft(publish, member_of(&backend)?)?;
            let published = backend.publish(draft)?;
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
            output::found(&backend()?.search(&search.into_request())?, as_json);
        }
        Command::Import {
            database,
            ref file,
            format,
            ref report,
        } => {
            let backend = backend()?;
            let summary = crate::import::import_file(database, file, format, |drafts| {
                backend.import(drafts)
            })?;
            if as_json {
                output::json(&summary);
            } else {
                crate::import::print_summary(&summary, report.as_deref())?;
            }
        }
        Command::Message(ref message) => crate::more::message(&backend()?, message, as_json)?,
        Command::Hits { ref answer } => crate::more::hits(&backend()?, answer.as_ref(), as_json)?,
        Command::Audit { verify, tail } => crate::more::audit(&node_dir(), verify, tail, as_json)?,
        Command::Generate {
            database,
            count,
            seed,
            issuer,
            ref out,
            ref key,
            variants,
        } => crate::more::generate(database, count, seed, issuer, out, key.as_deref(), variants)?,
        Command::Get {
            ref reference,
            ref context,
        } => {
            let view = backend()?
                .get_for(reference, context)?
                .with_context(|| format!("no record {reference} in this replica"))?;
            if as_json {
                output::json(&view);
            } else {
                match &view.record {
                    Some(record) => {
                        println!("{reference}  version {}", view.version);
                        println!("{}", serde_json::to_string_pretty(&record.data)?);
                        println!("review by {}", record.review_date);
                        if replica::is_expired(record, crate::clock::now().date()) {
                            println!("EXPIRED: the review date has passed (not shown in searches)");
                        }
                        if let Some(reason) = &view.blocked {
                            println!("BLOCKED by the secretariat: {reason} (hidden from search)");
                        }
                    }
                    None if view.erased => println!(
                        "{reference}  version {}  erased (expired or cancelled)",
                        view.version
                    ),
                    None => println!(
                        "{reference}  version {}  cancelled: {}",
                        view.version,
                        view.cancel_reason.as_deref().unwrap_or("no reason")
                    ),
                }
            }
        }
        Command::Cancel {
            ref reference,
            ref reason,
        } => {
            let published = backend()?.cancel(reference, reason)?;
            if as_json {
                output::json(&published);
            } else {
                println!(
                    "cancelled {} (version {})",
                    published.reference, published.version
                );
            }
        }
        Command::Block {
            ref reference,
            ref reason,
        }
        | Command::Unblock {
            ref reference,
            ref reason,
        } => {
            let blocked = matches!(cli.command, Command::Block { .. });
            let done = backend()?.block(reference, blocked, reason)?;
            if as_json {
                output::json(&done);
            } else {
                println!(
                    "{} {}",
                    if blocked { "blocked" } else { "unblocked" },
                    done.reference
                );
            }
        }
        Command::Notice(ref command) => notice(&backend()?, command, as_json)?,
        Command::Diffusion(ref command) => diffusion(&backend()?, command, as_json)?,
        Command::Status => {
            let status = backend()?.status()?;
            if as_json {
                output::json(&status);
            } else {
                print_status(&status);
            }
        }
        Command::Peers => {
            let peers = backend()?.peers()?;
            if as_json {
                output::json(&peers);
            } else {
                print_peers(&peers);
            }
        }
        Command::Review { within_days } => {
            let due: Vec<bureau_core::Record> = backend()?.either(
                |client| client.get(&format!("/v1/review/{within_days}")),
                |replica| replica.due_for_review(within_days),
            )?;
            if as_json {
                output::json(&RecordOut::list(&due));
            } else if due.is_empty() {
                println!("nothing due for review in the next {within_days} days");
            } else {
                let today = crate::clock::now().date();
                let rows: Vec<Vec<String>> = due
                    .iter()
                    .map(|record| {
                        let days = record.review_date.days_since_epoch() - today.days_since_epoch();
                        let when = if days < 0 {
                            format!("EXPIRED {} days ago", -days)
                        } else {
                            format!("in {days} days")
                        };
                        vec![
                            record.key.to_string(),
                            record.review_date.to_string(),
                            when,
                            output::summary(record),
                        ]
                    })
                    .collect();
                output::table(&["REF", "REVIEW BY", "WHEN", "RECORD"], &rows);
            }
        }
        Command::Extend {
            ref reference,
            review_date,
            ref reason,
        } => {
            let body = crate::api::ExtendBody {
                review_date,
                reason: reason.clone(),
            };
            let published: crate::replica::Published = backend()?.either(
                |client| {
                    client.post(
                        &format!(
                            "/v1/records/{}/{}/{}/extend",
                            reference.database, reference.owner, reference.local_id
                        ),
                        &body,
                    )
                },
                |replica| Ok(replica.extend(reference, review_date, reason)?.0),
            )?;
            if as_json {
                output::json(&published);
            } else {
                println!(
                    "extended {} to {review_date} (version {})",
                    published.reference, published.version
                );
            }
        }
        Command::Erase => {
            let erased: crate::api::Erased = backend()?.either(
                |client| client.post("/v1/erase", &serde_json::json!({})),
                |replica| {
                    Ok(crate::api::Erased {
                        erase_entries: replica.erase_due()?.len(),
                    })
                },
            )?;
            if as_json {
                output::json(&erased);
            } else {
                println!("{} erase entries published", erased.erase_entries);
            }
        }
        Command::Members => {
            let members = backend()?.members()?;
            if as_json {
                output::json(&members);
            } else {
                let rows: Vec<Vec<String>> = members
                    .iter()
                    .map(|member| {
                        let roles: Vec<String> = member
                            .roles
                            .iter()
                            .map(|role| format!("{role:?}").to_lowercase())
                            .collect();
                        vec![
                            member.member.to_string(),
                            roles.join(","),
                            member.serial.to_string(),
                            member.node_key.chars().take(8).collect(),
                            member.not_after.to_string(),
                            member.status.clone(),
                            member.revocation.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                output::table(
                    &[
                        "MEMBER",
                        "ROLES",
                        "SERIAL",
                        "KEY",
                        "VALID UNTIL",
                        "STATUS",
                        "REVOCATION",
                    ],
                    &rows,
                );
            }
        }
        Command::AdmitPublish { ref certificate } => {
            let path = certificate;
            let bytes = files::read(path, "certificate", "the file `bureau admit` wrote")?;
            let certificate = bureau_core::Certificate::from_bytes(&bytes)
                .with_context(|| format!("{} is not a certificate", path.display()))?;
            let announced = backend()?.admit(&certificate)?;
            if as_json {
                output::json(&announced);
            } else {
                println!(
                    "announced {} (certificate {}) to the network",
                    announced.member, certificate.body.serial
                );
            }
        }
        Command::Revoke {
            member,
            serial,
            ref reason,
        } => {
            let announced = backend()?.revoke(member, serial, reason)?;
            if as_json {
                output::json(&announced);
            } else {
                let serials: Vec<String> =
                    announced.serials.iter().map(ToString::to_string).collect();
                println!(
                    "revoked {} (certificates {})",
                    announced.member,
                    serials.join(", ")
                );
            }
        }
        Command::Sync { ref from } => {
            let replica = Replica::open(&node_dir(), cache_bytes)?;
            let source = Replica::open(&NodeDir::new(from), cache_bytes)?;
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
            let dir = cli.dir.clone().unwrap_or_else(|| PathBuf::from("sandbox"));
            sandbox::run(&dir, members, cache_bytes.min(8 << 20), as_json)?;
        }
        Command::Node(NodeCommand::Run(ref flags)) => {
            let dir = node_dir();
            let genesis = files::read_genesis(
                &dir.genesis(),
                "is --dir a node directory? `bureau init` makes one, or run `bureau devnet`",
            )?;
            let config = NodeConfig::load(&dir.root, &genesis, flags, cli.cache_mib)?;
            runtime()?.block_on(daemon::run(dir, config))?;
        }
        Command::Devnet {
            nodes,
            base_port,
            provision_only: true,
            key_seed,
        } => {
            let dir = cli.dir.clone().unwrap_or_else(|| PathBuf::from("devnet"));
            devnet::provision_only(
                &dir,
                nodes,
                base_port,
                cache_bytes.min(devnet::MAX_NODE_CACHE_BYTES),
                key_seed,
            )?;
        }
        Command::Devnet {
            nodes,
            base_port,
            provision_only: false,
            ..
        } => {
            let dir = cli.dir.clone().unwrap_or_else(|| PathBuf::from("devnet"));
            let interrupted = interrupt_flag()?;
            devnet::run(
                &dir,
                nodes,
                base_port,
                cache_bytes.min(devnet::MAX_NODE_CACHE_BYTES),
                &|| interrupted.load(Ordering::Relaxed),
            )?;
        }
    }
    Ok(())
}

/// The member a record command acts for: the running node's, or the directory's certificate.
fn member_of(backend: &Backend) -> Result<MemberCode> {
    match backend {
        Backend::Local(replica) => Ok(replica.member()),
        Backend::Api(client) => {
            let status: serde_json::Value = client.get("/v1/status")?;
            let member = status["member"]
                .as_str()
                .context("the node's status names no member")?;
            Ok(member.parse()?)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A flag set on Ctrl-C or SIGTERM, for the devnet's blocking loop.
fn interrupt_flag() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = Arc::clone(&flag);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal thread")?;
    std::thread::Builder::new()
        .name("bureau-signals".into())
        .spawn(move || {
            runtime.block_on(async {
                let terminate =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
                match terminate {
                    Ok(mut terminate) => {
                        tokio::select! {
                            _ = tokio::signal::ctrl_c() => {}
                            _ = terminate.recv() => {}
                        }
                    }
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            });
            set.store(true, Ordering::Relaxed);
        })
        .context("cannot start the signal thread")?;
    Ok(flag)
}

fn print_status(status: &serde_json::Value) {
    let fields = [
        "member",
        "revoked",
        "node_key",
        "peer_id",
        "network",
        "digest",
        "entries",
        "records",
        "authors",
        "members_known",
        "peers",
        "members_connected",
        "pending",
        "store_bytes",
    ];
    let rows: Vec<Vec<String>> = fields
        .iter()
        .filter(|field| !status[**field].is_null())
        .map(|field| {
            let value = &status[*field];
            vec![
                field.replace('_', " "),
                value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned),
            ]
        })
        .collect();
    output::table(&["FIELD", "VALUE"], &rows);
    if let Some(listen) = status["listen"].as_array() {
        for address in listen {
            println!("listen         {}", address.as_str().unwrap_or_default());
        }
    }
}

fn print_peers(peers: &serde_json::Value) {
    let rows: Vec<Vec<String>> = peers
        .as_array()
        .map(|peers| {
            peers
                .iter()
                .map(|peer| {
                    let text = |field: &str| peer[field].as_str().unwrap_or("-").to_owned();
                    vec![
                        text("member"),
                        text("peer_id"),
                        text("connection"),
                        text("direction"),
                        text("address"),
                        peer["connected_seconds"].to_string(),
                        format!("{:.1}", peer["gossip_score"].as_f64().unwrap_or_default()),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    if rows.is_empty() {
        println!("no peers");
        return;
    }
    output::table(
        &[
            "MEMBER",
            "PEER",
            "HOW",
            "DIRECTION",
            "ADDRESS",
            "SECONDS",
            "SCORE",
        ],
        &rows,
    );
}

fn print_done(done: &CaseDone, what: &str, as_json: bool) {
    if as_json {
        output::json(done);
    } else {
        println!("{what} {} (entry {})", done.reference, done.seq);
    }
}

fn notice(backend: &Backend, command: &NoticeCommand, as_json: bool) -> Result<()> {
    match command {
        NoticeCommand::Request {
            colour,
            person,
            summary,
            remaining_months,
            id,
        } => {
            let draft = NoticeDraft {
                id: id.clone(),
                colour: *colour,
                person: person.clone(),
                summary: summary.clone(),
                remaining_months: *remaining_months,
            };
            let done = backend.either(
                |client| client.post("/v1/notices", &draft),
                |replica| Ok(replica.request_notice(draft.clone())?.0),
            )?;
            print_done(&done, "requested (request being processed)", as_json);
        }
        NoticeCommand::Review {
            notice,
            decision,
            reason,
        } => {
            let body = crate::api::CaseBody {
                decision: Some(*decision),
                reason: reason.clone(),
            };
            let done = backend.either(
                |client| client.post(&format!("/v1/notices/{notice}/review"), &body),
                |replica| Ok(replica.review_notice(notice, *decision, reason)?.0),
            )?;
            print_done(&done, &format!("reviewed ({decision})"), as_json);
        }
        NoticeCommand::Cancel { notice, reason } => {
            let body = crate::api::CaseBody {
                decision: None,
                reason: reason.clone(),
            };
            let done = backend.either(
                |client| client.post(&format!("/v1/notices/{notice}/cancel"), &body),
                |replica| Ok(replica.cancel_notice(notice, reason)?.0),
            )?;
            print_done(&done, "cancelled", as_json);
        }
        NoticeCommand::List => {
            let notices: Vec<bureau_core::case::Notice> = backend.either(
                |client| client.get("/v1/notices"),
                |replica| replica.notices(),
            )?;
            if as_json {
                output::json(&notices);
            } else {
                let rows: Vec<Vec<String>> = notices
                    .iter()
                    .map(|notice| {
                        vec![
                            notice.case.to_string(),
                            notice.request.colour.to_string(),
                            format!("{:?}", notice.status).to_lowercase(),
                            notice.request.person.to_string(),
                            notice.reason.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                output::table(&["NOTICE", "COLOUR", "STATUS", "PERSON", "REASON"], &rows);
            }
        }
        NoticeCommand::Show { notice } => {
            let found: Option<bureau_core::case::Notice> = backend.either(
                |client| match client.get(&format!("/v1/notices/{notice}")) {
                    Ok(notice) => Ok(Some(notice)),
                    Err(error) if error.to_string().starts_with("no notice") => Ok(None),
                    Err(error) => Err(error),
                },
                |replica| replica.notice(notice),
            )?;
            let found = found.with_context(|| format!("no notice {notice} visible here"))?;
            output::json(&found);
        }
    }
    Ok(())
}

fn diffusion(backend: &Backend, command: &DiffusionCommand, as_json: bool) -> Result<()> {
    match command {
        DiffusionCommand::Send {
            to,
            person,
            purpose,
            id,
        } => {
            let draft = DiffusionDraft {
                id: id.clone(),
                to: to.iter().copied().collect(),
                person: person.clone(),
                purpose: purpose.clone(),
            };
            let done = backend.either(
                |client| client.post("/v1/diffusions", &draft),
                |replica| Ok(replica.send_diffusion(draft.clone())?.0),
            )?;
            print_done(&done, "sent", as_json);
        }
        DiffusionCommand::Flag { diffusion, reason }
        | DiffusionCommand::Withdraw { diffusion, reason } => {
            let withdraw = matches!(command, DiffusionCommand::Withdraw { .. });
            let body = crate::api::CaseBody {
                decision: None,
                reason: reason.clone(),
            };
            let action = if withdraw { "withdraw" } else { "flag" };
            let done = backend.either(
                |client| client.post(&format!("/v1/diffusions/{diffusion}/{action}"), &body),
                |replica| Ok(replica.review_diffusion(diffusion, withdraw, reason)?.0),
            )?;
            print_done(
                &done,
                if withdraw { "withdrawn" } else { "flagged" },
                as_json,
            );
        }
        DiffusionCommand::List => {
            let diffusions: Vec<bureau_core::case::Diffusion> = backend.either(
                |client| client.get("/v1/diffusions"),
                |replica| replica.diffusions(),
            )?;
            if as_json {
                output::json(&diffusions);
            } else {
                let rows: Vec<Vec<String>> = diffusions
                    .iter()
                    .map(|d| {
                        let to: Vec<String> = d.to.iter().map(ToString::to_string).collect();
                        vec![
                            d.case.to_string(),
                            to.join(","),
                            d.person.to_string(),
                            format!("{:?}", d.status).to_lowercase(),
                            d.reason.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                output::table(&["DIFFUSION", "TO", "PERSON", "STATUS", "REASON"], &rows);
            }
        }
    }
    Ok(())
}
