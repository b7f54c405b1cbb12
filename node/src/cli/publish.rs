//! `bureau publish ...`: the flags of each database's record, and how they become a draft
//! (the record, its local id, access and review date) for the publish operation.

use bureau_core::hash::Hash;
use bureau_core::normalize;
use bureau_core::schema::{
    AdministrativeDocument, ArtObjectType, DnaProfile, DnaSample, DocumentType, Firearm,
    FirearmKind, FirearmStatus, LegalBasis, LossType, Modality, Person, Sex, TemplateReference,
    TravelDocument, Vehicle, VehicleKind, Vessel, VesselKind, WorkOfArt,
};
use bureau_core::{Access, CountryCode, Date, MemberCode, PartialDate, RecordData};
use bureau_service::records::Draft;
use clap::{Args, Subcommand};

use anyhow::Result;

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
    Sltd(SltdFlags),
    /// A stolen motor vehicle.
    Vehicle(VehicleFlags),
    /// A person subject to police cooperation.
    Person(PersonFlags),
    /// A lost, stolen, trafficked or smuggled firearm.
    Firearm(FirearmFlags),
    /// A stolen work of art.
    Art(ArtFlags),
    /// A stolen vessel or vessel engine (needs --imo, --hull or --engine).
    Vessel(VesselFlags),
    /// A series of stolen blank administrative documents issued by this member.
    AdminDocument(AdminDocumentFlags),
    /// A DNA profile (no names): --locus D3S1358=15,16 for each locus, at least 6.
    Dna(DnaFlags),
    /// A fingerprint or face template reference (the template stays in the national system).
    Template(TemplateFlags),
}

