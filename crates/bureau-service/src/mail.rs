//! Direct messages between bureaus: SIENA-style messages with handling codes, hit notifications
//! to a record's owner and the owner's answers. Each message is signed by the sending node's
//! key, kept in the durable outbox until the recipient's node acknowledges it (across restarts
//! of either side), and kept once in the recipient's inbox.
//!
//! The network carries the signed bytes point to point (`bureau_net::Handle::send_direct`);
//! the daemon runs [`deliver`] (the outbox worker) and [`receive`] (the inbound handler).

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Context, Error, ErrorKind, OrKind, Result};
use crate::fail;
use bureau_core::codec;
use bureau_core::keys::domain;
use bureau_core::schema::SchemaError;
use bureau_core::{MemberCode, NetworkId, PublicKey, RecordKey, Signature, Timestamp};
use bureau_store::{Direction, InboxQuota, Kept, MailKind, Outgoing, Received, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::replica::Replica;

/// Longest signed message: what one direct request carries.
pub const MAX_MESSAGE_BYTES: usize = bureau_net::config::MAX_DIRECT_BYTES;
/// Longest message text, in characters.
pub const MAX_MESSAGE_TEXT_CHARS: usize = 20_000;
/// First retry delay after a failed delivery; it doubles up to [`MAX_RETRY_DELAY`].
pub const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);
/// Longest wait between two delivery attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(300);
/// How often the outbox is looked at when nothing wakes it.
pub const OUTBOX_POLL: Duration = Duration::from_secs(1);
/// Deliveries in flight at once.
pub const MAX_DELIVERIES_IN_FLIGHT: usize = 16;
/// Random bytes in a message id (hex-encoded): enough that ids never collide.
pub const MESSAGE_ID_BYTES: usize = 12;
/// Messages one member may leave in this node's inbox per UTC day; past it, its messages are
/// refused as rate limited until the next day (its outbox retries them).
pub const MAX_MESSAGES_PER_SENDER_PER_DAY: u32 = 5_000;
/// Bytes one member may leave in this node's inbox per UTC day.
pub const MAX_MESSAGE_BYTES_PER_SENDER_PER_DAY: u64 = 32 << 20;
/// Bytes of one member's messages this node keeps at any time (until retention frees them).
pub const MAX_MESSAGE_BYTES_KEPT_PER_SENDER: u64 = 256 << 20;
/// How long messages are kept: received ones, and sent ones once delivered or given up.
pub const MAIL_RETENTION: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// Messages removed per housekeeping pass (each pass is one transaction).
pub const MAX_MAIL_EXPIRED_PER_PASS: usize = 10_000;
/// How long the outbox tries to deliver a message before it marks it failed.
pub const MAX_DELIVERY_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Most delivery attempts of one message before it is marked failed.
pub const MAX_DELIVERY_ATTEMPTS: u32 = 5_000;
/// Messages (or hits) one list returns when no limit is given.
pub const DEFAULT_MAIL_PAGE: usize = 100;
/// Most messages (or hits) one list returns.
pub const MAX_MAIL_PAGE: usize = 1_000;

/// The inbox quota every sender has at this node.
pub const INBOX_QUOTA: InboxQuota = InboxQuota {
    messages_per_day: MAX_MESSAGES_PER_SENDER_PER_DAY,
    bytes_per_day: MAX_MESSAGE_BYTES_PER_SENDER_PER_DAY,
    bytes_kept: MAX_MESSAGE_BYTES_KEPT_PER_SENDER,
};

/// SIENA handling codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Handling {
    /// Police use only.
    H0,
    /// Not for use in court without the sender's permission.
    H1,
    /// Not to be passed on without the sender's permission.
    H2,
    /// Other restrictions, stated in the message.
    H3,
}

impl std::str::FromStr for Handling {
    type Err = Error;

    fn from_str(text: &str) -> Result<Handling> {
        match text.trim().to_ascii_lowercase().as_str() {
            "h0" => Ok(Handling::H0),
            "h1" => Ok(Handling::H1),
            "h2" => Ok(Handling::H2),
            "h3" => Ok(Handling::H3),
            _ => Err(Error::invalid(format!(
                "{text:?} is not a handling code: h0, h1, h2 or h3"
            ))),
        }
    }
}

