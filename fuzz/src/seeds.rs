//! The seed corpus: for each target, real encodings of what a peer sends, built from the
//! fixture (whose first entries and certificates are the golden vectors, checked here against
//! the hex frozen in `crates/bureau-core/tests/it/golden.rs`).
//!
//! Targets that take two message types (`hello`, `direct`, `sealed`) read a first byte that
//! picks one (even: the request or the encoded body; odd: the response or the plaintext).

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use bureau_core::codec;
use bureau_core::keys::domain;
use bureau_core::{Body, Certificate, Entry, Hash, Timestamp};
use bureau_net::protocol::{
    DirectRequest, DirectResponse, Hello, HelloResponse, SyncLimits, SyncRequest, SyncResponse,
};
use bureau_service::mail::{Content, Handling, HitNotice, Message, Signed};

use crate::fixture::{FRANCE, Fixture, GERMANY, SECRETARIAT, fixture};

/// The golden certificate (France's) and entry (France's second), as frozen in
/// `crates/bureau-core/tests/it/golden.rs`.
const GOLDEN_CERTIFICATE_HEX: &str = "5b6371d18ff33e82d4c794042d9d25a5c91bee9398b765b7eeecd6d127c339c1465241d6600150e886af24c1814b8cabeb2a8ef76953b9fe2be27f16295e95386b958a544924bdff523c0c38295c5b14c443b056785df548e869a162e819ead73ac7760100fd619df77a8e9b1000fd007c291f94010000fd00d48bcea20100000892e495b0942a2461313ab332b0a0db9e1f855ccd6d31cf6cab0b04134f2c6426f7e83ffac45dbb47e4a36bf9534d9b4c69e61312121be4c3cf2388d6eb1806";
const GOLDEN_ENTRY_HEX: &str = "5b6371d18ff33e82d4c794042d9d25a5c91bee9398b765b7eeecd6d127c339c1d6600150e886af24c1814b8cabeb2a8ef76953b9fe2be27f16295e95386b958a02bc671300dd2556552f04443b8bf5f25390a7bc28a08e44f4f9e561d812222d0afd01a8da769b0100003c7a3d1eb598a9a4e23e7f4efd0afa1853716da39841b38081507c97a5ff09b57a6bc350f25e535e364c258f3bbdc1f421c9ce5a4da5edf6b6961c8c200922f5fc54d847e2346c4193882fc13655af941a48964374f7e09aa0c52847a908b80c0100004652410270320100fbef07010100000a5020373635342d333231465241000101fbe407051101fbee07051001fbe9070b0201044c796f6e";

/// Every target's seeds: `(target, seeds)`.
pub fn all() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let fixture = fixture();
    check_golden(fixture);
    vec![
        ("entry", entry_seeds(fixture)),
        ("sync_request", sync_request_seeds(fixture)),
        ("sync_response", sync_response_seeds(fixture)),
        ("direct", direct_seeds(fixture)),
        ("hello", hello_seeds(fixture)),
        ("sealed", sealed_seeds(fixture)),
        ("fork_proof", fork_proof_seeds(fixture)),
        ("erasure_proof", erasure_proof_seeds(fixture)),
        ("certificate", certificate_seeds(fixture)),
    ]
}

/// Writes every target's seeds into `corpus/<target>/seed-<n>`; returns how many per target.
pub fn write(corpus: &Path) -> io::Result<Vec<(&'static str, usize)>> {
    let mut written = Vec::new();
    for (target, seeds) in all() {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir)?;
        for (index, seed) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{index:03}")), seed)?;
        }
        written.push((target, seeds.len()));
    }
    Ok(written)
}

fn check_golden(fixture: &Fixture) {
    let certificate = fixture.network.members[FRANCE].certificate.to_bytes();
    assert_eq!(
        hex::encode(certificate),
        GOLDEN_CERTIFICATE_HEX,
        "the fixture's certificate is no longer the golden one: update the hex here from golden.rs"
    );
    assert_eq!(
        hex::encode(fixture.entries[1].to_bytes()),
        GOLDEN_ENTRY_HEX,
        "the fixture's entry is no longer the golden one: update the hex here from golden.rs"
    );
}

