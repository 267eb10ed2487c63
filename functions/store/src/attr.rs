//! Items and attribute values: building them, and decoding them into records.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::StoreError;

pub type Item = HashMap<String, AttributeValue>;

pub fn to_item<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(value).map_err(|e| StoreError::Internal(Box::new(e)))
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Internal(Box::new(e)))
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// An item as plain JSON without its key attributes (exports).
pub fn item_to_json(item: Item) -> serde_json::Value {
    let mut value: serde_json::Value = serde_dynamo::from_item(item).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        for key in ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"] {
            map.remove(key);
        }
    }
    value
}
