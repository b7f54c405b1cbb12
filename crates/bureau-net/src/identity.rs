//! The bridge between our keys and libp2p's: the node key is the libp2p identity, so a peer id
//! names exactly one ed25519 key, which a certificate binds to a member.

use bureau_core::{PublicKey, SecretKey};
use libp2p::{PeerId, identity};

/// The libp2p keypair of a node key (same seed, same public key).
pub fn keypair(key: &SecretKey) -> identity::Keypair {
    identity::Keypair::ed25519_from_bytes(key.seed())
        .expect("a 32-byte seed is always a valid ed25519 secret key")
}

/// The peer id of a node key.
pub fn peer_id(key: &PublicKey) -> Option<PeerId> {
    let public = identity::ed25519::PublicKey::try_from_bytes(key.as_bytes()).ok()?;
    Some(identity::PublicKey::from(public).to_peer_id())
}

/// The node key inside a peer id. An ed25519 peer id is an identity multihash of the protobuf
/// public key, so the key can be read back; other key types have none.
pub fn node_key(peer: &PeerId) -> Option<PublicKey> {
    let bytes = peer.to_bytes();
    if bytes.len() < 2 || bytes[0] != 0x00 || usize::from(bytes[1]) != bytes.len() - 2 {
        return None;
    }
    let public = identity::PublicKey::try_decode_protobuf(&bytes[2..]).ok()?;
    Some(PublicKey(public.try_into_ed25519().ok()?.to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_ids_and_node_keys_round_trip() {
        let key = SecretKey::from_seed([7; 32]);
        let peer = keypair(&key).public().to_peer_id();
        assert_eq!(peer_id(&key.public()), Some(peer));
        assert_eq!(node_key(&peer), Some(key.public()));
    }
}
