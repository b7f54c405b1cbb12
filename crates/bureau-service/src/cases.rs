//! Notices and diffusions on a member's replica: filing, reviewing, sending, and what this
//! member may see of them. Every action but a publication is sealed to the case's readers (a
//! notice's requester and the secretariat; a diffusion's sender, recipients and the
//! secretariat), so other replicas hold only each step; a publication carries the request in
//! clear, so every member reads a published notice. The node that answers filters by the same
//! rule, and a case's default id is opaque (a keyed hash), never the person's id.

use std::collections::BTreeSet;

use crate::error::{OrKind, Result};
use crate::fail;
use bureau_core::case::{
    CaseRef, Colour, Decision, DiffusionAction, Notice, NoticeAction, NoticeRequest,
};
use bureau_core::{Body, Entry, MemberCode, RecordData, RecordKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::replica::{Replica, Trace};

/// A notice request as the CLI and the API give it; offence and legal basis come from the
/// person record.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NoticeDraft {
    pub id: Option<String>,
    pub colour: Colour,
    /// The requester's person record, as `persons/OWNER/ID`.
    pub person: RecordKey,
    pub summary: String,
    pub remaining_months: Option<u32>,
}

/// A diffusion as the CLI and the API give it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DiffusionDraft {
    pub id: Option<String>,
    pub to: BTreeSet<MemberCode>,
    pub person: RecordKey,
    pub purpose: String,
}

/// What a case action published.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CaseDone {
    #[serde(rename = "ref")]
    pub reference: String,
    pub seq: u64,
}

fn done(case: &CaseRef, entry: &Entry) -> CaseDone {
    CaseDone {
        reference: case.to_string(),
        seq: entry.header.seq,
    }
}

impl Replica {
    fn person_for_case(&self, person: &RecordKey) -> Result<bureau_core::schema::Person> {
        if person.owner != self.member() {
            fail!(
                Forbidden,
                "{person} belongs to {}; a bureau acts on its own person records",
                person.owner
            );
        }
        let view = self
            .get(person)?
            .or_not_found(|| format!("no record {person} in this replica"))?;
        match view.record.map(|record| record.data) {
            Some(RecordData::Person(person)) => Ok(person),
            Some(_) => fail!(InvalidInput, "{person} is not a person record"),
            None => fail!(Conflict, "{person} is cancelled"),
        }
    }

    /// Files (or files again, after a request for more information) a notice request.
    pub fn request_notice(&self, draft: NoticeDraft) -> Result<(CaseDone, Entry)> {
        let person = self.person_for_case(&draft.person)?;
        let id = draft.id.unwrap_or_else(|| {
            self.opaque_case_id(&format!("notice/{}/{}", draft.colour, draft.person))
        });
        let request = NoticeRequest {
            id: id.clone(),
            colour: draft.colour,
            person: draft.person,
            summary: draft.summary,
            offence: person.offence,
            legal_basis: person.legal_basis,
            remaining_months: draft.remaining_months,
        };
        request.validate()?;
        let case = CaseRef {
            owner: self.member(),
            id,
        };
        let entry = self.append_traced(
            Body::Notice(NoticeAction::Request(request)),
            Trace::new(
                crate::audit::AuditAction::NoticeRequest,
                case.to_string(),
                None,
            ),
        )?;
        Ok((done(&case, &entry), entry))
    }

    /// The secretariat's review of a notice request.
    pub fn review_notice(
        &self,
        case: &CaseRef,
        decision: Decision,
        reason: &str,
    ) -> Result<(CaseDone, Entry)> {
        let notice = self
            .store
            .notice(case)?
            .or_not_found(|| format!("no notice {case} in this replica"))?;
        if notice.status != bureau_core::case::NoticeStatus::Requested {
            fail!(
                Conflict,
                "notice {case} is {:?}, not waiting for review",
                notice.status
            );
        }
        // A publication carries the request in clear: from then on every member reads it.
        let action = match decision {
            Decision::Publish => NoticeAction::Publish {
                notice: case.clone(),
                request: notice.request,
            },
            decision => NoticeAction::Review {
                notice: case.clone(),
                decision,
                reason: reason.to_owned(),
            },
        };
        let entry = self.append_traced(
            Body::Notice(action),
            Trace::new(
                crate::audit::AuditAction::NoticeReview,
                case.to_string(),
                Some(reason),
            ),
        )?;
        Ok((done(case, &entry), entry))
    }

