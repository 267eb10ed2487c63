//! The WebSocket routes: `$connect` (the token verified), `$disconnect`, and
//! the client frames `sendMessage`, `markRead`, `typing` and `$default`.

use api::access::{Access, Resource};
use api::ApiError;
use aws_lambda_events::event::apigw::ApiGatewayWebsocketProxyRequest;
use std::sync::Mutex;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::time::to_key;
use serde::{Deserialize, Serialize};
use store::contact::contact_update_for_advisor;
use store::journal::{ActorRole, JournalEvent, JournalRecord};
use store::keys;
use store::rate::{Limit, Window};
use store::tx::{check, put, update};
use store::{n, s, to_item, transact_retrying, Held, Index, Keyed, Retrying, Step, TransactOutcome, Tx};

use crate::app::App;
use crate::conversation::{self, Conversation, Participant};
use crate::frames::{
    self, clean_text, client_message_id, error_frame, excerpt, message_bounds, next_message_id, paris_day, ulid_id,
    MarkReadFrame, SendMessageFrame, TypingFrame,
};
use crate::records::{read_up_to_attribute, unread_attribute, ConnectionRecord, MessageRecord, SummaryRecord};
use crate::role::Role;
use crate::views::{MessageView, ServerFrame};
use crate::{notice, push};

/// Attempts at storing one message (or moving a read marker) before giving up with 503, each
/// one transaction: the limit these loops had before the one retry driver (its time budget
/// bounds them too).
const MESSAGE_ATTEMPTS: u32 = 25;
/// The error of a frame on a connection whose sign-in has expired (or whose advisor was removed).
const SESSION_EXPIRED: &str = "session_expired";
/// What an advisor's message does to the seeker's data, for the audit trail.
const SENDING: Access = Access::Change(Resource::Messages);
/// Client message ids are remembered for the retry window of a client.
const CLIENT_MESSAGE_ID_DAYS: i64 = 7;

/// `$connect`: verifies the token and records the connection for its user.
pub async fn connect(
    app: &App,
    event: &ApiGatewayWebsocketProxyRequest,
    now: DateTime<Utc>,
) -> Result<Participant, ApiError> {
    let token = event.query_string_parameters.first("token").filter(|t| !t.is_empty()).ok_or(ApiError::Unauthorized)?;
    let (caller, token_expires_at) = app.tokens.verify(token).await?;
    let participant = conversation::participant(&app.store, &caller).await?;
    let connection_id = event
        .request_context
        .connection_id
        .as_deref()
        .ok_or_else(|| ApiError::internal("connect event without a connection id"))?;
    let record = ConnectionRecord::new(connection_id, &participant.user_id, participant.role, token_expires_at, now);
    app.store.put(record.to_item()?, None).await?;
    Ok(participant)
}

/// Where this event's pushes go.
fn endpoint(app: &App, event: &ApiGatewayWebsocketProxyRequest) -> Option<String> {
    let context = &event.request_context;
    app.push.endpoint_for(context.domain_name.as_deref(), context.stage.as_deref())
}

/// A client frame: returns the frame to answer on the same connection, if any.
pub async fn message(
    app: &App,
    route: &str,
    event: &ApiGatewayWebsocketProxyRequest,
    now: DateTime<Utc>,
) -> Option<ServerFrame> {
    let body = event.body.as_deref();
    let answer = match route {
        "sendMessage" => send_message(app, event, body, now).await,
        "markRead" => mark_read(app, event, body, now).await.map(|()| None),
        "typing" => typing(app, event, body, now).await.map(|()| None),
        _ => Err((frames::default_route_error(body), None)),
    };
    match answer {
        Ok(frame) => frame,
        Err((error, client_message_id)) => {
            error.log();
            let frame = error_frame(&error, client_message_id.as_deref());
            if error.code() != SESSION_EXPIRED {
                return Some(frame);
            }
            // Expired: the error frame, then the connection closed (the client reconnects
            // with its current token).
            if let Some(connection_id) = event.request_context.connection_id.as_deref() {
                app.push.close(&app.store, endpoint(app, event).as_deref(), connection_id, &frame).await;
            }
            None
        }
    }
}

type FrameResult<T> = Result<T, (ApiError, Option<String>)>;

