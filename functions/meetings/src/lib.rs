//! The `meetings` functions (API.md: Video): joining and ending the Chime SDK
//! meeting of a video interview, the scheduled end of meetings whose interview
//! is over, and the attendance proof recorded from Chime meeting events.
//!
//! Three Lambda binaries share this library: `meetings` (HTTP routes),
//! `meeting-sweeper` (EventBridge schedule) and `meeting-events` (EventBridge
//! rule on `aws.chime` "Chime Meeting State Change").

pub mod attendance;
pub mod chime;
mod join;
pub mod policy;
pub mod sweeper;
pub mod views;

use api::auth::Caller;
use api::config::Config;
use api::http::{answer, route_key};
use api::ApiError;
use chrono::Utc;
use lambda_http::{Body, Error, Request, Response};
use store::Store;

pub use chime::Chime;
pub use policy::MeetingPolicy;

/// What the handlers need, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub policy: MeetingPolicy,
    pub chime: Chime,
}

impl App {
    pub async fn from_env() -> Result<App, Error> {
        let config = Config::from_env()?;
        let policy = MeetingPolicy::from_env()?;
        let sdk = aws_config::load_from_env().await;
        let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), config.table_name.clone());
        let chime = Chime::new(&sdk, policy.control_region.as_deref());
        Ok(App { store, config, policy, chime })
    }
}

/// Handles one API Gateway (payload 2.0) request.
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    let route = route_key(&request);
    Ok(answer(&request, &route, dispatch(app, &route, &request)).await)
}

async fn dispatch(app: &App, route: &str, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = Caller::from_request(request)?;
    let now = Utc::now();
    match route {
        "POST /interviews/{interviewId}/meeting" => join::join(app, &caller, request, now).await,
        "DELETE /interviews/{interviewId}/meeting" => join::end(app, &caller, request).await,
        _ => Err(ApiError::NotFound { code: "route_not_found", message: "no such route".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An App whose clients are never called: the requests below are refused before any I/O.
    fn offline_app() -> App {
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-3"))
            .build();
        let config = Config::from_lookup(|k| match k {
            "TABLE_NAME" => Some("t".into()),
            "SENDER_EMAIL" => Some("s@example.fr".into()),
            _ => None,
        })
        .expect("config");
        App {
            store: Store::new(aws_sdk_dynamodb::Client::new(&sdk), "t"),
            config,
            policy: MeetingPolicy::default(),
            chime: Chime::new(&sdk, None),
        }
    }

    /// An API Gateway HTTP API (payload 2.0) event, as AWS sends it.
    fn event(route: &str, path: &str, claims: Option<serde_json::Value>) -> Request {
        let (method, _) = route.split_once(' ').expect("METHOD /path");
        let mut event = json!({
            "version": "2.0", "routeKey": route, "rawPath": path, "rawQueryString": "",
            "headers": {}, "isBase64Encoded": false,
            "pathParameters": {"interviewId": "01JINTERVIEW"},
            "requestContext": {
                "accountId": "123456789012", "apiId": "api", "domainName": "localhost", "domainPrefix": "localhost",
                "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
                "requestId": "r", "routeKey": route, "stage": "$default", "time": "01/Jan/2026:00:00:00 +0000", "timeEpoch": 0
            }
        });
        if let Some(claims) = claims {
            event["requestContext"]["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
        }
        lambda_http::request::from_str(&event.to_string()).expect("a valid payload 2.0 event")
    }

    fn body(response: &Response<Body>) -> serde_json::Value {
        match response.body() {
            Body::Text(text) => serde_json::from_str(text).expect("JSON body"),
            _ => serde_json::Value::Null,
        }
    }

    #[tokio::test]
    async fn requests_without_verified_claims_or_on_unknown_routes_are_refused_before_any_call() {
        let app = offline_app();
        let anonymous = event("POST /interviews/{interviewId}/meeting", "/interviews/01JINTERVIEW/meeting", None);
        let response = handle(&app, anonymous).await.expect("a response");
        assert_eq!(response.status(), 401);
        assert_eq!(body(&response)["error"]["code"], "unauthorized");

        let unknown = event(
            "GET /interviews/{interviewId}/meeting",
            "/interviews/01JINTERVIEW/meeting",
            Some(json!({"sub": "x"})),
        );
        let response = handle(&app, unknown).await.expect("a response");
        assert_eq!(response.status(), 404);
        assert_eq!(body(&response)["error"]["code"], "route_not_found");
    }
}
