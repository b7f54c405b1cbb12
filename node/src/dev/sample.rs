//! Sample records for demonstration networks: a few plausible records per member, the same on
//! every run, so the README's example searches find something.

use bureau_core::schema::{
    DocumentType, Firearm, FirearmKind, FirearmStatus, LegalBasis, LossType, Person, Sex,
    TravelDocument, Vehicle, VehicleKind,
};
use bureau_core::{MemberCode, PartialDate, RecordData};

/// The first member codes of demonstration networks, in order (the README's examples use
/// them: node1 is France, node2 Germany, ...).
pub const FIRST_MEMBER_CODES: &[&str] = &[
    "FRA", "DEU", "ITA", "ESP", "NLD", "BRA", "JPN", "KEN", "CAN", "RUS", "IND", "ZAF", "MEX",
    "AUS", "EGY", "TUR", "ARG", "KOR", "NGA", "POL",
];

/// Member codes given to demonstration nodes after the secretariat, in order:
/// [`FIRST_MEMBER_CODES`], then every other ISO 3166 country in alphabetical order, so a
/// local network can be as large as the real one (196 members) and more.
pub fn member_codes() -> Vec<&'static str> {
    let rest = bureau_core::member::country_codes()
        .iter()
        .copied()
        .filter(|code| !FIRST_MEMBER_CODES.contains(code));
    FIRST_MEMBER_CODES.iter().copied().chain(rest).collect()
}

const PEOPLE: &[(&str, &str, &str)] = &[
    ("Dupont", "Jean-Luc", "1975-06-14"),
    ("Müller", "Jürgen", "1968-11-02"),
    ("Иванов", "Сергей", "1980-03-04"),
    ("García Márquez", "José", "1982-03"),
    ("Rossi", "Giulia", "1990"),
    ("Silva", "Ana Paula", "1987-09-30"),
];

const MAKES: &[(&str, &str)] = &[
    ("Volkswagen", "Golf"),
    ("Renault", "Clio"),
    ("Toyota", "Corolla"),
    ("BMW", "X5"),
    ("Fiat", "Panda"),
];

/// Sample records for the `index`-th member (1-based; 0 is the secretariat, which has none).
pub fn records(index: usize, member: MemberCode) -> Vec<(String, RecordData)> {
    let Some(country) = member.country() else {
        return Vec::new();
    };
    let mut records = Vec::new();
    for n in 0..3 {
        let number = format!(
            "{}{:07}",
            &member.as_str()[..1],
            1_234_567 + index * 100 + n
        );
        records.push((
            number.to_ascii_lowercase(),
            RecordData::TravelDocument(TravelDocument {
                number,
                issuing_country: country,
                document_type: if n == 2 {
                    DocumentType::IdCard
                } else {
                    DocumentType::Passport
                },
                loss: [LossType::Stolen, LossType::Lost, LossType::StolenBlank][n],
                issue_date: None,
                expiry_date: None,
                theft_date: None,
                theft_place: None,
            }),
        ));
    }
    let (make, model) = MAKES[index % MAKES.len()];
    let vin = format!("WVWZZZ1JZ{}W{:06}", index % 10, 386_752 + index);
    records.push((
        vin.to_ascii_lowercase(),
        RecordData::Vehicle(Vehicle {
            vin,
            kind: VehicleKind::Car,
            engine_number: None,
            make: Some(make.into()),
            model: Some(model.into()),
            year: Some(2015 + (index % 9) as u16),
            colour: Some("grey".into()),
            plate: None,
            plate_country: Some(country),
            theft_date: None,
            theft_place: None,
        }),
    ));
    let serial = format!("{}{:05}", &member.as_str()[..2], 40_000 + index);
    records.push((
        format!("gun{index}"),
        RecordData::Firearm(Firearm {
            serial_number: serial,
            make: ["Glock", "Beretta", "Walther", "SIG Sauer"][index % 4].into(),
            model: None,
            calibre: Some("9mm".into()),
            kind: FirearmKind::Pistol,
            status: FirearmStatus::Stolen,
            theft_date: None,
            theft_place: None,
        }),
    ));
    let (family, given, dob) = PEOPLE[(index - 1) % PEOPLE.len()];
    records.push((
        format!("person{index}"),
        RecordData::Person(Person {
            family_name: family.into(),
            given_names: given.into(),
            aliases: vec![],
            sex: Sex::Unknown,
            date_of_birth: dob.parse::<PartialDate>().ok(),
            place_of_birth: None,
            nationalities: vec![country],
            documents: vec![],
            description: None,
            offence: Some("fraud".into()),
            legal_basis: Some(LegalBasis {
                warrant: format!("{member}-W-{index:04}"),
                authority: "investigating judge".into(),
                max_penalty_months: 60,
            }),
        }),
    ));
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every country once, the first ones first, and distinct sample identifiers for each.
    #[test]
    fn every_country_can_be_a_sample_member() {
        let codes = member_codes();
        assert_eq!(&codes[..FIRST_MEMBER_CODES.len()], FIRST_MEMBER_CODES);
        assert_eq!(codes.len(), bureau_core::member::country_codes().len());
        assert_eq!(codes.len(), crate::dev::provision::MAX_LOCAL_MEMBERS);
        let mut identifiers = std::collections::BTreeSet::new();
        for (at, code) in codes.iter().enumerate() {
            let member: MemberCode = code.parse().expect("an ISO code is a member code");
            for (local_id, data) in records(at + 1, member) {
                let kind = data.database();
                assert!(identifiers.insert(format!("{kind:?}/{local_id}/{member}")));
            }
        }
    }
}
