//! The JSON shapes the API answers with.

use chrono::{DateTime, Utc};
use domain::time::{from_key, to_paris};
use domain::Region;
use serde_json::{json, Value};
use store::{AdvisorRecord, SeekerRecord};

fn paris(key: &str) -> Value {
    from_key(key).map(|t| Value::String(to_paris(t))).unwrap_or(Value::Null)
}

pub fn overdue(seeker: &SeekerRecord, now: DateTime<Utc>) -> bool {
    from_key(&seeker.next_contact_due).is_some_and(|due| due < now)
}

/// A seeker's profile as they, their advisor or an admin see it.
pub fn seeker(seeker: &SeekerRecord, advisor: Option<&AdvisorRecord>, now: DateTime<Utc>) -> Value {
    json!({
        "seekerId": seeker.seeker_id,
        "firstName": seeker.first_name,
        "lastName": seeker.last_name,
        "email": seeker.email,
        "phone": seeker.phone,
        "region": seeker.region,
        "regionName": Region::parse(&seeker.region).map(|r| r.name()).unwrap_or(""),
        "level": seeker.level,
        "levelLabel": seeker.level.label_fr(),
        "preferredChannels": seeker.preferred_channels,
        "assignment": if seeker.advisor_id.is_some() { "assigned" } else { "waiting" },
        "advisor": advisor.map(|a| json!({
            "advisorId": a.advisor_id,
            "firstName": a.first_name,
            "lastName": a.last_name,
            "email": a.email,
        })),
        "registeredAt": paris(&seeker.registered_at),
        "lastContactAt": seeker.last_contact_at.as_deref().map(paris),
        "nextContactDue": paris(&seeker.next_contact_due),
        "overdue": overdue(seeker, now),
    })
}

/// A row of an advisor's portfolio.
pub fn portfolio_row(seeker: &SeekerRecord, now: DateTime<Utc>) -> Value {
    json!({
        "seekerId": seeker.seeker_id,
        "firstName": seeker.first_name,
        "lastName": seeker.last_name,
        "level": seeker.level,
        "preferredChannels": seeker.preferred_channels,
        "lastContactAt": seeker.last_contact_at.as_deref().map(paris),
        "nextContactDue": paris(&seeker.next_contact_due),
        "overdue": overdue(seeker, now),
    })
}

/// A row of the admin waiting list.
pub fn waiting_row(seeker: &SeekerRecord) -> Value {
    json!({
        "seekerId": seeker.seeker_id,
        "firstName": seeker.first_name,
        "lastName": seeker.last_name,
        "region": seeker.region,
        "level": seeker.level,
        "registeredAt": paris(&seeker.registered_at),
        "waitingSince": seeker.gsi1sk.as_deref().and_then(|k| k.split('#').next()).map(paris),
    })
}

pub fn advisor(advisor: &AdvisorRecord) -> Value {
    json!({
        "advisorId": advisor.advisor_id,
        "sub": advisor.sub,
        "firstName": advisor.first_name,
        "lastName": advisor.last_name,
        "email": advisor.email,
        "region": advisor.region,
        "modality": advisor.modality,
        "capacity": advisor.capacity,
        "portfolioCount": advisor.portfolio_count,
        "load": if advisor.capacity == 0 { 0.0 } else { f64::from(advisor.portfolio_count) / f64::from(advisor.capacity) },
        "createdAt": paris(&advisor.created_at),
    })
}
