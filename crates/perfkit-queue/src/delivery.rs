//! How `perfkit worker` runs a job: POST it to the application (Cloud Tasks style) or
//! run a command with the payload on stdin.
//!
//! HTTP: `2xx` acks; `429`, `5xx`, connection errors and timeouts retry; any other
//! status fails permanently. Command: exit 0 acks, exit [`PERMANENT_EXIT`] fails
//! permanently, any other exit (or a signal) retries.

use std::collections::BTreeMap;
use std::process::Stdio;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::AsyncWriteExt;

use crate::job::Job;
use crate::worker::{Handler, HandlerError};

/// The exit status a command uses to say "do not retry this job".
pub const PERMANENT_EXIT: i32 = 100;

/// Runs jobs by HTTP push or by command.
#[derive(Debug, Clone)]
pub enum Delivery {
    Http(Box<HttpDelivery>),
    Command(CommandDelivery),
}

impl Delivery {
    /// The handler a queue's config names, if any.
    pub fn from_config(queue: &crate::config::QueueConfig) -> Result<Option<Delivery>, String> {
        if let Some(http) = &queue.http {
            return Ok(Some(Delivery::Http(Box::new(HttpDelivery::new(
                &http.url,
                &http.headers,
            )?))));
        }
        if let Some(argv) = &queue.command {
            return Ok(Some(Delivery::Command(CommandDelivery::new(argv.clone())?)));
        }
        Ok(None)
    }
}

impl Handler for Delivery {
    async fn handle(&self, job: Job) -> Result<(), HandlerError> {
        match self {
            Delivery::Http(http) => http.deliver(job).await,
            Delivery::Command(command) => command.deliver(job).await,
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpDelivery {
    url: http::Uri,
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl HttpDelivery {
    pub fn new(url: &str, headers: &BTreeMap<String, String>) -> Result<HttpDelivery, String> {
        let url: http::Uri = url
            .parse()
            .map_err(|err| format!("bad URL `{url}`: {err}"))?;
        let headers = headers
            .iter()
            .map(|(name, value)| {
                Ok((
                    http::HeaderName::try_from(name.as_str())
                        .map_err(|_| format!("bad header name `{name}`"))?,
                    http::HeaderValue::try_from(value.as_str())
                        .map_err(|_| format!("bad value for header `{name}`"))?,
                ))
            })
            .collect::<Result<_, String>>()?;
        let client = Client::builder(TokioExecutor::new()).build_http();
        Ok(HttpDelivery {
            url,
            headers,
            client,
        })
    }

    async fn deliver(&self, job: Job) -> Result<(), HandlerError> {
        let content_type = if serde_json::from_slice::<serde::de::IgnoredAny>(&job.payload).is_ok()
        {
            "application/json"
        } else {
            "application/octet-stream"
        };
        let mut request = http::Request::post(self.url.clone())
            .header(http::header::CONTENT_TYPE, content_type)
            .header("x-perfkit-queue", job.queue.as_str())
            .header("x-perfkit-job-id", job.id.to_string())
            .header("x-perfkit-attempt", job.attempts.to_string())
            .body(Full::new(Bytes::from(job.payload)))
            .map_err(|err| HandlerError::Permanent(format!("cannot build the request: {err}")))?;
        for (name, value) in &self.headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        let response = self
            .client
            .request(request)
            .await
            .map_err(|err| HandlerError::Retry(format!("POST {}: {err}", self.url)))?;
        let status = response.status();
        // Read the body so the connection can be reused; keep a little for the error.
        let body = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        if status.is_success() {
            return Ok(());
        }
        let snippet = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        let message = format!("POST {} answered {status}: {snippet}", self.url);
        if status == http::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Err(HandlerError::Retry(message))
        } else {
            Err(HandlerError::Permanent(message))
        }
    }
}

#[derive(Debug, Clone)]
pub struct CommandDelivery {
    argv: Vec<String>,
}

impl CommandDelivery {
    pub fn new(argv: Vec<String>) -> Result<CommandDelivery, String> {
        if argv.first().is_none_or(|program| program.is_empty()) {
            return Err("the command is empty".into());
        }
        Ok(CommandDelivery { argv })
    }

    async fn deliver(&self, job: Job) -> Result<(), HandlerError> {
        let mut child = tokio::process::Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .env("PERFKIT_QUEUE", &job.queue)
            .env("PERFKIT_JOB_ID", job.id.to_string())
            .env("PERFKIT_ATTEMPT", job.attempts.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| HandlerError::Retry(format!("cannot run `{}`: {err}", self.argv[0])))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A command that does not read its input is fine: ignore a broken pipe.
            let _ = stdin.write_all(&job.payload).await;
        }
        let output = child
            .wait_with_output()
            .await
            .map_err(|err| HandlerError::Retry(format!("waiting for `{}`: {err}", self.argv[0])))?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: String = stderr
            .chars()
            .rev()
            .take(300)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let message = format!(
            "`{}` exited with {}: {}",
            self.argv[0],
            output.status,
            tail.trim()
        );
        if output.status.code() == Some(PERMANENT_EXIT) {
            Err(HandlerError::Permanent(message))
        } else {
            Err(HandlerError::Retry(message))
        }
    }
}
