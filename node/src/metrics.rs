//! `/metrics`: the node's counts and libp2p's own metrics in the Prometheus text format
//! (OpenMetrics), served on a port of its own (`metrics_listen`, loopback, off unless set)
//! without the API token, with `/healthz` and `/readyz` beside it. Only counts, sizes and
//! durations: no record data, no names, no identifiers, no member codes.
//!
//! libp2p registers its metrics (connections, protocols, bandwidth) in the shared registry
//! when the network starts; the node's own are read at each scrape from `status` and the peer
//! list ([`Snapshot`]), except request durations, which the API records as it serves.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bureau_net::PeerInfo;
use bureau_net::config::MetricsRegistry;
use bureau_service::Service;
use bureau_service::ops::{NodeStatus, Readiness};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

/// The content type of the text the encoder writes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The prefix of the node's own metrics (libp2p's start with `libp2p_`).
pub const PREFIX: &str = "bureau";
/// Request durations are counted in buckets from this many seconds, doubling.
const DURATION_FIRST_BUCKET_SECONDS: f64 = 0.000_1;
/// How many duration buckets (0.1 ms to ~1.6 min).
const DURATION_BUCKETS: u16 = 20;

/// The labels of an API request's duration.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The operation's name (`search`, `search_persons`, `publish`, ...).
    operation: &'static str,
    /// `ok` or the error's kind.
    outcome: String,
}

/// The node's metrics: the registry libp2p shares, and what the API records.
#[derive(Debug, Clone)]
pub struct NodeMetrics {
    pub registry: MetricsRegistry,
    requests: Family<RequestLabels, Histogram>,
    snapshot: Arc<Mutex<Option<Snapshot>>>,
}

impl Default for NodeMetrics {
    fn default() -> Self {
        NodeMetrics::new()
    }
}

impl NodeMetrics {
    pub fn new() -> NodeMetrics {
        let mut registry = Registry::default();
        let requests: Family<RequestLabels, Histogram> = Family::new_with_constructor(|| {
            Histogram::new(exponential_buckets(
                DURATION_FIRST_BUCKET_SECONDS,
                2.0,
                DURATION_BUCKETS,
            ))
        });
        let snapshot = Arc::new(Mutex::new(None));
        {
            let ours = registry.sub_registry_with_prefix(PREFIX);
            ours.register(
                "build",
                "The running build",
                Info::new([("version", env!("CARGO_PKG_VERSION"))]),
            );
            ours.register_with_unit(
                "api_request_duration",
                "Time the local API took to answer, by operation (searches included) and outcome",
                Unit::Seconds,
                requests.clone(),
            );
            ours.register_collector(Box::new(StatusCollector {
                snapshot: Arc::clone(&snapshot),
            }));
        }
        NodeMetrics {
            registry: Arc::new(Mutex::new(registry)),
            requests,
            snapshot,
        }
    }

    /// Records one API request's duration.
    pub fn observe_request(&self, operation: &'static str, outcome: &str, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                operation,
                outcome: outcome.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// The text of a scrape: the node's state read now, then everything registered.
    pub async fn scrape(&self, service: &Service) -> Result<String, bureau_service::Error> {
        let status = bureau_service::ops::GetStatus {};
        let status = service.call(status).await?;
        let peers = match service.network() {
            Ok(net) => net.peers().await?,
            Err(_) => Vec::new(),
        };
        *self.snapshot.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Snapshot { status, peers });
        let registry = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry)
            .map_err(|error| bureau_service::Error::internal(error.to_string()))?;
        Ok(text)
    }
}

/// What a scrape reads of the node, once per scrape.
#[derive(Debug)]
struct Snapshot {
    status: NodeStatus,
    peers: Vec<PeerInfo>,
}

/// Turns the latest [`Snapshot`] into gauges and counters.
#[derive(Debug)]
struct StatusCollector {
    snapshot: Arc<Mutex<Option<Snapshot>>>,
}

fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: i64) -> std::fmt::Result {
    let metric = ConstGauge::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

fn counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: u64,
) -> std::fmt::Result {
    let metric = ConstCounter::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

fn count(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

impl Collector for StatusCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let guard = self.snapshot.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(Snapshot { status, peers }) = guard.as_ref() else {
            return Ok(());
        };
        let replica = &status.replica;
        let e = &mut encoder;
        gauge(
            e,
            "ready",
            "1 when ready to serve (what /readyz answers)",
            i64::from(status.ready),
        )?;
        gauge(
            e,
            "revoked",
            "1 when this node's certificate is revoked",
            i64::from(replica.revoked.is_some()),
        )?;
        gauge(
            e,
            "certificate_days_left",
            "Days until this node's certificate expires",
            replica.certificate_days_left,
        )?;
        gauge(
            e,
            "warnings",
            "Warnings status shows the operator",
            count(replica.warnings.len()),
        )?;
        gauge(
            e,
            "forks",
            "Logs known to have forked (frozen at the fork)",
            count(replica.forks.len()),
        )?;
        gauge(
            e,
            "entries",
            "Entries held, all logs",
            count(replica.entries),
        )?;
        gauge(e, "records", "Live records held", count(replica.records))?;
        gauge(e, "authors", "Logs held", count(replica.authors))?;
        gauge(
            e,
            "members_known",
            "Members this replica holds a certificate of",
            count(replica.members_known),
        )?;
        gauge(
            e,
            "pending_entries",
            "Entries held waiting for their predecessors",
            count(replica.pending),
        )?;
        gauge(
            e,
            "pending_bytes",
            "Bytes of the entries waiting for their predecessors",
            count(replica.pending_bytes),
        )?;
        gauge(
            e,
            "store_bytes",
            "The store's size on disk",
            count(replica.store_bytes),
        )?;
        gauge(
            e,
            "outbox_messages",
            "Direct messages waiting in the outbox",
            count(replica.outbox),
        )?;
        gauge(
            e,
            "anomalies",
            "Members seen publishing like a flooder since start",
            count(replica.anomalies.len()),
        )?;
        let audit = &replica.audit;
        gauge(
            e,
            "audit_lines",
            "Lines of the audit log",
            count(audit.lines),
        )?;
        gauge(
            e,
            "audit_lines_unwitnessed",
            "Audit lines written since the head the network last witnessed",
            count(
                audit
                    .lines
                    .saturating_sub(audit.witnessed_lines.unwrap_or(0)),
            ),
        )?;
        let Some(network) = &status.network else {
            return Ok(());
        };
        gauge(
            e,
            "synced",
            "1 when caught up: a pull from a member ended with nothing left to fetch recently",
            i64::from(network.synced),
        )?;
        gauge(
            e,
            "signing_ready",
            "1 when this node may sign (doppelganger and clock checks passed)",
            i64::from(network.signing == bureau_net::Signing::Ready),
        )?;
        gauge(e, "peers", "Connected peers", count(network.peers))?;
        gauge(
            e,
            "public",
            "1 when AutoNAT or the operator confirmed an address reachable from outside",
            i64::from(network.reach.reachability == "public"),
        )?;
        gauge(
            e,
            "relay_reservations",
            "Relays this node holds a reservation on",
            count(network.reach.relays.len()),
        )?;
        let mut members = encoder.encode_descriptor(
            "members_connected",
            "Members' nodes connected and verified, by how (direct, or relayed through another member)",
            None,
            prometheus_client::metrics::MetricType::Gauge,
        )?;
        for how in ["direct", "relayed"] {
            let connected = peers
                .iter()
                .filter(|peer| peer.member.is_some() && peer.connection == how)
                .count();
            ConstGauge::new(count(connected))
                .encode(members.encode_family(&[("connection", how)])?)?;
        }
        let counters = serde_json::to_value(&network.counters).unwrap_or_default();
        for (name, value) in counters.as_object().into_iter().flatten() {
            let help = COUNTER_HELP
                .iter()
                .find(|(counter, _)| counter == name)
                .map_or(
                    "A network counter (see `bureau status --json`)",
                    |(_, help)| *help,
                );
            let mut metric = String::with_capacity(4 + name.len());
            let _ = write!(metric, "net_{name}");
            counter(
                &mut encoder,
                &metric,
                help,
                value.as_u64().unwrap_or_default(),
            )?;
        }
        Ok(())
    }
}

