//! The SIP media application's handler: one invocation of the PSTN audio service in, the
//! flow's answer out, each fact journaled once on the way.
//!
//! A fact is written as a marker `CALL#<callId>` / `FACT#<fact>` put with
//! `attribute_not_exists` in the same transaction as its journal entry (and, for an answered
//! call, the seeker's contact): a duplicate or late invocation finds the marker and writes
//! nothing. Only a fact's first writing pushes the call's state to the advisor's WebSocket
//! connections and queues the missed-call SMS. A failed write is logged and the answer is
//! still given: the call goes on for the people on the line.

use chrono::{DateTime, TimeZone, Utc};
use pstn_audio::flow::{step, Fact, FactKind, Party};
use pstn_audio::{Answer, InvocationEvent};
use serde_json::Value;
use store::contact::contact_update_for_advisor;
use store::journal::{ActorRole, CallStep, JournalEvent, JournalRecord};
use store::keys;
use store::tx::{put, seeker_not_erased};
use store::{n, s, transact_retrying, Item, Retrying, Step, TransactOutcome, Tx};

use crate::app::App;
use crate::record::CallRecord;

/// How one fact ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Written,
    /// Journaled before: nothing written.
    Duplicate,
    /// Not one of our calls (no plan, unknown call id), or the seeker was erased.
    Ignored,
}

/// Handles one invocation; the answer is always given (an unreadable event gets the empty
/// answer: retrying cannot make it parse).
pub async fn handle(app: &App, event: Value) -> Result<Value, lambda_runtime::Error> {
    let received = Utc::now();
    let event: InvocationEvent = match serde_json::from_value(event) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, "unreadable PSTN audio event; empty answer");
            return Ok(serde_json::to_value(Answer::empty())?);
        }
    };
    let received_ms = u64::try_from(received.timestamp_millis()).unwrap_or_default();
    let outcome = step(&event, received_ms);
    // Never the transaction attributes nor the participants: they hold phone numbers.
    tracing::info!(
        transaction_id = %event.call_details.transaction_id,
        event_type = ?event.event_type,
        sequence = event.sequence,
        actions = outcome.answer.actions.len(),
        facts = outcome.facts.len(),
        "PSTN audio invocation"
    );
    for fact in &outcome.facts {
        match record(app, fact, received).await {
            Ok(_) => {}
            Err(error) => {
                tracing::error!(fact = %fact.kind.name(), error = %api::error::error_chain(&error), "a call fact was not journaled")
            }
        }
    }
    Ok(serde_json::to_value(&outcome.answer)?)
}

