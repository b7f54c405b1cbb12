//! `bureau node run`: the daemon. It loads the node's identity, opens the replica, starts the
//! network and the local API, writes `DIR/api.addr` and `DIR/api.token`, and on SIGINT, SIGTERM
//! or `POST /v1/shutdown` stops the API, closes connections, flushes the store and removes
//! `api.addr`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use bureau_store::Committer;
use tokio::sync::mpsc;

use bureau_service::clock;
use bureau_service::files::{self, NodeDir};
use bureau_service::ops::EraseDue;
use bureau_service::replica::Replica;
use bureau_service::{Operation, Service};

use crate::config::NodeConfig;
use crate::http::server::{self, ApiState};
use crate::http::{API_ADDR, API_TOKEN};
/// How often the node erases the bodies of its own expired and cancelled records.
pub const ERASE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// A running node.
pub struct Running {
    pub api_addr: SocketAddr,
    /// Where `/metrics` is served, when it is.
    pub metrics_addr: Option<SocketAddr>,
    metrics_task: Option<tokio::task::JoinHandle<()>>,
    /// How clients reach the API (what `api.addr` says): `IP:PORT`, or `https://IP:PORT` when
    /// it serves TLS.
    pub api_url: String,
    pub token: String,
    pub net: bureau_net::Handle,
    pub replica: Arc<Replica>,
    /// The operations, as the API serves them (tests call it in-process).
    pub service: Service,
    dir: NodeDir,
    /// `None` once it has ended on its own.
    net_task: Option<tokio::task::JoinHandle<()>>,
    api_task: tokio::task::JoinHandle<()>,
    stop_api: tokio::sync::oneshot::Sender<()>,
    shutdown_requests: mpsc::Receiver<()>,
    eraser: tokio::task::JoinHandle<()>,
    /// The outbox worker and the inbound message handler.
    mail_tasks: [tokio::task::JoinHandle<()>; 2],
    /// Repeats the status warnings in the log.
    standing: tokio::task::JoinHandle<()>,
    /// Signs the audit log's head into this node's log.
    witness: tokio::task::JoinHandle<()>,
    rewrap: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Running({} at {})",
            self.dir.root.display(),
            self.api_addr
        )
    }
}

/// Shortest API token accepted (the node makes 64 hex digits).
pub const MIN_TOKEN_CHARS: usize = 32;

/// The API token of a node directory, made on first start. One the operator wrote must be
/// private and at least [`MIN_TOKEN_CHARS`] visible ASCII characters.
fn token(dir: &NodeDir) -> Result<String> {
    let path = dir.root.join(API_TOKEN);
    if path.exists() {
        files::check_private(&path, "the API token")?;
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        return check_token(text.trim())
            .map(str::to_owned)
            .with_context(|| {
                format!(
                    "{} is not a usable API token: remove it and the node makes a new one at start",
                    path.display()
                )
            });
    }
    let token = hex::encode(files::random_secret());
    files::write_new(&path, format!("{token}\n").as_bytes(), true)?;
    Ok(token)
}

/// A token is at least [`MIN_TOKEN_CHARS`] visible ASCII characters, no spaces.
pub fn check_token(token: &str) -> Result<&str> {
    if token.is_empty() {
        anyhow::bail!("it is empty");
    }
    if token.chars().count() < MIN_TOKEN_CHARS || !token.chars().all(|c| c.is_ascii_graphic()) {
        anyhow::bail!(
            "it must be at least {MIN_TOKEN_CHARS} visible ASCII characters without spaces"
        );
    }
    Ok(token)
}

