//! Feeds bytes to `Certificate::from_bytes` (certificates reach a node in a peer's hello, in
//! `Admit` entries and as files), then verifies what decodes against the network's root key.
//!
//! Protects: no panic on a certificate from anywhere; a verified certificate keeps the role
//! rules (the member role always; the secretariat role for XGS and only XGS) and a validity
//! period that is not empty; decode and encode agree.

#![no_main]

use bureau_core::Certificate;
use bureau_core::certificate::Role;
use bureau_core::codec::MAX_CERTIFICATE_BYTES;
use bureau_fuzz::check::round_trip;
use bureau_fuzz::fixture::fixture;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(certificate) = Certificate::from_bytes(data) else {
        return;
    };
    round_trip::<Certificate, MAX_CERTIFICATE_BYTES>(&certificate);
    let fixture = fixture();
    if certificate
        .verify(&fixture.network_id(), &fixture.root_key())
        .is_ok()
    {
        assert!(certificate.has_role(Role::Member));
        assert_eq!(
            certificate.has_role(Role::Secretariat),
            certificate.member().is_secretariat()
        );
        assert!(certificate.body.not_before <= certificate.body.not_after);
    }
});
