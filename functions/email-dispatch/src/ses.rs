//! The SES adapter: the one call the function makes, its errors sorted into "try again later",
//! "refused for good" (this message will never be accepted) and "refused" (the account or its
//! configuration: every message fails alike, so they are kept for a retry and the dead-letter
//! queue, from which they can be replayed once it is fixed).
//!
//! SES error messages can name recipients ("Illegal address", unverified identities): an
//! error keeps the error code SES answered and never its message or the SDK's chain.

use aws_sdk_ses::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use store::aws_error::Failure;

/// What went wrong with an SES call; the code is SES's error code (or the kind of failure).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SesError {
    /// Throttled, failing or unreachable: nothing was sent; a retry will likely succeed.
    #[error("ses unavailable ({code})")]
    Unavailable { code: String },
    /// This message is refused for good (a rejected message, an invalid address): retrying
    /// sends nothing and holds the stream shard back.
    #[error("ses rejected this email for good ({code})")]
    Rejected { code: String },
    /// Refused for a reason that is not this message's (an unverified sender, a paused account,
    /// a missing permission) or an unexpected answer.
    #[error("ses refused the email ({code})")]
    Refused { code: String },
}

impl SesError {
    /// True when no retry can ever send this message.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SesError::Rejected { .. })
    }
}

/// Error codes that refuse this message itself: `MessageRejected` (content, a blocked or
/// invalid recipient) and `InvalidParameterValue` (a malformed address or message).
const PERMANENT_CODES: [&str; 2] = ["MessageRejected", "InvalidParameterValue"];

/// Sorts an SES answer by its error code alone.
pub fn classify_code(code: Option<&str>) -> SesError {
    let code = code.unwrap_or("unknown").to_owned();
    if store::aws_error::is_transient_code(&code) {
        SesError::Unavailable { code }
    } else if PERMANENT_CODES.contains(&code.as_str()) {
        SesError::Rejected { code }
    } else {
        SesError::Refused { code }
    }
}

/// A `MessageRejected` about the sender identity rather than this message: SES's wording for
/// an unverified identity ("Email address is not verified. The following identities failed the
/// check…"), a sender without authority ("Did not have authority to send from email …", as
/// moto words it for `SendRawEmail`), or any message naming the sender's own address.
fn sender_refused(message: &str, sender: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("not verified")
        || message.contains("did not have authority")
        || (!sender.is_empty() && message.contains(&sender.to_ascii_lowercase()))
}

fn classify<E, R>(error: SdkError<E, R>, sender: &str) -> SesError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match &error {
        // SES answers `MessageRejected` also when the sender identity is not verified (a
        // configuration fault of the account, fixed once for every message): that one is
        // retried, then dead-lettered for replay, never failed for good.
        SdkError::ServiceError(service)
            if service.err().code() == Some("MessageRejected")
                && service.err().message().is_some_and(|m| sender_refused(m, sender)) =>
        {
            SesError::Refused { code: "sender_not_verified".into() }
        }
        _ => match store::aws_error::failure_of(&error) {
            Failure::Transient(code) => SesError::Unavailable { code: code.to_owned() },
            Failure::Refused(code) => classify_code(code),
            Failure::Unexpected => SesError::Refused { code: "construction_failure".into() },
        },
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
        let message = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|_| SesError::Rejected { code: "build".into() })?;
        let output = self
            .client
            .send_raw_email()
            .source(sender)
            .destinations(to)
            .raw_message(message)
            .send()
            .await
            .map_err(|error| classify(error, sender))?;
        Ok(output.message_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_of_the_message_are_permanent_and_the_rest_is_retried() {
        for code in ["MessageRejected", "InvalidParameterValue"] {
            assert!(classify_code(Some(code)).is_permanent(), "{code}");
        }
        for code in ["Throttling", "ServiceUnavailable", "InternalFailure"] {
            assert!(matches!(classify_code(Some(code)), SesError::Unavailable { .. }), "{code}");
        }
        // The account's problems fail every message alike: kept for a retry and the dead-letter queue.
        for code in ["AccountSendingPausedException", "MailFromDomainNotVerifiedException", "AccessDenied"] {
            let error = classify_code(Some(code));
            assert!(matches!(error, SesError::Refused { .. }) && !error.is_permanent(), "{code}");
        }
        assert!(!classify_code(None).is_permanent());
        let sender = "ne-pas-repondre@suivi-emploi.example.fr";
        assert!(sender_refused(
            "Email address is not verified. The following identities failed the check in region EU-WEST-3: x",
            sender
        ));
        // moto's SendRawEmail wording after a restart (it forgets verified identities).
        assert!(sender_refused(
            "Did not have authority to send from email ne-pas-repondre@suivi-emploi.example.fr",
            sender
        ));
        assert!(sender_refused("Sending from NE-PAS-REPONDRE@suivi-emploi.example.fr is paused", sender));
        assert!(!sender_refused("Address blacklisted.", sender));
        assert!(!sender_refused("Illegal address: someone@example.fr", sender));
    }
}
