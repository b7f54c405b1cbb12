//! What nodes say to each other: protocol names, the gossip topic, and the messages of the
//! membership handshake and of sync. Every name carries the network id, so two networks never
//! mix even if their nodes meet.

use std::collections::BTreeMap;

use bureau_core::{
    Certificate, Entry, ForkProof, Hash, Head, NetworkId, PublicKey, SecretKey, Signature,
    Timestamp,
};
use serde::{Deserialize, Serialize};

/// The certificate exchange that opens every connection.
pub fn handshake_protocol(network: &NetworkId) -> String {
    format!("/bureau/{}/hello/2", short(network))
}

/// Version-vector sync.
pub fn sync_protocol(network: &NetworkId) -> String {
    format!("/bureau/{}/sync/2", short(network))
}

/// Direct messages between two members' nodes (hit notices, SIENA-style messages).
pub fn direct_protocol(network: &NetworkId) -> String {
    format!("/bureau/{}/direct/1", short(network))
}

/// Kademlia, kept apart from the public IPFS DHT.
pub fn kad_protocol(network: &NetworkId) -> String {
    format!("/bureau/{}/kad/1", short(network))
}

/// Identify's protocol version string.
pub fn identify_version(network: &NetworkId) -> String {
    format!("/bureau/{}/1", short(network))
}

/// The gossip topic of signed entries.
pub fn entries_topic(network: &NetworkId) -> String {
    format!("bureau/{network}/entries/1")
}

/// The gossip topic of fork proofs: rare, small, and needed everywhere fast.
pub fn forks_topic(network: &NetworkId) -> String {
    format!("bureau/{network}/forks/1")
}

fn short(network: &NetworkId) -> String {
    network.to_string()[..16].to_owned()
}

/// Domain of the signature on a [`Hello`].
const HELLO_DOMAIN: &[u8] = b"bureau/v1/sign/hello\0";

/// Sent by each side right after a connection opens, and again to each member every
/// `Config::presence_interval` (so a peer always holds a recent one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub certificate: Certificate,
    /// A random number drawn when the process starts: two processes with one key (a copied
    /// node directory) show different instances, and the second is refused.
    pub instance: u64,
    /// The sender's clock when it sent this, so each side can tell whether its clock is off.
    pub time: Timestamp,
    /// The node key's signature over the network, `instance` and `time`: a third party can
    /// check that the key's holder ran this instance at that time (the proof a `KeyInUse`
    /// carries).
    pub signature: Signature,
}

impl Hello {
    /// A hello signed with `key` (the certificate's node key).
    pub fn signed(
        key: &SecretKey,
        network: &NetworkId,
        certificate: Certificate,
        instance: u64,
        time: Timestamp,
    ) -> Hello {
        let signature = key.sign(HELLO_DOMAIN, &hello_message(network, instance, time));
        Hello {
            certificate,
            instance,
            time,
            signature,
        }
    }

    /// Whether the certificate's node key signed this hello for `network`.
    pub fn is_signed(&self, network: &NetworkId) -> bool {
        let message = hello_message(network, self.instance, self.time);
        self.certificate
            .node_key()
            .verify(HELLO_DOMAIN, &message, &self.signature)
            .is_ok()
    }
}

fn hello_message(network: &NetworkId, instance: u64, time: Timestamp) -> Vec<u8> {
    bureau_core::codec::encode(&(network, instance, time))
}

/// The answer to a [`Hello`]: the responder's own certificate, or why it refuses.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum HelloResponse {
    Welcome {
        certificate: Certificate,
        time: Timestamp,
    },
    Refused {
        reason: String,
    },
    /// Another process with the same key (another instance) is connected here: the second one
    /// must not sign, or the key's log forks. `proof` is that process's latest hello, signed
    /// with the key after the newcomer's hello was sent; the newcomer believes it only if it
    /// checks out (its own key, another instance, signed after it started).
    KeyInUse {
        reason: String,
        proof: Box<Hello>,
    },
}

/// A pull: "here is what I hold; send me what I lack".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum SyncRequest {
    /// First step: just the digest, which settles the common case (already in sync) cheaply.
    Digest(Hash),
    /// Second step: every author's head, and how large an answer the requester takes.
    Heads {
        heads: BTreeMap<PublicKey, Head>,
        limits: SyncLimits,
    },
}

/// How large an answer of entries a requester takes. The responder sends at most the smaller
/// of these and its own limits (`SYNC_BATCH_ENTRIES`, `SYNC_BATCH_BYTES`), and charges the
/// requester's sync budget for what it asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncLimits {
    pub max_entries: u32,
    pub max_bytes: u32,
}

/// The answer to a [`SyncRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum SyncResponse {
    /// Same digest: nothing to send.
    InSync,
    /// Digests differ: send your heads.
    SendHeads,
    /// Entries the requester lacks; `complete` is false when a limit cut the batch short.
    /// `proofs` are the `Erase` entries that allow some of them to come without bodies.
    Entries {
        entries: Vec<Entry>,
        complete: bool,
        proofs: Vec<Entry>,
        /// Every fork proof the responder holds (one per forked key), applied first.
        forks: Vec<ForkProof>,
    },
    /// Over the rate limit or too busy: try later.
    Busy,
    /// The requester is not a verified member.
    Refused,
}

/// A direct message: bytes the sending node has built and signed; the network only carries them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectRequest {
    pub payload: Vec<u8>,
}

/// The answer to a [`DirectRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum DirectResponse {
    /// The receiving node's answer (its acknowledgement).
    Answer(Vec<u8>),
    /// The receiving node handled the message and answered with an error.
    Rejected(String),
    /// Too many messages waiting on the receiver: send again later.
    Busy,
    /// The sender is not a verified member here.
    Refused(String),
}
