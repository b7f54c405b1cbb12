//! The gate against peers that play the actors of TRUST.md: strangers with a valid noise
//! identity and no certificate, a peer that says we are revoked or that our key is in use, and
//! a member that asks for far more sync than its budget. Real network tasks in one process,
//! seeded keys, temporary directories, TCP on 127.0.0.1 port 0.

use std::collections::BTreeMap;
use std::time::Duration;

use bureau_core::testkit::TestNetwork;
use futures::StreamExt;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent, dial_opts::DialOpts};
use libp2p::{
    Multiaddr, PeerId, StreamProtocol, autonat, identify, kad, multiaddr::Protocol, relay,
    request_response,
};

use crate::codec::FrameCodec;
use crate::config::{self, RelayServer};
use crate::direct_tests::{TestNode, WAIT, network, start, wait_until};
use crate::protocol::{self, Hello, HelloResponse, SyncLimits, SyncRequest, SyncResponse};
use crate::{Config, Signing};

/// Strangers in the flood: together they open more connections than the gate's budget.
const STRANGERS: usize = 20;

/// What a stranger runs: everything a member offers, and no certificate.
#[derive(NetworkBehaviour)]
#[behaviour(prelude = "libp2p::swarm::derive_prelude")]
struct Stranger {
    kad: kad::Behaviour<kad::store::MemoryStore>,
    relay_client: relay::client::Behaviour,
    autonat: autonat::v2::client::Behaviour,
    identify: identify::Behaviour,
}

type StrangerSwarm = libp2p::Swarm<Stranger>;

fn stranger_swarm(network: &TestNetwork) -> StrangerSwarm {
    let network_id = network.genesis.network_id();
    libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .expect("transport")
        .with_relay_client(libp2p::noise::Config::new, libp2p::yamux::Config::default)
        .expect("relay transport")
        .with_behaviour(|key, relay_client| {
            let local = key.public().to_peer_id();
            let name = StreamProtocol::try_from_owned(protocol::kad_protocol(&network_id))
                .expect("protocol name");
            let mut kad_config = kad::Config::new(name);
            kad_config.set_query_timeout(Duration::from_secs(3));
            Stranger {
                kad: kad::Behaviour::with_config(
                    local,
                    kad::store::MemoryStore::new(local),
                    kad_config,
                ),
                relay_client,
                autonat: autonat::v2::client::Behaviour::default(),
                identify: identify::Behaviour::new(identify::Config::new(
                    protocol::identify_version(&network_id),
                    key.public(),
                )),
            }
        })
        .expect("behaviour")
        .build()
}

/// What the probing stranger learnt.
#[derive(Debug, Default)]
struct Learnt {
    /// Peers (and their addresses) Kademlia answered with.
    kad_peers: Vec<(PeerId, Vec<Multiaddr>)>,
    kad_done: bool,
    reservation: bool,
    autonat_answers: usize,
    identified: bool,
}

/// Dials `target` `times` times, asks Kademlia for the closest peers, tries a relay slot and
/// runs AutoNAT against it, and reports what came back after `window`.
async fn probe(
    mut swarm: StrangerSwarm,
    target: &TestNode,
    times: usize,
    window: Duration,
) -> Learnt {
    let address = target.addresses[0].clone();
    let plain = strip_peer(&address);
    for _ in 0..times {
        let dial = DialOpts::peer_id(target.peer)
            .addresses(vec![plain.clone()])
            .condition(libp2p::swarm::dial_opts::PeerCondition::Always)
            .build();
        let _ = swarm.dial(dial);
    }
    swarm.behaviour_mut().kad.add_address(&target.peer, plain);
    let _ = swarm
        .behaviour_mut()
        .kad
        .get_closest_peers(PeerId::random());
    let _ = swarm.listen_on(address.with(Protocol::P2pCircuit));
    let mut learnt = Learnt::default();
    let deadline = tokio::time::sleep(window);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            () = &mut deadline => return learnt,
            event = swarm.select_next_some() => note(&mut learnt, event),
        }
    }
}

