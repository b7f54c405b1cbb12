//! `bureau notice ...` and `bureau diffusion ...`: notices and diffusions.

use anyhow::Result;
use bureau_core::MemberCode;
use bureau_core::RecordKey;
use bureau_core::case::{CaseRef, Colour, Decision};
use bureau_service::cases::{CaseDone, DiffusionDraft, NoticeDraft};
use bureau_service::ops::{
    CancelNotice, CasePath, DiffusionReview, ListDiffusions, ListNotices, ReviewDiffusion,
    ReviewNotice, ShowNotice,
};
use clap::Subcommand;

use super::context::Context;
use crate::output;

#[derive(Debug, Subcommand)]
pub enum NoticeCommand {
    /// File a notice request about one of this member's person records.
    Request {
        /// The notice colour: red, yellow, blue, black, green, orange or purple.
        #[arg(long)]
        colour: Colour,
        /// The person record (persons/OWNER/ID); its offence and warrant go into the request.
        #[arg(long)]
        person: RecordKey,
        /// What the notice asks of members, in a sentence or two.
        #[arg(long)]
        summary: String,
        /// Months left to serve (for a convicted person).
        #[arg(long)]
        remaining_months: Option<u32>,
        /// The notice's id, in clear on every replica (default: an opaque id that names
        /// neither the person nor the notice).
        #[arg(long)]
        id: Option<String>,
    },
    /// Review a request (secretariat only).
    Review {
        /// OWNER/ID, as `notice list` shows it.
        notice: CaseRef,
        /// publish, refuse or more-info.
        #[arg(long)]
        decision: Decision,
        /// Why, in a sentence (kept with the action and shown to the members concerned).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The notices this member may see.
    List,
    /// One notice.
    Show {
        /// OWNER/ID, as `notice list` shows it.
        notice: CaseRef,
    },
    /// Withdraw a notice (its requester, or the secretariat).
    Cancel {
        /// OWNER/ID, as `notice list` shows it.
        notice: CaseRef,
        /// Why, in a sentence (kept with the action and shown to the members concerned).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DiffusionCommand {
    /// Send a diffusion about one of this member's person records to chosen members.
    Send {
        /// Recipients, comma-separated member codes.
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<MemberCode>,
        /// The person record the diffusion is about (its reference, e.g. persons/FRA/p123).
        #[arg(long)]
        person: RecordKey,
        /// What the diffusion asks the recipients to do (locate, arrest, ...).
        #[arg(long)]
        purpose: String,
        /// The diffusion's id, in clear on every replica (default: an opaque id that names
        /// neither the person nor the diffusion).
        #[arg(long)]
        id: Option<String>,
    },
    /// The diffusions this member sent, received or reviews.
    List,
    /// Flag a diffusion as not compliant (secretariat only).
    Flag {
        /// OWNER/ID, as `diffusion list` shows it.
        diffusion: CaseRef,
        /// Why, in a sentence (kept with the action and shown to the members concerned).
        #[arg(long)]
        reason: String,
    },
    /// Withdraw a diffusion (secretariat only).
    Withdraw {
        /// OWNER/ID, as `diffusion list` shows it.
        diffusion: CaseRef,
        /// Why, in a sentence (kept with the action and shown to the members concerned).
        #[arg(long)]
        reason: String,
    },
}

fn print_done(context: &Context, done: &CaseDone, what: &str) -> Result<()> {
    context.print(done, |done| {
        println!("{what} {} (entry {})", done.reference, done.seq)
    })
}

/// `bureau notice ...`
pub fn notice(context: &Context, command: NoticeCommand) -> Result<()> {
    let backend = context.backend()?;
    match command {
        NoticeCommand::Request {
            colour,
            person,
            summary,
            remaining_months,
            id,
        } => {
            let done = backend.call(NoticeDraft {
                id,
                colour,
                person,
                summary,
                remaining_months,
            })?;
            print_done(context, &done, "requested (request being processed)")
        }
        NoticeCommand::Review {
            notice,
            decision,
            reason,
        } => {
            let done = backend.call(ReviewNotice {
                notice: CasePath::from(&notice),
                decision: Some(decision),
                reason,
            })?;
            print_done(context, &done, &format!("reviewed ({decision})"))
        }
        NoticeCommand::Cancel { notice, reason } => {
            let done = backend.call(CancelNotice {
                notice: CasePath::from(&notice),
                reason,
            })?;
            print_done(context, &done, "cancelled")
        }
        NoticeCommand::List => {
            let notices = backend.call(ListNotices {})?;
            context.print(&notices, |notices| {
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
            })
        }
        NoticeCommand::Show { notice } => {
            let notice = backend.call(ShowNotice {
                notice: CasePath::from(&notice),
            })?;
            output::json(&notice);
            Ok(())
        }
    }
}

/// `bureau diffusion ...`
pub fn diffusion(context: &Context, command: DiffusionCommand) -> Result<()> {
    let backend = context.backend()?;
    match command {
        DiffusionCommand::Send {
            to,
            person,
            purpose,
            id,
        } => {
            let done = backend.call(DiffusionDraft {
                id,
                to: to.into_iter().collect(),
                person,
                purpose,
            })?;
            print_done(context, &done, "sent")
        }
        DiffusionCommand::Flag { diffusion, reason } => {
            let done = backend.call(ReviewDiffusion {
                diffusion: CasePath::from(&diffusion),
                action: DiffusionReview::Flag,
                reason,
            })?;
            print_done(context, &done, "flagged")
        }
        DiffusionCommand::Withdraw { diffusion, reason } => {
            let done = backend.call(ReviewDiffusion {
                diffusion: CasePath::from(&diffusion),
                action: DiffusionReview::Withdraw,
                reason,
            })?;
            print_done(context, &done, "withdrawn")
        }
        DiffusionCommand::List => {
            let diffusions = backend.call(ListDiffusions {})?;
            context.print(&diffusions, |diffusions| {
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
            })
        }
    }
}
