//! perfkit-cache's integration tests: one target, a module per area.

mod engine;
mod memory;
mod rfc9111;
mod shared;
