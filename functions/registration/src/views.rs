//! The JSON shapes the API answers with. Every field is always sent: an unknown value is
//! `null`, never left out (API.md).

use chrono::{DateTime, Utc};
use domain::time::{from_key, to_paris};
use domain::{Channel, Level, Modality, Region};
use serde::Serialize;
use store::{AdvisorRecord, SeekerRecord};

/// A stored instant in Paris time; `None` (sent as `null`) when it does not parse.
fn paris(key: &str) -> Option<String> {
    from_key(key).map(to_paris)
}

pub fn overdue(seeker: &SeekerRecord, now: DateTime<Utc>) -> bool {
    seeker.next_contact_due < now
}

/// A seeker's profile as they, their advisor or an admin see it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeekerView<'a> {
    seeker_id: &'a str,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    /// SMS reminders and notices asked for, on `phone`.
    sms_opt_in: bool,
    /// The operator's opt-out list holds `phone` (the person answered STOP): no SMS is sent.
    sms_operator_opted_out: bool,
    region: &'a str,
    region_name: &'static str,
    level: Level,
    level_label: &'static str,
    preferred_channels: &'a [Channel],
    /// `assigned` or `waiting`.
    assignment: &'static str,
    advisor: Option<AdvisorContact<'a>>,
    registered_at: Option<String>,
    last_contact_at: Option<String>,
    next_contact_due: Option<String>,
    overdue: bool,
}

/// The advisor as their seeker sees them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AdvisorContact<'a> {
    advisor_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
}

pub fn seeker<'a>(seeker: &'a SeekerRecord, advisor: Option<&'a AdvisorRecord>, now: DateTime<Utc>) -> SeekerView<'a> {
    SeekerView {
        seeker_id: &seeker.seeker_id,
        first_name: seeker.first_name.as_deref(),
        last_name: seeker.last_name.as_deref(),
        email: seeker.email.as_deref(),
        phone: seeker.phone.as_deref(),
        sms_opt_in: seeker.sms_opt_in,
        sms_operator_opted_out: seeker.sms_operator_opted_out,
        region: &seeker.region,
        region_name: Region::parse(&seeker.region).map(|r| r.name()).unwrap_or(""),
        level: seeker.level,
        level_label: seeker.level.label_fr(),
        preferred_channels: &seeker.preferred_channels,
        assignment: if seeker.advisor_id.is_some() { "assigned" } else { "waiting" },
        advisor: advisor.map(|a| AdvisorContact {
            advisor_id: &a.advisor_id,
            first_name: &a.first_name,
            last_name: &a.last_name,
            email: &a.email,
        }),
        registered_at: Some(to_paris(seeker.registered_at)),
        last_contact_at: seeker.last_contact_at.map(to_paris),
        next_contact_due: Some(to_paris(seeker.next_contact_due)),
        overdue: overdue(seeker, now),
    }
}

/// A row of an advisor's portfolio.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioRow<'a> {
    seeker_id: &'a str,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    level: Level,
    preferred_channels: &'a [Channel],
    last_contact_at: Option<String>,
    next_contact_due: Option<String>,
    overdue: bool,
    /// Messages of the seeker the advisor's side has not read.
    unread: u32,
    open_in_person_request: Option<OpenRequestRef<'a>>,
}

/// The seeker's open in-person request, as a portfolio row names it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenRequestRef<'a> {
    pub request_id: &'a str,
    #[serde(serialize_with = "as_paris")]
    pub created_at: DateTime<Utc>,
}

fn as_paris<S: serde::Serializer>(instant: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&to_paris(*instant))
}

pub fn portfolio_row<'a>(
    seeker: &'a SeekerRecord,
    now: DateTime<Utc>,
    unread: u32,
    open_in_person_request: Option<OpenRequestRef<'a>>,
) -> PortfolioRow<'a> {
    PortfolioRow {
        seeker_id: &seeker.seeker_id,
        first_name: seeker.first_name.as_deref(),
        last_name: seeker.last_name.as_deref(),
        level: seeker.level,
        preferred_channels: &seeker.preferred_channels,
        last_contact_at: seeker.last_contact_at.map(to_paris),
        next_contact_due: Some(to_paris(seeker.next_contact_due)),
        overdue: overdue(seeker, now),
        unread,
        open_in_person_request,
    }
}

