//! The service: the node's replica and, when the daemon runs, its network handle. Operations
//! (`Service::call`, in `operation`) run against it in-process, whichever face (CLI or HTTP) asked; store work goes to tokio's
//! blocking threads so async tasks never wait on sled.

use std::sync::Arc;

use bureau_core::Entry;

use crate::error::{Error, Result};
use crate::files::NodeDir;
use crate::replica::Replica;

/// What every operation runs against.
#[derive(Debug, Clone)]
pub struct Service {
    replica: Arc<Replica>,
    /// The running node's network; `None` when the CLI opened the replica itself (no daemon
    /// runs on the directory): changes are then signed and stored, and gossiped by the next
    /// sync once a node runs.
    net: Option<bureau_net::Handle>,
    /// Without a network: whether the operator allowed signing on this replica alone.
    offline_signing: bool,
}

impl Service {
    pub fn new(replica: Arc<Replica>, net: Option<bureau_net::Handle>) -> Service {
        Service {
            replica,
            net,
            offline_signing: false,
        }
    }

    /// The service of a node directory whose daemon is not running: the CLI's own. It reads;
    /// it signs only when `offline_signing` says the operator asked for it (`--offline`),
    /// since nothing tells it whether the network holds newer entries of this node's log.
    pub fn offline(
        dir: &NodeDir,
        cache_capacity_bytes: u64,
        offline_signing: bool,
    ) -> Result<Service> {
        let mut service = Service::new(Arc::new(Replica::open(dir, cache_capacity_bytes)?), None);
        service.offline_signing = offline_signing;
        Ok(service)
    }

    /// Whether this node may sign now: with a network, once the start-up check of its own
    /// log is over and while no other process uses its key or its clock is not ahead; without
    /// one, only when the operator allowed it.
    pub async fn may_sign(&self) -> Result<()> {
        // A restored node signs once the daemon has settled the restore (its own log back
        // from the members, see `node::daemon::settle_restore`); without a network the
        // replica's own check applies (`Replica::check_may_sign`).
        if self.net.is_some()
            && let Some(seq) = self.replica.store.restored_own_seq()?
        {
            return Err(Error::unavailable(format!(
                "this node was restored from a backup (its log had reached seq {seq}): it signs nothing until a member has given its own log back, or it would fork it; `bureau status` shows when it may sign"
            )));
        }
        match &self.net {
            Some(net) => match net.ready_to_sign().await {
                bureau_net::Signing::Ready | bureau_net::Signing::Checking => Ok(()),
                bureau_net::Signing::Refused(reason) => Err(Error::conflict(format!(
                    "this node refuses to sign: {reason}"
                ))),
            },
            None if self.offline_signing => Ok(()),
            None => Err(Error::unavailable(
                "no node runs on this directory, and signing on the replica alone could fork this member's log (if the network holds newer entries of it: a restored backup, a copied directory). Start the node (`bureau node run`) and run this again, or pass --offline if this directory is known to hold the latest log",
            )),
        }
    }

    pub fn replica(&self) -> &Arc<Replica> {
        &self.replica
    }

    /// The network, or why there is none.
    pub fn network(&self) -> Result<&bureau_net::Handle> {
        self.net.as_ref().ok_or_else(|| {
            Error::unavailable(
                "no node runs on this directory: start one with `bureau node run --dir DIR`",
            )
        })
    }

    /// Runs store work on a blocking thread.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Replica) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let replica = Arc::clone(&self.replica);
        tokio::task::spawn_blocking(move || work(&replica))
            .await
            .map_err(|error| Error::internal(format!("the store thread failed: {error}")))?
    }

    /// Runs a change on a blocking thread, then gossips the entries it signed.
    pub async fn change<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Replica) -> Result<(T, Vec<Entry>)> + Send + 'static,
    ) -> Result<T> {
        self.may_sign().await?;
        let (done, entries) = self.blocking(work).await?;
        self.gossip(entries).await;
        Ok(done)
    }

    /// Hands signed entries to the network. They are already applied and durable, so a
    /// network that cannot take them loses nothing: anti-entropy sync carries them once it
    /// runs again. That is logged, not returned, so a caller never retries an acknowledged
    /// change (which would publish a second version).
    pub async fn gossip(&self, entries: Vec<Entry>) {
        let Some(net) = &self.net else { return };
        for entry in entries {
            let seq = entry.header.seq;
            if let Err(error) = net.publish(entry).await {
                tracing::warn!(seq, %error, "entry stored but not gossiped; sync will carry it");
            }
        }
    }
}
