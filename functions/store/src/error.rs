//! How a store operation fails, classified so the boundary can answer 503 (retry later), 400
//! (a cursor that is not ours) or 500, and log the source chain without sending it.

use std::error::Error as StdError;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::aws_error::{failure_of, Failure};

pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DynamoDB is throttling, unreachable or briefly failing: nothing was written; retry later.
    #[error("the table is temporarily unavailable")]
    Unavailable(#[source] BoxError),
    /// An unexpected answer or an item that does not decode: a bug, details in the logs.
    #[error("unexpected store failure")]
    Internal(#[source] BoxError),
    /// A resume key that this list never returned (another list's, or forged).
    #[error("cursor is not one this list returned")]
    InvalidCursor,
}

impl StoreError {
    pub fn internal(message: impl Into<String>) -> StoreError {
        StoreError::Internal(message.into().into())
    }
}

/// Maps an SDK failure to the boundary error: unreachable or throttled is 503, the rest 500.
pub fn sdk_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if matches!(failure_of(&error), Failure::Transient(_)) {
        StoreError::Unavailable(Box::new(error))
    } else {
        StoreError::Internal(Box::new(error))
    }
}
