//! Bureau's network: the only crate that imports libp2p.
//!
//! One task owns the libp2p `Swarm` ([`start`] spawns it); everyone else holds a cloneable
//! [`Handle`] that sends a [`Command`] with a `oneshot` reply. Store work never runs on that
//! task: it goes to blocking threads and comes back as a job result. Components:
//! - `behaviour`: the composed libp2p behaviour and its configuration;
//! - `event_loop`: the task, its `select!`, commands and swarm events;
//! - `gate`: the membership handshake (certificates exchanged on every new connection);
//! - `gated`, `admission`, `addresses`: nothing before the gate (services held until a peer is
//!   verified), the budget of connections waiting for it and blocks with backoff, and which
//!   addresses peers may make us dial;
//! - `doppelganger`: "another process uses your key", with a proof signed by that key;
//! - `gossip`: entry gossip with validation by the store before forwarding;
//! - `sync`: version-vector sync (digest, then heads, then bounded batches of entries);
//! - `direct`: point-to-point messages between members' nodes (opaque bytes and an answer);
//! - `reach`: AutoNAT verdicts, the relay server's switch, relay reservations, hole punching;
//! - `codec`, `protocol`, `identity`, `config`: framing, messages, keys, limits.
//!
//! Feature `schema`: the status types the API shows ([`PeerInfo`], [`Counters`], [`ReachInfo`],
//! [`RefusedBy`])
//! also implement `schemars::JsonSchema`, for its OpenAPI document.

mod addresses;
mod admission;
mod behaviour;
mod codec;
pub mod config;
mod direct;
#[cfg(test)]
mod direct_tests;
mod doppelganger;
mod event_loop;
#[cfg(test)]
mod flood_tests;
mod gate;
#[cfg(test)]
mod gate_tests;
mod gated;
mod gossip;
pub mod identity;
mod jobs;
pub mod protocol;
mod reach;
#[cfg(test)]
mod reach_tests;
mod relay_guard;
mod sync;

use std::sync::Arc;

use bureau_core::{Certificate, Entry, Genesis, MemberCode, SecretKey};
use bureau_store::{Committer, Store};
use libp2p::{Multiaddr, PeerId};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot, watch};

pub use config::Config;

/// Why a network operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the network task has stopped")]
    Stopped,
    #[error("cannot listen on {address}: {reason}")]
    Listen { address: Multiaddr, reason: String },
    #[error("cannot build the network: {0}")]
    Build(String),
}

/// Why a direct message got no answer. Every case may be retried later (the node's outbox does)
/// except [`DirectError::TooLarge`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectError {
    #[error(
        "no node of member {member} could be reached and verified in time: it may be offline, or no certificate of it is known yet"
    )]
    Unreachable { member: MemberCode },
    #[error("the message is {size} bytes, over the limit of {limit}: split or shorten it")]
    TooLarge { size: usize, limit: usize },
    #[error("member {member}'s node is busy: send again later")]
    Busy { member: MemberCode },
    #[error("member {member}'s node refused the message: {reason}")]
    Refused { member: MemberCode, reason: String },
    #[error("the exchange with member {member}'s node failed: {reason}")]
    Failed { member: MemberCode, reason: String },
    #[error("too many direct messages are waiting for a connection here: send again later")]
    Overloaded,
    #[error("the network is shutting down")]
    ShuttingDown,
}

/// A direct message from another member's node, for the local node to handle. Answer it through
/// `reply` within `Config::direct_reply_timeout`: `Ok` bytes reach the sender as its answer
/// (at most [`config::MAX_DIRECT_RESPONSE_BYTES`]), `Err` as a refusal with that reason.
/// Dropping `reply` answers with an error.
#[derive(Debug)]
pub struct InboundDirect {
    /// The sender, as the gate verified it from its certificate.
    pub from: MemberCode,
    /// The sender's node.
    pub peer: PeerId,
    pub payload: Vec<u8>,
    pub reply: oneshot::Sender<Result<Vec<u8>, String>>,
}

