//! Every email the product sends, by the name of its template.

use serde::{Deserialize, Serialize};

/// Every email the product sends. The name is the template file stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailTemplate {
    WelcomeSeeker,
    AdvisorNewSeeker,
    SeekerAdvisorChanged,
    SeekerLevelChanged,
    InterviewBookedSeeker,
    InterviewBookedAdvisor,
    Convocation,
    InterviewCancelled,
    InterviewRescheduled,
    InPersonRequested,
    InPersonAccepted,
    InPersonDeclined,
    InterviewReminder,
    AdvisorDigest,
    /// "You have a new message" to a chat participant who was offline; never the message text.
    ChatNotice,
    /// To the advisor: an upcoming interview cancelled because its seeker erased their data;
    /// its time and channel only, nothing about the seeker.
    InterviewWithdrawnByErasure,
}

impl EmailTemplate {
    pub const ALL: [EmailTemplate; 16] = [
        EmailTemplate::WelcomeSeeker,
        EmailTemplate::AdvisorNewSeeker,
        EmailTemplate::SeekerAdvisorChanged,
        EmailTemplate::SeekerLevelChanged,
        EmailTemplate::InterviewBookedSeeker,
        EmailTemplate::InterviewBookedAdvisor,
        EmailTemplate::Convocation,
        EmailTemplate::InterviewCancelled,
        EmailTemplate::InterviewRescheduled,
        EmailTemplate::InPersonRequested,
        EmailTemplate::InPersonAccepted,
        EmailTemplate::InPersonDeclined,
        EmailTemplate::InterviewReminder,
        EmailTemplate::AdvisorDigest,
        EmailTemplate::ChatNotice,
        EmailTemplate::InterviewWithdrawnByErasure,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EmailTemplate::WelcomeSeeker => "welcome_seeker",
            EmailTemplate::AdvisorNewSeeker => "advisor_new_seeker",
            EmailTemplate::SeekerAdvisorChanged => "seeker_advisor_changed",
            EmailTemplate::SeekerLevelChanged => "seeker_level_changed",
            EmailTemplate::InterviewBookedSeeker => "interview_booked_seeker",
            EmailTemplate::InterviewBookedAdvisor => "interview_booked_advisor",
            EmailTemplate::Convocation => "convocation",
            EmailTemplate::InterviewCancelled => "interview_cancelled",
            EmailTemplate::InterviewRescheduled => "interview_rescheduled",
            EmailTemplate::InPersonRequested => "in_person_requested",
            EmailTemplate::InPersonAccepted => "in_person_accepted",
            EmailTemplate::InPersonDeclined => "in_person_declined",
            EmailTemplate::InterviewReminder => "interview_reminder",
            EmailTemplate::AdvisorDigest => "advisor_digest",
            EmailTemplate::ChatNotice => "chat_notice",
            EmailTemplate::InterviewWithdrawnByErasure => "interview_withdrawn_by_erasure",
        }
    }
}
