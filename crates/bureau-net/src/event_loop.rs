//! The network task: one `select!` over swarm events, commands from handles, finished store
//! jobs, the node's answers to direct messages, direct-message deadlines and a periodic tick. Each arm calls one handler; handlers never wait on the store.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bureau_core::{Certificate, MemberCode, NetworkId, PublicKey, SecretKey};
use bureau_store::{Committer, Store};
use futures::StreamExt;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{ConnectionId, Swarm, SwarmEvent};
use libp2p::{Multiaddr, PeerId, gossipsub, multiaddr::Protocol};
use tokio::sync::{mpsc, watch};

use crate::addresses::AddressPolicy;
use crate::admission::{self, Blocks};
use crate::behaviour::{self, Behaviour, BehaviourEvent};
use crate::config::{self, Config};
use crate::direct::Direct;
use crate::gate::PeerState;
pub(crate) use crate::jobs::JobFor;
use crate::jobs::{Finished, JobOwner};
use crate::reach::Reach;
use crate::{
    Command, Counters, Error, Identity, InboundDirect, NetInfo, PeerInfo, identity, protocol,
};

/// A finished store job, back on the network task.
pub(crate) enum JobDone {
    Gate(crate::gate::Checked),
    Gossip(crate::gossip::Validated),
    Fork(crate::gossip::ForkChecked),
    Sync(crate::sync::SyncJob),
    Direct(crate::direct::NodesFound),
}

/// One connection to a peer.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub id: ConnectionId,
    /// The peer's address; for an inbound relayed connection, the relay address it came in by.
    pub address: Multiaddr,
    pub outbound: bool,
    /// Over a relay circuit.
    pub relayed: bool,
}

/// A connected peer.
pub(crate) struct Peer {
    pub state: PeerState,
    /// It accepted our certificate (answered our hello with a welcome): it takes our direct
    /// messages.
    pub welcomed: bool,
    pub connected_at: Instant,
    /// Its open connections, oldest first (a relayed one and a direct one after hole punching).
    pub links: Vec<Link>,
    /// Addresses it listens on (from identify), added to Kademlia once it is verified.
    pub listen_addrs: Vec<Multiaddr>,
    /// It serves as a circuit relay (identify lists the relay hop protocol).
    pub is_relay: bool,
    /// The process instance its hello named (two processes with one key differ here).
    pub instance: Option<u64>,
    /// Its clock minus ours when its hello arrived, in ms.
    pub clock_offset_ms: Option<i64>,
    /// Its latest signed hello: the proof we show a second process of its key.
    pub last_hello: Option<Box<protocol::Hello>>,
    /// Our hellos to it that were lost with their connection and sent again on another.
    pub hellos_resent: u8,
}

