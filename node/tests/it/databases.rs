//! Every shared database across nodes, and restricted records sealed from everyone else.

use std::collections::BTreeSet;
use std::sync::Arc;

use bureau_core::schema::{Firearm, FirearmKind, FirearmStatus, Modality};
use bureau_core::testkit;
use bureau_core::{Access, Body, MemberCode, RecordData};
use bureau_service::query::{Found, Query, SearchRequest};

use crate::net_harness::TestNet;

/// One record of every database, as France publishes it, with the query that finds it.
fn samples() -> Vec<(&'static str, RecordData, Query)> {
    let queries = [
        Query::TravelDocument {
            number: "24 fr 99812".into(),
            issuing_country: None,
            document_type: None,
        },
        Query::Vehicle {
            vin: None,
            engine_number: Some("en4471x".into()),
        },
        Query::Person {
            name: "Sergei Ivanov".into(),
            dob: None,
            sex: None,
            nationality: None,
        },
        Query::Firearm {
            serial_number: "glk55123".into(),
            make: Some("GLOCK".into()),
        },
        Query::WorkOfArt {
            title: "joconde la".into(),
        },
        Query::Vessel {
            imo_number: Some("9074729".into()),
            hull_number: None,
            engine_serial: None,
        },
        Query::AdministrativeDocument {
            serial: "DL-000199".into(),
            issuing_country: None,
        },
        Query::Dna {
            loci: testkit::dna_loci(),
        },
        Query::Template {
            modality: Modality::Fingerprint,
            reference: "afis fr 000991".into(),
        },
        Query::Template {
            modality: Modality::Face,
            reference: "face-fr-42".into(),
        },
    ];
    testkit::one_of_each("FRA".parse().expect("code"))
        .into_iter()
        .zip(queries)
        .map(|((id, data), query)| (id, data, query))
        .collect()
}

/// Publishes on node `index`; returns the record's reference.
async fn publish(
    net: &TestNet,
    index: usize,
    id: &str,
    access: Access,
    data: RecordData,
) -> bureau_core::RecordKey {
    let running = net.node(index);
    let replica = Arc::clone(&running.replica);
    let id = id.to_owned();
    let (published, entry) =
        tokio::task::spawn_blocking(move || replica.publish(&id, access, None, data))
            .await
            .expect("join")
            .expect("publish");
    running.net.publish(entry).await.expect("gossip");
    published.reference.parse().expect("a reference")
}

async fn search(net: &TestNet, index: usize, query: Query) -> Vec<Found> {
    let replica = Arc::clone(&net.node(index).replica);
    tokio::task::spawn_blocking(move || {
        replica.search(&SearchRequest {
            query,
            purpose: Some("test".into()),
            place: None,
        })
    })
    .await
    .expect("join")
    .expect("search")
    .results
}

/// A record of every database published in France is found on the German node by its
/// identifier, typed differently; DNA answers with the reference only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_database_round_trips_from_publish_to_search_on_another_node() {
    let net = TestNet::start("databases", 3).await;
    net.wait_meshed().await;
    for (id, data, _) in samples() {
        publish(&net, 1, id, Access::All, data).await;
    }
    net.wait_converged().await;
    for (id, data, query) in samples() {
        let found = search(&net, 2, query).await;
        let database = data.database();
        let reference = format!("{database}/FRA/{id}");
        assert_eq!(
            found.first().map(|f| f.reference.as_str()),
            Some(reference.as_str()),
            "{database}: {found:?}"
        );
        if database == bureau_core::Database::Dna {
            assert!(
                found[0].record.is_none(),
                "DNA answers name a reference only"
            );
            let detail = found[0].detail.as_deref().unwrap_or_default();
            assert!(detail.contains("7 of 7 loci match"), "{detail}");
        } else if let RecordData::Person(person) = &data {
            // A name search lists candidates; `get` reads the record.
            assert!(found[0].record.is_none(), "a candidate, not the record");
            assert_eq!(
                found[0].candidate,
                Some(bureau_service::query::PersonCandidate::of(
                    person,
                    Vec::new()
                ))
            );
        } else {
            assert_eq!(found[0].record.as_ref().map(|r| &r.data), Some(&data));
        }
    }
    net.shutdown().await;
}

