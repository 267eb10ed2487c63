//! The SES adapter: the one call the function makes, its errors sorted into "try again later"
//! and "refused". Either way the record is reported for a retry (an email is never dropped);
//! the class says, in the logs, whether waiting will help.

use api::error::BoxError;
use aws_sdk_ses::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;

/// What went wrong with an SES call.
#[derive(Debug, thiserror::Error)]
pub enum SesError {
    /// Throttled, failing or unreachable: nothing was sent; a retry will likely succeed.
    #[error("ses unavailable")]
    Unavailable(#[source] BoxError),
    /// Refused (an unverified sender, a malformed message) or an unexpected answer.
    #[error("ses refused the email")]
    Refused(#[source] BoxError),
}

/// Error codes of the SES API that mean "try again later".
const RETRYABLE_CODES: [&str; 4] = ["Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure"];

fn classify<E, R>(error: SdkError<E, R>) -> SesError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            SesError::Unavailable(Box::new(error))
        }
        SdkError::ServiceError(service) if service.err().code().is_some_and(|c| RETRYABLE_CODES.contains(&c)) => {
            SesError::Unavailable(Box::new(error))
        }
        _ => SesError::Refused(Box::new(error)),
    }
}

#[derive(Clone, Debug)]
pub struct Ses {
    client: aws_sdk_ses::Client,
}

impl Ses {
    pub fn new(sdk: &aws_config::SdkConfig) -> Ses {
        Ses { client: aws_sdk_ses::Client::new(sdk) }
    }

    /// `SendRawEmail` of a whole MIME message; returns the SES message id.
    pub async fn send_raw(&self, sender: &str, to: &str, raw: Vec<u8>) -> Result<String, SesError> {
        let message = RawMessage::builder().data(Blob::new(raw)).build().map_err(|e| SesError::Refused(Box::new(e)))?;
        let output = self
            .client
            .send_raw_email()
            .source(sender)
            .destinations(to)
            .raw_message(message)
            .send()
            .await
            .map_err(classify)?;
        Ok(output.message_id)
    }
}
