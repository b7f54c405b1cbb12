//! End-to-end tests of the `bureau` binary, run as a user would run it, in temporary
//! directories.

mod cli;
mod harness;
