//! Deterministic fixtures for tests and benchmarks: a network with seeded keys, members with
//! certificates, and records of every database. Compiled only for tests or with the `testkit`
//! feature; never part of the product.

use std::collections::BTreeSet;

use crate::certificate::{self, Certificate, CertificateBody, Role};
use crate::entry::{Body, Cancel, Entry, Head, Revoke};
use crate::genesis::Genesis;
use crate::hash::Hash;
use crate::keys::{EncryptionPublicKey, SecretKey};
use crate::member::MemberCode;
use crate::record::{Access, Record, RecordData, RecordKey};
use crate::schema::{DocumentType, LossType, Person, Sex, TravelDocument, Vehicle, VehicleKind};
use crate::time::{Date, Timestamp};

/// 2026-01-01T00:00:00Z: the fixed "now" of fixtures.
pub const NOW: Timestamp = Timestamp(1_767_225_600_000);
/// Fixture certificates run from a year before [`NOW`] to a year after.
pub const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;

/// The X25519 secret behind a test member's certificate.
pub fn encryption_secret(member: MemberCode) -> [u8; 32] {
    seeded_key(&format!("{member}/enc")).seed()
}

/// A key from a label, so every run builds the same keys.
pub fn seeded_key(label: &str) -> SecretKey {
    SecretKey::from_seed(Hash::of(b"bureau/testkit/key\0", &[label.as_bytes()]).0)
}

/// A member node: its key, certificate and the head of its log.
#[derive(Debug, Clone)]
pub struct TestMember {
    pub key: SecretKey,
    pub certificate: Certificate,
    pub head: Option<Head>,
    /// Timestamp of the next entry (each entry moves it 1 ms on).
    pub clock: Timestamp,
}

impl TestMember {
    /// Moves the head to `entry`, just signed, and the clock on.
    pub fn advance(&mut self, entry: &Entry) {
        self.head = Some(entry.as_head());
        self.clock = Timestamp(self.clock.0 + 1);
    }
}

/// A network with a root key and members (the first code may be `XGS`, the secretariat).
#[derive(Debug, Clone)]
pub struct TestNetwork {
    pub root: SecretKey,
    pub genesis: Genesis,
    pub members: Vec<TestMember>,
    /// The time certificates are centred on.
    pub now: Timestamp,
}

impl TestNetwork {
    pub fn new(label: &str, codes: &[&str]) -> TestNetwork {
        TestNetwork::new_at(label, codes, NOW)
    }

    /// A network whose certificates are valid from a year before `now` to a year after: for
    /// tests that run real nodes, which sign with the wall clock.
    pub fn new_at(label: &str, codes: &[&str], now: Timestamp) -> TestNetwork {
        TestNetwork::with_quotas(label, codes, now, crate::quota::default_rules())
    }

    /// [`TestNetwork::new_at`] with the genesis's storage quotas given.
    pub fn with_quotas(
        label: &str,
        codes: &[&str],
        now: Timestamp,
        quotas: Vec<crate::quota::QuotaRule>,
    ) -> TestNetwork {
        let root = seeded_key(&format!("{label}/root"));
        let genesis = Genesis::create(
            &root,
            label,
            Timestamp(NOW.0 - YEAR_MS),
            vec!["/ip4/127.0.0.1/tcp/7000".into()],
            quotas,
        )
        .expect("fixture genesis is valid");
        let mut network = TestNetwork {
            root,
            genesis,
            members: Vec::new(),
            now,
        };
        for (index, code) in codes.iter().enumerate() {
            let key = seeded_key(&format!("{label}/member/{index}"));
            network.add_member(key, code.parse().expect("fixture codes are valid"));
        }
        network
    }

    /// Issues a certificate for `key` as `member` and adds the member.
    pub fn add_member(&mut self, key: SecretKey, member: MemberCode) -> usize {
        let now = self.now;
        let certificate = self.certify(
            &key,
            member,
            Timestamp(now.0 - YEAR_MS),
            Timestamp(now.0 + YEAR_MS),
        );
        self.members.push(TestMember {
            key,
            certificate,
            head: None,
            clock: now,
        });
        self.members.len() - 1
    }

