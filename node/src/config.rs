//! The daemon's configuration. Every setting has one precedence: command-line flag, then
//! `BUREAU_*` environment variable, then the config file (`DIR/bureau.toml` or `--config`), then
//! the built-in default. The resolver keeps where each value came from, so `bureau config show`
//! can print it and an error names the flag, variable or file that holds a bad value.
//!
//! Clap does not read the variables (it could not tell a flag from a variable); they come in
//! as an [`Environment`], so tests never touch the process's own.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use bureau_core::Genesis;
use bureau_net::config::{Multiaddr, RelayServer};
use serde::{Deserialize, Serialize};

use bureau_service::files::{self, NodeDir};

/// The config file a node directory may hold.
pub const CONFIG_FILE: &str = "bureau.toml";
/// Where the local API listens unless told otherwise: loopback, any free port (the port is
/// written to `DIR/api.addr`).
pub const DEFAULT_API_LISTEN: &str = "127.0.0.1:0";
/// The replica's sled page cache unless told otherwise, in MiB.
pub const DEFAULT_CACHE_MIB: u64 = 32;
/// Shortest anti-entropy interval: below it a node would spend its time asking peers.
pub const MIN_SYNC_INTERVAL_MS: u64 = 100;
/// The environment variable holding the log filter (tracing's `EnvFilter` syntax).
pub const LOG_VARIABLE: &str = "BUREAU_LOG";
/// The log filter when [`LOG_VARIABLE`] is unset.
pub const DEFAULT_LOG_FILTER: &str = "warn";
/// What `node run` logs when `BUREAU_LOG` is unset: the node's own lines from info (its
/// startup summary, periodic status, stop), the libraries' from warn.
pub const DEFAULT_DAEMON_LOG_FILTER: &str =
    "warn,bureau_node=info,bureau_net=info,bureau_service=info,bureau_store=info,bureau=info";
/// Only variables with this prefix are read from the process environment.
pub const ENVIRONMENT_PREFIX: &str = "BUREAU_";
const BYTES_PER_MIB: u64 = 1024 * 1024;

/// How one setting is named in each source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key in the config file, and the setting's name in `bureau config show`.
    pub name: &'static str,
    /// The command-line flag, for the settings that have one.
    pub flag: Option<&'static str>,
    /// The environment variable (lists in it are comma-separated).
    pub variable: &'static str,
}

impl Key {
    const fn new(name: &'static str, flag: Option<&'static str>, variable: &'static str) -> Key {
        Key {
            name,
            flag,
            variable,
        }
    }
}

pub const CONFIG: Key = Key::new("config", Some("--config"), "BUREAU_CONFIG");
pub const LISTEN: Key = Key::new("listen", Some("--listen"), "BUREAU_LISTEN");
pub const BOOTSTRAP: Key = Key::new("bootstrap", Some("--bootstrap"), "BUREAU_BOOTSTRAP");
pub const API_LISTEN: Key = Key::new("api_listen", Some("--api-listen"), "BUREAU_API_LISTEN");
pub const API_INSECURE: Key = Key::new(
    "api_insecure",
    Some("--api-insecure"),
    "BUREAU_API_INSECURE",
);
pub const API_TLS_CERT: Key = Key::new(
    "api_tls_cert",
    Some("--api-tls-cert"),
    "BUREAU_API_TLS_CERT",
);
pub const API_TLS_KEY: Key = Key::new("api_tls_key", Some("--api-tls-key"), "BUREAU_API_TLS_KEY");
pub const METRICS_LISTEN: Key = Key::new(
    "metrics_listen",
    Some("--metrics-listen"),
    "BUREAU_METRICS_LISTEN",
);
pub const CACHE_MIB: Key = Key::new("cache_mib", Some("--cache-mib"), "BUREAU_CACHE_MIB");
pub const SYNC_INTERVAL_MS: Key = Key::new(
    "sync_interval_ms",
    Some("--sync-interval-ms"),
    "BUREAU_SYNC_INTERVAL_MS",
);
pub const IP_COLOCATION_WEIGHT: Key =
    Key::new("ip_colocation_weight", None, "BUREAU_IP_COLOCATION_WEIGHT");
