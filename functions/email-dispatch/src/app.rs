//! What the stream handler and the sweep need, built once per cold start, and the invocation's
//! deadline.

use api::config::Config;
use chrono::{DateTime, Utc};
use store::Store;

use crate::render::Renderer;
use crate::ses::Ses;
use crate::sns::Sns;

pub struct App {
    pub store: Store,
    pub ses: Ses,
    pub sender: String,
    pub renderer: Renderer,
    pub retention_days: u32,
    /// SMS (module `sms`): SNS and the sender id they carry.
    pub sns: Sns,
    pub sms_sender_id: String,
}

impl App {
    pub async fn from_env() -> Result<App, lambda_runtime::Error> {
        let config = Config::from_env()?;
        let sdk = aws_config::load_from_env().await;
        Ok(App {
            store: Store::new(aws_sdk_dynamodb::Client::new(&sdk), config.table_name.clone()),
            ses: Ses::new(&sdk),
            sender: config.sender_email.clone(),
            renderer: Renderer::new(),
            retention_days: config.retention_days,
            sns: Sns::new(&sdk),
            sms_sender_id: config.sms_sender_id.clone(),
        })
    }
}

/// What an invocation assumes it has left when its runtime gives no deadline (cargo-lambda's
/// Runtime API emulator sends none): the smaller of the two functions' timeouts (10 s).
const TIME_LEFT_WITHOUT_DEADLINE: chrono::Duration = chrono::Duration::seconds(10);

/// The instant Lambda ends this invocation (`Context::deadline`, epoch milliseconds), or
/// [`TIME_LEFT_WITHOUT_DEADLINE`] from now when the runtime sent none (0, or already past).
pub fn deadline_of(context: &lambda_runtime::Context) -> DateTime<Utc> {
    let now = Utc::now();
    i64::try_from(context.deadline)
        .ok()
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .filter(|deadline| *deadline > now)
        .unwrap_or(now + TIME_LEFT_WITHOUT_DEADLINE)
}

/// Runs `work` under `deadline` as the DynamoDB calls read it ([`store::deadline`]).
pub(crate) async fn within_deadline<F: std::future::Future>(deadline: DateTime<Utc>, work: F) -> F::Output {
    store::deadline::within(store::deadline::instant_of(deadline.into()), work).await
}