    pub fn certify(
        &self,
        key: &SecretKey,
        member: MemberCode,
        not_before: Timestamp,
        not_after: Timestamp,
    ) -> Certificate {
        let network = self.genesis.network_id();
        let mut roles = BTreeSet::from([Role::Member]);
        if member.is_secretariat() {
            roles.insert(Role::Secretariat);
        }
        let body = CertificateBody {
            network,
            member,
            node_key: key.public(),
            encryption_key: EncryptionPublicKey::from_secret(encryption_secret(member)),
            roles,
            serial: certificate::derive_serial(&network, &member, &key.public(), not_before),
            not_before,
            not_after,
        };
        Certificate::issue(&self.root, body).expect("fixture certificate is valid")
    }

    pub fn certificates(&self) -> Vec<Certificate> {
        self.members
            .iter()
            .map(|member| member.certificate.clone())
            .collect()
    }

    /// Signs the next entry of member `index`'s log and moves its head.
    pub fn sign(&mut self, index: usize, body: Body) -> Entry {
        let network = self.genesis.network_id();
        let member = &mut self.members[index];
        let entry = Entry::sign(
            &member.key,
            network,
            member.head.as_ref(),
            member.clock,
            body,
        );
        member.advance(&entry);
        entry
    }

    /// The encryption keys of the members at `readers`.
    fn recipients(&self, readers: &[usize]) -> Vec<EncryptionPublicKey> {
        readers
            .iter()
            .map(|&reader| self.members[reader].certificate.body.encryption_key)
            .collect()
    }

    /// Signs member `index`'s case action sealed to the members at `readers`.
    pub fn sign_case(
        &mut self,
        index: usize,
        action: crate::case::CaseAction,
        readers: &[usize],
    ) -> Entry {
        let network = self.genesis.network_id();
        let author = self.code(index);
        let recipients = self.recipients(readers);
        let member = &mut self.members[index];
        let entry = Entry::sign_sealed_case(
            &member.key,
            network,
            member.head.as_ref(),
            member.clock,
            author,
            action,
            &recipients,
            [index as u8; 32],
        )
        .expect("sealable");
        member.advance(&entry);
        entry
    }

    /// Signs member `index`'s restricted `record` sealed to the members at `readers`, with
    /// `seed` as its randomness.
    pub fn sign_sealed(
        &mut self,
        index: usize,
        record: Record,
        readers: &[usize],
        seed: [u8; 32],
    ) -> Entry {
        let network = self.genesis.network_id();
        let recipients = self.recipients(readers);
        let member = &mut self.members[index];
        let entry = Entry::sign_sealed(
            &member.key,
            network,
            member.head.as_ref(),
            member.clock,
            record,
            &recipients,
            seed,
        )
        .expect("sealable");
        member.advance(&entry);
        entry
    }

    pub fn code(&self, index: usize) -> MemberCode {
        self.members[index].certificate.member()
    }

    /// Publishes a travel document owned by member `index`.
    /// Signs two travel documents of member `index` at the same seq (a fork), leaving its head
    /// after the first.
    pub fn equivocate(&mut self, index: usize, numbers: [&str; 2]) -> (Entry, Entry) {
        let head = self.members[index].head;
        let other = {
            let number = numbers[1];
            let entry = self.put_document(index, &number.to_ascii_lowercase(), number);
            self.members[index].head = head;
            entry
        };
        let one = self.put_document(index, &numbers[0].to_ascii_lowercase(), numbers[0]);
        (one, other)
    }

    pub fn put_document(&mut self, index: usize, local_id: &str, number: &str) -> Entry {
        let record = travel_document(self.code(index), local_id, number, 1);
        self.sign(index, Body::Put(record))
    }

    pub fn cancel(&mut self, index: usize, key: RecordKey, version: u64) -> Entry {
        self.sign(
            index,
            Body::Cancel(Cancel {
                key,
                version,
                reason: "document recovered".into(),
            }),
        )
    }

    /// Member `index` erases the body of `target`.
    pub fn erase(&mut self, index: usize, target: &Entry, reason: &str) -> Entry {
        self.sign(
            index,
            Body::Erase(crate::entry::Erase {
                entries: vec![crate::entry::ErasedEntry {
                    author: target.header.author,
                    seq: target.header.seq,
                    entry: target.hash(),
                }],
                reason: reason.into(),
            }),
        )
    }

    pub fn revoke(&mut self, secretariat: usize, serial: u64, last_valid_seq: u64) -> Entry {
        self.sign(
            secretariat,
            Body::Revoke(Revoke {
                serial,
                last_valid_seq,
                reason: "key compromised".into(),
            }),
        )
    }
}

fn review_date() -> Date {
    NOW.date().plus_years(5)
}