pub const DNS: Key = Key::new("dns", None, "BUREAU_DNS");
pub const RELAY_SERVER: Key = Key::new(
    "relay_server",
    Some("--relay-server"),
    "BUREAU_RELAY_SERVER",
);
pub const RELAY_VIA: Key = Key::new("relay_via", Some("--relay-via"), "BUREAU_RELAY_VIA");
pub const EXTERNAL_ADDRESSES: Key = Key::new(
    "external_addresses",
    Some("--external-address"),
    "BUREAU_EXTERNAL_ADDRESS",
);
/// Every setting, in the order `bureau config show` prints them.
pub const KEYS: [Key; 15] = [
    CONFIG,
    LISTEN,
    BOOTSTRAP,
    API_LISTEN,
    API_INSECURE,
    API_TLS_CERT,
    API_TLS_KEY,
    METRICS_LISTEN,
    CACHE_MIB,
    SYNC_INTERVAL_MS,
    IP_COLOCATION_WEIGHT,
    DNS,
    RELAY_SERVER,
    RELAY_VIA,
    EXTERNAL_ADDRESSES,
];

/// What a config file may say; every field is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Multiaddresses to listen on.
    pub listen: Option<Vec<String>>,
    /// Multiaddresses to dial at start, in addition to the genesis bootstrap list.
    pub bootstrap: Option<Vec<String>>,
    /// `IP:PORT` of the local API.
    pub api_listen: Option<String>,
    /// Serve the API over plain HTTP on an address other hosts can reach (warned at every
    /// start); without it such an address is refused.
    pub api_insecure: Option<bool>,
    /// Serve the API over HTTPS with this certificate chain (PEM; relative to the node
    /// directory), with `api_tls_key`.
    pub api_tls_cert: Option<String>,
    /// The private key of `api_tls_cert` (PEM, readable by its owner only).
    pub api_tls_key: Option<String>,
    /// `IP:PORT` to serve `/metrics` (Prometheus), `/healthz` and `/readyz` on, without the
    /// API token; empty or absent: not served.
    pub metrics_listen: Option<String>,
    /// sled cache in MiB.
    pub cache_mib: Option<u64>,
    /// Anti-entropy interval in milliseconds.
    pub sync_interval_ms: Option<u64>,
    /// Gossipsub IP-colocation penalty weight (0 for many nodes on one address).
    pub ip_colocation_weight: Option<f64>,
    /// Resolve `/dns` addresses.
    pub dns: Option<bool>,
    /// Serve as a relay for members that cannot be dialled: "auto" (once reachability is
    /// confirmed), "always" or "never".
    pub relay_server: Option<String>,
    /// Relays to reserve a slot on (multiaddresses ending in /p2p/PEER), in addition to the
    /// members chosen automatically while this node is not publicly reachable.
    pub relay_via: Option<Vec<String>>,
    /// This node's public addresses, when the operator knows them (skips AutoNAT's check).
    pub external_addresses: Option<Vec<String>>,
}

