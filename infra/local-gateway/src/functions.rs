//! The functions the local gateway hosts, by their logical id in
//! `template.yaml`, each calling the same library handler its Lambda binary runs.

use anyhow::{bail, Result};
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use lambda_http::{Body, Request, Response};

use crate::template::Template;

pub struct Functions {
    registration: registration::App,
    booking: booking::App,
    email_dispatch: email_dispatch::App,
}

const HTTP_FUNCTIONS: [&str; 2] = ["RegistrationFunction", "BookingFunction"];
const STREAM_FUNCTIONS: [&str; 1] = ["EmailDispatchFunction"];

impl Functions {
    pub async fn from_env() -> Result<Functions> {
        Ok(Functions {
            registration: registration::App::from_env().await.map_err(|e| anyhow::anyhow!("registration: {e}"))?,
            booking: booking::App::from_env().await.map_err(|e| anyhow::anyhow!("booking: {e}"))?,
            email_dispatch: email_dispatch::App::from_env()
                .await
                .map_err(|e| anyhow::anyhow!("email-dispatch: {e}"))?,
        })
    }

    /// Refuses to start when the template names a function the gateway cannot run.
    pub fn check(template: &Template) -> Result<()> {
        for route in &template.routes {
            if !HTTP_FUNCTIONS.contains(&route.function.as_str()) {
                bail!("template route {} names {}, which the local gateway does not host", route.key(), route.function);
            }
        }
        for stream in &template.streams {
            if !STREAM_FUNCTIONS.contains(&stream.function.as_str()) {
                bail!("template stream consumer {} is not hosted by the local gateway", stream.function);
            }
        }
        Ok(())
    }

    /// Invokes an HTTP function as Lambda would; `Err` is what API Gateway turns into a 500.
    pub async fn invoke_http(&self, function: &str, request: Request) -> Result<Response<Body>, lambda_http::Error> {
        match function {
            "RegistrationFunction" => registration::handle(&self.registration, request).await,
            "BookingFunction" => booking::handle(&self.booking, request).await,
            other => Err(format!("function {other} is not hosted").into()),
        }
    }

    pub async fn invoke_stream(
        &self,
        function: &str,
        event: Event,
    ) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
        match function {
            "EmailDispatchFunction" => email_dispatch::handle(&self.email_dispatch, event).await,
            other => Err(format!("function {other} is not hosted").into()),
        }
    }
}