/// A stolen passport issued (and so owned) by `owner`.
pub fn travel_document(owner: MemberCode, local_id: &str, number: &str, version: u64) -> Record {
    Record {
        key: RecordKey::new(crate::Database::TravelDocuments, owner, local_id)
            .expect("fixture ids are valid"),
        version,
        access: Access::All,
        review_date: review_date(),
        review_reason: None,
        data: RecordData::TravelDocument(TravelDocument {
            number: number.into(),
            issuing_country: owner
                .country()
                .expect("fixture documents are issued by countries"),
            document_type: DocumentType::Passport,
            loss: LossType::Stolen,
            issue_date: Date::new(2020, 5, 17).ok(),
            expiry_date: Date::new(2030, 5, 16).ok(),
            theft_date: Date::new(2025, 11, 2).ok(),
            theft_place: Some("Lyon".into()),
        }),
    }
}

/// A stolen car owned by `owner`.
pub fn vehicle(owner: MemberCode, local_id: &str, vin: &str, version: u64) -> Record {
    Record {
        key: RecordKey::new(crate::Database::Vehicles, owner, local_id)
            .expect("fixture ids are valid"),
        version,
        access: Access::All,
        review_date: review_date(),
        review_reason: None,
        data: RecordData::Vehicle(Vehicle {
            vin: vin.into(),
            kind: VehicleKind::Car,
            engine_number: Some("CJZ 123456".into()),
            make: Some("Volkswagen".into()),
            model: Some("Golf".into()),
            year: Some(2019),
            colour: Some("grey".into()),
            plate: Some("AB-123-CD".into()),
            plate_country: owner.country(),
            theft_date: Date::new(2025, 10, 1).ok(),
            theft_place: None,
        }),
    }
}

/// A wanted person owned by `owner`.
pub fn person(
    owner: MemberCode,
    local_id: &str,
    family_name: &str,
    given_names: &str,
    version: u64,
) -> Record {
    Record {
        key: RecordKey::new(crate::Database::Persons, owner, local_id)
            .expect("fixture ids are valid"),
        version,
        access: Access::All,
        review_date: review_date(),
        review_reason: None,
        data: RecordData::Person(Person {
            family_name: family_name.into(),
            given_names: given_names.into(),
            aliases: vec![],
            sex: Sex::Male,
            date_of_birth: "1980-03-04".parse().ok(),
            place_of_birth: Some("Moscow".into()),
            nationalities: owner.country().into_iter().collect(),
            documents: vec![],
            description: None,
            offence: Some("armed robbery".into()),
            legal_basis: None,
        }),
    }
}

/// What the model did with an entry (the store's `Outcome`, without storage details).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelOutcome {
    Applied,
    Duplicate,
    Held,
    Rejected(crate::validate::EntryError),
}

/// A plain in-memory replica: the reference model the store is tested against. Written for
/// clarity, not speed: logs are vectors, records a map, the held entries an unbounded map.
#[derive(Debug, Clone)]
pub struct MemoryReplica {
    network: crate::NetworkId,
    root_key: crate::PublicKey,
    certificates: std::collections::BTreeMap<crate::PublicKey, Vec<Certificate>>,
    revocations: std::collections::BTreeMap<u64, Revoke>,
    forks: std::collections::BTreeMap<crate::PublicKey, u64>,
    /// Entries whose bodies an applied `Erase` allows to drop, as `(author, seq, hash)`.
    erased: std::collections::BTreeSet<(crate::PublicKey, u64, Hash)>,
    logs: std::collections::BTreeMap<crate::PublicKey, Vec<Entry>>,
    records: std::collections::BTreeMap<RecordKey, (crate::record::Precedence, Option<Record>)>,
    held: std::collections::BTreeMap<(crate::PublicKey, u64, Hash), Entry>,
}

impl crate::validate::ReplicaView for MemoryReplica {
    type Error = std::convert::Infallible;
    fn network(&self) -> crate::NetworkId {
        self.network
    }
    fn root_key(&self) -> crate::PublicKey {
        self.root_key
    }
    fn certificates(&self, node_key: &crate::PublicKey) -> Result<Vec<Certificate>, Self::Error> {
        Ok(self.certificates.get(node_key).cloned().unwrap_or_default())
    }
    fn fork_point(&self, author: &crate::PublicKey) -> Result<Option<u64>, Self::Error> {
        Ok(self.forks.get(author).copied())
    }
    fn revocation(&self, serial: u64) -> Result<Option<Revoke>, Self::Error> {
        Ok(self.revocations.get(&serial).cloned())
    }
    fn head(&self, author: &crate::PublicKey) -> Result<Option<Head>, Self::Error> {
        Ok(self
            .logs
            .get(author)
            .and_then(|log| log.last())
            .map(Entry::as_head))
    }
    fn erasure(&self, _: &crate::PublicKey, _: u64) -> Result<Option<Hash>, Self::Error> {
        // The model is never given entries without bodies.
        Ok(None)
    }
    fn entry_hash(&self, author: &crate::PublicKey, seq: u64) -> Result<Option<Hash>, Self::Error> {
        let index = usize::try_from(seq).ok().and_then(|seq| seq.checked_sub(1));
        Ok(index
            .and_then(|index| self.logs.get(author)?.get(index))
            .map(Entry::hash))
    }
}