/// A row of the admin waiting list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingRow<'a> {
    seeker_id: &'a str,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    region: &'a str,
    level: Level,
    registered_at: Option<String>,
    waiting_since: Option<String>,
}

pub fn waiting_row(seeker: &SeekerRecord) -> WaitingRow<'_> {
    WaitingRow {
        seeker_id: &seeker.seeker_id,
        first_name: seeker.first_name.as_deref(),
        last_name: seeker.last_name.as_deref(),
        region: &seeker.region,
        level: seeker.level,
        registered_at: Some(to_paris(seeker.registered_at)),
        // The waiting list's sort key begins with the instant the seeker started waiting.
        waiting_since: seeker.gsi1sk.as_deref().and_then(|k| k.split('#').next()).and_then(paris),
    }
}

/// An advisor with their load, as admins see them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvisorView<'a> {
    advisor_id: &'a str,
    sub: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    region: &'a str,
    modality: Modality,
    capacity: u32,
    portfolio_count: u32,
    /// Portfolio count over capacity, 0 to 1.
    load: f64,
    created_at: Option<String>,
    /// Where they receive seekers in person (null until set).
    agency_address: Option<&'a str>,
    /// The work phone a call to a seeker rings first (null until set).
    phone: Option<&'a str>,
}

pub fn advisor(advisor: &AdvisorRecord) -> AdvisorView<'_> {
    AdvisorView {
        advisor_id: &advisor.advisor_id,
        sub: &advisor.sub,
        first_name: &advisor.first_name,
        last_name: &advisor.last_name,
        email: &advisor.email,
        region: &advisor.region,
        modality: advisor.modality,
        capacity: advisor.capacity,
        portfolio_count: advisor.portfolio_count,
        load: if advisor.capacity == 0 {
            0.0
        } else {
            f64::from(advisor.portfolio_count) / f64::from(advisor.capacity)
        },
        created_at: Some(to_paris(advisor.created_at)),
        agency_address: advisor.agency_address.as_deref(),
        phone: advisor.phone.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn seeker_record() -> SeekerRecord {
        SeekerRecord {
            pk: "SEEKER#S1".into(),
            sk: "PROFILE".into(),
            gsi1pk: Some("WAITING".into()),
            gsi1sk: Some("2026-12-01T09:00:00.000Z#S1".into()),
            gsi2pk: None,
            gsi2sk: None,
            seeker_id: "S1".into(),
            first_name: Some("Awa".into()),
            last_name: None,
            email: Some("awa@example.fr".into()),
            phone: None,
            region: "11".into(),
            level: Level::Guided,
            preferred_channels: vec![Channel::Chat],
            advisor_id: None,
            registered_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
            last_contact_at: None,
            next_contact_due: Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap(),
            erased: false,
            retain_until: None,
            sms_opt_in: false,
            sms_operator_opted_out: false,
            sub: None,
        }
    }

    /// The shape `json!` built before the views: every field present, unknowns `null`.
    #[test]
    fn a_waiting_seeker_shows_nulls_not_absent_fields() {
        let record = seeker_record();
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let view = serde_json::to_value(seeker(&record, None, now)).unwrap();
        let object = view.as_object().unwrap();
        assert_eq!(object.len(), 18);
        assert_eq!(view["smsOptIn"], false);
        assert_eq!(view["smsOperatorOptedOut"], false);
        assert_eq!(view["lastName"], json!(null));
        assert_eq!(view["phone"], json!(null));
        assert_eq!(view["advisor"], json!(null));
        assert_eq!(view["lastContactAt"], json!(null));
        assert_eq!(view["assignment"], "waiting");
        assert_eq!(view["overdue"], false);
        assert_eq!(view["preferredChannels"], json!(["chat"]));
        let row = serde_json::to_value(waiting_row(&record)).unwrap();
        assert_eq!(row["waitingSince"], view["registeredAt"]);
        assert_eq!(row.as_object().unwrap().len(), 7);
    }
}
