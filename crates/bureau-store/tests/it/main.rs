//! Integration tests of bureau-store: behaviour, the model comparison, and crash safety.

mod crash;
mod harness;
mod mailbox;
mod model;
mod quota;
mod sealed;
mod store;
