//! The node's durable mailbox for direct messages: an outbox that survives restarts until the
//! recipient acknowledges, an inbox that keeps each message once, and the record of what was
//! sent. Messages are opaque signed bytes here; the node gives them meaning.
//!
//! Every write is flushed before it returns, so a message accepted into the outbox, or
//! acknowledged to its sender, is on disk.

use serde::{Deserialize, Serialize};

use bureau_core::codec;
use bureau_core::{MemberCode, Timestamp};

use crate::{Result, Store, stored};

/// A message waiting for its recipient's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub id: String,
    pub to: MemberCode,
    pub bytes: Vec<u8>,
    pub queued_at: Timestamp,
    pub attempts: u32,
    pub next_attempt: Timestamp,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// A message as this node keeps it: sent (with its delivery time once acknowledged) or
/// received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    pub id: String,
    pub bytes: Vec<u8>,
    /// When it was received, or when it was queued for sending.
    pub at: Timestamp,
    /// For sent messages: when the recipient acknowledged it.
    pub delivered_at: Option<Timestamp>,
}

impl Store {
    fn mailbox_tree(&self, name: &str) -> Result<sled::Tree> {
        self.db.open_tree(name).map_err(|e| self.sled_error(e))
    }

    fn mailbox_put<T: Serialize>(&self, tree: &str, id: &str, value: &T) -> Result<()> {
        self.mailbox_tree(tree)?
            .insert(id.as_bytes(), codec::encode(value))
            .map_err(|e| self.sled_error(e))?;
        self.flush()
    }

    fn mailbox_all<T: serde::de::DeserializeOwned>(&self, tree: &str) -> Result<Vec<T>> {
        self.mailbox_tree(tree)?
            .iter()
            .values()
            .map(|bytes| {
                let bytes = bytes.map_err(|e| self.sled_error(e))?;
                stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path)
            })
            .collect()
    }

    fn mailbox_get<T: serde::de::DeserializeOwned>(
        &self,
        tree: &str,
        id: &str,
    ) -> Result<Option<T>> {
        self.mailbox_tree(tree)?
            .get(id.as_bytes())
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path))
            .transpose()
    }

    /// Queues a message and keeps it among the sent ones.
    pub fn queue_outgoing(&self, outgoing: &Outgoing) -> Result<()> {
        self.mailbox_put(
            SENT,
            &outgoing.id,
            &Kept {
                id: outgoing.id.clone(),
                bytes: outgoing.bytes.clone(),
                at: outgoing.queued_at,
                delivered_at: None,
            },
        )?;
        self.mailbox_put(OUTBOX, &outgoing.id, outgoing)
    }

    /// Every message still waiting, oldest id first.
    pub fn outbox(&self) -> Result<Vec<Outgoing>> {
        self.mailbox_all(OUTBOX)
    }

    /// Records a failed attempt and when to try again.
    pub fn retry_later(&self, id: &str, next_attempt: Timestamp, error: &str) -> Result<()> {
        if let Some(mut outgoing) = self.mailbox_get::<Outgoing>(OUTBOX, id)? {
            outgoing.attempts += 1;
            outgoing.next_attempt = next_attempt;
            outgoing.last_error = Some(error.to_owned());
            self.mailbox_put(OUTBOX, id, &outgoing)?;
        }
        Ok(())
    }

    /// The recipient acknowledged: out of the outbox, marked delivered among the sent.
    pub fn delivered(&self, id: &str, at: Timestamp) -> Result<()> {
        if let Some(mut kept) = self.mailbox_get::<Kept>(SENT, id)? {
            kept.delivered_at = Some(at);
            self.mailbox_put(SENT, id, &kept)?;
        }
        self.mailbox_tree(OUTBOX)?
            .remove(id.as_bytes())
            .map_err(|e| self.sled_error(e))?;
        self.flush()
    }

    /// Keeps a received message; false when it was already there (a retried delivery).
    pub fn receive(&self, id: &str, bytes: &[u8], at: Timestamp) -> Result<bool> {
        let kept = Kept {
            id: id.to_owned(),
            bytes: bytes.to_vec(),
            at,
            delivered_at: None,
        };
        let inserted = self
            .mailbox_tree(INBOX)?
            .compare_and_swap(id.as_bytes(), None::<&[u8]>, Some(codec::encode(&kept)))
            .map_err(|e| self.sled_error(e))?
            .is_ok();
        self.flush()?;
        Ok(inserted)
    }

    /// Every received message, by id.
    pub fn inbox(&self) -> Result<Vec<Kept>> {
        self.mailbox_all(INBOX)
    }

    /// Every sent message, by id.
    pub fn sent(&self) -> Result<Vec<Kept>> {
        self.mailbox_all(SENT)
    }
}

/// Tree names: local to this node, never replicated.
const OUTBOX: &str = "mail/outbox";
const INBOX: &str = "mail/inbox";
const SENT: &str = "mail/sent";
