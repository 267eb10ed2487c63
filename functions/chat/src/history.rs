//! The chat history over HTTP (read-only): the caller's conversations with
//! unread counts, and a conversation's messages before or after a message.

use std::collections::HashMap;

use api::auth::Caller;
use api::http::{encode_cursor, json_response, path_param, query_param, ListBody};
use api::ApiError;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use chrono::{DateTime, Utc};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use store::keys;
use store::{from_item, n, s, sdk_error, Item, QuerySpec, SeekerRecord, Store};

use crate::conversation::{self, Participant};
use crate::frames::{message_bounds, ulid_id, Role};
use crate::records::{MessageRecord, SummaryRecord};
use crate::{retry, App};

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
        return Ok(json_response(StatusCode::OK, &ListBody::<Value> { items: Vec::new(), next_cursor: None }));
    }
    let summary =
        summary.unwrap_or_else(|| SummaryRecord { seeker_id: seeker.seeker_id.clone(), ..SummaryRecord::default() });
    let mut row = summary.to_api(Role::Seeker);
    row["advisorId"] = json!(seeker.advisor_id);
    row["advisor"] = match advisor {
        Some(a) => {
            json!({"advisorId": a.advisor_id, "firstName": a.first_name, "lastName": a.last_name})
        }
        None => Value::Null,
    };
    Ok(json_response(StatusCode::OK, &ListBody { items: vec![row], next_cursor: None }))
}

async fn advisor_conversations(
    app: &App,
    participant: &Participant,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let spec = QuerySpec::partition(Some(keys::GSI1), keys::conversations_gsi1pk(&participant.user_id), false);
    let (items, next_cursor) = app.store.query_page(&spec, &page).await?;
    let summaries: Vec<SummaryRecord> = items
        .into_iter()
        .map(from_item::<SummaryRecord>)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|s| s.is_live(now))
        .collect();
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
            let mut row = summary.to_api(Role::Advisor);
            row["advisorId"] = json!(participant.user_id);
            row["seeker"] = json!({
                "seekerId": seeker.seeker_id,
                "firstName": seeker.first_name,
                "lastName": seeker.last_name,
                "level": seeker.level,
            });
            Some(row)
        })
        .collect();
    Ok(json_response(StatusCode::OK, &ListBody { items: rows, next_cursor }))
}

/// Seeker profiles by id, 100 keys a request.
async fn profiles(store: &Store, seeker_ids: &[String]) -> Result<HashMap<String, SeekerRecord>, ApiError> {
    let mut found = HashMap::new();
    for chunk in seeker_ids.chunks(100) {
        let keys: Vec<Item> = chunk
            .iter()
            .map(|id| HashMap::from([("pk".to_owned(), s(keys::seeker_pk(id))), ("sk".to_owned(), s(keys::PROFILE))]))
            .collect();
        let mut request =
            KeysAndAttributes::builder().set_keys(Some(keys)).build().map_err(|e| ApiError::Internal(Box::new(e)))?;
        for attempt in 0.. {
            let output =
                store.client.batch_get_item().request_items(&store.table, request).send().await.map_err(sdk_error)?;
            for item in output.responses.and_then(|mut r| r.remove(&store.table)).unwrap_or_default() {
                let seeker: SeekerRecord = from_item(item)?;
                found.insert(seeker.seeker_id.clone(), seeker);
            }
            match output.unprocessed_keys.and_then(|mut u| u.remove(&store.table)) {
                Some(rest) if !rest.keys.is_empty() && attempt < 10 => {
                    request = rest;
                    retry::backoff(attempt).await;
                }
                Some(rest) if !rest.keys.is_empty() => {
                    return Err(ApiError::Unavailable("profiles kept being throttled".into()))
                }
                _ => break,
            }
        }
    }
    Ok(found)
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
            conversation::open(&app.store, &participant, Some(&seeker_id)).await?;
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
        return Ok(json_response(StatusCode::OK, &ListBody::<Value> { items: Vec::new(), next_cursor: None }));
    }
    // A cursor is accepted only from this conversation and inside the asked range.
    if let Some(start) = &page.start_key {
        let in_range = start.get("pk").and_then(|v| v.as_s().ok()) == Some(&pk)
            && start
                .get("sk")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk.as_str() >= low.as_str() && sk.as_str() <= high.as_str())
            && start.len() == 2;
        if !in_range {
            return Err(ApiError::bad_request("invalid_cursor", "cursor is not one this list returned"));
        }
    }
    let output = app
        .store
        .client
        .query()
        .table_name(&app.store.table)
        .key_condition_expression("pk = :pk AND sk BETWEEN :low AND :high")
        // TTL deletes within days, not at the second.
        .filter_expression("expiresAt > :now")
        .expression_attribute_values(":pk", s(pk.clone()))
        .expression_attribute_values(":low", s(low))
        .expression_attribute_values(":high", s(high))
        .expression_attribute_values(":now", n(now.timestamp()))
        .scan_index_forward(after.is_some())
        .limit(page.limit)
        .set_exclusive_start_key(page.start_key.clone())
        .send()
        .await
        .map_err(sdk_error)?;
    let items = output
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|item| from_item::<MessageRecord>(item).map(|m| m.to_api()))
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = output.last_evaluated_key.filter(|k| !k.is_empty()).map(|k| encode_cursor(&k));
    Ok(json_response(StatusCode::OK, &ListBody { items, next_cursor }))
}
