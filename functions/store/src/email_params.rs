//! The parameters of every email, typed: one struct per template (the emails about an
//! interview share [`InterviewEmail`]), carried by the [`Email`] variant of its template, so
//! a template cannot be paired with another's parameters and a misspelt parameter fails to
//! compile instead of rendering blank. The JSON names are exactly the variables the templates
//! under `functions/email-dispatch/templates/` read (tested below, both ways); an `Option`
//! without `skip_serializing_if` is sent as `null`. Stored in `OutboxRecord.params` as a JSON
//! map, which `email-dispatch` renders from.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::email_template::EmailTemplate;
use crate::interview_email::InterviewEmail;

/// To a new seeker: their level and, when placed, their advisor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WelcomeSeeker {
    pub first_name: String,
    pub level_label: &'static str,
    pub assigned: bool,
    /// `null` while the seeker waits for an advisor.
    pub advisor_name: Option<String>,
    pub app_url: String,
}

/// To an advisor: a seeker joined their portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvisorNewSeeker {
    pub advisor_first_name: String,
    pub seeker_name: String,
    pub level_label: &'static str,
    pub next_contact_due: String,
    pub app_url: String,
}

/// To a seeker: their advisor changed, or they now wait for one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeekerAdvisorChanged {
    pub first_name: Option<String>,
    pub assigned: bool,
    /// `null` while the seeker waits for an advisor.
    pub advisor_name: Option<String>,
    pub app_url: String,
}

/// To a seeker: their level of follow-up changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeekerLevelChanged {
    pub first_name: Option<String>,
    pub level_label: &'static str,
    pub next_contact_due: String,
    pub app_url: String,
}

/// To an advisor: a seeker asks for an in-person interview, with signed answer links.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InPersonRequested {
    pub advisor_first_name: String,
    pub seeker_name: String,
    pub reason: String,
    pub app_url: String,
    pub accept_url: String,
    pub decline_url: String,
}

/// To a seeker: their in-person request was declined, with the advisor's message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InPersonDeclined {
    pub first_name: Option<String>,
    pub advisor_name: String,
    pub message: String,
    pub app_url: String,
}

/// An advisor's daily digest. Its rows hold times, dates and links only: no names (GDPR).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvisorDigest {
    pub advisor_first_name: String,
    pub today: String,
    pub agenda: Vec<DigestInterview>,
    pub in_person: Vec<DigestInPersonRequest>,
    /// The longest overdue, at most a few.
    pub overdue: Vec<DigestOverdue>,
    pub overdue_count: usize,
    /// More are overdue than listed.
    pub overdue_more: bool,
    pub app_url: String,
}

/// One interview of the digest's day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestInterview {
    /// `HH:MM`, Paris time.
    pub time: String,
    /// Empty when the stored channel is unknown.
    pub channel_label: &'static str,
    pub mandatory: bool,
    pub url: String,
}

/// One in-person request awaiting the advisor's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestInPersonRequest {
    pub since: String,
    pub url: String,
}

/// One seeker whose contact is overdue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestOverdue {
    pub due: String,
    pub url: String,
}

/// "You have a new message" to an offline chat participant; never the message text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatNotice {
    pub first_name: Option<String>,
    pub from_advisor: bool,
    pub sender_name: String,
    pub app_url: String,
    pub quiet_minutes: i64,
}

/// To an advisor: an upcoming interview withdrawn by its seeker's erasure; its time and
/// channel only, nothing about the seeker.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InterviewWithdrawnByErasure {
    pub first_name: String,
    pub when: String,
    pub channel_label: &'static str,
    pub mandatory: bool,
    /// Erased for inactivity (retention), not at the seeker's request.
    pub inactive: bool,
    pub app_url: String,
}

/// One email: its template and that template's parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Email {
    WelcomeSeeker(WelcomeSeeker),
    AdvisorNewSeeker(AdvisorNewSeeker),
    SeekerAdvisorChanged(SeekerAdvisorChanged),
    SeekerLevelChanged(SeekerLevelChanged),
    InterviewBookedSeeker(InterviewEmail),
    InterviewBookedAdvisor(InterviewEmail),
    Convocation(InterviewEmail),
    InterviewCancelled(InterviewEmail),
    InterviewRescheduled(InterviewEmail),
    InPersonRequested(InPersonRequested),
    InPersonAccepted(InterviewEmail),
    InPersonDeclined(InPersonDeclined),
    InterviewReminder(InterviewEmail),
    AdvisorDigest(AdvisorDigest),
    ChatNotice(ChatNotice),
    InterviewWithdrawnByErasure(InterviewWithdrawnByErasure),
}

/// A struct's JSON object.
fn to_map(params: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(params) {
        Ok(Value::Object(map)) => map,
        // Structs of strings, numbers, booleans and lists of such always serialize to an object.
        _ => Map::new(),
    }
}

