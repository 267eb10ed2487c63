//! Advisors' availability: weekly slots kept at the same Paris wall-clock
//! time across daylight-saving changes, never overlapping (one granule item
//! per 5 minutes, written under `attribute_not_exists`).

use std::collections::HashSet;

use api::auth::Caller;
use api::http::{json_response, no_content, parse_body, path_param, query_param, ListBody, Page};
use api::ApiError;
use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use domain::time::{parse_instant, to_key, to_paris};
use domain::Channel;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::interview::granules;
use store::keys;
use store::tx::{check, delete as tx_delete, delete_with, put, update};
use store::{n, s, transact_retrying, Held, Index, Keyed, Retrying, Step, Store, TransactOutcome, Tx};

use crate::app::App;
use crate::records::{SlotRecord, SlotState};
use crate::views;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateSlotsBody {
    start: String,
    duration_minutes: u32,
    channels: Vec<Channel>,
    #[serde(default)]
    repeat_weeks: Option<u32>,
    /// Where in-person interviews take place: the advisor's agency address by default.
    #[serde(default)]
    place: Option<String>,
}

/// The starts of `count` weekly occurrences at the Paris wall-clock time of `first`.
pub(crate) fn weekly_starts(first: DateTime<Utc>, count: u32) -> Result<Vec<DateTime<Utc>>, ApiError> {
    let local = first.with_timezone(&Paris).naive_local();
    (0..count)
        .map(|week| {
            let wall_clock = local + Duration::weeks(i64::from(week));
            // A time skipped by the spring change does not exist; one repeated in autumn takes its first occurrence.
            Paris.from_local_datetime(&wall_clock).earliest().map(|t| t.with_timezone(&Utc)).ok_or_else(|| {
                ApiError::unprocessable(
                    "nonexistent_local_time",
                    format!("{wall_clock} does not exist in Europe/Paris (daylight-saving change)"),
                )
            })
        })
        .collect()
}

/// The place of a slot offering `in_person`: the one given, else the advisor's agency (none
/// when they have no address set: booking then names the service's general place); none for a
/// slot that does not offer it.
fn slot_place(channels: &[Channel], given: Option<&str>, agency: Option<&str>) -> Result<Option<String>, ApiError> {
    if !channels.contains(&Channel::InPerson) {
        return match given {
            Some(_) => Err(ApiError::unprocessable("unexpected_place", "only a slot offering in_person takes a place")),
            None => Ok(None),
        };
    }
    match (given, agency) {
        (Some(place), _) => Ok(Some(domain::free_text("place", place, 300)?)),
        (None, agency) => Ok(agency.map(str::to_owned)),
    }
}

fn distinct_channels(channels: &[Channel]) -> Result<Vec<Channel>, ApiError> {
    let mut distinct = Vec::new();
    for channel in channels {
        if !distinct.contains(channel) {
            distinct.push(*channel);
        }
    }
    if distinct.is_empty() {
        return Err(ApiError::unprocessable("invalid_channels", "channels must name at least one channel"));
    }
    Ok(distinct)
}

/// The granule items that reserve a slot's time in the advisor's availability.
fn slot_granules(slot: &SlotRecord) -> Vec<(String, String)> {
    granules(slot.start_at(), slot.end_at())
        .into_iter()
        .map(|g| (keys::advisor_pk(&slot.advisor_id), keys::slot_granule_sk(&g)))
        .collect()
}

/// The slot and its granules, only while nobody has booked it.
fn delete_open_slot_items(slot: &SlotRecord) -> (Tx, Held) {
    let mut tx = Tx::new();
    let slot_item = tx.push(delete_with(slot.pk(), &slot.sk(), |d| {
        d.condition_expression("#state = :open")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":open", s("open"))
    }));
    tx.push_all(slot_granules(slot).into_iter().map(|(pk, sk)| tx_delete(pk, &sk, None)));
    (tx, slot_item)
}

