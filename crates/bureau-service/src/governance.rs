//! Membership and the secretariat's acts on the replica: admitting and revoking members,
//! blocking records, the members list, and erasing the bodies of expired and cancelled records.

use std::collections::BTreeMap;

use bureau_core::{Body, Certificate, Entry, MemberCode, RecordKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::AuditAction;
use crate::clock;
use crate::error::Result;
use crate::fail;
use crate::replica::{Replica, Trace, is_expired};

/// A member as a replica knows it: one line of `bureau members`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MemberInfo {
    pub member: MemberCode,
    pub roles: Vec<bureau_core::Role>,
    pub serial: u64,
    pub node_key: String,
    pub not_after: bureau_core::Date,
    /// `active`, `forked`, `revoked` or `expired`.
    pub status: String,
    /// Why it was revoked, and the last entry of its key that stays valid.
    pub revocation: Option<String>,
    /// The seq at which this key's log forked (two histories signed with it): entries from
    /// there on are refused everywhere until the secretariat revokes the key.
    pub forked_at: Option<u64>,
    /// How many certificates the key has (more than one after a renewal).
    pub certificates: usize,
}

impl Replica {
    /// Announces a member's certificate with an `Admit` entry (secretariat only). A key that
    /// has a certificate already takes another only as a renewal naming its latest one; a
    /// revoked key takes none.
    pub fn admit(&self, certificate: Certificate, renews: Option<u64>) -> Result<Entry> {
        if let Err(error) = certificate.verify(&self.store.network(), &self.store.root_key()) {
            fail!(
                InvalidInput,
                "the certificate is not valid for this network: {error}"
            );
        }
        let key = certificate.node_key();
        if let Some(revoke) = self.store.revocation_of_key(&key)? {
            fail!(
                Conflict,
                "this node key was revoked ({}): a revoked key is never admitted again; the member needs a new key (`bureau init` in a fresh directory)",
                revoke.reason
            );
        }
        let held: Vec<_> = self
            .store
            .certificates(&key)?
            .into_iter()
            .filter(|held| *held != certificate)
            .map(|held| (held.member(), held.body.serial, held.body.not_before))
            .collect();
        crate::trust::check_renewal(&held, certificate.member(), renews)?;
        if let Some(latest) = held.iter().map(|(_, _, not_before)| *not_before).max()
            && certificate.body.not_before <= latest
        {
            fail!(
                Conflict,
                "a renewal must start after the certificate it renews"
            );
        }
        let target = format!(
            "{} serial {}",
            certificate.member(),
            certificate.body.serial
        );
        let entry = self.append_traced(
            Body::Admit(certificate),
            Trace::new(AuditAction::Admit, target, None),
        )?;
        Ok(entry)
    }

    /// Revokes the keys of `member` (secretariat only; a revocation covers every certificate of
    /// a key), or only the key holding certificate `serial` (key rotation): each key's entries
    /// after its present head in this replica stop being valid everywhere (a forked key's head
    /// is already the entry before its fork).
    pub fn revoke(
        &self,
        member: MemberCode,
        serial: Option<u64>,
        reason: &str,
    ) -> Result<Vec<Entry>> {
        // A revocation covers the key: every certificate of it, valid or expired.
        let targets: Vec<Certificate> = self
            .store
            .members()?
            .into_iter()
            .filter(|certificate| certificate.member() == member)
            .filter(|certificate| {
                serial.is_none_or(|serial| {
                    self.store
                        .certificates(&certificate.node_key())
                        .is_ok_and(|all| all.iter().any(|c| c.body.serial == serial))
                })
            })
            .collect();
        let mut entries = Vec::new();
        for certificate in targets {
            if self
                .store
                .revocation_of_key(&certificate.node_key())?
                .is_some()
            {
                continue;
            }
            let last_valid_seq = self
                .store
                .head(&certificate.node_key())?
                .map_or(0, |head| head.seq);
            let _serialised = self
                .append_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if entries.is_empty() {
                self.check_may_sign()?;
                self.audit(AuditAction::Revoke, member.to_string(), Some(reason), None)?;
            }
            entries.push(
                self.sign_and_apply(Body::Revoke(bureau_core::entry::Revoke {
                    serial: certificate.body.serial,
                    last_valid_seq,
                    reason: reason.to_owned(),
                }))?,
            );
        }
        if entries.is_empty() {
            fail!(
                Conflict,
                "{member} has no current certificate that is not already revoked"
            );
        }
        Ok(entries)
    }

