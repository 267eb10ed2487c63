//! Who may talk in which conversation: a seeker only in their own, with
//! their advisor; an advisor only with the seekers of their portfolio.

use api::access::Access;
use api::auth::Caller;
use api::ApiError;
use store::keys;
use store::{SeekerRecord, Store};

use crate::frames::ulid_id;
use crate::records::SummaryRecord;
use crate::role::Role;

/// A participant: a seeker (by seekerId) or an advisor (by advisorId).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub user_id: String,
    pub role: Role,
}

/// A conversation the participant may use, with the seeker's profile as read now.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub seeker: SeekerRecord,
    pub advisor_id: String,
}

impl Conversation {
    pub fn seeker_id(&self) -> &str {
        &self.seeker.seeker_id
    }
    /// The participant id on `role`'s side.
    pub fn user_of(&self, role: Role) -> &str {
        match role {
            Role::Seeker => &self.seeker.seeker_id,
            Role::Advisor => &self.advisor_id,
        }
    }
}

/// The participant behind a verified identity. Admins are no chat participants.
pub async fn participant(store: &Store, caller: &Caller) -> Result<Participant, ApiError> {
    if caller.is_advisor() {
        let advisor = api::access::caller_advisor(store, caller).await?;
        return Ok(Participant { user_id: advisor.advisor_id, role: Role::Advisor });
    }
    if caller.is_admin() {
        return Err(ApiError::forbidden("chat is between a job seeker and their advisor"));
    }
    let seeker = api::access::caller_seeker(store, caller).await?;
    Ok(Participant { user_id: seeker.seeker_id, role: Role::Seeker })
}

fn not_in_portfolio() -> ApiError {
    ApiError::not_found("no such seeker in your portfolio")
}

/// The conversation `participant` asks for (`seekerId`, which a seeker may omit), if theirs.
/// An advisor's access is checked (and recorded as `access`) by `api::access`.
pub async fn open(
    store: &Store,
    participant: &Participant,
    requested_seeker_id: Option<&str>,
    access: Option<Access>,
) -> Result<Conversation, ApiError> {
    match participant.role {
        Role::Seeker => {
            if let Some(requested) = requested_seeker_id {
                if !requested.eq_ignore_ascii_case(&participant.user_id) {
                    return Err(ApiError::forbidden("a job seeker writes only in their own conversation"));
                }
            }
            let seeker = store.seeker(&participant.user_id).await?.filter(|s| !s.erased).ok_or_else(|| {
                ApiError::NotFound { code: "not_registered", message: "register first with POST /seekers".into() }
            })?;
            let advisor_id = seeker.advisor_id.clone().ok_or_else(|| {
                ApiError::conflict("no_advisor", "you have no advisor yet; chat opens once one is assigned")
            })?;
            Ok(Conversation { seeker, advisor_id })
        }
        Role::Advisor => {
            let requested = requested_seeker_id
                .ok_or_else(|| ApiError::bad_request("invalid_frame", "seekerId is required for an advisor"))?;
            let seeker_id = ulid_id("seekerId", requested).map_err(|_| not_in_portfolio())?;
            let seeker = api::access::followed_seeker(store, &participant.user_id, &seeker_id, access)
                .await?
                .ok_or_else(not_in_portfolio)?;
            Ok(Conversation { seeker, advisor_id: participant.user_id.clone() })
        }
    }
}

/// The conversation summary as stored now (strongly consistent), or an empty one.
pub async fn summary(store: &Store, seeker_id: &str) -> Result<SummaryRecord, ApiError> {
    Ok(store
        .get::<SummaryRecord>(&keys::conversation_pk(seeker_id), keys::SUMMARY_SK)
        .await?
        .unwrap_or_else(|| SummaryRecord { seeker_id: seeker_id.to_owned(), ..SummaryRecord::default() }))
}
