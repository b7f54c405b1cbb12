//! Integration tests of bureau-core: the wire format and the validation rules.

mod golden;
mod rules;
