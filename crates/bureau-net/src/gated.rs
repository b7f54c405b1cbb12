//! Nothing before the gate: a wrapper that keeps a libp2p behaviour from serving a peer until
//! the membership handshake (`gate`) has verified it.
//!
//! libp2p's derive cannot hold one behaviour back until another has finished a handshake, so
//! each service we give to members (identify, Kademlia, the relay server, AutoNAT, sync, direct
//! messages) is wrapped in [`Gated`]. Its connection handler, [`GateHandler`], starts *closed*
//! on a connection to a peer the event loop has not [`Gated::admit`]ted:
//! - inbound streams the peer opens are negotiated (the remote cannot tell a member from a
//!   stranger by that) and then held, unread, instead of being handed to the protocol;
//! - what the protocol would tell its behaviour about the peer (a protocol it supports, an
//!   answer to one of our requests) is held too, so no state of ours changes on its word.
//!
//! When the peer is admitted the handler opens and hands over what it held, in order: a
//! member's first request waits for the handshake (milliseconds) instead of being refused. A
//! peer that is never admitted is disconnected at the gate's deadline, and everything held is
//! dropped with the connection: dropping a stream resets it, so the remote sees its request
//! fail, and nothing was read. At most [`MAX_HELD_BEFORE_GATE`] streams and as many events are
//! held per connection and protocol; past that they are dropped at once (counted).
//!
//! For Kademlia the wrapper also filters the addresses the behaviour offers when the swarm
//! dials (see [`crate::addresses`]): addresses learnt from other peers' answers are kept only
//! if the address policy allows them, and only a few per peer.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use libp2p::PeerId;
use libp2p::core::{Endpoint, Multiaddr, transport::PortUse};
use libp2p::swarm::handler::{ConnectionEvent, FullyNegotiatedInbound};
use libp2p::swarm::{
    ConnectionDenied, ConnectionHandler, ConnectionHandlerEvent, ConnectionId, FromSwarm,
    NetworkBehaviour, NotifyHandler, SubstreamProtocol, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm,
};

use crate::addresses::AddressPolicy;
use crate::config::MAX_HELD_BEFORE_GATE;

/// What the behaviour tells a [`GateHandler`]: the peer passed the gate, or a message for the
/// wrapped handler.
#[derive(Debug)]
pub enum GateIn<E> {
    Open,
    Inner(E),
}

/// A behaviour that serves only admitted peers (see the module documentation).
pub struct Gated<B: NetworkBehaviour> {
    inner: B,
    /// Peers the gate verified: their connections' handlers are open.
    admitted: HashSet<PeerId>,
    /// Open connections by peer, to open each handler when its peer is admitted.
    connections: HashMap<PeerId, Vec<ConnectionId>>,
    /// Handlers to open, sent before anything else the behaviour has to say.
    to_open: VecDeque<(PeerId, ConnectionId)>,
    /// Streams and events dropped because a closed handler already held its limit: shared with
    /// the handlers, read into the counters.
    dropped: Arc<AtomicU64>,
    /// Filters the addresses `inner` offers for a dial (Kademlia's); `None` keeps them.
    dial_filter: Option<AddressPolicy>,
}

impl<B: NetworkBehaviour> Gated<B> {
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            admitted: HashSet::new(),
            connections: HashMap::new(),
            to_open: VecDeque::new(),
            dropped: Arc::new(AtomicU64::new(0)),
            dial_filter: None,
        }
    }

    /// Also filters the addresses `inner` offers when the swarm dials a peer.
    pub fn with_dial_filter(mut self, policy: AddressPolicy) -> Self {
        self.dial_filter = Some(policy);
        self
    }

    /// The address policy of the dial filter, to follow our own listen addresses.
    pub fn dial_filter_mut(&mut self) -> Option<&mut AddressPolicy> {
        self.dial_filter.as_mut()
    }

    /// The gate verified `peer`: serve it on every connection, now and later.
    pub fn admit(&mut self, peer: PeerId) {
        if !self.admitted.insert(peer) {
            return;
        }
        for connection in self.connections.get(&peer).into_iter().flatten() {
            self.to_open.push_back((peer, *connection));
        }
    }

    /// `peer` is no longer a member we serve (it left, or was revoked): its next connections
    /// start closed. The event loop closes the open ones.
    pub fn forget(&mut self, peer: &PeerId) {
        self.admitted.remove(peer);
    }

    /// Streams and events dropped unread so far, from peers that sent too much before the gate.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn wrap(&self, peer: PeerId, inner: THandler<B>) -> GateHandler<THandler<B>> {
        GateHandler {
            inner,
            open: self.admitted.contains(&peer),
            held_streams: Vec::new(),
            held_events: VecDeque::new(),
            dropped: Arc::clone(&self.dropped),
        }
    }
}

impl<B: NetworkBehaviour> NetworkBehaviour for Gated<B> {
    type ConnectionHandler = GateHandler<THandler<B>>;
    type ToSwarm = B::ToSwarm;

