//! A member's own node keeps its log within the genesis's storage quota: an import past it
//! gets a clear error per record and takes no sequence number, and `status` warns in time.

use bureau_core::quota::{self, Amount, Bucket, QuotaRule};
use bureau_core::testkit::{self, TestNetwork};
use bureau_core::{Access, Database};
use bureau_service::clock;
use bureau_service::error::ErrorKind;
use bureau_service::records::Draft;

const FRA: usize = 1;

fn draft(id: &str, data: bureau_core::RecordData) -> Draft {
    Draft {
        local_id: id.into(),
        access: Access::All,
        review_date: None,
        data,
    }
}

#[test]
fn an_import_past_the_quota_refuses_the_extra_records_and_keeps_the_log_whole() {
    let ten_vehicles = QuotaRule {
        member: Some("FRA".parse().expect("code")),
        bucket: Bucket::Records(Database::Vehicles),
        limit: Amount {
            entries: 10,
            bytes: u64::MAX,
        },
    };
    let rules = quota::overlay(quota::default_rules(), &[ten_vehicles]);
    let network = TestNetwork::with_quotas("own-quota", &["XGS", "FRA"], clock::now(), rules);
    let (_temp, service) = crate::harness::service_for(&network, FRA);
    let replica = service.replica();
    let fra = network.code(FRA);
    let vin = "WVWZZZ1JZ3W386752";
    let mut drafts: Vec<Draft> = (0..12)
        .map(|i| draft(&format!("v{i}"), testkit::vehicle(fra, "x", vin, 1).data))
        .collect();
    drafts.push(draft(
        "p1",
        testkit::travel_document(fra, "x", "Q7654321", 1).data,
    ));

    let (results, entries) = replica.publish_batch(drafts).expect("import");
    assert_eq!(entries.len(), 11, "ten cars and the passport are signed");
    let refused: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(refused.len(), 2, "{results:?}");
    assert!(refused[0].contains("over quota"), "{}", refused[0]);
    let seqs: Vec<u64> = entries.iter().map(|entry| entry.header.seq).collect();
    assert_eq!(
        seqs,
        (1..=11).collect::<Vec<_>>(),
        "no sequence number skipped"
    );
    assert!(
        results.last().expect("passport").is_ok(),
        "other databases go on"
    );

    // A single publish past the quota is a conflict with the same explanation.
    let error = replica
        .publish(
            "v99",
            Access::All,
            None,
            testkit::vehicle(fra, "x", vin, 1).data,
        )
        .expect_err("over quota");
    assert_eq!(error.kind, ErrorKind::Conflict);
    assert!(error.message.contains("over quota"), "{}", error.message);

    let status = replica.status().expect("status");
    let vehicles = status
        .quota
        .iter()
        .find(|used| used.bucket == "vehicles")
        .expect("vehicles counted");
    assert_eq!((vehicles.entries, vehicles.max_entries), (10, Some(10)));
    assert!(
        status.warnings.iter().any(|w| w.contains("storage quota")),
        "{:?}",
        status.warnings
    );
}
