//! Reach: whether this node can be dialled, whether it relays for others, and the relays it
//! reserves on when it cannot be dialled.
//!
//! - AutoNAT v2 tests the node's candidate addresses with other nodes; a confirmed one becomes
//!   an external address (so does any configured in `external_addresses`), which makes the node
//!   `public`. A failed test without any confirmed address makes it `private`.
//! - The relay server follows confirmed direct external addresses under [`RelayServer::Auto`]
//!   (we switch it ourselves: libp2p's own switch also counts the circuit address a relay
//!   client confirms, which would make every relayed node a relay); the config may force it
//!   on or off. Forced on without configured external addresses, the
//!   node announces its listen addresses as external, since a relay grants reservations only
//!   with an address to give out.
//! - Every node reserves a slot on the relays of `relay_via`, and (with `auto_relay`) on up to
//!   [`config::AUTO_RELAY_RESERVATIONS`] verified members that serve as relays, public or not:
//!   a member most of the network reaches may still have no route from some members, and a
//!   circuit relay v2 only reaches nodes with a slot. Reserving is listening on
//!   `<relay>/p2p/<R>/p2p-circuit`:
//!   identify pushes the new circuit address to the connected members, whose Kademlia then
//!   gives it to members that look the node up, and their dials go through the relay.
//! - DCUtR tries to replace a relayed connection by a direct one; both stay open, and `bureau
//!   peers` shows the direct one. Members reached only through a relay are also dialled
//!   directly, first after [`config::DIRECT_RETRY_INTERVAL`] and then at doubling intervals up
//!   to [`config::DIRECT_RETRY_MAX_INTERVAL`], for routes that appear later.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use libp2p::core::transport::ListenerId;
use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId, autonat, dcutr, relay};

use crate::ReachInfo;
use crate::config::{self, RelayServer};
use crate::event_loop::{EventLoop, Peer};

/// The reach state of the network task.
pub(crate) struct Reach {
    started: Instant,
    /// AutoNAT found an address unreachable from outside, and none is confirmed.
    private: bool,
    /// The relay server grants reservations now.
    serving: bool,
    /// Relays this node asked for a slot, by relay peer.
    reservations: BTreeMap<PeerId, Reservation>,
    /// Members reached only through relays: when to dial each directly next.
    direct_retries: HashMap<PeerId, Retry>,
}

struct Retry {
    next: Instant,
    /// The wait after the next try.
    wait: Duration,
}

impl Retry {
    fn new(now: Instant) -> Self {
        Self {
            next: now,
            wait: config::DIRECT_RETRY_INTERVAL,
        }
    }

    /// Whether to try now; if so, the next try waits twice as long as this one did, up to
    /// [`config::DIRECT_RETRY_MAX_INTERVAL`].
    fn due(&mut self, now: Instant) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now + self.wait;
        self.wait = (self.wait * 2).min(config::DIRECT_RETRY_MAX_INTERVAL);
        true
    }
}

struct Reservation {
    listener: ListenerId,
    /// Chosen by this node (not from `relay_via`).
    auto: bool,
    /// The relay granted it.
    granted: bool,
}

impl Reach {
    pub fn new() -> Reach {
        Reach {
            started: Instant::now(),
            private: false,
            serving: false,
            reservations: BTreeMap::new(),
            direct_retries: HashMap::new(),
        }
    }
}

fn is_relayed(address: &Multiaddr) -> bool {
    address
        .iter()
        .any(|protocol| protocol == Protocol::P2pCircuit)
}

/// `address` without a trailing `/p2p/<peer>`.
fn without_peer(mut address: Multiaddr) -> Multiaddr {
    if matches!(address.iter().last(), Some(Protocol::P2p(_))) {
        address.pop();
    }
    address
}

