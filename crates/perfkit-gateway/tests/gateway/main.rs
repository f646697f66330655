//! Integration tests for the gateway: real sockets, real sample upstreams.

mod adaptive;
mod admin;
mod balancing;
mod cache;
mod fuzz_regressions;
mod hardening;
mod headers;
mod health;
mod limits;
mod rate_limits;
mod reload;
mod support;
mod upstream_connections;
