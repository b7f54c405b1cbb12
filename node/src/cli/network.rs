//! The daemon and local networks: `node run`, `config show`, `devnet`, `sandbox`, `sync`
//! between stopped replicas, and `generate` (synthetic records for tests and benchmarks).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result};
use bureau_core::{CountryCode, Database};
use bureau_service::files::{self, NodeDir};
use bureau_service::replica::{self, Replica};

use super::context::Context;
use crate::config::{self, NodeConfig, RunFlags};
use crate::dev::{devnet, sandbox};
use crate::http::tls;
use crate::{daemon, output};

/// `bureau node run`
pub fn node_run(context: &Context, flags: &RunFlags) -> Result<()> {
    context.no_json("node run")?;
    let dir = context.node_dir();
    let genesis = files::read_genesis(
        &dir.genesis(),
        "is --dir a node directory? `bureau init` makes one, or run `bureau devnet`",
    )?;
    let resolved = NodeConfig::load(&dir.root, &genesis, flags, context.cache_mib, &context.env)?;
    runtime()?.block_on(daemon::run(dir, resolved.config))
}

/// `bureau node keep-key FILE`
/// How long `node stop` waits for the daemon to finish after asking it to stop.
pub const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// `bureau node stop`: asks the node on --dir to stop and waits until it has (its `api.addr`
/// is removed once the store is flushed).
pub fn node_stop(context: &Context) -> Result<()> {
    context.no_json("node stop")?;
    let dir = context.node_dir();
    let client = crate::http::client::Client::from_dir(
        &dir,
        context.token.as_deref(),
        context.api_ca.as_deref(),
    )?
    .ok_or_else(|| {
        bureau_service::Error::unavailable(format!(
            "no node runs on {} (no {})",
            dir.root.display(),
            crate::http::API_ADDR
        ))
    })?;
    client.shutdown()?;
    let started = std::time::Instant::now();
    let addr = dir.root.join(crate::http::API_ADDR);
    while addr.exists() {
        if started.elapsed() > STOP_WAIT {
            anyhow::bail!(
                "the node on {} was asked to stop but is still running after {} s: see its log",
                dir.root.display(),
                STOP_WAIT.as_secs()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    println!("stopped the node on {}", dir.root.display());
    Ok(())
}

/// `bureau dashboard`: the dashboard's address on the node running on --dir, with the token.
pub fn dashboard(context: &Context) -> Result<()> {
    let dir = context.node_dir();
    let addr_path = dir.root.join(crate::http::API_ADDR);
    let addr = std::fs::read_to_string(&addr_path).map_err(|_| {
        bureau_service::Error::unavailable(format!(
            "no node runs on {} (no {}): start one with `bureau node run`",
            dir.root.display(),
            crate::http::API_ADDR
        ))
    })?;
    let token = match &context.token {
        Some(token) => token.clone(),
        None => std::fs::read_to_string(dir.root.join(crate::http::API_TOKEN))
            .with_context(|| {
                format!(
                    "cannot read {}",
                    dir.root.join(crate::http::API_TOKEN).display()
                )
            })?
            .trim()
            .to_owned(),
    };
    let addr = addr.trim();
    let base = if addr.starts_with("https://") {
        addr.to_owned()
    } else {
        format!("http://{addr}")
    };
    let url = format!(
        "{base}{}#token={token}",
        crate::http::server::DASHBOARD_PATH
    );
    context.print(&serde_json::json!({ "url": url }), |_| println!("{url}"))
}

pub fn keep_key(context: &Context, file: &std::path::Path) -> Result<()> {
    context.no_json("node keep-key")?;
    let dir = context.node_dir();
    let kept = bureau_service::files::keep_retired_key(&dir, file)?;
    println!(
        "kept {} as {}: what was sealed to it opens on this node from its next start. Keep the file private; remove it to stop reading those records here.",
        file.display(),
        kept.display()
    );
    Ok(())
}

/// `bureau node tls-cert [--name NAME]... [--force]`
pub fn tls_cert(context: &Context, names: &[String], force: bool) -> Result<()> {
    context.no_json("node tls-cert")?;
    let dir = context.node_dir();
    let cert = dir.root.join(tls::SELF_SIGNED_CERT);
    let key = dir.root.join(tls::SELF_SIGNED_KEY);
    if !force && (cert.exists() || key.exists()) {
        anyhow::bail!(
            "{} or {} exists already: pass --force to replace them",
            cert.display(),
            key.display()
        );
    }
    let (cert_pem, key_pem) = tls::self_signed(names)?;
    for path in [&cert, &key] {
        if force && path.exists() {
            std::fs::remove_file(path)
                .with_context(|| format!("cannot replace {}", path.display()))?;
        }
    }
    files::write_new(&key, key_pem.as_bytes(), true)?;
    files::write_new(&cert, cert_pem.as_bytes(), false)?;
    println!(
        "wrote {} and {} (valid {} days). Serve the API over HTTPS with\n  bureau node run --api-tls-cert {} --api-tls-key {} --api-listen 0.0.0.0:PORT\nor api_tls_cert = \"{}\" and api_tls_key = \"{}\" in bureau.toml. Clients on other hosts trust it with --api-ca {} (copy the .crt, never the .key).",
        cert.display(),
        key.display(),
        tls::SELF_SIGNED_DAYS,
        tls::SELF_SIGNED_CERT,
        tls::SELF_SIGNED_KEY,
        tls::SELF_SIGNED_CERT,
        tls::SELF_SIGNED_KEY,
        tls::SELF_SIGNED_CERT,
    );
    Ok(())
}

/// `bureau config show`
pub fn config_show(context: &Context, flags: &RunFlags) -> Result<()> {
    let settings = config::show(
        &context.node_dir().root,
        flags,
        context.cache_mib,
        &context.env,
    )?;
    context.print(&settings, |settings| {
        let rows: Vec<Vec<String>> = settings
            .iter()
            .map(|s| vec![s.name.to_owned(), s.value.clone(), s.source.to_string()])
            .collect();
        output::table(&["SETTING", "VALUE", "SOURCE"], &rows);
    })
}

/// `bureau devnet`
pub fn devnet(
    context: &Context,
    nodes: usize,
    base_port: u16,
    provision_only: bool,
    key_seed: Option<u64>,
) -> Result<()> {
    context.no_json("devnet")?;
    let dir = context.network_dir("devnet");
    let cache_bytes = context.cache_bytes()?.min(devnet::MAX_NODE_CACHE_BYTES);
    if provision_only {
        return devnet::provision_only(&dir, nodes, base_port, cache_bytes, key_seed);
    }
    let interrupted = interrupt_flag()?;
    devnet::run(&dir, nodes, base_port, cache_bytes, &|| {
        interrupted.load(Ordering::Relaxed)
    })
}

/// `bureau sandbox`
pub fn sandbox(context: &Context, members: usize) -> Result<()> {
    let dir = context.network_dir("sandbox");
    sandbox::run(
        &dir,
        members,
        context.cache_bytes()?.min(8 << 20),
        context.json,
    )
}

/// `bureau sync --from DIR`
pub fn sync(context: &Context, from: &Path) -> Result<()> {
    let cache_bytes = context.cache_bytes()?;
    let replica = Replica::open(&context.node_dir(), cache_bytes)?;
    let source = Replica::open(&NodeDir::new(from), cache_bytes)?;
    let copied = replica::copy_missing(&source.store, &replica.store)?;
    context.print(&copied, |copied| {
        println!(
            "copied {} entries from {} in {} batches ({} rejected)",
            copied.applied,
            from.display(),
            copied.batches,
            copied.rejected
        );
    })
}

/// What `bureau generate` makes.
#[derive(Debug, clap::Args)]
pub struct Generate {
    /// persons, sltd or vehicles.
    #[arg(long)]
    pub database: Database,
    /// How many records to generate.
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    /// The seed: the same seed and count give the same records.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Issuing country of travel documents.
    #[arg(long, default_value = "FRA")]
    pub issuer: CountryCode,
    /// Where to write the records (JSON Lines).
    #[arg(long)]
    pub out: PathBuf,
    /// For persons: where to write the variant queries and the person each belongs to.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// For persons: variant queries per person.
    #[arg(long, default_value_t = 3)]
    pub variants: usize,
}

/// `bureau generate`
pub fn generate(context: &Context, generate: Generate) -> Result<()> {
    let Generate {
        database,
        count,
        seed,
        issuer,
        out,
        key,
        variants,
    } = generate;
    let (out, key) = (out.as_path(), key.as_deref());
    let create = |path: &Path| -> Result<std::io::BufWriter<std::fs::File>> {
        Ok(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        ))
    };
    let generator = bureau_gen::Generator::new(seed);
    let started = std::time::Instant::now();
    let written = match database {
        Database::Persons => match key {
            Some(key) => generator.write_persons(count, variants, create(out)?, create(key)?)?,
            None => generator.write_persons(count, 0, create(out)?, std::io::sink())?,
        },
        Database::TravelDocuments => {
            generator.write_travel_documents(count, issuer, create(out)?)?
        }
        Database::Vehicles => generator.write_vehicles(count, create(out)?)?,
        other => usage!("the generator makes persons, sltd and vehicles, not {other}"),
    };
    let answer = serde_json::json!({
        "database": database,
        "records": written.records,
        "variants": written.variants,
        "out": out,
        "key": key,
        "seconds": started.elapsed().as_secs_f64(),
    });
    if context.json {
        output::json(&answer);
        return Ok(());
    }
    println!(
        "wrote {} {database} records to {}{} in {:.1} s",
        written.records,
        out.display(),
        key.map(|key| format!(
            " and {} variant queries to {}",
            written.variants,
            key.display()
        ))
        .unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A flag set on Ctrl-C or SIGTERM, for the devnet's blocking loop.
fn interrupt_flag() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = Arc::clone(&flag);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal thread")?;
    std::thread::Builder::new()
        .name("bureau-signals".into())
        .spawn(move || {
            runtime.block_on(async {
                let terminate =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
                match terminate {
                    Ok(mut terminate) => {
                        tokio::select! {
                            _ = tokio::signal::ctrl_c() => {}
                            _ = terminate.recv() => {}
                        }
                    }
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            });
            set.store(true, Ordering::Relaxed);
        })
        .context("cannot start the signal thread")?;
    Ok(flag)
}
