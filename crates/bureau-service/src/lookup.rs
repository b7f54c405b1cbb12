//! Searches and look-ups as a member makes them: the query answered from the replica, the line
//! in the audit log, and the hit the owner of another member's record hears about.

use std::collections::BTreeMap;

use bureau_core::{Database, MemberCode, RecordKey};
use bureau_store::RecordView;

use crate::audit::AuditAction;
use crate::clock;
use crate::error::Result;
use crate::mail::{Content, HitNotice};
use crate::query::{SearchContext, SearchRequest, Searched};
use crate::replica::Replica;

impl Replica {
    /// Searches the replica; expired, blocked and cancelled records are left out.
    /// Exact and DNA results owned by another member are hits: the owner is told directly.
    pub fn search(&self, request: &SearchRequest) -> Result<Searched> {
        let now = clock::now();
        let searched = crate::search::run(&self.store, &request.query, now.date())?;
        let description = request.query.describe();
        self.audit(
            AuditAction::Search,
            &description,
            request.purpose.as_deref(),
            Some(searched.results.len() as u64),
        )?;
        if request.query.is_exact() {
            let references = searched
                .results
                .iter()
                .filter_map(|found| found.reference.parse::<RecordKey>().ok());
            let context = SearchContext {
                purpose: request.purpose.clone(),
                place: request.place.clone(),
            };
            self.notify_hits(references, &context, &description)?;
        }
        Ok(searched)
    }

    /// Tells each owner of another member's record among `references` that a search here
    /// returned it: one notice per owner per search, naming only records it has not heard of
    /// from this member today.
    fn notify_hits(
        &self,
        references: impl IntoIterator<Item = RecordKey>,
        context: &SearchContext,
        query: &str,
    ) -> Result<()> {
        let now = clock::now();
        let mut by_owner: BTreeMap<MemberCode, Vec<RecordKey>> = BTreeMap::new();
        {
            let mut told = self
                .hits_told
                .lock()
                .map_err(|_| crate::error::Error::internal("the hit memory lock is poisoned"))?;
            for reference in references {
                if reference.owner != self.member() && told.first_today(&reference, now.date()) {
                    by_owner.entry(reference.owner).or_default().push(reference);
                }
            }
        }
        for (owner, references) in by_owner {
            self.queue_message(
                owner,
                Content::Hit(HitNotice {
                    references,
                    searched_at: now,
                    place: context.place.clone(),
                    purpose: context.purpose.clone(),
                    query: query
                        .chars()
                        .take(bureau_core::schema::MAX_TEXT_CHARS)
                        .collect(),
                }),
            )?;
        }
        Ok(())
    }

    pub fn get(&self, key: &RecordKey) -> Result<Option<RecordView>> {
        self.get_for(key, &SearchContext::default())
    }

    /// The second stage of a search: the full record. Getting another member's person or work
    /// of art (found by a fuzzy search, which only lists candidates) is the hit.
    pub fn get_for(&self, key: &RecordKey, context: &SearchContext) -> Result<Option<RecordView>> {
        let key = &self.resolve_own(key)?;
        let view = self.store.get(key)?;
        self.audit(
            AuditAction::Get,
            key.to_string(),
            context.purpose.as_deref(),
            Some(u64::from(view.is_some())),
        )?;
        let fuzzy = matches!(key.database, Database::Persons | Database::WorksOfArt);
        if fuzzy && view.as_ref().is_some_and(|view| view.record.is_some()) {
            self.notify_hits([key.clone()], context, &format!("get {key}"))?;
        }
        Ok(view)
    }
}