impl Email {
    pub fn template(&self) -> EmailTemplate {
        match self {
            Email::WelcomeSeeker(_) => EmailTemplate::WelcomeSeeker,
            Email::AdvisorNewSeeker(_) => EmailTemplate::AdvisorNewSeeker,
            Email::SeekerAdvisorChanged(_) => EmailTemplate::SeekerAdvisorChanged,
            Email::SeekerLevelChanged(_) => EmailTemplate::SeekerLevelChanged,
            Email::InterviewBookedSeeker(_) => EmailTemplate::InterviewBookedSeeker,
            Email::InterviewBookedAdvisor(_) => EmailTemplate::InterviewBookedAdvisor,
            Email::Convocation(_) => EmailTemplate::Convocation,
            Email::InterviewCancelled(_) => EmailTemplate::InterviewCancelled,
            Email::InterviewRescheduled(_) => EmailTemplate::InterviewRescheduled,
            Email::InPersonRequested(_) => EmailTemplate::InPersonRequested,
            Email::InPersonAccepted(_) => EmailTemplate::InPersonAccepted,
            Email::InPersonDeclined(_) => EmailTemplate::InPersonDeclined,
            Email::InterviewReminder(_) => EmailTemplate::InterviewReminder,
            Email::AdvisorDigest(_) => EmailTemplate::AdvisorDigest,
            Email::ChatNotice(_) => EmailTemplate::ChatNotice,
            Email::InterviewWithdrawnByErasure(_) => EmailTemplate::InterviewWithdrawnByErasure,
        }
    }

