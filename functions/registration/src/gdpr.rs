//! GDPR rights of a seeker: access (export everything held) and erasure.

use api::auth::Caller;
use api::http::{json_response, no_content};
use api::ApiError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::time::{french_date_time, from_key, to_key, to_paris};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::json;
use store::interview::{
    clear_reminders, granules, release_granules, reopen_slot_if_held, InterviewRecord, InterviewStatus,
};
use store::journal::{ActorRole, JournalRecord, FREE_TEXT_FIELDS};
use store::keys;
use store::outbox::{EmailTemplate, OutboxRecord};
use store::{from_item, item_to_json, s, transact_retrying, Index, Item, Retrying, Step, Store, TransactOutcome, Tx};

use crate::assignment::release_place;
use crate::App;
use store::tx::{delete, put, update};

/// Attempts at the erasure's last transaction, as before the one retry driver.
const ERASURE_ATTEMPTS: u32 = 20;

/// Attempts at the sweeps after the erasure's last transaction.
const SECOND_SWEEP_ATTEMPTS: u32 = 5;

/// Every item of a partition of the table, strongly consistent (all pages).
async fn partition(store: &Store, pk: String) -> Result<Vec<Item>, ApiError> {
    Ok(store.query(Index::Table, pk).consistent().all().await?)
}

/// Every item of a GSI partition (all pages).
async fn index_partition(store: &Store, index: Index, partition: String) -> Result<Vec<Item>, ApiError> {
    Ok(store.query(index, partition).all().await?)
}

fn sort_key(item: &Item) -> &str {
    item.get("sk").and_then(|v| v.as_s().ok()).map(String::as_str).unwrap_or("")
}

/// `GET /seekers/me/export`: every record held about the caller, and only what is theirs to see.
///
/// Emails are listed by what they were (template, who they went to, status, dates), never by
/// their content: their parameters hold signed links (an advisor's accept and decline links,
/// the seeker's own cancel links: credentials) and other people's addresses. The advisor
/// appears by id in the records, never by address.
pub(crate) async fn export(app: &App, caller: &Caller, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let seeker_id = seeker.seeker_id.as_str();
    let own = partition(&app.store, keys::seeker_pk(seeker_id)).await?;
    let (mut profile, mut journal, mut emails, mut other) = (None, Vec::new(), Vec::new(), Vec::new());
    for item in own {
        let sk = sort_key(&item).to_owned();
        if sk == keys::PROFILE {
            profile = Some(item_to_json(item));
        } else if sk.starts_with(keys::JOURNAL_PREFIX) {
            journal.push(item_to_json(item));
        } else if sk.starts_with(keys::OUTBOX_PREFIX) {
            emails.push(exported_email(from_item(item)?, seeker.email.as_deref()));
        } else {
            other.push(item_to_json(item));
        }
    }
    journal.reverse(); // newest first, as the journal reads
    let identity = app.store.get::<serde_json::Value>(&keys::identity_pk(&caller.sub), keys::IDENTITY_SK).await?;
    let messages: Vec<_> =
        partition(&app.store, keys::conversation_pk(seeker_id)).await?.into_iter().map(item_to_json).collect();
    let mut interviews = Vec::new();
    for item in index_partition(&app.store, Index::Gsi2, keys::seeker_interviews_gsi2pk(seeker_id)).await? {
        let interview_id = item.get("interviewId").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
        interviews.push(exported_interview(item, partition(&app.store, keys::interview_pk(&interview_id)).await?));
    }
    let in_person: Vec<_> = index_partition(&app.store, Index::Gsi2, keys::seeker_in_person_gsi2pk(seeker_id))
        .await?
        .into_iter()
        .map(item_to_json)
        .collect();
    let connections: Vec<_> = index_partition(&app.store, Index::Gsi1, keys::user_connections_gsi1pk(seeker_id))
        .await?
        .into_iter()
        .map(item_to_json)
        .collect();
    tracing::info!("seeker data exported");
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "exportedAt": to_paris(now),
            "identity": identity.map(|mut i| {
                if let Some(map) = i.as_object_mut() {
                    map.remove("pk");
                    map.remove("sk");
                }
                i
            }),
            "profile": profile,
            "journal": journal,
            "emails": emails,
            "messages": messages,
            "interviews": interviews,
            "inPersonRequests": in_person,
            "connections": connections,
            "other": other,
        }),
    ))
}

