//! Which addresses learnt from other peers this node will dial.
//!
//! A member can announce any address (identify's listen addresses, Kademlia answers), and every
//! node that believes it dials there: a rogue member could turn the network into a scanner of
//! someone's machines, or of hosts inside our own network. So what comes from a peer is
//! bounded:
//! - at most [`MAX_ADDRESSES_PER_PEER`] addresses per peer;
//! - an address of a peer describes that peer (identify describes its sender only): one that
//!   names another peer id at its end is dropped (a relay's id before `/p2p-circuit` is fine);
//! - loopback and private addresses (RFC 1918, CGNAT, link-local, IPv6 unique-local) are dialled
//!   only when this node is on such a network itself: loopback when the operator gave a
//!   loopback address (listen, bootstrap, relay or external: a one-host test network), private
//!   when one of those or one of our concrete listen addresses is private (a LAN, a VPC, the
//!   namespaces of `testnet/reach-scenario.sh`). Unspecified, multicast and broadcast addresses,
//!   and transports other than IP, DNS and memory, are never dialled.
//!
//! Addresses the operator configured (bootstrap, relays) are not filtered: they are ours.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId};

use crate::config::{Config, MAX_ADDRESSES_PER_PEER};

/// Where an address leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// This host (or, for `/memory`, this process).
    Loopback,
    /// A local network: RFC 1918, CGNAT, link-local, IPv6 unique-local and link-local.
    Private,
    /// Anything else reachable, names included (their resolution is the transport's).
    Public,
    /// Never dialled on a peer's word.
    Never,
}

fn scope_v4(ip: Ipv4Addr) -> Scope {
    let [a, b, ..] = ip.octets();
    if ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast() {
        Scope::Never
    } else if ip.is_loopback() {
        Scope::Loopback
    } else if ip.is_private() || ip.is_link_local() || (a == 100 && (64..128).contains(&b)) {
        Scope::Private
    } else {
        Scope::Public
    }
}

fn scope_v6(ip: Ipv6Addr) -> Scope {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return scope_v4(v4);
    }
    let first = ip.segments()[0];
    if ip.is_unspecified() || ip.is_multicast() {
        Scope::Never
    } else if ip.is_loopback() {
        Scope::Loopback
    } else if (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 {
        Scope::Private
    } else {
        Scope::Public
    }
}

/// The scope of an address: that of its first component (for a relay circuit, the relay's).
fn scope(address: &Multiaddr) -> Scope {
    match address.iter().next() {
        Some(Protocol::Ip4(ip)) => scope_v4(ip),
        Some(Protocol::Ip6(ip)) => scope_v6(ip),
        Some(Protocol::Dns(name) | Protocol::Dns4(name) | Protocol::Dns6(name)) => {
            let name = name.to_ascii_lowercase();
            let name = name.trim_end_matches('.');
            if name == "localhost" || name.ends_with(".localhost") {
                Scope::Loopback
            } else {
                Scope::Public
            }
        }
        Some(Protocol::Memory(_)) => Scope::Loopback,
        _ => Scope::Never,
    }
}

/// Whether `address` describes `peer`: any peer id after the last `/p2p-circuit` (or in a
/// direct address) must be `peer`'s.
fn describes(address: &Multiaddr, peer: &PeerId) -> bool {
    let mut named = None;
    for protocol in address.iter() {
        match protocol {
            Protocol::P2pCircuit => named = None,
            Protocol::P2p(id) => named = Some(id),
            _ => {}
        }
    }
    named.is_none_or(|id| id == *peer)
}

/// The rules above, with the scopes this node is on.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    loopback: bool,
    private: bool,
}

impl AddressPolicy {
    /// The scopes of the addresses the operator gave.
    pub fn from_config(config: &Config) -> AddressPolicy {
        let mut policy = AddressPolicy::default();
        let given = config
            .listen
            .iter()
            .chain(&config.bootstrap)
            .chain(&config.relay_via)
            .chain(&config.external_addresses);
        for address in given {
            match scope(address) {
                Scope::Loopback => policy.loopback = true,
                Scope::Private => policy.private = true,
                Scope::Public | Scope::Never => {}
            }
        }
        policy
    }

    /// One of our listeners has this concrete address (a wildcard listener reports one per
    /// interface). A private one means we are on a private network; a loopback one does not
    /// count, since every wildcard listener has one.
    pub fn note_listen_address(&mut self, address: &Multiaddr) {
        if scope(address) == Scope::Private {
            self.private = true;
        }
    }

    /// Whether to dial `address` when a peer told us of it.
    pub fn allows(&self, address: &Multiaddr) -> bool {
        match scope(address) {
            Scope::Public => true,
            Scope::Private => self.private,
            Scope::Loopback => self.loopback,
            Scope::Never => false,
        }
    }

