//! Booking rules that are policy, not code: notice, horizon, durations.

use api::config::ConfigError;
use api::ApiError;
use chrono::{DateTime, Duration, Utc};
use store::interview::GRANULE_MINUTES;

#[derive(Debug, Clone)]
pub struct BookingPolicy {
    /// A seeker books (or an advisor convokes) at least this long before the start.
    pub min_notice: Duration,
    /// A seeker sees and books slots at most this far ahead.
    pub seeker_horizon: Duration,
    /// Advisors publish slots and convoke at most this far ahead.
    pub advisor_horizon: Duration,
    pub min_duration_minutes: u32,
    pub max_duration_minutes: u32,
    /// Weekly repetitions of one slot.
    pub max_repeat_weeks: u32,
    /// An in-person request accepted from an email link: its length, and where it takes place
    /// when the advisor has no agency address set (the advisor can move it from the app).
    pub link_in_person_minutes: u32,
    pub link_in_person_location: String,
    /// How long after its end a running interview may still be extended: the meeting's
    /// overrun limit (`MEETING_OVERRUN_LIMIT_MINUTES`, read by the meetings functions too).
    pub overrun_limit: Duration,
    /// Actions that make the service send email (book, cancel, reschedule, convoke, in-person
    /// requests and their answers) one user may do in an hour (`MAIL_ACTIONS_PER_HOUR`).
    pub mail_actions_per_hour: u32,
}

impl Default for BookingPolicy {
    fn default() -> Self {
        BookingPolicy {
            min_notice: Duration::hours(24),
            seeker_horizon: Duration::days(60),
            advisor_horizon: Duration::days(366),
            min_duration_minutes: 15,
            max_duration_minutes: 180,
            max_repeat_weeks: 26,
            link_in_person_minutes: 45,
            link_in_person_location: "À votre agence France Travail (l'adresse figure dans votre espace)".into(),
            overrun_limit: Duration::minutes(domain::meeting::DEFAULT_OVERRUN_LIMIT_MINUTES),
            mail_actions_per_hour: 30,
        }
    }
}

impl BookingPolicy {
    pub fn from_env() -> Result<BookingPolicy, ConfigError> {
        let defaults = BookingPolicy::default();
        let number = |key: &str, default: i64| -> Result<i64, ConfigError> {
            match std::env::var(key) {
                Err(_) => Ok(default),
                Ok(raw) => raw
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| ConfigError::new(format!("{key} must be a non-negative number"))),
            }
        };
        Ok(BookingPolicy {
            min_notice: Duration::hours(number("BOOKING_MIN_NOTICE_HOURS", defaults.min_notice.num_hours())?),
            seeker_horizon: Duration::days(number("BOOKING_HORIZON_DAYS", defaults.seeker_horizon.num_days())?),
            overrun_limit: Duration::minutes(number(
                "MEETING_OVERRUN_LIMIT_MINUTES",
                defaults.overrun_limit.num_minutes(),
            )?),
            link_in_person_location: std::env::var("IN_PERSON_LOCATION")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(defaults.link_in_person_location.clone()),
            mail_actions_per_hour: match number("MAIL_ACTIONS_PER_HOUR", i64::from(defaults.mail_actions_per_hour))? {
                0 => return Err(ConfigError::new("MAIL_ACTIONS_PER_HOUR must be a positive number")),
                n => u32::try_from(n).unwrap_or(u32::MAX),
            },
            ..defaults
        })
    }

    /// A duration an interview or a slot may have: within bounds and on agenda granules.
    pub fn check_duration(&self, minutes: u32) -> Result<(), ApiError> {
        if minutes < self.min_duration_minutes
            || minutes > self.max_duration_minutes
            || i64::from(minutes) % GRANULE_MINUTES != 0
        {
            return Err(ApiError::unprocessable(
                "invalid_duration",
                format!(
                    "durationMinutes must be a multiple of {GRANULE_MINUTES} from {} to {}",
                    self.min_duration_minutes, self.max_duration_minutes
                ),
            ));
        }
        Ok(())
    }

    /// A start an advisor may set: on a granule, in the future, within the advisor horizon.
    pub fn check_advisor_start(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ApiError> {
        if start <= now {
            return Err(ApiError::unprocessable("in_the_past", "start must be in the future"));
        }
        if !store::interview::on_granule(start) {
            return Err(ApiError::unprocessable(
                "invalid_time",
                format!("start must fall on a {GRANULE_MINUTES}-minute boundary"),
            ));
        }
        if start > now + self.advisor_horizon {
            return Err(ApiError::unprocessable("too_far_ahead", "start is too far in the future"));
        }
        Ok(())
    }
}
