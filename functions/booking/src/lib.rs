//! The `booking` function: every route of "Interviews and follow-up" in
//! API.md: advisors' slots, seekers' bookings, mandatory convocations,
//! cancellation and rescheduling, channel switches, outcomes, in-person
//! requests, agendas and the follow-up journal.

mod app;
mod calendar;
mod emails;
pub mod handover;
mod in_person;
mod interviews;
mod journal_routes;
pub mod link_pages;
pub mod ops;
mod policy;
mod records;
mod slots;
mod views;

use api::auth::Caller;
use api::http::{answer, route_key};
use api::ApiError;
use chrono::Utc;
use lambda_http::{Body, Error, Request, Response};

pub use app::App;
pub use policy::BookingPolicy;

/// Handles one API Gateway (payload 2.0) request.
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, Error> {
    let route = route_key(&request);
    Ok(answer(&request, &route, dispatch(app, &route, &request)).await)
}

/// The routes whose success makes the service send email: limited per user
/// (`MAIL_ACTIONS_PER_HOUR`), so nobody can make it write to an advisor or a seeker in a loop.
const MAIL_SENDING_ROUTES: [&str; 8] = [
    "POST /interviews",
    "POST /seekers/{seekerId}/convocations",
    "POST /seekers/{seekerId}/interviews",
    "POST /interviews/{interviewId}/cancel",
    "POST /interviews/{interviewId}/reschedule",
    "POST /seekers/me/in-person-requests",
    "POST /in-person-requests/{requestId}/accept",
    "POST /in-person-requests/{requestId}/decline",
];

async fn dispatch(app: &App, route: &str, request: &Request) -> Result<Response<Body>, ApiError> {
    let caller = Caller::from_request(request)?;
    // Emails carry signed links: the key must be loaded (first invocation of a sandbox).
    app.links.ensure().await.map_err(|e| ApiError::Unavailable(Box::new(e)))?;
    let now = Utc::now();
    if !MAIL_SENDING_ROUTES.contains(&route) {
        return serve(app, route, &caller, request, now).await;
    }
    // Per seeker or advisor; admins (staff without a participant id) and unregistered callers
    // (refused by the route) are not counted.
    let limit = api::limits::mail_actions(app.policy.mail_actions_per_hour);
    let identity = app.store.identity(&caller.sub).await?;
    let Some(user_id) = identity.and_then(|i| i.seeker_id.or(i.advisor_id)) else {
        return serve(app, route, &caller, request, now).await;
    };
    let message = |l: &store::rate::Limit| {
        format!("at most {} bookings, cancellations, convocations or requests an hour; try again later", l.max)
    };
    api::limits::counted(
        &app.store,
        &user_id,
        &limit,
        now,
        "too_many_actions",
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
        "POST /advisors/me/slots" => slots::create(app, &caller, request, now).await,
        "GET /advisors/me/slots" => slots::list_own(app, &caller, request, now).await,
        "DELETE /advisors/me/slots/{slotId}" => slots::delete(app, &caller, request).await,
        "GET /seekers/me/slots" => slots::list_for_seeker(app, &caller, request, now).await,
        "POST /interviews" => interviews::book(app, &caller, request, now).await,
        "POST /seekers/{seekerId}/convocations" => interviews::convoke(app, &caller, request, now).await,
        "POST /seekers/{seekerId}/interviews" => interviews::book_for_seeker(app, &caller, request, now).await,
        "GET /interviews/{interviewId}" => interviews::get(app, &caller, request).await,
        "GET /seekers/me/interviews" => interviews::list_for_seeker(app, &caller, request, now).await,
        "GET /advisors/me/agenda" => interviews::agenda(app, &caller, request, now).await,
        "POST /interviews/{interviewId}/cancel" => interviews::cancel(app, &caller, request, now).await,
        "POST /interviews/{interviewId}/reschedule" => interviews::reschedule(app, &caller, request, now).await,
        "POST /interviews/{interviewId}/acknowledge" => interviews::acknowledge(app, &caller, request, now).await,
        "POST /interviews/{interviewId}/channel" => interviews::switch_channel(app, &caller, request, now).await,
        "POST /interviews/{interviewId}/outcome" => interviews::record_outcome(app, &caller, request, now).await,
        "POST /interviews/{interviewId}/extend" => interviews::extend(app, &caller, request, now).await,
        "POST /seekers/me/in-person-requests" => in_person::request(app, &caller, request, now).await,
        "GET /seekers/me/in-person-requests" => in_person::list_own(app, &caller, request).await,
        "GET /advisors/me/in-person-requests" => in_person::list_open(app, &caller, request).await,
        "POST /in-person-requests/{requestId}/accept" => in_person::accept(app, &caller, request, now).await,
        "POST /in-person-requests/{requestId}/decline" => in_person::decline(app, &caller, request, now).await,
        "GET /seekers/{seekerId}/journal" => journal_routes::read(app, &caller, request).await,
        _ => Err(ApiError::NotFound { code: "route_not_found", message: "no such route".into() }),
    }
}
