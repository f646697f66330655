//! The HTTP queue API: a hyper handler the gateway or `perfkit worker --api` mounts.
//! Every route but `/healthz` needs `Authorization: Bearer TOKEN`. Queues must be
//! declared in `queues.yml`. A rejected request writes nothing.
//!
//! | route | what |
//! | --- | --- |
//! | `POST /queues/{q}/jobs` | enqueue one job, or `{"jobs": [...]}` as one batch; `Idempotency-Key` header |
//! | `GET /queues/{q}/jobs/{id}` | a job's state, attempts and errors |
//! | `GET /queues`, `GET /queues/{q}/stats` | depth per state |
//! | `GET /queues/{q}/dlq?limit=N` | dead jobs, newest first |
//! | `POST /queues/{q}/dlq/retry`, `/dlq/purge` | `{"ids": [..]}`, `{"tag": ".."}` or `{"all": true}` |
//! | `POST /queues/{q}/pause`, `/resume` | stop or restart claims |
//! | `GET /queues/{q}/keda` | `{"length": N, ...}` for KEDA's metrics-api scaler |
//! | `GET /metrics` | Prometheus text |

use std::sync::Arc;

use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::backend::{Backend, QueueError};
use crate::config::QueuesConfig;
use crate::job::{now_ms, DeadSelect, Job, JobId, NewJob};
use crate::metrics::{Event, Metrics};

/// One job in an enqueue request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobRequest {
    payload: Value,
    #[serde(default)]
    priority: u8,
    /// Run no sooner than this many ms from now.
    delay_ms: Option<u64>,
    /// Run no sooner than this time (ms since the epoch).
    run_at: Option<i64>,
    /// Dead-letter if not started by this time (ms since the epoch)...
    deadline: Option<i64>,
    /// ...or within this many ms from now.
    deadline_in_ms: Option<u64>,
    max_attempts: Option<u32>,
    timeout_ms: Option<u64>,
    unique_key: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRequest {
    jobs: Vec<JobRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectRequest {
    ids: Option<Vec<JobId>>,
    tag: Option<String>,
    #[serde(default)]
    all: bool,
}

/// A job as the API shows it: the payload as JSON when it is JSON, else as text.
#[derive(Debug, Serialize)]
pub struct JobView<'a> {
    id: JobId,
    queue: &'a str,
    state: &'static str,
    payload: Value,
    priority: u8,
    attempts: u32,
    max_attempts: u32,
    run_at: i64,
    deadline: Option<i64>,
    unique_key: Option<&'a str>,
    tags: &'a [String],
    errors: &'a [crate::job::AttemptError],
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
}

impl<'a> JobView<'a> {
    pub fn new(job: &'a Job) -> JobView<'a> {
        JobView {
            id: job.id,
            queue: &job.queue,
            state: job.state.as_str(),
            payload: serde_json::from_slice(&job.payload).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(&job.payload).into_owned())
            }),
            priority: job.priority,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            run_at: job.run_at,
            deadline: job.deadline,
            unique_key: job.unique_key.as_deref(),
            tags: &job.tags,
            errors: &job.errors,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
        }
    }
}

/// The API over one backend and one queues config.
#[derive(Debug)]
pub struct QueueApi<B> {
    backend: B,
    config: Arc<QueuesConfig>,
    token: String,
    metrics: Metrics,
}

type Answer = Response<Full<Bytes>>;

fn reply(status: StatusCode, body: Value) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, message: impl Into<String>) -> Answer {
    reply(status, json!({ "error": message.into() }))
}

