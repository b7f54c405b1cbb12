//! Signals of a member publishing decoys or flooding: many live records of one owner under one
//! exact identifier (a VIN, a document number, a serial), and far more entries in an hour than
//! a member publishes in a normal hour. Fair search already keeps decoys from hiding anyone's
//! record; these signals make the behaviour visible (status, a WARN line) so the secretariat can
//! act (block the records, revoke the member).
//!
//! Signals are kept in memory, per replica: they are recomputed from new entries after a
//! restart, and they never change what is stored or answered.

use std::collections::BTreeMap;

use bureau_core::record::{Index, IndexTerm};
use bureau_core::{MemberCode, PublicKey, Record, Timestamp};

use crate::{Result, Store, layout};

/// Live records of one owner under one exact identifier beyond which the owner is flagged.
pub const MAX_RECORDS_PER_IDENTIFIER: usize = 20;
/// Entries one member may sign in one hour (by their timestamps) before it is flagged.
pub const MAX_ENTRIES_PER_MEMBER_PER_HOUR: u64 = 200_000;
/// Members tracked at once (the network has about 200).
const MAX_MEMBERS_TRACKED: usize = 1_024;

const MS_PER_HOUR: u64 = 60 * 60 * 1000;

/// What was seen of one member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberAnomalies {
    /// Identifiers under which it holds more than [`MAX_RECORDS_PER_IDENTIFIER`] live records.
    pub crowded_identifiers: u64,
    /// The last such identifier, as indexed (normalised).
    pub last_crowded: Option<String>,
    /// Hours in which it signed more than [`MAX_ENTRIES_PER_MEMBER_PER_HOUR`] entries.
    pub busy_hours: u64,
    /// Entries of its logs refused here for their storage quota, and the last bucket.
    pub over_quota: u64,
    pub last_over_quota: Option<bureau_core::quota::Bucket>,
    /// The hour (ms since 1970, start of the hour) and entry count of its current hour.
    hour: u64,
    entries_this_hour: u64,
}

/// Every member's signals.
#[derive(Debug, Default)]
pub struct Anomalies {
    members: BTreeMap<MemberCode, MemberAnomalies>,
}

impl Anomalies {
    fn member(&mut self, member: MemberCode) -> Option<&mut MemberAnomalies> {
        if !self.members.contains_key(&member) && self.members.len() >= MAX_MEMBERS_TRACKED {
            return None;
        }
        Some(self.members.entry(member).or_default())
    }

    /// Counts one entry of `member` signed at `at`; true when this entry makes the hour busy.
    fn note_entry(&mut self, member: MemberCode, at: Timestamp) -> bool {
        let Some(seen) = self.member(member) else {
            return false;
        };
        let hour = at.0 / MS_PER_HOUR * MS_PER_HOUR;
        if hour != seen.hour {
            seen.hour = hour;
            seen.entries_this_hour = 0;
        }
        seen.entries_this_hour += 1;
        let busy = seen.entries_this_hour == MAX_ENTRIES_PER_MEMBER_PER_HOUR + 1;
        if busy {
            seen.busy_hours += 1;
        }
        busy
    }

    fn note_crowded(&mut self, member: MemberCode, identifier: String) {
        if let Some(seen) = self.member(member) {
            seen.crowded_identifiers += 1;
            seen.last_crowded = Some(identifier);
        }
    }

    /// Counts an entry of `member` refused for its quota in `bucket`; true the first time for
    /// that member and bucket (so the WARN line is written once).
    pub(crate) fn note_over_quota(
        &mut self,
        member: MemberCode,
        bucket: bureau_core::quota::Bucket,
    ) -> bool {
        let Some(seen) = self.member(member) else {
            return false;
        };
        seen.over_quota += 1;
        let first = seen.last_over_quota != Some(bucket);
        seen.last_over_quota = Some(bucket);
        first
    }

