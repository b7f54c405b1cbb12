//! The audit log witnessed by the network. The node signs its audit log's head (lines, last
//! hash, bytes) into its own log every [`AUDIT_WITNESS_INTERVAL`] when it moved, so every
//! member holds it. A log later found shorter than that head, or with another line at that
//! place, was cut, deleted or rewritten, even if the whole node directory was rolled back with
//! it: the node gets its own log back from its peers when it starts.
//!
//! What holds it: the daemon refuses to start on such a log until the operator passes
//! `--accept-audit-loss` (written to the log as `audit-loss-accepted`, then witnessed afresh);
//! a witness learnt from peers after start turns up in `status` (a warning, `audit.rolled_back`)
//! and stops further witnessing until then; `bureau audit --verify` checks the file against it.

use bureau_core::{Body, Entry};

use crate::audit::{AuditAction, Rollback};
use crate::error::Result;
use crate::fail;
use crate::replica::Replica;

/// How often a running node signs its audit head into its log, when it moved.
pub const AUDIT_WITNESS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

impl Replica {
    /// The operator accepts `rollback` (`--accept-audit-loss`): written to the audit log, and
    /// not held against it until the next witness.
    pub fn accept_audit_loss(&self, rollback: &Rollback) -> Result<()> {
        self.audit(
            AuditAction::AuditLossAccepted,
            rollback.to_string(),
            Some("the operator started the node with --accept-audit-loss"),
            None,
        )?;
        *self.lock_accepted() = Some(rollback.witnessed());
        Ok(())
    }

    /// Signs the audit log's head into this node's log if it moved since the last witness.
    /// Refuses while the log falls short of the witnessed head: witnessing it then would hide
    /// the loss.
    pub fn witness_audit(&self) -> Result<Option<Entry>> {
        if let Some(rollback) = self.audit_rollback()? {
            fail!(
                Conflict,
                "{rollback}; not witnessing it (restart the node with --accept-audit-loss once the cause is known)"
            );
        }
        let Some(head) = self.audit.witness() else {
            return Ok(None);
        };
        if self.audit_witnessed()? == Some(head) {
            return Ok(None);
        }
        let entry = self.append_body(Body::AuditWitness(head))?;
        *self.lock_accepted() = None;
        Ok(Some(entry))
    }
}