/// A request to the network task.
#[derive(Debug)]
pub enum Command {
    /// Gossip an entry the local store has already applied.
    Publish {
        entry: Box<Entry>,
        reply: oneshot::Sender<()>,
    },
    /// Gossips bytes as they are: tests that play a member sending malformed entries.
    #[cfg(test)]
    PublishBytes {
        bytes: Vec<u8>,
        reply: oneshot::Sender<()>,
    },
    /// The connected peers.
    Peers {
        reply: oneshot::Sender<Vec<PeerInfo>>,
    },
    /// Addresses and counters.
    Info { reply: oneshot::Sender<NetInfo> },
    /// Dial an address.
    Dial {
        address: Multiaddr,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Send a direct message to a member's node and wait for its answer.
    SendDirect {
        to: MemberCode,
        payload: Vec<u8>,
        reply: oneshot::Sender<Result<Vec<u8>, DirectError>>,
    },
    /// Close every connection and stop.
    Shutdown { reply: oneshot::Sender<()> },
}

/// A connected peer as `bureau peers` shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PeerInfo {
    pub peer_id: String,
    /// `None` until its certificate has been checked.
    pub member: Option<MemberCode>,
    pub address: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// How the connection is made: `direct`, or `relayed` through a relay circuit (until hole
    /// punching adds a direct one, which is then shown instead).
    pub connection: String,
    pub connected_seconds: u64,
    pub gossip_score: f64,
}

/// What the network task counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Counters {
    pub gossip_accepted: u64,
    pub gossip_duplicates: u64,
    pub gossip_rejected: u64,
    pub gossip_ignored: u64,
    pub peers_refused: u64,
    pub sync_rounds: u64,
    pub sync_entries_applied: u64,
    pub sync_requests_served: u64,
    pub sync_requests_limited: u64,
    pub published: u64,
    pub unsent: u64,
    /// Direct messages answered by their receiver.
    pub direct_sent: u64,
    /// Outgoing direct messages that failed (unreachable, refused, busy, stream failures).
    pub direct_send_failed: u64,
    /// Direct messages handed to the local node.
    pub direct_received: u64,
    /// Incoming direct messages refused: the sender is not a verified member.
    pub direct_refused: u64,
    /// Incoming direct messages answered "busy" (the node's inbox was full).
    pub direct_busy: u64,
    /// Incoming direct messages the local node answered with an error, too late or not at all.
    pub direct_unanswered: u64,
    /// Connections made over a relay circuit (either way).
    pub relayed_connections: u64,
    /// As a relay: reservations granted to peers (renewals not counted).
    pub relay_reservations_accepted: u64,
    /// As a relay: reservations refused (limits, or not serving as a relay).
    pub relay_reservations_denied: u64,
    /// As a relay: circuits opened between two peers through this node.
    pub relay_circuits_accepted: u64,
    /// As a relay: circuits refused (limits, or no reservation of the destination).
    pub relay_circuits_denied: u64,
    /// As a client: reservations a relay granted this node (renewals not counted).
    pub relay_reservations_made: u64,
    /// Relayed connections that hole punching upgraded to a direct one.
    pub hole_punch_succeeded: u64,
    /// Forks this node learned (found itself, or got a proof of from a peer) that froze a log.
    pub forks_learned: u64,
    /// Gossiped entries refused for a reason that depends on this replica's view (a fork, a
    /// revocation, a certificate not known yet, the clock): not held against the sender.
    pub gossip_refused_here: u64,
    /// Hole punching attempts that gave up (the relayed connection stays).
    pub hole_punch_failed: u64,
    /// Inbound connections denied before any protocol ran: the budget of connections waiting
    /// for the gate was full (`MAX_UNVERIFIED_CONNECTIONS`, or `MAX_UNVERIFIED_PER_IP`).
    pub connections_denied_before_gate: u64,
    /// Peers disconnected and blocked for not passing the gate within its deadline.
    pub handshakes_expired: u64,
    /// Streams and events dropped unread from peers that sent more than
    /// `MAX_HELD_BEFORE_GATE` of them before passing the gate.
    pub held_before_gate_dropped: u64,
    /// Peers that refused our certificate (each is listed in `refused_by`).
    pub refusals_received: u64,
    /// "Key in use" answers that did not prove another process with our key: not obeyed.
    pub key_in_use_unproven: u64,
    /// Addresses peers announced that were not kept (not allowed, not theirs, over
    /// `MAX_ADDRESSES_PER_PEER`).
    pub addresses_dropped: u64,
    /// Sync requests answered `Busy` because the member had used its sync budget
    /// (`SYNC_ANSWER_BYTES_BURST`, refilled at `SYNC_ANSWER_BYTES_PER_SECOND`).
    pub sync_budget_exhausted: u64,
    /// Store work refused for a peer that already had its share of the store-job slots
    /// (`MAX_STORE_JOBS_PER_MEMBER`); its gossip is ignored, its sync answered `Busy`.
    pub store_jobs_share_exhausted: u64,
    /// Gossiped entries ignored because their author already had
    /// `MAX_GOSSIP_JOBS_PER_AUTHOR` being validated (they come by sync).
    pub gossip_author_share_exhausted: u64,
}

