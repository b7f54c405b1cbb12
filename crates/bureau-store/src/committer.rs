//! Group commit: one thread owns the write path and lets many writers share one flush.
//!
//! Writers hand entries to the committer and wait for their outcomes. The committer takes what
//! is queued (up to [`GROUP_COMMIT_MAX_ENTRIES`]), waits at most [`GROUP_COMMIT_WINDOW`] for
//! more, then applies everything as one batch: one transaction, one flush, then every writer in
//! the group gets its answer. A flush costs about as much for one entry as for a thousand
//! (`SLED.md`), so throughput grows with concurrency while no entry is acknowledged before it is
//! durable.
//!
//! Groups are fair between authors: one group takes at most [`GROUP_COMMIT_MAX_PER_AUTHOR`]
//! entries of one author's log, oldest first, and leaves the rest queued for the next groups.
//! A member flooding valid entries then fills its own share of each group, while another
//! member's entry waits for one small group instead of the whole flood (TRUST.md, rule 3).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bureau_core::{Entry, Timestamp};

use crate::{ApplyReport, Error, GROUP_COMMIT_MAX_ENTRIES, GROUP_COMMIT_WINDOW, Outcome, Store};

/// Requests waiting for the committer; writers block when it is full (back-pressure).
pub const COMMIT_QUEUE_CAPACITY: usize = 1024;
/// Most entries of one author's log in one group (a request larger than this goes alone).
pub const GROUP_COMMIT_MAX_PER_AUTHOR: usize = 64;

/// Why a commit through the committer failed.
#[derive(Debug, thiserror::Error)]
pub enum CommitterError {
    #[error("the committer has stopped")]
    Stopped,
    #[error(transparent)]
    Store(#[from] Error),
}

struct Request {
    entries: Vec<Entry>,
    reply: SyncSender<Result<Vec<Outcome>, String>>,
}

/// A handle to the group-commit thread. Cloning shares the thread; it stops when every handle
/// is dropped.
#[derive(Clone)]
pub struct Committer {
    sender: SyncSender<Request>,
    _thread: Arc<ThreadGuard>,
}

impl std::fmt::Debug for Committer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Committer")
    }
}

struct ThreadGuard(Option<JoinHandle<()>>);

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        // The sender half is dropped with the last `Committer`, which ends the loop.
        if let Some(thread) = self.0.take() {
            let _ = thread.join();
        }
    }
}

impl Committer {
    /// Starts the committer for `store`; `clock` gives `now` for validation.
    pub fn spawn(store: Arc<Store>, clock: fn() -> Timestamp) -> Committer {
        let (sender, receiver) = mpsc::sync_channel(COMMIT_QUEUE_CAPACITY);
        let thread = std::thread::Builder::new()
            .name("bureau-committer".into())
            .spawn(move || run(&store, &receiver, clock, GROUP_COMMIT_WINDOW))
            .expect("spawning a thread only fails when the process is out of resources");
        Committer {
            sender,
            _thread: Arc::new(ThreadGuard(Some(thread))),
        }
    }

    /// Applies entries as part of the next group; returns once they are durable.
    pub fn apply(&self, entries: Vec<Entry>) -> Result<Vec<Outcome>, CommitterError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.sender
            .send(Request { entries, reply })
            .map_err(|_| CommitterError::Stopped)?;
        match answer.recv() {
            Ok(Ok(outcomes)) => Ok(outcomes),
            Ok(Err(message)) => Err(CommitterError::Store(Error::Sled(message))),
            Err(_) => Err(CommitterError::Stopped),
        }
    }
}

fn run(store: &Store, receiver: &Receiver<Request>, clock: fn() -> Timestamp, window: Duration) {
    // Requests taken off the channel but not committed yet, oldest first.
    let mut waiting: VecDeque<Request> = VecDeque::new();
    loop {
        if waiting.is_empty() {
            match receiver.recv() {
                Ok(first) => waiting.push_back(first),
                Err(_) => return,
            }
            // Wait a little for more writers to share the flush.
            let deadline = Instant::now() + window;
            while queued(&waiting) < GROUP_COMMIT_MAX_ENTRIES {
                match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(request) => waiting.push_back(request),
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
                }
            }
        }
        // Everything already queued competes for this group, so a newcomer is not behind a
        // flood that arrived first.
        while waiting.len() < COMMIT_QUEUE_CAPACITY
            && let Ok(request) = receiver.try_recv()
        {
            waiting.push_back(request);
        }
        let group = take_fair(
            &mut waiting,
            |request: &Request| request.entries.first().map(|entry| entry.header.author),
            |request| request.entries.len(),
            GROUP_COMMIT_MAX_ENTRIES,
            GROUP_COMMIT_MAX_PER_AUTHOR,
        );
        commit(store, group, clock());
    }
}