/// An email as the seeker may see it: what it was, to whom (them or their advisor), when and
/// whether it left; never its address, parameters (signed links, others' data) or attachments.
fn exported_email(email: OutboxRecord, own_address: Option<&str>) -> serde_json::Value {
    let recipient = match (email.to.as_deref(), own_address) {
        (Some(to), Some(own)) if to == own => "seeker",
        (Some(_), _) => "advisor",
        // Sent: the address is gone; the template says who it was for.
        (None, _) => match email.template {
            EmailTemplate::AdvisorNewSeeker
            | EmailTemplate::InterviewBookedAdvisor
            | EmailTemplate::InPersonRequested
            | EmailTemplate::InterviewWithdrawnByErasure
            | EmailTemplate::AdvisorDigest => "advisor",
            EmailTemplate::ChatNotice => "seeker_or_advisor",
            _ => "seeker",
        },
    };
    json!({
        "emailId": email.email_id,
        "template": email.template.name(),
        "recipient": recipient,
        "status": email.status,
        "createdAt": from_key(&email.created_at).map(to_paris),
    })
}

/// An interview with what its partition holds about it: reminders, meeting attendees and
/// attendance events (ids and times; never a meeting join token, which is not stored).
fn exported_interview(interview: Item, partition: Vec<Item>) -> serde_json::Value {
    let mut value = item_to_json(interview);
    let (mut reminders, mut attendees, mut attendance) = (Vec::new(), Vec::new(), Vec::new());
    for item in partition {
        let sk = sort_key(&item).to_owned();
        if sk.starts_with("REMINDER#") {
            reminders.push(item_to_json(item));
        } else if sk.starts_with("ATTENDEE#") {
            attendees.push(item_to_json(item));
        } else if sk.starts_with("ATTENDANCE#") {
            attendance.push(item_to_json(item));
        }
    }
    if let Some(map) = value.as_object_mut() {
        map.insert("reminders".into(), json!(reminders));
        map.insert("attendees".into(), json!(attendees));
        map.insert("attendance".into(), json!(attendance));
    }
    value
}

/// Every chat item of a seeker: the conversation partition (messages, summary, client message
/// ids, notice throttles) and their WebSocket connection items (GSI1 `USERCONNS#`). Rate
/// counters hold only a count and expire within minutes.
async fn erase_chat(store: &Store, seeker_id: &str) -> Result<(), ApiError> {
    let mut doomed: Vec<(String, String)> =
        partition(store, keys::conversation_pk(seeker_id)).await?.iter().map(key_of).collect();
    doomed.extend(
        index_partition(store, Index::Gsi1, keys::user_connections_gsi1pk(seeker_id)).await?.iter().map(key_of),
    );
    Ok(store.delete_many(&doomed).await?)
}

/// The table key of an item read from the table or an index.
fn key_of(item: &Item) -> (String, String) {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    (text("pk"), text("sk"))
}

/// An update of an item that was just read: its disappearance meanwhile is a failure, as
/// an erasure that skipped it would not be complete.
async fn update_existing(
    store: &Store,
    (pk, sk): &(String, String),
    build: impl FnOnce(UpdateItemFluentBuilder) -> UpdateItemFluentBuilder,
) -> Result<(), ApiError> {
    match store.update(pk, sk, |u| build(u.condition_expression("attribute_exists(pk)"))).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::internal("an item vanished during erasure")),
    }
}

