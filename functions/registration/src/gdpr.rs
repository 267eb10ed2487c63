//! GDPR rights of a seeker: access (export everything held) and erasure.

use api::auth::Caller;
use api::http::{json_response, no_content};
use api::ApiError;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use chrono::{DateTime, Utc};
use domain::time::{to_key, to_paris};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::json;
use store::interview::{clear_reminders, granules, release_granules, reopen_slot, InterviewRecord, InterviewStatus};
use store::journal::{ActorRole, JournalRecord, FREE_TEXT_FIELDS};
use store::keys;
use store::{from_item, item_to_json, query_all, s, sdk_error, Item, Store, TransactOutcome};

use crate::assignment::release_place;
use crate::seekers::advisor_of;
use crate::{views, App};
use store::tx::{backoff, delete, put, update};

/// Every item of a GSI partition (all pages).
async fn index_partition(store: &Store, index: &str, partition: String) -> Result<Vec<Item>, ApiError> {
    let attribute = if index == keys::GSI1 { "gsi1pk" } else { "gsi2pk" };
    let query = store
        .client
        .query()
        .table_name(&store.table)
        .index_name(index)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", attribute)
        .expression_attribute_values(":pk", s(partition));
    query_all(query).await.map_err(ApiError::from)
}

fn sort_key(item: &Item) -> &str {
    item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or("")
}

/// `GET /seekers/me/export`: every record held about the caller.
pub(crate) async fn export(app: &App, caller: &Caller, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let advisor = advisor_of(app, &seeker).await?;
    let own = app.store.partition(&keys::seeker_pk(&seeker.seeker_id)).await?;
    let (mut journal, mut emails, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for item in own {
        let sk = sort_key(&item).to_owned();
        if sk == keys::PROFILE {
            continue;
        } else if sk.starts_with(keys::JOURNAL_PREFIX) {
            journal.push(item_to_json(item));
        } else if sk.starts_with(keys::OUTBOX_PREFIX) {
            emails.push(item_to_json(item));
        } else {
            other.push(item_to_json(item));
        }
    }
    journal.reverse(); // newest first, as the journal reads
    let messages: Vec<_> =
        app.store.partition(&keys::conversation_pk(&seeker.seeker_id)).await?.into_iter().map(item_to_json).collect();
    let interviews: Vec<_> = index_partition(&app.store, keys::GSI2, keys::seeker_interviews_gsi2pk(&seeker.seeker_id))
        .await?
        .into_iter()
        .map(item_to_json)
        .collect();
    let in_person: Vec<_> = index_partition(&app.store, keys::GSI2, keys::seeker_in_person_gsi2pk(&seeker.seeker_id))
        .await?
        .into_iter()
        .map(item_to_json)
        .collect();
    tracing::info!("seeker data exported");
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "exportedAt": to_paris(now),
            "profile": views::seeker(&seeker, advisor.as_ref(), now),
            "journal": journal,
            "emails": emails,
            "messages": messages,
            "interviews": interviews,
            "inPersonRequests": in_person,
            "other": other,
        }),
    ))
}

/// Deletes items by key, 25 at a time, until DynamoDB has processed them all.
async fn delete_all(store: &Store, keys_to_delete: Vec<Item>) -> Result<(), ApiError> {
    for chunk in keys_to_delete.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|key| {
                WriteRequest::builder()
                    .delete_request(DeleteRequest::builder().set_key(Some(key.clone())).build().expect("key is set"))
                    .build()
            })
            .collect();
        let mut attempt = 0;
        while !requests.is_empty() {
            let output = store
                .client
                .batch_write_item()
                .request_items(&store.table, requests)
                .send()
                .await
                .map_err(sdk_error)?;
            requests = output.unprocessed_items.and_then(|mut m| m.remove(&store.table)).unwrap_or_default();
            if !requests.is_empty() {
                attempt += 1;
                backoff(attempt).await;
            }
        }
    }
    Ok(())
}

/// Every chat item of a seeker: the conversation partition (messages, summary, client message
/// ids, notice throttles) and their WebSocket connection items (GSI1 `USERCONNS#`). Rate
/// counters hold only a count and expire within minutes.
async fn erase_chat(store: &Store, seeker_id: &str) -> Result<(), ApiError> {
    let mut doomed: Vec<Item> = store.partition(&keys::conversation_pk(seeker_id)).await?.iter().map(key_of).collect();
    doomed
        .extend(index_partition(store, keys::GSI1, keys::user_connections_gsi1pk(seeker_id)).await?.iter().map(key_of));
    delete_all(store, doomed).await
}

