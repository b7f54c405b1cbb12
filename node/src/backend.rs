//! Where a command is carried out: a running node's API, or the replica itself when no node
//! runs on the directory. One generic call for every operation, whichever side serves it.

use bureau_service::files::NodeDir;
use bureau_service::{Error, ErrorKind, Operation, Service};

use crate::http::client::{Client, read_token};
use crate::http::{API_ADDR, API_TOKEN};

/// The side that serves a directory.
#[derive(Debug)]
pub enum Backend {
    /// A node runs: requests go over its API.
    Remote(Client),
    /// No node runs: the CLI opens the replica and runs requests in-process.
    Local {
        service: Service,
        runtime: tokio::runtime::Runtime,
    },
}

impl Backend {
    /// `--api` wins; then a daemon that answers at `DIR/api.addr`; then the replica itself.
    /// An `https://` API is trusted through `api_ca` (see [`Client::from_dir`]).
    pub fn open(
        dir: &NodeDir,
        api: Option<&str>,
        token: Option<&str>,
        api_ca: Option<&std::path::Path>,
        cache_bytes: u64,
        offline_signing: bool,
    ) -> Result<Backend, Error> {
        if let Some(api) = api {
            let token = match token {
                Some(token) => token.to_owned(),
                None => read_token(&dir.root.join(API_TOKEN))?,
            };
            return Ok(Backend::Remote(Client::with_ca(api, &token, api_ca)?));
        }
        if let Some(client) = Client::from_dir(dir, token, api_ca)? {
            match client.call(&bureau_service::ops::GetStatus {}) {
                Ok(_) => return Ok(Backend::Remote(client)),
                // A stale api.addr from a node that stopped without cleaning up.
                Err(error) if error.kind == ErrorKind::Unavailable => {
                    return Backend::local(dir, cache_bytes, offline_signing).map_err(|error| {
                        error.context(format!(
                            "the node's API at {} does not answer and its store cannot be opened",
                            dir.root.join(API_ADDR).display()
                        ))
                    });
                }
                Err(error) => return Err(error),
            }
        }
        Backend::local(dir, cache_bytes, offline_signing)
    }

    fn local(dir: &NodeDir, cache_bytes: u64, offline_signing: bool) -> Result<Backend, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| Error::internal(format!("cannot start the async runtime: {error}")))?;
        Ok(Backend::Local {
            service: Service::offline(dir, cache_bytes, offline_signing)?,
            runtime,
        })
    }

    /// Runs one operation on whichever side serves the directory.
    pub fn call<O: Operation>(&self, operation: O) -> Result<O::Answer, Error> {
        match self {
            Backend::Remote(client) => client.call(&operation),
            Backend::Local { service, runtime } => runtime.block_on(service.call(operation)),
        }
    }
}
