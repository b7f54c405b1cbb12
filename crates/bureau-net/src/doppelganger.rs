//! "Another process uses your key", proven.
//!
//! Two processes with one key (a copied node directory) fork the key's log, so a peer that
//! already holds one process of a key and sees a second refuses the newcomer with
//! `KeyInUse`, and the newcomer stops signing. Taken on a peer's word, that answer would let
//! any rogue member stop our signing, so it carries a proof: the first process's latest
//! [`Hello`], signed with the key. Members send each other a fresh hello every
//! `Config::presence_interval`, so a peer's copy is never older than that.
//!
//! The newcomer believes a proof that is signed with its own key, names another instance, and
//! was signed after the newcomer started: no earlier run of the same node (whose hellos a rogue
//! member may have kept) can have signed that. A proof that is genuine but older than our
//! start, yet no older than [`KEY_IN_USE_RECENT`], may be the other process's last hello before
//! the peer's next copy: signing is held (state `Checking`) and the peer asked again after a
//! presence interval, at most [`KEY_IN_USE_RECHECKS`] times; then the hold lifts and the peer's
//! claim is counted as unproven. Anything else is counted, logged, and not obeyed.

use std::time::Instant;

use libp2p::request_response::ResponseChannel;
use libp2p::swarm::ConnectionId;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::{Multiaddr, PeerId};

use crate::config::{KEY_IN_USE_RECENT, KEY_IN_USE_RECHECKS};
use crate::event_loop::EventLoop;
use crate::protocol::{Hello, HelloResponse};

/// A peer whose `KeyInUse` proof was genuine but older than our start: asked again.
#[derive(Debug, Clone)]
pub(crate) struct Suspect {
    /// Where we reached it, to dial it again.
    address: Option<Multiaddr>,
    /// When to ask again.
    due: Instant,
    /// How many stale proofs it has sent.
    tries: u32,
    /// When to give up on it (it cannot be reached, or never answers): signing is held at
    /// most until then.
    until: Instant,
}

/// What a `KeyInUse` proof shows.
#[derive(Debug, PartialEq, Eq)]
enum Proof {
    /// Another process signed with our key after we started.
    Proven,
    /// Another process of our key was alive shortly before we started: ask again.
    Recent,
    /// Nothing: the reason why.
    Unproven(&'static str),
}

impl EventLoop {
    /// A second process of a connected member's key says hello on another connection: refuse
    /// it there, with the first process's latest hello as the proof, and keep the first.
    pub(crate) fn on_second_instance(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        channel: ResponseChannel<HelloResponse>,
    ) {
        tracing::warn!(%peer, "a second process uses this peer's key: refusing the newcomer");
        self.counters.peers_refused += 1;
        self.closing.insert(connection);
        let Some(proof) = self
            .peers
            .get(&peer)
            .and_then(|state| state.last_hello.clone())
        else {
            // Nothing to prove it with yet: closing the connection tells enough.
            return;
        };
        let reason = "another process with this node's key is already connected to this peer: two processes with one key fork its log; stop one of them".to_owned();
        let _ = self
            .swarm
            .behaviour_mut()
            .hello
            .send_response(channel, HelloResponse::KeyInUse { reason, proof });
    }

    /// A peer refused our hello because another process of our key is connected to it.
    pub(crate) fn on_key_in_use(&mut self, peer: PeerId, reason: String, proof: Hello) {
        let _ = self.swarm.disconnect_peer_id(peer);
        match self.judge_proof(&proof) {
            Proof::Proven => {
                self.suspects.clear();
                tracing::error!(%peer, instance = proof.instance, signed_ms = proof.time.0, "another process uses this node's key: this node will not sign");
                self.self_check.doppelganger = Some(format!(
                    "another process uses this node's key (peer {peer} has it connected, and showed its signed hello): stop the other process or this one; signing now would fork this member's log"
                ));
                self.note_refusal(peer, reason);
            }
            Proof::Recent => self.suspect(peer, reason),
            Proof::Unproven(why) => self.reject_key_in_use(peer, why),
        }
        self.update_signing();
    }

