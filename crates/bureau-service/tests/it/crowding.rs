//! A member that publishes decoys under another member's identifier (TRUST.md, rule 2): the
//! victim's record stays in every answer, and the owners hear of hits once per search and once
//! a day per record.

use bureau_core::testkit::{self, TestNetwork};
use bureau_core::{Body, Entry, Record, RecordData};
use bureau_service::ops::ListHits;
use bureau_service::query::{
    MAX_POSTINGS_PER_OWNER, MAX_RESULTS_PER_OWNER, Query, SearchRequest, Searched,
};
use bureau_service::{Service, clock};

const FRA: usize = 1;
const DEU: usize = 2;
const ITA: usize = 3;

/// France's node, which holds Germany's decoys and Italy's real record.
struct Crowded {
    _temp: tempfile::TempDir,
    service: Service,
    network: TestNetwork,
}

impl Crowded {
    fn new() -> Crowded {
        let network = TestNetwork::new_at("crowd", &["XGS", "FRA", "DEU", "ITA"], clock::now());
        let (temp, service) = crate::harness::service_for(&network, FRA);
        for certificate in network.certificates() {
            service
                .replica()
                .store
                .learn_certificate(&certificate)
                .expect("learn");
        }
        Crowded {
            _temp: temp,
            service,
            network,
        }
    }

    /// Signs `records` as member `index` and applies them to France's replica.
    fn publish(&mut self, index: usize, records: impl IntoIterator<Item = Record>) {
        let entries: Vec<Entry> = records
            .into_iter()
            .map(|record| self.network.sign(index, Body::Put(record)))
            .collect();
        for chunk in entries.chunks(500) {
            self.service
                .replica()
                .store
                .apply_batch(chunk.to_vec(), clock::now())
                .expect("apply");
        }
    }

    fn code(&self, index: usize) -> bureau_core::MemberCode {
        self.network.code(index)
    }

    async fn search(&self, query: Query) -> Searched {
        self.service
            .call(SearchRequest {
                query,
                purpose: Some("border check".into()),
                place: Some("Strasbourg".into()),
            })
            .await
            .expect("search")
    }
}

fn vin_query(vin: &str) -> Query {
    Query::Vehicle {
        vin: Some(vin.into()),
        engine_number: None,
    }
}

fn document_query(number: &str) -> Query {
    Query::TravelDocument {
        number: number.into(),
        issuing_country: None,
        document_type: None,
    }
}

fn shows(searched: &Searched, reference: &str) -> bool {
    searched.results.iter().any(|f| f.reference == reference)
}

/// Germany publishes 300 cars with Italy's stolen VIN: France's search still shows Italy's car,
/// shows ten of Germany's and says it has more; each owner gets one hit notice, and a second
/// search the same day tells nobody again.
#[tokio::test]
async fn decoys_under_one_vin_cannot_hide_another_members_car() {
    let mut crowd = Crowded::new();
    let vin = "WVWZZZ1JZ3W386752";
    let (deu, ita) = (crowd.code(DEU), crowd.code(ITA));
    crowd.publish(
        DEU,
        (0..300).map(|i| testkit::vehicle(deu, &format!("decoy{i:03}"), vin, 1)),
    );
    crowd.publish(ITA, [testkit::vehicle(ita, "stolen1", vin, 1)]);

    let searched = crowd.search(vin_query(vin)).await;
    assert!(shows(&searched, "vehicles/ITA/stolen1"), "{searched:?}");
    assert!(searched.truncated);
    let counts: Vec<_> = searched
        .owners
        .iter()
        .map(|owner| (owner.owner, owner.shown, owner.more))
        .collect();
    assert_eq!(
        counts,
        vec![(deu, MAX_RESULTS_PER_OWNER as u64, true), (ita, 1, false)]
    );

    let hits = crowd.service.call(ListHits::default()).await.expect("hits");
    let mut told: Vec<_> = hits
        .by_my_searches
        .iter()
        .map(|hit| (hit.to, hit.notice.references.len()))
        .collect();
    told.sort();
    assert_eq!(told, vec![(deu, MAX_RESULTS_PER_OWNER), (ita, 1)]);

    let status = crowd.service.replica().status().expect("status");
    let flagged: Vec<_> = status
        .anomalies
        .iter()
        .map(|anomaly| (anomaly.member, anomaly.crowded_identifiers > 0))
        .collect();
    assert_eq!(
        flagged,
        vec![(deu, true)],
        "the decoys are a visible signal"
    );

    crowd.search(vin_query(vin)).await;
    let hits = crowd.service.call(ListHits::default()).await.expect("hits");
    assert_eq!(
        hits.by_my_searches.len(),
        2,
        "a record's owner hears of it once a day from one member"
    );
}

/// Expired decoys, and more decoys than one search reads, are left out before any limit: the
/// answer still shows the victim's record, and the flooder's count is marked as a lower bound.
#[tokio::test]
async fn expired_decoys_and_floods_past_the_scan_limit_hide_nothing() {
    let mut crowd = Crowded::new();
    let number = "X1234567";
    let (deu, ita) = (crowd.code(DEU), crowd.code(ITA));
    let yesterday = clock::now().date().plus_days(-1);
    crowd.publish(
        DEU,
        (0..MAX_POSTINGS_PER_OWNER + 200).map(|i| Record {
            review_date: yesterday,
            ..testkit::travel_document(deu, &format!("a{i:05}"), number, 1)
        }),
    );
    crowd.publish(ITA, [testkit::travel_document(ita, "p1", number, 1)]);

    let searched = crowd.search(document_query(number)).await;
    assert_eq!(searched.results.len(), 1, "{searched:?}");
    assert!(shows(&searched, "sltd/ITA/p1"));
    assert!(
        searched
            .owners
            .iter()
            .all(|owner| owner.owner != deu || owner.matches == 0),
        "expired records are not matches"
    );

    crowd.publish(
        DEU,
        (0..MAX_POSTINGS_PER_OWNER + 200)
            .map(|i| testkit::travel_document(deu, &format!("b{i:05}"), number, 1)),
    );
    let searched = crowd.search(document_query(number)).await;
    assert!(shows(&searched, "sltd/ITA/p1"));
    let flooder = &searched.owners[0];
    assert_eq!(flooder.owner, deu);
    assert!(
        flooder.more,
        "the flooder has more entries than one search reads, and the answer says so"
    );
}

