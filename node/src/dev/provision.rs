//! Making a whole local network at once: a genesis, a root key and one admitted node directory
//! per member, the secretariat first. The secretariat's log starts with an `Admit` entry for
//! every member, so every replica learns every certificate. Used by `sandbox` and `devnet`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use bureau_core::certificate::{JoinRequestBody, Role};
use bureau_core::{EncryptionPublicKey, Genesis, MemberCode, SecretKey};

use super::sample;
use bureau_service::files::{self, NodeDir};
use bureau_service::replica::Replica;
use bureau_service::{clock, trust};

/// Most member nodes (besides the secretariat) a local network gets: one per ISO 3166 country
/// ([`sample::member_codes`]).
pub const MAX_LOCAL_MEMBERS: usize = 249;

/// A local network on disk.
#[derive(Debug)]
pub struct LocalNetwork {
    pub dir: PathBuf,
    pub genesis: Genesis,
    /// `node0` is the secretariat; `node1..` the members, in [`sample::member_codes`] order.
    pub nodes: Vec<NodeDir>,
}

/// The member codes of a local network with `members` members.
pub fn codes(members: usize) -> Result<Vec<MemberCode>> {
    if !(1..=MAX_LOCAL_MEMBERS).contains(&members) {
        bail!("a local network has 1 to {MAX_LOCAL_MEMBERS} members besides the secretariat");
    }
    let mut codes = vec![MemberCode::SECRETARIAT];
    for code in &sample::member_codes()[..members] {
        codes.push(code.parse::<MemberCode>()?);
    }
    Ok(codes)
}

/// Creates the network in `dir` (which must not exist yet). With `key_seed`, node and
/// encryption keys are derived from it and the node's index, so peer ids repeat across runs.
pub fn create(
    dir: &Path,
    name: &str,
    members: usize,
    cache_bytes: u64,
    key_seed: Option<u64>,
) -> Result<LocalNetwork> {
    let secret = |index: usize, label: &str| match key_seed {
        Some(seed) => {
            bureau_core::Hash::of(
                b"bureau/devnet/seeded-key\0",
                &[
                    &seed.to_be_bytes(),
                    &(index as u64).to_be_bytes(),
                    label.as_bytes(),
                ],
            )
            .0
        }
        None => files::random_secret(),
    };
    let codes = codes(members)?;
    if dir.exists() {
        bail!(
            "{} already exists; remove it or pass another --dir",
            dir.display()
        );
    }
    let founded = trust::genesis(dir, name, vec![], bureau_core::quota::default_rules())?;
    let genesis = files::read_genesis(&founded.genesis, "just written")?;
    let root = files::read_key(&founded.root_key, "root key", "just written")?;
    let mut nodes = Vec::new();
    let mut certificates = Vec::new();
    for (index, member) in codes.iter().enumerate() {
        let node = NodeDir::new(dir.join(format!("node{index}")));
        let key = SecretKey::from_seed(secret(index, "node"));
        let encryption = secret(index, "encryption");
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
        certificates.push(certificate);
        nodes.push(node);
    }
    let secretariat = Replica::open(&nodes[0], cache_bytes)?;
    for certificate in certificates.into_iter().skip(1) {
        secretariat.admit(certificate, None)?;
    }
    Ok(LocalNetwork {
        dir: dir.to_owned(),
        genesis,
        nodes,
    })
}
