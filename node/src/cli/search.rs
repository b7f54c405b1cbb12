//! `bureau search ...`: flags to a search request for each shared database, and the results.

use anyhow::Result;
use bureau_core::schema::{DocumentType, Modality};
use bureau_core::{CountryCode, MemberCode, PartialDate};
use bureau_service::query::{DobFilter, Query, SearchContext, SearchRequest};
use clap::{Args, Subcommand};

use super::context::Context;
use super::publish::parse_locus;
use crate::output;

/// Why a search is made and where: kept in the audit log and sent with a hit to the owner.
#[derive(Debug, Clone, Args, Default)]
pub struct ContextFlags {
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
        /// The document number (case, spaces and dashes ignored).
        #[arg(long)]
        number: String,
        /// Issuing country, to narrow the search.
        #[arg(long)]
        country: Option<MemberCode>,
        /// Document type (needs --country).
        #[arg(long = "type")]
        document_type: Option<DocumentType>,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// Vehicles by VIN or engine number.
    Vehicle {
        /// The vehicle identification number.
        #[arg(long, required_unless_present = "engine")]
        vin: Option<String>,
        /// The engine number.
        #[arg(long)]
        engine: Option<String>,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// Persons by name, in any script, spelling and order, ranked by score.
    Person {
        /// The name in any script and order, e.g. "Sergei Ivanov" or "Иванов Сергей".
        #[arg(long)]
        name: String,
        /// Date of birth: YYYY, YYYY-MM or YYYY-MM-DD.
        #[arg(long)]
        dob: Option<PartialDate>,
        /// Accept a date of birth this many years either side of --dob.
        #[arg(long, requires = "dob", default_value_t = 0)]
        dob_within: u16,
        /// Sex (M, F or X): ranks persons of the other sex lower, not out.
        #[arg(long)]
        sex: Option<bureau_core::schema::Sex>,
        /// Nationality (ISO 3166 alpha-3): ranks persons without it lower, not out.
        #[arg(long)]
        nationality: Option<CountryCode>,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// Firearms by serial number, optionally with the make.
    Firearm {
        /// The serial number.
        #[arg(long)]
        serial: String,
        /// The maker, to narrow serial numbers that several makers use.
        #[arg(long)]
        make: Option<String>,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// Vessels by IMO number, hull number or engine serial.
    Vessel {
        /// The IMO number.
        #[arg(long)]
        imo: Option<String>,
        /// The hull identification number.
        #[arg(long)]
        hull: Option<String>,
        /// The engine serial number.
        #[arg(long)]
        engine: Option<String>,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// The stolen blank-document series a serial number falls in.
    AdminDocument {
        /// A serial number inside a stolen range of blank documents.
        #[arg(long)]
        serial: String,
        /// The issuing country (ISO 3166 alpha-3).
        #[arg(long)]
        country: Option<MemberCode>,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// Works of art by title.
    Art {
        /// Words of the title or description.
        #[arg(long)]
        title: String,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// DNA, hit/no-hit: --locus D3S1358=15,16 for each typed locus; answers references only.
    Dna {
        /// The STR profile as LOCUS=ALLELE,ALLELE pairs separated by semicolons.
        #[arg(long = "locus", value_parser = parse_locus, required = true)]
        loci: Vec<(String, String)>,
        #[command(flatten)]
        context: ContextFlags,
    },
    /// Fingerprint or face templates by reference.
    Template {
        /// fingerprint or face.
        #[arg(long)]
        modality: Modality,
        /// The template reference in the national system.
        #[arg(long)]
        reference: String,
        #[command(flatten)]
        context: ContextFlags,
    },
}

impl From<ContextFlags> for SearchContext {
    fn from(flags: ContextFlags) -> SearchContext {
        SearchContext {
            purpose: flags.purpose,
            place: flags.place,
        }
    }
}

impl Search {
    /// The request the flags describe.
    pub fn into_request(self) -> SearchRequest {
        let (query, context) = self.into_query();
        SearchRequest {
            query,
            purpose: context.purpose,
            place: context.place,
        }
    }

    /// The query the flags describe, and why and where it is made.
    pub fn into_query(self) -> (Query, ContextFlags) {
        match self {
            Search::Sltd {
                number,
                country,
                document_type,
                context,
            } => (
                Query::TravelDocument {
                    number,
                    issuing_country: country,
                    document_type,
                },
                context,
            ),
            Search::Vehicle {
                vin,
                engine,
                context,
            } => (
                Query::Vehicle {
                    vin,
                    engine_number: engine,
                },
                context,
            ),
            Search::Person {
                name,
                dob,
                dob_within,
                sex,
                nationality,
                context,
            } => (
                Query::Person {
                    name,
                    dob: dob.map(|date| DobFilter {
                        date,
                        within_years: dob_within,
                    }),
                    sex,
                    nationality,
                },
                context,
            ),
            Search::Firearm {
                serial,
                make,
                context,
            } => (
                Query::Firearm {
                    serial_number: serial,
                    make,
                },
                context,
            ),
            Search::Vessel {
                imo,
                hull,
                engine,
                context,
            } => (
                Query::Vessel {
                    imo_number: imo,
                    hull_number: hull,
                    engine_serial: engine,
                },
                context,
            ),
            Search::AdminDocument {
                serial,
                country,
                context,
            } => (
                Query::AdministrativeDocument {
                    serial,
                    issuing_country: country,
                },
                context,
            ),
            Search::Art { title, context } => (Query::WorkOfArt { title }, context),
            Search::Dna { loci, context } => (
                Query::Dna {
                    loci: loci.into_iter().collect(),
                },
                context,
            ),
            Search::Template {
                modality,
                reference,
                context,
            } => (
                Query::Template {
                    modality,
                    reference,
                },
                context,
            ),
        }
    }
}

/// `bureau search ...`
pub fn search(context: &Context, search: Search) -> Result<()> {
    let found = context.backend()?.call(search.into_request())?;
    output::found(&found, context.json);
    Ok(())
}
