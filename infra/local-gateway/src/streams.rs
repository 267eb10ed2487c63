//! The table's stream, delivered to its consumers as Lambda's DynamoDB event
//! source mapping does: batches of at most `BatchSize` records in the Lambda
//! event format, filtered by the template's `FilterCriteria`, failed records
//! (`ReportBatchItemFailures`) retried from the first failure with a pause,
//! and after `MaximumRetryAttempts` written to the on-failure destination
//! (`.local/dead-letter/<function>.jsonl`) so nothing is dropped silently.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::template::StreamConsumer;
use crate::Gateway;

/// The DynamoDB Streams API of DynamoDB Local, spoken directly: its records
/// are already in the JSON shape Lambda events carry, and passing them through
/// keeps them byte-for-byte what the emulator produced.
#[derive(Clone)]
pub struct StreamsApi {
    pub http: reqwest::Client,
    pub endpoint: String,
    pub region: String,
}

impl StreamsApi {
    async fn call(&self, operation: &str, body: Value) -> Result<Value> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", format!("DynamoDBStreams_20120810.{operation}"))
            // DynamoDB Local reads the access key and region from the credential scope and checks no signature.
            .header(
                "authorization",
                format!("AWS4-HMAC-SHA256 Credential=local/20260101/{}/dynamodb/aws4_request, SignedHeaders=host, Signature=0", self.region),
            )
            .body(body.to_string())
            .send()
            .await
            .with_context(|| format!("{operation}: DynamoDB Local unreachable"))?;
        let status = response.status();
        let value: Value = response.json().await.with_context(|| format!("{operation}: not JSON"))?;
        if !status.is_success() {
            bail!("{operation}: {status} {value}");
        }
        Ok(value)
    }
}

/// DynamoDB Local writes an empty map as `{}` in stream records, where AWS writes `{"M": {}}`; put it right.
pub fn normalise_attribute(value: &mut Value) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    if object.is_empty() {
        object.insert("M".into(), json!({}));
        return;
    }
    if let Some(Value::Object(map)) = object.get_mut("M") {
        map.values_mut().for_each(normalise_attribute);
    }
    if let Some(Value::Array(list)) = object.get_mut("L") {
        list.iter_mut().for_each(normalise_attribute);
    }
}

fn normalise_image(image: Option<&mut Value>) {
    if let Some(Value::Object(map)) = image {
        map.values_mut().for_each(normalise_attribute);
    }
}

/// One stream record in the Lambda DynamoDB event format.
pub fn record_json(mut record: Value, stream_arn: &str, region: &str) -> Value {
    if let Some(change) = record.get_mut("dynamodb") {
        normalise_image(change.get_mut("Keys"));
        normalise_image(change.get_mut("NewImage"));
        normalise_image(change.get_mut("OldImage"));
    }
    record["awsRegion"] = json!(region);
    record["eventSource"] = json!("aws:dynamodb");
    record["eventSourceARN"] = json!(stream_arn);
    record
}

/// Lambda event filtering (the subset the template uses): arrays of allowed
/// values, `{"prefix": …}`, `{"exists": bool}`, nested objects.
pub fn matches(pattern: &Value, event: &Value) -> bool {
    let Some(pattern) = pattern.as_object() else {
        return false;
    };
    pattern.iter().all(|(key, rule)| {
        let value = event.get(key);
        match rule {
            Value::Object(_) => value.is_some_and(|v| matches(rule, v)),
            Value::Array(allowed) => allowed.iter().any(|a| match a {
                Value::Object(op) => {
                    if let Some(prefix) = op.get("prefix").and_then(Value::as_str) {
                        value.and_then(Value::as_str).is_some_and(|v| v.starts_with(prefix))
                    } else if let Some(exists) = op.get("exists").and_then(Value::as_bool) {
                        value.is_some() == exists
                    } else {
                        false
                    }
                }
                scalar => value == Some(scalar),
            }),
            scalar => value == Some(scalar),
        }
    })
}

