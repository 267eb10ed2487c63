//! The WebSocket message schema (docs/websocket.md): client frames parsed into
//! checked values, server frames built. Pure: no Lambda, no SDK.

use api::ApiError;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use ulid::Ulid;

use crate::views::ServerFrame;

/// The contract's bounds on a message text, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// A client message id is the client's own retry key: short, and safe in a sort key and a log line.
pub const MAX_CLIENT_MESSAGE_ID_CHARS: usize = 128;
/// Characters of a message kept in the conversation summary for the advisor's list.
pub const EXCERPT_CHARS: usize = 80;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendMessageFrame {
    #[allow(dead_code)] // present because route selection read it
    pub action: String,
    pub client_message_id: String,
    #[serde(default)]
    pub seeker_id: Option<String>,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkReadFrame {
    #[allow(dead_code)]
    pub action: String,
    #[serde(default)]
    pub seeker_id: Option<String>,
    pub up_to: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TypingFrame {
    #[allow(dead_code)]
    pub action: String,
    #[serde(default)]
    pub seeker_id: Option<String>,
}

/// Parses a frame body into `T`, with a clear error code on any problem.
pub fn parse<T: DeserializeOwned>(body: Option<&str>) -> Result<T, ApiError> {
    let body = body.unwrap_or("");
    if serde_json::from_str::<Value>(body).is_err() {
        return Err(ApiError::bad_request("invalid_json", "the frame is not valid JSON"));
    }
    serde_json::from_str(body).map_err(|e| {
        // serde names the field and what was expected; cut short so a long value is never echoed whole.
        let message: String = e.to_string().chars().take(200).collect();
        ApiError::bad_request("invalid_frame", message)
    })
}

/// Why a frame reached `$default`: it was not JSON, had no `action`, or an unknown one.
pub fn default_route_error(body: Option<&str>) -> ApiError {
    match body.map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(map))) => match map.get("action") {
            Some(Value::String(action)) => {
                let shown: String = action.chars().take(40).collect();
                ApiError::bad_request(
                    "unknown_action",
                    format!("unknown action \"{shown}\"; expected sendMessage, markRead or typing"),
                )
            }
            _ => ApiError::bad_request("missing_action", "a frame is a JSON object with an \"action\" field"),
        },
        Some(Ok(_)) => ApiError::bad_request("missing_action", "a frame is a JSON object with an \"action\" field"),
        _ => ApiError::bad_request("invalid_json", "the frame is not valid JSON"),
    }
}

/// Bidirectional formatting controls (U+202A..U+202E, U+2066..U+2069): invisible, and able to
/// make a text read differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The stored text: control characters stripped (newlines and tabs kept, `\r\n` made `\n`),
/// trimmed, then 1 to 4,000 characters.
pub fn clean_text(raw: &str) -> Result<String, ApiError> {
    let cleaned: String = raw
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| (*c == '\n' || *c == '\t' || !c.is_control()) && !is_bidi_control(*c))
        .collect();
    let cleaned = cleaned.trim().to_owned();
    let count = cleaned.chars().count();
    if count == 0 || count > MAX_TEXT_CHARS {
        return Err(ApiError::unprocessable("invalid_text", format!("text must be 1 to {MAX_TEXT_CHARS} characters")));
    }
    Ok(cleaned)
}

/// A client message id: 1 to 128 of `A-Z a-z 0-9 - _ . :` (UUIDs, ULIDs, counters).
pub fn client_message_id(raw: &str) -> Result<String, ApiError> {
    let ok = !raw.is_empty()
        && raw.chars().count() <= MAX_CLIENT_MESSAGE_ID_CHARS
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::unprocessable(
            "invalid_client_message_id",
            "clientMessageId must be 1 to 128 letters, digits or - _ . :",
        ))
    }
}

/// An id of ours (seekerId, message id): a ULID, in its canonical upper-case form.
pub fn ulid_id(field: &'static str, raw: &str) -> Result<String, ApiError> {
    Ulid::from_string(raw)
        .ok()
        .filter(|_| raw.len() == 26)
        .map(|u| u.to_string())
        .ok_or_else(|| ApiError::unprocessable("invalid_id", format!("{field} is not an id this API issued")))
}

/// A new message id, later than `last` (the conversation's last message): ULIDs sort by time,
/// and this keeps them strictly increasing in commit order even within one millisecond or
/// with a clock slightly behind another Lambda's.
pub fn next_message_id(now: DateTime<Utc>, last: Option<&str>) -> String {
    let candidate = Ulid::from_datetime(now.into());
    let last = last.and_then(|l| Ulid::from_string(l).ok());
    match last {
        Some(last) if candidate <= last => last.increment().unwrap_or(candidate).to_string(),
        _ => candidate.to_string(),
    }
}

