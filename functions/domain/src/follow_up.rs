//! Rules of a seeker's follow-up that registration applies on every change of place or level.

use chrono::{DateTime, Utc};

use crate::model::{CadencePolicy, Level, Modality};
use crate::time::from_key;

/// When the next contact is due for a seeker at `level`, from their stored dates: the level's
/// interval after the last contact, or after registration when there was none. A stored
/// registration instant that does not parse counts as `now`; a last contact that does not
/// parse, as none.
pub fn next_contact_due(
    cadence: &CadencePolicy,
    level: Level,
    last_contact_at: Option<&str>,
    registered_at: &str,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let registered = from_key(registered_at).unwrap_or(now);
    let last_contact = last_contact_at.and_then(from_key);
    cadence.next_contact_due(level, last_contact, registered)
}

/// Whether a seeker whose level becomes `new_level` stays with their current advisor (of
/// `modality`, `None` when they have none): only if that advisor's modality serves the level;
/// otherwise they are moved to another advisor or the waiting list.
pub fn keeps_advisor(modality: Option<Modality>, new_level: Level) -> bool {
    modality.is_some_and(|m| m.serves(new_level))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn due_after_the_last_contact_else_after_registration() {
        let cadence = CadencePolicy::default();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let registered = "2026-11-01T09:00:00.000Z";
        let contact = "2026-11-20T09:00:00.000Z";
        let day = chrono::Duration::days;
        assert_eq!(
            next_contact_due(&cadence, Level::Reinforced, Some(contact), registered, now),
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap() + day(14)
        );
        assert_eq!(
            next_contact_due(&cadence, Level::Guided, None, registered, now),
            Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + day(30)
        );
        // Corrupt dates: no contact, registered now.
        assert_eq!(next_contact_due(&cadence, Level::FollowUp, Some("x"), "y", now), now + day(90));
    }

    #[test]
    fn a_level_change_keeps_the_advisor_only_if_their_modality_serves_it() {
        assert!(keeps_advisor(Some(Modality::Web), Level::Guided));
        assert!(!keeps_advisor(Some(Modality::Web), Level::Reinforced));
        assert!(keeps_advisor(Some(Modality::Reinforced), Level::Reinforced));
        assert!(!keeps_advisor(None, Level::Guided));
    }
}
