//! The functions of the template that the local gateway hosts, by how they are invoked, and
//! the check that refuses to start when the template names one it cannot run.

use anyhow::{bail, Result};

use crate::template::Template;

const HTTP_FUNCTIONS: [&str; 6] = [
    "RegistrationFunction",
    "BookingFunction",
    "MeetingsFunction",
    "LinksFunction",
    "ChatHistoryFunction",
    "CallsFunction",
];
/// The SIP media application's handler (`infra/pstn-audio.yaml`), invoked by the PSTN audio emulator.
pub const PSTN_AUDIO_FUNCTIONS: [&str; 1] = ["CallHandlerFunction"];
const STREAM_FUNCTIONS: [&str; 1] = ["EmailDispatchFunction"];
/// Functions invoked by EventBridge: rules (Chime meeting events) and schedules.
const EVENT_FUNCTIONS: [&str; 6] = [
    "MeetingEventsFunction",
    "MeetingSweeperFunction",
    "AdvisorDigestFunction",
    "EmailSweepFunction",
    "CallSweeperFunction",
    "RetentionFunction",
];
/// Functions invoked by a state machine's Task (`arn:aws:states:::lambda:invoke`).
const TASK_FUNCTIONS: [&str; 1] = ["RemindersFunction"];
const WEBSOCKET_FUNCTIONS: [&str; 1] = ["ChatFunction"];

/// Refuses to start when the template names a function the gateway cannot run.
pub fn check(template: &Template) -> Result<()> {
    for handler in &template.pstn_audio_handlers {
        if !PSTN_AUDIO_FUNCTIONS.contains(&handler.as_str()) {
            bail!("the PSTN audio template lets the service invoke {handler}, which the local gateway does not host");
        }
    }
    for route in &template.routes {
        if !HTTP_FUNCTIONS.contains(&route.function.as_str()) {
            bail!("template route {} names {}, which the local gateway does not host", route.key(), route.function);
        }
    }
    for stream in &template.streams {
        if !STREAM_FUNCTIONS.contains(&stream.function.as_str()) {
            bail!("template stream consumer {} is not hosted by the local gateway", stream.function);
        }
    }
    for rule in &template.rules {
        if !EVENT_FUNCTIONS.contains(&rule.function.as_str()) {
            bail!("template EventBridge rule target {} is not hosted by the local gateway", rule.function);
        }
    }
    for machine in &template.state_machines {
        for function in crate::state_machine::check(machine)? {
            if !TASK_FUNCTIONS.contains(&function.as_str()) {
                bail!("state machine {} invokes {function}, which the local gateway does not host", machine.name);
            }
        }
    }
    for schedule in &template.schedules {
        let machine = template.state_machine(&schedule.function).is_some();
        if !machine && !EVENT_FUNCTIONS.contains(&schedule.function.as_str()) {
            bail!("template scheduled function {} is not hosted by the local gateway", schedule.function);
        }
        crate::scheduler::Expression::parse(&schedule.expression)?;
    }
    for route in template.websocket.iter().flat_map(|w| &w.routes) {
        if !WEBSOCKET_FUNCTIONS.contains(&route.function.as_str()) {
            bail!("WebSocket route {} names {}, which the local gateway does not host", route.key, route.function);
        }
    }
    Ok(())
}