/// Interviews keep what proves the follow-up (dates, channel, status, whether mandatory) and
/// lose what the seeker or advisor typed and the phone number; upcoming ones are cancelled so
/// the advisor's time and the slot are freed.
async fn erase_interviews(app: &App, seeker_id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let items = index_partition(&app.store, Index::Gsi2, keys::seeker_interviews_gsi2pk(seeker_id)).await?;
    for item in items {
        let interview: InterviewRecord = from_item(item)?;
        let upcoming = interview.status == InterviewStatus::Booked && interview.start_at() > now;
        let mut tx = Tx::new();
        tx.push(update(interview.pk.clone(), &interview.sk, |u| {
            // `location` is free text the advisor typed (an address, a room, directions).
            let strip = "REMOVE phoneNumber, cancelReason, outcomeNote, channelHistory, #location";
            let u = u.expression_attribute_names("#location", "location");
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
        }));
        if upcoming {
            if let Some(slot_id) = &interview.slot_id {
                tx.push_all(reopen_slot_if_held(&app.store, slot_id, &interview.interview_id).await?);
            }
            tx.push_all(release_granules(&interview, granules(interview.start_at(), interview.end_at())));
            tx.push_all(clear_reminders(&interview));
            for item in advisor_told_of_withdrawal(app, &interview, now).await? {
                tx.push(item);
            }
        }
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => {}
            // Changed meanwhile (cancelled, held): the caller retries the whole erasure.
            _ => return Err(ApiError::Unavailable("an interview changed during erasure; retry".into())),
        }
    }
    Ok(())
}

/// The advisor of an upcoming interview cancelled by the erasure is told: an email (its time,
/// channel and whether it was mandatory; nothing about the seeker, and outside the seeker's
/// partition so the erasure's sweeps leave it) and a journal entry (kind and time, kept with
/// the anonymous journal: the proof that a convocation ended by erasure, not by a no-show).
async fn advisor_told_of_withdrawal(
    app: &App,
    interview: &InterviewRecord,
    now: DateTime<Utc>,
) -> Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>, ApiError> {
    let entry = JournalRecord::new(
        &interview.seeker_id,
        "interview_cancelled",
        now,
        ActorRole::System,
        None,
        json!({"interviewId": interview.interview_id, "start": to_key(interview.start_at()), "cause": "seeker_erased"}),
        app.config.retention_days,
    );
    let mut items = vec![put(entry.to_item()?, None)];
    if let Some(advisor) = app.store.advisor(&interview.advisor_id).await? {
        let email = OutboxRecord::new(
            EmailTemplate::InterviewWithdrawnByErasure,
            &advisor.email,
            None,
            json!({
                "firstName": advisor.first_name,
                "when": french_date_time(interview.start_at()),
                "channelLabel": interview.channel.label_fr(),
                "mandatory": interview.mandatory,
                "appUrl": format!("{}/conseiller/agenda", app.config.app_base_url),
            }),
            now,
        );
        items.push(put(email.to_item()?, None));
    }
    Ok(items)
}

/// In-person requests lose their free text; an open one is withdrawn from the advisor's list.
async fn erase_in_person_requests(app: &App, seeker_id: &str) -> Result<(), ApiError> {
    let items = index_partition(&app.store, Index::Gsi2, keys::seeker_in_person_gsi2pk(seeker_id)).await?;
    for item in items {
        update_existing(&app.store, &key_of(&item), |u| u.update_expression("REMOVE reason, message, gsi1pk, gsi1sk"))
            .await?;
    }
    app.store.delete(&keys::seeker_pk(seeker_id), keys::IN_PERSON_OPEN_SK, |d| d).await?;
    Ok(())
}

/// Everything about the seeker outside their profile and chat: unsent emails deleted, free
/// text stripped from the journal, interviews and in-person requests. Run before the erasure's
/// last transaction and again after it: a write about the seeker that committed in between
/// (a convocation, an accepted request, an outcome note) is swept by the second pass, and
/// none can commit after, since each conditions on the profile not being erased.
async fn sweep(app: &App, seeker_id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let own = partition(&app.store, keys::seeker_pk(seeker_id)).await?;
    let outbox: Vec<_> = own.iter().filter(|i| sort_key(i).starts_with(keys::OUTBOX_PREFIX)).map(key_of).collect();
    app.store.delete_many(&outbox).await?;
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
        update_existing(&app.store, &key_of(item), |u| {
            if stripped.is_empty() {
                u.update_expression("REMOVE details")
            } else {
                u.update_expression("SET details = :details")
                    .expression_attribute_values(":details", AttributeValue::M(stripped))
            }
        })
        .await?;
    }

    erase_interviews(app, seeker_id, now).await?;
    erase_in_person_requests(app, seeker_id).await?;
    Ok(())
}