    fn judge_proof(&self, proof: &Hello) -> Proof {
        if proof.certificate.node_key() != self.certificate.node_key() {
            return Proof::Unproven("the proof is another key's hello");
        }
        if !proof.is_signed(&self.network) {
            return Proof::Unproven("the proof's signature does not verify");
        }
        if proof.instance == self.self_check.instance {
            return Proof::Unproven("the proof is this process's own hello");
        }
        let started = self.self_check.started_at;
        if proof.time > started {
            return Proof::Proven;
        }
        let recent_ms = u64::try_from(KEY_IN_USE_RECENT.as_millis()).unwrap_or(u64::MAX);
        if proof.time.0.saturating_add(recent_ms) >= started.0 {
            return Proof::Recent;
        }
        Proof::Unproven("the proof was signed long before this process started")
    }

    /// Holds signing and asks `peer` again after a presence interval, unless it has sent
    /// [`KEY_IN_USE_RECHECKS`] stale proofs already.
    fn suspect(&mut self, peer: PeerId, reason: String) {
        let address = self.peers.get(&peer).and_then(|state| {
            state
                .links
                .iter()
                .find(|link| link.outbound)
                .map(|link| link.address.clone())
                .or_else(|| state.listen_addrs.first().cloned())
        });
        let interval = self.config.presence_interval;
        let rounds = KEY_IN_USE_RECHECKS.saturating_add(2);
        let entry = self.suspects.entry(peer).or_insert(Suspect {
            address: None,
            due: Instant::now(),
            tries: 0,
            until: Instant::now() + interval.saturating_mul(rounds),
        });
        entry.tries += 1;
        entry.due = Instant::now() + interval;
        if address.is_some() {
            entry.address = address;
        }
        if entry.tries > KEY_IN_USE_RECHECKS {
            self.suspects.remove(&peer);
            self.reject_key_in_use(peer, "its proofs stay older than this process");
            return;
        }
        tracing::warn!(%peer, %reason, "a peer says another process uses this node's key, with a proof from before this process started: holding signing and asking again");
    }

    fn reject_key_in_use(&mut self, peer: PeerId, why: &str) {
        self.counters.key_in_use_unproven += 1;
        tracing::warn!(%peer, %why, "a peer says another process uses this node's key, without proof: not obeyed");
        self.note_refusal(
            peer,
            format!("said another process uses this node's key, unproven: {why}"),
        );
    }

    /// Every presence interval: a fresh signed hello to every member (their proof that this
    /// process is alive), and the suspects asked again.
    pub(crate) fn on_presence_tick(&mut self) {
        let members: Vec<PeerId> = self
            .peers
            .iter()
            .filter(|(_, peer)| peer.state.is_member())
            .map(|(peer, _)| *peer)
            .collect();
        for peer in members {
            let hello = self.hello();
            self.swarm.behaviour_mut().hello.send_request(&peer, hello);
        }
        let now = Instant::now();
        let gave_up: Vec<PeerId> = self
            .suspects
            .iter()
            .filter(|(_, suspect)| suspect.until <= now)
            .map(|(peer, _)| *peer)
            .collect();
        for peer in gave_up {
            self.suspects.remove(&peer);
            self.reject_key_in_use(peer, "it could not be asked again in time");
            self.update_signing();
        }
        let due: Vec<(PeerId, Option<Multiaddr>)> = self
            .suspects
            .iter()
            .filter(|(_, suspect)| suspect.due <= now)
            .map(|(peer, suspect)| (*peer, suspect.address.clone()))
            .collect();
        for (peer, address) in due {
            self.ask_suspect_again(peer, address);
        }
    }

    fn ask_suspect_again(&mut self, peer: PeerId, address: Option<Multiaddr>) {
        if let Some(suspect) = self.suspects.get_mut(&peer) {
            // Its answer decides; one that never comes runs into `until`.
            suspect.due = Instant::now() + self.config.presence_interval;
        }
        if self.swarm.is_connected(&peer) {
            // Still (or again) connected, perhaps on a connection we sent no hello on: a
            // fresh hello makes the peer look at our instance now, and answer with its
            // latest proof.
            let hello = self.hello();
            self.swarm.behaviour_mut().hello.send_request(&peer, hello);
            return;
        }
        let dial = DialOpts::peer_id(peer)
            .addresses(address.into_iter().collect())
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build();
        if let Err(error) = self.swarm.dial(dial) {
            tracing::debug!(%peer, %error, "cannot ask a peer again about our key");
        }
    }
}
