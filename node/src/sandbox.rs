//! `bureau sandbox`: a whole demonstration network built offline in one directory.
//!
//! It founds a network, creates and admits a secretariat and N members (each with its own node
//! directory and replica), has the secretariat announce every member with `Admit` entries and
//! each member publish sample records, then copies entries between the replicas until every
//! digest agrees: the exchange the network layer will automate.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use bureau_core::certificate::{JoinRequestBody, Role};
use bureau_core::{Access, Body, EncryptionPublicKey, Entry, MemberCode, SecretKey};

use crate::files::{self, NodeDir};
use crate::replica::{self, Replica};
use crate::{clock, output, sample, trust};

/// Most member nodes a sandbox makes.
pub const MAX_SANDBOX_MEMBERS: usize = sample::MEMBER_CODES.len();

pub fn run(dir: &Path, members: usize, cache_mib: u64, as_json: bool) -> Result<()> {
    if !(1..=MAX_SANDBOX_MEMBERS).contains(&members) {
        bail!("--members must be between 1 and {MAX_SANDBOX_MEMBERS}");
    }
    if dir.exists() {
        bail!(
            "{} already exists; remove it or pass another --dir",
            dir.display()
        );
    }
    let founded = trust::genesis(dir, "bureau-sandbox", vec![])?;
    let genesis = files::read_genesis(&founded.genesis, "just written")?;
    let root = files::read_key(&founded.root_key, "root key", "just written")?;

    let mut codes = vec![MemberCode::SECRETARIAT];
    codes.extend(
        sample::MEMBER_CODES[..members]
            .iter()
            .map(|code| code.parse::<MemberCode>().expect("sample codes are valid")),
    );
    let mut replicas = Vec::new();
    for (index, member) in codes.iter().enumerate() {
        let node = NodeDir::new(dir.join(format!("node{index}")));
        let key = SecretKey::from_seed(files::random_secret());
        let encryption = files::random_secret();
        files::write_secret(&node.node_key(), &key.seed())?;
        files::write_secret(&node.encryption_key(), &encryption)?;
        files::write_new(&node.genesis(), &genesis.to_bytes(), false)?;
        let mut roles = BTreeSet::from([Role::Member]);
        if member.is_secretariat() {
            roles.insert(Role::Secretariat);
        }
        let request = JoinRequestBody {
            network: genesis.network_id(),
            member: *member,
            node_key: key.public(),
            encryption_key: EncryptionPublicKey::from_secret(encryption),
            created_at: clock::now(),
        };
        let certificate = trust::issue(
            &root,
            &genesis,
            &request,
            roles,
            trust::DEFAULT_CERTIFICATE_DAYS,
        )?;
        files::write_new(&node.certificate(), &certificate.to_bytes(), false)?;
        replicas.push((node.clone(), Replica::open(&node, cache_mib)?));
    }

    // The secretariat announces every member; members publish their samples.
    let secretariat = &replicas[0].1;
    for (_, replica) in &replicas[1..] {
        let head = secretariat.store.head(&secretariat.key.public())?;
        let entry = Entry::sign(
            &secretariat.key,
            genesis.network_id(),
            head.as_ref(),
            clock::now(),
            Body::Admit(replica.certificate.clone()),
        );
        secretariat.store.apply(entry, clock::now())?;
    }
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
        .collect::<Result<_>>()?;
    let digests: BTreeSet<_> = statuses.iter().map(|status| status.digest).collect();
    if as_json {
        output::json(&statuses);
    } else {
        println!("network {} in {}", founded.network, dir.display());
        println!(
            "{published} sample records published, {copied} entries copied between replicas\n"
        );
        let rows: Vec<Vec<String>> = replicas
            .iter()
            .zip(&statuses)
            .map(|((node, _), status)| {
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
        let last = dir.join(format!("node{}", replicas.len() - 1));
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
            "  {bureau} --dir {} publish sltd --number \"P 1234-567\" --type passport --loss stolen",
            dir.join("node1").display()
        );
        println!(
            "  {bureau} --dir {} sync --from {}",
            last.display(),
            dir.join("node1").display()
        );
        println!("  {bureau} --dir {} status", last.display());
    }
    if digests.len() != 1 {
        bail!(
            "replicas did not converge: {} different digests",
            digests.len()
        );
    }
    Ok(())
}
