//! Lambda entry point of the email sweep (EventBridge schedule): wiring only (see
//! `email_dispatch::sweep`).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = email_dispatch::App::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<EventBridgeEvent<Value>>| async move {
        let deadline = email_dispatch::deadline_of(&event.context);
        email_dispatch::sweep::handle(app, event.payload, deadline).await
    }))
    .await
}
