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
    /// Secretariat only: publishes the notice with the request as it is published, in clear,
    /// so that every member reads it (the request itself was sealed to the requester and the
    /// secretariat).
    Publish {
        notice: CaseRef,
        request: NoticeRequest,
    },
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

/// What a case entry does, as every replica sees it: the step a sealed action takes in its
/// case's workflow, without any of its content. The declaration order is the wire encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStep {
    NoticeRequest,
    /// A review other than publication (a publication is in clear: [`NoticeAction::Publish`]).
    NoticeReview(Decision),
    NoticeCancel,
    DiffusionSend,
    DiffusionFlag,
    DiffusionWithdraw,
}

impl CaseStep {
    pub fn is_notice(self) -> bool {
        matches!(
            self,
            CaseStep::NoticeRequest | CaseStep::NoticeReview(_) | CaseStep::NoticeCancel
        )
    }

    /// Whether the case's owner takes this step (it opens the case, or withdraws its own
    /// notice); the other steps are the secretariat's.
    pub fn opens_case(self) -> bool {
        matches!(self, CaseStep::NoticeRequest | CaseStep::DiffusionSend)
    }
}

/// A notice or diffusion action, as a sealed case entry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseAction {
    Notice(NoticeAction),
    Diffusion(DiffusionAction),
}

impl CaseAction {
    /// The step this action takes, or `None` for a publication (which is never sealed).
    pub fn step(&self) -> Option<CaseStep> {
        Some(match self {
            CaseAction::Notice(NoticeAction::Request(_)) => CaseStep::NoticeRequest,
            CaseAction::Notice(NoticeAction::Review { decision, .. }) => {
                if *decision == Decision::Publish {
                    return None;
                }
                CaseStep::NoticeReview(*decision)
            }
            CaseAction::Notice(NoticeAction::Cancel { .. }) => CaseStep::NoticeCancel,
            CaseAction::Notice(NoticeAction::Publish { .. }) => return None,
            CaseAction::Diffusion(DiffusionAction::Send { .. }) => CaseStep::DiffusionSend,
            CaseAction::Diffusion(DiffusionAction::Flag { .. }) => CaseStep::DiffusionFlag,
            CaseAction::Diffusion(DiffusionAction::Withdraw { .. }) => CaseStep::DiffusionWithdraw,
        })
    }

    pub fn case(&self, author: MemberCode) -> CaseRef {
        match self {
            CaseAction::Notice(action) => action.case(author),
            CaseAction::Diffusion(action) => action.case(author),
        }
    }

    pub fn validate(&self) -> Result<(), SchemaError> {
        match self {
            CaseAction::Notice(action) => action.validate(),
            CaseAction::Diffusion(action) => action.validate(),
        }
    }

    /// Checks an opened action against what its entry says in clear: the same step, the same
    /// case, and a valid action. `author` is the entry author's member.
    pub fn check_matches(
        &self,
        step: CaseStep,
        case: &CaseRef,
        author: MemberCode,
    ) -> Result<(), SchemaError> {
        if self.step() != Some(step) {
            return Err(SchemaError::new(
                "step",
                "the sealed action is not the step its entry names",
            ));
        }
        if &self.case(author) != case {
            return Err(SchemaError::new(
                "case",
                "the sealed action is about another case than its entry names",
            ));
        }
        let person = match self {
            CaseAction::Notice(NoticeAction::Request(request)) => Some(&request.person),
            CaseAction::Diffusion(DiffusionAction::Send { person, .. }) => Some(person),
            _ => None,
        };
        if person.is_some_and(|person| person.owner != author) {
            return Err(SchemaError::new(
                "person",
                "a case is about one of its owner's person records",
            ));
        }
        self.validate()
    }
}

