//! Shared fixtures: a member's node directory in a fresh network, and the service on it.

use bureau_core::testkit::{self, TestNetwork};
use bureau_service::Service;
use bureau_service::files::{self, NodeDir};

/// Member `index`'s node directory in a temporary directory, and the service on it (offline,
/// allowed to sign).
pub fn service_for(network: &TestNetwork, index: usize) -> (tempfile::TempDir, Service) {
    let temp = tempfile::tempdir().expect("tempdir");
    let member = &network.members[index];
    let dir = NodeDir::new(temp.path().join(member.certificate.member().to_string()));
    files::write_secret(&dir.node_key(), &member.key.seed()).expect("node key");
    files::write_secret(
        &dir.encryption_key(),
        &testkit::encryption_secret(member.certificate.member()),
    )
    .expect("encryption key");
    files::write_new(&dir.genesis(), &network.genesis.to_bytes(), false).expect("genesis");
    files::write_new(&dir.certificate(), &member.certificate.to_bytes(), false)
        .expect("certificate");
    let service = Service::offline(&dir, 8 << 20, true).expect("open the replica");
    (temp, service)
}