/// How long an occurrence of a series may stay pending: past it, it is the leftover of an
/// interrupted creation, which the next creation over that time reclaims (and the TTL removes).
const PENDING_LIFETIME_MINUTES: i64 = 15;

/// One occurrence of a series, pending until the whole series is published.
fn pending_slot(
    advisor_id: &str,
    start: DateTime<Utc>,
    duration_minutes: u32,
    channels: &[Channel],
    place: Option<&str>,
    now: DateTime<Utc>,
) -> SlotRecord {
    let slot_id = ulid::Ulid::new().to_string();
    SlotRecord {
        slot_id,
        advisor_id: advisor_id.to_owned(),
        start,
        end: start + Duration::minutes(i64::from(duration_minutes)),
        duration_minutes,
        channels: channels.to_vec(),
        place: place.map(str::to_owned),
        state: SlotState::Pending,
        interview_id: None,
        booked_by: None,
        created_at: now,
        expires_at: Some((now + Duration::minutes(PENDING_LIFETIME_MINUTES)).timestamp()),
    }
}

fn slot_overlap(slot: &SlotRecord) -> ApiError {
    ApiError::conflict("slot_overlap", format!("the slot of {} overlaps one of your slots", to_paris(slot.start)))
}

fn agenda_taken(slot: &SlotRecord) -> ApiError {
    ApiError::conflict(
        "agenda_taken",
        format!("your agenda already holds an interview during the slot of {}", to_paris(slot.start)),
    )
}

/// Writes one pending occurrence with its slot granules, under the condition that neither
/// another slot nor an interview of the agenda holds any of its time.
async fn write_pending(app: &App, slot: &SlotRecord, now: DateTime<Utc>) -> Result<(), ApiError> {
    transact_retrying("slot creation", Retrying::default(), |_| async move {
        let mut tx = Tx::new();
        tx.push(put(slot.to_item()?, Some("attribute_not_exists(pk)")));
        // Granule items disappear through the TTL a month after the slot ends.
        let expires = (slot.end + Duration::days(30)).timestamp();
        let mut own = Vec::new();
        for (pk, sk) in slot_granules(slot) {
            let item = [
                ("pk".to_owned(), s(pk.clone())),
                ("sk".to_owned(), s(sk.clone())),
                ("slotId".to_owned(), s(slot.slot_id.clone())),
                ("expiresAt".to_owned(), n(expires)),
            ]
            .into_iter()
            .collect();
            own.push((tx.push(put(item, Some("attribute_not_exists(pk)"))), sk));
        }
        let agenda = tx.push_all(granules(slot.start_at(), slot.end_at()).into_iter().map(|g| {
            check(keys::advisor_pk(&slot.advisor_id), &keys::busy_sk(&g), |c| {
                c.condition_expression("attribute_not_exists(pk)")
            })
        }));
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(())),
            outcome if outcome.any_failed(&agenda) => Err(agenda_taken(slot)),
            outcome if own.iter().any(|(held, _)| outcome.failed(*held)) => {
                let taken: Vec<&str> =
                    own.iter().filter(|(held, _)| outcome.failed(*held)).map(|(_, sk)| sk.as_str()).collect();
                if reclaim_abandoned(app, &slot.advisor_id, &taken, now).await? {
                    Ok(Step::Reread)
                } else {
                    Err(slot_overlap(slot))
                }
            }
            outcome if outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("slot creation cancelled: {outcome:?}"))),
        }
    })
    .await
}

/// Who holds a slot granule.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GranuleOwner {
    slot_id: String,
}

