//! Name search over generated persons and the hand-written set: transliterated, misspelled,
//! reordered and native-script queries find the person they belong to, ranked first or near
//! it, in every script and for every kind of variant.

use bureau_gen::Generator;
use bureau_node::dev::name_eval;
use bureau_service::replica::Replica;

use crate::net_harness::TestNet;

/// Generated persons in the replica (decoys for the hand-written ones as well), and how many of
/// them have their variants checked.
const PERSONS: u64 = 3_000;
const CHECKED: u64 = 400;

#[test]
fn names_are_found_in_every_script_and_kind_of_variant() {
    let net = TestNet::new("names", 2);
    let replica = Replica::open(&net.dirs[1], 16 * 1024 * 1024).expect("replica");
    let generator = Generator::new(7);
    name_eval::publish(&replica, &generator, PERSONS, |_| {}).expect("publish");
    let today = bureau_service::clock::now().date();
    let evaluation = name_eval::evaluate(&replica, &generator, CHECKED, today).expect("evaluate");
    println!("{}", evaluation.table());
    for miss in &evaluation.misses {
        println!("  missed: {miss}");
    }
    // What this set reaches (recall@10 0.999, recall@1 0.997 with namesakes told apart, the
    // weakest script or kind 0.992 when written), a little under it so that one query more or
    // less does not fail the run; the goal is 0.99, 0.95 and 0.90.
    let overall = evaluation.overall;
    assert!(overall.recall_at_10() >= 0.995, "{}", evaluation.table());
    assert!(overall.recall_at_1() >= 0.99, "{}", evaluation.table());
    let (weakest, tally) = evaluation.weakest().expect("results");
    assert!(
        tally.recall_at_10() >= 0.98,
        "{weakest}: recall@10 {:.3}",
        tally.recall_at_10()
    );
}
