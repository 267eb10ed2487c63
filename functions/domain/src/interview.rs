//! The interview's rules that need no storage: its statuses, the agenda granules that keep an
//! advisor's interviews from overlapping, and when its reminders are due.

use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::{Deserialize, Serialize};

use crate::journal::ActorRole;
use crate::time::to_key;
use crate::Channel;

/// Agenda granule: interviews and slots start and end on these boundaries.
pub const GRANULE_MINUTES: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewStatus {
    Booked,
    Cancelled,
    Completed,
    NoShow,
    JustifiedAbsence,
}

impl InterviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InterviewStatus::Booked => "booked",
            InterviewStatus::Cancelled => "cancelled",
            InterviewStatus::Completed => "completed",
            InterviewStatus::NoShow => "no_show",
            InterviewStatus::JustifiedAbsence => "justified_absence",
        }
    }
}

/// Whether `instant` sits on a granule boundary.
pub fn on_granule(instant: DateTime<Utc>) -> bool {
    instant.duration_trunc(Duration::minutes(GRANULE_MINUTES)).ok() == Some(instant)
}

/// The keys of every granule in `[start, end)`.
pub fn granules(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<String> {
    let mut keys = Vec::new();
    let mut at = start;
    while at < end {
        keys.push(to_key(at));
        at += Duration::minutes(GRANULE_MINUTES);
    }
    keys
}

/// The two reminders of an interview (PRODUCT.md): the day before and an hour before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderKind {
    DayBefore,
    HourBefore,
}

impl ReminderKind {
    pub const ALL: [ReminderKind; 2] = [ReminderKind::DayBefore, ReminderKind::HourBefore];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::DayBefore => "day_before",
            ReminderKind::HourBefore => "hour_before",
        }
    }
    /// When the reminder of an interview starting at `start` is due. "The day before" is the
    /// same Paris wall-clock time on the previous calendar day (not 24 hours earlier, which
    /// is off by an hour across a daylight-saving change); "an hour before" is 60 minutes.
    pub fn due(self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            ReminderKind::DayBefore => {
                let local = start.with_timezone(&Paris).naive_local() - Duration::days(1);
                // A wall-clock time skipped by the spring change does not exist: fall back to 24 hours.
                Paris
                    .from_local_datetime(&local)
                    .earliest()
                    .map(|d| d.with_timezone(&Utc))
                    .unwrap_or(start - Duration::hours(24))
            }
            ReminderKind::HourBefore => start - Duration::hours(1),
        }
    }

    pub fn parse(raw: &str) -> Option<ReminderKind> {
        ReminderKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

// The status machine: what may happen to an interview, by whom and when. Every HTTP route and
// every email link asks these, so each rule is written once; a refusal carries the code and
// the message the API answers with.

/// How a refusal is answered (the boundary maps each to its status code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// 409: the interview's state forbids it now.
    Conflict,
    /// 403: this participant may not do it.
    Forbidden,
    /// 404: nothing the caller may see.
    NotFound,
    /// 422: well-formed but breaks a rule.
    Unprocessable,
}

/// Why a change to an interview is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub code: &'static str,
    pub message: &'static str,
}

