//! Lambda entry point of the chat history routes (HTTP API): wiring only.

use lambda_http::{run, service_fn, Error, Request};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = chat::App::from_env().await?;
    let app = &app;
    run(service_fn(move |request: Request| async move { chat::handle_http(app, request).await })).await
}
