//! Integration tests for the gateway: real sockets, real sample upstreams.

mod adaptive;
mod admin;
mod balancing;
mod cache;
mod cache_origin;
mod cache_rules;
mod cdn;
mod conformance;
mod fuzz_regressions;
mod hardening;
mod headers;
mod health;
mod http1;
mod jwt_limits;
mod limits;
mod rate_limits;
mod rate_limits_file;
mod rate_limits_redis;
mod reload;
mod support;
mod upstream_connections;
