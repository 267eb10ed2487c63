//! The French templates of every email, parsed once; HTML templates escape everything users
//! typed, text ones keep it as typed.

use minijinja::Environment;
use serde_json::Value;

use api::ApiError;
use store::email_template::EmailTemplate;

/// The subject line of `template`, itself a template over the same parameters (never HTML-escaped).
pub fn subject(template: EmailTemplate) -> &'static str {
    match template {
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
        EmailTemplate::InterviewWithdrawnByErasure => "Rendez-vous du {{ when }} annulé",
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
            "chat_notice",
            "interview_withdrawn_by_erasure"
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
            subject: self.env.render_str(subject(template), params).map_err(|e| ApiError::Internal(Box::new(e)))?,
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
}
