//! Turning `bureau publish` flags into a record, its local id and its access.

use anyhow::{Result, bail};
use bureau_core::hash::Hash;
use bureau_core::normalize;
use bureau_core::schema::{
    AdministrativeDocument, DnaProfile, Firearm, LegalBasis, Modality, Person, TemplateReference,
    TravelDocument, Vehicle, Vessel, WorkOfArt,
};
use bureau_core::{Access, Date, MemberCode, RecordData};

use crate::cli::{Common, Publish};

/// A record ready to publish: what the CLI sends to the API.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Draft {
    pub local_id: String,
    pub access: Access,
    pub review_date: Option<Date>,
    pub data: RecordData,
}

/// Parses `--access`: `all`, `secretariat`, member codes separated by commas, or
/// `all-except:` and member codes.
pub fn parse_access(text: &str) -> Result<Access> {
    let members = |list: &str| -> Result<std::collections::BTreeSet<MemberCode>> {
        Ok(list
            .split(',')
            .map(|code| code.trim().parse::<MemberCode>())
            .collect::<Result<_, _>>()?)
    };
    let text = text.trim().to_ascii_lowercase();
    match text.as_str() {
        "all" => Ok(Access::All),
        "secretariat" => Ok(Access::SecretariatOnly),
        _ => match text.strip_prefix("all-except:") {
            Some(list) => Ok(Access::AllExcept(members(list)?)),
            None => Ok(Access::Members(members(&text)?)),
        },
    }
}

