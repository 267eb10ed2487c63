//! iCalendar (RFC 5545) invitations attached to interview emails: Europe/Paris
//! wall-clock times with their VTIMEZONE, a stable UID per interview and a
//! SEQUENCE that grows with each change, so calendar clients update (or, with
//! `METHOD:CANCEL`, remove) the same event.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;

/// What the invitation asks of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarMethod {
    Request,
    Cancel,
}

#[derive(Debug, Clone)]
pub struct CalendarEvent<'a> {
    /// Stable for the interview's whole life.
    pub uid: &'a str,
    pub sequence: u32,
    pub method: CalendarMethod,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
    pub location: Option<&'a str>,
    pub organizer_email: &'a str,
    pub attendee_email: &'a str,
}

const PARIS_VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// TEXT value escaping (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let size = c.len_utf8();
        if width + size > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += size;
    }
    out.push_str("\r\n");
    out
}

fn paris_local(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&Paris).format("%Y%m%dT%H%M%S").to_string()
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The `.ics` text of `event`.
pub fn ics(event: &CalendarEvent<'_>) -> String {
    let (method, status) = match event.method {
        CalendarMethod::Request => ("REQUEST", "CONFIRMED"),
        CalendarMethod::Cancel => ("CANCEL", "CANCELLED"),
    };
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Suivi 100 % web//Entretiens//FR".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("METHOD:{method}"),
    ] {
        out.push_str(&fold(&line));
    }
    out.push_str(PARIS_VTIMEZONE);
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(event.uid)),
        format!("SEQUENCE:{}", event.sequence),
        format!("DTSTAMP:{}", utc(event.stamp)),
        format!("DTSTART;TZID=Europe/Paris:{}", paris_local(event.start)),
        format!("DTEND;TZID=Europe/Paris:{}", paris_local(event.end)),
        format!("SUMMARY:{}", escape(event.summary)),
        format!("DESCRIPTION:{}", escape(event.description)),
        format!("STATUS:{status}"),
        format!("ORGANIZER;CN=Suivi 100 % web:mailto:{}", event.organizer_email),
        format!("ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{}", event.attendee_email),
    ];
    if let Some(location) = event.location {
        lines.push(format!("LOCATION:{}", escape(location)));
    }
    lines.push("END:VEVENT".to_owned());
    lines.push("END:VCALENDAR".to_owned());
    for line in lines {
        out.push_str(&fold(&line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use icalendar::{Calendar, CalendarComponent, Component};

    fn event(start: DateTime<Utc>, method: CalendarMethod) -> String {
        ics(&CalendarEvent {
            uid: "01ABC@suivi-emploi",
            sequence: 2,
            method,
            start,
            end: start + chrono::Duration::minutes(30),
            stamp: start,
            summary: "Entretien, obligatoire; avec votre conseiller",
            description: "Ligne 1\nLigne 2 avec une très longue phrase qui dépasse largement les soixante-quinze octets autorisés",
            location: Some("12 rue de la Paix, 75002 Paris"),
            organizer_email: "ne-pas-repondre@example.fr",
            attendee_email: "zoe@example.fr",
        })
    }

    #[test]
    fn parses_back_with_paris_wall_clock_times() {
        // Summer and winter: 09:30 in Paris either way.
        for start in [
            Utc.with_ymd_and_hms(2027, 3, 29, 7, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 10, 26, 8, 30, 0).unwrap(),
        ] {
            let text = event(start, CalendarMethod::Request);
            assert!(text.lines().all(|l| l.len() <= 76), "folded");
            let calendar: Calendar = text.parse().unwrap();
            let vevent = calendar
                .components
                .iter()
                .find_map(|c| match c {
                    CalendarComponent::Event(e) => Some(e),
                    _ => None,
                })
                .unwrap();
            let dtstart = vevent.properties().get("DTSTART").unwrap();
            assert_eq!(dtstart.params().get("TZID").unwrap().value(), "Europe/Paris");
            assert!(dtstart.value().ends_with("T093000"));
            assert_eq!(vevent.get_summary(), Some("Entretien, obligatoire; avec votre conseiller"));
            assert_eq!(vevent.properties().get("SEQUENCE").unwrap().value(), "2");
            assert!(vevent.get_description().unwrap().contains("soixante-quinze octets"));
        }
    }

    #[test]
    fn cancellation_keeps_the_uid() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let text = event(start, CalendarMethod::Cancel);
        assert!(text.contains("METHOD:CANCEL\r\n"));
        assert!(text.contains("STATUS:CANCELLED\r\n"));
        assert!(text.contains("UID:01ABC@suivi-emploi\r\n"));
        assert!(text.contains("TZID:Europe/Paris\r\n"));
    }
}
