//! The emails of interview events, each with its `.ics` invitation where a
//! calendar should change. They concern a seeker, so they live in the
//! seeker's partition (erasure finds them).

use crate::calendar::{ics, CalendarEvent, CalendarMethod};
use api::links::LinkAction;
use chrono::{DateTime, Duration, Utc};
use domain::time::french_date_time;
use serde_json::{json, Map, Value};
use store::interview::InterviewRecord;
use store::outbox::{Attachment, EmailTemplate, OutboxRecord};
use store::{AdvisorRecord, SeekerRecord};

use crate::App;

/// Who takes part in an interview.
pub(crate) struct Parties<'a> {
    pub seeker: &'a SeekerRecord,
    pub advisor: &'a AdvisorRecord,
}

fn summary(interview: &InterviewRecord) -> String {
    if interview.mandatory {
        format!("Entretien obligatoire ({})", interview.channel.label_fr())
    } else {
        format!("Entretien avec votre conseiller ({})", interview.channel.label_fr())
    }
}

fn invitation(
    app: &App,
    interview: &InterviewRecord,
    method: CalendarMethod,
    attendee: &str,
    now: DateTime<Utc>,
) -> Attachment {
    let description = match (&interview.location, &interview.phone_number) {
        (Some(place), _) => format!("Lieu : {place}"),
        (None, Some(number)) => format!("Votre conseiller vous appellera au {number}."),
        (None, None) => format!("Depuis votre espace : {}", app.config.app_base_url),
    };
    let text = ics(&CalendarEvent {
        uid: &interview.calendar_uid(),
        sequence: interview.sequence,
        method,
        start: interview.start_at(),
        end: interview.end_at(),
        stamp: now,
        summary: &summary(interview),
        description: &description,
        location: interview.location.as_deref(),
        organizer_email: &app.config.sender_email,
        attendee_email: attendee,
    });
    let method_name = if method == CalendarMethod::Cancel { "CANCEL" } else { "REQUEST" };
    Attachment {
        filename: "invitation.ics".into(),
        content_type: format!("text/calendar; method={method_name}; charset=UTF-8"),
        content: text,
    }
}

