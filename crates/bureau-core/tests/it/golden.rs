//! Golden byte vectors: the canonical encodings of a genesis, a certificate and an entry are
//! frozen here. If one of these tests fails, the wire format changed: every signature and hash
//! in existing networks would break. Change the format only on purpose, with a version bump.

use bureau_core::codec;
use bureau_core::entry::Entry;
use bureau_core::testkit::TestNetwork;
use bureau_core::{Certificate, Genesis};

fn network() -> TestNetwork {
    let mut network = TestNetwork::new("golden", &["XGS", "FRA"]);
    network.put_document(1, "p1", "P 1234-567");
    network
}

fn hex_of(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

#[test]
fn genesis_encoding_is_frozen() {
    let network = network();
    let bytes = network.genesis.to_bytes();
    assert_eq!(hex_of(&bytes), GENESIS_HEX, "genesis encoding changed");
    assert_eq!(Genesis::from_bytes(&bytes), Ok(network.genesis.clone()));
    assert_eq!(network.genesis.network_id().to_string(), NETWORK_ID_HEX);
}

#[test]
fn certificate_encoding_is_frozen() {
    let network = network();
    let bytes = network.members[1].certificate.to_bytes();
    assert_eq!(
        hex_of(&bytes),
        CERTIFICATE_HEX,
        "certificate encoding changed"
    );
    assert_eq!(
        Certificate::from_bytes(&bytes),
        Ok(network.members[1].certificate.clone())
    );
}

#[test]
fn entry_encoding_is_frozen() {
    let mut network = network();
    let entry = network.put_document(1, "p2", "P 7654-321");
    let bytes = entry.to_bytes();
    assert_eq!(hex_of(&bytes), ENTRY_HEX, "entry encoding changed");
    assert_eq!(Entry::from_bytes(&bytes), Ok(entry.clone()));
    assert_eq!(entry.hash().to_string(), ENTRY_HASH_HEX);
}

/// Decoding refuses trailing bytes and over-limit inputs, and never panics on garbage.
#[test]
fn decoding_is_strict_and_total() {
    let network = network();
    let mut bytes = network.members[1].certificate.to_bytes();
    bytes.push(0);
    assert!(Certificate::from_bytes(&bytes).is_err());
    let huge = vec![0u8; codec::MAX_ENTRY_BYTES + 1];
    assert!(matches!(
        Entry::from_bytes(&huge),
        Err(codec::DecodeError::TooLarge { .. })
    ));
    // Every prefix and every single-byte corruption of a valid entry decodes or errors cleanly.
    let entry = network.clone().put_document(1, "p3", "P3").to_bytes();
    for len in 0..entry.len() {
        let _ = Entry::from_bytes(&entry[..len]);
    }
    for position in 0..entry.len() {
        let mut corrupted = entry.clone();
        corrupted[position] ^= 0xff;
        let _ = Entry::from_bytes(&corrupted);
    }
    // A length prefix claiming a huge string must not allocate it.
    let _ = Entry::from_bytes(&[0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
}

const GENESIS_HEX: &str = "0206676f6c64656ed885b2a3f99168cfacb192cd195863ad2b2c3672adff0036c20eb16767337c36fd007c291f9401000001172f6970342f3132372e302e302e312f7463702f373030300b000000fc80f0fa02fd0000000008000000000001fc80969800fd0000000002000000000002fc404b4c00fd0000000004000000000003fc404b4c00fd0000000001000000000004fc40420f00fd0000000001000000000005fc40420f00fc00000040000006fc404b4c00fd0000000001000000000007fc80841e00fd0000000001000000000008fc80841e00fc00000080000009fc80841e00fc000000800001fc404b4c00fd000000000200000046b28570ba6f4053ce17dfe141589eb1d6b210585b64d74894b8271cd94f7f585626735f67c065803cc4baaf373ccd47856ccf4e720ed23abdcb2d3642dc0e0e";
const NETWORK_ID_HEX: &str = "5b6371d18ff33e82d4c794042d9d25a5c91bee9398b765b7eeecd6d127c339c1";
const CERTIFICATE_HEX: &str = "5b6371d18ff33e82d4c794042d9d25a5c91bee9398b765b7eeecd6d127c339c1465241d6600150e886af24c1814b8cabeb2a8ef76953b9fe2be27f16295e95386b958a544924bdff523c0c38295c5b14c443b056785df548e869a162e819ead73ac7760100fd619df77a8e9b1000fd007c291f94010000fd00d48bcea20100000892e495b0942a2461313ab332b0a0db9e1f855ccd6d31cf6cab0b04134f2c6426f7e83ffac45dbb47e4a36bf9534d9b4c69e61312121be4c3cf2388d6eb1806";
const ENTRY_HEX: &str = "5b6371d18ff33e82d4c794042d9d25a5c91bee9398b765b7eeecd6d127c339c1d6600150e886af24c1814b8cabeb2a8ef76953b9fe2be27f16295e95386b958a02bc671300dd2556552f04443b8bf5f25390a7bc28a08e44f4f9e561d812222d0afd01a8da769b0100003c7a3d1eb598a9a4e23e7f4efd0afa1853716da39841b38081507c97a5ff09b57a6bc350f25e535e364c258f3bbdc1f421c9ce5a4da5edf6b6961c8c200922f5fc54d847e2346c4193882fc13655af941a48964374f7e09aa0c52847a908b80c0100004652410270320100fbef07010100000a5020373635342d333231465241000101fbe407051101fbee07051001fbe9070b0201044c796f6e";
const ENTRY_HASH_HEX: &str = "6319cfadb832ebbf70f2df0456a5fbde43dd18811d07fef5977adc733b41a928";

/// A value has one encoding: bytes from a peer that decode to a value whose canonical encoding
/// differs (here a varint written longer than needed) are refused, so one entry cannot travel
/// under many encodings.
#[test]
fn only_the_canonical_encoding_is_accepted_from_peers() {
    use bureau_core::codec::{self, DecodeError};
    let long_five = [251u8, 5, 0];
    assert_eq!(
        codec::decode::<u64, 16>(&long_five),
        Ok(5),
        "bincode alone accepts it"
    );
    assert_eq!(
        codec::decode_canonical::<u64, 16>(&long_five),
        Err(DecodeError::NotCanonical)
    );
    assert_eq!(codec::decode_canonical::<u64, 16>(&[5]), Ok(5));

    let mut network = bureau_core::testkit::TestNetwork::new("canonical", &["FRA"]);
    let entry = network.put_document(0, "p1", "P1");
    let bytes = entry.to_bytes();
    assert_eq!(bureau_core::Entry::from_bytes(&bytes), Ok(entry.clone()));
    // The header's seq (1) is its first varint after the network id and author key; write it
    // the long way.
    let mut reencoded = Vec::new();
    let seq_at = 32 + 32;
    reencoded.extend_from_slice(&bytes[..seq_at]);
    assert_eq!(
        bytes[seq_at], 1,
        "the seq follows the network id and the author"
    );
    reencoded.extend_from_slice(&[251, 1, 0]);
    reencoded.extend_from_slice(&bytes[seq_at + 1..]);
    assert_eq!(
        bureau_core::Entry::from_bytes(&reencoded),
        Err(DecodeError::NotCanonical)
    );
}
