//! Several real nodes in one process form a network: records published anywhere reach every
//! replica, a node that was down catches up, keys without a certificate and forged entries are
//! kept out.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bureau_core::record::IndexTerm;
use bureau_core::testkit::{self, TestNetwork};
use bureau_store::{Committer, Store};

use crate::net_harness::{TestNet, wait_until};

/// Five nodes that each publish end with one digest, and each record is on every node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_nodes_that_each_publish_reach_one_digest() {
    let net = TestNet::start("five", 5).await;
    net.wait_meshed().await;
    let started = Instant::now();
    for index in 1..5 {
        net.publish_document(index, &format!("D{index}00001")).await;
    }
    let digest = net.wait_converged().await;
    eprintln!(
        "5 nodes: 4 records on every node {:?} after the last publish",
        started.elapsed()
    );
    for running in net.nodes.iter().flatten() {
        let store = Arc::clone(&running.replica.store);
        let count = tokio::task::spawn_blocking(move || store.live_record_count())
            .await
            .expect("join")
            .expect("count");
        assert_eq!(count, 4);
    }
    assert_eq!(net.digests().await, vec![digest; 5]);
    net.shutdown().await;
}

/// A record published on node 1 is found by search on node 5, within a second or so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_published_on_one_node_is_found_on_another() {
    let net = TestNet::start("search", 5).await;
    net.wait_meshed().await;
    net.publish_document(1, "P 1234-567").await;
    let store = Arc::clone(&net.node(4).replica.store);
    let elapsed = wait_until("the record on node 5", || {
        let store = Arc::clone(&store);
        async move {
            tokio::task::spawn_blocking(move || {
                store.search(&IndexTerm::travel_document("p1234567", None, None), 10)
            })
            .await
            .expect("join")
            .expect("search")
            .len()
                == 1
        }
    })
    .await;
    eprintln!("published on node 1, found on node 5 after {elapsed:?}");
    net.shutdown().await;
}

/// A node stopped while 1,000 entries are published elsewhere catches up after its restart,
/// and a restarted node keeps everything it had.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_node_catches_up_and_keeps_its_data() {
    let mut net = TestNet::start("catch-up", 3).await;
    net.wait_meshed().await;
    net.publish_document(2, "KEEP1").await;
    net.wait_converged().await;
    net.stop_node(2).await;

    let replica = Arc::clone(&net.node(1).replica);
    tokio::task::spawn_blocking(move || {
        for n in 0..1000 {
            let data = testkit::travel_document(replica.member(), "x", &format!("C{n:06}"), 1).data;
            replica
                .publish(&format!("c{n}"), bureau_core::Access::All, None, data)
                .expect("publish");
        }
    })
    .await
    .expect("join");

    let started = Instant::now();
    net.start_node(2).await;
    let store = Arc::clone(&net.node(2).replica.store);
    let kept = tokio::task::spawn_blocking(move || {
        store.search(&IndexTerm::travel_document("KEEP1", None, None), 10)
    })
    .await
    .expect("join")
    .expect("search");
    assert_eq!(kept.len(), 1, "the restarted node kept its own record");
    net.wait_converged().await;
    eprintln!(
        "1000 missed entries caught up in {:?} after restart",
        started.elapsed()
    );
    let store = Arc::clone(&net.node(2).replica.store);
    let count = tokio::task::spawn_blocking(move || store.live_record_count())
        .await
        .expect("join")
        .expect("count");
    assert_eq!(count, 1001);
    net.shutdown().await;
}

/// A key whose certificate does not come from the network's root is refused at the handshake
/// and none of its entries is stored anywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_without_a_certificate_is_refused() {
    let net = TestNet::start("gate", 3).await;
    net.wait_meshed().await;

    // The intruder has the genesis and a certificate signed by a root of its own.
    let mut impostor_network =
        TestNetwork::new_at("impostor", &["XGS", "ITA"], bureau_service::clock::now());
    let key = impostor_network.members[1].key.clone();
    let mut forged = impostor_network.certify(
        &key,
        "ITA".parse().expect("code"),
        impostor_network.members[1].certificate.body.not_before,
        impostor_network.members[1].certificate.body.not_after,
    );
    forged.body.network = net.network.genesis.network_id();
    let temp = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(
        Store::open(
            &bureau_store::Config::new(temp.path().join("store")),
            &net.network.genesis,
        )
        .expect("open"),
    );
    let committer = Committer::spawn(Arc::clone(&store), bureau_service::clock::now);
    let mut config = bureau_net::Config::for_tests();
    config.bootstrap = net
        .node(0)
        .net
        .info()
        .await
        .expect("info")
        .listen
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    let identity = bureau_net::Identity {
        key: key.clone(),
        certificate: forged,
        genesis: net.network.genesis.clone(),
    };
    let (intruder, task) = bureau_net::start(config, identity, store, committer)
        .await
        .expect("intruder starts");

    wait_until("the intruder refused", || async {
        net.node(0)
            .net
            .info()
            .await
            .map(|info| info.counters.peers_refused)
            .unwrap_or(0)
            >= 1
    })
    .await;
    // Its entries go nowhere.
    let entry = impostor_network.put_document(1, "p1", "INTRUDER1");
    intruder.publish(entry).await.expect("publish attempt");
    tokio::time::sleep(Duration::from_secs(2)).await;
    for running in net.nodes.iter().flatten() {
        let store = Arc::clone(&running.replica.store);
        let author = key.public();
        let head = tokio::task::spawn_blocking(move || store.head(&author))
            .await
            .expect("join")
            .expect("head");
        assert!(head.is_none(), "an intruder entry was stored");
        let members: Vec<_> = running
            .net
            .peers()
            .await
            .expect("peers")
            .into_iter()
            .map(|p| p.member)
            .collect();
        assert!(
            members.iter().all(Option::is_some),
            "only verified members stay connected: {members:?}"
        );
    }
    assert!(
        intruder.peers().await.expect("peers").is_empty(),
        "the intruder is disconnected"
    );
    intruder.shutdown().await.expect("stop");
    task.await.expect("task");
    net.shutdown().await;
}