/// Flags over the environment and the file. Nothing here has a default: an empty field is a
/// flag not given, and the resolver looks further down.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunFlags {
    /// The config file (default: DIR/bureau.toml when it exists) [env: BUREAU_CONFIG].
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Listen address (repeatable), e.g. /ip4/0.0.0.0/tcp/7000 [env: BUREAU_LISTEN].
    #[arg(long, value_delimiter = ',')]
    pub listen: Vec<String>,
    /// Address to dial at start besides the genesis's (repeatable) [env: BUREAU_BOOTSTRAP].
    #[arg(long, value_delimiter = ',')]
    pub bootstrap: Vec<String>,
    /// The local API's IP:PORT [env: BUREAU_API_LISTEN]. Loopback unless --api-insecure.
    #[arg(long)]
    pub api_listen: Option<String>,
    /// Accept an --api-listen address other hosts can reach, served over plain HTTP: the token
    /// and police data cross the network in clear (a warning at every start)
    /// [env: BUREAU_API_INSECURE].
    #[arg(long)]
    pub api_insecure: bool,
    /// Serve the API over HTTPS with this certificate chain (PEM) [env: BUREAU_API_TLS_CERT];
    /// `bureau node tls-cert` makes a self-signed one.
    #[arg(long)]
    pub api_tls_cert: Option<String>,
    /// The private key of --api-tls-cert (PEM, readable by its owner only)
    /// [env: BUREAU_API_TLS_KEY].
    #[arg(long)]
    pub api_tls_key: Option<String>,
    /// Serve /metrics (Prometheus), /healthz and /readyz on this IP:PORT, without the API
    /// token, e.g. 127.0.0.1:9464 [env: BUREAU_METRICS_LISTEN]. Off unless given.
    #[arg(long)]
    pub metrics_listen: Option<String>,
    /// Anti-entropy interval in milliseconds [env: BUREAU_SYNC_INTERVAL_MS].
    #[arg(long)]
    pub sync_interval_ms: Option<u64>,
    /// Serve as a relay: auto (once publicly reachable), always, never [env: BUREAU_RELAY_SERVER].
    #[arg(long)]
    pub relay_server: Option<String>,
    /// A relay to reserve a slot on (repeatable), e.g. /ip4/192.0.2.1/tcp/7000/p2p/12D3Koo...
    /// [env: BUREAU_RELAY_VIA].
    #[arg(long, value_delimiter = ',')]
    pub relay_via: Vec<String>,
    /// A public address of this node (repeatable), announced without waiting for AutoNAT
    /// [env: BUREAU_EXTERNAL_ADDRESS].
    #[arg(long, value_delimiter = ',')]
    pub external_address: Vec<String>,
    /// Start although the audit log is shorter than, or differs from, the head the network
    /// witnessed (a restored backup, a lost disk): written to the audit log. A flag only, never
    /// read from the environment or the config file, so it cannot stay on by accident.
    #[arg(long)]
    pub accept_audit_loss: bool,
}

/// The `BUREAU_*` environment variables, read once and passed in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment(BTreeMap<String, String>);

impl Environment {
    /// The process's variables that start with [`ENVIRONMENT_PREFIX`]. A value that is not
    /// UTF-8 is kept with replacement characters, so it fails to parse and names its variable.
    pub fn from_process() -> Environment {
        std::env::vars_os()
            .filter_map(|(name, value)| {
                let name = name.into_string().ok()?;
                let value = value.to_string_lossy().into_owned();
                name.starts_with(ENVIRONMENT_PREFIX)
                    .then_some((name, value))
            })
            .collect()
    }

    /// The variable's value, trimmed; a variable set to nothing but spaces counts as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Environment {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(pairs: I) -> Environment {
        Environment(
            pairs
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        )
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Flag,
    /// The environment variable named.
    Environment(&'static str),
    /// The config file at this path.
    File(PathBuf),
    Default,
    /// The genesis bootstrap list, always dialled; `also` is where the rest of the list came
    /// from, when anything set it.
    Genesis {
        also: Option<Box<Source>>,
    },
}

impl fmt::Display for Source {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => write!(formatter, "flag"),
            Source::Environment(variable) => write!(formatter, "env {variable}"),
            Source::File(path) => write!(formatter, "file {}", path.display()),
            Source::Default => write!(formatter, "default"),
            Source::Genesis { also: None } => write!(formatter, "genesis"),
            Source::Genesis { also: Some(also) } => write!(formatter, "genesis + {also}"),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One effective setting: its value as text (lists comma-separated) and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    pub name: &'static str,
    pub value: String,
    pub source: Source,
}

/// The resolved configuration of a daemon.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub net: bureau_net::Config,
    pub api_listen: SocketAddr,
    /// The operator accepted plain HTTP on a non-loopback `api_listen`.
    pub api_insecure: bool,
    /// Serve the API over HTTPS.
    pub api_tls: Option<ApiTls>,
    pub cache_bytes: u64,
    /// Start on an audit log that falls short of its witnessed head (`--accept-audit-loss`).
    pub accept_audit_loss: bool,
    /// Where `/metrics`, `/healthz` and `/readyz` are served (`None`: not served).
    pub metrics_listen: Option<SocketAddr>,
}

