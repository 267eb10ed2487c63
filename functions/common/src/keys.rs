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