/// Removes the leftovers of an interrupted series creation among the slot granules `taken`:
/// a granule whose slot is gone, or pending past its lifetime. Whether any was removed.
async fn reclaim_abandoned(app: &App, advisor_id: &str, taken: &[&str], now: DateTime<Utc>) -> Result<bool, ApiError> {
    let mut reclaimed = false;
    for sk in taken {
        let Some(owner) = app.store.get::<GranuleOwner>(&keys::advisor_pk(advisor_id), sk).await? else {
            reclaimed = true; // freed meanwhile
            continue;
        };
        let slot: Option<SlotRecord> = app.store.get(&keys::slot_pk(&owner.slot_id), keys::SLOT_SK).await?;
        match slot {
            Some(slot)
                if slot.state == SlotState::Pending && slot.expires_at.is_some_and(|at| at < now.timestamp()) =>
            {
                withdraw(app, std::slice::from_ref(&slot)).await;
                reclaimed = true;
            }
            Some(_) => {}
            None => {
                let granule = delete_with(keys::advisor_pk(advisor_id), sk, |d| {
                    d.condition_expression("slotId = :slot").expression_attribute_values(":slot", s(owner.slot_id))
                });
                reclaimed |= matches!(app.store.commit(Tx::from(vec![granule])).await?, TransactOutcome::Committed);
            }
        }
    }
    Ok(reclaimed)
}

/// Removes pending occurrences and their granules, each only while still pending: a published
/// slot (open or booked) is never deleted here. Best effort: what stays expires or is reclaimed.
async fn withdraw(app: &App, slots: &[SlotRecord]) {
    for slot in slots {
        let mut tx = Tx::new();
        tx.push(delete_with(slot.pk(), &slot.sk(), |d| {
            d.condition_expression("attribute_not_exists(pk) OR #state = :pending")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":pending", s("pending"))
        }));
        tx.push_all(slot_granules(slot).into_iter().map(|(pk, sk)| {
            delete_with(pk, &sk, |d| {
                d.condition_expression("attribute_not_exists(pk) OR slotId = :slot")
                    .expression_attribute_values(":slot", s(slot.slot_id.clone()))
            })
        }));
        match app.store.commit(tx).await {
            Ok(TransactOutcome::Committed) => {}
            _ => tracing::warn!(slot_id = %slot.slot_id, "a pending slot was not withdrawn; it expires"),
        }
    }
}

/// A published slot ends with its granules, a month after its end (retention: docs/security.md's
/// table): it holds the advisor's time and, once booked, a seekerId; the interview is the record.
fn open_slot_expiry(slot: &SlotRecord) -> i64 {
    (slot.end + Duration::days(30)).timestamp()
}

/// Makes a whole series open at once: one transaction (a series is at most
/// [`MAX_SERIES_IN_ONE_TRANSACTION`] occurrences), each occurrence still pending.
async fn publish(app: &App, slots: &[SlotRecord]) -> Result<(), ApiError> {
    transact_retrying("slot publication", Retrying::default(), |_| async move {
        let mut tx = Tx::new();
        let guards = tx.push_all(slots.iter().map(|slot| {
            update(slot.pk(), &slot.sk(), |u| {
                u.update_expression("SET #state = :open, expiresAt = :expires")
                    .condition_expression("#state = :pending")
                    .expression_attribute_names("#state", "state")
                    .expression_attribute_values(":open", s("open"))
                    .expression_attribute_values(":pending", s("pending"))
                    .expression_attribute_values(":expires", n(open_slot_expiry(slot)))
            })
        }));
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(())),
            outcome if outcome.any_failed(&guards) => {
                Err(ApiError::Unavailable("the series was interrupted; retry".into()))
            }
            outcome if outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(ApiError::internal(format!("slot publication cancelled: {outcome:?}"))),
        }
    })
    .await
}

/// DynamoDB's limit of items in one transaction: the publication of a series is one.
const MAX_SERIES_IN_ONE_TRANSACTION: u32 = 100;

