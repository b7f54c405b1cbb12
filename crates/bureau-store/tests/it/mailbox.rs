//! The mailbox: per-sender quotas, pages, the hit and reply indexes, retention and the outbox's
//! due order, as a node's mail code uses them.

use bureau_core::testkit::TestNetwork;
use bureau_core::{MemberCode, Timestamp};
use bureau_store::{Direction, InboxQuota, Kept, MailKind, Outgoing, Received};

use crate::harness;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const QUOTA: InboxQuota = InboxQuota {
    messages_per_day: 5,
    bytes_per_day: 1000,
    bytes_kept: 2500,
};

fn code(text: &str) -> MemberCode {
    text.parse().expect("member code")
}

fn received(id: &str, from: &str, at: u64, size: usize, kind: MailKind) -> Kept {
    Kept {
        id: id.to_owned(),
        bytes: vec![7; size],
        at: Timestamp(at),
        delivered_at: None,
        peer: code(from),
        kind,
        failed: None,
        attempts: 0,
        last_error: None,
    }
}

fn outgoing(id: &str, to: &str, at: u64) -> Outgoing {
    Outgoing {
        id: id.to_owned(),
        to: code(to),
        bytes: vec![1; 10],
        queued_at: Timestamp(at),
        attempts: 0,
        next_attempt: Timestamp(at),
        last_error: None,
    }
}

/// A sender past its daily count or bytes is refused (its first refusal of the day flagged,
/// so it is logged once), others are not, and the next day it may send again; a retried
/// delivery is a duplicate, not a second message.
#[test]
fn each_sender_has_its_own_daily_quota() {
    let network = TestNetwork::new("mailbox-quota", &["FRA"]);
    let store = harness::open(&network).store;
    let day = 20_000 * DAY_MS;
    for i in 0..5 {
        let kept = received(&format!("d{i}"), "DEU", day + i, 100, MailKind::Text);
        assert_eq!(store.receive(&kept, QUOTA).expect("receive"), Received::New);
    }
    let again = received("d0", "DEU", day + 10, 100, MailKind::Text);
    assert_eq!(
        store.receive(&again, QUOTA).expect("receive"),
        Received::Duplicate
    );
    let over = received("d5", "DEU", day + 11, 100, MailKind::Text);
    assert!(matches!(
        store.receive(&over, QUOTA).expect("receive"),
        Received::OverQuota {
            first_today: true,
            ..
        }
    ));
    let over = received("d6", "DEU", day + 12, 100, MailKind::Text);
    assert!(matches!(
        store.receive(&over, QUOTA).expect("receive"),
        Received::OverQuota {
            first_today: false,
            ..
        }
    ));
    let big = received("i0", "ITA", day + 13, 1001, MailKind::Text);
    assert!(matches!(
        store.receive(&big, QUOTA).expect("receive"),
        Received::OverQuota { .. }
    ));
    let honest = received("i1", "ITA", day + 14, 100, MailKind::Text);
    assert_eq!(
        store.receive(&honest, QUOTA).expect("receive"),
        Received::New
    );

    let tomorrow = received("d7", "DEU", day + DAY_MS, 100, MailKind::Text);
    assert_eq!(
        store.receive(&tomorrow, QUOTA).expect("receive"),
        Received::New
    );
    let usage: Vec<_> = store.inbox_usage().expect("usage");
    let deu = usage
        .iter()
        .find(|(member, _)| *member == code("DEU"))
        .expect("DEU");
    assert_eq!((deu.1.messages_today, deu.1.bytes_kept), (1, 600));
}

