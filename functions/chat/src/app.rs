//! What the handlers need, built once per cold start, and the chat's settings.

use api::config::Config;
use store::Store;

use crate::push::Pusher;
use crate::token::{TokenSettings, TokenVerifier};

/// Chat settings from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatConfig {
    /// Messages a user may send in one minute (API contract: 30).
    pub rate_limit_per_minute: u32,
    /// `typing` and `markRead` frames a user may send in one minute, each kind counted apart.
    pub signal_limit_per_minute: u32,
    /// How long messages are kept (GDPR: bounded retention; default 24 months).
    pub message_retention_days: u32,
    pub token: TokenSettings,
}

impl ChatConfig {
    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<ChatConfig, ChatConfigError> {
        let positive = |key: &str, default: u32| -> Result<u32, ChatConfigError> {
            match lookup(key).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|d| *d > 0)
                    .ok_or_else(|| config_error(format!("{key} must be a positive number"))),
            }
        };
        let required =
            |key: &str| lookup(key).filter(|v| !v.is_empty()).ok_or_else(|| config_error(format!("{key} is not set")));
        let issuer = required("JWT_ISSUER")?.trim_end_matches('/').to_owned();
        let jwks_url =
            lookup("JWKS_URL").filter(|v| !v.is_empty()).unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
        Ok(ChatConfig {
            rate_limit_per_minute: positive("CHAT_RATE_LIMIT_PER_MINUTE", 30)?,
            signal_limit_per_minute: positive("CHAT_SIGNALS_PER_MINUTE", 60)?,
            message_retention_days: positive("CHAT_RETENTION_DAYS", 730)?,
            token: TokenSettings { issuer, audience: required("JWT_AUDIENCE")?, jwks_url },
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ChatConfigError(String);

fn config_error(message: String) -> ChatConfigError {
    ChatConfigError(message)
}

/// What the handlers need, built once per cold start.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub chat: ChatConfig,
    pub push: Pusher,
    pub tokens: TokenVerifier,
}

impl App {
    pub async fn from_env() -> Result<App, lambda_runtime::Error> {
        App::from_lookup(|key| std::env::var(key).ok()).await
    }

    /// Builds the app from `lookup` (the local gateway passes its own JWT settings this way).
    pub async fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<App, lambda_runtime::Error> {
        let config = Config::from_lookup(&lookup)?;
        let chat = ChatConfig::from_lookup(&lookup)?;
        let sdk = aws_config::load_from_env().await;
        Ok(App {
            store: Store::new(aws_sdk_dynamodb::Client::new(&sdk), config.table_name.clone()),
            push: Pusher::new(&sdk),
            tokens: TokenVerifier::new(chat.token.clone()),
            config,
            chat,
        })
    }
}
