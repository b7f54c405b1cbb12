//! Network settings and limits. Every limit is a named constant; the settings a deployment may
//! change live in [`Config`], with defaults for a real network and [`Config::for_tests`] for
//! many nodes on one machine.

use std::time::Duration;

pub use libp2p::Multiaddr;

/// Most established connections in total.
pub const MAX_ESTABLISHED_CONNECTIONS: u32 = 512;
/// Most established connections in each direction.
pub const MAX_ESTABLISHED_PER_DIRECTION: u32 = 384;
/// Most connections being set up in each direction.
pub const MAX_PENDING_CONNECTIONS: u32 = 64;
/// Most connections to one peer: a relay circuit dialled by each side, and direct ones from a
/// partition lifted or a hole punched, where both sides may dial at once.
pub const MAX_CONNECTIONS_PER_PEER: u32 = 4;
/// Largest handshake message: a certificate and a signed hello (the proof a `KeyInUse` carries),
/// a reason and framing.
pub const MAX_HELLO_BYTES: usize = bureau_core::codec::MAX_CERTIFICATE_BYTES + 1024;
/// Largest sync request: a heads map for a few thousand authors.
pub const MAX_SYNC_REQUEST_BYTES: usize = 512 * 1024;
/// Entries per sync response.
pub const SYNC_BATCH_ENTRIES: usize = 1024;
/// Entries of a sync answer applied per transaction: other writers (gossip through the
/// committer, local publishes) wait for one such step, never for a whole answer.
pub const SYNC_APPLY_STEP_ENTRIES: usize = 128;
/// Bytes of entries per sync response (the response frame adds a little framing).
pub const SYNC_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Most fork proofs one sync response carries (one per forked key).
pub const MAX_FORK_PROOFS_IN_SYNC: usize = 256;
/// Largest sync response frame.
pub const MAX_SYNC_RESPONSE_BYTES: usize = SYNC_BATCH_BYTES
    + bureau_core::codec::MAX_ENTRY_BYTES
    + MAX_FORK_PROOFS_IN_SYNC * bureau_core::codec::MAX_FORK_PROOF_BYTES
    + 4096;