pub(crate) struct EventLoop {
    pub swarm: Swarm<Behaviour>,
    pub store: Arc<Store>,
    pub committer: Committer,
    pub network: NetworkId,
    pub root_key: PublicKey,
    /// The node key: it signs our hellos.
    pub key: SecretKey,
    pub certificate: Certificate,
    pub topic: gossipsub::IdentTopic,
    pub config: Config,
    pub peers: HashMap<PeerId, Peer>,
    commands: mpsc::Receiver<Command>,
    pub(crate) jobs: mpsc::Sender<Finished>,
    done: mpsc::Receiver<Finished>,
    pub jobs_in_flight: usize,
    /// Jobs in flight by whom they run for (see [`JobFor`]).
    pub(crate) jobs_by_owner: HashMap<JobOwner, usize>,
    /// Gossip validations in flight per author key (`MAX_GOSSIP_JOBS_PER_AUTHOR`).
    pub(crate) gossip_jobs_by_author: HashMap<bureau_core::PublicKey, usize>,
    /// Each member's sync allowance, kept across its reconnections.
    pub sync_budgets: HashMap<MemberCode, crate::sync::SyncBudget>,
    /// Encoded entries waiting for a subscribed peer.
    pub unsent: VecDeque<Vec<u8>>,
    /// Peers we are pulling from now.
    pub syncing: HashSet<PeerId>,
    pub counters: Counters,
    listen_addrs: Vec<Multiaddr>,
    /// Peers refused at the handshake, blocked once our refusal has been sent to them.
    pub refusing: HashSet<PeerId>,
    /// Peers that refused us, most recent first: their word, shown, never our own status.
    pub refused_by: VecDeque<crate::RefusedBy>,
    /// Strikes of peers the gate refused or that were late: how long each stays blocked.
    pub blocks: Blocks,
    /// Which addresses peers tell us of we keep and dial.
    pub addresses: AddressPolicy,
    /// Peers refused from their answer to our hello, waiting for their own hello to be told why.
    pub pending_refusals: HashMap<PeerId, String>,
    /// Connections to close once our answer has gone out (a second process with a known key).
    pub closing: HashSet<ConnectionId>,
    /// Peers refused for time reasons (certificate not valid yet or expired by our clock),
    /// dialled again at the next tick.
    pub time_refused: HashSet<PeerId>,
    pub direct: Direct,
    pub reach: Reach,
    pub forks_topic: gossipsub::IdentTopic,
    /// Fork proofs already gossiped (by hash), so each goes out once.
    pub forks_sent: HashSet<bureau_core::Hash>,
    /// Doppelganger protection: see [`crate::Signing`].
    pub self_check: SelfCheck,
    /// Peers whose "key in use" proof was genuine but older than our start: signing waits
    /// until they are asked again (see `doppelganger`).
    pub suspects: HashMap<PeerId, crate::doppelganger::Suspect>,
    signing: watch::Sender<crate::Signing>,
    /// libp2p's own metrics, when the node serves them.
    metrics: Option<libp2p::metrics::Metrics>,
    /// When a pull from a member last ended with nothing left to fetch (see
    /// [`config::SYNCED_WITHIN_INTERVALS`]).
    pub last_caught_up: Option<Instant>,
    /// When each member was last caught up with (a pull that ended with nothing to fetch);
    /// pruned to connected members when read.
    pub caught_up: HashMap<PeerId, Instant>,
}

/// What the node knows about signing safely.
pub(crate) struct SelfCheck {
    /// Drawn at start; sent in every hello.
    pub instance: u64,
    pub started: Instant,
    /// Wall-clock start time: an entry of our own key signed after it was not signed here.
    pub started_at: bureau_core::Timestamp,
    /// One sync round with a member completed (or the wait ran out).
    pub checked: bool,
    /// Another process signs with our key: permanent for this process.
    pub doppelganger: Option<String>,
    /// Our clock runs ahead of the peers': lifted once it no longer does.
    pub clock_ahead: Option<String>,
}

