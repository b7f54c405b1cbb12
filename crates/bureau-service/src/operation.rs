//! The operation contract: one request type per operation, with its answer type, its HTTP
//! method and path, and what it does. Both faces are generic over it: the CLI builds a request
//! and calls it in-process or over HTTP, the HTTP server routes every operation with one
//! generic handler, and the OpenAPI document is generated from the same list, with the JSON
//! Schemas of the request and the answer derived from their types.
//!
//! Adding an operation means: the request type, its `impl Operation` (in `ops`), one line in
//! [`crate::ops::visit_all`], and its flags and printing in the CLI.

use std::future::Future;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::service::Service;

/// The HTTP method an operation is served on: `Get` for reads (fields in the path and the
/// query string), `Post` for everything else (fields in the path and a JSON body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// Largest request body an operation reads unless it says otherwise.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// One operation of the node.
pub trait Operation: Serialize + DeserializeOwned + JsonSchema + Send + 'static {
    /// What it answers.
    type Answer: Serialize + DeserializeOwned + JsonSchema + Send + 'static;
    /// Its name (the OpenAPI operation id), e.g. `publish`.
    const NAME: &'static str;
    /// One line saying what it does.
    const SUMMARY: &'static str;
    const METHOD: Method;
    /// Its path; `{field}` stands for a field of the request carried in the path.
    const PATH: &'static str;
    /// Largest request body it reads.
    const MAX_REQUEST_BYTES: usize = MAX_REQUEST_BYTES;

    /// Does it.
    fn run(self, service: &Service) -> impl Future<Output = Result<Self::Answer>> + Send;
}

impl Service {
    /// Runs one operation.
    pub async fn call<O: Operation>(&self, operation: O) -> Result<O::Answer> {
        operation.run(self).await
    }
}

/// Something that wants to see every operation type (the HTTP router, the OpenAPI document).
pub trait Visitor {
    fn visit<O: Operation>(&mut self);
}

/// The names of the request fields a path carries, in order: `/v1/hits/{id}/answer` gives `id`.
pub fn path_fields(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|segment| {
        segment
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_fields_are_the_braced_segments() {
        let fields: Vec<&str> = path_fields("/v1/records/{database}/{owner}/{id}/cancel").collect();
        assert_eq!(fields, ["database", "owner", "id"]);
        assert_eq!(path_fields("/v1/status").count(), 0);
    }
}
