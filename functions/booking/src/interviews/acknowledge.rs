//! `POST /interviews/{interviewId}/acknowledge`: the seeker confirms receiving a convocation
//! (kept as proof, on the interview record, for the version it was sent for).

use api::auth::Caller;
use api::http::{json_response, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::interview::{check_acknowledge, Acknowledgement};
use domain::time::to_key;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use store::interview::{convocation_path, InterviewRecord, InterviewStatus};
use store::journal::{ActorRole, JournalEvent};
use store::tx::update;
use store::Keyed;
use store::{n, s, TransactOutcome, Tx};

use super::{interview_for, journal, load, stale, state};
use crate::app::App;
use crate::views;

/// `POST /interviews/{interviewId}/acknowledge`.
pub(crate) async fn acknowledge(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let (interview, who) =
        interview_for(app, caller, &interview_id, api::access::Access::Change(api::access::Resource::Interview))
            .await?;
    check_acknowledge(&state(&interview), who.role(), now)?;
    let seeker_id = who.id().to_owned();
    let acknowledged = acknowledge_as(app, interview, &seeker_id, Vec::new(), now).await?;
    Ok(json_response(StatusCode::OK, &views::interview(&acknowledged)))
}

/// Records the acknowledgement of the current version of a convocation by its seeker, with
/// `extra` items in the same transaction. The write is conditioned on the version and the
/// status it was read in: a reschedule or a cancellation meanwhile refuses it (409).
pub(crate) async fn acknowledge_as(
    app: &App,
    interview: InterviewRecord,
    seeker_id: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InterviewRecord, ApiError> {
    if check_acknowledge(&state(&interview), ActorRole::Seeker, now)? == Acknowledgement::AlreadyRecorded {
        return Ok(interview);
    }
    let interview_id = interview.interview_id.clone();
    let version = interview.version;
    let has_proof = interview.convocations.iter().any(|p| p.version == version);
    let mut tx = Tx::new();
    tx.push(update(interview.pk(), &interview.sk(), |u| {
        let path = convocation_path(version);
        let (set, proof_condition) = if has_proof {
            (
                format!("SET acknowledgedAt = :now, {path}.acknowledgedAt = :now"),
                format!(" AND {path}.version = :version"),
            )
        } else {
            ("SET acknowledgedAt = :now".to_owned(), String::new())
        };
        // Records written before versions existed have none: they are version 1.
        let version_condition =
            if version == 1 { "(attribute_not_exists(version) OR version = :version)" } else { "version = :version" };
        u.update_expression(set)
            .condition_expression(format!(
                "attribute_not_exists(acknowledgedAt) AND #status = :booked AND {version_condition}{proof_condition}"
            ))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", s(to_key(now)))
            .expression_attribute_values(":booked", s(InterviewStatus::Booked.as_str()))
            .expression_attribute_values(":version", n(version))
    }));
    let acknowledged = |interview| JournalEvent::Acknowledged { interview, version };
    tx.push(journal(app, &interview, acknowledged, ActorRole::Seeker, Some(seeker_id), now)?);
    tx.push_all(extra);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            let mut acknowledged = interview;
            acknowledged.acknowledged_at = Some(now);
            if let Some(proof) = acknowledged.convocations.iter_mut().find(|p| p.version == version) {
                proof.acknowledged_at = Some(now);
            }
            Ok(acknowledged)
        }
        _ => {
            let current = load(app, &interview_id).await?.ok_or_else(|| ApiError::not_found("no such interview"))?;
            // Acknowledged meanwhile (a double click, the email link): the first time stands.
            if current.version == version && current.acknowledged_at.is_some() {
                return Ok(current);
            }
            // Rescheduled or cancelled meanwhile: the rules say why, else it changed under us.
            check_acknowledge(&state(&current), ActorRole::Seeker, now)?;
            Err(stale())
        }
    }
}
