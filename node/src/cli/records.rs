//! Record commands: `publish` (flags to a record), `get`, `cancel`, `extend`, `block` and
//! `unblock`, `review`, `erase` and `import`, and how their answers are printed.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use bureau_core::hash::Hash;
use bureau_core::normalize;
use bureau_core::schema::{
    AdministrativeDocument, ArtObjectType, DnaProfile, DnaSample, DocumentType, Firearm,
    FirearmKind, FirearmStatus, LegalBasis, LossType, Modality, Person, Sex, TemplateReference,
    TravelDocument, Vehicle, VehicleKind, Vessel, VesselKind, WorkOfArt,
};
use bureau_core::{Access, CountryCode, Database, Date, MemberCode, PartialDate, RecordData, RecordKey};
use bureau_service::ops::{
    BlockRecord, CancelRecord, DueForReview, EraseDue, ExtendRecord, GetRecord, GetStatus,
    ImportBatch, RecordPath,
};
use bureau_service::records::Draft;
use bureau_service::replica::is_expired;
use clap::{Args, Subcommand};

use super::Context;
use super::import;
use super::search::ContextFlags;
use crate::backend::Backend;
use crate::output;

/// Fields every record has.
#[derive(Debug, Args)]
pub struct Common {
    /// Local id of the record (default: derived from its identifier).
    #[arg(long)]
    pub id: Option<String>,
    /// Date the record must be reviewed by (default: today plus the database's retention).
    #[arg(long)]
    pub review_date: Option<Date>,
    /// Who may read it: all, secretariat, a comma-separated list of member codes, or
    /// all-except:CODES. Anything but all is sealed to the readers' keys.
    #[arg(long, default_value = "all")]
    pub access: String,
}