/// `POST /advisors/me/slots`: one slot, or `repeatWeeks` weekly ones, all or none. Each
/// occurrence is written pending (invisible, unbookable) with its granules, checked against
/// the slots and the agenda; then the series is published in one transaction. On any refusal
/// the pending occurrences are removed, each only while still pending: nothing a seeker
/// booked can be deleted, since nothing pending can be booked.
pub(crate) async fn create(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let body: CreateSlotsBody = parse_body(request)?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let first = parse_instant("start", &body.start)?;
    app.policy.check_duration(body.duration_minutes)?;
    let channels = distinct_channels(&body.channels)?;
    let place = slot_place(&channels, body.place.as_deref(), advisor.agency_address.as_deref())?;
    let count = body.repeat_weeks.unwrap_or(1);
    let most = app.policy.max_repeat_weeks.min(MAX_SERIES_IN_ONE_TRANSACTION);
    if count == 0 || count > most {
        return Err(ApiError::unprocessable("invalid_repeat", format!("repeatWeeks must be 1 to {most}")));
    }
    let starts = weekly_starts(first, count)?;
    for start in &starts {
        app.policy.check_advisor_start(*start, now)?;
    }
    let series: Vec<SlotRecord> = starts
        .into_iter()
        .map(|start| pending_slot(&advisor.advisor_id, start, body.duration_minutes, &channels, place.as_deref(), now))
        .collect();

    for (written, slot) in series.iter().enumerate() {
        if let Err(refusal) = write_pending(app, slot, now).await {
            withdraw(app, &series[..written]).await;
            return Err(refusal);
        }
    }
    if let Err(refusal) = publish(app, &series).await {
        withdraw(app, &series).await;
        return Err(refusal);
    }
    let made: Vec<SlotRecord> = series
        .into_iter()
        .map(|mut slot| {
            slot.state = SlotState::Open;
            slot.expires_at = Some(open_slot_expiry(&slot));
            slot
        })
        .collect();
    tracing::info!(count = made.len(), "slots created");
    Ok(json_response(StatusCode::CREATED, &views::SlotsMade { items: made.iter().map(views::slot).collect() }))
}

/// `from` and `to` of a range query, with defaults and a bounded span.
pub(crate) fn range(
    request: &Request,
    default_from: DateTime<Utc>,
    default_span: Duration,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let from = query_param(request, "from").map(|f| parse_instant("from", &f)).transpose()?.unwrap_or(default_from);
    let to = query_param(request, "to").map(|t| parse_instant("to", &t)).transpose()?.unwrap_or(from + default_span);
    if to <= from {
        return Err(ApiError::bad_request("invalid_range", "to must be after from"));
    }
    if to - from > Duration::days(366) {
        return Err(ApiError::bad_request("invalid_range", "a range spans at most 366 days"));
    }
    Ok((from, to))
}

async fn slots_page(
    store: &Store,
    advisor_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    only_open: bool,
    page: &Page,
) -> Result<(Vec<SlotRecord>, Option<String>), ApiError> {
    // Sort keys are `<start>#<id>`: from `from` inclusive to `to` exclusive. `from` defaults to
    // now (or now and the booking notice): a cursor stays valid as it moves.
    let query = store
        .query(Index::Gsi1, keys::slots_gsi1pk(advisor_id))
        .sk_between(to_key(from), to_key(to))
        .low_bound_moves_with_time();
    let query = if only_open { query.filter_equals("state", s("open")) } else { query };
    Ok(query.page_of::<SlotRecord>(page).await?)
}

/// `GET /advisors/me/slots?from=&to=`: own slots, open and booked.
pub(crate) async fn list_own(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let (from, to) = range(request, now, Duration::days(31))?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let (mut slots, next_cursor) = slots_page(&app.store, &advisor.advisor_id, from, to, false, &page).await?;
    // A series still being created is not there yet.
    slots.retain(|slot| slot.state != SlotState::Pending);
    Ok(json_response(StatusCode::OK, &ListBody { items: slots.iter().map(views::slot).collect(), next_cursor }))
}

