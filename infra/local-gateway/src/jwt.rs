//! Local sign-in standing in for Cognito: an RSA key made on first start and
//! kept in `.local/`, tokens signed with it, its JWKS, and the same checks the
//! API Gateway JWT authorizer makes (signature by `kid`, RS256, issuer,
//! audience, expiry).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

pub const AUDIENCE: &str = "local-web-client";
pub const TOKEN_LIFETIME_SECONDS: i64 = 12 * 3600;

pub struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    modulus: String,
    exponent: String,
    pub issuer: String,
}

impl Signer {
    /// Loads the key from `key_path`, or makes one and saves it there (tokens then survive restarts).
    pub fn load_or_create(key_path: &Path, issuer: String) -> Result<Signer> {
        let pkcs8 = match std::fs::read(key_path) {
            Ok(bytes) => bytes,
            Err(_) => {
                let key = KeyPair::generate(KeySize::Rsa2048).map_err(|_| anyhow::anyhow!("RSA key generation"))?;
                let der = key.as_der().map_err(|_| anyhow::anyhow!("RSA key encoding"))?;
                if let Some(dir) = key_path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(key_path, der.as_ref()).with_context(|| format!("writing {}", key_path.display()))?;
                der.as_ref().to_vec()
            }
        };
        let key = KeyPair::from_pkcs8(&pkcs8).map_err(|e| anyhow::anyhow!("local signing key unreadable: {e}"))?;
        let public = key.public_key();
        let modulus = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let exponent = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD
                .encode(&pkcs8)
                .as_bytes()
                .chunks(64)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).context("signing key")?;
        let decoding = DecodingKey::from_rsa_components(&modulus, &exponent).context("verification key")?;
        let kid = format!("local-{}", &modulus[..16]);
        Ok(Signer { encoding, decoding, kid, modulus, exponent, issuer })
    }

    pub fn jwks(&self) -> Value {
        json!({"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid, "n": self.modulus, "e": self.exponent}]})
    }

    /// A Cognito-like ID token, valid `lifetime_seconds`.
    pub fn issue(
        &self,
        sub: &str,
        email: Option<&str>,
        email_verified: bool,
        groups: &[String],
        lifetime_seconds: i64,
    ) -> Result<String> {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "sub": sub,
            "iss": self.issuer,
            "aud": AUDIENCE,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + lifetime_seconds,
        });
        if let Some(email) = email {
            claims["email"] = json!(email);
            claims["email_verified"] = json!(email_verified);
        }
        if !groups.is_empty() {
            claims["cognito:groups"] = json!(groups);
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        Ok(encode(&header, &claims, &self.encoding)?)
    }

    /// The verified claims, flattened to strings as API Gateway HTTP APIs put them in the request context.
    pub fn verify(&self, token: &str) -> Option<HashMap<String, String>> {
        let header = decode_header(token).ok()?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return None;
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[self.issuer.as_str()]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        validation.leeway = 0;
        let data = decode::<HashMap<String, Value>>(token, &self.decoding, &validation).ok()?;
        Some(data.claims.into_iter().map(|(k, v)| (k, flatten_claim(&v))).collect())
    }
}

/// API Gateway's rendering of a claim value: strings as they are, arrays as `[a b]`, the rest as JSON text.
fn flatten_claim(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_tampering_is_refused() {
        let dir = std::env::temp_dir().join(format!("jwt-test-{}", std::process::id()));
        let signer = Signer::load_or_create(&dir.join("key.der"), "http://local/_local".into()).unwrap();
        let token =
            signer.issue("abc", Some("a@example.fr"), true, &["advisors".into()], TOKEN_LIFETIME_SECONDS).unwrap();
        let claims = signer.verify(&token).unwrap();
        assert_eq!(claims["sub"], "abc");
        assert_eq!(claims["email_verified"], "true", "flattened as API Gateway does");
        assert_eq!(claims["cognito:groups"], "[advisors]");

        // Flip one character of the payload: the signature no longer matches.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut payload = parts[1].clone().into_bytes();
        payload[5] = if payload[5] == b'A' { b'B' } else { b'A' };
        parts[1] = String::from_utf8(payload).unwrap();
        assert!(signer.verify(&parts.join(".")).is_none());
        assert!(signer.verify("not-a-token").is_none());

        // The same key file gives the same verification key after a restart.
        let again = Signer::load_or_create(&dir.join("key.der"), "http://local/_local".into()).unwrap();
        assert!(again.verify(&token).is_some());
        let other_issuer = Signer::load_or_create(&dir.join("key.der"), "http://elsewhere".into()).unwrap();
        assert!(other_issuer.verify(&token).is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