impl Refusal {
    const fn new(kind: RefusalKind, code: &'static str, message: &'static str) -> Refusal {
        Refusal { kind, code, message }
    }
    pub const fn conflict(code: &'static str, message: &'static str) -> Refusal {
        Refusal::new(RefusalKind::Conflict, code, message)
    }
    pub const fn forbidden(code: &'static str, message: &'static str) -> Refusal {
        Refusal::new(RefusalKind::Forbidden, code, message)
    }
    pub const fn unprocessable(code: &'static str, message: &'static str) -> Refusal {
        Refusal::new(RefusalKind::Unprocessable, code, message)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Refusal {}

/// What the rules read of an interview (the stored record gives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterviewState {
    pub status: InterviewStatus,
    /// A convocation: the seeker can neither cancel nor move it.
    pub mandatory: bool,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub channel: Channel,
    pub acknowledged: bool,
}

/// How long after its end an interview's channel may still be corrected.
pub const CHANNEL_SWITCH_GRACE_MINUTES: i64 = 30;

/// The refusal a seeker meets on a convocation they try to cancel.
pub const MANDATORY_NOT_CANCELLABLE: &str = "mandatory_interview";

/// Whether `by` may cancel the interview at `now`: a booked interview that has not started;
/// a convocation only by the advisor.
pub fn check_cancel(interview: &InterviewState, by: ActorRole, now: DateTime<Utc>) -> Result<(), Refusal> {
    if interview.mandatory && by == ActorRole::Seeker {
        return Err(Refusal::forbidden(
            MANDATORY_NOT_CANCELLABLE,
            "a mandatory interview cannot be cancelled; tell your advisor if you cannot attend",
        ));
    }
    if interview.status != InterviewStatus::Booked {
        return Err(Refusal::conflict("not_booked", "only a booked interview can be cancelled"));
    }
    check_not_started(interview, now)
}

/// Whether `by` may move the interview at `now`: as for a cancellation.
pub fn check_reschedule(interview: &InterviewState, by: ActorRole, now: DateTime<Utc>) -> Result<(), Refusal> {
    if interview.mandatory && by == ActorRole::Seeker {
        return Err(Refusal::forbidden(
            "mandatory_interview",
            "a mandatory interview cannot be moved by the seeker; contact your advisor",
        ));
    }
    if interview.status != InterviewStatus::Booked {
        return Err(Refusal::conflict("not_booked", "only a booked interview can be rescheduled"));
    }
    check_not_started(interview, now)
}

fn check_not_started(interview: &InterviewState, now: DateTime<Utc>) -> Result<(), Refusal> {
    if interview.start <= now {
        return Err(Refusal::conflict("already_started", "the interview has already started"));
    }
    Ok(())
}

/// What acknowledging a convocation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledgement {
    /// Record it now.
    Record,
    /// Already acknowledged (a double click, the email link): the first time stands.
    AlreadyRecorded,
}

/// Whether `by` may acknowledge the interview at `now`: only the convoked seeker, only a
/// convocation still to be held (booked, not yet over). Each version of a convocation is
/// acknowledged on its own: a reschedule clears the acknowledgement of the previous one.
pub fn check_acknowledge(
    interview: &InterviewState,
    by: ActorRole,
    now: DateTime<Utc>,
) -> Result<Acknowledgement, Refusal> {
    if by != ActorRole::Seeker {
        return Err(Refusal::forbidden("forbidden", "only the convoked seeker acknowledges a convocation"));
    }
    if !interview.mandatory {
        return Err(Refusal::unprocessable("not_a_convocation", "only a convocation is acknowledged"));
    }
    if interview.status != InterviewStatus::Booked {
        return Err(Refusal::conflict("not_booked", "a cancelled or finished convocation cannot be acknowledged"));
    }
    if now > interview.end {
        return Err(Refusal::conflict(
            "interview_over",
            "the interview is over; its convocation cannot be acknowledged",
        ));
    }
    Ok(if interview.acknowledged { Acknowledgement::AlreadyRecorded } else { Acknowledgement::Record })
}

/// The longest extension of an interview at once.
pub const MAX_EXTENSION_MINUTES: u32 = 60;

/// Whether `by` may extend the interview by `minutes` at `now`: the advisor, on a booked
/// interview that has started and whose meeting is still open (`overrun_limit` after its
/// current end), by whole agenda granules. Whether the agenda is free after it is the
/// granules' business, as for every interview.
pub fn check_extend(
    interview: &InterviewState,
    by: ActorRole,
    minutes: u32,
    overrun_limit: Duration,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if by != ActorRole::Advisor {
        return Err(Refusal::forbidden("forbidden", "only the advisor extends an interview"));
    }
    if minutes == 0 || minutes > MAX_EXTENSION_MINUTES || i64::from(minutes) % GRANULE_MINUTES != 0 {
        return Err(Refusal::unprocessable("invalid_minutes", "minutes must be a multiple of 5 from 5 to 60"));
    }
    if interview.status != InterviewStatus::Booked {
        return Err(Refusal::conflict("not_booked", "only a booked interview can be extended"));
    }
    if now < interview.start {
        return Err(Refusal::conflict(
            "not_started",
            "an interview is extended once it has started; reschedule it instead",
        ));
    }
    if now > interview.end + overrun_limit {
        return Err(Refusal::conflict("interview_over", "the interview is over"));
    }
    Ok(())
}

