//! Version-vector sync: pulling what a peer has and we lack.
//!
//! The puller sends its digest; the peer answers `InSync` or `SendHeads`; the puller sends its
//! heads; the peer answers with the missing entries in a bounded batch, which the puller applies
//! (signatures verified in a batch) and asks again until the batch is complete. A pull runs when
//! a member is verified, when gossip shows a gap, and every `sync_interval` with a random member
//! (anti-entropy). At most one pull per peer runs at once.
//!
//! Serving is bounded per member ([`SyncBudget`]): a number of requests, and bytes of entries.
//! A request for entries names the largest answer it takes ([`SyncLimits`]); the answer is never
//! larger than that or than our own batch limits, and the member's budget is charged that size
//! before any store work starts. Past either budget the member is answered `Busy` (counted), and
//! asks again at its next round.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use bureau_core::{Entry, ForkProof, Head, PublicKey, Timestamp};
use bureau_store::Outcome;
use libp2p::PeerId;
use libp2p::request_response::{self, ResponseChannel};
use rand::seq::IteratorRandom;

use crate::config;
use crate::event_loop::{EventLoop, JobDone, JobFor};
use crate::protocol::{SyncLimits, SyncRequest, SyncResponse};

/// What we ask for in one answer: our own batch limits.
pub(crate) const OUR_LIMITS: SyncLimits = SyncLimits {
    max_entries: config::SYNC_BATCH_ENTRIES as u32,
    max_bytes: config::SYNC_BATCH_BYTES as u32,
};

/// The limits an answer is built with: the requester's, never above ours.
fn capped(asked: SyncLimits) -> (usize, usize) {
    let entries = usize::try_from(asked.max_entries).unwrap_or(usize::MAX);
    let bytes = usize::try_from(asked.max_bytes).unwrap_or(usize::MAX);
    (
        entries.clamp(1, config::SYNC_BATCH_ENTRIES),
        bytes.clamp(1, config::SYNC_BATCH_BYTES),
    )
}

/// One member's sync allowance: token buckets of requests and of bytes of entries, refilled
/// with time (see [`config::SYNC_REQUEST_BURST`] and [`config::SYNC_ANSWER_BYTES_BURST`]).
#[derive(Debug, Clone)]
pub(crate) struct SyncBudget {
    requests: f64,
    bytes: f64,
    at: Instant,
}

/// Bytes charged to a member's budget for an answer that turned out smaller.
#[derive(Debug, Clone, Copy)]
pub struct Refund {
    member: bureau_core::MemberCode,
    bytes: u64,
}

/// Why a member's request is not served now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OverBudget {
    Requests,
    Bytes,
}

impl SyncBudget {
    pub fn new(now: Instant) -> SyncBudget {
        SyncBudget {
            requests: f64::from(config::SYNC_REQUEST_BURST),
            bytes: config::SYNC_ANSWER_BYTES_BURST as f64,
            at: now,
        }
    }

    /// Refills for the time since the last request, then takes one request that may answer
    /// `bytes` of entries.
    pub fn take(&mut self, bytes: u64, now: Instant) -> Result<(), OverBudget> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.at = now;
        self.requests = (self.requests + elapsed * f64::from(config::SYNC_REQUESTS_PER_SECOND))
            .min(f64::from(config::SYNC_REQUEST_BURST));
        self.bytes = (self.bytes + elapsed * config::SYNC_ANSWER_BYTES_PER_SECOND as f64)
            .min(config::SYNC_ANSWER_BYTES_BURST as f64);
        if self.requests < 1.0 {
            return Err(OverBudget::Requests);
        }
        if self.bytes < bytes as f64 {
            return Err(OverBudget::Bytes);
        }
        self.requests -= 1.0;
        self.bytes -= bytes as f64;
        Ok(())
    }

    /// Gives back what an answer did not use of its charge: a requester pays for the entries it
    /// got, so an honest catch-up of small entries is not throttled by the batch size it asked.
    pub fn refund(&mut self, bytes: u64) {
        self.bytes = (self.bytes + bytes as f64).min(config::SYNC_ANSWER_BYTES_BURST as f64);
    }
}

