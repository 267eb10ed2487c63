//! Lambda entry point of the SIP media application's handler (invoked by the PSTN audio
//! service): wiring only.

use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = calls::App::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<Value>| async move { calls::handler::handle(app, event.payload).await }))
        .await
}
