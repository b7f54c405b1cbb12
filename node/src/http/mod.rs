//! The HTTP+JSON face of the service: the server the daemon runs and the client the CLI uses,
//! both generic over [`bureau_service::Operation`], so neither changes when an operation is
//! added. Every error is JSON `{"error": {"kind": "...", "message": "..."}}` with the status
//! of its kind.

pub mod client;
pub mod openapi;
pub mod server;

use bureau_service::Error;
use serde::{Deserialize, Serialize};

/// The file in a node directory holding the API's address.
pub const API_ADDR: &str = "api.addr";
/// The file in a node directory holding the API's bearer token (mode 0600).
pub const API_TOKEN: &str = "api.token";

/// An error answer's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: Error,
}