fn plain<T>(result: Result<T, ApiError>) -> FrameResult<T> {
    result.map_err(|e| (e, None))
}

/// The participant who opened this connection, checked again on every frame: the token given
/// at `$connect` has not expired, and an advisor is still an advisor (their profile exists and
/// their identity still names it). A connection never keeps a role its sign-in no longer has.
async fn sender(
    app: &App,
    event: &ApiGatewayWebsocketProxyRequest,
    now: DateTime<Utc>,
) -> Result<Participant, ApiError> {
    let connection_id = event.request_context.connection_id.as_deref().ok_or(ApiError::Unauthorized)?;
    let record: ConnectionRecord =
        app.store.get(&keys::connection_pk(connection_id), keys::CONNECTION_SK).await?.ok_or_else(|| {
            ApiError::NotFound {
                code: "unknown_connection",
                message: "this connection is no longer signed in; reconnect".into(),
            }
        })?;
    let expired = || ApiError::Forbidden {
        code: SESSION_EXPIRED,
        message: "your sign-in has expired; sign in again and reconnect".into(),
    };
    // A connection written before expiries were recorded lives at most its 2 hours.
    if record.token_expires_at.is_some_and(|exp| now.timestamp() >= exp) {
        return Err(expired());
    }
    if record.role == Role::Advisor && !advisor_still_active(app, &record.user_id).await? {
        return Err(expired());
    }
    Ok(Participant { user_id: record.user_id, role: record.role })
}

/// The advisor's profile exists and the identity it names still maps to it (an advisor removed
/// from the service loses the identity item, or its advisor id).
async fn advisor_still_active(app: &App, advisor_id: &str) -> Result<bool, ApiError> {
    let Some(advisor) = app.store.advisor(advisor_id).await? else {
        return Ok(false);
    };
    let identity = app.store.identity(&advisor.sub).await?;
    Ok(identity.and_then(|i| i.advisor_id).as_deref() == Some(advisor_id))
}

/// Left with its key as fields: the key is made of what the marker does not store (the
/// sender and the client's message id), and storing them would change the item.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientMessageRecord {
    pk: String,
    sk: String,
    message_id: String,
    expires_at: i64,
}

enum Stored {
    New(MessageRecord),
    Duplicate(MessageRecord),
}

