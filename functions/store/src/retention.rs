//! Keeping a seeker's profile while they use the service: the write that moves its retention
//! date on (the daily retention job erases the profiles whose date has passed).

use crate::attr::{n, s};
use crate::client::Store;
use crate::error::StoreError;
use crate::records::{profile_retained_until, retention_marker, SeekerRecord};

impl Store {
    /// Moves an active seeker's `retainUntil` on: at most one write a day per seeker (a value
    /// less than a day old is left as it is), never on an erased or missing profile, nor on one
    /// the retention job has started erasing (`retentionErasureAt`). The same write stores the
    /// caller's `sub` on a profile made before it was kept there, and files the retention marker
    /// under the new day: profiles made before the retention job get both on their seeker's
    /// next use.
    pub async fn refresh_profile_retention(
        &self,
        seeker: &SeekerRecord,
        sub: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        let until = profile_retained_until(now);
        let fresh = seeker.retain_until.is_some_and(|current| current > until - 86_400);
        if seeker.erased || (fresh && seeker.sub.is_some()) {
            return Ok(());
        }
        let updated = self
            .update(&seeker.pk, &seeker.sk, |u| {
                u.update_expression("SET retainUntil = :until, #sub = if_not_exists(#sub, :sub)")
                    .condition_expression(
                        "attribute_exists(pk) AND (attribute_not_exists(erased) OR erased = :no) \
                         AND attribute_not_exists(retentionErasureAt)",
                    )
                    .expression_attribute_names("#sub", "sub")
                    .expression_attribute_values(":until", n(until))
                    .expression_attribute_values(":sub", s(sub))
                    .expression_attribute_values(":no", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
            })
            .await?;
        if updated.is_some() {
            // After the profile: a marker put back by a refresh racing an erasure is found by
            // the job with an erased profile and deleted.
            self.put(retention_marker(&seeker.seeker_id, until), None).await?;
        }
        Ok(())
    }
}