/// Bytes kept per sender are bounded across days until retention frees them.
#[test]
fn kept_bytes_are_bounded_until_retention_frees_them() {
    let network = TestNetwork::new("mailbox-kept", &["FRA"]);
    let store = harness::open(&network).store;
    let first = 20_000 * DAY_MS;
    for day in 0..3 {
        for i in 0..2 {
            let kept = received(
                &format!("m{day}-{i}"),
                "DEU",
                first + day * DAY_MS + i,
                500,
                MailKind::Text,
            );
            let outcome = store.receive(&kept, QUOTA).expect("receive");
            assert_eq!(
                outcome == Received::New,
                day * 2 + i < 5,
                "day {day} message {i}"
            );
        }
    }
    let removed = store
        .expire_mail(Timestamp(first + DAY_MS), 100)
        .expect("expire");
    assert_eq!(removed, 2);
    let late = received("late", "DEU", first + 3 * DAY_MS, 500, MailKind::Text);
    assert_eq!(store.receive(&late, QUOTA).expect("receive"), Received::New);
}

/// Lists come a page at a time, newest first; hits have their own index; an answer to a hit
/// is kept only from the member the hit went to, and found without a scan.
#[test]
fn pages_hits_and_replies() {
    let network = TestNetwork::new("mailbox-pages", &["FRA"]);
    let store = harness::open(&network).store;
    let quota = InboxQuota {
        messages_per_day: 1000,
        bytes_per_day: 1 << 20,
        bytes_kept: 1 << 20,
    };
    let start = 20_000 * DAY_MS;
    for i in 0..30 {
        let kind = if i % 3 == 0 {
            MailKind::Hit
        } else {
            MailKind::Text
        };
        let kept = received(&format!("r{i:02}"), "DEU", start + i, 10, kind);
        store.receive(&kept, quota).expect("receive");
    }
    let page = store
        .mail_page(Direction::Received, false, None, 7)
        .expect("page");
    let ids: Vec<_> = page.iter().map(|kept| kept.id.as_str()).collect();
    assert_eq!(ids, ["r29", "r28", "r27", "r26", "r25", "r24", "r23"]);
    let next = store
        .mail_page(Direction::Received, false, Some(page[6].at), 2)
        .expect("page");
    let ids: Vec<_> = next.iter().map(|kept| kept.id.as_str()).collect();
    assert_eq!(ids, ["r22", "r21"]);
    let hits = store
        .mail_page(Direction::Received, true, None, 100)
        .expect("hits");
    assert_eq!(hits.len(), 10);
    assert!(hits.iter().all(|kept| kept.kind == MailKind::Hit));

    store
        .queue_outgoing(&outgoing("h1", "ITA", start + 100), MailKind::Hit)
        .expect("queue");
    let reply = |id: &str, from: &str| {
        received(
            id,
            from,
            start + 200,
            10,
            MailKind::HitReply { hit: "h1".into() },
        )
    };
    assert_eq!(
        store.receive(&reply("x1", "DEU"), quota).expect("receive"),
        Received::UnknownHit,
        "only the member the hit went to may answer it"
    );
    assert_eq!(
        store.receive(&reply("x2", "ITA"), quota).expect("receive"),
        Received::New
    );
    assert_eq!(
        store.hit_reply("h1").expect("reply").map(|kept| kept.id),
        Some("x2".into())
    );
}

/// The outbox hands out due messages oldest first; a retry moves a message later, a
/// settlement takes it out and marks the sent copy delivered or failed.
#[test]
fn the_outbox_hands_out_due_messages_and_settles_them() {
    let network = TestNetwork::new("mailbox-outbox", &["FRA"]);
    let store = harness::open(&network).store;
    let start = 20_000 * DAY_MS;
    for i in 0..3 {
        store
            .queue_outgoing(
                &outgoing(&format!("o{i}"), "DEU", start + i),
                MailKind::Text,
            )
            .expect("queue");
    }
    let due = store.due(Timestamp(start + 10), 10).expect("due");
    let ids: Vec<_> = due.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["o0", "o1", "o2"]);
    store
        .retry_later(&due[0], Timestamp(start + 1000), "unreachable")
        .expect("retry");
    store
        .settle(&due[1], Timestamp(start + 20), None)
        .expect("delivered");
    store
        .settle(&due[2], Timestamp(start + 20), Some("gave up".into()))
        .expect("failed");
    assert!(
        store
            .due(Timestamp(start + 10), 10)
            .expect("due")
            .is_empty()
    );
    assert_eq!(store.outbox_len().expect("len"), 1);
    let sent = store
        .mail_page(Direction::Sent, false, None, 10)
        .expect("sent");
    let state: Vec<_> = sent
        .iter()
        .map(|kept| {
            (
                kept.id.as_str(),
                kept.delivered_at.is_some(),
                kept.failed.clone(),
                kept.attempts,
            )
        })
        .collect();
    assert_eq!(
        state,
        [
            ("o2", false, Some("gave up".to_owned()), 0),
            ("o1", true, None, 0),
            ("o0", false, None, 1),
        ]
    );
}

