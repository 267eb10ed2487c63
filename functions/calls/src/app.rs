//! What both functions need, built once per cold start.

use api::config::Config;
use lambda_http::Error;
use store::Store;

use crate::settings::CallSettings;
use crate::voice::Voice;

/// What both functions need, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub settings: CallSettings,
    pub voice: Voice,
    pub push: chat::push::Pusher,
    /// The video meetings' Chime client: a dial-in creates the phone leg's attendee.
    pub meetings: meetings::Chime,
}

impl App {
    pub async fn from_env() -> Result<App, Error> {
        let config = Config::from_env()?;
        let settings = CallSettings::from_env()?;
        let sdk = aws_config::load_from_env().await;
        // The handler runs in the SIP media application's region (infra/pstn-audio.yaml); the
        // table and the WebSocket API are in the main stack's (MAIN_REGION).
        let main = match std::env::var("MAIN_REGION").ok().filter(|r| !r.is_empty()) {
            Some(region) => sdk.to_builder().region(aws_config::Region::new(region)).build(),
            None => sdk.clone(),
        };
        let store = Store::new(aws_sdk_dynamodb::Client::new(&main), config.table_name.clone());
        let voice = Voice::new(&sdk, settings.voice_region.as_deref());
        let push = chat::push::Pusher::new(&main);
        let control_region = std::env::var("CHIME_CONTROL_REGION").ok().filter(|r| !r.is_empty());
        let meetings = meetings::Chime::new(&sdk, control_region.as_deref());
        Ok(App { store, config, settings, voice, push, meetings })
    }
}
