//! The table and its client: item reads and writes, transactions, paged queries.

use aws_sdk_dynamodb::operation::delete_item::builders::DeleteItemFluentBuilder;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;

use crate::attr::{from_item, s, Item};
use crate::aws_error::is_conditional_check_failed;
use crate::error::{sdk_error, StoreError};
use crate::keys;
use crate::records::{AdvisorRecord, IdentityRecord, SeekerRecord};
use crate::tx::{TransactOutcome, Tx};

/// The table and its client; built once at cold start and shared.
#[derive(Clone, Debug)]
pub struct Store {
    /// Private: every DynamoDB call goes through the store's own operations.
    pub(crate) client: Client,
    pub table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Store {
        Store { client, table: table.into() }
    }

    /// Loads the SDK configuration from the standard environment (endpoints included).
    pub async fn from_env(table: impl Into<String>) -> Store {
        let sdk = aws_config::load_from_env().await;
        Store::new(Client::new(&sdk), table)
    }

    /// A strongly consistent read of one item.
    pub async fn get<T: DeserializeOwned>(&self, pk: &str, sk: &str) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk.to_owned()))
            .key("sk", AttributeValue::S(sk.to_owned()))
            .consistent_read(true)
            .customize()
            .config_override(call_config(&self.client))
            .send()
            .await
            .map_err(sdk_error)?;
        output.item.map(from_item).transpose()
    }

    /// Runs a transaction; cancellation is an outcome, not an error.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<TransactOutcome, StoreError> {
        let items = crate::tx::with_table(&self.table, items);
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .customize()
            .config_override(call_config(&self.client))
            .send()
            .await
        {
            Ok(_) => Ok(TransactOutcome::Committed),
            Err(error) => {
                if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = error.as_service_error()
                {
                    let reasons =
                        cancelled.cancellation_reasons().iter().map(|r| r.code().map(str::to_owned)).collect();
                    return Ok(TransactOutcome::Cancelled(reasons));
                }
                Err(sdk_error(error))
            }
        }
    }

    /// Commits `tx`; cancellation is an outcome (ask it which held item failed), not an error.
    pub async fn commit(&self, tx: Tx) -> Result<TransactOutcome, StoreError> {
        self.transact(tx.into_items()).await
    }

    /// Puts one item, under `condition` if any. `Ok(false)` when the condition failed.
    pub async fn put(&self, item: Item, condition: Option<&str>) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .customize()
            .config_override(call_config(&self.client))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) if is_conditional_check_failed(&error) => Ok(false),
            Err(error) => Err(sdk_error(error)),
        }
    }

    /// Updates the item `pk`/`sk` with the expressions `build` adds; returns its new image, or
    /// `None` when the condition failed.
    pub async fn update(
        &self,
        pk: &str,
        sk: &str,
        build: impl FnOnce(UpdateItemFluentBuilder) -> UpdateItemFluentBuilder,
    ) -> Result<Option<Item>, StoreError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .key("sk", s(sk))
            .return_values(ReturnValue::AllNew);
        match build(request).customize().config_override(call_config(&self.client)).send().await {
            Ok(output) => Ok(Some(output.attributes.unwrap_or_default())),
            Err(error) if is_conditional_check_failed(&error) => Ok(None),
            Err(error) => Err(sdk_error(error)),
        }
    }

    /// Deletes the item `pk`/`sk` under the condition `build` adds, if any; `Ok(false)` when
    /// the condition failed. Deleting an absent item is a success.
    pub async fn delete(
        &self,
        pk: &str,
        sk: &str,
        build: impl FnOnce(DeleteItemFluentBuilder) -> DeleteItemFluentBuilder,
    ) -> Result<bool, StoreError> {
        let request = self.client.delete_item().table_name(&self.table).key("pk", s(pk)).key("sk", s(sk));
        match build(request).customize().config_override(call_config(&self.client)).send().await {
            Ok(_) => Ok(true),
            Err(error) if is_conditional_check_failed(&error) => Ok(false),
            Err(error) => Err(sdk_error(error)),
        }
    }

    pub async fn identity(&self, sub: &str) -> Result<Option<IdentityRecord>, StoreError> {
        self.get(&keys::identity_pk(sub), keys::IDENTITY_SK).await
    }

    pub async fn seeker(&self, seeker_id: &str) -> Result<Option<SeekerRecord>, StoreError> {
        self.get(&keys::seeker_pk(seeker_id), keys::PROFILE).await
    }

    pub async fn advisor(&self, advisor_id: &str) -> Result<Option<AdvisorRecord>, StoreError> {
        self.get(&keys::advisor_pk(advisor_id), keys::PROFILE).await
    }
}

/// The SDK configuration of one call: the client's own, with the operation timeout ended at the
/// invocation's *answer by* when the request runs under a deadline ([`crate::deadline`]), so the
/// SDK's own retries and pauses stop in time; unchanged otherwise.
pub(crate) fn call_config(client: &Client) -> aws_sdk_dynamodb::config::Builder {
    let mut config = aws_sdk_dynamodb::config::Builder::default();
    config.set_timeout_config(crate::deadline::capped_timeouts(client.config().timeout_config()));
    config
}

/// Every item a Query matches, page after page: `query` is the configured Query (table, index,
/// key condition, values); each page continues from the previous page's last key.
pub(crate) async fn query_all(client: &Client, query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
    let mut items = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let output = query
            .clone()
            .set_exclusive_start_key(start.take())
            .customize()
            .config_override(call_config(client))
            .send()
            .await
            .map_err(sdk_error)?;
        items.extend(output.items.unwrap_or_default());
        match output.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(items),
        }
    }
}
