//! End-to-end tests of the node: the `bureau` binary run as a user runs it, and networks of
//! real nodes in one process.

mod api;
mod backup;
mod cases;
mod cli;
mod databases;
mod forks;
mod harness;
mod hits;
mod host;
mod membership;
mod names;
mod net_harness;
mod network;
mod witness;
