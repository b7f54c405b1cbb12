//! The CLI's side of the API: a small blocking HTTP client that sends any operation to its
//! route (path fields in the path, the rest in the query string or the JSON body) and reads
//! the answer or the error, kind included.

use std::path::Path;
use std::time::Duration;

use bureau_service::files::NodeDir;
use bureau_service::operation::path_fields;
use bureau_service::{Error, ErrorKind, Method, Operation};
use serde_json::{Map, Value};

use super::shared::{API_ADDR, API_TOKEN, ErrorBody};

/// How long the CLI waits for the node to answer.
pub const API_TIMEOUT: Duration = Duration::from_secs(30);

/// A client of one node's API.
pub struct Client {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        write!(f, "Client({})", self.base)
    }
}

/// A request as it goes on the wire.
#[derive(Debug, PartialEq)]
struct Wire {
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

impl Client {
    /// A client of the API at `base` (`IP:PORT`, or a URL: `https://` for TLS).
    pub fn new(base: &str, token: &str) -> Client {
        Client::with_agent(base, token, Client::agent(None))
    }

    /// A client that trusts the certificates of the PEM file `ca` (the API's own certificate
    /// when self-signed, or the CA that signed it) for an `https://` API.
    pub fn with_ca(base: &str, token: &str, ca: Option<&Path>) -> Result<Client, Error> {
        let Some(ca) = ca else {
            return Ok(Client::new(base, token));
        };
        let certificates = super::tls::read_chain(ca)
            .map_err(|error| Error::invalid(format!("{error:#}")))?
            .into_iter()
            .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned())
            .collect();
        Ok(Client::with_agent(
            base,
            token,
            Client::agent(Some(certificates)),
        ))
    }

