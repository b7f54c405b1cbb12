//! Entry gossip. An entry is forwarded only after the local store has judged it: Accept when
//! it applied, Ignore when it was a duplicate, arrived early, cannot be checked yet or is
//! refused for a reason that depends on this replica's view (a fork, a revocation, the clock),
//! Reject (which costs the sender score) only when the fault is provably the sender's.
//! Fork proofs travel on their own topic and are forwarded once they verify. Entries from peers that have not passed
//! the gate are ignored and never stored. Local entries that find no subscribed peer wait in a
//! bounded queue and are published again later.

use bureau_core::{Entry, ForkProof, Timestamp};
use bureau_store::Outcome;
use libp2p::PeerId;
use libp2p::gossipsub::{self, MessageAcceptance, MessageId, PublishError};

use crate::config;
use crate::event_loop::{EventLoop, JobDone, JobFor};

/// The store's verdict on a gossiped entry.
pub struct Validated {
    source: PeerId,
    message_id: MessageId,
    entry: Box<Entry>,
    outcome: Result<Outcome, String>,
    /// The fork proof the store holds against the entry's author, when the entry conflicted.
    fork: Option<Box<ForkProof>>,
}

/// The verdict on a gossiped fork proof.
pub struct ForkChecked {
    source: PeerId,
    message_id: MessageId,
    verdict: ForkVerdict,
}

enum ForkVerdict {
    /// The proof holds; the proofs that changed our replica (none when it was known).
    Held(Vec<ForkProof>),
    /// The proof does not hold: the sender's fault.
    Invalid(bureau_core::fork::ForkProofError),
    /// Our store failed.
    Store(String),
}

