//! The one error type of the HTTP boundary and its mapping to status codes.
//!
//! The body is always `{"error": {"code", "message"}}`; the source chain is
//! logged, never sent.

use std::error::Error as StdError;

use http::StatusCode;
use serde_json::json;

pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be understood (malformed JSON, wrong types, unknown fields).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: no identity (the authorizer lets nothing through without one; kept for defence in depth).
    #[error("authentication required")]
    Unauthorized,
    /// 403: the caller's role may not do this.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 404: nothing the caller may see has this id.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// 409: the state forbids it now (a lost race, a duplicate, a full portfolio).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 413: the body is larger than any valid request.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 422: well-formed but breaks a rule (invalid email, consent refused, same level).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// 429: the caller's own limit is reached (`rate_limited` chat frames, `too_many_actions`
    /// actions that send email); `Retry-After` says when its window ends.
    #[error("{message}")]
    TooManyRequests { code: &'static str, message: String, retry_after_seconds: u64 },
    /// 503: a dependency is throttling or down; the request changed nothing and may be retried.
    #[error("service temporarily unavailable")]
    Unavailable(#[source] BoxError),
    /// 500: a bug or an unexpected answer; details only in the logs.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into() }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden { code: "forbidden", message: message.into() }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound { code: "not_found", message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unprocessable { code, message: message.into() }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Forbidden { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. }
            | Self::TooManyRequests { code, .. } => code,
            Self::Unauthorized => "unauthorized",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The JSON body sent to the client: never the source chain.
    pub fn body(&self) -> serde_json::Value {
        json!({"error": {"code": self.code(), "message": self.to_string()}})
    }

    /// Logs server-side failures with their source chain (no personal data is put in errors).
    pub fn log(&self) {
        match self {
            Self::Unavailable(source) | Self::Internal(source) => {
                tracing::error!(code = self.code(), error = %error_chain(source.as_ref()), "request failed");
            }
            _ => tracing::info!(code = self.code(), status = self.status().as_u16(), "request refused"),
        }
    }
}

/// `a: b: c` from an error and its sources, for the log: email addresses and phone numbers
/// that an SDK's message may carry (SES names recipients, a validation message may quote a
/// value) are masked, so no log line holds them whatever the source says.
pub fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    redact_personal_data(&text)
}

/// `text` with every email-like token (`x@y`) replaced by `<email>` and every run of 9 or more
/// digits (a phone number, with or without `+`, spaces or dots between pairs) by `<number>`.
pub fn redact_personal_data(text: &str) -> String {
    let is_address_char = |c: char| c.is_alphanumeric() || "._%+-'!#$&*=?^`{|}~".contains(c);
    let chars: Vec<char> = text.chars().collect();
    let mut masked = vec![false; chars.len()];
    for (at, _) in chars.iter().enumerate().filter(|(_, c)| **c == '@') {
        let start = (0..at).rev().take_while(|i| is_address_char(chars[*i])).last().unwrap_or(at);
        let end = (at + 1..chars.len()).take_while(|i| is_address_char(chars[*i]) || chars[*i] == '@').last();
        masked[start..=end.unwrap_or(at)].iter_mut().for_each(|m| *m = true);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if masked[i] {
            out.push_str("<email>");
            while i < chars.len() && masked[i] {
                i += 1;
            }
            continue;
        }
        // A number: digits, possibly a leading `+`, separated by single spaces or dots.
        let mut j = i + usize::from(chars[i] == '+');
        let mut digits = 0;
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits += 1;
                j += 1;
            } else if (chars[j] == ' ' || chars[j] == '.')
                && chars.get(j + 1).is_some_and(char::is_ascii_digit)
                && digits > 0
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= 9 {
            out.push_str("<number>");
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

impl From<domain::Invalid> for ApiError {
    fn from(invalid: domain::Invalid) -> Self {
        ApiError::Unprocessable { code: invalid.code, message: invalid.message }
    }
}

impl From<store::StoreError> for ApiError {
    fn from(error: store::StoreError) -> Self {
        match error {
            store::StoreError::Unavailable(source) => ApiError::Unavailable(source),
            store::StoreError::Internal(source) => ApiError::Internal(source),
            store::StoreError::InvalidCursor => {
                ApiError::bad_request("invalid_cursor", "cursor is not one this list returned")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_chains_never_carry_addresses_or_phone_numbers() {
        let source: BoxError =
            "Illegal address: Zoe.Durand+x@example.fr; identities failed: a@b.fr, call +33 6 12 34 56 78 or 0612345678"
                .into();
        let error = ApiError::Internal(source);
        let chain = error_chain(&error);
        assert_eq!(
            chain,
            "internal error: Illegal address: <email>; identities failed: <email>, call <number> or <number>"
        );
        // Ordinary text, codes, short numbers and ids stay readable.
        assert_eq!(
            redact_personal_data("status 503 after 2 attempts (code ConditionalCheckFailed)"),
            "status 503 after 2 attempts (code ConditionalCheckFailed)"
        );
    }
}