/// The flags of `bureau publish sltd`.
#[derive(Debug, Args)]
pub struct SltdFlags {
    /// The document number as printed (spaces and dashes are ignored when searching).
    #[arg(long)]
    number: String,
    /// passport, id-card, visa or other.
    #[arg(long = "type", default_value = "passport")]
    document_type: DocumentType,
    /// stolen-blank, stolen, lost or revoked.
    #[arg(long, default_value = "stolen")]
    loss: LossType,
    /// Date of issue (YYYY-MM-DD).
    #[arg(long)]
    issued: Option<Date>,
    /// Date of expiry (YYYY-MM-DD).
    #[arg(long)]
    expires: Option<Date>,
    /// When it was stolen or lost (YYYY-MM-DD).
    #[arg(long)]
    theft_date: Option<Date>,
    /// Where it was stolen or lost (a place name, free text).
    #[arg(long)]
    theft_place: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish vehicle`.
#[derive(Debug, Args)]
pub struct VehicleFlags {
    /// Vehicle identification number (17 characters; a North American VIN must have a valid check digit).
    #[arg(long)]
    vin: String,
    /// car, truck, motorcycle, trailer, part or other.
    #[arg(long, default_value = "car")]
    kind: VehicleKind,
    /// The engine number.
    #[arg(long)]
    engine: Option<String>,
    /// The maker, e.g. Toyota, Beretta.
    #[arg(long)]
    make: Option<String>,
    /// The model, e.g. Corolla, 92FS.
    #[arg(long)]
    model: Option<String>,
    /// Model year.
    #[arg(long)]
    year: Option<u16>,
    /// Colour, free text.
    #[arg(long)]
    colour: Option<String>,
    /// Registration plate as issued.
    #[arg(long)]
    plate: Option<String>,
    /// The country that issued the plate (ISO 3166 alpha-3, e.g. FRA).
    #[arg(long)]
    plate_country: Option<CountryCode>,
    /// When it was stolen or lost (YYYY-MM-DD).
    #[arg(long)]
    theft_date: Option<Date>,
    /// Where it was stolen or lost (a place name, free text).
    #[arg(long)]
    theft_place: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish person`.
#[derive(Debug, Args)]
pub struct PersonFlags {
    /// Family name(s), in the script of the documents (any script).
    #[arg(long)]
    family_name: String,
    /// Given names, in order, separated by spaces.
    #[arg(long, default_value = "")]
    given_names: String,
    /// Another name the person uses (repeatable).
    #[arg(long = "alias")]
    aliases: Vec<String>,
    /// female, male or unknown (ICAO F, M, X also accepted).
    #[arg(long, default_value = "unknown")]
    sex: Sex,
    /// Date of birth: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long)]
    dob: Option<PartialDate>,
    /// Place of birth, free text.
    #[arg(long)]
    place_of_birth: Option<String>,
    /// A nationality (ISO 3166 alpha-3, repeatable).
    #[arg(long = "nationality")]
    nationalities: Vec<CountryCode>,
    /// A travel document the person holds (its number; repeatable).
    #[arg(long = "document")]
    documents: Vec<String>,
    /// Physical description, free text.
    #[arg(long)]
    description: Option<String>,
    /// The offence the person is wanted or sought for.
    #[arg(long)]
    offence: Option<String>,
    /// Warrant reference (with --authority and --max-penalty-months).
    #[arg(long, requires_all = ["authority", "max_penalty_months"])]
    warrant: Option<String>,
    /// The judicial authority that issued the warrant.
    #[arg(long)]
    authority: Option<String>,
    /// The longest penalty the offence carries, in months (a Red Notice needs 24 or more).
    #[arg(long)]
    max_penalty_months: Option<u32>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish firearm`.
#[derive(Debug, Args)]
pub struct FirearmFlags {
    /// The serial number as marked on the firearm.
    #[arg(long)]
    serial: String,
    /// The maker, e.g. Toyota, Beretta.
    #[arg(long)]
    make: String,
    /// The model, e.g. Corolla, 92FS.
    #[arg(long)]
    model: Option<String>,
    /// Calibre, e.g. 9mm.
    #[arg(long)]
    calibre: Option<String>,
    /// pistol, revolver, rifle, shotgun, submachine-gun, machine-gun or other.
    #[arg(long, default_value = "pistol")]
    kind: FirearmKind,
    /// lost, stolen, trafficked or smuggled.
    #[arg(long, default_value = "stolen")]
    status: FirearmStatus,
    /// When it was stolen or lost (YYYY-MM-DD).
    #[arg(long)]
    theft_date: Option<Date>,
    /// Where it was stolen or lost (a place name, free text).
    #[arg(long)]
    theft_place: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish art`.
#[derive(Debug, Args)]
pub struct ArtFlags {
    /// Title or short description of the work.
    #[arg(long)]
    title: String,
    /// painting, sculpture, drawing, print, manuscript, coin, jewellery, furniture, ceramic, textile, archaeological, religious or other.
    #[arg(long = "type", default_value = "painting")]
    object_type: ArtObjectType,
    /// Artist or maker.
    #[arg(long)]
    maker: Option<String>,
    /// Period or date of the work, free text.
    #[arg(long)]
    period: Option<String>,
    /// Materials and technique, free text.
    #[arg(long)]
    materials: Option<String>,
    /// Dimensions, free text (e.g. 65 x 54 cm).
    #[arg(long)]
    dimensions: Option<String>,
    /// Inscriptions, signatures, labels and other marks.
    #[arg(long)]
    marks: Option<String>,
    /// Image reference (hash or archive id); repeat for several.
    #[arg(long = "image")]
    images: Vec<String>,
    /// When it was stolen or lost (YYYY-MM-DD).
    #[arg(long)]
    theft_date: Option<Date>,
    /// Where it was stolen or lost (a place name, free text).
    #[arg(long)]
    theft_place: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish vessel`.
#[derive(Debug, Args)]
pub struct VesselFlags {
    /// IMO number (7 digits with a valid check digit).
    #[arg(long)]
    imo: Option<String>,
    /// Hull identification number.
    #[arg(long)]
    hull: Option<String>,
    /// The vessel name.
    #[arg(long)]
    name: Option<String>,
    /// yacht, motorboat, sailboat, fishing, cargo, personal-watercraft, outboard-engine or other.
    #[arg(long, default_value = "motorboat")]
    kind: VesselKind,
    /// Flag state (ISO 3166 alpha-3).
    #[arg(long)]
    flag: Option<CountryCode>,
    /// Engine serial; repeat for several.
    #[arg(long = "engine")]
    engines: Vec<String>,
    /// Builder or engine maker.
    #[arg(long)]
    make: Option<String>,
    /// When it was stolen or lost (YYYY-MM-DD).
    #[arg(long)]
    theft_date: Option<Date>,
    /// Where it was stolen or lost (a place name, free text).
    #[arg(long)]
    theft_place: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish admindocument`.
#[derive(Debug, Args)]
pub struct AdminDocumentFlags {
    /// What the blanks are, e.g. "driving licence".
    #[arg(long = "type")]
    document_type: String,
    /// The authority that issued the blank documents.
    #[arg(long)]
    authority: String,
    /// First serial of the range (e.g. AB000100).
    #[arg(long)]
    first: String,
    /// Last serial of the range (default: the first: one document).
    #[arg(long)]
    last: Option<String>,
    /// When it was stolen or lost (YYYY-MM-DD).
    #[arg(long)]
    theft_date: Option<Date>,
    /// Where it was stolen or lost (a place name, free text).
    #[arg(long)]
    theft_place: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish dna`.
#[derive(Debug, Args)]
pub struct DnaFlags {
    /// The STR profile as LOCUS=ALLELE,ALLELE pairs separated by semicolons, e.g. D3S1358=15,16;vWA=17,18.
    #[arg(long = "locus", value_parser = parse_locus, required = true)]
    loci: Vec<(String, String)>,
    /// reference-person, crime-scene, missing-person-relative or unidentified-body.
    #[arg(long, default_value = "crime-scene")]
    sample: DnaSample,
    /// The profile belongs to an identified person (5 years' retention instead of 15).
    #[arg(long)]
    known_person: bool,
    /// The laboratory reference of the profile.
    #[arg(long)]
    lab_reference: Option<String>,
    #[command(flatten)]
    common: Common,
}

/// The flags of `bureau publish template`.
#[derive(Debug, Args)]
pub struct TemplateFlags {
    /// fingerprint or face.
    #[arg(long)]
    modality: Modality,
    /// The reference of the biometric template in the national system.
    #[arg(long)]
    reference: String,
    /// The template format, e.g. ISO/IEC 19794-2.
    #[arg(long)]
    format: Option<String>,
    /// The person record the template belongs to, when known (its reference).
    #[arg(long)]
    known_person: bool,
    /// When the template was captured (YYYY-MM-DD).
    #[arg(long)]
    capture_date: Option<Date>,
    #[command(flatten)]
    common: Common,
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
        Publish::Sltd(flags) => flags.draft(owner),
        Publish::Vehicle(flags) => flags.draft(owner),
        Publish::Person(flags) => flags.draft(owner),
        Publish::Firearm(flags) => flags.draft(owner),
        Publish::Art(flags) => flags.draft(owner),
        Publish::Vessel(flags) => flags.draft(owner),
        Publish::AdminDocument(flags) => flags.draft(owner),
        Publish::Dna(flags) => flags.draft(owner),
        Publish::Template(flags) => flags.draft(owner),
    }
}

impl SltdFlags {
    fn draft(self, owner: MemberCode) -> Result<Draft> {
        let SltdFlags {
            number,
            document_type,
            loss,
            issued,
            expires,
            theft_date,
            theft_place,
            common,
        } = self;
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
}

impl VehicleFlags {
    fn draft(self, _owner: MemberCode) -> Result<Draft> {
        let VehicleFlags {
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
        } = self;
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
}

impl PersonFlags {
    fn draft(self, _owner: MemberCode) -> Result<Draft> {
        let PersonFlags {
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
        } = self;
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
}

impl FirearmFlags {
    fn draft(self, _owner: MemberCode) -> Result<Draft> {
        let FirearmFlags {
            serial,
            make,
            model,
            calibre,
            kind,
            status,
            theft_date,
            theft_place,
            common,
        } = self;
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
}

impl ArtFlags {
    fn draft(self, _owner: MemberCode) -> Result<Draft> {
        let ArtFlags {
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
        } = self;
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
}

impl VesselFlags {
    fn draft(self, _owner: MemberCode) -> Result<Draft> {
        let VesselFlags {
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
        } = self;
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
}

impl AdminDocumentFlags {
    fn draft(self, owner: MemberCode) -> Result<Draft> {
        let AdminDocumentFlags {
            document_type,
            authority,
            first,
            last,
            theft_date,
            theft_place,
            common,
        } = self;
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
}

impl DnaFlags {
    fn draft(self, _owner: MemberCode) -> Result<Draft> {
        let DnaFlags {
            loci,
            sample,
            known_person,
            lab_reference,
            common,
        } = self;
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
}

impl TemplateFlags {
    fn draft(self, _owner: MemberCode) -> Result<Draft> {
        let TemplateFlags {
            modality,
            reference,
            format,
            known_person,
            capture_date,
            common,
        } = self;
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

/// A local id from a digest of what identifies a record without an identifier of its own.
fn digest_id(tag: char, identity: &str) -> String {
    let hash = Hash::of(b"bureau/record-id\0", &[identity.as_bytes()]).to_string();
    format!("{tag}{}", &hash[..12])
}
