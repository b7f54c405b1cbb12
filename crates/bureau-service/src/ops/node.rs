//! Operations on the node itself: its status, its peers, witnessing its audit log, and giving
//! readers added later the keys of its member's restricted records.

use bureau_net::{Counters, PeerInfo, ReachInfo, RefusedBy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::AuditState;
use crate::error::Result;
use crate::operation::{Method, Operation};
use crate::replica::Status;
use crate::service::Service;

/// The node's status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct GetStatus {}

/// The replica's status, and the network's when a node runs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NodeStatus {
    #[serde(flatten)]
    pub replica: Status,
    /// Absent when the replica was opened without a running node.
    #[serde(flatten)]
    pub network: Option<NetworkStatus>,
    /// Ready to serve (what `GET /readyz` answers): connected to a member and caught up with
    /// it, or alone in the network.
    pub ready: bool,
    /// Why not, when not ready.
    pub not_ready: Option<String>,
}

/// Whether a node is ready to serve: what `GET /readyz` answers and `status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Readiness {
    pub ready: bool,
    /// Why not, when not ready.
    pub reason: Option<String>,
}

impl Readiness {
    /// A node knowing `members_known` members (itself included) with the network in `info`
    /// (`None`: no node runs) is ready when it is connected to a member and caught up with it
    /// ([`bureau_net::NetInfo::synced`]), or when no other member exists yet.
    pub fn of(members_known: usize, info: Option<&bureau_net::NetInfo>) -> Readiness {
        let not = |reason: &str| Readiness {
            ready: false,
            reason: Some(reason.to_owned()),
        };
        match info {
            None => not("no node runs on this directory"),
            Some(_) if members_known <= 1 => Readiness {
                ready: true,
                reason: None,
            },
            Some(info) if info.members_connected == 0 => not("not connected to any member's node"),
            Some(info) if !info.synced => not(
                "not caught up: no pull from a member has ended with nothing left to fetch recently",
            ),
            Some(_) => Readiness {
                ready: true,
                reason: None,
            },
        }
    }

    /// This node's readiness now.
    pub async fn check(service: &Service) -> Readiness {
        let Ok(net) = service.network() else {
            return Readiness::of(0, None);
        };
        let members = service
            .blocking(|replica| Ok(replica.store.members()?.len()))
            .await;
        match (members, net.info().await) {
            (Ok(members), Ok(info)) => Readiness::of(members, Some(&info)),
            (Err(error), _) => Readiness {
                ready: false,
                reason: Some(format!("the store cannot be read: {error}")),
            },
            (_, Err(error)) => Readiness {
                ready: false,
                reason: Some(format!("the network does not answer: {error}")),
            },
        }
    }
}

/// What the network task tells.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NetworkStatus {
    pub peer_id: String,
    /// Connected peers.
    pub peers: usize,
    /// Connected peers whose certificates checked out.
    pub members_connected: usize,
    pub listen: Vec<String>,
    pub counters: Counters,
    pub reach: ReachInfo,
    /// Whether this node may sign now (doppelganger protection, clock), and why not.
    pub signing: bureau_net::Signing,
    /// The median offset of member peers' clocks from this node's, in ms (positive: they are
    /// ahead); `None` before any member answered.
    pub peer_clock_offset_ms: Option<i64>,
    /// Peers that refused this node's certificate, and why: their word, shown so the operator
    /// can act (`revoked` above comes from this replica only).
    pub refused_by: Vec<RefusedBy>,
    /// Caught up: a pull from a member ended with nothing left to fetch recently.
    pub synced: bool,
    /// Seconds since a pull last ended with nothing left to fetch (`None`: never yet).
    pub caught_up_seconds_ago: Option<u64>,
}

impl Operation for GetStatus {
    type Answer = NodeStatus;
    const NAME: &'static str = "status";
    const SUMMARY: &'static str = "The node's member, digest, counts and network";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/status";

    async fn run(self, service: &Service) -> Result<NodeStatus> {
        let replica = service.blocking(|replica| replica.status()).await?;
        let Ok(net) = service.network() else {
            let readiness = Readiness::of(replica.members_known, None);
            return Ok(NodeStatus {
                replica,
                network: None,
                ready: readiness.ready,
                not_ready: readiness.reason,
            });
        };
        let info = net.info().await?;
        let readiness = Readiness::of(replica.members_known, Some(&info));
        // Peers' refusals are listed under their names, never taken as our own revocation:
        // any peer could say "revoked".
        let peers = net.peers().await?;
        Ok(NodeStatus {
            replica,
            ready: readiness.ready,
            not_ready: readiness.reason,
            network: Some(NetworkStatus {
                peer_id: info.peer_id,
                peers: peers.len(),
                members_connected: info.members_connected,
                listen: info.listen,
                counters: info.counters,
                reach: info.reach,
                signing: info.signing,
                peer_clock_offset_ms: info.peer_clock_offset_ms,
                refused_by: info.refused_by,
                synced: info.synced,
                caught_up_seconds_ago: info.caught_up_seconds_ago,
            }),
        })
    }
}

