//! The `/_local/*` routes (sign-in, the mail received, schedules, the Chime emulator's controls)
//! exist only on a developer's machine. The gateway listens on 127.0.0.1 only, but a web page
//! can still reach a loopback port through DNS rebinding (a name that resolves to 127.0.0.1,
//! sent with that name as `Host`): these routes answer only a request whose `Host` names the
//! loopback itself, so a page of another site cannot mint tokens or read mail.

use axum::extract::Request;
use axum::http::{header::HOST, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Refuses `/_local/*` requests whose `Host` is not a loopback name (403, JSON like the API).
pub async fn loopback_host_only(request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/_local") {
        let host = request.headers().get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        if !is_loopback_host(host) {
            let body =
                json!({"error": {"code": "local_only", "message": "local routes answer only on a loopback host"}});
            return (StatusCode::FORBIDDEN, Json(body)).into_response();
        }
    }
    next.run(request).await
}

/// `127.0.0.1`, `localhost` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map(|(inside, _)| inside).unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    matches!(name.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "::1")
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_names_pass() {
        for ok in ["127.0.0.1", "127.0.0.1:3000", "localhost:3100", "LOCALHOST", "[::1]:3000", "[::1]"] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for refused in [
            "",
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "localhost.evil.example:80",
            "[::2]:3000",
            "10.0.0.1",
        ] {
            assert!(!is_loopback_host(refused), "{refused}");
        }
    }
}
