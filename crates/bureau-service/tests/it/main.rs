//! Tests of the service's parts through their public API: the audit log's chain and what
//! `verify` reports for every kind of tampering. (Operations against full nodes are tested in
//! `node/tests/it`, which starts real daemons.)

mod audit;
mod crowding;
mod harness;
mod ops;
mod quota;