impl EventLoop {
    pub fn new(
        config: Config,
        identity: Identity,
        store: Arc<Store>,
        committer: Committer,
        commands: mpsc::Receiver<Command>,
        inbox: mpsc::Sender<InboundDirect>,
        signing: watch::Sender<crate::Signing>,
    ) -> Result<EventLoop, Error> {
        let keypair = identity::keypair(&identity.key);
        let network = identity.genesis.network_id();
        let build_error = |error: &dyn std::fmt::Display| Error::Build(error.to_string());
        let builder = libp2p::SwarmBuilder::with_existing_identity(keypair)
            .with_tokio()
            .with_tcp(
                libp2p::tcp::Config::default(),
                libp2p::noise::Config::new,
                libp2p::yamux::Config::default,
            )
            .map_err(|e| build_error(&e))?
            .with_quic();
        let build = |key: &libp2p::identity::Keypair, relay_client| {
            behaviour::build(key, relay_client, &network, &config)
        };
        let swarm_config = |c: libp2p::swarm::Config| {
            c.with_idle_connection_timeout(config.idle_connection_timeout)
        };
        // The four builders differ only in their transport's type: DNS or not, bandwidth
        // counted or not.
        let mut registry = config.metrics.as_ref().map(|registry| {
            registry
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        });
        macro_rules! finish {
            ($builder:expr) => {{
                let builder = $builder
                    .with_relay_client(libp2p::noise::Config::new, libp2p::yamux::Config::default)
                    .map_err(|e| build_error(&e))?;
                match registry.as_deref_mut() {
                    Some(registry) => builder
                        .with_bandwidth_metrics(registry)
                        .with_behaviour(build)
                        .map_err(|e| build_error(&e))?
                        .with_swarm_config(swarm_config)
                        .build(),
                    None => builder
                        .with_behaviour(build)
                        .map_err(|e| build_error(&e))?
                        .with_swarm_config(swarm_config)
                        .build(),
                }
            }};
        }
        let swarm = if config.dns {
            finish!(builder.with_dns().map_err(|e| build_error(&e))?)
        } else {
            finish!(builder)
        };
        let metrics = registry.as_deref_mut().map(libp2p::metrics::Metrics::new);
        drop(registry);
        let (jobs, done) = mpsc::channel(config::MAX_STORE_JOBS);
        let addresses = AddressPolicy::from_config(&config);
        let mut event_loop = EventLoop {
            swarm,
            store,
            committer,
            network,
            root_key: identity.genesis.root_key(),
            key: identity.key.clone(),
            certificate: identity.certificate,
            topic: gossipsub::IdentTopic::new(protocol::entries_topic(&network)),
            config,
            peers: HashMap::new(),
            commands,
            jobs,
            done,
            jobs_in_flight: 0,
            jobs_by_owner: HashMap::new(),
            gossip_jobs_by_author: HashMap::new(),
            sync_budgets: HashMap::new(),
            unsent: VecDeque::new(),
            syncing: HashSet::new(),
            counters: Counters::default(),
            listen_addrs: Vec::new(),
            refusing: HashSet::new(),
            refused_by: VecDeque::new(),
            blocks: Blocks::default(),
            addresses,
            closing: HashSet::new(),
            pending_refusals: HashMap::new(),
            time_refused: HashSet::new(),
            direct: Direct::new(inbox),
            reach: Reach::new(),
            forks_topic: gossipsub::IdentTopic::new(protocol::forks_topic(&network)),
            forks_sent: HashSet::new(),
            self_check: SelfCheck {
                instance: rand::random(),
                started: Instant::now(),
                started_at: crate::gate::now(),
                checked: false,
                doppelganger: None,
                clock_ahead: None,
            },
            suspects: HashMap::new(),
            signing,
            metrics,
            last_caught_up: None,
            caught_up: HashMap::new(),
        };
        for topic in [&event_loop.topic, &event_loop.forks_topic] {
            event_loop
                .swarm
                .behaviour_mut()
                .gossipsub
                .subscribe(topic)
                .map_err(|e| build_error(&e))?;
        }
        Ok(event_loop)
    }

    /// Opens every listener and waits for its address (port 0 becomes a real port).
    pub async fn listen(&mut self) -> Result<(), Error> {
        for address in self.config.listen.clone() {
            self.swarm
                .listen_on(address.clone())
                .map_err(|error| Error::Listen {
                    address,
                    reason: error.to_string(),
                })?;
        }
        while self.listen_addrs.len() < self.config.listen.len() {
            match self.swarm.select_next_some().await {
                SwarmEvent::NewListenAddr { address, .. } => self.listen_addrs.push(address),
                SwarmEvent::ListenerError { error, .. } => {
                    return Err(Error::Listen {
                        address: self.config.listen[self.listen_addrs.len()].clone(),
                        reason: error.to_string(),
                    });
                }
                SwarmEvent::ListenerClosed {
                    addresses, reason, ..
                } => {
                    return Err(Error::Listen {
                        address: addresses
                            .first()
                            .cloned()
                            .unwrap_or_else(|| self.config.listen[0].clone()),
                        reason: format!("{reason:?}"),
                    });
                }
                _ => {}
            }
        }
        self.start_reach();
        for address in self.config.bootstrap.clone() {
            self.dial_address(address);
        }
        Ok(())
    }