/// `DELETE /advisors/me/slots/{slotId}`: only an open slot.
pub(crate) async fn delete(app: &App, caller: &Caller, request: &Request) -> Result<Response<Body>, ApiError> {
    let slot_id = path_param(request, "slotId")?;
    let advisor = api::access::caller_advisor(&app.store, caller).await?;
    let slot: SlotRecord = app
        .store
        .get(&keys::slot_pk(&slot_id), keys::SLOT_SK)
        .await?
        .filter(|s: &SlotRecord| s.advisor_id == advisor.advisor_id && s.state != SlotState::Pending)
        .ok_or_else(|| ApiError::not_found("no such slot among yours"))?;
    if slot.state != SlotState::Open {
        return Err(ApiError::conflict("slot_booked", "a booked slot cannot be deleted; cancel the interview"));
    }
    let (tx, slot_item) = delete_open_slot_items(&slot);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => Ok(no_content()),
        outcome if outcome.failed(slot_item) => Err(ApiError::conflict("slot_booked", "the slot was booked meanwhile")),
        _ => Err(ApiError::Unavailable("slot deletion conflicted; retry".into())),
    }
}

/// The agenda granules the advisor's interviews hold over the span of `slots`: an open slot
/// over one of them (a convocation made after the slot) cannot be booked, so it is not offered.
async fn agenda_granules(store: &Store, advisor_id: &str, slots: &[SlotRecord]) -> Result<HashSet<String>, ApiError> {
    let (Some(from), Some(to)) = (slots.iter().map(|s| s.start).min(), slots.iter().map(|s| s.end).max()) else {
        return Ok(HashSet::new());
    };
    let busy_prefix = keys::busy_sk("");
    let held = store
        .query(Index::Table, keys::advisor_pk(advisor_id))
        .sk_between(keys::busy_sk(&to_key(from)), keys::busy_sk(&to_key(to)))
        .all()
        .await?;
    Ok(held
        .iter()
        .filter_map(|item| item.get("sk").and_then(|v| v.as_s().ok()))
        .filter_map(|sk| sk.strip_prefix(busy_prefix.as_str()).map(str::to_owned))
        .collect())
}

/// `GET /seekers/me/slots?from=&to=`: the open slots of the caller's advisor, from the minimum notice to the horizon.
pub(crate) async fn list_for_seeker(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let page = api::http::page(request)?;
    let earliest = now + app.policy.min_notice;
    let latest = now + app.policy.seeker_horizon;
    let (from, to) = range(request, earliest, app.policy.seeker_horizon)?;
    let seeker = api::access::caller_seeker(&app.store, caller).await?;
    let (from, to) = (from.max(earliest), to.min(latest));
    let Some(advisor_id) = seeker.advisor_id.as_deref() else {
        return Ok(json_response(StatusCode::OK, &ListBody::<views::OpenSlot> { items: vec![], next_cursor: None }));
    };
    if to <= from {
        return Ok(json_response(StatusCode::OK, &ListBody::<views::OpenSlot> { items: vec![], next_cursor: None }));
    }
    let (mut slots, next_cursor) = slots_page(&app.store, advisor_id, from, to, true, &page).await?;
    let taken = agenda_granules(&app.store, advisor_id, &slots).await?;
    slots.retain(|slot| granules(slot.start_at(), slot.end_at()).iter().all(|g| !taken.contains(g)));
    Ok(json_response(StatusCode::OK, &ListBody { items: slots.iter().map(views::open_slot).collect(), next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_slots_keep_their_wall_clock_time_across_daylight_saving() {
        // Tuesday 16 March 2027, 09:30 in Paris (UTC+1); summer time starts on Sunday 28 March.
        let first = Utc.with_ymd_and_hms(2027, 3, 16, 8, 30, 0).unwrap();
        let starts = weekly_starts(first, 3).unwrap();
        let local: Vec<String> = starts.iter().map(|s| to_paris(*s)).collect();
        assert_eq!(local, vec!["2027-03-16T09:30:00+01:00", "2027-03-23T09:30:00+01:00", "2027-03-30T09:30:00+02:00"]);
        assert_eq!(starts[2] - starts[1], Duration::hours(167));
    }

    #[test]
    fn a_time_skipped_by_the_spring_change_is_refused() {
        // 02:30 on Sunday 21 March 2027, then 28 March: 02:30 does not exist that night.
        let first = Paris.with_ymd_and_hms(2027, 3, 21, 2, 30, 0).unwrap().with_timezone(&Utc);
        assert!(weekly_starts(first, 2).is_err());
    }
}
