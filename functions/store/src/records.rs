//! The records every function reads: identities, seekers, advisors.

use serde::{Deserialize, Serialize};

use domain::{Channel, Level, Modality};

/// Maps a person's identity subject to their seeker or advisor record. Its key is made of the
/// subject, which the item does not otherwise hold: the key fields stay, set by
/// [`IdentityRecord::seeker`] and [`IdentityRecord::advisor`] alone (not [`crate::Keyed`]:
/// storing the subject as a field would change the item).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IdentityRecord {
    pub pk: String,
    pub sk: String,
    pub role: IdentityRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeker_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisor_id: Option<String>,
    #[serde(with = "domain::time::stored")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl IdentityRecord {
    /// The identity `sub` of the seeker `seeker_id`, made at `now`.
    pub fn seeker(sub: &str, seeker_id: &str, now: chrono::DateTime<chrono::Utc>) -> IdentityRecord {
        IdentityRecord::of(sub, IdentityRole::Seeker, Some(seeker_id), None, now)
    }

    /// The identity `sub` of the advisor `advisor_id`, made at `now`.
    pub fn advisor(sub: &str, advisor_id: &str, now: chrono::DateTime<chrono::Utc>) -> IdentityRecord {
        IdentityRecord::of(sub, IdentityRole::Advisor, None, Some(advisor_id), now)
    }

    fn of(
        sub: &str,
        role: IdentityRole,
        seeker_id: Option<&str>,
        advisor_id: Option<&str>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> IdentityRecord {
        IdentityRecord {
            pk: crate::keys::identity_pk(sub),
            sk: crate::keys::IDENTITY_SK.to_owned(),
            role,
            seeker_id: seeker_id.map(str::to_owned),
            advisor_id: advisor_id.map(str::to_owned),
            created_at: now,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IdentityRole {
    Seeker,
    Advisor,
}

/// A job seeker's profile. Personal fields are optional because erasure removes them.
///
/// Its index keys stay fields (not [`crate::Keyed`]): the waiting lists' sort key holds the
/// instant the seeker began to wait, which the profile stores nowhere else (the admin waiting
/// list reads it from there), so they are not a function of the other fields without a new
/// attribute. Registration, level changes and reassignments make them in one place
/// (`registration::assignment::{portfolio_keys, waiting_keys}`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SeekerRecord {
    pub pk: String,
    pub sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    /// Only while waiting: `WAITING#<region>#<level>` / the same sort key as GSI1's waiting list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi2sk: Option<String>,
    pub seeker_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub region: String,
    pub level: Level,
    #[serde(default)]
    pub preferred_channels: Vec<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisor_id: Option<String>,
    #[serde(with = "domain::time::stored")]
    pub registered_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, with = "domain::time::stored::option", skip_serializing_if = "Option::is_none")]
    pub last_contact_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(with = "domain::time::stored")]
    pub next_contact_due: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub erased: bool,
    /// Epoch seconds: the end of an inactive profile, two years after the seeker last used
    /// the service ([`PROFILE_RETENTION_DAYS`]), moved on by their activity
    /// ([`Store::refresh_profile_retention`]). Not `expiresAt`: a TTL would delete the profile
    /// alone, leaving the identity, the advisor's count and the interviews; an inactive profile
    /// ends by erasure (docs/security.md, "Retention").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_until: Option<i64>,
    /// The seeker asked for SMS (reminders, notices) on `phone`, a French mobile.
    #[serde(default)]
    pub sms_opt_in: bool,
    /// SNS found `phone` on the operators' opt-out list (the person answered STOP): no SMS is
    /// sent to it; cleared when the number or the opt-in is given again.
    #[serde(default)]
    pub sms_operator_opted_out: bool,
    /// The seeker's identity subject, so that an erasure without the seeker's request (the
    /// retention job) finds their identity and erasure marker. Written at registration;
    /// profiles made before it get it on the seeker's next use
    /// ([`Store::refresh_profile_retention`]); removed by the erasure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

/// An inactive seeker's data is kept two years after their last activity (the CNIL's
/// retention for an accompaniment: two years after the last contact with the person).
pub const PROFILE_RETENTION_DAYS: i64 = 730;

/// The `retainUntil` of a profile whose seeker is active at `now`.
pub fn profile_retained_until(now: chrono::DateTime<chrono::Utc>) -> i64 {
    (now + chrono::Duration::days(PROFILE_RETENTION_DAYS)).timestamp()
}

/// The UTC day of an epoch instant (`2028-12-01`): the retention marker's bucket.
pub fn retention_day(epoch_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(epoch_seconds, 0).unwrap_or_default().format("%Y-%m-%d").to_string()
}

/// The retention marker of a profile (`SEEKER#<id>` / `RETENTION`), filed under the UTC day of
/// `retain_until` in GSI1: the retention job reads the days that have passed, never the table.
/// It is a hint, the profile is the truth: the job reads the profile's `retainUntil` and files
/// the marker again under its day when the seeker came back meanwhile.
pub fn retention_marker(seeker_id: &str, retain_until: i64) -> crate::attr::Item {
    use crate::attr::{n, s};
    [
        ("pk", s(crate::keys::seeker_pk(seeker_id))),
        ("sk", s(crate::keys::RETENTION_SK)),
        ("gsi1pk", s(crate::keys::retention_due_gsi1pk(&retention_day(retain_until)))),
        ("gsi1sk", s(seeker_id)),
        ("seekerId", s(seeker_id)),
        ("retainUntil", n(retain_until)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

impl SeekerRecord {
    /// The number an SMS goes to, when the seeker may receive one: opted in, a phone, not
    /// erased, not opted out at the operator.
    pub fn sms_recipient(&self) -> Option<&str> {
        self.phone.as_deref().filter(|_| self.sms_opt_in && !self.erased && !self.sms_operator_opted_out)
    }

    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name.as_deref().unwrap_or(""), self.last_name.as_deref().unwrap_or(""))
            .trim()
            .to_owned()
    }
}

/// An advisor and the live count of their portfolio.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AdvisorRecord {
    pub advisor_id: String,
    pub sub: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub region: String,
    pub modality: Modality,
    pub capacity: u32,
    pub portfolio_count: u32,
    #[serde(with = "domain::time::stored")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Where the advisor receives seekers in person: the place of their in-person slots by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_address: Option<String>,
    /// The advisor's work phone (E.164, French), rung first by a call to a seeker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Among its region's advisors (GSI1), by modality: what assignment reads.
impl crate::keyed::Keyed for AdvisorRecord {
    fn keys(&self) -> crate::keyed::Keys {
        crate::keyed::Keys::new(crate::keys::advisor_pk(&self.advisor_id), crate::keys::PROFILE).with_gsi1(
            crate::keys::region_gsi1pk(&self.region),
            crate::keys::region_gsi1sk(self.modality.as_str(), &self.advisor_id),
        )
    }
}

impl AdvisorRecord {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}