/// A peer that refused our certificate, and what it said. A refusal is that peer's verdict,
/// not ours: it never changes this node's own status.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefusedBy {
    pub peer_id: String,
    /// The member it is, when it passed our gate before.
    pub member: Option<MemberCode>,
    /// The reason it gave last.
    pub reason: String,
    /// How many times it refused us.
    pub times: u64,
}

/// How this node can be reached.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReachInfo {
    /// `public` (a confirmed external address), `private` (AutoNAT found no address reachable
    /// from outside) or `unknown` (not tested yet).
    pub reachability: String,
    /// Confirmed external addresses.
    pub external: Vec<String>,
    /// It serves as a circuit relay now.
    pub relay_server: bool,
    /// The relays it holds a reservation on (peer ids), so members can dial it through them.
    pub relays: Vec<String>,
}

/// The network's addresses and counters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetInfo {
    pub peer_id: String,
    pub listen: Vec<String>,
    pub members_connected: usize,
    pub counters: Counters,
    /// Peers that refused our certificate, most recent first (at most
    /// [`config::MAX_REFUSALS_SHOWN`]). Only our own replica's revocations and certificates
    /// decide whether this node is revoked; these are the peers' word.
    pub refused_by: Vec<RefusedBy>,
    /// Whether this node may sign now.
    pub signing: Signing,
    /// The median offset of member peers' clocks from ours, in ms, as their handshakes showed
    /// (positive: they are ahead). `None` before any member answered.
    pub peer_clock_offset_ms: Option<i64>,
    pub reach: ReachInfo,
    /// Caught up: a pull from a member ended with nothing left to fetch recently (within
    /// [`config::SYNCED_WITHIN_INTERVALS`] sync intervals), and pulls from
    /// [`config::SYNCED_MEMBERS`] distinct connected members (all, if fewer) did within
    /// [`config::SYNCED_CONFIRM_INTERVALS`].
    pub synced: bool,
    /// Seconds since a pull last ended with nothing left to fetch (`None`: never yet).
    pub caught_up_seconds_ago: Option<u64>,
}

/// Whether this node may sign entries now, as far as the network can tell. Doppelganger
/// protection, as validator clients have it: a node signs only once it knows the network's head
/// of its own log, and never while another process uses its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum Signing {
    /// Starting: waiting for one sync round with a member (at most `Config::self_check_wait`).
    Checking,
    /// The node may sign.
    Ready,
    /// The node must not sign, and why (another process with its key, its clock ahead).
    Refused(String),
}

/// A cloneable handle to the network task.
#[derive(Debug, Clone)]
pub struct Handle {
    commands: mpsc::Sender<Command>,
    signing: watch::Receiver<Signing>,
}

