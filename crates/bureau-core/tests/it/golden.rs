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

const GENESIS_HEX: &str = "0106676f6c64656ed885b2a3f99168cfacb192cd195863ad2b2c3672adff0036c20eb16767337c36fd007c291f9401000001172f6970342f3132372e302e302e312f7463702f373030307fd6b3f970590e5f56a5bf7a9def111ba4803f03e7c6b3a4097cd695db6c4d19cee17ddb90af5c669d48814f89176afa51725d1bfc5bb6e1e94d9e643a40700d";
const NETWORK_ID_HEX: &str = "6f8da63a77844cf21b334b3f6349d40de15e314959e2f902a8e564d93f999c8f";
const CERTIFICATE_HEX: &str = "6f8da63a77844cf21b334b3f6349d40de15e314959e2f902a8e564d93f999c8f465241d6600150e886af24c1814b8cabeb2a8ef76953b9fe2be27f16295e95386b958a544924bdff523c0c38295c5b14c443b056785df548e869a162e819ead73ac7760100fd6349b7c1cdcc0500fd007c291f94010000fd00d48bcea20100005c9daa5810cd9c98c8132d66d12a8677301f4b5d7818b318fa47d0eab960762b337ab782e7eba42b9a0d196287c8b59239cbeabd51155027e15d09a3a6845a0e";
const ENTRY_HEX: &str = "6f8da63a77844cf21b334b3f6349d40de15e314959e2f902a8e564d93f999c8fd6600150e886af24c1814b8cabeb2a8ef76953b9fe2be27f16295e95386b958a026ee9bacfe3dd40952f5da442195fec91bd161ddaf0b3bf3a5e773f47f53acefffd01a8da769b0100003c7a3d1eb598a9a4e23e7f4efd0afa1853716da39841b38081507c97a5ff09b5faf46ebfafa3f6bc1d472739c5c419a292dc4cef1a58f9583514e040ae760bfe497e50be53474797051ae9b2ce3d686c6aa311df609627e3784fbd69ca6f64070100004652410270320100fbef07010100000a5020373635342d333231465241000101fbe407051101fbee07051001fbe9070b0201044c796f6e";
const ENTRY_HASH_HEX: &str = "7f402521008583ce4825152bd342aba8f3998a2b20b3352f4ceae4d564d0aff0";

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
