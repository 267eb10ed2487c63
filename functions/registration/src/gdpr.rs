//! GDPR rights of a seeker: access (export everything held) and erasure.

use api::auth::Caller;
use api::http::{json_response, no_content};
use api::ApiError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::time::{french_date_time, to_key, to_paris};
use http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::json;
use store::audit::AuditRecord;
use store::email_params::{Email, InterviewWithdrawnByErasure};
use store::email_template::EmailTemplate;
use store::interview::{
    clear_reminders, granules, release_granules, reopen_slot_if_held, InterviewRecord, InterviewStatus,
};
use store::journal::{ActorRole, JournalEvent, JournalRecord, FREE_TEXT_FIELDS};
use store::keys;
use store::outbox::OutboxRecord;
use store::Keyed;
use store::{
    from_item, item_to_json, s, transact_retrying, Index, Item, Retrying, SeekerRecord, Step, Store, TransactOutcome,
    Tx,
};

use crate::app::App;
use crate::assignment::release_place;
use store::tx::{delete, put, update};

/// Attempts at the erasure's last transaction, as before the one retry driver.
const ERASURE_ATTEMPTS: u32 = 20;

/// What is left of an erased profile (ids, region, level, dates: no personal field) goes by TTL
/// three years after the erasure: as long as the longest-kept record that may name the seeker
/// (a past convocation's proof, kept three years after its end, which is before the erasure).
fn erased_profile_expiry(now: DateTime<Utc>) -> i64 {
    (now + chrono::Duration::days(store::interview::CONVOCATION_RETENTION_DAYS)).timestamp()
}

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
            journal.push(exported_journal_entry(item_to_json(item)));
        } else if sk.starts_with(keys::SMS_OUTBOX_PREFIX) {
            // SMS are the seeker's own (their number, a text with a day and a time): as stored.
            other.push(item_to_json(item));
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
    let audit: Vec<_> = app
        .store
        .query(Index::Table, keys::audit_pk(seeker_id))
        .sk_prefix(keys::AUDIT_PREFIX)
        .newest_first()
        .all_of::<AuditRecord>()
        .await?
        .iter()
        .map(exported_access)
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
            "staffAccess": audit,
            "other": other,
        }),
    ))
}

/// A journal entry as stored, but an admin by role only (`actorId` removed), as in
/// [`exported_access`] and the seeker's journal route (`JournalRecord::to_seeker_api`).
fn exported_journal_entry(mut entry: serde_json::Value) -> serde_json::Value {
    if let Some(map) = entry.as_object_mut() {
        if map.get("actorRole").and_then(serde_json::Value::as_str) == Some("admin") {
            map.remove("actorId");
        }
    }
    entry
}