    pub async fn run(mut self) {
        let mut tick = tokio::time::interval(self.config.sync_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Its own timer: the tick follows `sync_interval` (30 s by default).
        let mut direct_retry = tokio::time::interval(config::DIRECT_RETRY_INTERVAL);
        direct_retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The gate's deadline is seconds; the sync tick may be minutes.
        let mut gate_check = tokio::time::interval(config::GATE_CHECK_INTERVAL);
        gate_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut presence = tokio::time::interval(self.config.presence_interval);
        presence.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let self_check_deadline =
            tokio::time::Instant::from_std(self.self_check.started) + self.config.self_check_wait;
        loop {
            let direct_deadline = self.direct.next_deadline();
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(Command::Shutdown { reply }) => {
                        self.close_all();
                        let _ = reply.send(());
                        return;
                    }
                    Some(command) => self.on_command(command),
                    // Every handle is gone: nobody can ask anything of us any more.
                    None => {
                        self.close_all();
                        return;
                    }
                },
                Some(Finished { owner, done }) = self.done.recv() => {
                    self.job_finished(owner);
                    match done {
                        JobDone::Gate(checked) => self.on_gate_checked(checked),
                        JobDone::Gossip(validated) => self.on_gossip_validated(validated),
                        JobDone::Fork(checked) => self.on_fork_checked(checked),
                        JobDone::Sync(job) => self.on_sync_job(job),
                        JobDone::Direct(found) => self.on_direct_nodes(found),
                    }
                }
                Some(answer) = self.direct.answers.next(), if !self.direct.answers.is_empty() => {
                    self.on_direct_answer(answer);
                }
                () = sleep_until(direct_deadline), if direct_deadline.is_some() => {
                    self.expire_direct_waits();
                }
                _ = tick.tick() => self.on_tick(),
                () = tokio::time::sleep_until(self_check_deadline),
                    if !self.self_check.checked && !self.config.self_check_required => {
                    self.on_self_check_timeout();
                }
                _ = direct_retry.tick() => self.retry_direct(),
                _ = gate_check.tick() => self.expire_handshakes(),
                _ = presence.tick() => self.on_presence_tick(),
            }
        }
    }

    fn on_command(&mut self, command: Command) {
        match command {
            Command::Publish { entry, reply } => {
                self.publish(entry.to_bytes());
                self.on_entry_applied(&entry);
                let _ = reply.send(());
            }
            #[cfg(test)]
            Command::PublishBytes { bytes, reply } => {
                self.publish(bytes);
                let _ = reply.send(());
            }
            Command::Peers { reply } => {
                let _ = reply.send(self.peer_infos());
            }
            Command::Info { reply } => {
                let synced = self.synced();
                let _ = reply.send(NetInfo {
                    peer_id: self.swarm.local_peer_id().to_string(),
                    listen: self.listen_addrs.iter().map(ToString::to_string).collect(),
                    members_connected: self
                        .peers
                        .values()
                        .filter(|peer| peer.state.is_member())
                        .count(),
                    counters: self.counters(),
                    refused_by: self.refused_by.iter().cloned().collect(),
                    signing: self.signing.borrow().clone(),
                    peer_clock_offset_ms: self.median_clock_offset(),
                    reach: self.reach_info(),
                    synced,
                    caught_up_seconds_ago: self.last_caught_up.map(|at| at.elapsed().as_secs()),
                });
            }
            Command::Dial { address, reply } => {
                let _ = reply.send(
                    self.swarm
                        .dial(dial_opts(address))
                        .map_err(|error| error.to_string()),
                );
            }
            Command::SendDirect { to, payload, reply } => self.send_direct(to, payload, reply),
            Command::Shutdown { .. } => {}
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        if let Some(metrics) = &self.metrics {
            record(metrics, &event);
        }
        match event {
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                num_established,
                ..
            } => {
                let relayed = endpoint.is_relayed();
                let address = match &endpoint {
                    // An inbound relayed connection names only the peer; say which relay.
                    libp2p::core::ConnectedPoint::Listener { local_addr, .. } if relayed => {
                        local_addr.clone().with(Protocol::P2p(peer_id))
                    }
                    _ => endpoint.get_remote_address().clone(),
                };
                let link = Link {
                    id: connection_id,
                    address,
                    outbound: endpoint.is_dialer(),
                    relayed,
                };
                if relayed {
                    self.counters.relayed_connections += 1;
                }
                if num_established.get() == 1 {
                    self.on_connected(peer_id, link);
                } else if let Some(peer) = self.peers.get_mut(&peer_id) {
                    peer.links.push(link);
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                ..
            } => {
                if num_established == 0 {
                    self.peers.remove(&peer_id);
                    self.swarm.behaviour_mut().forget(&peer_id);
                    self.syncing.remove(&peer_id);
                    if self.pending_refusals.remove(&peer_id).is_some() {
                        // Gone before it could be told why: block it as refused.
                        self.refuse(peer_id);
                    }
                    self.on_peer_gone(peer_id);
                } else if let Some(peer) = self.peers.get_mut(&peer_id) {
                    peer.links.retain(|link| link.id != connection_id);
                }
            }
            SwarmEvent::NewListenAddr { address, .. } if !self.listen_addrs.contains(&address) => {
                self.addresses.note_listen_address(&address);
                if let Some(policy) = self.swarm.behaviour_mut().kad.dial_filter_mut() {
                    policy.note_listen_address(&address);
                }
                self.on_new_listen_addr(&address);
                self.listen_addrs.push(address);
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                self.listen_addrs.retain(|known| *known != address);
            }
            SwarmEvent::ListenerClosed {
                listener_id,
                reason,
                ..
            } => self.on_listener_closed(listener_id, reason.map_err(|error| error.to_string())),
            SwarmEvent::ExternalAddrConfirmed { address } => self.on_external_confirmed(&address),
            SwarmEvent::ExternalAddrExpired { .. } => self.on_external_expired(),
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(peer = ?peer_id, %error, "dial failed");
                if let Some(peer) = peer_id {
                    self.on_direct_dial_failed(peer);
                }
            }
            SwarmEvent::IncomingConnectionError {
                error: libp2p::swarm::ListenError::Denied { cause },
                send_back_addr,
                ..
            } if cause.downcast_ref::<admission::Denied>().is_some() => {
                self.counters.connections_denied_before_gate += 1;
                tracing::debug!(address = %send_back_addr, %cause, "connection denied before the gate");
            }
            SwarmEvent::IncomingConnectionError { error, .. } => {
                tracing::debug!(%error, "incoming connection failed");
            }
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            _ => {}
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) {
        match event {
            BehaviourEvent::Hello(event) => self.on_hello_event(event),
            BehaviourEvent::Sync(event) => self.on_sync_event(event),
            BehaviourEvent::Direct(event) => self.on_direct_event(event),
            BehaviourEvent::Kad(libp2p::kad::Event::OutboundQueryProgressed {
                id,
                result: libp2p::kad::QueryResult::GetClosestPeers(result),
                step,
                ..
            }) => self.on_direct_lookup(id, result, step.last),
            BehaviourEvent::Gossipsub(event) => self.on_gossip_event(event),
            BehaviourEvent::Identify(libp2p::identify::Event::Received {
                peer_id, info, ..
            }) => {
                if info.protocol_version != protocol::identify_version(&self.network) {
                    return;
                }
                let announced = info.listen_addrs.len();
                let kept = self.addresses.keep_for(&peer_id, info.listen_addrs);
                self.counters.addresses_dropped += (announced - kept.len()) as u64;
                if let Some(peer) = self.peers.get_mut(&peer_id) {
                    peer.listen_addrs = kept;
                    peer.is_relay = info.protocols.contains(&libp2p::relay::HOP_PROTOCOL_NAME);
                    if peer.state.is_member() {
                        self.add_member_addresses(peer_id);
                        self.reserve_relays();
                    }
                }
            }
            BehaviourEvent::Relay(event) => self.on_relay_event(event),
            BehaviourEvent::RelayClient(event) => self.on_relay_client_event(event),
            BehaviourEvent::Dcutr(event) => self.on_dcutr_event(event),
            BehaviourEvent::AutonatClient(event) => self.on_autonat_event(event),
            BehaviourEvent::Kad(libp2p::kad::Event::RoutingUpdated { peer, .. })
                // A member we learned of through another member: connect to it directly.
                if !self.swarm.is_connected(&peer) && peer != *self.swarm.local_peer_id() => {
                    let _ = self.swarm.dial(
                        DialOpts::peer_id(peer)
                            .condition(PeerCondition::DisconnectedAndNotDialing)
                            .build(),
                    );
                }
            _ => {}
        }
    }

    /// Tells Kademlia and the swarm where a verified member listens, then asks Kademlia for the
    /// members it knows, so every member ends up connected to every other.
    pub fn add_member_addresses(&mut self, peer_id: PeerId) {
        let Some(peer) = self.peers.get(&peer_id) else {
            return;
        };
        let addresses = peer.listen_addrs.clone();
        for address in addresses {
            self.swarm
                .behaviour_mut()
                .kad
                .add_address(&peer_id, address.clone());
            self.swarm.add_peer_address(peer_id, address);
        }
        let _ = self.swarm.behaviour_mut().kad.bootstrap();
    }

    /// A pull from a member ended with nothing left to fetch.
    pub(crate) fn caught_up_with(&mut self, peer: PeerId) {
        let now = Instant::now();
        self.last_caught_up = Some(now);
        self.caught_up.insert(peer, now);
    }

    /// Caught up: with a member within [`config::SYNCED_WITHIN_INTERVALS`], and with
    /// [`config::SYNCED_MEMBERS`] distinct connected members (or all connected, if fewer)
    /// within [`config::SYNCED_CONFIRM_INTERVALS`].
    fn synced(&mut self) -> bool {
        let interval = self.config.sync_interval;
        let recent = self
            .last_caught_up
            .is_some_and(|at| at.elapsed() < interval * config::SYNCED_WITHIN_INTERVALS);
        let peers = &self.peers;
        self.caught_up.retain(|peer, at| {
            peers.get(peer).is_some_and(|p| p.state.is_member())
                && at.elapsed() < interval * config::SYNCED_CONFIRM_INTERVALS
        });
        let members = peers.values().filter(|p| p.state.is_member()).count();
        recent && self.caught_up.len() >= config::SYNCED_MEMBERS.min(members).max(1)
    }

    fn on_self_check_timeout(&mut self) {
        if self.self_check.checked {
            return;
        }
        tracing::warn!(
            waited_seconds = self.config.self_check_wait.as_secs(),
            "no member answered a sync in time: signing on what this replica holds (if a newer copy of this node's log exists elsewhere, its next entry will fork)"
        );
        self.self_check.checked = true;
        self.update_signing();
    }

    /// Publishes the signing state the self-check fields give.
    pub fn update_signing(&mut self) {
        let check = &self.self_check;
        let state = if let Some(reason) = check.doppelganger.as_ref().or(check.clock_ahead.as_ref())
        {
            crate::Signing::Refused(reason.clone())
        } else if check.checked && self.suspects.is_empty() {
            crate::Signing::Ready
        } else {
            crate::Signing::Checking
        };
        self.signing.send_if_modified(|held| {
            if *held == state {
                return false;
            }
            *held = state;
            true
        });
    }

    fn on_tick(&mut self) {
        // Peers come and go: judge our clock against those connected now.
        self.judge_clock();
        for peer in self.blocks.expired(Instant::now()) {
            tracing::debug!(%peer, "block over: the peer may connect again");
            self.swarm.behaviour_mut().blocked.unblock_peer(peer);
        }
        for peer in std::mem::take(&mut self.time_refused) {
            if let Err(error) = self.swarm.dial(peer) {
                tracing::debug!(%peer, %error, "cannot dial a peer refused for time reasons");
            }
        }
        self.reserve_relays();
        self.republish_unsent();
        self.anti_entropy();
        if self.peers.is_empty() {
            for address in self.config.bootstrap.clone() {
                self.dial_address(address);
            }
        }
    }

    fn dial_address(&mut self, address: Multiaddr) {
        if let Err(error) = self.swarm.dial(dial_opts(address.clone())) {
            tracing::debug!(%address, %error, "cannot dial");
        }
    }

    fn close_all(&mut self) {
        let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        for peer in peers {
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    /// The counters, with those the behaviours keep.
    fn counters(&self) -> Counters {
        Counters {
            held_before_gate_dropped: self.swarm.behaviour().held_dropped(),
            ..self.counters.clone()
        }
    }

    fn peer_infos(&self) -> Vec<PeerInfo> {
        let mut infos: Vec<PeerInfo> = self
            .peers
            .iter()
            .filter_map(|(peer_id, peer)| Some((peer_id, peer, peer.best_link()?)))
            .map(|(peer_id, peer, link)| PeerInfo {
                peer_id: peer_id.to_string(),
                member: peer.state.member(),
                address: link.address.to_string(),
                direction: if link.outbound { "outbound" } else { "inbound" }.to_owned(),
                connection: if link.relayed { "relayed" } else { "direct" }.to_owned(),
                connected_seconds: peer.connected_at.elapsed().as_secs(),
                gossip_score: self
                    .swarm
                    .behaviour()
                    .gossipsub
                    .peer_score(peer_id)
                    .unwrap_or(0.0),
            })
            .collect();
        infos.sort_by(|a, b| {
            a.member
                .cmp(&b.member)
                .then_with(|| a.peer_id.cmp(&b.peer_id))
        });
        infos
    }

    pub fn new_peer(link: Link) -> Peer {
        Peer {
            state: PeerState::Unverified {
                since: Instant::now(),
            },
            welcomed: false,
            connected_at: Instant::now(),
            links: vec![link],
            listen_addrs: Vec::new(),
            is_relay: false,
            instance: None,
            clock_offset_ms: None,
            last_hello: None,
            hellos_resent: 0,
        }
    }

    pub fn handshake_deadline(&self) -> Duration {
        self.config.handshake_timeout
    }
}

impl Peer {
    /// The connection `bureau peers` shows: a direct one when there is one.
    pub fn best_link(&self) -> Option<&Link> {
        self.links
            .iter()
            .find(|link| !link.relayed)
            .or_else(|| self.links.first())
    }
}

/// Dial options for an address: with its peer id when it names one (so a connected peer is not
/// dialled twice), on a fresh local port so simultaneous dials between two nodes do not clash.
fn dial_opts(address: Multiaddr) -> DialOpts {
    match address.iter().last() {
        Some(Protocol::P2p(peer)) => DialOpts::peer_id(peer)
            .addresses(vec![address])
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .allocate_new_port()
            .build(),
        _ => DialOpts::unknown_peer_id()
            .address(address)
            .allocate_new_port()
            .build(),
    }
}

/// Counts `event` in libp2p's metrics: the swarm's, and those of the protocols that have them.
fn record(metrics: &libp2p::metrics::Metrics, event: &SwarmEvent<BehaviourEvent>) {
    use libp2p::metrics::Recorder;
    metrics.record(event);
    if let SwarmEvent::Behaviour(event) = event {
        match event {
            BehaviourEvent::Gossipsub(event) => metrics.record(event),
            BehaviourEvent::Kad(event) => metrics.record(event),
            BehaviourEvent::Identify(event) => metrics.record(event),
            BehaviourEvent::Ping(event) => metrics.record(event),
            BehaviourEvent::Relay(event) => metrics.record(event),
            BehaviourEvent::Dcutr(event) => metrics.record(event),
            _ => {}
        }
    }
}

/// Sleeps until `deadline`; forever without one (its `select!` arm is disabled then anyway).
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => futures::future::pending().await,
    }
}
