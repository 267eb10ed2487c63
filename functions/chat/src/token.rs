//! Verifies the `token` query parameter of `$connect`: a browser cannot set an
//! `Authorization` header on a WebSocket, so the connect handler makes the
//! checks the HTTP API's JWT authorizer makes (RS256 signature by `kid` from
//! the user pool's JWKS, issuer, audience or client id, expiry) and nothing
//! else reaches the relay without them.
//!
//! The JWKS is fetched once and cached; an unknown `kid` (key rotation)
//! refetches it, at most once a minute so forged `kid`s cannot flood the
//! key endpoint.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use api::auth::Caller;
use api::ApiError;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

/// Where the keys are and what the tokens must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    /// `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` in AWS.
    pub issuer: String,
    /// The app client id: the `aud` of ID tokens, the `client_id` of access tokens.
    pub audience: String,
    /// `<issuer>/.well-known/jwks.json` unless set otherwise (the local gateway serves its own).
    pub jwks_url: String,
}

const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

pub struct TokenVerifier {
    settings: TokenSettings,
    http: reqwest::Client,
    cache: RwLock<KeyCache>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    token_use: Option<String>,
    #[serde(default, rename = "cognito:groups")]
    groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, wanted: &str) -> bool {
        match self {
            Audience::One(a) => a == wanted,
            Audience::Many(list) => list.iter().any(|a| a == wanted),
        }
    }
}

impl TokenVerifier {
    pub fn new(settings: TokenSettings) -> TokenVerifier {
        let http = reqwest::Client::builder().timeout(FETCH_TIMEOUT).build().unwrap_or_default();
        TokenVerifier { settings, http, cache: RwLock::new(KeyCache::default()) }
    }

    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// Fetches the keys ahead of the first connection (cold start); a failure is retried on demand.
    pub async fn prefetch(&self) {
        if let Err(error) = self.refresh(true).await {
            tracing::warn!(error = %error, "JWKS prefetch failed; will retry on the first connection");
        }
    }

    /// The caller named by a valid token and when the token expires (epoch seconds); 401 for
    /// anything else.
    pub async fn verify(&self, token: &str) -> Result<(Caller, i64), ApiError> {
        let header = decode_header(token).map_err(|_| ApiError::Unauthorized)?;
        if header.alg != Algorithm::RS256 {
            return Err(ApiError::Unauthorized);
        }
        let kid = header.kid.ok_or(ApiError::Unauthorized)?;
        let key = match self.key(&kid).await {
            Some(key) => key,
            None => {
                self.refresh(false).await?;
                self.key(&kid).await.ok_or(ApiError::Unauthorized)?
            }
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[self.settings.issuer.as_str()]);
        // Checked below: ID tokens carry `aud`, access tokens `client_id`, as the JWT authorizer accepts.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        let claims = decode::<Claims>(token, &key, &validation).map_err(|_| ApiError::Unauthorized)?.claims;
        let audience_ok = claims.aud.as_ref().is_some_and(|a| a.contains(&self.settings.audience))
            || claims.client_id.as_deref() == Some(self.settings.audience.as_str());
        let use_ok = claims.token_use.as_deref().is_none_or(|u| u == "id" || u == "access");
        if !audience_ok || !use_ok || claims.sub.is_empty() {
            return Err(ApiError::Unauthorized);
        }
        // The chat relay never writes to the caller's own address: it needs no email claim.
        Ok((Caller { sub: claims.sub, groups: claims.groups, verified_email: None }, claims.exp))
    }

    async fn key(&self, kid: &str) -> Option<DecodingKey> {
        self.cache.read().await.keys.get(kid).cloned()
    }

    /// Reloads the key set; unless `force`, not more than once a minute.
    async fn refresh(&self, force: bool) -> Result<(), ApiError> {
        let mut cache = self.cache.write().await;
        if !force && cache.fetched_at.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL) {
            return Ok(());
        }
        let set: JwkSet = self
            .http
            .get(&self.settings.jwks_url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| ApiError::Unavailable(Box::new(e)))?
            .json()
            .await
            .map_err(|e| ApiError::Unavailable(Box::new(e)))?;
        let keys = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                DecodingKey::from_jwk(jwk).ok().map(|key| (kid, key))
            })
            .collect();
        cache.keys = keys;
        cache.fetched_at = Some(Instant::now());
        Ok(())
    }
}
