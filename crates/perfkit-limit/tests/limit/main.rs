//! The perfkit-limit integration tests: algorithms against brute-force reference
//! models, the in-memory store, the concurrency and adaptive limiters.

mod adaptive;
mod algorithms;
mod layer;
mod memory;
mod redis;
mod redis_window;
