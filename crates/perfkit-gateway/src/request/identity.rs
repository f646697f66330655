//! Who sent a request, for the rate-limit phase: the user and claims of a JSON Web
//! Token, believed only once verified (`rate_limits.jwt`).
//!
//! Verification, in order: the token is read from its configured place (at most
//! [`MAX_TOKEN_LEN`] bytes); its header (never its claims) picks the candidate keys:
//! those configured for exactly the header's `alg` (HS256, RS256 or ES256; `none` and
//! every other algorithm match no key, so an HS256 token is never checked against an
//! RSA public key used as a secret) and its `kid` when both name one; the signature
//! is checked with the key's own algorithm; only then are the claims decoded and
//! `exp` (required), `nbf`, `iss` and `aud` checked, with the configured leeway. A
//! token failing any step makes the request anonymous ([`Rejection`] says why).
//!
//! A verified token is remembered ([`TokenCache`]) until its `exp`, so a client
//! sending the same token again costs a hash and a comparison instead of an RSA or
//! ECDSA check. Entries are found by a hash of the token's bytes and used only when
//! every byte matches, so a token differing anywhere (another signature over the
//! same claims) is verified in full. The cache belongs to one configuration
//! generation: a reload, which may rotate the keys, starts with an empty one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{errors::ErrorKind, Algorithm, DecodingKey, Validation};
use perfkit_config::{JwtAlgorithm, JwtConfig, TokenSource};
use serde_json::Value;

/// Longer tokens are not parsed at all.
pub(crate) const MAX_TOKEN_LEN: usize = 8 * 1024;

/// What the verified tokens of one configuration may hold, in bytes of token
/// text plus [`CACHED_OVERHEAD`] per entry.
const TOKEN_CACHE_BYTES: u64 = 8 << 20;
/// Counted per cached token for its claims and bookkeeping.
const CACHED_OVERHEAD: u64 = 512;

/// Why keys for `rate_limits.jwt` cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {cause}")]
pub struct KeyError {
    field: String,
    cause: String,
}

/// A key and the one algorithm it verifies.
struct VerifyingKey {
    algorithm: Algorithm,
    kid: Option<String>,
    key: DecodingKey,
}

/// The compiled `rate_limits.jwt` block: keys (the JWKS file read when it is built,
/// so a reload re-reads it) and the claim checks.
pub(crate) struct Verifier {
    token_from: TokenSource,
    keys: Vec<VerifyingKey>,
    validation: HashMap<Algorithm, Validation>,
    user_claim: String,
    cache: TokenCache,
}

/// Verified tokens by the xxh3 hash of their bytes, bounded by
/// [`TOKEN_CACHE_BYTES`] (quick_cache's S3-FIFO eviction).
pub(crate) struct TokenCache {
    entries: quick_cache::sync::Cache<u64, Arc<CachedToken>, TokenWeighter>,
}

struct CachedToken {
    /// The whole token: a hit needs every byte equal, not just the hash.
    token: Box<str>,
    /// The token's `exp` (Unix seconds): the entry is used only before it.
    exp: u64,
    verified: Arc<Verified>,
}

#[derive(Debug, Clone, Copy)]
struct TokenWeighter;

impl quick_cache::Weighter<u64, Arc<CachedToken>> for TokenWeighter {
    fn weight(&self, _hash: &u64, entry: &Arc<CachedToken>) -> u64 {
        entry.token.len() as u64 + CACHED_OVERHEAD
    }
}

impl TokenCache {
    fn new() -> TokenCache {
        let estimated = (TOKEN_CACHE_BYTES / (CACHED_OVERHEAD + 512)) as usize;
        TokenCache {
            entries: quick_cache::sync::Cache::with_weighter(
                estimated,
                TOKEN_CACHE_BYTES,
                TokenWeighter,
            ),
        }
    }