fn backend_error(err: QueueError) -> Answer {
    match err {
        QueueError::Invalid(message) => error(StatusCode::BAD_REQUEST, message),
        other => {
            tracing::warn!(error = %other, "queue backend error");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("queue backend unavailable: {other}"),
            )
        }
    }
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl<B: Backend> QueueApi<B> {
    /// `token` must be non-empty: the API never runs unauthenticated.
    pub fn new(
        backend: B,
        config: Arc<QueuesConfig>,
        token: String,
        metrics: Metrics,
    ) -> Result<QueueApi<B>, String> {
        if token.is_empty() {
            return Err(
                "the queue API needs a token: set api.token or api.token_env in queues.yml".into(),
            );
        }
        Ok(QueueApi {
            backend,
            config,
            token,
            metrics,
        })
    }

    /// Answers one request.
    pub async fn handle<Body>(&self, request: Request<Body>) -> Answer
    where
        Body: hyper::body::Body<Data = Bytes> + Send,
        Body::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = request.uri().path().to_owned();
        if path == "/healthz" {
            return reply(StatusCode::OK, json!({ "ok": true }));
        }
        let authorized = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|token| same(token.as_bytes(), self.token.as_bytes()));
        if !authorized {
            let mut answer = error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
            answer.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
            return answer;
        }
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let method = request.method().clone();
        match (method.clone(), segments.as_slice()) {
            (Method::GET, ["metrics"]) => return self.metrics_text().await,
            (Method::GET, ["queues"]) => return self.all_stats().await,
            _ => {}
        }
        let ["queues", queue, rest @ ..] = segments.as_slice() else {
            return error(StatusCode::NOT_FOUND, format!("no route {path}"));
        };
        let queue = (*queue).to_owned();
        if !self.config.queues.contains_key(&queue) {
            return error(
                StatusCode::NOT_FOUND,
                format!("unknown queue `{queue}`; declare it in queues.yml"),
            );
        }
        let idempotency_key = request
            .headers()
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let query = request.uri().query().unwrap_or("").to_owned();
        let shown = method.to_string();
        let rest: Vec<String> = rest.iter().map(|s| (*s).to_owned()).collect();
        let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
        match (method, rest.as_slice()) {
            (Method::POST, ["jobs"]) => match self.body(request).await {
                Ok(body) => self.enqueue(&queue, &body, idempotency_key).await,
                Err(answer) => answer,
            },
            (Method::GET, ["jobs", id]) => match id.parse::<JobId>() {
                Ok(id) => match self.backend.get(&queue, id).await {
                    Ok(Some(job)) => reply(StatusCode::OK, json!(JobView::new(&job))),
                    Ok(None) => error(StatusCode::NOT_FOUND, format!("no job {id} in `{queue}`")),
                    Err(err) => backend_error(err),
                },
                Err(_) => error(StatusCode::BAD_REQUEST, format!("`{id}` is not a job id")),
            },
            (Method::GET, ["stats"]) => match self.backend.stats(&queue, now_ms()).await {
                Ok(stats) => reply(StatusCode::OK, json!(stats)),
                Err(err) => backend_error(err),
            },
            (Method::GET, ["keda"]) => match self.backend.stats(&queue, now_ms()).await {
                Ok(stats) => reply(
                    StatusCode::OK,
                    json!({
                        "queue": queue,
                        "length": stats.ready + stats.leased,
                        "ready": stats.ready,
                        "leased": stats.leased,
                        "delayed": stats.delayed,
                    }),
                ),
                Err(err) => backend_error(err),
            },
            (Method::GET, ["dlq"]) => {
                let limit = query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("limit="))
                    .map(|v| v.parse::<usize>())
                    .unwrap_or(Ok(100));
                let Ok(limit) = limit else {
                    return error(StatusCode::BAD_REQUEST, "limit must be a number");
                };
                match self.backend.dead_list(&queue, limit.min(10_000)).await {
                    Ok(jobs) => {
                        let views: Vec<_> = jobs.iter().map(JobView::new).collect();
                        reply(StatusCode::OK, json!({ "jobs": views }))
                    }
                    Err(err) => backend_error(err),
                }
            }
            (Method::POST, ["dlq", action @ ("retry" | "purge")]) => {
                let body = match self.body(request).await {
                    Ok(body) => body,
                    Err(answer) => return answer,
                };
                let select = match serde_json::from_slice::<SelectRequest>(&body) {
                    Ok(SelectRequest {
                        ids: Some(ids),
                        tag: None,
                        all: false,
                    }) => DeadSelect::Ids(ids),
                    Ok(SelectRequest {
                        ids: None,
                        tag: Some(tag),
                        all: false,
                    }) => DeadSelect::Tag(tag),
                    Ok(SelectRequest {
                        ids: None,
                        tag: None,
                        all: true,
                    }) => DeadSelect::All,
                    Ok(_) => {
                        return error(
                            StatusCode::BAD_REQUEST,
                            "give exactly one of ids, tag or all: true",
                        )
                    }
                    Err(err) => {
                        return error(StatusCode::BAD_REQUEST, format!("bad selection: {err}"))
                    }
                };
                let result = if *action == "retry" {
                    self.backend.dead_retry(&queue, &select, now_ms()).await
                } else {
                    self.backend.dead_purge(&queue, &select).await
                };
                match result {
                    Ok(count) => reply(StatusCode::OK, json!({ "count": count })),
                    Err(err) => backend_error(err),
                }
            }
            (Method::POST, [action @ ("pause" | "resume")]) => {
                match self.backend.set_paused(&queue, *action == "pause").await {
                    Ok(()) => reply(StatusCode::OK, json!({ "paused": *action == "pause" })),
                    Err(err) => backend_error(err),
                }
            }
            _ => error(StatusCode::NOT_FOUND, format!("no route {shown} {path}")),
        }
    }

    /// The whole body, refused with 413 past `api.max_body`.
    async fn body<Body>(&self, request: Request<Body>) -> Result<Bytes, Answer>
    where
        Body: hyper::body::Body<Data = Bytes> + Send,
        Body::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let limit = self.config.api.max_body.0 as usize;
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {limit} bytes"),
            ));
        }
        match Limited::new(request.into_body(), limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {limit} bytes"),
            )),
            Err(err) => Err(error(
                StatusCode::BAD_REQUEST,
                format!("reading the body: {err}"),
            )),
        }
    }

    async fn enqueue(&self, queue: &str, body: &[u8], idempotency_key: Option<String>) -> Answer {
        let value: Value = match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(err) => return error(StatusCode::BAD_REQUEST, format!("body is not JSON: {err}")),
        };
        let batch = value.get("jobs").is_some();
        let requests = if batch {
            match serde_json::from_value::<BatchRequest>(value) {
                Ok(batch) => batch.jobs,
                Err(err) => return error(StatusCode::BAD_REQUEST, format!("bad batch: {err}")),
            }
        } else {
            match serde_json::from_value::<JobRequest>(value) {
                Ok(job) => vec![job],
                Err(err) => return error(StatusCode::BAD_REQUEST, format!("bad job: {err}")),
            }
        };
        if requests.is_empty() {
            return error(StatusCode::BAD_REQUEST, "the batch is empty");
        }
        let max = self.config.api.max_batch;
        if requests.len() > max {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{} jobs in one batch; at most {max}", requests.len()),
            );
        }
        let queue_config = &self.config.queues[queue];
        let now = now_ms();
        let mut jobs = Vec::with_capacity(requests.len());
        for (i, request) in requests.into_iter().enumerate() {
            let mut job: NewJob = queue_config
                .new_job(queue, request.payload.to_string().into_bytes())
                .priority(request.priority);
            job.run_at = request.run_at.or(request.delay_ms.map(|d| now + d as i64));
            job.deadline = request
                .deadline
                .or(request.deadline_in_ms.map(|d| now + d as i64));
            if let Some(attempts) = request.max_attempts {
                if attempts == 0 {
                    return error(StatusCode::BAD_REQUEST, "max_attempts must be at least 1");
                }
                job.max_attempts = attempts;
            }
            job.timeout_ms = request.timeout_ms;
            job.unique_key = request.unique_key;
            job.tags = request.tags;
            job.idempotency_key = idempotency_key.as_ref().map(|key| {
                if batch {
                    format!("{key}:{i}")
                } else {
                    key.clone()
                }
            });
            jobs.push(job);
        }
        match self.backend.enqueue(jobs, now).await {
            Ok(ids) => {
                let added = ids.iter().filter(|e| !e.duplicate).count() as u64;
                self.metrics.count(queue, Event::Enqueued, added);
                if batch {
                    reply(StatusCode::CREATED, json!({ "jobs": ids }))
                } else {
                    reply(StatusCode::CREATED, json!(ids[0]))
                }
            }
            Err(err) => backend_error(err),
        }
    }

    async fn all_stats(&self) -> Answer {
        let mut queues = serde_json::Map::new();
        for name in self.config.queues.keys() {
            match self.backend.stats(name, now_ms()).await {
                Ok(stats) => {
                    queues.insert(name.clone(), json!(stats));
                }
                Err(err) => return backend_error(err),
            }
        }
        reply(StatusCode::OK, json!({ "queues": queues }))
    }

    async fn metrics_text(&self) -> Answer {
        let names: Vec<String> = self.config.queues.keys().cloned().collect();
        match self.metrics.render(&self.backend, &names).await {
            Ok(text) => {
                let mut response = Response::new(Full::new(Bytes::from(text)));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("text/plain; version=0.0.4"),
                );
                response
            }
            Err(err) => backend_error(err),
        }
    }
}

/// Serves `api` on `listener` (HTTP/1.1) until `stop` turns true.
pub async fn serve<B: Backend>(
    api: Arc<QueueApi<B>>,
    listener: tokio::net::TcpListener,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = crate::worker::turned_true(&mut stop) => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let api = api.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let api = api.clone();
                async move { Ok::<_, std::convert::Infallible>(api.handle(request).await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}