/// One line of help per network counter, for the counters whose name does not say it all.
const COUNTER_HELP: &[(&str, &str)] = &[
    ("gossip_accepted", "Gossiped entries applied"),
    ("gossip_duplicates", "Gossiped entries already held"),
    (
        "gossip_rejected",
        "Gossiped entries rejected as invalid (held against the sender)",
    ),
    (
        "gossip_ignored",
        "Gossiped entries ignored (not validated now; sync brings them)",
    ),
    (
        "gossip_refused_here",
        "Gossiped entries refused for a reason of this replica's view (fork, revocation, unknown certificate, clock)",
    ),
    ("peers_refused", "Peers refused at the certificate exchange"),
    ("sync_rounds", "Sync pulls started"),
    ("sync_entries_applied", "Entries applied from sync pulls"),
    ("sync_requests_served", "Sync requests answered"),
    (
        "sync_requests_limited",
        "Sync requests answered busy (the member's request budget)",
    ),
    (
        "sync_budget_exhausted",
        "Sync requests answered busy (the member's byte budget)",
    ),
    ("published", "Entries of this node handed to gossip"),
    (
        "unsent",
        "Entries gossip could not send at once (sync carries them)",
    ),
    ("direct_sent", "Direct messages answered by their receiver"),
    ("direct_send_failed", "Outgoing direct messages that failed"),
    ("direct_received", "Direct messages handed to this node"),
    (
        "direct_refused",
        "Incoming direct messages refused (sender not a verified member)",
    ),
    (
        "direct_busy",
        "Incoming direct messages answered busy (inbox full)",
    ),
    (
        "direct_unanswered",
        "Incoming direct messages this node did not answer in time",
    ),
    (
        "relayed_connections",
        "Connections made over a relay circuit",
    ),
    (
        "hole_punch_succeeded",
        "Relayed connections upgraded to direct ones",
    ),
    ("hole_punch_failed", "Hole punching attempts that gave up"),
    ("forks_learned", "Forks learned that froze a log"),
    (
        "connections_denied_before_gate",
        "Inbound connections denied before any protocol ran",
    ),
    (
        "handshakes_expired",
        "Peers disconnected for not passing the gate in time",
    ),
];

/// How long an answer of `/metrics` or `/readyz` is served again before it is worked out anew:
/// neither asks for a token, so a client polling in a loop costs the node at most one status
/// read per this interval and per port.
pub const PROBE_CACHE: std::time::Duration = std::time::Duration::from_secs(1);

/// The latest answer of an unauthenticated probe and when it was made.
#[derive(Debug, Clone)]
struct Cached<T> {
    latest: Arc<tokio::sync::Mutex<Option<(std::time::Instant, T)>>>,
}

impl<T: Clone> Cached<T> {
    fn new() -> Cached<T> {
        Cached {
            latest: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// The answer made within [`PROBE_CACHE`], else a new one from `make` (one at a time: a
    /// burst of requests waits for the one being made).
    async fn get<F: std::future::Future<Output = T>>(&self, make: impl FnOnce() -> F) -> T {
        let mut latest = self.latest.lock().await;
        if let Some((at, answer)) = latest.as_ref()
            && at.elapsed() < PROBE_CACHE
        {
            return answer.clone();
        }
        let answer = make().await;
        *latest = Some((std::time::Instant::now(), answer.clone()));
        answer
    }
}

/// The metrics port's routes: `/metrics`, `/healthz`, `/readyz`.
pub fn router(service: Service, metrics: NodeMetrics) -> Router {
    Router::new()
        .route("/metrics", get(serve_metrics))
        .with_state((service.clone(), metrics, Cached::new()))
        .merge(health_routes(service))
}

type Scrape = Result<String, String>;

async fn serve_metrics(
    State((service, metrics, cached)): State<(Service, NodeMetrics, Cached<Scrape>)>,
) -> Response {
    let scrape = cached
        .get(|| async { metrics.scrape(&service).await.map_err(|e| e.to_string()) })
        .await;
    match scrape {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(error) => {
            tracing::warn!(%error, "metrics could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "metrics could not be read\n",
            )
                .into_response()
        }
    }
}

/// `GET /healthz` (the process serves) and `GET /readyz` (ready to serve, see [`Readiness`]),
/// without the token and revealing nothing else: on the API port and on the metrics port.
pub fn health_routes(service: Service) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .with_state((service, Cached::new()))
}

async fn ready(State((service, cached)): State<(Service, Cached<bool>)>) -> Response {
    if cached
        .get(|| async { Readiness::check(&service).await.ready })
        .await
    {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    }
}