    /// The verified claims of `token` (whose hash is `hash`) if it was verified
    /// before and `now` (Unix seconds) is before its `exp`.
    fn get(&self, hash: u64, token: &str, now: u64) -> Option<Arc<Verified>> {
        let entry = self.entries.get(&hash)?;
        (now < entry.exp && *entry.token == *token).then(|| Arc::clone(&entry.verified))
    }

    /// Remembers a token that was just verified, if its `exp` can be read.
    fn insert(&self, hash: u64, token: &str, verified: &Arc<Verified>) {
        let Some(exp) = verified.exp() else { return };
        self.entries.insert(
            hash,
            Arc::new(CachedToken {
                token: token.into(),
                exp,
                verified: Arc::clone(verified),
            }),
        );
    }
}

/// Seconds since the Unix epoch, the clock `exp` is written in.
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("token_from", &self.token_from)
            .field("keys", &self.keys.len())
            .field("user_claim", &self.user_claim)
            .finish_non_exhaustive()
    }
}

/// The claims of a verified token.
#[derive(Debug)]
pub(crate) struct Verified {
    claims: HashMap<String, Value>,
    user_claim_value: Option<String>,
}

impl Verified {
    /// The user claim, a string or an integer.
    pub(crate) fn user(&self) -> Option<&str> {
        self.user_claim_value.as_deref()
    }

    /// A string claim.
    pub(crate) fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// `exp` in whole Unix seconds (a fractional one rounded down).
    fn exp(&self) -> Option<u64> {
        let exp = self.claims.get("exp")?;
        exp.as_u64()
            .or_else(|| exp.as_f64().filter(|e| *e >= 0.0).map(|e| e as u64))
    }
}

/// Why a request is anonymous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// No token in the configured place.
    Missing,
    /// Not three base64url parts with a JSON header, or too long.
    Malformed,
    /// No configured key verifies the header's `alg` (and `kid`), e.g. `none`.
    Algorithm,
    /// No candidate key's signature check passed.
    Signature,
    Expired,
    NotYetValid,
    Issuer,
    Audience,
    /// Signed correctly but the claims are not a JSON object or lack `exp`.
    Claims,
}

impl Verifier {
    pub(crate) fn build(config: &JwtConfig) -> Result<Verifier, KeyError> {
        let mut keys = Vec::new();
        for (i, key) in config.keys.iter().enumerate() {
            let field = |name: &str| format!("rate_limits.jwt.keys[{i}].{name}");
            let decoding = match key.algorithm {
                JwtAlgorithm::HS256 => {
                    let secret = key.secret.as_deref().unwrap_or_default();
                    DecodingKey::from_secret(secret.as_bytes())
                }
                JwtAlgorithm::RS256 | JwtAlgorithm::ES256 => {
                    let path = key.public_key_file.as_deref().ok_or_else(|| KeyError {
                        field: field("public_key_file"),
                        cause: "is required".into(),
                    })?;
                    let pem = std::fs::read(path).map_err(|e| KeyError {
                        field: field("public_key_file"),
                        cause: format!("cannot read {}: {e}", path.display()),
                    })?;
                    let parsed = if key.algorithm == JwtAlgorithm::RS256 {
                        DecodingKey::from_rsa_pem(&pem)
                    } else {
                        DecodingKey::from_ec_pem(&pem)
                    };
                    parsed.map_err(|e| KeyError {
                        field: field("public_key_file"),
                        cause: format!(
                            "{} is not a PEM {:?} public key: {e}",
                            path.display(),
                            key.algorithm
                        ),
                    })?
                }
            };
            keys.push(VerifyingKey {
                algorithm: algorithm(key.algorithm),
                kid: key.kid.clone(),
                key: decoding,
            });
        }
        if let Some(path) = &config.jwks_file {
            keys.extend(read_jwks(path)?);
        }
        let mut validation = HashMap::new();
        for key in &keys {
            validation
                .entry(key.algorithm)
                .or_insert_with(|| claim_checks(config, key.algorithm));
        }
        Ok(Verifier {
            token_from: config.token_from.clone(),
            keys,
            validation,
            user_claim: config.user_claim.clone(),
            cache: TokenCache::new(),
        })
    }

