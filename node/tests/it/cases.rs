//! Notices and diffusions across a network: the review workflow with each outcome, who sees a
//! request before it is published, the Red Notice rules, and the secretariat's diffusion review.

use std::sync::Arc;

use bureau_core::case::{CaseRef, Colour, Decision, NoticeStatus};
use bureau_core::schema::LegalBasis;
use bureau_core::{Access, RecordData, RecordKey};
use bureau_service::cases::{DiffusionDraft, NoticeDraft};
use bureau_service::replica::Replica;

use crate::net_harness::TestNet;

/// Runs `work` on node `index`'s replica and gossips the entry it makes.
async fn act<T: Send + 'static>(
    net: &TestNet,
    index: usize,
    work: impl FnOnce(&Replica) -> bureau_service::Result<(T, bureau_core::Entry)> + Send + 'static,
) -> bureau_service::Result<T> {
    let replica = Arc::clone(&net.node(index).replica);
    let (value, entry) = tokio::task::spawn_blocking(move || work(&replica))
        .await
        .expect("join")?;
    net.node(index).net.publish(entry).await.expect("gossip");
    net.wait_converged().await;
    Ok(value)
}

/// The notice colours a person search for `name` shows on node `index` beside its first
/// candidate.
async fn colours_on(net: &TestNet, index: usize, name: &str) -> Vec<Colour> {
    let replica = Arc::clone(&net.node(index).replica);
    let query = bureau_service::query::Query::Person {
        name: name.into(),
        dob: None,
        sex: None,
        nationality: None,
    };
    let found = tokio::task::spawn_blocking(move || {
        let today = bureau_service::clock::now().date();
        bureau_service::search::run(&replica.store, &query, today)
    })
    .await
    .expect("join")
    .expect("search");
    let candidate = found.results.first().and_then(|f| f.candidate.clone());
    candidate.expect("a candidate").notices
}

async fn notice_on(
    net: &TestNet,
    index: usize,
    case: &CaseRef,
) -> Option<bureau_core::case::Notice> {
    let replica = Arc::clone(&net.node(index).replica);
    let case = case.clone();
    tokio::task::spawn_blocking(move || replica.notice(&case))
        .await
        .expect("join")
        .expect("notice")
}

/// Publishes a wanted person on France's node, with a warrant of `penalty_months`.
async fn wanted_person(net: &TestNet, local_id: &str, penalty_months: u32) -> RecordKey {
    let id = local_id.to_owned();
    act(net, 1, move |replica| {
        let mut record = bureau_core::testkit::person(replica.member(), &id, "Ivanov", "Sergei", 1);
        if let RecordData::Person(person) = &mut record.data {
            person.legal_basis = Some(LegalBasis {
                warrant: "W-1".into(),
                authority: "Paris investigating judge".into(),
                max_penalty_months: penalty_months,
            });
        }
        let (published, entry) = replica.publish(&id, Access::All, None, record.data)?;
        Ok((published.reference.parse::<RecordKey>()?, entry))
    })
    .await
    .expect("person published")
}

fn draft(person: &RecordKey, id: &str) -> NoticeDraft {
    NoticeDraft {
        id: Some(id.into()),
        colour: Colour::Red,
        person: person.clone(),
        summary: "armed robbery, Lyon, 2025".into(),
        remaining_months: None,
    }
}

/// Request → more information → request again → published → cancelled; and refused; with the
/// request visible only to the requester and the secretariat until published.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notice_workflow_end_to_end() {
    let net = TestNet::start("notices", 3).await;
    net.wait_meshed().await;
    let person = wanted_person(&net, "n1", 60).await;

    let first = draft(&person, "red-1");
    let case: CaseRef = act(&net, 1, move |r| r.request_notice(first))
        .await
        .expect("request")
        .reference
        .parse()
        .expect("ref");
    assert_eq!(
        notice_on(&net, 1, &case).await.map(|n| n.status),
        Some(NoticeStatus::Requested)
    );
    assert_eq!(
        notice_on(&net, 0, &case).await.map(|n| n.status),
        Some(NoticeStatus::Requested)
    );
    assert!(
        notice_on(&net, 2, &case).await.is_none(),
        "another member does not see a request under review"
    );

    let review = |decision: Decision, reason: &'static str| {
        let case = case.clone();
        move |r: &Replica| r.review_notice(&case, decision, reason)
    };
    act(
        &net,
        0,
        review(Decision::MoreInfo, "which court issued the warrant?"),
    )
    .await
    .expect("review");
    let notice = notice_on(&net, 1, &case)
        .await
        .expect("visible to requester");
    assert_eq!(notice.status, NoticeStatus::MoreInfo);
    assert_eq!(
        notice.reason.as_deref(),
        Some("which court issued the warrant?")
    );
    let again = draft(&person, "red-1");
    act(&net, 1, move |r| r.request_notice(again))
        .await
        .expect("request again");
    assert_eq!(
        notice_on(&net, 0, &case).await.map(|n| n.status),
        Some(NoticeStatus::Requested)
    );

    // Only the secretariat reviews.
    let usurped = act(&net, 2, review(Decision::Publish, "")).await;
    assert!(usurped.is_err(), "a member cannot review");
    act(&net, 0, review(Decision::Publish, ""))
        .await
        .expect("publish");
    for index in 0..3 {
        assert_eq!(
            notice_on(&net, index, &case).await.map(|n| n.status),
            Some(NoticeStatus::Published),
            "node {index}"
        );
    }
    let cancel_case = case.clone();
    act(&net, 1, move |r| r.cancel_notice(&cancel_case, "arrested"))
        .await
        .expect("cancel");
    assert_eq!(
        notice_on(&net, 2, &case).await.map(|n| n.status),
        Some(NoticeStatus::Cancelled)
    );

    // A second request, refused.
    let second = draft(&person, "red-2");
    let refused: CaseRef = act(&net, 1, move |r| r.request_notice(second))
        .await
        .expect("request")
        .reference
        .parse()
        .expect("ref");
    let refuse_case = refused.clone();
    act(&net, 0, move |r| {
        r.review_notice(
            &refuse_case,
            Decision::Refuse,
            "Article 3: political character",
        )
    })
    .await
    .expect("refuse");
    let notice = notice_on(&net, 1, &refused)
        .await
        .expect("visible to requester");
    assert_eq!(notice.status, NoticeStatus::Refused);
    assert!(
        notice_on(&net, 2, &refused).await.is_none(),
        "a refused request stays hidden from others"
    );
    net.shutdown().await;
}