fn queued(waiting: &VecDeque<Request>) -> usize {
    waiting.iter().map(|request| request.entries.len()).sum()
}

/// Takes the next group off `waiting`, oldest first: at most `max_total` entries, and at most
/// `max_per_lane` from one lane (a lane's first request always fits, so every lane moves).
/// Once one request of a lane waits, its later ones wait too, so a lane keeps its order.
/// What is left keeps its order.
fn take_fair<T, L: Eq + Hash>(
    waiting: &mut VecDeque<T>,
    lane_of: impl Fn(&T) -> L,
    size_of: impl Fn(&T) -> usize,
    max_total: usize,
    max_per_lane: usize,
) -> Vec<T> {
    let mut group = Vec::new();
    let mut left = VecDeque::with_capacity(waiting.len());
    let mut total = 0;
    // Per lane: entries taken, and whether one of its requests had to wait.
    let mut per_lane: HashMap<L, (usize, bool)> = HashMap::new();
    while let Some(item) = waiting.pop_front() {
        let size = size_of(&item);
        let (in_lane, closed) = per_lane.entry(lane_of(&item)).or_default();
        let fits_lane = *in_lane == 0 || *in_lane + size <= max_per_lane;
        let fits_group = group.is_empty() || total + size <= max_total;
        if !*closed && fits_lane && fits_group {
            *in_lane += size;
            total += size;
            group.push(item);
        } else {
            *closed = true;
            left.push_back(item);
        }
    }
    *waiting = left;
    group
}

fn commit(store: &Store, group: Vec<Request>, now: Timestamp) {
    let sizes: Vec<usize> = group.iter().map(|request| request.entries.len()).collect();
    let mut replies = Vec::with_capacity(group.len());
    let mut entries = Vec::with_capacity(sizes.iter().sum());
    for request in group {
        entries.extend(request.entries);
        replies.push(request.reply);
    }
    match store.apply_batch(entries, now) {
        Ok(ApplyReport { outcomes, .. }) => {
            let mut outcomes = outcomes.into_iter();
            for (reply, size) in replies.into_iter().zip(sizes) {
                // A writer that gave up waiting is not an error for the others.
                let _ = reply.send(Ok(outcomes.by_ref().take(size).collect()));
            }
        }
        Err(error) => {
            tracing::error!(%error, "group commit failed");
            for reply in replies {
                let _ = reply.send(Err(error.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One flooding lane and one honest request that arrived after the flood: the honest one
    /// is in the first group, and the flood moves on in later groups, in order.
    #[test]
    fn a_flooding_author_gets_its_share_of_each_group_and_no_more() {
        let mut waiting: VecDeque<(char, usize)> = (0..300).map(|n| ('d', n)).collect();
        waiting.push_back(('f', 0));
        let first = take_fair(&mut waiting, |item| item.0, |_| 1, 1024, 64);
        assert_eq!(first.len(), 65);
        assert!(
            first.contains(&('f', 0)),
            "the honest entry does not wait for the flood"
        );
        let flood: Vec<usize> = first.iter().filter(|i| i.0 == 'd').map(|i| i.1).collect();
        assert_eq!(flood, (0..64).collect::<Vec<_>>(), "oldest first");
        let second = take_fair(&mut waiting, |item| item.0, |_| 1, 1024, 64);
        assert_eq!(second.first(), Some(&('d', 64)));
        assert_eq!(waiting.len(), 300 - 128);
    }

    #[test]
    fn a_large_request_goes_alone_and_the_total_is_capped() {
        let mut waiting: VecDeque<(u8, usize)> =
            [(1, 500), (2, 10), (1, 1), (3, 600), (2, 60), (2, 1)].into();
        let group = take_fair(&mut waiting, |item| item.0, |item| item.1, 1024, 64);
        assert_eq!(
            group,
            vec![(1, 500), (2, 10)],
            "lane 1 is full, lane 3 past the total, and lane 2's later small request keeps its place"
        );
        let group = take_fair(&mut waiting, |item| item.0, |item| item.1, 1024, 64);
        assert_eq!(group, vec![(1, 1), (3, 600), (2, 60), (2, 1)]);
        assert!(waiting.is_empty());
    }
}
