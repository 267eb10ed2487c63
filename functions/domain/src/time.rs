//! Instants are stored in UTC and shown in Europe/Paris (PRODUCT.md).

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Europe::Paris;

use crate::error::Invalid;

/// An instant as the API shows it: RFC 3339 with the Paris offset, e.g. `2026-12-03T09:30:00+01:00`.
pub fn to_paris(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&Paris).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// An instant as stored and used in sort keys: UTC, fixed width, sorts as text.
pub fn to_key(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses a stored key instant.
pub fn from_key(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw).ok().map(|d| d.with_timezone(&Utc))
}

/// Parses an API instant: RFC 3339 with an explicit offset.
pub fn parse_instant(field: &'static str, raw: &str) -> Result<DateTime<Utc>, Invalid> {
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| Invalid::new("invalid_time", format!("{field} must be an RFC 3339 instant with an offset")))
}

/// A day for people: `jeudi 3 décembre 2026` (the Paris day of `instant`).
pub fn french_date(instant: DateTime<Utc>) -> String {
    let full = french_date_time(instant);
    full.split(" à ").next().unwrap_or(&full).to_owned()
}

/// A date for people: `jeudi 3 décembre 2026 à 09:30`.
pub fn french_date_time(instant: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    const DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let local = instant.with_timezone(&Paris);
    format!(
        "{} {} {} {} à {:02}:{:02}",
        DAYS[local.weekday().num_days_from_monday() as usize],
        local.day(),
        MONTHS[local.month0() as usize],
        local.year(),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn paris_offsets_follow_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 3, 7, 30, 0).unwrap();
        assert_eq!(to_paris(winter), "2026-12-03T09:30:00+01:00");
        assert_eq!(to_paris(summer), "2026-07-03T09:30:00+02:00");
        assert_eq!(french_date_time(winter), "jeudi 3 décembre 2026 à 09:30");
    }

    #[test]
    fn instants_need_an_offset_and_round_trip_through_keys() {
        assert!(parse_instant("start", "2026-12-03T09:30:00").is_err());
        let parsed = parse_instant("start", "2026-12-03T09:30:00+01:00").unwrap();
        assert_eq!(from_key(&to_key(parsed)), Some(parsed));
        assert_eq!(to_key(parsed), "2026-12-03T08:30:00.000Z");
    }
}
