//! The JSON shapes chat answers with: the history routes' rows and the frames the relay
//! sends on a WebSocket (docs/websocket.md). A field the contract lists is sent as `null`
//! when unknown; only the error frame's `clientMessageId` is left out when there is none.

use domain::time::to_paris;
use serde::Serialize;

use crate::records::{MessageRecord, SummaryRecord};
use crate::role::Role;
use store::{AdvisorRecord, SeekerRecord};

/// One message (API.md: `{"id","seekerId","from","text","sentAt"}`, plus `fromRole`).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    id: String,
    seeker_id: String,
    from: String,
    from_role: Role,
    text: String,
    sent_at: String,
}

impl From<&MessageRecord> for MessageView {
    fn from(message: &MessageRecord) -> MessageView {
        MessageView {
            id: message.message_id.clone(),
            seeker_id: message.seeker_id.clone(),
            from: message.from.clone(),
            from_role: message.from_role,
            text: message.text.clone(),
            sent_at: to_paris(message.sent_at),
        }
    }
}

/// One row of `GET /conversations`, seen from one side: a seeker's row names their advisor
/// (`advisor`, `null` while they wait), an advisor's rows name the seeker (`seeker`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRow<'a> {
    seeker_id: &'a str,
    advisor_id: Option<&'a str>,
    last_message: Option<LastMessage<'a>>,
    unread: u32,
    read_up_to: Option<&'a str>,
    other_read_up_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    advisor: Option<Option<AdvisorName<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seeker: Option<SeekerName<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LastMessage<'a> {
    id: &'a str,
    from: Option<&'a str>,
    from_role: Option<Role>,
    excerpt: Option<&'a str>,
    sent_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AdvisorName<'a> {
    advisor_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SeekerName<'a> {
    seeker_id: &'a str,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    level: domain::Level,
}

/// The summary's part of a row, seen from `role`; the advisor it names is the current one.
fn summary_row<'a>(summary: &'a SummaryRecord, role: Role, advisor_id: Option<&'a str>) -> ConversationRow<'a> {
    ConversationRow {
        seeker_id: &summary.seeker_id,
        advisor_id,
        last_message: summary.last_message_id.as_deref().map(|id| LastMessage {
            id,
            from: summary.last_message_from.as_deref(),
            from_role: summary.last_message_role,
            excerpt: summary.last_message_excerpt.as_deref(),
            sent_at: summary.last_message_at.map(to_paris),
        }),
        unread: summary.unread(role),
        read_up_to: summary.read_up_to(role),
        other_read_up_to: summary.read_up_to(role.other()),
        advisor: None,
        seeker: None,
    }
}

/// A seeker's one conversation, with their advisor (if any).
pub fn seeker_row<'a>(
    summary: &'a SummaryRecord,
    seeker: &'a SeekerRecord,
    advisor: Option<&'a AdvisorRecord>,
) -> ConversationRow<'a> {
    ConversationRow {
        advisor: Some(advisor.map(|a| AdvisorName {
            advisor_id: &a.advisor_id,
            first_name: &a.first_name,
            last_name: &a.last_name,
        })),
        ..summary_row(summary, Role::Seeker, seeker.advisor_id.as_deref())
    }
}

/// One of an advisor's conversations, with the seeker.
pub fn advisor_row<'a>(
    summary: &'a SummaryRecord,
    advisor_id: &'a str,
    seeker: &'a SeekerRecord,
) -> ConversationRow<'a> {
    ConversationRow {
        seeker: Some(SeekerName {
            seeker_id: &seeker.seeker_id,
            first_name: seeker.first_name.as_deref(),
            last_name: seeker.last_name.as_deref(),
            level: seeker.level,
        }),
        ..summary_row(summary, Role::Advisor, Some(advisor_id))
    }
}

