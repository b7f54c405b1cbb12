//! Hits reach the owner directly and survive restarts; SIENA-style messages are delivered once.

use std::sync::Arc;

use bureau_service::mail::SendMessage;
use bureau_service::mail::{Content, Handling};
use bureau_service::query::{Query, SearchRequest};

use crate::net_harness::{TestNet, wait_until};

async fn hits(net: &TestNet, index: usize) -> bureau_service::mail::Hits {
    let replica = Arc::clone(&net.node(index).replica);
    tokio::task::spawn_blocking(move || replica.hits())
        .await
        .expect("join")
        .expect("hits")
}

/// Germany's border check finds France's stolen passport while France's node is down: the hit
/// waits in Germany's outbox, reaches France when it comes back, France answers, and Germany
/// sees the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hit_reaches_the_owner_after_it_restarts_and_the_answer_comes_back() {
    let mut net = TestNet::start("hits", 3).await;
    net.wait_meshed().await;
    net.publish_document(1, "HIT-4242").await;
    net.wait_converged().await;
    net.stop_node(1).await;

    let germany = Arc::clone(&net.node(2).replica);
    let found = tokio::task::spawn_blocking(move || {
        germany.search(&SearchRequest {
            query: Query::TravelDocument {
                number: "hit4242".into(),
                issuing_country: None,
                document_type: None,
            },
            purpose: Some("border check".into()),
            place: Some("Frankfurt airport, gate B12".into()),
        })
    })
    .await
    .expect("join")
    .expect("search");
    assert_eq!(found.results.len(), 1);
    let sent = hits(&net, 2).await.by_my_searches;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].delivered_at.is_none(), "France is down");

    net.start_node(1).await;
    wait_until("the hit reaches France", || async {
        hits(&net, 1).await.on_my_records.len() == 1
    })
    .await;
    let received = hits(&net, 1).await.on_my_records.remove(0);
    assert_eq!(received.notice.describe_references(), "sltd/FRA/hit4242");
    assert_eq!(received.from.to_string(), "DEU");
    assert_eq!(
        received.notice.place.as_deref(),
        Some("Frankfurt airport, gate B12")
    );
    assert_eq!(received.notice.purpose.as_deref(), Some("border check"));

    let france = Arc::clone(&net.node(1).replica);
    let id = received.id.clone();
    tokio::task::spawn_blocking(move || {
        france.answer_hit(&id, true, "seize the document, contact NCB Paris")
    })
    .await
    .expect("join")
    .expect("answer");
    wait_until("the answer reaches Germany", || async {
        hits(&net, 2)
            .await
            .by_my_searches
            .first()
            .is_some_and(|hit| hit.answer.is_some() && hit.delivered_at.is_some())
    })
    .await;
    let answer = hits(&net, 2).await.by_my_searches[0]
        .answer
        .clone()
        .expect("answered");
    assert!(answer.confirmed);
    assert_eq!(answer.action, "seize the document, contact NCB Paris");
    net.shutdown().await;
}

/// A message with a handling code is delivered once, signed by its sender, even if the sender
/// restarts before delivery is confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_message_is_delivered_once_with_its_handling_code() {
    let mut net = TestNet::start("messages", 3).await;
    net.wait_meshed().await;
    let france = Arc::clone(&net.node(1).replica);
    let message = tokio::task::spawn_blocking(move || {
        france.send_message(SendMessage {
            to: "DEU".parse().expect("code"),
            handling: Handling::H2,
            subject: "Operation Nordlicht".into(),
            text: "Suspect expected at the Kehl crossing on Friday.".into(),
        })
    })
    .await
    .expect("join")
    .expect("send");
    // The sender restarts; the outbox is on disk.
    net.stop_node(1).await;
    net.start_node(1).await;
    let inbox = |net: &TestNet| {
        let replica = Arc::clone(&net.node(2).replica);
        async move {
            tokio::task::spawn_blocking(move || replica.mail())
                .await
                .expect("join")
                .expect("mail")
                .received
        }
    };
    wait_until("the message reaches Germany", || async {
        !inbox(&net).await.is_empty()
    })
    .await;
    wait_until("France sees it delivered", || async {
        let replica = Arc::clone(&net.node(1).replica);
        let sent = tokio::task::spawn_blocking(move || replica.mail())
            .await
            .expect("join")
            .expect("mail")
            .sent;
        !sent.is_empty() && sent.iter().all(|item| item.delivered_at.is_some())
    })
    .await;
    // Counted once the sender has its acknowledgement, so a retry would have landed by now.
    let received = inbox(&net).await;
    assert_eq!(received.len(), 1, "delivered once");
    assert_eq!(received[0].message.id, message.id);
    assert!(matches!(
        received[0].message.content,
        Content::Text {
            handling: Handling::H2,
            ..
        }
    ));
    net.shutdown().await;
}
