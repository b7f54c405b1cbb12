//! Direct messages: one request and one answer between two members' nodes, for hit notices and
//! SIENA-style messages. The node builds, signs, stores and retries them; the network only
//! carries opaque bytes, to a member (not an address): it picks a connected node of that member
//! which has passed the gate both ways, or reaches one through the swarm's dialing (the peer
//! ids come from the member's certificates in the store; addresses from identify and
//! Kademlia, so relayed routes work the same once the swarm knows them).
//!
//! Incoming messages are taken only from verified members and go to the node through a bounded
//! channel; the node answers through a `oneshot`. A full channel is answered "busy" at once,
//! so the event loop never waits on the node.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bureau_core::MemberCode;
use bureau_store::Store;
use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use libp2p::PeerId;
use libp2p::kad;
use libp2p::request_response::{self, InboundRequestId, OutboundRequestId, ResponseChannel};
use libp2p::swarm::DialError;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::config;
use crate::event_loop::{EventLoop, JobDone, JobFor};
use crate::protocol::{DirectRequest, DirectResponse};
use crate::{DirectError, InboundDirect, identity};

type DirectReply = oneshot::Sender<Result<Vec<u8>, DirectError>>;
type Answer = (InboundRequestId, Result<Vec<u8>, String>);

/// The direct-message state of the network task.
pub(crate) struct Direct {
    /// Where incoming messages go to the node.
    inbox: mpsc::Sender<InboundDirect>,
    /// Sent messages waiting for their answer.
    outgoing: HashMap<OutboundRequestId, Outgoing>,
    /// Messages waiting for a verified connection to their member.
    waiting: Vec<Waiting>,
    next_wait: u64,
    /// Kademlia lookups in flight to find a member's node (at most one per node), by query.
    lookups: HashMap<kad::QueryId, PeerId>,
    /// Incoming messages the node has not answered yet: who sent each, and where the answer
    /// goes.
    unanswered: HashMap<InboundRequestId, (MemberCode, ResponseChannel<DirectResponse>)>,
    /// How many of `unanswered` each member sent: one member may not take every slot.
    unanswered_by: HashMap<MemberCode, usize>,
    /// The node's answers (or their timeouts), as they come.
    pub answers: FuturesUnordered<BoxFuture<'static, Answer>>,
}

impl Direct {
    /// Removes an unanswered message, keeping its sender's count.
    fn take_unanswered(
        &mut self,
        request_id: &InboundRequestId,
    ) -> Option<ResponseChannel<DirectResponse>> {
        let (member, channel) = self.unanswered.remove(request_id)?;
        if let Some(count) = self.unanswered_by.get_mut(&member) {
            *count -= 1;
            if *count == 0 {
                self.unanswered_by.remove(&member);
            }
        }
        Some(channel)
    }

    pub fn new(inbox: mpsc::Sender<InboundDirect>) -> Direct {
        Direct {
            inbox,
            outgoing: HashMap::new(),
            waiting: Vec::new(),
            next_wait: 0,
            lookups: HashMap::new(),
            unanswered: HashMap::new(),
            unanswered_by: HashMap::new(),
            answers: FuturesUnordered::new(),
        }
    }

    /// When the first waiting message gives up, if any waits.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.waiting.iter().map(|waiting| waiting.deadline).min()
    }
}

struct Outgoing {
    member: MemberCode,
    reply: DirectReply,
}

struct Waiting {
    id: u64,
    member: MemberCode,
    payload: Vec<u8>,
    reply: DirectReply,
    deadline: Instant,
    /// The member's nodes, once the store has named them.
    nodes: Vec<PeerId>,
}

/// The nodes of a member, read from the store.
pub struct NodesFound {
    wait: u64,
    nodes: Result<Vec<PeerId>, String>,
}

/// The peer ids of a member's nodes: those of its certificates valid now and not revoked.
fn member_nodes(store: &Store, member: MemberCode) -> Result<Vec<PeerId>, String> {
    let now = crate::gate::now();
    let mut nodes = Vec::new();
    for certificate in store.members().map_err(|error| error.to_string())? {
        if certificate.member() != member || !certificate.is_valid_at(now) {
            continue;
        }
        let revoked = store
            .revocation(certificate.body.serial)
            .map_err(|error| error.to_string())?;
        if revoked.is_none()
            && let Some(peer) = identity::peer_id(&certificate.node_key())
        {
            nodes.push(peer);
        }
    }
    Ok(nodes)
}