fn key_of(item: &Item) -> Item {
    item.iter().filter(|(k, _)| k.as_str() == "pk" || k.as_str() == "sk").map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Interviews keep what proves the follow-up (dates, channel, status, whether mandatory) and
/// lose what the seeker or advisor typed and the phone number; upcoming ones are cancelled so
/// the advisor's time and the slot are freed.
async fn erase_interviews(app: &App, seeker_id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let items = index_partition(&app.store, keys::GSI2, keys::seeker_interviews_gsi2pk(seeker_id)).await?;
    for item in items {
        let interview: InterviewRecord = from_item(item)?;
        let upcoming = interview.status == InterviewStatus::Booked && interview.start_at() > now;
        let mut transaction = vec![update(interview.pk.clone(), &interview.sk, |u| {
            let strip = "REMOVE phoneNumber, cancelReason, outcomeNote, channelHistory";
            if upcoming {
                u.update_expression(format!(
                    "SET #status = :cancelled, cancelledAt = :now, cancelledBy = :system, #sequence = #sequence + :one {strip}"
                ))
                .condition_expression("#status = :booked")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#sequence", "sequence")
                .expression_attribute_values(":cancelled", s("cancelled"))
                .expression_attribute_values(":booked", s("booked"))
                .expression_attribute_values(":now", s(to_key(now)))
                .expression_attribute_values(":system", s("system"))
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
            } else {
                u.update_expression(strip)
            }
        })];
        if upcoming {
            if let Some(slot_id) = &interview.slot_id {
                transaction.push(reopen_slot(slot_id, &interview.interview_id));
            }
            transaction.extend(release_granules(&interview, granules(interview.start_at(), interview.end_at())));
            transaction.extend(clear_reminders(&interview));
        }
        match app.store.transact(transaction).await? {
            TransactOutcome::Committed => {}
            // Changed meanwhile (cancelled, held): the caller retries the whole erasure.
            _ => return Err(ApiError::Unavailable("an interview changed during erasure; retry".into())),
        }
    }
    Ok(())
}

/// In-person requests lose their free text; an open one is withdrawn from the advisor's list.
async fn erase_in_person_requests(app: &App, seeker_id: &str) -> Result<(), ApiError> {
    let items = index_partition(&app.store, keys::GSI2, keys::seeker_in_person_gsi2pk(seeker_id)).await?;
    for item in items {
        let key = key_of(&item);
        app.store
            .client
            .update_item()
            .table_name(&app.store.table)
            .set_key(Some(key))
            .update_expression("REMOVE reason, message, gsi1pk, gsi1sk")
            .condition_expression("attribute_exists(pk)")
            .send()
            .await
            .map_err(sdk_error)?;
    }
    app.store
        .client
        .delete_item()
        .table_name(&app.store.table)
        .key("pk", s(keys::seeker_pk(seeker_id)))
        .key("sk", s(keys::IN_PERSON_OPEN_SK))
        .send()
        .await
        .map_err(sdk_error)?;
    Ok(())
}

/// `DELETE /seekers/me`: erases the caller's personal data everywhere.
///
/// Secondary items go first (messages and unsent emails deleted, free text
/// stripped from the journal) and the profile and identity last, in one
/// transaction: an interrupted erasure is finished by calling it again.
/// What is kept is anonymous: the seeker id, region, level and the journal's
/// event kinds and dates (proof of the follow-up, e.g. mandatory interviews).
pub(crate) async fn erase(app: &App, caller: &Caller, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let seeker_id = seeker.seeker_id.clone();

    erase_chat(&app.store, &seeker_id).await?;

    let own = app.store.partition(&keys::seeker_pk(&seeker_id)).await?;
    let outbox: Vec<Item> = own.iter().filter(|i| sort_key(i).starts_with(keys::OUTBOX_PREFIX)).map(key_of).collect();
    delete_all(&app.store, outbox).await?;
    for item in own.iter().filter(|i| sort_key(i).starts_with(keys::JOURNAL_PREFIX)) {
        let Some(AttributeValue::M(details)) = item.get("details") else {
            continue;
        };
        if !details.keys().any(|k| FREE_TEXT_FIELDS.contains(&k.as_str())) {
            continue;
        }
        let stripped: Item = details
            .iter()
            .filter(|(k, _)| !FREE_TEXT_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let update = app
            .store
            .client
            .update_item()
            .table_name(&app.store.table)
            .set_key(Some(key_of(item)))
            .condition_expression("attribute_exists(pk)");
        let update = if stripped.is_empty() {
            update.update_expression("REMOVE details")
        } else {
            update
                .update_expression("SET details = :details")
                .expression_attribute_values(":details", AttributeValue::M(stripped))
        };
        update.send().await.map_err(sdk_error)?;
    }

    erase_interviews(app, &seeker_id, now).await?;
    erase_in_person_requests(app, &seeker_id).await?;

    for attempt in 0..20 {
        let current = app.store.seeker(&seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
        let erased_entry = JournalRecord::new(
            &seeker_id,
            "erased",
            now,
            ActorRole::Seeker,
            Some(&seeker_id),
            json!({}),
            app.config.retention_days,
        );
        let guard = match &current.advisor_id {
            Some(_) => "erased = :false AND advisorId = :advisor",
            None => "erased = :false AND attribute_not_exists(advisorId)",
        };
        let advisor_value = current.advisor_id.clone();
        let mut items = vec![update(keys::seeker_pk(&seeker_id), keys::PROFILE, |u| {
            let u = u
                .update_expression(
                    "SET erased = :true, erasedAt = :now \
                     REMOVE firstName, lastName, email, phone, preferredChannels, gsi1pk, gsi1sk, advisorId",
                )
                .condition_expression(guard)
                .expression_attribute_values(":true", AttributeValue::Bool(true))
                .expression_attribute_values(":false", AttributeValue::Bool(false))
                .expression_attribute_values(":now", s(to_key(now)));
            match advisor_value {
                Some(id) => u.expression_attribute_values(":advisor", s(id)),
                None => u,
            }
        })];
        items.push(delete(keys::identity_pk(&caller.sub), keys::IDENTITY_SK, None));
        items.push(put(erased_entry.to_item()?, None));
        if let Some(advisor_id) = &current.advisor_id {
            items.push(release_place(advisor_id));
        }
        match app.store.transact(items).await? {
            TransactOutcome::Committed => {
                // A message committed between the first sweep and this transaction is swept
                // now; none can follow, since storing one requires `erased = false`.
                erase_chat(&app.store, &seeker_id).await?;
                tracing::info!("seeker erased");
                return Ok(no_content());
            }
            outcome if outcome.conflicted() || outcome.condition_failed(0) => backoff(attempt).await,
            outcome => return Err(ApiError::internal(format!("erasure cancelled: {outcome:?}"))),
        }
    }
    Err(ApiError::Unavailable("erasure kept conflicting with concurrent writes".into()))
}
