//! What the server and the client share: the files that name a node's API in its directory,
//! and the error answer's body.

use bureau_service::Error;
use serde::{Deserialize, Serialize};

/// The file in a node directory holding the API's address.
pub const API_ADDR: &str = "api.addr";
/// The file in a node directory holding the API's bearer token (mode 0600).
pub const API_TOKEN: &str = bureau_service::files::API_TOKEN;

/// An error answer's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: Error,
}