/// The peers a running node is connected to.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ListPeers {}

impl Operation for ListPeers {
    type Answer = Vec<PeerInfo>;
    const NAME: &'static str = "list_peers";
    const SUMMARY: &'static str = "The peers a running node is connected to";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/peers";

    async fn run(self, service: &Service) -> Result<Vec<PeerInfo>> {
        Ok(service.network()?.peers().await?)
    }
}

/// Signs the audit log's head into this node's log now (a running node also does it every
/// `witness::AUDIT_WITNESS_INTERVAL` and at stop): before maintenance, say.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct WitnessAudit {}

impl Operation for WitnessAudit {
    type Answer = AuditState;
    const NAME: &'static str = "witness_audit";
    const SUMMARY: &'static str = "Sign the audit log's head into this node's log now";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/audit/witness";

    async fn run(self, service: &Service) -> Result<AuditState> {
        service
            .change(|replica| Ok(((), replica.witness_audit()?.into_iter().collect())))
            .await?;
        service.blocking(|replica| replica.audit_state()).await
    }
}

/// Gives readers added since this member's restricted records were sealed (a member admitted,
/// a node with a new encryption key) their keys now (a running node also does it every
/// `rewrap::REWRAP_INTERVAL`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct WrapKeys {}

impl Operation for WrapKeys {
    type Answer = crate::rewrap::Rewrapped;
    const NAME: &'static str = "wrap_keys";
    const SUMMARY: &'static str =
        "Give readers added since this member's restricted records were sealed their keys";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/v1/keys/wrap";

    async fn run(self, service: &Service) -> Result<crate::rewrap::Rewrapped> {
        service
            .change(|replica| replica.wrap_for_new_readers())
            .await
    }
}

/// One page of this node's mailbox, for `bureau backup`: messages sent and received (hits and
/// answers among them) and the outbox, which no peer can give back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct ExportMail {
    /// Where the previous page ended (its `next`); the first page when absent.
    #[serde(default)]
    pub after: Option<String>,
}

/// A page of the mailbox for a backup.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MailPage {
    pub member: bureau_core::MemberCode,
    /// The node's libp2p peer id.
    pub peer_id: String,
    /// How far this node's own log has reached in this replica (0: nothing signed).
    pub own_seq: u64,
    /// The page's items, in the canonical binary encoding, as hex (what `bureau restore`
    /// reads back; not meant to be read otherwise).
    pub items: String,
    /// How many items the page holds.
    pub count: usize,
    /// Where the next page starts; absent after the last one.
    pub next: Option<String>,
}

/// Most mailbox items per backup page.
pub const MAIL_BACKUP_PAGE_ITEMS: usize = 100;
/// Message bytes after which a backup page ends: as hex in JSON they stay well under what an
/// HTTP client reads of one answer by default (10 MB for the CLI's).
pub const MAIL_BACKUP_PAGE_BYTES: usize = 2 * 1024 * 1024;

impl Operation for ExportMail {
    type Answer = MailPage;
    const NAME: &'static str = "export_mail";
    const SUMMARY: &'static str =
        "One page of the mailbox (messages, hits, outbox) for a backup, in its binary encoding";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/v1/backup/mail";

    async fn run(self, service: &Service) -> Result<MailPage> {
        let after = self
            .after
            .map(|text| {
                hex::decode(&text)
                    .map_err(|_| crate::error::Error::invalid("`after` is not a page position"))
            })
            .transpose()?;
        service
            .blocking(move |replica| {
                let store = &replica.store;
                let (items, next) = store.mail_backup_page(
                    after.as_deref(),
                    MAIL_BACKUP_PAGE_ITEMS,
                    MAIL_BACKUP_PAGE_BYTES,
                )?;
                if after.is_none() {
                    replica.audit(crate::audit::AuditAction::Backup, "mailbox", None, None)?;
                }
                let own_seq = store
                    .head(&replica.key.public())?
                    .map_or(0, |head| head.seq);
                Ok(MailPage {
                    member: replica.member(),
                    peer_id: bureau_net::identity::peer_id(&replica.key.public())
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    own_seq,
                    count: items.len(),
                    items: hex::encode(bureau_core::codec::encode(&items)),
                    next: next.map(hex::encode),
                })
            })
            .await
    }
}
