//! Hits reach the owner directly and survive restarts; SIENA-style messages are delivered once.

use std::sync::Arc;

use bureau_service::mail::SendMessage;
use bureau_service::mail::{Content, Handling};
use bureau_service::query::{Query, SearchRequest};

use crate::net_harness::{TestNet, wait_until};

async fn hits(net: &TestNet, index: usize) -> bureau_service::mail::Hits {
    let replica = Arc::clone(&net.node(index).replica);
    tokio::task::spawn_blocking(move || replica.hits(Default::default()))
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
            tokio::task::spawn_blocking(move || replica.mail(Default::default()))
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
        let sent = tokio::task::spawn_blocking(move || replica.mail(Default::default()))
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

/// Germany floods France with 150 messages of about 60 KB, past its daily inbox quota (lowered
/// to 4 MiB so the test is quick; the daemon's is `MAX_MESSAGE_BYTES_PER_SENDER_PER_DAY`), while
/// Italy sends one: Italy's message arrives within 10 s, France keeps at most Germany's quota,
/// refuses the rest as rate limited (its status names Germany), and a page of the inbox
/// answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_flood_is_refused_past_the_quota_and_others_still_get_through() {
    use bureau_service::mail::{INBOX_QUOTA, Page};
    const QUOTA_BYTES: u64 = 4 << 20;
    let net = TestNet::start("flood", 4).await;
    net.wait_meshed().await;
    *net.node(1).replica.inbox_quota.lock().expect("quota") = Some(bureau_store::InboxQuota {
        bytes_per_day: QUOTA_BYTES,
        ..INBOX_QUOTA
    });
    let germany = Arc::clone(&net.node(2).replica);
    let text = "€".repeat(19_900);
    let flood = tokio::task::spawn_blocking(move || {
        for i in 0..150 {
            germany
                .send_message(SendMessage {
                    to: "FRA".parse().expect("code"),
                    handling: Handling::H0,
                    subject: format!("flood {i}"),
                    text: text.clone(),
                })
                .expect("queue");
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let italy = Arc::clone(&net.node(3).replica);
    let honest = tokio::task::spawn_blocking(move || {
        italy.send_message(SendMessage {
            to: "FRA".parse().expect("code"),
            handling: Handling::H2,
            subject: "Operation Sole".into(),
            text: "Suspect on the 18:05 train from Milan.".into(),
        })
    })
    .await
    .expect("join")
    .expect("send");
    let started = std::time::Instant::now();
    let france = Arc::clone(&net.node(1).replica);
    let inbox_page = |limit| {
        let france = Arc::clone(&france);
        async move {
            tokio::task::spawn_blocking(move || {
                france.mail(Page {
                    before: None,
                    limit: Some(limit),
                })
            })
            .await
            .expect("join")
            .expect("mail")
            .received
        }
    };
    let honest_id = honest.id.clone();
    wait_until("Italy's message reaches France during the flood", || {
        let france = Arc::clone(&france);
        let id = honest_id.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                france
                    .store
                    .mail_item(bureau_store::Direction::Received, &id)
                    .expect("mail item")
                    .is_some()
            })
            .await
            .expect("join")
        }
    })
    .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    flood.await.expect("flood queued");
    wait_until("France refuses Germany past its quota", || {
        let france = Arc::clone(&france);
        async move {
            tokio::task::spawn_blocking(move || france.status().expect("status"))
                .await
                .expect("join")
                .inbox_refusals
                .iter()
                .any(|refusal| refusal.member.to_string() == "DEU")
        }
    })
    .await;
    let kept_from_germany: u64 = {
        let france = Arc::clone(&france);
        tokio::task::spawn_blocking(move || france.store.inbox_usage().expect("usage"))
            .await
            .expect("join")
            .into_iter()
            .filter(|(member, _)| member.to_string() == "DEU")
            .map(|(_, usage)| usage.bytes_kept)
            .sum()
    };
    assert!(kept_from_germany <= QUOTA_BYTES);
    assert!(kept_from_germany > QUOTA_BYTES / 2);
    let page = inbox_page(20).await;
    assert_eq!(page.len(), 20, "a page of the inbox answers");
    net.shutdown().await;
}
