//! Transaction items for one table, built without panics.

use std::time::Duration;

use aws_sdk_dynamodb::types::builders::{ConditionCheckBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem, Update};
use common::store::{s, Item};
use common::ApiError;

fn internal(error: impl std::error::Error + Send + Sync + 'static) -> ApiError {
    ApiError::Internal(Box::new(error))
}

pub fn put(
    table: &str,
    item: Item,
    condition: Option<&str>,
) -> Result<TransactWriteItem, ApiError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .set_condition_expression(condition.map(str::to_owned))
        .build()
        .map_err(internal)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

pub fn update(
    table: &str,
    pk: String,
    sk: &str,
    build: impl FnOnce(UpdateBuilder) -> UpdateBuilder,
) -> Result<TransactWriteItem, ApiError> {
    let update = build(
        Update::builder()
            .table_name(table)
            .key("pk", s(pk))
            .key("sk", s(sk)),
    )
    .build()
    .map_err(internal)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

pub fn check(
    table: &str,
    pk: String,
    sk: &str,
    build: impl FnOnce(ConditionCheckBuilder) -> ConditionCheckBuilder,
) -> Result<TransactWriteItem, ApiError> {
    let check = build(
        ConditionCheck::builder()
            .table_name(table)
            .key("pk", s(pk))
            .key("sk", s(sk)),
    )
    .build()
    .map_err(internal)?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// A random, growing pause after a transaction conflict (two writers on one conversation).
pub async fn backoff(attempt: u32) {
    let ceiling_ms = 4u64 << attempt.min(6);
    let jitter = (ulid::Ulid::new().random() % u128::from(ceiling_ms)) as u64;
    tokio::time::sleep(Duration::from_millis(jitter + 1)).await;
}