/// Whether `by` may switch the interview to `to` at `now`: the advisor, during a booked remote
/// interview (or shortly after, to correct it), to another remote channel.
pub fn check_channel(
    interview: &InterviewState,
    by: ActorRole,
    to: Channel,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if by != ActorRole::Advisor {
        return Err(Refusal::forbidden("forbidden", "only the advisor switches an interview's channel"));
    }
    if interview.status != InterviewStatus::Booked {
        return Err(Refusal::conflict("not_booked", "only a booked interview changes channel"));
    }
    if now > interview.end + Duration::minutes(CHANNEL_SWITCH_GRACE_MINUTES) {
        return Err(Refusal::conflict("interview_over", "the interview is over"));
    }
    if to == interview.channel {
        return Err(Refusal::unprocessable("same_channel", "the interview already uses this channel"));
    }
    if to == Channel::InPerson {
        return Err(Refusal::unprocessable(
            "invalid_channel_switch",
            "a remote interview cannot switch to in person; convoke or accept an in-person request instead",
        ));
    }
    Ok(())
}

/// Whether `by` may record `outcome` at `now`: the advisor, once the interview has started,
/// on a booked interview, or to justify a no-show later (the seeker sent a certificate);
/// nothing else is rewritten.
pub fn check_outcome(
    interview: &InterviewState,
    by: ActorRole,
    outcome: InterviewStatus,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if by != ActorRole::Advisor {
        return Err(Refusal::forbidden("forbidden", "only the advisor records an interview's outcome"));
    }
    let allowed = interview.status == InterviewStatus::Booked
        || (interview.status == InterviewStatus::NoShow && outcome == InterviewStatus::JustifiedAbsence);
    if !allowed {
        return Err(Refusal::conflict("outcome_recorded", "this interview's outcome is already recorded"));
    }
    if interview.start > now {
        return Err(Refusal::unprocessable("too_early", "an outcome is recorded once the interview has started"));
    }
    Ok(())
}

/// Who dials on a phone interview: by default the advisor calls the seeker's number; the
/// seeker may choose instead to call the agency's number at the interview's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneCaller {
    #[default]
    Advisor,
    Seeker,
}

impl PhoneCaller {
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneCaller::Advisor => "advisor",
            PhoneCaller::Seeker => "seeker",
        }
    }
}

/// Who dials `channel`'s interview: the seeker may call the agency only on a phone interview,
/// and only when the service has an agency number to give them.
pub fn phone_caller_for(
    channel: Channel,
    wanted: Option<PhoneCaller>,
    agency_number: Option<&str>,
) -> Result<(PhoneCaller, Option<String>), Refusal> {
    match wanted.unwrap_or_default() {
        PhoneCaller::Advisor => Ok((PhoneCaller::Advisor, None)),
        PhoneCaller::Seeker if channel != Channel::Phone => Err(Refusal::unprocessable(
            "caller_needs_phone",
            "caller seeker (the seeker calls the agency) is for phone interviews only",
        )),
        PhoneCaller::Seeker => match agency_number {
            Some(number) => Ok((PhoneCaller::Seeker, Some(number.to_owned()))),
            None => Err(Refusal::unprocessable(
                "no_agency_number",
                "the service has no agency number to call: the advisor calls instead",
            )),
        },
    }
}

