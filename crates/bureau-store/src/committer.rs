//! Group commit: one thread owns the write path and lets many writers share one flush.
//!
//! Writers hand entries to the committer and wait for their outcomes. The committer takes what
//! is queued (up to [`GROUP_COMMIT_MAX_ENTRIES`]), waits at most [`GROUP_COMMIT_WINDOW`] for
//! more, then applies everything as one batch: one transaction, one flush, then every writer in
//! the group gets its answer. A flush costs about as much for one entry as for a thousand
//! (`SLED.md`), so throughput grows with concurrency while no entry is acknowledged before it is
//! durable.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bureau_core::{Entry, Timestamp};

use crate::{ApplyReport, Error, GROUP_COMMIT_MAX_ENTRIES, GROUP_COMMIT_WINDOW, Outcome, Store};

/// Requests waiting for the committer; writers block when it is full (back-pressure).
pub const COMMIT_QUEUE_CAPACITY: usize = 1024;

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
    while let Ok(first) = receiver.recv() {
        let mut group = vec![first];
        let mut count = group[0].entries.len();
        let deadline = Instant::now() + window;
        while count < GROUP_COMMIT_MAX_ENTRIES {
            let request = match receiver.try_recv() {
                Ok(request) => request,
                Err(_) => match receiver
                    .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                {
                    Ok(request) => request,
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
                },
            };
            count += request.entries.len();
            group.push(request);
        }
        commit(store, group, clock());
    }
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
