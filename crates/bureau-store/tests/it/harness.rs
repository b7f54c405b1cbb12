//! Shared fixtures: a seeded network and a store in a temporary directory that knows its
//! members' certificates.

use bureau_core::testkit::TestNetwork;
use bureau_store::{Config, Store};

/// Small cache: many stores may be open at once in tests.
pub const TEST_CACHE_BYTES: u64 = 4 * 1024 * 1024;

pub struct TestStore {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

pub fn config(path: &std::path::Path) -> Config {
    let mut config = Config::new(path);
    config.cache_capacity_bytes = TEST_CACHE_BYTES;
    config
}

/// Opens a fresh store for `network` and teaches it every member's certificate.
pub fn open(network: &TestNetwork) -> TestStore {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = open_at(network, &dir.path().join("store"));
    TestStore { store, dir }
}

pub fn open_at(network: &TestNetwork, path: &std::path::Path) -> Store {
    let store = Store::open(&config(path), &network.genesis).expect("store opens");
    for certificate in network.certificates() {
        store
            .learn_certificate(&certificate)
            .expect("fixture certificates verify");
    }
    store
}
