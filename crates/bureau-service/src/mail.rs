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
use bureau_store::{Outgoing, Store};
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
        codec::decode::<_, MAX_MESSAGE_BYTES>(bytes).context("not a signed message")
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
        self.store.queue_outgoing(&Outgoing {
            id: message.id.clone(),
            to,
            bytes,
            queued_at: message.sent_at,
            attempts: 0,
            next_attempt: message.sent_at,
            last_error: None,
        })?;
        self.outbox_waker.notify_one();
        Ok(message)
    }

    /// Sends a SIENA-style message (through the outbox).
    pub fn send_message(&self, body: SendMessage) -> Result<Message> {
        if body.subject.trim().is_empty() {
            fail!(InvalidInput, "a message needs a subject");
        }
        let target = format!("to {} ({:?}): {}", body.to, body.handling, body.subject);
        let message = self.queue_message(
            body.to,
            Content::Text {
                handling: body.handling,
                subject: body.subject,
                text: body.text,
            },
        )?;
        self.audit(crate::audit::AuditAction::MessageSend, target, None, None)?;
        Ok(message)
    }

    /// Every message this node sent and received, with delivery state.
    pub fn mail(&self) -> Result<Mail> {
        let pending: std::collections::BTreeMap<String, Outgoing> = self
            .store
            .outbox()?
            .into_iter()
            .map(|outgoing| (outgoing.id.clone(), outgoing))
            .collect();
        let mut sent = Vec::new();
        for kept in self.store.sent()? {
            let Ok(signed) = Signed::from_bytes(&kept.bytes) else {
                continue;
            };
            let waiting = pending.get(&kept.id);
            sent.push(MailItem {
                message: signed.message,
                delivered_at: kept.delivered_at,
                attempts: waiting.map(|outgoing| outgoing.attempts),
                last_error: waiting.and_then(|outgoing| outgoing.last_error.clone()),
            });
        }
        let mut received = Vec::new();
        for kept in self.store.inbox()? {
            let Ok(signed) = Signed::from_bytes(&kept.bytes) else {
                continue;
            };
            received.push(MailItem {
                message: signed.message,
                delivered_at: Some(kept.at),
                attempts: None,
                last_error: None,
            });
        }
        let order = |a: &MailItem, b: &MailItem| a.message.sent_at.cmp(&b.message.sent_at);
        sent.sort_by(order);
        received.sort_by(order);
        Ok(Mail { sent, received })
    }

    /// Hits on this member's records, and the hits it caused on others', each with its answer.
    pub fn hits(&self) -> Result<Hits> {
        let mail = self.mail()?;
        // An answer counts only from the member the hit was sent to: anyone can name a hit id.
        let reply_to = |items: &[MailItem], hit: &Message| {
            items.iter().find_map(|item| match &item.message.content {
                Content::HitReply {
                    hit: answered,
                    confirmed,
                    action,
                } if *answered == hit.id && item.message.from == hit.to => Some(HitAnswer {
                    confirmed: *confirmed,
                    action: action.clone(),
                    at: item.message.sent_at,
                }),
                _ => None,
            })
        };
        let collect = |items: &[MailItem], replies: &[MailItem]| {
            items
                .iter()
                .filter_map(|item| match &item.message.content {
                    Content::Hit(notice) => Some(Hit {
                        id: item.message.id.clone(),
                        from: item.message.from,
                        to: item.message.to,
                        notice: notice.clone(),
                        delivered_at: item.delivered_at,
                        answer: reply_to(replies, &item.message),
                    }),
                    _ => None,
                })
                .collect()
        };
        Ok(Hits {
            on_my_records: collect(&mail.received, &mail.sent),
            by_my_searches: collect(&mail.sent, &mail.received),
        })
    }

    /// Answers a hit on one of this member's records: confirmed or not, and the action to take.
    pub fn answer_hit(&self, hit: &str, confirmed: bool, action: &str) -> Result<Message> {
        let hits = self.hits()?;
        let found = hits
            .on_my_records
            .iter()
            .find(|candidate| candidate.id == hit)
            .or_not_found(|| format!("no hit {hit} on this member's records"))?;
        let message = self.queue_message(
            found.from,
            Content::HitReply {
                hit: hit.to_owned(),
                confirmed,
                action: action.to_owned(),
            },
        )?;
        self.audit(
            crate::audit::AuditAction::HitAnswer,
            format!("{hit} on {}", found.notice.describe_references()),
            Some(action),
            None,
        )?;
        Ok(message)
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

/// The outbox worker: sends every due message, removes it on acknowledgement, and backs off
/// on failure. Runs until the task is aborted.
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
        let store = Arc::clone(&replica.store);
        let outbox = match tokio::task::spawn_blocking(move || store.outbox()).await {
            Ok(Ok(outbox)) => outbox,
            Ok(Err(error)) => {
                tracing::error!(%error, "cannot read the outbox");
                continue;
            }
            Err(_) => continue,
        };
        let now = clock::now();
        for outgoing in outbox {
            if outgoing.next_attempt > now
                || in_flight.contains(&outgoing.id)
                || in_flight.len() >= MAX_DELIVERIES_IN_FLIGHT
            {
                continue;
            }
            in_flight.insert(outgoing.id.clone());
            let net = net.clone();
            let store = Arc::clone(&replica.store);
            deliveries.spawn(async move {
                let id = outgoing.id.clone();
                let result = net.send_direct(outgoing.to, outgoing.bytes.clone()).await;
                let outcome = match result {
                    Ok(answer) if answer == ack(&id) => Ok(()),
                    Ok(_) => Err("the recipient answered without acknowledging".to_owned()),
                    Err(error) => Err(error.to_string()),
                };
                let now = clock::now();
                let saved = tokio::task::spawn_blocking({
                    let id = id.clone();
                    move || match outcome {
                        Ok(()) => {
                            tracing::info!(%id, to = %outgoing.to, "message delivered");
                            store.delivered(&id, now)
                        }
                        Err(error) => {
                            let delay = retry_delay(outgoing.attempts);
                            tracing::debug!(%id, to = %outgoing.to, %error, ?delay, "delivery failed; will retry");
                            store.retry_later(&id, now.saturating_add(delay), &error)
                        }
                    }
                })
                .await;
                if let Ok(Err(error)) = saved {
                    tracing::error!(%error, "cannot update the outbox");
                }
                id
            });
        }
    }
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
        let answer = tokio::task::spawn_blocking(move || -> Result<Vec<u8>> {
            let signed = Signed::from_bytes(&payload)?;
            if signed.message.from != from {
                fail!(InvalidInput,
                    "sent by a node of {from} but signed as {}",
                    signed.message.from
                );
            }
            signed.verify(&replica.store, replica.member())?;
            let new = replica
                .store
                .receive(&signed.message.id, &payload, clock::now())?;
            if new {
                tracing::info!(id = %signed.message.id, from = %signed.message.from, "message received");
            }
            Ok(ack(&signed.message.id))
        })
        .await;
        let answer = match answer {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(error)) => {
                tracing::warn!(%from, error = %format!("{error:#}"), "message refused");
                Err(format!("{error:#}"))
            }
            Err(_) => Err("the node failed while storing the message".to_owned()),
        };
        let _ = reply.send(answer);
    }
}
