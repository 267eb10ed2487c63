//! Outbox emails: written as items inside the business transaction, rendered
//! and sent by `email-dispatch` from the table stream. Templates are French;
//! HTML templates escape everything users typed.

use chrono::{DateTime, Utc};
use minijinja::Environment;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;
use crate::keys;
use crate::store::{to_item, Item};
use crate::time;

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
}

impl EmailTemplate {
    pub const ALL: [EmailTemplate; 15] = [
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
        }
    }

    /// The subject line, itself a template over the same parameters (never HTML-escaped).
    fn subject(self) -> &'static str {
        match self {
            EmailTemplate::WelcomeSeeker => "Bienvenue dans votre suivi 100 % web",
            EmailTemplate::AdvisorNewSeeker => "Nouveau demandeur d'emploi dans votre portefeuille",
            EmailTemplate::SeekerAdvisorChanged => "Votre conseiller a changé",
            EmailTemplate::SeekerLevelChanged => "Votre accompagnement évolue",
            EmailTemplate::InterviewBookedSeeker => "Votre rendez-vous du {{ when }} est confirmé",
            EmailTemplate::InterviewBookedAdvisor => "Rendez-vous pris : {{ seekerName }}, {{ when }}",
            EmailTemplate::Convocation => "Convocation à un entretien obligatoire le {{ when }}",
            EmailTemplate::InterviewCancelled => "Rendez-vous du {{ when }} annulé",
            EmailTemplate::InterviewRescheduled => "Rendez-vous déplacé au {{ when }}",
            EmailTemplate::InPersonRequested => "Demande d'entretien en agence : {{ seekerName }}",
            EmailTemplate::InPersonAccepted => "Votre entretien en agence le {{ when }}",
            EmailTemplate::InPersonDeclined => "Votre demande d'entretien en agence",
            EmailTemplate::InterviewReminder => {
                "Rappel : {% if mandatory %}entretien obligatoire{% else %}rendez-vous{% endif %} {% if kind == \"hour_before\" %}dans une heure{% else %}demain{% endif %}, le {{ when }}"
            }
            EmailTemplate::AdvisorDigest => "Votre point du {{ today }}",
            EmailTemplate::ChatNotice => "Vous avez un nouveau message",
        }
    }
}

/// A file attached to an email (e.g. an `.ics` invitation).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: String,
}

/// An email waiting in the outbox (or sent: then its personal fields are gone).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRecord {
    pub pk: String,
    pub sk: String,
    pub email_id: String,
    pub template: EmailTemplate,
    /// The seeker the email concerns, if any: the item then lives in their partition so erasure finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeker_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// `pending` until sent, then `sent`.
    pub status: String,
    pub created_at: String,
    pub expires_at: i64,
}

/// Outbox items disappear through the TTL after a month.
const OUTBOX_RETENTION_DAYS: i64 = 30;

impl OutboxRecord {
    pub fn new(
        template: EmailTemplate,
        to: &str,
        seeker_id: Option<&str>,
        params: Value,
        now: DateTime<Utc>,
    ) -> OutboxRecord {
        let email_id = ulid::Ulid::from_datetime(now.into()).to_string();
        let (pk, sk) = match seeker_id {
            Some(id) => (keys::seeker_pk(id), keys::outbox_sk(&email_id)),
            None => (keys::outbox_pk(&email_id), keys::outbox_sk(&email_id)),
        };
        OutboxRecord {
            pk,
            sk,
            email_id,
            template,
            seeker_id: seeker_id.map(str::to_owned),
            to: Some(to.to_owned()),
            params: match params {
                Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
            attachments: Vec::new(),
            status: "pending".into(),
            created_at: time::to_key(now),
            expires_at: (now + chrono::Duration::days(OUTBOX_RETENTION_DAYS)).timestamp(),
        }
    }

    pub fn with_attachment(mut self, attachment: Attachment) -> OutboxRecord {
        self.attachments.push(attachment);
        self
    }

    pub fn to_item(&self) -> Result<Item, ApiError> {
        to_item(self)
    }
}

/// An email ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The template set, parsed once.
pub struct Renderer {
    env: Environment<'static>,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! template_files {
    ($env:ident, $($name:literal),* $(,)?) => {
        $(
            $env.add_template(concat!($name, ".html"), include_str!(concat!("../templates/", $name, ".html")))
                .expect(concat!("template ", $name, ".html parses"));
            $env.add_template(concat!($name, ".txt"), include_str!(concat!("../templates/", $name, ".txt")))
                .expect(concat!("template ", $name, ".txt parses"));
        )*
    };
}

impl Renderer {
    pub fn new() -> Renderer {
        let mut env = Environment::new();
        // `.html` templates auto-escape (minijinja's default callback); `.txt` ones do not.
        env.add_template("layout.html", include_str!("../templates/layout.html")).expect("layout parses");
        template_files!(
            env,
            "welcome_seeker",
            "advisor_new_seeker",
            "seeker_advisor_changed",
            "seeker_level_changed",
            "interview_booked_seeker",
            "interview_booked_advisor",
            "convocation",
            "interview_cancelled",
            "interview_rescheduled",
            "in_person_requested",
            "in_person_accepted",
            "in_person_declined",
            "interview_reminder",
            "advisor_digest",
            "chat_notice"
        );
        Renderer { env }
    }

    pub fn render(
        &self,
        template: EmailTemplate,
        params: &serde_json::Map<String, Value>,
    ) -> Result<RenderedEmail, ApiError> {
        let render = |file: String| -> Result<String, ApiError> {
            self.env.get_template(&file).and_then(|t| t.render(params)).map_err(|e| ApiError::Internal(Box::new(e)))
        };
        Ok(RenderedEmail {
            subject: self.env.render_str(template.subject(), params).map_err(|e| ApiError::Internal(Box::new(e)))?,
            text: render(format!("{}.txt", template.name()))?,
            html: render(format!("{}.html", template.name()))?,
        })
    }

    /// Every template renders with empty parameters (catches syntax errors at test time).
    pub fn check_all(&self) -> Result<(), ApiError> {
        for template in EmailTemplate::ALL {
            self.render(template, &serde_json::Map::new())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn html_escapes_what_users_typed_and_text_keeps_it() {
        let renderer = Renderer::new();
        renderer.check_all().unwrap();
        let params = json!({"firstName": "<script>alert(1)</script>", "advisorName": "Anne Martin", "assigned": true, "levelLabel": "accompagnement guidé", "appUrl": "http://x"});
        let email = renderer.render(EmailTemplate::WelcomeSeeker, params.as_object().unwrap()).unwrap();
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("&lt;script&gt;"));
        assert!(email.text.contains("<script>alert(1)</script>"));
        assert!(email.text.contains("Anne Martin"));
        assert_eq!(email.subject, "Bienvenue dans votre suivi 100 % web");
    }

    #[test]
    fn outbox_items_about_a_seeker_live_in_their_partition() {
        let now = chrono::Utc::now();
        let about = OutboxRecord::new(EmailTemplate::WelcomeSeeker, "a@example.fr", Some("S1"), json!({}), now);
        assert_eq!(about.pk, "SEEKER#S1");
        assert!(about.sk.starts_with("OUTBOX#"));
        let other = OutboxRecord::new(EmailTemplate::WelcomeSeeker, "a@example.fr", None, json!({}), now);
        assert!(other.pk.starts_with("OUTBOX#") && other.sk.starts_with("OUTBOX#"));
    }
}
