//! Key builders of the single table (infra/data-model.md): the one place
//! where key shapes are spelled.

pub const GSI1: &str = "GSI1";
pub const GSI2: &str = "GSI2";

pub const PROFILE: &str = "PROFILE";

pub fn identity_pk(sub: &str) -> String {
    format!("IDENTITY#{sub}")
}
pub const IDENTITY_SK: &str = "IDENTITY";

pub fn seeker_pk(seeker_id: &str) -> String {
    format!("SEEKER#{seeker_id}")
}
pub fn advisor_pk(advisor_id: &str) -> String {
    format!("ADVISOR#{advisor_id}")
}

/// GSI1 partition of an advisor's portfolio; sorted by next contact due.
pub fn portfolio_gsi1pk(advisor_id: &str) -> String {
    format!("PORTFOLIO#{advisor_id}")
}
pub fn portfolio_gsi1sk(next_contact_due_key: &str, seeker_id: &str) -> String {
    format!("{next_contact_due_key}#{seeker_id}")
}
/// GSI1 partition of seekers waiting for an advisor; sorted by registration.
pub const WAITING_GSI1PK: &str = "WAITING";

/// GSI1 partition of a region's advisors; sorted by modality.
pub fn region_gsi1pk(region: &str) -> String {
    format!("REGION#{region}")
}
pub fn region_gsi1sk(modality: &str, advisor_id: &str) -> String {
    format!("ADVISOR#{modality}#{advisor_id}")
}
pub const REGION_ADVISOR_PREFIX: &str = "ADVISOR#";

pub const JOURNAL_PREFIX: &str = "JOURNAL#";
pub fn journal_sk(entry_id: &str) -> String {
    format!("{JOURNAL_PREFIX}{entry_id}")
}

pub const OUTBOX_PREFIX: &str = "OUTBOX#";
pub fn outbox_sk(email_id: &str) -> String {
    format!("{OUTBOX_PREFIX}{email_id}")
}
/// Outbox emails that concern no seeker live in their own partition.
pub fn outbox_pk(email_id: &str) -> String {
    format!("OUTBOX#{email_id}")
}

pub fn conversation_pk(seeker_id: &str) -> String {
    format!("CONV#{seeker_id}")
}

pub fn seeker_interviews_gsi2pk(seeker_id: &str) -> String {
    format!("SEEKER_INTERVIEWS#{seeker_id}")
}
pub fn seeker_in_person_gsi2pk(seeker_id: &str) -> String {
    format!("SEEKER_INPERSON#{seeker_id}")
}

// ---- chat (infra/data-model.md: every chat item of a seeker lives under CONV#<seekerId>,
// except connections and rate counters, which hold ids only)

pub const SUMMARY_SK: &str = "SUMMARY";
pub const MESSAGE_PREFIX: &str = "MSG#";
pub fn message_sk(message_id: &str) -> String {
    format!("{MESSAGE_PREFIX}{message_id}")
}
/// The idempotency record of one client message id of one sender.
pub fn client_message_sk(sender_id: &str, client_message_id: &str) -> String {
    format!("CLIENTMSG#{sender_id}#{client_message_id}")
}
/// The offline-notice throttle of one recipient in one conversation.
pub fn notice_sk(recipient_id: &str) -> String {
    format!("NOTICE#{recipient_id}")
}
/// GSI1 partition of an advisor's conversations; sorted by last message.
pub fn conversations_gsi1pk(advisor_id: &str) -> String {
    format!("CONVS#{advisor_id}")
}
pub fn conversations_gsi1sk(last_message_at_key: &str, seeker_id: &str) -> String {
    format!("{last_message_at_key}#{seeker_id}")
}
/// Messages counted for the rate limit of one user in one UTC minute (`yyyy-mm-ddThh:mm`).
pub fn rate_pk(user_id: &str, minute: &str) -> String {
    format!("RATE#{user_id}#{minute}")
}
pub const RATE_SK: &str = "RATE";
pub fn connection_pk(connection_id: &str) -> String {
    format!("CONN#{connection_id}")
}
pub const CONNECTION_SK: &str = "CONN";
/// GSI1 partition of a user's live WebSocket connections.
pub fn user_connections_gsi1pk(user_id: &str) -> String {
    format!("USERCONNS#{user_id}")
}
