//! `POST /seekers/{seekerId}/convocations`: a mandatory interview, by the seeker's advisor.

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use chrono::{DateTime, Utc};
use domain::interview::{phone_caller_for, phone_for, PhoneCaller};
use domain::time::parse_instant;
use domain::Channel;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::interview::ConvocationProof;
use store::journal::JournalEvent;
use store::sms::{SmsMessage, SmsTemplate};

use super::schedule::{location_for, new_interview, schedule};
use crate::app::App;
use crate::emails::{self, Parties};
use crate::views;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConvokeBody {
    start: String,
    duration_minutes: u32,
    channel: Channel,
    #[serde(default)]
    location: Option<String>,
    /// Who dials a phone convocation (default: the advisor calls the seeker).
    #[serde(default)]
    caller: Option<PhoneCaller>,
}

/// `POST /seekers/{seekerId}/convocations`.
pub(crate) async fn convoke(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let seeker_id = path_param(request, "seekerId")?;
    let body: ConvokeBody = parse_body(request)?;
    let change = api::access::Access::Change(api::access::Resource::Convocation);
    let (seeker, advisor) = api::access::seeker_for_advisor(&app.store, caller, &seeker_id, change).await?;
    let start = parse_instant("start", &body.start)?;
    app.policy.check_advisor_start(start, now)?;
    if start < now + app.policy.min_notice {
        return Err(ApiError::unprocessable("too_late", "a convocation must leave the seeker the minimum notice"));
    }
    app.policy.check_duration(body.duration_minutes)?;
    let location = location_for(body.channel, body.location.as_deref())?;
    let phone = phone_for(body.channel, seeker.phone.as_deref())?;
    let agency = app.config.agency_phone_number.as_ref().map(|p| p.as_str());
    let (phone_caller, agency_number) = phone_caller_for(body.channel, body.caller, agency)?;
    let mut interview = new_interview(
        &seeker,
        &advisor.advisor_id,
        start,
        body.duration_minutes,
        body.channel,
        true,
        location,
        phone,
        now,
    );
    interview.caller = phone_caller;
    interview.agency_number = agency_number;
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    let email = emails::convocation(app, &interview, &parties, None, now);
    interview.convocations = vec![ConvocationProof::of(&interview, email.as_ref().map(|e| e.email_id.clone()))];
    // A seeker who opted in learns of it by SMS too: when, how, and where to read the rest.
    let notice = SmsMessage::new(
        SmsTemplate::ConvocationNotice,
        &seeker.seeker_id,
        domain::sms::convocation_notice_text(interview.start_at(), interview.channel),
        now,
    );
    let extra = notice.write_for(&seeker, now)?.into_iter().collect();
    schedule(app, &interview, JournalEvent::Convoked, &advisor.advisor_id, email.into_iter().collect(), extra, now)
        .await?;
    tracing::info!("seeker convoked");
    Ok(json_response(StatusCode::CREATED, &views::interview(&interview)))
}