impl MemoryReplica {
    pub fn new(genesis: &Genesis, certificates: &[Certificate]) -> MemoryReplica {
        MemoryReplica {
            network: genesis.network_id(),
            root_key: genesis.root_key(),
            certificates: certificates
                .iter()
                .map(|c| (c.node_key(), vec![c.clone()]))
                .collect(),
            revocations: Default::default(),
            forks: Default::default(),
            erased: Default::default(),
            logs: Default::default(),
            records: Default::default(),
            held: Default::default(),
        }
    }

    /// Validates and applies one entry, releasing held successors.
    pub fn apply(&mut self, entry: &Entry, now: Timestamp) -> ModelOutcome {
        use crate::validate::{Placement, check_alone, check_in_context};
        if let Err(error) = check_alone(entry, &self.network, now) {
            return ModelOutcome::Rejected(error);
        }
        if let Err(error) = entry.verify_signature() {
            return ModelOutcome::Rejected(error.into());
        }
        let Ok(verdict) = check_in_context(self, entry);
        match verdict {
            Err(error) => {
                if error.is_conflict() {
                    self.learn_fork(entry);
                }
                ModelOutcome::Rejected(error)
            }
            Ok(Placement::Duplicate) => ModelOutcome::Duplicate,
            Ok(Placement::Gap { .. }) => {
                self.held.insert(
                    (entry.header.author, entry.header.seq, entry.hash()),
                    entry.clone(),
                );
                ModelOutcome::Held
            }
            Ok(Placement::Next) => {
                self.commit(entry);
                let author = entry.header.author;
                let mut next = entry.header.seq + 1;
                // Every held candidate for the next position, in hash order; the first valid
                // one applies, the rest are forks.
                loop {
                    let range = (author, next, Hash([0; 32]))..=(author, next, Hash([0xff; 32]));
                    let candidates: Vec<_> = self
                        .held
                        .range(range)
                        .map(|(key, entry)| (*key, entry.clone()))
                        .collect();
                    let mut applied = false;
                    for (key, candidate) in candidates {
                        self.held.remove(&key);
                        let Ok(verdict) = check_in_context(self, &candidate);
                        match verdict {
                            Ok(Placement::Next) => {
                                self.commit(&candidate);
                                applied = true;
                            }
                            Err(error) if error.is_conflict() => self.learn_fork(&candidate),
                            _ => {}
                        }
                    }
                    if !applied {
                        break;
                    }
                    next += 1;
                }
                self.held
                    .retain(|(held_author, seq, _), _| *held_author != author || *seq > next - 1);
                ModelOutcome::Applied
            }
        }
    }

    fn commit(&mut self, entry: &Entry) {
        self.fold_records(entry);
        self.commit_rest(entry);
    }

    fn fold_records(&mut self, entry: &Entry) {
        let hash = entry.hash();
        let erased = self
            .erased
            .contains(&(entry.header.author, entry.header.seq, hash));
        let mut fold = |key: &RecordKey, version: u64, record: Option<Record>| {
            let precedence = crate::record::Precedence {
                version,
                entry: hash,
            };
            let wins = self
                .records
                .get(key)
                .is_none_or(|(held, _)| *held < precedence);
            if wins {
                self.records.insert(key.clone(), (precedence, record));
            }
        };
        match &entry.body {
            Some(Body::Put(record)) if erased => fold(&record.key, record.version, None),
            Some(Body::Put(record)) => fold(&record.key, record.version, Some(record.clone())),
            Some(Body::Cancel(cancel)) => fold(&cancel.key, cancel.version, None),
            Some(Body::CancelSealed(cancel)) => fold(&cancel.key, cancel.version, None),
            // The model holds no key, so a sealed record is as unreadable as a cancelled one.
            Some(Body::PutSealed(sealed)) => fold(&sealed.key, sealed.version, None),
            _ => {}
        }
    }