/// The API's certificate chain and key files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A daemon's configuration and, for each setting, the value and its source.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub config: NodeConfig,
    /// In the order of [`KEYS`].
    pub settings: Vec<Setting>,
}

impl NodeConfig {
    /// Resolves every setting: flag, then environment, then file, then default. `cache_mib_flag`
    /// is the global `--cache-mib`. The genesis bootstrap list is always dialled.
    pub fn load(
        dir: &Path,
        genesis: &Genesis,
        flags: &RunFlags,
        cache_mib_flag: Option<u64>,
        env: &Environment,
    ) -> Result<Resolved> {
        resolve(dir, &genesis.body.bootstrap, flags, cache_mib_flag, env)
    }
}

/// What `bureau config show` prints: the settings `node run` would use on `dir`. Without a
/// genesis in `dir` the list simply lacks the genesis bootstrap addresses.
pub fn show(
    dir: &Path,
    flags: &RunFlags,
    cache_mib_flag: Option<u64>,
    env: &Environment,
) -> Result<Vec<Setting>> {
    let path = NodeDir::new(dir).genesis();
    let genesis_bootstrap = if path.exists() {
        files::read_genesis(&path, "is --dir a node directory?")?
            .body
            .bootstrap
    } else {
        Vec::new()
    };
    Ok(resolve(dir, &genesis_bootstrap, flags, cache_mib_flag, env)?.settings)
}

/// The replica cache for commands other than `node run`: `--cache-mib`, then
/// `BUREAU_CACHE_MIB`, then [`DEFAULT_CACHE_MIB`]. The config file is not read: it configures
/// the daemon, and an offline command's cache only changes its speed.
pub fn cache_mib(flag: Option<u64>, env: &Environment) -> Result<u64> {
    let mut resolver = Resolver::new(env, Path::new("."), None);
    resolver.scalar(&CACHE_MIB, flag, NO_FLAG, DEFAULT_CACHE_MIB, parse_mib)
}

/// The log filter from `BUREAU_LOG` (when unset, [`DEFAULT_DAEMON_LOG_FILTER`] for the daemon,
/// [`DEFAULT_LOG_FILTER`] for other commands). A filter that does not parse is an error:
/// silently logging less than asked hides the problem being looked for.
pub fn log_filter(env: &Environment, daemon: bool) -> Result<tracing_subscriber::EnvFilter> {
    let default = if daemon {
        DEFAULT_DAEMON_LOG_FILTER
    } else {
        DEFAULT_LOG_FILTER
    };
    let text = env.get(LOG_VARIABLE).unwrap_or(default);
    tracing_subscriber::EnvFilter::try_new(text).map_err(|error| {
        anyhow!(
            "{LOG_VARIABLE}={text:?}: {error} (a level such as info, or directives such as \
             bureau_net=debug,warn)"
        )
    })
}

fn resolve(
    dir: &Path,
    genesis_bootstrap: &[String],
    flags: &RunFlags,
    cache_mib_flag: Option<u64>,
    env: &Environment,
) -> Result<Resolved> {
    let (path, source) = config_path(dir, flags, env);
    let file = match &path {
        Some(path) => read_file(path, &source)?,
        None => FileConfig::default(),
    };
    let mut resolver = Resolver::new(env, dir, path.clone());
    let shown_path = path.map(|path| path.display().to_string());
    resolver.record(&CONFIG, shown_path.unwrap_or_default(), source);
    let config = resolver.node_config(genesis_bootstrap, flags, cache_mib_flag, &file)?;
    let mut settings = resolver.settings;
    settings.sort_by_key(|setting| KEYS.iter().position(|key| key.name == setting.name));
    Ok(Resolved { config, settings })
}

