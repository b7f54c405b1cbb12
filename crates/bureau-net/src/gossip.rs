//! Entry gossip. An entry is forwarded only after the local store has judged it: Accept when
//! it applied, Ignore when it was a duplicate, arrived early or cannot be checked yet, Reject
//! (which costs the sender score) when it is invalid. Entries from peers that have not passed
//! the gate are ignored and never stored. Local entries that find no subscribed peer wait in a
//! bounded queue and are published again later.

use bureau_core::Entry;
use bureau_store::Outcome;
use libp2p::PeerId;
use libp2p::gossipsub::{self, MessageAcceptance, MessageId, PublishError};

use crate::config;
use crate::event_loop::{EventLoop, JobDone};

/// The store's verdict on a gossiped entry.
pub struct Validated {
    source: PeerId,
    message_id: MessageId,
    entry: Box<Entry>,
    outcome: Result<Outcome, String>,
}

impl EventLoop {
    pub(crate) fn on_gossip_event(&mut self, event: gossipsub::Event) {
        match event {
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
        let committer = self.committer.clone();
        let id = message_id.clone();
        let spawned = self.spawn_job(move || {
            let outcome = committer
                .apply(vec![entry.clone()])
                .map_err(|error| error.to_string())
                .and_then(|mut outcomes| outcomes.pop().ok_or_else(|| "no outcome".to_owned()));
            JobDone::Gossip(Validated {
                source,
                message_id: id,
                entry: Box::new(entry),
                outcome,
            })
        });
        if !spawned {
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
        } = validated;
        let acceptance = match outcome {
            Ok(Outcome::Applied { .. }) => {
                self.counters.gossip_accepted += 1;
                self.on_entry_applied(&entry);
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
