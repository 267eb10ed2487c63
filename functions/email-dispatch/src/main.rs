//! Lambda entry point: wiring only (see the library for the handler).

use aws_lambda_events::event::dynamodb::Event;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = email_dispatch::App::from_env().await?;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<Event>| async move {
        let deadline = email_dispatch::deadline_of(&event.context);
        email_dispatch::handle(app, event.payload, deadline).await
    }))
    .await
}
