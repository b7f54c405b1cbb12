//! Integration tests of bureau-core: the wire format, the validation rules and sealing.

mod golden;
mod rules;
mod seal;
