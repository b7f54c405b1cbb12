//! The command line: raw flags as clap parses them. `main.rs` turns them into calls.

use std::path::PathBuf;

use bureau_core::schema::{
    ArtObjectType, DnaSample, DocumentType, FirearmKind, FirearmStatus, LossType, Modality, Sex,
    VehicleKind, VesselKind,
};
use bureau_core::{CountryCode, Date, MemberCode, PartialDate, RecordKey};
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "bureau",
    version,
    about = "A peer-to-peer network for police records shared between national bureaus",
    long_about = "A peer-to-peer network for police records shared between national bureaus.\n\n\
        Every member runs this same binary. Founding a network and admitting members is done \
        offline with `genesis`, `init` and `admit`; records are published and searched with \
        `publish`, `search`, `get` and `cancel` on a node directory."
)]
pub struct Cli {
    /// The node directory (keys, certificate, genesis, replica); for sandbox and devnet, the
    /// directory of the whole network (default ./sandbox, ./devnet).
    #[arg(long, global = true, env = "BUREAU_DIR")]
    pub dir: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// sled page cache for the replica, in MiB.
    #[arg(long, global = true, env = "BUREAU_CACHE_MIB", default_value_t = 32)]
    pub cache_mib: u64,
    /// The node's API (default: the address in DIR/api.addr when a node runs there).
    #[arg(long, global = true, env = "BUREAU_API")]
    pub api: Option<String>,
    /// The API bearer token (default: DIR/api.token).
    #[arg(long, global = true, env = "BUREAU_TOKEN")]
    pub token: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Found a network: write a root key (keep it offline) and a genesis file into --dir.
    Genesis {
        /// The network's name, e.g. "bureau-testnet".
        #[arg(long)]
        name: String,
        /// Address of a node to contact first (repeatable), e.g. /ip4/192.0.2.1/tcp/7000.
        #[arg(long = "bootstrap")]
        bootstrap: Vec<String>,
    },
    /// Create this node's keys in --dir and a join request for the root-key holder.
    Init {
        /// The member this node serves: an ISO 3166 alpha-3 code, or XGS for the secretariat.
        #[arg(long)]
        member: MemberCode,
        /// The network's genesis file.
        #[arg(long)]
        genesis: PathBuf,
    },
    /// Sign a certificate for a join request (root-key holder only).
    Admit {
        /// The root key written by `bureau genesis`.
        #[arg(long)]
        root: PathBuf,
        /// The network's genesis file.
        #[arg(long)]
        genesis: PathBuf,
        /// The node's join-request.bureau.
        request: PathBuf,
        /// Give the secretariat role (only for member XGS).
        #[arg(long, value_parser = ["secretariat"])]
        role: Option<String>,
        /// Days the certificate is valid.
        #[arg(long, default_value_t = crate::trust::DEFAULT_CERTIFICATE_DAYS)]
        valid_days: u32,
        /// Where to write the certificate (the node expects it as node.cert in its directory).
        #[arg(long)]
        out: PathBuf,
    },
    /// Publish or update a record owned by this member.
    #[command(subcommand)]
    Publish(Publish),
    /// Search the local replica by exact identifiers or name.
    #[command(subcommand)]
    Search(Search),
    /// Send a direct message to another bureau, or list messages.
    #[command(subcommand)]
    Message(MessageCommand),
    /// Hits: searches here that found other members' records, and searches elsewhere that found
    /// this member's; answer one with `hits answer`.
    Hits {
        #[command(subcommand)]
        answer: Option<HitsCommand>,
    },
    /// Show the node's audit log (every search and change), or check it with --verify.
    Audit {
        /// Check the whole hash chain and report the first line that breaks it.
        #[arg(long)]
        verify: bool,
        /// Show the last N lines.
        #[arg(long, default_value_t = 50)]
        tail: usize,
    },
    /// Write synthetic records (and, for persons, a key of spelling variants) for tests and
    /// benchmarks, in the format `bureau import` reads.
    Generate {
        /// persons, sltd or vehicles.
        #[arg(long)]
        database: bureau_core::Database,
        #[arg(long, default_value_t = 1000)]
        count: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Issuing country of travel documents.
        #[arg(long, default_value = "FRA")]
        issuer: CountryCode,
        /// Where to write the records (JSON Lines).
        #[arg(long)]
        out: PathBuf,
        /// For persons: where to write the variant queries and the person each belongs to.
        #[arg(long)]
        key: Option<PathBuf>,
        /// For persons: variant queries per person.
        #[arg(long, default_value_t = 3)]
        variants: usize,
    },
    /// Import records of one database from JSON Lines or CSV (see README: bulk import).
    Import {
        /// The database: sltd, vehicles, persons, firearms, art, vessels, admin-documents,
        /// dna, fingerprints or faces.
        #[arg(long)]
        database: bureau_core::Database,
        /// The file to read.
        file: PathBuf,
        /// The format (default: from the file name; .csv is CSV, anything else JSON Lines).
        #[arg(long, value_enum)]
        format: Option<crate::import::Format>,
        /// Write every rejected line (line, field, error) to this CSV file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Show one record by reference (DATABASE/OWNER/ID, as printed by publish and search).
    Get {
        reference: RecordKey,
        #[command(flatten)]
        context: SearchContext,
    },
    /// Cancel a record this member owns; it disappears from search everywhere.
    Cancel {
        reference: RecordKey,
        /// Why the record is cancelled (kept in the signed log).
        #[arg(long)]
        reason: String,
    },
    /// Notices: request, review (secretariat), list, show, cancel.
    #[command(subcommand)]
    Notice(NoticeCommand),
    /// Diffusions: send to chosen members, list, flag or withdraw (secretariat).
    #[command(subcommand)]
    Diffusion(DiffusionCommand),
    /// Block a record as non-compliant (secretariat only): hidden from search everywhere.
    Block {
        reference: RecordKey,
        /// Why (Article 3, data rules…); kept in the signed log.
        #[arg(long)]
        reason: String,
    },
    /// Lift a block (secretariat only).
    Unblock {
        reference: RecordKey,
        #[arg(long)]
        reason: String,
    },
    /// Show the node's member, digest, counts and (when it runs) its peers count.
    Status,
    /// Show the peers a running node is connected to.
    Peers,
    /// This member's records due for review (and those already expired); extend one by
    /// publishing it again with a later --review-date.
    Review {
        #[arg(long, default_value_t = crate::replica::REVIEW_NOTICE_DAYS)]
        within_days: i64,
    },
    /// Extend a record's review date, with the reason (a new version with the same data).
    Extend {
        reference: RecordKey,
        #[arg(long)]
        review_date: Date,
        #[arg(long)]
        reason: String,
    },
    /// Erase, on every replica, the bodies of this member's expired and cancelled records (a
    /// running node also does it every hour). Signed headers stay, so logs still verify.
    Erase,
    /// List the members this replica knows: roles, serials, status.
    Members,
    /// Announce a member's certificate to the network (secretariat node only).
    AdmitPublish {
        /// The certificate file written by `bureau admit`.
        certificate: PathBuf,
    },
    /// Revoke a member's current certificates (secretariat node only): its later entries are
    /// refused and its connections closed everywhere.
    Revoke {
        /// The member code, e.g. FRA.
        member: MemberCode,
        /// Only this certificate (for key rotation; see `bureau members`).
        #[arg(long)]
        serial: Option<u64>,
        /// Why (kept in the signed log and shown to the revoked node).
        #[arg(long)]
        reason: String,
    },
    /// Run the node daemon.
    #[command(subcommand)]
    Node(NodeCommand),
    /// Start a local network of real node processes with sample data; Ctrl-C stops it.
    Devnet {
        /// How many nodes, the secretariat (node0) included.
        #[arg(long, default_value_t = 5)]
        nodes: usize,
        /// The first node's port (TCP and QUIC); node i uses base + i.
        #[arg(long, default_value_t = 7000)]
        base_port: u16,
        /// Only create the network (keys, configs, sample records in each member's replica)
        /// and exit, for scripts that start and stop the nodes themselves (`testnet/up.sh`).
        #[arg(long)]
        provision_only: bool,
        /// With --provision-only: derive every node's keys from this seed, so the same seed
        /// gives the same peer ids (the root key stays random).
        #[arg(long, requires = "provision_only")]
        key_seed: Option<u64>,
    },
    /// Copy into this replica every entry another local replica holds that this one lacks.
    Sync {
        /// The other node directory.
        #[arg(long)]
        from: PathBuf,
    },
    /// Build a demonstration network offline: a secretariat and members with their own
    /// replicas, sample records, and replicas synchronised until their digests agree.
    Sandbox {
        /// How many member nodes besides the secretariat.
        #[arg(long, default_value_t = 4)]
        members: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum NoticeCommand {
    /// File a notice request about one of this member's person records.
    Request {
        #[arg(long)]
        colour: bureau_core::case::Colour,
        /// The person record (persons/OWNER/ID); its offence and warrant go into the request.
        #[arg(long)]
        person: RecordKey,
        #[arg(long)]
        summary: String,
        /// Months left to serve (for a convicted person).
        #[arg(long)]
        remaining_months: Option<u32>,
        /// The notice's id (default: colour and person id).
        #[arg(long)]
        id: Option<String>,
    },
    /// Review a request (secretariat only).
    Review {
        /// OWNER/ID, as `notice list` shows it.
        notice: bureau_core::case::CaseRef,
        #[arg(long)]
        decision: bureau_core::case::Decision,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The notices this member may see.
    List,
    /// One notice.
    Show { notice: bureau_core::case::CaseRef },
    /// Withdraw a notice (its requester, or the secretariat).
    Cancel {
        notice: bureau_core::case::CaseRef,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DiffusionCommand {
    /// Send a diffusion about one of this member's person records to chosen members.
    Send {
        /// Recipients, comma-separated member codes.
        #[arg(long, value_delimiter = ',', required = true)]
        to: Vec<MemberCode>,
        #[arg(long)]
        person: RecordKey,
        #[arg(long)]
        purpose: String,
        #[arg(long)]
        id: Option<String>,
    },
    /// The diffusions this member sent, received or reviews.
    List,
    /// Flag a diffusion as not compliant (secretariat only).
    Flag {
        diffusion: bureau_core::case::CaseRef,
        #[arg(long)]
        reason: String,
    },
    /// Withdraw a diffusion (secretariat only).
    Withdraw {
        diffusion: bureau_core::case::CaseRef,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Send a message (signed, kept in the outbox until the recipient's node acknowledges it).
    Send {
        /// The recipient member.
        #[arg(long)]
        to: MemberCode,
        /// SIENA handling code: h0 police use only, h1 not for court without permission, h2 not
        /// to be passed on without permission, h3 other restrictions.
        #[arg(long, value_enum, default_value = "h0")]
        handling: crate::mail::Handling,
        #[arg(long)]
        subject: String,
        /// The message text.
        text: String,
    },
    /// Messages received.
    Inbox,
    /// Messages sent, with their delivery state.
    Sent,
}

#[derive(Debug, Subcommand)]
pub enum HitsCommand {
    /// Answer a hit on one of this member's records: confirmed or not, and what to do.
    Answer {
        hit: String,
        /// The record is valid and the hit confirmed.
        #[arg(
            long,
            conflicts_with = "not_confirmed",
            required_unless_present = "not_confirmed"
        )]
        confirmed: bool,
        /// The record no longer stands (recovered, cleared).
        #[arg(long)]
        not_confirmed: bool,
        /// The action to take, e.g. "seize the document and contact NCB Paris".
        #[arg(long)]
        action: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Run the daemon on --dir: network, replica and local API (stops on Ctrl-C or SIGTERM).
    Run(crate::config::RunFlags),
}

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

/// Why a search is made and where: kept in the audit log and sent with a hit to the owner.
#[derive(Debug, Clone, Args, Default, serde::Serialize, serde::Deserialize)]
pub struct SearchContext {
    /// Why the search is made (e.g. "border check").
    #[arg(long)]
    pub purpose: Option<String>,
    /// Where: the post or place (e.g. "Vienna airport, gate B").
    #[arg(long)]
    pub place: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Search {
    /// Travel documents by number (case, spaces and dashes ignored).
    Sltd {
        #[arg(long)]
        number: String,
        /// Issuing country, to narrow the search.
        #[arg(long)]
        country: Option<MemberCode>,
        /// Document type (needs --country).
        #[arg(long = "type")]
        document_type: Option<DocumentType>,
        #[command(flatten)]
        context: SearchContext,
    },
    /// Vehicles by VIN or engine number.
    Vehicle {
        #[arg(long, required_unless_present = "engine")]
        vin: Option<String>,
        #[arg(long)]
        engine: Option<String>,
        #[command(flatten)]
        context: SearchContext,
    },
    /// Persons by name, in any script, spelling and order, ranked by score.
    Person {
        #[arg(long)]
        name: String,
        /// Date of birth: YYYY, YYYY-MM or YYYY-MM-DD.
        #[arg(long)]
        dob: Option<PartialDate>,
        /// Accept a date of birth this many years either side of --dob.
        #[arg(long, requires = "dob", default_value_t = 0)]
        dob_within: u16,
        #[arg(long)]
        nationality: Option<CountryCode>,
        #[command(flatten)]
        context: SearchContext,
    },
    /// Firearms by serial number, optionally with the make.
    Firearm {
        #[arg(long)]
        serial: String,
        #[arg(long)]
        make: Option<String>,
        #[command(flatten)]
        context: SearchContext,
    },
    /// Vessels by IMO number, hull number or engine serial.
    Vessel {
        #[arg(long)]
        imo: Option<String>,
        #[arg(long)]
        hull: Option<String>,
        #[arg(long)]
        engine: Option<String>,
        #[command(flatten)]
        context: SearchContext,
    },
    /// The stolen blank-document series a serial number falls in.
    AdminDocument {
        #[arg(long)]
        serial: String,
        #[arg(long)]
        country: Option<MemberCode>,
        #[command(flatten)]
        context: SearchContext,
    },
    /// Works of art by title.
    Art {
        #[arg(long)]
        title: String,
        #[command(flatten)]
        context: SearchContext,
    },
    /// DNA, hit/no-hit: --locus D3S1358=15,16 for each typed locus; answers references only.
    Dna {
        #[arg(long = "locus", value_parser = parse_locus, required = true)]
        loci: Vec<(String, String)>,
        #[command(flatten)]
        context: SearchContext,
    },
    /// Fingerprint or face templates by reference.
    Template {
        #[arg(long)]
        modality: Modality,
        #[arg(long)]
        reference: String,
        #[command(flatten)]
        context: SearchContext,
    },
}
