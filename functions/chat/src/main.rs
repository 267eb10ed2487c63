//! Lambda entry point of the WebSocket relay: wiring only. The handler lives in
//! the library so the local gateway and the tests run the very same code.

use aws_lambda_events::event::apigw::ApiGatewayWebsocketProxyRequest;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::telemetry::init();
    let app = chat::App::from_env().await?;
    // The first $connect then skips the JWKS round trip.
    app.tokens.prefetch().await;
    let app = &app;
    run(service_fn(move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| async move {
        let deadline = api::deadline::of_context(&event.context);
        chat::handle_websocket(app, event.payload, deadline).await
    }))
    .await
}
