//! The offline trust flow: founding a network, a node asking to join, the root-key holder
//! admitting it. None of these touch the network.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Context, Result};
use crate::fail;
use bureau_core::certificate::{self, CertificateBody, JoinRequestBody, Role};
use bureau_core::{
    Certificate, EncryptionPublicKey, Genesis, JoinRequest, MemberCode, SecretKey, Timestamp,
};

use crate::clock;
use crate::files::{self, NodeDir};

/// How long a certificate is valid unless `--valid-days` says otherwise.
pub const DEFAULT_CERTIFICATE_DAYS: u32 = 730;
/// Longest validity `bureau admit` will sign.
pub const MAX_CERTIFICATE_DAYS: u32 = 3650;

/// What `bureau genesis` made.
#[derive(Debug)]
pub struct Founded {
    pub root_key: PathBuf,
    pub genesis: PathBuf,
    pub network: String,
}

/// Creates a root key and a genesis in `dir`.
pub fn genesis(dir: &Path, name: &str, bootstrap: Vec<String>) -> Result<Founded> {
    let root = SecretKey::from_seed(files::random_secret());
    let genesis = Genesis::create(&root, name, clock::now(), bootstrap)
        .context("cannot create the genesis")?;
    let root_key = dir.join(files::ROOT_KEY);
    let genesis_path = dir.join(files::GENESIS);
    if genesis_path.exists() {
        fail!(
            Conflict,
            "{} already exists; refusing to found a second network there",
            genesis_path.display()
        );
    }
    files::write_secret(&root_key, &root.seed())?;
    files::write_new(&genesis_path, &genesis.to_bytes(), false)?;
    Ok(Founded {
        root_key,
        genesis: genesis_path,
        network: genesis.network_id().to_string(),
    })
}

/// Creates a node's keys in `dir`, copies the genesis there and writes a join request.
pub fn init(dir: &NodeDir, member: MemberCode, genesis_path: &Path) -> Result<PathBuf> {
    let genesis = files::read_genesis(genesis_path, "the genesis file `bureau genesis` wrote")?;
    if dir.node_key().exists() {
        fail!(
            Conflict,
            "{} already exists; this directory already has a node key",
            dir.node_key().display()
        );
    }
    let key = SecretKey::from_seed(files::random_secret());
    let encryption_secret = files::random_secret();
    files::write_secret(&dir.node_key(), &key.seed())?;
    files::write_secret(&dir.encryption_key(), &encryption_secret)?;
    if dir.genesis() != genesis_path {
        files::write_new(&dir.genesis(), &genesis.to_bytes(), false)?;
    }
    let request = JoinRequest::new(
        &key,
        JoinRequestBody {
            network: genesis.network_id(),
            member,
            node_key: key.public(),
            encryption_key: EncryptionPublicKey::from_secret(encryption_secret),
            created_at: clock::now(),
        },
    );
    files::write_new(&dir.join_request(), &request.to_bytes(), false)?;
    Ok(dir.join_request())
}

/// Signs a certificate for a join request with the root key.
pub fn admit(
    root_key: &Path,
    genesis_path: &Path,
    request_path: &Path,
    secretariat: bool,
    valid_days: u32,
    out: &Path,
) -> Result<Certificate> {
    if !(1..=MAX_CERTIFICATE_DAYS).contains(&valid_days) {
        fail!(
            InvalidInput,
            "--valid-days must be between 1 and {MAX_CERTIFICATE_DAYS}"
        );
    }
    let genesis = files::read_genesis(genesis_path, "the genesis file `bureau genesis` wrote")?;
    let root = files::read_key(
        root_key,
        "root key",
        "the file `bureau genesis` wrote as root.key",
    )?;
    if root.public() != genesis.root_key() {
        fail!(
            InvalidInput,
            "{} is not the root key of the network in {}",
            root_key.display(),
            genesis_path.display()
        );
    }
    let bytes = files::read(
        request_path,
        "join request",
        "the node's join-request.bureau from `bureau init`",
    )?;
    let request = JoinRequest::from_bytes(&bytes)
        .with_context(|| format!("{} is not a join request", request_path.display()))?;
    request
        .verify(&genesis.network_id())
        .with_context(|| format!("{} is not valid for this network", request_path.display()))?;
    let member = request.body.member;
    if secretariat != member.is_secretariat() {
        fail!(
            InvalidInput,
            "the secretariat role goes with member code {} and only with it (request is for {member}); {}",
            MemberCode::SECRETARIAT,
            if secretariat {
                "drop --role secretariat"
            } else {
                "add --role secretariat"
            }
        );
    }
    let mut roles = BTreeSet::from([Role::Member]);
    if secretariat {
        roles.insert(Role::Secretariat);
    }
    let certificate = issue(&root, &genesis, &request.body, roles, valid_days)?;
    files::write_new(out, &certificate.to_bytes(), false)?;
    Ok(certificate)
}

/// Builds and signs a certificate valid from now for `valid_days`.
pub fn issue(
    root: &SecretKey,
    genesis: &Genesis,
    request: &JoinRequestBody,
    roles: BTreeSet<Role>,
    valid_days: u32,
) -> Result<Certificate> {
    let not_before = clock::now();
    let not_after = not_before.saturating_add(Duration::from_secs(u64::from(valid_days) * 86_400));
    let network = genesis.network_id();
    let body = CertificateBody {
        network,
        member: request.member,
        node_key: request.node_key,
        encryption_key: request.encryption_key,
        roles,
        serial: certificate::derive_serial(
            &network,
            &request.member,
            &request.node_key,
            not_before,
        ),
        not_before,
        not_after: Timestamp(not_after.0),
    };
    Certificate::issue(root, body).context("cannot issue the certificate")
}
