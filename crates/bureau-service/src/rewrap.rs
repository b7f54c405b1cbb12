//! Readers added after a record was sealed: a member admitted since, or a member's node with a
//! new encryption key. The owner's node wraps the content keys of its member's live restricted
//! records, and of its actions on notices and diffusions, for every current reader key that
//! neither the sealing nor an earlier wrap named, in `KeyWrap` entries, so those readers open
//! them without anything being sealed again (a secretariat node that replaced another reads
//! the requests under review). The daemon runs it every [`REWRAP_INTERVAL`] when the set of
//! reader keys changed since its last pass ([`Replica::reader_keys_fingerprint`]), and
//! `bureau wrap-keys` runs it now.

use std::collections::BTreeSet;

use bureau_core::entry::{EntryKeyWrap, KeyWrap, MAX_KEY_WRAPS};
use bureau_core::{Access, Body, Entry, MemberCode};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use crate::error::Result;
use crate::replica::{Readers, Replica, Trace};

/// How often a running node looks for readers added since its member's records were sealed.
pub const REWRAP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// What one pass gave new readers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Rewrapped {
    /// Records and case actions whose key went to at least one new reader.
    pub records: usize,
    /// Keys wrapped (one per record and new reader key).
    pub keys: usize,
    /// `KeyWrap` entries signed.
    pub entries: usize,
    /// Records or case actions with new readers that this node cannot open (sealed to a key
    /// it does not hold).
    pub unreadable: usize,
}

impl Replica {
    /// A fingerprint of the current reader keys (every valid, unrevoked certificate's member
    /// and encryption key): a pass can find nothing new to wrap while it stays the same.
    pub fn reader_keys_fingerprint(&self) -> Result<bureau_core::Hash> {
        let mut readers = Readers::default();
        let current = self.current_readers(&mut readers)?;
        Ok(bureau_core::Hash::of(
            bureau_core::hash::domain::READER_KEYS,
            &[&bureau_core::codec::encode(&current)],
        ))
    }

    /// Wraps the content key of each of this member's live restricted records for the current
    /// reader keys it was not sealed or wrapped to, and signs the wraps (at most
    /// [`MAX_KEY_WRAPS`] per entry). The entries are for the caller to gossip.
    pub fn wrap_for_new_readers(&self) -> Result<(Rewrapped, Vec<Entry>)> {
        let mut readers = Readers::default();
        let mut report = Rewrapped::default();
        let mut wraps = Vec::new();
        for (entry, access, what) in self.sealed_by_this_member()? {
            let Some((sealed, _)) = entry
                .body
                .as_ref()
                .and_then(|body| body.sealed(&entry.header))
            else {
                continue;
            };
            let (author, seq) = (entry.header.author, entry.header.seq);
            let mut named: BTreeSet<_> = sealed.recipients().copied().collect();
            named.extend(self.store.wrapped_for(&author, seq)?);
            let missing: Vec<_> = self
                .readers(&access, &mut readers)?
                .into_iter()
                .filter(|key| !named.contains(key))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let Some(content_key) = self.store.content_key(&entry)? else {
                report.unreadable += 1;
                tracing::warn!(%what, "sealed by this member for readers it was not sealed to, but this node cannot open it to give them its key: keep the key it was sealed to with `bureau node keep-key`");
                continue;
            };
            report.records += 1;
            let hash = entry.hash();
            for recipient in missing {
                let wrapped = bureau_core::seal::wrap_key(
                    &content_key,
                    recipient,
                    &EntryKeyWrap::aad(&hash),
                    crate::files::random_secret(),
                )?;
                wraps.push(EntryKeyWrap {
                    author,
                    seq,
                    entry: hash,
                    wrapped,
                });
            }
        }
        report.keys = wraps.len();
        let mut entries = Vec::new();
        for chunk in wraps.chunks(MAX_KEY_WRAPS) {
            let records: BTreeSet<_> = chunk.iter().map(|wrap| (wrap.author, wrap.seq)).collect();
            let target = format!("{} keys of {} records", chunk.len(), records.len());
            entries.push(self.append_traced(
                Body::KeyWrap(KeyWrap {
                    wraps: chunk.to_vec(),
                }),
                Trace::new(
                    AuditAction::KeyWrap,
                    target,
                    Some("readers added since the records were sealed"),
                ),
            )?);
        }
        report.entries = entries.len();
        if report.keys > 0 {
            tracing::info!(
                records = report.records,
                keys = report.keys,
                "restricted records' keys given to readers added since they were sealed"
            );
        }
        Ok((report, entries))
    }

    /// What this member sealed that this node reads, with who may read it now: its live
    /// restricted records (their access) and its actions on notices and diffusions (their
    /// owner, the secretariat, and a diffusion's recipients), each with a name for the logs.
    fn sealed_by_this_member(&self) -> Result<Vec<(Entry, Access, String)>> {
        let mut sealed = Vec::new();
        for entry in self.store.sealed_records_of(&self.member())? {
            if let Some(Body::PutSealed(record)) = &entry.body {
                let (access, name) = (record.access.clone(), record.key.to_string());
                sealed.push((entry, access, name));
            }
        }
        let cases = self.store.sealed_case_entries_of(&self.member())?;
        let diffusions = if cases.iter().any(|(_, is_notice, _)| !is_notice) {
            self.store.diffusions()?
        } else {
            Vec::new()
        };
        for (case, is_notice, entry) in cases {
            let mut members = BTreeSet::from([case.owner, MemberCode::SECRETARIAT]);
            if !is_notice && let Some(diffusion) = diffusions.iter().find(|held| held.case == case)
            {
                members.extend(diffusion.to.iter().copied());
            }
            sealed.push((entry, Access::Members(members), case.to_string()));
        }
        Ok(sealed)
    }
}
