//! The CLI's side of the local API: a small blocking HTTP client, and the choice between
//! talking to a running node and opening the replica directly when none runs.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use bureau_core::RecordKey;
use bureau_store::RecordView;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{CancelBody, ErrorBody};
use crate::daemon::{API_ADDR, API_TOKEN};
use crate::files::NodeDir;
use crate::publish::Draft;
use crate::replica::{Published, Replica};
use crate::search::{Found, SearchRequest};

/// How long the CLI waits for the node to answer.
pub const API_TIMEOUT: Duration = Duration::from_secs(30);

/// A client of one node's API.
#[derive(Debug)]
pub struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
}

/// Why a request did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("no node answers at {0}")]
    Unreachable(String),
    #[error("{0}")]
    Refused(String),
}

impl Client {
    pub fn new(base: &str, token: &str) -> Client {
        let base = if base.starts_with("http://") || base.starts_with("https://") {
            base.trim_end_matches('/').to_owned()
        } else {
            format!("http://{}", base.trim_end_matches('/'))
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(API_TIMEOUT))
            .build()
            .new_agent();
        Client {
            base,
            token: token.to_owned(),
            agent,
        }
    }

    /// The client for a node directory whose daemon wrote `api.addr`, if it did.
    pub fn from_dir(dir: &NodeDir, token: Option<&str>) -> Result<Option<Client>> {
        let addr_path = dir.root.join(API_ADDR);
        if !addr_path.exists() {
            return Ok(None);
        }
        let addr = std::fs::read_to_string(&addr_path)
            .with_context(|| format!("cannot read {}", addr_path.display()))?;
        let token = match token {
            Some(token) => token.to_owned(),
            None => read_token(&dir.root.join(API_TOKEN))?,
        };
        Ok(Some(Client::new(addr.trim(), &token)))
    }

    fn finish<T: DeserializeOwned>(
        &self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T> {
        let mut response = response.map_err(|error| match error {
            ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                anyhow::Error::new(ClientError::Unreachable(self.base.clone()))
            }
            other => anyhow::anyhow!("request to {} failed: {other}", self.base),
        })?;
        let status = response.status();
        if !status.is_success() {
            let message = response
                .body_mut()
                .read_json::<ErrorBody>()
                .map(|body| body.error)
                .unwrap_or_else(|_| status.to_string());
            bail!(ClientError::Refused(message));
        }
        response
            .body_mut()
            .read_json::<T>()
            .with_context(|| format!("unexpected answer from {}", self.base))
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.get_with(path, &[])
    }

    /// A GET with query parameters (encoded here).
    pub fn get_with<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T> {
        let response = self
            .agent
            .get(format!("{}{path}", self.base))
            .query_pairs(query.iter().copied())
            .header("Authorization", format!("Bearer {}", self.token))
            .call();
        self.finish(response)
    }

    pub fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        let response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .send_json(body);
        self.finish(response)
    }

    /// Asks the node to stop.
    pub fn shutdown(&self) -> Result<()> {
        let response = self
            .agent
            .post(format!("{}/v1/shutdown", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .send_empty();
        match response {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => bail!("the node refused to stop: {}", response.status()),
            Err(error) => bail!("cannot reach the node: {error}"),
        }
    }
}

fn read_token(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the API token at {} (or pass --token)",
            path.display()
        )
    })?;
    Ok(text.trim().to_owned())
}

/// Where a command is carried out: a running node's API, or the replica itself when no node
/// runs on the directory.
#[derive(Debug)]
pub enum Backend {
    Api(Client),
    Local(Box<Replica>),
}

fn reference_path(key: &RecordKey) -> String {
    format!(
        "/v1/records/{}/{}/{}",
        key.database, key.owner, key.local_id
    )
}