async fn send_message(
    app: &App,
    event: &ApiGatewayWebsocketProxyRequest,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> FrameResult<Option<ServerFrame>> {
    let frame: SendMessageFrame = plain(frames::parse(body))?;
    let cmid = plain(client_message_id(&frame.client_message_id))?;
    let with_id = |e: ApiError| (e, Some(cmid.clone()));
    let text = clean_text(&frame.text).map_err(with_id)?;
    let participant = sender(app, event, now).await.map_err(with_id)?;
    // The conversation a seeker writes in is theirs; an advisor names it. Its summary is read
    // alongside the authorization (it is only used once that passed).
    let summary_of = match participant.role {
        Role::Seeker => Some(participant.user_id.clone()),
        Role::Advisor => frame.seeker_id.as_deref().and_then(|id| ulid_id("seekerId", id).ok()),
    };
    // A resend of a message already stored (its ack was lost) is found before the rate limit
    // is taken: it gets its ack even when the sender is at the limit, and costs no slot.
    let (conversation, earlier, summary) = tokio::join!(
        conversation::open(&app.store, &participant, frame.seeker_id.as_deref(), Some(SENDING)),
        async {
            match &summary_of {
                Some(id) => stored_before(app, id, &participant.user_id, &cmid).await,
                None => Ok(None),
            }
        },
        async {
            match &summary_of {
                Some(id) => conversation::summary(&app.store, id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let conversation = conversation.map_err(with_id)?;
    if let Some(message) = earlier.map_err(with_id)?.filter(|m| m.seeker_id == conversation.seeker_id()) {
        tracing::info!(message = %message.message_id, "duplicate clientMessageId: acknowledged again");
        return Ok(Some(ServerFrame::Ack { client_message_id: cmid, message: MessageView::from(&message) }));
    }
    rate_limit(app, &participant.user_id, now).await.map_err(with_id)?;
    let summary = match summary.map_err(with_id)? {
        Some(summary) if summary.seeker_id == conversation.seeker_id() => summary,
        _ => conversation::summary(&app.store, conversation.seeker_id()).await.map_err(with_id)?,
    };
    // Who to push to is looked up while the message is written.
    let users = [conversation.seeker_id().to_owned(), conversation.advisor_id.clone()];
    let user_refs = [users[0].as_str(), users[1].as_str()];
    let (stored, targets) = tokio::join!(
        store_message(app, &participant, conversation, summary, &text, &cmid, now),
        push::live_connections(&app.store, &user_refs, now),
    );
    let (conversation, stored) = stored.map_err(with_id)?;
    let message = match stored {
        Stored::Duplicate(message) => {
            tracing::info!(message = %message.message_id, "duplicate clientMessageId: acknowledged again");
            message
        }
        Stored::New(message) => {
            tracing::info!(message = %message.message_id, seeker = %message.seeker_id, "message stored");
            // Reassigned while writing: the participants are not the ones looked up.
            let targets = if conversation.advisor_id == users[1] {
                targets
            } else {
                let users = [conversation.seeker_id(), conversation.advisor_id.as_str()];
                push::live_connections(&app.store, &users, now).await
            };
            deliver(app, event, &conversation, &participant, &message, targets).await;
            message
        }
    };
    Ok(Some(ServerFrame::Ack { client_message_id: cmid, message: MessageView::from(&message) }))
}

/// Pushes a new message to both participants, and notices the recipient by email when
/// none of their connections took it. The message is stored: failures here are logged.
async fn deliver(
    app: &App,
    event: &ApiGatewayWebsocketProxyRequest,
    conversation: &Conversation,
    sender: &Participant,
    message: &MessageRecord,
    targets: Result<Vec<ConnectionRecord>, ApiError>,
) {
    let targets = match targets {
        Ok(targets) => targets,
        Err(error) => {
            // Unknown who is online: no push, and no email (better than one per message).
            error.log();
            return;
        }
    };
    let frame = ServerFrame::Message { message: MessageView::from(message) };
    let recipient = sender.role.other();
    let endpoint = endpoint(app, event);
    let report = push::post_all(&app.store, &app.push, endpoint.as_deref(), &targets, &frame).await;
    if report.delivered_to(conversation.user_of(recipient)) == 0 {
        let now = chrono::Utc::now();
        match notice::notify_offline(app, conversation, recipient, now).await {
            Ok(true) => tracing::info!(seeker = %conversation.seeker_id(), "offline notice queued"),
            Ok(false) => {}
            Err(error) => error.log(),
        }
    }
}

/// Counts the message in the sender's current minute; over the limit, nothing is stored.
async fn rate_limit(app: &App, user_id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let limit = Limit { scope: "message", max: app.chat.rate_limit_per_minute, window: Window::Minute };
    api::limits::enforce(&app.store, user_id, &limit, now, "rate_limited", |l| {
        format!("at most {} messages a minute; wait a moment and send again", l.max)
    })
    .await
}

/// Counts a `typing` or `markRead` frame (`scope`) in the sender's current minute: each one is
/// an invocation, reads and pushes, so a flood is refused before any of them.
async fn signal_limit(app: &App, user_id: &str, scope: &'static str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let limit = Limit { scope, max: app.chat.signal_limit_per_minute, window: Window::Minute };
    api::limits::enforce(&app.store, user_id, &limit, now, "rate_limited", |l| {
        format!("at most {} {scope} frames a minute; wait a moment", l.max)
    })
    .await
}

/// Stores the message once per clientMessageId, with the summary, and on an advisor's first
/// message of the (Paris) day the `chat_day` journal entry and the seeker's new contact dates.
async fn store_message(
    app: &App,
    sender: &Participant,
    conversation: Conversation,
    summary: SummaryRecord,
    text: &str,
    cmid: &str,
    now: DateTime<Utc>,
) -> Result<(Conversation, Stored), ApiError> {
    // What the attempts read: refreshed when a guard says it changed. A Mutex only so the
    // attempts' futures stay `Send`; it is never held across an await.
    let state = Mutex::new((conversation, summary));
    let state = &state;
    transact_retrying("the conversation", Retrying::attempts(MESSAGE_ATTEMPTS), |_| async move {
        let (conversation, summary) = state.lock().map_err(poisoned)?.clone();
        let pending = message_tx(app, sender, &conversation, &summary, text, cmid, now)?;
        let seeker_id = conversation.seeker_id().to_owned();
        match app.store.commit(pending.tx).await? {
            TransactOutcome::Committed => {
                if pending.new_day {
                    tracing::info!(seeker = %seeker_id, "chat day journaled as a contact");
                }
                Ok(Step::Done((conversation, Stored::New(pending.message))))
            }
            outcome if outcome.failed(pending.client_claim) => {
                let pk = keys::conversation_pk(&seeker_id);
                let message = duplicate(app, &pk, &pending.client_sk).await?;
                Ok(Step::Done((conversation, Stored::Duplicate(message))))
            }
            outcome if outcome.failed(pending.profile_guard) => {
                // Reassigned, level changed or erased since it was read: decide again.
                let conversation = conversation::open(&app.store, sender, Some(&seeker_id), Some(SENDING)).await?;
                let summary = conversation::summary(&app.store, conversation.seeker_id()).await?;
                *state.lock().map_err(poisoned)? = (conversation, summary);
                Ok(Step::Reread)
            }
            outcome if outcome.failed(pending.message_claim) || outcome.failed(pending.summary_update) => {
                // Another message took this id or moved the summary on: take the next id.
                let summary = conversation::summary(&app.store, &seeker_id).await?;
                state.lock().map_err(poisoned)?.1 = summary;
                Ok(Step::Reread)
            }
            outcome if outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("message transaction cancelled: {outcome:?}"))),
        }
    })
    .await
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> ApiError {
    ApiError::internal("a message attempt panicked")
}

/// One attempt's transaction for a message, and its items by name.
struct MessageTx {
    tx: Tx,
    /// The clientMessageId's item: failing, the message was already stored.
    client_claim: Held,
    /// The message item: failing, another message has this id.
    message_claim: Held,
    /// The summary: failing, another message came last meanwhile.
    summary_update: Held,
    /// The seeker's profile (a check, or the contact update): failing, the relationship changed.
    profile_guard: Held,
    message: MessageRecord,
    client_sk: String,
    new_day: bool,
}

/// Builds the transaction that stores `text` in `conversation` as read in `summary`.
fn message_tx(
    app: &App,
    sender: &Participant,
    conversation: &Conversation,
    summary: &SummaryRecord,
    text: &str,
    cmid: &str,
    now: DateTime<Utc>,
) -> Result<MessageTx, ApiError> {
    let pk = keys::conversation_pk(conversation.seeker_id());
    let today = paris_day(now);
    let at = to_key(now);
    let expires = (now + chrono::Duration::days(i64::from(app.chat.message_retention_days))).timestamp();
    let id = next_message_id(now, summary.last_message_id.as_deref());
    // A day counts as a contact when the advisor writes: a seeker's messages alone would
    // let the cadence be met without the advisor ever answering.
    let new_day = sender.role == Role::Advisor && summary.last_chat_day.as_deref() != Some(&today);
    let seeker_id = conversation.seeker_id().to_owned();
    let advisor_id = conversation.advisor_id.clone();
    let message = MessageRecord {
        message_id: id.clone(),
        seeker_id: seeker_id.clone(),
        advisor_id: advisor_id.clone(),
        from: sender.user_id.clone(),
        from_role: sender.role,
        text: text.to_owned(),
        sent_at: now,
        client_message_id: cmid.to_owned(),
        expires_at: expires,
    };
    let client = ClientMessageRecord {
        pk: pk.clone(),
        sk: keys::client_message_sk(&sender.user_id, cmid),
        message_id: id.clone(),
        expires_at: (now + chrono::Duration::days(CLIENT_MESSAGE_ID_DAYS)).timestamp(),
    };
    let recipient = sender.role.other();
    let mut set = String::from(
        "SET seekerId = :sid, advisorId = :aid, gsi1pk = :g1pk, gsi1sk = :g1sk, \
         lastMessageId = :id, lastMessageAt = :at, lastMessageFrom = :from, \
         lastMessageRole = :role, lastMessageExcerpt = :excerpt, expiresAt = :expires, \
         #readSender = :id, #unreadSender = :zero",
    );
    let mut condition = String::from("(attribute_not_exists(lastMessageId) OR lastMessageId < :id)");
    if new_day {
        set.push_str(", lastChatDay = :today");
        condition.push_str(" AND (attribute_not_exists(lastChatDay) OR lastChatDay <> :today)");
    }
    let update_summary = update(pk.clone(), keys::SUMMARY_SK, |u| {
        let u = u
            .update_expression(format!("{set} ADD #unreadRecipient :one"))
            .condition_expression(condition)
            .expression_attribute_names("#readSender", read_up_to_attribute(sender.role))
            .expression_attribute_names("#unreadSender", unread_attribute(sender.role))
            .expression_attribute_names("#unreadRecipient", unread_attribute(recipient))
            .expression_attribute_values(":sid", s(seeker_id.clone()))
            .expression_attribute_values(":aid", s(advisor_id.clone()))
            .expression_attribute_values(":g1pk", s(keys::conversations_gsi1pk(&advisor_id)))
            .expression_attribute_values(":g1sk", s(keys::conversations_gsi1sk(&at, &seeker_id)))
            .expression_attribute_values(":id", s(id.clone()))
            .expression_attribute_values(":at", s(at.clone()))
            .expression_attribute_values(":from", s(sender.user_id.clone()))
            .expression_attribute_values(":role", s(sender.role.as_str()))
            .expression_attribute_values(":excerpt", s(excerpt(text)))
            .expression_attribute_values(":expires", n(expires))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":one", n(1));
        if new_day {
            u.expression_attribute_values(":today", s(today.clone()))
        } else {
            u
        }
    });
    // The relationship is checked at write time: a seeker reassigned or erased meanwhile
    // stops the message (and an erasure cannot be undone by a late message). The first
    // advisor message of the day also records the contact (store::contact), under the same
    // guard; a later contact already known leaves the dates as they are.
    let contact = if new_day {
        contact_update_for_advisor(&conversation.seeker, &app.config.cadence, now, &advisor_id)
    } else {
        None
    };
    let profile = match contact {
        Some(update) => update,
        None => check(keys::seeker_pk(&seeker_id), keys::PROFILE, |c| {
            c.condition_expression("advisorId = :aid AND erased = :false")
                .expression_attribute_values(":aid", s(advisor_id.clone()))
                .expression_attribute_values(":false", AttributeValue::Bool(false))
        }),
    };
    let mut tx = Tx::new();
    let client_claim = tx.push(put(to_item(&client)?, Some("attribute_not_exists(pk)")));
    let message_claim = tx.push(put(message.to_item()?, Some("attribute_not_exists(pk)")));
    let summary_update = tx.push(update_summary);
    let profile_guard = tx.push(profile);
    if new_day {
        let entry = JournalRecord::new(
            &seeker_id,
            JournalEvent::ChatDay { day: today.clone() },
            now,
            ActorRole::Advisor,
            Some(&advisor_id),
            app.config.retention_days,
        );
        tx.push(put(entry.to_item()?, None));
    }
    Ok(MessageTx {
        tx,
        client_claim,
        message_claim,
        summary_update,
        profile_guard,
        message,
        client_sk: client.sk,
        new_day,
    })
}

/// The message `sender_id` already stored under `cmid` in `seeker_id`'s conversation, if any.
async fn stored_before(
    app: &App,
    seeker_id: &str,
    sender_id: &str,
    cmid: &str,
) -> Result<Option<MessageRecord>, ApiError> {
    let pk = keys::conversation_pk(seeker_id);
    let client: Option<ClientMessageRecord> = app.store.get(&pk, &keys::client_message_sk(sender_id, cmid)).await?;
    match client {
        Some(client) => Ok(app.store.get(&pk, &keys::message_sk(&client.message_id)).await?),
        None => Ok(None),
    }
}

/// The message stored the first time a clientMessageId was sent.
async fn duplicate(app: &App, pk: &str, client_sk: &str) -> Result<MessageRecord, ApiError> {
    let gone = || ApiError::conflict("duplicate", "this clientMessageId was already used");
    let client: ClientMessageRecord = app.store.get(pk, client_sk).await?.ok_or_else(gone)?;
    app.store.get(pk, &keys::message_sk(&client.message_id)).await?.ok_or_else(gone)
}

async fn mark_read(
    app: &App,
    event: &ApiGatewayWebsocketProxyRequest,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> FrameResult<()> {
    let frame: MarkReadFrame = plain(frames::parse(body))?;
    let up_to = plain(ulid_id("upTo", &frame.up_to))?;
    let participant = plain(sender(app, event, now).await)?;
    plain(signal_limit(app, &participant.user_id, "read", now).await)?;
    let reading = Some(Access::Read(Resource::Messages));
    let conversation = plain(conversation::open(&app.store, &participant, frame.seeker_id.as_deref(), reading).await)?;
    let pk = keys::conversation_pk(conversation.seeker_id());
    let exists =
        plain(app.store.get::<serde_json::Value>(&pk, &keys::message_sk(&up_to)).await.map_err(ApiError::from))?;
    if exists.is_none() {
        return Err((ApiError::not_found("no such message in this conversation"), None));
    }
    let role = participant.role;
    let (pk, up_to, conversation) = (&pk, &up_to, &conversation);
    let marked = transact_retrying("read marker", Retrying::attempts(MESSAGE_ATTEMPTS), |_| async move {
        let summary = conversation::summary(&app.store, conversation.seeker_id()).await?;
        if summary.read_up_to(role).is_some_and(|r| r >= up_to.as_str()) {
            return Ok(Step::Done(None)); // already read that far
        }
        let Some(last) = summary.last_message_id.clone() else {
            return Ok(Step::Done(None));
        };
        let unread = count_after(app, pk, up_to, role.other()).await?;
        let updated = app
            .store
            .update(pk, keys::SUMMARY_SK, |u| {
                u.update_expression("SET #read = :up, #unread = :unread")
                    // Unchanged last message: the count above is exact.
                    .condition_expression("lastMessageId = :last AND (attribute_not_exists(#read) OR #read < :up)")
                    .expression_attribute_names("#read", read_up_to_attribute(role))
                    .expression_attribute_names("#unread", unread_attribute(role))
                    .expression_attribute_values(":up", s(up_to.clone()))
                    .expression_attribute_values(":unread", n(unread))
                    .expression_attribute_values(":last", s(last))
            })
            .await?;
        // A message arrived or another device marked further meanwhile: pause, then read again.
        Ok(if updated.is_some() { Step::Done(Some(unread)) } else { Step::Retry })
    })
    .await;
    let Some(unread) = plain(marked)? else {
        return Ok(());
    };
    let frame = ServerFrame::Read {
        seeker_id: conversation.seeker_id().to_owned(),
        by: participant.user_id.clone(),
        role,
        up_to: up_to.clone(),
        unread,
    };
    let users = [conversation.seeker_id(), conversation.advisor_id.as_str()];
    let endpoint = endpoint(app, event);
    if let Err(error) = push::fan_out(&app.store, &app.push, endpoint.as_deref(), &users, &frame, now).await {
        error.log();
    }
    Ok(())
}

/// Messages of `from` after `after` (the unread count once read up to `after`).
async fn count_after(app: &App, pk: &str, after: &str, from: Role) -> Result<u32, ApiError> {
    let (low, high) = message_bounds(Some(after), None);
    let count = app
        .store
        .query(Index::Table, pk)
        .sk_between(low, high)
        .filter_equals("fromRole", s(from.as_str()))
        .consistent()
        .count()
        .await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

async fn typing(
    app: &App,
    event: &ApiGatewayWebsocketProxyRequest,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> FrameResult<()> {
    let frame: TypingFrame = plain(frames::parse(body))?;
    let participant = plain(sender(app, event, now).await)?;
    plain(signal_limit(app, &participant.user_id, "typing", now).await)?;
    // A typing indicator neither reads nor changes the seeker's data: checked, not audited.
    let conversation = plain(conversation::open(&app.store, &participant, frame.seeker_id.as_deref(), None).await)?;
    let other = conversation.user_of(participant.role.other()).to_owned();
    let frame = ServerFrame::Typing {
        seeker_id: conversation.seeker_id().to_owned(),
        from: participant.user_id.clone(),
        from_role: participant.role,
    };
    let endpoint = endpoint(app, event);
    plain(push::fan_out(&app.store, &app.push, endpoint.as_deref(), &[other.as_str()], &frame, now).await.map(|_| ()))
}
