//! Signed action links for emails (API.md "Email links"): HMAC-SHA256 over
//! the action, the resource, the recipient, the expiry and a random token id.
//! A token is scoped to exactly one of each; the token id is what the links
//! function marks as used (`LINK#<tokenId>`), so a link works once. A link about
//! an interview also carries the interview's version it was sent for: after a
//! reschedule, the links of the older version are refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::sync::{Arc, OnceLock};

use crate::config::ConfigError;

type HmacSha256 = Hmac<Sha256>;

/// What a link does. The names are part of the signed payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAction {
    /// The advisor accepts an in-person request (books the next free time).
    AcceptInPerson,
    /// The advisor declines an in-person request.
    DeclineInPerson,
    /// The seeker acknowledges a convocation.
    AcknowledgeConvocation,
    /// The seeker cancels a non-mandatory interview.
    CancelInterview,
}

impl LinkAction {
    pub const ALL: [LinkAction; 4] = [
        LinkAction::AcceptInPerson,
        LinkAction::DeclineInPerson,
        LinkAction::AcknowledgeConvocation,
        LinkAction::CancelInterview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkAction::AcceptInPerson => "accept_in_person",
            LinkAction::DeclineInPerson => "decline_in_person",
            LinkAction::AcknowledgeConvocation => "acknowledge",
            LinkAction::CancelInterview => "cancel_interview",
        }
    }

    pub fn parse(raw: &str) -> Option<LinkAction> {
        LinkAction::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClaims {
    pub action: LinkAction,
    /// The resource: an interview id or an in-person request id.
    pub subject: String,
    /// Who may use it: a seekerId or an advisorId.
    pub recipient: String,
    pub expires_at: DateTime<Utc>,
    /// Random; the key of the "used" record.
    pub token_id: String,
    /// The version of the subject the link was sent for (interview links); `None` for links
    /// that carry none (in-person requests, links signed before versions existed).
    pub version: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is malformed")]
    Malformed,
    #[error("the link's signature does not match")]
    BadSignature,
    #[error("the link has expired")]
    Expired,
}

/// Signs and verifies links; the secret never leaves it. In AWS the secret is read on first use
/// ([`LinkSigner::ensure`], called at the start of every invocation): the Parameters and Secrets
/// extension does not serve requests during the Lambda init phase.
#[derive(Clone)]
pub struct LinkSigner {
    secret: Arc<OnceLock<Vec<u8>>>,
    /// Where to read the secret when it is not loaded yet (`LINK_SECRET_ARN`).
    secret_arn: Option<String>,
    /// Base of the links, e.g. `https://api.example.fr/prod` (the HTTP API, where `/links/{token}` lives).
    pub base_url: String,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkSigner").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

/// Ids and action names are `[A-Za-z0-9_]`: `.` separates them unambiguously.
fn plain(field: &str) -> bool {
    !field.is_empty() && field.len() <= 64 && field.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl LinkSigner {
    /// A secret shorter than 32 bytes is refused: it would be guessable.
    pub fn new(secret: &[u8], base_url: impl Into<String>) -> Option<LinkSigner> {
        (secret.len() >= MIN_SECRET_BYTES).then(|| LinkSigner {
            secret: Arc::new(OnceLock::from(secret.to_vec())),
            secret_arn: None,
            base_url: base_url.into(),
        })
    }

    /// `LINK_SECRET` (local: loaded now), else `LINK_SECRET_ARN` (AWS: read by [`LinkSigner::ensure`]).
    pub fn from_env(base_url: impl Into<String>) -> Result<LinkSigner, ConfigError> {
        if let Some(secret) = std::env::var("LINK_SECRET").ok().filter(|v| !v.is_empty()) {
            return LinkSigner::new(secret.as_bytes(), base_url)
                .ok_or_else(|| ConfigError::new("LINK_SECRET must be at least 32 bytes"));
        }
        let arn = std::env::var("LINK_SECRET_ARN")
            .map_err(|_| ConfigError::new("LINK_SECRET or LINK_SECRET_ARN must be set"))?;
        Ok(LinkSigner { secret: Arc::new(OnceLock::new()), secret_arn: Some(arn), base_url: base_url.into() })
    }

    /// Loads the secret if it is not yet (once per sandbox); an error means "retry later" (503).
    pub async fn ensure(&self) -> Result<(), ConfigError> {
        if self.secret.get().is_some() {
            return Ok(());
        }
        let arn = self.secret_arn.as_deref().ok_or_else(|| ConfigError::new("no link secret source"))?;
        let secret = read_secret(arn).await?;
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::new("the link secret must be at least 32 bytes"));
        }
        // A concurrent first use may have set it: the same value.
        let _ = self.secret.set(secret);
        Ok(())
    }

    fn mac(&self) -> Option<HmacSha256> {
        // HMAC takes keys of any length; `None` only before `ensure`.
        self.secret.get().and_then(|key| <HmacSha256 as KeyInit>::new_from_slice(key).ok())
    }

    /// A token for `action` on `subject` by `recipient`, valid for `ttl` from `now`.
    pub fn token(
        &self,
        action: LinkAction,
        subject: &str,
        recipient: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> String {
        self.sign(action, subject, recipient, None, now, ttl)
    }

    /// A token as [`LinkSigner::token`], for `version` of `subject` only.
    pub fn token_at_version(
        &self,
        action: LinkAction,
        subject: &str,
        version: u32,
        recipient: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> String {
        self.sign(action, subject, recipient, Some(version), now, ttl)
    }

    fn sign(
        &self,
        action: LinkAction,
        subject: &str,
        recipient: &str,
        version: Option<u32>,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> String {
        let token_id = ulid::Ulid::from_datetime(now.into()).to_string();
        let mut payload = format!("{}.{subject}.{recipient}.{}.{token_id}", action.as_str(), (now + ttl).timestamp());
        if let Some(version) = version {
            payload.push_str(&format!(".{version}"));
        }
        // Every handler calls `ensure` first: signing without the key is a programming error.
        let mut mac = self.mac().unwrap_or_else(|| unreachable!("LinkSigner::ensure runs before any signing"));
        mac.update(payload.as_bytes());
        let tag = mac.finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The full URL of a link.
    pub fn url(&self, action: LinkAction, subject: &str, recipient: &str, now: DateTime<Utc>, ttl: Duration) -> String {
        format!("{}/links/{}", self.base_url, self.token(action, subject, recipient, now, ttl))
    }

    /// The full URL of a link for `version` of `subject`.
    pub fn url_at_version(
        &self,
        action: LinkAction,
        subject: &str,
        version: u32,
        recipient: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> String {
        format!("{}/links/{}", self.base_url, self.token_at_version(action, subject, version, recipient, now, ttl))
    }

    /// Checks the signature (constant time), then the fields, then the expiry.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<LinkClaims, LinkError> {
        let (payload_b64, tag_b64) = token.split_once('.').ok_or(LinkError::Malformed)?;
        let payload = URL_SAFE_NO_PAD.decode(payload_b64).map_err(|_| LinkError::Malformed)?;
        let tag = URL_SAFE_NO_PAD.decode(tag_b64).map_err(|_| LinkError::Malformed)?;
        let mut mac = self.mac().ok_or(LinkError::BadSignature)?;
        mac.update(&payload);
        mac.verify_slice(&tag).map_err(|_| LinkError::BadSignature)?;
        let payload = String::from_utf8(payload).map_err(|_| LinkError::Malformed)?;
        let fields: Vec<&str> = payload.split('.').collect();
        let (action, subject, recipient, expires, token_id, version) = match fields.as_slice() {
            [action, subject, recipient, expires, token_id] => (action, subject, recipient, expires, token_id, None),
            [action, subject, recipient, expires, token_id, version] => {
                let version = version.parse::<u32>().ok().filter(|v| *v >= 1).ok_or(LinkError::Malformed)?;
                (action, subject, recipient, expires, token_id, Some(version))
            }
            _ => return Err(LinkError::Malformed),
        };
        let action = LinkAction::parse(action).ok_or(LinkError::Malformed)?;
        if ![subject, recipient, token_id].iter().all(|f| plain(f)) {
            return Err(LinkError::Malformed);
        }
        let expires_at = expires
            .parse::<i64>()
            .ok()
            .and_then(|secs| Utc.timestamp_opt(secs, 0).single())
            .ok_or(LinkError::Malformed)?;
        if expires_at <= now {
            return Err(LinkError::Expired);
        }
        Ok(LinkClaims {
            action,
            subject: (*subject).to_owned(),
            recipient: (*recipient).to_owned(),
            expires_at,
            token_id: (*token_id).to_owned(),
            version,
        })
    }
}

const MIN_SECRET_BYTES: usize = 32;

/// The Secrets Manager secret `arn`, through the AWS Parameters and Secrets Lambda Extension
/// (a local HTTP endpoint in the Lambda sandbox, with its cache; no SDK client to build).
async fn read_secret(arn: &str) -> Result<Vec<u8>, ConfigError> {
    let port = std::env::var("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT").unwrap_or_else(|_| "2773".into());
    let session = std::env::var("AWS_SESSION_TOKEN").unwrap_or_default();
    #[derive(serde::Deserialize)]
    struct SecretValue {
        #[serde(rename = "SecretString")]
        secret_string: String,
    }
    let value: SecretValue = reqwest::Client::new()
        .get(format!("http://localhost:{port}/secretsmanager/get"))
        .query(&[("secretId", arn)])
        .header("X-Aws-Parameters-Secrets-Token", session)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| ConfigError::new(format!("reading the link secret: {e}")))?
        .json()
        .await
        .map_err(|e| ConfigError::new(format!("reading the link secret: {e}")))?;
    Ok(value.secret_string.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> LinkSigner {
        LinkSigner::new(&[7u8; 32], "http://x").unwrap()
    }

    #[test]
    fn a_token_verifies_and_says_what_it_was_signed_for() {
        let now = Utc::now();
        let token = signer().token(LinkAction::AcknowledgeConvocation, "I1", "S1", now, Duration::days(7));
        let claims = signer().verify(&token, now).unwrap();
        assert_eq!(claims.action, LinkAction::AcknowledgeConvocation);
        assert_eq!((claims.subject.as_str(), claims.recipient.as_str()), ("I1", "S1"));
        assert_eq!(signer().verify(&token, now + Duration::days(8)), Err(LinkError::Expired));
        assert_eq!(claims.version, None);
        let versioned = signer().token_at_version(LinkAction::CancelInterview, "I1", 3, "S1", now, Duration::days(7));
        assert_eq!(signer().verify(&versioned, now).unwrap().version, Some(3));
    }

    #[test]
    fn altered_tokens_and_other_keys_are_refused() {
        let now = Utc::now();
        let token = signer().token(LinkAction::CancelInterview, "I1", "S1", now, Duration::days(7));
        let (payload, tag) = token.split_once('.').unwrap();
        let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let forged = URL_SAFE_NO_PAD.encode(decoded.replace("cancel_interview", "acknowledge"));
        assert_eq!(signer().verify(&format!("{forged}.{tag}"), now), Err(LinkError::BadSignature));
        let other = LinkSigner::new(&[8u8; 32], "http://x").unwrap();
        assert_eq!(other.verify(&token, now), Err(LinkError::BadSignature));
        assert_eq!(signer().verify("garbage", now), Err(LinkError::Malformed));
        assert!(LinkSigner::new(b"short", "http://x").is_none());
    }
}
