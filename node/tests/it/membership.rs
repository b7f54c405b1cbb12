//! The secretariat's powers over membership on a running network: admission, revocation, and
//! that only the secretariat has them.

use std::sync::Arc;
use std::time::Instant;

use bureau_core::Body;

use crate::net_harness::{TestNet, wait_until};

/// A member admitted while the network runs joins it: the secretariat's `Admit` entry reaches
/// every node, and the new node gets every entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_is_admitted_into_a_running_network() {
    let mut net = TestNet::new("admission", 4);
    for index in 0..3 {
        net.start_node(index).await;
    }
    net.wait_meshed().await;
    net.publish_document(1, "BEFORE1").await;
    let certificate = net.network.members[3].certificate.clone();
    let secretariat = Arc::clone(&net.node(0).replica);
    let entry = tokio::task::spawn_blocking(move || secretariat.admit(certificate, None))
        .await
        .expect("join")
        .expect("admit");
    net.node(0).net.publish(entry).await.expect("gossip");
    net.start_node(3).await;
    net.wait_meshed().await;
    net.wait_converged().await;
    let newcomer = net.network.code(3);
    for index in 0..4 {
        let replica = Arc::clone(&net.node(index).replica);
        let members = tokio::task::spawn_blocking(move || replica.members())
            .await
            .expect("join")
            .expect("members");
        assert!(
            members
                .iter()
                .any(|m| m.member == newcomer && m.status == "active"),
            "node {index}: {members:?}"
        );
    }
    net.shutdown().await;
}

/// A revocation reaches every node of a 10-node network: each closes the revoked node's
/// connections, refuses its later entries, and the revoked node learns why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_takes_effect_on_every_node() {
    let net = TestNet::start("revocation", 10).await;
    net.wait_meshed().await;
    let revoked = 5;
    let revoked_peer = net.node(revoked).net.info().await.expect("info").peer_id;
    let serial = net.network.members[revoked].certificate.body.serial;
    let code = net.network.code(revoked);

    let started = Instant::now();
    let secretariat = Arc::clone(&net.node(0).replica);
    let entries =
        tokio::task::spawn_blocking(move || secretariat.revoke(code, None, "key compromised"))
            .await
            .expect("join")
            .expect("revoke");
    for entry in entries {
        net.node(0).net.publish(entry).await.expect("gossip");
    }
    let others: Vec<usize> = (0..10).filter(|index| *index != revoked).collect();
    wait_until(
        "every node applying the revocation and dropping the revoked node",
        || async {
            for &index in &others {
                let store = Arc::clone(&net.node(index).replica.store);
                let known = tokio::task::spawn_blocking(move || store.revocation(serial))
                    .await
                    .expect("join")
                    .expect("read");
                let peers = net.node(index).net.peers().await.expect("peers");
                if known.is_none() || peers.iter().any(|peer| peer.peer_id == revoked_peer) {
                    return false;
                }
            }
            true
        },
    )
    .await;
    eprintln!("revocation effective on 9 nodes in {:?}", started.elapsed());

    // What the revoked node still signs is stored nowhere else.
    let entry = net.publish_document(revoked, "AFTER1").await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    for &index in &others {
        let store = Arc::clone(&net.node(index).replica.store);
        let (author, seq) = (entry.header.author, entry.header.seq);
        let stored = tokio::task::spawn_blocking(move || store.entry(&author, seq))
            .await
            .expect("join")
            .expect("read");
        assert!(
            stored.is_none(),
            "node {index} stored an entry of a revoked key"
        );
    }
    // It dials again, is refused with the reason, and its status lists who said so (a peer's
    // word is never taken as the node's own revocation).
    wait_until("the revoked node told why", || async {
        net.node(revoked).net.info().await.ok().is_some_and(|info| {
            info.refused_by.iter().any(|refusal| {
                refusal.reason.contains("revoked") && refusal.reason.contains("key compromised")
            })
        })
    })
    .await;
    net.shutdown().await;
}