    /// Members with a signal, in code order.
    pub fn flagged(&self) -> Vec<(MemberCode, MemberAnomalies)> {
        self.members
            .iter()
            .filter(|(_, seen)| {
                seen.crowded_identifiers > 0 || seen.busy_hours > 0 || seen.over_quota > 0
            })
            .map(|(member, seen)| (*member, seen.clone()))
            .collect()
    }
}

/// Indexes whose terms name one object, where many records of one owner are a sign of decoys.
fn is_identifier(index: Index) -> bool {
    matches!(
        index,
        Index::TravelDocument
            | Index::Vin
            | Index::EngineNumber
            | Index::Firearm
            | Index::Vessel
            | Index::Template
    )
}

impl Store {
    /// Looks at records just applied: counts their author's entries per hour and their owner's
    /// live records under each exact identifier (a bounded scan per identifier).
    pub(crate) fn watch(&self, applied: &[(MemberCode, Timestamp, Option<&Record>)]) -> Result<()> {
        let mut crowded = Vec::new();
        {
            let mut anomalies = self.anomalies();
            for (member, at, _) in applied {
                if anomalies.note_entry(*member, *at) {
                    tracing::warn!(%member, limit = MAX_ENTRIES_PER_MEMBER_PER_HOUR, "a member signed more entries in one hour than the anomaly limit");
                }
            }
        }
        for record in applied.iter().filter_map(|(_, _, record)| *record) {
            for term in record.index_terms() {
                if is_identifier(term.index)
                    && self.owner_postings(&term, record)? > MAX_RECORDS_PER_IDENTIFIER
                {
                    crowded.push((record.key.owner, term));
                }
            }
        }
        if crowded.is_empty() {
            return Ok(());
        }
        let mut anomalies = self.anomalies();
        for (owner, term) in crowded {
            let identifier = String::from_utf8_lossy(&term.bytes).into_owned();
            let first = anomalies
                .members
                .get(&owner)
                .is_none_or(|seen| seen.crowded_identifiers == 0);
            if first {
                tracing::warn!(member = %owner, %identifier, limit = MAX_RECORDS_PER_IDENTIFIER, "a member holds many live records under one identifier: possible decoys");
            }
            anomalies.note_crowded(owner, identifier);
        }
        Ok(())
    }

    /// How many postings the record's owner has under `term` (this record's database), counted
    /// up to one past [`MAX_RECORDS_PER_IDENTIFIER`].
    fn owner_postings(&self, term: &IndexTerm, record: &Record) -> Result<usize> {
        let mut prefix = term.bytes.clone();
        prefix.push(0);
        prefix.push(record.key.database.tag());
        prefix.extend_from_slice(record.key.owner.as_bytes());
        let mut count = 0;
        for item in self.trees[layout::index_position(term.index)]
            .scan_prefix(prefix)
            .keys()
            .take(MAX_RECORDS_PER_IDENTIFIER + 1)
        {
            item.map_err(|e| self.sled_error(e))?;
            count += 1;
        }
        Ok(count)
    }

    /// Notes entries refused for their author's storage quota: a WARN line the first time per
    /// member and bucket, and a count in the member's anomalies.
    pub(crate) fn watch_quota(
        &self,
        refused: &[(PublicKey, bureau_core::quota::Bucket)],
    ) -> Result<()> {
        for (author, bucket) in refused {
            let Some(member) = self.certificate(author)?.map(|c| c.member()) else {
                continue;
            };
            if self.anomalies().note_over_quota(member, *bucket) {
                tracing::warn!(%member, %bucket, key = %author, "a member's log is past its storage quota: its entries are refused until it erases old ones");
            }
        }
        Ok(())
    }

    fn anomalies(&self) -> std::sync::MutexGuard<'_, Anomalies> {
        self.anomalies
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Members with an anomaly signal (see the module comment).
    pub fn anomalies_seen(&self) -> Vec<(MemberCode, MemberAnomalies)> {
        self.anomalies().flagged()
    }
}
