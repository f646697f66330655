//! Test helpers for perfkit: a real `redis-server` on a free loopback port, a sample
//! upstream HTTP app with configurable latency, status and headers, and a small HTTP client.
//!
//! Nothing here is mocked: Redis is the Debian `redis-server` binary, the upstream is
//! a real HTTP server on a real socket.

pub mod cache_cases;
mod client;
mod executions;
mod knee;
mod postgres;
mod redis;
mod redis_cluster;
mod scripted;
mod upstream;

pub use cache_cases::{
    check, header_map, load_cases, template, Case, Expect, Observed, OriginResponse,
};
pub use client::{Client, Reply};
pub use executions::Executions;
pub use knee::KneeUpstream;
pub use postgres::PostgresServer;
pub use redis::RedisServer;
pub use redis_cluster::RedisCluster;
pub use scripted::Scripted;
pub use upstream::{Echo, SampleUpstream, UpstreamBuilder};

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("the loopback interface accepts a bind to port 0")
}
