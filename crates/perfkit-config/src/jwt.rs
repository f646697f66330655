//! `rate_limits.jwt`: how the gateway verifies a request's JSON Web Token before a
//! rule may count per its user (`key: [user]`) or read its tier from a claim
//! (`tier_from: claim:NAME`).

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Verification of bearer tokens. A token is believed only when its signature checks
/// against one of the configured keys with that key's algorithm, and its `exp` (always
/// required), `nbf`, `iss` and `aud` hold; otherwise the request is anonymous.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// Where the token is read: `authorization` (`Authorization: Bearer TOKEN`, the
    /// default), `header:NAME` or `cookie:NAME`.
    #[serde(default)]
    pub token_from: TokenSource,
    /// Keys given in the config file, each with the one algorithm it verifies.
    #[serde(default)]
    pub keys: Vec<JwtKey>,
    /// A JSON Web Key Set file (RSA and P-256 EC public keys), read at start and on
    /// every reload (SIGHUP).
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// The `iss` a token must carry, when set.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The `aud` a token must carry (one of), when set.
    #[serde(default)]
    pub audience: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`.
    #[serde(with = "humantime_serde", default = "default_leeway")]
    pub leeway: Duration,
    /// The claim naming the user (`key: [user]`).
    #[serde(default = "default_user_claim")]
    pub user_claim: String,
}

fn default_leeway() -> Duration {
    Duration::from_secs(30)
}
fn default_user_claim() -> String {
    "sub".into()
}

/// The longest leeway accepted: more would make `exp` meaningless.
pub const MAX_JWT_LEEWAY: Duration = Duration::from_secs(300);
/// The shortest HS256 secret accepted (RFC 7518 §3.2: at least the hash's size).
pub const MIN_HS256_SECRET: usize = 32;

/// One verification key.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JwtKey {
    pub algorithm: JwtAlgorithm,
    /// HS256 only: the shared secret (at least 32 bytes). Redacted when shown.
    #[serde(default)]
    pub secret: Option<String>,
    /// RS256/ES256 only: a PEM public key file (`-----BEGIN PUBLIC KEY-----`).
    #[serde(default)]
    pub public_key_file: Option<PathBuf>,
    /// When set, only tokens whose header names this `kid` are tried against the key.
    #[serde(default)]
    pub kid: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
pub enum JwtAlgorithm {
    HS256,
    RS256,
    ES256,
}

/// Where a token is read, written `authorization`, `header:NAME` or `cookie:NAME`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(try_from = "String", into = "String")]
pub enum TokenSource {
    #[default]
    Authorization,
    Header(String),
    Cookie(String),
}

impl TryFrom<String> for TokenSource {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        if text == "authorization" {
            return Ok(TokenSource::Authorization);
        }
        if let Some(name) = text.strip_prefix("header:") {
            if crate::schema::http_token(name) {
                return Ok(TokenSource::Header(name.to_ascii_lowercase()));
            }
        }
        if let Some(name) = text.strip_prefix("cookie:") {
            if crate::schema::http_token(name) {
                return Ok(TokenSource::Cookie(name.to_owned()));
            }
        }
        Err(format!(
            "`{text}` is not a token source; use `authorization`, `header:NAME` or `cookie:NAME`"
        ))
    }
}

impl From<TokenSource> for String {
    fn from(source: TokenSource) -> String {
        match source {
            TokenSource::Authorization => "authorization".into(),
            TokenSource::Header(name) => format!("header:{name}"),
            TokenSource::Cookie(name) => format!("cookie:{name}"),
        }
    }
}

impl JwtConfig {
    /// Replaces HS256 secrets with `<redacted>`.
    pub fn redact(&mut self) {
        for key in &mut self.keys {
            if key.secret.is_some() {
                key.secret = Some("<redacted>".into());
            }
        }
    }
}

/// The rules a well-formed `jwt:` block must also satisfy: (field, message).
pub(crate) fn check(jwt: &JwtConfig, at: &str) -> Result<(), (String, String)> {
    if jwt.keys.is_empty() && jwt.jwks_file.is_none() {
        return Err((
            at.into(),
            "needs `keys` or a `jwks_file` to verify tokens with".into(),
        ));
    }
    if jwt.leeway > MAX_JWT_LEEWAY {
        return Err((
            format!("{at}.leeway"),
            format!("must be at most {}s", MAX_JWT_LEEWAY.as_secs()),
        ));
    }
    if jwt.user_claim.is_empty() {
        return Err((format!("{at}.user_claim"), "must not be empty".into()));
    }
    for (i, key) in jwt.keys.iter().enumerate() {
        let at = format!("{at}.keys[{i}]");
        match key.algorithm {
            JwtAlgorithm::HS256 => {
                let Some(secret) = &key.secret else {
                    return Err((format!("{at}.secret"), "HS256 needs a `secret`".into()));
                };
                if secret.len() < MIN_HS256_SECRET {
                    return Err((
                        format!("{at}.secret"),
                        format!("must be at least {MIN_HS256_SECRET} bytes (RFC 7518 §3.2)"),
                    ));
                }
                if key.public_key_file.is_some() {
                    return Err((
                        format!("{at}.public_key_file"),
                        "HS256 verifies with its `secret`; a public key is for RS256/ES256".into(),
                    ));
                }
            }
            JwtAlgorithm::RS256 | JwtAlgorithm::ES256 => {
                if key.secret.is_some() {
                    return Err((
                        format!("{at}.secret"),
                        format!(
                            "{:?} verifies with a `public_key_file`, never a shared secret",
                            key.algorithm
                        ),
                    ));
                }
                if key.public_key_file.is_none() {
                    return Err((
                        format!("{at}.algorithm"),
                        format!("{:?} needs a `public_key_file`", key.algorithm),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::rate_limits::tests::parse;
    use crate::{KeyPart, TierSource};

    use super::*;

    #[test]
    fn jwt_users_and_claim_tiers_parse() {
        let config = parse(
            "  jwt:
    token_from: cookie:session
    keys:
      - {algorithm: HS256, secret: 0123456789abcdef0123456789abcdef}
      - {algorithm: ES256, public_key_file: keys/es.pem, kid: k2}
    jwks_file: keys/jwks.json
    issuer: https://id.example
    audience: [api]
  rules:
    - name: per-user
      key: [user]
      tier_from: claim:plan
      limit: {rate: 100, period: 1h}
      tiers: {pro: {rate: 1000, period: 1h}, enterprise: unlimited}
",
        )
        .unwrap();
        let limits = &config.rate_limits;
        let jwt = limits.jwt.as_ref().unwrap();
        assert_eq!(jwt.token_from, TokenSource::Cookie("session".into()));
        assert_eq!(jwt.leeway, Duration::from_secs(30));
        assert_eq!(jwt.user_claim, "sub");
        assert_eq!(jwt.keys[1].algorithm, JwtAlgorithm::ES256);
        assert_eq!(limits.rules[0].key, [KeyPart::User]);
        assert_eq!(
            limits.rules[0].tier_from,
            Some(TierSource::Claim("plan".into()))
        );
        let shown = config.to_redacted_yaml();
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }

    #[test]
    fn bad_jwt_blocks_point_at_their_line_and_field() {
        let rule =
            "  rules:\n    - name: a\n      key: [user]\n      limit: {rate: 1, period: 1m}\n";
        let cases = [
            (
                rule.to_owned(),
                "perfkit.yml:3:7: rate_limits.rules[0]: uses a JWT (`user` key or `claim:` tier); set `rate_limits.jwt`",
            ),
            (
                format!("  jwt:\n    keys:\n      - {{algorithm: HS256, secret: short}}\n{rule}"),
                "perfkit.yml:4:28: rate_limits.jwt.keys[0].secret: must be at least 32 bytes (RFC 7518 §3.2)",
            ),
            (
                format!("  jwt:\n    keys:\n      - {{algorithm: RS256, secret: 0123456789abcdef0123456789abcdef}}\n{rule}"),
                "perfkit.yml:4:28: rate_limits.jwt.keys[0].secret: RS256 verifies with a `public_key_file`, never a shared secret",
            ),
            (
                format!("  jwt:\n    audience: [api]\n{rule}"),
                "perfkit.yml:2:3: rate_limits.jwt: needs `keys` or a `jwks_file` to verify tokens with",
            ),
            (
                format!("  jwt:\n    jwks_file: k.json\n    leeway: 1h\n{rule}"),
                "perfkit.yml:4:5: rate_limits.jwt.leeway: must be at most 300s",
            ),
        ];
        for (section, expected) in cases {
            let error = parse(&section).unwrap_err().to_string();
            assert_eq!(error, expected, "{section}");
        }
        let error = parse("  jwt:\n    jwks_file: k.json\n    token_from: query:t\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("`query:t` is not a token source"), "{error}");
        let error = parse("  jwt:\n    keys: [{algorithm: none}]\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("perfkit.yml:3:"), "{error}");
    }
}