/// Waits for the node's answer to an incoming message, at most `timeout`.
async fn await_answer(
    answer: oneshot::Receiver<Result<Vec<u8>, String>>,
    timeout: std::time::Duration,
) -> Result<Vec<u8>, String> {
    match tokio::time::timeout(timeout, answer).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => Err("the receiving node dropped the message without answering".into()),
        Err(_) => Err("the receiving node did not answer in time".into()),
    }
}

impl EventLoop {
    /// Sends a direct message now if a node of `to` is ready, or waits for one.
    pub(crate) fn send_direct(&mut self, to: MemberCode, payload: Vec<u8>, reply: DirectReply) {
        if payload.len() > config::MAX_DIRECT_BYTES {
            let _ = reply.send(Err(DirectError::TooLarge {
                size: payload.len(),
                limit: config::MAX_DIRECT_BYTES,
            }));
            return;
        }
        if let Some(peer) = self.direct_peer(to) {
            self.send_direct_to(peer, to, payload, reply);
            return;
        }
        if self.direct.waiting.len() >= config::MAX_DIRECT_WAITING {
            self.counters.direct_send_failed += 1;
            let _ = reply.send(Err(DirectError::Overloaded));
            return;
        }
        let wait = self.direct.next_wait;
        let store = Arc::clone(&self.store);
        let spawned = self.spawn_job(JobFor::Local, move || {
            JobDone::Direct(NodesFound {
                wait,
                nodes: member_nodes(&store, to),
            })
        });
        if !spawned {
            self.counters.direct_send_failed += 1;
            let _ = reply.send(Err(DirectError::Overloaded));
            return;
        }
        self.direct.next_wait += 1;
        self.direct.waiting.push(Waiting {
            id: wait,
            member: to,
            payload,
            reply,
            deadline: Instant::now() + self.config.direct_connect_timeout,
            nodes: Vec::new(),
        });
    }

    /// A connected node of `member` that we verified and that verified us.
    fn direct_peer(&self, member: MemberCode) -> Option<PeerId> {
        self.peers
            .iter()
            .filter(|(_, peer)| peer.welcomed && peer.state.member() == Some(member))
            .map(|(peer_id, _)| *peer_id)
            .min()
    }

    fn send_direct_to(
        &mut self,
        peer: PeerId,
        member: MemberCode,
        payload: Vec<u8>,
        reply: DirectReply,
    ) {
        let request_id = self
            .swarm
            .behaviour_mut()
            .direct
            .send_request(&peer, DirectRequest { payload });
        self.direct
            .outgoing
            .insert(request_id, Outgoing { member, reply });
    }

    /// The store named a waiting message's nodes: dial them.
    pub(crate) fn on_direct_nodes(&mut self, found: NodesFound) {
        let local = *self.swarm.local_peer_id();
        let Some(index) = self.direct.waiting.iter().position(|w| w.id == found.wait) else {
            // Already sent (a node of the member came up first) or expired.
            return;
        };
        let nodes: Vec<PeerId> = match found.nodes {
            Ok(nodes) => nodes.into_iter().filter(|peer| *peer != local).collect(),
            Err(error) => {
                tracing::error!(%error, "cannot read a member's certificates");
                Vec::new()
            }
        };
        if nodes.is_empty() {
            let waiting = self.direct.waiting.swap_remove(index);
            tracing::debug!(member = %waiting.member, "no known node for a direct message");
            self.counters.direct_send_failed += 1;
            let _ = waiting.reply.send(Err(DirectError::Unreachable {
                member: waiting.member,
            }));
            return;
        }
        self.direct.waiting[index].nodes.clone_from(&nodes);
        for peer in nodes {
            self.reach(peer);
        }
    }

    /// Dials a member's node through the swarm (addresses from identify, Kademlia's table or
    /// a relay later); asks Kademlia where it is when the swarm knows no address.
    fn reach(&mut self, peer: PeerId) {
        if self.swarm.is_connected(&peer) {
            // Connected: the handshake is under way, and its end sends what waits.
            return;
        }
        let dial = DialOpts::peer_id(peer)
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build();
        match self.swarm.dial(dial) {
            Ok(()) | Err(DialError::DialPeerConditionFalse(_)) => {}
            Err(DialError::NoAddresses) => self.look_up(peer),
            Err(error) => tracing::debug!(%peer, %error, "cannot dial a member's node"),
        }
    }

