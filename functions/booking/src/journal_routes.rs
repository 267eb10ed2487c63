//! `GET /seekers/{seekerId}/journal`: the follow-up timeline, newest first,
//! for the seeker and their advisor only.

use api::access::{Access, Resource};
use api::auth::Caller;
use api::http::{json_response, path_param, ListBody};
use api::ApiError;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use store::journal::JournalRecord;
use store::keys;
use store::Index;

use crate::app::App;

pub(crate) async fn read(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let page = api::http::page(request)?;
    let not_found = || ApiError::not_found("no such journal of yours");
    if caller.is_seeker() {
        let own = api::access::caller_seeker(&app.store, caller).await?;
        if own.seeker_id != seeker_id {
            return Err(not_found());
        }
    } else if caller.is_advisor() {
        let read = Access::Read(Resource::Journal);
        api::access::seeker_for_advisor(&app.store, caller, &seeker_id, read).await.map_err(|error| match error {
            ApiError::NotFound { .. } => not_found(),
            other => other,
        })?;
    } else {
        return Err(ApiError::forbidden("the journal is for the seeker and their advisor"));
    }
    let (entries, next_cursor) = app
        .store
        .query(Index::Table, keys::seeker_pk(&seeker_id))
        .sk_prefix(keys::JOURNAL_PREFIX)
        .newest_first()
        .page_of::<JournalRecord>(&page)
        .await?;
    let view = if caller.is_seeker() { JournalRecord::to_seeker_api } else { JournalRecord::to_api };
    let items: Vec<_> = entries.iter().map(view).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}
