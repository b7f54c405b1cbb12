//! The node's durable mailbox for direct messages: an outbox that survives restarts until the
//! recipient acknowledges (or the sender gives up), an inbox that keeps each message once under
//! per-sender quotas, the record of what was sent, and the indexes that let every list be read
//! a page at a time: messages by time, ids, hits by time and the answer to each hit. Messages
//! are opaque signed bytes here; the service gives them meaning and passes what the indexes
//! need ([`MailKind`], the other member).
//!
//! Every write is one sled transaction, flushed before it returns, so a message accepted into
//! the outbox, or acknowledged to its sender, is on disk with all its index entries.

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use bureau_core::codec;
use bureau_core::{MemberCode, Timestamp};

use crate::{Error, Result, Store, stored};

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

/// What a message is, as far as the indexes care.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailKind {
    Text,
    Hit,
    /// An answer to the hit with this id.
    HitReply {
        hit: String,
    },
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
    /// The other member: the sender of a received message, the recipient of a sent one.
    pub peer: MemberCode,
    pub kind: MailKind,
    /// For sent messages: why delivery was given up, if it was.
    pub failed: Option<String>,
    /// For sent messages still waiting: attempts so far and why the last one failed.
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// Which side of the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Received,
    Sent,
}

/// What one sender may make this node keep (the service's named constants).
#[derive(Debug, Clone, Copy)]
pub struct InboxQuota {
    pub messages_per_day: u32,
    pub bytes_per_day: u64,
    /// Bytes kept from one sender at any time, until retention removes old messages.
    pub bytes_kept: u64,
}

/// What happened to a received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Kept now.
    New,
    /// Already kept (a retried delivery).
    Duplicate,
    /// Refused: the sender is past a quota (the reason says which); `first_today` on the
    /// sender's first refusal of the day, so it is logged once.
    OverQuota { reason: String, first_today: bool },
    /// Refused: an answer to a hit this node never sent to that member.
    UnknownHit,
}

/// One sender's use of the inbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderUsage {
    /// The UTC day (days since 1970) the daily counts are for.
    pub day: i64,
    pub messages_today: u32,
    pub bytes_today: u64,
    pub refused_today: u32,
    pub bytes_kept: u64,
}

/// One piece of the mailbox as a backup holds it: what no peer can give back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailItem {
    /// A message kept on one side (`sent`: sent by this node, else received).
    Kept { sent: bool, kept: Kept },
    /// A message still waiting in the outbox.
    Outgoing(Outgoing),
}

/// A backup's position in the mailbox: the tree (`m` messages, `d` outbox), then the key.
const BACKUP_MESSAGES: u8 = b'm';
const BACKUP_DUE: u8 = b'd';

/// Tree names: local to this node, never replicated.
const MESSAGES: &str = "mailbox/messages";
const IDS: &str = "mailbox/ids";
const HITS: &str = "mailbox/hits";
const REPLIES: &str = "mailbox/replies";
const DUE: &str = "mailbox/due";
const SENDERS: &str = "mailbox/senders";

const MS_PER_DAY: u64 = 24 * 60 * 60 * 1000;

fn side(direction: Direction) -> u8 {
    match direction {
        Direction::Received => b'r',
        Direction::Sent => b's',
    }
}

/// `side ‖ time ‖ id`: messages (and hits) of one side, oldest first.
fn timed_key(direction: Direction, at: Timestamp, id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(9 + id.len());
    key.push(side(direction));
    key.extend_from_slice(&at.0.to_be_bytes());
    key.extend_from_slice(id.as_bytes());
    key
}

fn id_key(direction: Direction, id: &str) -> Vec<u8> {
    let mut key = vec![side(direction)];
    key.extend_from_slice(id.as_bytes());
    key
}

fn due_key(outgoing: &Outgoing) -> Vec<u8> {
    let mut key = outgoing.next_attempt.0.to_be_bytes().to_vec();
    key.extend_from_slice(outgoing.id.as_bytes());
    key
}

/// Aborts a mailbox transaction with a store error.
fn abort<T>(error: Error) -> std::result::Result<T, ConflictableTransactionError<Error>> {
    Err(ConflictableTransactionError::Abort(error))
}

struct Trees {
    messages: sled::Tree,
    ids: sled::Tree,
    hits: sled::Tree,
    replies: sled::Tree,
    due: sled::Tree,
    senders: sled::Tree,
}

