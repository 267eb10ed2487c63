//! Lambda entry point of the advisors' daily digest: wiring only.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = reminders::App::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<EventBridgeEvent>| async move {
        reminders::handle_digest(app, event.payload).await
    }))
    .await
}
