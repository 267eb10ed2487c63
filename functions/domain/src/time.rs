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

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Stored {
        #[serde(with = "stored")]
        at: DateTime<Utc>,
        #[serde(default, with = "stored::option", skip_serializing_if = "Option::is_none")]
        seen: Option<DateTime<Utc>>,
    }

    #[test]
    fn stored_instants_are_fixed_width_utc_and_a_corrupt_one_is_an_error() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let text = serde_json::to_string(&Stored { at, seen: None }).unwrap();
        assert_eq!(text, r#"{"at":"2026-12-03T08:30:00.000Z"}"#);
        let back: Stored =
            serde_json::from_str(r#"{"at":"2026-12-03T09:30:00+01:00","seen":"2026-12-03T08:31:00.000Z"}"#).unwrap();
        assert_eq!(back.at, at);
        assert_eq!(back.seen, Some(at + chrono::Duration::minutes(1)));
        assert!(serde_json::from_str::<Stored>(r#"{"at":"yesterday"}"#).is_err());
        assert!(serde_json::from_str::<Stored>(r#"{"at":""}"#).is_err());
    }
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

/// Serde for instants as stored: the fixed-width UTC form of [`to_key`] on the way out, and on
/// the way in any RFC 3339 instant; anything else fails to decode (a corrupt item is an error,
/// never silently 1970). Use as `#[serde(with = "domain::time::stored")]`.
pub mod stored {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(instant: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::to_key(*instant))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(deserializer)?;
        super::from_key(&raw).ok_or_else(|| serde::de::Error::custom("an instant that is not RFC 3339"))
    }

    /// The same for an optional instant (absent or null is `None`).
    pub mod option {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(instant: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
            match instant {
                Some(instant) => serializer.serialize_str(&super::super::to_key(*instant)),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
            match Option::<String>::deserialize(deserializer)? {
                None => Ok(None),
                Some(raw) => super::super::from_key(&raw)
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom("an instant that is not RFC 3339")),
            }
        }
    }
}
