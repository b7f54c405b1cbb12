//! Operations run in-process, as the CLI runs them when no node runs on its directory: each
//! answers its typed answer, and each failure carries the kind the faces turn into an HTTP
//! status or an exit code.

use bureau_core::testkit::{self, TestNetwork};
use bureau_core::{Access, RecordData};
use bureau_service::ops::{
    CancelRecord, DiffusionReview, DueForReview, ExportRecords, GetRecord, ImportBatch,
    MAX_REVIEW_WITHIN_DAYS, RecordPath, ReviewDiffusion,
};
use bureau_service::query::{Query, SearchContext, SearchRequest};
use bureau_service::records::Draft;
use bureau_service::{ErrorKind, Service};

/// France's node directory in a fresh network, and the service on it.
fn france() -> (tempfile::TempDir, Service) {
    let network = TestNetwork::new_at("ops", &["XGS", "FRA"], bureau_service::clock::now());
    crate::harness::service_for(&network, 1)
}

fn passport(local_id: &str, number: &str) -> Draft {
    let record = testkit::travel_document("FRA".parse().expect("code"), local_id, number, 1);
    Draft {
        local_id: local_id.to_owned(),
        access: Access::All,
        review_date: None,
        data: record.data,
    }
}

/// Publish, search and get answer their typed answers in-process; a get of nothing is
/// `NotFound`.
#[tokio::test]
async fn publish_search_and_get_in_process() {
    let (_temp, service) = france();
    let published = service
        .call(passport("p1", "P1234567"))
        .await
        .expect("publish");
    assert_eq!(published.reference, "sltd/FRA/p1");
    assert_eq!(published.version, 1);
    let found = service
        .call(SearchRequest {
            query: Query::TravelDocument {
                number: "p-1234 567".into(),
                issuing_country: None,
                document_type: None,
            },
            purpose: Some("border check".into()),
            place: None,
        })
        .await
        .expect("search");
    assert_eq!(found.results.len(), 1);
    let key = "sltd/FRA/p1".parse().expect("key");
    let view = service
        .call(GetRecord {
            record: RecordPath::from(&key),
            context: SearchContext::default(),
        })
        .await
        .expect("get");
    assert!(matches!(
        view.record.map(|record| record.data),
        Some(RecordData::TravelDocument(_))
    ));
    let missing = service
        .call(GetRecord {
            record: RecordPath {
                database: "sltd".into(),
                owner: "FRA".into(),
                id: "nothing".into(),
            },
            context: SearchContext::default(),
        })
        .await
        .expect_err("nothing there");
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

/// The kind of a refused operation.
fn kind<T: std::fmt::Debug>(result: Result<T, bureau_service::Error>) -> ErrorKind {
    result.expect_err("refused").kind
}

/// Each refusal has its kind: another member's record is forbidden, a cancelled one a
/// conflict, a huge look-ahead invalid input, an oversized batch too large, an unknown
/// diffusion not found, a network operation without a network unavailable.
#[tokio::test]
async fn refusals_carry_their_kind() {
    let (_temp, service) = france();
    service
        .call(passport("p2", "P7654321"))
        .await
        .expect("publish");
    let cancel = |owner: &str| CancelRecord {
        record: RecordPath {
            database: "sltd".into(),
            owner: owner.into(),
            id: "p2".into(),
        },
        reason: "recovered".into(),
    };
    assert_eq!(
        kind(service.call(cancel("DEU")).await),
        ErrorKind::Forbidden
    );
    service.call(cancel("FRA")).await.expect("cancel");
    assert_eq!(kind(service.call(cancel("FRA")).await), ErrorKind::Conflict);
    let within_days = MAX_REVIEW_WITHIN_DAYS + 1;
    assert_eq!(
        kind(service.call(DueForReview { within_days }).await),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        kind(
            service
                .call(DueForReview {
                    within_days: i64::MAX
                })
                .await
        ),
        ErrorKind::InvalidInput
    );
    let oversized = ImportBatch(vec![
        passport("x", "X1");
        bureau_service::records::IMPORT_BATCH_RECORDS + 1
    ]);
    assert_eq!(kind(service.call(oversized).await), ErrorKind::TooLarge);
    let review = ReviewDiffusion {
        diffusion: bureau_service::ops::CasePath {
            owner: "FRA".into(),
            id: "none".into(),
        },
        action: DiffusionReview::Flag,
        reason: "test".into(),
    };
    assert_eq!(kind(service.call(review).await), ErrorKind::NotFound);
    assert_eq!(
        kind(service.call(bureau_service::ops::ListPeers {}).await),
        ErrorKind::Unavailable
    );
}

/// An import batch answers one result per record: another country's passport is refused on
/// its own line, before signing, and the rest are published.
#[tokio::test]
async fn an_import_refuses_a_line_not_the_batch() {
    let (_temp, service) = france();
    let mut foreign = passport("de1", "C01X00T47");
    if let RecordData::TravelDocument(document) = &mut foreign.data {
        document.issuing_country = "DEU".parse().expect("code");
    }
    let results = service
        .call(ImportBatch(vec![
            passport("ok1", "P1111111"),
            foreign,
            passport("ok2", "P2222222"),
        ]))
        .await
        .expect("the batch is answered");
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    let error = results[1].as_ref().expect_err("not France's to publish");
    assert!(error.contains("issuing country"), "{error}");
    assert_eq!(
        results[2].as_ref().map(|p| p.seq).ok(),
        Some(2),
        "the refused line took no seq"
    );
}

/// An export reads a database page by page, each page starting after the last record of the
/// one before, until no `next`; the owner filter and a position of another database are
/// honoured.
#[tokio::test]
async fn an_export_pages_through_the_live_records() {
    let (_temp, service) = france();
    for i in 0..5 {
        service
            .call(passport(&format!("p{i}"), &format!("P{i}234567")))
            .await
            .expect("publish");
    }
    let export = |owner: Option<&str>, after: Option<String>| ExportRecords {
        database: "sltd".into(),
        owner: owner.map(str::to_owned),
        after,
        limit: Some(2),
    };
    let mut ids = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = service
            .call(export(Some("FRA"), after.take()))
            .await
            .expect("page");
        pages += 1;
        assert!(page.records.len() <= 2);
        ids.extend(
            page.records
                .iter()
                .map(|record| record["id"].as_str().expect("id").to_owned()),
        );
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(ids, ["p0", "p1", "p2", "p3", "p4"]);
    assert_eq!(pages, 3);
    let none = service.call(export(Some("DEU"), None)).await.expect("page");
    assert!(none.records.is_empty() && none.next.is_none());
    let wrong = service
        .call(export(None, Some("vehicles/FRA/v1".into())))
        .await;
    assert_eq!(kind(wrong), ErrorKind::InvalidInput);
}
