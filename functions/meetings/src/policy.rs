//! Meeting rules that are policy, not code: the join window and the media region.

use api::config::ConfigError;
use chrono::{DateTime, Duration, Utc};
use store::interview::InterviewRecord;

#[derive(Debug, Clone, PartialEq)]
pub struct MeetingPolicy {
    /// Joining opens this long before the start.
    pub join_early: Duration,
    /// Joining closes this long after the scheduled end; the scheduled job ends the meeting then.
    pub join_late: Duration,
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
            join_late: Duration::zero(),
            media_region: "eu-west-3".into(),
            sweep_lookback: Duration::hours(24),
            control_region: None,
        }
    }
}

/// Where `now` stands against an interview's join window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    TooEarly,
    Open,
    Over,
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
            join_late: minutes("MEETING_JOIN_LATE_MINUTES", defaults.join_late)?,
            media_region,
            sweep_lookback: defaults.sweep_lookback,
            control_region: region("CHIME_CONTROL_REGION")?,
        })
    }

    pub fn window(&self, interview: &InterviewRecord, now: DateTime<Utc>) -> Window {
        if now < interview.start_at() - self.join_early {
            Window::TooEarly
        } else if now > self.closes_at(interview) {
            Window::Over
        } else {
            Window::Open
        }
    }

    /// When the meeting of `interview` is over and may be ended.
    pub fn closes_at(&self, interview: &InterviewRecord) -> DateTime<Utc> {
        interview.end_at() + self.join_late
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
        assert!(MeetingPolicy::from_lookup(|k| (k == "MEETING_JOIN_LATE_MINUTES").then(|| "-1".into())).is_err());
        assert!(MeetingPolicy::from_lookup(|k| (k == "MEETING_MEDIA_REGION").then(|| "Paris!".into())).is_err());
        let control = MeetingPolicy::from_lookup(|k| (k == "CHIME_CONTROL_REGION").then(|| "eu-central-1".into()));
        assert_eq!(control.unwrap().control_region.as_deref(), Some("eu-central-1"));
    }

    #[test]
    fn the_window_opens_15_minutes_early_and_closes_at_the_end() {
        let interview: InterviewRecord = serde_json::from_value(serde_json::json!({
            "pk": "INTERVIEW#I", "sk": "INTERVIEW", "gsi1pk": "AGENDA#A", "gsi1sk": "x", "gsi2pk": "SEEKER_INTERVIEWS#S",
            "gsi2sk": "x", "interviewId": "I", "seekerId": "S", "advisorId": "A",
            "start": "2026-12-03T08:30:00.000Z", "end": "2026-12-03T09:00:00.000Z", "durationMinutes": 30,
            "channel": "video", "mandatory": true, "status": "booked", "sequence": 0, "createdAt": "2026-11-01T08:00:00.000Z"
        }))
        .unwrap();
        let policy = MeetingPolicy::default();
        let at = |raw: &str| DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&Utc);
        assert_eq!(policy.window(&interview, at("2026-12-03T08:14:59Z")), Window::TooEarly);
        assert_eq!(policy.window(&interview, at("2026-12-03T08:15:00Z")), Window::Open);
        assert_eq!(policy.window(&interview, at("2026-12-03T09:00:00Z")), Window::Open);
        assert_eq!(policy.window(&interview, at("2026-12-03T09:00:01Z")), Window::Over);
    }
}
