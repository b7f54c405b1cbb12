//! The fixed world every target runs in, built once per process.
//!
//! The network is the golden-vector network (`crates/bureau-core/tests/it/golden.rs`: label
//! `golden`, the secretariat and France first, so their keys, certificates and the first two
//! French entries are the golden bytes), with Germany and Italy added. Their logs hold a body of
//! every kind: one record of every database, a sealed record, a cancellation and the erasure of
//! its body, a notice and its review, a diffusion and its flag, a block, an admission and a
//! revocation. [`Fixture::replica`] is the model replica (`bureau_core::testkit`) holding them
//! all; fork proofs are built aside and not applied.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use bureau_core::case::{
    CaseAction, CaseRef, Colour, Decision, DiffusionAction, NoticeAction, NoticeRequest,
};
use bureau_core::entry::{Block, SealedRecord};
use bureau_core::fork::SignedHeader;
use bureau_core::keys::{self, EncryptionPublicKey};
use bureau_core::testkit::{self, MemoryReplica, ModelOutcome, TestNetwork};
use bureau_core::validate::ReplicaView;
use bureau_core::{
    Access, Body, Entry, ForkProof, Hash, MemberCode, NetworkId, PublicKey, Record, RecordData,
    RecordKey, SecretKey, Timestamp, codec,
};

/// Member indexes in [`Fixture::network`].
pub const SECRETARIAT: usize = 0;
pub const FRANCE: usize = 1;
pub const GERMANY: usize = 2;
pub const ITALY: usize = 3;

/// The seed of every sealing the fixture does, so the fixture is the same on every run.
const SEAL_SEED: [u8; 32] = [7; 32];

#[derive(Debug)]
pub struct Fixture {
    /// The network after signing every entry (heads moved on).
    pub network: TestNetwork,
    /// The model replica holding every entry of [`Fixture::entries`].
    pub replica: MemoryReplica,
    /// Every entry applied to the replica, in signing order.
    pub entries: Vec<Entry>,
    /// Fork proofs of Germany's log: two entries at one seq, and a broken link.
    pub forks: Vec<ForkProof>,
    /// The entries those proofs show, which the replica does not hold.
    pub forked_entries: Vec<Entry>,
    /// The "now" every check runs at: an hour after the fixture's entries.
    pub now: Timestamp,
}

/// The fixture, built on first use.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: LazyLock<Fixture> = LazyLock::new(build);
    &FIXTURE
}

impl Fixture {
    pub fn network_id(&self) -> NetworkId {
        self.network.genesis.network_id()
    }

    pub fn root_key(&self) -> PublicKey {
        self.network.genesis.root_key()
    }

    pub fn code(&self, index: usize) -> MemberCode {
        self.network.code(index)
    }

    /// The signing key of a fixture member's node key.
    pub fn key_of(&self, author: &PublicKey) -> Option<&SecretKey> {
        self.network
            .members
            .iter()
            .find(|member| member.key.public() == *author)
            .map(|member| &member.key)
    }

    /// Every member's X25519 secret, the keys a replica opens sealed bodies with.
    pub fn reader_secrets(&self) -> Vec<[u8; 32]> {
        (0..self.network.members.len())
            .map(|index| testkit::encryption_secret(self.code(index)))
            .collect()
    }

    /// The entry as its author would sign it, when the author is a fixture member: body hash
    /// and signature made right, so the rules after the signature check see the content.
    pub fn resign(&self, entry: &Entry) -> Option<Entry> {
        let key = self.key_of(&entry.header.author)?;
        let mut entry = entry.clone();
        if let Some(body) = &entry.body {
            entry.header.body_hash = body.hash();
        }
        entry.signature = key.sign(keys::domain::ENTRY, &codec::encode(&entry.header));
        Some(entry)
    }

    /// The entry re-signed at the next position of its author's log in `replica` (seq, previous
    /// hash, a timestamp no earlier than the head's and no later than now), so it is placed as
    /// the next entry and its rights and effects are judged.
    pub fn resign_next(&self, entry: &Entry, replica: &MemoryReplica) -> Option<Entry> {
        let Ok(head) = replica.head(&entry.header.author);
        let mut moved = entry.clone();
        moved.header.network = self.network_id();
        moved.header.seq = head.map_or(1, |head| head.seq + 1);
        moved.header.prev_hash = head.map_or(Hash::ZERO, |head| head.hash);
        let earliest = head.map_or(Timestamp(0), |head| head.timestamp);
        moved.header.timestamp = moved
            .header
            .timestamp
            .clamp(earliest, self.now.max(earliest));
        self.resign(&moved)
    }

    /// The first sealed entry of the fixture (France's restricted person).
    pub fn sealed_entry(&self) -> (&Entry, &SealedRecord) {
        self.entries
            .iter()
            .find_map(|entry| match &entry.body {
                Some(Body::PutSealed(sealed)) => Some((entry, sealed)),
                _ => None,
            })
            .expect("the fixture signs a sealed record")
    }