    /// The verified claims of the request's token, or why there are none.
    pub(crate) fn verify(&self, headers: &HeaderMap) -> Result<Arc<Verified>, Rejection> {
        let token = self.token(headers).ok_or(Rejection::Missing)?;
        self.verify_token(token)
    }

    /// The token's claims: from the cache when this exact token was verified before
    /// and has not expired, else verified in full (and then cached).
    pub(crate) fn verify_token(&self, token: &str) -> Result<Arc<Verified>, Rejection> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Rejection::Malformed);
        }
        let hash = xxhash_rust::xxh3::xxh3_64(token.as_bytes());
        if let Some(verified) = self.cache.get(hash, token, unix_now()) {
            return Ok(verified);
        }
        let verified = Arc::new(self.verify_uncached(token)?);
        self.cache.insert(hash, token, &verified);
        Ok(verified)
    }

    /// How many verified tokens are cached.
    #[cfg(test)]
    fn cached_tokens(&self) -> usize {
        self.cache.entries.len()
    }

    fn verify_uncached(&self, token: &str) -> Result<Verified, Rejection> {
        // Only the header is read before the signature is checked.
        let header = jsonwebtoken::decode_header(token).map_err(|_| Rejection::Malformed)?;
        let validation = self
            .validation
            .get(&header.alg)
            .ok_or(Rejection::Algorithm)?;
        let mut tried = false;
        for key in &self.keys {
            if key.algorithm != header.alg {
                continue;
            }
            if let (Some(want), Some(kid)) = (&key.kid, &header.kid) {
                if want != kid {
                    continue;
                }
            }
            tried = true;
            match jsonwebtoken::decode::<HashMap<String, Value>>(token, &key.key, validation) {
                Ok(data) => {
                    let user_claim_value = match data.claims.get(&self.user_claim) {
                        Some(Value::String(user)) => Some(user.clone()),
                        Some(Value::Number(number)) if number.is_i64() || number.is_u64() => {
                            Some(number.to_string())
                        }
                        _ => None,
                    };
                    return Ok(Verified {
                        claims: data.claims,
                        user_claim_value,
                    });
                }
                Err(error) => match error.kind() {
                    // Another key with this algorithm may have signed it.
                    ErrorKind::InvalidSignature => continue,
                    kind => return Err(rejection(kind)),
                },
            }
        }
        Err(if tried {
            Rejection::Signature
        } else {
            Rejection::Algorithm
        })
    }

    fn token<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        match &self.token_from {
            TokenSource::Authorization => headers
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(bearer),
            TokenSource::Header(name) => {
                let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
                let value = headers.get(name)?.to_str().ok()?.trim();
                Some(bearer(value).unwrap_or(value))
            }
            TokenSource::Cookie(name) => headers
                .get_all(COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    (key == name).then(|| value.trim_matches('"'))
                }),
        }
        .filter(|token| !token.is_empty())
    }
}

/// The token of `Bearer TOKEN` (scheme case-insensitive, RFC 6750 §2.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn algorithm(algorithm: JwtAlgorithm) -> Algorithm {
    match algorithm {
        JwtAlgorithm::HS256 => Algorithm::HS256,
        JwtAlgorithm::RS256 => Algorithm::RS256,
        JwtAlgorithm::ES256 => Algorithm::ES256,
    }
}

fn claim_checks(config: &JwtConfig, algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = config.leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    // A configured issuer or audience must be present, not merely not wrong.
    let mut required = vec!["exp"];
    if let Some(issuer) = &config.issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    if config.audience.is_empty() {
        validation.validate_aud = false;
    } else {
        validation.set_audience(&config.audience);
        required.push("aud");
    }
    validation.set_required_spec_claims(&required);
    validation
}