/// Store work for sync, finished.
pub enum SyncJob {
    /// Our digest, to open a pull.
    Digest { peer: PeerId, request: SyncRequest },
    /// Our heads, for the next step of a pull.
    Heads { peer: PeerId, request: SyncRequest },
    /// A batch applied; pull again unless it was the last. Carries the applied revocations,
    /// which the network acts on.
    Applied {
        peer: PeerId,
        applied: usize,
        again: bool,
        /// The peer had nothing more than this batch for us: we are caught up with it.
        caught_up: bool,
        revocations: Vec<Entry>,
        /// Fork proofs that changed our replica, to pass on.
        forks: Vec<ForkProof>,
        /// An entry of our own key, signed after this process started, that we did not sign.
        foreign_own: Option<(u64, Timestamp)>,
    },
    /// An answer to a peer's request, and what of the member's charge it did not use.
    Serve {
        channel: ResponseChannel<SyncResponse>,
        response: SyncResponse,
        refund: Refund,
    },
    /// The store failed; give up this round.
    Failed { peer: Option<PeerId>, error: String },
}

impl EventLoop {
    /// Starts a pull from `peer` unless one is running or the peer is not a member.
    pub(crate) fn start_sync(&mut self, peer: PeerId) {
        if self.syncing.contains(&peer)
            || !self.peers.get(&peer).is_some_and(|p| p.state.is_member())
        {
            return;
        }
        let store = Arc::clone(&self.store);
        if self.spawn_job(JobFor::Peer(peer), move || match store.digest() {
            Ok(digest) => JobDone::Sync(SyncJob::Digest {
                peer,
                request: SyncRequest::Digest(digest),
            }),
            Err(error) => JobDone::Sync(SyncJob::Failed {
                peer: Some(peer),
                error: error.to_string(),
            }),
        }) {
            self.syncing.insert(peer);
            self.counters.sync_rounds += 1;
        }
    }

    fn send_heads(&mut self, peer: PeerId) {
        let store = Arc::clone(&self.store);
        let spawned = self.spawn_job(JobFor::Peer(peer), move || match store.heads() {
            Ok(heads) => JobDone::Sync(SyncJob::Heads {
                peer,
                request: SyncRequest::Heads {
                    heads,
                    limits: OUR_LIMITS,
                },
            }),
            Err(error) => JobDone::Sync(SyncJob::Failed {
                peer: Some(peer),
                error: error.to_string(),
            }),
        });
        if !spawned {
            self.syncing.remove(&peer);
        }
    }

    pub(crate) fn anti_entropy(&mut self) {
        let candidates = self
            .peers
            .iter()
            .filter(|(peer, state)| state.state.is_member() && !self.syncing.contains(peer))
            .map(|(peer, _)| *peer);
        if let Some(peer) = candidates.choose(&mut rand::rng()) {
            self.start_sync(peer);
        }
    }

    pub(crate) fn on_sync_job(&mut self, job: SyncJob) {
        match job {
            SyncJob::Digest { peer, request } | SyncJob::Heads { peer, request } => {
                self.swarm.behaviour_mut().sync.send_request(&peer, request);
            }
            SyncJob::Applied {
                peer,
                applied,
                again,
                caught_up,
                revocations,
                forks,
                foreign_own,
            } => {
                self.counters.sync_entries_applied += applied as u64;
                if caught_up {
                    self.caught_up_with(peer);
                }
                for entry in &revocations {
                    self.on_entry_applied(entry);
                }
                self.on_forks_learned(forks, false);
                if let Some((seq, timestamp)) = foreign_own {
                    self.on_foreign_own_entry(seq, timestamp);
                }
                if again && self.peers.contains_key(&peer) {
                    self.send_heads(peer);
                } else {
                    self.syncing.remove(&peer);
                    self.on_self_checked(peer);
                }
            }
            SyncJob::Serve {
                channel,
                response,
                refund,
            } => {
                self.counters.sync_requests_served += 1;
                if let Some(budget) = self.sync_budgets.get_mut(&refund.member) {
                    budget.refund(refund.bytes);
                }
                let _ = self
                    .swarm
                    .behaviour_mut()
                    .sync
                    .send_response(channel, response);
            }
            SyncJob::Failed { peer, error } => {
                tracing::error!(%error, "store failed during sync");
                if let Some(peer) = peer {
                    self.syncing.remove(&peer);
                }
            }
        }
    }

    pub(crate) fn on_sync_event(
        &mut self,
        event: request_response::Event<SyncRequest, SyncResponse>,
    ) {
        match event {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => self.serve(peer, request, channel),
            request_response::Event::Message {
                peer,
                message: request_response::Message::Response { response, .. },
                ..
            } => self.on_sync_response(peer, response),
            request_response::Event::OutboundFailure { peer, error, .. } => {
                tracing::debug!(%peer, %error, "sync request failed");
                self.syncing.remove(&peer);
            }
            _ => {}
        }
    }

