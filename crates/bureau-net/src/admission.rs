//! Room for newcomers, and blocks that end.
//!
//! [`Admission`] is the budget of inbound connections that have not passed the gate. A member's
//! new connection cannot be told from a stranger's until its hello, so every newcomer shares
//! [`MAX_UNVERIFIED_CONNECTIONS`] (and one address at most [`MAX_UNVERIFIED_PER_IP`] of them);
//! past that, new inbound connections are denied before any protocol runs. Connections of
//! admitted members never count, and the gate's deadline ([`crate::Config::handshake_timeout`])
//! frees a slot within seconds. Strangers can therefore keep at most that many connections
//! open, never the [`crate::config::MAX_ESTABLISHED_PER_DIRECTION`] inbound slots that members
//! need.
//!
//! [`Blocks`] is the memory of peers the gate refused or that missed its deadline: each is
//! blocked for [`GATE_BLOCK_INITIAL`], doubling with each strike up to [`GATE_BLOCK_MAX`], then
//! let in again; a peer id with no strike for [`GATE_BLOCK_MAX`] is forgotten. Blocking by peer
//! id does not stop a stranger who makes new keys: the budget above does.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::IpAddr;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use libp2p::core::{Endpoint, Multiaddr, transport::PortUse};
use libp2p::swarm::{
    ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm, dummy,
};
use libp2p::{PeerId, multiaddr::Protocol};

use crate::addresses;
use crate::config::{
    GATE_BLOCK_INITIAL, GATE_BLOCK_MAX, MAX_BLOCK_RECORDS, MAX_UNVERIFIED_CONNECTIONS,
    MAX_UNVERIFIED_PER_IP,
};

/// Why an inbound connection was denied before its hello.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    #[error("{limit} connections are already waiting for the gate")]
    Full { limit: usize },
    #[error("{limit} connections from {ip} are already waiting for the gate")]
    FullForAddress { ip: IpAddr, limit: usize },
}

/// The budget of unverified inbound connections (see the module documentation).
#[derive(Debug, Default)]
pub struct Admission {
    /// Peers the gate verified: their connections never count.
    admitted: HashSet<PeerId>,
    /// Open inbound connections of peers not admitted, with the address they came from (none
    /// for a relayed one: the relay only lets members through, and every circuit shares its
    /// address).
    unverified: HashMap<ConnectionId, (PeerId, Option<IpAddr>)>,
}

impl Admission {
    pub fn admit(&mut self, peer: PeerId) {
        self.admitted.insert(peer);
        self.unverified.retain(|_, (waiting, _)| *waiting != peer);
    }

    pub fn forget(&mut self, peer: &PeerId) {
        self.admitted.remove(peer);
    }

    fn check(&self, peer: &PeerId, remote: &Multiaddr) -> Result<(), Denied> {
        if self.admitted.contains(peer) {
            return Ok(());
        }
        if self.unverified.len() >= MAX_UNVERIFIED_CONNECTIONS {
            return Err(Denied::Full {
                limit: MAX_UNVERIFIED_CONNECTIONS,
            });
        }
        if let Some(ip) = counted_ip(remote) {
            let from_ip = self
                .unverified
                .values()
                .filter(|(_, other)| *other == Some(ip))
                .count();
            if from_ip >= MAX_UNVERIFIED_PER_IP {
                return Err(Denied::FullForAddress {
                    ip,
                    limit: MAX_UNVERIFIED_PER_IP,
                });
            }
        }
        Ok(())
    }
}

/// The address a connection counts against: none for a relayed one, and none on loopback,
/// where a one-host network puts every member.
fn counted_ip(remote: &Multiaddr) -> Option<IpAddr> {
    if remote
        .iter()
        .any(|protocol| protocol == Protocol::P2pCircuit)
        || addresses::is_loopback(remote)
    {
        return None;
    }
    addresses::ip_of(remote)
}

