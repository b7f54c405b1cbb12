//! The composed libp2p behaviour and how each part is configured.
//!
//! Gates come first (the derive consults fields in order, and the first denial wins): the block
//! list of refused peers, connection limits, memory limits, the budget of connections waiting
//! for the gate ([`admission`]). Then identify, ping, Kademlia (member addresses, our own
//! protocol name, server mode, manual inserts so only verified members enter the table, no
//! records stored), gossipsub (anonymous messages, our validation, content ids, one
//! whitelisted topic, peer scoring) and three request-response protocols (hello, sync, direct).
//!
//! Every service a member gives another (identify, Kademlia, the relay server, AutoNAT client
//! and server, sync, direct) is wrapped in [`Gated`]: it serves a peer only once the gate has
//! verified it ([`Behaviour::admit`]). Only the hello, ping, gossipsub (which graylists
//! unverified peers by score), the relay client and DCUtR (whose partners come through a
//! relay, which admits only members) run before the gate.
//!
//! Reach: a circuit relay v2 server (wrapped by [`relay_guard`] against an upstream panic;
//! switched on by confirmed external addresses or by [`RelayServer`]), the relay client (its
//! transport comes from the swarm builder), DCUtR and AutoNAT v2 (client and server). v2 rather
//! than v1: its server dials back from a fresh port, so a hole punched by the test connection
//! cannot fake reachability, and a confirmed address goes straight to the swarm as an external
//! address, which switches the relay server on.

use std::collections::HashSet;
use std::error::Error;

use bureau_core::NetworkId;
use std::num::NonZeroU32;

use libp2p::swarm::{NetworkBehaviour, behaviour::toggle::Toggle};
use libp2p::{
    PeerId, StreamProtocol, allow_block_list, autonat, connection_limits, dcutr, gossipsub,
    identify, identity, kad, memory_connection_limits, ping, relay, request_response,
};

use crate::addresses::AddressPolicy;
use crate::admission::Admission;
use crate::codec::FrameCodec;
use crate::config::{self, Config, RelayServer};
use crate::gated::Gated;
use crate::protocol::{
    self, DirectRequest, DirectResponse, Hello, HelloResponse, SyncRequest, SyncResponse,
};
use crate::relay_guard;

#[derive(NetworkBehaviour)]
pub struct Behaviour {
    pub blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    pub limits: connection_limits::Behaviour,
    pub memory: memory_connection_limits::Behaviour,
    pub admission: Admission,
    pub identify: Gated<identify::Behaviour>,
    pub ping: ping::Behaviour,
    pub relay: Gated<relay_guard::Guarded>,
    pub relay_client: relay::client::Behaviour,
    pub dcutr: Toggle<dcutr::Behaviour>,
    pub autonat_client: Gated<autonat::v2::client::Behaviour>,
    pub autonat_server: Gated<autonat::v2::server::Behaviour>,
    pub kad: Gated<kad::Behaviour<kad::store::MemoryStore>>,
    pub gossipsub:
        gossipsub::Behaviour<gossipsub::IdentityTransform, gossipsub::WhitelistSubscriptionFilter>,
    pub hello: request_response::Behaviour<FrameCodec<Hello, HelloResponse>>,
    pub sync: Gated<request_response::Behaviour<FrameCodec<SyncRequest, SyncResponse>>>,
    pub direct: Gated<request_response::Behaviour<FrameCodec<DirectRequest, DirectResponse>>>,
}

impl Behaviour {
    /// The gate verified `peer`: every gated service serves it from now on.
    pub fn admit(&mut self, peer: PeerId) {
        self.admission.admit(peer);
        self.identify.admit(peer);
        self.relay.admit(peer);
        self.autonat_client.admit(peer);
        self.autonat_server.admit(peer);
        self.kad.admit(peer);
        self.sync.admit(peer);
        self.direct.admit(peer);
    }

    /// `peer` is gone or no longer a member: its next connections wait for the gate again.
    pub fn forget(&mut self, peer: &PeerId) {
        self.admission.forget(peer);
        self.identify.forget(peer);
        self.relay.forget(peer);
        self.autonat_client.forget(peer);
        self.autonat_server.forget(peer);
        self.kad.forget(peer);
        self.sync.forget(peer);
        self.direct.forget(peer);
    }

    /// Streams and events dropped unread from peers that sent too much before the gate.
    pub fn held_dropped(&self) -> u64 {
        [
            self.identify.dropped(),
            self.relay.dropped(),
            self.autonat_client.dropped(),
            self.autonat_server.dropped(),
            self.kad.dropped(),
            self.sync.dropped(),
            self.direct.dropped(),
        ]
        .iter()
        .sum()
    }
}