/// The bincode limit every request-response frame is decoded with: the largest frame of any
/// protocol. A frame is first held to its own protocol's limit; this one bounds every length
/// inside it, so a string that claims 2^40 bytes in a 20-byte frame is refused, not allocated.
pub const MAX_FRAME_BYTES: usize = MAX_SYNC_RESPONSE_BYTES;
/// Largest gossip frame: one entry plus protobuf and topic overhead. Every node must agree.
pub const MAX_GOSSIP_BYTES: usize = bureau_core::codec::MAX_ENTRY_BYTES + 2048;
/// Store jobs (gossip validation, sync serving, sync applying) in flight at once; beyond it
/// gossip is ignored (sync catches up) and sync requests are answered `Busy`.
pub const MAX_STORE_JOBS: usize = 256;
/// Store jobs on behalf of one member at once (its gossip, its sync requests, our pulls from
/// it; an unverified peer counts alone): a quarter of the slots, so one member flooding leaves
/// the rest to the others.
pub const MAX_STORE_JOBS_PER_MEMBER: usize = MAX_STORE_JOBS / 4;
/// Gossiped entries of one author (one signing key) being validated at once, whoever forwards
/// them: a member flooding valid entries through every peer gets this much of our store work;
/// the rest is ignored here (not held against the forwarders) and arrives by sync, in order
/// and within each peer's sync budget.
pub const MAX_GOSSIP_JOBS_PER_AUTHOR: usize = 32;
/// How many times our hello to one peer is sent again after it was lost with its connection
/// while another connection to that peer stays open.
pub const MAX_HELLOS_RESENT: u8 = 3;
/// Store-job slots only certificate checks at the gate may use, so that members' work never
/// starves a newcomer's handshake. Each peer has at most one check in flight.
pub const STORE_JOBS_RESERVED_FOR_GATE: usize = 32;
/// Commands queued from handles to the network task.
pub const COMMAND_QUEUE: usize = 256;
/// Locally published entries kept for republishing while no peer is subscribed.
pub const MAX_UNSENT_ENTRIES: usize = 10_000;
/// Sync requests a member may make in a burst, and per second after it (all its nodes
/// together; the allowance survives reconnections).
pub const SYNC_REQUEST_BURST: u32 = 200;
pub const SYNC_REQUESTS_PER_SECOND: u32 = 50;
/// Bytes of entries a member may ask of this node in a burst, and per second after it: each
/// request for entries is charged the size it asks for (at most [`SYNC_BATCH_BYTES`]) before it
/// is served, and refused `Busy` when the budget is short. A small request can therefore never
/// make this node send more than this, whatever the member asks. The burst is sixteen full
/// batches (a quick catch-up); the rate, two batches a second, catches up a 1 GB replica from
/// one peer in about two minutes.
pub const SYNC_ANSWER_BYTES_BURST: u64 = 16 * SYNC_BATCH_BYTES as u64;
pub const SYNC_ANSWER_BYTES_PER_SECOND: u64 = 2 * SYNC_BATCH_BYTES as u64;
/// Streams open at once per request-response protocol.
pub const MAX_CONCURRENT_STREAMS: usize = 64;
/// Largest direct message payload (a hit notice or a SIENA-style message, signed by the node).
pub const MAX_DIRECT_BYTES: usize = 64 * 1024;
/// Largest direct answer payload (the receiver's acknowledgement or reply).
pub const MAX_DIRECT_RESPONSE_BYTES: usize = 64 * 1024;
/// Bincode and enum framing around a direct payload.
pub const DIRECT_FRAME_OVERHEAD: usize = 64;
/// Direct messages queued for the node before the network answers "busy".
pub const DIRECT_INBOX: usize = 64;
/// Direct messages handed to the node and not yet answered; beyond it, new ones get "busy".
pub const MAX_DIRECT_UNANSWERED: usize = 256;
/// Of these, most from one member: a sender that does not pace itself (the outbox sends 16 at
/// once) gets "busy" without taking the slots of others.
pub const MAX_DIRECT_UNANSWERED_PER_MEMBER: usize = 16;
/// Outgoing direct messages waiting for a connection to their member at once.
pub const MAX_DIRECT_WAITING: usize = 256;
/// Most reservations this node holds as a relay server at once (one per connection of a peer).
pub const RELAY_MAX_RESERVATIONS: usize = 256;
/// Reservations one peer may hold here at once (libp2p refuses a new one above this).
pub const RELAY_MAX_RESERVATIONS_PER_PEER: usize = 2;
/// How long a reservation lasts before its holder renews it.
pub const RELAY_RESERVATION_DURATION: Duration = Duration::from_secs(60 * 60);
/// Reservation requests one peer may make per [`RELAY_RATE_INTERVAL`]. There is deliberately no
/// per-IP limit: several bureaus may sit behind one address, and test networks share one.
pub const RELAY_RESERVATIONS_PER_INTERVAL: u32 = 30;
/// Circuits one peer may open through this relay per [`RELAY_RATE_INTERVAL`].
pub const RELAY_CIRCUITS_PER_INTERVAL: u32 = 60;
pub const RELAY_RATE_INTERVAL: Duration = Duration::from_secs(60);
/// Circuits relayed at once.
pub const RELAY_MAX_CIRCUITS: usize = 128;
/// Circuits one peer may have through this relay at once.
pub const RELAY_MAX_CIRCUITS_PER_PEER: usize = 16;
/// How long one circuit lasts. libp2p's default (2 minutes) would cut member connections all
/// the time; after this the connection closes and is dialled again (hole punching usually
/// replaces a circuit long before).
pub const RELAY_MAX_CIRCUIT_DURATION: Duration = Duration::from_secs(60 * 60);
/// Bytes one circuit may carry. libp2p's default (128 KiB) is less than one sync batch
/// ([`SYNC_BATCH_BYTES`]); this fits a large catch-up. Past it the circuit closes and is
/// dialled again.
pub const RELAY_MAX_CIRCUIT_BYTES: u64 = 512 * 1024 * 1024;
/// Relays every node reserves a slot on by itself (beyond `relay_via`), public or not.
pub const AUTO_RELAY_RESERVATIONS: usize = 2;
/// How soon a member reached only through a relay is first dialled directly again, and how
/// often the network task looks for such members.
pub const DIRECT_RETRY_INTERVAL: Duration = Duration::from_secs(5);
/// The longest wait between direct dials of one such member: the wait doubles after each try,
/// since a member behind NAT is never dialled directly and each try holds a pending connection
/// for up to the dial timeout.
pub const DIRECT_RETRY_MAX_INTERVAL: Duration = Duration::from_secs(60);

