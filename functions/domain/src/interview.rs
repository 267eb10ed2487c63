//! The interview's rules that need no storage: its statuses, the agenda granules that keep an
//! advisor's interviews from overlapping, and when its reminders are due.

use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::{Deserialize, Serialize};

use crate::time::to_key;

/// Agenda granule: interviews and slots start and end on these boundaries.
pub const GRANULE_MINUTES: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    Booked,
    Cancelled,
    Completed,
    NoShow,
    JustifiedAbsence,
}

impl InterviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::Booked => "booked",
            InterviewStatus::Cancelled => "cancelled",
            InterviewStatus::Completed => "completed",
            InterviewStatus::NoShow => "no_show",
            InterviewStatus::JustifiedAbsence => "justified_absence",
        }
    }
}

/// Whether `instant` sits on a granule boundary.
pub fn on_granule(instant: DateTime<Utc>) -> bool {
    instant.duration_trunc(Duration::minutes(GRANULE_MINUTES)).ok() == Some(instant)
}

/// The keys of every granule in `[start, end)`.
pub fn granules(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<String> {
    let mut keys = Vec::new();
    let mut at = start;
    while at < end {
        keys.push(to_key(at));
        at += Duration::minutes(GRANULE_MINUTES);
    }
    keys
}

/// The two reminders of an interview (PRODUCT.md): the day before and an hour before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    DayBefore,
    HourBefore,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 2] = [ReminderKind::DayBefore, ReminderKind::HourBefore];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::DayBefore => "day_before",
            ReminderKind::HourBefore => "hour_before",
        }
    }
    /// When the reminder of an interview starting at `start` is due. "The day before" is the
    /// same Paris wall-clock time on the previous calendar day (not 24 hours earlier, which
    /// is off by an hour across a daylight-saving change); "an hour before" is 60 minutes.
    pub fn due(self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            ReminderKind::DayBefore => {
                let local = start.with_timezone(&Paris).naive_local() - Duration::days(1);
                // A wall-clock time skipped by the spring change does not exist: fall back to 24 hours.
                Paris
                    .from_local_datetime(&local)
                    .earliest()
                    .map(|d| d.with_timezone(&Utc))
                    .unwrap_or(start - Duration::hours(24))
            }
            ReminderKind::HourBefore => start - Duration::hours(1),
        }
    }

    pub fn parse(raw: &str) -> Option<ReminderKind> {
        ReminderKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granules_cover_the_interval_half_open() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let keys = granules(start, start + Duration::minutes(30));
        assert_eq!(keys.len(), 6);
        assert_eq!(keys[0], "2026-12-03T08:30:00.000Z");
        assert_eq!(keys[5], "2026-12-03T08:55:00.000Z");
        assert!(on_granule(start));
        assert!(!on_granule(start + Duration::minutes(2)));
    }

    #[test]
    fn the_day_before_keeps_the_paris_wall_clock_across_daylight_saving() {
        // Monday 26 October 2026 10:00 in Paris (CET, UTC+1) is 09:00 UTC; the day before at
        // 10:00 is Sunday 25 October, already CET after the change at 03:00: 09:00 UTC.
        let monday = Utc.with_ymd_and_hms(2026, 10, 26, 9, 0, 0).unwrap();
        assert_eq!(ReminderKind::DayBefore.due(monday), Utc.with_ymd_and_hms(2026, 10, 25, 9, 0, 0).unwrap());
        // Sunday 25 October 10:00 CET (09:00 UTC): Saturday 10:00 CEST is 08:00 UTC, 25 hours before.
        let sunday = Utc.with_ymd_and_hms(2026, 10, 25, 9, 0, 0).unwrap();
        assert_eq!(ReminderKind::DayBefore.due(sunday), Utc.with_ymd_and_hms(2026, 10, 24, 8, 0, 0).unwrap());
        assert_eq!(ReminderKind::HourBefore.due(sunday), Utc.with_ymd_and_hms(2026, 10, 25, 8, 0, 0).unwrap());
    }
}
