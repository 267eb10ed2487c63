//! Reading interviews: one (`GET /interviews/{interviewId}`), a seeker's
//! (`GET /seekers/me/interviews`) and an advisor's agenda (`GET /advisors/me/agenda`).

use api::auth::Caller;
use api::http::{json_response, path_param, query_param, ListBody, Page};
use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use domain::time::to_key;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use store::interview::InterviewRecord;
use store::{keys, Index};

use super::interview_for;
use crate::app::App;
use crate::slots::range;
use crate::views;

/// `GET /interviews/{interviewId}`: its seeker or its advisor.
pub(crate) async fn get(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let (interview, _) =
        interview_for(app, caller, &interview_id, api::access::Access::Read(api::access::Resource::Interview)).await?;
    // A convocation's proof is on the record itself (views::interview says it).
    Ok(json_response(StatusCode::OK, &views::interview(&interview)))
}

/// One page of interviews of `partition` on `index`, sort keys in `[low, high]`, as a list answer.
async fn interviews_page(
    app: &App,
    index: Index,
    partition: String,
    (low, high): (String, String),
    ascending: bool,
    page: &Page,
) -> Result<Response<Body>, ApiError> {
    // "upcoming" and the agenda's default range start now: a cursor stays valid as it moves.
    let query = app.store.query(index, partition).sk_between(low, high).low_bound_moves_with_time();
    let query = if ascending { query } else { query.newest_first() };
    let (interviews, next_cursor) = query.page_of::<InterviewRecord>(page).await?;
    let items = interviews.iter().map(views::interview).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}

/// `GET /seekers/me/interviews?scope=upcoming|past|all`: upcoming ones soonest first, past ones latest first.
pub(crate) async fn list_for_seeker(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let scope = query_param(request, "scope").unwrap_or_else(|| "all".into());
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let partition = keys::seeker_interviews_gsi2pk(&seeker.seeker_id);
    let (low, high, ascending) = match scope.as_str() {
        "upcoming" => (to_key(now), "9999".to_owned(), true),
        "past" => ("0000".to_owned(), to_key(now), false),
        "all" => ("0000".to_owned(), "9999".to_owned(), true),
        _ => return Err(ApiError::bad_request("invalid_scope", "scope must be upcoming, past or all")),
    };
    interviews_page(app, Index::Gsi2, partition, (low, high), ascending, &page).await
}

/// `GET /advisors/me/agenda?from=&to=`: the advisor's interviews in a range.
pub(crate) async fn agenda(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let (from, to) = range(request, now - Duration::days(1), Duration::days(31))?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let partition = keys::agenda_gsi1pk(&advisor.advisor_id);
    interviews_page(app, Index::Gsi1, partition, (to_key(from), to_key(to)), true, &page).await
}