/// Starts a node on `dir`; returns once it listens on the network and serves the API.
pub async fn start(dir: NodeDir, config: NodeConfig) -> Result<Running> {
    // What the node creates from here (the store's files, the audit log, the token) is for
    // its user alone, whoever started the process and with whatever umask.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(files::NOT_FOR_OTHERS));
    let fixed = files::make_private(&dir.root)?;
    if !fixed.is_empty() {
        tracing::warn!(
            dir = %dir.root.display(),
            fixed = fixed.len(),
            first = %fixed[0].display(),
            "the node directory was open to other users (a loose umask?): group and others lost their rights on it"
        );
    }
    if config.api_insecure && !config.api_listen.ip().is_loopback() {
        tracing::warn!(
            api = %config.api_listen,
            "the API is served over plain HTTP on an address other hosts can reach (--api-insecure): its token and police data cross the network in clear"
        );
    }
    // A certificate or key that cannot serve stops the node before it opens anything.
    let tls = config
        .api_tls
        .as_ref()
        .map(|tls| crate::http::tls::server_config(&tls.cert, &tls.key))
        .transpose()?;
    let open_dir = dir.clone();
    let cache_bytes = config.cache_bytes;
    let replica =
        tokio::task::spawn_blocking(move || Replica::open_for(&open_dir, cache_bytes, "api"))
            .await
            .context("the store thread failed")??;
    if let Some(rollback) = replica.audit_rollback()? {
        if !config.accept_audit_loss {
            anyhow::bail!(
                "{rollback}. The node does not start on an audit log that lost lines the network saw: find out why (a restored backup, a lost disk, tampering), keep the file as evidence, then start once with --accept-audit-loss (that is written to the audit log)"
            );
        }
        tracing::warn!(%rollback, "starting on an audit log that falls short of its witnessed head: accepted by the operator (--accept-audit-loss)");
        replica.accept_audit_loss(&rollback)?;
    }
    let replica = Arc::new(replica);
    let committer = Committer::spawn(Arc::clone(&replica.store), clock::now);
    let genesis = files::read_genesis(&dir.genesis(), "the node directory's genesis")?;
    let identity = bureau_net::Identity {
        key: replica.key.clone(),
        certificate: replica.certificate.clone(),
        genesis,
    };
    let metrics = crate::metrics::NodeMetrics::new();
    let mut net_config = config.net;
    if config.metrics_listen.is_some() {
        net_config.metrics = Some(Arc::clone(&metrics.registry));
    }
    let restored = replica.store.restored_own_seq()?;
    if let Some(own_seq) = restored {
        tracing::warn!(
            own_seq,
            "restored from a backup: this node signs nothing until a member has given back its own log"
        );
        net_config.self_check_required = true;
    }
    let started =
        bureau_net::start_with_direct(net_config, identity, Arc::clone(&replica.store), committer)
            .await?;
    let (net, net_task) = (started.handle, started.task);
    if let Some(own_seq) = restored {
        tokio::spawn(settle_restore(Arc::clone(&replica), net.clone(), own_seq));
    }
    let mail_tasks = [
        tokio::spawn(bureau_service::mail::deliver(
            Arc::clone(&replica),
            net.clone(),
        )),
        tokio::spawn(bureau_service::mail::receive(
            Arc::clone(&replica),
            started.direct,
        )),
    ];

    let token = token(&dir)?;
    let listener = tokio::net::TcpListener::bind(config.api_listen)
        .await
        .with_context(|| format!("cannot listen for the API on {}", config.api_listen))?;
    let api_addr = listener.local_addr()?;
    let api_url = api_url(api_addr, tls.is_some());
    let (shutdown, shutdown_requests) = mpsc::channel(1);
    let service = Service::new(Arc::clone(&replica), Some(net.clone()));
    let router = server::router(ApiState {
        service: service.clone(),
        token: Arc::new(token.clone()),
        shutdown,
        metrics: metrics.clone(),
    });
    let (metrics_addr, metrics_task) = match config.metrics_listen {
        Some(address) => {
            if !address.ip().is_loopback() {
                tracing::warn!(metrics = %address, "metrics are served on an address other hosts can reach, without a token: they hold counts and sizes, no record data");
            }
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen for metrics on {address}"))?;
            let bound = listener.local_addr()?;
            let router = crate::metrics::router(service.clone(), metrics.clone());
            let task = tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, router).await {
                    tracing::error!(%error, "the metrics server failed");
                }
            });
            (Some(bound), Some(task))
        }
        None => (None, None),
    };
    let (stop_api, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped = async move {
        let _ = stopped.await;
    };
    let api_task = match tls {
        Some(tls) => {
            let listener = crate::http::tls::TlsListener::new(listener, tls)?;
            tokio::spawn(serve_api(listener, router, stopped))
        }
        None => tokio::spawn(serve_api(listener, router, stopped)),
    };
    let eraser = tokio::spawn(erase_periodically(service.clone()));
    let standing = tokio::spawn(warn_about_standing(Arc::clone(&replica)));
    let witness = tokio::spawn(witness_audit_periodically(service.clone()));
    let rewrap = tokio::spawn(wrap_keys_periodically(service.clone()));
    std::fs::write(dir.root.join(API_ADDR), format!("{api_url}\n"))
        .with_context(|| format!("cannot write {}", dir.root.join(API_ADDR).display()))?;
    Ok(Running {
        api_addr,
        metrics_addr,
        metrics_task,
        api_url,
        token,
        net,
        replica,
        service,
        dir,
        net_task: Some(net_task),
        api_task,
        stop_api,
        shutdown_requests,
        eraser,
        standing,
        witness,
        rewrap,
        mail_tasks,
    })
}