/// A plain member's revocation is rejected by every node and revokes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secretariat_bodies_from_a_member_are_rejected_everywhere() {
    let mut net = TestNet::start("usurper", 3).await;
    net.wait_meshed().await;
    net.resume_log(1).await;
    let serial = net.network.members[2].certificate.body.serial;
    let usurped = net.network.revoke(1, serial, 0);
    assert!(matches!(usurped.body, Some(Body::Revoke(_))));
    net.node(1)
        .net
        .publish(usurped.clone())
        .await
        .expect("gossip");
    wait_until("the usurped revocation rejected", || async {
        net.node(0)
            .net
            .info()
            .await
            .map(|info| info.counters.gossip_rejected)
            .unwrap_or(0)
            >= 1
    })
    .await;
    for index in [0, 2] {
        let store = Arc::clone(&net.node(index).replica.store);
        let revocation = tokio::task::spawn_blocking(move || store.revocation(serial))
            .await
            .expect("join")
            .expect("read");
        assert!(
            revocation.is_none(),
            "node {index} accepted a member's revocation"
        );
    }
    let peers = net.node(0).net.peers().await.expect("peers");
    assert_eq!(peers.len(), 2, "nobody was disconnected");
    net.shutdown().await;
}

async fn found_on(net: &TestNet, index: usize, number: &str) -> usize {
    let store = Arc::clone(&net.node(index).replica.store);
    let term = bureau_core::record::IndexTerm::travel_document(number, None, None);
    tokio::task::spawn_blocking(move || store.search(&term, 10))
        .await
        .expect("join")
        .expect("search")
        .len()
}

/// A block by the secretariat hides a record from search on every node without editing it;
/// unblocking shows it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_hides_a_record_everywhere() {
    let net = TestNet::start("blocks", 3).await;
    net.wait_meshed().await;
    let entry = net.publish_document(1, "BLK1").await;
    let Some(Body::Put(record)) = entry.body else {
        panic!("a put")
    };
    net.wait_converged().await;
    assert_eq!(found_on(&net, 2, "BLK1").await, 1);

    for blocked in [true, false] {
        let secretariat = Arc::clone(&net.node(0).replica);
        let key = record.key.clone();
        let block = tokio::task::spawn_blocking(move || {
            secretariat.block(&key, blocked, "Article 3 review")
        })
        .await
        .expect("join")
        .expect("block");
        net.node(0).net.publish(block).await.expect("gossip");
        net.wait_converged().await;
        for index in 0..3 {
            assert_eq!(
                found_on(&net, index, "BLK1").await,
                usize::from(!blocked),
                "node {index}"
            );
            let store = Arc::clone(&net.node(index).replica.store);
            let key = record.key.clone();
            let view = tokio::task::spawn_blocking(move || store.get(&key))
                .await
                .expect("join")
                .expect("get")
                .expect("kept");
            assert_eq!(
                view.record.as_ref(),
                Some(&record),
                "the record itself is not edited"
            );
            assert_eq!(view.blocked.is_some(), blocked);
        }
    }
    // A member cannot block.
    let member = Arc::clone(&net.node(2).replica);
    let key = record.key.clone();
    let refused = tokio::task::spawn_blocking(move || member.block(&key, true, "not mine"))
        .await
        .expect("join");
    assert!(
        refused
            .expect_err("members cannot block")
            .to_string()
            .contains("secretariat role")
    );
    net.shutdown().await;
}

/// With the secretariat stopped, members keep publishing, replicating and searching.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_works_without_the_secretariat() {
    let mut net = TestNet::start("no-secretariat", 4).await;
    net.wait_meshed().await;
    net.stop_node(0).await;
    for index in 1..4 {
        net.publish_document(index, &format!("NOSEC{index}")).await;
    }
    net.wait_converged().await;
    for index in 1..4 {
        for number in ["NOSEC1", "NOSEC2", "NOSEC3"] {
            assert_eq!(
                found_on(&net, index, number).await,
                1,
                "{number} on node {index}"
            );
        }
    }
    // When it returns, it catches up.
    net.start_node(0).await;
    net.wait_converged().await;
    assert_eq!(found_on(&net, 0, "NOSEC3").await, 1);
    net.shutdown().await;
}