/// The first characters of a message, for the conversation list.
pub fn excerpt(text: &str) -> String {
    let mut out: String =
        text.chars().map(|c| if c == '\n' || c == '\t' { ' ' } else { c }).take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// The Europe/Paris calendar day of an instant, `yyyy-mm-dd`: a "day with exchanges".
pub fn paris_day(now: DateTime<Utc>) -> String {
    now.with_timezone(&Paris).date_naive().to_string()
}

/// `{"type": "error", "code", "message"}`, with the clientMessageId it concerns when known.
pub fn error_frame(error: &ApiError, client_message_id: Option<&str>) -> ServerFrame {
    ServerFrame::Error {
        code: error.code(),
        message: error.to_string(),
        client_message_id: client_message_id.map(str::to_owned),
    }
}

/// Sort-key bounds of the messages strictly after `after` and strictly before `before`.
///
/// Message sort keys are `MSG#` and a 26-character ULID, so `MSG#<after>~` is above `after`
/// and below every later id, and `MSG#<before with its last character lowered>~` is above
/// every earlier id and below `before`. Both bounds then fit one `BETWEEN`.
pub fn message_bounds(after: Option<&str>, before: Option<&str>) -> (String, String) {
    let low = match after {
        Some(id) => format!("MSG#{id}~"),
        None => "MSG#".to_owned(),
    };
    let high = match before {
        Some(id) => {
            let mut bytes = id.as_bytes().to_vec();
            if let Some(last) = bytes.last_mut() {
                *last = last.saturating_sub(1);
            }
            format!("MSG#{}~", String::from_utf8_lossy(&bytes))
        }
        None => "MSG#~".to_owned(),
    };
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_is_cleaned_and_bounded() {
        assert_eq!(clean_text("  Bonjour\u{0007} !\r\nÀ demain\u{202E}  ").unwrap(), "Bonjour !\nÀ demain");
        assert_eq!(clean_text("a\tb").unwrap(), "a\tb");
        for bad in ["", "   ", "\u{0000}\u{0008}", "\n\n"] {
            assert_eq!(clean_text(bad).unwrap_err().code(), "invalid_text");
        }
        assert!(clean_text(&"é".repeat(4000)).is_ok());
        assert!(clean_text(&"é".repeat(4001)).is_err());
    }

    #[test]
    fn client_message_ids_are_short_and_plain() {
        assert!(client_message_id("3f1c2a9e-0b7d-4c1e-9a55-2f4b8e0c1d23").is_ok());
        assert!(client_message_id("web:42").is_ok());
        for bad in ["", "a b", "x#y", "é", &"a".repeat(129)] {
            assert!(client_message_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_canonical_ulids() {
        let id = Ulid::new().to_string();
        assert_eq!(ulid_id("seekerId", &id.to_lowercase()).unwrap(), id);
        assert!(ulid_id("seekerId", "not-an-id").is_err());
        assert!(ulid_id("seekerId", &format!("{id}0")).is_err());
    }

    #[test]
    fn message_ids_increase_even_within_a_millisecond_or_behind_the_clock() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).unwrap();
        let mut last: Option<String> = None;
        for _ in 0..1000 {
            let id = next_message_id(now, last.as_deref());
            if let Some(previous) = &last {
                assert!(id > *previous);
            }
            last = Some(id);
        }
        let later_clock = next_message_id(now + chrono::Duration::seconds(5), None);
        let behind = next_message_id(now, Some(&later_clock));
        assert!(behind > later_clock);
    }

    #[test]
    fn bounds_exclude_the_named_messages_and_keep_everything_between() {
        let ids: Vec<String> = (0..50)
            .map(|i| {
                next_message_id(
                    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::milliseconds(i / 3),
                    None,
                )
            })
            .collect();
        let mut ids = ids;
        ids.sort();
        let keys: Vec<String> = ids.iter().map(|i| format!("MSG#{i}")).collect();
        let between = |lo: &str, hi: &str| -> Vec<usize> {
            keys.iter().enumerate().filter(|(_, k)| k.as_str() >= lo && k.as_str() <= hi).map(|(i, _)| i).collect()
        };
        let (lo, hi) = message_bounds(Some(&ids[10]), Some(&ids[20]));
        assert_eq!(between(&lo, &hi), (11..20).collect::<Vec<_>>());
        let (lo, hi) = message_bounds(None, None);
        assert_eq!(between(&lo, &hi).len(), 50);
        let (lo, hi) = message_bounds(Some(&ids[49]), None);
        assert!(between(&lo, &hi).is_empty());
        // A last character of '0' (the smallest) still excludes the bound.
        let zero_end = format!("{}0", &ids[5][..25]);
        let (_, hi) = message_bounds(None, Some(&zero_end));
        assert!(hi.as_str() < format!("MSG#{zero_end}").as_str());
        // Other items of the conversation partition are never inside.
        for other in ["CLIENTMSG#a#b", "NOTICE#x", "SUMMARY"] {
            let (lo, hi) = message_bounds(None, None);
            assert!(!(other >= lo.as_str() && other <= hi.as_str()), "{other}");
        }
    }

    #[test]
    fn frames_explain_what_is_wrong() {
        assert_eq!(default_route_error(Some("{not json")).code(), "invalid_json");
        assert_eq!(default_route_error(Some("[1]")).code(), "missing_action");
        assert_eq!(default_route_error(Some(r#"{"action":"dance"}"#)).code(), "unknown_action");
        let error = parse::<TypingFrame>(Some(r#"{"action":"typing","x":1}"#)).unwrap_err();
        assert_eq!(error.code(), "invalid_frame");
        let frame: Value = serde_json::from_str(&error_frame(&error, Some("c1")).to_json()).unwrap();
        assert_eq!(frame["type"], "error");
        assert_eq!(frame["clientMessageId"], "c1");
    }

    #[test]
    fn days_are_paris_days() {
        // 23:30 UTC on 31 December is already 1 January in Paris.
        let late = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(paris_day(late), "2027-01-01");
    }
}