/// A Red Notice needs a possible penalty of at least two years (or six months left to serve).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_red_notice_for_a_minor_offence_is_refused_mechanically() {
    let net = TestNet::start("red-rules", 2).await;
    net.wait_meshed().await;
    let person = wanted_person(&net, "n2", 12).await;
    let minor = draft(&person, "red-minor");
    let error = act(&net, 1, move |r| r.request_notice(minor))
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("at least 24 months"), "{error}");
    let mut serving = draft(&person, "red-serving");
    serving.remaining_months = Some(8);
    act(&net, 1, move |r| r.request_notice(serving))
        .await
        .expect("six months left to serve suffice");
    net.shutdown().await;
}

/// A diffusion is recorded at once for its sender and recipients (not for others), and the
/// secretariat can flag and then withdraw it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diffusions_reach_their_recipients_and_the_secretariat_reviews_them() {
    let net = TestNet::start("diffusions", 4).await;
    net.wait_meshed().await;
    let person = wanted_person(&net, "n3", 60).await;
    let recipient = net.network.code(2);
    let draft = DiffusionDraft {
        id: Some("d1".into()),
        to: [recipient].into_iter().collect(),
        person,
        purpose: "locate and report".into(),
    };
    let case: CaseRef = act(&net, 1, move |r| r.send_diffusion(draft))
        .await
        .expect("send")
        .reference
        .parse()
        .expect("ref");
    let seen = |index: usize| {
        let replica = Arc::clone(&net.node(index).replica);
        async move {
            tokio::task::spawn_blocking(move || replica.diffusions())
                .await
                .expect("join")
                .expect("list")
        }
    };
    assert_eq!(seen(1).await.len(), 1, "sender");
    assert_eq!(seen(2).await.len(), 1, "recipient");
    assert_eq!(seen(0).await.len(), 1, "secretariat");
    assert!(seen(3).await.is_empty(), "not a recipient");

    for (withdraw, status) in [(false, "flagged"), (true, "withdrawn")] {
        let case = case.clone();
        act(&net, 0, move |r| {
            r.review_diffusion(&case, withdraw, "not compliant with the data rules")
        })
        .await
        .expect("review");
        let diffusion = seen(2).await.remove(0);
        assert_eq!(format!("{:?}", diffusion.status).to_lowercase(), status);
    }
    let case = case.clone();
    assert!(
        act(&net, 2, move |r| r.review_diffusion(&case, true, "no"))
            .await
            .is_err(),
        "members cannot withdraw"
    );
    net.shutdown().await;
}