impl Handling {
    pub fn meaning(&self) -> &'static str {
        match self {
            Handling::H0 => "police use only",
            Handling::H1 => "not for court without the sender's permission",
            Handling::H2 => "not to be passed on without the sender's permission",
            Handling::H3 => "other restrictions: see the message",
        }
    }
}

/// A message to send: to whom, its handling code, subject and text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SendMessage {
    pub to: MemberCode,
    pub handling: Handling,
    pub subject: String,
    pub text: String,
}

/// Most records one hit notice names: what one search shows of one owner.
pub const MAX_HIT_REFERENCES: usize = crate::query::MAX_RESULTS_PER_OWNER;

/// A hit: a search at another bureau returned some of the owner's records (one notice per
/// owner per search).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HitNotice {
    /// The owner's records the search returned (1 to [`MAX_HIT_REFERENCES`]).
    pub references: Vec<RecordKey>,
    pub searched_at: Timestamp,
    /// The post or place of the search.
    pub place: Option<String>,
    pub purpose: Option<String>,
    /// The query, as the searching bureau typed it.
    pub query: String,
}

impl HitNotice {
    /// The records named, for a log line: `sltd/FRA/a, sltd/FRA/b`.
    pub fn describe_references(&self) -> String {
        self.references
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a message says. Append variants, never reorder (wire encoding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Content {
    Text {
        handling: Handling,
        subject: String,
        text: String,
    },
    Hit(HitNotice),
    /// The owner's answer to a hit: is the record valid, and what to do.
    HitReply {
        hit: String,
        confirmed: bool,
        action: String,
    },
}

/// A message between two members' nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Message {
    pub id: String,
    pub network: NetworkId,
    pub from: MemberCode,
    pub to: MemberCode,
    pub sent_at: Timestamp,
    pub content: Content,
}

impl Content {
    /// What the mailbox's indexes need to know of it.
    fn kind(&self) -> MailKind {
        match self {
            Content::Text { .. } => MailKind::Text,
            Content::Hit(_) => MailKind::Hit,
            Content::HitReply { hit, .. } => MailKind::HitReply { hit: hit.clone() },
        }
    }
}

/// Which page of a list: the newest items before a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Page {
    /// Only items from before this time (RFC 3339 or milliseconds); the newest when absent.
    #[serde(default)]
    pub before: Option<Timestamp>,
    /// At most this many (default [`DEFAULT_MAIL_PAGE`], at most [`MAX_MAIL_PAGE`]).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl Page {
    fn limit(&self) -> Result<usize> {
        match self.limit {
            None => Ok(DEFAULT_MAIL_PAGE),
            Some(limit) if (1..=MAX_MAIL_PAGE).contains(&limit) => Ok(limit),
            Some(limit) => Err(Error::invalid(format!(
                "a limit of {limit} is out of range: 1 to {MAX_MAIL_PAGE}"
            ))),
        }
    }
}

/// A message with the sending node's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub message: Message,
    pub author: PublicKey,
    pub signature: Signature,
}

impl Message {
    fn check(&self) -> Result<(), SchemaError> {
        let text = |field, value: &str, max| {
            if value.chars().count() > max {
                return Err(SchemaError::new(
                    field,
                    format!("is longer than {max} characters"),
                ));
            }
            Ok(())
        };
        match &self.content {
            Content::Text {
                subject,
                text: body,
                ..
            } => {
                text("subject", subject, bureau_core::schema::MAX_NAME_CHARS)?;
                text("text", body, MAX_MESSAGE_TEXT_CHARS)
            }
            Content::Hit(hit) => {
                if hit.references.is_empty() || hit.references.len() > MAX_HIT_REFERENCES {
                    return Err(SchemaError::new(
                        "references",
                        format!("must name 1 to {MAX_HIT_REFERENCES} records"),
                    ));
                }
                if let Some(other) = hit.references.iter().find(|key| key.owner != self.to) {
                    return Err(SchemaError::new(
                        "references",
                        format!("names {other}, a record {} does not own", self.to),
                    ));
                }
                for value in [&hit.place, &hit.purpose].into_iter().flatten() {
                    text("hit", value, bureau_core::schema::MAX_TEXT_CHARS)?;
                }
                text("query", &hit.query, bureau_core::schema::MAX_TEXT_CHARS)
            }
            Content::HitReply { action, .. } => {
                text("action", action, bureau_core::schema::MAX_TEXT_CHARS)
            }
        }
    }
}

