//! One record of every database, and persons named in several scripts: the bodies the fixture
//! logs publish, so the seeds reach every schema rule and every index term. The field values
//! follow `node/tests/it/databases.rs`.

use std::collections::BTreeMap;

use bureau_core::schema::{
    AdministrativeDocument, ArtObjectType, DnaProfile, DnaSample, DocumentType, Firearm,
    FirearmKind, FirearmStatus, LegalBasis, LossType, Modality, Person, Sex, TemplateReference,
    TravelDocument, Vehicle, VehicleKind, Vessel, VesselKind, WorkOfArt,
};
use bureau_core::{CountryCode, RecordData};

fn loci() -> BTreeMap<String, String> {
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

/// A person with aliases in Cyrillic, Chinese, Arabic and Greek, so the seeds reach every
/// transliteration table.
pub fn person(family_name: &str, given_names: &str, aliases: &[&str]) -> RecordData {
    RecordData::Person(Person {
        family_name: family_name.into(),
        given_names: given_names.into(),
        aliases: aliases.iter().map(|alias| (*alias).to_owned()).collect(),
        sex: Sex::Male,
        date_of_birth: "1980-03".parse().ok(),
        place_of_birth: Some("Москва".into()),
        nationalities: vec![country("RUS"), country("FRA")],
        documents: vec!["24FR99812".into()],
        description: Some("scar on the left hand".into()),
        offence: Some("armed robbery".into()),
        legal_basis: Some(LegalBasis {
            warrant: "MA-2025-118".into(),
            authority: "Tribunal judiciaire de Lyon".into(),
            max_penalty_months: 240,
        }),
    })
}

fn country(code: &str) -> CountryCode {
    code.parse().expect("fixture country codes are valid")
}

/// `(local id, data)` of one record of every database, issued by `issuer`.
pub fn samples(issuer: CountryCode) -> Vec<(&'static str, RecordData)> {
    vec![
        (
            "doc1",
            RecordData::TravelDocument(TravelDocument {
                number: "24FR99812".into(),
                issuing_country: issuer,
                document_type: DocumentType::IdCard,
                loss: LossType::Lost,
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
                plate: Some("AB-123-CD".into()),
                plate_country: Some(issuer),
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "person1",
            person(
                "Иванов",
                "Сергей Петрович",
                &["王小明", "محمد علي", "Γιώργος Παπαδόπουλος", "Ivanov-Smith"],
            ),
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
                images: vec!["IMG-0001".into()],
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "boat1",
            RecordData::Vessel(Vessel {
                imo_number: Some("IMO 9074729".into()),
                hull_number: Some("FR-HULL-77".into()),
                name: Some("Marie".into()),
                kind: VesselKind::Yacht,
                flag: None,
                engine_serials: vec!["YMH-0042".into()],
                make: None,
                theft_date: None,
                theft_place: None,
            }),
        ),
        (
            "blanks1",
            RecordData::AdministrativeDocument(AdministrativeDocument {
                document_type: "driving licence".into(),
                issuing_country: issuer,
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
                loci: loci(),
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
                format: Some("ISO 19794-5".into()),
                known_person: false,
                capture_date: None,
            }),
        ),
    ]
}
