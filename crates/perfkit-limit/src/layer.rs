//! A tower [`Layer`] that rate-limits a [`Service`]: each request is turned into a
//! [`Key`] (or exempted) by a function, checked against a [`Store`], and either passed
//! on or answered by a rejection function, so axum and tonic services can use the
//! limiters directly. [`too_many_requests`] is a ready-made HTTP rejection.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::{Layer, Service};

use crate::decision::Decision;
use crate::headers::{self, PolicyName};
use crate::key::Key;
use crate::store::Store;

/// Wraps services in [`RateLimit`]. `key` maps a request to its key (`None`: not
/// limited); `reject` builds the response for a rejected request.
#[derive(Debug)]
pub struct RateLimitLayer<S, K, R> {
    shared: Arc<Shared<S, K, R>>,
}

#[derive(Debug)]
struct Shared<S, K, R> {
    store: S,
    key: K,
    reject: R,
}

impl<S, K, R> Clone for RateLimitLayer<S, K, R> {
    fn clone(&self) -> Self {
        RateLimitLayer {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S, K, R> RateLimitLayer<S, K, R> {
    pub fn new(store: S, key: K, reject: R) -> Self {
        RateLimitLayer {
            shared: Arc::new(Shared { store, key, reject }),
        }
    }
}

impl<Inner, S, K, R> Layer<Inner> for RateLimitLayer<S, K, R> {
    type Service = RateLimit<Inner, S, K, R>;

    fn layer(&self, inner: Inner) -> Self::Service {
        RateLimit {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// A service behind a rate limit; see [`RateLimitLayer`].
#[derive(Debug)]
pub struct RateLimit<Inner, S, K, R> {
    inner: Inner,
    shared: Arc<Shared<S, K, R>>,
}

impl<Inner: Clone, S, K, R> Clone for RateLimit<Inner, S, K, R> {
    fn clone(&self) -> Self {
        RateLimit {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<Req, Inner, S, K, R> Service<Req> for RateLimit<Inner, S, K, R>
where
    Req: Send + 'static,
    Inner: Service<Req> + Clone + Send + 'static,
    Inner::Future: Send,
    S: Store + 'static,
    K: Fn(&Req) -> Option<Key> + Send + Sync + 'static,
    R: Fn(&Decision) -> Inner::Response + Send + Sync + 'static,
{
    type Response = Inner::Response;
    type Error = Inner::Error;
    type Future = BoxFuture<Result<Inner::Response, Inner::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        // The clone is the one that was not polled ready; keep the ready one for this
        // request (the usual tower pattern).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = Arc::clone(&self.shared);
        Box::pin(async move {
            let Some(key) = (shared.key)(&request) else {
                return inner.call(request).await;
            };
            match shared.store.check(key, 1).await {
                Ok(decision) if !decision.allowed => Ok((shared.reject)(&decision)),
                // A store failure lets the request through; wrap the store in
                // `Resilient` for another policy.
                Ok(_) | Err(_) => inner.call(request).await,
            }
        })
    }
}

/// A `429 Too Many Requests` with `Retry-After`, `RateLimit-Policy` and `RateLimit`
/// for a rejected decision of the policy `name`, and a short text body.
pub fn too_many_requests<B: From<&'static str>>(
    name: &PolicyName,
    decision: &Decision,
) -> http::Response<B> {
    let mut response = http::Response::new(B::from("rate limit exceeded\n"));
    *response.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
    let fields = response.headers_mut();
    let mut put = |name: &'static str, value: String| {
        if let Ok(value) = http::HeaderValue::try_from(value) {
            fields.insert(name, value);
        }
    };
    if let Some(secs) = headers::retry_after_for(decision) {
        put("retry-after", secs.to_string());
    }
    put("ratelimit-policy", headers::policy_for(name, decision));
    put("ratelimit", headers::ratelimit_for(name, decision));
    put("content-type", "text/plain; charset=utf-8".into());
    response
}
