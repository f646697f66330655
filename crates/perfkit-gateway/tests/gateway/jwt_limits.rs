//! Rate limits keyed by verified JWT users, with tiers from a claim: genuine tokens
//! get their tier's quota; forged, `alg: none`, algorithm-confused, expired and
//! wrong-audience tokens select no tier (the request is anonymous: the rule's
//! `limit`, counted per client IP); a JWKS file is re-read on reload.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use perfkit_gateway::Gateway;
use perfkit_testkit::{Client, SampleUpstream};
use serde_json::{json, Value};

use crate::rate_limits::{config_dir, loopback_config};
use crate::support::{gateway_with, single_group, url};

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-secret";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jwt")
        .join(name)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims(user: &str, tier: &str) -> Value {
    json!({"sub": user, "tier": tier, "aud": "api", "exp": now() + 600})
}

fn rsa_token(private: &str, kid: Option<&str>, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(&std::fs::read(fixture(private)).unwrap()).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// The rules of these tests: anonymous clients get 1 request per IP, `free` users 2
/// each, `pro` users 3 each, `enterprise` no limit.
fn rules(jwt: &str) -> String {
    format!(
        "rate_limits:
  jwt:
{jwt}
    audience: [api]
  rules:
    - name: per-user
      key: [user]
      tier_from: claim:tier
      limit: {{ rate: 1, period: 1h }}
      tiers:
        free: {{ rate: 2, period: 1h }}
        pro: {{ rate: 3, period: 1h }}
        enterprise: unlimited
"
    )
}

async fn send(gateway: &Gateway, count: usize, token: &str) -> Vec<(u16, Option<String>)> {
    let client = Client::http1();
    let bearer = format!("Bearer {token}");
    let mut replies = Vec::new();
    for _ in 0..count {
        let reply = client
            .request(
                http::Method::GET,
                &url(gateway, "/x"),
                &[("authorization", bearer.as_str())],
                "",
            )
            .await
            .unwrap();
        replies.push((
            reply.status.as_u16(),
            reply.header("ratelimit-policy").map(str::to_owned),
        ));
    }
    replies
}

fn statuses(replies: &[(u16, Option<String>)]) -> Vec<u16> {
    replies.iter().map(|(status, _)| *status).collect()
}

#[tokio::test]
async fn verified_claims_choose_the_tier_and_bad_tokens_are_anonymous() {
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let jwt = format!(
        "    keys:\n      - {{ algorithm: RS256, public_key_file: {} }}\n      - {{ algorithm: HS256, secret: {SECRET} }}",
        fixture("rsa-public.pem").display()
    );
    let yaml = format!(
        "{}{}",
        single_group("round_robin", &[&upstream], ""),
        rules(&jwt)
    );
    let gateway = gateway_with("", "", &yaml).await;

    // Each user has its own quota of its tier.
    let alice = rsa_token("rsa-private.pem", None, &claims("alice", "pro"));
    let replies = send(&gateway, 4, &alice).await;
    assert_eq!(statuses(&replies), [200, 200, 200, 429]);
    assert_eq!(replies[0].1.as_deref(), Some(r#""per-user";q=3;w=3600"#));
    let bob = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims("bob", "free"),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(statuses(&send(&gateway, 3, &bob).await), [200, 200, 429]);
    let carol = rsa_token("rsa-private.pem", None, &claims("carol", "enterprise"));
    assert_eq!(statuses(&send(&gateway, 6, &carol).await), [200; 6]);

    // The one anonymous request this client IP has.
    assert_eq!(statuses(&send(&gateway, 1, "not-a-token").await), [200]);

    // Tokens that claim `enterprise` but fail verification are anonymous: the rule's
    // default limit (q=1), already spent by this IP.
    let forged = rsa_token("rsa2-private.pem", None, &claims("mallory", "enterprise"));
    let mut expired = claims("mallory", "enterprise");
    expired["exp"] = json!(now() - 3600);
    let expired = rsa_token("rsa-private.pem", None, &expired);
    let mut audience = claims("mallory", "enterprise");
    audience["aud"] = json!("another-api");
    let audience = rsa_token("rsa-private.pem", None, &audience);
    let public_pem = std::fs::read(fixture("rsa-public.pem")).unwrap();
    let confused = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims("mallory", "enterprise"),
        &EncodingKey::from_secret(&public_pem),
    )
    .unwrap();
    let none = {
        let genuine = rsa_token("rsa-private.pem", None, &claims("mallory", "enterprise"));
        let payload = genuine.split('.').nth(1).unwrap().to_owned();
        // {"alg":"none","typ":"JWT"}
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.")
    };
    for (what, token) in [
        ("forged signature", forged),
        ("expired", expired),
        ("wrong audience", audience),
        ("HS256 keyed with the RSA public key", confused),
        ("alg: none", none),
    ] {
        let replies = send(&gateway, 2, &token).await;
        assert_eq!(statuses(&replies), [429, 429], "{what}");
        assert_eq!(
            replies[0].1.as_deref(),
            Some(r#""per-user";q=1;w=3600"#),
            "{what}"
        );
    }
    // The genuine enterprise token is still unlimited.
    assert_eq!(statuses(&send(&gateway, 2, &carol).await), [200, 200]);
}

#[tokio::test]
async fn a_reload_re_reads_the_jwks_file() {
    // `Gateway::reload` is what SIGHUP runs.
    let upstream = SampleUpstream::start_named("a").await.unwrap();
    let (dir, path) = config_dir("jwks", &upstream);
    let jwks = dir.join("jwks.json");
    std::fs::copy(fixture("jwks-one.json"), &jwks).unwrap();
    let jwt = format!("    jwks_file: {}", jwks.display());
    let yaml = format!(
        "{}{}",
        single_group("round_robin", &[&upstream], ""),
        rules(&jwt)
    );
    std::fs::write(&path, loopback_config(&yaml)).unwrap();
    let config = perfkit_config::Config::load(&path).unwrap();
    let gateway = Gateway::start(config, Some(path.clone())).await.unwrap();

    let one = rsa_token(
        "rsa-private.pem",
        Some("rsa-one"),
        &claims("ann", "enterprise"),
    );
    let two = rsa_token(
        "rsa2-private.pem",
        Some("rsa-two"),
        &claims("ben", "enterprise"),
    );
    assert_eq!(statuses(&send(&gateway, 3, &one).await), [200; 3]);
    // Key two is not in the file yet: anonymous, one request.
    assert_eq!(statuses(&send(&gateway, 2, &two).await), [200, 429]);

    // The key is rotated in the file; a reload reads it.
    std::fs::copy(fixture("jwks-two.json"), &jwks).unwrap();
    assert_eq!(gateway.reload().await.unwrap(), 2);
    assert_eq!(statuses(&send(&gateway, 3, &two).await), [200; 3]);
    assert_eq!(statuses(&send(&gateway, 1, &one).await), [429]);

    // A JWKS file that no longer parses fails the reload and keeps the running keys.
    std::fs::write(&jwks, "{\"keys\": 7}").unwrap();
    let error = gateway.reload().await.unwrap_err().to_string();
    assert!(
        error.contains("rate_limits.jwt.jwks_file") && error.contains("not a JSON Web Key Set"),
        "{error}"
    );
    assert_eq!(statuses(&send(&gateway, 2, &two).await), [200, 200]);
    gateway.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
