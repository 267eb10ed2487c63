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
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError(message.into())
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
}
