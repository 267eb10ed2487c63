//! Domain types and policies. Pure: no Lambda, no SDK. Raw strings from a
//! request become these types at the boundary, or the request is refused.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Invalid;

/// Accompaniment level (PRODUCT.md): drives the contact cadence and which advisors may follow the seeker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Reinforced,
    Guided,
    FollowUp,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Reinforced => "reinforced",
            Level::Guided => "guided",
            Level::FollowUp => "follow_up",
        }
    }
    /// The French name users read.
    pub fn label_fr(self) -> &'static str {
        match self {
            Level::Reinforced => "accompagnement renforcé",
            Level::Guided => "accompagnement guidé",
            Level::FollowUp => "appui et suivi à la recherche d'emploi",
        }
    }
}

/// An advisor's modality: which kind of portfolio they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Web,
    Guided,
    Reinforced,
}

impl Modality {
    pub const ALL: [Modality; 3] = [Modality::Web, Modality::Guided, Modality::Reinforced];

    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Web => "web",
            Modality::Guided => "guided",
            Modality::Reinforced => "reinforced",
        }
    }

    /// Whether an advisor of this modality may follow a seeker of `level`.
    /// The 100% web and guided portfolios serve the guided and follow-up
    /// levels; reinforced seekers need a reinforced advisor (PRODUCT.md).
    pub fn serves(self, level: Level) -> bool {
        match self {
            Modality::Web | Modality::Guided => matches!(level, Level::Guided | Level::FollowUp),
            Modality::Reinforced => level == Level::Reinforced,
        }
    }

    /// Portfolio size when the admin gives none (PRODUCT.md: 250 web, 150 guided, about 70 reinforced).
    pub fn default_capacity(self) -> u32 {
        match self {
            Modality::Web => 250,
            Modality::Guided => 150,
            Modality::Reinforced => 70,
        }
    }

    /// The largest portfolio an admin may give (the same sizes: a ceiling as well as the default).
    pub fn max_capacity(self) -> u32 {
        self.default_capacity()
    }
}

/// A contact channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Video,
    Phone,
    Chat,
    InPerson,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Video => "video",
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::InPerson => "in_person",
        }
    }
    pub fn label_fr(self) -> &'static str {
        match self {
            Channel::Video => "visioconférence",
            Channel::Phone => "téléphone",
            Channel::Chat => "messagerie instantanée",
            Channel::InPerson => "en agence",
        }
    }
}

/// The French regions by INSEE code.
pub const REGIONS: [(&str, &str); 18] = [
    ("01", "Guadeloupe"),
    ("02", "Martinique"),
    ("03", "Guyane"),
    ("04", "La Réunion"),
    ("06", "Mayotte"),
    ("11", "Île-de-France"),
    ("24", "Centre-Val de Loire"),
    ("27", "Bourgogne-Franche-Comté"),
    ("28", "Normandie"),
    ("32", "Hauts-de-France"),
    ("44", "Grand Est"),
    ("52", "Pays de la Loire"),
    ("53", "Bretagne"),
    ("75", "Nouvelle-Aquitaine"),
    ("76", "Occitanie"),
    ("84", "Auvergne-Rhône-Alpes"),
    ("93", "Provence-Alpes-Côte d'Azur"),
    ("94", "Corse"),
];

/// A region code from [`REGIONS`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Region(String);