/// A staff access to the seeker's data as the seeker sees it: when, what (read or change of
/// which resource, by which route) and by whom: an advisor by `advisorId` (the seeker's
/// advisor, now or before), an admin by role only. The staff member's own identity is their
/// personal data; the right of access covers the date and nature of each consultation, not
/// the employee's identity (CJEU, C-579/21, 22 June 2023), which admins keep in the trail.
fn exported_access(entry: &AuditRecord) -> serde_json::Value {
    let mut value = entry.to_api();
    if let Some(map) = value.as_object_mut() {
        map.remove("seekerId");
        map.remove("requestId");
        if entry.staff_role != "advisor" {
            map.remove("staffId");
        }
    }
    value
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
        "createdAt": to_paris(email.created_at),
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
async fn erase_interviews(
    app: &App,
    seeker_id: &str,
    cause: ErasureCause<'_>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let items = index_partition(&app.store, Index::Gsi2, keys::seeker_interviews_gsi2pk(seeker_id)).await?;
    for item in items {
        let first: InterviewRecord = from_item(item)?;
        let mut attempt = 0;
        // Changed meanwhile (cancelled by the seeker, or by a concurrent erasure of the same
        // seeker: the retention job run twice): read again and go on from what it is now.
        while !erase_interview(app, &first.pk(), &first.sk(), cause, now).await? {
            attempt += 1;
            if attempt == INTERVIEW_ATTEMPTS {
                return Err(ApiError::Unavailable("an interview changed during erasure; retry".into()));
            }
        }
    }
    Ok(())
}

/// Attempts at one interview's erasure before the 503.
const INTERVIEW_ATTEMPTS: u32 = 5;

/// One interview of [`erase_interviews`], as it is now; `false` when it changed meanwhile.
async fn erase_interview(
    app: &App,
    pk: &str,
    sk: &str,
    cause: ErasureCause<'_>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let Some(interview) = app.store.get::<InterviewRecord>(pk, sk).await? else {
        return Ok(true);
    };
    let upcoming = interview.status == InterviewStatus::Booked && interview.start_at() > now;
    let mut tx = Tx::new();
    tx.push(update(interview.pk(), &interview.sk(), |u| {
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
        for item in advisor_told_of_withdrawal(app, &interview, cause, now).await? {
            tx.push(item);
        }
    }
    Ok(matches!(app.store.commit(tx).await?, TransactOutcome::Committed))
}

/// The advisor of an upcoming interview cancelled by the erasure is told: an email (its time,
/// channel and whether it was mandatory; nothing about the seeker, and outside the seeker's
/// partition so the erasure's sweeps leave it) and a journal entry (kind and time, kept with
/// the anonymous journal: the proof that a convocation ended by erasure, not by a no-show).
async fn advisor_told_of_withdrawal(
    app: &App,
    interview: &InterviewRecord,
    cause: ErasureCause<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>, ApiError> {
    let withdrawn = JournalEvent::InterviewCancelled {
        interview_id: interview.interview_id.clone(),
        start: interview.start_at(),
        cause: match cause {
            ErasureCause::Request { .. } => "seeker_erased",
            ErasureCause::Retention => "retention",
        },
    };
    let entry =
        JournalRecord::new(&interview.seeker_id, withdrawn, now, ActorRole::System, None, app.config.retention_days);
    let mut items = vec![put(entry.to_item()?, None)];
    if let Some(advisor) = app.store.advisor(&interview.advisor_id).await? {
        let params = InterviewWithdrawnByErasure {
            first_name: advisor.first_name.clone(),
            when: french_date_time(interview.start_at()),
            channel_label: interview.channel.label_fr(),
            mandatory: interview.mandatory,
            inactive: matches!(cause, ErasureCause::Retention),
            app_url: format!("{}/conseiller/agenda", app.config.app_base_url),
        };
        let email = OutboxRecord::new(Email::InterviewWithdrawnByErasure(params), &advisor.email, None, now);
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
async fn sweep(app: &App, seeker_id: &str, cause: ErasureCause<'_>, now: DateTime<Utc>) -> Result<(), ApiError> {
    let own = partition(&app.store, keys::seeker_pk(seeker_id)).await?;
    // Unsent emails and SMS, and SMS held back by the quiet hours.
    let outbox: Vec<_> = own
        .iter()
        .filter(|i| {
            let sk = sort_key(i);
            sk.starts_with(keys::OUTBOX_PREFIX) || sk.starts_with(keys::SMS_DEFERRED_PREFIX)
        })
        .map(key_of)
        .collect();
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

    erase_interviews(app, seeker_id, cause, now).await?;
    erase_in_person_requests(app, seeker_id).await?;
    Ok(())
}

/// `DELETE /seekers/me`: erases the caller's personal data everywhere ([`erase_seeker`]).
pub(crate) async fn erase(app: &App, caller: &Caller, now: DateTime<Utc>) -> Result<Response<Body>, ApiError> {
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    erase_seeker(app, &seeker, ErasureCause::Request { sub: &caller.sub }, now).await?;
    Ok(no_content())
}

/// Why a seeker is erased.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ErasureCause<'a> {
    /// `DELETE /seekers/me`: the seeker's own request, by the identity `sub`.
    Request { sub: &'a str },
    /// The retention job: the profile's `retainUntil` is at or before `now` (the run's time).
    Retention,
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Erasure {
    Erased,
    /// Erased meanwhile by another run or request: nothing more done.
    AlreadyErased,
    /// The retention job only: the seeker came back (`retainUntil` moved past `now`); untouched.
    Kept,
}

/// Erases a seeker's personal data everywhere: the one erasure of `DELETE /seekers/me` and of
/// the retention job.
///
/// Secondary items go first (messages and unsent emails deleted, free text stripped from the
/// journal, upcoming interviews cancelled with their advisor told) and the profile and
/// identity last, in one transaction: an erasure interrupted before it is finished by calling
/// it again. Then everything is swept once more ([`sweep`]). What is kept is listed in
/// docs/security.md ("GDPR export and erasure"): pseudonymous, not anonymous.
///
/// The retention job first claims the profile (`retentionErasureAt`, only while `retainUntil
/// <= now`): from then on the seeker's use no longer moves `retainUntil`, so a seeker who comes
/// back is either seen before the claim (kept, nothing touched) or erased whole, never half.
/// The identity and the erasure marker are found by the `sub` the profile keeps (the caller's
/// for a request); a profile without one (made before it was kept, and never used since)
/// loses its data all the same and leaves its identity item, which names no one but points at
/// the erased profile (docs/security.md).
pub(crate) async fn erase_seeker(
    app: &App,
    seeker: &SeekerRecord,
    cause: ErasureCause<'_>,
    now: DateTime<Utc>,
) -> Result<Erasure, ApiError> {
    let seeker_id = &seeker.seeker_id;
    if let ErasureCause::Retention = cause {
        let claimed = app
            .store
            .update(&seeker.pk, &seeker.sk, |u| {
                u.update_expression("SET retentionErasureAt = if_not_exists(retentionErasureAt, :at)")
                    .condition_expression("erased = :false AND retainUntil <= :now")
                    .expression_attribute_values(":at", s(to_key(now)))
                    .expression_attribute_values(":now", store::n(now.timestamp()))
                    .expression_attribute_values(":false", AttributeValue::Bool(false))
            })
            .await?;
        if claimed.is_none() {
            let current = app.store.seeker(seeker_id).await?;
            return Ok(match current {
                Some(current) if !current.erased => Erasure::Kept,
                _ => Erasure::AlreadyErased,
            });
        }
    }
    let sub = match cause {
        ErasureCause::Request { sub } => Some(sub),
        ErasureCause::Retention => seeker.sub.as_deref(),
    };
    if sub.is_none() {
        tracing::warn!("erasing a profile without its identity subject; its identity item stays");
    }

    erase_chat(&app.store, seeker_id).await?;
    sweep(app, seeker_id, cause, now).await?;

    // A message or a reassignment may change the profile meanwhile: read it again and retry.
    let freed = transact_retrying("erasure", Retrying::attempts(ERASURE_ATTEMPTS), |_| async move {
        let current = app.store.seeker(seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
        if current.erased {
            return Ok(Step::Done(None));
        }
        let (actor, actor_id, erased_cause) = match cause {
            ErasureCause::Request { .. } => (ActorRole::Seeker, Some(seeker_id.as_str()), None),
            ErasureCause::Retention => (ActorRole::System, None, Some("retention")),
        };
        let erased = JournalEvent::Erased { cause: erased_cause };
        let erased_entry = JournalRecord::new(seeker_id, erased, now, actor, actor_id, app.config.retention_days);
        let mut guard = match &current.advisor_id {
            Some(_) => "erased = :false AND advisorId = :advisor".to_owned(),
            None => "erased = :false AND attribute_not_exists(advisorId)".to_owned(),
        };
        if let ErasureCause::Retention = cause {
            guard.push_str(" AND retainUntil <= :retainedTo");
        }
        let advisor_value = current.advisor_id.clone();
        let mut tx = Tx::new();
        let profile = tx.push(update(keys::seeker_pk(seeker_id), keys::PROFILE, |u| {
            let u = u
                .update_expression(
                    "SET erased = :true, erasedAt = :now, expiresAt = :expires \
                     REMOVE firstName, lastName, email, phone, preferredChannels, gsi1pk, gsi1sk, gsi2pk, gsi2sk, advisorId, \
                     retainUntil, #sub, retentionErasureAt",
                )
                .condition_expression(guard)
                .expression_attribute_names("#sub", "sub")
                .expression_attribute_values(":expires", store::n(erased_profile_expiry(now)))
                .expression_attribute_values(":true", AttributeValue::Bool(true))
                .expression_attribute_values(":false", AttributeValue::Bool(false))
                .expression_attribute_values(":now", s(to_key(now)));
            let u = match cause {
                ErasureCause::Retention => u.expression_attribute_values(":retainedTo", store::n(now.timestamp())),
                ErasureCause::Request { .. } => u,
            };
            match advisor_value {
                Some(id) => u.expression_attribute_values(":advisor", s(id)),
                None => u,
            }
        }));
        if let Some(sub) = sub {
            tx.push(delete(keys::identity_pk(sub), keys::IDENTITY_SK, None));
            tx.push(put(crate::seekers::erasure_marker(sub, now), None));
        }
        tx.push(delete(keys::seeker_pk(seeker_id), keys::RETENTION_SK, None));
        tx.push(put(erased_entry.to_item()?, None));
        if let Some(advisor_id) = &current.advisor_id {
            tx.push(release_place(advisor_id));
        }
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(Some(current.advisor_id.is_some()))),
            outcome if outcome.conflicted() || outcome.failed(profile) => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("erasure cancelled: {outcome:?}"))),
        }
    })
    .await?;
    let Some(freed) = freed else {
        return Ok(Erasure::AlreadyErased);
    };
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
            Ok(()) => sweep(app, seeker_id, cause, now).await,
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
    tracing::info!(retention = matches!(cause, ErasureCause::Retention), "seeker erased");
    Ok(Erasure::Erased)
}