impl Backend {
    /// `--api` wins; then a daemon that answers at `DIR/api.addr`; then the replica itself.
    pub fn open(
        dir: &NodeDir,
        api: Option<&str>,
        token: Option<&str>,
        cache_bytes: u64,
    ) -> Result<Backend> {
        if let Some(api) = api {
            let token = match token {
                Some(token) => token.to_owned(),
                None => read_token(&dir.root.join(API_TOKEN))?,
            };
            return Ok(Backend::Api(Client::new(api, &token)));
        }
        if let Some(client) = Client::from_dir(dir, token)? {
            match client.get::<serde_json::Value>("/v1/status") {
                Ok(_) => return Ok(Backend::Api(client)),
                Err(error)
                    if error
                        .downcast_ref::<ClientError>()
                        .is_some_and(|e| matches!(e, ClientError::Unreachable(_))) =>
                {
                    // A stale api.addr from a node that stopped without cleaning up.
                    let replica = Replica::open(dir, cache_bytes).with_context(|| {
                        format!(
                            "the node's API at {} does not answer and its store cannot be opened",
                            dir.root.join(API_ADDR).display()
                        )
                    })?;
                    return Ok(Backend::Local(Box::new(replica)));
                }
                Err(error) => return Err(error),
            }
        }
        Ok(Backend::Local(Box::new(Replica::open(dir, cache_bytes)?)))
    }

    pub fn publish(&self, draft: Draft) -> Result<Published> {
        match self {
            Backend::Api(client) => client.post("/v1/records", &draft),
            Backend::Local(replica) => Ok(replica
                .publish(&draft.local_id, draft.access, draft.review_date, draft.data)?
                .0),
        }
    }

    /// Publishes a batch of a bulk import; one result per draft.
    pub fn import(&self, drafts: Vec<Draft>) -> Result<Vec<Result<Published, String>>> {
        match self {
            Backend::Api(client) => client.post("/v1/import", &drafts),
            Backend::Local(replica) => Ok(replica.publish_batch(drafts)?.0),
        }
    }

    pub fn cancel(&self, key: &RecordKey, reason: &str) -> Result<Published> {
        match self {
            Backend::Api(client) => client.post(
                &format!("{}/cancel", reference_path(key)),
                &CancelBody {
                    reason: reason.to_owned(),
                },
            ),
            Backend::Local(replica) => Ok(replica.cancel(key, reason)?.0),
        }
    }

    pub fn search(&self, request: &SearchRequest) -> Result<Vec<Found>> {
        match self {
            Backend::Api(client) => client.post("/v1/search", request),
            Backend::Local(replica) => replica.search(request),
        }
    }

    pub fn get(&self, key: &RecordKey) -> Result<Option<RecordView>> {
        self.get_for(key, &crate::cli::SearchContext::default())
    }

    /// The full record (the second stage of a search), with why and where it is looked at.
    pub fn get_for(
        &self,
        key: &RecordKey,
        context: &crate::cli::SearchContext,
    ) -> Result<Option<RecordView>> {
        match self {
            Backend::Api(client) => {
                let mut query = Vec::new();
                if let Some(purpose) = &context.purpose {
                    query.push(("purpose", purpose.as_str()));
                }
                if let Some(place) = &context.place {
                    query.push(("place", place.as_str()));
                }
                match client.get_with::<RecordView>(&reference_path(key), &query) {
                    Ok(view) => Ok(Some(view)),
                    Err(error) if error.to_string().starts_with("no record") => Ok(None),
                    Err(error) => Err(error),
                }
            }
            Backend::Local(replica) => replica.get_for(key, context),
        }
    }

    pub fn send_message(&self, body: crate::api::MessageBody) -> Result<crate::mail::Message> {
        match self {
            Backend::Api(client) => client.post("/v1/messages", &body),
            Backend::Local(replica) => replica.send_message(body),
        }
    }

    pub fn mail(&self) -> Result<crate::mail::Mail> {
        match self {
            Backend::Api(client) => client.get("/v1/messages"),
            Backend::Local(replica) => replica.mail(),
        }
    }