/// The config file to read, if any: `--config`, then `BUREAU_CONFIG`, then `DIR/bureau.toml`
/// when it exists.
fn config_path(dir: &Path, flags: &RunFlags, env: &Environment) -> (Option<PathBuf>, Source) {
    if let Some(path) = &flags.config {
        return (Some(path.clone()), Source::Flag);
    }
    if let Some(path) = env.get(CONFIG.variable) {
        return (Some(path.into()), Source::Environment(CONFIG.variable));
    }
    let path = dir.join(CONFIG_FILE);
    (path.exists().then_some(path), Source::Default)
}

fn read_file(path: &Path, source: &Source) -> Result<FileConfig> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {shown} (from {source})"))?;
    toml::from_str(&text).with_context(|| format!("{shown} is not a valid config file"))
}

/// Picks each setting's value from the highest source that sets it, and records the choice.
struct Resolver<'a> {
    env: &'a Environment,
    /// The node directory: relative paths in settings are taken from it.
    dir: PathBuf,
    /// The config file read, if any: the source of the file's values.
    file_path: Option<PathBuf>,
    settings: Vec<Setting>,
}

/// Parses a setting's text, or says why it is wrong.
type Parser<T> = fn(&str) -> Result<T, &'static str>;
/// For the settings that have no flag.
const NO_FLAG: Option<&str> = None;

impl<'a> Resolver<'a> {
    fn new(env: &'a Environment, dir: &Path, file_path: Option<PathBuf>) -> Resolver<'a> {
        Resolver {
            env,
            dir: dir.to_path_buf(),
            file_path,
            settings: Vec::new(),
        }
    }

    fn node_config(
        &mut self,
        genesis_bootstrap: &[String],
        flags: &RunFlags,
        cache_mib_flag: Option<u64>,
        file: &FileConfig,
    ) -> Result<NodeConfig> {
        let api_listen = self.scalar(
            &API_LISTEN,
            flags.api_listen.as_ref(),
            file.api_listen.as_ref(),
            DEFAULT_API_LISTEN,
            parse_socket_address,
        )?;
        let api_insecure = self.scalar(
            &API_INSECURE,
            flags.api_insecure.then_some(true),
            file.api_insecure,
            false,
            parse_bool,
        )?;
        let tls_cert = self.scalar(
            &API_TLS_CERT,
            flags.api_tls_cert.as_ref(),
            file.api_tls_cert.as_ref(),
            "",
            parse_optional_path,
        )?;
        let tls_key = self.scalar(
            &API_TLS_KEY,
            flags.api_tls_key.as_ref(),
            file.api_tls_key.as_ref(),
            "",
            parse_optional_path,
        )?;
        let api_tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some(ApiTls {
                cert: self.dir.join(cert),
                key: self.dir.join(key),
            }),
            (None, None) => None,
            _ => bail!(
                "api_tls_cert and api_tls_key go together: give both (the certificate chain and its key, PEM) or neither"
            ),
        };
        if !api_listen.ip().is_loopback() && !api_insecure && api_tls.is_none() {
            bail!(
                "the API would listen on {api_listen}, which other hosts can reach, over plain HTTP: the token and police data would cross the network in clear. Serve it over HTTPS (--api-tls-cert and --api-tls-key; `bureau node tls-cert` makes a self-signed pair), keep it on 127.0.0.1 (the default) and reach it through SSH, or pass --api-insecure (api_insecure = true) to accept plain HTTP"
            );
        }
        let metrics_listen = self.scalar(
            &METRICS_LISTEN,
            flags.metrics_listen.as_ref(),
            file.metrics_listen.as_ref(),
            "",
            parse_optional_socket_address,
        )?;
        let cache_mib = self.scalar(
            &CACHE_MIB,
            cache_mib_flag,
            file.cache_mib,
            DEFAULT_CACHE_MIB,
            parse_mib,
        )?;
        Ok(NodeConfig {
            net: self.net_config(genesis_bootstrap, flags, file)?,
            api_listen,
            api_insecure,
            api_tls,
            cache_bytes: cache_mib.saturating_mul(BYTES_PER_MIB),
            accept_audit_loss: flags.accept_audit_loss,
            metrics_listen,
        })
    }

