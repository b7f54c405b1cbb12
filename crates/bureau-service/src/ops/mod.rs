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
pub use mail::{AnswerHit, ListHits, ListMail, PageQuery};
pub use members::{AdmitMember, Announced, ListMembers, RevokeMember};
pub use node::{
    ExportMail, GetStatus, ListPeers, MAIL_BACKUP_PAGE_ITEMS, MailPage, NetworkStatus, NodeStatus,
    Readiness, WitnessAudit, WrapKeys,
};
pub use paths::{CasePath, RecordPath};
pub use records::{
    BlockRecord, Blocked, CancelRecord, DueForReview, EXPORT_PAGE_RECORDS, EraseDue, Erased,
    ExportRecords, ExtendRecord, GetRecord, ImportBatch, MAX_REVIEW_WITHIN_DAYS,
};

/// Shows every operation to `visitor`, in the order the API documents them.
pub fn visit_all(visitor: &mut impl Visitor) {
    visitor.visit::<GetStatus>();
    visitor.visit::<ListPeers>();
    visitor.visit::<WitnessAudit>();
    visitor.visit::<WrapKeys>();
    visitor.visit::<ExportMail>();
    visitor.visit::<crate::records::Draft>();
    visitor.visit::<GetRecord>();
    visitor.visit::<CancelRecord>();
    visitor.visit::<BlockRecord>();
    visitor.visit::<ExtendRecord>();
    visitor.visit::<ImportBatch>();
    visitor.visit::<DueForReview>();
    visitor.visit::<EraseDue>();
    visitor.visit::<ExportRecords>();
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::operation::{Method, Operation, path_fields};

    /// Names, method and path of every operation.
    #[derive(Default)]
    struct Catalogue(Vec<(&'static str, Method, &'static str)>);

    impl Visitor for Catalogue {
        fn visit<O: Operation>(&mut self) {
            self.0.push((O::NAME, O::METHOD, O::PATH));
        }
    }

    /// Every operation has its own name and its own method and path, and every path field is a
    /// text segment of its own: what the generic router and client rely on.
    #[test]
    fn every_operation_has_its_own_name_and_route() {
        let mut catalogue = Catalogue::default();
        visit_all(&mut catalogue);
        let names: BTreeSet<_> = catalogue.0.iter().map(|(name, _, _)| *name).collect();
        assert_eq!(names.len(), catalogue.0.len(), "an operation name repeats");
        let routes: BTreeSet<_> = catalogue
            .0
            .iter()
            .map(|(_, method, path)| (format!("{method:?}"), *path))
            .collect();
        assert_eq!(routes.len(), catalogue.0.len(), "a method and path repeat");
        for (name, _, path) in &catalogue.0 {
            assert!(path.starts_with("/v1/"), "{name}: {path}");
            for field in path_fields(path) {
                assert!(
                    !field.is_empty() && field.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "{name}: path field {field:?}"
                );
            }
        }
    }
}
