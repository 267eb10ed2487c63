//! Typed configuration from the environment, read once at cold start.

use domain::CadencePolicy;

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    /// The SES sender identity.
    pub sender_email: String,
    /// Public base URL of the front end and of email links.
    pub app_base_url: String,
    pub cadence: CadencePolicy,
    /// How long journal entries and chat messages are kept (GDPR: bounded retention).
    pub retention_days: u32,
    /// The agency's number (`AGENCY_PHONE_NUMBER`, E.164 or national form): the only number an
    /// SMS gives, the one a seeker calls when they chose to call. `None` when unset.
    pub agency_phone_number: Option<domain::Phone>,
    /// The alphanumeric sender id SMS carry (`SMS_SENDER_ID`: 3 to 11 letters or digits, at
    /// least one letter; French operators refuse business SMS from a mobile number).
    pub sms_sender_id: String,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError(message.into())
    }
}

/// The SMS sender id: SNS accepts 1 to 11 letters and digits with at least one letter; French
/// operators want 3 to 11.
fn sender_id(raw: Option<String>) -> Result<String, ConfigError> {
    let id = raw.filter(|v| !v.is_empty()).unwrap_or_else(|| "SuiviEmploi".into());
    let valid = (3..=11).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_alphanumeric())
        && id.chars().any(|c| c.is_ascii_alphabetic());
    if valid {
        Ok(id)
    } else {
        Err(ConfigError("SMS_SENDER_ID must be 3 to 11 letters or digits, with a letter".into()))
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let required =
            |key: &str| lookup(key).filter(|v| !v.is_empty()).ok_or_else(|| ConfigError(format!("{key} is not set")));
        let days = |key: &str, default: u32| -> Result<u32, ConfigError> {
            match lookup(key) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|d| *d > 0)
                    .ok_or_else(|| ConfigError(format!("{key} must be a positive number of days"))),
            }
        };
        let defaults = CadencePolicy::default();
        Ok(Config {
            table_name: required("TABLE_NAME")?,
            sender_email: required("SENDER_EMAIL")?,
            app_base_url: lookup("APP_BASE_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            cadence: CadencePolicy {
                reinforced_days: days("CADENCE_DAYS_REINFORCED", defaults.reinforced_days)?,
                guided_days: days("CADENCE_DAYS_GUIDED", defaults.guided_days)?,
                follow_up_days: days("CADENCE_DAYS_FOLLOW_UP", defaults.follow_up_days)?,
            },
            retention_days: days("RETENTION_DAYS", 730)?,
            agency_phone_number: lookup("AGENCY_PHONE_NUMBER")
                .filter(|v| !v.is_empty())
                .map(|raw| domain::Phone::parse(&raw))
                .transpose()
                .map_err(|_| ConfigError("AGENCY_PHONE_NUMBER must be a phone number".into()))?,
            sms_sender_id: sender_id(lookup("SMS_SENDER_ID"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cadence_overrides_and_refuses_nonsense() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string())
        };
        let config = Config::from_lookup(env(&[
            ("TABLE_NAME", "t"),
            ("SENDER_EMAIL", "s@example.fr"),
            ("CADENCE_DAYS_GUIDED", "21"),
        ]))
        .unwrap();
        assert_eq!(config.cadence.guided_days, 21);
        assert_eq!(config.cadence.reinforced_days, 14);
        assert!(Config::from_lookup(env(&[("TABLE_NAME", "t")])).is_err());
        assert!(Config::from_lookup(env(&[("TABLE_NAME", "t"), ("SENDER_EMAIL", "s"), ("CADENCE_DAYS_GUIDED", "0")]))
            .is_err());
    }

    #[test]
    fn the_sms_sender_id_is_alphanumeric_and_the_agency_number_a_phone() {
        let base = |extra: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                [("TABLE_NAME", "t"), ("SENDER_EMAIL", "s@example.fr")]
                    .iter()
                    .chain(extra.iter())
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let config = Config::from_lookup(base(&[("AGENCY_PHONE_NUMBER", "01 23 45 67 89")])).unwrap();
        assert_eq!(config.sms_sender_id, "SuiviEmploi");
        assert_eq!(config.agency_phone_number.map(|p| p.as_str().to_owned()).as_deref(), Some("+33123456789"));
        assert_eq!(Config::from_lookup(base(&[("SMS_SENDER_ID", "FT2027")])).unwrap().sms_sender_id, "FT2027");
        for refused in ["+33612345678", "Suivi Emploi", "123456", "AB", "SuiviEmploi12"] {
            let lookup = move |k: &str| match k {
                "TABLE_NAME" => Some("t".to_owned()),
                "SENDER_EMAIL" => Some("s@example.fr".to_owned()),
                "SMS_SENDER_ID" => Some(refused.to_owned()),
                _ => None,
            };
            assert!(Config::from_lookup(lookup).is_err(), "{refused}");
        }
        assert!(Config::from_lookup(base(&[("AGENCY_PHONE_NUMBER", "agence")])).is_err());
    }
}
