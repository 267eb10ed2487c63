//! Lambda entry point: wiring only (see the library for the handler).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = reminders::App::from_env().await?;
    let app = &app;
    run(service_fn(
        move |event: LambdaEvent<EventBridgeEvent>| async move { reminders::handle(app, event.payload).await },
    ))
    .await
}
