//! The tower layer around an axum router.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use perfkit_limit::headers::PolicyName;
use perfkit_limit::{
    too_many_requests, Decision, Gcra, Key, ManualClock, MemoryLimiter, Quota, RateLimitLayer,
};
use tower::ServiceExt;

fn app(clock: ManualClock) -> Router {
    let limiter = MemoryLimiter::with_clock(Gcra::new(Quota::per_minute(2)).unwrap(), 1024, clock);
    let policy = PolicyName::new("per-key").unwrap();
    Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(RateLimitLayer::new(
            limiter,
            |request: &Request<Body>| {
                request
                    .headers()
                    .get("x-api-key")
                    .map(|v| Key::from_bytes(v.as_bytes()))
            },
            move |decision: &Decision| too_many_requests(&policy, decision),
        ))
}

async fn get_with(app: &Router, api_key: Option<&str>) -> axum::response::Response {
    let mut request = Request::get("/");
    if let Some(key) = api_key {
        request = request.header("x-api-key", key);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn over_the_limit_answers_429_with_the_ietf_headers() {
    let clock = ManualClock::new(0);
    let app = app(clock.clone());
    for _ in 0..2 {
        assert_eq!(get_with(&app, Some("a")).await.status(), StatusCode::OK);
    }
    let rejected = get_with(&app, Some("a")).await;
    assert_eq!(rejected.status(), StatusCode::TOO_MANY_REQUESTS);
    let header = |name: &str| rejected.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header("retry-after"), "30");
    assert_eq!(header("ratelimit-policy"), r#""per-key";q=2;w=60"#);
    assert_eq!(header("ratelimit"), r#""per-key";r=0;t=60"#);
    let body = axum::body::to_bytes(rejected.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(&body[..], b"rate limit exceeded\n");

    // Other keys and unkeyed requests are unaffected; the key recovers with time.
    assert_eq!(get_with(&app, Some("b")).await.status(), StatusCode::OK);
    for _ in 0..5 {
        assert_eq!(get_with(&app, None).await.status(), StatusCode::OK);
    }
    clock.advance(std::time::Duration::from_secs(30));
    assert_eq!(get_with(&app, Some("a")).await.status(), StatusCode::OK);
    assert_eq!(
        get_with(&app, Some("a")).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}