impl Store {
    fn mailbox(&self) -> Result<Trees> {
        let open = |name: &str| self.db.open_tree(name).map_err(|e| self.sled_error(e));
        Ok(Trees {
            messages: open(MESSAGES)?,
            ids: open(IDS)?,
            hits: open(HITS)?,
            replies: open(REPLIES)?,
            due: open(DUE)?,
            senders: open(SENDERS)?,
        })
    }

    /// Runs one transaction over every mailbox tree and flushes it.
    fn mail_transaction<T>(
        &self,
        body: impl Fn(
            &[TransactionalTree],
        ) -> std::result::Result<T, ConflictableTransactionError<Error>>,
    ) -> Result<T> {
        let trees = self.mailbox()?;
        let result = (
            &trees.messages,
            &trees.ids,
            &trees.hits,
            &trees.replies,
            &trees.due,
            &trees.senders,
        )
            .transaction(|(messages, ids, hits, replies, due, senders)| {
                body(&[
                    messages.clone(),
                    ids.clone(),
                    hits.clone(),
                    replies.clone(),
                    due.clone(),
                    senders.clone(),
                ])
            });
        let value = match result {
            Ok(value) => value,
            Err(TransactionError::Abort(error)) => return Err(error),
            Err(TransactionError::Storage(error)) => return Err(self.sled_error(error)),
        };
        self.flush()?;
        Ok(value)
    }

    fn decode_kept(&self, bytes: &[u8]) -> Result<Kept> {
        stored(codec::decode::<_, { usize::MAX }>(bytes), &self.path)
    }
}

/// Positions in the slice [`Store::mail_transaction`] hands its body.
const T_MESSAGES: usize = 0;
const T_IDS: usize = 1;
const T_HITS: usize = 2;
const T_REPLIES: usize = 3;
const T_DUE: usize = 4;
const T_SENDERS: usize = 5;

/// One sender's inbox usage inside a mailbox transaction (none kept yet: zero).
fn sender_usage(
    store: &Store,
    trees: &[TransactionalTree],
    sender: MemberCode,
) -> std::result::Result<SenderUsage, ConflictableTransactionError<Error>> {
    match trees[T_SENDERS].get(sender.as_bytes())? {
        Some(bytes) => match stored(codec::decode::<_, 64>(&bytes), &store.path) {
            Ok(usage) => Ok(usage),
            Err(error) => abort(error),
        },
        None => Ok(SenderUsage::default()),
    }
}

/// Stores a kept message with its id and hit index entries (and its reply link).
fn put_kept(
    trees: &[TransactionalTree],
    direction: Direction,
    kept: &Kept,
) -> std::result::Result<(), ConflictableTransactionError<Error>> {
    let key = timed_key(direction, kept.at, &kept.id);
    trees[T_MESSAGES].insert(key.clone(), codec::encode(kept))?;
    trees[T_IDS].insert(id_key(direction, &kept.id), key.clone())?;
    match &kept.kind {
        MailKind::Hit => {
            trees[T_HITS].insert(key, &[][..])?;
        }
        MailKind::HitReply { hit } => {
            trees[T_REPLIES].insert(hit.as_bytes(), key)?;
        }
        MailKind::Text => {}
    }
    Ok(())
}

impl Store {
    /// Queues a message and keeps it among the sent ones.
    pub fn queue_outgoing(&self, outgoing: &Outgoing, kind: MailKind) -> Result<()> {
        let kept = Kept {
            id: outgoing.id.clone(),
            bytes: outgoing.bytes.clone(),
            at: outgoing.queued_at,
            delivered_at: None,
            peer: outgoing.to,
            kind,
            failed: None,
            attempts: 0,
            last_error: None,
        };
        self.mail_transaction(|trees| {
            put_kept(trees, Direction::Sent, &kept)?;
            trees[T_DUE].insert(due_key(outgoing), codec::encode(outgoing))?;
            Ok(())
        })
    }

    /// Messages due for an attempt at `now`, the longest-waiting first, at most `limit`.
    pub fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<Outgoing>> {
        let end = now.0.saturating_add(1).to_be_bytes();
        self.mailbox()?
            .due
            .range(..end.to_vec())
            .values()
            .take(limit)
            .map(|bytes| {
                let bytes = bytes.map_err(|e| self.sled_error(e))?;
                stored(codec::decode::<_, { usize::MAX }>(&bytes), &self.path)
            })
            .collect()
    }