/// A backup reads the whole mailbox a page at a time (both sides, then the outbox), and a
/// restore into a fresh store gives back the same pages, hits, reply link, outbox and each
/// sender's kept bytes.
#[test]
fn a_backup_of_the_mailbox_restores_every_list() {
    let network = TestNetwork::new("mailbox-backup", &["FRA"]);
    let store = harness::open(&network).store;
    let day = 20_000 * DAY_MS;
    for i in 0..7 {
        let kind = if i % 3 == 0 {
            MailKind::Hit
        } else {
            MailKind::Text
        };
        let sender = if i < 4 { "DEU" } else { "POL" };
        let kept = received(&format!("r{i}"), sender, day + i, 50, kind);
        assert_eq!(store.receive(&kept, QUOTA).expect("receive"), Received::New);
    }
    store
        .queue_outgoing(&outgoing("h1", "ITA", day + 20), MailKind::Hit)
        .expect("queue");
    store
        .queue_outgoing(&outgoing("t1", "ESP", day + 21), MailKind::Text)
        .expect("queue");
    let reply = received(
        "a1",
        "ITA",
        day + 30,
        20,
        MailKind::HitReply { hit: "h1".into() },
    );
    assert_eq!(store.receive(&reply, QUOTA).expect("reply"), Received::New);

    let mut items = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let (page, next) = store
            .mail_backup_page(after.as_deref(), 3, usize::MAX)
            .expect("backup page");
        assert!(page.len() <= 3);
        items.extend(page);
        pages += 1;
        match next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    // 8 received, 2 sent, 2 in the outbox, three at a time.
    assert_eq!(items.len(), 12);
    assert!(pages >= 4);
    // A byte bound cuts pages sooner, whatever the count allows, and still reads everything.
    let mut by_bytes = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = store
            .mail_backup_page(after.as_deref(), 100, 60)
            .expect("backup page");
        assert!(page.len() <= 2, "a page stops once past 60 bytes");
        by_bytes.extend(page);
        match next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(by_bytes, items);
    assert!(
        store
            .mail_backup_page(Some(b"x-not-a-position"), 3, usize::MAX)
            .is_err()
    );

    let other = TestNetwork::new("mailbox-backup", &["FRA"]);
    let restored = harness::open(&other).store;
    assert_eq!(restored.restore_mail(&items).expect("restore"), 10);
    assert_eq!(
        restored.restore_mail(&items).expect("again"),
        0,
        "idempotent"
    );
    for direction in [Direction::Received, Direction::Sent] {
        for hits_only in [false, true] {
            assert_eq!(
                restored
                    .mail_page(direction, hits_only, None, 100)
                    .expect("page"),
                store
                    .mail_page(direction, hits_only, None, 100)
                    .expect("page"),
                "{direction:?} hits_only={hits_only}"
            );
        }
    }
    assert_eq!(
        restored.hit_reply("h1").expect("reply").map(|kept| kept.id),
        Some("a1".to_owned())
    );
    let due = |store: &bureau_store::Store| store.due(Timestamp(day + 100), 10).expect("due");
    assert_eq!(due(&restored), due(&store));
    let kept_bytes = |store: &bureau_store::Store| {
        store
            .inbox_usage()
            .expect("usage")
            .into_iter()
            .map(|(code, usage)| (code, usage.bytes_kept))
            .collect::<Vec<_>>()
    };
    assert_eq!(kept_bytes(&restored), kept_bytes(&store));
}
