//! The HTTP queue API, called in process: authentication, validation (nothing written
//! on rejection), enqueue with idempotency, status, stats, DLQ, pause, KEDA, metrics.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use perfkit_queue::http::QueueApi;
use perfkit_queue::{now_ms, Backend, Metrics, QueuesConfig, SqliteBackend};
use serde_json::{json, Value};

const TOKEN: &str = "s3cret";

struct Api {
    _dir: tempfile::TempDir,
    backend: SqliteBackend,
    api: QueueApi<SqliteBackend>,
}

fn api() -> Api {
    let dir = tempfile::tempdir().unwrap();
    let backend = SqliteBackend::open(&dir.path().join("q.db")).unwrap();
    let config = QueuesConfig::parse(
        Path::new("queues.yml"),
        "api:\n  token: s3cret\n  max_body: 2KiB\n  max_batch: 5\nqueues:\n  mail:\n    max_attempts: 2\n",
    )
    .unwrap();
    let api = QueueApi::new(
        backend.clone(),
        Arc::new(config),
        TOKEN.into(),
        Metrics::new(),
    )
    .unwrap();
    Api {
        _dir: dir,
        backend,
        api,
    }
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = self.api.handle(request).await;
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&body)
            .unwrap_or(Value::String(String::from_utf8_lossy(&body).into()));
        (status, value)
    }

    async fn ok(&self, method: &str, path: &str, body: &str) -> (StatusCode, Value) {
        self.call(method, path, Some(TOKEN), body, &[]).await
    }

    async fn total(&self) -> u64 {
        let s = self.backend.stats("mail", now_ms()).await.unwrap();
        s.ready + s.delayed + s.leased + s.completed + s.dead
    }
}

#[tokio::test]
async fn rejections_write_nothing() {
    let api = api();
    let job = r#"{"payload": {"to": "a@example.com"}}"#;
    let (status, _) = api.call("POST", "/queues/mail/jobs", None, job, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = api
        .call("POST", "/queues/mail/jobs", Some("s3creT"), job, &[])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = api.ok("POST", "/queues/nope/jobs", job).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    for bad in [
        "{not json",
        r#"{"payload": 1, "priority": 300}"#,
        r#"{"payload": 1, "colour": "red"}"#,
        r#"{"priority": 1}"#,
        r#"{"jobs": []}"#,
        r#"{"jobs": [{"payload": 1}, {"payload": 2, "max_attempts": 0}]}"#,
    ] {
        let (status, body) = api.ok("POST", "/queues/mail/jobs", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"].is_string());
    }
    let big = format!(r#"{{"payload": "{}"}}"#, "x".repeat(3000));
    let (status, _) = api.ok("POST", "/queues/mail/jobs", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let six =
        json!({"jobs": (0..6).map(|i| json!({"payload": i})).collect::<Vec<_>>()}).to_string();
    let (status, _) = api.ok("POST", "/queues/mail/jobs", &six).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(api.total().await, 0, "nothing written");
    let (status, _) = api.call("GET", "/healthz", None, "", &[]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn enqueue_inspect_and_idempotency() {
    let api = api();
    let key = [("idempotency-key", "order-7")];
    let job = r#"{"payload": {"to": "a@example.com"}, "priority": 3, "tags": ["welcome"]}"#;
    let (status, first) = api
        .call("POST", "/queues/mail/jobs", Some(TOKEN), job, &key)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["duplicate"], false);
    let (_, again) = api
        .call("POST", "/queues/mail/jobs", Some(TOKEN), job, &key)
        .await;
    assert_eq!(
        (again["id"].clone(), again["duplicate"].clone()),
        (first["id"].clone(), json!(true))
    );
    let batch = r#"{"jobs": [{"payload": 1}, {"payload": 2, "delay_ms": 60000}]}"#;
    let (status, ids) = api
        .call("POST", "/queues/mail/jobs", Some(TOKEN), batch, &key)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(ids["jobs"].as_array().unwrap().len(), 2);
    let (_, replay) = api
        .call("POST", "/queues/mail/jobs", Some(TOKEN), batch, &key)
        .await;
    assert_eq!(replay["jobs"][1]["id"], ids["jobs"][1]["id"]);
    assert_eq!(api.total().await, 3);

    let id = first["id"].as_u64().unwrap();
    let (status, shown) = api.ok("GET", &format!("/queues/mail/jobs/{id}"), "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["payload"]["to"], "a@example.com");
    assert_eq!(
        (
            shown["state"].clone(),
            shown["priority"].clone(),
            shown["max_attempts"].clone()
        ),
        (json!("ready"), json!(3), json!(2))
    );
    let (status, _) = api.ok("GET", "/queues/mail/jobs/999", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.ok("GET", "/queues/mail/jobs/abc", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (_, stats) = api.ok("GET", "/queues/mail/stats", "").await;
    assert_eq!(
        (stats["ready"].clone(), stats["delayed"].clone()),
        (json!(2), json!(1))
    );
    let (_, all) = api.ok("GET", "/queues", "").await;
    assert_eq!(all["queues"]["mail"]["ready"], 2);
    let (_, keda) = api.ok("GET", "/queues/mail/keda", "").await;
    assert_eq!(keda["length"], 2);
    let (status, metrics) = api.ok("GET", "/metrics", "").await;
    assert_eq!(status, StatusCode::OK);
    let text = metrics.as_str().unwrap();
    assert!(
        text.contains(r#"perfkit_queue_depth{queue="mail",state="ready"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"perfkit_queue_jobs_total{event="enqueued",queue="mail"} 3"#),
        "{text}"
    );
}

#[tokio::test]
async fn dead_letters_pause_and_resume() {
    let api = api();
    let (_, created) = api.ok("POST", "/queues/mail/jobs", r#"{"jobs": [{"payload": 1, "max_attempts": 1}, {"payload": 2, "max_attempts": 1, "tags": ["x"]}]}"#).await;
    for job in api
        .backend
        .claim("mail", 10, 30_000, now_ms())
        .await
        .unwrap()
    {
        api.backend
            .fail(&job.lease(), "smtp said no", None, now_ms())
            .await
            .unwrap();
    }
    let (_, dead) = api.ok("GET", "/queues/mail/dlq?limit=10", "").await;
    assert_eq!(dead["jobs"].as_array().unwrap().len(), 2);
    assert_eq!(dead["jobs"][0]["errors"][0]["message"], "smtp said no");
    let (status, _) = api
        .ok(
            "POST",
            "/queues/mail/dlq/retry",
            r#"{"ids": [1], "all": true}"#,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, retried) = api
        .ok("POST", "/queues/mail/dlq/retry", r#"{"tag": "x"}"#)
        .await;
    assert_eq!(retried["count"], 1);
    let first = created["jobs"][0]["id"].as_u64().unwrap();
    let (_, purged) = api
        .ok(
            "POST",
            "/queues/mail/dlq/purge",
            &format!(r#"{{"ids": [{first}]}}"#),
        )
        .await;
    assert_eq!(purged["count"], 1);
    let (_, paused) = api.ok("POST", "/queues/mail/pause", "").await;
    assert_eq!(paused["paused"], true);
    assert!(api
        .backend
        .claim("mail", 10, 30_000, now_ms())
        .await
        .unwrap()
        .is_empty());
    api.ok("POST", "/queues/mail/resume", "").await;
    assert_eq!(
        api.backend
            .claim("mail", 10, 30_000, now_ms())
            .await
            .unwrap()
            .len(),
        1
    );
    let (status, _) = api.ok("DELETE", "/queues/mail/stats", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
