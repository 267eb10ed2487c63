//! Phone calls through the Amazon Chime SDK PSTN audio service (issue 16, docs/phone-and-sms.md).
//!
//! Two Lambda binaries share this library:
//! - `calls` (HTTP): `POST /interviews/{interviewId}/call`, `POST /seekers/{seekerId}/calls`
//!   start a click-to-call (`CreateSipMediaApplicationCall`: the advisor's work phone first,
//!   the plan in `ArgumentsMap`); `DELETE /calls/{callId}` hangs it up
//!   (`UpdateSipMediaApplicationCall`).
//! - `call-handler`: the SIP media application's handler. It runs `pstn_audio::flow::step`,
//!   journals each fact once (a conditional put keyed by call id + fact), counts an answered
//!   call as a contact, pushes the call's state to the advisor's WebSocket connections, and
//!   answers the service with the flow's actions.

pub mod handler;
pub mod missed_call;
mod routes;
pub mod settings;
pub mod sweeper;
pub mod voice;

use api::auth::Caller;
use api::config::Config;
use api::http::{answer, route_key};
use api::ApiError;
use chrono::Utc;
use lambda_http::{Body, Error, Request, Response};
use serde::{Deserialize, Serialize};
use store::Store;

pub use settings::CallSettings;
pub use voice::Voice;

/// What both functions need, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub settings: CallSettings,
    pub voice: Voice,
    pub push: chat::push::Pusher,
    /// The video meetings' Chime client: a dial-in creates the phone leg's attendee.
    pub meetings: meetings::Chime,
}

impl App {
    pub async fn from_env() -> Result<App, Error> {
        let config = Config::from_env()?;
        let settings = CallSettings::from_env()?;
        let sdk = aws_config::load_from_env().await;
        // The handler runs in the SIP media application's region (infra/pstn-audio.yaml); the
        // table and the WebSocket API are in the main stack's (MAIN_REGION).
        let main = match std::env::var("MAIN_REGION").ok().filter(|r| !r.is_empty()) {
            Some(region) => sdk.to_builder().region(aws_config::Region::new(region)).build(),
            None => sdk.clone(),
        };
        let store = Store::new(aws_sdk_dynamodb::Client::new(&main), config.table_name.clone());
        let voice = Voice::new(&sdk, settings.voice_region.as_deref());
        let push = chat::push::Pusher::new(&main);
        let control_region = std::env::var("CHIME_CONTROL_REGION").ok().filter(|r| !r.is_empty());
        let meetings = meetings::Chime::new(&sdk, control_region.as_deref());
        Ok(App { store, config, settings, voice, push, meetings })
    }
}

/// A call as stored (`CALL#<callId>` / `CALL`): who calls whom, about what. The phone numbers
/// travel in the call's transaction attributes only, never here.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    pub call_id: String,
    pub advisor_id: String,
    pub seeker_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview_id: Option<String>,
    /// The service's id of the call, once `CreateSipMediaApplicationCall` answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(with = "domain::time::stored")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// An interview's call: its hard end (the interview's end plus the overrun limit), when
    /// the call sweeper hangs it up; with GSI1 `CALL_END#<hour>` / `<endsAt>#<callId>` until then.
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Epoch seconds: the table's TTL removes the item (its journal entries stay).
    pub expires_at: i64,
}

/// In the call sweeper's list (GSI1) under the UTC hour of its end, when it has one. (The
/// sweeper takes an ended call out of the list by an update.)
impl store::Keyed for CallRecord {
    fn keys(&self) -> store::Keys {
        let keys = store::Keys::new(store::keys::call_pk(&self.call_id), store::keys::CALL_SK);
        match self.ends_at {
            Some(end) => keys.with_gsi1(
                store::keys::call_end_gsi1pk(&end.format("%Y-%m-%dT%H").to_string()),
                format!("{}#{}", domain::time::to_key(end), self.call_id),
            ),
            None => keys,
        }
    }
}

/// Handles one API Gateway (payload 2.0) request of the `calls` function.
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    let route = route_key(&request);
    Ok(answer(&request, &route, dispatch(app, &route, &request)).await)
}

/// The routes that place a call: limited per advisor (`CALLS_PER_HOUR`).
const CALL_PLACING_ROUTES: [&str; 3] = [
    "POST /interviews/{interviewId}/call",
    "POST /seekers/{seekerId}/calls",
    "POST /interviews/{interviewId}/meeting/dial-in",
];

async fn dispatch(app: &App, route: &str, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = Caller::from_request(request)?;
    let now = Utc::now();
    if !CALL_PLACING_ROUTES.contains(&route) {
        return serve(app, route, &caller, request, now).await;
    }
    // Per advisor; callers who are not advisors are refused by the route itself.
    let limit = api::limits::calls(app.settings.calls_per_hour);
    let Some(advisor_id) = app.store.identity(&caller.sub).await?.and_then(|identity| identity.advisor_id) else {
        return serve(app, route, &caller, request, now).await;
    };
    let message = |l: &store::rate::Limit| format!("at most {} calls an hour; try again later", l.max);
    api::limits::counted(
        &app.store,
        &advisor_id,
        &limit,
        now,
        "too_many_calls",
        message,
        serve(app, route, &caller, request, now),
    )
    .await
}

async fn serve(
    app: &App,
    route: &str,
    caller: &Caller,
    request: &Request,
    now: chrono::DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let caller = caller.clone();
    match route {
        "POST /interviews/{interviewId}/call" => routes::call_for_interview(app, &caller, request, now).await,
        "POST /seekers/{seekerId}/calls" => routes::call_seeker(app, &caller, request, now).await,
        "DELETE /calls/{callId}" => routes::hang_up(app, &caller, request).await,
        "POST /interviews/{interviewId}/meeting/dial-in" => routes::dial_in(app, &caller, request, now).await,
        _ => Err(ApiError::NotFound { code: "route_not_found", message: "no such route".into() }),
    }
}