    /// The fixture's entries whose body is of `kind` ([`Body::kind`]).
    pub fn entries_of(&self, kind: &str) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|entry| entry.body.as_ref().is_some_and(|body| body.kind() == kind))
            .collect()
    }
}

fn build() -> Fixture {
    let mut network = TestNetwork::new("golden", &["XGS", "FRA", "DEU", "ITA"]);
    let now = Timestamp(network.now.0 + 3_600_000);
    let mut entries = Vec::new();
    let france = network.code(FRANCE);
    // The golden entries: the second is `ENTRY_HEX`.
    let first = network.put_document(FRANCE, "p1", "P 1234-567");
    entries.push(first.clone());
    entries.push(network.put_document(FRANCE, "p2", "P 7654-321"));
    for (local_id, data) in bureau_core::testkit::one_of_each(france) {
        entries.push(network.sign(FRANCE, Body::Put(record(france, local_id, data, &network))));
    }
    let cancelled = key(france, bureau_core::Database::TravelDocuments, "p1");
    entries.push(network.cancel(FRANCE, cancelled, 2));
    entries.push(network.erase(FRANCE, &first, "record cancelled"));
    let sealed = sign_sealed(&mut network, FRANCE);
    entries.push(sealed.clone());
    entries.push(wrap_for_italy(&mut network, &sealed));
    let person = key(france, bureau_core::Database::Persons, "person1");
    entries.extend(cases(&mut network, &person));
    let car = key(france, bureau_core::Database::Vehicles, "car1");
    entries.push(network.sign(
        SECRETARIAT,
        Body::Block(Block {
            key: car,
            blocked: true,
            reason: "not compliant with the data rules".into(),
        }),
    ));
    entries.extend(germany_and_italy(&mut network));
    let mut replica = MemoryReplica::new(&network.genesis, &network.certificates());
    for entry in &entries {
        let outcome = replica.apply(entry, now);
        assert_eq!(outcome, ModelOutcome::Applied, "fixture entry {entry:?}");
    }
    let (forks, forked_entries) = forks(&mut network);
    Fixture {
        network,
        replica,
        entries,
        forks,
        forked_entries,
        now,
    }
}

fn key(owner: MemberCode, database: bureau_core::Database, local_id: &str) -> RecordKey {
    RecordKey::new(database, owner, local_id).expect("fixture ids are valid")
}

fn record(owner: MemberCode, local_id: &str, data: RecordData, network: &TestNetwork) -> Record {
    Record {
        key: key(owner, data.database(), local_id),
        version: 1,
        access: Access::All,
        review_date: network.now.date().plus_years(1),
        review_reason: Some("yearly review".into()),
        data,
    }
}

/// A person only Germany (and the owner, France) may read, sealed to their encryption keys.
fn sign_sealed(network: &mut TestNetwork, index: usize) -> Entry {
    let owner = network.code(index);
    let mut record = record(
        owner,
        "restricted1",
        crate::records::person("Müller", "Hans", &["Johann Mueller"]),
        network,
    );
    record.access = Access::Members(BTreeSet::from([network.code(GERMANY)]));
    network.sign_sealed(index, record, &[index, GERMANY], SEAL_SEED)
}

/// France gives Italy (not among the recipients) the key of its sealed entry.
fn wrap_for_italy(network: &mut TestNetwork, sealed: &Entry) -> Entry {
    let (body, aad) = sealed
        .body
        .as_ref()
        .and_then(|body| body.sealed(&sealed.header))
        .expect("a sealed body");
    let france = testkit::encryption_secret(network.code(FRANCE));
    let content_key =
        bureau_core::seal::content_key(body, &france, &aad).expect("France reads its own");
    let italy = EncryptionPublicKey::from_secret(testkit::encryption_secret(network.code(ITALY)));
    let hash = sealed.hash();
    let wrapped = bureau_core::seal::wrap_key(
        &content_key,
        italy,
        &bureau_core::entry::EntryKeyWrap::aad(&hash),
        SEAL_SEED,
    )
    .expect("wraps");
    network.sign(
        FRANCE,
        Body::KeyWrap(bureau_core::entry::KeyWrap {
            wraps: vec![bureau_core::entry::EntryKeyWrap {
                author: sealed.header.author,
                seq: sealed.header.seq,
                entry: hash,
                wrapped,
            }],
        }),
    )
}

