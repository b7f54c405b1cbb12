//! Reach between real network tasks in one process: C serves as a relay, A and B listen on no
//! address at all (as behind a NAT that lets nothing in), so every connection between them goes
//! through a circuit on C. Hole punching is off where a test asserts `relayed`: on one host a
//! node with no listener can still dial out, so DCUtR may (correctly) add a direct connection.

use std::time::Duration;

use libp2p::Multiaddr;

use crate::config::RelayServer;
use crate::direct_tests::{TestNode, code, network, start, wait_until};
use crate::{Config, PeerInfo};

/// Logs through `RUST_LOG` (e.g. `libp2p_relay=debug,bureau_net=debug`) when a test fails.
fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// A node that listens on nothing: only outgoing connections and relay circuits.
fn unlistened(config: Config) -> Config {
    Config {
        listen: Vec::new(),
        hole_punching: false,
        ..config
    }
}

fn relay_config() -> Config {
    Config {
        relay_server: RelayServer::Always,
        ..Config::for_tests()
    }
}

/// Waits until `node` holds a slot on a relay.
async fn wait_for_slot(node: &TestNode) {
    wait_until("a relay slot", || async {
        !node.info().await.reach.relays.is_empty()
    })
    .await;
}

async fn peer_of(node: &TestNode, member: &str) -> Option<PeerInfo> {
    let peers = node.started.handle.peers().await.expect("network runs");
    peers
        .into_iter()
        .find(|peer| peer.member == Some(code(member)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_that_cannot_be_dialled_is_reached_through_a_relay() {
    let network = network();
    let c = start(&network, 0, &[], relay_config()).await;
    // B names its relay; A knows nothing but C's address.
    let b_config = Config {
        relay_via: c.addresses.clone(),
        auto_relay: false,
        ..unlistened(Config::for_tests())
    };
    let mut b = start(&network, 2, &c.addresses, b_config).await;
    let _answering = b.answer_all(Duration::ZERO);
    wait_for_slot(&b).await;
    let a = start(&network, 1, &c.addresses, unlistened(Config::for_tests())).await;

    let answer = a.send_hit_to_germany().await;

    assert_eq!(answer, Ok(b"ack:hit".to_vec()));
    let germany = peer_of(&a, "DEU").await.expect("A is connected to B");
    assert_eq!(germany.connection, "relayed", "{germany:?}");
    assert!(germany.address.contains("/p2p-circuit"), "{germany:?}");
    let relay = peer_of(&a, "XGS").await.expect("A is connected to C");
    assert_eq!(relay.connection, "direct");
    let c_info = c.info().await;
    assert!(c_info.reach.relay_server);
    assert_eq!(c_info.reach.reachability, "public");
    assert!(c_info.counters.relay_reservations_accepted >= 1);
    assert!(c_info.counters.relay_circuits_accepted >= 1);
    let b_info = b.info().await;
    assert_eq!(b_info.reach.relays, vec![c.peer.to_string()]);
    assert!(b_info.counters.relay_reservations_made >= 1);
    assert!(
        b_info
            .listen
            .iter()
            .any(|address| address.contains("/p2p-circuit"))
    );
    assert!(a.info().await.counters.relayed_connections >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_reaches_a_member_behind_a_relay_and_its_answer_comes_back() {
    init_logs();
    let mut network = network();
    let c = start(&network, 0, &[], relay_config()).await;
    // B finds its relay by itself: C is a verified member that serves as one.
    let mut b = start(&network, 2, &c.addresses, unlistened(Config::for_tests())).await;
    let _answering = b.answer_all(Duration::ZERO);
    wait_for_slot(&b).await;
    let a = start(&network, 1, &c.addresses, unlistened(Config::for_tests())).await;
    wait_for_slot(&a).await;
    let entry = network.put_document(1, "doc-1", "X1234567");
    let author = entry.header.author;
    a.store
        .apply(entry.clone(), crate::gate::now())
        .expect("A applies its own entry");

    a.started.handle.publish(entry).await.expect("published");

    wait_until("B holds A's entry", || async {
        b.store
            .head(&author)
            .expect("store reads")
            .map(|head| head.seq)
            == Some(1)
    })
    .await;
    // Both ways through the circuit: A reached B, and B answers over it.
    assert_eq!(a.send_hit_to_germany().await, Ok(b"ack:hit".to_vec()));
    let germany = peer_of(&a, "DEU").await.expect("A is connected to B");
    assert_eq!(germany.connection, "relayed", "{germany:?}");
    let france = peer_of(&b, "FRA").await.expect("B is connected to A");
    assert_eq!(france.connection, "relayed", "{france:?}");
    assert_eq!(b.info().await.reach.relays, vec![c.peer.to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_with_a_configured_external_address_is_public_and_relays() {
    let network = network();
    let external: Multiaddr = "/ip4/192.0.2.7/tcp/7000".parse().expect("address");
    let config = Config {
        external_addresses: vec![external.clone()],
        ..Config::for_tests()
    };
    let public = start(&network, 0, &[], config).await;
    let quiet = start(
        &network,
        1,
        &[],
        Config {
            relay_server: RelayServer::Never,
            external_addresses: vec![external],
            ..Config::for_tests()
        },
    )
    .await;

    wait_until("the relay server switches on", || async {
        public.info().await.reach.relay_server
    })
    .await;
    let info = public.info().await;
    assert_eq!(info.reach.reachability, "public");
    assert_eq!(
        info.reach.external,
        vec!["/ip4/192.0.2.7/tcp/7000".to_owned()]
    );
    let quiet_info = quiet.info().await;
    assert_eq!(quiet_info.reach.reachability, "public");
    assert!(!quiet_info.reach.relay_server);
}
