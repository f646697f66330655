//! Requests to a running gateway's admin API (bearer token, JSON answers), for the
//! commands that read or act on a live gateway.

use std::time::Duration;

use anyhow::{bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};

/// `GET http://{admin}{path}` with the token; the JSON body of a 200 answer.
pub async fn get_json(admin: &str, path: &str, token: &str) -> anyhow::Result<serde_json::Value> {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<Bytes>>();
    let request = http::Request::get(format!("http://{admin}{path}"))
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Empty::new())
        .with_context(|| format!("{admin} is not a HOST:PORT admin address"))?;
    let exchange = async {
        let response = client.request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::Ok((status, body))
    };
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .with_context(|| format!("the admin API at {admin} did not answer within 10 s"))?
        .with_context(|| format!("cannot reach the gateway's admin API at {admin}"))?;
    match status.as_u16() {
        200 => serde_json::from_slice(&body)
            .with_context(|| format!("{admin}{path} answered something other than JSON")),
        401 => bail!("the admin API at {admin} refused the token (401): check --token or admin.token"),
        403 => bail!("the admin API at {admin} is disabled (403): set admin.token in the gateway's config"),
        404 => bail!("{admin}{path} is unknown (404): is this a perfkit gateway's admin listener, of this version?"),
        _ => bail!(
            "{admin}{path} answered {status}: {}",
            String::from_utf8_lossy(&body).trim()
        ),
    }
}