fn rejection(kind: &ErrorKind) -> Rejection {
    match kind {
        ErrorKind::ExpiredSignature => Rejection::Expired,
        ErrorKind::ImmatureSignature => Rejection::NotYetValid,
        ErrorKind::InvalidIssuer => Rejection::Issuer,
        ErrorKind::InvalidAudience => Rejection::Audience,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => Rejection::Algorithm,
        ErrorKind::InvalidSignature => Rejection::Signature,
        ErrorKind::MissingRequiredClaim(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            Rejection::Claims
        }
        _ => Rejection::Malformed,
    }
}

/// The RSA and P-256 keys of a JWKS file; symmetric and other keys are skipped (a
/// JWKS is for public keys).
fn read_jwks(path: &std::path::Path) -> Result<Vec<VerifyingKey>, KeyError> {
    let field = "rate_limits.jwt.jwks_file".to_owned();
    let text = std::fs::read_to_string(path).map_err(|e| KeyError {
        field: field.clone(),
        cause: format!("cannot read {}: {e}", path.display()),
    })?;
    let set: JwkSet = serde_json::from_str(&text).map_err(|e| KeyError {
        field: field.clone(),
        cause: format!("{} is not a JSON Web Key Set: {e}", path.display()),
    })?;
    let mut keys = Vec::new();
    for (i, jwk) in set.keys.iter().enumerate() {
        let inferred = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
            AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                Some(Algorithm::ES256)
            }
            _ => None,
        };
        let declared = match jwk.common.key_algorithm {
            None => inferred,
            Some(KeyAlgorithm::RS256) => Some(Algorithm::RS256),
            Some(KeyAlgorithm::ES256) => Some(Algorithm::ES256),
            Some(_) => None,
        };
        let Some(algorithm) = declared.filter(|alg| Some(*alg) == inferred) else {
            tracing::warn!(file = %path.display(), index = i, "JWKS key skipped: only RSA (RS256) and P-256 (ES256) public keys are used");
            continue;
        };
        let key = DecodingKey::from_jwk(jwk).map_err(|e| KeyError {
            field: field.clone(),
            cause: format!("{} key {i}: {e}", path.display()),
        })?;
        keys.push(VerifyingKey {
            algorithm,
            kid: jwk.common.key_id.clone(),
            key,
        });
    }
    if keys.is_empty() {
        return Err(KeyError {
            field,
            cause: format!(
                "{} holds no RSA or P-256 public key to verify with",
                path.display()
            ),
        });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    //! The keys under `tests/fixtures/jwt/` are test-only keys made with `openssl
    //! genpkey` (RSA 2048, P-256); `jwks-*.json` hold their public halves.

    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use jsonwebtoken::{EncodingKey, Header};
    use perfkit_config::JwtKey;
    use serde_json::json;

    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef-test-secret";

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/jwt")
            .join(name)
    }

    fn now() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    fn config(keys: Vec<JwtKey>) -> JwtConfig {
        JwtConfig {
            token_from: TokenSource::Authorization,
            keys,
            jwks_file: None,
            issuer: Some("https://issuer.example".into()),
            audience: vec!["api".into()],
            leeway: Duration::from_secs(30),
            user_claim: "sub".into(),
        }
    }

    fn hs256() -> JwtKey {
        JwtKey {
            algorithm: JwtAlgorithm::HS256,
            secret: Some(SECRET.into()),
            public_key_file: None,
            kid: None,
        }
    }

    fn public(algorithm: JwtAlgorithm, file: &str) -> JwtKey {
        JwtKey {
            algorithm,
            secret: None,
            public_key_file: Some(fixture(file)),
            kid: None,
        }
    }

    fn claims() -> Value {
        json!({
            "sub": "alice",
            "tier": "pro",
            "iss": "https://issuer.example",
            "aud": "api",
            "exp": now() + 600,
        })
    }

    fn sign(alg: Algorithm, claims: &Value) -> String {
        let key = match alg {
            Algorithm::HS256 => EncodingKey::from_secret(SECRET.as_bytes()),
            Algorithm::RS256 => {
                EncodingKey::from_rsa_pem(&std::fs::read(fixture("rsa-private.pem")).unwrap())
                    .unwrap()
            }
            Algorithm::ES256 => {
                EncodingKey::from_ec_pem(&std::fs::read(fixture("ec-private.pem")).unwrap())
                    .unwrap()
            }
            other => panic!("no test key for {other:?}"),
        };
        jsonwebtoken::encode(&Header::new(alg), claims, &key).unwrap()
    }

    /// base64url without padding (RFC 7515 §2), for hand-made tokens.
    fn b64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    fn verifier(keys: Vec<JwtKey>) -> Verifier {
        Verifier::build(&config(keys)).unwrap()
    }

    #[test]
    fn tokens_of_each_algorithm_verify_and_name_their_user_and_tier() {
        let verifier = verifier(vec![
            hs256(),
            public(JwtAlgorithm::RS256, "rsa-public.pem"),
            public(JwtAlgorithm::ES256, "ec-public.pem"),
        ]);
        for alg in [Algorithm::HS256, Algorithm::RS256, Algorithm::ES256] {
            let verified = verifier.verify_token(&sign(alg, &claims())).unwrap();
            assert_eq!(verified.user(), Some("alice"), "{alg:?}");
            assert_eq!(verified.claim("tier"), Some("pro"), "{alg:?}");
        }
    }

    #[test]
    fn a_forged_signature_is_refused() {
        let verifier = verifier(vec![public(JwtAlgorithm::RS256, "rsa-public.pem")]);
        // Signed by another RSA key.
        let other = EncodingKey::from_rsa_pem(&std::fs::read(fixture("rsa2-private.pem")).unwrap())
            .unwrap();
        let forged =
            jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims(), &other).unwrap();
        assert_eq!(
            verifier.verify_token(&forged).unwrap_err(),
            Rejection::Signature
        );
        // A genuine token whose claims were edited (tier raised) after signing.
        let genuine = sign(Algorithm::RS256, &claims());
        let parts: Vec<&str> = genuine.split('.').collect();
        let mut raised = claims();
        raised["tier"] = json!("enterprise");
        let edited = format!(
            "{}.{}.{}",
            parts[0],
            b64(raised.to_string().as_bytes()),
            parts[2]
        );
        assert_eq!(
            verifier.verify_token(&edited).unwrap_err(),
            Rejection::Signature
        );
    }

    #[test]
    fn claims_are_never_read_before_the_signature_is_verified() {
        let verifier = verifier(vec![hs256()]);
        let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
        let signature = b64(&[7u8; 32]);
        // Claims that are not even JSON: a forged token is refused for its signature,
        // so nothing looked at them first.
        let garbage = format!("{header}.{}.{signature}", b64(b"\xff not json"));
        assert_eq!(
            verifier.verify_token(&garbage).unwrap_err(),
            Rejection::Signature
        );
        // Expired claims under a forged signature: still the signature.
        let mut expired = claims();
        expired["exp"] = json!(now() - 3600);
        let forged = format!(
            "{header}.{}.{signature}",
            b64(expired.to_string().as_bytes())
        );
        assert_eq!(
            verifier.verify_token(&forged).unwrap_err(),
            Rejection::Signature
        );
    }

    #[test]
    fn a_cached_token_is_served_only_before_its_exp() {
        let verifier = verifier(vec![public(JwtAlgorithm::RS256, "rsa-public.pem")]);
        let claims = claims();
        let token = sign(Algorithm::RS256, &claims);
        let first = verifier.verify_token(&token).unwrap();
        assert_eq!(verifier.cached_tokens(), 1);
        let again = verifier.verify_token(&token).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the second check is not cached"
        );
        let exp = claims["exp"].as_u64().unwrap();
        let hash = xxhash_rust::xxh3::xxh3_64(token.as_bytes());
        assert!(verifier.cache.get(hash, &token, exp - 1).is_some());
        assert!(verifier.cache.get(hash, &token, exp).is_none());
        assert!(verifier.cache.get(hash, &token, exp + 3600).is_none());
    }

    #[test]
    fn a_cached_token_still_expires_on_time() {
        let mut config = config(vec![hs256()]);
        config.leeway = Duration::ZERO;
        let verifier = Verifier::build(&config).unwrap();
        let mut short = claims();
        let exp = now() + 1;
        short["exp"] = json!(exp);
        let token = sign(Algorithm::HS256, &short);
        assert!(verifier.verify_token(&token).is_ok());
        assert_eq!(verifier.cached_tokens(), 1);
        // The event is the clock passing `exp` (at most two seconds away).
        while now() <= exp {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(
            verifier.verify_token(&token).unwrap_err(),
            Rejection::Expired
        );
    }

    #[test]
    fn a_forged_token_with_the_same_claims_is_not_taken_from_the_cache() {
        let verifier = verifier(vec![hs256()]);
        let genuine = sign(Algorithm::HS256, &claims());
        assert!(verifier.verify_token(&genuine).is_ok());
        // The same header and claims under a signature made with another secret.
        let other = EncodingKey::from_secret(b"not-the-gateway-secret-0123456789abcdef");
        let forged =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(), &other).unwrap();
        assert_eq!(
            forged.rsplit_once('.').unwrap().0,
            genuine.rsplit_once('.').unwrap().0
        );
        assert_eq!(
            verifier.verify_token(&forged).unwrap_err(),
            Rejection::Signature
        );
        // Even a forged token whose hash collided with the genuine one's would need
        // every byte equal to be served from the cache.
        let hash = xxhash_rust::xxh3::xxh3_64(genuine.as_bytes());
        assert!(verifier.cache.get(hash, &genuine, now() as u64).is_some());
        assert!(verifier.cache.get(hash, &forged, now() as u64).is_none());
        assert_eq!(verifier.cached_tokens(), 1);
    }

    #[test]
    fn alg_none_is_refused() {
        let verifier = verifier(vec![hs256(), public(JwtAlgorithm::RS256, "rsa-public.pem")]);
        for alg in ["none", "None", "NONE"] {
            let header = b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes());
            let payload = b64(claims().to_string().as_bytes());
            for token in [
                format!("{header}.{payload}."),
                format!("{header}.{payload}"),
            ] {
                assert!(verifier.verify_token(&token).is_err(), "{token}");
            }
        }
    }

    #[test]
    fn an_hs256_token_keyed_with_the_rsa_public_key_is_refused() {
        // The classic confusion: the public key (which anyone has) used as an HMAC
        // secret, presented where an RS256 key is configured.
        let pem = std::fs::read(fixture("rsa-public.pem")).unwrap();
        let confused = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(),
            &EncodingKey::from_secret(&pem),
        )
        .unwrap();
        let rs_only = verifier(vec![public(JwtAlgorithm::RS256, "rsa-public.pem")]);
        assert_eq!(
            rs_only.verify_token(&confused).unwrap_err(),
            Rejection::Algorithm
        );
        // With an HS256 key configured too, the token is checked against that secret
        // only, never against the RSA key's bytes.
        let both = verifier(vec![public(JwtAlgorithm::RS256, "rsa-public.pem"), hs256()]);
        assert_eq!(
            both.verify_token(&confused).unwrap_err(),
            Rejection::Signature
        );
        // An RS256 token is not checked against an HS256 secret either.
        let hs_only = verifier(vec![hs256()]);
        let rs = sign(Algorithm::RS256, &claims());
        assert_eq!(hs_only.verify_token(&rs).unwrap_err(), Rejection::Algorithm);
    }

    #[test]
    fn time_issuer_and_audience_are_checked_with_the_leeway() {
        let verifier = verifier(vec![hs256()]);
        let with = |field: &str, value: Value| {
            let mut claims = claims();
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(field);
            } else {
                claims[field] = value;
            }
            verifier.verify_token(&sign(Algorithm::HS256, &claims))
        };
        assert_eq!(
            with("exp", json!(now() - 120)).unwrap_err(),
            Rejection::Expired
        );
        assert!(
            with("exp", json!(now() - 5)).is_ok(),
            "within the 30 s leeway"
        );
        assert_eq!(with("exp", Value::Null).unwrap_err(), Rejection::Claims);
        assert_eq!(
            with("nbf", json!(now() + 120)).unwrap_err(),
            Rejection::NotYetValid
        );
        assert!(
            with("nbf", json!(now() + 5)).is_ok(),
            "within the 30 s leeway"
        );
        assert_eq!(
            with("aud", json!("other")).unwrap_err(),
            Rejection::Audience
        );
        assert_eq!(with("aud", Value::Null).unwrap_err(), Rejection::Claims);
        assert!(with("aud", json!(["other", "api"])).is_ok());
        assert_eq!(
            with("iss", json!("https://evil.example")).unwrap_err(),
            Rejection::Issuer
        );
        assert_eq!(with("iss", Value::Null).unwrap_err(), Rejection::Claims);
    }

    #[test]
    fn the_token_is_read_from_its_configured_place() {
        let token = sign(Algorithm::HS256, &claims());
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, format!("bearer {token}").parse().unwrap());
        assert!(verifier(vec![hs256()]).verify(&headers).is_ok());
        headers.insert(AUTHORIZATION, format!("Basic {token}").parse().unwrap());
        assert_eq!(
            verifier(vec![hs256()]).verify(&headers).unwrap_err(),
            Rejection::Missing
        );

        let mut cookie = config(vec![hs256()]);
        cookie.token_from = TokenSource::Cookie("session".into());
        let cookie = Verifier::build(&cookie).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            format!("a=b; session={token}; c=d").parse().unwrap(),
        );
        assert_eq!(cookie.verify(&headers).unwrap().user(), Some("alice"));

        let mut header = config(vec![hs256()]);
        header.token_from = TokenSource::Header("x-token".into());
        let header = Verifier::build(&header).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-token", token.parse().unwrap());
        assert_eq!(header.verify(&headers).unwrap().user(), Some("alice"));

        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(
            verifier(vec![hs256()]).verify_token(&long).unwrap_err(),
            Rejection::Malformed
        );
    }

    #[test]
    fn a_jwks_file_supplies_keys_by_kid() {
        let mut config = config(Vec::new());
        config.jwks_file = Some(fixture("jwks-two.json"));
        let verifier = Verifier::build(&config).unwrap();
        // The file's symmetric key is skipped: RSA and P-256 only.
        assert_eq!(verifier.keys.len(), 2);
        let rsa2 = EncodingKey::from_rsa_pem(&std::fs::read(fixture("rsa2-private.pem")).unwrap())
            .unwrap();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("rsa-two".into());
        let token = jsonwebtoken::encode(&header, &claims(), &rsa2).unwrap();
        assert_eq!(verifier.verify_token(&token).unwrap().user(), Some("alice"));
        header.kid = Some("ec-two".into());
        let token = jsonwebtoken::encode(&header, &claims(), &rsa2).unwrap();
        assert_eq!(
            verifier.verify_token(&token).unwrap_err(),
            Rejection::Algorithm
        );
        // ES256 from the same file.
        assert!(verifier
            .verify_token(&sign(Algorithm::ES256, &claims()))
            .is_ok());
        // The RSA key of the other file is not in this one.
        assert_eq!(
            verifier
                .verify_token(&sign(Algorithm::RS256, &claims()))
                .unwrap_err(),
            Rejection::Signature
        );
    }

    #[test]
    fn unreadable_keys_name_their_field() {
        let missing = verifier_error(vec![public(JwtAlgorithm::RS256, "nope.pem")]);
        assert!(
            missing.starts_with("rate_limits.jwt.keys[0].public_key_file: cannot read"),
            "{missing}"
        );
        let wrong = verifier_error(vec![public(JwtAlgorithm::RS256, "jwks-one.json")]);
        assert!(wrong.contains("is not a PEM RS256 public key"), "{wrong}");
    }

    fn verifier_error(keys: Vec<JwtKey>) -> String {
        Verifier::build(&config(keys)).unwrap_err().to_string()
    }
}