/// A record of every database restricted to Germany: Germany finds each by its identifier,
/// Italy finds none, and none of the record's texts (identifiers, names, descriptions) nor the
/// ids France gave are anywhere in Italy's store files; every reference is opaque.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_databases_identifiers_stay_sealed_on_a_non_reader() {
    let net = TestNet::start("sealed-all", 4).await;
    net.wait_meshed().await;
    let germany: MemberCode = "DEU".parse().expect("code");
    let mut references = Vec::new();
    for (id, data, _) in samples() {
        let access = Access::Members(BTreeSet::from([germany]));
        references.push(publish(&net, 1, id, access, data).await);
    }
    net.wait_converged().await;
    let (germany_node, italy) = (2, 3);
    for ((id, data, query), reference) in samples().into_iter().zip(&references) {
        let database = data.database();
        assert!(
            bureau_core::record::is_opaque_id(&reference.local_id),
            "{database}: {reference}"
        );
        assert!(
            !search(&net, germany_node, query.clone()).await.is_empty(),
            "{database}: Germany finds it"
        );
        assert!(
            search(&net, italy, query).await.is_empty(),
            "{database}: Italy finds it"
        );
        assert!(
            !net.store_files_hold(italy, &format!("/{id}")) && !net.store_files_hold(italy, id),
            "{database}: the given id {id} is in Italy's store"
        );
        // Every text of the record (identifiers, names, descriptions) of 6 characters or more;
        // lowercase single words (enum names) and dates are stored as numbers.
        let mut texts = Vec::new();
        collect_texts(&serde_json::to_value(&data).expect("json"), &mut texts);
        texts.retain(|text| {
            let is_date =
                text.contains('-') && text.chars().all(|c| c.is_ascii_digit() || c == '-');
            text.len() >= 6
                && !is_date
                && text
                    .chars()
                    .any(|c| c.is_uppercase() || c.is_ascii_digit() || c == ' ')
        });
        assert!(!texts.is_empty(), "{database}");
        for text in &texts {
            assert!(
                net.store_files_hold(germany_node, text),
                "{database}: {text:?} is not in Germany's store (is the scan right?)"
            );
            assert!(
                !net.store_files_hold(italy, text),
                "{database}: {text:?} is in Italy's store"
            );
        }
    }
    net.shutdown().await;
}

/// Every string in a JSON value.
fn collect_texts(value: &serde_json::Value, texts: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => texts.push(text.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|item| collect_texts(item, texts)),
        serde_json::Value::Object(fields) => {
            fields
                .values()
                .for_each(|field| collect_texts(field, texts));
        }
        _ => {}
    }
}