    /// Asks Kademlia for the addresses of a node a message waits for, unless a lookup for it
    /// is already running.
    fn look_up(&mut self, peer: PeerId) {
        let wanted = self.direct.waiting.iter().any(|w| w.nodes.contains(&peer));
        if wanted && !self.direct.lookups.values().any(|target| *target == peer) {
            let query = self.swarm.behaviour_mut().kad.get_closest_peers(peer);
            self.direct.lookups.insert(query, peer);
        }
    }

    /// Tries again to reach the nodes that messages wait for: called when a member joins our
    /// routing table, since a lookup that found nothing before may succeed through it.
    fn reach_waiting(&mut self) {
        let wanted: HashSet<PeerId> = self
            .direct
            .waiting
            .iter()
            .flat_map(|waiting| waiting.nodes.iter().copied())
            .collect();
        for peer in wanted {
            self.reach(peer);
        }
    }

    /// A dial failed: if a waiting message wants that node, its address may be stale.
    pub(crate) fn on_direct_dial_failed(&mut self, peer: PeerId) {
        self.look_up(peer);
    }

    /// A Kademlia lookup progressed: dial the node it was for, with the addresses found.
    pub(crate) fn on_direct_lookup(
        &mut self,
        query: kad::QueryId,
        result: kad::GetClosestPeersResult,
        last: bool,
    ) {
        let Some(target) = self.direct.lookups.get(&query).copied() else {
            return;
        };
        if last {
            self.direct.lookups.remove(&query);
        }
        let peers = match result {
            Ok(ok) => ok.peers,
            Err(kad::GetClosestPeersError::Timeout { peers, .. }) => peers,
        };
        let Some(found) = peers.into_iter().find(|info| info.peer_id == target) else {
            return;
        };
        // What members answered about another node: only addresses our policy allows.
        let addresses = self.addresses.keep_for(&target, found.addrs);
        if self.swarm.is_connected(&target) || addresses.is_empty() {
            return;
        }
        let dial = DialOpts::peer_id(target)
            .addresses(addresses)
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build();
        if let Err(error) = self.swarm.dial(dial) {
            tracing::debug!(peer = %target, %error, "cannot dial a member's node");
        }
    }

    /// The gate verified a peer, or the peer welcomed us: send what waits for its member once
    /// both hold, and try again to reach the other members' nodes through it.
    pub(crate) fn on_direct_peer_ready(&mut self, peer: PeerId) {
        if self.direct.waiting.is_empty() {
            return;
        }
        let Some(state) = self.peers.get(&peer) else {
            return;
        };
        let Some(member) = state.state.member() else {
            return;
        };
        if state.welcomed {
            let (ready, rest) = std::mem::take(&mut self.direct.waiting)
                .into_iter()
                .partition(|waiting| waiting.member == member);
            self.direct.waiting = rest;
            for waiting in ready {
                self.send_direct_to(peer, member, waiting.payload, waiting.reply);
            }
        }
        self.reach_waiting();
    }

    /// Fails the waiting messages whose member could not be reached in time.
    pub(crate) fn expire_direct_waits(&mut self) {
        let now = Instant::now();
        let (late, rest) = std::mem::take(&mut self.direct.waiting)
            .into_iter()
            .partition(|waiting| waiting.deadline <= now);
        self.direct.waiting = rest;
        for waiting in late {
            self.counters.direct_send_failed += 1;
            let _ = waiting.reply.send(Err(DirectError::Unreachable {
                member: waiting.member,
            }));
        }
    }

