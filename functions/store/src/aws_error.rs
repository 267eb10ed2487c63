//! How an AWS SDK call failed, sorted once for every adapter (DynamoDB here, Chime in
//! `meetings`, SES in `email-dispatch`): not answered or answered "try again later" is
//! *transient* (nothing happened; retry), an answer with another error code is the service's
//! refusal, which each adapter names (a failed condition, a resource gone, a rejected message),
//! and a request that could not even be built is a bug. The code lists live here, and only here.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// Error codes AWS services answer when they are overloaded or briefly failing: the request
/// changed nothing and may be retried. DynamoDB: `ThrottlingException`,
/// `ProvisionedThroughputExceededException`, `RequestLimitExceeded`, `InternalServerError`,
/// `ServiceUnavailable`, `TransactionInProgressException`; Chime SDK Meetings:
/// `ThrottledClientException`, `ServiceUnavailableException`, `ServiceFailureException`,
/// `LimitExceededException`; SES: `Throttling`, `InternalFailure`.
const TRANSIENT_CODES: [&str; 12] = [
    "ThrottlingException",
    "Throttling",
    "ThrottledClientException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceFailureException",
    "TransactionInProgressException",
];

/// Cancellation reasons of a `TransactWriteItems` item that mean "lost a race or throttled":
/// the transaction is retried after a pause (other reasons are the items' own conditions).
const RETRIED_CANCELLATION_REASONS: [&str; 3] =
    ["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"];

/// DynamoDB's answer to a single-item write whose condition did not hold.
const CONDITION_FAILED: &str = "ConditionalCheckFailedException";

/// The sort of one SDK failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// Not answered (`reason`: `dispatch_failure`, `timeout`, `response_error`) or answered a
    /// transient `code`: nothing happened; retry later.
    Transient(&'a str),
    /// The service refused the request with this error code (`None` when it gave none).
    Refused(Option<&'a str>),
    /// The request could not be built or sent at all (a bug, not the service).
    Unexpected,
}

/// Sorts `error`.
pub fn failure_of<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> Failure<'_> {
    match error {
        SdkError::DispatchFailure(_) => Failure::Transient("dispatch_failure"),
        SdkError::TimeoutError(_) => Failure::Transient("timeout"),
        SdkError::ResponseError(_) => Failure::Transient("response_error"),
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) if is_transient_code(code) => Failure::Transient(code),
            code => Failure::Refused(code),
        },
        _ => Failure::Unexpected,
    }
}

/// Whether a service's error `code` means "try again later".
pub fn is_transient_code(code: &str) -> bool {
    TRANSIENT_CODES.contains(&code)
}

/// Whether a transaction item's cancellation reason means the transaction may be retried.
pub fn is_retried_cancellation(reason: &str) -> bool {
    RETRIED_CANCELLATION_REASONS.contains(&reason)
}

/// Whether a single-item DynamoDB write was refused by its condition.
pub fn is_conditional_check_failed<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    failure_of(error) == Failure::Refused(Some(CONDITION_FAILED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_s_throttling_is_transient_and_refusals_are_not() {
        for code in ["ProvisionedThroughputExceededException", "ThrottledClientException", "Throttling"] {
            assert!(is_transient_code(code), "{code}");
        }
        for code in [CONDITION_FAILED, "ValidationException", "NotFoundException", "MessageRejected"] {
            assert!(!is_transient_code(code), "{code}");
        }
        assert!(is_retried_cancellation("TransactionConflict"));
        assert!(!is_retried_cancellation("ConditionalCheckFailed"));
    }
}
