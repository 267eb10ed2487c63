//! A contact (a held interview, a day of chat) moves the seeker's last
//! contact and, by their level's cadence, the next contact due, which orders
//! the advisor's portfolio.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};

use crate::attr::s;
use crate::keys;
use crate::records::SeekerRecord;
use crate::tx::update;
use domain::time::to_key;
use domain::CadencePolicy;

/// The update recording a contact at `at`, guarded by the profile as read
/// (level, last contact, not erased): a failed condition means it changed
/// meanwhile; read again and retry. `None` when there is nothing to record
/// (erased, or a later contact is already known).
pub fn contact_update(seeker: &SeekerRecord, cadence: &CadencePolicy, at: DateTime<Utc>) -> Option<TransactWriteItem> {
    guarded_contact_update(seeker, cadence, at, None)
}

/// [`contact_update`] that also requires the seeker to be `advisor_id`'s still (a day of chat
/// counts only while the advisor who wrote follows the seeker).
pub fn contact_update_for_advisor(
    seeker: &SeekerRecord,
    cadence: &CadencePolicy,
    at: DateTime<Utc>,
    advisor_id: &str,
) -> Option<TransactWriteItem> {
    guarded_contact_update(seeker, cadence, at, Some(advisor_id))
}

fn guarded_contact_update(
    seeker: &SeekerRecord,
    cadence: &CadencePolicy,
    at: DateTime<Utc>,
    advisor_id: Option<&str>,
) -> Option<TransactWriteItem> {
    if seeker.erased {
        return None;
    }
    if seeker.last_contact_at.is_some_and(|last| last >= at) {
        return None;
    }
    let due = cadence.next_contact_due(seeker.level, Some(at), seeker.registered_at);
    // In a portfolio the sort key follows the due date; the waiting list keeps its order.
    let portfolio_sort = seeker.advisor_id.as_ref().map(|_| keys::portfolio_gsi1sk(&to_key(due), &seeker.seeker_id));
    let old_last = seeker.last_contact_at.map(to_key);
    let level = seeker.level.as_str();
    let advisor_id = advisor_id.map(str::to_owned);
    Some(update(keys::seeker_pk(&seeker.seeker_id), keys::PROFILE, move |u| {
        let mut set = "SET lastContactAt = :at, nextContactDue = :due".to_owned();
        if portfolio_sort.is_some() {
            set.push_str(", gsi1sk = :sort");
        }
        let mut guard = match old_last {
            Some(_) => "erased = :false AND #level = :level AND lastContactAt = :old",
            None => "erased = :false AND #level = :level AND attribute_not_exists(lastContactAt)",
        }
        .to_owned();
        if advisor_id.is_some() {
            guard.push_str(" AND advisorId = :advisor");
        }
        let mut u = u
            .update_expression(set)
            .condition_expression(guard)
            .expression_attribute_names("#level", "level")
            .expression_attribute_values(":at", s(to_key(at)))
            .expression_attribute_values(":due", s(to_key(due)))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":level", s(level));
        if let Some(sort) = portfolio_sort {
            u = u.expression_attribute_values(":sort", s(sort));
        }
        if let Some(old) = old_last {
            u = u.expression_attribute_values(":old", s(old));
        }
        if let Some(advisor) = advisor_id {
            u = u.expression_attribute_values(":advisor", s(advisor));
        }
        u
    }))
}
