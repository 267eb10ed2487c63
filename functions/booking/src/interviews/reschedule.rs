//! `POST /interviews/{interviewId}/reschedule`: to another open slot of the same advisor, in
//! one transaction (the new slot claimed, the old one reopened, only the granules that change
//! touched, the reminders moved, both people told). The interview's version grows: a
//! rescheduled convocation is a new convocation (its own notice, acknowledge link, proof and
//! acknowledgement; the proof of the earlier versions is kept), and the links sent for the
//! earlier version are refused.

use std::collections::BTreeSet;

use api::auth::Caller;
use api::http::{json_response, parse_body, path_param};
use api::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::interview::check_reschedule;
use domain::Channel;
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use store::interview::{
    granules, hold_granules, interview_expiry, release_granules, reopen_slot_if_held, set_reminders, ConvocationProof,
    InterviewRecord,
};
use store::journal::JournalEvent;
use store::{keys, n, s, to_item, TransactOutcome, Tx};

use super::{
    claim_slot, guarded, interview_for, journal, outbox_items, parties, slot_taken, stale, state, Participant,
};
use crate::app::App;
use crate::emails::{self, Parties};
use crate::records::{SlotRecord, SlotState};
use crate::views;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RescheduleBody {
    slot_id: String,
}

/// `POST /interviews/{interviewId}/reschedule`.
pub(crate) async fn reschedule(
    app: &App,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let interview_id = path_param(request, "interviewId")?;
    let body: RescheduleBody = parse_body(request)?;
    let (interview, who) =
        interview_for(app, caller, &interview_id, api::access::Access::Change(api::access::Resource::Interview))
            .await?;
    check_reschedule(&state(&interview), who.role(), now)?;
    if interview.slot_id.as_deref() == Some(body.slot_id.as_str()) {
        return Err(ApiError::unprocessable("same_slot", "the interview is already in this slot"));
    }
    let slot = target_slot(app, &interview, &who, &body.slot_id, now).await?;
    let (seeker, advisor) = parties(app, &interview).await?;
    let mut moved = moved_to(&interview, &slot);
    if moved.channel == Channel::InPerson {
        // An in-person interview moves to the new slot's place.
        moved.location = Some(super::book::in_person_place(app, &slot, &advisor));
    }
    let parties = Parties { seeker: &seeker, advisor: &advisor };
    let emails = emails::rescheduled(app, &moved, &parties, interview.start_at(), now);
    if let Some(proof) = moved.convocations.last_mut() {
        proof.email_id = emails.iter().find(|e| e.convocation.is_some()).map(|e| e.email_id.clone());
    }

    let mut tx = Tx::new();
    let guard = tx.push(mark_moved(&interview, &moved, &slot)?);
    let claim = tx.push(claim_slot(&slot, &interview));
    if let Some(old_slot) = &interview.slot_id {
        tx.push_all(reopen_slot_if_held(&app.store, old_slot, &interview.interview_id).await?);
    }
    // One operation per item in a transaction: only the granules that change are touched.
    let before: BTreeSet<String> = granules(interview.start_at(), interview.end_at()).into_iter().collect();
    let after: BTreeSet<String> = granules(moved.start_at(), moved.end_at()).into_iter().collect();
    tx.push_all(release_granules(&interview, before.difference(&after).cloned()));
    let held = tx.push_all(hold_granules(&moved, after.difference(&before).cloned()));
    tx.push_all(set_reminders(&moved, now)?);
    let event =
        |facts| JournalEvent::Rescheduled { interview: facts, previous_start: interview.start, version: moved.version };
    tx.push(journal(app, &moved, event, who.role(), Some(who.id()), now)?);
    tx.push_all(outbox_items(emails)?);
    match app.store.commit(tx).await? {
        TransactOutcome::Committed => {
            tracing::info!("interview rescheduled");
            Ok(json_response(StatusCode::OK, &views::interview(&moved)))
        }
        outcome if outcome.failed(claim) => Err(slot_taken()),
        outcome if outcome.any_failed(&held) => {
            Err(ApiError::conflict("agenda_conflict", "the advisor is not available at that time"))
        }
        outcome if outcome.failed(guard) || outcome.conflicted() => Err(stale()),
        outcome => Err(ApiError::internal(format!("reschedule cancelled: {outcome:?}"))),
    }
}

