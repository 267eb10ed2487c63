//! Instants as the API speaks them (RFC 3339 with the Paris offset), as the table stores them
//! (UTC, milliseconds), and Paris wall-clock times.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde_json::Value;

/// `hour:minute` Paris wall-clock time on `date` (the earlier one on the night the clocks go back).
pub fn paris_on(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Paris
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).expect("valid time"))
        .earliest()
        .expect("an existing Paris time")
        .with_timezone(&Utc)
}

/// An instant `days` days from today (Paris calendar) at `hour:minute` Paris wall-clock time.
pub fn paris_at(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    let today = Utc::now().with_timezone(&Paris).date_naive();
    paris_on(today + chrono::Duration::days(days), hour, minute)
}

/// RFC 3339 with the Paris offset, as the API speaks.
pub fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&Paris).to_rfc3339()
}

/// [`rfc3339`], escaped for a query string (`+` and `:`).
pub fn query_instant(instant: DateTime<Utc>) -> String {
    rfc3339(instant).replace('+', "%2B").replace(':', "%3A")
}

/// The fixed-width UTC form the table stores instants in (and sorts them by).
pub fn stored_instant(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An RFC 3339 instant, from the API or the table.
pub fn parse_instant(raw: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw).expect("RFC 3339").with_timezone(&Utc)
}

/// The instant a JSON field holds.
pub fn instant(value: &Value) -> DateTime<Utc> {
    parse_instant(value.as_str().expect("an instant"))
}

/// The last Sunday of `month` in the first year where it is at least `min_days` ahead:
/// the daylight-saving changes are on the last Sundays of March and October.
pub fn next_last_sunday(month: u32, min_days: i64) -> NaiveDate {
    let earliest = Utc::now().date_naive() + chrono::Duration::days(min_days);
    let mut year = earliest.year();
    loop {
        let first_of_next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .expect("valid date");
        let mut day = first_of_next - chrono::Duration::days(1);
        while day.weekday() != chrono::Weekday::Sun {
            day -= chrono::Duration::days(1);
        }
        if day >= earliest {
            return day;
        }
        year += 1;
    }
}
