//! Searches and look-ups as a member makes them: the query answered from the replica, the line
//! in the audit log, and the hit the owner of another member's record hears about.

use bureau_core::{Database, RecordKey};
use bureau_store::RecordView;

use crate::audit::AuditAction;
use crate::clock;
use crate::error::Result;
use crate::mail::{Content, HitNotice};
use crate::query::{Found, SearchContext, SearchRequest};
use crate::replica::Replica;

impl Replica {
    /// Searches the replica; expired, blocked and cancelled records are left out.
    /// Exact and DNA results owned by another member are hits: the owner is told directly.
    pub fn search(&self, request: &SearchRequest) -> Result<Vec<Found>> {
        let found = crate::search::run(&self.store, &request.query, clock::now().date())?;
        let description = request.query.describe();
        self.audit(
            AuditAction::Search,
            &description,
            request.purpose.as_deref(),
            Some(found.len() as u64),
        )?;
        if request.query.is_exact() {
            for result in &found {
                if let Ok(reference) = result.reference.parse::<RecordKey>() {
                    self.notify_hit(reference, &request.purpose, &request.place, &description)?;
                }
            }
        }
        Ok(found)
    }

    /// Tells the owner of `reference` that a search here returned it (not for own records).
    fn notify_hit(
        &self,
        reference: RecordKey,
        purpose: &Option<String>,
        place: &Option<String>,
        query: &str,
    ) -> Result<()> {
        if reference.owner == self.member() {
            return Ok(());
        }
        let owner = reference.owner;
        self.queue_message(
            owner,
            Content::Hit(HitNotice {
                reference,
                searched_at: clock::now(),
                place: place.clone(),
                purpose: purpose.clone(),
                query: query
                    .chars()
                    .take(bureau_core::schema::MAX_TEXT_CHARS)
                    .collect(),
            }),
        )?;
        Ok(())
    }

    pub fn get(&self, key: &RecordKey) -> Result<Option<RecordView>> {
        self.get_for(key, &SearchContext::default())
    }

    /// The second stage of a search: the full record. Getting another member's person or work
    /// of art (found by a fuzzy search, which only lists candidates) is the hit.
    pub fn get_for(&self, key: &RecordKey, context: &SearchContext) -> Result<Option<RecordView>> {
        let view = self.store.get(key)?;
        self.audit(
            AuditAction::Get,
            key.to_string(),
            context.purpose.as_deref(),
            Some(u64::from(view.is_some())),
        )?;
        let fuzzy = matches!(key.database, Database::Persons | Database::WorksOfArt);
        if fuzzy && view.as_ref().is_some_and(|view| view.record.is_some()) {
            self.notify_hit(
                key.clone(),
                &context.purpose,
                &context.place,
                &format!("get {key}"),
            )?;
        }
        Ok(view)
    }
}