/// Parameters every interview email shares.
fn base_params(app: &App, interview: &InterviewRecord, parties: &Parties<'_>) -> Map<String, Value> {
    let value = json!({
        "firstName": parties.seeker.first_name,
        "seekerName": parties.seeker.display_name(),
        "advisorName": parties.advisor.display_name(),
        "advisorFirstName": parties.advisor.first_name,
        "when": french_date_time(interview.start_at()),
        "durationMinutes": interview.duration_minutes,
        "channel": interview.channel,
        "channelLabel": interview.channel.label_fr(),
        "location": interview.location,
        "phoneNumber": interview.phone_number,
        "mandatory": interview.mandatory,
        "appUrl": format!("{}/entretiens/{}", app.config.app_base_url, interview.interview_id),
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn outbox(
    template: EmailTemplate,
    to: &str,
    seeker_id: &str,
    params: Map<String, Value>,
    attachment: Option<Attachment>,
    now: DateTime<Utc>,
) -> OutboxRecord {
    let record = OutboxRecord::new(template, to, Some(seeker_id), Value::Object(params), now);
    match attachment {
        Some(a) => record.with_attachment(a),
        None => record,
    }
}

/// How long an advisor's answer links stay valid.
const ANSWER_LINK_DAYS: i64 = 14;

/// A signed link for the seeker of `interview`, valid until `until` (at least an hour).
fn seeker_link(
    app: &App,
    action: LinkAction,
    interview: &InterviewRecord,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> String {
    let ttl = (until - now).max(Duration::hours(1));
    app.links.url(action, &interview.interview_id, &interview.seeker_id, now, ttl)
}

/// Confirmation to the seeker and notice to the advisor, both with the invitation.
pub(crate) fn booked(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    now: DateTime<Utc>,
) -> Vec<OutboxRecord> {
    let params = base_params(app, interview, parties);
    let mut emails = Vec::new();
    if let Some(email) = &parties.seeker.email {
        let template = if interview.request_id.is_some() {
            EmailTemplate::InPersonAccepted
        } else {
            EmailTemplate::InterviewBookedSeeker
        };
        let invite = invitation(app, interview, CalendarMethod::Request, email, now);
        let mut seeker_params = params.clone();
        // A seeker may cancel an interview that is not a convocation, from the email, until it starts.
        if !interview.mandatory {
            let url = seeker_link(app, LinkAction::CancelInterview, interview, interview.start_at(), now);
            seeker_params.insert("cancelUrl".into(), json!(url));
        }
        emails.push(outbox(template, email, &interview.seeker_id, seeker_params, Some(invite), now));
    }
    if interview.request_id.is_none() {
        let invite = invitation(app, interview, CalendarMethod::Request, &parties.advisor.email, now);
        emails.push(outbox(
            EmailTemplate::InterviewBookedAdvisor,
            &parties.advisor.email,
            &interview.seeker_id,
            params,
            Some(invite),
            now,
        ));
    }
    emails
}

/// The convocation: mandatory, how to justify an absence, with the invitation.
pub(crate) fn convocation(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    now: DateTime<Utc>,
) -> Option<OutboxRecord> {
    let email = parties.seeker.email.as_deref()?;
    let invite = invitation(app, interview, CalendarMethod::Request, email, now);
    let mut params = base_params(app, interview, parties);
    let url = seeker_link(app, LinkAction::AcknowledgeConvocation, interview, interview.end_at(), now);
    params.insert("acknowledgeUrl".into(), json!(url));
    Some(outbox(EmailTemplate::Convocation, email, &interview.seeker_id, params, Some(invite), now))
}

/// Both people learn of a cancellation; their calendars drop the event (`METHOD:CANCEL`, same UID, higher SEQUENCE).
pub(crate) fn cancelled(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    cancelled_by_label: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Vec<OutboxRecord> {
    let mut params = base_params(app, interview, parties);
    params.insert("cancelledBy".into(), json!(cancelled_by_label));
    params.insert("reason".into(), json!(reason));
    params.insert("appUrl".into(), json!(app.config.app_base_url));
    let update = CalendarUpdate { template: EmailTemplate::InterviewCancelled, method: CalendarMethod::Cancel };
    to_both_parties(app, interview, parties, update, params, Map::new(), now)
}

/// Both people learn of the new time; their calendars move the event (same UID, higher SEQUENCE).
pub(crate) fn rescheduled(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    previous_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<OutboxRecord> {
    let mut params = base_params(app, interview, parties);
    params.insert("previousWhen".into(), json!(french_date_time(previous_start)));
    let mut seeker_only = Map::new();
    if !interview.mandatory {
        let url = seeker_link(app, LinkAction::CancelInterview, interview, interview.start_at(), now);
        seeker_only.insert("cancelUrl".into(), json!(url));
    }
    let update = CalendarUpdate { template: EmailTemplate::InterviewRescheduled, method: CalendarMethod::Request };
    to_both_parties(app, interview, parties, update, params, seeker_only, now)
}

/// Which email and which calendar method a change to an interview sends.
struct CalendarUpdate {
    template: EmailTemplate,
    method: CalendarMethod,
}

/// The same change to both people, each with their own `.ics` and the other's name: the
/// seeker (when they have an email, with `seeker_only` added) and the advisor.
fn to_both_parties(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    update: CalendarUpdate,
    params: Map<String, Value>,
    seeker_only: Map<String, Value>,
    now: DateTime<Utc>,
) -> Vec<OutboxRecord> {
    let mut emails = Vec::new();
    if let Some(email) = &parties.seeker.email {
        let mut seeker_params = params.clone();
        seeker_params.insert("otherName".into(), json!(parties.advisor.display_name()));
        seeker_params.extend(seeker_only);
        let invite = invitation(app, interview, update.method, email, now);
        emails.push(outbox(update.template, email, &interview.seeker_id, seeker_params, Some(invite), now));
    }
    let mut advisor_params = params;
    advisor_params.insert("firstName".into(), json!(parties.advisor.first_name));
    advisor_params.insert("otherName".into(), json!(parties.seeker.display_name()));
    let invite = invitation(app, interview, update.method, &parties.advisor.email, now);
    emails.push(outbox(
        update.template,
        &parties.advisor.email,
        &interview.seeker_id,
        advisor_params,
        Some(invite),
        now,
    ));
    emails
}

/// The advisor hears of an in-person request.
pub(crate) fn in_person_requested(
    app: &App,
    parties: &Parties<'_>,
    request_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> OutboxRecord {
    let advisor_id = &parties.advisor.advisor_id;
    let ttl = Duration::days(ANSWER_LINK_DAYS);
    let params = json!({
        "advisorFirstName": parties.advisor.first_name,
        "seekerName": parties.seeker.display_name(),
        "reason": reason,
        "appUrl": format!("{}/conseiller/demandes-entretien/{request_id}", app.config.app_base_url),
        "acceptUrl": app.links.url(LinkAction::AcceptInPerson, request_id, advisor_id, now, ttl),
        "declineUrl": app.links.url(LinkAction::DeclineInPerson, request_id, advisor_id, now, ttl),
    });
    OutboxRecord::new(
        EmailTemplate::InPersonRequested,
        &parties.advisor.email,
        Some(&parties.seeker.seeker_id),
        params,
        now,
    )
}

/// The seeker hears that their in-person request was declined, with the advisor's message.
pub(crate) fn in_person_declined(
    app: &App,
    parties: &Parties<'_>,
    message: &str,
    now: DateTime<Utc>,
) -> Option<OutboxRecord> {
    let email = parties.seeker.email.as_deref()?;
    let params = json!({
        "firstName": parties.seeker.first_name,
        "advisorName": parties.advisor.display_name(),
        "message": message,
        "appUrl": app.config.app_base_url,
    });
    Some(OutboxRecord::new(EmailTemplate::InPersonDeclined, email, Some(&parties.seeker.seeker_id), params, now))
}