/// The number the advisor calls for a phone interview: the seeker's, which a phone interview
/// cannot do without; none for the other channels.
pub fn phone_for(channel: Channel, seeker_phone: Option<&str>) -> Result<Option<String>, Refusal> {
    match channel {
        Channel::Phone => seeker_phone.map(|p| Some(p.to_owned())).ok_or(Refusal::unprocessable(
            "phone_required",
            "a phone interview needs the seeker's phone number in their profile",
        )),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booked(start: DateTime<Utc>, mandatory: bool) -> InterviewState {
        InterviewState {
            status: InterviewStatus::Booked,
            mandatory,
            start,
            end: start + Duration::minutes(30),
            channel: Channel::Video,
            acknowledged: false,
        }
    }

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_seeker_cannot_cancel_or_move_a_convocation_but_the_advisor_can() {
        let convocation = booked(at(10), true);
        assert_eq!(check_cancel(&convocation, ActorRole::Seeker, at(8)).unwrap_err().code, "mandatory_interview");
        assert_eq!(check_cancel(&convocation, ActorRole::Seeker, at(8)).unwrap_err().kind, RefusalKind::Forbidden);
        assert_eq!(check_reschedule(&convocation, ActorRole::Seeker, at(8)).unwrap_err().code, "mandatory_interview");
        assert!(check_cancel(&convocation, ActorRole::Advisor, at(8)).is_ok());
        assert!(check_reschedule(&convocation, ActorRole::Advisor, at(8)).is_ok());
        assert!(check_cancel(&booked(at(10), false), ActorRole::Seeker, at(8)).is_ok());
    }

    #[test]
    fn only_a_booked_interview_not_yet_started_is_cancelled_or_moved() {
        let mut interview = booked(at(10), false);
        assert_eq!(check_cancel(&interview, ActorRole::Seeker, at(10)).unwrap_err().code, "already_started");
        assert_eq!(check_reschedule(&interview, ActorRole::Advisor, at(11)).unwrap_err().code, "already_started");
        interview.status = InterviewStatus::Cancelled;
        let refusal = check_cancel(&interview, ActorRole::Advisor, at(8)).unwrap_err();
        assert_eq!((refusal.kind, refusal.code), (RefusalKind::Conflict, "not_booked"));
        assert_eq!(refusal.message, "only a booked interview can be cancelled");
        assert_eq!(
            check_reschedule(&interview, ActorRole::Advisor, at(8)).unwrap_err().message,
            "only a booked interview can be rescheduled"
        );
    }

    #[test]
    fn only_the_seeker_acknowledges_a_convocation_still_to_be_held_and_the_first_time_stands() {
        let mut convocation = booked(at(10), true);
        assert_eq!(check_acknowledge(&convocation, ActorRole::Seeker, at(8)), Ok(Acknowledgement::Record));
        assert_eq!(
            check_acknowledge(&convocation, ActorRole::Advisor, at(8)).unwrap_err().kind,
            RefusalKind::Forbidden
        );
        // Until its end (10:30), not after.
        assert_eq!(
            check_acknowledge(&convocation, ActorRole::Seeker, at(10) + Duration::minutes(30)),
            Ok(Acknowledgement::Record)
        );
        let late = check_acknowledge(&convocation, ActorRole::Seeker, at(11)).unwrap_err();
        assert_eq!((late.kind, late.code), (RefusalKind::Conflict, "interview_over"));
        convocation.acknowledged = true;
        assert_eq!(check_acknowledge(&convocation, ActorRole::Seeker, at(8)), Ok(Acknowledgement::AlreadyRecorded));
        for status in [InterviewStatus::Cancelled, InterviewStatus::Completed, InterviewStatus::NoShow] {
            convocation.status = status;
            let refusal = check_acknowledge(&convocation, ActorRole::Seeker, at(8)).unwrap_err();
            assert_eq!((refusal.kind, refusal.code), (RefusalKind::Conflict, "not_booked"), "{status:?}");
        }
        let refusal = check_acknowledge(&booked(at(10), false), ActorRole::Seeker, at(8)).unwrap_err();
        assert_eq!((refusal.kind, refusal.code), (RefusalKind::Unprocessable, "not_a_convocation"));
    }

    #[test]
    fn the_advisor_extends_a_started_interview_until_its_meeting_closes() {
        let interview = booked(at(10), false);
        let limit = Duration::minutes(30);
        // 10:00 to 10:30, the meeting open until 11:00.
        assert!(check_extend(&interview, ActorRole::Advisor, 15, limit, at(10)).is_ok());
        assert!(check_extend(&interview, ActorRole::Advisor, 60, limit, at(11)).is_ok());
        let code = |by, minutes, now| check_extend(&interview, by, minutes, limit, now).unwrap_err().code;
        assert_eq!(code(ActorRole::Advisor, 15, at(9)), "not_started");
        assert_eq!(code(ActorRole::Advisor, 15, at(11) + Duration::minutes(1)), "interview_over");
        assert_eq!(code(ActorRole::Seeker, 15, at(10)), "forbidden");
        for minutes in [0, 7, 65] {
            assert_eq!(code(ActorRole::Advisor, minutes, at(10)), "invalid_minutes", "{minutes}");
        }
        let mut cancelled = interview;
        cancelled.status = InterviewStatus::Cancelled;
        assert_eq!(check_extend(&cancelled, ActorRole::Advisor, 15, limit, at(10)).unwrap_err().code, "not_booked");
    }

    #[test]
    fn the_advisor_switches_a_remote_channel_until_shortly_after_the_end() {
        let interview = booked(at(10), false);
        assert!(check_channel(&interview, ActorRole::Advisor, Channel::Phone, at(10)).is_ok());
        // It ends at 10:30; 30 minutes of grace.
        assert!(check_channel(&interview, ActorRole::Advisor, Channel::Phone, at(11)).is_ok());
        let late = at(11) + Duration::minutes(1);
        assert_eq!(
            check_channel(&interview, ActorRole::Advisor, Channel::Phone, late).unwrap_err().code,
            "interview_over"
        );
        let code = |to, by| check_channel(&interview, by, to, at(10)).unwrap_err().code;
        assert_eq!(code(Channel::Video, ActorRole::Advisor), "same_channel");
        assert_eq!(code(Channel::InPerson, ActorRole::Advisor), "invalid_channel_switch");
        assert_eq!(code(Channel::Phone, ActorRole::Seeker), "forbidden");
    }

    #[test]
    fn an_outcome_once_started_and_only_a_no_show_is_later_justified() {
        let mut interview = booked(at(10), false);
        assert_eq!(
            check_outcome(&interview, ActorRole::Advisor, InterviewStatus::Completed, at(9)).unwrap_err().code,
            "too_early"
        );
        assert!(check_outcome(&interview, ActorRole::Advisor, InterviewStatus::NoShow, at(10)).is_ok());
        assert_eq!(
            check_outcome(&interview, ActorRole::Seeker, InterviewStatus::NoShow, at(10)).unwrap_err().kind,
            RefusalKind::Forbidden
        );
        interview.status = InterviewStatus::NoShow;
        assert!(check_outcome(&interview, ActorRole::Advisor, InterviewStatus::JustifiedAbsence, at(11)).is_ok());
        assert_eq!(
            check_outcome(&interview, ActorRole::Advisor, InterviewStatus::Completed, at(11)).unwrap_err().code,
            "outcome_recorded"
        );
        interview.status = InterviewStatus::Completed;
        assert_eq!(
            check_outcome(&interview, ActorRole::Advisor, InterviewStatus::JustifiedAbsence, at(11)).unwrap_err().code,
            "outcome_recorded"
        );
    }

    #[test]
    fn a_phone_interview_needs_the_seekers_number() {
        assert_eq!(phone_for(Channel::Phone, Some("0601020304")), Ok(Some("0601020304".into())));
        assert_eq!(phone_for(Channel::Phone, None).unwrap_err().code, "phone_required");
        assert_eq!(phone_for(Channel::Video, Some("0601020304")), Ok(None));
    }

    #[test]
    fn granules_cover_the_interval_half_open() {
        let start = Utc.with_ymd_and_hms(2026, 12, 3, 8, 30, 0).unwrap();
        let keys = granules(start, start + Duration::minutes(30));
        assert_eq!(keys.len(), 6);
        assert_eq!(keys[0], "2026-12-03T08:30:00.000Z");
        assert_eq!(keys[5], "2026-12-03T08:55:00.000Z");
        assert!(on_granule(start));
        assert!(!on_granule(start + Duration::minutes(2)));
    }

    #[test]
    fn the_day_before_keeps_the_paris_wall_clock_across_daylight_saving() {
        // Monday 26 October 2026 10:00 in Paris (CET, UTC+1) is 09:00 UTC; the day before at
        // 10:00 is Sunday 25 October, already CET after the change at 03:00: 09:00 UTC.
        let monday = Utc.with_ymd_and_hms(2026, 10, 26, 9, 0, 0).unwrap();
        assert_eq!(ReminderKind::DayBefore.due(monday), Utc.with_ymd_and_hms(2026, 10, 25, 9, 0, 0).unwrap());
        // Sunday 25 October 10:00 CET (09:00 UTC): Saturday 10:00 CEST is 08:00 UTC, 25 hours before.
        let sunday = Utc.with_ymd_and_hms(2026, 10, 25, 9, 0, 0).unwrap();
        assert_eq!(ReminderKind::DayBefore.due(sunday), Utc.with_ymd_and_hms(2026, 10, 24, 8, 0, 0).unwrap());
        assert_eq!(ReminderKind::HourBefore.due(sunday), Utc.with_ymd_and_hms(2026, 10, 25, 8, 0, 0).unwrap());
    }
}