/// Where to reach a relay: the address we dialled it at, else one it listens on directly.
fn relay_address(relay: PeerId, peer: &Peer) -> Option<Multiaddr> {
    let dialled = peer
        .links
        .iter()
        .find(|link| link.outbound && !link.relayed)
        .map(|link| link.address.clone());
    let listening = || {
        peer.listen_addrs
            .iter()
            .find(|address| !is_relayed(address))
            .cloned()
    };
    let address = without_peer(dialled.or_else(listening)?);
    Some(address.with(Protocol::P2p(relay)))
}

impl EventLoop {
    /// Announces configured external addresses, switches a forced relay server on, and
    /// reserves on the configured relays. Runs once the listeners have their addresses.
    pub(crate) fn start_reach(&mut self) {
        self.reach.started = Instant::now();
        self.reach.serving = self.config.relay_server == RelayServer::Always;
        for address in self.config.external_addresses.clone() {
            self.swarm.add_external_address(address);
        }
        if self.config.relay_server == RelayServer::Always
            && self.config.external_addresses.is_empty()
        {
            for address in self.swarm.listeners().cloned().collect::<Vec<_>>() {
                self.swarm.add_external_address(address);
            }
        }
        self.switch_relay_server();
        self.reserve_relays();
    }

    /// A new listen address: a forced relay without configured addresses announces it too.
    pub(crate) fn on_new_listen_addr(&mut self, address: &Multiaddr) {
        if is_relayed(address) {
            tracing::info!(%address, "reachable through a relay");
        } else if self.config.relay_server == RelayServer::Always
            && self.config.external_addresses.is_empty()
        {
            self.swarm.add_external_address(address.clone());
            self.switch_relay_server();
        }
    }

    /// Asks the relay at `address` (ending in `/p2p/<relay>`) for a slot, unless we already did.
    fn reserve_on(&mut self, address: Multiaddr, auto: bool) {
        let Some(Protocol::P2p(relay)) = address.iter().last() else {
            tracing::warn!(%address, "a relay address must end in /p2p/<peer id>: ignored");
            return;
        };
        if relay == *self.swarm.local_peer_id() || self.reach.reservations.contains_key(&relay) {
            return;
        }
        let circuit = address.with(Protocol::P2pCircuit);
        match self.swarm.listen_on(circuit.clone()) {
            Ok(listener) => {
                tracing::debug!(%circuit, "asking a relay for a slot");
                self.reach.reservations.insert(
                    relay,
                    Reservation {
                        listener,
                        auto,
                        granted: false,
                    },
                );
            }
            Err(error) => tracing::warn!(%circuit, %error, "cannot listen through a relay"),
        }
    }

    /// Reserves (again, after a slot was lost) on the relays of `relay_via`, and on verified
    /// members that serve as relays while this node needs it, up to
    /// [`config::AUTO_RELAY_RESERVATIONS`] of its own choosing. Runs on every tick.
    pub(crate) fn reserve_relays(&mut self) {
        for relay in self.config.relay_via.clone() {
            self.reserve_on(relay, false);
        }
        // Every node keeps slots, public or not: a member reachable from most of the network
        // may still have no route from some members (a partition between two countries), and
        // a circuit relay v2 only reaches a node that holds a slot.
        if !self.config.auto_relay {
            return;
        }
        let chosen = self.reach.reservations.values().filter(|r| r.auto).count();
        let wanted = config::AUTO_RELAY_RESERVATIONS.saturating_sub(chosen);
        if wanted == 0 {
            return;
        }
        let mut candidates: Vec<(PeerId, Multiaddr)> = self
            .peers
            .iter()
            .filter(|(peer_id, peer)| {
                peer.is_relay
                    && peer.state.is_member()
                    && !self.reach.reservations.contains_key(peer_id)
            })
            .filter_map(|(peer_id, peer)| Some((*peer_id, relay_address(*peer_id, peer)?)))
            .collect();
        candidates.sort();
        for (_, address) in candidates.into_iter().take(wanted) {
            self.reserve_on(address, true);
        }
    }

