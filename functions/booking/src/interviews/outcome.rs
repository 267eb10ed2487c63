//! `POST /interviews/{interviewId}/outcome`: held, no-show or justified absence; a held
//! interview is a contact, recorded in the same transaction.

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use domain::free_text;
use domain::interview::check_outcome;
use domain::time::to_key;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::contact::contact_update;
use store::interview::{InterviewRecord, InterviewStatus};
use store::journal::{ActorRole, InterviewOutcome, JournalEvent};
use store::tx::seeker_not_erased;
use store::{s, transact_retrying, Retrying, Step, TransactOutcome, Tx};

use super::schedule::seeker_erased;
use super::{guarded, interview_for, journal, stale, state};
use crate::app::App;
use crate::views;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Completed,
    NoShow,
    JustifiedAbsence,
}

impl Outcome {
    fn status(self) -> InterviewStatus {
        match self {
            Outcome::Completed => InterviewStatus::Completed,
            Outcome::NoShow => InterviewStatus::NoShow,
            Outcome::JustifiedAbsence => InterviewStatus::JustifiedAbsence,
        }
    }

    /// Its journal entry: the status's kind (`completed`, `no_show`, `justified_absence`).
    fn journal_event(self) -> fn(InterviewOutcome) -> JournalEvent {
        match self {
            Outcome::Completed => JournalEvent::Completed,
            Outcome::NoShow => JournalEvent::NoShow,
            Outcome::JustifiedAbsence => JournalEvent::JustifiedAbsence,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OutcomeBody {
    outcome: Outcome,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /interviews/{interviewId}/outcome`.
pub(crate) async fn record_outcome(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: OutcomeBody = parse_body(request)?;
    let note = body.note.as_deref().map(|n| free_text("note", n, 2000)).transpose()?;
    let (interview, who) =
        interview_for(app, caller, &interview_id, api::access::Access::Change(api::access::Resource::Interview))
            .await?;
    let outcome = body.outcome;
    let status = outcome.status();
    check_outcome(&state(&interview), who.role(), status, now)?;
    let mut done = interview.clone();
    done.status = status;
    done.outcome_note = note.clone();
    done.outcome_at = Some(now);

    let (interview, note, advisor_id) = (&interview, &note, who.id());
    transact_retrying("outcome", Retrying::default(), |_| async move {
        let mut tx = Tx::new();
        let guard = tx.push(mark_outcome(interview, status, note.as_deref(), now));
        let event = |interview| outcome.journal_event()(InterviewOutcome { interview, note: note.clone() });
        tx.push(journal(app, interview, event, ActorRole::Advisor, Some(advisor_id), now)?);
        let contact = if status == InterviewStatus::Completed {
            // Read each attempt: a failed contact guard means the profile changed meanwhile.
            let seeker =
                app.store.seeker(&interview.seeker_id).await?.ok_or_else(|| ApiError::not_found("no such seeker"))?;
            contact_update(&seeker, &app.config.cadence, interview.start_at()).map(|item| tx.push(item))
        } else {
            None
        };
        // The contact update conditions on the profile not being erased; without one, a check does.
        let not_erased = match contact {
            Some(_) => None,
            None => Some(tx.push(seeker_not_erased(&interview.seeker_id))),
        };
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(())),
            outcome if not_erased.is_some_and(|c| outcome.failed(c)) => Err(seeker_erased()),
            outcome if outcome.failed(guard) => Err(stale()),
            // The seeker's profile changed between the read and the write: read it again, after a pause as before.
            outcome if contact.is_some_and(|c| outcome.failed(c)) || outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("outcome cancelled: {outcome:?}"))),
        }
    })
    .await?;
    Ok(json_response(StatusCode::OK, &views::interview(&done)))
}

/// The update that records the outcome, guarded on the state the interview was read in.
fn mark_outcome(
    interview: &InterviewRecord,
    status: InterviewStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> aws_sdk_dynamodb::types::TransactWriteItem {
    guarded(interview, "SET #status = :outcome, outcomeAt = :now, outcomeNote = :note", |u| {
        u.expression_attribute_values(":outcome", s(status.as_str()))
            .expression_attribute_values(":now", s(to_key(now)))
            .expression_attribute_values(":note", note.map(s).unwrap_or(AttributeValue::Null(true)))
    })
}
