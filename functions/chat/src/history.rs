//! The chat history over HTTP (read-only): the caller's conversations with
//! unread counts, and a conversation's messages before or after a message.

use std::collections::HashMap;

use api::access::{Access, Resource};
use api::auth::Caller;
use api::http::{json_response, path_param, query_param, ListBody};
use api::ApiError;
use chrono::{DateTime, Utc};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use store::keys;
use store::{Index, SeekerRecord, Store};

use crate::app::App;
use crate::conversation::{self, Participant};
use crate::frames::{message_bounds, ulid_id};
use crate::records::{MessageRecord, SummaryRecord};
use crate::role::Role;
use crate::views::{self, MessageView};

/// `GET /conversations`: an advisor's conversations, latest first, each with its unread count;
/// a seeker's one conversation.
pub async fn conversations(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let participant = conversation::participant(&app.store, caller).await?;
    match participant.role {
        Role::Seeker => seeker_conversation(app, &participant, now).await,
        Role::Advisor => advisor_conversations(app, &participant, request, now).await,
    }
}

async fn seeker_conversation(
    app: &App,
    participant: &Participant,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let conversation_pk = keys::conversation_pk(&participant.user_id);
    let (seeker, summary) = tokio::join!(
        app.store.seeker(&participant.user_id),
        app.store.get::<SummaryRecord>(&conversation_pk, keys::SUMMARY_SK),
    );
    let seeker = seeker?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
    let summary = summary?.filter(|s| s.is_live(now));
    let advisor = match &seeker.advisor_id {
        Some(id) => app.store.advisor(id).await?,
        None => None,
    };
    if advisor.is_none() && summary.is_none() {
        return Ok(json_response(
            StatusCode::OK,
            &ListBody::<views::ConversationRow> { items: Vec::new(), next_cursor: None },
        ));
    }
    let summary =
        summary.unwrap_or_else(|| SummaryRecord { seeker_id: seeker.seeker_id.clone(), ..SummaryRecord::default() });
    let row = views::seeker_row(&summary, &seeker, advisor.as_ref());
    Ok(json_response(StatusCode::OK, &ListBody { items: vec![row], next_cursor: None }))
}

async fn advisor_conversations(
    app: &App,
    participant: &Participant,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let (summaries, next_cursor) = app
        .store
        .query(Index::Gsi1, keys::conversations_gsi1pk(&participant.user_id))
        .newest_first()
        .page_of::<SummaryRecord>(&page)
        .await?;
    let summaries: Vec<SummaryRecord> = summaries.into_iter().filter(|s| s.is_live(now)).collect();
    let ids: Vec<String> = summaries.iter().map(|s| s.seeker_id.clone()).collect();
    let profiles = profiles(&app.store, &ids).await?;
    // A summary left under a former advisor (a reassignment not yet reflected) is not shown.
    let rows = summaries
        .iter()
        .filter_map(|summary| {
            let seeker = profiles.get(&summary.seeker_id)?;
            if seeker.erased || seeker.advisor_id.as_deref() != Some(participant.user_id.as_str()) {
                return None;
            }
            Some(views::advisor_row(summary, &participant.user_id, seeker))
        })
        .collect();
    Ok(json_response(StatusCode::OK, &ListBody { items: rows, next_cursor }))
}

/// Seeker profiles by id.
async fn profiles(store: &Store, seeker_ids: &[String]) -> Result<HashMap<String, SeekerRecord>, ApiError> {
    let keys: Vec<(String, String)> =
        seeker_ids.iter().map(|id| (keys::seeker_pk(id), keys::PROFILE.to_owned())).collect();
    let seekers = store.get_many::<SeekerRecord>(&keys).await?;
    Ok(seekers.into_iter().map(|seeker| (seeker.seeker_id.clone(), seeker)).collect())
}

fn invalid_parameter(name: &str) -> ApiError {
    ApiError::bad_request("invalid_parameter", format!("{name} must be a message id this API returned"))
}

/// `GET /conversations/{seekerId}/messages?before=&after=&limit=&cursor=`.
///
/// With `after`: the messages after it, oldest first (replaying what was missed while
/// offline). Otherwise: the messages before `before` (or the latest), newest first (paging
/// back). `before` and `after` together bound a range, oldest first.
pub async fn messages(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let raw = path_param(request, "seekerId")?;
    let participant = conversation::participant(&app.store, caller).await?;
    let not_found = || ApiError::not_found("no such conversation");
    let seeker_id = ulid_id("seekerId", &raw).map_err(|_| not_found())?;
    match participant.role {
        // A seeker reads their own history, with or without an advisor now.
        Role::Seeker if seeker_id == participant.user_id => {}
        Role::Seeker => return Err(not_found()),
        Role::Advisor => {
            conversation::open(&app.store, &participant, Some(&seeker_id), Some(Access::Read(Resource::Messages)))
                .await?;
        }
    }
    let bound = |name: &'static str| -> Result<Option<String>, ApiError> {
        query_param(request, name).map(|raw| ulid_id(name, &raw).map_err(|_| invalid_parameter(name))).transpose()
    };
    let after = bound("after")?;
    let before = bound("before")?;
    let page = api::http::page(request)?;
    let (low, high) = message_bounds(after.as_deref(), before.as_deref());
    let pk = keys::conversation_pk(&seeker_id);
    if low > high {
        return Ok(json_response(StatusCode::OK, &ListBody::<MessageView> { items: Vec::new(), next_cursor: None }));
    }
    // The query refuses a cursor from another conversation or outside the asked range.
    let query = app.store.query(Index::Table, pk).sk_between(low, high);
    let query = if after.is_some() { query } else { query.newest_first() };
    let (messages, next_cursor) = query.page_of::<MessageRecord>(&page).await?;
    // TTL deletes within days, not at the second. Filtered here rather than by DynamoDB: the
    // page limit counts the items read either way, so the page and its cursor are the same.
    let items = messages.iter().filter(|m| m.expires_at > now.timestamp()).map(MessageView::from).collect();
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}