/// A case action as a replica holds it: in clear (published so, or opened by a reader), or only
/// its step, sealed to others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held<A> {
    Clear(A),
    Sealed(CaseStep),
}

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
            NoticeAction::Publish { notice, request } => {
                request.validate()?;
                if request.person.owner != notice.owner || request.id != notice.id {
                    return Err(SchemaError::new(
                        "request",
                        "a publication carries the request of the notice it publishes",
                    ));
                }
                Ok(())
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
            NoticeAction::Review { notice, .. }
            | NoticeAction::Cancel { notice, .. }
            | NoticeAction::Publish { notice, .. } => notice.clone(),
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

/// One notice event as the fold reads it: its step, with what a reader knows of its content.
enum NoticeMove<'a> {
    Request(Option<&'a NoticeRequest>),
    Review {
        decision: Decision,
        reason: Option<&'a str>,
        published: Option<&'a NoticeRequest>,
    },
    Cancel(Option<&'a str>),
    /// A step of another kind of case: never fits.
    Stray,
}

impl<'a> NoticeMove<'a> {
    fn of(held: &'a Held<NoticeAction>) -> NoticeMove<'a> {
        match held {
            Held::Clear(NoticeAction::Request(request)) => NoticeMove::Request(Some(request)),
            Held::Clear(NoticeAction::Review {
                decision, reason, ..
            }) => NoticeMove::Review {
                decision: *decision,
                reason: Some(reason),
                published: None,
            },
            Held::Clear(NoticeAction::Publish { request, .. }) => NoticeMove::Review {
                decision: Decision::Publish,
                reason: None,
                published: Some(request),
            },
            Held::Clear(NoticeAction::Cancel { reason, .. }) => NoticeMove::Cancel(Some(reason)),
            Held::Sealed(CaseStep::NoticeRequest) => NoticeMove::Request(None),
            Held::Sealed(CaseStep::NoticeReview(decision)) => NoticeMove::Review {
                decision: *decision,
                reason: None,
                published: None,
            },
            Held::Sealed(CaseStep::NoticeCancel) => NoticeMove::Cancel(None),
            Held::Sealed(_) => NoticeMove::Stray,
        }
    }
}

/// A notice being folded: its request is unknown while it is sealed to others.
struct NoticeFold {
    request: Option<NoticeRequest>,
    status: NoticeStatus,
    reason: Option<String>,
    was_published: bool,
    requested_at: Timestamp,
    updated_at: Timestamp,
}

/// Replays a notice's events (sorted by [`EventOrder`]). Every replica reaches the same status
/// from the same events; the content (the request, the reasons) is known only where the
/// request was opened or published. `None` when there is no notice, or its request is sealed
/// to others and unpublished.
pub fn fold_notice(case: &CaseRef, events: &[CaseEvent<Held<NoticeAction>>]) -> Option<Notice> {
    let mut notice: Option<NoticeFold> = None;
    replay(events, &mut notice, |notice, event| {
        let at = event.order.timestamp;
        match (NoticeMove::of(&event.action), notice.as_mut()) {
            (NoticeMove::Request(request), None) => {
                *notice = Some(NoticeFold {
                    request: request.cloned(),
                    status: NoticeStatus::Requested,
                    reason: None,
                    was_published: false,
                    requested_at: at,
                    updated_at: at,
                });
                true
            }
            (NoticeMove::Request(request), Some(current))
                if current.status == NoticeStatus::MoreInfo =>
            {
                current.request = request.cloned();
                current.status = NoticeStatus::Requested;
                current.reason = None;
                current.updated_at = at;
                true
            }
            (
                NoticeMove::Review {
                    decision,
                    reason,
                    published,
                },
                Some(current),
            ) if current.status == NoticeStatus::Requested => {
                current.status = match decision {
                    Decision::Publish => NoticeStatus::Published,
                    Decision::Refuse => NoticeStatus::Refused,
                    Decision::MoreInfo => NoticeStatus::MoreInfo,
                };
                current.was_published |= decision == Decision::Publish;
                if let Some(published) = published {
                    current.request = Some(published.clone());
                }
                current.reason = reason
                    .filter(|reason| !reason.is_empty())
                    .map(str::to_owned);
                current.updated_at = current.updated_at.max(at);
                true
            }
            (NoticeMove::Cancel(reason), Some(current))
                if matches!(
                    current.status,
                    NoticeStatus::Requested | NoticeStatus::Published | NoticeStatus::MoreInfo
                ) =>
            {
                current.status = NoticeStatus::Cancelled;
                current.reason = reason.map(str::to_owned);
                current.updated_at = current.updated_at.max(at);
                true
            }
            _ => false,
        }
    });
    let notice = notice?;
    Some(Notice {
        case: case.clone(),
        request: notice.request?,
        status: notice.status,
        reason: notice.reason,
        was_published: notice.was_published,
        requested_at: notice.requested_at,
        updated_at: notice.updated_at,
    })
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

/// A diffusion being folded: what it sends is unknown while it is sealed to others.
struct DiffusionFold {
    sent: Option<(BTreeSet<MemberCode>, RecordKey, String)>,
    status: DiffusionStatus,
    reason: Option<String>,
    sent_at: Timestamp,
}

/// Replays a diffusion's events (sorted by [`EventOrder`]). `None` when there is no diffusion,
/// or it is sealed to others.
pub fn fold_diffusion(
    case: &CaseRef,
    events: &[CaseEvent<Held<DiffusionAction>>],
) -> Option<Diffusion> {
    let mut diffusion: Option<DiffusionFold> = None;
    replay(events, &mut diffusion, |diffusion, event| {
        let (step, reason) = match &event.action {
            Held::Clear(DiffusionAction::Send { .. }) | Held::Sealed(CaseStep::DiffusionSend) => {
                (CaseStep::DiffusionSend, None)
            }
            Held::Clear(DiffusionAction::Flag { reason, .. }) => {
                (CaseStep::DiffusionFlag, Some(reason))
            }
            Held::Clear(DiffusionAction::Withdraw { reason, .. }) => {
                (CaseStep::DiffusionWithdraw, Some(reason))
            }
            Held::Sealed(step) => (*step, None),
        };
        match (step, diffusion.as_mut()) {
            (CaseStep::DiffusionSend, None) => {
                let sent = match &event.action {
                    Held::Clear(DiffusionAction::Send {
                        to,
                        person,
                        purpose,
                        ..
                    }) => Some((to.clone(), person.clone(), purpose.clone())),
                    _ => None,
                };
                *diffusion = Some(DiffusionFold {
                    sent,
                    status: DiffusionStatus::Sent,
                    reason: None,
                    sent_at: event.order.timestamp,
                });
                true
            }
            (CaseStep::DiffusionFlag, Some(current)) if current.status == DiffusionStatus::Sent => {
                current.status = DiffusionStatus::Flagged;
                current.reason = reason.cloned();
                true
            }
            (CaseStep::DiffusionWithdraw, Some(current))
                if current.status != DiffusionStatus::Withdrawn =>
            {
                current.status = DiffusionStatus::Withdrawn;
                current.reason = reason.cloned();
                true
            }
            _ => false,
        }
    });
    let diffusion = diffusion?;
    let (to, person, purpose) = diffusion.sent?;
    Some(Diffusion {
        case: case.clone(),
        to,
        person,
        purpose,
        status: diffusion.status,
        reason: diffusion.reason,
        sent_at: diffusion.sent_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    fn event(timestamp: u64, seq: u64, action: NoticeAction) -> CaseEvent<Held<NoticeAction>> {
        CaseEvent {
            order: EventOrder {
                timestamp: Timestamp(timestamp),
                author: SecretKey::from_seed([seq as u8; 32]).public(),
                seq,
            },
            member: MemberCode::SECRETARIAT,
            action: Held::Clear(action),
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

    /// A replica that holds only the steps reaches the status a reader reaches, and reads the
    /// request once it is published, but never the reasons sealed to others.
    #[test]
    fn sealed_steps_fold_to_the_readers_status() {
        let case: CaseRef = "FRA/n1".parse().expect("case");
        let request = NoticeRequest {
            id: "n1".into(),
            colour: Colour::Yellow,
            person: "persons/FRA/p1".parse().expect("key"),
            summary: "missing".into(),
            offence: None,
            legal_basis: None,
            remaining_months: None,
        };
        let sealed = |timestamp, seq, step| CaseEvent {
            action: Held::Sealed(step),
            ..event(timestamp, seq, NoticeAction::Request(request.clone()))
        };
        let mut events = vec![
            sealed(1, 1, CaseStep::NoticeRequest),
            sealed(2, 2, CaseStep::NoticeReview(Decision::MoreInfo)),
            sealed(3, 3, CaseStep::NoticeRequest),
        ];
        assert!(
            fold_notice(&case, &events).is_none(),
            "unpublished and sealed: nothing to show"
        );
        events.push(event(
            4,
            4,
            NoticeAction::Publish {
                notice: case.clone(),
                request: request.clone(),
            },
        ));
        events.push(sealed(5, 5, CaseStep::NoticeCancel));
        let notice = fold_notice(&case, &events).expect("published");
        assert_eq!(notice.request, request);
        assert_eq!(notice.status, NoticeStatus::Cancelled);
        assert!(notice.was_published && notice.reason.is_none());
    }
}
