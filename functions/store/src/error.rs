//! How a store operation fails, classified so the boundary can answer 503 (retry later), 400
//! (a cursor that is not ours) or 500, and log the source chain without sending it.

use std::error::Error as StdError;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

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

/// Error codes DynamoDB uses when it is overloaded or briefly failing: the request may be retried.
const RETRYABLE_CODES: [&str; 6] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// Maps an SDK failure to the boundary error: unreachable or throttled is 503, the rest 500.
pub fn sdk_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let retryable = match &error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(service) => service.err().code().is_some_and(|code| RETRYABLE_CODES.contains(&code)),
        _ => false,
    };
    if retryable {
        StoreError::Unavailable(Box::new(error))
    } else {
        StoreError::Internal(Box::new(error))
    }
}

pub fn is_conditional_check_failed<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}