    fn commit_rest(&mut self, entry: &Entry) {
        if let Some(Body::Erase(erase)) = &entry.body {
            for erased in &erase.entries {
                self.erased
                    .insert((erased.author, erased.seq, erased.entry));
            }
            self.refold();
        }
        match &entry.body {
            Some(Body::Admit(certificate)) => {
                let held = self.certificates.entry(certificate.node_key()).or_default();
                if !held.contains(certificate) {
                    held.push(certificate.clone());
                }
            }
            Some(Body::Revoke(revoke)) => {
                let earlier = self
                    .revocations
                    .get(&revoke.serial)
                    .is_none_or(|held| revoke.last_valid_seq < held.last_valid_seq);
                if earlier {
                    self.revocations.insert(revoke.serial, revoke.clone());
                }
            }
            // Blocks, notices and diffusions never change records, which is what the model compares.
            _ => {}
        }
        self.logs
            .entry(entry.header.author)
            .or_default()
            .push(entry.clone());
        if let Some(Body::Revoke(revoke)) = &entry.body {
            let keys: Vec<crate::PublicKey> = self
                .certificates
                .iter()
                .filter(|(_, held)| held.iter().any(|c| c.body.serial == revoke.serial))
                .map(|(key, _)| *key)
                .collect();
            for key in keys {
                let Ok(Some(cut)) = crate::validate::revocation_of(self, &self.certificates[&key])
                else {
                    continue;
                };
                self.truncate(&key, cut.last_valid_seq);
            }
        }
    }

    /// Records the fork an entry proves against the held log, and freezes the log before it.
    fn learn_fork(&mut self, entry: &Entry) {
        let author = entry.header.author;
        let Some(log) = self.logs.get(&author) else {
            return;
        };
        let seq = entry.header.seq;
        let held = log
            .get(seq as usize - 1)
            .filter(|held| held.hash() != entry.hash())
            .or_else(|| log.get((seq as usize).saturating_sub(2)));
        let Some(held) = held else { return };
        let Some(proof) = crate::fork::ForkProof::new(
            crate::fork::SignedHeader::of(held),
            crate::fork::SignedHeader::of(entry),
        ) else {
            return;
        };
        if let Some(point) = proof.point() {
            self.learn_fork_point(author, point);
        }
    }

    /// Applies a fork point: the lowest known one wins.
    pub fn learn_fork_point(&mut self, author: crate::PublicKey, point: u64) {
        let lowest = self.forks.entry(author).or_insert(point);
        *lowest = (*lowest).min(point);
        let keep = *lowest - 1;
        self.truncate(&author, keep);
        self.held
            .retain(|(held_author, seq, _), _| *held_author != author || *seq <= keep);
    }

    /// Drops an author's entries after `keep` and folds the records again from what is left.
    fn truncate(&mut self, author: &crate::PublicKey, keep: u64) {
        let Some(log) = self.logs.get_mut(author) else {
            return;
        };
        if log.len() as u64 <= keep {
            return;
        }
        log.truncate(keep as usize);
        self.refold();
    }

    /// Folds every record again from the logs held.
    fn refold(&mut self) {
        let logs = std::mem::take(&mut self.logs);
        self.records.clear();
        for entry in logs.values().flatten() {
            self.fold_records(entry);
        }
        self.logs = logs;
    }

    /// The entry at `(author, seq)` as a replica should store it: without its body when an
    /// erasure names it and it publishes a record.
    pub fn stored_entry(&self, author: &crate::PublicKey, seq: u64) -> Option<Entry> {
        let entry = self
            .logs
            .get(author)?
            .get(usize::try_from(seq).ok()?.checked_sub(1)?)?;
        let mut entry = entry.clone();
        let erasable = matches!(entry.body, Some(Body::Put(_) | Body::PutSealed(_)));
        if erasable && self.erased.contains(&(*author, seq, entry.hash())) {
            entry.body = None;
        }
        Some(entry)
    }

    /// The fork points this replica knows.
    pub fn forks(&self) -> &std::collections::BTreeMap<crate::PublicKey, u64> {
        &self.forks
    }

    pub fn heads(&self) -> std::collections::BTreeMap<crate::PublicKey, Head> {
        self.logs
            .iter()
            .filter_map(|(author, log)| Some((*author, log.last()?.as_head())))
            .collect()
    }

