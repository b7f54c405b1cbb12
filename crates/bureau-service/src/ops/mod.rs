//! The catalogue of operations: every request type with its `impl Operation`, grouped by area,
//! and [`visit_all`], the one list both faces and the OpenAPI document are built from.

mod cases;
mod mail;
mod members;
mod node;
mod paths;
mod records;
mod search;

use crate::operation::Visitor;

pub use cases::{
    CancelNotice, DiffusionReview, ListDiffusions, ListNotices, ReviewDiffusion, ReviewNotice,
    ShowNotice,
};
pub use mail::{AnswerHit, ListHits, ListMail};
pub use members::{AdmitMember, Announced, ListMembers, RevokeMember};
pub use node::{GetStatus, ListPeers, NetworkStatus, NodeStatus};
pub use paths::{CasePath, RecordPath};
pub use records::{
    BlockRecord, Blocked, CancelRecord, DueForReview, EraseDue, Erased, ExtendRecord, GetRecord,
    ImportBatch, MAX_REVIEW_WITHIN_DAYS,
};

/// Shows every operation to `visitor`, in the order the API documents them.
pub fn visit_all(visitor: &mut impl Visitor) {
    visitor.visit::<GetStatus>();
    visitor.visit::<ListPeers>();
    visitor.visit::<crate::records::Draft>();
    visitor.visit::<GetRecord>();
    visitor.visit::<CancelRecord>();
    visitor.visit::<BlockRecord>();
    visitor.visit::<ExtendRecord>();
    visitor.visit::<ImportBatch>();
    visitor.visit::<DueForReview>();
    visitor.visit::<EraseDue>();
    visitor.visit::<crate::query::SearchRequest>();
    visitor.visit::<ListMembers>();
    visitor.visit::<AdmitMember>();
    visitor.visit::<RevokeMember>();
    visitor.visit::<ListMail>();
    visitor.visit::<crate::mail::SendMessage>();
    visitor.visit::<ListHits>();
    visitor.visit::<AnswerHit>();
    visitor.visit::<ListNotices>();
    visitor.visit::<crate::cases::NoticeDraft>();
    visitor.visit::<ShowNotice>();
    visitor.visit::<ReviewNotice>();
    visitor.visit::<CancelNotice>();
    visitor.visit::<ListDiffusions>();
    visitor.visit::<crate::cases::DiffusionDraft>();
    visitor.visit::<ReviewDiffusion>();
}
