//! A domain rule's refusal of an interview change, answered with its status code.

use domain::interview::{Refusal, RefusalKind};

use crate::error::ApiError;

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let (code, message) = (refusal.code, refusal.message.to_owned());
        match refusal.kind {
            RefusalKind::Conflict => ApiError::Conflict { code, message },
            RefusalKind::Forbidden => ApiError::Forbidden { code, message },
            RefusalKind::NotFound => ApiError::NotFound { code, message },
            RefusalKind::Unprocessable => ApiError::Unprocessable { code, message },
        }
    }
}
