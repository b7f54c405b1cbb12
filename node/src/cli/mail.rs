//! `bureau message ...` and `bureau hits ...`: direct messages and hits, and how they print.

use anyhow::Result;
use bureau_core::MemberCode;
use bureau_service::mail::{Content, Handling, Hit, Hits, MailItem, SendMessage};
use bureau_service::ops::{AnswerHit, ListHits, ListMail, PageQuery};
use clap::Subcommand;

use super::context::Context;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Send a message (signed, kept in the outbox until the recipient's node acknowledges it).
    Send {
        /// The recipient member.
        #[arg(long)]
        to: MemberCode,
        /// SIENA handling code: h0 police use only, h1 not for court without permission, h2 not
        /// to be passed on without permission, h3 other restrictions.
        #[arg(long, default_value = "h0")]
        handling: Handling,
        /// The message subject line.
        #[arg(long)]
        subject: String,
        /// The message text.
        text: String,
    },
    /// Messages received, newest first.
    Inbox(PageFlags),
    /// Messages sent, newest first, with their delivery state.
    Sent(PageFlags),
}

/// Which page of a list: the newest, or those before a time.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PageFlags {
    /// At most this many (default 100, at most 1000).
    #[arg(long)]
    pub limit: Option<i64>,
    /// Only those from before this time, in milliseconds since 1970 (`--json` shows times so;
    /// give the oldest of the previous page).
    #[arg(long)]
    pub before: Option<i64>,
}

impl From<PageFlags> for PageQuery {
    fn from(flags: PageFlags) -> PageQuery {
        PageQuery {
            limit: flags.limit,
            before: flags.before,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum HitsCommand {
    /// Answer a hit on one of this member's records: confirmed or not, and what to do.
    Answer {
        /// The hit's id, as `hits` lists it.
        hit: String,
        /// The record is valid and the hit confirmed.
        #[arg(
            long,
            conflicts_with = "not_confirmed",
            required_unless_present = "not_confirmed"
        )]
        confirmed: bool,
        /// The record no longer stands (recovered, cleared).
        #[arg(long)]
        not_confirmed: bool,
        /// The action to take, e.g. "seize the document and contact NCB Paris".
        #[arg(long)]
        action: String,
    },
}

fn when(at: Option<bureau_core::Timestamp>) -> String {
    at.map_or_else(|| "-".to_owned(), bureau_service::audit::utc_text)
}

fn describe(item: &MailItem) -> String {
    match &item.message.content {
        Content::Text {
            handling,
            subject,
            text,
        } => format!("[{handling:?}] {subject}: {text}"),
        Content::Hit(hit) => format!("hit on {}", hit.describe_references()),
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

/// `bureau message ...`
pub fn message(context: &Context, command: MessageCommand) -> Result<()> {
    let as_json = context.json;
    let backend = context.backend()?;
    match command {
        MessageCommand::Send {
            to,
            handling,
            subject,
            text,
        } => {
            let message = backend.call(SendMessage {
                to,
                handling,
                subject,
                text,
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
        MessageCommand::Inbox(ref page) | MessageCommand::Sent(ref page) => {
            let mail = backend.call(ListMail {
                page: page.clone().into(),
            })?;
            let sent = matches!(command, MessageCommand::Sent(_));
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
                        _ if item.failed.is_some() => {
                            format!("FAILED: {}", item.failed.as_deref().unwrap_or_default())
                        }
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

/// `bureau hits [answer ...]`
pub fn hits(context: &Context, answer: Option<HitsCommand>, page: PageFlags) -> Result<()> {
    let as_json = context.json;
    let backend = context.backend()?;
    if let Some(HitsCommand::Answer {
        hit,
        confirmed,
        not_confirmed,
        action,
    }) = answer
    {
        if confirmed == not_confirmed {
            usage!("say --confirmed or --not-confirmed");
        }
        let message = backend.call(AnswerHit {
            id: hit.clone(),
            confirmed,
            action,
        })?;
        if as_json {
            output::json(&message);
        } else {
            println!("answer to hit {hit} queued for {}", message.to);
        }
        return Ok(());
    }
    let hits = backend.call(ListHits { page: page.into() })?;
    context.print(&hits, print_hits)
}

/// The two lists of hits, with their answers.
fn print_hits(hits: &Hits) {
    let rows = |list: &[Hit], other: fn(&Hit) -> String| {
        list.iter()
            .map(|hit| {
                vec![
                    hit.id.clone(),
                    hit.notice.describe_references(),
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
}