/// Polls every shard of the table's stream and feeds the consumers, forever.
pub async fn run(gateway: Arc<Gateway>, api: StreamsApi, stream_arn: String) {
    let mut iterators: HashMap<String, Option<String>> = HashMap::new();
    // The last sequence number read from each shard: where a new iterator resumes.
    let mut positions: HashMap<String, String> = HashMap::new();
    loop {
        if let Err(error) = poll_once(&gateway, &api, &stream_arn, &mut iterators, &mut positions).await {
            tracing::warn!(error = %format!("{error:#}"), "stream poll failed; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn poll_once(
    gateway: &Gateway,
    api: &StreamsApi,
    stream_arn: &str,
    iterators: &mut HashMap<String, Option<String>>,
    positions: &mut HashMap<String, String>,
) -> Result<()> {
    let description = api.call("DescribeStream", json!({"StreamArn": stream_arn})).await?;
    let shard_ids: Vec<String> = description["StreamDescription"]["Shards"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["ShardId"].as_str().map(str::to_owned))
        .collect();
    for shard_id in shard_ids {
        if !iterators.contains_key(&shard_id) {
            let output = api
                .call(
                    "GetShardIterator",
                    json!({"StreamArn": stream_arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}),
                )
                .await?;
            iterators.insert(shard_id.clone(), output["ShardIterator"].as_str().map(str::to_owned));
        }
        // A closed and fully read shard has no iterator any more.
        let Some(Some(iterator)) = iterators.get(&shard_id).cloned() else {
            continue;
        };
        let output = match api.call("GetRecords", json!({"ShardIterator": iterator, "Limit": 1000})).await {
            Ok(output) => output,
            Err(error) => {
                // An iterator past its life (expired, or pointing below the trim horizon) is
                // replaced, as Lambda's event source mapping does; retrying it would stall
                // this shard, and every shard after it, for good.
                let text = format!("{error:#}");
                let fresh = if text.contains("TrimmedDataAccessException") {
                    Some(json!({"StreamArn": stream_arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}))
                } else if text.contains("ExpiredIteratorException") {
                    Some(match positions.get(&shard_id) {
                        Some(sequence) => json!({"StreamArn": stream_arn, "ShardId": shard_id,
                            "ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": sequence}),
                        None => {
                            json!({"StreamArn": stream_arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"})
                        }
                    })
                } else {
                    None
                };
                match fresh {
                    Some(request) => {
                        tracing::warn!(shard = %shard_id, error = %text, "stream iterator no longer valid; taking a new one");
                        let output = api.call("GetShardIterator", request).await?;
                        iterators.insert(shard_id.clone(), output["ShardIterator"].as_str().map(str::to_owned));
                    }
                    // Another shard's records need not wait for this one's failure.
                    None => tracing::warn!(shard = %shard_id, error = %text, "stream shard read failed; retrying"),
                }
                continue;
            }
        };
        if let Some(last) = output["Records"].as_array().and_then(|r| r.last()) {
            if let Some(sequence) = last["dynamodb"]["SequenceNumber"].as_str() {
                positions.insert(shard_id.clone(), sequence.to_owned());
            }
        }
        let records: Vec<Value> = output["Records"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|r| record_json(r, stream_arn, &api.region))
            .collect();
        for consumer in &gateway.template.streams {
            let selected: Vec<Value> = records
                .iter()
                .filter(|r| consumer.filters.is_empty() || consumer.filters.iter().any(|f| matches(f, r)))
                .cloned()
                .collect();
            for batch in selected.chunks(consumer.batch_size.max(1)) {
                deliver(gateway, consumer, batch.to_vec()).await;
            }
        }
        iterators.insert(shard_id, output["NextShardIterator"].as_str().map(str::to_owned));
    }
    Ok(())
}

/// Invokes a consumer until the batch succeeds, retrying from the first failed record.
async fn deliver(gateway: &Gateway, consumer: &StreamConsumer, mut batch: Vec<Value>) {
    let mut attempt = 0;
    while !batch.is_empty() {
        let event: aws_lambda_events::event::dynamodb::Event = match serde_json::from_value(json!({"Records": batch})) {
            Ok(event) => event,
            Err(error) => {
                tracing::error!(%error, "stream event did not convert");
                return;
            }
        };
        let first_failure = match gateway
            .functions
            .invoke_stream(&consumer.function, event, gateway.template.deadline(&consumer.function))
            .await
        {
            Ok(response) => response
                .batch_item_failures
                .iter()
                .filter_map(|f| f.item_identifier.as_deref())
                .filter_map(|id| batch.iter().position(|r| r["dynamodb"]["SequenceNumber"].as_str() == Some(id)))
                .min(),
            Err(error) => {
                tracing::warn!(function = %consumer.function, %error, "stream batch failed");
                Some(0)
            }
        };
        let Some(index) = first_failure else { return };
        attempt += 1;
        if attempt > consumer.max_retries {
            dead_letter(&consumer.function, &batch[index..]);
            return;
        }
        batch.drain(..index);
        tokio::time::sleep(Duration::from_millis((200 * u64::from(attempt)).min(2000))).await;
    }
}

fn dead_letter(function: &str, records: &[Value]) {
    let dir = PathBuf::from(".local/dead-letter");
    let path = dir.join(format!("{function}.jsonl"));
    let lines: String = records
        .iter()
        .map(|r| json!({"function": function, "sequenceNumber": r["dynamodb"]["SequenceNumber"], "keys": r["dynamodb"]["Keys"]}).to_string() + "\n")
        .collect();
    let written = std::fs::create_dir_all(&dir).and_then(|_| {
        use std::io::Write;
        std::fs::OpenOptions::new().create(true).append(true).open(&path)?.write_all(lines.as_bytes())
    });
    tracing::error!(function, records = records.len(), path = %path.display(), ok = written.is_ok(), "records sent to the on-failure destination");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_filter_selects_outbox_inserts_only() {
        let pattern: Value = serde_json::from_str(
            r#"{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "OUTBOX"}]}}}}"#,
        )
        .unwrap();
        let event = |name: &str, sk: &str| json!({"eventName": name, "dynamodb": {"Keys": {"pk": {"S": "X"}, "sk": {"S": sk}}}});
        assert!(matches(&pattern, &event("INSERT", "OUTBOX#1")));
        assert!(!matches(&pattern, &event("MODIFY", "OUTBOX#1")));
        assert!(!matches(&pattern, &event("INSERT", "PROFILE")));
    }

    #[test]
    fn the_template_stream_takes_new_pending_emails_only() {
        let template =
            crate::template::Template::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml")).unwrap();
        let consumer = template.streams.iter().find(|s| s.function == "EmailDispatchFunction").unwrap();
        let event = |status: &str| {
            json!({"eventName": "INSERT", "dynamodb": {"Keys": {"pk": {"S": "X"}, "sk": {"S": "OUTBOX#1"}},
                   "NewImage": {"status": {"S": status}}}})
        };
        let taken = |e: &Value| consumer.filters.iter().any(|f| matches(f, e));
        assert!(taken(&event("pending")));
        // An email left sending (an interrupted send) is the sweep's, not the stream's.
        assert!(!taken(&event("sending")));
        assert_eq!(template.timeouts.get("EmailDispatchFunction"), Some(&std::time::Duration::from_secs(10)));
        assert_eq!(template.timeouts.get("EmailSweepFunction"), Some(&std::time::Duration::from_secs(60)));
        assert!(template.schedules.iter().any(|s| s.function == "EmailSweepFunction" && s.binary == "email-sweep"));
    }

    #[test]
    fn empty_maps_from_dynamodb_local_become_what_aws_sends() {
        let record = json!({"eventName": "INSERT", "awsRegion": "ddblocal", "dynamodb": {
            "Keys": {"pk": {"S": "A"}}, "NewImage": {"details": {}, "list": {"L": [{}]}, "m": {"M": {"x": {}}}}}});
        let fixed = record_json(record, "arn", "eu-west-3");
        assert_eq!(fixed["awsRegion"], "eu-west-3");
        assert_eq!(fixed["dynamodb"]["NewImage"]["details"], json!({"M": {}}));
        assert_eq!(fixed["dynamodb"]["NewImage"]["list"], json!({"L": [{"M": {}}]}));
        assert_eq!(fixed["dynamodb"]["NewImage"]["m"], json!({"M": {"x": {"M": {}}}}));
    }
}
