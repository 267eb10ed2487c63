//! SMS rules without a provider: how many segments a text costs, when an SMS may be sent, and
//! which numbers may receive one.
//!
//! **Segments (3GPP TS 23.038).** A text written only with the GSM 7-bit default alphabet goes
//! as GSM-7: 160 characters in one SMS, 153 a segment when it takes several (each segment
//! carries a 7-byte header); a character of the extension table (`€ [ ] { } ^ ~ | \` and form
//! feed) costs two, since it is sent as an escape and the character, and the pair is never
//! split across segments. A single character outside that alphabet makes the whole text UCS-2:
//! 70 UTF-16 units in one SMS, 67 a segment in several (an emoji counts two, never split).
//!
//! **French letters.** In GSM-7: `à é è ù ì ò`, the capitals `É Ç`, and `ä ö ü ñ æ ß Ä Ö Ü Ñ
//! Æ`. Not in it ([`FRENCH_OUTSIDE_GSM7`]): every circumflex (`â ê î ô û Â Ê Î Ô Û`), `ë ï ÿ Ë
//! Ï Ÿ`, `œ Œ`, the capitals `À È Ù`, and the lowercase `ç` (only the capital `Ç` is in GSM-7).
//!
//! **The choice for what is outside GSM-7.** Typographic punctuation (`’ ‘ “ ” « » … – —`, the
//! non-breaking spaces French typography puts before `: ; ! ?`) is replaced by its GSM-7
//! equivalent ([`sms_text`]): nothing is lost, and one curly apostrophe would otherwise halve
//! the room. Letters are **kept**: a public service's message with misspelt words ("fete",
//! "a bientot") reads as careless, or as a scam; such a text goes as UCS-2 and may take more
//! segments. The product's own SMS texts are therefore to be written within one GSM-7 segment,
//! each checked by a test with [`fits_one_segment`] and [`SmsLength::encoding`]: "Votre
//! conseiller a essayé de vous joindre" is GSM-7, "à bientôt" is not (`ô`).

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Paris;

use crate::error::Invalid;
use crate::interview::PhoneCaller;
use crate::model::{Channel, Phone};

/// The GSM 7-bit default alphabet (TS 23.038 §6.2.1), less the escape code.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                          ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table's characters (each sent as escape + character: two septets).
const GSM7_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// French letters that are not in GSM-7: one of them makes a text UCS-2.
pub const FRENCH_OUTSIDE_GSM7: &str = "âêîôûëïÿçœÀÂÈÊËÎÏÔÙÛŸŒ";

/// One SMS's room and a segment's when a text takes several.
pub const GSM7_SINGLE: usize = 160;
pub const GSM7_SEGMENT: usize = 153;
pub const UCS2_SINGLE: usize = 70;
pub const UCS2_SEGMENT: usize = 67;

/// How an SMS is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEncoding {
    Gsm7,
    Ucs2,
}

/// What a text costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLength {
    pub encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    /// SMS billed; 0 for an empty text.
    pub segments: usize,
}

/// The cost of one character in GSM-7 septets, or `None` if it is not in GSM-7.
fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Whether every character of `text` is in GSM-7 (basic or extension).
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| gsm7_septets(c).is_some())
}

/// Segments for characters of these costs: one SMS up to `single`, else `segment` a piece,
/// a character never split across two.
fn pack(costs: impl Iterator<Item = usize> + Clone, single: usize, segment: usize) -> (usize, usize) {
    let units: usize = costs.clone().sum();
    if units == 0 {
        return (0, 0);
    }
    if units <= single {
        return (units, 1);
    }
    let (mut segments, mut used) = (1, 0);
    for cost in costs {
        if used + cost > segment {
            segments += 1;
            used = 0;
        }
        used += cost;
    }
    (units, segments)
}

/// What `text` costs, as it will be sent (call [`sms_text`] first).
pub fn sms_length(text: &str) -> SmsLength {
    if is_gsm7(text) {
        let (units, segments) = pack(text.chars().map(|c| gsm7_septets(c).unwrap_or(2)), GSM7_SINGLE, GSM7_SEGMENT);
        SmsLength { encoding: SmsEncoding::Gsm7, units, segments }
    } else {
        let (units, segments) = pack(text.chars().map(char::len_utf16), UCS2_SINGLE, UCS2_SEGMENT);
        SmsLength { encoding: SmsEncoding::Ucs2, units, segments }
    }
}