/// A record restricted to Germany is sealed: Germany and the owner read and find it; Italy and
/// the secretariat hold and forward the entry but cannot read it, and the plaintext is nowhere
/// in Italy's store files. A secretariat-only record likewise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_record_is_unreadable_on_a_node_that_is_not_a_recipient() {
    let net = TestNet::start("sealed", 4).await;
    net.wait_meshed().await;
    let germany: MemberCode = "DEU".parse().expect("code");
    let serial = "SEALEDSN77123";
    let firearm = RecordData::Firearm(Firearm {
        serial_number: serial.into(),
        make: "Walther".into(),
        model: Some("Confidential model".into()),
        calibre: None,
        kind: FirearmKind::Pistol,
        status: FirearmStatus::Trafficked,
        theft_date: None,
        theft_place: None,
    });
    // The local id the CLI would derive from the serial: the identifier itself.
    let local_id = serial.to_ascii_lowercase();
    let reference = publish(
        &net,
        1,
        &local_id,
        Access::Members(BTreeSet::from([germany])),
        firearm,
    )
    .await;
    assert!(
        bureau_core::record::is_opaque_id(&reference.local_id),
        "a restricted record's reference names no identifier: {reference}"
    );
    let gs_only = RecordData::Firearm(Firearm {
        serial_number: "GSONLY4455".into(),
        make: "Beretta".into(),
        model: None,
        calibre: None,
        kind: FirearmKind::Rifle,
        status: FirearmStatus::Smuggled,
        theft_date: None,
        theft_place: None,
    });
    publish(&net, 1, "secret2", Access::SecretariatOnly, gs_only).await;
    net.wait_converged().await;

    let query = |serial: &str| Query::Firearm {
        serial_number: serial.into(),
        make: None,
    };
    assert_eq!(
        search(&net, 1, query(serial)).await.len(),
        1,
        "the owner reads its own"
    );
    assert_eq!(
        search(&net, 2, query(serial)).await.len(),
        1,
        "the recipient finds it"
    );
    assert!(
        search(&net, 3, query(serial)).await.is_empty(),
        "Italy finds nothing"
    );
    assert!(
        search(&net, 0, query(serial)).await.is_empty(),
        "nor does the secretariat"
    );
    assert_eq!(search(&net, 0, query("GSONLY4455")).await.len(), 1);
    assert!(search(&net, 2, query("GSONLY4455")).await.is_empty());

    // Italy's replica holds the entry, sealed, and says so; a guess of the identifier as the
    // reference confirms nothing.
    let italy = Arc::clone(&net.node(3).replica);
    let guessed: bureau_core::RecordKey = format!("firearms/FRA/{local_id}")
        .parse()
        .expect("reference");
    assert!(italy.get(&guessed).expect("get").is_none());
    let view = italy.get(&reference).expect("get").expect("held");
    assert!(view.restricted && view.record.is_none(), "{view:?}");
    let entry = italy
        .store
        .entry(&view.author, view.seq)
        .expect("entry")
        .expect("present");
    assert!(matches!(entry.body, Some(Body::PutSealed(_))));

    // And nothing of its content is anywhere in Italy's store files, while Germany's hold it.
    let holds = |index: usize, needle: &str| net.store_files_hold(index, needle);
    assert!(holds(2, serial), "the recipient indexed the serial");
    assert!(!holds(3, serial), "the serial is in Italy's store");
    assert!(
        !holds(3, &local_id),
        "the serial as a local id is in Italy's store"
    );
    // The owner still names it by the id it gave.
    let owner = Arc::clone(&net.node(1).replica);
    let given: bureau_core::RecordKey = format!("firearms/FRA/{local_id}")
        .parse()
        .expect("reference");
    let context = bureau_service::query::SearchContext::default();
    let own = tokio::task::spawn_blocking(move || owner.get_for(&given, &context))
        .await
        .expect("join")
        .expect("get")
        .expect("found under its opaque id");
    assert_eq!(own.record.expect("the owner reads it").key, reference);
    assert!(
        !holds(3, "Confidential model"),
        "the model is in Italy's store"
    );

    // Its cancellation is sealed too: Germany reads the reason, Italy does not.
    let reason = "seized at Lyon Saint-Exupery";
    let owner = Arc::clone(&net.node(1).replica);
    let given: bureau_core::RecordKey = format!("firearms/FRA/{local_id}")
        .parse()
        .expect("reference");
    let (_, entry) = tokio::task::spawn_blocking(move || owner.cancel(&given, reason))
        .await
        .expect("join")
        .expect("cancel");
    assert!(
        matches!(entry.body, Some(Body::CancelSealed(_))),
        "{entry:?}"
    );
    net.node(1).net.publish(entry).await.expect("gossip");
    net.wait_converged().await;
    let view_on = |index: usize| {
        net.node(index)
            .replica
            .get(&reference)
            .expect("get")
            .expect("held")
    };
    assert_eq!(view_on(2).cancel_reason.as_deref(), Some(reason));
    assert_eq!(view_on(3).cancel_reason.as_deref(), Some("(sealed)"));
    assert!(view_on(3).record.is_none() && view_on(2).record.is_none());
    assert!(!holds(3, reason), "the reason is in Italy's store");
    net.shutdown().await;
}

