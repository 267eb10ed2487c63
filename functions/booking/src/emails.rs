//! The emails of interview events, each with its `.ics` invitation where a
//! calendar should change. They concern a seeker, so they live in the
//! seeker's partition (erasure finds them).

use crate::calendar::{ics, CalendarEvent, CalendarMethod};
use api::links::LinkAction;
use chrono::{DateTime, Duration, Utc};
use store::email_params::{Email, InPersonDeclined, InPersonRequested};
use store::interview::InterviewRecord;
use store::interview_email::InterviewEmail;
use store::outbox::{Attachment, OutboxRecord};
use store::{AdvisorRecord, SeekerRecord};

use crate::app::App;

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

/// What every email about `interview` says, naming both people; to the seeker unless changed.
fn base_params(app: &App, interview: &InterviewRecord, parties: &Parties<'_>) -> InterviewEmail {
    InterviewEmail::new(interview, parties.seeker, parties.advisor, &app.config.app_base_url)
        .with_both_names(parties.seeker, parties.advisor)
}

fn outbox(email: Email, to: &str, seeker_id: &str, attachment: Option<Attachment>, now: DateTime<Utc>) -> OutboxRecord {
    let record = OutboxRecord::new(email, to, Some(seeker_id), now);
    match attachment {
        Some(a) => record.with_attachment(a),
        None => record,
    }
}

/// How long an advisor's answer links stay valid.
const ANSWER_LINK_DAYS: i64 = 14;

/// A signed link for the seeker of `interview`, valid until `until` (at least an hour), and
/// only while the interview is at its current version (a reschedule makes a new one).
fn seeker_link(
    app: &App,
    action: LinkAction,
    interview: &InterviewRecord,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> String {
    let ttl = (until - now).max(Duration::hours(1));
    app.links.url_at_version(action, &interview.interview_id, interview.version, &interview.seeker_id, now, ttl)
}

/// A seeker may cancel an interview that is not a convocation, from the email, until it starts.
fn seeker_cancel_url(app: &App, interview: &InterviewRecord, now: DateTime<Utc>) -> Option<String> {
    (!interview.mandatory).then(|| seeker_link(app, LinkAction::CancelInterview, interview, interview.start_at(), now))
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
        let to_seeker: fn(InterviewEmail) -> Email =
            if interview.request_id.is_some() { Email::InPersonAccepted } else { Email::InterviewBookedSeeker };
        let invite = invitation(app, interview, CalendarMethod::Request, email, now);
        let seeker_params =
            InterviewEmail { cancel_url: seeker_cancel_url(app, interview, now).map(Some), ..params.clone() };
        emails.push(outbox(to_seeker(seeker_params), email, &interview.seeker_id, Some(invite), now));
    }
    if interview.request_id.is_none() {
        let invite = invitation(app, interview, CalendarMethod::Request, &parties.advisor.email, now);
        emails.push(outbox(
            Email::InterviewBookedAdvisor(params),
            &parties.advisor.email,
            &interview.seeker_id,
            Some(invite),
            now,
        ));
    }
    emails
}