/// Two hundred German persons with the name of Italy's wanted person: the name search still
/// ranks Italy's person among the candidates.
#[tokio::test]
async fn namesakes_cannot_hide_a_wanted_person() {
    let mut crowd = Crowded::new();
    let (deu, ita) = (crowd.code(DEU), crowd.code(ITA));
    crowd.publish(
        DEU,
        (0..200).map(|i| testkit::person(deu, &format!("n{i:03}"), "IVANOV", "Sergei", 1)),
    );
    crowd.publish(ITA, [testkit::person(ita, "w1", "IVANOV", "Sergei", 1)]);
    let searched = crowd
        .search(Query::Person {
            name: "Sergei Ivanov".into(),
            dob: None,
            sex: None,
            nationality: None,
        })
        .await;
    assert!(shows(&searched, "persons/ITA/w1"), "{searched:?}");
    assert!(searched.results.len() <= MAX_RESULTS_PER_OWNER + 1);
}

/// The query that finds `data` by its identifier, as an officer would type it.
fn query_for(data: &RecordData) -> Query {
    match data {
        RecordData::TravelDocument(document) => document_query(&document.number),
        RecordData::Vehicle(vehicle) => vin_query(&vehicle.vin),
        RecordData::Person(person) => Query::Person {
            name: format!("{} {}", person.given_names, person.family_name),
            dob: None,
            sex: None,
            nationality: None,
        },
        RecordData::Firearm(firearm) => Query::Firearm {
            serial_number: firearm.serial_number.clone(),
            make: None,
        },
        RecordData::WorkOfArt(art) => Query::WorkOfArt {
            title: art.title.clone(),
        },
        RecordData::Vessel(vessel) => Query::Vessel {
            imo_number: vessel.imo_number.clone(),
            hull_number: None,
            engine_serial: None,
        },
        RecordData::AdministrativeDocument(blanks) => Query::AdministrativeDocument {
            serial: blanks.first_serial.clone(),
            issuing_country: None,
        },
        RecordData::Dna(profile) => Query::Dna {
            loci: profile.loci.clone(),
        },
        RecordData::Fingerprint(template) | RecordData::Face(template) => Query::Template {
            modality: template.modality,
            reference: template.reference.clone(),
        },
    }
}

/// Decoys under the identifier of Italy's record, in every searchable database: France's
/// search shows Italy's record, shows at most ten of Germany's and says there are more, and
/// tells Germany of at most ten records once.
#[tokio::test]
async fn decoys_hide_nothing_in_any_database() {
    const DECOYS: usize = 40;
    let mut crowd = Crowded::new();
    let (deu, ita) = (crowd.code(DEU), crowd.code(ITA));
    let decoys = testkit::one_of_each(deu);
    let victims = testkit::one_of_each(ita);
    assert_eq!(victims.len(), bureau_core::Database::ALL.len());
    for (id, data) in &decoys {
        crowd.publish(
            DEU,
            (0..DECOYS).map(|i| Record {
                key: bureau_core::RecordKey::new(data.database(), deu, &format!("{id}-{i:02}"))
                    .expect("key"),
                data: data.clone(),
                ..testkit::vehicle(deu, "x", "WVWZZZ1JZ3W386752", 1)
            }),
        );
    }
    for (id, data) in &victims {
        crowd.publish(
            ITA,
            [Record {
                key: bureau_core::RecordKey::new(data.database(), ita, id).expect("key"),
                data: data.clone(),
                ..testkit::vehicle(ita, "x", "WVWZZZ1JZ3W386752", 1)
            }],
        );
    }

    for (id, data) in &victims {
        let database = data.database();
        let before = crowd
            .service
            .call(ListHits::default())
            .await
            .expect("hits")
            .by_my_searches
            .len();
        let searched = crowd.search(query_for(data)).await;
        let victim = format!("{database}/ITA/{id}");
        assert!(shows(&searched, &victim), "{database}: {searched:?}");
        let flooder = searched
            .owners
            .iter()
            .find(|owner| owner.owner == deu)
            .unwrap_or_else(|| panic!("{database}: the decoys are counted: {searched:?}"));
        assert_eq!(flooder.shown, MAX_RESULTS_PER_OWNER as u64, "{database}");
        assert!(
            searched.truncated && (flooder.more || flooder.matches > flooder.shown),
            "{database}: the answer says Germany has more: {:?}",
            searched.owners
        );

        let hits = crowd.service.call(ListHits::default()).await.expect("hits");
        let told: Vec<_> = hits.by_my_searches[..hits.by_my_searches.len() - before]
            .iter()
            .map(|hit| (hit.to, hit.notice.references.len()))
            .collect();
        assert!(
            told.iter()
                .filter(|(to, _)| *to == deu)
                .all(|(_, references)| *references <= MAX_RESULTS_PER_OWNER),
            "{database}: {told:?}"
        );
        assert!(
            told.iter().filter(|(to, _)| *to == deu).count() <= 1,
            "{database}: one notice per owner per search: {told:?}"
        );
    }
}
