//! What the handler needs, built once per cold start.

use api::config::Config;
use lambda_http::Error;
use store::Store;

/// What the handler needs, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    /// Booking's operations: a seeker who changes advisor takes their interviews and
    /// in-person requests along (`booking::handover`), with booking's emails and links.
    pub booking: booking::App,
}

impl App {
    pub async fn from_env() -> Result<App, Error> {
        let config = Config::from_env()?;
        let store = Store::from_env(config.table_name.clone()).await;
        let booking = booking::App::from_env().await?;
        Ok(App { store, config, booking })
    }
}