impl Handle {
    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Result<T, Error> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(make(reply))
            .await
            .map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)
    }

    /// Whether the node may sign now.
    pub fn signing(&self) -> Signing {
        self.signing.borrow().clone()
    }

    /// Waits until the start-up check is over (see [`Signing`]), then says whether the node may
    /// sign.
    pub async fn ready_to_sign(&self) -> Signing {
        let mut signing = self.signing.clone();
        match signing.wait_for(|state| *state != Signing::Checking).await {
            Ok(state) => state.clone(),
            Err(_) => Signing::Refused("the network task has stopped".into()),
        }
    }

    pub async fn publish(&self, entry: Entry) -> Result<(), Error> {
        self.ask(|reply| Command::Publish {
            entry: Box::new(entry),
            reply,
        })
        .await
    }

    /// Gossips bytes as they are (tests only).
    #[cfg(test)]
    pub(crate) async fn publish_bytes(&self, bytes: Vec<u8>) -> Result<(), Error> {
        self.ask(|reply| Command::PublishBytes { bytes, reply })
            .await
    }

    pub async fn peers(&self) -> Result<Vec<PeerInfo>, Error> {
        self.ask(|reply| Command::Peers { reply }).await
    }

    pub async fn info(&self) -> Result<NetInfo, Error> {
        self.ask(|reply| Command::Info { reply }).await
    }

    pub async fn dial(&self, address: Multiaddr) -> Result<Result<(), String>, Error> {
        self.ask(|reply| Command::Dial { address, reply }).await
    }

    /// Sends `payload` to a node of member `to` and returns its answer. Uses a connected,
    /// verified node of that member; otherwise dials the nodes its certificates name (asking
    /// Kademlia for their addresses when needed) and waits up to
    /// `Config::direct_connect_timeout` for one to pass the gate, then up to
    /// `Config::direct_request_timeout` for the answer. Delivery is at most once per
    /// call: a failed call may or may not have reached the receiver, so payloads must be safe
    /// to receive twice.
    pub async fn send_direct(
        &self,
        to: MemberCode,
        payload: Vec<u8>,
    ) -> Result<Vec<u8>, DirectError> {
        if payload.len() > config::MAX_DIRECT_BYTES {
            return Err(DirectError::TooLarge {
                size: payload.len(),
                limit: config::MAX_DIRECT_BYTES,
            });
        }
        self.ask(|reply| Command::SendDirect { to, payload, reply })
            .await
            .map_err(|_| DirectError::ShuttingDown)?
    }

    /// Stops the network task; returns once its connections are closed.
    pub async fn shutdown(&self) -> Result<(), Error> {
        self.ask(|reply| Command::Shutdown { reply }).await
    }
}

/// Who this node is on the network.
#[derive(Debug, Clone)]
pub struct Identity {
    pub key: SecretKey,
    pub certificate: Certificate,
    pub genesis: Genesis,
}

/// A started network: its handle, its task, and the direct messages other members send here.
#[derive(Debug)]
pub struct Started {
    pub handle: Handle,
    pub task: tokio::task::JoinHandle<()>,
    /// Incoming direct messages, bounded by [`config::DIRECT_INBOX`]: when the node falls
    /// behind, senders are answered "busy" and retry. Dropping it refuses direct messages.
    pub direct: mpsc::Receiver<InboundDirect>,
}

/// Builds the swarm, starts listening, dials the bootstrap nodes and spawns the network task.
/// Returns once every listener has its address. Direct messages are refused: use
/// [`start_with_direct`] to receive them.
pub async fn start(
    config: Config,
    identity: Identity,
    store: Arc<Store>,
    committer: Committer,
) -> Result<(Handle, tokio::task::JoinHandle<()>), Error> {
    let started = start_with_direct(config, identity, store, committer).await?;
    Ok((started.handle, started.task))
}

/// Like [`start`], and hands incoming direct messages to the caller.
pub async fn start_with_direct(
    config: Config,
    identity: Identity,
    store: Arc<Store>,
    committer: Committer,
) -> Result<Started, Error> {
    let (commands, receiver) = mpsc::channel(config::COMMAND_QUEUE);
    let (inbox, direct) = mpsc::channel(config::DIRECT_INBOX);
    let (signing_tx, signing) = watch::channel(Signing::Checking);
    let mut event_loop = event_loop::EventLoop::new(
        config, identity, store, committer, receiver, inbox, signing_tx,
    )?;
    event_loop.listen().await?;
    let task = tokio::spawn(event_loop.run());
    Ok(Started {
        handle: Handle { commands, signing },
        task,
        direct,
    })
}