/// A frame the relay sends on a connection, `type` first.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "lowercase", rename_all_fields = "camelCase")]
pub enum ServerFrame {
    /// To the sender: the message is stored (again the first one for a repeated clientMessageId).
    Ack { client_message_id: String, message: MessageView },
    /// To every connection of both participants.
    Message { message: MessageView },
    /// To the other participant.
    Typing { seeker_id: String, from: String, from_role: Role },
    /// To both participants: `by` read up to `upTo`, `unread` left on their side.
    Read { seeker_id: String, by: String, role: Role, up_to: String, unread: u32 },
    Error {
        code: &'static str,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        client_message_id: Option<String>,
    },
    /// To the advisor's connections: a phone call's state changed (the `calls` functions push it;
    /// docs/websocket.md). `state` is `ringing`, `connected` or `ended`; `outcome` says how an
    /// ended call ended (`hung_up`, `unanswered`, `busy`, `failed`).
    Call {
        call_id: String,
        seeker_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        interview_id: Option<String>,
        state: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        outcome: Option<&'static str>,
    },
}

impl ServerFrame {
    /// The frame as JSON text. These types always serialize (no maps, no non-string keys).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|error| {
            tracing::error!(%error, "a server frame did not serialize");
            String::from(r#"{"type":"error","code":"internal","message":"unexpected failure"}"#)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message() -> MessageView {
        MessageView {
            id: "M".into(),
            seeker_id: "S".into(),
            from: "A".into(),
            from_role: Role::Advisor,
            text: "Bonjour".into(),
            sent_at: "x".into(),
        }
    }

    #[test]
    fn frames_have_the_contract_shapes() {
        let value = |frame: ServerFrame| serde_json::from_str::<serde_json::Value>(&frame.to_json()).unwrap();
        let m =
            json!({"id": "M", "seekerId": "S", "from": "A", "fromRole": "advisor", "text": "Bonjour", "sentAt": "x"});
        assert_eq!(
            value(ServerFrame::Ack { client_message_id: "c1".into(), message: message() }),
            json!({"type": "ack", "clientMessageId": "c1", "message": m})
        );
        assert_eq!(value(ServerFrame::Message { message: message() }), json!({"type": "message", "message": m}));
        assert_eq!(
            value(ServerFrame::Typing { seeker_id: "S".into(), from: "A".into(), from_role: Role::Advisor }),
            json!({"type": "typing", "seekerId": "S", "from": "A", "fromRole": "advisor"})
        );
        assert_eq!(
            value(ServerFrame::Read {
                seeker_id: "S".into(),
                by: "A".into(),
                role: Role::Advisor,
                up_to: "M".into(),
                unread: 0
            }),
            json!({"type": "read", "seekerId": "S", "by": "A", "role": "advisor", "upTo": "M", "unread": 0})
        );
        assert_eq!(
            value(ServerFrame::Error { code: "invalid_text", message: "m".into(), client_message_id: None }),
            json!({"type": "error", "code": "invalid_text", "message": "m"})
        );
    }

    #[test]
    fn a_seeker_row_names_the_advisor_or_null_and_never_a_seeker() {
        let summary = SummaryRecord { seeker_id: "S".into(), ..SummaryRecord::default() };
        let seeker: SeekerRecord = serde_json::from_value(json!({
            "pk": "SEEKER#S", "sk": "PROFILE", "seekerId": "S", "region": "11", "level": "guided",
            "registeredAt": "2026-12-01T09:00:00.000Z", "nextContactDue": "2026-12-08T09:00:00.000Z"
        }))
        .unwrap();
        let row = serde_json::to_value(seeker_row(&summary, &seeker, None)).unwrap();
        assert_eq!(
            row,
            json!({"seekerId": "S", "advisorId": null, "lastMessage": null, "unread": 0, "readUpTo": null,
                   "otherReadUpTo": null, "advisor": null})
        );
        let row = serde_json::to_value(advisor_row(&summary, "A", &seeker)).unwrap();
        assert_eq!(row["advisorId"], "A");
        assert_eq!(row["seeker"], json!({"seekerId": "S", "firstName": null, "lastName": null, "level": "guided"}));
        assert!(row.get("advisor").is_none());
    }
}