    pub fn cancel_notice(&self, case: &CaseRef, reason: &str) -> Result<(CaseDone, Entry)> {
        self.store
            .notice(case)?
            .or_not_found(|| format!("no notice {case} in this replica"))?;
        let entry = self.append_traced(
            Body::Notice(NoticeAction::Cancel {
                notice: case.clone(),
                reason: reason.to_owned(),
            }),
            Trace::new(
                crate::audit::AuditAction::NoticeCancel,
                case.to_string(),
                Some(reason),
            ),
        )?;
        Ok((done(case, &entry), entry))
    }

    fn may_see_notice(&self, notice: &Notice) -> bool {
        self.member().is_secretariat() || notice.case.owner == self.member() || notice.was_published
    }

    /// The notices this member may see.
    pub fn notices(&self) -> Result<Vec<Notice>> {
        let notices: Vec<Notice> = self
            .store
            .notices()?
            .into_iter()
            .filter(|n| self.may_see_notice(n))
            .collect();
        self.audit(
            crate::audit::AuditAction::NoticeList,
            "notices",
            None,
            Some(notices.len() as u64),
        )?;
        Ok(notices)
    }

    pub fn notice(&self, case: &CaseRef) -> Result<Option<Notice>> {
        let notice = self.store.notice(case)?.filter(|n| self.may_see_notice(n));
        self.audit(
            crate::audit::AuditAction::NoticeShow,
            case.to_string(),
            None,
            Some(u64::from(notice.is_some())),
        )?;
        Ok(notice)
    }

    /// Sends a diffusion about one of this member's person records to chosen members.
    pub fn send_diffusion(&self, draft: DiffusionDraft) -> Result<(CaseDone, Entry)> {
        self.person_for_case(&draft.person)?;
        let id = draft.id.unwrap_or_else(|| {
            self.opaque_case_id(&format!(
                "diffusion/{}/{}",
                draft.person,
                crate::clock::now().0
            ))
        });
        let action = DiffusionAction::Send {
            id: id.clone(),
            to: draft.to,
            person: draft.person,
            purpose: draft.purpose,
        };
        action.validate()?;
        let case = CaseRef {
            owner: self.member(),
            id,
        };
        let entry = self.append_traced(
            Body::Diffusion(action),
            Trace::new(
                crate::audit::AuditAction::DiffusionSend,
                case.to_string(),
                None,
            ),
        )?;
        Ok((done(&case, &entry), entry))
    }

    /// The secretariat flags (`withdraw` false) or withdraws a diffusion.
    pub fn review_diffusion(
        &self,
        case: &CaseRef,
        withdraw: bool,
        reason: &str,
    ) -> Result<(CaseDone, Entry)> {
        // The validation rules would refuse an action on an unknown diffusion on every
        // replica; refuse it here, before anything is signed.
        if self.store.diffusion(case)?.is_none() {
            fail!(NotFound, "no diffusion {case} in this replica");
        }
        let (diffusion, why) = (case.clone(), reason.to_owned());
        let action = if withdraw {
            DiffusionAction::Withdraw {
                diffusion,
                reason: why,
            }
        } else {
            DiffusionAction::Flag {
                diffusion,
                reason: why,
            }
        };
        let entry = self.append_traced(
            Body::Diffusion(action),
            Trace::new(
                crate::audit::AuditAction::DiffusionReview,
                case.to_string(),
                Some(reason),
            ),
        )?;
        Ok((done(case, &entry), entry))
    }

    /// The diffusions this member sent, received, or (as the secretariat) reviews.
    pub fn diffusions(&self) -> Result<Vec<bureau_core::case::Diffusion>> {
        let me = self.member();
        let diffusions: Vec<_> = self
            .store
            .diffusions()?
            .into_iter()
            .filter(|d| me.is_secretariat() || d.case.owner == me || d.to.contains(&me))
            .collect();
        self.audit(
            crate::audit::AuditAction::DiffusionList,
            "diffusions",
            None,
            Some(diffusions.len() as u64),
        )?;
        Ok(diffusions)
    }
}