/// Serves the API on `listener` (plain TCP or TLS) until `stopped` completes.
async fn serve_api<L>(
    listener: L,
    router: axum::Router,
    stopped: impl std::future::Future<Output = ()> + Send + 'static,
) where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    if let Err(error) = axum::serve(listener, router)
        .with_graceful_shutdown(stopped)
        .await
    {
        tracing::error!(%error, "the API server failed");
    }
}

/// Where clients on this host reach the API at `addr`: an unspecified address (`0.0.0.0`,
/// `::`) is reached on loopback.
fn api_url(addr: SocketAddr, tls: bool) -> String {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    let addr = SocketAddr::new(ip, addr.port());
    // Plain HTTP stays `IP:PORT` in api.addr, as scripts read it.
    if tls {
        format!("https://{addr}")
    } else {
        addr.to_string()
    }
}

/// How often the node repeats its standing warnings (certificate about to expire, own log
/// forked) in the log.
pub const STANDING_WARNING_INTERVAL: std::time::Duration =
    std::time::Duration::from_secs(24 * 60 * 60);

/// Logs the status warnings (a certificate expiring within 30 days, a fork of this node's log)
/// at start and once a day, so an operator reading only the log sees them.
async fn warn_about_standing(replica: Arc<Replica>) {
    let mut interval = tokio::time::interval(STANDING_WARNING_INTERVAL);
    loop {
        interval.tick().await;
        let replica = Arc::clone(&replica);
        match tokio::task::spawn_blocking(move || replica.status()).await {
            Ok(Ok(status)) => {
                for warning in &status.warnings {
                    tracing::warn!(days_left = status.certificate_days_left, "{warning}");
                }
            }
            Ok(Err(error)) => tracing::error!(%error, "cannot read this node's status"),
            Err(error) => tracing::error!(%error, "the store thread failed"),
        }
    }
}

/// How often a restored node checks whether it has its own log back.
const RESTORE_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Ends a restore from a backup (see `bureau_service::backup`) once signing is safe again: a
/// member's sync round completed (the network's self-check, which a restored node waits for
/// however long it takes), the node is caught up by the readiness rule (pulls from two
/// members when two are connected, so one member that answers "in sync" cannot settle it
/// alone), and the replica holds its own log at least as far as the backup said. Until then
/// nothing is signed.
async fn settle_restore(replica: Arc<Replica>, net: bureau_net::Handle, own_seq: u64) {
    let key = replica.key.public();
    let mut warned_short = false;
    loop {
        let synced = net.info().await.is_ok_and(|info| info.synced);
        if synced && net.ready_to_sign().await == bureau_net::Signing::Ready {
            let held = replica
                .store
                .head(&key)
                .map(|head| head.map_or(0, |head| head.seq));
            match held {
                Ok(held) if held >= own_seq => {
                    match replica.store.set_restored_own_seq(None) {
                        Ok(()) => tracing::info!(
                            own_seq = held,
                            "restore settled: a member gave back this node's own log; signing allowed"
                        ),
                        Err(error) => {
                            tracing::error!(%error, "cannot record that the restore is settled")
                        }
                    }
                    return;
                }
                Ok(held) if !warned_short => {
                    warned_short = true;
                    tracing::warn!(
                        held,
                        own_seq,
                        "the members reached so far hold this node's own log only up to seq {held}, short of the backup's {own_seq}: still not signing (a member that has the rest must come online)"
                    );
                }
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "cannot read this node's own head"),
            }
        }
        tokio::time::sleep(RESTORE_CHECK_INTERVAL).await;
    }
}

