//! The HTTP API: matches a request to a template route as API Gateway does,
//! runs the JWT authorizer, builds the payload-2.0 event AWS would send and
//! hands it to the function through `lambda_http`'s own conversion.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::template::Route;
use crate::Gateway;

/// A route and the path parameters it captured.
pub fn match_route<'a>(routes: &'a [Route], method: &str, path: &str) -> Option<(&'a Route, BTreeMap<String, String>)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let mut best: Option<(usize, &Route, BTreeMap<String, String>)> = None;
    for route in routes.iter().filter(|r| r.method == method || r.method == "ANY") {
        let pattern: Vec<&str> = route.path.trim_end_matches('/').split('/').skip(1).collect();
        let mut params = BTreeMap::new();
        let mut literal = 0;
        let mut matched = true;
        for (i, part) in pattern.iter().enumerate() {
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix("+}")) {
                // Greedy variable: the rest of the path.
                if i >= segments.len() {
                    matched = false;
                    break;
                }
                params.insert(name.to_owned(), decode(&segments[i..].join("/")));
                break;
            }
            let Some(segment) = segments.get(i) else {
                matched = false;
                break;
            };
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                if segment.is_empty() {
                    matched = false;
                    break;
                }
                params.insert(name.to_owned(), decode(segment));
            } else if part == segment {
                literal += 1;
            } else {
                matched = false;
                break;
            }
            if i == pattern.len() - 1 && segments.len() != pattern.len() {
                matched = false;
            }
        }
        if pattern.is_empty() && !segments.is_empty() {
            matched = false;
        }
        // The most specific route wins (more literal segments), as in API Gateway.
        if matched && best.as_ref().is_none_or(|(score, _, _)| literal > *score) {
            best = Some((literal, route, params));
        }
    }
    best.map(|(_, route, params)| (route, params))
}

fn decode(segment: &str) -> String {
    percent_decode(segment, false)
}

/// `%XX` decoding; `+` means a space only in query strings.
fn percent_decode(raw: &str, plus_is_space: bool) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&raw[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn api_gateway_message(status: StatusCode, message: &str) -> Response {
    (status, [("content-type", "application/json")], json!({"message": message}).to_string()).into_response()
}

/// Serves one API request.
pub async fn serve(gateway: &Gateway, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let Some((route, path_parameters)) = match_route(&gateway.template.routes, method.as_str(), &path) else {
        return api_gateway_message(StatusCode::NOT_FOUND, "Not Found");
    };
    let claims = if route.authorized {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
        match token.and_then(|t| gateway.signer.verify(&t)) {
            Some(claims) => Some(claims),
            None => return api_gateway_message(StatusCode::UNAUTHORIZED, "Unauthorized"),
        }
    } else {
        None
    };
    let event = build_event(gateway, route, &method, &uri, &headers, &body, path_parameters, claims);
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(request) => request,
        Err(error) => {
            tracing::error!(%error, "event did not convert");
            return api_gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
    };
    let timeout = crate::functions::local_timeout(gateway.template.timeout_of(&route.function));
    match gateway.functions.invoke_http(&route.function, request, timeout).await {
        Ok(response) => to_axum(response),
        Err(error) => {
            tracing::error!(function = %route.function, %error, "function failed");
            api_gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// The API Gateway HTTP API payload format 2.0.
#[allow(clippy::too_many_arguments)]
fn build_event(
    gateway: &Gateway,
    route: &Route,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    path_parameters: BTreeMap<String, String>,
    claims: Option<HashMap<String, String>>,
) -> Value {
    let mut header_map: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| c.trim().to_owned()));
            continue;
        }
        header_map
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value)
            })
            .or_insert(value);
    }
    let raw_query = uri.query().unwrap_or("").to_owned();
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        query
            .entry(percent_decode(k, true))
            .and_modify(|existing| {
                existing.push(',');
                existing.push_str(&percent_decode(v, true))
            })
            .or_insert_with(|| percent_decode(v, true));
    }
    let now = chrono::Utc::now();
    let (body_value, is_base64) = match std::str::from_utf8(body) {
        _ if body.is_empty() => (Value::Null, false),
        Ok(text) => (Value::String(text.to_owned()), false),
        Err(_) => (Value::String(STANDARD.encode(body)), true),
    };
    let mut context = json!({
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1"),
        "domainPrefix": "local",
        "http": {
            "method": method.as_str(),
            "path": uri.path(),
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": headers.get("user-agent").and_then(|h| h.to_str().ok()).unwrap_or(""),
        },
        "requestId": ulid::Ulid::new().to_string(),
        "routeKey": route.key(),
        "stage": "$default",
        "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
        "timeEpoch": now.timestamp_millis(),
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let _ = gateway;
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.key(),
        "rawPath": uri.path(),
        "rawQueryString": raw_query,
        "headers": header_map,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = json!(query);
    }
    if !path_parameters.is_empty() {
        event["pathParameters"] = json!(path_parameters);
    }
    if !body_value.is_null() {
        event["body"] = body_value;
    }
    event
}

fn to_axum(response: lambda_http::Response<lambda_http::Body>) -> Response {
    let (parts, body) = response.into_parts();
    let bytes: Vec<u8> = match body {
        lambda_http::Body::Empty => Vec::new(),
        lambda_http::Body::Text(text) => text.into_bytes(),
        lambda_http::Body::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    let mut out = Response::new(axum::body::Body::from(bytes));
    *out.status_mut() = parts.status;
    *out.headers_mut() = parts.headers;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        Route { method: method.into(), path: path.into(), function: "F".into(), authorized: true }
    }

    #[test]
    fn literal_routes_win_over_variables_and_params_are_captured() {
        let routes =
            vec![route("GET", "/seekers/{seekerId}"), route("GET", "/seekers/me"), route("GET", "/seekers/me/export")];
        let (r, params) = match_route(&routes, "GET", "/seekers/me").unwrap();
        assert_eq!(r.path, "/seekers/me");
        assert!(params.is_empty());
        let (r, params) = match_route(&routes, "GET", "/seekers/01ABC").unwrap();
        assert_eq!(r.path, "/seekers/{seekerId}");
        assert_eq!(params["seekerId"], "01ABC");
        assert!(match_route(&routes, "POST", "/seekers/me").is_none());
        assert!(match_route(&routes, "GET", "/seekers/a/b").is_none());
        assert!(match_route(&routes, "GET", "/seekers").is_none());
        assert_eq!(match_route(&routes, "GET", "/seekers/a%20b").unwrap().1["seekerId"], "a b");
    }
}