    /// Messages waiting in the outbox (a count over keys only).
    pub fn outbox_len(&self) -> Result<usize> {
        Ok(self.mailbox()?.due.len())
    }

    /// Records a failed attempt and when to try again.
    pub fn retry_later(
        &self,
        outgoing: &Outgoing,
        next_attempt: Timestamp,
        error: &str,
    ) -> Result<()> {
        let mut next = outgoing.clone();
        next.attempts = next.attempts.saturating_add(1);
        next.next_attempt = next_attempt;
        next.last_error = Some(error.to_owned());
        self.mail_transaction(|trees| {
            if trees[T_DUE].remove(due_key(outgoing))?.is_none() {
                return Ok(());
            }
            trees[T_DUE].insert(due_key(&next), codec::encode(&next))?;
            self.update_sent(trees, &outgoing.id, |kept| {
                kept.attempts = next.attempts;
                kept.last_error = next.last_error.clone();
            })
        })
    }

    /// Changes a sent message inside a mailbox transaction.
    fn update_sent(
        &self,
        trees: &[TransactionalTree],
        id: &str,
        change: impl Fn(&mut Kept),
    ) -> std::result::Result<(), ConflictableTransactionError<Error>> {
        let Some(key) = trees[T_IDS].get(id_key(Direction::Sent, id))? else {
            return Ok(());
        };
        let Some(bytes) = trees[T_MESSAGES].get(&key)? else {
            return Ok(());
        };
        let mut kept = match self.decode_kept(&bytes) {
            Ok(kept) => kept,
            Err(error) => return abort(error),
        };
        change(&mut kept);
        trees[T_MESSAGES].insert(key, codec::encode(&kept))?;
        Ok(())
    }

    /// The recipient acknowledged (`failed` is `None`), or the node gave up (`failed` says
    /// why): out of the outbox, and the sent message says which.
    pub fn settle(&self, outgoing: &Outgoing, at: Timestamp, failed: Option<String>) -> Result<()> {
        self.mail_transaction(|trees| {
            trees[T_DUE].remove(due_key(outgoing))?;
            self.update_sent(trees, &outgoing.id, |kept| match &failed {
                None => kept.delivered_at = Some(at),
                Some(reason) => kept.failed = Some(reason.clone()),
            })
        })
    }

    /// Keeps a received message from `kept.peer` unless that sender is past `quota` today, or
    /// it answers a hit this node never sent to that sender.
    pub fn receive(&self, kept: &Kept, quota: InboxQuota) -> Result<Received> {
        let day = i64::try_from(kept.at.0 / MS_PER_DAY).unwrap_or(i64::MAX);
        let size = kept.bytes.len() as u64;
        self.mail_transaction(|trees| {
            if trees[T_IDS]
                .get(id_key(Direction::Received, &kept.id))?
                .is_some()
            {
                return Ok(Received::Duplicate);
            }
            if let MailKind::HitReply { hit } = &kept.kind {
                let sent_to = match trees[T_IDS].get(id_key(Direction::Sent, hit))? {
                    Some(key) => trees[T_MESSAGES].get(key)?,
                    None => None,
                };
                let asked = match sent_to.map(|bytes| self.decode_kept(&bytes)).transpose() {
                    Ok(sent) => sent,
                    Err(error) => return abort(error),
                };
                if !asked.is_some_and(|sent| sent.kind == MailKind::Hit && sent.peer == kept.peer) {
                    return Ok(Received::UnknownHit);
                }
            }
            let mut usage = sender_usage(self, trees, kept.peer)?;
            if usage.day != day {
                usage = SenderUsage {
                    day,
                    bytes_kept: usage.bytes_kept,
                    ..SenderUsage::default()
                };
            }
            let over = if usage.messages_today >= quota.messages_per_day {
                Some(format!("{} messages today", usage.messages_today))
            } else if usage.bytes_today.saturating_add(size) > quota.bytes_per_day {
                Some(format!("{} bytes today", usage.bytes_today))
            } else if usage.bytes_kept.saturating_add(size) > quota.bytes_kept {
                Some(format!("{} bytes kept", usage.bytes_kept))
            } else {
                None
            };
            let outcome = match over {
                Some(reason) => {
                    usage.refused_today = usage.refused_today.saturating_add(1);
                    Received::OverQuota {
                        reason,
                        first_today: usage.refused_today == 1,
                    }
                }
                None => {
                    usage.messages_today += 1;
                    usage.bytes_today = usage.bytes_today.saturating_add(size);
                    usage.bytes_kept = usage.bytes_kept.saturating_add(size);
                    put_kept(trees, Direction::Received, kept)?;
                    Received::New
                }
            };
            trees[T_SENDERS].insert(kept.peer.as_bytes(), codec::encode(&usage))?;
            Ok(outcome)
        })
    }