/// `DELETE /seekers/me`: erases the caller's personal data everywhere.
///
/// Secondary items go first (messages and unsent emails deleted, free text stripped from the
/// journal, upcoming interviews cancelled with their advisor told) and the profile and
/// identity last, in one transaction: an erasure interrupted before it is finished by calling
/// it again. Then everything is swept once more ([`sweep`]). What is kept is listed in
/// docs/security.md ("GDPR export and erasure"): pseudonymous, not anonymous.
pub(crate) async fn erase(app: &App, caller: &Caller, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let seeker_id = seeker.seeker_id.clone();

    erase_chat(&app.store, &seeker_id).await?;
    sweep(app, &seeker_id, now).await?;

    // A message or a reassignment may change the profile meanwhile: read it again and retry.
    let seeker_id = &seeker_id;
    let freed = transact_retrying("erasure", Retrying::attempts(ERASURE_ATTEMPTS), |_| async move {
        let current = app.store.seeker(seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
        let erased_entry = JournalRecord::new(
            seeker_id,
            "erased",
            now,
            ActorRole::Seeker,
            Some(seeker_id),
            json!({}),
            app.config.retention_days,
        );
        let guard = match &current.advisor_id {
            Some(_) => "erased = :false AND advisorId = :advisor",
            None => "erased = :false AND attribute_not_exists(advisorId)",
        };
        let advisor_value = current.advisor_id.clone();
        let mut tx = Tx::new();
        let profile = tx.push(update(keys::seeker_pk(seeker_id), keys::PROFILE, |u| {
            let u = u
                .update_expression(
                    "SET erased = :true, erasedAt = :now \
                     REMOVE firstName, lastName, email, phone, preferredChannels, gsi1pk, gsi1sk, gsi2pk, gsi2sk, advisorId",
                )
                .condition_expression(guard)
                .expression_attribute_values(":true", AttributeValue::Bool(true))
                .expression_attribute_values(":false", AttributeValue::Bool(false))
                .expression_attribute_values(":now", s(to_key(now)));
            match advisor_value {
                Some(id) => u.expression_attribute_values(":advisor", s(id)),
                None => u,
            }
        }));
        tx.push(delete(keys::identity_pk(&caller.sub), keys::IDENTITY_SK, None));
        tx.push(put(crate::seekers::erasure_marker(&caller.sub, now), None));
        tx.push(put(erased_entry.to_item()?, None));
        if let Some(advisor_id) = &current.advisor_id {
            tx.push(release_place(advisor_id));
        }
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(current.advisor_id.is_some())),
            outcome if outcome.conflicted() || outcome.failed(profile) => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("erasure cancelled: {outcome:?}"))),
        }
    })
    .await?;
    if freed {
        // A place freed in the portfolio: the longest waiting seeker of the region takes it.
        crate::waiting::drain(app, &seeker.region, now).await;
    }
    // What committed between the first sweeps and this transaction is swept now; nothing can
    // follow, since storing a message or any write about the seeker requires `erased = false`.
    // The identity is gone: a failure here cannot be resumed by calling again, so each pass
    // is tried a few times before the 503.
    for attempt in 1..=SECOND_SWEEP_ATTEMPTS {
        let swept = match erase_chat(&app.store, seeker_id).await {
            Ok(()) => sweep(app, seeker_id, now).await,
            Err(error) => Err(error),
        };
        match swept {
            Ok(()) => break,
            // Not past the invocation's deadline either: the 503 must go out before it.
            Err(error) if attempt == SECOND_SWEEP_ATTEMPTS || store::retry::out_of_work_time() => return Err(error),
            Err(error) => {
                error.log();
                tokio::time::sleep(std::time::Duration::from_millis(200 * u64::from(attempt))).await;
            }
        }
    }
    tracing::info!("seeker erased");
    Ok(no_content())
}
