//! The video meeting's rules that need no storage nor Chime: when an interview's meeting may be
//! joined, who may join or end it, how a participant is named to Chime and recognised in its
//! events, who is in a meeting by its attendance events, and what the scheduled job does with
//! each meeting's end marker. Interviews run over: a meeting stays open past the scheduled end
//! while someone is in it, up to the overrun limit.

use chrono::{DateTime, Duration, Utc};

use crate::interview::InterviewStatus;
use crate::Channel;

/// How long after its scheduled end (extensions included) an interview's meeting may run over
/// by default: joining is allowed until then, and the scheduled job ends it then at the latest.
pub const DEFAULT_OVERRUN_LIMIT_MINUTES: i64 = 30;

/// The join window of every interview: from `opens_before` the start to `closes_after` the end
/// (the overrun limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinWindow {
    pub opens_before: Duration,
    pub closes_after: Duration,
}

/// Where an instant stands against an interview's join window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    TooEarly,
    Open,
    Over,
}

impl JoinWindow {
    /// Both bounds included: the window is open at the very minute it opens and at the very end.
    pub fn at(&self, start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> Window {
        if now < start - self.opens_before {
            Window::TooEarly
        } else if now > self.closes_at(end) {
            Window::Over
        } else {
            Window::Open
        }
    }

    /// The hard limit of the meeting of an interview ending at `end`: nobody joins after it,
    /// and the scheduled job ends the meeting then even with people in it.
    pub fn closes_at(&self, end: DateTime<Utc>) -> DateTime<Utc> {
        end + self.closes_after
    }
}

/// Why an interview's meeting cannot be joined now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRefused {
    NotBooked,
    /// Its channel was switched away from video.
    NotVideo,
    TooEarly,
    Over,
}

/// The interview as far as joining its meeting is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Joinable {
    pub status: InterviewStatus,
    pub channel: Channel,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A booked video interview, within its join window.
pub fn check_join(window: &JoinWindow, interview: Joinable, now: DateTime<Utc>) -> Result<(), JoinRefused> {
    if interview.status != InterviewStatus::Booked {
        return Err(JoinRefused::NotBooked);
    }
    if interview.channel != Channel::Video {
        return Err(JoinRefused::NotVideo);
    }
    match window.at(interview.start, interview.end, now) {
        Window::TooEarly => Err(JoinRefused::TooEarly),
        Window::Over => Err(JoinRefused::Over),
        Window::Open => Ok(()),
    }
}

/// Someone's part in an interview: only its seeker and its advisor have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Seeker(String),
    Advisor(String),
}

impl Part {
    pub fn id(&self) -> &str {
        match self {
            Part::Seeker(id) | Part::Advisor(id) => id,
        }
    }

    pub fn role(&self) -> &'static str {
        match self {
            Part::Seeker(_) => "seeker",
            Part::Advisor(_) => "advisor",
        }
    }

    /// Only the advisor ends the meeting for everyone.
    pub fn may_end(&self) -> bool {
        matches!(self, Part::Advisor(_))
    }

    /// The Chime `ExternalUserId`: the role and the participant id (opaque ids, no personal data).
    pub fn external_user_id(&self) -> String {
        format!("{}-{}", self.role(), self.id())
    }

    /// The part an `ExternalUserId` names in the interview of `seeker_id` and `advisor_id`;
    /// `None` for anyone else (or a malformed id).
    pub fn from_external_user_id(external_user_id: &str, seeker_id: &str, advisor_id: &str) -> Option<Part> {
        // The seeker's phone leg of a dial-in is the seeker too.
        let external_user_id = external_user_id.strip_suffix(PHONE_LEG_SUFFIX).unwrap_or(external_user_id);
        match external_user_id.split_once('-')? {
            ("seeker", id) if id == seeker_id => Some(Part::Seeker(id.to_owned())),
            ("advisor", id) if id == advisor_id => Some(Part::Advisor(id.to_owned())),
            _ => None,
        }
    }
}

/// Ends the `ExternalUserId` of a seeker's phone leg dialled into a meeting (`seeker-<id>-phone`).
pub const PHONE_LEG_SUFFIX: &str = "-phone";