/// Whether this node serves as a relay for members that cannot be dialled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RelayServer {
    /// Once AutoNAT confirms an external address (or one is configured): the node is then
    /// publicly reachable.
    #[default]
    Auto,
    /// Always. Without configured external addresses the listen addresses are announced as
    /// external: for operators who know the node is reachable, and for one-host test networks
    /// where AutoNAT cannot confirm anything.
    Always,
    /// Never.
    Never,
}

/// Inbound connections of peers that have not passed the gate, open at once. A member's new
/// connection looks like a stranger's until its hello, so newcomers share this budget; it is
/// far below [`MAX_ESTABLISHED_PER_DIRECTION`] (384 - 64 leaves room for every one of ~200
/// members), and [`UNVERIFIED_DEADLINE`] frees a slot within seconds.
pub const MAX_UNVERIFIED_CONNECTIONS: usize = 64;
/// Unverified inbound connections from one IP address at once (loopback and relayed connections
/// are not counted per address: a one-host network, and every circuit of a relay, share one).
pub const MAX_UNVERIFIED_PER_IP: usize = 8;
/// How long a new connection may take to pass the gate (hello both ways and the certificate
/// check, a few round trips) before it is closed and the peer blocked: the default of
/// [`Config::handshake_timeout`].
pub const UNVERIFIED_DEADLINE: Duration = Duration::from_secs(5);
/// How often the gate looks for connections past their deadline.
pub const GATE_CHECK_INTERVAL: Duration = Duration::from_secs(1);
/// Inbound streams, and events for its behaviour, that one gated protocol holds per connection
/// until the peer passes the gate; more are dropped (the stream is reset).
pub const MAX_HELD_BEFORE_GATE: usize = 8;
/// How long a peer refused by the gate (or late) is first blocked; each further strike doubles
/// it, up to [`GATE_BLOCK_MAX`]. Peers refused for time reasons are never blocked.
pub const GATE_BLOCK_INITIAL: Duration = Duration::from_secs(30);
/// The longest block.
pub const GATE_BLOCK_MAX: Duration = Duration::from_secs(60 * 60);
/// Peers whose strikes are remembered; the one blocked longest ago is forgotten first.
pub const MAX_BLOCK_RECORDS: usize = 4096;
/// Addresses kept per peer from what peers announce (identify, Kademlia answers).
pub const MAX_ADDRESSES_PER_PEER: usize = 8;
/// Peers that refused us, remembered with their reasons for the status (most recent first).
pub const MAX_REFUSALS_SHOWN: usize = 32;

