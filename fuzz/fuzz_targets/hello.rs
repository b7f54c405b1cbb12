//! Feeds one handshake frame to the codec (first byte even: a `Hello`, odd: a `HelloResponse`;
//! limit `MAX_HELLO_BYTES`), then checks the certificate it carries as the gate does: against
//! the network's root key, and the node key it names against the peer id it would connect from.
//!
//! Protects: no panic on the first bytes any peer sends, before it is known to be a member;
//! a certificate that verifies names a key whose peer id maps back to it; decode and encode
//! agree.

#![no_main]

use bureau_core::Certificate;
use bureau_fuzz::check::round_trip_encoding;
use bureau_fuzz::fixture::fixture;
use bureau_fuzz::frame::{self, DECODE_LIMIT};
use bureau_net::config::MAX_HELLO_BYTES;
use bureau_net::identity;
use bureau_net::protocol::{Hello, HelloResponse};
use libfuzzer_sys::fuzz_target;

fn gate(certificate: &Certificate) {
    let fixture = fixture();
    let verified = certificate.verify(&fixture.network_id(), &fixture.root_key());
    if let Some(peer) = identity::peer_id(&certificate.node_key()) {
        assert_eq!(
            identity::node_key(&peer),
            Some(certificate.node_key()),
            "a node key's peer id names the key"
        );
    } else {
        assert!(
            verified.is_err(),
            "a verified certificate names a usable key"
        );
    }
    let _ = certificate.is_valid_at(fixture.now);
}

fuzz_target!(|data: &[u8]| {
    let Some((tag, frame)) = data.split_first() else {
        return;
    };
    if tag % 2 == 0 {
        if let Some(hello) = frame::decode::<Hello>(frame, MAX_HELLO_BYTES) {
            round_trip_encoding::<Hello, DECODE_LIMIT>(&hello);
            gate(&hello.certificate);
        }
    } else if let Some(response) = frame::decode::<HelloResponse>(frame, MAX_HELLO_BYTES) {
        round_trip_encoding::<HelloResponse, DECODE_LIMIT>(&response);
        if let HelloResponse::Welcome { certificate, .. } = &response {
            gate(certificate);
        }
    }
});