fn stream_protocol(name: String) -> Result<StreamProtocol, Box<dyn Error + Send + Sync>> {
    StreamProtocol::try_from_owned(name).map_err(|error| error.to_string().into())
}

/// Peer scoring for a quiet topic of signed entries. P4 (invalid messages) is what we rely on:
/// a peer that forwards an entry our store rejects loses 100 points per message, so two forged
/// entries take it under the publish threshold and nine under the graylist. Mesh-delivery
/// penalties (P3, P3b) are off, since honest bureaus can be silent for hours. P6 (IP
/// colocation) comes from the config. Application scores (weight 10) gate unverified peers.
/// Only faults the sender provably made count as invalid (see `EntryError::is_attributable`).
/// The fork-proof topic is scored the same way.
fn score_params(topics: &[&gossipsub::IdentTopic], config: &Config) -> gossipsub::PeerScoreParams {
    let topic_params = gossipsub::TopicScoreParams {
        topic_weight: 1.0,
        time_in_mesh_weight: 0.01,
        first_message_deliveries_weight: 1.0,
        mesh_message_deliveries_weight: 0.0,
        mesh_failure_penalty_weight: 0.0,
        invalid_message_deliveries_weight: -100.0,
        invalid_message_deliveries_decay: 0.9,
        ..Default::default()
    };
    let mut params = gossipsub::PeerScoreParams {
        ip_colocation_factor_weight: config.ip_colocation_weight,
        ..Default::default()
    };
    for topic in topics {
        params.topics.insert(topic.hash(), topic_params.clone());
    }
    params
}

/// The relay server with our limits (see the `RELAY_*` constants), switched on or off by the
/// config or, under [`RelayServer::Auto`], by `reach` once a direct external address is
/// confirmed.
fn relay_server(local: PeerId, mode: RelayServer) -> relay_guard::Guarded {
    let per_interval = |limit: u32| NonZeroU32::new(limit).unwrap_or(NonZeroU32::MIN);
    let relay_config = relay::Config {
        max_reservations: config::RELAY_MAX_RESERVATIONS,
        max_reservations_per_peer: config::RELAY_MAX_RESERVATIONS_PER_PEER,
        reservation_duration: config::RELAY_RESERVATION_DURATION,
        reservation_rate_limiters: Vec::new(),
        max_circuits: config::RELAY_MAX_CIRCUITS,
        max_circuits_per_peer: config::RELAY_MAX_CIRCUITS_PER_PEER,
        max_circuit_duration: config::RELAY_MAX_CIRCUIT_DURATION,
        max_circuit_bytes: config::RELAY_MAX_CIRCUIT_BYTES,
        circuit_src_rate_limiters: Vec::new(),
    }
    .reservation_rate_per_peer(
        per_interval(config::RELAY_RESERVATIONS_PER_INTERVAL),
        config::RELAY_RATE_INTERVAL,
    )
    .circuit_src_per_peer(
        per_interval(config::RELAY_CIRCUITS_PER_INTERVAL),
        config::RELAY_RATE_INTERVAL,
    );
    let mut relay = relay::Behaviour::new(local, relay_config);
    match mode {
        // `reach` switches it on once the node is public.
        RelayServer::Auto | RelayServer::Never => relay.set_status(Some(relay::Status::Disable)),
        RelayServer::Always => relay.set_status(Some(relay::Status::Enable)),
    }
    relay_guard::Guarded::new(relay)
}

/// Kademlia under our protocol name, in server mode for members; only the event loop inserts
/// into its table (verified members' filtered addresses), and records peers send are never
/// stored: the network keeps none.
fn kademlia(
    local: PeerId,
    network: &NetworkId,
    addresses: AddressPolicy,
) -> Result<Gated<kad::Behaviour<kad::store::MemoryStore>>, Box<dyn Error + Send + Sync>> {
    let mut kad_config = kad::Config::new(stream_protocol(protocol::kad_protocol(network))?);
    kad_config.set_kbucket_inserts(kad::BucketInserts::Manual);
    kad_config.set_record_filtering(kad::StoreInserts::FilterBoth);
    let mut kad =
        kad::Behaviour::with_config(local, kad::store::MemoryStore::new(local), kad_config);
    kad.set_mode(Some(kad::Mode::Server));
    Ok(Gated::new(kad).with_dial_filter(addresses))
}