/// How often a node sends each member a fresh signed hello (its presence): the proof a peer
/// shows a second process of the same key is never older than this.
pub const PRESENCE_INTERVAL: Duration = Duration::from_secs(10);
/// A genuine "key in use" proof signed this long before we started may be the other process's
/// hello from just before the peer's next copy: signing is held and the peer asked again.
pub const KEY_IN_USE_RECENT: Duration = PRESENCE_INTERVAL.saturating_mul(3);
/// How many stale proofs one peer may send before its claim is set aside as unproven.
pub const KEY_IN_USE_RECHECKS: u32 = 2;

/// Gossipsub application score given to a peer until its certificate checks out: far below
/// the graylist, so nothing is published or forwarded to it and nothing it sends is handled.
pub const UNVERIFIED_APPLICATION_SCORE: f64 = -1.0e6;
/// How long a starting node waits to learn the network's head of its own log before it signs
/// on what its replica holds: it signs as soon as one sync round with a member has completed,
/// and after this long with no member answering.
pub const SELF_CHECK_WAIT: Duration = Duration::from_secs(15);
/// How far behind its peers' clocks (the median offset seen in handshakes) a node's clock may be
/// ahead before it refuses to sign: the clock tolerance entries are judged with.
pub const MAX_CLOCK_AHEAD: Duration = bureau_core::validate::MAX_CLOCK_SKEW;

/// Settings of one node's network.
#[derive(Debug, Clone)]
pub struct Config {
    /// Addresses to listen on (TCP and QUIC multiaddresses).
    pub listen: Vec<Multiaddr>,
    /// Nodes to dial at start (with or without `/p2p/<peer id>`).
    pub bootstrap: Vec<Multiaddr>,
    /// How often a random peer is asked for what we lack (anti-entropy).
    pub sync_interval: Duration,
    /// How long a new connection may take to pass the gate; then it is closed and its peer
    /// blocked (see [`UNVERIFIED_DEADLINE`]).
    pub handshake_timeout: Duration,
    /// How long request-response waits for an answer.
    pub request_timeout: Duration,
    /// How long a direct message waits for a verified connection to its member's node (dialing
    /// its known addresses, then asking Kademlia) before the send fails as unreachable.
    pub direct_connect_timeout: Duration,
    /// How long a direct exchange may take once sent, the receiver's answer included. Both
    /// sides apply it to the stream, so it must exceed `direct_reply_timeout`.
    pub direct_request_timeout: Duration,
    /// How long the local node may take to answer a direct message before the network answers
    /// the sender with an error in its place.
    pub direct_reply_timeout: Duration,
    /// Idle connections between members are kept this long.
    pub idle_connection_timeout: Duration,
    pub gossip_heartbeat: Duration,
    /// Gossipsub's IP-colocation penalty weight (P6, <= 0). Many honest nodes share 127.0.0.1
    /// in tests and local networks, where it must be 0.
    pub ip_colocation_weight: f64,
    /// Refuse new connections above this fraction of the machine's memory.
    pub max_memory_fraction: f64,
    /// Resolve `/dns` addresses (off in tests: it reads the system resolver).
    pub dns: bool,
    /// Whether this node serves as a circuit relay for other members.
    pub relay_server: RelayServer,
    /// Addresses this node is known to be reachable at (a public IP, a port forward). They are
    /// announced as confirmed external addresses, which makes the node publicly reachable (and
    /// a relay server under [`RelayServer::Auto`]) without waiting for AutoNAT.
    pub external_addresses: Vec<Multiaddr>,
    /// Relays to reserve a slot on at start, as `<address>/p2p/<relay peer id>`, whatever
    /// AutoNAT says; the node then also listens on `<relay>/p2p-circuit`.
    pub relay_via: Vec<Multiaddr>,
    /// Reserve on up to [`AUTO_RELAY_RESERVATIONS`] connected members that serve as relays when
    /// this node is not publicly reachable.
    pub auto_relay: bool,
    /// Try to replace relayed connections by direct ones (DCUtR hole punching).
    pub hole_punching: bool,
    /// See [`SELF_CHECK_WAIT`].
    pub self_check_wait: Duration,
    /// Wait for a member's sync round however long it takes, instead of signing on the
    /// replica after [`Config::self_check_wait`]: set for a node restored from a backup, whose
    /// replica is known to lack its own log.
    pub self_check_required: bool,
    /// See [`PRESENCE_INTERVAL`].
    pub presence_interval: Duration,
    /// Where libp2p's own metrics (connections, protocols, bandwidth) are registered, for a
    /// node that serves `/metrics`; `None` records none.
    pub metrics: Option<MetricsRegistry>,
}

