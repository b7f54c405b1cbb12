//! Name search over generated persons: transliterated, misspelled, reordered and native-script
//! variants find the person they belong to, ranked first or near it.

use bureau_gen::Generator;
use bureau_service::persons;
use bureau_service::query::DobFilter;
use bureau_service::records::Draft;
use bureau_service::replica::Replica;

use crate::net_harness::TestNet;

/// Persons in the replica, and the variant queries checked against them.
const PERSONS: u64 = 3_000;
const CHECKED: u64 = 400;
const VARIANTS_EACH: usize = 3;

#[test]
fn name_variants_find_their_person_ranked_first() {
    let net = TestNet::new("names", 2);
    let replica = Replica::open(&net.dirs[1], 16 * 1024 * 1024).expect("replica");
    let generator = Generator::new(7);
    let drafts: Vec<Draft> = generator
        .persons(PERSONS)
        .map(|generated| Draft {
            local_id: generated.id,
            access: bureau_core::Access::All,
            review_date: None,
            data: bureau_core::RecordData::Person(generated.person),
        })
        .collect();
    for batch in drafts.chunks(1000) {
        let (results, _) = replica.publish_batch(batch.to_vec()).expect("import");
        assert!(results.iter().all(Result::is_ok));
    }

    let today = bureau_service::clock::now().date();
    let (mut queries, mut first, mut in_ten) = (0u32, 0u32, 0u32);
    let mut misses = Vec::new();
    for generated in generator.persons(CHECKED) {
        for variant in generator.variants(&generated, VARIANTS_EACH) {
            let dob = variant.dob.as_deref().map(|year| DobFilter {
                date: year.parse().expect("year"),
                within_years: 0,
            });
            let found = persons::search(&replica.store, &variant.query, dob.as_ref(), None, today)
                .expect("search");
            let wanted = format!("persons/FRA/{}", variant.person_id);
            let rank = found.results.iter().position(|f| f.reference == wanted);
            queries += 1;
            first += u32::from(rank == Some(0));
            in_ten += u32::from(rank.is_some_and(|rank| rank < 10));
            if rank.is_none_or(|rank| rank >= 10) {
                misses.push(format!(
                    "{} ({}, dob {:?}): {} [{:?}] got {:?}",
                    variant.query,
                    variant.kind,
                    variant.dob,
                    generated.published_name(),
                    rank,
                    found
                        .results
                        .iter()
                        .take(3)
                        .map(|f| (
                            f.candidate
                                .as_ref()
                                .map(bureau_node::output::candidate_summary),
                            f.score
                        ))
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    let recall = f64::from(in_ten) / f64::from(queries);
    let top = f64::from(first) / f64::from(queries);
    println!(
        "{queries} variant queries over {PERSONS} persons: recall@10 {recall:.3}, first {top:.3}"
    );
    for miss in misses.iter().take(20) {
        println!("  missed: {miss}");
    }
    // What this seeded set reaches (0.999 and 0.989), less one query's worth or so.
    assert!(
        recall >= 0.995,
        "recall@10 {recall:.3}; misses: {misses:#?}"
    );
    assert!(top >= 0.985, "ranked first {top:.3}");
}
