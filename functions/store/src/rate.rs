//! Per-user limits: a counter per user, kind of action and fixed UTC window (a minute or an
//! hour), taken with `ADD count` under `count < max` so concurrent requests cannot pass it
//! together. The one mechanism behind every per-user limit (chat frames, actions that send
//! email); the counters hold a count only and expire a few minutes after their window.

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::attr::n;
use crate::client::Store;
use crate::error::StoreError;
use crate::keys;

/// A fixed UTC window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Minute,
    Hour,
}

impl Window {
    fn length(self) -> Duration {
        match self {
            Window::Minute => Duration::minutes(1),
            Window::Hour => Duration::hours(1),
        }
    }

    /// The window `now` falls in: its key and its end.
    pub fn of(self, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let start = now.duration_trunc(self.length()).unwrap_or(now);
        let key = match self {
            Window::Minute => start.format("%Y-%m-%dT%H:%M"),
            Window::Hour => start.format("%Y-%m-%dT%H"),
        };
        (key.to_string(), start + self.length())
    }
}

/// At most `max` actions of `scope` per user and window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub scope: &'static str,
    pub max: u32,
    pub window: Window,
}

/// What counting one more action found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counted {
    /// Counted: within the limit.
    Within,
    /// Not counted: the limit is reached until the window ends, in this many seconds (at least 1).
    Over { retry_after_seconds: u64 },
}

/// Counters outlive their window by this much (TTL deletes within days anyway; reads never look back).
const COUNTER_GRACE: Duration = Duration::minutes(6);

impl Store {
    /// Counts one action of `user_id` against `limit`.
    pub async fn count_action(&self, user_id: &str, limit: &Limit, now: DateTime<Utc>) -> Result<Counted, StoreError> {
        let (window, ends) = limit.window.of(now);
        let counted = self
            .update(&keys::rate_pk(user_id, limit.scope, &window), keys::RATE_SK, |u| {
                u.update_expression("ADD #count :one SET expiresAt = :expires")
                    .condition_expression("attribute_not_exists(#count) OR #count < :max")
                    .expression_attribute_names("#count", "count")
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":max", n(limit.max))
                    .expression_attribute_values(":expires", n((ends + COUNTER_GRACE).timestamp()))
            })
            .await?;
        Ok(match counted {
            Some(_) => Counted::Within,
            None => Counted::Over { retry_after_seconds: retry_after(now, ends) },
        })
    }

    /// Gives back an action counted by [`Store::count_action`] that did not happen after all
    /// (refused, failed): only what was done counts. Best effort: a lost refund errs on the safe side.
    pub async fn refund_action(&self, user_id: &str, limit: &Limit, now: DateTime<Utc>) -> Result<(), StoreError> {
        let (window, _) = limit.window.of(now);
        self.update(&keys::rate_pk(user_id, limit.scope, &window), keys::RATE_SK, |u| {
            u.update_expression("ADD #count :minus")
                .condition_expression("#count > :zero")
                .expression_attribute_names("#count", "count")
                .expression_attribute_values(":minus", n(-1))
                .expression_attribute_values(":zero", n(0))
        })
        .await?;
        Ok(())
    }
}

fn retry_after(now: DateTime<Utc>, ends: DateTime<Utc>) -> u64 {
    let millis = u64::try_from((ends - now).num_milliseconds()).unwrap_or(0);
    millis.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_are_fixed_utc_minutes_and_hours_and_retry_after_reaches_their_end() {
        let now = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 30).unwrap() + Duration::milliseconds(250);
        let (minute, minute_end) = Window::Minute.of(now);
        assert_eq!(minute, "2026-03-29T00:59");
        assert_eq!(minute_end, Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap());
        let (hour, hour_end) = Window::Hour.of(now);
        assert_eq!(hour, "2026-03-29T00");
        assert_eq!(hour_end, minute_end);
        assert_eq!(retry_after(now, minute_end), 30, "29.75 s rounded up");
        assert_eq!(retry_after(minute_end, minute_end), 1, "never 0");
        assert_eq!(keys::rate_pk("S1", "mail", &hour), "RATE#S1#mail#2026-03-29T00");
    }
}
