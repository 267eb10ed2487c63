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

use chrono::Utc;
use common::auth::Caller;
use common::config::Config;
use common::http::{respond, route_key};
use common::store::Store;
use common::ApiError;
use lambda_http::{Body, Error, Request, Response};
use tracing::Instrument;

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
    let span = tracing::info_span!("request", route = %route);
    let response = async {
        let response = respond(dispatch(app, &route, &request).await);
        tracing::info!(status = response.status().as_u16(), "answered");
        response
    }
    .instrument(span)
    .await;
    Ok(response)
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