pub fn build(
    key: &identity::Keypair,
    relay_client: relay::client::Behaviour,
    network: &NetworkId,
    config: &Config,
) -> Result<Behaviour, Box<dyn Error + Send + Sync>> {
    let local = key.public().to_peer_id();
    let topic = gossipsub::IdentTopic::new(protocol::entries_topic(network));
    let forks = gossipsub::IdentTopic::new(protocol::forks_topic(network));

    let gossip_config = gossipsub::ConfigBuilder::default()
        .validation_mode(gossipsub::ValidationMode::Anonymous)
        .validate_messages()
        .message_id_fn(|message: &gossipsub::Message| {
            let hash = bureau_core::Hash::of(b"bureau/v1/hash/gossip\0", &[&message.data]);
            gossipsub::MessageId::from(hash.0.to_vec())
        })
        .max_transmit_size(config::MAX_GOSSIP_BYTES)
        .heartbeat_interval(config.gossip_heartbeat)
        .heartbeat_initial_delay(config.gossip_heartbeat)
        .build()?;
    let mut gossipsub = gossipsub::Behaviour::new_with_subscription_filter(
        gossipsub::MessageAuthenticity::Anonymous,
        gossip_config,
        gossipsub::WhitelistSubscriptionFilter(HashSet::from([topic.hash(), forks.hash()])),
    )?;
    gossipsub.with_peer_score(
        score_params(&[&topic, &forks], config),
        gossipsub::PeerScoreThresholds::default(),
    )?;

    let limits = connection_limits::ConnectionLimits::default()
        .with_max_pending_incoming(Some(config::MAX_PENDING_CONNECTIONS))
        .with_max_pending_outgoing(Some(config::MAX_PENDING_CONNECTIONS))
        .with_max_established_incoming(Some(config::MAX_ESTABLISHED_PER_DIRECTION))
        .with_max_established_outgoing(Some(config::MAX_ESTABLISHED_PER_DIRECTION))
        .with_max_established(Some(config::MAX_ESTABLISHED_CONNECTIONS))
        .with_max_established_per_peer(Some(config::MAX_CONNECTIONS_PER_PEER));
    let request_config = request_response::Config::default()
        .with_request_timeout(config.request_timeout)
        .with_max_concurrent_streams(config::MAX_CONCURRENT_STREAMS);

    Ok(Behaviour {
        blocked: Default::default(),
        limits: connection_limits::Behaviour::new(limits),
        memory: memory_connection_limits::Behaviour::with_max_percentage(
            config.max_memory_fraction,
        ),
        admission: Admission::default(),
        identify: Gated::new(identify::Behaviour::new(
            identify::Config::new(protocol::identify_version(network), key.public())
                .with_agent_version(format!("bureau/{}", env!("CARGO_PKG_VERSION")))
                // A new relay reservation must reach the members at once: it is the only way
                // to dial a node behind a NAT.
                .with_push_listen_addr_updates(true)
                // No cache of what peers announce: the event loop keeps members' addresses,
                // filtered by the address policy.
                .with_cache_size(0),
        )),
        ping: ping::Behaviour::new(ping::Config::new()),
        relay: Gated::new(relay_server(local, config.relay_server)),
        relay_client,
        dcutr: Toggle::from(config.hole_punching.then(|| dcutr::Behaviour::new(local))),
        autonat_client: Gated::new(autonat::v2::client::Behaviour::default()),
        autonat_server: Gated::new(autonat::v2::server::Behaviour::default()),
        kad: kademlia(local, network, AddressPolicy::from_config(config))?,
        gossipsub,
        hello: request_response::Behaviour::with_codec(
            FrameCodec::new(config::MAX_HELLO_BYTES, config::MAX_HELLO_BYTES),
            [(
                stream_protocol(protocol::handshake_protocol(network))?,
                request_response::ProtocolSupport::Full,
            )],
            request_config.clone(),
        ),
        sync: Gated::new(request_response::Behaviour::with_codec(
            FrameCodec::new(
                config::MAX_SYNC_REQUEST_BYTES,
                config::MAX_SYNC_RESPONSE_BYTES,
            ),
            [(
                stream_protocol(protocol::sync_protocol(network))?,
                request_response::ProtocolSupport::Full,
            )],
            request_config,
        )),
        direct: Gated::new(request_response::Behaviour::with_codec(
            FrameCodec::new(
                config::MAX_DIRECT_BYTES + config::DIRECT_FRAME_OVERHEAD,
                config::MAX_DIRECT_RESPONSE_BYTES + config::DIRECT_FRAME_OVERHEAD,
            ),
            [(
                stream_protocol(protocol::direct_protocol(network))?,
                request_response::ProtocolSupport::Full,
            )],
            // The stream stays open (and keeps its connection from idling out) until the
            // receiver's node answers, so the timeout covers that answer too.
            request_response::Config::default()
                .with_request_timeout(config.direct_request_timeout)
                .with_max_concurrent_streams(config::MAX_CONCURRENT_STREAMS),
        )),
    })
}
