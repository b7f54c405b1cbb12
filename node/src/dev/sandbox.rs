//! `bureau sandbox`: a whole demonstration network built offline in one directory.
//!
//! It founds a network, creates and admits a secretariat and N members (each with its own node
//! directory and replica), has the secretariat announce every member with `Admit` entries and
//! each member publish sample records, then copies entries between the replicas until every
//! digest agrees: the exchange the network layer will automate.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use bureau_core::Access;

use super::{provision, sample};
use crate::output;
use bureau_service::files::NodeDir;
use bureau_service::replica::{self, Replica};

pub fn run(dir: &Path, members: usize, cache_bytes: u64, as_json: bool) -> Result<()> {
    let network = provision::create(dir, "bureau-sandbox", members, cache_bytes, None)?;
    let replicas: Vec<(NodeDir, Replica)> = network
        .nodes
        .iter()
        .map(|node| Ok((node.clone(), Replica::open(node, cache_bytes)?)))
        .collect::<Result<_>>()?;
    let mut published = 0;
    for (index, (_, replica)) in replicas.iter().enumerate() {
        for (id, data) in sample::records(index, replica.member()) {
            replica
                .publish(&id, Access::All, None, data)
                .with_context(|| format!("sample record {id} of {}", replica.member()))?;
            published += 1;
        }
    }

    // Every replica pulls from every other; two rounds reach everyone (each holds all after
    // the first round's pulls from the secretariat and members, the second confirms).
    let mut copied = 0;
    for _round in 0..2 {
        for target in 0..replicas.len() {
            for source in 0..replicas.len() {
                if source != target {
                    copied += replica::copy_missing(
                        &replicas[source].1.store,
                        &replicas[target].1.store,
                    )?
                    .applied;
                }
            }
        }
    }

    let statuses: Vec<_> = replicas
        .iter()
        .map(|(_, replica)| replica.status())
        .collect::<Result<_, _>>()?;
    let digests: BTreeSet<_> = statuses.iter().map(|status| status.digest).collect();
    if as_json {
        output::json(&statuses);
    } else {
        let nodes: Vec<&NodeDir> = replicas.iter().map(|(node, _)| node).collect();
        print_network(
            dir,
            &network.genesis,
            &nodes,
            &statuses,
            (published, copied),
        );
    }
    if digests.len() != 1 {
        bail!(
            "replicas did not converge: {} different digests",
            digests.len()
        );
    }
    Ok(())
}

/// What the sandbox made, and commands to try on it.
fn print_network(
    dir: &Path,
    genesis: &bureau_core::Genesis,
    nodes: &[&NodeDir],
    statuses: &[bureau_service::replica::Status],
    (published, copied): (usize, usize),
) {
    println!("network {} in {}", genesis.network_id(), dir.display());
    println!("{published} sample records published, {copied} entries copied between replicas\n");
    let rows: Vec<Vec<String>> = nodes
        .iter()
        .zip(statuses)
        .map(|(node, status)| {
            vec![
                node.root.display().to_string(),
                status.member.to_string(),
                status.entries.to_string(),
                status.records.to_string(),
                status.digest.short(),
            ]
        })
        .collect();
    output::table(&["NODE", "MEMBER", "ENTRIES", "RECORDS", "DIGEST"], &rows);
    let last = dir.join(format!("node{}", nodes.len() - 1));
    let digests: BTreeSet<_> = statuses.iter().map(|status| status.digest).collect();
    println!(
        "\nevery replica holds the same entries: {}",
        if digests.len() == 1 { "yes" } else { "NO" }
    );
    let exe = std::env::current_exe().ok();
    let cwd = std::env::current_dir().ok();
    let bureau = match (&exe, &cwd) {
        (Some(exe), Some(cwd)) => exe.strip_prefix(cwd).unwrap_or(exe).display().to_string(),
        _ => "bureau".to_owned(),
    };
    println!("\ntry:");
    println!(
        "  {bureau} --dir {} search sltd --number f1234667",
        last.display()
    );
    println!(
        "  {bureau} --dir {} search person --name \"jurgen muller\"",
        last.display()
    );
    println!(
        "  {bureau} --dir {} --offline publish sltd --number \"P 1234-567\" --type passport --loss stolen",
        dir.join("node1").display()
    );
    println!(
        "  {bureau} --dir {} sync --from {}",
        last.display(),
        dir.join("node1").display()
    );
    println!("  {bureau} --dir {} status", last.display());
}