/// The open slot of the interview's advisor it moves to, offering its channel, far enough
/// ahead for `who` (the seeker needs the booking notice, the advisor none).
async fn target_slot(
    app: &App,
    interview: &InterviewRecord,
    who: &Participant,
    slot_id: &str,
    now: DateTime<Utc>,
) -> Result<SlotRecord, ApiError> {
    let not_found = || ApiError::NotFound { code: "slot_not_found", message: "no such slot of this advisor".into() };
    let slot: SlotRecord = app
        .store
        .get(&keys::slot_pk(slot_id), keys::SLOT_SK)
        .await?
        .filter(|s: &SlotRecord| s.advisor_id == interview.advisor_id && s.state != SlotState::Pending)
        .ok_or_else(not_found)?;
    if !slot.channels.contains(&interview.channel) {
        return Err(ApiError::unprocessable("channel_not_offered", "this slot does not offer the interview's channel"));
    }
    // A rescheduled convocation is a new convocation: it leaves the seeker the same notice.
    let earliest = match who {
        Participant::Seeker(_) => now + app.policy.min_notice,
        Participant::Advisor(_) if interview.mandatory => now + app.policy.min_notice,
        Participant::Advisor(_) => now,
    };
    if slot.start_at() < earliest {
        return Err(ApiError::unprocessable("too_late", "this slot starts too soon"));
    }
    if slot.state != SlotState::Open {
        return Err(slot_taken());
    }
    Ok(slot)
}

/// The interview at the slot's time, one sequence and one version later; a convocation with
/// the proof of its new version (its email id set once the email is made), unacknowledged.
fn moved_to(interview: &InterviewRecord, slot: &SlotRecord) -> InterviewRecord {
    let mut moved = interview.clone();
    moved.slot_id = Some(slot.slot_id.clone());
    moved.start = slot.start;
    moved.end = slot.end;
    moved.duration_minutes = slot.duration_minutes;
    moved.sequence += 1;
    moved.version += 1;
    moved.expires_at = Some(interview_expiry(moved.end, moved.mandatory));
    if moved.mandatory {
        moved.acknowledged_at = None;
        // A record from before proofs were kept: its earlier versions' entries, without proof.
        while moved.convocations.len() + 1 < moved.version as usize {
            let placeholder = ConvocationProof {
                version: moved.convocations.len() as u32 + 1,
                ..ConvocationProof::of(interview, None)
            };
            moved.convocations.push(placeholder);
        }
        moved.convocations.push(ConvocationProof::of(&moved, None));
    }
    moved
}

/// The update that moves `interview`, guarded on the state it was read in. A convocation's new
/// proof is appended (an acknowledgement of the previous version racing it stays in its entry).
fn mark_moved(
    interview: &InterviewRecord,
    moved: &InterviewRecord,
    slot: &SlotRecord,
) -> Result<TransactWriteItem, ApiError> {
    let mut set = "SET #start = :start, #end = :end, durationMinutes = :duration, slotId = :slot, gsi1sk = :agendaSort, gsi2sk = :seekerSort, #sequence = :next, version = :version, expiresAt = :expires".to_owned();
    let new_proofs = &moved.convocations[interview.convocations.len().min(moved.convocations.len())..];
    let proofs = if new_proofs.is_empty() {
        None
    } else {
        let values =
            new_proofs.iter().map(|p| Ok(AttributeValue::M(to_item(p)?))).collect::<Result<Vec<_>, ApiError>>()?;
        set.push_str(if interview.convocations.is_empty() {
            ", convocations = :proofs"
        } else {
            ", convocations = list_append(convocations, :proofs)"
        });
        Some(AttributeValue::L(values))
    };
    let place = moved.location.clone().filter(|_| moved.channel == Channel::InPerson);
    if place.is_some() {
        set.push_str(", #location = :location");
    }
    if moved.mandatory {
        set.push_str(" REMOVE acknowledgedAt");
    }
    Ok(guarded(interview, &set, |u| {
        let u = u
            .expression_attribute_names("#start", "start")
            .expression_attribute_names("#end", "end")
            .expression_attribute_values(":start", s(domain::time::to_key(moved.start)))
            .expression_attribute_values(":end", s(domain::time::to_key(moved.end)))
            .expression_attribute_values(":duration", n(moved.duration_minutes))
            .expression_attribute_values(":slot", s(slot.slot_id.clone()))
            .expression_attribute_values(":agendaSort", s(moved.agenda_key().sk))
            .expression_attribute_values(":seekerSort", s(moved.seeker_list_key().sk))
            .expression_attribute_values(":next", n(moved.sequence))
            .expression_attribute_values(":version", n(moved.version))
            .expression_attribute_values(":expires", n(interview_expiry(moved.end, moved.mandatory)));
        let u = match place {
            Some(place) => {
                u.expression_attribute_names("#location", "location").expression_attribute_values(":location", s(place))
            }
            None => u,
        };
        match proofs {
            Some(list) => u.expression_attribute_values(":proofs", list),
            None => u,
        }
    }))
}