fn hex_seed(text: &str) -> Vec<u8> {
    hex::decode(text).expect("the golden vectors are hex")
}

/// A frame with the first byte that picks a target's message type.
fn tagged(tag: u8, bytes: Vec<u8>) -> Vec<u8> {
    let mut tagged = vec![tag];
    tagged.extend(bytes);
    tagged
}

fn entry_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    let mut seeds = vec![hex_seed(GOLDEN_ENTRY_HEX)];
    seeds.extend(fixture.entries.iter().map(Entry::to_bytes));
    seeds.extend(fixture.forked_entries.iter().map(Entry::to_bytes));
    // An erased entry travels without its body.
    let mut bodiless = fixture.entries[0].clone();
    bodiless.body = None;
    seeds.push(bodiless.to_bytes());
    // The bodies no fixture log holds: an audit witness and a sealed cancellation.
    let member = &fixture.network.members[FRANCE];
    let witness = bureau_core::AuditWitness {
        seq: 12,
        hash: Hash::of(b"fuzz seed\0", &[]),
        len: 4104,
    };
    let at = fixture.now;
    seeds.push(
        Entry::sign(
            &member.key,
            fixture.network_id(),
            None,
            at,
            Body::AuditWitness(witness),
        )
        .to_bytes(),
    );
    let cancel = bureau_core::entry::Cancel {
        key: "firearms/FRA/s0123456789abcdef01234567"
            .parse()
            .expect("a reference"),
        version: 2,
        reason: "seized".into(),
    };
    let reader = member.certificate.body.encryption_key;
    if let Ok(entry) = Entry::sign_sealed_cancel(
        &member.key,
        fixture.network_id(),
        None,
        at,
        cancel,
        &[reader],
        [4; 32],
    ) {
        seeds.push(entry.to_bytes());
    }
    seeds
}

fn sync_request_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    vec![
        codec::encode(&SyncRequest::Digest(Hash([3; 32]))),
        codec::encode(&SyncRequest::Heads {
            heads: fixture.replica.heads(),
            limits: SyncLimits {
                max_entries: 1024,
                max_bytes: 1 << 20,
            },
        }),
        codec::encode(&SyncRequest::Heads {
            heads: BTreeMap::new(),
            limits: SyncLimits {
                max_entries: 0,
                max_bytes: 0,
            },
        }),
    ]
}

fn sync_response_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    let erase = fixture.entries_of("erase");
    let mut bodiless = fixture.entries[0].clone();
    bodiless.body = None;
    let entries = |entries: Vec<Entry>, proofs: Vec<Entry>, forks| {
        codec::encode(&SyncResponse::Entries {
            entries,
            complete: true,
            proofs,
            forks,
        })
    };
    vec![
        codec::encode(&SyncResponse::InSync),
        codec::encode(&SyncResponse::SendHeads),
        codec::encode(&SyncResponse::Busy),
        codec::encode(&SyncResponse::Refused),
        entries(fixture.entries.clone(), Vec::new(), fixture.forks.clone()),
        entries(
            vec![bodiless],
            erase.into_iter().cloned().collect(),
            Vec::new(),
        ),
        entries(fixture.forked_entries.clone(), Vec::new(), Vec::new()),
        entries(Vec::new(), Vec::new(), fixture.forks.clone()),
    ]
}

fn signed_message(fixture: &Fixture, content: Content) -> Vec<u8> {
    let message = Message {
        id: "0123456789abcdef01234567".into(),
        network: fixture.network_id(),
        from: fixture.code(FRANCE),
        to: fixture.code(GERMANY),
        sent_at: fixture.now,
        content,
    };
    let key = &fixture.network.members[FRANCE].key;
    Signed {
        signature: key.sign(domain::DIRECT_MESSAGE, &codec::encode(&message)),
        author: key.public(),
        message,
    }
    .to_bytes()
}