/// Journals `fact` once; pushes the call's state the first time.
pub async fn record(app: &App, fact: &Fact, at: DateTime<Utc>) -> Result<Recorded, api::ApiError> {
    let Some(call_id) = fact.call.as_deref() else { return Ok(Recorded::Ignored) };
    let Some(call) = app.store.get::<CallRecord>(&keys::call_pk(call_id), keys::CALL_SK).await? else {
        tracing::warn!(call_id = %call_id, "fact of an unknown call; ignored");
        return Ok(Recorded::Ignored);
    };
    let name = fact.kind.name();
    let (call, name) = (&call, &name);
    let recorded = transact_retrying("journaling a call fact", Retrying::default(), |_| async move {
        let entry = journal_entry(app, call, fact, at);
        let marker: Item = [
            ("pk", s(keys::call_pk(&call.call_id))),
            ("sk", s(keys::call_fact_sk(name))),
            ("transactionId", s(fact.transaction_id.clone())),
            ("at", s(domain::time::to_key(at))),
            ("journalEntryId", s(entry.entry_id.clone())),
            ("expiresAt", n(entry.expires_at)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let mut tx = Tx::new();
        let first = tx.push(put(marker, Some("attribute_not_exists(pk)")));
        tx.push(put(entry.to_item()?, None));
        let contact = if fact.counts_as_contact() {
            let seeker = app.store.seeker(&call.seeker_id).await?;
            match seeker {
                Some(seeker) if !seeker.erased => {
                    contact_update_for_advisor(&seeker, &app.config.cadence, at, &call.advisor_id).map(|u| tx.push(u))
                }
                _ => return Ok(Step::Done(Recorded::Ignored)),
            }
        } else {
            None
        };
        let not_erased = match contact {
            Some(_) => None,
            None => Some(tx.push(seeker_not_erased(&call.seeker_id))),
        };
        if matches!(fact.kind, FactKind::Unanswered { party: Party::Seeker } | FactKind::Busy { party: Party::Seeker })
        {
            if let Some(seeker) = app.store.seeker(&call.seeker_id).await?.filter(|s| !s.erased) {
                tx.push_all(crate::missed_call::missed_call_sms(app, &seeker, call, at)?);
            }
        }
        match app.store.commit(tx).await? {
            TransactOutcome::Committed => Ok(Step::Done(Recorded::Written)),
            outcome if outcome.failed(first) => Ok(Step::Done(Recorded::Duplicate)),
            outcome if not_erased.is_some_and(|c| outcome.failed(c)) => Ok(Step::Done(Recorded::Ignored)),
            // The profile changed between the read and the write (another contact, a new
            // level, a reassignment): read it again.
            outcome if contact.is_some_and(|c| outcome.failed(c)) || outcome.conflicted() => Ok(Step::Retry),
            outcome => Err(api::ApiError::internal(format!("call fact cancelled: {outcome:?}"))),
        }
    })
    .await?;
    if recorded == Recorded::Written {
        tracing::info!(call_id = %call.call_id, fact = %name, "call fact journaled");
        push_state(app, call, &fact.kind).await;
    }
    Ok(recorded)
}

/// The journal entry of a fact: kind `call`, the fact as `event`, and what it says.
fn journal_entry(app: &App, call: &CallRecord, fact: &Fact, at: DateTime<Utc>) -> JournalRecord {
    let mut step = CallStep {
        call_id: call.call_id.clone(),
        interview_id: call.interview_id.clone(),
        event: fact.kind.name(),
        party: None,
        reason: None,
        bridged_at: None,
        by: None,
        duration_seconds: None,
    };
    match &fact.kind {
        FactKind::Ringing { party }
        | FactKind::Answered { party }
        | FactKind::Unanswered { party }
        | FactKind::Busy { party } => step.party = Some(Some(party.as_str())),
        FactKind::Failed { party, reason } => {
            step.party = Some(party.map(Party::as_str));
            step.reason = Some(reason.clone());
        }
        FactKind::Bridged { at_ms } => {
            step.bridged_at =
                at_ms.and_then(|ms| Utc.timestamp_millis_opt(ms as i64).single()).map(domain::time::to_key);
        }
        FactKind::HungUp { by, duration_ms, .. } => {
            step.by = Some(by.as_str());
            step.duration_seconds = duration_ms.map(|ms| ms / 1000);
        }
        FactKind::Started | FactKind::JoinedMeeting | FactKind::HangUpRequested => {}
    }
    let (role, actor) = match fact.kind {
        FactKind::HangUpRequested => (ActorRole::Advisor, Some(call.advisor_id.as_str())),
        _ => (ActorRole::System, None),
    };
    JournalRecord::new(&call.seeker_id, JournalEvent::Call(step), at, role, actor, app.config.retention_days)
}

/// The state an advisor's page shows for a fact (docs/websocket.md, frame `call`), if any.
pub fn state_of(kind: &FactKind) -> Option<(&'static str, Option<&'static str>)> {
    match kind {
        FactKind::Ringing { .. } | FactKind::Answered { party: Party::Advisor } => Some(("ringing", None)),
        FactKind::Bridged { .. } | FactKind::JoinedMeeting | FactKind::Answered { party: Party::Seeker } => {
            Some(("connected", None))
        }
        FactKind::HungUp { .. } => Some(("ended", Some("hung_up"))),
        FactKind::Unanswered { .. } => Some(("ended", Some("unanswered"))),
        FactKind::Busy { .. } => Some(("ended", Some("busy"))),
        FactKind::Failed { .. } => Some(("ended", Some("failed"))),
        FactKind::Started | FactKind::HangUpRequested => None,
    }
}

async fn push_state(app: &App, call: &CallRecord, kind: &FactKind) {
    let Some((state, outcome)) = state_of(kind) else { return };
    let frame = chat::views::ServerFrame::Call {
        call_id: call.call_id.clone(),
        seeker_id: call.seeker_id.clone(),
        interview_id: call.interview_id.clone(),
        state,
        outcome,
    };
    let endpoint = app.push.endpoint_or(app.settings.websocket_management_url.as_deref());
    if let Err(error) =
        chat::push::fan_out(&app.store, &app.push, endpoint.as_deref(), &[call.advisor_id.as_str()], &frame, Utc::now())
            .await
    {
        error.log();
    }
}
