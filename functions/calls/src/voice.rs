//! The Chime SDK Voice adapter: the two calls the functions make
//! (`CreateSipMediaApplicationCall`, `UpdateSipMediaApplicationCall`), their errors sorted
//! into what the routes answer.

use std::collections::HashMap;
use std::time::Duration;

use api::error::BoxError;
use api::ApiError;
use aws_sdk_chimesdkvoice::config::retry::RetryConfig;
use aws_sdk_chimesdkvoice::config::timeout::TimeoutConfig;
use aws_sdk_chimesdkvoice::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_chimesdkvoice::Client;

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// The call is over (or never was): nothing to hang up.
    #[error("chime voice: not found")]
    NotFound,
    /// Throttled, failing or unreachable: nothing happened, the caller may retry.
    #[error("chime voice unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else (a refused request): a bug or a misconfiguration on our side.
    #[error("chime voice call failed")]
    Other(#[source] BoxError),
}

impl From<VoiceError> for ApiError {
    fn from(error: VoiceError) -> ApiError {
        match error {
            VoiceError::Unavailable(source) => ApiError::Unavailable(source),
            VoiceError::NotFound => ApiError::not_found("this call is over"),
            VoiceError::Other(source) => ApiError::Internal(source),
        }
    }
}

const RETRYABLE_CODES: [&str; 4] = [
    "ThrottledClientException",
    "ServiceUnavailableException",
    "ServiceFailureException",
    "ResourceLimitExceededException",
];

fn classify<E, R>(error: SdkError<E, R>) -> VoiceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            VoiceError::Unavailable(Box::new(error))
        }
        SdkError::ServiceError(service) => match service.err().code() {
            Some("NotFoundException") => VoiceError::NotFound,
            Some(code) if RETRYABLE_CODES.contains(&code) => VoiceError::Unavailable(Box::new(error)),
            _ => VoiceError::Other(Box::new(error)),
        },
        _ => VoiceError::Other(Box::new(error)),
    }
}

/// The control API client, built once per cold start.
pub struct Voice {
    client: Client,
}

impl Voice {
    /// `region`: the PSTN audio region when it is not the function's.
    pub fn new(sdk: &aws_config::SdkConfig, region: Option<&str>) -> Voice {
        let mut config = aws_sdk_chimesdkvoice::config::Builder::from(sdk)
            // Within API Gateway's 30 s and the function's 10 s: two quick tries, then 503.
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .timeout_config(TimeoutConfig::builder().operation_timeout(Duration::from_secs(4)).build());
        if let Some(region) = region {
            config = config.region(aws_sdk_chimesdkvoice::config::Region::new(region.to_owned()));
        }
        Voice { client: Client::from_conf(config.build()) }
    }

    /// Places a call from `from` to `to`, the plan as its transaction attributes; the
    /// service's transaction id.
    pub async fn create_call(
        &self,
        sip_media_application_id: &str,
        from: &str,
        to: &str,
        arguments: HashMap<String, String>,
    ) -> Result<String, VoiceError> {
        let answer = self
            .client
            .create_sip_media_application_call()
            .sip_media_application_id(sip_media_application_id)
            .from_phone_number(from)
            .to_phone_number(to)
            .set_arguments_map(Some(arguments))
            .send()
            .await
            .map_err(classify)?;
        answer
            .sip_media_application_call()
            .and_then(|c| c.transaction_id())
            .map(str::to_owned)
            .ok_or_else(|| VoiceError::Other("CreateSipMediaApplicationCall answered no transaction id".into()))
    }

    /// Asks the call's handler to act (`CALL_UPDATE_REQUESTED` with `arguments`).
    pub async fn update_call(
        &self,
        sip_media_application_id: &str,
        transaction_id: &str,
        arguments: HashMap<String, String>,
    ) -> Result<(), VoiceError> {
        self.client
            .update_sip_media_application_call()
            .sip_media_application_id(sip_media_application_id)
            .transaction_id(transaction_id)
            .set_arguments(Some(arguments))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}
