//! The records every function reads: identities, seekers, advisors.

use serde::{Deserialize, Serialize};

use domain::{Channel, Level, Modality};

/// Maps a person's identity subject to their seeker or advisor record.
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
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IdentityRole {
    Seeker,
    Advisor,
}

/// A job seeker's profile. Personal fields are optional because erasure removes them.
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
    pub registered_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact_at: Option<String>,
    pub next_contact_due: String,
    #[serde(default)]
    pub erased: bool,
    /// Epoch seconds: the end of an inactive profile, two years after the seeker last used
    /// the service ([`PROFILE_RETENTION_DAYS`]), moved on by their activity
    /// ([`Store::refresh_profile_retention`]). Not `expiresAt`: a TTL would delete the profile
    /// alone, leaving the identity, the advisor's count and the interviews; an inactive profile
    /// ends by erasure (README, "Retention").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_until: Option<i64>,
    /// The seeker asked for SMS (reminders, notices) on `phone`, a French mobile.
    #[serde(default)]
    pub sms_opt_in: bool,
    /// SNS found `phone` on the operators' opt-out list (the person answered STOP): no SMS is
    /// sent to it; cleared when the number or the opt-in is given again.
    #[serde(default)]
    pub sms_operator_opted_out: bool,
}

/// An inactive seeker's data is kept two years after their last activity (the CNIL's
/// retention for an accompaniment: two years after the last contact with the person).
pub const PROFILE_RETENTION_DAYS: i64 = 730;

/// The `retainUntil` of a profile whose seeker is active at `now`.
pub fn profile_retained_until(now: chrono::DateTime<chrono::Utc>) -> i64 {
    (now + chrono::Duration::days(PROFILE_RETENTION_DAYS)).timestamp()
}

impl crate::client::Store {
    /// Moves an active seeker's `retainUntil` on: at most one write a day per seeker (a value
    /// less than a day old is left as it is), never on an erased or missing profile.
    pub async fn refresh_profile_retention(
        &self,
        seeker: &SeekerRecord,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), crate::error::StoreError> {
        let until = profile_retained_until(now);
        if seeker.erased || seeker.retain_until.is_some_and(|current| current > until - 86_400) {
            return Ok(());
        }
        self.update(&seeker.pk, &seeker.sk, |u| {
            u.update_expression("SET retainUntil = :until")
                .condition_expression("attribute_exists(pk) AND (attribute_not_exists(erased) OR erased = :no)")
                .expression_attribute_values(":until", crate::attr::n(until))
                .expression_attribute_values(":no", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
        })
        .await
        .map(|_| ())
    }
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
    pub pk: String,
    pub sk: String,
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub advisor_id: String,
    pub sub: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub region: String,
    pub modality: Modality,
    pub capacity: u32,
    pub portfolio_count: u32,
    pub created_at: String,
    /// Where the advisor receives seekers in person: the place of their in-person slots by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_address: Option<String>,
    /// The advisor's work phone (E.164, French), rung first by a call to a seeker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl AdvisorRecord {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}
