//! `POST /interviews/{interviewId}/extend`: the advisor extends a running interview. The extra
//! time takes the agenda granules after the interview in the same transaction as the new end,
//! as every interview does: the agenda taken after it refuses the extension (409), nothing
//! written. The meeting's end follows (the sweeper reads the interview's end).

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use domain::interview::check_extend;
use domain::time::to_key;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::interview::{granules, hold_granules};
use store::journal::{ActorRole, JournalEvent};
use store::{n, s, TransactOutcome, Tx};

use super::{guarded, interview_for, journal, stale, state};
use crate::app::App;
use crate::views;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExtendBody {
    minutes: u32,
}

/// `POST /interviews/{interviewId}/extend`.
pub(crate) async fn extend(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: ExtendBody = parse_body(request)?;
    let (interview, who) =
        interview_for(app, caller, &interview_id, api::access::Access::Change(api::access::Resource::Interview))
            .await?;
    check_extend(&state(&interview), who.role(), body.minutes, app.policy.overrun_limit, now)?;
    let duration = interview.duration_minutes + body.minutes;
    if duration > app.policy.max_duration_minutes {
        return Err(ApiError::unprocessable(
            "too_long",
            format!("an interview lasts at most {} minutes", app.policy.max_duration_minutes),
        ));
    }
    let mut extended = interview.clone();
    extended.end = interview.end + Duration::minutes(i64::from(body.minutes));
    extended.duration_minutes = duration;
    extended.sequence += 1;

    let mut tx = Tx::new();
    extended.expires_at = Some(store::interview::interview_expiry(extended.end, extended.mandatory));
    let set = "SET #end = :end, durationMinutes = :duration, #sequence = :next, expiresAt = :expires";
    let guard = tx.push(guarded(&interview, set, |u| {
        u.expression_attribute_names("#end", "end")
            .expression_attribute_values(":expires", n(extended.expires_at.unwrap_or_default()))
            .expression_attribute_values(":end", s(to_key(extended.end)))
            .expression_attribute_values(":duration", n(extended.duration_minutes))
            .expression_attribute_values(":next", n(extended.sequence))
    }));
    let held = tx.push_all(hold_granules(&extended, granules(interview.end_at(), extended.end_at())));
    let event = |facts| JournalEvent::Extended {
        interview: facts,
        minutes: body.minutes,
        previous_end: interview.end,
        end: extended.end,
    };
    tx.push(journal(app, &extended, event, ActorRole::Advisor, Some(who.id()), now)?);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!(minutes = body.minutes, "interview extended");
            Ok(json_response(StatusCode::OK, &views::interview(&extended)))
        }
        outcome if outcome.any_failed(&held) => Err(ApiError::conflict(
            "agenda_taken",
            "your agenda is taken after this interview; it cannot be extended that long",
        )),
        outcome if outcome.failed(guard) || outcome.conflicted() => Err(stale()),
        outcome => Err(ApiError::internal(format!("interview extension cancelled: {outcome:?}"))),
    }
}
