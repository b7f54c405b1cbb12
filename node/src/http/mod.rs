//! The HTTP+JSON face of the service: the server the daemon runs and the client the CLI uses,
//! both generic over [`bureau_service::Operation`], so neither changes when an operation is
//! added. Every error is JSON `{"error": {"kind": "...", "message": "..."}}` with the status
//! of its kind.

pub mod shared;
pub mod tls;

pub mod client;
pub mod openapi;
pub mod server;

pub use shared::{API_ADDR, API_TOKEN, ErrorBody};
