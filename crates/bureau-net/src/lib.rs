//! Bureau's network: the only crate that imports libp2p.
//!
//! One task owns the libp2p `Swarm` ([`start`] spawns it); everyone else holds a cloneable
//! [`Handle`] that sends a [`Command`] with a `oneshot` reply. Store work never runs on that
//! task: it goes to blocking threads and comes back as a job result. Components:
//! - `behaviour`: the composed libp2p behaviour and its configuration;
//! - `event_loop`: the task, its `select!`, commands and swarm events;
//! - `gate`: the membership handshake (certificates exchanged on every new connection);
//! - `gossip`: entry gossip with validation by the store before forwarding;
//! - `sync`: version-vector sync (digest, then heads, then bounded batches of entries);
//! - `codec`, `protocol`, `identity`, `config`: framing, messages, keys, limits.

mod behaviour;
mod codec;
pub mod config;
mod event_loop;
mod gate;
mod gossip;
pub mod identity;
pub mod protocol;
mod sync;

use std::sync::Arc;

use bureau_core::{Certificate, Entry, Genesis, MemberCode, SecretKey};
use bureau_store::{Committer, Store};
use libp2p::Multiaddr;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

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

/// A request to the network task.
#[derive(Debug)]
pub enum Command {
    /// Gossip an entry the local store has already applied.
    Publish {
        entry: Box<Entry>,
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
    /// Close every connection and stop.
    Shutdown { reply: oneshot::Sender<()> },
}

/// A connected peer as `bureau peers` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PeerInfo {
    pub peer_id: String,
    /// `None` until its certificate has been checked.
    pub member: Option<MemberCode>,
    pub address: String,
    /// `inbound` or `outbound`.
    pub direction: &'static str,
    /// How the connection is made: `direct` (relayed connections come with NAT traversal).
    pub connection: &'static str,
    pub connected_seconds: u64,
    pub gossip_score: f64,
}

/// What the network task counts.
#[derive(Debug, Clone, Default, Serialize)]
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
}

/// The network's addresses and counters.
#[derive(Debug, Clone, Serialize)]
pub struct NetInfo {
    pub peer_id: String,
    pub listen: Vec<String>,
    pub members_connected: usize,
    pub counters: Counters,
    /// The last reason a peer gave for refusing our certificate (for example a revocation).
    pub refused_by_network: Option<String>,
}

/// A cloneable handle to the network task.
#[derive(Debug, Clone)]
pub struct Handle {
    commands: mpsc::Sender<Command>,
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

    pub async fn publish(&self, entry: Entry) -> Result<(), Error> {
        self.ask(|reply| Command::Publish {
            entry: Box::new(entry),
            reply,
        })
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

/// Builds the swarm, starts listening, dials the bootstrap nodes and spawns the network task.
/// Returns once every listener has its address.
pub async fn start(
    config: Config,
    identity: Identity,
    store: Arc<Store>,
    committer: Committer,
) -> Result<(Handle, tokio::task::JoinHandle<()>), Error> {
    let (commands, receiver) = mpsc::channel(config::COMMAND_QUEUE);
    let mut event_loop = event_loop::EventLoop::new(config, identity, store, committer, receiver)?;
    event_loop.listen().await?;
    let task = tokio::spawn(event_loop.run());
    Ok((Handle { commands }, task))
}