/// The convocation at the interview's current version: mandatory, how to justify an absence,
/// its acknowledge link, with the invitation; after a reschedule it says which one it replaces
/// (`previous_start`). Sending it writes its proof on the interview.
pub(crate) fn convocation(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    previous_start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<OutboxRecord> {
    let email = parties.seeker.email.as_deref()?;
    let invite = invitation(app, interview, CalendarMethod::Request, email, now);
    let url = seeker_link(app, LinkAction::AcknowledgeConvocation, interview, interview.end_at(), now);
    let base = base_params(app, interview, parties);
    let base = match previous_start {
        Some(previous) => base.previous_start(previous),
        None => base,
    };
    let params = InterviewEmail { acknowledge_url: Some(url), ..base };
    Some(
        outbox(Email::Convocation(params), email, &interview.seeker_id, Some(invite), now)
            .carrying_convocation(&interview.interview_id, interview.version),
    )
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
    let params = InterviewEmail {
        cancelled_by: Some(cancelled_by_label.to_owned()),
        reason: Some(reason.to_owned()),
        // The interview's page is gone with it: the email points at the space.
        app_url: app.config.app_base_url.clone(),
        ..base_params(app, interview, parties)
    };
    let update = CalendarUpdate { email: Email::InterviewCancelled, method: CalendarMethod::Cancel };
    to_both_parties(app, interview, parties, update, params, None, now)
}

/// Both people learn of the new time; their calendars move the event (same UID, higher
/// SEQUENCE). A rescheduled convocation is a new convocation: the seeker receives the
/// convocation of the new version (its own acknowledge link and proof), the advisor the notice.
pub(crate) fn rescheduled(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    previous_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<OutboxRecord> {
    let params = base_params(app, interview, parties).previous_start(previous_start);
    let cancel_url = seeker_cancel_url(app, interview, now);
    let update = CalendarUpdate { email: Email::InterviewRescheduled, method: CalendarMethod::Request };
    if !interview.mandatory {
        return to_both_parties(app, interview, parties, update, params, cancel_url, now);
    }
    let mut emails: Vec<OutboxRecord> =
        convocation(app, interview, parties, Some(previous_start), now).into_iter().collect();
    emails.push(to_advisor(app, interview, parties, &update, params, now));
    emails
}

/// A seeker's interview moves to their new advisor: the new advisor receives it with its
/// invitation; the former one is told, and their calendar drops it (same UID, higher SEQUENCE).
/// The seeker's own calendar entry does not change (same time, channel and place); the change
/// of advisor has its own email.
pub(crate) fn handed_over(
    app: &App,
    before: &InterviewRecord,
    moved: &InterviewRecord,
    seeker: &SeekerRecord,
    former: &AdvisorRecord,
    new: &AdvisorRecord,
    now: DateTime<Utc>,
) -> Vec<OutboxRecord> {
    let new_params = base_params(app, moved, &Parties { seeker, advisor: new });
    let invite = invitation(app, moved, CalendarMethod::Request, &new.email, now);
    let to_new = outbox(Email::InterviewBookedAdvisor(new_params), &new.email, &moved.seeker_id, Some(invite), now);
    let former_params = InterviewEmail {
        first_name: Some(former.first_name.clone()),
        other_name: Some(seeker.display_name()),
        cancelled_by: Some("le service de suivi".into()),
        reason: Some("le suivi de ce demandeur d'emploi est confié à un autre conseiller.".into()),
        app_url: app.config.app_base_url.clone(),
        ..base_params(app, before, &Parties { seeker, advisor: former })
    };
    let drop = invitation(app, moved, CalendarMethod::Cancel, &former.email, now);
    let to_former = outbox(Email::InterviewCancelled(former_params), &former.email, &moved.seeker_id, Some(drop), now);
    vec![to_new, to_former]
}

/// Which email and which calendar method a change to an interview sends.
struct CalendarUpdate {
    email: fn(InterviewEmail) -> Email,
    method: CalendarMethod,
}

/// The same change to both people, each with their own `.ics` and the other's name: the
/// seeker (when they have an email, with `seeker_cancel_url`) and the advisor.
fn to_both_parties(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    update: CalendarUpdate,
    params: InterviewEmail,
    seeker_cancel_url: Option<String>,
    now: DateTime<Utc>,
) -> Vec<OutboxRecord> {
    let mut emails = Vec::new();
    if let Some(email) = &parties.seeker.email {
        let seeker_params = InterviewEmail {
            other_name: Some(parties.advisor.display_name()),
            cancel_url: seeker_cancel_url.map(Some),
            ..params.clone()
        };
        let invite = invitation(app, interview, update.method, email, now);
        emails.push(outbox((update.email)(seeker_params), email, &interview.seeker_id, Some(invite), now));
    }
    emails.push(to_advisor(app, interview, parties, &update, params, now));
    emails
}

/// The advisor's copy of a change, naming the seeker, with the advisor's own `.ics`.
fn to_advisor(
    app: &App,
    interview: &InterviewRecord,
    parties: &Parties<'_>,
    update: &CalendarUpdate,
    params: InterviewEmail,
    now: DateTime<Utc>,
) -> OutboxRecord {
    let advisor_params = InterviewEmail {
        first_name: Some(parties.advisor.first_name.clone()),
        other_name: Some(parties.seeker.display_name()),
        ..params
    };
    let invite = invitation(app, interview, update.method, &parties.advisor.email, now);
    outbox((update.email)(advisor_params), &parties.advisor.email, &interview.seeker_id, Some(invite), now)
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
    let params = InPersonRequested {
        advisor_first_name: parties.advisor.first_name.clone(),
        seeker_name: parties.seeker.display_name(),
        reason: reason.to_owned(),
        app_url: format!("{}/conseiller/demandes-entretien/{request_id}", app.config.app_base_url),
        accept_url: app.links.url(LinkAction::AcceptInPerson, request_id, advisor_id, now, ttl),
        decline_url: app.links.url(LinkAction::DeclineInPerson, request_id, advisor_id, now, ttl),
    };
    OutboxRecord::new(Email::InPersonRequested(params), &parties.advisor.email, Some(&parties.seeker.seeker_id), now)
}

/// The seeker hears that their in-person request was declined, with the advisor's message.
pub(crate) fn in_person_declined(
    app: &App,
    parties: &Parties<'_>,
    message: &str,
    now: DateTime<Utc>,
) -> Option<OutboxRecord> {
    let email = parties.seeker.email.as_deref()?;
    let params = InPersonDeclined {
        first_name: parties.seeker.first_name.clone(),
        advisor_name: parties.advisor.display_name(),
        message: message.to_owned(),
        app_url: app.config.app_base_url.clone(),
    };
    Some(OutboxRecord::new(Email::InPersonDeclined(params), email, Some(&parties.seeker.seeker_id), now))
}
