//! Direct messages between real network tasks in one process: seeded keys, stores in temporary
//! directories that know every member's certificate, TCP on 127.0.0.1 port 0.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bureau_core::MemberCode;
use bureau_core::testkit::TestNetwork;
use bureau_store::{Committer, Store};
use futures::StreamExt;
use libp2p::{Multiaddr, PeerId, StreamProtocol, request_response, swarm::SwarmEvent};

use crate::codec::FrameCodec;
use crate::protocol::{self, DirectRequest, DirectResponse};
use crate::{Config, DirectError, Identity, InboundDirect, NetInfo, Started, config};

/// Longest any wait in these tests may take before the test fails.
pub(crate) const WAIT: Duration = Duration::from_secs(20);
const CACHE_BYTES: u64 = 4 * 1024 * 1024;
/// Members: XGS (index 0), FRA, DEU, RUS (certified, never started).
const CODES: [&str; 4] = ["XGS", "FRA", "DEU", "RUS"];

pub(crate) struct TestNode {
    pub started: Started,
    pub peer: PeerId,
    /// Its listen addresses with `/p2p/<peer>`.
    pub addresses: Vec<Multiaddr>,
    pub store: Arc<Store>,
    _dir: tempfile::TempDir,
}

impl TestNode {
    /// Sends the payload `hit` to Germany's node.
    pub async fn send_hit_to_germany(&self) -> Result<Vec<u8>, DirectError> {
        self.started
            .handle
            .send_direct(code("DEU"), b"hit".to_vec())
            .await
    }

    pub async fn info(&self) -> NetInfo {
        self.started.handle.info().await.expect("network runs")
    }

    /// Answers every direct message with `ack:` and its payload, after `delay`.
    pub fn answer_all(&mut self, delay: Duration) -> tokio::task::JoinHandle<Vec<MemberCode>> {
        let (_, empty) = tokio::sync::mpsc::channel(1);
        let mut inbox = std::mem::replace(&mut self.started.direct, empty);
        tokio::spawn(async move {
            let mut senders = Vec::new();
            while let Some(InboundDirect {
                from,
                payload,
                reply,
                ..
            }) = inbox.recv().await
            {
                senders.push(from);
                tokio::time::sleep(delay).await;
                let _ = reply.send(Ok([b"ack:".as_slice(), &payload].concat()));
            }
            senders
        })
    }

    pub async fn shutdown(self) {
        self.started
            .handle
            .shutdown()
            .await
            .expect("clean shutdown");
    }
}

pub(crate) fn network() -> TestNetwork {
    TestNetwork::new_at("direct", &CODES, crate::gate::now())
}

pub(crate) fn code(text: &str) -> MemberCode {
    text.parse().expect("valid member code")
}

/// Starts member `index`'s node, dialing `bootstrap`.
pub(crate) async fn start(
    network: &TestNetwork,
    index: usize,
    bootstrap: &[Multiaddr],
    config: Config,
) -> TestNode {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut store_config = bureau_store::Config::new(dir.path().join("store"));
    store_config.cache_capacity_bytes = CACHE_BYTES;
    let store = Arc::new(Store::open(&store_config, &network.genesis).expect("store opens"));
    for certificate in network.certificates() {
        store.learn_certificate(&certificate).expect("certificate");
    }
    let committer = Committer::spawn(Arc::clone(&store), crate::gate::now);
    let member = &network.members[index];
    let identity = Identity {
        key: member.key.clone(),
        certificate: member.certificate.clone(),
        genesis: network.genesis.clone(),
    };
    let config = Config {
        bootstrap: bootstrap.to_vec(),
        ..config
    };
    let started = crate::start_with_direct(config, identity, Arc::clone(&store), committer)
        .await
        .expect("network starts");
    let info = started.handle.info().await.expect("info");
    let peer: PeerId = info.peer_id.parse().expect("peer id");
    let addresses = info
        .listen
        .iter()
        .map(|address| format!("{address}/p2p/{peer}").parse().expect("an address"))
        .collect();
    TestNode {
        started,
        peer,
        addresses,
        store,
        _dir: dir,
    }
}

type BareSwarm =
    libp2p::Swarm<request_response::Behaviour<FrameCodec<DirectRequest, DirectResponse>>>;

/// A libp2p node with nothing but the direct protocol (no gate, no gossip).
fn bare_direct_swarm(network: &TestNetwork, idle: Duration) -> BareSwarm {
    let direct =
        StreamProtocol::try_from_owned(protocol::direct_protocol(&network.genesis.network_id()))
            .expect("protocol name");
    libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .expect("transport")
        .with_behaviour(|_| {
            request_response::Behaviour::with_codec(
                FrameCodec::new(1 << 20, 1 << 20),
                [(direct, request_response::ProtocolSupport::Full)],
                request_response::Config::default(),
            )
        })
        .expect("behaviour")
        .with_swarm_config(|config| config.with_idle_connection_timeout(idle))
        .build()
}