/// Signs the audit log's head into this node's log every
/// [`bureau_service::witness::AUDIT_WITNESS_INTERVAL`] when it moved, starting once the node may
/// sign; a log that falls short of the witnessed head is reported each time instead.
async fn witness_audit_periodically(service: Service) {
    let mut interval = tokio::time::interval(bureau_service::witness::AUDIT_WITNESS_INTERVAL);
    loop {
        interval.tick().await;
        if let Err(error) = witness_audit(&service).await {
            tracing::warn!(kind = %error.kind, %error, "the audit log's head was not witnessed");
        }
    }
}

/// Signs the audit log's head into this node's log now, if it moved, and gossips it.
pub async fn witness_audit(service: &Service) -> bureau_service::Result<()> {
    bureau_service::ops::WitnessAudit {}
        .run(service)
        .await
        .map(drop)
}

/// Gives readers added since this member's restricted records were sealed their keys, every
/// [`bureau_service::rewrap::REWRAP_INTERVAL`] when the reader keys changed since the last
/// pass, the first time one interval after start (once the node has caught up and may sign;
/// `bureau wrap-keys` does it at once).
async fn wrap_keys_periodically(service: Service) {
    let mut interval = tokio::time::interval(bureau_service::rewrap::REWRAP_INTERVAL);
    // The first tick of an interval completes at once.
    interval.tick().await;
    let mut done_for = None;
    loop {
        interval.tick().await;
        let fingerprint = match service
            .blocking(|replica| replica.reader_keys_fingerprint())
            .await
        {
            Ok(fingerprint) if Some(fingerprint) == done_for => continue,
            Ok(fingerprint) => fingerprint,
            Err(error) => {
                tracing::warn!(kind = %error.kind, %error, "cannot read the current reader keys");
                continue;
            }
        };
        match (bureau_service::ops::WrapKeys {}).run(&service).await {
            Ok(_) => done_for = Some(fingerprint),
            Err(error) => {
                tracing::warn!(kind = %error.kind, %error, "giving new readers the keys of restricted records failed");
            }
        }
    }
}

/// Erases this member's expired and cancelled records everywhere, and removes messages past
/// their retention (`bureau_service::mail::MAIL_RETENTION`), every [`ERASE_INTERVAL`],
/// the first time one interval after start (a starting node first compares its log with the
/// network's, and `bureau erase` does it at once when asked).
async fn erase_periodically(service: Service) {
    let mut interval = tokio::time::interval(ERASE_INTERVAL);
    // The first tick of an interval completes at once.
    interval.tick().await;
    loop {
        interval.tick().await;
        if let Err(error) = (EraseDue {}).run(&service).await {
            tracing::error!(kind = %error.kind, %error, "erasing expired records failed");
        }
        match service.blocking(|replica| replica.expire_mail()).await {
            Ok(0) => {}
            Ok(expired) => tracing::info!(expired, "messages past their retention removed"),
            Err(error) => {
                tracing::error!(kind = %error.kind, %error, "removing old messages failed")
            }
        }
    }
}

impl Running {
    /// Waits until someone asks the node to stop through the API (`Ok`), or the network task
    /// ends on its own, as after a panic in libp2p (`Err`): a node without its network must
    /// not look alive, so the daemon then stops with an error for its supervisor to restart.
    pub async fn stopped(&mut self) -> Result<()> {
        let Some(net_task) = self.net_task.as_mut() else {
            anyhow::bail!("the network has stopped");
        };
        tokio::select! {
            _ = self.shutdown_requests.recv() => Ok(()),
            ended = net_task => {
                self.net_task = None;
                match ended {
                    Err(error) if error.is_panic() => {
                        anyhow::bail!("the network task panicked; restart the node")
                    }
                    _ => anyhow::bail!("the network task stopped unexpectedly; restart the node"),
                }
            }
        }
    }

