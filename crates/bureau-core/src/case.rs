//! Notices and diffusions: cases that several logs act on (the requesting bureau, the
//! secretariat), folded into one state by replaying their events in `(timestamp, author, seq)`
//! order. Events that do not fit the state they meet are ignored, so every replica that holds
//! the same events reaches the same state, whatever order they arrived in.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::member::MemberCode;
use crate::record::{Database, RecordKey};
use crate::schema::{self, LegalBasis, SchemaError};
use crate::{PublicKey, Timestamp};

/// A Red Notice needs at least this maximum penalty, in months…
pub const RED_NOTICE_MIN_PENALTY_MONTHS: u32 = 24;
/// …or at least this much of a sentence left to serve, in months.
pub const RED_NOTICE_MIN_REMAINING_MONTHS: u32 = 6;

/// Notice colours (`DOMAIN.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Colour {
    Red,
    Yellow,
    Blue,
    Black,
    Green,
    Orange,
    Purple,
    UnSpecial,
    Silver,
}

crate::schema::named_enum!(Colour {
    Red => "red", Yellow => "yellow", Blue => "blue", Black => "black", Green => "green",
    Orange => "orange", Purple => "purple", UnSpecial => "un-special", Silver => "silver",
});

/// Names a case: the member that opened it and its id there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CaseRef {
    pub owner: MemberCode,
    pub id: String,
}

impl std::fmt::Display for CaseRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.id)
    }
}

impl std::str::FromStr for CaseRef {
    type Err = SchemaError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            SchemaError::new(
                "reference",
                format!("{text:?} is not OWNER/ID, e.g. FRA/n1"),
            )
        };
        let (owner, id) = text.trim().split_once('/').ok_or_else(bad)?;
        let owner = owner.parse().map_err(|_| bad())?;
        let case = CaseRef {
            owner,
            id: id.to_owned(),
        };
        case.check()?;
        Ok(case)
    }
}

impl CaseRef {
    pub fn check(&self) -> Result<(), SchemaError> {
        RecordKey::new(Database::Persons, self.owner, &self.id)
            .map(|_| ())
            .map_err(|error| SchemaError::new("id", error.to_string()))
    }
}

/// A bureau's request for a notice about one of its person records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NoticeRequest {
    pub id: String,
    pub colour: Colour,
    pub person: RecordKey,
    pub summary: String,
    pub offence: Option<String>,
    pub legal_basis: Option<LegalBasis>,
    /// Time left to serve, for a convicted person, in months.
    pub remaining_months: Option<u32>,
}

/// The secretariat's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Publish,
    Refuse,
    MoreInfo,
}

crate::schema::named_enum!(Decision { Publish => "publish", Refuse => "refuse", MoreInfo => "more-info" });

/// What an entry does to a notice. The declaration order is the wire encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeAction {
    /// File (or, after a request for more information, file again).
    Request(NoticeRequest),
    /// Secretariat only.
    Review {
        notice: CaseRef,
        decision: Decision,
        reason: String,
    },
    /// The requester (or the secretariat) withdraws it.
    Cancel { notice: CaseRef, reason: String },
}

/// A diffusion: sent by a bureau straight to chosen members, recorded at once, reviewed by the
/// secretariat afterwards. The declaration order is the wire encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffusionAction {
    Send {
        id: String,
        to: BTreeSet<MemberCode>,
        person: RecordKey,
        purpose: String,
    },
    /// Secretariat only: marks it as not compliant, without withdrawing it.
    Flag { diffusion: CaseRef, reason: String },
    /// Secretariat only.
    Withdraw { diffusion: CaseRef, reason: String },
}

/// Most recipients of one diffusion.
pub const MAX_DIFFUSION_RECIPIENTS: usize = 256;

fn reason(field: &'static str, text: &str) -> Result<(), SchemaError> {
    schema::check_text(field, text, schema::MAX_TEXT_CHARS, true)
}

