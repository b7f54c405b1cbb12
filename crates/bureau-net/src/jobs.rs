//! Store work off the network task: every job runs on a blocking thread and comes back as a
//! message. The slots are shared out so that no one starves the others: at most
//! [`config::MAX_STORE_JOBS`] in flight, [`config::STORE_JOBS_RESERVED_FOR_GATE`] of them kept
//! for certificate checks (a newcomer's handshake never waits behind members' work), and at
//! most [`config::MAX_STORE_JOBS_PER_MEMBER`] for the work one member causes.

use libp2p::PeerId;

use bureau_core::MemberCode;

use crate::config;
use crate::event_loop::{EventLoop, JobDone};

/// On whose behalf a store job runs, which decides its share of the slots.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JobFor {
    /// A certificate check at the gate: it may use the slots reserved for the gate
    /// ([`config::STORE_JOBS_RESERVED_FOR_GATE`]), one per peer at a time.
    Gate(PeerId),
    /// Work a peer caused: its gossip, its sync request, a pull from it. All the nodes of a
    /// member share [`config::MAX_STORE_JOBS_PER_MEMBER`].
    Peer(PeerId),
    /// Our own work.
    Local,
}

/// Who a store job counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum JobOwner {
    Member(MemberCode),
    /// A peer not verified (yet).
    Peer(PeerId),
}

/// A finished job and who it counted against.
pub(crate) struct Finished {
    pub owner: Option<JobOwner>,
    pub done: JobDone,
}

impl EventLoop {
    /// Runs `work` on a blocking thread and brings its result back as a job. Returns false
    /// (and runs nothing) when [`EventLoop::can_spawn`] says no.
    pub fn spawn_job(
        &mut self,
        runs_for: JobFor,
        work: impl FnOnce() -> JobDone + Send + 'static,
    ) -> bool {
        if !self.can_spawn(runs_for) {
            if matches!(runs_for, JobFor::Peer(_)) {
                self.counters.store_jobs_share_exhausted += 1;
            }
            return false;
        }
        let owner = self.slot_owner(runs_for).0;
        if let Some(owner) = owner {
            *self.jobs_by_owner.entry(owner).or_default() += 1;
        }
        self.jobs_in_flight += 1;
        let jobs = self.jobs.clone();
        tokio::task::spawn_blocking(move || {
            // The channel holds MAX_STORE_JOBS results, so this never waits; it fails only
            // when the network task has stopped, and then nobody needs the result.
            let _ = jobs.blocking_send(Finished {
                owner,
                done: work(),
            });
        });
        true
    }

    /// Whether a job for `runs_for` may start now: fewer than [`config::MAX_STORE_JOBS`] run
    /// (fewer than that minus [`config::STORE_JOBS_RESERVED_FOR_GATE`] unless it is a gate
    /// check), and the one it runs for has not used its share (see [`JobFor`]).
    pub fn can_spawn(&self, runs_for: JobFor) -> bool {
        let (owner, share) = self.slot_owner(runs_for);
        let slots = match runs_for {
            JobFor::Gate(_) => config::MAX_STORE_JOBS,
            JobFor::Peer(_) | JobFor::Local => {
                config::MAX_STORE_JOBS - config::STORE_JOBS_RESERVED_FOR_GATE
            }
        };
        let running = owner.map_or(0, |owner| {
            self.jobs_by_owner.get(&owner).copied().unwrap_or(0)
        });
        self.jobs_in_flight < slots && running < share
    }

    /// Who a job counts against, and how many jobs that one may have in flight.
    fn slot_owner(&self, runs_for: JobFor) -> (Option<JobOwner>, usize) {
        match runs_for {
            JobFor::Gate(peer) => (Some(JobOwner::Peer(peer)), 1),
            JobFor::Peer(peer) => (
                Some(self.job_owner(peer)),
                config::MAX_STORE_JOBS_PER_MEMBER,
            ),
            JobFor::Local => (None, config::MAX_STORE_JOBS),
        }
    }

    /// Whether the gate is checking `peer`'s certificate now (work for an unverified peer is
    /// only ever that).
    pub fn gate_check_running(&self, peer: PeerId) -> bool {
        self.jobs_by_owner.contains_key(&JobOwner::Peer(peer))
    }

    /// Work for a verified member counts against the member, else against the peer.
    fn job_owner(&self, peer: PeerId) -> JobOwner {
        match self.peers.get(&peer).and_then(|state| state.state.member()) {
            Some(member) => JobOwner::Member(member),
            None => JobOwner::Peer(peer),
        }
    }

    pub(crate) fn job_finished(&mut self, owner: Option<JobOwner>) {
        self.jobs_in_flight = self.jobs_in_flight.saturating_sub(1);
        if let Some(owner) = owner
            && let Some(running) = self.jobs_by_owner.get_mut(&owner)
        {
            *running = running.saturating_sub(1);
            if *running == 0 {
                self.jobs_by_owner.remove(&owner);
            }
        }
    }
}