    fn agent(roots: Option<Vec<ureq::tls::Certificate<'static>>>) -> ureq::Agent {
        let mut tls = ureq::tls::TlsConfig::builder()
            .unversioned_rustls_crypto_provider(super::tls::provider());
        if let Some(roots) = roots {
            tls = tls.root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(roots)));
        }
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(API_TIMEOUT))
            .tls_config(tls.build())
            .build()
            .new_agent()
    }

    fn with_agent(base: &str, token: &str, agent: ureq::Agent) -> Client {
        let base = if base.starts_with("http://") || base.starts_with("https://") {
            base.trim_end_matches('/').to_owned()
        } else {
            format!("http://{}", base.trim_end_matches('/'))
        };
        Client {
            base,
            token: token.to_owned(),
            agent,
        }
    }

    /// The client for a node directory whose daemon wrote `api.addr`, if it did. An `https://`
    /// API is trusted through `ca`, else through `DIR/api-tls.crt` when it exists.
    pub fn from_dir(
        dir: &NodeDir,
        token: Option<&str>,
        ca: Option<&Path>,
    ) -> Result<Option<Client>, Error> {
        let addr_path = dir.root.join(API_ADDR);
        if !addr_path.exists() {
            return Ok(None);
        }
        let addr = std::fs::read_to_string(&addr_path).map_err(|error| {
            Error::internal(format!("cannot read {}: {error}", addr_path.display()))
        })?;
        let token = match token {
            Some(token) => token.to_owned(),
            None => read_token(&dir.root.join(API_TOKEN))?,
        };
        let own = dir.root.join(super::tls::SELF_SIGNED_CERT);
        let ca = ca.or_else(|| own.exists().then_some(own.as_path()));
        Client::with_ca(addr.trim(), &token, ca).map(Some)
    }

    /// Sends one operation and reads its answer.
    pub fn call<O: Operation>(&self, operation: &O) -> Result<O::Answer, Error> {
        let wire = to_wire(operation)?;
        let url = format!("{}{}", self.base, wire.path);
        let authorization = format!("Bearer {}", self.token);
        let response = match O::METHOD {
            Method::Get => self
                .agent
                .get(&url)
                .query_pairs(wire.query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .header("Authorization", &authorization)
                .call(),
            Method::Post => self
                .agent
                .post(&url)
                .header("Authorization", &authorization)
                .send_json(wire.body.unwrap_or_else(|| Value::Object(Map::new()))),
        };
        self.finish(response)
    }

    /// Asks the node to stop.
    pub fn shutdown(&self) -> Result<(), Error> {
        let response = self
            .agent
            .post(format!("{}/v1/shutdown", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .send_empty();
        self.finish::<Value>(response).map(drop)
    }

    fn finish<T: serde::de::DeserializeOwned>(
        &self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, Error> {
        let mut response = response.map_err(|error| match error {
            ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                Error::unavailable(format!("no node answers at {}", self.base))
            }
            other => Error::unavailable(format!("request to {} failed: {other}", self.base)),
        })?;
        let status = response.status();
        if !status.is_success() {
            let text = response.body_mut().read_to_string().unwrap_or_default();
            return Err(match serde_json::from_str::<ErrorBody>(&text) {
                Ok(body) => body.error,
                Err(_) => Error::new(
                    ErrorKind::from_http_status(status.as_u16()),
                    format!("the node answered {status}: {}", text.trim()),
                ),
            });
        }
        response.body_mut().read_json::<T>().map_err(|error| {
            Error::internal(format!("unexpected answer from {}: {error}", self.base))
        })
    }
}

/// Splits an operation into path, query and body as its route wants them.
fn to_wire<O: Operation>(operation: &O) -> Result<Wire, Error> {
    let value = serde_json::to_value(operation)
        .map_err(|error| Error::internal(format!("cannot encode the request: {error}")))?;
    let mut fields = match value {
        Value::Object(fields) => fields,
        // A request that is a list (an import batch) has no path fields and is the body.
        other => {
            return Ok(Wire {
                path: O::PATH.to_owned(),
                query: Vec::new(),
                body: Some(other),
            });
        }
    };
    let mut path = O::PATH.to_owned();
    for name in path_fields(O::PATH) {
        let text = match fields.remove(name) {
            Some(Value::String(text)) => text,
            Some(Value::Number(number)) => number.to_string(),
            _ => {
                return Err(Error::internal(format!(
                    "{} needs a text or number field {name:?} for its path",
                    O::NAME
                )));
            }
        };
        path = path.replace(&format!("{{{name}}}"), &percent_encode(&text));
    }
    match O::METHOD {
        Method::Post => Ok(Wire {
            path,
            query: Vec::new(),
            body: Some(Value::Object(fields)),
        }),
        Method::Get => {
            let mut query = Vec::new();
            for (name, value) in fields {
                match value {
                    Value::Null => {}
                    Value::String(text) => query.push((name, text)),
                    Value::Number(_) | Value::Bool(_) => query.push((name, value.to_string())),
                    _ => {
                        return Err(Error::internal(format!(
                            "{} is a GET operation; its field {name:?} is not flat",
                            O::NAME
                        )));
                    }
                }
            }
            Ok(Wire {
                path,
                query,
                body: None,
            })
        }
    }
}

/// Escapes a path segment: unreserved characters stay, every other byte is `%XX`.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Reads the API token of a node directory.
pub fn read_token(path: &Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        Error::unauthorised(format!(
            "cannot read the API token at {} (or pass --token): {error}",
            path.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::unauthorised(format!(
            "the API token at {} is empty (stop the node, remove the file and start it again for a new one)",
            path.display()
        )));
    }
    Ok(token.to_owned())
}

#[cfg(test)]
mod tests {
    use bureau_service::ops::{AnswerHit, DueForReview, GetRecord, RecordPath};
    use bureau_service::query::SearchContext;

    use super::*;

    /// Path fields leave the request for the path (escaped), the rest goes to the query of a GET.
    #[test]
    fn a_get_puts_path_fields_in_the_path_and_the_rest_in_the_query() {
        let request = GetRecord {
            record: RecordPath {
                database: "sltd".into(),
                owner: "FRA".into(),
                id: "p 1/2".into(),
            },
            context: SearchContext {
                purpose: Some("border check".into()),
                place: None,
            },
        };
        let wire = to_wire(&request).expect("wire");
        assert_eq!(wire.path, "/v1/records/sltd/FRA/p%201%2F2");
        assert_eq!(
            wire.query,
            [("purpose".to_owned(), "border check".to_owned())]
        );
        assert_eq!(wire.body, None);
        let review = to_wire(&DueForReview { within_days: 30 }).expect("wire");
        assert_eq!(review.path, "/v1/review/30");
    }

    /// A POST keeps what the path does not carry as its JSON body.
    #[test]
    fn a_post_keeps_the_rest_as_its_body() {
        let wire = to_wire(&AnswerHit {
            id: "abc".into(),
            confirmed: true,
            action: "seize".into(),
        })
        .expect("wire");
        assert_eq!(wire.path, "/v1/hits/abc/answer");
        assert_eq!(
            wire.body,
            Some(serde_json::json!({"confirmed": true, "action": "seize"}))
        );
    }
}
