//! What the gateway tells CDNs in front of it: per-route response headers for
//! downstream caches, and the webhooks every purge is forwarded to.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Headers set on a caching route's shareable responses (served from the cache, or
/// stored by it) for CDNs downstream. Responses the cache may not share (`private`,
/// `no-store`, `Set-Cookie`...) are left as the origin sent them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CdnHeadersConfig {
    /// Replaces the response's `Cache-Control` (e.g. `public, max-age=60`).
    pub cache_control: Option<String>,
    /// Sets `CDN-Cache-Control` (RFC 9213), read by CDNs and not by browsers.
    pub cdn_cache_control: Option<String>,
    /// Sets `Surrogate-Key` to the entry's tags (the origin's own `Surrogate-Key`
    /// values and the route's `tags`), space-separated.
    pub surrogate_key: bool,
}

/// A CDN purge endpoint: every admin purge is also `POST`ed here as JSON
/// (`{"type":"url"|"prefix"|"tag","value":"...","soft":false}`).
#[derive(Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PurgeWebhookConfig {
    /// The label in metrics and logs; defaults to the URL's `host:port`.
    #[serde(default)]
    pub name: Option<String>,
    /// `http://host[:port]/path` or `https://host[:port]/path`.
    pub url: String,
    /// For an `https://` URL: a PEM file of the CA certificates this webhook's server
    /// certificate must chain to, trusted instead of the Mozilla roots the gateway
    /// uses otherwise (for a private CA or a self-signed certificate).
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
    /// One extra request header, written `Name: value` (e.g.
    /// `Authorization: Bearer …` or `Fastly-Key: …`); a secret, redacted when shown.
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Deadline of one attempt (connect, send, response head).
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Extra attempts after a failure (connection error, timeout, non-2xx status).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Pause before the first retry; doubled before each next one.
    #[serde(default = "default_backoff", with = "humantime_serde")]
    pub backoff: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(2)
}

fn default_retries() -> u32 {
    2
}

fn default_backoff() -> Duration {
    Duration::from_millis(200)
}

impl PurgeWebhookConfig {
    /// The label in metrics and logs.
    pub fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let rest = self.url.split_once("://").map_or(&*self.url, |(_, r)| r);
        rest.split(['/', '?']).next().unwrap_or(rest).to_owned()
    }

    /// `auth_header` split into name and value.
    pub fn auth(&self) -> Option<(&str, &str)> {
        let (name, value) = self.auth_header.as_deref()?.split_once(':')?;
        Some((name.trim(), value.trim()))
    }
}

impl std::fmt::Debug for PurgeWebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PurgeWebhookConfig")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("ca_file", &self.ca_file)
            .field(
                "auth_header",
                &self.auth().map(|(name, _)| format!("{name}: <redacted>")),
            )
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// Most retries per webhook and purge.
pub const MAX_WEBHOOK_RETRIES: u32 = 10;

/// Checks one webhook; `Err` is (field below the webhook, message).
pub(crate) fn check_webhook(hook: &PurgeWebhookConfig) -> Result<(), (&'static str, String)> {
    let (https, rest) = match (
        hook.url.strip_prefix("http://"),
        hook.url.strip_prefix("https://"),
    ) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => {
            return Err((
                "url",
                format!("`{}` must be an http:// or https:// URL", hook.url),
            ))
        }
    };
    if let Some(path) = &hook.ca_file {
        if !https {
            return Err((
                "ca_file",
                format!(
                    "is only used with an https:// URL, and `{}` is plain http://",
                    hook.url
                ),
            ));
        }
        if !path.is_file() {
            return Err((
                "ca_file",
                format!(
                    "`{}` is not a readable file (a PEM file of CA certificates)",
                    path.display()
                ),
            ));
        }
    }
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.is_empty() || authority.contains(['@', ' ']) {
        return Err((
            "url",
            format!("`{}` needs a host: http(s)://HOST[:PORT]/PATH", hook.url),
        ));
    }
    if hook.url.parse::<http::Uri>().is_err() {
        return Err(("url", format!("`{}` is not a URL", hook.url)));
    }
    if let Some(text) = &hook.auth_header {
        let valid = hook.auth().is_some_and(|(name, value)| {
            crate::schema::http_token(name) && http::HeaderValue::from_str(value).is_ok()
        });
        if !valid {
            return Err((
                "auth_header",
                format!(
                    "must be `Name: value` (e.g. `Authorization: Bearer TOKEN`), not a {}-character value without a header name",
                    text.len()
                ),
            ));
        }
    }
    if hook.timeout.is_zero() {
        return Err(("timeout", "must be longer than 0s".into()));
    }
    if hook.retries > MAX_WEBHOOK_RETRIES {
        return Err((
            "retries",
            format!(
                "{} retries is more than the {MAX_WEBHOOK_RETRIES} allowed",
                hook.retries
            ),
        ));
    }
    Ok(())
}

/// Checks a header value set by `cdn:`.
pub(crate) fn check_header_value(value: &str) -> Result<(), String> {
    if value.trim().is_empty() || http::HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "`{value}` is not a header value (visible ASCII, not empty)"
        ));
    }
    Ok(())
}