    fn net_config(
        &mut self,
        genesis_bootstrap: &[String],
        flags: &RunFlags,
        file: &FileConfig,
    ) -> Result<bureau_net::Config> {
        let defaults = bureau_net::Config::default();
        let default_listen = defaults.listen.iter().map(ToString::to_string).collect();
        let sync_interval = self.scalar(
            &SYNC_INTERVAL_MS,
            flags.sync_interval_ms,
            file.sync_interval_ms,
            defaults.sync_interval.as_millis(),
            parse_interval,
        )?;
        let ip_colocation_weight = self.scalar(
            &IP_COLOCATION_WEIGHT,
            NO_FLAG,
            file.ip_colocation_weight,
            defaults.ip_colocation_weight,
            parse_weight,
        )?;
        let relay_server = self.scalar(
            &RELAY_SERVER,
            flags.relay_server.as_ref(),
            file.relay_server.as_ref(),
            relay_server_text(defaults.relay_server),
            parse_relay_server,
        )?;
        let dns = self.scalar(&DNS, NO_FLAG, file.dns, defaults.dns, parse_bool)?;
        let listen = self.list(&LISTEN, &flags.listen, &file.listen, default_listen)?;
        let bootstrap = self.bootstrap(genesis_bootstrap, &flags.bootstrap, &file.bootstrap)?;
        let relay_via = self.list(&RELAY_VIA, &flags.relay_via, &file.relay_via, vec![])?;
        let external_addresses = self.list(
            &EXTERNAL_ADDRESSES,
            &flags.external_address,
            &file.external_addresses,
            vec![],
        )?;
        Ok(bureau_net::Config {
            listen,
            bootstrap,
            sync_interval,
            ip_colocation_weight,
            dns,
            relay_server,
            relay_via,
            external_addresses,
            ..defaults
        })
    }

    /// The value from the highest source that has one. `from_env` turns the variable's text
    /// into a value (lists are comma-separated there).
    fn pick<T>(
        &self,
        key: &Key,
        flag: Option<T>,
        file: Option<T>,
        default: T,
        from_env: fn(&str) -> T,
    ) -> (T, Source) {
        if let Some(value) = flag {
            return (value, Source::Flag);
        }
        if let Some(text) = self.env.get(key.variable) {
            return (from_env(text), Source::Environment(key.variable));
        }
        match (file, &self.file_path) {
            (Some(value), Some(path)) => (value, Source::File(path.clone())),
            _ => (default, Source::Default),
        }
    }

    /// One value; every source is turned into text, so all go through the same parser.
    fn scalar<T>(
        &mut self,
        key: &Key,
        flag: Option<impl ToString>,
        file: Option<impl ToString>,
        default: impl ToString,
        parse: Parser<T>,
    ) -> Result<T> {
        let flag = flag.map(|value| value.to_string());
        let file = file.map(|value| value.to_string());
        let default = default.to_string();
        let (text, source) = self.pick(key, flag, file, default, str::to_owned);
        let value = parse_text(key, &source, &text, parse)?;
        self.record(key, text, source);
        Ok(value)
    }

    /// A list: the highest source that sets it replaces the lower ones.
    fn list(
        &mut self,
        key: &Key,
        flag: &[String],
        file: &Option<Vec<String>>,
        default: Vec<String>,
    ) -> Result<Vec<Multiaddr>> {
        let flag = (!flag.is_empty()).then(|| flag.to_vec());
        let file = file.clone();
        let (texts, source) = self.pick(key, flag, file, default, split_list);
        let addresses = parse_all(key, &source, &texts, parse_address)?;
        self.record(key, texts.join(","), source);
        Ok(addresses)
    }

