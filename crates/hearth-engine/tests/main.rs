//! Integration tests of hearth-engine, one binary.

mod flow;
mod identity;