/// The default local id for an identifier: its normalised form, lower-cased.
fn id_from_identifier(identifier: &str) -> String {
    normalize::identifier(identifier)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(bureau_core::record::MAX_LOCAL_ID_BYTES)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn finish(common: Common, mut default_id: String, data: RecordData) -> Result<Draft> {
    data.validate()?;
    default_id.truncate(bureau_core::record::MAX_LOCAL_ID_BYTES);
    let local_id = common.id.unwrap_or(default_id);
    if local_id.is_empty() {
        bail!("cannot derive a local id from the identifier; pass --id");
    }
    Ok(Draft {
        local_id,
        access: parse_access(&common.access)?,
        review_date: common.review_date,
        data,
    })
}

/// Builds the record described by the flags, for the member `owner`.
pub fn draft(publish: Publish, owner: MemberCode) -> Result<Draft> {
    match publish {
        Publish::Sltd {
            number,
            document_type,
            loss,
            issued,
            expires,
            theft_date,
            theft_place,
            common,
        } => {
            let Some(issuing_country) = owner.country() else {
                bail!(
                    "the secretariat does not issue travel documents; only the issuing country publishes them"
                );
            };
            let id = id_from_identifier(&number);
            let data = RecordData::TravelDocument(TravelDocument {
                number,
                issuing_country,
                document_type,
                loss,
                issue_date: issued,
                expiry_date: expires,
                theft_date,
                theft_place,
            });
            finish(common, id, data)
        }
        Publish::Vehicle {
            vin,
            kind,
            engine,
            make,
            model,
            year,
            colour,
            plate,
            plate_country,
            theft_date,
            theft_place,
            common,
        } => {
            let id = id_from_identifier(&vin);
            let data = RecordData::Vehicle(Vehicle {
                vin,
                kind,
                engine_number: engine,
                make,
                model,
                year,
                colour,
                plate,
                plate_country,
                theft_date,
                theft_place,
            });
            finish(common, id, data)
        }
        Publish::Person {
            family_name,
            given_names,
            aliases,
            sex,
            dob,
            place_of_birth,
            nationalities,
            documents,
            description,
            offence,
            warrant,
            authority,
            max_penalty_months,
            common,
        } => {
            // Names may be in any script, so the default id is a short hash of who the person is.
            let who = format!(
                "{}\0{}\0{}",
                family_name,
                given_names,
                dob.map(|d| d.to_string()).unwrap_or_default()
            );
            let id = format!(
                "n{}",
                &Hash::of(b"bureau/person-id\0", &[who.as_bytes()]).to_string()[..12]
            );
            let legal_basis = match (warrant, authority, max_penalty_months) {
                (Some(warrant), Some(authority), Some(max_penalty_months)) => Some(LegalBasis {
                    warrant,
                    authority,
                    max_penalty_months,
                }),
                _ => None,
            };
            let data = RecordData::Person(Person {
                family_name,
                given_names,
                aliases,
                sex,
                date_of_birth: dob,
                place_of_birth,
                nationalities,
                documents,
                description,
                offence,
                legal_basis,
            });
            finish(common, id, data)
        }
        Publish::Firearm {
            serial,
            make,
            model,
            calibre,
            kind,
            status,
            theft_date,
            theft_place,
            common,
        } => {
            let id = format!("f{}", id_from_identifier(&format!("{serial}{make}")));
            let data = RecordData::Firearm(Firearm {
                serial_number: serial,
                make,
                model,
                calibre,
                kind,
                status,
                theft_date,
                theft_place,
            });
            finish(common, id, data)
        }
        Publish::Art {
            title,
            object_type,
            maker,
            period,
            materials,
            dimensions,
            marks,
            images,
            theft_date,
            theft_place,
            common,
        } => {
            let id = digest_id('a', &format!("{title}/{maker:?}/{theft_date:?}"));
            let data = RecordData::WorkOfArt(WorkOfArt {
                object_type,
                title,
                maker,
                period,
                materials,
                dimensions,
                marks,
                images,
                theft_date,
                theft_place,
            });
            finish(common, id, data)
        }
        Publish::Vessel {
            imo,
            hull,
            name,
            kind,
            flag,
            engines,
            make,
            theft_date,
            theft_place,
            common,
        } => {
            let identifier = imo
                .as_deref()
                .or(hull.as_deref())
                .or(engines.first().map(String::as_str))
                .unwrap_or_default();
            let id = format!("v{}", id_from_identifier(identifier));
            let data = RecordData::Vessel(Vessel {
                imo_number: imo,
                hull_number: hull,
                name,
                kind,
                flag,
                engine_serials: engines,
                make,
                theft_date,
                theft_place,
            });
            finish(common, id, data)
        }
        Publish::AdminDocument {
            document_type,
            authority,
            first,
            last,
            theft_date,
            theft_place,
            common,
        } => {
            let Some(issuing_country) = owner.country() else {
                bail!("the secretariat does not issue administrative documents");
            };
            let id = format!("d{}", id_from_identifier(&first));
            let data = RecordData::AdministrativeDocument(AdministrativeDocument {
                document_type,
                issuing_country,
                issuing_authority: authority,
                last_serial: last.unwrap_or_else(|| first.clone()),
                first_serial: first,
                theft_date,
                theft_place,
            });
            finish(common, id, data)
        }
        Publish::Dna {
            loci,
            sample,
            known_person,
            lab_reference,
            common,
        } => {
            let loci: std::collections::BTreeMap<_, _> = loci.into_iter().collect();
            let id = digest_id('g', &format!("{loci:?}"));
            let data = RecordData::Dna(DnaProfile {
                loci,
                sample,
                known_person,
                lab_reference,
            });
            finish(common, id, data)
        }
        Publish::Template {
            modality,
            reference,
            format,
            known_person,
            capture_date,
            common,
        } => {
            let id = format!("t{}", id_from_identifier(&reference));
            let template = TemplateReference {
                modality,
                reference,
                format,
                known_person,
                capture_date,
            };
            let data = match modality {
                Modality::Fingerprint => RecordData::Fingerprint(template),
                Modality::Face => RecordData::Face(template),
            };
            finish(common, id, data)
        }
    }
}

/// A local id from a digest of what identifies a record without an identifier of its own.
fn digest_id(tag: char, identity: &str) -> String {
    let hash = Hash::of(b"bureau/record-id\0", &[identity.as_bytes()]).to_string();
    format!("{tag}{}", &hash[..12])
}
