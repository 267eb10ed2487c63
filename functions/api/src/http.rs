//! JSON in and out at the HTTP boundary: body parsing with clear 4xx errors,
//! responses, path and query parameters, list pagination.

use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;

/// Larger bodies are refused before parsing: no valid request comes near it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn json_response(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    match serde_json::to_string(value) {
        Ok(text) => Response::builder()
            .status(status)
            .header(CONTENT_TYPE, "application/json")
            .body(Body::Text(text))
            .unwrap_or_else(|_| Response::new(Body::Empty)),
        Err(e) => error_response(&ApiError::Internal(Box::new(e))),
    }
}

pub fn no_content() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

pub fn error_response(error: &ApiError) -> Response<Body> {
    error.log();
    let mut response = json_response(error.status(), &error.body());
    match error {
        ApiError::Unavailable(_) => {
            response.headers_mut().insert(RETRY_AFTER, http::HeaderValue::from_static("1"));
        }
        ApiError::TooManyRequests { retry_after_seconds, .. } => {
            response.headers_mut().insert(RETRY_AFTER, http::HeaderValue::from(*retry_after_seconds));
        }
        _ => {}
    }
    response
}

/// Turns a handler result into the response API Gateway sends.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(|e| error_response(&e))
}

/// The frame every HTTP function puts around its route dispatch: the work runs in a `request`
/// span named after the route, within the invocation's deadline ([`crate::deadline`]) and in
/// an audit scope (the audit entries of its access checks are written beside it and awaited
/// before the answer), its result becomes the response, and the status is logged.
pub async fn answer(
    request: &Request,
    route: &str,
    work: impl std::future::Future<Output = Result<Response<Body>, ApiError>>,
) -> Response<Body> {
    use tracing::Instrument;
    let span = tracing::info_span!("request", route = %route);
    let deadline = crate::deadline::of_request(request);
    let request_id = request_id(request);
    async {
        let work = crate::audit::scoped(route, &request_id, work);
        let response = respond(crate::deadline::within(deadline, work).await);
        tracing::info!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await
}

/// Parses a JSON body into `T` (which should `deny_unknown_fields`), with a clear 4xx on any problem.
pub fn parse_body<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = match request.body() {
        Body::Empty => b"",
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("invalid_body", "a JSON body is required"));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        // serde's message names the field and what was expected; cut it short so a huge value is never echoed back.
        let mut message: String = e.to_string().chars().take(300).collect();
        if message.is_empty() {
            message = "the body is not valid JSON".into();
        }
        ApiError::bad_request("invalid_body", message)
    })
}

pub fn path_param(request: &Request, name: &str) -> Result<String, ApiError> {
    request
        .path_parameters_ref()
        .and_then(|p| p.first(name))
        .map(str::to_owned)
        .ok_or_else(|| ApiError::bad_request("missing_parameter", format!("path parameter {name} is missing")))
}

pub fn query_param(request: &Request, name: &str) -> Option<String> {
    request.query_string_parameters_ref().and_then(|q| q.first(name)).map(str::to_owned)
}

/// The route API Gateway matched, e.g. `PUT /seekers/{seekerId}/level`.
pub fn route_key(request: &Request) -> String {
    use lambda_http::request::RequestContext;
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.route_key.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// API Gateway's id of the request (the `requestId` of its access log line).
pub fn request_id(request: &Request) -> String {
    use lambda_http::request::RequestContext;
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

pub use store::page::{encode_cursor, encode_list_cursor, Page};

/// The page a list route was asked for: `?limit=` (default 50, 1 to 200) and `?cursor=`.
pub fn page(request: &Request) -> Result<Page, ApiError> {
    let limit = match query_param(request, "limit") {
        None => 50,
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|l| (1..=200).contains(l))
            .ok_or_else(|| ApiError::bad_request("invalid_limit", "limit must be a number from 1 to 200"))?,
    };
    let list = list_of(request);
    let start_key = query_param(request, "cursor").map(|c| store::page::decode_list_cursor(&c, &list)).transpose()?;
    Ok(Page { limit, start_key, list: Some(list) })
}

/// Which list a request reads: a digest of its route and its parameters other than `cursor` and
/// `limit` (the partition, the caller's, is checked by the query). A cursor made for
/// `scope=past` or another range is refused by `scope=upcoming`, whatever its key.
fn list_of(request: &Request) -> String {
    use sha2::{Digest, Sha256};
    let mut parameters: Vec<(String, String)> = request
        .query_string_parameters_ref()
        .map(|q| {
            q.iter()
                .filter(|(name, _)| !matches!(*name, "cursor" | "limit"))
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    parameters.sort();
    let mut digest = Sha256::new();
    digest.update(route_key(request).as_bytes());
    for (name, value) in parameters {
        digest.update([0]);
        digest.update(name.as_bytes());
        digest.update([1]);
        digest.update(value.as_bytes());
    }
    digest.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// A list answer: `{"items": [...], "nextCursor": "…"}` (no cursor on the last page).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListBody<T: Serialize> {
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_the_contract_shape() {
        let response = error_response(&ApiError::conflict("slot_taken", "someone was first"));
        assert_eq!(response.status(), 409);
        let Body::Text(text) = response.body() else { panic!("text body expected") };
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(value["error"]["code"], "slot_taken");
        assert_eq!(value["error"]["message"], "someone was first");
        let unavailable = error_response(&ApiError::Unavailable("down".into()));
        assert_eq!(unavailable.status(), 503);
        assert!(unavailable.headers().contains_key(RETRY_AFTER));
        let Body::Text(text) = unavailable.body() else { panic!("text body expected") };
        assert!(!text.contains("down"), "the source is never sent");
    }
}
