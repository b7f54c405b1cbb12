//! The membership gate. Right after a connection opens, each side sends its certificate in a
//! [`Hello`]; the other checks it against the root key, the peer's own key (the peer id), its
//! validity period and the revocations it holds. Until then the peer is graylisted in gossip
//! (nothing is published or forwarded to it, nothing it sends is handled) and refused by sync.
//! A peer that fails the check, or does not pass it within the handshake timeout, is
//! disconnected and blocked.

use std::sync::Arc;
use std::time::Instant;

use bureau_core::{Certificate, MemberCode, NetworkId, PublicKey, Timestamp};
use bureau_store::Store;
use libp2p::PeerId;
use libp2p::request_response::{self, ResponseChannel};
use libp2p::swarm::ConnectionId;

use crate::config;
use crate::event_loop::{EventLoop, JobDone, JobFor, Link};
use crate::identity;
use crate::protocol::{Hello, HelloResponse};

/// Where a connected peer stands with the gate.
#[derive(Debug, Clone)]
pub enum PeerState {
    /// Connected, certificate not yet checked.
    Unverified { since: Instant },
    /// A current member.
    Member { certificate: Box<Certificate> },
}

impl PeerState {
    pub fn is_member(&self) -> bool {
        matches!(self, PeerState::Member { .. })
    }
    pub fn member(&self) -> Option<MemberCode> {
        match self {
            PeerState::Member { certificate } => Some(certificate.member()),
            PeerState::Unverified { .. } => None,
        }
    }
}

/// The verdict on a peer's certificate, with the response still owed to it.
pub struct Checked {
    peer: PeerId,
    certificate: Certificate,
    verdict: Result<(), Refusal>,
    channel: Option<ResponseChannel<HelloResponse>>,
}

/// Why a peer was refused, and whether that can change with time alone.
#[derive(Debug)]
struct Refusal {
    reason: String,
    /// The certificate is not valid yet or no longer by our clock: the peer may come back once
    /// clocks agree (or with a renewed certificate), so it is disconnected but not blocked.
    for_time: bool,
}

impl From<String> for Refusal {
    fn from(reason: String) -> Refusal {
        Refusal {
            reason,
            for_time: false,
        }
    }
}

/// Checks a peer's certificate; runs on a blocking thread since it reads (and on success writes)
/// the store. Validity is judged with the clock tolerance, so a verifier whose clock is a little
/// behind does not refuse a certificate that has just been issued.
fn check(
    store: &Store,
    network: &NetworkId,
    root_key: &PublicKey,
    peer: &PeerId,
    certificate: &Certificate,
    now: Timestamp,
) -> Result<(), Refusal> {
    certificate
        .verify(network, root_key)
        .map_err(|error| error.to_string())?;
    if identity::node_key(peer) != Some(certificate.node_key()) {
        return Err(
            "the certificate belongs to another key than the connection's"
                .to_owned()
                .into(),
        );
    }
    let tolerance = bureau_core::validate::MAX_CLOCK_SKEW;
    if now.saturating_add(tolerance) < certificate.body.not_before {
        return Err(Refusal {
            reason: format!(
                "the certificate is not valid yet (from {} ms; this node's clock says {} ms)",
                certificate.body.not_before.0, now.0
            ),
            for_time: true,
        });
    }
    if certificate.body.not_after.saturating_add(tolerance) < now {
        return Err(Refusal {
            reason: "the certificate has expired: ask the secretariat for a renewal".into(),
            for_time: true,
        });
    }
    match store.revocation_of_key(&certificate.node_key()) {
        Ok(Some(revoke)) => {
            return Err(format!("the node key was revoked: {}", revoke.reason).into());
        }
        Ok(None) => {}
        Err(error) => return Err(format!("cannot check revocations: {error}").into()),
    }
    store
        .learn_certificate(certificate)
        .map_err(|error| Refusal::from(error.to_string()))
}

/// Why this node must not sign, given the median offset of its peers' clocks from its own
/// (negative: ours is ahead): `None` within the tolerance.
pub(crate) fn clock_verdict(median_offset_ms: Option<i64>) -> Option<String> {
    let limit = i64::try_from(config::MAX_CLOCK_AHEAD.as_millis()).unwrap_or(i64::MAX);
    median_offset_ms
        .filter(|offset| offset.saturating_neg() > limit)
        .map(|offset| {
            format!(
                "this node's clock is {} s ahead of its peers' (more than the {} s tolerance): entries it signs would be refused as future ones; fix the clock (NTP)",
                offset.saturating_neg() / 1000,
                config::MAX_CLOCK_AHEAD.as_secs()
            )
        })
}

pub(crate) fn now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX))
}