    /// A listener closed: if it was a relay slot, another relay may be chosen.
    pub(crate) fn on_listener_closed(&mut self, listener: ListenerId, reason: Result<(), String>) {
        if let Err(reason) = reason {
            tracing::debug!(%reason, "a listener closed");
        }
        self.reach
            .reservations
            .retain(|_, reservation| reservation.listener != listener);
    }

    /// A peer is gone: a slot on it is lost with it.
    pub(crate) fn on_peer_gone(&mut self, peer: PeerId) {
        if let Some(reservation) = self.reach.reservations.remove(&peer) {
            self.swarm.remove_listener(reservation.listener);
        }
    }

    /// It has a confirmed external address that is not a relay circuit.
    fn is_public(&self) -> bool {
        self.swarm
            .external_addresses()
            .any(|address| !is_relayed(address))
    }

    /// Under [`RelayServer::Auto`], serves as a relay exactly while the node is public.
    fn switch_relay_server(&mut self) {
        let serve = match self.config.relay_server {
            RelayServer::Auto => self.is_public(),
            RelayServer::Always => true,
            RelayServer::Never => false,
        };
        if serve != self.reach.serving {
            tracing::info!(serve, "relay server switched");
            self.reach.serving = serve;
            let status = if serve {
                relay::Status::Enable
            } else {
                relay::Status::Disable
            };
            self.swarm.behaviour_mut().relay.set_status(Some(status));
        }
    }

    /// An external address is confirmed. A direct one makes the node public: it switches the
    /// relay server on. (A relay client confirms its circuit addresses too; they change
    /// nothing here.) Its relay slots stay: see [`EventLoop::reserve_relays`].
    pub(crate) fn on_external_confirmed(&mut self, address: &Multiaddr) {
        self.switch_relay_server();
        if is_relayed(address) {
            return;
        }
        tracing::info!(%address, "external address confirmed");
        self.reach.private = false;
    }

    /// Members reached only through a relay are dialled directly again: a route may have
    /// appeared (a partition lifted) where hole punching, tried once per relayed connection, did
    /// not help. Called every [`config::DIRECT_RETRY_INTERVAL`] by the event loop; each member
    /// waits twice as long after each try, up to [`config::DIRECT_RETRY_MAX_INTERVAL`].
    ///
    /// From a fresh port: both sides retry, and with the listening port reused, their dials
    /// share one TCP 4-tuple. A SYN that meets the other side's pending SYN makes a TCP
    /// simultaneous open, both ends then negotiate as the dialer, and the connection fails;
    /// with the retries in phase, it failed again and again after a partition was lifted.
    pub(crate) fn retry_direct(&mut self) {
        let relayed_only = |peer: &Peer| {
            peer.state.is_member()
                && !peer.links.is_empty()
                && peer.links.iter().all(|link| link.relayed)
        };
        // A member connected directly again, or gone, starts afresh next time.
        let peers = &self.peers;
        self.reach
            .direct_retries
            .retain(|peer_id, _| peers.get(peer_id).is_some_and(relayed_only));
        let now = Instant::now();
        let mut due = Vec::new();
        for (peer_id, peer) in &self.peers {
            if !relayed_only(peer) {
                continue;
            }
            let direct: Vec<Multiaddr> = peer
                .listen_addrs
                .iter()
                .filter(|address| !is_relayed(address))
                .cloned()
                .collect();
            if direct.is_empty() {
                continue;
            }
            let retry = self
                .reach
                .direct_retries
                .entry(*peer_id)
                .or_insert_with(|| Retry::new(now));
            if retry.due(now) {
                due.push((*peer_id, direct));
            }
        }
        for (peer, addresses) in due {
            let dial = libp2p::swarm::dial_opts::DialOpts::peer_id(peer)
                .addresses(addresses)
                .condition(libp2p::swarm::dial_opts::PeerCondition::Always)
                .allocate_new_port()
                .build();
            if let Err(error) = self.swarm.dial(dial) {
                tracing::debug!(%peer, %error, "direct dial of a relayed member failed");
            }
        }
    }

