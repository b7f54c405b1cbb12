//! The command line as clap parses it: global flags and one variant per command. The flags of
//! each area live in its own module (`records`, `search`, `cases`, `mail`).

use std::path::PathBuf;

use bureau_core::MemberCode;
use clap::{Parser, Subcommand};

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
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "BUREAU_DIR"
    )]
    pub dir: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// sled page cache for the replica, in MiB (default 32) [env: BUREAU_CACHE_MIB]. Resolved
    /// by `config`: this flag, then the variable, then (for `node run`) the config file.
    #[arg(long, global = true, help_heading = "Global options")]
    pub cache_mib: Option<u64>,
    /// The node's API (default: the address in DIR/api.addr when a node runs there).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "BUREAU_API"
    )]
    pub api: Option<String>,
    /// The API bearer token (default: DIR/api.token).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "BUREAU_TOKEN"
    )]
    pub token: Option<String>,
    /// PEM certificates to trust for an https:// API: its own certificate when self-signed,
    /// or the CA that signed it (default: DIR/api-tls.crt when it exists).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "BUREAU_API_CA",
        value_name = "FILE"
    )]
    pub api_ca: Option<std::path::PathBuf>,
    /// When no node runs on --dir, sign changes on its replica alone (publish, cancel, import,
    /// …). Refused without it: a restored backup or a copied directory would fork this
    /// member's log. Use only when this directory is known to hold the latest log.
    #[arg(long, global = true, help_heading = "Global options")]
    pub offline: bool,
    /// How log lines (on stderr) are written: text (coloured only on a terminal) or json (one
    /// object per line, for a log collector).
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = LogFormat::Text, env = "BUREAU_LOG_FORMAT")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, coloured only when stderr is a terminal.
    Text,
    /// One JSON object per line: timestamp, level, target, message and fields.
    Json,
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
        /// A storage quota replacing the default (repeatable): [MEMBER:]BUCKET=ENTRIES[/BYTES],
        /// per signing key's log. BUCKET is a database (sltd, vehicles, persons, firearms, art,
        /// vessels, admin-documents, dna, fingerprints, faces) or `other`; BYTES may end in
        /// KiB, MiB, GiB or TiB. E.g. --quota vehicles=2000000/2GiB --quota DEU:sltd=60000000
        #[arg(long = "quota", value_name = "RULE")]
        quota: Vec<bureau_core::quota::QuotaRule>,
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
        #[arg(long, default_value_t = bureau_service::trust::DEFAULT_CERTIFICATE_DAYS)]
        valid_days: u32,
        /// Where to write the certificate (the node expects it as node.cert in its directory).
        #[arg(long)]
        out: PathBuf,
        /// Renew: the serial of the key's current certificate. A key that already has a
        /// certificate (ROOT.issued.jsonl, beside the root key, lists every one signed) gets
        /// another only as a named renewal.
        #[arg(long, value_name = "SERIAL")]
        renew: Option<u64>,
    },
    /// Publish or update a record owned by this member.
    #[command(subcommand)]
    Publish(super::publish::Publish),
    /// Search the local replica by exact identifiers or name.
    #[command(subcommand)]
    Search(super::search::Search),
    /// Send a direct message to another bureau, or list messages.
    #[command(subcommand)]
    Message(super::mail::MessageCommand),
    /// Hits: searches here that found other members' records, and searches elsewhere that found
    /// this member's; answer one with `hits answer`.
    Hits {
        #[command(subcommand)]
        answer: Option<super::mail::HitsCommand>,
        #[command(flatten)]
        page: super::mail::PageFlags,
    },
    /// Show the node's audit log (every search and change), check it with --verify, or have it
    /// witnessed now with --witness.
    Audit {
        /// Check the whole hash chain and report the first line that breaks it, then the file
        /// against the head the network last witnessed.
        #[arg(long, conflicts_with = "witness")]
        verify: bool,
        /// Have the running node sign the log's head into its log now (it also does every 10
        /// minutes and at stop), so the network witnesses it.
        #[arg(long)]
        witness: bool,
        /// Show the last N lines.
        #[arg(long, default_value_t = 50)]
        tail: usize,
    },
    /// Write synthetic records (and, for persons, a key of spelling variants) for tests and
    /// benchmarks, in the format `bureau import` reads.
    Generate(super::network::Generate),
    /// Import records of one database from JSON Lines or CSV (see README: bulk import).
    Import(super::records::Import),
    /// Show one record by reference (DATABASE/OWNER/ID, as printed by publish and search).
    Get(super::records::Get),
    /// Cancel a record this member owns; it disappears from search everywhere.
    Cancel(super::records::Cancel),
    /// Notices: request, review (secretariat), list, show, cancel.
    #[command(subcommand)]
    Notice(super::cases::NoticeCommand),
    /// Diffusions: send to chosen members, list, flag or withdraw (secretariat).
    #[command(subcommand)]
    Diffusion(super::cases::DiffusionCommand),
    /// Block a record as non-compliant (secretariat only): hidden from search everywhere.
    Block(super::records::Block),
    /// Lift a block (secretariat only).
    Unblock(super::records::Block),
    /// Show the node's member, digest, counts and (when it runs) its peers count.
    Status,
    /// Show the peers a running node is connected to.
    Peers,
    /// This member's records due for review (and those already expired); extend one by
    /// publishing it again with a later --review-date.
    Review {
        /// List the records whose review date falls within this many days.
        #[arg(long, default_value_t = bureau_service::replica::REVIEW_NOTICE_DAYS)]
        within_days: i64,
    },
    /// Extend a record's review date, with the reason (a new version with the same data).
    Extend(super::records::Extend),
    /// Erase, on every replica, the bodies of this member's expired and cancelled records (a
    /// running node also does it every hour). Signed headers stay, so logs still verify.
    Erase,
    /// Give readers added since this member's restricted records were sealed (a member
    /// admitted, a node with a new encryption key) the records' keys, in key-wrap entries (a
    /// running node also does it every 10 minutes).
    WrapKeys,
    /// List the members this replica knows: roles, serials, status.
    Members,
    /// Announce a member's certificate to the network (secretariat node only).
    AdmitPublish {
        /// The certificate file written by `bureau admit`.
        certificate: PathBuf,
        /// For a renewal: the serial of the key's certificate it renews (refused otherwise when
        /// the key already has one).
        #[arg(long, value_name = "SERIAL")]
        renew: Option<u64>,
    },
    /// Revoke a member's node keys (secretariat node only; a revocation covers every
    /// certificate of a key, and a revoked key is never admitted again): their later entries
    /// are refused and removed, and their connections closed, everywhere.
    Revoke {
        /// The member code, e.g. FRA.
        member: MemberCode,
        /// Only the key holding this certificate (for key rotation; see `bureau members`).
        #[arg(long)]
        serial: Option<u64>,
        /// Why (kept in the signed log and shown to the revoked node).
        #[arg(long)]
        reason: String,
    },
    /// Run the node daemon.
    #[command(subcommand)]
    Node(NodeCommand),
    /// Back up what no peer holds (keys, certificate, token, config, audit log, messages,
    /// hits, outbox) into one file, from the running node or the stopped replica.
    Backup(super::backup::Backup),
    /// Restore a backup into a new --dir; the node then signs nothing until a member has
    /// given back its own log, so it cannot fork it.
    Restore(super::backup::Restore),
    /// Write a database's live records as JSON Lines or CSV, in the format `import` reads.
    Export(super::backup::Export),
    /// Print the address of the dashboard of the node running on --dir (with its token in the
    /// address's fragment, which the browser keeps to itself): members and how they are
    /// reached, replica, sync, hits, messages, forks.
    Dashboard,
    /// Print the API's OpenAPI 3.1 document (as `GET /v1/openapi.json` serves it).
    Openapi,
    /// Print a shell completion script, e.g. `bureau completions bash >
    /// /etc/bash_completion.d/bureau`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of `bureau`, or with --out write one page per command.
    Man {
        /// Write `bureau.1`, `bureau-search.1`, ... into this directory instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// The daemon's configuration: each setting's value and where it comes from.
    #[command(subcommand)]
    Config(ConfigCommand),
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
pub enum NodeCommand {
    /// Run the daemon on --dir: network, replica and local API (stops on Ctrl-C or SIGTERM).
    Run(Box<crate::config::RunFlags>),
    /// Stop the daemon running on --dir (through its API, as Ctrl-C would) and wait until it
    /// has flushed its store and exited.
    Stop,
    /// Make a self-signed certificate and key for serving the API over HTTPS, in
    /// DIR/api-tls.crt and DIR/api-tls.key; then run with --api-tls-cert api-tls.crt
    /// --api-tls-key api-tls.key. Clients on other hosts trust the certificate with --api-ca.
    TlsCert {
        /// A DNS name or IP address clients use to reach the API (repeatable); localhost and
        /// 127.0.0.1 are always included.
        #[arg(long = "name", value_name = "NAME")]
        names: Vec<String>,
        /// Replace an existing pair.
        #[arg(long)]
        force: bool,
    },
    /// Keep an encryption key this member's node held before (its encryption.key, before a
    /// key rotation) in DIR/retired-keys, so what was sealed to it stays readable here; the
    /// node reads it at its next start.
    KeepKey {
        /// The old encryption.key.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show what `node run` would use on --dir with these flags: value and source (flag, env,
    /// file, default, genesis) of every setting.
    Show(crate::config::RunFlags),
}