/// Cancelled records' bodies are erased on every node, digests still agree, and a node that
/// joins afterwards gets the erased entries (with their proof) and agrees too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasure_reaches_every_node_and_digests_still_converge() {
    let mut net = TestNet::new("erasure", 4);
    for index in 0..3 {
        net.start_node(index).await;
    }
    net.wait_meshed().await;
    let entry = net.publish_document(1, "ERASED1").await;
    let Some(Body::Put(record)) = entry.body.clone() else {
        panic!("a put")
    };
    let replica = Arc::clone(&net.node(1).replica);
    let key = record.key.clone();
    let (_, cancel) =
        tokio::task::spawn_blocking(move || replica.cancel(&key, "document recovered"))
            .await
            .expect("join")
            .expect("cancel");
    net.node(1).net.publish(cancel).await.expect("gossip");
    let count = net
        .node(1)
        .service
        .call(bureau_service::ops::EraseDue {})
        .await
        .expect("erase")
        .erase_entries;
    assert_eq!(count, 1, "one Erase entry for the cancelled record");
    net.wait_converged().await;
    for index in 0..3 {
        let store = Arc::clone(&net.node(index).replica.store);
        let (author, seq) = (entry.header.author, entry.header.seq);
        let held = tokio::task::spawn_blocking(move || store.entry(&author, seq))
            .await
            .expect("join")
            .expect("read");
        assert!(
            held.expect("header kept").body.is_none(),
            "node {index} still holds the body"
        );
    }
    // Nothing more to erase on a second run.
    let again = net
        .node(1)
        .service
        .call(bureau_service::ops::EraseDue {})
        .await
        .expect("erase")
        .erase_entries;
    assert_eq!(again, 0);

    net.start_node(3).await;
    net.wait_meshed().await;
    net.wait_converged().await;
    net.shutdown().await;
}

/// A record whose review date has passed is out of search on every node, and its owner's
/// erasure removes its body everywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_record_leaves_search_and_is_erased() {
    let mut net = TestNet::start("expiry", 3).await;
    net.wait_meshed().await;
    // France published this 200 days ago, due for review 100 days ago.
    net.resume_log(1).await;
    let now = bureau_service::clock::now();
    let day = 86_400_000;
    net.network.members[1].clock = bureau_core::Timestamp(now.0 - 200 * day);
    let mut record = bureau_core::testkit::travel_document(net.network.code(1), "old1", "OLD1", 1);
    record.review_date = bureau_core::Timestamp(now.0 - 100 * day).date();
    let entry = net.network.sign(1, Body::Put(record));
    let store = Arc::clone(&net.node(1).replica.store);
    let applied = tokio::task::spawn_blocking(move || store.apply(entry.clone(), now))
        .await
        .expect("join")
        .expect("apply");
    assert!(applied.is_applied(), "{applied:?}");
    let query = bureau_service::query::SearchRequest {
        query: bureau_service::query::Query::TravelDocument {
            number: "OLD1".into(),
            issuing_country: None,
            document_type: None,
        },
        purpose: None,
        place: None,
    };
    let replica = Arc::clone(&net.node(1).replica);
    let found = tokio::task::spawn_blocking(move || replica.search(&query))
        .await
        .expect("join")
        .expect("search");
    assert!(
        found.results.is_empty(),
        "an expired record does not answer searches"
    );

    let count = net
        .node(1)
        .service
        .call(bureau_service::ops::EraseDue {})
        .await
        .expect("erase")
        .erase_entries;
    assert_eq!(count, 1);
    net.wait_converged().await;
    for index in 0..3 {
        assert_eq!(found_on(&net, index, "OLD1").await, 0, "node {index}");
    }
    net.shutdown().await;
}
