//! The offline trust flow: founding a network, a node asking to join, the root-key holder
//! admitting it. None of these touch the network.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Context, Result};
use crate::fail;
use bureau_core::certificate::{self, CertificateBody, JoinRequestBody, Role};
use bureau_core::quota::QuotaRule;
use bureau_core::{
    Certificate, EncryptionPublicKey, Genesis, JoinRequest, MemberCode, SecretKey, Timestamp,
};

use serde::{Deserialize, Serialize};

use crate::clock;
use crate::files::{self, NodeDir};

/// Appends one line to a file, synced, creating it owner-only.
fn append_line(path: &Path, line: &str) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    writeln!(file, "{line}")
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

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
pub fn genesis(
    dir: &Path,
    name: &str,
    bootstrap: Vec<String>,
    quotas: Vec<QuotaRule>,
) -> Result<Founded> {
    let root = SecretKey::from_seed(files::random_secret());
    let genesis = Genesis::create(&root, name, clock::now(), bootstrap, quotas)
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

/// One certificate the root key signed, as the issuance register beside the root key keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Issued {
    pub member: MemberCode,
    pub node_key: bureau_core::PublicKey,
    pub serial: u64,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// The certificate this one renews.
    #[serde(default)]
    pub renews: Option<u64>,
}

/// The issuance register of a root key: `ROOT.issued.jsonl` next to it, one line per
/// certificate signed, so a key is never given a second certificate by mistake.
pub fn register_path(root_key: &Path) -> std::path::PathBuf {
    let mut name = root_key.file_name().unwrap_or_default().to_os_string();
    name.push(".issued.jsonl");
    root_key.with_file_name(name)
}

/// Reads a root key's issuance register (empty when it does not exist yet).
pub fn read_register(root_key: &Path) -> Result<Vec<Issued>> {
    let path = register_path(root_key);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", path.display()));
        }
    };
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(number, line)| {
            serde_json::from_str(line).map_err(|error| {
                crate::Error::internal(format!(
                    "{} line {} is not a register line: {error}",
                    path.display(),
                    number + 1
                ))
            })
        })
        .collect()
}

/// Decides whether a key may get a certificate: a key with one already gets another only as a
/// renewal that names its latest certificate, for the same member.
pub fn check_renewal(
    held: &[(MemberCode, u64, Timestamp)],
    member: MemberCode,
    renews: Option<u64>,
) -> Result<()> {
    let latest = held
        .iter()
        .max_by_key(|(_, serial, not_before)| (*not_before, *serial));
    match (latest, renews) {
        (None, None) => Ok(()),
        (None, Some(serial)) => fail!(
            InvalidInput,
            "--renew {serial}: this key has no certificate to renew; admit it without --renew"
        ),
        (Some((_, serial, _)), None) => fail!(
            Conflict,
            "this key already has certificate {serial}; a second one for the same key is issued only as a renewal: add --renew {serial}"
        ),
        (Some((held_member, serial, _)), Some(renews)) => {
            if renews != *serial {
                fail!(
                    Conflict,
                    "--renew {renews}: the key's latest certificate is {serial}; a renewal names it"
                );
            }
            if *held_member != member {
                fail!(
                    Conflict,
                    "the key belongs to member {held_member}, not {member}: a renewal keeps the member"
                );
            }
            Ok(())
        }
    }
}

/// Signs a certificate for a join request with the root key. A key that already has a
/// certificate (in the register beside the root key) gets a second one only when `renews`
/// names its latest one; every certificate issued is added to the register.
/// What `bureau admit` is asked to sign.
#[derive(Debug, Clone, Copy)]
pub struct Admission<'a> {
    /// The root key file.
    pub root_key: &'a Path,
    pub genesis: &'a Path,
    /// The node's join request.
    pub request: &'a Path,
    /// Give the secretariat role (member XGS only).
    pub secretariat: bool,
    pub valid_days: u32,
    /// Where to write the certificate.
    pub out: &'a Path,
    /// For a renewal: the serial of the key's certificate it renews.
    pub renews: Option<u64>,
}

pub fn admit(admission: &Admission) -> Result<Certificate> {
    let Admission {
        root_key,
        genesis: genesis_path,
        request: request_path,
        secretariat,
        valid_days,
        out,
        renews,
    } = *admission;
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
    if out.exists() {
        fail!(
            Conflict,
            "{} already exists; refusing to overwrite it (move it aside first)",
            out.display()
        );
    }
    let register = read_register(root_key)?;
    let held: Vec<(MemberCode, u64, Timestamp)> = register
        .iter()
        .filter(|issued| issued.node_key == request.body.node_key)
        .map(|issued| (issued.member, issued.serial, issued.not_before))
        .collect();
    check_renewal(&held, member, renews)?;
    let certificate = issue(&root, &genesis, &request.body, roles, valid_days)?;
    files::write_new(out, &certificate.to_bytes(), false)?;
    let line = serde_json::to_string(&Issued {
        member,
        node_key: request.body.node_key,
        serial: certificate.body.serial,
        not_before: certificate.body.not_before,
        not_after: certificate.body.not_after,
        renews,
    })
    .map_err(|error| crate::Error::internal(error.to_string()))?;
    append_line(&register_path(root_key), &line)?;
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