    fn on_sync_response(&mut self, peer: PeerId, response: SyncResponse) {
        match response {
            SyncResponse::SendHeads => self.send_heads(peer),
            SyncResponse::Entries {
                entries,
                complete,
                proofs,
                forks,
            } => self.apply_pulled(peer, entries, proofs, forks, complete),
            SyncResponse::InSync => {
                self.caught_up_with(peer);
                self.syncing.remove(&peer);
                self.on_self_checked(peer);
            }
            SyncResponse::Busy | SyncResponse::Refused => {
                self.syncing.remove(&peer);
            }
        }
    }

    fn apply_pulled(
        &mut self,
        peer: PeerId,
        entries: Vec<Entry>,
        proofs: Vec<Entry>,
        mut forks: Vec<ForkProof>,
        complete: bool,
    ) {
        // A peer may pack more proofs than any honest one holds: take the first few.
        forks.truncate(config::MAX_FORK_PROOFS_IN_SYNC);
        if entries.is_empty() && forks.is_empty() {
            if complete {
                self.caught_up_with(peer);
            }
            self.syncing.remove(&peer);
            self.on_self_checked(peer);
            return;
        }
        let store = Arc::clone(&self.store);
        let own_key = self.certificate.node_key();
        let started_at = self.self_check.started_at;
        let spawned = self.spawn_job(JobFor::Peer(peer), move || {
            let now = crate::gate::now();
            let forks = match store.apply_fork_proofs(forks, now) {
                Ok(forks) => forks,
                Err(error) => {
                    return JobDone::Sync(SyncJob::Failed {
                        peer: Some(peer),
                        error: error.to_string(),
                    });
                }
            };
            // Entries of our own key signed after this process started were signed elsewhere.
            let own: Vec<(usize, u64, Timestamp)> = entries
                .iter()
                .enumerate()
                .filter(|(_, entry)| {
                    entry.header.author == own_key && entry.header.timestamp > started_at
                })
                .map(|(index, entry)| (index, entry.header.seq, entry.header.timestamp))
                .collect();
            let revocations: Vec<Entry> = entries
                .iter()
                .filter(|entry| matches!(entry.body, Some(bureau_core::Body::Revoke(_))))
                .cloned()
                .collect();
            match store.apply_in_steps(entries, proofs, now, config::SYNC_APPLY_STEP_ENTRIES) {
                Ok(mut report) => {
                    let foreign_own = own
                        .iter()
                        .find(|(index, _, _)| {
                            report.outcomes.get(*index).is_some_and(Outcome::is_applied)
                        })
                        .map(|(_, seq, timestamp)| (*seq, *timestamp));
                    let mut forks = forks;
                    forks.append(&mut report.forks);
                    let applied =
                        report.outcomes.iter().filter(|o| o.is_applied()).count() + report.released;
                    let rejected = report
                        .outcomes
                        .iter()
                        .filter(|o| matches!(o, Outcome::Rejected(_)))
                        .count();
                    if rejected > 0 {
                        tracing::info!(%peer, rejected, "sync batch held invalid entries");
                    }
                    // Entries whose author's certificate came later in the same batch (an
                    // `Admit` in the secretariat's log) were refused as unknown; now they are
                    // known, so ask again at once rather than at the next sync interval.
                    let retryable = report
                        .outcomes
                        .iter()
                        .any(|o| matches!(o, Outcome::Rejected(error) if error.is_retryable()));
                    // Ask again only if this batch moved us on: a peer that keeps sending what
                    // we reject cannot keep us looping.
                    JobDone::Sync(SyncJob::Applied {
                        peer,
                        applied,
                        again: (!complete || retryable) && applied > 0,
                        caught_up: complete && !retryable && rejected == 0,
                        revocations,
                        forks,
                        foreign_own,
                    })
                }
                Err(error) => JobDone::Sync(SyncJob::Failed {
                    peer: Some(peer),
                    error: error.to_string(),
                }),
            }
        });
        if !spawned {
            self.syncing.remove(&peer);
        }
    }

