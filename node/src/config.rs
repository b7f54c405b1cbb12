//! The daemon's configuration: a TOML file (`DIR/bureau.toml` by default), overridden by flags
//! and `BUREAU_*` environment variables (clap reads both), over built-in defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use bureau_core::Genesis;
use serde::{Deserialize, Serialize};

/// The config file a node directory may hold.
pub const CONFIG_FILE: &str = "bureau.toml";
/// Where the local API listens unless told otherwise: loopback, any free port (the port is
/// written to `DIR/api.addr`).
pub const DEFAULT_API_LISTEN: &str = "127.0.0.1:0";

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

/// Flags (and their environment variables) that override the file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunFlags {
    /// The config file (default: DIR/bureau.toml when it exists).
    #[arg(long, env = "BUREAU_CONFIG")]
    pub config: Option<PathBuf>,
    /// Listen address (repeatable), e.g. /ip4/0.0.0.0/tcp/7000.
    #[arg(long, env = "BUREAU_LISTEN", value_delimiter = ',')]
    pub listen: Vec<String>,
    /// Address to dial at start (repeatable).
    #[arg(long, env = "BUREAU_BOOTSTRAP", value_delimiter = ',')]
    pub bootstrap: Vec<String>,
    /// The local API's IP:PORT.
    #[arg(long, env = "BUREAU_API_LISTEN")]
    pub api_listen: Option<String>,
    /// Anti-entropy interval in milliseconds.
    #[arg(long, env = "BUREAU_SYNC_INTERVAL_MS")]
    pub sync_interval_ms: Option<u64>,
    /// Serve as a relay: auto (once publicly reachable), always, never.
    #[arg(long, env = "BUREAU_RELAY_SERVER")]
    pub relay_server: Option<String>,
    /// A relay to reserve a slot on (repeatable), e.g. /ip4/192.0.2.1/tcp/7000/p2p/12D3Koo...
    #[arg(long, env = "BUREAU_RELAY_VIA", value_delimiter = ',')]
    pub relay_via: Vec<String>,
    /// A public address of this node (repeatable), announced without waiting for AutoNAT.
    #[arg(long, env = "BUREAU_EXTERNAL_ADDRESS", value_delimiter = ',')]
    pub external_address: Vec<String>,
}

/// The resolved configuration of a daemon.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    pub net: bureau_net::Config,
    pub api_listen: SocketAddr,
    pub cache_bytes: u64,
}

fn addresses(texts: &[String], what: &str) -> Result<Vec<bureau_net::config::Multiaddr>> {
    texts
        .iter()
        .map(|text| {
            text.parse()
                .with_context(|| format!("{what} {text:?} is not a multiaddress"))
        })
        .collect()
}

impl NodeConfig {
    /// Reads the file (if any) and applies the flags over it.
    pub fn load(
        dir: &Path,
        genesis: &Genesis,
        flags: &RunFlags,
        cache_mib: u64,
    ) -> Result<NodeConfig> {
        let path = flags
            .config
            .clone()
            .unwrap_or_else(|| dir.join(CONFIG_FILE));
        let file = if path.exists() || flags.config.is_some() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str::<FileConfig>(&text)
                .with_context(|| format!("{} is not a valid config file", path.display()))?
        } else {
            FileConfig::default()
        };
        let mut net = bureau_net::Config::default();
        let listen = if flags.listen.is_empty() {
            file.listen.clone()
        } else {
            Some(flags.listen.clone())
        };
        if let Some(listen) = listen {
            net.listen = addresses(&listen, "listen address")?;
        }
        let mut bootstrap = genesis.body.bootstrap.clone();
        bootstrap.extend(file.bootstrap.clone().unwrap_or_default());
        bootstrap.extend(flags.bootstrap.iter().cloned());
        net.bootstrap = addresses(&bootstrap, "bootstrap address")?;
        if let Some(ms) = flags.sync_interval_ms.or(file.sync_interval_ms) {
            net.sync_interval = Duration::from_millis(ms.max(100));
        }
        if let Some(weight) = file.ip_colocation_weight {
            net.ip_colocation_weight = weight.min(0.0);
        }
        if let Some(dns) = file.dns {
            net.dns = dns;
        }
        if let Some(mode) = flags.relay_server.as_ref().or(file.relay_server.as_ref()) {
            net.relay_server = match mode.trim().to_ascii_lowercase().as_str() {
                "auto" => bureau_net::config::RelayServer::Auto,
                "always" => bureau_net::config::RelayServer::Always,
                "never" => bureau_net::config::RelayServer::Never,
                other => anyhow::bail!("relay_server {other:?} is not auto, always or never"),
            };
        }
        let mut relay_via = file.relay_via.clone().unwrap_or_default();
        relay_via.extend(flags.relay_via.iter().cloned());
        net.relay_via = addresses(&relay_via, "relay address")?;
        let mut external = file.external_addresses.clone().unwrap_or_default();
        external.extend(flags.external_address.iter().cloned());
        net.external_addresses = addresses(&external, "external address")?;
        let api = flags
            .api_listen
            .clone()
            .or(file.api_listen.clone())
            .unwrap_or_else(|| DEFAULT_API_LISTEN.to_owned());
        let api_listen = api.parse().with_context(|| {
            format!("API address {api:?} is not IP:PORT (e.g. {DEFAULT_API_LISTEN})")
        })?;
        Ok(NodeConfig {
            net,
            api_listen,
            cache_bytes: file
                .cache_mib
                .unwrap_or(cache_mib)
                .saturating_mul(1024 * 1024),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flags win over the file, the file over the defaults; bootstrap lists add up.
    #[test]
    fn flags_override_the_file() {
        let network = bureau_core::testkit::TestNetwork::new("config", &["XGS"]);
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "listen = [\"/ip4/127.0.0.1/tcp/9000\"]\napi_listen = \"127.0.0.1:9100\"\nsync_interval_ms = 2000\nbootstrap = [\"/ip4/127.0.0.1/tcp/9001\"]\n",
        )
        .expect("write config");
        let from_file =
            NodeConfig::load(dir.path(), &network.genesis, &RunFlags::default(), 32).expect("load");
        assert_eq!(
            from_file.net.listen[0].to_string(),
            "/ip4/127.0.0.1/tcp/9000"
        );
        assert_eq!(from_file.api_listen.port(), 9100);
        assert_eq!(from_file.net.sync_interval, Duration::from_secs(2));
        assert_eq!(
            from_file.net.bootstrap.len(),
            2,
            "genesis bootstrap plus the file's"
        );

        let flags = RunFlags {
            listen: vec!["/ip4/127.0.0.1/tcp/9500".into()],
            api_listen: Some("127.0.0.1:9600".into()),
            ..RunFlags::default()
        };
        let overridden = NodeConfig::load(dir.path(), &network.genesis, &flags, 32).expect("load");
        assert_eq!(
            overridden.net.listen[0].to_string(),
            "/ip4/127.0.0.1/tcp/9500"
        );
        assert_eq!(overridden.api_listen.port(), 9600);

        std::fs::write(dir.path().join(CONFIG_FILE), "listen_on = []\n").expect("write config");
        let error = NodeConfig::load(dir.path(), &network.genesis, &RunFlags::default(), 32)
            .expect_err("unknown key");
        assert!(format!("{error:#}").contains("unknown field"), "{error:#}");
    }
}