/// A member that gossips a forged entry loses gossip score with its peers, and the entry is
/// stored nowhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_gossiping_a_forged_entry_is_penalised() {
    let mut net = TestNet::start("forgery", 3).await;
    net.wait_meshed().await;
    // Node 1 signs its next entry, then breaks the signature, and gossips it without storing it.
    net.resume_log(1).await;
    let mut forged = net.network.put_document(1, "f1", "FORGED1");
    forged.signature.0[10] ^= 0x40;
    let forger = net.node(1).net.info().await.expect("info").peer_id;
    net.node(1)
        .net
        .publish(forged.clone())
        .await
        .expect("gossip");

    wait_until("the forger penalised by its peers", || async {
        for index in [0, 2] {
            let peers = net.node(index).net.peers().await.expect("peers");
            let score = peers
                .iter()
                .find(|p| p.peer_id == forger)
                .map_or(0.0, |p| p.gossip_score);
            if score >= 0.0 {
                return false;
            }
        }
        true
    })
    .await;
    for index in [0, 2] {
        let info = net.node(index).net.info().await.expect("info");
        assert!(info.counters.gossip_rejected >= 1);
        let store = Arc::clone(&net.node(index).replica.store);
        let (author, seq) = (forged.header.author, forged.header.seq);
        let stored = tokio::task::spawn_blocking(move || store.entry(&author, seq))
            .await
            .expect("join")
            .expect("entry");
        assert!(stored.is_none(), "the forged entry was stored");
    }
    net.shutdown().await;
}

/// The local API: a bearer token is required, errors are JSON with fitting codes, and a record
/// published through one node's API is found through another's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_publishes_and_searches_across_nodes() {
    let net = TestNet::start("api", 3).await;
    net.wait_meshed().await;
    let (one, two) = (net.node(1), net.node(2));
    let (addr_one, token_one, addr_two, token_two) = (
        one.api_addr,
        one.token.clone(),
        two.api_addr,
        two.token.clone(),
    );
    let result = tokio::task::spawn_blocking(move || {
        use crate::api::Raw;
        let wrong = Raw::new(addr_one, "not-the-token");
        let (status, error) = wrong.get("/v1/status");
        assert_eq!(status, 401, "a wrong token is refused: {error}");
        assert_eq!(error["error"]["kind"], "unauthorised");
        assert!(error["error"]["message"].as_str().unwrap_or_default().contains("bearer token"));

        let client = Raw::new(addr_one, &token_one);
        let draft = serde_json::json!({
            "local_id": "p1234567",
            "access": "all",
            "review_date": null,
            "data": {"travel-document": {"number": "P 1234-567", "issuing_country": "FRA",
                "document_type": "passport", "loss": "stolen", "issue_date": null,
                "expiry_date": null, "theft_date": null, "theft_place": null}}
        });
        let (status, published) = client.post("/v1/records", &draft);
        assert_eq!(status, 200, "{published}");
        assert_eq!(published["ref"], "sltd/FRA/p1234567");
        let bad = serde_json::json!({"local_id": "x", "data": {"travel-document": {}}});
        let (status, error) = client.post("/v1/records", &bad);
        assert_eq!((status, error["error"]["kind"].as_str()), (400, Some("invalid_input")), "{error}");
        let huge = serde_json::json!({"database": "sltd", "number": "X".repeat(300 * 1024)});
        let (status, error) = client.post("/v1/search", &huge);
        assert_eq!((status, error["error"]["kind"].as_str()), (413, Some("too_large")), "{error}");
        let anonymous = Raw::new(addr_one, "");
        assert_eq!(anonymous.get("/v1/members").0, 401, "every route needs the token");
        let (status, missing) = client.get("/v1/records/sltd/FRA/nothing");
        assert_eq!((status, missing["error"]["kind"].as_str()), (404, Some("not_found")), "{missing}");
        assert!(missing["error"]["message"].as_str().unwrap_or_default().contains("no record"), "{missing}");

        let other = Raw::new(addr_two, &token_two);
        let query = serde_json::json!({"database": "sltd", "number": "p1234567", "issuing_country": null, "document_type": null});
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, found) = other.post("/v1/search", &query);
            assert_eq!(status, 200, "{found}");
            if found["results"].as_array().map(Vec::len) == Some(1) {
                assert_eq!(found["results"][0]["ref"], "sltd/FRA/p1234567");
                assert_eq!(found["owners"][0]["owner"], "FRA");
                break;
            }
            assert!(Instant::now() < deadline, "the record never reached node 2");
            std::thread::sleep(Duration::from_millis(50));
        }
        let (_, status) = other.get("/v1/status");
        assert_eq!(status["peers"], 2);
        assert!(status["digest"].is_string());
    })
    .await;
    net.shutdown().await;
    result.expect("API checks");
}