fn note(learnt: &mut Learnt, event: SwarmEvent<StrangerEvent>) {
    match event {
        SwarmEvent::Behaviour(StrangerEvent::Kad(kad::Event::OutboundQueryProgressed {
            result: kad::QueryResult::GetClosestPeers(result),
            step,
            ..
        })) => {
            let peers = match result {
                Ok(ok) => ok.peers,
                Err(kad::GetClosestPeersError::Timeout { peers, .. }) => peers,
            };
            learnt
                .kad_peers
                .extend(peers.into_iter().map(|info| (info.peer_id, info.addrs)));
            learnt.kad_done |= step.last;
        }
        SwarmEvent::Behaviour(StrangerEvent::RelayClient(
            relay::client::Event::ReservationReqAccepted { .. },
        )) => learnt.reservation = true,
        SwarmEvent::Behaviour(StrangerEvent::Autonat(_)) => learnt.autonat_answers += 1,
        SwarmEvent::Behaviour(StrangerEvent::Identify(identify::Event::Received { .. })) => {
            learnt.identified = true;
        }
        _ => {}
    }
}

fn strip_peer(address: &Multiaddr) -> Multiaddr {
    address
        .iter()
        .filter(|protocol| !matches!(protocol, Protocol::P2p(_)))
        .collect()
}

/// Keeps a stranger's swarm running (its dials in flight) until the test ends.
fn flood(network: &TestNetwork, target: &TestNode) {
    let mut swarm = stranger_swarm(network);
    let address = strip_peer(&target.addresses[0]);
    for _ in 0..config::MAX_CONNECTIONS_PER_PEER {
        let dial = DialOpts::peer_id(target.peer)
            .addresses(vec![address.clone()])
            .condition(libp2p::swarm::dial_opts::PeerCondition::Always)
            .build();
        let _ = swarm.dial(dial);
    }
    tokio::spawn(async move {
        loop {
            swarm.select_next_some().await;
        }
    });
}

/// A relay that serves members, a member connected to it, and a flood of strangers: the
/// strangers learn no member address, get no relay slot, no AutoNAT answer and not even
/// identify, are held to the gate's small budget and cut off at its deadline; meanwhile two
/// members meet and verify each other as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_gets_nothing_before_the_gate_and_members_still_meet() {
    let network = network();
    let relay_config = Config {
        relay_server: RelayServer::Always,
        ..Config::for_tests()
    };
    let c = start(&network, 0, &[], relay_config).await;
    let a = start(&network, 1, &c.addresses, Config::for_tests()).await;
    wait_until("C verifies A", || async {
        c.info().await.members_connected == 1
    })
    .await;
    for _ in 0..STRANGERS {
        flood(&network, &c);
    }

    let started = std::time::Instant::now();
    let b = start(&network, 2, &a.addresses, Config::for_tests()).await;
    let probing = probe(
        stranger_swarm(&network),
        &c,
        config::MAX_CONNECTIONS_PER_PEER as usize,
        Duration::from_secs(6),
    );
    let meeting = async {
        wait_until("A and B verify each other", || async {
            a.info().await.members_connected >= 2 && b.info().await.members_connected >= 1
        })
        .await;
        started.elapsed()
    };
    let (learnt, met_after) = tokio::join!(probing, meeting);

    assert!(met_after < Duration::from_secs(10), "{met_after:?}");
    assert!(
        learnt
            .kad_peers
            .iter()
            .all(|(peer, addrs)| *peer != a.peer && addrs.is_empty()),
        "{learnt:?}"
    );
    assert!(!learnt.reservation, "a stranger got a relay slot");
    assert_eq!(learnt.autonat_answers, 0, "{learnt:?}");
    assert!(!learnt.identified, "a stranger was told who we are");
    let counters = c.info().await.counters;
    assert!(counters.connections_denied_before_gate > 0, "{counters:?}");
    assert!(counters.handshakes_expired > 0, "{counters:?}");
    assert!(c.info().await.members_connected >= 1, "C kept its member");
}

type HelloSwarm = libp2p::Swarm<request_response::Behaviour<FrameCodec<Hello, HelloResponse>>>;

