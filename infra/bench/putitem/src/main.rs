//! The Rust baseline of the cold-start benchmark: the same write as the Node.js 20 handler of
//! `infra/bench/node-coldstart` (one `PutItem` with the SDK, client made at init), under the
//! `lambda_runtime` crate the project's functions use. No tracing, no configuration beyond
//! `TABLE_NAME`: what is left is the runtime, the SDK and one write.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
    let client = aws_sdk_dynamodb::Client::new(&aws_config::load_from_env().await);
    let (client, table) = (&client, table.as_str());
    run(service_fn(move |event: LambdaEvent<Value>| async move {
        let id = match &event.payload["id"] {
            Value::String(id) => id.clone(),
            other => other.to_string(),
        };
        client
            .put_item()
            .table_name(table)
            .item("pk", AttributeValue::S(format!("COLDSTART#{id}")))
            .item("sk", AttributeValue::S("COLDSTART".into()))
            .item("runtime", AttributeValue::S("rust".into()))
            .item("at", AttributeValue::S(chrono::Utc::now().to_rfc3339()))
            .send()
            .await?;
        Ok::<Value, Error>(json!({"id": id, "written": true}))
    }))
    .await
}