/// A Red Notice request and its review, a diffusion and its flag: in clear (the older form),
/// then sealed to their readers with the publication in clear.
fn cases(network: &mut TestNetwork, person: &RecordKey) -> Vec<Entry> {
    let france = network.code(FRANCE);
    let notice = NoticeAction::Request(NoticeRequest {
        id: "n1".into(),
        colour: Colour::Red,
        person: person.clone(),
        summary: "armed robbery of a jeweller, Lyon, 2025".into(),
        offence: Some("armed robbery".into()),
        legal_basis: Some(bureau_core::schema::LegalBasis {
            warrant: "MA-2025-118".into(),
            authority: "Tribunal judiciaire de Lyon".into(),
            max_penalty_months: 240,
        }),
        remaining_months: None,
    });
    let send = DiffusionAction::Send {
        id: "d1".into(),
        to: BTreeSet::from([network.code(GERMANY), network.code(ITALY)]),
        person: person.clone(),
        purpose: "locate and arrest".into(),
    };
    let case = |id: &str| CaseRef {
        owner: france,
        id: id.into(),
    };
    let sealed_request = match &notice {
        NoticeAction::Request(request) => NoticeRequest {
            id: "n2".into(),
            ..request.clone()
        },
        _ => unreachable!("a request"),
    };
    let sealed_send = match &send {
        DiffusionAction::Send { to, purpose, .. } => DiffusionAction::Send {
            id: "d2".into(),
            to: to.clone(),
            person: person.clone(),
            purpose: purpose.clone(),
        },
        _ => unreachable!("a send"),
    };
    let notice_readers = [SECRETARIAT, FRANCE];
    let diffusion_readers = [SECRETARIAT, FRANCE, GERMANY, ITALY];
    let mut entries = vec![
        network.sign(FRANCE, Body::Notice(notice)),
        network.sign(FRANCE, Body::Diffusion(send)),
        network.sign(
            SECRETARIAT,
            Body::Notice(NoticeAction::Review {
                notice: case("n1"),
                decision: Decision::Publish,
                reason: "meets the rules".into(),
            }),
        ),
        network.sign(
            SECRETARIAT,
            Body::Diffusion(DiffusionAction::Flag {
                diffusion: case("d1"),
                reason: "purpose too vague".into(),
            }),
        ),
    ];
    let sealed = vec![
        network.sign_case(
            FRANCE,
            CaseAction::Notice(NoticeAction::Request(sealed_request.clone())),
            &notice_readers,
        ),
        network.sign_case(
            FRANCE,
            CaseAction::Diffusion(sealed_send),
            &diffusion_readers,
        ),
        network.sign(
            SECRETARIAT,
            Body::Notice(NoticeAction::Publish {
                notice: case("n2"),
                request: sealed_request,
            }),
        ),
        network.sign_case(
            SECRETARIAT,
            CaseAction::Diffusion(DiffusionAction::Withdraw {
                diffusion: case("d2"),
                reason: "no longer needed".into(),
            }),
            &diffusion_readers,
        ),
    ];
    entries.extend(sealed);
    entries
}

/// Germany publishes and is admitted again (a renewal); Italy publishes and is revoked.
fn germany_and_italy(network: &mut TestNetwork) -> Vec<Entry> {
    let germany = network.code(GERMANY);
    let mut entries = vec![
        network.put_document(GERMANY, "de1", "C01X00T47"),
        network.put_document(ITALY, "it1", "YA1234567"),
    ];
    let person = record(
        germany,
        "person-de",
        crate::records::person("Schröder", "Jürgen", &["Şükrü Yılmaz"]),
        network,
    );
    entries.push(network.sign(GERMANY, Body::Put(person)));
    let renewal = network.certify(
        &network.members[GERMANY].key.clone(),
        germany,
        Timestamp(network.now.0 - 1000),
        Timestamp(network.now.0 + 2 * testkit::YEAR_MS),
    );
    entries.push(network.sign(SECRETARIAT, Body::Admit(renewal)));
    let serial = network.members[ITALY].certificate.body.serial;
    entries.push(network.revoke(SECRETARIAT, serial, 1));
    entries
}

/// Two fork proofs of Germany's log, built from entries the replica never sees.
fn forks(network: &mut TestNetwork) -> (Vec<ForkProof>, Vec<Entry>) {
    let held = network.members[GERMANY].head;
    let clock = network.members[GERMANY].clock;
    let (one, other) = network.equivocate(GERMANY, ["D1", "D2"]);
    network.members[GERMANY].head = Some(other.as_head());
    let after_other = network.put_document(GERMANY, "d3", "D3");
    network.members[GERMANY].head = held;
    network.members[GERMANY].clock = clock;
    let same_seq = ForkProof::new(SignedHeader::of(&one), SignedHeader::of(&other))
        .expect("two entries at one seq conflict");
    let broken_link = ForkProof::new(SignedHeader::of(&one), SignedHeader::of(&after_other))
        .expect("an entry after another seq conflicts");
    (vec![same_seq, broken_link], vec![one, other, after_other])
}