impl Signed {
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Signed> {
        codec::decode_canonical::<_, MAX_MESSAGE_BYTES>(bytes).context("not a signed message")
    }

    /// Checks that the message is for `me` on `network`, and that its signature comes from a
    /// current certificate of the member it claims to be from.
    pub fn verify(&self, store: &Store, me: MemberCode) -> Result<()> {
        let message = &self.message;
        if message.network != store.network() {
            fail!(InvalidInput, "the message belongs to another network");
        }
        if message.to != me {
            fail!(InvalidInput, "the message is for {}, not {me}", message.to);
        }
        message.check()?;
        let certificate = store
            .members()?
            .into_iter()
            .find(|certificate| certificate.node_key() == self.author)
            .or_kind(ErrorKind::InvalidInput, || {
                "the signing key has no certificate here".to_owned()
            })?;
        if certificate.member() != message.from {
            fail!(
                InvalidInput,
                "the signing key belongs to {}, not {}",
                certificate.member(),
                message.from
            );
        }
        if !certificate.is_valid_at(clock::now())
            || store.revocation(certificate.body.serial)?.is_some()
        {
            fail!(
                InvalidInput,
                "the sender's certificate is expired or revoked"
            );
        }
        self.author
            .verify(
                domain::DIRECT_MESSAGE,
                &codec::encode(message),
                &self.signature,
            )
            .context("bad signature")?;
        Ok(())
    }
}

/// The acknowledgement a receiving node answers with once the message is on its disk.
fn ack(id: &str) -> Vec<u8> {
    format!("ack:{id}").into_bytes()
}

impl Replica {
    /// Signs a message to `to` and puts it in the durable outbox; returns it.
    pub fn queue_message(&self, to: MemberCode, content: Content) -> Result<Message> {
        if to == self.member() {
            fail!(InvalidInput, "a message to oneself is not sent");
        }
        let message = Message {
            id: hex::encode(&crate::files::random_secret()[..MESSAGE_ID_BYTES]),
            network: self.store.network(),
            from: self.member(),
            to,
            sent_at: clock::now(),
            content,
        };
        message.check()?;
        let signed = Signed {
            signature: self
                .key
                .sign(domain::DIRECT_MESSAGE, &codec::encode(&message)),
            author: self.key.public(),
            message: message.clone(),
        };
        let bytes = signed.to_bytes();
        if bytes.len() > MAX_MESSAGE_BYTES {
            fail!(
                TooLarge,
                "the message is {} bytes, more than {MAX_MESSAGE_BYTES}",
                bytes.len()
            );
        }
        self.store.queue_outgoing(
            &Outgoing {
                id: message.id.clone(),
                to,
                bytes,
                queued_at: message.sent_at,
                attempts: 0,
                next_attempt: message.sent_at,
                last_error: None,
            },
            message.content.kind(),
        )?;
        self.outbox_waker.notify_one();
        Ok(message)
    }

    /// Sends a SIENA-style message (through the outbox).
    pub fn send_message(&self, body: SendMessage) -> Result<Message> {
        if body.subject.trim().is_empty() {
            fail!(InvalidInput, "a message needs a subject");
        }
        let target = format!("to {} ({:?}): {}", body.to, body.handling, body.subject);
        self.audit(crate::audit::AuditAction::MessageSend, target, None, None)?;
        let message = self.queue_message(
            body.to,
            Content::Text {
                handling: body.handling,
                subject: body.subject,
                text: body.text,
            },
        )?;
        Ok(message)
    }

    /// One page of the messages this node sent and of those it received, newest first, with
    /// delivery state.
    pub fn mail(&self, page: Page) -> Result<Mail> {
        let limit = page.limit()?;
        let list = |direction| -> Result<Vec<MailItem>> {
            let kept = self.store.mail_page(direction, false, page.before, limit)?;
            Ok(kept
                .into_iter()
                .filter_map(|kept| self.mail_item(kept))
                .collect())
        };
        Ok(Mail {
            sent: list(Direction::Sent)?,
            received: list(Direction::Received)?,
        })
    }

