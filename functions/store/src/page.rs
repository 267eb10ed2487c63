//! One page of a list: how many items, and the opaque cursor that resumes it (the DynamoDB key
//! to start after, as base64url JSON).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::StoreError;

/// `limit` items from `start_key` on (the first page when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub limit: i32,
    pub start_key: Option<HashMap<String, AttributeValue>>,
    /// The list a cursor belongs to (the HTTP layer's digest of the route and its parameters):
    /// the next cursor carries it, and a cursor carrying another is refused. `None` for reads
    /// that never hand a cursor out.
    pub list: Option<String>,
}

impl Page {
    /// The first `limit` items, for a read that hands no cursor out.
    pub fn first(limit: i32) -> Page {
        Page { limit, start_key: None, list: None }
    }
}

/// The cursor of `list` (when there is one) resuming after `key`: `<key>.<list>`.
pub fn encode_list_cursor(key: &HashMap<String, AttributeValue>, list: Option<&str>) -> String {
    match list {
        Some(list) => format!("{}.{list}", encode_cursor(key)),
        None => encode_cursor(key),
    }
}

/// The key of a cursor made by [`encode_list_cursor`] for `list`; any other is refused.
pub fn decode_list_cursor(raw: &str, list: &str) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let (key, made_for) = raw.split_once('.').ok_or(StoreError::InvalidCursor)?;
    if made_for != list {
        return Err(StoreError::InvalidCursor);
    }
    decode_cursor(key)
}

/// The opaque `nextCursor`: the DynamoDB key to resume from, base64url JSON.
/// Only string attributes are key attributes here, so only they are accepted back.
pub fn encode_cursor(key: &HashMap<String, AttributeValue>) -> String {
    let plain: HashMap<&str, &str> =
        key.iter().filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str()))).collect();
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&plain).unwrap_or_default())
}

pub fn decode_cursor(raw: &str) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let bytes = URL_SAFE_NO_PAD.decode(raw.as_bytes()).map_err(|_| StoreError::InvalidCursor)?;
    let plain: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| StoreError::InvalidCursor)?;
    const KEY_ATTRIBUTES: [&str; 6] = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"];
    if plain.is_empty() || plain.keys().any(|k| !KEY_ATTRIBUTES.contains(&k.as_str())) {
        return Err(StoreError::InvalidCursor);
    }
    Ok(plain.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_forgeries() {
        let key: HashMap<String, AttributeValue> = [
            ("pk".to_string(), AttributeValue::S("SEEKER#1".into())),
            ("sk".to_string(), AttributeValue::S("JOURNAL#2".into())),
        ]
        .into_iter()
        .collect();
        assert_eq!(decode_cursor(&encode_cursor(&key)).unwrap(), key);
        assert!(decode_cursor("not base64!").is_err());
        let forged = URL_SAFE_NO_PAD.encode(br#"{"secret":"x"}"#);
        assert!(decode_cursor(&forged).is_err());
    }

    #[test]
    fn a_cursor_belongs_to_its_list() {
        let key: HashMap<String, AttributeValue> = [("pk".to_string(), AttributeValue::S("SEEKER#1".into()))].into();
        let cursor = encode_list_cursor(&key, Some("upcoming"));
        assert_eq!(decode_list_cursor(&cursor, "upcoming").unwrap(), key);
        assert!(decode_list_cursor(&cursor, "past").is_err());
        assert!(decode_list_cursor(&encode_cursor(&key), "upcoming").is_err(), "a cursor without its list");
    }
}
