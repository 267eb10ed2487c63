//! `POST /interviews/{interviewId}/cancel`: the seeker (not a convocation) or the advisor;
//! frees the slot and the agenda, drops the reminders, tells both people.

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::free_text;
use domain::interview::check_cancel;
use domain::time::to_key;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::interview::{
    clear_reminders, granules, release_granules, reopen_slot_if_held, InterviewRecord, InterviewStatus,
};
use store::journal::{ActorRole, JournalEvent};
use store::{n, s, TransactOutcome, Tx};

use super::{guarded, interview_for, journal, outbox_items, parties, stale, state, Participant};
use crate::app::App;
use crate::emails::{self, Parties};
use crate::views;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CancelBody {
    reason: String,
}

/// `POST /interviews/{interviewId}/cancel`.
pub(crate) async fn cancel(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: CancelBody = parse_body(request)?;
    let reason = free_text("reason", &body.reason, 500)?;
    let (interview, who) =
        interview_for(app, caller, &interview_id, api::access::Access::Change(api::access::Resource::Interview))
            .await?;
    let cancelled = cancel_as(app, interview, &who, &reason, Vec::new(), now).await?;
    Ok(json_response(StatusCode::OK, &views::interview(&cancelled)))
}

/// Cancels `interview` for `who`, with `extra` items in the same transaction (a link's use).
pub(crate) async fn cancel_as(
    app: &App,
    interview: InterviewRecord,
    who: &Participant,
    reason: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InterviewRecord, ApiError> {
    check_cancel(&state(&interview), who.role(), now)?;
    let (seeker, advisor) = parties(app, &interview).await?;
    let cancelled = cancelled(&interview, who.role(), reason, now);
    let by_label = match who {
        Participant::Seeker(_) => "le demandeur d'emploi",
        Participant::Advisor(_) => "votre conseiller",
    };

    let mut tx = Tx::new();
    let guard = tx.push(mark_cancelled(&interview, &cancelled, reason, now));
    if let Some(slot_id) = &interview.slot_id {
        tx.push_all(reopen_slot_if_held(&app.store, slot_id, &interview.interview_id).await?);
    }
    tx.push_all(release_granules(&interview, granules(interview.start_at(), interview.end_at())));
    tx.push_all(clear_reminders(&interview));
    let event = |interview| JournalEvent::Cancelled { interview, reason: reason.to_owned(), cause: None };
    tx.push(journal(app, &interview, event, who.role(), Some(who.id()), now)?);
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    tx.push_all(outbox_items(emails::cancelled(app, &cancelled, &parties, by_label, reason, now))?);
    tx.push_all(extra);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!("interview cancelled");
            Ok(cancelled)
        }
        outcome if outcome.failed(guard) || outcome.conflicted() => Err(stale()),
        outcome => Err(ApiError::internal(format!("interview update cancelled: {outcome:?}"))),
    }
}

/// The interview as its cancellation leaves it.
fn cancelled(interview: &InterviewRecord, by: ActorRole, reason: &str, now: DateTime<Utc>) -> InterviewRecord {
    let mut cancelled = interview.clone();
    cancelled.status = InterviewStatus::Cancelled;
    cancelled.sequence += 1;
    cancelled.cancelled_at = Some(now);
    cancelled.cancel_reason = Some(reason.to_owned());
    cancelled.cancelled_by = Some(by);
    cancelled
}

/// The update that cancels `interview`, guarded on the state it was read in.
fn mark_cancelled(
    interview: &InterviewRecord,
    cancelled: &InterviewRecord,
    reason: &str,
    now: DateTime<Utc>,
) -> TransactWriteItem {
    let by = match cancelled.cancelled_by {
        Some(ActorRole::Seeker) => "seeker",
        _ => "advisor",
    };
    guarded(
        interview,
        "SET #status = :cancelled, #sequence = :next, cancelledAt = :now, cancelReason = :reason, cancelledBy = :by",
        |u| {
            u.expression_attribute_values(":cancelled", s("cancelled"))
                .expression_attribute_values(":next", n(cancelled.sequence))
                .expression_attribute_values(":now", s(to_key(now)))
                .expression_attribute_values(":reason", s(reason))
                .expression_attribute_values(":by", s(by))
        },
    )
}
