//! Lambda entry point: wiring only (see the library for the handler).

use lambda_http::{run, service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    common::telemetry::init();
    let app = links::App::from_env().await?;
    let app = &app;
    run(service_fn(move |request: Request| async move { links::handle(app, request).await })).await
}