    /// A kept message as listed (`None` if its bytes no longer decode: they were checked when
    /// kept, so only a format change does that).
    fn mail_item(&self, kept: Kept) -> Option<MailItem> {
        let signed = Signed::from_bytes(&kept.bytes).ok()?;
        let sent = signed.message.from == self.member();
        let waiting = sent && kept.delivered_at.is_none() && kept.failed.is_none();
        Some(MailItem {
            message: signed.message,
            delivered_at: if sent {
                kept.delivered_at
            } else {
                Some(kept.at)
            },
            attempts: waiting.then_some(kept.attempts),
            last_error: kept.last_error.filter(|_| waiting),
            failed: kept.failed,
        })
    }

    /// One page of hits on this member's records and of hits its searches caused, newest
    /// first, each with its answer.
    pub fn hits(&self, page: Page) -> Result<Hits> {
        let limit = page.limit()?;
        let list = |direction| -> Result<Vec<Hit>> {
            let mut hits = Vec::new();
            for kept in self.store.mail_page(direction, true, page.before, limit)? {
                let peer = kept.peer;
                let Some(item) = self.mail_item(kept) else {
                    continue;
                };
                let Content::Hit(notice) = &item.message.content else {
                    continue;
                };
                hits.push(Hit {
                    id: item.message.id.clone(),
                    from: item.message.from,
                    to: item.message.to,
                    notice: notice.clone(),
                    delivered_at: item.delivered_at,
                    answer: self.hit_answer(&item.message.id, peer)?,
                });
            }
            Ok(hits)
        };
        Ok(Hits {
            on_my_records: list(Direction::Received)?,
            by_my_searches: list(Direction::Sent)?,
        })
    }

    /// The answer to a hit, if one was sent (by us, to a hit on our records) or received (from
    /// the member a hit of ours went to: an answer from anyone else is refused on receipt).
    fn hit_answer(&self, hit: &str, peer: MemberCode) -> Result<Option<HitAnswer>> {
        let Some(kept) = self.store.hit_reply(hit)? else {
            return Ok(None);
        };
        if kept.peer != peer {
            return Ok(None);
        }
        let Ok(signed) = Signed::from_bytes(&kept.bytes) else {
            return Ok(None);
        };
        Ok(match signed.message.content {
            Content::HitReply {
                confirmed, action, ..
            } => Some(HitAnswer {
                confirmed,
                action,
                at: signed.message.sent_at,
            }),
            _ => None,
        })
    }

    /// Removes messages past [`MAIL_RETENTION`]; returns how many went.
    pub fn expire_mail(&self) -> Result<usize> {
        let before = clock::now().saturating_sub(MAIL_RETENTION);
        let mut expired = 0;
        loop {
            let pass = self.store.expire_mail(before, MAX_MAIL_EXPIRED_PER_PASS)?;
            expired += pass;
            if pass < MAX_MAIL_EXPIRED_PER_PASS {
                return Ok(expired);
            }
        }
    }

    /// Answers a hit on one of this member's records: confirmed or not, and the action to take.
    pub fn answer_hit(&self, hit: &str, confirmed: bool, action: &str) -> Result<Message> {
        let found = self
            .store
            .mail_item(Direction::Received, hit)?
            .filter(|kept| kept.kind == MailKind::Hit)
            .and_then(|kept| Signed::from_bytes(&kept.bytes).ok())
            .and_then(|signed| match signed.message.content {
                Content::Hit(notice) => Some((signed.message.from, notice)),
                _ => None,
            })
            .or_not_found(|| format!("no hit {hit} on this member's records"))?;
        let (from, notice) = found;
        self.audit(
            crate::audit::AuditAction::HitAnswer,
            format!("{hit} on {}", notice.describe_references()),
            Some(action),
            None,
        )?;
        self.queue_message(
            from,
            Content::HitReply {
                hit: hit.to_owned(),
                confirmed,
                action: action.to_owned(),
            },
        )
    }
}

