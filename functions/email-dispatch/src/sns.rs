//! The SNS adapter for SMS: `CheckIfPhoneNumberIsOptedOut` and `Publish` to a phone number,
//! their errors sorted as SES's are (retry later, refused for good). An error keeps SNS's error
//! code, never its message (it can name the number).

use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnsError {
    /// Throttled, failing, unreachable, or refused for a reason that is not this message's (a
    /// permission, the spend limit reached): retried, then dead-lettered for replay.
    #[error("sns unavailable ({code})")]
    Unavailable { code: String },
    /// This message or number is refused for good (an invalid number): retrying sends nothing.
    #[error("sns rejected this sms for good ({code})")]
    Rejected { code: String },
}

/// SNS error codes that refuse this message itself.
const PERMANENT_CODES: [&str; 2] = ["InvalidParameter", "InvalidParameterValue"];

pub fn classify_code(code: Option<&str>) -> SnsError {
    let code = code.unwrap_or("unknown").to_owned();
    if PERMANENT_CODES.contains(&code.as_str()) {
        SnsError::Rejected { code }
    } else {
        SnsError::Unavailable { code }
    }
}

fn classify<E, R>(error: SdkError<E, R>) -> SnsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let unavailable = |code: &str| SnsError::Unavailable { code: code.to_owned() };
    match &error {
        SdkError::DispatchFailure(_) => unavailable("dispatch_failure"),
        SdkError::TimeoutError(_) => unavailable("timeout"),
        SdkError::ResponseError(_) => unavailable("response_error"),
        SdkError::ServiceError(service) => classify_code(service.err().code()),
        _ => unavailable("construction_failure"),
    }
}

#[derive(Clone, Debug)]
pub struct Sns {
    client: aws_sdk_sns::Client,
}

impl Sns {
    pub fn new(sdk: &aws_config::SdkConfig) -> Sns {
        Sns { client: aws_sdk_sns::Client::new(sdk) }
    }

    /// The adapter on the SNS at `endpoint_url` rather than the configured one (a test's SNS
    /// that never answers).
    pub fn at_endpoint(sdk: &aws_config::SdkConfig, endpoint_url: &str) -> Sns {
        let config = aws_sdk_sns::config::Builder::from(sdk).endpoint_url(endpoint_url).build();
        Sns { client: aws_sdk_sns::Client::from_conf(config) }
    }

    /// Whether the number answered STOP to an earlier SMS (the account's opt-out list).
    pub async fn opted_out(&self, number: &str) -> Result<bool, SnsError> {
        let output =
            self.client.check_if_phone_number_is_opted_out().phone_number(number).send().await.map_err(classify)?;
        Ok(output.is_opted_out)
    }

    /// `Publish` to a phone number, transactional, from the alphanumeric sender id; returns the
    /// SNS message id.
    pub async fn publish_sms(&self, number: &str, text: &str, sender_id: &str) -> Result<String, SnsError> {
        let attribute = |value: &str| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|_| SnsError::Rejected { code: "build".into() })
        };
        let output = self
            .client
            .publish()
            .phone_number(number)
            .message(text)
            .message_attributes("AWS.SNS.SMS.SenderID", attribute(sender_id)?)
            .message_attributes("AWS.SNS.SMS.SMSType", attribute("Transactional")?)
            .send()
            .await
            .map_err(classify)?;
        output.message_id.ok_or_else(|| SnsError::Unavailable { code: "no_message_id".into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_number_is_refused_for_good_and_the_rest_retried() {
        assert!(matches!(classify_code(Some("InvalidParameter")), SnsError::Rejected { .. }));
        for code in ["Throttled", "InternalError", "AuthorizationError", "KMSThrottling"] {
            assert!(matches!(classify_code(Some(code)), SnsError::Unavailable { .. }), "{code}");
        }
    }
}