/// A peer that speaks only the hello protocol and answers every hello with `answer`.
async fn answering_peer(
    network: &TestNetwork,
    answer: impl Fn(&Hello) -> HelloResponse + Send + 'static,
) -> Multiaddr {
    let name =
        StreamProtocol::try_from_owned(protocol::handshake_protocol(&network.genesis.network_id()))
            .expect("protocol name");
    let mut swarm: HelloSwarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .expect("transport")
        .with_behaviour(|_| {
            request_response::Behaviour::with_codec(
                FrameCodec::new(config::MAX_HELLO_BYTES, config::MAX_HELLO_BYTES),
                [(name, request_response::ProtocolSupport::Full)],
                request_response::Config::default(),
            )
        })
        .expect("behaviour")
        .build();
    swarm
        .listen_on("/ip4/127.0.0.1/tcp/0".parse().expect("address"))
        .expect("listen");
    let address = loop {
        if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
            break address.with(Protocol::P2p(*swarm.local_peer_id()));
        }
    };
    tokio::spawn(async move {
        loop {
            if let SwarmEvent::Behaviour(request_response::Event::Message {
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            }) = swarm.select_next_some().await
            {
                let response = answer(&request);
                let _ = swarm.behaviour_mut().send_response(channel, response);
            }
        }
    });
    address
}

/// Any peer can refuse us, and say why; it cannot make us revoked, stop our signing, or claim
/// our key is in use without a proof our own key signed after we started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peers_refusal_or_unproven_key_in_use_changes_nothing_of_ours() {
    let network = network();
    let a = start(&network, 1, &[], Config::for_tests()).await;
    let b = start(&network, 2, &a.addresses, Config::for_tests()).await;
    wait_until("A may sign", || async {
        a.started.handle.signing() == Signing::Ready
    })
    .await;
    let liar = answering_peer(&network, |_| HelloResponse::Refused {
        reason: "the node key was revoked: forged".into(),
    })
    .await;
    // Its "proof" is our own hello sent back, then another member's genuine one.
    let echo = answering_peer(&network, |hello| HelloResponse::KeyInUse {
        reason: "another process uses your key".into(),
        proof: Box::new(hello.clone()),
    })
    .await;
    let germany = network.members[2].clone();
    let genesis = network.genesis.network_id();
    let other = answering_peer(&network, move |hello| HelloResponse::KeyInUse {
        reason: "another process uses your key".into(),
        proof: Box::new(Hello::signed(
            &germany.key,
            &genesis,
            germany.certificate.clone(),
            hello.instance.wrapping_add(1),
            crate::gate::now(),
        )),
    })
    .await;

    for address in [liar, echo, other] {
        a.started
            .handle
            .dial(address)
            .await
            .expect("runs")
            .expect("dials");
    }

    wait_until("A heard all three", || async {
        let info = a.info().await;
        info.refused_by.len() >= 3 && info.counters.key_in_use_unproven >= 2
    })
    .await;
    let info = a.info().await;
    assert!(
        info.refused_by
            .iter()
            .any(|refusal| refusal.reason.contains("revoked")),
        "{:?}",
        info.refused_by
    );
    assert!(info.counters.refusals_received >= 3);
    assert_eq!(a.started.handle.signing(), Signing::Ready);
    // A still works with its real peers.
    assert_eq!(info.members_connected, 1);
    assert_eq!(b.info().await.members_connected, 1);
}

type SyncSwarm = libp2p::Swarm<RawMember>;

/// A member's node stripped down to the hello and sync protocols, to ask for sync at will.
#[derive(NetworkBehaviour)]
#[behaviour(prelude = "libp2p::swarm::derive_prelude")]
struct RawMember {
    hello: request_response::Behaviour<FrameCodec<Hello, HelloResponse>>,
    sync: request_response::Behaviour<FrameCodec<SyncRequest, SyncResponse>>,
}

