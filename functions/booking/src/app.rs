//! What the handler needs, built once per cold start.

use api::config::Config;
use api::links::LinkSigner;
use lambda_http::Error;
use store::Store;

use crate::policy::BookingPolicy;

/// What the handler needs, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub policy: BookingPolicy,
    /// Signs the action links of the emails (acknowledge, cancel, accept, decline).
    pub links: LinkSigner,
}

impl App {
    pub async fn from_env() -> Result<App, Error> {
        let config = Config::from_env()?;
        let policy = BookingPolicy::from_env()?;
        let store = Store::from_env(config.table_name.clone()).await;
        // Links point at the HTTP API (`/links/{token}`), which may differ from the front end.
        let base = std::env::var("LINKS_BASE_URL").unwrap_or_else(|_| config.app_base_url.clone());
        let links = LinkSigner::from_env(base)?;
        Ok(App { store, config, policy, links })
    }
}
