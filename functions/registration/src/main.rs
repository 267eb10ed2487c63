//! Lambda entry point: wiring only. The handler lives in the library so the
//! local gateway and the tests run the very same code.

use lambda_http::{run, service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = registration::App::from_env().await?;
    let app = &app;
    run(service_fn(move |request: Request| async move { registration::handle(app, request).await })).await
}
