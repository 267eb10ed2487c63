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

mod app;
pub mod handler;
pub mod missed_call;
mod record;
mod routes;
pub mod settings;
pub mod sweeper;
pub mod voice;

use api::auth::Caller;
use api::http::{answer, route_key};
use api::ApiError;
use chrono::Utc;
use lambda_http::{Body, Error, Request, Response};

pub use app::App;
pub use record::CallRecord;
pub use settings::CallSettings;
pub use voice::Voice;

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
