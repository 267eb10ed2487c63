//! The parameters of every email about an interview (booked, convocation, cancelled,
//! rescheduled, accepted in-person request, reminder), typed once so that a misspelt
//! parameter fails to compile instead of rendering blank. The names are exactly the variables
//! the templates under `functions/email-dispatch/templates/` read (`store::email_params` tests
//! the two sets are the same); sent as one of the interview variants of
//! [`crate::email_params::Email`], stored in `OutboxRecord.params` as a JSON map.

use chrono::{DateTime, Utc};
use domain::interview::PhoneCaller;
use domain::time::french_date_time;
use domain::Channel;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::interview::InterviewRecord;
use crate::records::{AdvisorRecord, SeekerRecord};

/// One email about an interview. Fields every such email has come first (`location` and
/// `phoneNumber` are `null` when the interview has none); the rest are left out unless the
/// email sets them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterviewEmail {
    /// The recipient's first name (`null` for an erased seeker).
    pub first_name: Option<String>,
    pub advisor_name: String,
    pub when: String,
    pub duration_minutes: u32,
    pub channel: Channel,
    pub channel_label: &'static str,
    pub location: Option<String>,
    /// The seeker's number, in the French national form (`06 11 22 33 44`).
    pub phone_number: Option<String>,
    /// Who dials a phone interview: `advisor` (calls `phoneNumber`) or `seeker` (calls `agencyNumber`).
    pub caller: PhoneCaller,
    /// The agency's number the seeker calls, in the national form; `null` when the advisor calls.
    pub agency_number: Option<String>,
    pub mandatory: bool,
    pub app_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seeker_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisor_first_name: Option<String>,
    /// The other person of the interview (changes sent to both).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_name: Option<String>,
    /// The signed link that cancels the interview. `Some(None)`: sent as `null` (a reminder of a
    /// convocation says there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledge_url: Option<String>,
    /// Who cancelled, in French ("votre conseiller").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The time before a reschedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_when: Option<String>,
    /// A reminder's kind (`day_before`, `hour_before`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

/// A stored E.164 number as people read it (`06 11 22 33 44`); kept as stored if it does not parse.
fn national(number: &str) -> String {
    domain::Phone::parse(number).map(|p| domain::sms::french_display(&p)).unwrap_or_else(|_| number.to_owned())
}

impl InterviewEmail {
    /// What every email about `interview` says, to its seeker (`appUrl` is the interview's page
    /// under `app_base_url`).
    pub fn new(
        interview: &InterviewRecord,
        seeker: &SeekerRecord,
        advisor: &AdvisorRecord,
        app_base_url: &str,
    ) -> InterviewEmail {
        InterviewEmail {
            first_name: seeker.first_name.clone(),
            advisor_name: advisor.display_name(),
            when: french_date_time(interview.start_at()),
            duration_minutes: interview.duration_minutes,
            channel: interview.channel,
            channel_label: interview.channel.label_fr(),
            location: interview.location.clone(),
            phone_number: interview.phone_number.as_deref().map(national),
            caller: interview.caller,
            agency_number: interview.agency_number.as_deref().map(national),
            mandatory: interview.mandatory,
            app_url: format!("{app_base_url}/entretiens/{}", interview.interview_id),
            seeker_name: None,
            advisor_first_name: None,
            other_name: None,
            cancel_url: None,
            acknowledge_url: None,
            cancelled_by: None,
            reason: None,
            previous_when: None,
            kind: None,
        }
    }

    /// [`InterviewEmail::new`] naming both people, as the emails of booking and changes do.
    pub fn with_both_names(mut self, seeker: &SeekerRecord, advisor: &AdvisorRecord) -> InterviewEmail {
        self.seeker_name = Some(seeker.display_name());
        self.advisor_first_name = Some(advisor.first_name.clone());
        self
    }

    /// The time before a reschedule.
    pub fn previous_start(mut self, previous: DateTime<Utc>) -> InterviewEmail {
        self.previous_when = Some(french_date_time(previous));
        self
    }

    /// The stored form: `OutboxRecord.params`.
    pub fn params(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            // A struct of strings, numbers and booleans always serializes to an object.
            _ => Map::new(),
        }
    }
}
