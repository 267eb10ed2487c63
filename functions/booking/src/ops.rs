//! Booking's operations as library functions, for callers that are not the
//! HTTP API: the `links` function acts for the person a signed link names
//! (no JWT). Each takes `extra` transaction items, written all-or-nothing
//! with the operation (the link's single-use record), and applies the same
//! checks and writes as the routes.

use api::ApiError;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Paris;
use domain::time::to_key;
use store::interview::{InterviewRecord, InterviewStatus};
use store::keys;
use store::{transact_retrying, AdvisorRecord, Index, Retrying, Step};

use crate::app::App;
use crate::interviews::{self, not_yours, Participant};

pub use crate::records::{InPersonRecord, RequestStatus};

/// An interview, whoever asks (the caller checks who may see it).
pub async fn interview(app: &App, interview_id: &str) -> Result<Option<InterviewRecord>, ApiError> {
    interviews::load(app, interview_id).await
}

/// An in-person request, whoever asks.
pub async fn in_person_request(app: &App, request_id: &str) -> Result<Option<InPersonRecord>, ApiError> {
    app.store.get(&keys::in_person_pk(request_id), keys::IN_PERSON_SK).await.map_err(ApiError::from)
}

/// The refusal of a link sent for an earlier version of the interview (it was rescheduled since).
pub const OUTDATED_LINK: &str = "outdated_link";

/// The seeker's interview, at the version a link was sent for (a link without one: version 1).
async fn interview_at_version(
    app: &App,
    seeker_id: &str,
    interview_id: &str,
    version: Option<u32>,
) -> Result<InterviewRecord, ApiError> {
    let interview = interview(app, interview_id).await?.filter(|i| i.seeker_id == seeker_id).ok_or_else(not_yours)?;
    if interview.version != version.unwrap_or(1) {
        return Err(ApiError::conflict(OUTDATED_LINK, "this link was sent for an earlier time of the interview"));
    }
    Ok(interview)
}

