//! `GET /seekers/{seekerId}/journal`: the follow-up timeline, newest first,
//! for the seeker and their advisor only.

use common::auth::Caller;
use common::http::{json_response, path_param, ListBody, Page};
use common::journal::JournalRecord;
use common::keys;
use common::store::{from_item, QuerySpec};
use common::ApiError;
use http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::App;

pub(crate) async fn read(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let page = Page::from_request(request)?;
    let not_found = || ApiError::not_found("no such journal of yours");
    if caller.is_seeker() {
        let own = app.store.caller_seeker(caller).await?;
        if own.seeker_id != seeker_id {
            return Err(not_found());
        }
    } else if caller.is_advisor() {
        let advisor = app.store.caller_advisor(caller).await?;
        let seeker = app.store.seeker(&seeker_id).await?.ok_or_else(not_found)?;
        if seeker.erased || seeker.advisor_id.as_deref() != Some(advisor.advisor_id.as_str()) {
            return Err(not_found());
        }
    } else {
        return Err(ApiError::forbidden("the journal is for the seeker and their advisor"));
    }
    let mut spec = QuerySpec::partition(None, keys::seeker_pk(&seeker_id), false);
    spec.sort_prefix = Some(keys::JOURNAL_PREFIX.into());
    let (items, next_cursor) = app.store.query_page(&spec, &page).await?;
    let items =
        items.into_iter().map(|i| from_item::<JournalRecord>(i).map(|e| e.to_api())).collect::<Result<Vec<_>, _>>()?;
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}