#[derive(Debug, Subcommand)]
pub enum Publish {
    /// A stolen, lost or revoked travel document issued by this member.
    Sltd {
        #[arg(long)]
        number: String,
        #[arg(long = "type", default_value = "passport")]
        document_type: DocumentType,
        #[arg(long, default_value = "stolen")]
        loss: LossType,
        #[arg(long)]
        issued: Option<Date>,
        #[arg(long)]
        expires: Option<Date>,
        #[arg(long)]
        theft_date: Option<Date>,
        #[arg(long)]
        theft_place: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A stolen motor vehicle.
    Vehicle {
        #[arg(long)]
        vin: String,
        #[arg(long, default_value = "car")]
        kind: VehicleKind,
        #[arg(long)]
        engine: Option<String>,
        #[arg(long)]
        make: Option<String>,
        #[arg(long)]
        model: Option<String>,
        #[arg(long)]
        year: Option<u16>,
        #[arg(long)]
        colour: Option<String>,
        #[arg(long)]
        plate: Option<String>,
        #[arg(long)]
        plate_country: Option<CountryCode>,
        #[arg(long)]
        theft_date: Option<Date>,
        #[arg(long)]
        theft_place: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A person subject to police cooperation.
    Person {
        #[arg(long)]
        family_name: String,
        #[arg(long, default_value = "")]
        given_names: String,
        #[arg(long = "alias")]
        aliases: Vec<String>,
        #[arg(long, default_value = "unknown")]
        sex: Sex,
        /// Date of birth: YYYY, YYYY-MM or YYYY-MM-DD.
        #[arg(long)]
        dob: Option<PartialDate>,
        #[arg(long)]
        place_of_birth: Option<String>,
        #[arg(long = "nationality")]
        nationalities: Vec<CountryCode>,
        #[arg(long = "document")]
        documents: Vec<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        offence: Option<String>,
        /// Warrant reference (with --authority and --max-penalty-months).
        #[arg(long, requires_all = ["authority", "max_penalty_months"])]
        warrant: Option<String>,
        #[arg(long)]
        authority: Option<String>,
        #[arg(long)]
        max_penalty_months: Option<u32>,
        #[command(flatten)]
        common: Common,
    },
    /// A lost, stolen, trafficked or smuggled firearm.
    Firearm {
        #[arg(long)]
        serial: String,
        #[arg(long)]
        make: String,
        #[arg(long)]
        model: Option<String>,
        #[arg(long)]
        calibre: Option<String>,
        #[arg(long, default_value = "pistol")]
        kind: FirearmKind,
        #[arg(long, default_value = "stolen")]
        status: FirearmStatus,
        #[arg(long)]
        theft_date: Option<Date>,
        #[arg(long)]
        theft_place: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A stolen work of art.
    Art {
        #[arg(long)]
        title: String,
        #[arg(long = "type", default_value = "painting")]
        object_type: ArtObjectType,
        #[arg(long)]
        maker: Option<String>,
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        materials: Option<String>,
        #[arg(long)]
        dimensions: Option<String>,
        #[arg(long)]
        marks: Option<String>,
        /// Image reference (hash or archive id); repeat for several.
        #[arg(long = "image")]
        images: Vec<String>,
        #[arg(long)]
        theft_date: Option<Date>,
        #[arg(long)]
        theft_place: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A stolen vessel or vessel engine (needs --imo, --hull or --engine).
    Vessel {
        #[arg(long)]
        imo: Option<String>,
        #[arg(long)]
        hull: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "motorboat")]
        kind: VesselKind,
        #[arg(long)]
        flag: Option<CountryCode>,
        /// Engine serial; repeat for several.
        #[arg(long = "engine")]
        engines: Vec<String>,
        #[arg(long)]
        make: Option<String>,
        #[arg(long)]
        theft_date: Option<Date>,
        #[arg(long)]
        theft_place: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A series of stolen blank administrative documents issued by this member.
    AdminDocument {
        /// What the blanks are, e.g. "driving licence".
        #[arg(long = "type")]
        document_type: String,
        #[arg(long)]
        authority: String,
        /// First serial of the range (e.g. AB000100).
        #[arg(long)]
        first: String,
        /// Last serial of the range (default: the first: one document).
        #[arg(long)]
        last: Option<String>,
        #[arg(long)]
        theft_date: Option<Date>,
        #[arg(long)]
        theft_place: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A DNA profile (no names): --locus D3S1358=15,16 for each locus, at least 6.
    Dna {
        #[arg(long = "locus", value_parser = parse_locus, required = true)]
        loci: Vec<(String, String)>,
        #[arg(long, default_value = "crime-scene")]
        sample: DnaSample,
        /// The profile belongs to an identified person (5 years' retention instead of 15).
        #[arg(long)]
        known_person: bool,
        #[arg(long)]
        lab_reference: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A fingerprint or face template reference (the template stays in the national system).
    Template {
        #[arg(long)]
        modality: Modality,
        #[arg(long)]
        reference: String,
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        known_person: bool,
        #[arg(long)]
        capture_date: Option<Date>,
        #[command(flatten)]
        common: Common,
    },
}

/// Parses `LOCUS=ALLELES`, e.g. `D3S1358=15,16`.
pub fn parse_locus(text: &str) -> Result<(String, String), String> {
    let (locus, alleles) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not LOCUS=ALLELES (e.g. D3S1358=15,16)"))?;
    Ok((locus.trim().to_owned(), alleles.trim().to_owned()))
}

/// Parses `--access`: `all`, `secretariat`, member codes separated by commas, or
/// `all-except:` and member codes.
pub fn parse_access(text: &str) -> Result<Access> {
    let members = |list: &str| -> Result<std::collections::BTreeSet<MemberCode>> {
        Ok(list
            .split(',')
            .map(|code| code.trim().parse::<MemberCode>())
            .collect::<Result<_, _>>()
            .map_err(bureau_service::Error::from)?)
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
    data.validate().map_err(bureau_service::Error::from)?;
    default_id.truncate(bureau_core::record::MAX_LOCAL_ID_BYTES);
    let local_id = common.id.unwrap_or(default_id);
    if local_id.is_empty() {
        usage!("cannot derive a local id from the identifier; pass --id");
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
                usage!(
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
                usage!("the secretariat does not issue administrative documents");
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

/// `bureau publish ...`
pub fn publish(context: &Context, publish: Publish) -> Result<()> {
    let backend = context.backend()?;
    let member = backend.call(GetStatus {})?.replica.member;
    let published = backend.call(draft(publish, member)?)?;
    context.print(&published, |published| {
        println!(
            "published {} (version {}, entry {})",
            published.reference, published.version, published.seq
        );
    })
}

/// `bureau get REF`
#[derive(Debug, Args)]
pub struct Get {
    reference: RecordKey,
    #[command(flatten)]
    context: ContextFlags,
}

pub fn get(context: &Context, get: Get) -> Result<()> {
    let reference = get.reference;
    let view = context.backend()?.call(GetRecord {
        record: RecordPath::from(&reference),
        context: get.context.into(),
    })?;
    context.print(&view, |view| match &view.record {
        Some(record) => {
            println!("{reference}  version {}", view.version);
            println!(
                "{}",
                serde_json::to_string_pretty(&record.data).unwrap_or_default()
            );
            println!("review by {}", record.review_date);
            if is_expired(record, bureau_service::clock::now().date()) {
                println!("EXPIRED: the review date has passed (not shown in searches)");
            }
            if let Some(reason) = &view.blocked {
                println!("BLOCKED by the secretariat: {reason} (hidden from search)");
            }
        }
        None if view.erased => println!(
            "{reference}  version {}  erased (expired or cancelled)",
            view.version
        ),
        None => println!(
            "{reference}  version {}  cancelled: {}",
            view.version,
            view.cancel_reason.as_deref().unwrap_or("no reason")
        ),
    })
}

/// `bureau cancel REF --reason ...`
#[derive(Debug, Args)]
pub struct Cancel {
    reference: RecordKey,
    /// Why the record is cancelled (kept in the signed log).
    #[arg(long)]
    reason: String,
}

pub fn cancel(context: &Context, cancel: Cancel) -> Result<()> {
    let published = context.backend()?.call(CancelRecord {
        record: RecordPath::from(&cancel.reference),
        reason: cancel.reason,
    })?;
    context.print(&published, |published| {
        println!(
            "cancelled {} (version {})",
            published.reference, published.version
        );
    })
}

/// `bureau block|unblock REF --reason ...`
#[derive(Debug, Args)]
pub struct Block {
    reference: RecordKey,
    /// Why (Article 3, data rules…); kept in the signed log.
    #[arg(long)]
    reason: String,
}

pub fn block(context: &Context, block: Block, blocked: bool) -> Result<()> {
    let done = context.backend()?.call(BlockRecord {
        record: RecordPath::from(&block.reference),
        blocked,
        reason: block.reason,
    })?;
    context.print(&done, |done| {
        let what = if done.blocked { "blocked" } else { "unblocked" };
        println!("{what} {}", done.reference);
    })
}

/// `bureau extend REF --review-date D --reason ...`
#[derive(Debug, Args)]
pub struct Extend {
    reference: RecordKey,
    #[arg(long)]
    review_date: Date,
    #[arg(long)]
    reason: String,
}

pub fn extend(context: &Context, extend: Extend) -> Result<()> {
    let review_date = extend.review_date;
    let published = context.backend()?.call(ExtendRecord {
        record: RecordPath::from(&extend.reference),
        review_date,
        reason: extend.reason,
    })?;
    context.print(&published, |published| {
        println!(
            "extended {} to {review_date} (version {})",
            published.reference, published.version
        );
    })
}

/// `bureau review [--within-days N]`
pub fn review(context: &Context, within_days: i64) -> Result<()> {
    let due = context.backend()?.call(DueForReview { within_days })?;
    context.print(&due, |due| {
        if due.is_empty() {
            println!("nothing due for review in the next {within_days} days");
            return;
        }
        let today = bureau_service::clock::now().date();
        let rows: Vec<Vec<String>> = due
            .iter()
            .map(|due| {
                let record = &due.record;
                let days = record.review_date.days_since_epoch() - today.days_since_epoch();
                let when = if days < 0 {
                    format!("EXPIRED {} days ago", -days)
                } else {
                    format!("in {days} days")
                };
                vec![
                    due.reference.clone(),
                    record.review_date.to_string(),
                    when,
                    output::summary(record),
                ]
            })
            .collect();
        output::table(&["REF", "REVIEW BY", "WHEN", "RECORD"], &rows);
    })
}

/// `bureau erase`
pub fn erase(context: &Context) -> Result<()> {
    let erased = context.backend()?.call(EraseDue {})?;
    context.print(&erased, |erased| {
        println!("{} erase entries published", erased.erase_entries);
    })
}

/// `bureau import --database DB FILE`
#[derive(Debug, Args)]
pub struct Import {
    /// The database: sltd, vehicles, persons, firearms, art, vessels, admin-documents,
    /// dna, fingerprints or faces.
    #[arg(long)]
    database: Database,
    /// The file to read.
    file: PathBuf,
    /// The format (default: from the file name; .csv is CSV, anything else JSON Lines).
    #[arg(long, value_enum)]
    format: Option<import::Format>,
    /// Write every rejected line (line, field, error) to this CSV file.
    #[arg(long)]
    report: Option<PathBuf>,
}

pub fn import(context: &Context, import: Import) -> Result<()> {
    let backend: Backend = context.backend()?;
    let summary = import::import_file(import.database, &import.file, import.format, |drafts| {
        Ok(backend.call(ImportBatch(drafts))?)
    })?;
    if context.json {
        output::json(&summary);
        if summary.imported == 0 && summary.lines > 0 {
            bail!("nothing was imported");
        }
        return Ok(());
    }
    import::print_summary(&summary, import.report.as_deref())
}