/// Notices under review and diffusions are sealed to their readers: a member that is none of
/// them holds each step and nothing of the content (not on its disk either), and sees nothing
/// of the case until the secretariat publishes a notice, which every member then reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_under_review_and_diffusions_are_sealed_to_their_readers() {
    let net = TestNet::start("sealed-cases", 4).await;
    net.wait_meshed().await;
    let (secretariat, france, germany_node, italy) = (0, 1, 2, 3);
    let germany = net.network.code(germany_node);
    // A wanted person only Germany may read, so its reference is opaque too.
    let given_id = "wanted-k7";
    let person = act(&net, france, move |replica| {
        let mut record =
            bureau_core::testkit::person(replica.member(), given_id, "Kowalczyk", "Adam", 1);
        if let RecordData::Person(person) = &mut record.data {
            person.legal_basis = Some(LegalBasis {
                warrant: "W-7".into(),
                authority: "Lyon investigating judge".into(),
                max_penalty_months: 120,
            });
        }
        let access = Access::Members([germany].into_iter().collect());
        let (published, entry) = replica.publish(given_id, access, None, record.data)?;
        Ok((published.reference.parse::<RecordKey>()?, entry))
    })
    .await
    .expect("person published");

    let notice = |colour: Colour, summary: &str| NoticeDraft {
        id: None,
        colour,
        person: person.clone(),
        summary: summary.into(),
        remaining_months: None,
    };
    let request = |draft: NoticeDraft| move |r: &Replica| r.request_notice(draft);
    let to_publish = notice(Colour::Red, "SUMMARYMARK armed robbery of a jeweller");
    let to_refuse = notice(Colour::Blue, "REFUSEDMARK locate the witness");
    let published: CaseRef = act(&net, france, request(to_publish))
        .await
        .expect("request")
        .reference
        .parse()
        .expect("ref");
    let refused: CaseRef = act(&net, france, request(to_refuse))
        .await
        .expect("request")
        .reference
        .parse()
        .expect("ref");
    assert!(
        bureau_core::record::is_opaque_id(&published.id) && published.id != refused.id,
        "a default case id names nothing: {published}, {refused}"
    );
    let review = |case: &CaseRef, decision: Decision, reason: &'static str| {
        let case = case.clone();
        move |r: &Replica| r.review_notice(&case, decision, reason)
    };
    act(
        &net,
        secretariat,
        review(&refused, Decision::Refuse, "REASONMARK Article 3"),
    )
    .await
    .expect("refuse");
    let diffusion = DiffusionDraft {
        id: None,
        to: [germany].into_iter().collect(),
        person: person.clone(),
        purpose: "PURPOSEMARK locate and report".into(),
    };
    let diffusion: CaseRef = act(&net, france, move |r| r.send_diffusion(diffusion))
        .await
        .expect("send")
        .reference
        .parse()
        .expect("ref");
    let flagged = diffusion.clone();
    act(&net, secretariat, move |r| {
        r.review_diffusion(&flagged, false, "FLAGMARK purpose too vague")
    })
    .await
    .expect("flag");

    let cases_on = |index: usize| {
        let replica = Arc::clone(&net.node(index).replica);
        async move {
            tokio::task::spawn_blocking(move || {
                (
                    replica.notices().expect("notices"),
                    replica.diffusions().expect("diffusions"),
                )
            })
            .await
            .expect("join")
        }
    };
    // The readers read every detail.
    let (notices, diffusions) = cases_on(secretariat).await;
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert_eq!(
        diffusions[0].reason.as_deref(),
        Some("FLAGMARK purpose too vague")
    );
    let (notices, diffusions) = cases_on(germany_node).await;
    assert!(notices.is_empty(), "Germany reads no notice request");
    assert_eq!(diffusions[0].purpose, "PURPOSEMARK locate and report");
    assert_eq!(diffusions[0].person, person);
    // Italy holds the entries (the network converged) but reads nothing, on disk or through
    // its node.
    let (notices, diffusions) = cases_on(italy).await;
    assert!(notices.is_empty() && diffusions.is_empty());
    for secret in [
        "SUMMARYMARK",
        "REFUSEDMARK",
        "REASONMARK",
        "PURPOSEMARK",
        "FLAGMARK",
        given_id,
    ] {
        assert!(
            !net.store_files_hold(italy, secret),
            "{secret} is in Italy's store"
        );
    }
    assert!(net.store_files_hold(secretariat, "PURPOSEMARK"));

    // Published, the notice is every member's to read; its cancellation reason stays sealed.
    act(&net, secretariat, review(&published, Decision::Publish, ""))
        .await
        .expect("publish");
    let seen = notice_on(&net, italy, &published)
        .await
        .expect("Italy reads a published notice");
    assert_eq!(
        seen.request.summary,
        "SUMMARYMARK armed robbery of a jeweller"
    );
    assert_eq!(seen.status, NoticeStatus::Published);
    // Germany, which may read the person, sees the red notice beside it in a person search;
    // the refused blue one is not shown.
    assert_eq!(
        colours_on(&net, germany_node, "Adam Kowalczyk").await,
        [Colour::Red]
    );
    let cancelled = published.clone();
    act(&net, france, move |r| {
        r.cancel_notice(&cancelled, "CANCELMARK arrested in Gdansk")
    })
    .await
    .expect("cancel");
    let seen = notice_on(&net, italy, &published)
        .await
        .expect("still seen");
    assert_eq!((seen.status, seen.reason), (NoticeStatus::Cancelled, None));
    let own = notice_on(&net, france, &published).await.expect("own");
    assert_eq!(own.reason.as_deref(), Some("CANCELMARK arrested in Gdansk"));
    assert!(notice_on(&net, italy, &refused).await.is_none());
    assert!(!net.store_files_hold(italy, "CANCELMARK"));
    assert!(
        colours_on(&net, germany_node, "Adam Kowalczyk")
            .await
            .is_empty(),
        "a cancelled notice is no longer shown"
    );
    net.shutdown().await;
}