    /// The addresses to keep of those offered for a dial: allowed ones, each once, at most
    /// [`MAX_ADDRESSES_PER_PEER`].
    pub fn keep(&self, offered: Vec<Multiaddr>) -> Vec<Multiaddr> {
        let mut kept: Vec<Multiaddr> = Vec::new();
        for address in offered {
            if kept.len() == MAX_ADDRESSES_PER_PEER {
                break;
            }
            if self.allows(&address) && !kept.contains(&address) {
                kept.push(address);
            }
        }
        kept
    }

    /// The addresses to keep of those `peer` announced for itself.
    pub fn keep_for(&self, peer: &PeerId, announced: Vec<Multiaddr>) -> Vec<Multiaddr> {
        self.keep(
            announced
                .into_iter()
                .filter(|address| describes(address, peer))
                .collect(),
        )
    }
}

/// Whether an address leads to this host.
pub fn is_loopback(address: &Multiaddr) -> bool {
    scope(address) == Scope::Loopback
}

/// The IP an address starts with, if any.
pub fn ip_of(address: &Multiaddr) -> Option<IpAddr> {
    match address.iter().next() {
        Some(Protocol::Ip4(ip)) => Some(IpAddr::V4(ip)),
        Some(Protocol::Ip6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Multiaddr {
        text.parse().expect("a valid address")
    }

    fn policy(listen: &str) -> AddressPolicy {
        AddressPolicy::from_config(&Config {
            listen: vec![address(listen)],
            ..Config::for_tests()
        })
    }

    #[test]
    fn a_public_node_dials_no_private_or_loopback_address_a_peer_names() {
        let public = policy("/ip4/0.0.0.0/tcp/7000");
        assert!(public.allows(&address("/ip4/198.51.100.4/tcp/7000")));
        assert!(public.allows(&address("/dns4/bureau.example/tcp/7000")));
        for refused in [
            "/ip4/127.0.0.1/tcp/22",
            "/ip4/10.1.2.3/tcp/7000",
            "/ip4/192.168.0.1/tcp/80",
            "/ip4/100.64.0.1/tcp/80",
            "/ip4/169.254.169.254/tcp/80",
            "/ip6/::1/tcp/7000",
            "/ip6/fd00::1/tcp/7000",
            "/ip4/0.0.0.0/tcp/7000",
            "/dns4/localhost/tcp/7000",
            "/ip4/127.0.0.1/tcp/7000/p2p/12D3KooWLZignv34hraTYk4UqvCAgM2jHkZkBH65n29zhcUEVYTp/p2p-circuit",
        ] {
            assert!(!public.allows(&address(refused)), "{refused}");
        }
    }

    #[test]
    fn a_node_on_a_network_dials_that_network() {
        let loopback = policy("/ip4/127.0.0.1/tcp/0");
        assert!(loopback.allows(&address("/ip4/127.0.0.1/tcp/4001")));
        assert!(!loopback.allows(&address("/ip4/10.0.0.1/tcp/4001")));
        let lan = policy("/ip4/10.77.0.2/tcp/7000");
        assert!(lan.allows(&address("/ip4/10.77.1.2/tcp/7000")));
        assert!(!lan.allows(&address("/ip4/127.0.0.1/tcp/7000")));
        let mut wildcard = policy("/ip4/0.0.0.0/tcp/7000");
        wildcard.note_listen_address(&address("/ip4/127.0.0.1/tcp/7000"));
        assert!(!wildcard.allows(&address("/ip4/127.0.0.1/tcp/22")));
        wildcard.note_listen_address(&address("/ip4/192.168.1.9/tcp/7000"));
        assert!(wildcard.allows(&address("/ip4/192.168.1.20/tcp/7000")));
    }

    #[test]
    fn a_peer_keeps_a_few_addresses_of_its_own() {
        let peer = PeerId::random();
        let other = PeerId::random();
        let relay = PeerId::random();
        let mut announced: Vec<Multiaddr> = (0..20)
            .map(|port| address(&format!("/ip4/198.51.100.4/tcp/{port}")))
            .collect();
        announced.insert(0, address(&format!("/ip4/198.51.100.9/tcp/1/p2p/{other}")));
        announced.insert(
            0,
            address(&format!("/ip4/198.51.100.7/tcp/1/p2p/{relay}/p2p-circuit")),
        );
        let kept = policy("/ip4/0.0.0.0/tcp/0").keep_for(&peer, announced);
        assert_eq!(kept.len(), MAX_ADDRESSES_PER_PEER);
        assert!(kept[0].to_string().contains("p2p-circuit"), "{kept:?}");
        assert!(
            kept.iter()
                .all(|a| !a.to_string().contains(&other.to_string()))
        );
    }
}
