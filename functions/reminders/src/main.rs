//! Lambda entry point: wiring only (see the library for the handler).

use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = reminders::App::from_env().await?;
    let app = &app;
    run(service_fn(
        move |event: LambdaEvent<reminders::RunStep>| async move { reminders::handle(app, event.payload).await },
    ))
    .await
}
