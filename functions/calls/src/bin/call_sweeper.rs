//! Lambda entry point of the call sweeper (EventBridge schedule): wiring only.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = calls::App::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<EventBridgeEvent<Value>>| async move {
        calls::sweeper::handle(app, event.payload).await.map(|_| ())
    }))
    .await
}
