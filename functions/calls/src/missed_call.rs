//! The missed-call notice to the seeker (issue 16, item 7: « Votre conseiller a essayé de vous
//! joindre… »).
//!
//! [`missed_call_sms`] is called by the handler when it journals that the seeker did not
//! answer (or was busy), and what it returns is written in the same transaction as that
//! fact's marker: so it is written exactly once per call, whatever the handler's retries and
//! duplicate invocations. Opt-in, the operator's opt-out, the quiet hours (a deferred item
//! released at 08:00) and the SNS sending are the SMS outbox's (`store::sms`, email-dispatch).

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use store::SeekerRecord;

use crate::app::App;
use crate::record::CallRecord;

/// The writes that queue the missed-call SMS of `call`, missed at `at`: none when the seeker
/// receives no SMS (not opted in, no mobile, erased, opted out at the operator).
pub fn missed_call_sms(
    app: &App,
    seeker: &SeekerRecord,
    call: &CallRecord,
    at: DateTime<Utc>,
) -> Result<Vec<TransactWriteItem>, store::StoreError> {
    let write = store::sms::missed_call_sms_write(seeker, &call.call_id, app.config.agency_phone_number.as_ref(), at)?;
    Ok(write.map(|(_, write)| write).into_iter().collect())
}