fn direct_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    let contents = [
        Content::Text {
            handling: Handling::H2,
            subject: "Stolen Peugeot".into(),
            text: "Please confirm the plate AB-123-CD.".into(),
        },
        Content::Hit(HitNotice {
            references: vec!["vehicles/FRA/car1".parse().expect("a valid key")],
            searched_at: Timestamp(fixture.now.0 - 1000),
            place: Some("Kehl border post".into()),
            purpose: Some("border check".into()),
            query: "1M8GDM9AXKP042788".into(),
        }),
        Content::HitReply {
            hit: "0123456789abcdef01234567".into(),
            confirmed: true,
            action: "seize the vehicle".into(),
        },
    ];
    let mut seeds: Vec<Vec<u8>> = contents
        .into_iter()
        .map(|content| {
            let payload = signed_message(fixture, content);
            tagged(0, codec::encode(&DirectRequest { payload }))
        })
        .collect();
    for response in [
        DirectResponse::Answer(b"ack:0123456789abcdef01234567".to_vec()),
        DirectResponse::Rejected("the message is for FRA, not DEU".into()),
        DirectResponse::Busy,
        DirectResponse::Refused("not a member".into()),
    ] {
        seeds.push(tagged(1, codec::encode(&response)));
    }
    seeds
}

fn hello_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    let network = fixture.network.genesis.network_id();
    let hellos: Vec<Hello> = fixture
        .network
        .members
        .iter()
        .map(|member| {
            Hello::signed(
                &member.key,
                &network,
                member.certificate.clone(),
                0x1234_5678_9abc_def0,
                fixture.now,
            )
        })
        .collect();
    let mut seeds: Vec<Vec<u8>> = hellos
        .iter()
        .map(|hello| tagged(0, codec::encode(hello)))
        .collect();
    for response in [
        HelloResponse::Welcome {
            certificate: hellos[SECRETARIAT].certificate.clone(),
            time: fixture.now,
        },
        HelloResponse::Refused {
            reason: "the certificate has expired: ask the secretariat for a renewal".into(),
        },
        HelloResponse::KeyInUse {
            reason: "another process with this node's key is already connected".into(),
            proof: Box::new(hellos[SECRETARIAT].clone()),
        },
    ] {
        seeds.push(tagged(1, codec::encode(&response)));
    }
    seeds
}

fn sealed_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    let (_, sealed) = fixture.sealed_entry();
    let mut seeds = vec![tagged(0, codec::encode(sealed))];
    // Plaintexts: `(review_reason, data)`, the encoding of the sealed content.
    for entry in fixture.entries_of("put") {
        if let Some(Body::Put(record)) = &entry.body {
            let content = (&record.review_reason, &record.data);
            seeds.push(tagged(1, codec::encode(&content)));
        }
    }
    seeds
}

fn fork_proof_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    fixture.forks.iter().map(|proof| proof.to_bytes()).collect()
}

fn erasure_proof_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = fixture
        .entries_of("erase")
        .into_iter()
        .map(Entry::to_bytes)
        .collect();
    // A secretariat erasure of a German entry, and one naming two French entries.
    let mut network = fixture.network.clone();
    seeds.push(
        network
            .erase(
                SECRETARIAT,
                &fixture.entries_of("put")[0].clone(),
                "deletion order",
            )
            .to_bytes(),
    );
    let mut erase = network.erase(FRANCE, &fixture.entries[1].clone(), "expired");
    if let Some(Body::Erase(body)) = &mut erase.body {
        body.entries.push(bureau_core::entry::ErasedEntry {
            author: fixture.entries[2].header.author,
            seq: fixture.entries[2].header.seq,
            entry: fixture.entries[2].hash(),
        });
    }
    seeds.push(fixture.resign(&erase).unwrap_or(erase).to_bytes());
    seeds
}

fn certificate_seeds(fixture: &Fixture) -> Vec<Vec<u8>> {
    let mut seeds = vec![hex_seed(GOLDEN_CERTIFICATE_HEX)];
    seeds.extend(
        fixture
            .network
            .certificates()
            .iter()
            .map(Certificate::to_bytes),
    );
    for entry in fixture.entries_of("admit") {
        if let Some(Body::Admit(certificate)) = &entry.body {
            seeds.push(certificate.to_bytes());
        }
    }
    seeds
}