    fn handle_pending_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        local_addr: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        self.inner
            .handle_pending_inbound_connection(connection_id, local_addr, remote_addr)
    }

    fn handle_established_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        local_addr: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let inner = self.inner.handle_established_inbound_connection(
            connection_id,
            peer,
            local_addr,
            remote_addr,
        )?;
        Ok(self.wrap(peer, inner))
    }

    fn handle_pending_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        maybe_peer: Option<PeerId>,
        addresses: &[Multiaddr],
        effective_role: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        let offered = self.inner.handle_pending_outbound_connection(
            connection_id,
            maybe_peer,
            addresses,
            effective_role,
        )?;
        Ok(match &self.dial_filter {
            Some(policy) => policy.keep(offered),
            None => offered,
        })
    }

    fn handle_established_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        role_override: Endpoint,
        port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let inner = self.inner.handle_established_outbound_connection(
            connection_id,
            peer,
            addr,
            role_override,
            port_use,
        )?;
        Ok(self.wrap(peer, inner))
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match &event {
            FromSwarm::ConnectionEstablished(established) => {
                self.connections
                    .entry(established.peer_id)
                    .or_default()
                    .push(established.connection_id);
            }
            FromSwarm::ConnectionClosed(closed) => {
                if let Some(connections) = self.connections.get_mut(&closed.peer_id) {
                    connections.retain(|id| *id != closed.connection_id);
                    if connections.is_empty() {
                        self.connections.remove(&closed.peer_id);
                    }
                }
            }
            _ => {}
        }
        self.inner.on_swarm_event(event);
    }

    fn on_connection_handler_event(
        &mut self,
        peer_id: PeerId,
        connection_id: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        // A closed handler holds its events, so whatever arrives here comes from an open one.
        self.inner
            .on_connection_handler_event(peer_id, connection_id, event);
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        if let Some((peer_id, connection)) = self.to_open.pop_front() {
            return Poll::Ready(ToSwarm::NotifyHandler {
                peer_id,
                handler: NotifyHandler::One(connection),
                event: GateIn::Open,
            });
        }
        self.inner.poll(cx).map(|event| event.map_in(GateIn::Inner))
    }
}

/// The wrapped behaviour's own methods (`send_request`, `add_address`, …) are reached through
/// the wrapper.
impl<B: NetworkBehaviour> std::ops::Deref for Gated<B> {
    type Target = B;
    fn deref(&self) -> &B {
        &self.inner
    }
}

impl<B: NetworkBehaviour> std::ops::DerefMut for Gated<B> {
    fn deref_mut(&mut self) -> &mut B {
        &mut self.inner
    }
}

type Held<H> = FullyNegotiatedInbound<
    <H as ConnectionHandler>::InboundProtocol,
    <H as ConnectionHandler>::InboundOpenInfo,
>;

/// A connection handler that hands nothing of the peer to `inner` until it is opened.
pub struct GateHandler<H: ConnectionHandler> {
    inner: H,
    open: bool,
    /// Inbound streams the peer opened before the gate, unread.
    held_streams: Vec<Held<H>>,
    /// What `inner` had to tell its behaviour before the gate.
    held_events: VecDeque<H::ToBehaviour>,
    dropped: Arc<AtomicU64>,
}

impl<H: ConnectionHandler> GateHandler<H> {
    fn open(&mut self) {
        if self.open {
            return;
        }
        self.open = true;
        for held in std::mem::take(&mut self.held_streams) {
            self.inner
                .on_connection_event(ConnectionEvent::FullyNegotiatedInbound(held));
        }
    }

    fn count_dropped(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }
}

impl<H: ConnectionHandler> ConnectionHandler for GateHandler<H> {
    type FromBehaviour = GateIn<H::FromBehaviour>;
    type ToBehaviour = H::ToBehaviour;
    type InboundProtocol = H::InboundProtocol;
    type OutboundProtocol = H::OutboundProtocol;
    type InboundOpenInfo = H::InboundOpenInfo;
    type OutboundOpenInfo = H::OutboundOpenInfo;

    fn listen_protocol(&self) -> SubstreamProtocol<Self::InboundProtocol, Self::InboundOpenInfo> {
        // The same protocols open or closed: support is no secret (identify lists it), and a
        // member's stream opened a moment before the gate must not be refused.
        self.inner.listen_protocol()
    }

    fn connection_keep_alive(&self) -> bool {
        self.inner.connection_keep_alive()
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<
        ConnectionHandlerEvent<Self::OutboundProtocol, Self::OutboundOpenInfo, Self::ToBehaviour>,
    > {
        if self.open {
            if let Some(event) = self.held_events.pop_front() {
                return Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(event));
            }
            return self.inner.poll(cx);
        }
        loop {
            match self.inner.poll(cx) {
                Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(event)) => {
                    if self.held_events.len() < MAX_HELD_BEFORE_GATE {
                        self.held_events.push_back(event);
                    } else {
                        self.count_dropped();
                    }
                }
                // Our own requests (an outbound stream), and what the remote supports (told to
                // the other handlers of the connection, which are gated themselves).
                other => return other,
            }
        }
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Option<Self::ToBehaviour>> {
        // Whatever was held dies with the connection; nothing of it reaches the behaviour.
        self.held_events.clear();
        self.inner.poll_close(cx)
    }

    fn on_behaviour_event(&mut self, event: Self::FromBehaviour) {
        match event {
            GateIn::Open => self.open(),
            GateIn::Inner(event) => self.inner.on_behaviour_event(event),
        }
    }

    fn on_connection_event(
        &mut self,
        event: ConnectionEvent<
            Self::InboundProtocol,
            Self::OutboundProtocol,
            Self::InboundOpenInfo,
            Self::OutboundOpenInfo,
        >,
    ) {
        match event {
            ConnectionEvent::FullyNegotiatedInbound(stream) if !self.open => {
                if self.held_streams.len() < MAX_HELD_BEFORE_GATE {
                    self.held_streams.push(stream);
                } else {
                    // Dropping the stream resets it: the remote's request fails at once.
                    self.count_dropped();
                }
            }
            event => self.inner.on_connection_event(event),
        }
    }
}
