//! The missed-call notice to the seeker (issue 16, item 7: « Votre conseiller a essayé de vous
//! joindre… »), the one hook the SMS work fills.
//!
//! [`missed_call_sms`] is called by the handler when it journals that the seeker did not
//! answer (or was busy), and what it returns is written in the same transaction as that
//! fact's marker: so it is written exactly once per call, whatever the handler's retries and
//! duplicate invocations. The SMS work (branch `sms`) returns there the outbox item of the
//! notice (opt-in, quiet hours and SNS sending are its own); until then it returns nothing.

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};

use crate::CallRecord;

/// The writes that queue the missed-call SMS of `call`, missed at `at`: none yet.
pub fn missed_call_sms(call: &CallRecord, at: DateTime<Utc>) -> Vec<TransactWriteItem> {
    let _ = (call, at);
    Vec::new()
}