    pub(crate) fn on_direct_event(
        &mut self,
        event: request_response::Event<DirectRequest, DirectResponse>,
    ) {
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request_id,
                        request,
                        channel,
                    },
                ..
            } => self.on_direct_request(peer, request_id, request.payload, channel),
            request_response::Event::Message {
                message:
                    request_response::Message::Response {
                        request_id,
                        response,
                    },
                ..
            } => self.on_direct_response(request_id, response),
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %error, "direct message failed");
                self.finish_outgoing(request_id, |member| {
                    Err(DirectError::Failed {
                        member,
                        reason: error.to_string(),
                    })
                });
            }
            request_response::Event::InboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                tracing::debug!(%peer, %error, "direct answer failed");
                self.direct.take_unanswered(&request_id);
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn on_direct_response(&mut self, request_id: OutboundRequestId, response: DirectResponse) {
        self.finish_outgoing(request_id, |member| match response {
            DirectResponse::Answer(answer) => Ok(answer),
            DirectResponse::Busy => Err(DirectError::Busy { member }),
            DirectResponse::Rejected(reason) | DirectResponse::Refused(reason) => {
                Err(DirectError::Refused { member, reason })
            }
        });
    }

    fn finish_outgoing(
        &mut self,
        request_id: OutboundRequestId,
        outcome: impl FnOnce(MemberCode) -> Result<Vec<u8>, DirectError>,
    ) {
        let Some(outgoing) = self.direct.outgoing.remove(&request_id) else {
            return;
        };
        let outcome = outcome(outgoing.member);
        if outcome.is_ok() {
            self.counters.direct_sent += 1;
        } else {
            self.counters.direct_send_failed += 1;
        }
        let _ = outgoing.reply.send(outcome);
    }

    fn on_direct_request(
        &mut self,
        peer: PeerId,
        request_id: InboundRequestId,
        payload: Vec<u8>,
        channel: ResponseChannel<DirectResponse>,
    ) {
        let Some(from) = self.peers.get(&peer).and_then(|p| p.state.member()) else {
            self.counters.direct_refused += 1;
            let refused = DirectResponse::Refused("you are not a verified member here".into());
            self.respond_direct(channel, refused);
            return;
        };
        let from_member = self.direct.unanswered_by.get(&from).copied().unwrap_or(0);
        if self.direct.unanswered.len() >= config::MAX_DIRECT_UNANSWERED
            || from_member >= config::MAX_DIRECT_UNANSWERED_PER_MEMBER
        {
            self.counters.direct_busy += 1;
            self.respond_direct(channel, DirectResponse::Busy);
            return;
        }
        let (reply, answer) = oneshot::channel();
        let inbound = InboundDirect {
            from,
            peer,
            payload,
            reply,
        };
        match self.direct.inbox.try_send(inbound) {
            Ok(()) => {
                self.counters.direct_received += 1;
                self.direct.unanswered.insert(request_id, (from, channel));
                *self.direct.unanswered_by.entry(from).or_default() += 1;
                let timeout = self.config.direct_reply_timeout;
                self.direct
                    .answers
                    .push(async move { (request_id, await_answer(answer, timeout).await) }.boxed());
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.counters.direct_busy += 1;
                self.respond_direct(channel, DirectResponse::Busy);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.counters.direct_unanswered += 1;
                let rejected =
                    DirectResponse::Rejected("this node takes no direct messages".into());
                self.respond_direct(channel, rejected);
            }
        }
    }

    /// The node answered an incoming message (or failed to in time): pass it on.
    pub(crate) fn on_direct_answer(&mut self, (request_id, answer): Answer) {
        let Some(channel) = self.direct.take_unanswered(&request_id) else {
            // The sender's stream is gone (closed or timed out).
            return;
        };
        let response = match answer {
            Ok(answer) if answer.len() <= config::MAX_DIRECT_RESPONSE_BYTES => {
                DirectResponse::Answer(answer)
            }
            Ok(answer) => {
                tracing::error!(
                    bytes = answer.len(),
                    "the node's direct answer is over the limit"
                );
                self.counters.direct_unanswered += 1;
                DirectResponse::Rejected("the receiving node's answer was too large".into())
            }
            Err(reason) => {
                self.counters.direct_unanswered += 1;
                DirectResponse::Rejected(reason)
            }
        };
        self.respond_direct(channel, response);
    }

    fn respond_direct(
        &mut self,
        channel: ResponseChannel<DirectResponse>,
        response: DirectResponse,
    ) {
        // Fails only when the sender's stream is gone; it sees a failure and retries.
        let _ = self
            .swarm
            .behaviour_mut()
            .direct
            .send_response(channel, response);
    }
}
