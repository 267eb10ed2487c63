//! The Chime SDK Meetings adapter: the four calls the function makes, their
//! errors sorted into what the domain acts on (gone, unavailable, other), and
//! their answers read into the views the routes send (`views.rs`).

use std::time::Duration;

use api::error::BoxError;
use api::ApiError;
use aws_sdk_chimesdkmeetings::config::retry::RetryConfig;
use aws_sdk_chimesdkmeetings::config::timeout::TimeoutConfig;
use aws_sdk_chimesdkmeetings::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_chimesdkmeetings::types::{Attendee, Meeting};
use aws_sdk_chimesdkmeetings::Client;
use store::aws_error::Failure;

use crate::views::{AttendeeView, MeetingView};

/// What went wrong with a Chime call, as far as the domain cares.
#[derive(Debug, thiserror::Error)]
pub enum ChimeError {
    /// The meeting (or attendee) does not exist any more: ended, expired after 5 empty minutes, deleted.
    #[error("chime: not found")]
    NotFound,
    /// Throttled, failing or unreachable: nothing happened, the caller may retry.
    #[error("chime unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else (a refused request, an unexpected answer): a bug on our side.
    #[error("chime call failed")]
    Other(#[source] BoxError),
}

impl From<ChimeError> for ApiError {
    fn from(error: ChimeError) -> ApiError {
        match error {
            ChimeError::Unavailable(source) => ApiError::Unavailable(source),
            ChimeError::NotFound => ApiError::internal("chime resource not found"),
            ChimeError::Other(source) => ApiError::Internal(source),
        }
    }
}

fn classify<E, R>(error: SdkError<E, R>) -> ChimeError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match store::aws_error::failure_of(&error) {
        Failure::Transient(_) => ChimeError::Unavailable(Box::new(error)),
        Failure::Refused(Some("NotFoundException")) => ChimeError::NotFound,
        Failure::Refused(_) | Failure::Unexpected => ChimeError::Other(Box::new(error)),
    }
}

/// A meeting as the API answers it, with its id read out.
#[derive(Debug, Clone)]
pub struct MeetingInfo {
    pub meeting_id: String,
    /// `{MeetingId, ExternalMeetingId, MediaRegion, MediaPlacement{…}, MeetingArn, …}`.
    pub view: MeetingView,
}

/// An attendee as the API answers it.
#[derive(Debug, Clone)]
pub struct AttendeeInfo {
    pub attendee_id: String,
    pub external_user_id: String,
    /// `{ExternalUserId, AttendeeId, JoinToken, Capabilities{…}}`.
    pub view: AttendeeView,
}

#[derive(Clone, Debug)]
pub struct Chime {
    client: Client,
}

impl Chime {
    /// A client for a request path: few, quick retries, so a throttled join answers 503 within the Lambda timeout.
    /// `control_region` overrides the SDK's region (the function's) for the Chime API only.
    pub fn new(sdk: &aws_config::SdkConfig, control_region: Option<&str>) -> Chime {
        let mut builder = aws_sdk_chimesdkmeetings::config::Builder::from(sdk);
        if let Some(region) = control_region {
            builder = builder.region(aws_sdk_chimesdkmeetings::config::Region::new(region.to_owned()));
        }
        let config = builder
            .retry_config(RetryConfig::standard().with_max_attempts(2).with_initial_backoff(Duration::from_millis(100)))
            .timeout_config(TimeoutConfig::builder().operation_timeout(Duration::from_secs(4)).build())
            .build();
        Chime { client: Client::from_conf(config) }
    }

    /// One call's configuration: the client's timeouts, the operation ended at the invocation's
    /// *answer by* when it runs under a deadline ([`store::deadline`]).
    fn call_config(&self) -> aws_sdk_chimesdkmeetings::config::Builder {
        let mut config = aws_sdk_chimesdkmeetings::config::Builder::default();
        config.set_timeout_config(store::deadline::capped_timeouts(self.client.config().timeout_config()));
        config
    }

    /// `CreateMeeting`; the same `client_request_token` gives the same meeting, so concurrent first joins converge.
    pub async fn create_meeting(
        &self,
        client_request_token: &str,
        external_meeting_id: &str,
        media_region: &str,
    ) -> Result<MeetingInfo, ChimeError> {
        let output = self
            .client
            .create_meeting()
            .client_request_token(client_request_token)
            .external_meeting_id(external_meeting_id)
            .media_region(media_region)
            .customize()
            .config_override(self.call_config())
            .send()
            .await
            .map_err(classify)?;
        meeting_info(output.meeting())
    }

    pub async fn get_meeting(&self, meeting_id: &str) -> Result<MeetingInfo, ChimeError> {
        let output = self
            .client
            .get_meeting()
            .meeting_id(meeting_id)
            .customize()
            .config_override(self.call_config())
            .send()
            .await
            .map_err(classify)?;
        meeting_info(output.meeting())
    }

    /// `CreateAttendee`: Chime answers the existing attendee (with a fresh join token) for a known `ExternalUserId`.
    pub async fn create_attendee(&self, meeting_id: &str, external_user_id: &str) -> Result<AttendeeInfo, ChimeError> {
        let output = self
            .client
            .create_attendee()
            .meeting_id(meeting_id)
            .external_user_id(external_user_id)
            .customize()
            .config_override(self.call_config())
            .send()
            .await
            .map_err(classify)?;
        attendee_info(output.attendee())
    }

    /// `DeleteMeeting`; a meeting already gone counts as deleted.
    pub async fn delete_meeting(&self, meeting_id: &str) -> Result<(), ChimeError> {
        match self
            .client
            .delete_meeting()
            .meeting_id(meeting_id)
            .customize()
            .config_override(self.call_config())
            .send()
            .await
            .map_err(classify)
        {
            Ok(_) | Err(ChimeError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn meeting_info(meeting: Option<&Meeting>) -> Result<MeetingInfo, ChimeError> {
    let meeting = meeting.ok_or_else(|| ChimeError::Other("chime answered no meeting".into()))?;
    let meeting_id =
        meeting.meeting_id().ok_or_else(|| ChimeError::Other("chime answered a meeting without id".into()))?;
    Ok(MeetingInfo { meeting_id: meeting_id.to_owned(), view: MeetingView::from(meeting) })
}

fn attendee_info(attendee: Option<&Attendee>) -> Result<AttendeeInfo, ChimeError> {
    let attendee = attendee.ok_or_else(|| ChimeError::Other("chime answered no attendee".into()))?;
    let (Some(attendee_id), Some(external_user_id)) = (attendee.attendee_id(), attendee.external_user_id()) else {
        return Err(ChimeError::Other("chime answered an incomplete attendee".into()));
    };
    Ok(AttendeeInfo {
        attendee_id: attendee_id.to_owned(),
        external_user_id: external_user_id.to_owned(),
        view: AttendeeView::from(attendee),
    })
}