/// The seeker acknowledges their convocation at `version` (`POST /interviews/{id}/acknowledge`).
pub async fn acknowledge_convocation(
    app: &App,
    seeker_id: &str,
    interview_id: &str,
    version: Option<u32>,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InterviewRecord, ApiError> {
    let interview = interview_at_version(app, seeker_id, interview_id, version).await?;
    interviews::acknowledge_as(app, interview, seeker_id, extra, now).await
}

/// The seeker cancels a non-mandatory interview at `version` (`POST /interviews/{id}/cancel`);
/// the cancellation is guarded on the state read, so a reschedule meanwhile refuses it.
pub async fn cancel_as_seeker(
    app: &App,
    seeker_id: &str,
    interview_id: &str,
    version: Option<u32>,
    reason: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InterviewRecord, ApiError> {
    let interview = interview_at_version(app, seeker_id, interview_id, version).await?;
    let seeker = app.store.seeker(seeker_id).await?.ok_or_else(not_yours)?;
    interviews::cancel_as(app, interview, &Participant::Seeker(seeker), reason, extra, now).await
}

async fn advisor(app: &App, advisor_id: &str) -> Result<AdvisorRecord, ApiError> {
    app.store.advisor(advisor_id).await?.ok_or_else(|| ApiError::not_found("no such advisor"))
}

/// The advisor declines an in-person request (`POST /in-person-requests/{id}/decline`).
pub async fn decline_in_person(
    app: &App,
    advisor_id: &str,
    request_id: &str,
    message: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<InPersonRecord, ApiError> {
    let advisor = advisor(app, advisor_id).await?;
    let record = crate::in_person::open_request_for(app, &advisor, request_id).await?;
    crate::in_person::decline_as(app, &advisor, record, message, extra, now).await
}

/// Candidate starts tried before giving up (a concurrent booking took the first ones).
const ACCEPT_ATTEMPTS: u32 = 3;

/// The advisor accepts an in-person request from an email: the interview is booked at the
/// advisor's next free time (working hours, after the booking notice), which they can move.
pub async fn accept_in_person_next_free(
    app: &App,
    advisor_id: &str,
    request_id: &str,
    extra: Vec<TransactWriteItem>,
    now: DateTime<Utc>,
) -> Result<(InPersonRecord, InterviewRecord), ApiError> {
    let advisor = advisor(app, advisor_id).await?;
    let minutes = app.policy.link_in_person_minutes;
    let (advisor, extra) = (&advisor, &extra);
    // Each attempt reads the request and the agenda again at once: the time found was taken
    // meanwhile. After the last one the refusal is the agenda's, as a person would read it.
    transact_retrying("in-person acceptance", Retrying::attempts(ACCEPT_ATTEMPTS), |attempt| async move {
        let record = crate::in_person::open_request_for(app, advisor, request_id).await?;
        let Some(start) = next_free_start(app, advisor_id, minutes, now).await? else {
            return Err(if attempt == 0 {
                ApiError::conflict("agenda_full", "no free time in the next weeks")
            } else {
                agenda_taken()
            });
        };
        // At the advisor's agency when they have one set; they can move it from the app.
        let location =
            Some(advisor.agency_address.clone().unwrap_or_else(|| app.policy.link_in_person_location.clone()));
        match crate::in_person::accept_as(app, advisor, record, start, minutes, location, extra.clone(), now).await {
            Err(e) if e.code() == "agenda_taken" && attempt + 1 < ACCEPT_ATTEMPTS => Ok(Step::Reread),
            other => other.map(Step::Done),
        }
    })
    .await
}

/// The refusal of [`crate::interviews::schedule`] when the time was taken meanwhile.
fn agenda_taken() -> ApiError {
    ApiError::conflict("agenda_taken", "you already have an interview at that time")
}

/// Working hours in Paris: candidate interviews start in these blocks, every 30 minutes.
const BLOCKS: [(u32, u32); 2] = [(9, 12), (14, 17)];
/// How far ahead the next free time is looked for.
const SEARCH_DAYS: i64 = 30;

/// The first start, on a weekday in working hours and after the booking notice, at which
/// `minutes` fit in the advisor's agenda (booked interviews read by key on `AGENDA#`).
pub async fn next_free_start(
    app: &App,
    advisor_id: &str,
    minutes: u32,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let earliest = now + app.policy.min_notice;
    let horizon = earliest + Duration::days(SEARCH_DAYS + 2);
    // Interviews last at most a few hours: one that started before `earliest` may still overlap.
    let busy = booked_between(app, advisor_id, earliest - Duration::hours(4), horizon).await?;
    let length = Duration::minutes(i64::from(minutes));
    let first_day = earliest.with_timezone(&Paris).date_naive();
    for day in (0..=SEARCH_DAYS + 1).map(|d| first_day + Duration::days(d)) {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            for (open, close) in BLOCKS {
                let mut local = day.and_time(NaiveTime::from_hms_opt(open, 0, 0).unwrap_or(NaiveTime::MIN));
                let close = day.and_time(NaiveTime::from_hms_opt(close, 0, 0).unwrap_or(NaiveTime::MIN));
                while local + length <= close {
                    if let Some(start) = Paris.from_local_datetime(&local).earliest().map(|d| d.with_timezone(&Utc)) {
                        let end = start + length;
                        if start >= earliest && !busy.iter().any(|(b_start, b_end)| *b_start < end && start < *b_end) {
                            return Ok(Some(start));
                        }
                    }
                    local += Duration::minutes(30);
                }
            }
        }
    }
    Ok(None)
}

/// `[start, end)` of the advisor's booked interviews starting in `[from, to]`.
async fn booked_between(
    app: &App,
    advisor_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, ApiError> {
    // Agenda sort keys are `<start>#<interviewId>`: `~` sorts after every id character.
    let interviews: Vec<InterviewRecord> = app
        .store
        .query(Index::Gsi1, keys::agenda_gsi1pk(advisor_id))
        .sk_between(to_key(from), format!("{}#~", to_key(to)))
        .all_of()
        .await?;
    Ok(interviews.iter().filter(|i| i.status == InterviewStatus::Booked).map(|i| (i.start_at(), i.end_at())).collect())
}
