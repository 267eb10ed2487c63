//! Lambda entry point of the call routes: wiring only (see the library for the handler).

use lambda_http::{run, service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = calls::App::from_env().await?;
    let app = &app;
    run(service_fn(move |request: Request| async move { calls::handle(app, request).await })).await
}
