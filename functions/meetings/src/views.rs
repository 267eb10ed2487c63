//! The bodies the meetings routes answer. `POST /interviews/{id}/meeting` answers the `Meeting`
//! and `Attendee` objects of the Chime SDK Meetings API, member names as the service spells them
//! (PascalCase), which is what `new MeetingSessionConfiguration(meeting, attendee)` of the Chime
//! SDK for JavaScript takes. Members Chime did not send are absent, never null. Fields are
//! declared in alphabetical order of their JSON names: the answer keeps the member order it
//! had when it was built as a sorted JSON map.

use aws_sdk_chimesdkmeetings::types::{Attendee, AttendeeCapabilities, MediaPlacement, Meeting};
use serde::Serialize;

/// `{"attendee": {...}, "meeting": {...}}`.
#[derive(Debug, Clone, Serialize)]
pub struct JoinView {
    pub attendee: AttendeeView,
    pub meeting: MeetingView,
}

/// The `Meeting` object of the Chime API.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MeetingView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_meeting_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_placement: Option<MediaPlacementView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_host_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_meeting_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenant_ids: Vec<String>,
}

/// Where the meeting's media is served.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MediaPlacementView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_fallback_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_host_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_ingestion_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_data_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_sharing_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_viewing_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signaling_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turn_control_url: Option<String>,
}

/// The `Attendee` object of the Chime API.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttendeeView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendee_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<CapabilitiesView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_token: Option<String>,
}

/// What the attendee may send and receive.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CapabilitiesView {
    pub audio: String,
    pub content: String,
    pub video: String,
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

impl From<&Meeting> for MeetingView {
    fn from(meeting: &Meeting) -> MeetingView {
        MeetingView {
            external_meeting_id: owned(meeting.external_meeting_id()),
            media_placement: meeting.media_placement().map(MediaPlacementView::from),
            media_region: owned(meeting.media_region()),
            meeting_arn: owned(meeting.meeting_arn()),
            meeting_host_id: owned(meeting.meeting_host_id()),
            meeting_id: owned(meeting.meeting_id()),
            primary_meeting_id: owned(meeting.primary_meeting_id()),
            tenant_ids: meeting.tenant_ids().to_vec(),
        }
    }
}

impl From<&MediaPlacement> for MediaPlacementView {
    fn from(placement: &MediaPlacement) -> MediaPlacementView {
        MediaPlacementView {
            audio_fallback_url: owned(placement.audio_fallback_url()),
            audio_host_url: owned(placement.audio_host_url()),
            event_ingestion_url: owned(placement.event_ingestion_url()),
            screen_data_url: owned(placement.screen_data_url()),
            screen_sharing_url: owned(placement.screen_sharing_url()),
            screen_viewing_url: owned(placement.screen_viewing_url()),
            signaling_url: owned(placement.signaling_url()),
            turn_control_url: owned(placement.turn_control_url()),
        }
    }
}

impl From<&Attendee> for AttendeeView {
    fn from(attendee: &Attendee) -> AttendeeView {
        AttendeeView {
            attendee_id: owned(attendee.attendee_id()),
            capabilities: attendee.capabilities().map(CapabilitiesView::from),
            external_user_id: owned(attendee.external_user_id()),
            join_token: owned(attendee.join_token()),
        }
    }
}

impl From<&AttendeeCapabilities> for CapabilitiesView {
    fn from(capabilities: &AttendeeCapabilities) -> CapabilitiesView {
        CapabilitiesView {
            audio: capabilities.audio().as_str().to_owned(),
            content: capabilities.content().as_str().to_owned(),
            video: capabilities.video().as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_chimesdkmeetings::types::MediaCapabilities;

    #[test]
    fn the_join_answer_spells_chime_members_in_sorted_order_and_omits_the_absent_ones() {
        let meeting = Meeting::builder()
            .meeting_id("M1")
            .external_meeting_id("I1")
            .media_region("eu-west-3")
            .media_placement(MediaPlacement::builder().audio_host_url("a:3478").signaling_url("wss://s").build())
            .meeting_arn("arn:m")
            .build();
        let attendee = Attendee::builder()
            .external_user_id("seeker-S1")
            .attendee_id("A1")
            .join_token("T")
            .capabilities(
                AttendeeCapabilities::builder()
                    .audio(MediaCapabilities::SendReceive)
                    .video(MediaCapabilities::SendReceive)
                    .content(MediaCapabilities::Receive)
                    .build()
                    .expect("all three capabilities set"),
            )
            .build();
        let view = JoinView { attendee: (&attendee).into(), meeting: (&meeting).into() };
        assert_eq!(
            serde_json::to_string(&view).expect("serialisable"),
            concat!(
                r#"{"attendee":{"AttendeeId":"A1","Capabilities":{"Audio":"SendReceive","Content":"Receive","#,
                r#""Video":"SendReceive"},"ExternalUserId":"seeker-S1","JoinToken":"T"},"#,
                r#""meeting":{"ExternalMeetingId":"I1","MediaPlacement":{"AudioHostUrl":"a:3478","#,
                r#""SignalingUrl":"wss://s"},"MediaRegion":"eu-west-3","MeetingArn":"arn:m","MeetingId":"M1"}}"#
            )
        );
    }
}