/// Whether an attendee is a phone leg (the attendance proof says so).
pub fn is_phone_leg(external_user_id: &str) -> bool {
    external_user_id.ends_with(PHONE_LEG_SUFFIX)
}

/// The part of a caller in an interview: a seeker joins their own interviews, an advisor theirs.
pub fn part_of(caller: &Part, seeker_id: &str, advisor_id: &str) -> Option<Part> {
    match caller {
        Part::Seeker(id) if id == seeker_id => Some(caller.clone()),
        Part::Advisor(id) if id == advisor_id => Some(caller.clone()),
        _ => None,
    }
}

/// What one attendance event says of an attendee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Joined,
    /// Left or dropped.
    Gone,
    /// Chime ended the meeting: nobody is in it any more.
    MeetingEnded,
}

impl Presence {
    /// The attendance record's `type` (as `meetings::attendance` writes it).
    pub fn parse(kind: &str) -> Option<Presence> {
        match kind {
            "joined" => Some(Presence::Joined),
            "left" | "dropped" => Some(Presence::Gone),
            "meeting_ended" => Some(Presence::MeetingEnded),
            _ => None,
        }
    }
}

/// One attendance event of a meeting: who (`attendee`, none for the meeting's own events),
/// what, and when Chime says it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceEvent {
    pub attendee: Option<String>,
    pub presence: Presence,
    pub at: DateTime<Utc>,
}

/// Whether anyone is in the meeting after `events` (delivered in any order, some twice): an
/// attendee is in it when their latest event is a join; an end of the meeting empties it. On
/// equal instants a departure counts as later than a join (an attendee who comes back makes a
/// new, later join).
pub fn occupied(events: &[AttendanceEvent]) -> bool {
    let rank = |e: &AttendanceEvent| (e.at, e.presence != Presence::Joined);
    let ended = events.iter().filter(|e| e.presence == Presence::MeetingEnded).map(|e| e.at).max();
    let mut latest: std::collections::BTreeMap<&str, &AttendanceEvent> = std::collections::BTreeMap::new();
    for event in events {
        let Some(attendee) = event.attendee.as_deref() else { continue };
        match latest.get(attendee) {
            Some(seen) if rank(seen) >= rank(event) => {}
            _ => {
                latest.insert(attendee, event);
            }
        }
    }
    latest.values().any(|e| e.presence == Presence::Joined && ended.is_none_or(|end| e.at > end))
}

/// How long a participant who was just given an attendee (a join through the API) counts as in
/// the meeting before Chime says their media joined: a sweep in between does not end the
/// meeting under them.
pub const CONNECTING_GRACE_SECONDS: i64 = 120;

/// A participant given an attendee at `joined_at` (the latest join through the API) is still
/// connecting at `now` when no attendance event of theirs came since, within the grace.
pub fn connecting(joined_at: DateTime<Utc>, attendee: &str, events: &[AttendanceEvent], now: DateTime<Utc>) -> bool {
    now < joined_at + Duration::seconds(CONNECTING_GRACE_SECONDS)
        && !events.iter().any(|e| e.attendee.as_deref() == Some(attendee) && e.at >= joined_at)
}

/// When an interview's meeting may be ended: its window closes at the scheduled end
/// (extensions included); it may run over while someone is in it, until the hard limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingClose {
    pub scheduled_end: DateTime<Utc>,
    pub hard_limit: DateTime<Utc>,
}

/// What the scheduled job does with a meeting's end marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// The interview names another meeting now: its replacement carries its own marker.
    Leave,
    /// The interview has no meeting any more: the marker's meeting and the marker go.
    Clean,
    /// The interview was moved or extended later: the marker follows it to its new end.
    Move,
    /// The interview runs over with someone in the meeting: looked at again next run.
    Keep,
    /// The interview is over and its meeting empty, or the hard limit passed: its meeting ends.
    End,
}

