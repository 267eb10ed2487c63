//! Batch reads and deletes by key (`BatchGetItem`, `BatchWriteItem`): many items that need no
//! condition, such as the profiles behind a conversation list or what an erasure sweeps away.
//! DynamoDB may leave part of a batch unprocessed under load; both calls resend that part
//! after a pause.

use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, WriteRequest};
use serde::de::DeserializeOwned;

use crate::attr::{from_item, s, Item};
use crate::client::{call_config, Store};
use crate::error::{sdk_error, StoreError};
use crate::retry::{backoff, out_of_work_time};

/// `BatchWriteItem` takes at most 25 requests.
const WRITE_BATCH: usize = 25;
/// `BatchGetItem` takes at most 100 keys.
const GET_BATCH: usize = 100;
/// Resends of a batch read's unprocessed keys before answering unavailable.
const GET_RESENDS: u32 = 10;

fn key(pk: &str, sk: &str) -> Item {
    Item::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

impl Store {
    /// The items `pk`/`sk` that exist, decoded as `T`, in no particular order (eventually
    /// consistent, as the list views that use it).
    pub async fn get_many<T: DeserializeOwned>(&self, keys: &[(String, String)]) -> Result<Vec<T>, StoreError> {
        self.get_many_read(keys, false).await
    }

    /// [`Store::get_many`] with strongly consistent reads, as [`Store::get`] reads: for work that
    /// acts on what it read (the reminders of a shard).
    pub async fn get_many_consistent<T: DeserializeOwned>(
        &self,
        keys: &[(String, String)],
    ) -> Result<Vec<T>, StoreError> {
        self.get_many_read(keys, true).await
    }

    async fn get_many_read<T: DeserializeOwned>(
        &self,
        keys: &[(String, String)],
        consistent: bool,
    ) -> Result<Vec<T>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(GET_BATCH) {
            let keys = chunk.iter().map(|(pk, sk)| key(pk, sk)).collect();
            let mut request = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(consistent)
                .build()
                .map_err(|e| StoreError::Internal(Box::new(e)))?;
            for attempt in 0.. {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .customize()
                    .config_override(call_config(&self.client))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                for item in output.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default() {
                    found.push(from_item(item)?);
                }
                match output.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                    Some(rest) if !rest.keys.is_empty() && attempt < GET_RESENDS && !out_of_work_time() => {
                        request = rest;
                        backoff(attempt).await;
                    }
                    Some(rest) if !rest.keys.is_empty() => {
                        return Err(StoreError::Unavailable("batch read kept being throttled".into()))
                    }
                    _ => break,
                }
            }
        }
        Ok(found)
    }

    /// Deletes the items `pk`/`sk`, 25 at a time, resending what DynamoDB left unprocessed
    /// until it has processed everything (an erasure must not stop half-way on throttling).
    pub async fn delete_many(&self, keys: &[(String, String)]) -> Result<(), StoreError> {
        for chunk in keys.chunks(WRITE_BATCH) {
            let mut requests = chunk
                .iter()
                .map(|(pk, sk)| {
                    let delete = DeleteRequest::builder()
                        .set_key(Some(key(pk, sk)))
                        .build()
                        .map_err(|e| StoreError::Internal(Box::new(e)))?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut attempt = 0;
            while !requests.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .customize()
                    .config_override(call_config(&self.client))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                requests = output.unprocessed_items.and_then(|mut m| m.remove(&self.table)).unwrap_or_default();
                if !requests.is_empty() {
                    if out_of_work_time() {
                        return Err(StoreError::Unavailable(
                            "batch delete was still throttled at the invocation's deadline".into(),
                        ));
                    }
                    attempt += 1;
                    backoff(attempt).await;
                }
            }
        }
        Ok(())
    }
}