pub(crate) async fn wait_until<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_gets_the_answer_of_another_members_node() {
    let network = network();
    let a = start(&network, 1, &[], Config::for_tests()).await;
    let mut b = start(&network, 2, &a.addresses, Config::for_tests()).await;
    let answering = b.answer_all(Duration::ZERO);

    // Sent at once: the message waits for the gate to verify B (and B to verify A).
    let answer = a.send_hit_to_germany().await;

    assert_eq!(answer, Ok(b"ack:hit".to_vec()));
    assert_eq!(a.info().await.counters.direct_sent, 1);
    assert_eq!(b.info().await.counters.direct_received, 1);
    b.shutdown().await;
    assert_eq!(answering.await.expect("join"), vec![code("FRA")]);
    a.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_a_running_node_is_unreachable_within_the_deadline() {
    let network = network();
    let config = Config {
        direct_connect_timeout: Duration::from_millis(800),
        ..Config::for_tests()
    };
    let a = start(&network, 1, &[], config.clone()).await;
    let _b = start(&network, 2, &a.addresses, config).await;

    let started = Instant::now();
    let answer = a
        .started
        .handle
        .send_direct(code("RUS"), b"hit".to_vec())
        .await;
    let waited = started.elapsed();
    assert_eq!(
        answer,
        Err(DirectError::Unreachable {
            member: code("RUS")
        })
    );
    assert!(
        waited >= Duration::from_millis(800) && waited < Duration::from_millis(1800),
        "gave up after {waited:?}"
    );

    // A member with no certificate at all: no node to wait for.
    let started = Instant::now();
    let answer = a
        .started
        .handle
        .send_direct(code("ITA"), b"hit".to_vec())
        .await;
    assert_eq!(
        answer,
        Err(DirectError::Unreachable {
            member: code("ITA")
        })
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(a.info().await.counters.direct_send_failed, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_message_is_refused_before_it_is_sent() {
    let network = network();
    let a = start(&network, 1, &[], Config::for_tests()).await;

    let answer = a
        .started
        .handle
        .send_direct(code("DEU"), vec![0; config::MAX_DIRECT_BYTES + 1])
        .await;

    assert_eq!(
        answer,
        Err(DirectError::TooLarge {
            size: config::MAX_DIRECT_BYTES + 1,
            limit: config::MAX_DIRECT_BYTES
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_largest_message_and_answer_go_through() {
    let network = network();
    let a = start(&network, 1, &[], Config::for_tests()).await;
    let mut b = start(&network, 2, &a.addresses, Config::for_tests()).await;
    let (_, empty) = tokio::sync::mpsc::channel(1);
    let mut inbox = std::mem::replace(&mut b.started.direct, empty);
    tokio::spawn(async move {
        while let Some(message) = inbox.recv().await {
            let _ = message
                .reply
                .send(Ok(vec![1; config::MAX_DIRECT_RESPONSE_BYTES]));
        }
    });

    let answer = a
        .started
        .handle
        .send_direct(code("DEU"), vec![7; config::MAX_DIRECT_BYTES])
        .await;

    assert_eq!(answer, Ok(vec![1; config::MAX_DIRECT_RESPONSE_BYTES]));
}

/// A stranger's direct message is never read: the gate holds its stream unanswered until the
/// stranger's connection is cut at the deadline, and nothing reaches the node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_from_a_peer_that_is_not_a_member_is_never_delivered() {
    let network = network();
    let mut b = start(&network, 2, &[], Config::for_tests()).await;
    let answering = b.answer_all(Duration::ZERO);
    // A bare libp2p node that speaks the direct protocol but has no certificate.
    let mut stranger = bare_direct_swarm(&network, Duration::from_secs(60));
    stranger.dial(b.addresses[0].clone()).expect("dial");
    while !matches!(
        stranger.select_next_some().await,
        SwarmEvent::ConnectionEstablished { .. }
    ) {}
    stranger.behaviour_mut().send_request(
        &b.peer,
        DirectRequest {
            payload: b"let me in".to_vec(),
        },
    );

    let outcome = tokio::time::timeout(WAIT, async {
        loop {
            match stranger.select_next_some().await {
                SwarmEvent::Behaviour(request_response::Event::Message {
                    message: request_response::Message::Response { response, .. },
                    ..
                }) => return Ok(response),
                SwarmEvent::Behaviour(request_response::Event::OutboundFailure {
                    error, ..
                }) => return Err(error.to_string()),
                _ => {}
            }
        }
    })
    .await
    .expect("an outcome in time");

    assert!(outcome.is_err(), "a stranger got an answer: {outcome:?}");
    let counters = b.info().await.counters;
    assert_eq!(counters.direct_received, 0);
    assert!(counters.handshakes_expired >= 1, "{counters:?}");
    b.shutdown().await;
    assert!(answering.await.expect("join").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_known_only_through_kademlia_is_reached() {
    let network = network();
    let c = start(&network, 0, &[], Config::for_tests()).await;
    let mut b = start(&network, 2, &c.addresses, Config::for_tests()).await;
    let _answering = b.answer_all(Duration::ZERO);
    wait_until("C verifies B", || async {
        c.info().await.members_connected == 1
    })
    .await;
    // A knows only C's address; B's comes from C's Kademlia table.
    let a = start(&network, 1, &c.addresses, Config::for_tests()).await;

    let answer = a.send_hit_to_germany().await;

    assert_eq!(answer, Ok(b"ack:hit".to_vec()));
}

/// A whole exchange with a short idle timeout (the connection may also be held by the gossip
/// mesh; the next test checks the direct stream alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_outlives_the_idle_connection_timeout() {
    let network = network();
    let config = Config {
        idle_connection_timeout: Duration::from_millis(200),
        ..Config::for_tests()
    };
    let a = start(&network, 1, &[], config.clone()).await;
    let mut b = start(&network, 2, &a.addresses, config).await;
    let _answering = b.answer_all(Duration::from_millis(800));

    let answer = a.send_hit_to_germany().await;

    assert_eq!(answer, Ok(b"ack:hit".to_vec()));
}

/// Between members, gossipsub keeps mesh connections open anyway; this checks, without it, that
/// an open direct exchange alone holds a connection past the idle timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_direct_exchange_keeps_an_idle_connection_open() {
    let network = network();
    let idle = Duration::from_millis(100);
    let mut receiver = bare_direct_swarm(&network, idle);
    receiver
        .listen_on("/ip4/127.0.0.1/tcp/0".parse().expect("address"))
        .expect("listen");
    let address = loop {
        if let SwarmEvent::NewListenAddr { address, .. } = receiver.select_next_some().await {
            break address;
        }
    };
    let receiver_peer = *receiver.local_peer_id();
    // Answers each request 6 idle timeouts late.
    tokio::spawn(async move {
        let mut held = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tokio::select! {
                event = receiver.select_next_some() => {
                    if let SwarmEvent::Behaviour(request_response::Event::Message {
                        message: request_response::Message::Request { channel, .. },
                        ..
                    }) = event
                    {
                        held.push((Instant::now(), channel));
                    }
                }
                _ = tick.tick() => {
                    while held.first().is_some_and(|(at, _)| at.elapsed() > idle * 6) {
                        let (_, channel) = held.remove(0);
                        let answer = DirectResponse::Answer(b"late".to_vec());
                        let _ = receiver.behaviour_mut().send_response(channel, answer);
                    }
                }
            }
        }
    });
    let mut sender = bare_direct_swarm(&network, idle);
    sender.dial(address).expect("dial");
    while !matches!(
        sender.select_next_some().await,
        SwarmEvent::ConnectionEstablished { .. }
    ) {}
    sender.behaviour_mut().send_request(
        &receiver_peer,
        DirectRequest {
            payload: b"hit".to_vec(),
        },
    );

    let outcome = tokio::time::timeout(WAIT, async {
        loop {
            match sender.select_next_some().await {
                SwarmEvent::Behaviour(request_response::Event::Message {
                    message: request_response::Message::Response { response, .. },
                    ..
                }) => return Ok(response),
                SwarmEvent::ConnectionClosed { cause, .. } => return Err(format!("{cause:?}")),
                _ => {}
            }
        }
    })
    .await
    .expect("an outcome in time");

    assert!(
        matches!(&outcome, Ok(DirectResponse::Answer(answer)) if answer == b"late"),
        "{outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_does_not_answer_in_time_sends_back_an_error() {
    let network = network();
    let config = Config {
        direct_reply_timeout: Duration::from_millis(300),
        ..Config::for_tests()
    };
    let a = start(&network, 1, &[], config.clone()).await;
    let mut b = start(&network, 2, &a.addresses, config).await;
    let _answering = b.answer_all(Duration::from_secs(2));

    let answer = a.send_hit_to_germany().await;

    assert!(
        matches!(&answer, Err(DirectError::Refused { reason, .. }) if reason.contains("in time")),
        "{answer:?}"
    );
    assert_eq!(b.info().await.counters.direct_unanswered, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_takes_no_direct_messages_refuses_them() {
    let network = network();
    let a = start(&network, 1, &[], Config::for_tests()).await;
    let mut b = start(&network, 2, &a.addresses, Config::for_tests()).await;
    let (_, closed) = tokio::sync::mpsc::channel(1);
    drop(std::mem::replace(&mut b.started.direct, closed));

    let answer = a.send_hit_to_germany().await;

    assert!(
        matches!(&answer, Err(DirectError::Refused { .. })),
        "{answer:?}"
    );
}
