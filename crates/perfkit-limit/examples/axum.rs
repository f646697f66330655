//! An axum service behind perfkit-limit: 3 requests per minute per API key, answered
//! with `429` and the IETF `RateLimit` headers beyond that. Requests without a key are
//! not limited.
//!
//! Run: `cargo run -p perfkit-limit --example axum` (drives six requests through the
//! router in-process and prints each status and its headers).

use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use perfkit_limit::headers::PolicyName;
use perfkit_limit::{too_many_requests, Gcra, Key, MemoryLimiter, Quota, RateLimitLayer};
use tower::ServiceExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let limiter = MemoryLimiter::new(Gcra::new(Quota::per_minute(3))?, 100_000);
    let policy = PolicyName::new("per-key")?;
    let app = Router::new()
        .route("/", get(|| async { "hello\n" }))
        .layer(RateLimitLayer::new(
            limiter,
            // The key: the API key header's bytes; no header, no limit.
            |request: &Request<Body>| {
                request
                    .headers()
                    .get("x-api-key")
                    .map(|v| Key::from_bytes(v.as_bytes()))
            },
            move |decision: &perfkit_limit::Decision| too_many_requests(&policy, decision),
        ));
    for _ in 0..6 {
        let request = Request::get("/")
            .header("x-api-key", "demo")
            .body(Body::empty())?;
        let response = app.clone().oneshot(request).await?;
        println!("{}", response.status());
        for (name, value) in response.headers() {
            if name.as_str().contains("ratelimit") || name == "retry-after" {
                println!("  {name}: {}", value.to_str()?);
            }
        }
    }
    Ok(())
}