    /// One sender's use of the inbox, per member.
    pub fn inbox_usage(&self) -> Result<Vec<(MemberCode, SenderUsage)>> {
        let mut usage = Vec::new();
        for item in self.mailbox()?.senders.iter() {
            let (key, bytes) = item.map_err(|e| self.sled_error(e))?;
            let code = <[u8; 3]>::try_from(key.as_ref())
                .ok()
                .and_then(|code| MemberCode::try_from(code).ok())
                .ok_or_else(|| self.corrupt("a mailbox sender that is not a member code"))?;
            usage.push((code, stored(codec::decode::<_, 64>(&bytes), &self.path)?));
        }
        Ok(usage)
    }

    /// Messages of one side, newest first, kept before `before` (all when `None`), at most
    /// `limit`; only hits when `hits_only`.
    pub fn mail_page(
        &self,
        direction: Direction,
        hits_only: bool,
        before: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<Kept>> {
        let trees = self.mailbox()?;
        let start = vec![side(direction)];
        let end = match before {
            Some(at) => timed_key(direction, at, ""),
            None => vec![side(direction) + 1],
        };
        let index = if hits_only {
            &trees.hits
        } else {
            &trees.messages
        };
        let mut page = Vec::new();
        for item in index.range(start..end).rev().take(limit) {
            let (key, value) = item.map_err(|e| self.sled_error(e))?;
            let bytes = if hits_only {
                trees.messages.get(&key).map_err(|e| self.sled_error(e))?
            } else {
                Some(value)
            };
            if let Some(bytes) = bytes {
                page.push(self.decode_kept(&bytes)?);
            }
        }
        Ok(page)
    }

    /// One message by id.
    pub fn mail_item(&self, direction: Direction, id: &str) -> Result<Option<Kept>> {
        let trees = self.mailbox()?;
        self.message_through(&trees, &trees.ids, &id_key(direction, id))
    }

    /// The latest answer to a hit, sent or received.
    pub fn hit_reply(&self, hit: &str) -> Result<Option<Kept>> {
        let trees = self.mailbox()?;
        self.message_through(&trees, &trees.replies, hit.as_bytes())
    }

    /// The message an index entry points at.
    fn message_through(
        &self,
        trees: &Trees,
        index: &sled::Tree,
        key: &[u8],
    ) -> Result<Option<Kept>> {
        let Some(at) = index.get(key).map_err(|e| self.sled_error(e))? else {
            return Ok(None);
        };
        trees
            .messages
            .get(at)
            .map_err(|e| self.sled_error(e))?
            .map(|bytes| self.decode_kept(&bytes))
            .transpose()
    }

    /// The mailbox for a backup, a page at a time: every kept message (both sides, oldest
    /// first), then the outbox, at most `limit` items and, past the first, `max_bytes` of
    /// message bytes. `after` is the position the previous page returned (`None` first); the
    /// answer's position is `None` after the last page. Each message is read whole, so a page
    /// is consistent even while messages arrive (one that arrives between pages is in the
    /// backup or not, never half).
    pub fn mail_backup_page(
        &self,
        after: Option<&[u8]>,
        limit: usize,
        max_bytes: usize,
    ) -> Result<(Vec<MailItem>, Option<Vec<u8>>)> {
        let trees = self.mailbox()?;
        let (mut tree, mut from) = match after {
            None => (BACKUP_MESSAGES, None),
            Some([tag, key @ ..]) if [BACKUP_MESSAGES, BACKUP_DUE].contains(tag) => {
                (*tag, Some(key.to_vec()))
            }
            Some(_) => return Err(Error::Invalid("not a mailbox backup position".into())),
        };
        let mut items = Vec::new();
        let mut bytes_in_page = 0;
        loop {
            let source = if tree == BACKUP_MESSAGES {
                &trees.messages
            } else {
                &trees.due
            };
            let range = match &from {
                // Strictly after the last key read: the key with a 0 byte appended is the
                // first one that sorts after it.
                Some(key) => source.range([key.as_slice(), &[0]].concat()..),
                None => source.range::<Vec<u8>, _>(..),
            };
            for item in range {
                let (key, bytes) = item.map_err(|e| self.sled_error(e))?;
                bytes_in_page += bytes.len();
                items.push(if tree == BACKUP_MESSAGES {
                    MailItem::Kept {
                        sent: key.first() == Some(&side(Direction::Sent)),
                        kept: self.decode_kept(&bytes)?,
                    }
                } else {
                    MailItem::Outgoing(stored(
                        codec::decode::<_, { usize::MAX }>(&bytes),
                        &self.path,
                    )?)
                });
                if items.len() >= limit || bytes_in_page >= max_bytes {
                    return Ok((items, Some([&[tree][..], &key].concat())));
                }
            }
            if tree == BACKUP_DUE {
                return Ok((items, None));
            }
            tree = BACKUP_DUE;
            from = None;
        }
    }

    /// Puts mailbox items from a backup back, with their indexes; each received message
    /// counts again against its sender's kept bytes. Returns how many were new.
    pub fn restore_mail(&self, items: &[MailItem]) -> Result<usize> {
        self.mail_transaction(|trees| {
            let mut new = 0;
            for item in items {
                match item {
                    MailItem::Kept { sent, kept } => {
                        let direction = if *sent {
                            Direction::Sent
                        } else {
                            Direction::Received
                        };
                        if trees[T_IDS].get(id_key(direction, &kept.id))?.is_some() {
                            continue;
                        }
                        put_kept(trees, direction, kept)?;
                        new += 1;
                        if !sent {
                            let mut usage = sender_usage(self, trees, kept.peer)?;
                            usage.bytes_kept =
                                usage.bytes_kept.saturating_add(kept.bytes.len() as u64);
                            trees[T_SENDERS].insert(kept.peer.as_bytes(), codec::encode(&usage))?;
                        }
                    }
                    MailItem::Outgoing(outgoing) => {
                        trees[T_DUE].insert(due_key(outgoing), codec::encode(outgoing))?;
                    }
                }
            }
            Ok(new)
        })
    }

    /// Removes messages kept before `before` that are settled (received, delivered or given
    /// up), at most `limit` per call; returns how many went. Frees their senders' quota.
    pub fn expire_mail(&self, before: Timestamp, limit: usize) -> Result<usize> {
        let trees = self.mailbox()?;
        let mut expired = Vec::new();
        for direction in [Direction::Received, Direction::Sent] {
            let range = vec![side(direction)]..timed_key(direction, before, "");
            for item in trees.messages.range(range).take(limit - expired.len()) {
                let (_, bytes) = item.map_err(|e| self.sled_error(e))?;
                let kept = self.decode_kept(&bytes)?;
                let settled = direction == Direction::Received
                    || kept.delivered_at.is_some()
                    || kept.failed.is_some();
                if settled {
                    expired.push((direction, kept));
                }
            }
        }
        if expired.is_empty() {
            return Ok(0);
        }
        self.mail_transaction(|trees| {
            for (direction, kept) in &expired {
                let key = timed_key(*direction, kept.at, &kept.id);
                trees[T_MESSAGES].remove(key.clone())?;
                trees[T_IDS].remove(id_key(*direction, &kept.id))?;
                trees[T_HITS].remove(key.clone())?;
                if let MailKind::HitReply { hit } = &kept.kind
                    && trees[T_REPLIES].get(hit.as_bytes())?.as_deref() == Some(&key[..])
                {
                    trees[T_REPLIES].remove(hit.as_bytes())?;
                }
                if *direction == Direction::Received
                    && trees[T_SENDERS].get(kept.peer.as_bytes())?.is_some()
                {
                    let mut usage = sender_usage(self, trees, kept.peer)?;
                    usage.bytes_kept = usage.bytes_kept.saturating_sub(kept.bytes.len() as u64);
                    trees[T_SENDERS].insert(kept.peer.as_bytes(), codec::encode(&usage))?;
                }
            }
            Ok(())
        })?;
        Ok(expired.len())
    }
}
