//! The commands for direct messages, hits, the audit log and synthetic data: what they print.

use std::path::Path;

use anyhow::{Context, Result, bail};
use bureau_core::{CountryCode, Database};

use crate::audit;
use crate::cli::{HitsCommand, MessageCommand};
use crate::client::Backend;
use crate::files::NodeDir;
use crate::mail::{Content, MailItem};
use crate::output;

fn when(at: Option<bureau_core::Timestamp>) -> String {
    at.map_or_else(|| "-".to_owned(), audit::utc_text)
}

fn describe(item: &MailItem) -> String {
    match &item.message.content {
        Content::Text {
            handling,
            subject,
            text,
        } => format!("[{handling:?}] {subject}: {text}"),
        Content::Hit(hit) => format!("hit on {}", hit.reference),
        Content::HitReply {
            hit,
            confirmed,
            action,
        } => format!(
            "answer to hit {hit}: {}; {action}",
            if *confirmed {
                "confirmed"
            } else {
                "not confirmed"
            }
        ),
    }
}

pub fn message(backend: &Backend, command: &MessageCommand, as_json: bool) -> Result<()> {
    match command {
        MessageCommand::Send {
            to,
            handling,
            subject,
            text,
        } => {
            let message = backend.send_message(crate::api::MessageBody {
                to: *to,
                handling: *handling,
                subject: subject.clone(),
                text: text.clone(),
            })?;
            if as_json {
                output::json(&message);
            } else {
                println!(
                    "queued message {} to {} ({handling:?}: {}); delivered when {}'s node acknowledges it",
                    message.id,
                    message.to,
                    handling.meaning(),
                    message.to
                );
            }
        }
        MessageCommand::Inbox | MessageCommand::Sent => {
            let mail = backend.mail()?;
            let sent = matches!(command, MessageCommand::Sent);
            let items = if sent { &mail.sent } else { &mail.received };
            if as_json {
                output::json(items);
                return Ok(());
            }
            if items.is_empty() {
                println!("no messages");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|item| {
                    let state = match (item.delivered_at, &item.last_error) {
                        (Some(at), _) => when(Some(at)),
                        (None, Some(error)) => {
                            format!("waiting ({} attempts: {error})", item.attempts.unwrap_or(0))
                        }
                        (None, None) => "waiting".to_owned(),
                    };
                    vec![
                        item.message.id.clone(),
                        if sent {
                            item.message.to.to_string()
                        } else {
                            item.message.from.to_string()
                        },
                        when(Some(item.message.sent_at)),
                        state,
                        describe(item),
                    ]
                })
                .collect();
            let peer = if sent { "TO" } else { "FROM" };
            let state = if sent { "DELIVERED" } else { "RECEIVED" };
            output::table(&["ID", peer, "SENT", state, "MESSAGE"], &rows);
        }
    }
    Ok(())
}

pub fn hits(backend: &Backend, answer: Option<&HitsCommand>, as_json: bool) -> Result<()> {
    if let Some(HitsCommand::Answer {
        hit,
        confirmed,
        not_confirmed,
        action,
    }) = answer
    {
        if confirmed == not_confirmed {
            bail!("say --confirmed or --not-confirmed");
        }
        let message = backend.answer_hit(hit, *confirmed, action)?;
        if as_json {
            output::json(&message);
        } else {
            println!("answer to hit {hit} queued for {}", message.to);
        }
        return Ok(());
    }
    let hits = backend.hits()?;
    if as_json {
        output::json(&hits);
        return Ok(());
    }
    let rows = |list: &[crate::mail::Hit], other: fn(&crate::mail::Hit) -> String| {
        list.iter()
            .map(|hit| {
                vec![
                    hit.id.clone(),
                    hit.notice.reference.to_string(),
                    other(hit),
                    when(Some(hit.notice.searched_at)),
                    format!(
                        "{} / {}",
                        hit.notice.place.as_deref().unwrap_or("-"),
                        hit.notice.purpose.as_deref().unwrap_or("-")
                    ),
                    match &hit.answer {
                        Some(answer) => format!(
                            "{}: {}",
                            if answer.confirmed {
                                "confirmed"
                            } else {
                                "not confirmed"
                            },
                            answer.action
                        ),
                        None => "no answer yet".to_owned(),
                    },
                ]
            })
            .collect::<Vec<_>>()
    };
    println!("Hits on this member's records (answer with `bureau hits answer ID`):");
    if hits.on_my_records.is_empty() {
        println!("  none");
    } else {
        output::table(
            &[
                "HIT",
                "RECORD",
                "FROM",
                "SEARCHED",
                "PLACE / PURPOSE",
                "ANSWER",
            ],
            &rows(&hits.on_my_records, |hit| hit.from.to_string()),
        );
    }
    println!("Hits from this member's searches:");
    if hits.by_my_searches.is_empty() {
        println!("  none");
    } else {
        output::table(
            &[
                "HIT",
                "RECORD",
                "OWNER",
                "SEARCHED",
                "PLACE / PURPOSE",
                "ANSWER",
            ],
            &rows(&hits.by_my_searches, |hit| {
                let state = if hit.delivered_at.is_some() {
                    ""
                } else {
                    " (not yet delivered)"
                };
                format!("{}{state}", hit.to)
            }),
        );
    }
    Ok(())
}

pub fn audit(dir: &NodeDir, verify: bool, tail: usize, as_json: bool) -> Result<()> {
    let path = dir.audit_log();
    if verify {
        let report = audit::verify(&path)?;
        if as_json {
            output::json(&report);
        }
        if let Some(problem) = &report.problem {
            bail!(
                "the audit log is tampered with or damaged: {problem}; the {} lines before it verify",
                report.good_lines
            );
        }
        if !as_json {
            println!(
                "audit log intact: {} lines, head {} (keep this hash elsewhere to detect a rewrite)",
                report.good_lines, report.head.hash
            );
        }
        return Ok(());
    }
    let records = audit::tail(&path, tail)?;
    if as_json {
        output::json(&records);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|record| {
            vec![
                record.seq.to_string(),
                record.at_utc.clone(),
                record.actor.clone(),
                record.action.clone(),
                record.target.clone(),
                record.purpose.clone().unwrap_or_default(),
                record.results.map(|n| n.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    output::table(
        &["SEQ", "AT", "WHO", "ACTION", "WHAT", "PURPOSE", "RESULTS"],
        &rows,
    );
    Ok(())
}

pub fn generate(
    database: Database,
    count: u64,
    seed: u64,
    issuer: CountryCode,
    out: &Path,
    key: Option<&Path>,
    variants: usize,
) -> Result<()> {
    let create = |path: &Path| -> Result<std::io::BufWriter<std::fs::File>> {
        Ok(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        ))
    };
    let generator = bureau_gen::Generator::new(seed);
    let started = std::time::Instant::now();
    let written = match database {
        Database::Persons => match key {
            Some(key) => generator.write_persons(count, variants, create(out)?, create(key)?)?,
            None => generator.write_persons(count, 0, create(out)?, std::io::sink())?,
        },
        Database::TravelDocuments => {
            generator.write_travel_documents(count, issuer, create(out)?)?
        }
        Database::Vehicles => generator.write_vehicles(count, create(out)?)?,
        other => bail!("the generator makes persons, sltd and vehicles, not {other}"),
    };
    println!(
        "wrote {} {database} records to {}{} in {:.1} s",
        written.records,
        out.display(),
        key.map(|key| format!(
            " and {} variant queries to {}",
            written.variants,
            key.display()
        ))
        .unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