impl Region {
    pub fn parse(code: &str) -> Result<Self, Invalid> {
        if REGIONS.iter().any(|(c, _)| *c == code) {
            Ok(Region(code.to_owned()))
        } else {
            Err(Invalid::new(
                "invalid_region",
                "region must be a French region INSEE code, e.g. \"11\" for Île-de-France",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn name(&self) -> &'static str {
        REGIONS.iter().find(|(c, _)| *c == self.0).map(|(_, n)| *n).unwrap_or("")
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Region::parse(&raw).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A lower-cased, syntactically valid email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// A plain address (`local@domain.tld`), trimmed and lowercased. Refused: a display name
    /// (`Name <a@b.fr>`), a quoted local part, a domain literal, whitespace or any control
    /// character inside (CR/LF would reach the mail headers and the `.ics` `ATTENDEE` line), and
    /// anything not ASCII (SES takes 7-bit addresses only: an accented local part or domain
    /// would be refused at every send).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        use email_address::{EmailAddress, Options};
        let trimmed = raw.trim();
        let invalid = || Invalid::new("invalid_email", "email must be a plain address such as nom@example.fr");
        if trimmed.len() > 254
            || !trimmed.is_ascii()
            || trimmed.chars().any(|c| c.is_control() || c.is_whitespace() || c == '"')
        {
            return Err(invalid());
        }
        // A domain without a dot cannot receive mail from SES.
        let options = Options::default().without_display_text().without_domain_literal().with_minimum_sub_domains(2);
        if EmailAddress::parse_with_options(trimmed, options).is_err() {
            return Err(invalid());
        }
        // Lowercased whole, as the user pool compares sign-in emails case-insensitively: one
        // person, one spelling.
        Ok(Email(trimmed.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's first or last name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let count = trimmed.chars().count();
        if count == 0 || count > 100 {
            return Err(Invalid::new("invalid_name", format!("{field} must be 1 to 100 characters")));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(Invalid::new("invalid_name", format!("{field} contains control characters")));
        }
        Ok(PersonName(trimmed.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number, normalised to `+` and digits; 8 to 15 digits (E.164).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let invalid = || Invalid::new("invalid_phone", "phone must be a phone number such as +33 6 12 34 56 78");
        if raw.len() > 40 {
            return Err(invalid());
        }
        let mut normalised = String::new();
        for (i, c) in raw.trim().chars().enumerate() {
            match c {
                '+' if i == 0 => normalised.push('+'),
                '0'..='9' => normalised.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(invalid()),
            }
        }
        let digits = normalised.trim_start_matches('+').len();
        if !(8..=15).contains(&digits) {
            return Err(invalid());
        }
        // A French national number (0X XX XX XX XX) becomes +33X XX XX XX XX.
        if !normalised.starts_with('+') && normalised.len() == 10 && normalised.starts_with('0') {
            normalised = format!("+33{}", &normalised[1..]);
        }
        Ok(Phone(normalised))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Country codes of a French phone number: metropolitan France, then the overseas regions
/// (Réunion and Mayotte, Guadeloupe, Guyane, Martinique).
const FRENCH_COUNTRY_CODES: [&str; 5] = ["+33", "+262", "+590", "+594", "+596"];

/// A French phone number (an advisor's work phone), normalised to E.164: `+33` or an overseas
/// region's code, then the 9 digits of the national number without its leading 0.
pub fn french_phone(raw: &str) -> Result<Phone, Invalid> {
    let phone = Phone::parse(raw)?;
    let national = FRENCH_COUNTRY_CODES.iter().find_map(|code| phone.as_str().strip_prefix(code));
    match national {
        Some(rest) if rest.len() == 9 && !rest.starts_with('0') => Ok(phone),
        _ => Err(Invalid::new(
            "invalid_phone",
            "phone must be a French number such as 01 23 45 67 89 or +33 1 23 45 67 89",
        )),
    }
}

#[cfg(test)]
mod french_phone_tests {
    use super::french_phone;

    #[test]
    fn french_numbers_in_national_or_international_form_are_kept_in_e164() {
        assert_eq!(french_phone("01 23 45 67 89").unwrap().as_str(), "+33123456789");
        assert_eq!(french_phone("+33 6 12 34 56 78").unwrap().as_str(), "+33612345678");
        assert_eq!(french_phone("+262 692 12 34 56").unwrap().as_str(), "+262692123456");
    }

    #[test]
    fn foreign_or_malformed_numbers_are_refused() {
        for raw in ["+44 20 7946 0958", "+33 01 23 45 67 89", "+331234", "12 34", "+1 415 555 0100"] {
            assert_eq!(french_phone(raw).unwrap_err().code, "invalid_phone", "{raw}");
        }
    }
}

/// A short free text (a reason, a note): trimmed, 1 to `max` characters, control characters other than newlines removed.
pub fn free_text(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    let cleaned: String = raw.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect();
    let count = cleaned.chars().count();
    if count == 0 || count > max {
        return Err(Invalid::new("invalid_text", format!("{field} must be 1 to {max} characters")));
    }
    Ok(cleaned)
}

/// Preferred channels: 1 to 4 distinct channels.
pub fn preferred_channels(channels: &[Channel]) -> Result<Vec<Channel>, Invalid> {
    let mut distinct: Vec<Channel> = Vec::new();
    for c in channels {
        if !distinct.contains(c) {
            distinct.push(*c);
        }
    }
    if distinct.is_empty() {
        return Err(Invalid::new("invalid_channels", "preferredChannels must name at least one channel"));
    }
    Ok(distinct)
}

/// How often each level must be contacted, in days (PRODUCT.md defaults 14 / 30 / 90; configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CadencePolicy {
    pub reinforced_days: u32,
    pub guided_days: u32,
    pub follow_up_days: u32,
}

impl Default for CadencePolicy {
    fn default() -> Self {
        CadencePolicy { reinforced_days: 14, guided_days: 30, follow_up_days: 90 }
    }
}

impl CadencePolicy {
    pub fn days(&self, level: Level) -> u32 {
        match level {
            Level::Reinforced => self.reinforced_days,
            Level::Guided => self.guided_days,
            Level::FollowUp => self.follow_up_days,
        }
    }

    /// When the next contact is due: the level's interval after the last contact, or after registration when there was none yet.
    pub fn next_contact_due(
        &self,
        level: Level,
        last_contact: Option<chrono::DateTime<chrono::Utc>>,
        registered_at: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        last_contact.unwrap_or(registered_at) + chrono::Duration::days(i64::from(self.days(level)))
    }
}

/// An advisor as seen by the assignment policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub advisor_id: String,
    pub modality: Modality,
    pub portfolio_count: u32,
    pub capacity: u32,
}

impl Candidate {
    pub fn has_room(&self) -> bool {
        self.portfolio_count < self.capacity
    }
}

/// Orders the advisors that may take a seeker of `level`: those whose modality
/// serves it and who have room, least loaded first (by share of capacity used,
/// then by count, then by id so the order is stable). The caller tries them in
/// turn: the capacity itself is enforced by the write's condition, not here.
pub fn assignment_order(level: Level, candidates: &[Candidate]) -> Vec<Candidate> {
    let mut eligible: Vec<Candidate> =
        candidates.iter().filter(|c| c.modality.serves(level) && c.has_room()).cloned().collect();
    eligible.sort_by(|a, b| {
        let load_a = u64::from(a.portfolio_count) * u64::from(b.capacity.max(1));
        let load_b = u64::from(b.portfolio_count) * u64::from(a.capacity.max(1));
        load_a.cmp(&load_b).then(a.portfolio_count.cmp(&b.portfolio_count)).then(a.advisor_id.cmp(&b.advisor_id))
    });
    eligible
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn candidate(id: &str, modality: Modality, count: u32, capacity: u32) -> Candidate {
        Candidate { advisor_id: id.into(), modality, portfolio_count: count, capacity }
    }

    #[test]
    fn modalities_serve_levels_as_the_product_says() {
        assert!(Modality::Web.serves(Level::Guided));
        assert!(Modality::Web.serves(Level::FollowUp));
        assert!(!Modality::Web.serves(Level::Reinforced));
        assert!(Modality::Reinforced.serves(Level::Reinforced));
        assert!(!Modality::Reinforced.serves(Level::Guided));
        assert_eq!(Modality::Web.default_capacity(), 250);
        assert_eq!(Modality::Guided.default_capacity(), 150);
        assert_eq!(
            Modality::ALL.map(Modality::max_capacity),
            [250, 150, 70],
            "admins cannot go above the modality's size"
        );
    }

    #[test]
    fn assignment_prefers_the_least_loaded_eligible_advisor_with_room() {
        let advisors = vec![
            candidate("full", Modality::Web, 250, 250),
            candidate("busy", Modality::Web, 200, 250),
            candidate("light", Modality::Guided, 30, 150),
            candidate("reinforced", Modality::Reinforced, 0, 70),
        ];
        let order: Vec<String> = assignment_order(Level::Guided, &advisors).into_iter().map(|c| c.advisor_id).collect();
        assert_eq!(order, vec!["light", "busy"]);
        let order: Vec<String> =
            assignment_order(Level::Reinforced, &advisors).into_iter().map(|c| c.advisor_id).collect();
        assert_eq!(order, vec!["reinforced"]);
    }

    #[test]
    fn assignment_compares_load_as_a_share_of_capacity() {
        let advisors = vec![candidate("a", Modality::Web, 100, 250), candidate("b", Modality::Guided, 70, 150)];
        // 100/250 = 40 % < 70/150 = 47 %.
        assert_eq!(assignment_order(Level::Guided, &advisors)[0].advisor_id, "a");
    }

    #[test]
    fn nobody_with_room_means_waiting() {
        let advisors = vec![candidate("full", Modality::Web, 250, 250)];
        assert!(assignment_order(Level::Guided, &advisors).is_empty());
    }

    #[test]
    fn next_contact_due_follows_the_level_cadence() {
        let policy = CadencePolicy::default();
        let registered = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
        let contact = Utc.with_ymd_and_hms(2026, 2, 1, 10, 0, 0).unwrap();
        assert_eq!(
            policy.next_contact_due(Level::Reinforced, None, registered),
            Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap()
        );
        assert_eq!(
            policy.next_contact_due(Level::FollowUp, Some(contact), registered),
            Utc.with_ymd_and_hms(2026, 5, 2, 10, 0, 0).unwrap()
        );
    }

    #[test]
    fn emails_are_validated_and_lowercased() {
        assert_eq!(Email::parse(" Marie.Dupont@Example.FR ").unwrap().as_str(), "marie.dupont@example.fr");
        for bad in [
            "",
            "marie",
            "marie@",
            "@example.fr",
            "marie@localhost",
            "a b@example.fr",
            "Marie <marie@example.fr>",
            "<marie@example.fr>",
            "\"Marie\" <marie@example.fr>",
            "\"marie dupont\"@example.fr",
            "marie@example.fr\r\nBcc: eve@example.fr",
            "marie\n@example.fr",
            "marie@exa\u{0}mple.fr",
            "marie\u{7f}@example.fr",
            "marie@[192.168.0.1]",
            "marie@example.fr, eve@example.fr",
            "zoé@example.fr",
            "zoe@société.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(Email::parse("marie.dupont+emploi@example.fr").unwrap().as_str(), "marie.dupont+emploi@example.fr");
        assert!(Email::parse(&format!("{}@example.fr", "a".repeat(300))).is_err());
    }

    #[test]
    fn phones_are_normalised() {
        assert_eq!(Phone::parse("06 12 34 56 78").unwrap().as_str(), "+33612345678");
        assert_eq!(Phone::parse("+33 6.12.34.56.78").unwrap().as_str(), "+33612345678");
        for bad in ["12", "06-12-34-56-7x", "++33612345678", "0612345678901234567"] {
            assert!(Phone::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn names_and_regions_are_bounded() {
        assert!(PersonName::parse("firstName", "  ").is_err());
        assert!(PersonName::parse("firstName", &"x".repeat(101)).is_err());
        assert!(PersonName::parse("firstName", "Zoé\u{7}").is_err());
        assert_eq!(PersonName::parse("firstName", " Zoé ").unwrap().as_str(), "Zoé");
        assert!(Region::parse("11").is_ok());
        assert!(Region::parse("99").is_err());
        assert_eq!(Region::parse("93").unwrap().name(), "Provence-Alpes-Côte d'Azur");
    }

    #[test]
    fn free_text_strips_control_characters() {
        assert_eq!(free_text("reason", " a\u{0}b\nc ", 10).unwrap(), "ab\nc");
        assert!(free_text("reason", "", 10).is_err());
        assert!(free_text("reason", &"é".repeat(11), 10).is_err());
    }
}
