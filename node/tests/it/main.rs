//! End-to-end tests of the node: the `bureau` binary run as a user runs it, and networks of
//! real nodes in one process.

mod audit;
mod cases;
mod cli;
mod generate;
mod harness;
mod membership;
mod net_harness;
mod network;