    /// The stored form: `OutboxRecord.params`.
    pub fn params(&self) -> Map<String, Value> {
        match self {
            Email::WelcomeSeeker(p) => to_map(p),
            Email::AdvisorNewSeeker(p) => to_map(p),
            Email::SeekerAdvisorChanged(p) => to_map(p),
            Email::SeekerLevelChanged(p) => to_map(p),
            Email::InterviewBookedSeeker(p)
            | Email::InterviewBookedAdvisor(p)
            | Email::Convocation(p)
            | Email::InterviewCancelled(p)
            | Email::InterviewRescheduled(p)
            | Email::InPersonAccepted(p)
            | Email::InterviewReminder(p) => to_map(p),
            Email::InPersonRequested(p) => to_map(p),
            Email::InPersonDeclined(p) => to_map(p),
            Email::AdvisorDigest(p) => to_map(p),
            Email::ChatNotice(p) => to_map(p),
            Email::InterviewWithdrawnByErasure(p) => to_map(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// A template's text and HTML.
    macro_rules! template {
        ($name:literal) => {
            [
                include_str!(concat!("../../email-dispatch/templates/", $name, ".txt")),
                include_str!(concat!("../../email-dispatch/templates/", $name, ".html")),
            ]
        };
    }

    /// Both files of `template`.
    fn files(template: EmailTemplate) -> [&'static str; 2] {
        match template {
            EmailTemplate::WelcomeSeeker => template!("welcome_seeker"),
            EmailTemplate::AdvisorNewSeeker => template!("advisor_new_seeker"),
            EmailTemplate::SeekerAdvisorChanged => template!("seeker_advisor_changed"),
            EmailTemplate::SeekerLevelChanged => template!("seeker_level_changed"),
            EmailTemplate::InterviewBookedSeeker => template!("interview_booked_seeker"),
            EmailTemplate::InterviewBookedAdvisor => template!("interview_booked_advisor"),
            EmailTemplate::Convocation => template!("convocation"),
            EmailTemplate::InterviewCancelled => template!("interview_cancelled"),
            EmailTemplate::InterviewRescheduled => template!("interview_rescheduled"),
            EmailTemplate::InPersonRequested => template!("in_person_requested"),
            EmailTemplate::InPersonAccepted => template!("in_person_accepted"),
            EmailTemplate::InPersonDeclined => template!("in_person_declined"),
            EmailTemplate::InterviewReminder => template!("interview_reminder"),
            EmailTemplate::AdvisorDigest => template!("advisor_digest"),
            EmailTemplate::ChatNotice => template!("chat_notice"),
            EmailTemplate::InterviewWithdrawnByErasure => template!("interview_withdrawn_by_erasure"),
        }
    }

    /// What a template reads: its top-level variables, and for each list it loops over
    /// (`{% for item in list %}`), the fields read of its items (`item.field`). Identifiers in
    /// `{{ … }}` and `{% … %}` tags; string literals, filters (`|length`), keywords and the
    /// template's own words left out.
    #[derive(Debug, Default, PartialEq)]
    struct Reads {
        variables: BTreeSet<String>,
        rows: BTreeMap<String, BTreeSet<String>>,
    }

    fn reads(template: &str) -> Reads {
        let mut found = Reads::default();
        // The loop variable of each open `for`, and the list it walks.
        let mut loops: Vec<(String, String)> = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find(['{']) {
            rest = &rest[start..];
            let (open, close) = match rest.get(..2) {
                Some("{{") => ("{{", "}}"),
                Some("{%") => ("{%", "%}"),
                _ => {
                    rest = &rest[1..];
                    continue;
                }
            };
            let Some(end) = rest.find(close) else { break };
            let tag = &rest[open.len()..end];
            rest = &rest[end + close.len()..];
            // Tokens outside string literals: dotted paths, with filters cut off.
            let tokens: Vec<&str> = tag
                .split('"')
                .step_by(2)
                .flat_map(|outside| {
                    outside.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '|'))
                })
                .filter(|w| !w.is_empty())
                .map(|w| w.split('|').next().unwrap_or(""))
                .filter(|w| !w.is_empty())
                .collect();
            let mut tokens = tokens.into_iter();
            if open == "{%" {
                match tokens.next() {
                    Some("block" | "endblock" | "extends" | "else") => continue,
                    Some("endfor") => {
                        loops.pop();
                        continue;
                    }
                    Some("for") => {
                        let (Some(item), Some("in"), Some(list)) = (tokens.next(), tokens.next(), tokens.next()) else {
                            panic!("a for tag this test does not read: {tag}");
                        };
                        found.variables.insert(list.to_owned());
                        found.rows.entry(list.to_owned()).or_default();
                        loops.push((item.to_owned(), list.to_owned()));
                        continue;
                    }
                    Some("if" | "elif") => {}
                    Some("endif") => continue,
                    other => panic!("a tag this test does not read: {other:?} in {tag}"),
                }
            }
            for token in tokens.filter(|w| !matches!(*w, "and" | "or" | "not")) {
                let mut path = token.split('.');
                let head = path.next().unwrap_or_default();
                match loops.iter().rev().find(|(item, _)| item == head) {
                    Some((_, list)) => {
                        let field = path.next().expect("a loop item is read by its fields");
                        found.rows.entry(list.clone()).or_default().insert(field.to_owned());
                    }
                    None => {
                        found.variables.insert(head.to_owned());
                    }
                }
            }
        }
        found
    }

    /// What `template`'s two files read together.
    fn template_reads(template: EmailTemplate) -> Reads {
        let mut all = Reads::default();
        for file in files(template) {
            let one = reads(file);
            all.variables.extend(one.variables);
            for (list, fields) in one.rows {
                all.rows.entry(list).or_default().extend(fields);
            }
        }
        all
    }

    fn keys(map: &Map<String, Value>) -> BTreeSet<String> {
        map.keys().cloned().collect()
    }

    /// Every optional parameter set, every list one row long.
    fn interview() -> InterviewEmail {
        InterviewEmail {
            first_name: Some("Lucas".into()),
            advisor_name: "Sophie Durand".into(),
            when: "jeudi 3 décembre à 9 h 30".into(),
            duration_minutes: 30,
            channel: domain::Channel::Video,
            channel_label: "visioconférence",
            location: Some("Agence".into()),
            phone_number: Some("06 01 02 03 04".into()),
            caller: domain::interview::PhoneCaller::Seeker,
            agency_number: Some("01 23 45 67 89".into()),
            mandatory: true,
            app_url: "https://app".into(),
            seeker_name: Some("Lucas Moreau".into()),
            advisor_first_name: Some("Sophie".into()),
            other_name: Some("Sophie Durand".into()),
            cancel_url: Some(Some("https://cancel".into())),
            acknowledge_url: Some("https://ack".into()),
            cancelled_by: Some("votre conseiller".into()),
            reason: Some("empêchement".into()),
            previous_when: Some("mercredi".into()),
            kind: Some("day_before"),
        }
    }

    fn every_email() -> Vec<Email> {
        let url = || "https://app".to_owned();
        vec![
            Email::WelcomeSeeker(WelcomeSeeker {
                first_name: "Lucas".into(),
                level_label: "accompagnement guidé",
                assigned: true,
                advisor_name: Some("Sophie Durand".into()),
                app_url: url(),
            }),
            Email::AdvisorNewSeeker(AdvisorNewSeeker {
                advisor_first_name: "Sophie".into(),
                seeker_name: "Lucas Moreau".into(),
                level_label: "accompagnement guidé",
                next_contact_due: "jeudi".into(),
                app_url: url(),
            }),
            Email::SeekerAdvisorChanged(SeekerAdvisorChanged {
                first_name: Some("Lucas".into()),
                assigned: true,
                advisor_name: Some("Sophie Durand".into()),
                app_url: url(),
            }),
            Email::SeekerLevelChanged(SeekerLevelChanged {
                first_name: Some("Lucas".into()),
                level_label: "accompagnement renforcé",
                next_contact_due: "jeudi".into(),
                app_url: url(),
            }),
            Email::InterviewBookedSeeker(interview()),
            Email::InterviewBookedAdvisor(interview()),
            Email::Convocation(interview()),
            Email::InterviewCancelled(interview()),
            Email::InterviewRescheduled(interview()),
            Email::InPersonRequested(InPersonRequested {
                advisor_first_name: "Sophie".into(),
                seeker_name: "Lucas Moreau".into(),
                reason: "mobilité".into(),
                app_url: url(),
                accept_url: url(),
                decline_url: url(),
            }),
            Email::InPersonAccepted(interview()),
            Email::InPersonDeclined(InPersonDeclined {
                first_name: Some("Lucas".into()),
                advisor_name: "Sophie Durand".into(),
                message: "pas cette semaine".into(),
                app_url: url(),
            }),
            Email::InterviewReminder(interview()),
            Email::AdvisorDigest(AdvisorDigest {
                advisor_first_name: "Sophie".into(),
                today: "jeudi 3 décembre".into(),
                agenda: vec![DigestInterview {
                    time: "09:30".into(),
                    channel_label: "visioconférence",
                    mandatory: false,
                    url: url(),
                }],
                in_person: vec![DigestInPersonRequest { since: "lundi".into(), url: url() }],
                overdue: vec![DigestOverdue { due: "mardi".into(), url: url() }],
                overdue_count: 1,
                overdue_more: false,
                app_url: url(),
            }),
            Email::ChatNotice(ChatNotice {
                first_name: Some("Lucas".into()),
                from_advisor: true,
                sender_name: "Sophie Durand".into(),
                app_url: url(),
                quiet_minutes: 15,
            }),
            Email::InterviewWithdrawnByErasure(InterviewWithdrawnByErasure {
                first_name: "Sophie".into(),
                when: "jeudi".into(),
                channel_label: "téléphone",
                mandatory: true,
                inactive: false,
                app_url: url(),
            }),
        ]
    }

    /// What an email sends: its top-level names, and the fields of the rows of its lists.
    fn sent(email: &Email) -> Reads {
        let params = email.params();
        let rows = params
            .iter()
            .filter_map(|(name, value)| value.as_array().map(|rows| (name, rows)))
            .map(|(name, rows)| {
                let fields = rows.iter().filter_map(Value::as_object).flat_map(keys).collect();
                (name.clone(), fields)
            })
            .collect();
        Reads { variables: keys(&params), rows }
    }

    #[test]
    fn every_template_has_one_email() {
        let templates: Vec<EmailTemplate> = every_email().iter().map(Email::template).collect();
        assert_eq!(templates, EmailTemplate::ALL);
    }

    /// Each email sends exactly the variables its template reads (a rows list, exactly the
    /// fields its loop reads). The emails about an interview share one struct: together,
    /// their templates read exactly its fields, and each reads none it lacks.
    #[test]
    fn every_email_names_exactly_the_variables_of_its_template() {
        let mut interview_reads = BTreeSet::new();
        for email in every_email() {
            let template = email.template();
            let read = template_reads(template);
            let sent = sent(&email);
            if interview_template(template) {
                assert!(read.rows.is_empty(), "{template:?}");
                assert!(read.variables.is_subset(&sent.variables), "{template:?} reads {:?}", read.variables);
                interview_reads.extend(read.variables);
            } else {
                assert_eq!(sent, read, "{template:?}");
            }
        }
        assert_eq!(keys(&interview().params()), interview_reads);
    }

    fn interview_template(template: EmailTemplate) -> bool {
        matches!(
            template,
            EmailTemplate::InterviewBookedSeeker
                | EmailTemplate::InterviewBookedAdvisor
                | EmailTemplate::Convocation
                | EmailTemplate::InterviewCancelled
                | EmailTemplate::InterviewRescheduled
                | EmailTemplate::InPersonAccepted
                | EmailTemplate::InterviewReminder
        )
    }

    #[test]
    fn the_reader_finds_loops_and_their_fields() {
        let read = reads(
            r#"{% extends "layout.html" %}{% block content %}{{ a }}{% if b and not c == "x" %}{{ d|length }}{% endif %}
{% for item in rows %}{{ item.e }}{% if item.f %}{% endif %}{% endfor %}{{ item }}{% endblock %}"#,
        );
        let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(read.variables, set(&["a", "b", "c", "d", "rows", "item"]));
        assert_eq!(read.rows, BTreeMap::from([("rows".to_owned(), set(&["e", "f"]))]));
    }
}