impl NoticeRequest {
    /// The mechanical checks: ids, the person record, and the Red Notice thresholds.
    pub fn validate(&self) -> Result<(), SchemaError> {
        CaseRef {
            owner: self.person.owner,
            id: self.id.clone(),
        }
        .check()?;
        if self.person.database != Database::Persons {
            return Err(SchemaError::new(
                "person",
                "a notice is about a person record",
            ));
        }
        reason("summary", &self.summary)?;
        if let Some(offence) = &self.offence {
            reason("offence", offence)?;
        }
        if self.colour == Colour::Red {
            let basis = self.legal_basis.as_ref().ok_or_else(|| {
                SchemaError::new(
                    "legal_basis",
                    "a Red Notice needs a warrant and its authority",
                )
            })?;
            if self.offence.is_none() {
                return Err(SchemaError::new(
                    "offence",
                    "a Red Notice needs the offence",
                ));
            }
            let serious = basis.max_penalty_months >= RED_NOTICE_MIN_PENALTY_MONTHS
                || self
                    .remaining_months
                    .is_some_and(|months| months >= RED_NOTICE_MIN_REMAINING_MONTHS);
            if !serious {
                return Err(SchemaError::new(
                    "legal_basis.max_penalty_months",
                    format!(
                        "a Red Notice needs a possible penalty of at least {RED_NOTICE_MIN_PENALTY_MONTHS} months or at least {RED_NOTICE_MIN_REMAINING_MONTHS} months left to serve"
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl NoticeAction {
    pub fn validate(&self) -> Result<(), SchemaError> {
        match self {
            NoticeAction::Request(request) => request.validate(),
            NoticeAction::Review {
                notice,
                reason: text,
                decision,
            } => {
                notice.check()?;
                if *decision != Decision::Publish {
                    reason("reason", text)?;
                }
                Ok(())
            }
            NoticeAction::Cancel {
                notice,
                reason: text,
            } => {
                notice.check()?;
                reason("reason", text)
            }
        }
    }

    /// The notice this action is about.
    pub fn case(&self, author: MemberCode) -> CaseRef {
        match self {
            NoticeAction::Request(request) => CaseRef {
                owner: author,
                id: request.id.clone(),
            },
            NoticeAction::Review { notice, .. } | NoticeAction::Cancel { notice, .. } => {
                notice.clone()
            }
        }
    }
}

impl DiffusionAction {
    pub fn validate(&self) -> Result<(), SchemaError> {
        match self {
            DiffusionAction::Send {
                id,
                to,
                person,
                purpose,
            } => {
                CaseRef {
                    owner: person.owner,
                    id: id.clone(),
                }
                .check()?;
                if person.database != Database::Persons {
                    return Err(SchemaError::new(
                        "person",
                        "a diffusion is about a person record",
                    ));
                }
                if to.is_empty() || to.len() > MAX_DIFFUSION_RECIPIENTS {
                    return Err(SchemaError::new(
                        "to",
                        format!("name 1 to {MAX_DIFFUSION_RECIPIENTS} members"),
                    ));
                }
                reason("purpose", purpose)
            }
            DiffusionAction::Flag {
                diffusion,
                reason: text,
            }
            | DiffusionAction::Withdraw {
                diffusion,
                reason: text,
            } => {
                diffusion.check()?;
                reason("reason", text)
            }
        }
    }

    pub fn case(&self, author: MemberCode) -> CaseRef {
        match self {
            DiffusionAction::Send { id, .. } => CaseRef {
                owner: author,
                id: id.clone(),
            },
            DiffusionAction::Flag { diffusion, .. }
            | DiffusionAction::Withdraw { diffusion, .. } => diffusion.clone(),
        }
    }
}

/// Where an event stands in a case's history: replay order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventOrder {
    pub timestamp: Timestamp,
    pub author: PublicKey,
    pub seq: u64,
}

/// One event of a case, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent<A> {
    pub order: EventOrder,
    pub member: MemberCode,
    pub action: A,
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum NoticeStatus {
    /// "Request being processed": visible to the requester and the secretariat only.
    Requested,
    Published,
    Refused,
    MoreInfo,
    Cancelled,
}

/// A notice folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Notice {
    pub case: CaseRef,
    pub request: NoticeRequest,
    pub status: NoticeStatus,
    /// The reason given with the last decision or cancellation.
    pub reason: Option<String>,
    /// Whether it was ever published (then every member may see it, also once cancelled).
    pub was_published: bool,
    pub requested_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Replays events in order into `state`. `apply` returns whether an event fitted the state it
/// met. One that did not is tried again right after each later event that fits, as long as
/// that event is at most the clock tolerance ([`MAX_CLOCK_SKEW`]) later: a member whose clock
/// runs a few minutes ahead must not make another's answer to its event (a review of its notice
/// request) look older than the event itself and disappear. The outcome depends only on the
/// set of events, never on arrival order.
///
/// [`MAX_CLOCK_SKEW`]: crate::validate::MAX_CLOCK_SKEW
fn replay<S, A>(
    events: &[CaseEvent<A>],
    state: &mut S,
    mut apply: impl FnMut(&mut S, &CaseEvent<A>) -> bool,
) {
    let tolerance = crate::validate::MAX_CLOCK_SKEW;
    let mut deferred: Vec<&CaseEvent<A>> = Vec::new();
    for event in events {
        if !apply(state, event) {
            deferred.push(event);
            continue;
        }
        deferred.retain(|waiting| {
            waiting.order.timestamp.saturating_add(tolerance) >= event.order.timestamp
        });
        while let Some(position) = deferred.iter().position(|waiting| apply(state, waiting)) {
            deferred.remove(position);
        }
    }
}

/// Replays a notice's events (sorted by [`EventOrder`]).
pub fn fold_notice(case: &CaseRef, events: &[CaseEvent<NoticeAction>]) -> Option<Notice> {
    let mut notice: Option<Notice> = None;
    replay(events, &mut notice, |notice, event| {
        let at = event.order.timestamp;
        match (&event.action, notice.as_mut()) {
            (NoticeAction::Request(request), None) => {
                *notice = Some(Notice {
                    case: case.clone(),
                    request: request.clone(),
                    status: NoticeStatus::Requested,
                    reason: None,
                    was_published: false,
                    requested_at: at,
                    updated_at: at,
                });
                true
            }
            (NoticeAction::Request(request), Some(current))
                if current.status == NoticeStatus::MoreInfo =>
            {
                current.request = request.clone();
                current.status = NoticeStatus::Requested;
                current.reason = None;
                current.updated_at = at;
                true
            }
            (
                NoticeAction::Review {
                    decision, reason, ..
                },
                Some(current),
            ) if current.status == NoticeStatus::Requested => {
                current.status = match decision {
                    Decision::Publish => NoticeStatus::Published,
                    Decision::Refuse => NoticeStatus::Refused,
                    Decision::MoreInfo => NoticeStatus::MoreInfo,
                };
                current.was_published |= *decision == Decision::Publish;
                current.reason = (!reason.is_empty()).then(|| reason.clone());
                current.updated_at = current.updated_at.max(at);
                true
            }
            (NoticeAction::Cancel { reason, .. }, Some(current))
                if matches!(
                    current.status,
                    NoticeStatus::Requested | NoticeStatus::Published | NoticeStatus::MoreInfo
                ) =>
            {
                current.status = NoticeStatus::Cancelled;
                current.reason = Some(reason.clone());
                current.updated_at = current.updated_at.max(at);
                true
            }
            _ => false,
        }
    });
    notice
}

/// Where a diffusion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum DiffusionStatus {
    Sent,
    Flagged,
    Withdrawn,
}

/// A diffusion folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Diffusion {
    pub case: CaseRef,
    pub to: BTreeSet<MemberCode>,
    pub person: RecordKey,
    pub purpose: String,
    pub status: DiffusionStatus,
    pub reason: Option<String>,
    pub sent_at: Timestamp,
}

/// Replays a diffusion's events (sorted by [`EventOrder`]).
pub fn fold_diffusion(case: &CaseRef, events: &[CaseEvent<DiffusionAction>]) -> Option<Diffusion> {
    let mut diffusion: Option<Diffusion> = None;
    replay(events, &mut diffusion, |diffusion, event| {
        match (&event.action, diffusion.as_mut()) {
            (
                DiffusionAction::Send {
                    to,
                    person,
                    purpose,
                    ..
                },
                None,
            ) => {
                *diffusion = Some(Diffusion {
                    case: case.clone(),
                    to: to.clone(),
                    person: person.clone(),
                    purpose: purpose.clone(),
                    status: DiffusionStatus::Sent,
                    reason: None,
                    sent_at: event.order.timestamp,
                });
                true
            }
            (DiffusionAction::Flag { reason, .. }, Some(current))
                if current.status == DiffusionStatus::Sent =>
            {
                current.status = DiffusionStatus::Flagged;
                current.reason = Some(reason.clone());
                true
            }
            (DiffusionAction::Withdraw { reason, .. }, Some(current))
                if current.status != DiffusionStatus::Withdrawn =>
            {
                current.status = DiffusionStatus::Withdrawn;
                current.reason = Some(reason.clone());
                true
            }
            _ => false,
        }
    });
    diffusion
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    fn event(timestamp: u64, seq: u64, action: NoticeAction) -> CaseEvent<NoticeAction> {
        CaseEvent {
            order: EventOrder {
                timestamp: Timestamp(timestamp),
                author: SecretKey::from_seed([seq as u8; 32]).public(),
                seq,
            },
            member: MemberCode::SECRETARIAT,
            action,
        }
    }

    #[test]
    fn a_review_timestamped_just_before_its_request_still_counts() {
        let case: CaseRef = "FRA/n1".parse().expect("case");
        let request = NoticeAction::Request(NoticeRequest {
            id: "n1".into(),
            colour: Colour::Red,
            person: "persons/FRA/p1".parse().expect("key"),
            summary: "wanted".into(),
            offence: None,
            legal_basis: None,
            remaining_months: None,
        });
        let review = NoticeAction::Review {
            notice: case.clone(),
            decision: Decision::Publish,
            reason: String::new(),
        };
        // The requester's clock ran 3 minutes ahead of the secretariat's.
        let ahead = 3 * 60 * 1000;
        let events = [
            event(1_000, 1, review.clone()),
            event(1_000 + ahead, 2, request.clone()),
        ];
        let notice = fold_notice(&case, &events).expect("notice");
        assert_eq!(notice.status, NoticeStatus::Published);
        // Beyond the tolerance, the review does not apply to a later request.
        let late = 1_000 + 10 * 60 * 1000;
        let events = [event(1_000, 1, review), event(late, 2, request)];
        let notice = fold_notice(&case, &events).expect("notice");
        assert_eq!(notice.status, NoticeStatus::Requested);
    }
}