    pub fn hits(&self) -> Result<crate::mail::Hits> {
        match self {
            Backend::Api(client) => client.get("/v1/hits"),
            Backend::Local(replica) => replica.hits(),
        }
    }

    pub fn answer_hit(
        &self,
        hit: &str,
        confirmed: bool,
        action: &str,
    ) -> Result<crate::mail::Message> {
        match self {
            Backend::Api(client) => client.post(
                &format!("/v1/hits/{hit}/answer"),
                &crate::api::HitAnswerBody {
                    confirmed,
                    action: action.to_owned(),
                },
            ),
            Backend::Local(replica) => replica.answer_hit(hit, confirmed, action),
        }
    }

    /// The status as JSON: the daemon's (with the network) or the replica's alone.
    pub fn status(&self) -> Result<serde_json::Value> {
        match self {
            Backend::Api(client) => client.get("/v1/status"),
            Backend::Local(replica) => Ok(serde_json::to_value(replica.status()?)?),
        }
    }

    pub fn block(
        &self,
        key: &RecordKey,
        blocked: bool,
        reason: &str,
    ) -> Result<crate::api::Blocked> {
        match self {
            Backend::Api(client) => client.post(
                &format!("{}/block", reference_path(key)),
                &crate::api::BlockBody {
                    blocked,
                    reason: reason.to_owned(),
                },
            ),
            Backend::Local(replica) => {
                let entry = replica.block(key, blocked, reason)?;
                Ok(crate::api::Blocked {
                    reference: key.to_string(),
                    blocked,
                    seq: entry.header.seq,
                })
            }
        }
    }

    /// Runs a command on whichever side serves this directory.
    pub fn either<T>(
        &self,
        api: impl FnOnce(&Client) -> Result<T>,
        local: impl FnOnce(&Replica) -> Result<T>,
    ) -> Result<T> {
        match self {
            Backend::Api(client) => api(client),
            Backend::Local(replica) => local(replica),
        }
    }

    pub fn members(&self) -> Result<Vec<crate::replica::MemberInfo>> {
        match self {
            Backend::Api(client) => client.get("/v1/members"),
            Backend::Local(replica) => replica.members(),
        }
    }

    pub fn admit(&self, certificate: &bureau_core::Certificate) -> Result<crate::api::Announced> {
        match self {
            Backend::Api(client) => client.post(
                "/v1/admit",
                &crate::api::AdmitBody {
                    certificate: hex::encode(certificate.to_bytes()),
                },
            ),
            Backend::Local(replica) => {
                let entry = replica.admit(certificate.clone())?;
                Ok(crate::api::Announced {
                    member: certificate.member(),
                    serials: vec![certificate.body.serial],
                    entries: vec![entry.header.seq],
                })
            }
        }
    }

    pub fn revoke(
        &self,
        member: bureau_core::MemberCode,
        serial: Option<u64>,
        reason: &str,
    ) -> Result<crate::api::Announced> {
        match self {
            Backend::Api(client) => client.post(
                "/v1/revoke",
                &crate::api::RevokeBody {
                    member,
                    serial,
                    reason: reason.to_owned(),
                },
            ),
            Backend::Local(replica) => {
                let entries = replica.revoke(member, serial, reason)?;
                Ok(crate::api::Announced {
                    member,
                    serials: entries
                        .iter()
                        .filter_map(|entry| match &entry.body {
                            Some(bureau_core::Body::Revoke(revoke)) => Some(revoke.serial),
                            _ => None,
                        })
                        .collect(),
                    entries: entries.iter().map(|entry| entry.header.seq).collect(),
                })
            }
        }
    }

    pub fn peers(&self) -> Result<serde_json::Value> {
        match self {
            Backend::Api(client) => client.get("/v1/peers"),
            Backend::Local(_) => {
                bail!("no node runs on this directory: start one with `bureau node run --dir DIR`")
            }
        }
    }
}