    /// Live records (published and not cancelled).
    pub fn live_records(&self) -> std::collections::BTreeMap<RecordKey, Record> {
        self.records
            .iter()
            .filter_map(|(key, (_, record))| Some((key.clone(), record.clone()?)))
            .collect()
    }

    pub fn holds(&self, entry: &Entry) -> bool {
        let Ok(held) =
            crate::validate::ReplicaView::entry_hash(self, &entry.header.author, entry.header.seq);
        held == Some(entry.hash())
    }
}

/// STR loci of a DNA profile (seven loci and amelogenin).
pub fn dna_loci() -> std::collections::BTreeMap<String, String> {
    [
        ("D3S1358", "15,16"),
        ("VWA", "17,18"),
        ("D8S1179", "12,13"),
        ("D21S11", "29,30"),
        ("D18S51", "14,17"),
        ("TH01", "6,9.3"),
        ("FGA", "21,24"),
        ("AMEL", "X,Y"),
    ]
    .into_iter()
    .map(|(locus, alleles)| (locus.to_owned(), alleles.to_owned()))
    .collect()
}

/// One record of every database as `owner` (a country) would publish it, with its local id,
/// in [`crate::Database::ALL`] order.
pub fn one_of_each(owner: MemberCode) -> Vec<(&'static str, RecordData)> {
    use crate::schema::{
        AdministrativeDocument, ArtObjectType, DnaProfile, DnaSample, Firearm, FirearmKind,
        FirearmStatus, Modality, TemplateReference, Vessel, VesselKind, WorkOfArt,
    };
    let country = owner
        .country()
        .expect("fixture records are owned by countries");
    vec![
        (
            "doc1",
            RecordData::TravelDocument(TravelDocument {
                number: "24FR99812".into(),
                issuing_country: country,
                document_type: DocumentType::Passport,
                loss: LossType::Stolen,
                issue_date: None,
                expiry_date: None,
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "car1",
            RecordData::Vehicle(Vehicle {
                vin: "1M8GDM9AXKP042788".into(),
                kind: VehicleKind::Car,
                engine_number: Some("EN-4471-X".into()),
                make: Some("Peugeot".into()),
                model: None,
                year: Some(2019),
                colour: None,
                plate: None,
                plate_country: None,
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "person1",
            RecordData::Person(Person {
                family_name: "Иванов".into(),
                given_names: "Сергей".into(),
                aliases: vec![],
                sex: Sex::Male,
                date_of_birth: Some("1980-03-04".parse().expect("date")),
                place_of_birth: None,
                nationalities: vec!["RUS".parse().expect("code")],
                documents: vec![],
                description: None,
                offence: None,
                legal_basis: None,
            }),
        ),
        (
            "gun1",
            RecordData::Firearm(Firearm {
                serial_number: "GLK-55123".into(),
                make: "Glock".into(),
                model: Some("17".into()),
                calibre: Some("9mm".into()),
                kind: FirearmKind::Pistol,
                status: FirearmStatus::Stolen,
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "art1",
            RecordData::WorkOfArt(WorkOfArt {
                object_type: ArtObjectType::Painting,
                title: "La Joconde".into(),
                maker: Some("Léonard de Vinci".into()),
                period: None,
                materials: None,
                dimensions: None,
                marks: None,
                images: vec![],
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "boat1",
            RecordData::Vessel(Vessel {
                imo_number: Some("IMO 9074729".into()),
                hull_number: None,
                name: Some("Marie".into()),
                kind: VesselKind::Yacht,
                flag: None,
                engine_serials: vec![],
                make: None,
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "blanks1",
            RecordData::AdministrativeDocument(AdministrativeDocument {
                document_type: "driving licence".into(),
                issuing_country: country,
                issuing_authority: "Préfecture de police".into(),
                first_serial: "DL000100".into(),
                last_serial: "DL000250".into(),
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "dna1",
            RecordData::Dna(DnaProfile {
                loci: dna_loci(),
                sample: DnaSample::CrimeScene,
                known_person: false,
                lab_reference: Some("LAB-2026-17".into()),
            }),
        ),
        (
            "print1",
            RecordData::Fingerprint(TemplateReference {
                modality: Modality::Fingerprint,
                reference: "AFIS-FR-000991".into(),
                format: None,
                known_person: true,
                capture_date: None,
            }),
        ),
        (
            "face1",
            RecordData::Face(TemplateReference {
                modality: Modality::Face,
                reference: "FACE-FR-42".into(),
                format: None,
                known_person: false,
                capture_date: None,
            }),
        ),
    ]
}