/// One message as listed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MailItem {
    pub message: Message,
    /// Sent: when the recipient acknowledged it (none while it waits). Received: when.
    pub delivered_at: Option<Timestamp>,
    /// Sent and still waiting: attempts so far.
    pub attempts: Option<u32>,
    pub last_error: Option<String>,
    /// Sent, and given up: why (the recipient never acknowledged within the delivery limits).
    #[serde(default)]
    pub failed: Option<String>,
}

/// A node's messages.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Mail {
    pub sent: Vec<MailItem>,
    pub received: Vec<MailItem>,
}

/// A hit and its answer, if any.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Hit {
    pub id: String,
    pub from: MemberCode,
    pub to: MemberCode,
    pub notice: HitNotice,
    pub delivered_at: Option<Timestamp>,
    pub answer: Option<HitAnswer>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct HitAnswer {
    pub confirmed: bool,
    pub action: String,
    pub at: Timestamp,
}

/// Both sides of hits, as `bureau hits` shows them.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Hits {
    pub on_my_records: Vec<Hit>,
    pub by_my_searches: Vec<Hit>,
}

/// The delay before attempt `attempts + 1`.
fn retry_delay(attempts: u32) -> Duration {
    FIRST_RETRY_DELAY
        .saturating_mul(2u32.saturating_pow(attempts))
        .min(MAX_RETRY_DELAY)
}

/// Why the outbox gives up on a message now, if it does: too old or tried too often.
fn give_up(outgoing: &Outgoing, now: Timestamp) -> Option<String> {
    let age = Duration::from_millis(now.0.saturating_sub(outgoing.queued_at.0));
    if age > MAX_DELIVERY_AGE {
        return Some(format!(
            "not acknowledged within {} days ({} attempts; last error: {})",
            MAX_DELIVERY_AGE.as_secs() / 86_400,
            outgoing.attempts,
            outgoing.last_error.as_deref().unwrap_or("none")
        ));
    }
    if outgoing.attempts >= MAX_DELIVERY_ATTEMPTS {
        return Some(format!(
            "not acknowledged after {} attempts (last error: {})",
            outgoing.attempts,
            outgoing.last_error.as_deref().unwrap_or("none")
        ));
    }
    None
}

/// Sends one message and records the outcome: delivered, retry later, or failed for good.
async fn deliver_one(store: Arc<Store>, net: bureau_net::Handle, outgoing: Outgoing) -> String {
    let id = outgoing.id.clone();
    let result = net.send_direct(outgoing.to, outgoing.bytes.clone()).await;
    let outcome = match result {
        Ok(answer) if answer == ack(&id) => Ok(()),
        Ok(_) => Err("the recipient answered without acknowledging".to_owned()),
        Err(error) => Err(error.to_string()),
    };
    let saved = tokio::task::spawn_blocking(move || {
        let now = clock::now();
        match outcome {
            Ok(()) => {
                tracing::info!(id = %outgoing.id, to = %outgoing.to, "message delivered");
                store.settle(&outgoing, now, None)
            }
            Err(error) => {
                let delay = retry_delay(outgoing.attempts);
                tracing::debug!(id = %outgoing.id, to = %outgoing.to, %error, ?delay, "delivery failed; will retry");
                store.retry_later(&outgoing, now.saturating_add(delay), &error)
            }
        }
    })
    .await;
    if let Ok(Err(error)) = saved {
        tracing::error!(%error, "cannot update the outbox");
    }
    id
}

/// The due messages not in flight, with those past the delivery limits marked failed.
fn due_now(store: &Store, in_flight: &std::collections::BTreeSet<String>) -> Result<Vec<Outgoing>> {
    let now = clock::now();
    let mut due = Vec::new();
    for outgoing in store.due(now, MAX_DELIVERIES_IN_FLIGHT + in_flight.len())? {
        if in_flight.contains(&outgoing.id) {
            continue;
        }
        if let Some(reason) = give_up(&outgoing, now) {
            tracing::warn!(id = %outgoing.id, to = %outgoing.to, %reason, "message delivery failed for good");
            store.settle(&outgoing, now, Some(reason))?;
            continue;
        }
        due.push(outgoing);
    }
    Ok(due)
}