impl EventLoop {
    pub(crate) fn on_gossip_event(&mut self, event: gossipsub::Event) {
        match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } if message.topic == self.forks_topic.hash() => {
                self.on_fork_message(propagation_source, message_id, message.data);
            }
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => self.on_gossip_message(propagation_source, message_id, message.data),
            gossipsub::Event::Subscribed { .. } => self.republish_unsent(),
            _ => {}
        }
    }

    fn report(&mut self, message_id: &MessageId, source: &PeerId, acceptance: MessageAcceptance) {
        self.swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(message_id, source, acceptance);
    }

    fn on_gossip_message(&mut self, source: PeerId, message_id: MessageId, data: Vec<u8>) {
        if !self
            .peers
            .get(&source)
            .is_some_and(|peer| peer.state.is_member())
        {
            self.counters.gossip_ignored += 1;
            self.report(&message_id, &source, MessageAcceptance::Ignore);
            return;
        }
        let entry = match Entry::from_bytes(&data) {
            Ok(entry) => entry,
            Err(error) => {
                tracing::debug!(peer = %source, %error, "undecodable gossip");
                self.counters.gossip_rejected += 1;
                self.report(&message_id, &source, MessageAcceptance::Reject);
                return;
            }
        };
        let author = entry.header.author;
        let author_jobs = self
            .gossip_jobs_by_author
            .get(&author)
            .copied()
            .unwrap_or(0);
        if author_jobs >= config::MAX_GOSSIP_JOBS_PER_AUTHOR {
            // One author's flood gets its share of our work, whoever forwards it.
            self.counters.gossip_author_share_exhausted += 1;
            self.report(&message_id, &source, MessageAcceptance::Ignore);
            return;
        }
        let committer = self.committer.clone();
        let store = std::sync::Arc::clone(&self.store);
        let id = message_id.clone();
        let spawned = self.spawn_job(JobFor::Peer(source), move || {
            let outcome = committer
                .apply(vec![entry.clone()])
                .map_err(|error| error.to_string())
                .and_then(|mut outcomes| outcomes.pop().ok_or_else(|| "no outcome".to_owned()));
            let conflict = matches!(&outcome, Ok(Outcome::Rejected(error)) if error.is_conflict());
            let fork = conflict
                .then(|| store.fork_proof(&entry.header.author).ok().flatten())
                .flatten()
                .map(Box::new);
            JobDone::Gossip(Validated {
                source,
                message_id: id,
                entry: Box::new(entry),
                outcome,
                fork,
            })
        });
        if spawned {
            *self.gossip_jobs_by_author.entry(author).or_default() += 1;
        } else {
            // Local work first: sync will bring this entry later.
            self.counters.gossip_ignored += 1;
            self.report(&message_id, &source, MessageAcceptance::Ignore);
        }
    }

    pub(crate) fn on_gossip_validated(&mut self, validated: Validated) {
        let Validated {
            source,
            message_id,
            entry,
            outcome,
            fork,
        } = validated;
        let author = entry.header.author;
        if let Some(running) = self.gossip_jobs_by_author.get_mut(&author) {
            *running = running.saturating_sub(1);
            if *running == 0 {
                self.gossip_jobs_by_author.remove(&author);
            }
        }
        if let Some(proof) = fork {
            self.on_forks_learned(vec![*proof], false);
        }
        let acceptance = match outcome {
            Ok(Outcome::Applied { .. }) => {
                self.counters.gossip_accepted += 1;
                self.on_entry_applied(&entry);
                if entry.header.author == self.certificate.node_key()
                    && entry.header.timestamp > self.self_check.started_at
                {
                    self.on_foreign_own_entry(entry.header.seq, entry.header.timestamp);
                }
                MessageAcceptance::Accept
            }
            Ok(Outcome::Duplicate) => {
                self.counters.gossip_duplicates += 1;
                MessageAcceptance::Ignore
            }
            Ok(Outcome::Held { .. } | Outcome::Dropped { .. }) => {
                // A gap: the sender has entries we lack.
                self.counters.gossip_ignored += 1;
                self.start_sync(source);
                MessageAcceptance::Ignore
            }
            Ok(Outcome::Rejected(error)) if error.is_retryable() => {
                self.counters.gossip_ignored += 1;
                MessageAcceptance::Ignore
            }
            Ok(Outcome::Rejected(error)) if !error.is_attributable() => {
                // Our view, not the sender's fault: do not forward, do not penalise.
                tracing::debug!(peer = %source, %error, "gossiped entry refused here");
                self.counters.gossip_refused_here += 1;
                MessageAcceptance::Ignore
            }
            Ok(Outcome::Rejected(error)) => {
                tracing::info!(peer = %source, %error, "rejected gossiped entry");
                self.counters.gossip_rejected += 1;
                MessageAcceptance::Reject
            }
            Err(error) => {
                tracing::error!(%error, "store failed while validating gossip");
                MessageAcceptance::Ignore
            }
        };
        self.report(&message_id, &source, acceptance);
    }

    fn on_fork_message(&mut self, source: PeerId, message_id: MessageId, data: Vec<u8>) {
        if !self
            .peers
            .get(&source)
            .is_some_and(|peer| peer.state.is_member())
        {
            self.report(&message_id, &source, MessageAcceptance::Ignore);
            return;
        }
        let Ok(proof) = ForkProof::from_bytes(&data) else {
            self.counters.gossip_rejected += 1;
            self.report(&message_id, &source, MessageAcceptance::Reject);
            return;
        };
        let store = std::sync::Arc::clone(&self.store);
        let network = self.network;
        let id = message_id.clone();
        let spawned = self.spawn_job(JobFor::Peer(source), move || {
            let verdict = match proof.verify(&network) {
                Err(error) => ForkVerdict::Invalid(error),
                Ok(_) => match store.apply_fork_proofs(vec![proof], crate::gate::now()) {
                    Ok(changed) => ForkVerdict::Held(changed),
                    Err(error) => ForkVerdict::Store(error.to_string()),
                },
            };
            JobDone::Fork(ForkChecked {
                source,
                message_id: id,
                verdict,
            })
        });
        if !spawned {
            self.report(&message_id, &source, MessageAcceptance::Ignore);
        }
    }

    pub(crate) fn on_fork_checked(&mut self, checked: ForkChecked) {
        let ForkChecked {
            source,
            message_id,
            verdict,
        } = checked;
        let acceptance = match verdict {
            ForkVerdict::Held(changed) if !changed.is_empty() => {
                // Gossip forwards this message itself once accepted.
                self.on_forks_learned(changed, true);
                MessageAcceptance::Accept
            }
            ForkVerdict::Held(_) => MessageAcceptance::Ignore,
            ForkVerdict::Store(error) => {
                tracing::error!(%error, "store failed while applying a fork proof");
                MessageAcceptance::Ignore
            }
            ForkVerdict::Invalid(error) => {
                tracing::info!(peer = %source, %error, "rejected gossiped fork proof");
                self.counters.gossip_rejected += 1;
                MessageAcceptance::Reject
            }
        };
        self.report(&message_id, &source, acceptance);
    }

    /// Counts and passes on fork proofs that changed our replica (the store has logged them);
    /// `gossiped` ones are forwarded by gossip itself. A fork of our own key means another
    /// process signed with it: we stop signing.
    pub(crate) fn on_forks_learned(&mut self, proofs: Vec<ForkProof>, gossiped: bool) {
        let own = self.certificate.node_key();
        for proof in proofs {
            if !self.forks_sent.insert(proof.hash()) {
                continue;
            }
            self.counters.forks_learned += 1;
            if proof.author() == own {
                self.self_check.doppelganger = Some(format!(
                    "this node's log forked at seq {}: another process signed with its key; the secretariat must revoke this key and admit a new one",
                    proof.point().unwrap_or_default()
                ));
                self.update_signing();
            }
            if gossiped {
                continue;
            }
            let topic = self.forks_topic.clone();
            if let Err(error) = self
                .swarm
                .behaviour_mut()
                .gossipsub
                .publish(topic, proof.to_bytes())
            {
                tracing::debug!(%error, "fork proof not gossiped; sync carries it");
            }
        }
    }

    /// An entry of our own key that we did not sign, signed after we started: another process
    /// uses the key. Stop signing before the two fork the log.
    pub(crate) fn on_foreign_own_entry(&mut self, seq: u64, timestamp: Timestamp) {
        if self.self_check.doppelganger.is_some() {
            return;
        }
        tracing::error!(
            seq,
            timestamp = timestamp.0,
            "another process signs with this node's key: this node stops signing"
        );
        self.self_check.doppelganger = Some(format!(
            "another process signs with this node's key (it signed seq {seq} after this one started): stop one of them; signing here would fork this member's log"
        ));
        self.update_signing();
    }

    /// One sync round with a member is over: we know its head of our own log.
    pub(crate) fn on_self_checked(&mut self, peer: PeerId) {
        if self.self_check.checked {
            return;
        }
        if !self.peers.get(&peer).is_some_and(|p| p.state.is_member()) {
            return;
        }
        tracing::info!(%peer, "own log checked against a member's copy: signing allowed");
        self.self_check.checked = true;
        self.update_signing();
    }

    /// Publishes an encoded entry, or queues it when no peer can take it yet.
    pub(crate) fn publish(&mut self, bytes: Vec<u8>) {
        let topic = self.topic.clone();
        match self
            .swarm
            .behaviour_mut()
            .gossipsub
            .publish(topic, bytes.clone())
        {
            Ok(_) => self.counters.published += 1,
            Err(PublishError::Duplicate) => {}
            Err(error) => {
                tracing::debug!(%error, "entry not published yet: queued");
                if self.unsent.len() >= config::MAX_UNSENT_ENTRIES {
                    // Sync delivers what gossip could not: dropping the oldest loses nothing.
                    self.unsent.pop_front();
                }
                self.unsent.push_back(bytes);
            }
        }
        self.counters.unsent = self.unsent.len() as u64;
    }

    pub(crate) fn republish_unsent(&mut self) {
        let pending: Vec<Vec<u8>> = self.unsent.drain(..).collect();
        for bytes in pending {
            self.publish(bytes);
        }
    }
}