impl EventLoop {
    /// Notes what a peer's hello says about its process and its clock, and re-judges ours.
    fn note_hello(&mut self, peer: PeerId, instance: Option<u64>, time: Timestamp) {
        let offset =
            i64::try_from(time.0).unwrap_or(i64::MAX) - i64::try_from(now().0).unwrap_or(i64::MAX);
        if let Some(state) = self.peers.get_mut(&peer) {
            if instance.is_some() {
                state.instance = instance;
            }
            state.clock_offset_ms = Some(offset);
        }
        self.judge_clock();
    }

    /// The median of member peers' clock offsets from ours, in ms (peers that have not passed
    /// the gate have no say).
    pub(crate) fn median_clock_offset(&self) -> Option<i64> {
        let mut offsets: Vec<i64> = self
            .peers
            .values()
            .filter(|peer| peer.state.is_member())
            .filter_map(|peer| peer.clock_offset_ms)
            .collect();
        if offsets.is_empty() {
            return None;
        }
        offsets.sort_unstable();
        Some(offsets[offsets.len() / 2])
    }

    /// Refuses to sign while our clock runs ahead of the peers' by more than the tolerance
    /// (its entries would be refused as future ones), and lifts that once it no longer does.
    pub(crate) fn judge_clock(&mut self) {
        let verdict = clock_verdict(self.median_clock_offset());
        if verdict.is_some() != self.self_check.clock_ahead.is_some() {
            match &verdict {
                Some(reason) => tracing::error!(%reason, "refusing to sign"),
                None => tracing::info!("clock back within tolerance of the peers': signing again"),
            }
        }
        self.self_check.clock_ahead = verdict;
        self.update_signing();
    }

    pub(crate) fn on_connected(&mut self, peer: PeerId, link: Link) {
        self.peers.insert(peer, EventLoop::new_peer(link));
        self.swarm
            .behaviour_mut()
            .gossipsub
            .set_application_score(&peer, config::UNVERIFIED_APPLICATION_SCORE);
        let hello = self.hello();
        self.swarm.behaviour_mut().hello.send_request(&peer, hello);
    }

    /// Sends our hello again when the one we sent was lost with its connection while another
    /// connection to the peer remains (two dials crossed, or a relayed connection closed once a
    /// direct one opened) and it has not welcomed us yet: otherwise an honest member would
    /// reach the handshake deadline and be blocked. At most [`config::MAX_HELLOS_RESENT`] times
    /// per peer.
    fn resend_hello(&mut self, peer: PeerId) {
        if !self.swarm.is_connected(&peer) {
            return;
        }
        let Some(state) = self.peers.get_mut(&peer) else {
            return;
        };
        if state.welcomed || state.hellos_resent >= config::MAX_HELLOS_RESENT {
            return;
        }
        state.hellos_resent += 1;
        let hello = self.hello();
        self.swarm.behaviour_mut().hello.send_request(&peer, hello);
    }

    /// Our hello as of now, signed.
    pub(crate) fn hello(&self) -> Hello {
        Hello::signed(
            &self.key,
            &self.network,
            self.certificate.clone(),
            self.self_check.instance,
            now(),
        )
    }

