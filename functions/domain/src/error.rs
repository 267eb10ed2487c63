//! The one refusal the domain knows: a value that breaks one of its rules.

/// A value that breaks a rule (an unknown region, a malformed address, an empty list): the
/// boundary answers 422 with this code and message, and nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Invalid {
        Invalid { code, message: message.into() }
    }
}