    /// Blocks (or unblocks) a record on every replica (secretariat only).
    pub fn block(&self, key: &RecordKey, blocked: bool, reason: &str) -> Result<Entry> {
        let action = if blocked {
            AuditAction::Block
        } else {
            AuditAction::Unblock
        };
        self.append_traced(
            Body::Block(bureau_core::entry::Block {
                key: key.clone(),
                blocked,
                reason: reason.to_owned(),
            }),
            Trace::new(action, key.to_string(), Some(reason)),
        )
    }

    /// Erases, on every replica, the bodies of this member's records that expired or were
    /// cancelled: publishes `Erase` entries naming their `Put` entries (all versions), in chunks
    /// of [`bureau_core::entry::MAX_ERASE_ENTRIES`]. Returns the entries, for the network.
    pub fn erase_due(&self) -> Result<Vec<Entry>> {
        let today = clock::now().date();
        let me = self.member();
        let my_keys: Vec<_> = self
            .store
            .members()?
            .into_iter()
            .filter(|certificate| certificate.member() == me)
            .map(|certificate| certificate.node_key())
            .collect();
        let mut puts: BTreeMap<RecordKey, Vec<bureau_core::entry::ErasedEntry>> = BTreeMap::new();
        for author in &my_keys {
            self.store.for_each_entry(author, |entry| {
                let key = match &entry.body {
                    Some(Body::Put(record)) => Some(&record.key),
                    Some(Body::PutSealed(sealed)) => Some(&sealed.key),
                    _ => None,
                };
                if let Some(key) = key {
                    puts.entry(key.clone())
                        .or_default()
                        .push(bureau_core::entry::ErasedEntry {
                            author: entry.header.author,
                            seq: entry.header.seq,
                            entry: entry.hash(),
                        });
                }
            })?;
        }
        let mut due: Vec<(bureau_core::entry::ErasedEntry, &'static str)> = Vec::new();
        for (key, entries) in puts {
            let Some(view) = self.store.get(&key)? else {
                continue;
            };
            let reason = match &view.record {
                None => "record cancelled",
                Some(record) if is_expired(record, today) => "retention: review date passed",
                Some(_) => continue,
            };
            due.extend(entries.into_iter().map(|entry| (entry, reason)));
        }
        let mut published = Vec::new();
        if !due.is_empty() {
            self.audit(
                AuditAction::Erase,
                "expired and cancelled records",
                None,
                Some(due.len() as u64),
            )?;
        }
        for reason in ["record cancelled", "retention: review date passed"] {
            let mine: Vec<_> = due
                .iter()
                .filter(|(_, why)| *why == reason)
                .map(|(entry, _)| entry.clone())
                .collect();
            for chunk in mine.chunks(bureau_core::entry::MAX_ERASE_ENTRIES) {
                published.push(self.append_body(Body::Erase(bureau_core::entry::Erase {
                    entries: chunk.to_vec(),
                    reason: reason.to_owned(),
                }))?);
            }
        }
        Ok(published)
    }

    /// Every member this replica knows, with the status of its certificate.
    pub fn members(&self) -> Result<Vec<MemberInfo>> {
        let now = clock::now();
        let mut members = Vec::new();
        let forks = self.store.fork_points()?;
        for certificate in self.store.members()? {
            let key = certificate.node_key();
            let revocation = self.store.revocation_of_key(&key)?;
            let forked_at = forks.get(&key).copied();
            let status = if revocation.is_some() {
                "revoked"
            } else if forked_at.is_some() {
                "forked"
            } else if certificate.is_valid_at(now) {
                "active"
            } else {
                "expired"
            };
            members.push(MemberInfo {
                member: certificate.member(),
                roles: certificate.body.roles.iter().copied().collect(),
                serial: certificate.body.serial,
                node_key: certificate.node_key().to_string(),
                not_after: certificate.body.not_after.date(),
                status: status.to_owned(),
                revocation: revocation.map(|revoke| {
                    format!(
                        "{} (entries after seq {} refused)",
                        revoke.reason, revoke.last_valid_seq
                    )
                }),
                forked_at,
                certificates: self.store.certificates(&key)?.len(),
            });
        }
        members.sort_by(|a, b| a.member.cmp(&b.member).then(a.serial.cmp(&b.serial)));
        Ok(members)
    }
}
