//! Meeting settings read from the environment: the join window's bounds (the rule itself is
//! `domain::meeting`), the media region and the Chime control region.

use api::config::ConfigError;
use chrono::Duration;
use domain::meeting::{JoinWindow, MeetingClose, DEFAULT_OVERRUN_LIMIT_MINUTES};
use store::interview::InterviewRecord;

#[derive(Debug, Clone, PartialEq)]
pub struct MeetingPolicy {
    /// Joining opens this long before the start.
    pub join_early: Duration,
    /// The overrun limit: joining closes this long after the scheduled end (extensions
    /// included); a meeting someone is still in is ended then at the latest, an empty one as
    /// soon as the scheduled end has passed.
    pub overrun_limit: Duration,
    /// Where Chime hosts the media (eu-west-3, Paris, keeps it in France).
    pub media_region: String,
    /// How far back the scheduled job looks for meetings to end (it catches up after an outage).
    pub sweep_lookback: Duration,
    /// The Chime SDK Meetings API region when it differs from the function's (eu-west-3 has no
    /// control endpoint); `None` locally, where the endpoint comes from the environment.
    pub control_region: Option<String>,
}

impl Default for MeetingPolicy {
    fn default() -> Self {
        MeetingPolicy {
            join_early: Duration::minutes(15),
            overrun_limit: Duration::minutes(DEFAULT_OVERRUN_LIMIT_MINUTES),
            media_region: "eu-west-3".into(),
            sweep_lookback: Duration::hours(24),
            control_region: None,
        }
    }
}

impl MeetingPolicy {
    pub fn from_env() -> Result<MeetingPolicy, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<MeetingPolicy, ConfigError> {
        let defaults = MeetingPolicy::default();
        let minutes = |key: &str, default: Duration| -> Result<Duration, ConfigError> {
            match lookup(key) {
                None => Ok(default),
                Some(raw) => raw
                    .parse::<i64>()
                    .ok()
                    .filter(|m| (0..=24 * 60).contains(m))
                    .map(Duration::minutes)
                    .ok_or_else(|| ConfigError::new(format!("{key} must be a number of minutes from 0 to 1440"))),
            }
        };
        let region = |key: &str| -> Result<Option<String>, ConfigError> {
            match lookup(key) {
                None => Ok(None),
                Some(r) if is_region_name(&r) => Ok(Some(r)),
                Some(_) => Err(ConfigError::new(format!("{key} must be a region name such as eu-west-3"))),
            }
        };
        let media_region = region("MEETING_MEDIA_REGION")?.unwrap_or(defaults.media_region);
        Ok(MeetingPolicy {
            join_early: minutes("MEETING_JOIN_EARLY_MINUTES", defaults.join_early)?,
            overrun_limit: minutes("MEETING_OVERRUN_LIMIT_MINUTES", defaults.overrun_limit)?,
            media_region,
            sweep_lookback: defaults.sweep_lookback,
            control_region: region("CHIME_CONTROL_REGION")?,
        })
    }

    /// The join window these settings give every interview.
    pub fn join_window(&self) -> JoinWindow {
        JoinWindow { opens_before: self.join_early, closes_after: self.overrun_limit }
    }

    /// When the meeting of `interview` may be ended: once its scheduled end passed and it is
    /// empty, or at the hard limit.
    pub fn close(&self, interview: &InterviewRecord) -> MeetingClose {
        MeetingClose { scheduled_end: interview.end_at(), hard_limit: self.join_window().closes_at(interview.end_at()) }
    }
}

fn is_region_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_overrides_and_refuses_nonsense() {
        let policy = MeetingPolicy::from_lookup(|k| (k == "MEETING_JOIN_EARLY_MINUTES").then(|| "5".into())).unwrap();
        assert_eq!(policy.join_early, Duration::minutes(5));
        assert_eq!(policy.media_region, "eu-west-3");
        assert_eq!(policy.overrun_limit, Duration::minutes(30));
        assert!(MeetingPolicy::from_lookup(|k| (k == "MEETING_OVERRUN_LIMIT_MINUTES").then(|| "-1".into())).is_err());
        assert!(MeetingPolicy::from_lookup(|k| (k == "MEETING_MEDIA_REGION").then(|| "Paris!".into())).is_err());
        let control = MeetingPolicy::from_lookup(|k| (k == "CHIME_CONTROL_REGION").then(|| "eu-central-1".into()));
        assert_eq!(control.unwrap().control_region.as_deref(), Some("eu-central-1"));
    }
}