    fn serve(
        &mut self,
        peer: PeerId,
        request: SyncRequest,
        channel: ResponseChannel<SyncResponse>,
    ) {
        let Some(member) = self.peers.get(&peer).and_then(|p| p.state.member()) else {
            let _ = self
                .swarm
                .behaviour_mut()
                .sync
                .send_response(channel, SyncResponse::Refused);
            return;
        };
        let charged = match &request {
            SyncRequest::Digest(_) => 0,
            SyncRequest::Heads { limits, .. } => capped(*limits).1 as u64,
        };
        if !self.can_spawn(JobFor::Peer(peer)) {
            // Local work and the other members first: it asks again at its next round.
            self.counters.store_jobs_share_exhausted += 1;
            self.answer_busy(channel);
            return;
        }
        let now = Instant::now();
        let budget = self
            .sync_budgets
            .entry(member)
            .or_insert_with(|| SyncBudget::new(now));
        if let Err(over) = budget.take(charged, now) {
            match over {
                OverBudget::Requests => self.counters.sync_requests_limited += 1,
                OverBudget::Bytes => self.counters.sync_budget_exhausted += 1,
            }
            tracing::debug!(%peer, %member, ?over, "sync request over the member's budget: busy");
            self.answer_busy(channel);
            return;
        }
        let store = Arc::clone(&self.store);
        // `can_spawn` said yes above, and nothing ran since.
        self.spawn_job(JobFor::Peer(peer), move || {
            let response = match request {
                SyncRequest::Digest(theirs) => match store.digest() {
                    Ok(ours) if ours == theirs => Ok(SyncResponse::InSync),
                    Ok(_) => Ok(SyncResponse::SendHeads),
                    Err(error) => Err(error),
                },
                SyncRequest::Heads { heads, limits } => entries_for(&store, &heads, limits),
            };
            match response {
                Ok(response) => {
                    let used = match &response {
                        SyncResponse::Entries { entries, .. } => entries
                            .iter()
                            .map(|entry| bureau_core::codec::encoded_len(entry) as u64)
                            .sum(),
                        _ => 0,
                    };
                    let refund = Refund {
                        member,
                        bytes: charged.saturating_sub(used),
                    };
                    JobDone::Sync(SyncJob::Serve {
                        channel,
                        response,
                        refund,
                    })
                }
                Err(error) => JobDone::Sync(SyncJob::Failed {
                    peer: None,
                    error: error.to_string(),
                }),
            }
        });
    }

    fn answer_busy(&mut self, channel: ResponseChannel<SyncResponse>) {
        let _ = self
            .swarm
            .behaviour_mut()
            .sync
            .send_response(channel, SyncResponse::Busy);
    }
}

/// The entries a replica with `heads` lacks, within the requester's limits and ours.
fn entries_for(
    store: &bureau_store::Store,
    heads: &BTreeMap<PublicKey, Head>,
    limits: SyncLimits,
) -> Result<SyncResponse, bureau_store::Error> {
    let (max_entries, max_bytes) = capped(limits);
    let batch = store.entries_after(heads, max_entries, max_bytes)?;
    Ok(SyncResponse::Entries {
        entries: batch.entries,
        complete: batch.complete,
        proofs: batch.proofs,
        forks: store
            .fork_proofs()?
            .into_iter()
            .take(config::MAX_FORK_PROOFS_IN_SYNC)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn an_answer_is_never_larger_than_asked_or_than_our_batches() {
        let huge = SyncLimits {
            max_entries: u32::MAX,
            max_bytes: u32::MAX,
        };
        assert_eq!(
            capped(huge),
            (config::SYNC_BATCH_ENTRIES, config::SYNC_BATCH_BYTES)
        );
        let small = SyncLimits {
            max_entries: 10,
            max_bytes: 4096,
        };
        assert_eq!(capped(small), (10, 4096));
        let zero = SyncLimits {
            max_entries: 0,
            max_bytes: 0,
        };
        assert_eq!(
            capped(zero),
            (1, 1),
            "at least one entry, as the store sends"
        );
    }

    #[test]
    fn a_member_past_its_byte_budget_waits_for_it_to_refill() {
        let start = Instant::now();
        let mut budget = SyncBudget::new(start);
        let batch = config::SYNC_BATCH_BYTES as u64;
        let burst = config::SYNC_ANSWER_BYTES_BURST / batch;
        for _ in 0..burst {
            assert_eq!(budget.take(batch, start), Ok(()));
        }
        assert_eq!(budget.take(batch, start), Err(OverBudget::Bytes));
        assert_eq!(budget.take(0, start), Ok(()), "a digest costs no bytes");
        let refill =
            Duration::from_secs_f64(batch as f64 / config::SYNC_ANSWER_BYTES_PER_SECOND as f64);
        assert_eq!(budget.take(batch, start + refill), Ok(()));
    }

    /// A member is charged for the entries it got, not the batch it asked for: an honest
    /// catch-up of small entries keeps its pace past the burst.
    #[test]
    fn unused_charge_comes_back() {
        let start = Instant::now();
        let mut budget = SyncBudget::new(start);
        let batch = config::SYNC_BATCH_BYTES as u64;
        let answer = 300 * 1024;
        for _ in 0..(config::SYNC_ANSWER_BYTES_BURST / batch) * 4 {
            assert_eq!(budget.take(batch, start), Ok(()));
            budget.refund(batch - answer);
        }
    }
}