/// A Prometheus registry shared between the network task (which registers libp2p's metrics at
/// start) and whatever serves it.
pub type MetricsRegistry = std::sync::Arc<std::sync::Mutex<libp2p::metrics::Registry>>;

/// A node is *caught up* (`NetInfo::synced`) when its latest pull from a member ended with
/// nothing left to fetch (the peer said in sync, or sent its last batch) less than this long
/// ago: within one batch of that member's heads, recently.
pub const SYNCED_WITHIN_INTERVALS: u32 = 3;
/// How many members a node must have caught up with (within [`SYNCED_CONFIRM_INTERVALS`]) to
/// count as caught up, when that many are connected: one member answering "in sync" could be
/// lying or behind itself.
pub const SYNCED_MEMBERS: usize = 2;
/// The longer window in which the other members of [`SYNCED_MEMBERS`] must have been caught
/// up with: anti-entropy picks one member at random per interval, so three intervals may
/// well pick one member three times.
pub const SYNCED_CONFIRM_INTERVALS: u32 = 10;

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: vec![
                "/ip4/0.0.0.0/tcp/7000"
                    .parse()
                    .expect("valid literal address"),
                "/ip4/0.0.0.0/udp/7000/quic-v1"
                    .parse()
                    .expect("valid literal address"),
            ],
            bootstrap: Vec::new(),
            sync_interval: Duration::from_secs(30),
            handshake_timeout: UNVERIFIED_DEADLINE,
            request_timeout: Duration::from_secs(30),
            direct_connect_timeout: Duration::from_secs(20),
            direct_request_timeout: Duration::from_secs(30),
            direct_reply_timeout: Duration::from_secs(20),
            idle_connection_timeout: Duration::from_secs(3600),
            gossip_heartbeat: Duration::from_millis(700),
            ip_colocation_weight: -5.0,
            max_memory_fraction: 0.9,
            dns: true,
            relay_server: RelayServer::Auto,
            external_addresses: Vec::new(),
            relay_via: Vec::new(),
            auto_relay: true,
            hole_punching: true,
            self_check_wait: SELF_CHECK_WAIT,
            self_check_required: false,
            presence_interval: PRESENCE_INTERVAL,
            metrics: None,
        }
    }
}

impl Config {
    /// Loopback on a free TCP port, short intervals, no colocation penalty.
    pub fn for_tests() -> Config {
        Config {
            listen: vec![
                "/ip4/127.0.0.1/tcp/0"
                    .parse()
                    .expect("valid literal address"),
            ],
            bootstrap: Vec::new(),
            sync_interval: Duration::from_millis(500),
            handshake_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            direct_connect_timeout: Duration::from_secs(3),
            direct_request_timeout: Duration::from_secs(5),
            direct_reply_timeout: Duration::from_secs(2),
            idle_connection_timeout: Duration::from_secs(3600),
            gossip_heartbeat: Duration::from_millis(200),
            ip_colocation_weight: 0.0,
            max_memory_fraction: 1.0,
            dns: false,
            relay_server: RelayServer::Auto,
            external_addresses: Vec::new(),
            relay_via: Vec::new(),
            auto_relay: true,
            hole_punching: true,
            self_check_wait: Duration::from_secs(3),
            self_check_required: false,
            presence_interval: Duration::from_secs(1),
            metrics: None,
        }
    }
}
