//! The advisors' daily digest (infra/data-model.md #54), at 08:00 Paris: per advisor, the
//! seekers overdue for a contact (portfolio index, `nextContactDue < now`), the open in-person
//! requests and today's agenda; one email per advisor with something in it, once per Paris
//! day (`lastDigestDate` set under a condition in the transaction that writes the email).
//! Advisors are found region by region (`REGION#<code>`, the 18 codes): no Scan.
//!
//! The schedule fires at 06:00 and 07:00 UTC; the run whose Paris time is 08:xx does the work,
//! so the digest stays at 08:00 across daylight-saving changes.

use api::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Paris;
use domain::time::{french_date_time, from_key, to_key};
use domain::{Channel, REGIONS};
use serde::Serialize;
use serde_json::Value;
use store::email_params::{AdvisorDigest, DigestInPersonRequest, DigestInterview, DigestOverdue, Email};
use store::keys;
use store::outbox::OutboxRecord;
use store::tx::{put, update};
use store::{s, AdvisorRecord, Index, Item, TransactOutcome, Tx};

use crate::App;

/// Overdue seekers listed in one email (the count is always complete).
const OVERDUE_LISTED: usize = 30;

#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestReport {
    pub run_at: String,
    /// The Paris day, or `None` when this firing is not the 08:00 Paris one.
    pub day: Option<String>,
    pub advisors: usize,
    pub sent: usize,
    pub already_sent: usize,
    pub nothing_to_say: usize,
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v: &AttributeValue| v.as_s().ok()).cloned()
}

/// Runs the digest for the Paris day of `now` if `now` is 08:xx in Paris.
pub async fn run_digest(app: &App, now: DateTime<Utc>) -> Result<DigestReport, ApiError> {
    let local = now.with_timezone(&Paris);
    let mut report = DigestReport { run_at: to_key(now), ..DigestReport::default() };
    if local.hour() != 8 {
        return Ok(report);
    }
    let day = local.date_naive();
    report.day = Some(day.to_string());
    let day_start = Paris
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(now);
    let day_end = Paris
        .from_local_datetime(&(day + Duration::days(1)).and_time(NaiveTime::MIN))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(now + Duration::days(1));
    for (region, _) in REGIONS {
        let advisors = app
            .store
            .query(Index::Gsi1, keys::region_gsi1pk(region))
            .sk_prefix(keys::REGION_ADVISOR_PREFIX)
            .all()
            .await?;
        for item in advisors {
            let advisor: AdvisorRecord = store::from_item(item.clone())?;
            report.advisors += 1;
            if text(&item, "lastDigestDate").as_deref() == Some(day.to_string().as_str()) {
                report.already_sent += 1;
                continue;
            }
            match digest_for(app, &advisor, now, &day.to_string(), day_start, day_end).await? {
                Some(true) => report.sent += 1,
                Some(false) => report.already_sent += 1,
                None => report.nothing_to_say += 1,
            }
        }
    }
    tracing::info!(advisors = report.advisors, sent = report.sent, "digest run done");
    Ok(report)
}

/// One advisor's digest: `None` when there is nothing to say, else whether this run sent it.
async fn digest_for(
    app: &App,
    advisor: &AdvisorRecord,
    now: DateTime<Utc>,
    day: &str,
    day_start: DateTime<Utc>,
    day_end: DateTime<Utc>,
) -> Result<Option<bool>, ApiError> {
    let base = &app.config.app_base_url;
    let index = |partition| app.store.query(Index::Gsi1, partition);
    let overdue = index(keys::portfolio_gsi1pk(&advisor.advisor_id)).sk_before(to_key(now)).all().await?;
    let in_person = index(keys::in_person_open_gsi1pk(&advisor.advisor_id)).all().await?;
    let agenda =
        index(keys::agenda_gsi1pk(&advisor.advisor_id)).sk_between(to_key(day_start), to_key(day_end)).all().await?;
    let agenda: Vec<_> = agenda
        .iter()
        .filter(|i| text(i, "status").as_deref() == Some("booked"))
        .filter(|i| text(i, "start").and_then(|k| from_key(&k)).is_some_and(|t| t >= day_start && t < day_end))
        .map(|i| {
            let start = text(i, "start").and_then(|k| from_key(&k)).unwrap_or(now);
            let channel: Option<Channel> =
                text(i, "channel").and_then(|c| serde_json::from_value(Value::String(c)).ok());
            DigestInterview {
                time: start.with_timezone(&Paris).format("%H:%M").to_string(),
                channel_label: channel.map(|c| c.label_fr()).unwrap_or_default(),
                mandatory: i.get("mandatory").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
                url: format!("{base}/entretiens/{}", text(i, "interviewId").unwrap_or_default()),
            }
        })
        .collect();
    if overdue.is_empty() && in_person.is_empty() && agenda.is_empty() {
        return Ok(None);
    }
    // Seeker ids and dates only: the outbox item holds no names (infra/data-model.md, GDPR).
    let overdue_listed: Vec<_> = overdue
        .iter()
        .take(OVERDUE_LISTED)
        .map(|i| {
            let due = text(i, "nextContactDue").and_then(|k| from_key(&k)).unwrap_or(now);
            DigestOverdue {
                due: french_date_time(due),
                url: format!("{base}/conseiller/demandeurs/{}", text(i, "seekerId").unwrap_or_default()),
            }
        })
        .collect();
    let in_person: Vec<_> = in_person
        .iter()
        .map(|i| {
            let since = text(i, "createdAt").and_then(|k| from_key(&k)).unwrap_or(now);
            DigestInPersonRequest {
                since: french_date_time(since),
                url: format!("{base}/conseiller/demandes-entretien/{}", text(i, "requestId").unwrap_or_default()),
            }
        })
        .collect();
    let params = AdvisorDigest {
        advisor_first_name: advisor.first_name.clone(),
        today: domain::time::french_date(now),
        agenda,
        in_person,
        overdue: overdue_listed,
        overdue_count: overdue.len(),
        overdue_more: overdue.len() > OVERDUE_LISTED,
        app_url: format!("{base}/conseiller/portefeuille"),
    };
    let email = OutboxRecord::new(Email::AdvisorDigest(params), &advisor.email, None, now);
    let mut tx = Tx::new();
    let once_a_day = tx.push(update(keys::advisor_pk(&advisor.advisor_id), keys::PROFILE, |u| {
        u.update_expression("SET lastDigestDate = :day")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(lastDigestDate) OR lastDigestDate <> :day)",
            )
            .expression_attribute_values(":day", s(day))
    }));
    tx.push(put(email.to_item()?, None));
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => Ok(Some(true)),
        outcome if outcome.failed(once_a_day) => Ok(Some(false)),
        outcome if outcome.conflicted() => Err(ApiError::Unavailable("digest conflicted; the retry resumes".into())),
        outcome => Err(ApiError::internal(format!("digest transaction cancelled: {outcome:?}"))),
    }
}