    /// Stops the API and the network, flushes the store, then removes `api.addr`.
    pub async fn shutdown(self) -> Result<()> {
        if let Some(task) = &self.metrics_task {
            task.abort();
        }
        self.eraser.abort();
        self.standing.abort();
        self.witness.abort();
        self.rewrap.abort();
        for task in &self.mail_tasks {
            task.abort();
        }
        let _ = self.stop_api.send(());
        let _ = self.api_task.await;
        // The last lines of this run, witnessed while the network still carries the entry.
        if self.net.signing() == bureau_net::Signing::Ready
            && let Err(error) = witness_audit(&self.service).await
        {
            tracing::warn!(kind = %error.kind, %error, "the audit log's head was not witnessed at stop");
        }
        let _ = self.net.shutdown().await;
        if let Some(net_task) = self.net_task {
            let _ = net_task.await;
        }
        let replica = self.replica;
        let flushed = tokio::task::spawn_blocking(move || replica.store.flush())
            .await
            .context("the store thread failed");
        // Last, so that `bureau node stop` returns once the store is flushed.
        let _ = std::fs::remove_file(self.dir.root.join(API_ADDR));
        flushed??;
        Ok(())
    }
}

/// How often the daemon logs its one-line status.
pub const STATUS_LOG_INTERVAL: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs the daemon until SIGINT, SIGTERM or an API shutdown request.
pub async fn run(dir: NodeDir, config: NodeConfig) -> Result<()> {
    let mut running = start(dir, config).await?;
    let info = running.net.info().await?;
    let api = if running.api_url.starts_with("https://") {
        running.api_url.clone()
    } else {
        format!("http://{}", running.api_url)
    };
    // The summary is worth a line even when the replica's counts cannot be read: that is
    // warned, and the node runs on.
    let replica = match running
        .service
        .call(bureau_service::ops::GetStatus {})
        .await
    {
        Ok(status) => Some(status.replica),
        Err(error) => {
            tracing::warn!(%error, "the replica's status could not be read for the startup summary");
            None
        }
    };
    tracing::info!(
        member = %running.replica.member(),
        dir = %running.dir.root.display(),
        peer_id = %info.peer_id,
        listen = %info.listen.join(" "),
        api = %api,
        metrics = %running.metrics_addr.map_or("off".to_owned(), |addr| format!("http://{addr}/metrics")),
        network = %running.replica.store.network(),
        members_known = replica.as_ref().map(|status| status.members_known),
        records = replica.as_ref().map(|status| status.records),
        entries = replica.as_ref().map(|status| status.entries),
        store_bytes = replica.as_ref().map(|status| status.store_bytes),
        "node started"
    );
    let periodic = tokio::spawn(log_status_periodically(running.service.clone()));
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot install the SIGTERM handler")?;
    let (outcome, why) = tokio::select! {
        _ = tokio::signal::ctrl_c() => (Ok(()), "interrupted (SIGINT)"),
        _ = terminate.recv() => (Ok(()), "terminated (SIGTERM)"),
        outcome = running.stopped() => {
            let why = if outcome.is_ok() { "asked to stop (API)" } else { "failed" };
            (outcome, why)
        }
    };
    periodic.abort();
    tracing::info!(why, "node stopping");
    running.shutdown().await?;
    match &outcome {
        Ok(()) => tracing::info!("node stopped"),
        Err(error) => tracing::error!(%error, "node stopped on an error"),
    }
    outcome
}

/// Logs one status line every [`STATUS_LOG_INTERVAL`]: what an operator tailing the log
/// wants to see at a glance.
async fn log_status_periodically(service: Service) {
    let mut ticks = tokio::time::interval(STATUS_LOG_INTERVAL);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        match service.call(bureau_service::ops::GetStatus {}).await {
            Ok(status) => {
                let replica = &status.replica;
                let network = status.network.as_ref();
                tracing::info!(
                    ready = status.ready,
                    synced = network.is_some_and(|network| network.synced),
                    peers = network.map_or(0, |network| network.peers),
                    members_connected = network.map_or(0, |network| network.members_connected),
                    members_known = replica.members_known,
                    records = replica.records,
                    entries = replica.entries,
                    pending = replica.pending,
                    outbox = replica.outbox,
                    store_bytes = replica.store_bytes,
                    warnings = replica.warnings.len(),
                    "status"
                );
            }
            Err(error) => tracing::warn!(%error, "status could not be read"),
        }
    }
}
