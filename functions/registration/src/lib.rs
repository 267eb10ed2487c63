//! The `registration` function: every route of "Registration and portfolio"
//! in API.md (seekers, levels, reassignment, GDPR export and erasure,
//! advisors, portfolio, admin views), and the retention job that erases inactive profiles
//! (`retention-sweep`, [`handle_retention`]).

mod advisors;
mod app;
mod assignment;
mod gdpr;
pub mod retention;
mod seeker_changes;
mod seekers;
mod views;
mod waiting;

use api::auth::Caller;
use api::http::{answer, route_key};
use api::ApiError;
use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use chrono::Utc;
use lambda_http::{Body, Error, Request, Response};

pub use app::App;

/// Handles one API Gateway (payload 2.0) request.
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    let route = route_key(&request);
    Ok(answer(&request, &route, dispatch(app, &route, &request)).await)
}

/// The `retention-sweep` function (daily schedule): erases the profiles past `retainUntil` as
/// of the event's `time` (a replayed or late event acts for the moment it was scheduled).
pub async fn handle_retention(app: &App, event: EventBridgeEvent) -> Result<retention::RetentionReport, Error> {
    let now = event.time.unwrap_or_else(|| {
        tracing::warn!("scheduled event without time; using the clock");
        Utc::now()
    });
    retention::run(app, now).await.map_err(|e| {
        e.log();
        Error::from(format!("retention run failed: {}", e.code()))
    })
}

async fn dispatch(app: &App, route: &str, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = Caller::from_request(request)?;
    let now = Utc::now();
    match route {
        "POST /seekers" => seekers::register(app, &caller, request, now).await,
        "GET /seekers/me" => seekers::me(app, &caller, now).await,
        "PATCH /seekers/me" => seekers::update_me(app, &caller, request, now).await,
        "GET /seekers/{seekerId}" => seekers::get(app, &caller, request, now).await,
        "PUT /seekers/{seekerId}/level" => seeker_changes::change_level(app, &caller, request, now).await,
        "POST /seekers/{seekerId}/reassign" => seeker_changes::reassign(app, &caller, request, now).await,
        "GET /seekers/me/export" => gdpr::export(app, &caller, now).await,
        "DELETE /seekers/me" => gdpr::erase(app, &caller, now).await,
        "POST /advisors" => advisors::create(app, &caller, request, now).await,
        "GET /advisors/me/portfolio" => advisors::portfolio(app, &caller, request, now).await,
        "GET /admin/waiting" => advisors::waiting(app, &caller, request, now).await,
        "GET /admin/advisors" => advisors::list(app, &caller, request).await,
        "GET /admin/seekers/{seekerId}/audit" => advisors::audit_trail(app, &caller, request).await,
        _ => Err(ApiError::NotFound { code: "route_not_found", message: "no such route".into() }),
    }
}