/// A member admitted after a record (and a diffusion to it) was sealed reads them once the
/// owner's node gives it their keys (`wrap_for_new_readers`, which a running node does every 10 minutes), without
/// the record being sealed again; a member the access excludes gets nothing, and a second pass
/// wraps nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_admitted_after_a_sealed_publication_reads_it() {
    let mut net = TestNet::new("late-reader", 4);
    for index in 0..3 {
        net.start_node(index).await;
    }
    net.wait_meshed().await;
    let germany = net.network.code(2);
    let serial = "LATEREAD5521";
    let firearm = RecordData::Firearm(Firearm {
        serial_number: serial.into(),
        make: "Glock".into(),
        model: None,
        calibre: None,
        kind: FirearmKind::Pistol,
        status: FirearmStatus::Stolen,
        theft_date: None,
        theft_place: None,
    });
    let everyone_but_germany = Access::AllExcept(BTreeSet::from([germany]));
    publish(&net, 1, "late1", everyone_but_germany, firearm).await;
    // A diffusion to Italy, sent before Italy is a member: sealed to no key of Italy's.
    let italy = net.network.code(3);
    let france = Arc::clone(&net.node(1).replica);
    let entries = tokio::task::spawn_blocking(move || -> bureau_service::Result<_> {
        let person =
            bureau_core::testkit::person(france.member(), "wanted-l1", "Rossi", "Marco", 1);
        let (published, person) = france.publish("wanted-l1", Access::All, None, person.data)?;
        let (_, sent) = france.send_diffusion(bureau_service::cases::DiffusionDraft {
            id: None,
            to: BTreeSet::from([italy]),
            person: published.reference.parse()?,
            purpose: "locate on arrival".into(),
        })?;
        Ok([person, sent])
    })
    .await
    .expect("join")
    .expect("diffusion");
    for entry in entries {
        net.node(1).net.publish(entry).await.expect("gossip");
    }
    net.wait_converged().await;

    let certificate = net.network.members[3].certificate.clone();
    let secretariat = Arc::clone(&net.node(0).replica);
    let admit = tokio::task::spawn_blocking(move || secretariat.admit(certificate, None))
        .await
        .expect("join")
        .expect("admit");
    net.node(0).net.publish(admit).await.expect("gossip");
    net.start_node(3).await;
    net.wait_meshed().await;
    net.wait_converged().await;
    let query = || Query::Firearm {
        serial_number: serial.into(),
        make: None,
    };
    assert!(
        search(&net, 3, query()).await.is_empty(),
        "sealed before Italy was admitted"
    );

    let wrap = || {
        let france = Arc::clone(&net.node(1).replica);
        async move {
            tokio::task::spawn_blocking(move || france.wrap_for_new_readers())
                .await
                .expect("join")
                .expect("wrap")
        }
    };
    let diffusions_on_italy = || {
        let replica = Arc::clone(&net.node(3).replica);
        async move {
            tokio::task::spawn_blocking(move || replica.diffusions())
                .await
                .expect("join")
                .expect("diffusions")
        }
    };
    assert!(diffusions_on_italy().await.is_empty());
    let (report, entries) = wrap().await;
    assert_eq!(
        (report.records, report.keys, report.entries),
        (2, 2, 1),
        "the record and the diffusion, for Italy's one key"
    );
    assert!(matches!(entries[0].body, Some(Body::KeyWrap(_))));
    for entry in entries {
        net.node(1).net.publish(entry).await.expect("gossip");
    }
    net.wait_converged().await;
    assert_eq!(
        search(&net, 3, query()).await.len(),
        1,
        "Italy reads it now"
    );
    assert_eq!(
        diffusions_on_italy().await[0].purpose,
        "locate on arrival",
        "and the diffusion sent to it"
    );
    assert!(
        search(&net, 2, query()).await.is_empty(),
        "Germany still not"
    );
    let (again, entries) = wrap().await;
    assert_eq!((again.keys, entries.len()), (0, 0), "{again:?}");
    net.shutdown().await;
}

/// A bulk import through the API: only the batch's last entry is gossiped, and the other nodes
/// fetch the rest by sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_through_the_api_reaches_every_node() {
    let net = TestNet::start("import", 3).await;
    net.wait_meshed().await;
    let (addr, token) = (net.node(1).api_addr, net.node(1).token.clone());
    let results = tokio::task::spawn_blocking(move || {
        let client = crate::api::Raw::new(addr, &token);
        let drafts: Vec<_> = (0..300)
            .map(|n| {
                serde_json::json!({
                    "local_id": format!("imp{n}"),
                    "access": "all",
                    "review_date": null,
                    "data": {"firearm": {"serial_number": format!("IMP-{n:05}"), "make": "Glock",
                        "model": null, "calibre": null, "kind": "pistol", "status": "stolen",
                        "theft_date": null, "theft_place": null}}
                })
            })
            .collect();
        let (status, results) = client.post("/v1/import", &serde_json::Value::Array(drafts));
        assert_eq!(status, 200, "{results}");
        results.as_array().cloned().expect("one result per record")
    })
    .await
    .expect("join");
    assert_eq!(results.len(), 300);
    assert!(
        results.iter().all(|result| result.get("Ok").is_some()),
        "{:?}",
        results[0]
    );
    net.wait_converged().await;
    for n in [0, 150, 299] {
        let found = search(
            &net,
            2,
            Query::Firearm {
                serial_number: format!("imp{n:05}"),
                make: None,
            },
        )
        .await;
        assert_eq!(found.len(), 1, "record {n}");
    }
    net.shutdown().await;
}
