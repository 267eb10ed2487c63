//! The offline notice: a recipient who had no live connection gets an email
//! "you have a new message", without the text, at most once per conversation
//! every 15 minutes. The throttle is a conditional write in the same
//! transaction as the outbox item, so concurrent messages queue one email.

use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use domain::time::to_key;
use serde::Deserialize;
use store::email_params::{ChatNotice, Email};
use store::keys;
use store::outbox::OutboxRecord;
use store::tx::{put, update};
use store::{n, s, transact_retrying, Retrying, Step, StoreError, TransactOutcome, Tx};

use crate::app::App;
use crate::conversation::Conversation;
use crate::role::Role;

/// The quiet period after a notice (API.md: "not one per message").
pub const QUIET_MINUTES: i64 = 15;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NoticeRecord {
    #[serde(with = "domain::time::stored")]
    last_notice_at: DateTime<Utc>,
}

/// Queues the notice to the participant on `recipient`'s side unless one went out in the
/// last 15 minutes. Returns whether an email was queued.
pub async fn notify_offline(
    app: &App,
    conversation: &Conversation,
    recipient: Role,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let pk = keys::conversation_pk(conversation.seeker_id());
    let recipient_id = conversation.user_of(recipient).to_owned();
    let sk = keys::notice_sk(&recipient_id);
    let quiet_since = now - Duration::minutes(QUIET_MINUTES);
    let cutoff = to_key(quiet_since);
    // A cheap read first spares the lookups below for most messages of a busy minute; the
    // conditional write below still decides.
    if let Some(last) = app.store.get::<NoticeRecord>(&pk, &sk).await? {
        if last.last_notice_at > quiet_since {
            return Ok(false);
        }
    }
    let seeker = &conversation.seeker;
    let Some(advisor) = app.store.advisor(&conversation.advisor_id).await? else {
        return Ok(false);
    };
    let (to, first_name, sender_name, link) = match recipient {
        Role::Advisor => (
            Some(advisor.email.clone()),
            Some(advisor.first_name.clone()),
            seeker.display_name(),
            format!("{}/conseiller/messages/{}", app.config.app_base_url, seeker.seeker_id),
        ),
        Role::Seeker => (
            seeker.email.clone(),
            seeker.first_name.clone(),
            advisor.display_name(),
            format!("{}/messages", app.config.app_base_url),
        ),
    };
    let Some(to) = to else {
        return Ok(false); // erased meanwhile: nobody to write to
    };
    let notice = ChatNotice {
        first_name,
        from_advisor: recipient == Role::Seeker,
        sender_name,
        app_url: link,
        quiet_minutes: QUIET_MINUTES,
    };
    let outbox = OutboxRecord::new(Email::ChatNotice(notice), &to, Some(&seeker.seeker_id), now);
    let (pk, sk, cutoff, outbox, seeker_id) = (&pk, &sk, &cutoff, &outbox, seeker.seeker_id.as_str());
    let queued = transact_retrying("offline notice", Retrying::attempts(NOTICE_ATTEMPTS), |_| async move {
        queue_notice(app, pk, sk, cutoff, outbox, seeker_id, now).await.map_err(NoticeError::Failed)
    })
    .await;
    match queued {
        Ok(queued) => Ok(queued),
        // Messages of the same instant kept conflicting: one of them is writing the notice.
        Err(NoticeError::Exhausted) => Ok(false),
        Err(NoticeError::Failed(error)) => Err(error),
    }
}

/// Attempts at the notice's transaction; few, since another message is writing the same one.
const NOTICE_ATTEMPTS: u32 = 5;

/// Why queueing the notice stopped: a failure, or the driver's attempts ran out (the only
/// `StoreError` that reaches [`From`], since each attempt maps its own errors).
enum NoticeError {
    Failed(ApiError),
    Exhausted,
}

impl From<StoreError> for NoticeError {
    fn from(_: StoreError) -> NoticeError {
        NoticeError::Exhausted
    }
}

/// One attempt: the throttle moved on and the email queued together, or nothing.
async fn queue_notice(
    app: &App,
    pk: &str,
    sk: &str,
    cutoff: &str,
    outbox: &OutboxRecord,
    seeker_id: &str,
    now: DateTime<Utc>,
) -> Result<Step<bool>, ApiError> {
    let mut tx = Tx::new();
    // Erased since the conversation was read: no notice about them (it would carry their name
    // or go to their address after the erasure's last sweep).
    let not_erased = tx.push(store::tx::seeker_not_erased(seeker_id));
    let throttle = tx.push(update(pk.to_owned(), sk, |u| {
        u.update_expression("SET lastNoticeAt = :now, expiresAt = :expires")
            .condition_expression("attribute_not_exists(lastNoticeAt) OR lastNoticeAt <= :cutoff")
            .expression_attribute_values(":now", s(to_key(now)))
            .expression_attribute_values(":cutoff", s(cutoff))
            .expression_attribute_values(":expires", n((now + Duration::days(1)).timestamp()))
    }));
    tx.push(put(outbox.to_item()?, Some("attribute_not_exists(pk)")));
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => Ok(Step::Done(true)),
        outcome if outcome.failed(throttle) || outcome.failed(not_erased) => Ok(Step::Done(false)),
        outcome if outcome.conflicted() => Ok(Step::Retry),
        outcome => Err(ApiError::internal(format!("notice transaction cancelled: {outcome:?}"))),
    }
}
