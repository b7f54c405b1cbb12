//! Feeds one direct-message frame to the codec (first byte even: a `DirectRequest`, limit
//! `MAX_DIRECT_BYTES + DIRECT_FRAME_OVERHEAD`; odd: a `DirectResponse`, limit
//! `MAX_DIRECT_RESPONSE_BYTES + DIRECT_FRAME_OVERHEAD`), then a request's payload to the node's
//! inbound handler as `bureau_service::mail::receive` runs it: `Signed::from_bytes`, then
//! `Signed::verify` against a store that knows the fixture members (opened once per process).
//!
//! Protects: no panic on a message or an answer from another member's node; a message is
//! accepted only with a valid signature of a current member; decode and encode agree.

#![no_main]

use std::sync::LazyLock;

use bureau_core::codec;
use bureau_core::keys::domain;
use bureau_fuzz::check::{round_trip, round_trip_encoding};
use bureau_fuzz::fixture::{GERMANY, fixture};
use bureau_fuzz::frame::{self, DECODE_LIMIT};
use bureau_net::config::{DIRECT_FRAME_OVERHEAD, MAX_DIRECT_BYTES, MAX_DIRECT_RESPONSE_BYTES};
use bureau_net::protocol::{DirectRequest, DirectResponse};
use bureau_service::mail::{MAX_MESSAGE_BYTES, Signed};
use bureau_store::Store;
use libfuzzer_sys::fuzz_target;

/// Germany's replica: a sled store in a temporary directory holding the fixture's certificates.
/// The handler only reads it, so every input meets the same store.
static STORE: LazyLock<Store> = LazyLock::new(|| {
    let fixture = fixture();
    let path = std::env::temp_dir().join(format!("bureau-fuzz-direct-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    let store = Store::open(&bureau_store::Config::new(&path), &fixture.network.genesis)
        .expect("a store opens in the temporary directory");
    for certificate in fixture.network.certificates() {
        store
            .learn_certificate(&certificate)
            .expect("fixture certificates verify");
    }
    store
});

fuzz_target!(|data: &[u8]| {
    let Some((tag, frame)) = data.split_first() else {
        return;
    };
    if tag % 2 == 1 {
        let limit = MAX_DIRECT_RESPONSE_BYTES + DIRECT_FRAME_OVERHEAD;
        if let Some(response) = frame::decode::<DirectResponse>(frame, limit) {
            round_trip_encoding::<DirectResponse, DECODE_LIMIT>(&response);
        }
        return;
    }
    let limit = MAX_DIRECT_BYTES + DIRECT_FRAME_OVERHEAD;
    let Some(request) = frame::decode::<DirectRequest>(frame, limit) else {
        return;
    };
    round_trip_encoding::<DirectRequest, DECODE_LIMIT>(&request);
    let Ok(signed) = Signed::from_bytes(&request.payload) else {
        return;
    };
    round_trip::<Signed, MAX_MESSAGE_BYTES>(&signed);
    let me = fixture().code(GERMANY);
    if signed.verify(&STORE, me).is_ok() {
        let valid = signed.author.verify(
            domain::DIRECT_MESSAGE,
            &codec::encode(&signed.message),
            &signed.signature,
        );
        assert!(
            valid.is_ok(),
            "an accepted message carries its author's signature"
        );
        assert_eq!(
            signed.message.to, me,
            "an accepted message is addressed here"
        );
    }
});
