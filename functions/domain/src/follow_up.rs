//! Rules of a seeker's follow-up that registration applies on every change of place or level.

use crate::model::{Level, Modality};

/// Whether a seeker whose level becomes `new_level` stays with their current advisor (of
/// `modality`, `None` when they have none): only if that advisor's modality serves the level;
/// otherwise they are moved to another advisor or the waiting list.
pub fn keeps_advisor(modality: Option<Modality>, new_level: Level) -> bool {
    modality.is_some_and(|m| m.serves(new_level))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_change_keeps_the_advisor_only_if_their_modality_serves_it() {
        assert!(keeps_advisor(Some(Modality::Web), Level::Guided));
        assert!(!keeps_advisor(Some(Modality::Web), Level::Reinforced));
        assert!(keeps_advisor(Some(Modality::Reinforced), Level::Reinforced));
        assert!(!keeps_advisor(None, Level::Guided));
    }
}