/// The marker names `marker_meeting`; the interview names `current_meeting` and closes as
/// `close` says; `occupied` tells whether someone is in the meeting now.
pub fn sweep(
    marker_meeting: &str,
    current_meeting: Option<&str>,
    close: MeetingClose,
    occupied: bool,
    now: DateTime<Utc>,
) -> Sweep {
    match current_meeting {
        None => Sweep::Clean,
        Some(current) if current != marker_meeting => Sweep::Leave,
        Some(_) if close.scheduled_end > now => Sweep::Move,
        Some(_) if occupied && now < close.hard_limit => Sweep::Keep,
        Some(_) => Sweep::End,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).expect("an RFC 3339 instant").with_timezone(&Utc)
    }

    const WINDOW: JoinWindow = JoinWindow { opens_before: Duration::minutes(15), closes_after: Duration::zero() };

    fn interview(status: InterviewStatus, channel: Channel) -> Joinable {
        Joinable { status, channel, start: at("2026-12-03T08:30:00Z"), end: at("2026-12-03T09:00:00Z") }
    }

    #[test]
    fn the_window_opens_15_minutes_early_and_closes_at_the_end_both_included() {
        let (start, end) = (at("2026-12-03T08:30:00Z"), at("2026-12-03T09:00:00Z"));
        assert_eq!(WINDOW.at(start, end, at("2026-12-03T08:14:59Z")), Window::TooEarly);
        assert_eq!(WINDOW.at(start, end, at("2026-12-03T08:15:00Z")), Window::Open);
        assert_eq!(WINDOW.at(start, end, at("2026-12-03T09:00:00Z")), Window::Open);
        assert_eq!(WINDOW.at(start, end, at("2026-12-03T09:00:01Z")), Window::Over);
        let late = JoinWindow { closes_after: Duration::minutes(10), ..WINDOW };
        assert_eq!(late.closes_at(end), at("2026-12-03T09:10:00Z"));
        assert_eq!(late.at(start, end, at("2026-12-03T09:05:00Z")), Window::Open);
    }

    #[test]
    fn only_a_booked_video_interview_in_its_window_is_joinable() {
        let open = at("2026-12-03T08:20:00Z");
        assert_eq!(check_join(&WINDOW, interview(InterviewStatus::Booked, Channel::Video), open), Ok(()));
        let cancelled = interview(InterviewStatus::Cancelled, Channel::Video);
        assert_eq!(check_join(&WINDOW, cancelled, open), Err(JoinRefused::NotBooked));
        let phone = interview(InterviewStatus::Booked, Channel::Phone);
        assert_eq!(check_join(&WINDOW, phone, open), Err(JoinRefused::NotVideo));
        let video = interview(InterviewStatus::Booked, Channel::Video);
        assert_eq!(check_join(&WINDOW, video, at("2026-12-03T08:00:00Z")), Err(JoinRefused::TooEarly));
        assert_eq!(check_join(&WINDOW, video, at("2026-12-03T09:30:00Z")), Err(JoinRefused::Over));
    }

    #[test]
    fn only_the_interviews_seeker_and_advisor_take_part_and_only_the_advisor_ends() {
        let seeker = Part::Seeker("S1".into());
        let advisor = Part::Advisor("A1".into());
        assert_eq!(part_of(&seeker, "S1", "A1"), Some(seeker.clone()));
        assert_eq!(part_of(&advisor, "S1", "A1"), Some(advisor.clone()));
        assert_eq!(part_of(&Part::Seeker("S2".into()), "S1", "A1"), None);
        assert_eq!(part_of(&Part::Advisor("S1".into()), "S1", "A1"), None);
        assert!(advisor.may_end() && !seeker.may_end());
    }

    #[test]
    fn external_user_ids_name_the_role_and_id_only_and_read_back() {
        assert_eq!(Part::Seeker("S1".into()).external_user_id(), "seeker-S1");
        assert_eq!(Part::Advisor("A1".into()).external_user_id(), "advisor-A1");
        assert_eq!(Part::from_external_user_id("seeker-S1", "S1", "A1"), Some(Part::Seeker("S1".into())));
        assert_eq!(Part::from_external_user_id("advisor-A1", "S1", "A1"), Some(Part::Advisor("A1".into())));
        assert_eq!(Part::from_external_user_id("seeker-A1", "S1", "A1"), None);
        assert_eq!(Part::from_external_user_id("S1", "S1", "A1"), None);
    }

    #[test]
    fn the_sweep_ends_only_the_meeting_the_interview_still_names_once_it_closed_empty_or_at_the_limit() {
        let close = MeetingClose { scheduled_end: at("2026-12-03T09:00:00Z"), hard_limit: at("2026-12-03T09:30:00Z") };
        let (before, after, limit) =
            (at("2026-12-03T08:59:00Z"), at("2026-12-03T09:00:00Z"), at("2026-12-03T09:30:00Z"));
        assert_eq!(sweep("M1", None, close, false, after), Sweep::Clean);
        assert_eq!(sweep("M1", Some("M2"), close, false, after), Sweep::Leave);
        assert_eq!(sweep("M1", Some("M1"), close, false, before), Sweep::Move);
        assert_eq!(sweep("M1", Some("M1"), close, true, before), Sweep::Move);
        assert_eq!(sweep("M1", Some("M1"), close, false, after), Sweep::End);
        assert_eq!(sweep("M1", Some("M1"), close, true, after), Sweep::Keep);
        assert_eq!(sweep("M1", Some("M1"), close, true, limit - Duration::seconds(1)), Sweep::Keep);
        assert_eq!(sweep("M1", Some("M1"), close, true, limit), Sweep::End);
    }

    fn event(attendee: Option<&str>, presence: Presence, raw: &str) -> AttendanceEvent {
        AttendanceEvent { attendee: attendee.map(str::to_owned), presence, at: at(raw) }
    }

    #[test]
    fn a_participant_just_given_an_attendee_is_connecting_until_an_event_or_the_grace() {
        let joined_at = at("2026-12-03T09:10:00Z");
        assert!(connecting(joined_at, "A", &[], at("2026-12-03T09:11:59Z")));
        assert!(!connecting(joined_at, "A", &[], at("2026-12-03T09:12:00Z")));
        let earlier = event(Some("A"), Presence::Gone, "2026-12-03T09:05:00Z");
        assert!(connecting(joined_at, "A", &[earlier], at("2026-12-03T09:11:00Z")), "an event before the join");
        let since = event(Some("A"), Presence::Joined, "2026-12-03T09:10:05Z");
        assert!(!connecting(joined_at, "A", &[since], at("2026-12-03T09:11:00Z")));
        let other = event(Some("B"), Presence::Joined, "2026-12-03T09:10:05Z");
        assert!(connecting(joined_at, "A", &[other], at("2026-12-03T09:11:00Z")));
    }

    #[test]
    fn an_attendee_is_in_the_meeting_when_their_latest_event_is_a_join_in_any_order() {
        assert!(!occupied(&[]));
        let joined = event(Some("A"), Presence::Joined, "2026-12-03T08:31:00Z");
        let left = event(Some("A"), Presence::Gone, "2026-12-03T08:50:00Z");
        assert!(occupied(std::slice::from_ref(&joined)));
        assert!(!occupied(&[left.clone(), joined.clone()]), "delivered out of order");
        assert!(!occupied(&[joined.clone(), left.clone(), joined.clone()]), "delivered twice");
        let back = event(Some("A"), Presence::Joined, "2026-12-03T08:55:00Z");
        assert!(occupied(&[joined.clone(), left.clone(), back.clone()]));
        let same_instant = event(Some("A"), Presence::Gone, "2026-12-03T08:31:00Z");
        assert!(!occupied(&[joined.clone(), same_instant]), "a departure at the same instant wins");
        let other = event(Some("B"), Presence::Joined, "2026-12-03T08:40:00Z");
        assert!(occupied(&[joined.clone(), left.clone(), other.clone()]), "someone else is still there");
        let ended = event(None, Presence::MeetingEnded, "2026-12-03T09:00:00Z");
        assert!(!occupied(&[joined, other, ended]), "an ended meeting is empty");
        assert_eq!(Presence::parse("dropped"), Some(Presence::Gone));
        assert_eq!(Presence::parse("meeting_ended"), Some(Presence::MeetingEnded));
        assert_eq!(Presence::parse("other"), None);
    }
}
