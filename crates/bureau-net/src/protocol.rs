//! What nodes say to each other: protocol names, the gossip topic, and the messages of the
//! membership handshake and of sync. Every name carries the network id, so two networks never
//! mix even if their nodes meet.

use std::collections::BTreeMap;

use bureau_core::{Certificate, Entry, ForkProof, Hash, Head, NetworkId, PublicKey, Timestamp};
use serde::{Deserialize, Serialize};

/// The certificate exchange that opens every connection.
pub fn handshake_protocol(network: &NetworkId) -> String {
    format!("/bureau/{}/hello/1", short(network))
}

/// Version-vector sync.
pub fn sync_protocol(network: &NetworkId) -> String {
    format!("/bureau/{}/sync/1", short(network))
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

/// Sent by each side right after a connection opens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub certificate: Certificate,
    /// A random number drawn when the process starts: two processes with one key (a copied
    /// node directory) show different instances, and the second is refused.
    pub instance: u64,
    /// The sender's clock when it sent this, so each side can tell whether its clock is off.
    pub time: Timestamp,
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
    /// must not sign, or the key's log forks.
    KeyInUse {
        reason: String,
    },
}

/// A pull: "here is what I hold; send me what I lack".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum SyncRequest {
    /// First step: just the digest, which settles the common case (already in sync) cheaply.
    Digest(Hash),
    /// Second step: every author's head.
    Heads(BTreeMap<PublicKey, Head>),
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