fn raw_member(network: &TestNetwork, index: usize) -> SyncSwarm {
    let network_id = network.genesis.network_id();
    let key = crate::identity::keypair(&network.members[index].key);
    let name = |name: String| StreamProtocol::try_from_owned(name).expect("protocol name");
    libp2p::SwarmBuilder::with_existing_identity(key)
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default(),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .expect("transport")
        .with_behaviour(|_| RawMember {
            hello: request_response::Behaviour::with_codec(
                FrameCodec::new(config::MAX_HELLO_BYTES, config::MAX_HELLO_BYTES),
                [(
                    name(protocol::handshake_protocol(&network_id)),
                    request_response::ProtocolSupport::Full,
                )],
                request_response::Config::default(),
            ),
            sync: request_response::Behaviour::with_codec(
                FrameCodec::new(
                    config::MAX_SYNC_REQUEST_BYTES,
                    config::MAX_SYNC_RESPONSE_BYTES,
                ),
                [(
                    name(protocol::sync_protocol(&network_id)),
                    request_response::ProtocolSupport::Full,
                )],
                request_response::Config::default(),
            ),
        })
        .expect("behaviour")
        .build()
}

/// A member that asks for entries far beyond its sync budget is answered `Busy` (and counted);
/// another member still gets what it lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_over_its_sync_budget_is_told_busy_and_others_still_sync() {
    let mut network = network();
    let c = start(&network, 0, &[], Config::for_tests()).await;
    // Enough entries that every answer is a full batch: a member pays for what it gets.
    let owner = network.code(1);
    let full: Vec<bureau_core::Entry> = (0..500)
        .map(|i| {
            let record = bureau_core::Record {
                review_reason: Some("€".repeat(bureau_core::schema::MAX_TEXT_CHARS)),
                ..bureau_core::testkit::travel_document(
                    owner,
                    &format!("p{i}"),
                    &format!("F{i:07}"),
                    1,
                )
            };
            network.sign(1, bureau_core::Body::Put(record))
        })
        .collect();
    let report = c
        .store
        .apply_batch(full, crate::gate::now())
        .expect("apply");
    assert!(report.outcomes.iter().all(|outcome| outcome.is_applied()));
    let mut greedy = raw_member(&network, 3);
    greedy.dial(c.addresses[0].clone()).expect("dial");
    let member = &network.members[3];
    let hello = Hello::signed(
        &member.key,
        &network.genesis.network_id(),
        member.certificate.clone(),
        7,
        crate::gate::now(),
    );
    greedy.behaviour_mut().hello.send_request(&c.peer, hello);
    // Twice what the budget allows in a burst.
    let asks = 2 * (config::SYNC_ANSWER_BYTES_BURST / config::SYNC_BATCH_BYTES as u64);
    let mut busy = 0;
    let mut answered = 0;
    let mut failed = 0;
    let mut asked = 0;
    tokio::time::timeout(WAIT, async {
        while asked == 0 || answered + busy + failed < asked {
            match greedy.select_next_some().await {
                SwarmEvent::Behaviour(RawMemberEvent::Hello(
                    request_response::Event::Message {
                        message: request_response::Message::Response { .. },
                        ..
                    },
                )) => {
                    for _ in 0..asks {
                        let request = SyncRequest::Heads {
                            heads: BTreeMap::new(),
                            limits: SyncLimits {
                                max_entries: u32::MAX,
                                max_bytes: u32::MAX,
                            },
                        };
                        greedy.behaviour_mut().sync.send_request(&c.peer, request);
                        asked += 1;
                    }
                }
                SwarmEvent::Behaviour(RawMemberEvent::Sync(request_response::Event::Message {
                    message: request_response::Message::Response { response, .. },
                    ..
                })) => match response {
                    SyncResponse::Busy => busy += 1,
                    _ => answered += 1,
                },
                SwarmEvent::Behaviour(RawMemberEvent::Sync(
                    request_response::Event::OutboundFailure { .. },
                )) => failed += 1,
                _ => {}
            }
        }
    })
    .await
    .expect("answers in time");
    assert!(
        answered >= 1 && busy >= 1,
        "answered {answered}, busy {busy}"
    );
    assert!(c.info().await.counters.sync_budget_exhausted >= 1);

    let entry = network.put_document(1, "doc-1", "X1234567");
    let (author, seq) = (entry.header.author, entry.header.seq);
    c.store
        .apply(entry, crate::gate::now())
        .expect("C applies its entry");
    let b = start(&network, 2, &c.addresses, Config::for_tests()).await;
    wait_until("B holds C's entry", || async {
        b.store.head(&author).expect("store reads").map(|h| h.seq) == Some(seq)
    })
    .await;
    drop(greedy);
}