impl NetworkBehaviour for Admission {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Infallible;

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.check(&peer, remote_addr)
            .map_err(ConnectionDenied::new)?;
        Ok(dummy::ConnectionHandler)
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        _: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        // Our own dials: bounded by the pending and established limits, and never a stranger's
        // choice beyond what the address policy allows.
        Ok(dummy::ConnectionHandler)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(established)
                if !established.endpoint.is_dialer()
                    && !self.admitted.contains(&established.peer_id) =>
            {
                let ip = counted_ip(established.endpoint.get_remote_address());
                self.unverified
                    .insert(established.connection_id, (established.peer_id, ip));
            }
            FromSwarm::ConnectionClosed(closed) => {
                self.unverified.remove(&closed.connection_id);
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        match event {}
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Infallible, THandlerInEvent<Self>>> {
        Poll::Pending
    }
}

/// A peer's strikes at the gate.
#[derive(Debug, Clone, Copy)]
struct Strikes {
    count: u32,
    /// Blocked until then.
    until: Instant,
    /// Still blocked in the swarm (not yet let in again).
    blocked: bool,
}

/// Blocks with growing durations (see the module documentation).
#[derive(Debug, Default)]
pub struct Blocks {
    records: HashMap<PeerId, Strikes>,
}

/// How long the `count`-th strike blocks: [`GATE_BLOCK_INITIAL`] doubled per earlier strike, at
/// most [`GATE_BLOCK_MAX`].
fn block_duration(count: u32) -> Duration {
    let doublings = count.saturating_sub(1).min(31);
    GATE_BLOCK_INITIAL
        .saturating_mul(1 << doublings)
        .min(GATE_BLOCK_MAX)
}

impl Blocks {
    /// Counts a strike against `peer`; returns how long it is blocked from `now`.
    pub fn strike(&mut self, peer: PeerId, now: Instant) -> Duration {
        if self.records.len() >= MAX_BLOCK_RECORDS && !self.records.contains_key(&peer) {
            self.forget_oldest();
        }
        let strikes = self.records.entry(peer).or_insert(Strikes {
            count: 0,
            until: now,
            blocked: false,
        });
        strikes.count = strikes.count.saturating_add(1);
        let duration = block_duration(strikes.count);
        strikes.until = now + duration;
        strikes.blocked = true;
        duration
    }

    /// Peers whose block is over, to let in again; forgets peers with no strike for
    /// [`GATE_BLOCK_MAX`] since their block ended.
    pub fn expired(&mut self, now: Instant) -> Vec<PeerId> {
        let mut ended = Vec::new();
        for (peer, strikes) in &mut self.records {
            if strikes.blocked && strikes.until <= now {
                strikes.blocked = false;
                ended.push(*peer);
            }
        }
        self.records
            .retain(|_, strikes| strikes.blocked || now < strikes.until + GATE_BLOCK_MAX);
        ended
    }

    fn forget_oldest(&mut self) {
        let oldest = self
            .records
            .iter()
            .min_by_key(|(_, strikes)| strikes.until)
            .map(|(peer, _)| *peer);
        if let Some(peer) = oldest {
            self.records.remove(&peer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_grow_with_strikes_and_end() {
        let mut blocks = Blocks::default();
        let peer = PeerId::random();
        let start = Instant::now();
        let durations: Vec<Duration> = (0..12).map(|_| blocks.strike(peer, start)).collect();
        assert_eq!(durations[0], GATE_BLOCK_INITIAL);
        assert_eq!(durations[1], GATE_BLOCK_INITIAL * 2);
        assert_eq!(durations[11], GATE_BLOCK_MAX);
        assert!(blocks.expired(start).is_empty());
        assert_eq!(blocks.expired(start + GATE_BLOCK_MAX), vec![peer]);
        assert!(blocks.expired(start + GATE_BLOCK_MAX * 3).is_empty());
        assert!(blocks.records.is_empty(), "forgotten after a quiet while");
    }

    #[test]
    fn strangers_share_a_small_budget_and_members_never_count() {
        let mut admission = Admission::default();
        let remote: Multiaddr = "/ip4/198.51.100.1/tcp/4001".parse().expect("address");
        for index in 0..MAX_UNVERIFIED_PER_IP {
            let id = ConnectionId::new_unchecked(index);
            let ip = counted_ip(&remote);
            admission.unverified.insert(id, (PeerId::random(), ip));
        }
        assert!(matches!(
            admission.check(&PeerId::random(), &remote),
            Err(Denied::FullForAddress { .. })
        ));
        let elsewhere: Multiaddr = "/ip4/198.51.100.2/tcp/4001".parse().expect("address");
        assert!(admission.check(&PeerId::random(), &elsewhere).is_ok());
        for index in MAX_UNVERIFIED_PER_IP..MAX_UNVERIFIED_CONNECTIONS {
            let id = ConnectionId::new_unchecked(index);
            admission.unverified.insert(id, (PeerId::random(), None));
        }
        assert!(matches!(
            admission.check(&PeerId::random(), &elsewhere),
            Err(Denied::Full { .. })
        ));
        let member = PeerId::random();
        admission.admit(member);
        assert!(admission.check(&member, &elsewhere).is_ok());
    }
}