    /// An external address expired: relays may be needed again (checked on the next tick).
    pub(crate) fn on_external_expired(&mut self) {
        self.switch_relay_server();
        if !self.is_public() {
            self.reach.started = Instant::now();
        }
    }

    pub(crate) fn on_relay_event(&mut self, event: relay::Event) {
        match event {
            relay::Event::ReservationReqAccepted {
                src_peer_id,
                renewed: false,
            } => {
                tracing::debug!(peer = %src_peer_id, "relay slot granted");
                self.counters.relay_reservations_accepted += 1;
            }
            relay::Event::ReservationReqDenied { src_peer_id, .. } => {
                tracing::debug!(peer = %src_peer_id, "relay slot denied");
                self.counters.relay_reservations_denied += 1;
            }
            relay::Event::CircuitReqAccepted { .. } => self.counters.relay_circuits_accepted += 1,
            relay::Event::CircuitReqDenied {
                src_peer_id,
                dst_peer_id,
                status,
            } => {
                tracing::debug!(src = %src_peer_id, dst = %dst_peer_id, ?status, "circuit denied");
                self.counters.relay_circuits_denied += 1;
            }
            relay::Event::StatusChanged { status } => {
                tracing::info!(?status, "relay server");
                self.reach.serving = status == relay::Status::Enable;
            }
            _ => {}
        }
    }

    pub(crate) fn on_relay_client_event(&mut self, event: relay::client::Event) {
        if let relay::client::Event::ReservationReqAccepted {
            relay_peer_id,
            renewal,
            ..
        } = event
        {
            if let Some(reservation) = self.reach.reservations.get_mut(&relay_peer_id) {
                reservation.granted = true;
            }
            if !renewal {
                tracing::info!(relay = %relay_peer_id, "relay granted a slot");
                self.counters.relay_reservations_made += 1;
            }
        }
    }

    pub(crate) fn on_dcutr_event(&mut self, event: dcutr::Event) {
        match event.result {
            Ok(_) => {
                tracing::info!(peer = %event.remote_peer_id, "hole punched: direct connection");
                self.counters.hole_punch_succeeded += 1;
            }
            Err(error) => {
                tracing::debug!(peer = %event.remote_peer_id, %error, "hole punching failed");
                self.counters.hole_punch_failed += 1;
            }
        }
    }

    pub(crate) fn on_autonat_event(&mut self, event: autonat::v2::client::Event) {
        if let Err(error) = &event.result {
            tracing::debug!(address = %event.tested_addr, %error, "not reachable from outside");
            if !self.is_public() {
                self.reach.private = true;
                self.reserve_relays();
            }
        }
    }

    pub(crate) fn reach_info(&self) -> ReachInfo {
        let external: Vec<String> = self
            .swarm
            .external_addresses()
            .map(ToString::to_string)
            .collect();
        let reachability = if self.is_public() {
            "public"
        } else if self.reach.private {
            "private"
        } else {
            "unknown"
        };
        ReachInfo {
            reachability: reachability.to_owned(),
            external,
            relay_server: self.reach.serving,
            relays: self
                .reach
                .reservations
                .iter()
                .filter(|(_, reservation)| reservation.granted)
                .map(|(relay, _)| relay.to_string())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_retries_back_off_to_the_longest_wait() {
        let start = Instant::now();
        let mut retry = Retry::new(start);
        let mut tries = Vec::new();
        // The event loop looks every DIRECT_RETRY_INTERVAL for five minutes.
        for tick in 0..60 {
            let now = start + config::DIRECT_RETRY_INTERVAL * tick;
            if retry.due(now) {
                tries.push((now - start).as_secs());
            }
        }
        assert_eq!(tries, vec![0, 5, 15, 35, 75, 135, 195, 255]);
    }
}
