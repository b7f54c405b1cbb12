//! The circuit relay server, guarded against a libp2p-relay 0.22 panic.
//!
//! `relay::Behaviour` gives relayed connections (circuits through some other relay) a dummy
//! handler, yet it remembers every connection, and `set_status` sends `SetStatus` to all of
//! them. A status change while a circuit is open therefore reaches a dummy handler, and
//! libp2p-swarm's `Either` handler panics with `unreachable!()`, taking the whole swarm task
//! down. It happens whenever a node that talks to a peer through a relay becomes public (its
//! AutoNAT test confirms an address, so [`crate::reach`] switches the relay server on): the
//! reach scenario's "block lifted" step hit it about once in six runs.
//!
//! [`Guarded`] wraps the server, keeps the ids of relayed connections, and drops the
//! notifications addressed to them. Nothing is lost: a relayed connection has no relay server
//! handler to tell.

use std::collections::HashSet;
use std::task::{Context, Poll};

use libp2p::PeerId;
use libp2p::core::{Endpoint, Multiaddr, transport::PortUse};
use libp2p::relay;
use libp2p::swarm::{
    ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, NotifyHandler, THandler,
    THandlerInEvent, THandlerOutEvent, ToSwarm,
};

/// A [`relay::Behaviour`] that never notifies a relayed connection.
pub struct Guarded {
    inner: relay::Behaviour,
    /// Open connections that go through a relay: the server gave them a dummy handler.
    relayed: HashSet<ConnectionId>,
}

impl Guarded {
    pub fn new(inner: relay::Behaviour) -> Self {
        Self {
            inner,
            relayed: HashSet::new(),
        }
    }

    /// See [`relay::Behaviour::set_status`].
    pub fn set_status(&mut self, status: Option<relay::Status>) {
        self.inner.set_status(status);
    }
}

impl NetworkBehaviour for Guarded {
    type ConnectionHandler = <relay::Behaviour as NetworkBehaviour>::ConnectionHandler;
    type ToSwarm = relay::Event;

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
        self.inner.handle_established_inbound_connection(
            connection_id,
            peer,
            local_addr,
            remote_addr,
        )
    }

    fn handle_pending_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        maybe_peer: Option<PeerId>,
        addresses: &[Multiaddr],
        effective_role: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        self.inner.handle_pending_outbound_connection(
            connection_id,
            maybe_peer,
            addresses,
            effective_role,
        )
    }

    fn handle_established_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        role_override: Endpoint,
        port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.inner.handle_established_outbound_connection(
            connection_id,
            peer,
            addr,
            role_override,
            port_use,
        )
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match &event {
            // The same test `relay::Behaviour` uses to hand out its dummy handler.
            FromSwarm::ConnectionEstablished(established) if established.endpoint.is_relayed() => {
                self.relayed.insert(established.connection_id);
            }
            FromSwarm::ConnectionClosed(closed) => {
                self.relayed.remove(&closed.connection_id);
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
        self.inner
            .on_connection_handler_event(peer_id, connection_id, event);
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<relay::Event, THandlerInEvent<Self>>> {
        loop {
            match self.inner.poll(cx) {
                Poll::Ready(ToSwarm::NotifyHandler {
                    peer_id,
                    handler: NotifyHandler::One(connection),
                    ..
                }) if self.relayed.contains(&connection) => {
                    tracing::debug!(%peer_id, ?connection, "relay server note to a circuit dropped");
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libp2p::core::ConnectedPoint;
    use std::task::Waker;

    fn established(id: usize, address: &str) -> (ConnectionId, ConnectedPoint) {
        let endpoint = ConnectedPoint::Dialer {
            address: address.parse().expect("a valid address"),
            role_override: Endpoint::Dialer,
            port_use: PortUse::Reuse,
        };
        (ConnectionId::new_unchecked(id), endpoint)
    }

    /// Feeds one direct and one relayed connection to `behaviour`, switches the server on, and
    /// returns the connections it notified.
    fn notified_after_switch_on<B>(behaviour: &mut B, switch_on: impl FnOnce(&mut B)) -> Vec<usize>
    where
        B: NetworkBehaviour,
    {
        let peer = PeerId::random();
        let connections = [
            established(1, "/ip4/10.0.0.1/tcp/7000"),
            established(
                2,
                "/ip4/10.0.0.2/tcp/7000/p2p/12D3KooWLZignv34hraTYk4UqvCAgM2jHkZkBH65n29zhcUEVYTp/p2p-circuit",
            ),
        ];
        for (connection_id, endpoint) in &connections {
            behaviour.on_swarm_event(FromSwarm::ConnectionEstablished(
                libp2p::swarm::behaviour::ConnectionEstablished {
                    peer_id: peer,
                    connection_id: *connection_id,
                    endpoint,
                    failed_addresses: &[],
                    other_established: 0,
                },
            ));
        }
        switch_on(behaviour);
        let mut cx = Context::from_waker(Waker::noop());
        let mut notified = Vec::new();
        while let Poll::Ready(event) = behaviour.poll(&mut cx) {
            if let ToSwarm::NotifyHandler {
                handler: NotifyHandler::One(connection),
                ..
            } = event
            {
                notified.push(if connection == connections[0].0 { 1 } else { 2 });
            }
        }
        notified
    }

    fn server() -> relay::Behaviour {
        let mut server = relay::Behaviour::new(PeerId::random(), relay::Config::default());
        server.set_status(Some(relay::Status::Disable));
        server
    }

    #[test]
    fn switching_the_server_on_notifies_only_direct_connections() {
        let mut guarded = Guarded::new(server());
        let notified = notified_after_switch_on(&mut guarded, |guarded| {
            guarded.set_status(Some(relay::Status::Enable))
        });
        assert_eq!(notified, vec![1]);
    }

    /// The upstream behaviour this module works around. When this fails, libp2p-relay no
    /// longer notifies relayed connections, and [`Guarded`] can go.
    #[test]
    fn the_unguarded_server_notifies_relayed_connections_too() {
        let mut bare = server();
        let mut notified = notified_after_switch_on(&mut bare, |bare| {
            bare.set_status(Some(relay::Status::Enable))
        });
        notified.sort();
        assert_eq!(notified, vec![1, 2]);
    }
}