/// Whether `text` (after [`sms_text`]) goes in one SMS.
pub fn fits_one_segment(text: &str) -> bool {
    sms_length(&sms_text(text)).segments <= 1
}

/// The text as sent: typographic punctuation replaced by its GSM-7 equivalent, letters kept
/// (see the module's documentation for why).
pub fn sms_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => out.push('"'),
            '\u{2026}' => out.push_str("..."),
            '\u{2013}' | '\u{2014}' | '\u{2011}' => out.push('-'),
            '\u{00A0}' | '\u{202F}' | '\u{2009}' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// No SMS from this hour (Europe/Paris)...
pub const QUIET_FROM_HOUR: u32 = 20;
/// ...until this one, the next morning.
pub const QUIET_UNTIL_HOUR: u32 = 8;

/// Whether `instant` falls in the quiet hours: from 20:00 (included) to 08:00 (excluded), Paris.
pub fn is_quiet_hour(instant: DateTime<Utc>) -> bool {
    let hour = instant.with_timezone(&Paris).hour();
    !(QUIET_UNTIL_HOUR..QUIET_FROM_HOUR).contains(&hour)
}

/// When an SMS due at `due` may go: at once outside the quiet hours, else at the next 08:00
/// in Paris (the same morning after midnight, the next morning from 20:00), whatever the
/// daylight-saving change of the night.
pub fn sms_send_at(due: DateTime<Utc>) -> DateTime<Utc> {
    if !is_quiet_hour(due) {
        return due;
    }
    let local = due.with_timezone(&Paris);
    let day = if local.hour() >= QUIET_FROM_HOUR { local.date_naive() + Duration::days(1) } else { local.date_naive() };
    let morning = day.and_time(NaiveTime::MIN) + Duration::hours(i64::from(QUIET_UNTIL_HOUR));
    // 08:00 is never skipped nor repeated in Paris (the changes are at 02:00 and 03:00); were
    // it ever, the earliest reading, or one hour later, is still a morning.
    Paris
        .from_local_datetime(&morning)
        .earliest()
        .or_else(|| Paris.from_local_datetime(&(morning + Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(due)
}

/// Mobile prefixes, in E.164, that may receive SMS: metropolitan France (06, 07) and the
/// overseas regions of [`crate::REGIONS`] (Guadeloupe and the northern islands 0690/0691,
/// Guyane 0694, Martinique 0696/0697, La Réunion 0692/0693, Mayotte 0639), with the length of
/// the whole number.
const MOBILE_PREFIXES: [(&str, usize); 10] = [
    ("+336", 12),
    ("+337", 12),
    ("+590690", 13),
    ("+590691", 13),
    ("+594694", 13),
    ("+596696", 13),
    ("+596697", 13),
    ("+262692", 13),
    ("+262693", 13),
    ("+262639", 13),
];

/// Whether a normalised phone is a French mobile (the only numbers SMS opt-in accepts).
pub fn is_french_mobile(phone: &Phone) -> bool {
    let number = phone.as_str();
    MOBILE_PREFIXES.iter().any(|(prefix, len)| number.starts_with(prefix) && number.len() == *len)
}

/// A French mobile number, E.164 (`+33612345678`): what SMS opt-in requires.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FrenchMobile(Phone);

impl FrenchMobile {
    pub fn parse(raw: &str) -> Result<FrenchMobile, Invalid> {
        let phone = Phone::parse(raw)?;
        FrenchMobile::from_phone(phone)
    }

    pub fn from_phone(phone: Phone) -> Result<FrenchMobile, Invalid> {
        if is_french_mobile(&phone) {
            Ok(FrenchMobile(phone))
        } else {
            Err(Invalid::new(
                "invalid_mobile_phone",
                "SMS can only be sent to a French mobile number, such as 06 12 34 56 78 or 07 12 34 56 78",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn phone(&self) -> &Phone {
        &self.0
    }
}

/// Country codes whose 9 national digits are written `0X XX XX XX XX` in France: metropolitan
/// France and the overseas regions.
const FRENCH_COUNTRY_CODES: [&str; 5] = ["+33", "+262", "+590", "+594", "+596"];

/// A number as French people write it: `06 11 22 33 44`, `01 23 45 67 89`; a foreign number
/// stays in its international form.
pub fn french_display(phone: &Phone) -> String {
    let number = phone.as_str();
    for code in FRENCH_COUNTRY_CODES {
        if let Some(national) = number.strip_prefix(code) {
            if national.len() == 9 && national.chars().all(|c| c.is_ascii_digit()) {
                let digits = format!("0{national}");
                let pairs: Vec<&str> = (0..5).map(|i| &digits[2 * i..2 * i + 2]).collect();
                return pairs.join(" ");
            }
        }
    }
    number.to_owned()
}

/// The day and time an SMS may say: `mardi 14/10 à 9h30` (Paris). Digits for the month: no
/// month name leaves GSM-7 (`août` would, `û`), and a locked screen shows no more than this.
pub fn sms_day_time(instant: DateTime<Utc>) -> String {
    use chrono::Datelike;
    const DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
    let local = instant.with_timezone(&Paris);
    let day = DAYS.get(local.weekday().num_days_from_monday() as usize).copied().unwrap_or("");
    format!("{day} {:02}/{:02} à {}h{:02}", local.day(), local.month(), local.hour(), local.minute())
}

/// The channel as an SMS says it (no place: "en agence" names none).
pub fn sms_channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Video => "en visio",
        Channel::Phone => "par téléphone",
        Channel::Chat => "par messagerie",
        Channel::InPerson => "en agence",
    }
}

/// Who dials, for a phone interview: the advisor calls, or the seeker calls the agency's number.
fn who_calls(caller: PhoneCaller, agency: Option<&Phone>) -> String {
    match (caller, agency) {
        (PhoneCaller::Advisor, _) => " Votre conseiller vous appellera.".to_owned(),
        (PhoneCaller::Seeker, Some(number)) => format!(" Appelez l'agence au {}.", french_display(number)),
        (PhoneCaller::Seeker, None) => " Appelez l'agence.".to_owned(),
    }
}

/// The day-before reminder: the day, the time, the channel and who calls; nothing else (a
/// locked phone shows it).
pub fn day_before_reminder_text(
    start: DateTime<Utc>,
    channel: Channel,
    caller: PhoneCaller,
    agency: Option<&Phone>,
) -> String {
    let calls = if channel == Channel::Phone { who_calls(caller, agency) } else { String::new() };
    sms_text(&format!(
        "Rappel : entretien le {} {}.{calls} Détails dans l'application.",
        sms_day_time(start),
        sms_channel(channel)
    ))
}

/// A convocation's notice: it exists, when, how; the email and the app say the rest.
pub fn convocation_notice_text(start: DateTime<Utc>, channel: Channel) -> String {
    sms_text(&format!(
        "Convocation : entretien obligatoire le {} {}. Détails dans votre e-mail et dans l'application.",
        sms_day_time(start),
        sms_channel(channel)
    ))
}

/// The notice of a call the seeker did not answer; the only number is the agency's.
pub fn missed_call_text(agency: Option<&Phone>) -> String {
    sms_text(&match agency {
        Some(number) => format!(
            "Votre conseiller a essayé de vous joindre. Rappelez l'agence au {} ou écrivez-lui dans l'application.",
            french_display(number)
        ),
        None => "Votre conseiller a essayé de vous joindre. Écrivez-lui dans l'application.".to_owned(),
    })
}

#[cfg(test)]
mod text_tests {
    use super::*;

    fn paris(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Paris.with_ymd_and_hms(y, m, d, h, min, 0).earliest().expect("a Paris time").with_timezone(&Utc)
    }

    #[test]
    fn every_product_text_is_one_gsm7_segment() {
        let agency = Phone::parse("+33123456789").expect("a number");
        // The longest day name and a two-digit hour, in August (no month name is written).
        let start = paris(2027, 8, 18, 14, 30);
        let mut texts = vec![missed_call_text(Some(&agency)), missed_call_text(None)];
        for channel in [Channel::Video, Channel::Phone, Channel::Chat, Channel::InPerson] {
            texts.push(convocation_notice_text(start, channel));
            for caller in [PhoneCaller::Advisor, PhoneCaller::Seeker] {
                texts.push(day_before_reminder_text(start, channel, caller, Some(&agency)));
            }
        }
        for text in texts {
            let length = sms_length(&text);
            assert_eq!(length.encoding, SmsEncoding::Gsm7, "{text}");
            assert_eq!(length.segments, 1, "{text} ({} septets)", length.units);
        }
    }

    #[test]
    fn texts_say_the_day_time_channel_and_who_calls_in_the_national_form() {
        let agency = Phone::parse("+33123456789").expect("a number");
        let start = paris(2027, 3, 30, 9, 5);
        assert_eq!(
            day_before_reminder_text(start, Channel::Phone, PhoneCaller::Advisor, Some(&agency)),
            "Rappel : entretien le mardi 30/03 à 9h05 par téléphone. Votre conseiller vous appellera. Détails dans l'application."
        );
        assert_eq!(
            day_before_reminder_text(start, Channel::Phone, PhoneCaller::Seeker, Some(&agency)),
            "Rappel : entretien le mardi 30/03 à 9h05 par téléphone. Appelez l'agence au 01 23 45 67 89. Détails dans l'application."
        );
        assert!(
            !day_before_reminder_text(start, Channel::Video, PhoneCaller::Seeker, Some(&agency)).contains("Appelez")
        );
        assert!(missed_call_text(Some(&agency)).contains("au 01 23 45 67 89"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Paris.with_ymd_and_hms(y, m, d, h, min, s).earliest().expect("a Paris time").with_timezone(&Utc)
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn the_gsm7_tables_have_the_standards_sizes() {
        // 128 positions less the escape code; 9 extension characters plus form feed.
        assert_eq!(GSM7_BASIC.chars().count(), 127);
        assert_eq!(GSM7_EXTENSION.chars().count(), 10);
        assert!(GSM7_BASIC.chars().all(|c| !GSM7_EXTENSION.contains(c)));
    }

    #[test]
    fn french_letters_in_and_out_of_gsm7() {
        for inside in ['à', 'é', 'è', 'ù', 'ì', 'ò', 'É', 'Ç', 'ü', 'Ü'] {
            assert!(is_gsm7(&inside.to_string()), "{inside} is in GSM-7");
        }
        for outside in FRENCH_OUTSIDE_GSM7.chars() {
            assert!(!is_gsm7(&outside.to_string()), "{outside} is not in GSM-7");
        }
        // Lowercase ç is not (only Ç is): "reçu" goes UCS-2.
        assert_eq!(sms_length("Rendez-vous reçu").encoding, SmsEncoding::Ucs2);
        assert_eq!(sms_length("Votre conseiller a essayé de vous joindre.").encoding, SmsEncoding::Gsm7);
    }

    #[test]
    fn gsm7_texts_take_160_then_153_a_segment() {
        assert_eq!(sms_length(""), SmsLength { encoding: SmsEncoding::Gsm7, units: 0, segments: 0 });
        assert_eq!(sms_length(&"a".repeat(160)).segments, 1);
        assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
        assert!(fits_one_segment(&"é".repeat(160)));
        assert!(!fits_one_segment(&"é".repeat(161)));
    }

    #[test]
    fn extension_characters_cost_two_and_are_never_split() {
        assert_eq!(sms_length("5 €").units, 4);
        assert_eq!(sms_length("5 €").encoding, SmsEncoding::Gsm7);
        // 80 euro signs are 160 septets: one SMS; 81 are two.
        assert_eq!(sms_length(&"€".repeat(80)).segments, 1);
        assert_eq!(sms_length(&"€".repeat(81)).segments, 2);
        // 152 septets then a €: the pair does not fit the 153rd septet and opens a segment.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(10));
        assert_eq!(sms_length(&text), SmsLength { encoding: SmsEncoding::Gsm7, units: 164, segments: 2 });
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(sms_length(&text).segments, 3);
    }

    #[test]
    fn one_letter_outside_gsm7_makes_it_ucs2_70_then_67() {
        let with_circumflex = |n: usize| format!("ê{}", "a".repeat(n - 1));
        assert_eq!(sms_length(&with_circumflex(70)), SmsLength { encoding: SmsEncoding::Ucs2, units: 70, segments: 1 });
        assert_eq!(sms_length(&with_circumflex(71)).segments, 2);
        assert_eq!(sms_length(&with_circumflex(134)).segments, 2);
        assert_eq!(sms_length(&with_circumflex(135)).segments, 3);
        assert!(fits_one_segment("À bientôt"));
        assert!(!fits_one_segment(&format!("À bientôt {}", "a".repeat(61))));
        // An emoji is two UTF-16 units, never split.
        assert_eq!(sms_length("🙂").units, 2);
        let text = format!("{}🙂", "a".repeat(66));
        assert_eq!(sms_length(&text), SmsLength { encoding: SmsEncoding::Ucs2, units: 68, segments: 1 });
        let text = format!("{}🙂{}", "a".repeat(66), "a".repeat(10));
        assert_eq!(sms_length(&text).segments, 2);
    }

    #[test]
    fn typographic_punctuation_becomes_gsm7_and_letters_are_kept() {
        let typed = "Votre conseiller vous rappellera\u{202F}: «\u{00A0}l’entretien\u{00A0}» — merci…";
        let sent = sms_text(typed);
        assert_eq!(sent, "Votre conseiller vous rappellera : \" l'entretien \" - merci...");
        assert_eq!(sms_length(&sent).encoding, SmsEncoding::Gsm7);
        assert_eq!(sms_length(typed).encoding, SmsEncoding::Ucs2);
        assert!(fits_one_segment(typed));
        // Letters outside GSM-7 are not rewritten.
        assert_eq!(sms_text("À bientôt, reçu"), "À bientôt, reçu");
    }

    #[test]
    fn daytime_sms_go_at_once_and_the_quiet_hours_wait_for_8_am_paris() {
        let noon = paris(2026, 12, 3, 12, 0, 0);
        assert_eq!(sms_send_at(noon), noon);
        let just_before_eight_pm = paris(2026, 12, 3, 19, 59, 59);
        assert_eq!(sms_send_at(just_before_eight_pm), just_before_eight_pm);
        // 20:00 sharp is quiet: next morning 08:00 (winter, UTC+1).
        assert_eq!(sms_send_at(paris(2026, 12, 3, 20, 0, 0)), utc(2026, 12, 4, 7, 0));
        // 08:00 sharp may go.
        let eight = paris(2026, 12, 4, 8, 0, 0);
        assert_eq!(sms_send_at(eight), eight);
        assert!(!is_quiet_hour(eight));
        assert!(is_quiet_hour(eight - Duration::seconds(1)));
    }

    #[test]
    fn around_midnight_the_same_morning_is_kept() {
        assert_eq!(sms_send_at(paris(2026, 12, 3, 23, 59, 59)), utc(2026, 12, 4, 7, 0));
        assert_eq!(sms_send_at(paris(2026, 12, 4, 0, 0, 0)), utc(2026, 12, 4, 7, 0));
        assert_eq!(sms_send_at(paris(2026, 12, 4, 7, 59, 59)), utc(2026, 12, 4, 7, 0));
        // Summer (UTC+2): 22:30 UTC is 00:30 in Paris, the next day already.
        assert_eq!(sms_send_at(utc(2026, 7, 3, 22, 30)), utc(2026, 7, 4, 6, 0));
        // New Year's Eve rolls to the next year.
        assert_eq!(sms_send_at(paris(2026, 12, 31, 21, 0, 0)), utc(2027, 1, 1, 7, 0));
    }

    #[test]
    fn quiet_hours_hold_across_the_march_changes() {
        // Last Sunday of March 2026 is the 29th: 02:00 becomes 03:00, 08:00 is UTC+2.
        assert_eq!(sms_send_at(paris(2026, 3, 28, 21, 0, 0)), utc(2026, 3, 29, 6, 0));
        assert_eq!(sms_send_at(utc(2026, 3, 29, 0, 59)), utc(2026, 3, 29, 6, 0)); // 01:59 CET
        assert_eq!(sms_send_at(utc(2026, 3, 29, 1, 0)), utc(2026, 3, 29, 6, 0)); // 03:00 CEST
        assert_eq!(sms_send_at(utc(2026, 3, 29, 5, 59)), utc(2026, 3, 29, 6, 0));
        let eight = utc(2026, 3, 29, 6, 0);
        assert_eq!(sms_send_at(eight), eight);
        // The evening before the change is still winter: 19:30 CET may go, 20:00 CET may not.
        assert_eq!(sms_send_at(utc(2026, 3, 28, 18, 30)), utc(2026, 3, 28, 18, 30));
        assert_eq!(sms_send_at(utc(2026, 3, 28, 19, 0)), utc(2026, 3, 29, 6, 0));
        // 2027: Sunday 28 March.
        assert_eq!(sms_send_at(paris(2027, 3, 27, 22, 15, 0)), utc(2027, 3, 28, 6, 0));
        assert_eq!(sms_send_at(utc(2027, 3, 28, 19, 0)), utc(2027, 3, 29, 6, 0));
        // 21:00 CEST
    }

    #[test]
    fn quiet_hours_hold_across_the_october_changes() {
        // Last Sunday of October 2026 is the 25th: 03:00 becomes 02:00, 08:00 is UTC+1.
        assert_eq!(sms_send_at(paris(2026, 10, 24, 20, 0, 0)), utc(2026, 10, 25, 7, 0));
        // 02:30 happens twice that night; both readings wait for the same 08:00.
        assert_eq!(sms_send_at(utc(2026, 10, 25, 0, 30)), utc(2026, 10, 25, 7, 0)); // 02:30 CEST
        assert_eq!(sms_send_at(utc(2026, 10, 25, 1, 30)), utc(2026, 10, 25, 7, 0)); // 02:30 CET
        assert_eq!(sms_send_at(utc(2026, 10, 25, 6, 59)), utc(2026, 10, 25, 7, 0)); // 07:59 CET
        let eight = utc(2026, 10, 25, 7, 0);
        assert_eq!(sms_send_at(eight), eight);
        // The evening of the change is winter: 19:00 UTC is 20:00 CET, quiet.
        assert_eq!(sms_send_at(utc(2026, 10, 25, 18, 59)), utc(2026, 10, 25, 18, 59));
        assert_eq!(sms_send_at(utc(2026, 10, 25, 19, 0)), utc(2026, 10, 26, 7, 0));
        // The evening before is summer: 18:00 UTC is already 20:00 CEST.
        assert_eq!(sms_send_at(utc(2026, 10, 24, 17, 59)), utc(2026, 10, 24, 17, 59));
        assert_eq!(sms_send_at(utc(2026, 10, 24, 18, 0)), utc(2026, 10, 25, 7, 0));
        // 2027: Sunday 31 October.
        assert_eq!(sms_send_at(paris(2027, 10, 30, 23, 0, 0)), utc(2027, 10, 31, 7, 0));
        assert_eq!(sms_send_at(utc(2027, 10, 31, 1, 30)), utc(2027, 10, 31, 7, 0));
    }

    #[test]
    fn only_french_mobiles_may_opt_in_to_sms() {
        for mobile in
            ["06 11 22 33 44", "07 55 66 77 88", "+33 6 11 22 33 44", "+262 692 12 34 56", "+590 690 12 34 56"]
        {
            assert!(FrenchMobile::parse(mobile).is_ok(), "{mobile} is a French mobile");
        }
        assert_eq!(FrenchMobile::parse("06.11.22.33.44").unwrap().as_str(), "+33611223344");
        for other in ["01 23 45 67 89", "09 70 00 00 00", "+33 8 00 00 00 00", "+32 470 12 34 56", "+3361122334"] {
            let refused = FrenchMobile::parse(other).expect_err(other);
            assert_eq!(refused.code, "invalid_mobile_phone", "{other}");
        }
        // What Phone refuses stays refused for its own reason.
        assert_eq!(FrenchMobile::parse("06 11 22 33 4x").unwrap_err().code, "invalid_phone");
    }

    #[test]
    fn numbers_are_shown_in_the_french_national_form() {
        let shown = |raw: &str| french_display(&Phone::parse(raw).unwrap());
        assert_eq!(shown("+33611223344"), "06 11 22 33 44");
        assert_eq!(shown("+33 1 23 45 67 89"), "01 23 45 67 89");
        assert_eq!(shown("07 55 66 77 88"), "07 55 66 77 88");
        assert_eq!(shown("+262692123456"), "06 92 12 34 56");
        // A foreign number keeps its international form.
        assert_eq!(shown("+32470123456"), "+32470123456");
        assert_eq!(shown("+4915112345678"), "+4915112345678");
    }
}