/// The outbox worker: sends due messages (the longest-waiting first, at most
/// [`MAX_DELIVERIES_IN_FLIGHT`] at once), records acknowledgements, backs off on failure and
/// gives up past [`MAX_DELIVERY_AGE`] or [`MAX_DELIVERY_ATTEMPTS`]. Runs until aborted.
pub async fn deliver(replica: Arc<Replica>, net: bureau_net::Handle) {
    let mut in_flight: std::collections::BTreeSet<String> = Default::default();
    let mut deliveries = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = replica.outbox_waker.notified() => {}
            _ = tokio::time::sleep(OUTBOX_POLL) => {}
            Some(done) = deliveries.join_next(), if !deliveries.is_empty() => {
                if let Ok(id) = done {
                    in_flight.remove(&id);
                }
                continue;
            }
        }
        if in_flight.len() >= MAX_DELIVERIES_IN_FLIGHT {
            continue;
        }
        let store = Arc::clone(&replica.store);
        let skip = in_flight.clone();
        let due = match tokio::task::spawn_blocking(move || due_now(&store, &skip)).await {
            Ok(Ok(due)) => due,
            Ok(Err(error)) => {
                tracing::error!(%error, "cannot read the outbox");
                continue;
            }
            Err(_) => continue,
        };
        for outgoing in due {
            if in_flight.len() >= MAX_DELIVERIES_IN_FLIGHT {
                break;
            }
            in_flight.insert(outgoing.id.clone());
            deliveries.spawn(deliver_one(
                Arc::clone(&replica.store),
                net.clone(),
                outgoing,
            ));
        }
    }
}

/// Verifies one inbound message and keeps it under the sender's quota; the answer is the
/// acknowledgement, or why it was refused.
fn receive_one(replica: &Replica, from: MemberCode, payload: &[u8]) -> Result<Vec<u8>> {
    let signed = Signed::from_bytes(payload)?;
    if signed.message.from != from {
        fail!(
            InvalidInput,
            "sent by a node of {from} but signed as {}",
            signed.message.from
        );
    }
    signed.verify(&replica.store, replica.member())?;
    let kept = Kept {
        id: signed.message.id.clone(),
        bytes: payload.to_vec(),
        at: clock::now(),
        delivered_at: None,
        peer: from,
        kind: signed.message.content.kind(),
        failed: None,
        attempts: 0,
        last_error: None,
    };
    let quota = replica
        .inbox_quota
        .lock()
        .map_err(|_| Error::internal("the inbox quota lock is poisoned"))?
        .unwrap_or(INBOX_QUOTA);
    match replica.store.receive(&kept, quota)? {
        Received::New => {
            tracing::info!(id = %kept.id, %from, "message received");
        }
        Received::Duplicate => {}
        Received::OverQuota {
            reason,
            first_today,
        } => {
            if first_today {
                tracing::warn!(%from, %reason, "a member is past its inbox quota: its messages are refused until tomorrow");
            }
            fail!(
                RateLimited,
                "rate limited: {from} is past its inbox quota at this node ({reason}); the outbox tries again later"
            );
        }
        Received::UnknownHit => fail!(
            InvalidInput,
            "an answer to a hit this member never sent to {from}"
        ),
    }
    Ok(ack(&signed.message.id))
}

/// The inbound handler: verifies each message, keeps it once on disk, then acknowledges.
pub async fn receive(
    replica: Arc<Replica>,
    mut inbound: tokio::sync::mpsc::Receiver<bureau_net::InboundDirect>,
) {
    while let Some(request) = inbound.recv().await {
        let bureau_net::InboundDirect {
            from,
            payload,
            reply,
            ..
        } = request;
        let replica = Arc::clone(&replica);
        let answer =
            tokio::task::spawn_blocking(move || receive_one(&replica, from, &payload)).await;
        let answer = match answer {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) => {
                if error.kind != ErrorKind::RateLimited {
                    tracing::warn!(%from, error = %format!("{error:#}"), "message refused");
                }
                Err(format!("{error:#}"))
            }
            Err(_) => Err("the node failed while storing the message".to_owned()),
        };
        let _ = reply.send(answer);
    }
}