    /// The genesis bootstrap list, then the list from the highest source that sets one.
    fn bootstrap(
        &mut self,
        genesis: &[String],
        flag: &[String],
        file: &Option<Vec<String>>,
    ) -> Result<Vec<Multiaddr>> {
        let flag = (!flag.is_empty()).then(|| flag.to_vec());
        let file = file.clone();
        let (texts, source) = self.pick(&BOOTSTRAP, flag, file, Vec::new(), split_list);
        let from_genesis = Source::Genesis { also: None };
        let mut addresses = parse_all(&BOOTSTRAP, &from_genesis, genesis, parse_address)?;
        addresses.extend(parse_all(&BOOTSTRAP, &source, &texts, parse_address)?);
        let source = match source {
            source if genesis.is_empty() => source,
            Source::Default => from_genesis,
            source => Source::Genesis {
                also: Some(Box::new(source)),
            },
        };
        let value = [genesis, &texts].concat().join(",");
        self.record(&BOOTSTRAP, value, source);
        Ok(addresses)
    }

    fn record(&mut self, key: &Key, value: String, source: Source) {
        self.settings.push(Setting {
            name: key.name,
            value,
            source,
        });
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_all<T>(key: &Key, source: &Source, texts: &[String], parse: Parser<T>) -> Result<Vec<T>> {
    texts
        .iter()
        .map(|text| parse_text(key, source, text, parse))
        .collect()
}

/// Parses one value; the error names the value and where it came from, e.g.
/// `BUREAU_DNS="maybe" (environment): not true or false`.
fn parse_text<T>(key: &Key, source: &Source, text: &str, parse: Parser<T>) -> Result<T> {
    parse(text.trim()).map_err(|why| {
        let label = match source {
            Source::Flag => format!("{} {text:?} (flag)", key.flag.unwrap_or(key.name)),
            Source::Environment(variable) => format!("{variable}={text:?} (environment)"),
            other => format!("{} {text:?} ({other})", key.name),
        };
        anyhow!("{label}: {why}")
    })
}

fn parse_address(text: &str) -> Result<Multiaddr, &'static str> {
    text.parse()
        .map_err(|_| "not a multiaddress (e.g. /ip4/0.0.0.0/tcp/7000)")
}

fn parse_socket_address(text: &str) -> Result<SocketAddr, &'static str> {
    text.parse().map_err(|_| "not IP:PORT (e.g. 127.0.0.1:0)")
}

/// `IP:PORT`, or nothing when empty.
fn parse_optional_socket_address(text: &str) -> Result<Option<SocketAddr>, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_socket_address(text).map(Some)
}

/// A path, or nothing when empty.
fn parse_optional_path(text: &str) -> Result<Option<PathBuf>, &'static str> {
    Ok((!text.trim().is_empty()).then(|| PathBuf::from(text.trim())))
}

fn parse_mib(text: &str) -> Result<u64, &'static str> {
    text.parse().map_err(|_| "not a whole number of MiB")
}

fn parse_interval(text: &str) -> Result<Duration, &'static str> {
    let ms: u64 = text
        .parse()
        .map_err(|_| "not a whole number of milliseconds")?;
    if ms < MIN_SYNC_INTERVAL_MS {
        return Err("below the minimum of 100 ms");
    }
    Ok(Duration::from_millis(ms))
}

fn parse_weight(text: &str) -> Result<f64, &'static str> {
    match text.parse::<f64>() {
        Ok(weight) if weight <= 0.0 => Ok(weight),
        _ => Err("not a number of 0 or less (e.g. -5.0, or 0 when nodes share an address)"),
    }
}

fn parse_bool(text: &str) -> Result<bool, &'static str> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("not true or false"),
    }
}

fn parse_relay_server(text: &str) -> Result<RelayServer, &'static str> {
    match text.to_ascii_lowercase().as_str() {
        "auto" => Ok(RelayServer::Auto),
        "always" => Ok(RelayServer::Always),
        "never" => Ok(RelayServer::Never),
        _ => Err("not auto, always or never"),
    }
}

fn relay_server_text(mode: RelayServer) -> &'static str {
    match mode {
        RelayServer::Auto => "auto",
        RelayServer::Always => "always",
        RelayServer::Never => "never",
    }
}

#[cfg(test)]
mod tests;
