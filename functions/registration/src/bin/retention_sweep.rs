//! Lambda entry point of the retention job: wiring only (the job is `registration::retention`,
//! the erasure the one of `DELETE /seekers/me`).

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = registration::App::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<EventBridgeEvent>| async move {
        registration::handle_retention(app, event.payload).await
    }))
    .await
}