    pub(crate) fn on_hello_event(&mut self, event: request_response::Event<Hello, HelloResponse>) {
        match event {
            request_response::Event::Message {
                peer,
                connection_id,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
            } => self.on_hello_request(peer, connection_id, request, channel),
            request_response::Event::Message {
                peer,
                message: request_response::Message::Response { response, .. },
                ..
            } => match response {
                HelloResponse::Welcome { certificate, time } => {
                    self.note_hello(peer, None, time);
                    if self.suspects.remove(&peer).is_some() {
                        // It takes us now: the other process it held is gone.
                        self.update_signing();
                    }
                    let verified = self.peers.get_mut(&peer).is_some_and(|state| {
                        state.welcomed = true;
                        state.state.is_member()
                    });
                    if verified {
                        self.on_direct_peer_ready(peer);
                    } else {
                        self.start_check(peer, certificate, None);
                    }
                }
                HelloResponse::Refused { reason } => {
                    self.note_refusal(peer, reason);
                    let _ = self.swarm.disconnect_peer_id(peer);
                }
                HelloResponse::KeyInUse { reason, proof } => {
                    self.on_key_in_use(peer, reason, *proof);
                }
            },
            // Our `KeyInUse` answer went out (or could not): close that connection only.
            request_response::Event::ResponseSent { connection_id, .. }
            | request_response::Event::InboundFailure { connection_id, .. }
                if self.closing.remove(&connection_id) =>
            {
                self.swarm.close_connection(connection_id);
            }
            // Our refusal reached the peer (or could not): now block it.
            request_response::Event::ResponseSent { peer, .. }
            | request_response::Event::InboundFailure { peer, .. }
                if self.refusing.remove(&peer) =>
            {
                self.refuse(peer);
            }
            request_response::Event::OutboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "hello failed");
                self.resend_hello(peer);
            }
            _ => {}
        }
    }

    /// A peer's hello: checked once per connection; a member's later hellos (its presence) only
    /// refresh what we know of its process and clock.
    fn on_hello_request(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        hello: Hello,
        channel: ResponseChannel<HelloResponse>,
    ) {
        if identity::node_key(&peer) != Some(hello.certificate.node_key())
            || !hello.is_signed(&self.network)
        {
            // Noise proved the peer holds its key; a hello that key did not sign is forged.
            let reason = "the hello is not signed by the connection's key".to_owned();
            self.tell_and_refuse(peer, channel, reason);
            return;
        }
        let held = self.peers.get(&peer).and_then(|state| state.instance);
        if held.is_some_and(|held| held != hello.instance) {
            self.on_second_instance(peer, connection, channel);
            return;
        }
        if let Some(reason) = self.pending_refusals.remove(&peer) {
            self.tell_and_refuse(peer, channel, reason);
            return;
        }
        self.note_hello(peer, Some(hello.instance), hello.time);
        let certificate = hello.certificate.clone();
        let member = self.peers.get_mut(&peer).is_some_and(|state| {
            state.last_hello = Some(Box::new(hello));
            state.state.is_member()
        });
        if member {
            self.welcome(channel);
        } else {
            self.start_check(peer, certificate, Some(channel));
        }
    }

    fn welcome(&mut self, channel: ResponseChannel<HelloResponse>) {
        let welcome = HelloResponse::Welcome {
            certificate: self.certificate.clone(),
            time: now(),
        };
        let _ = self
            .swarm
            .behaviour_mut()
            .hello
            .send_response(channel, welcome);
    }

    fn start_check(
        &mut self,
        peer: PeerId,
        certificate: Certificate,
        channel: Option<ResponseChannel<HelloResponse>>,
    ) {
        if self.gate_check_running(peer) {
            // A second hello while its first is checked (a presence sent the moment it
            // verified us): the first check's verdict answers.
            return;
        }
        let store = Arc::clone(&self.store);
        let (network, root_key) = (self.network, self.root_key);
        let spawned = self.spawn_job(JobFor::Gate(peer), move || {
            let verdict = check(&store, &network, &root_key, &peer, &certificate, now());
            JobDone::Gate(Checked {
                peer,
                certificate,
                verdict,
                channel,
            })
        });
        if !spawned {
            // Too busy to check now: the peer may dial again later.
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    pub(crate) fn on_gate_checked(&mut self, checked: Checked) {
        let Checked {
            peer,
            certificate,
            verdict,
            channel,
        } = checked;
        match verdict {
            Ok(()) => {
                if let Some(channel) = channel {
                    self.welcome(channel);
                }
                let Some(state) = self.peers.get_mut(&peer) else {
                    return;
                };
                if state.state.is_member() {
                    return;
                }
                tracing::info!(%peer, member = %certificate.member(), "member verified");
                state.state = PeerState::Member {
                    certificate: Box::new(certificate),
                };
                // Open the gate: the services held back until now serve it.
                self.swarm.behaviour_mut().admit(peer);
                self.judge_clock();
                self.swarm
                    .behaviour_mut()
                    .gossipsub
                    .set_application_score(&peer, 0.0);
                self.add_member_addresses(peer);
                self.reserve_relays();
                self.start_sync(peer);
                self.on_direct_peer_ready(peer);
            }
            Err(Refusal { reason, for_time }) if for_time => {
                tracing::warn!(%peer, %reason, "refusing peer for now (time): it may connect again");
                if let Some(channel) = channel {
                    let refused = HelloResponse::Refused { reason };
                    let _ = self
                        .swarm
                        .behaviour_mut()
                        .hello
                        .send_response(channel, refused);
                }
                self.peers.remove(&peer);
                let _ = self.swarm.disconnect_peer_id(peer);
                // Not blocked: try it again at the next tick (our clock, or its certificate,
                // may be right by then).
                self.time_refused.insert(peer);
            }
            Err(Refusal { reason, .. }) => {
                tracing::warn!(%peer, %reason, "refusing peer");
                // Tell the peer why before blocking it, so its operator can read the reason in
                // its status. Found from its answer to our hello, there is nothing to answer
                // yet: its own hello is usually on the way, so wait for it (up to the handshake
                // deadline) and answer that with the reason.
                match channel {
                    Some(channel) => self.tell_and_refuse(peer, channel, reason),
                    None => {
                        self.pending_refusals.insert(peer, reason);
                    }
                }
            }
        }
    }

    /// Answers a peer's hello with the reason it is refused, and blocks it once that is sent.
    fn tell_and_refuse(
        &mut self,
        peer: PeerId,
        channel: ResponseChannel<HelloResponse>,
        reason: String,
    ) {
        let refused = HelloResponse::Refused { reason };
        let told = self
            .swarm
            .behaviour_mut()
            .hello
            .send_response(channel, refused)
            .is_ok();
        if told {
            self.peers.remove(&peer);
            self.refusing.insert(peer);
        } else {
            self.refuse(peer);
        }
    }

    /// Disconnects a peer and blocks it: no new connection either way.
    pub(crate) fn refuse(&mut self, peer: PeerId) {
        self.counters.peers_refused += 1;
        self.block(peer);
    }

    /// Disconnects and blocks a peer for its next strike's duration (see `admission::Blocks`).
    fn block(&mut self, peer: PeerId) {
        let duration = self.blocks.strike(peer, Instant::now());
        tracing::info!(%peer, blocked_seconds = duration.as_secs(), "peer blocked");
        self.peers.remove(&peer);
        let behaviour = self.swarm.behaviour_mut();
        behaviour.forget(&peer);
        behaviour.blocked.block_peer(peer);
        behaviour.kad.remove_peer(&peer);
    }

    /// A peer refused our certificate. That is its verdict, kept under its name: our own status
    /// changes only by what our replica holds (a revocation, an expiry), or any peer could make
    /// us say "revoked".
    pub(crate) fn note_refusal(&mut self, peer: PeerId, reason: String) {
        let member = self.peers.get(&peer).and_then(|state| state.state.member());
        tracing::warn!(%peer, member = ?member, %reason, "a peer refused our certificate");
        self.counters.refusals_received += 1;
        let peer_id = peer.to_string();
        let times = match self
            .refused_by
            .iter()
            .position(|known| known.peer_id == peer_id)
        {
            Some(index) => self
                .refused_by
                .remove(index)
                .map_or(1, |known| known.times.saturating_add(1)),
            None => 1,
        };
        self.refused_by.push_front(crate::RefusedBy {
            peer_id,
            member,
            reason,
            times,
        });
        self.refused_by.truncate(config::MAX_REFUSALS_SHOWN);
    }

    /// Acts on an entry the local store has applied: a revocation disconnects the peers that use
    /// the revoked certificate. They are not blocked yet: when they dial again, the handshake
    /// refuses them with the reason, then blocks them.
    pub(crate) fn on_entry_applied(&mut self, entry: &bureau_core::Entry) {
        let Some(bureau_core::Body::Revoke(revoke)) = &entry.body else {
            return;
        };
        // A revocation covers the key: every connection using any certificate of it.
        let revoked_keys: Vec<PublicKey> = self
            .peers
            .values()
            .filter_map(|peer| match &peer.state {
                PeerState::Member { certificate } if certificate.body.serial == revoke.serial => {
                    Some(certificate.node_key())
                }
                _ => None,
            })
            .collect();
        let revoked: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, peer)| {
                matches!(&peer.state, PeerState::Member { certificate } if certificate.body.serial == revoke.serial || revoked_keys.contains(&certificate.node_key()))
            })
            .map(|(peer, _)| *peer)
            .collect();
        for peer in revoked {
            tracing::info!(%peer, serial = revoke.serial, "certificate revoked: disconnecting");
            self.peers.remove(&peer);
            self.swarm.behaviour_mut().forget(&peer);
            self.syncing.remove(&peer);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }

    /// Disconnects and blocks peers that have not passed the gate in time: an unverified
    /// connection holds a slot of the small budget newcomers share, so it must not linger.
    pub(crate) fn expire_handshakes(&mut self) {
        let deadline = self.handshake_deadline();
        let late: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, peer)| matches!(peer.state, PeerState::Unverified { since } if since.elapsed() > deadline))
            .map(|(peer, _)| *peer)
            .collect();
        for peer in late {
            if self.gate_check_running(peer) {
                // Our own check is late (the store is busy), not the peer: its verdict decides.
                continue;
            }
            if self.pending_refusals.remove(&peer).is_some() {
                // Refused, and its hello never came to be answered: block it now.
                self.refuse(peer);
                continue;
            }
            tracing::info!(%peer, "no valid certificate in time: disconnecting");
            self.counters.handshakes_expired += 1;
            self.block(peer);
            let _ = self.swarm.disconnect_peer_id(peer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clock_verdict;

    #[test]
    fn a_clock_ahead_of_the_peers_beyond_the_tolerance_stops_signing() {
        let minute = 60_000;
        assert!(clock_verdict(None).is_none(), "no peer: nothing to compare");
        assert!(
            clock_verdict(Some(-4 * minute)).is_none(),
            "within 5 minutes"
        );
        assert!(
            clock_verdict(Some(10 * minute)).is_none(),
            "behind is not ahead"
        );
        let reason = clock_verdict(Some(-6 * minute)).expect("6 minutes ahead");
        assert!(reason.contains("360 s ahead"), "{reason}");
    }
}
