//! Step Functions, locally: runs a state machine of `template.yaml` (its inline `Definition`)
//! as AWS would, for the subset of the Amazon States Language the template uses: `Task`
//! states invoking a hosted function (`arn:aws:states:::lambda:invoke`, result
//! `{"Payload": …}`), `Map` states (inline, `ItemsPath`, `ItemSelector` with
//! `$$.Map.Item.Value`/`Index`, `MaxConcurrency`, results in item order), `Pass`;
//! `Parameters`/`ResultSelector` with `.$` paths, `ResultPath`, `OutputPath`, and `Retry`
//! (`States.ALL` or `States.TaskFailed`, with AWS's intervals and backoff). Anything else is
//! refused when the gateway starts, so a definition cannot silently run differently here.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{json, Map, Value};

use crate::functions::Functions;
use crate::template::StateMachine;

/// Runs `machine` on `input` (an execution); its output, or the error that failed it.
pub async fn execute(functions: &Functions, machine: &StateMachine, input: Value) -> Result<Value> {
    run_states(functions, machine, &machine.definition, input).await
}

/// Refuses a definition this emulator would not run as AWS does; the functions its Tasks invoke.
pub fn check(machine: &StateMachine) -> Result<Vec<String>> {
    let mut functions = Vec::new();
    check_states(machine, &machine.definition, &mut functions)?;
    Ok(functions)
}

fn check_states(machine: &StateMachine, definition: &Value, functions: &mut Vec<String>) -> Result<()> {
    let states = definition["States"].as_object().context("a definition needs States")?;
    let start = definition["StartAt"].as_str().context("a definition needs StartAt")?;
    if !states.contains_key(start) {
        bail!("{}: StartAt {start} is not a state", machine.name);
    }
    for (name, state) in states {
        for field in state.as_object().into_iter().flatten().map(|(k, _)| k.as_str()) {
            let known = [
                "Type",
                "Next",
                "End",
                "Comment",
                "Resource",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "OutputPath",
                "Retry",
                "ItemsPath",
                "ItemSelector",
                "MaxConcurrency",
                "ItemProcessor",
                "Iterator",
                "Result",
            ];
            if !known.contains(&field) {
                bail!("{}: state {name} uses {field}, which the local stack does not run", machine.name);
            }
        }
        match state["Type"].as_str() {
            Some("Task") => {
                if state["Resource"] != "arn:aws:states:::lambda:invoke" {
                    bail!("{}: task {name} must use arn:aws:states:::lambda:invoke", machine.name);
                }
                let function_name =
                    state["Parameters"]["FunctionName"].as_str().context("a task needs Parameters.FunctionName")?;
                let function = machine
                    .function(function_name)
                    .with_context(|| format!("{}: {function_name} is not a DefinitionSubstitution", machine.name))?;
                functions.push(function.to_owned());
            }
            Some("Map") => {
                let processor = state
                    .get("ItemProcessor")
                    .or_else(|| state.get("Iterator"))
                    .context("a Map needs ItemProcessor")?;
                if let Some(mode) = processor["ProcessorConfig"]["Mode"].as_str() {
                    if mode != "INLINE" {
                        bail!("{}: map {name} must be INLINE locally", machine.name);
                    }
                }
                check_states(machine, processor, functions)?;
            }
            Some("Pass") => {}
            other => bail!("{}: state {name} of type {other:?} is not run by the local stack", machine.name),
        }
        if state["End"] != true && state["Next"].as_str().is_none_or(|next| !states.contains_key(next)) {
            bail!("{}: state {name} needs End or a Next that exists", machine.name);
        }
    }
    Ok(())
}

fn run_states<'a>(
    functions: &'a Functions,
    machine: &'a StateMachine,
    definition: &'a Value,
    input: Value,
) -> BoxFuture<'a, Result<Value>> {
    Box::pin(async move {
        let mut name = definition["StartAt"].as_str().context("StartAt")?;
        let mut data = input;
        loop {
            let state = &definition["States"][name];
            let result = match state["Type"].as_str() {
                Some("Task") => task(functions, machine, state, &data).await,
                Some("Map") => map(functions, machine, state, &data).await,
                Some("Pass") => Ok(state.get("Result").cloned().unwrap_or_else(|| data.clone())),
                other => Err(anyhow!("state type {other:?}")),
            }
            .with_context(|| format!("{}: state {name} failed", machine.name))?;
            let result = match state.get("ResultSelector") {
                Some(selector) => resolve(selector, &result, &Value::Null)?,
                None => result,
            };
            data = place(data, state.get("ResultPath"), result)?;
            if let Some(path) = state.get("OutputPath").and_then(Value::as_str) {
                data = select(&data, path)?;
            }
            if state["End"] == true {
                return Ok(data);
            }
            name = state["Next"].as_str().context("Next")?;
        }
    })
}

/// A Task: the function's result as the Lambda integration returns it, with the state's retries.
async fn task(functions: &Functions, machine: &StateMachine, state: &Value, data: &Value) -> Result<Value> {
    let parameters = resolve(&state["Parameters"], data, &Value::Null)?;
    let function_name = parameters["FunctionName"].as_str().context("FunctionName")?;
    let function = machine.function(function_name).context("FunctionName names no function")?;
    let payload = parameters.get("Payload").cloned().unwrap_or(Value::Null);
    let mut attempt = 0u32;
    loop {
        match functions.invoke_task(function, payload.clone()).await {
            Ok(result) => return Ok(json!({"Payload": result, "StatusCode": 200, "ExecutedVersion": "$LATEST"})),
            Err(error) => {
                let Some(wait) = retry_after(state, attempt) else {
                    return Err(anyhow!("{function} failed: {error}"));
                };
                tracing::warn!(function, attempt, error = %error, "state machine task failed; retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
    }
}

/// The pause before retry number `attempt + 1`, if the state's `Retry` allows one.
fn retry_after(state: &Value, attempt: u32) -> Option<Duration> {
    let retrier = state["Retry"].as_array()?.iter().find(|r| {
        r["ErrorEquals"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e == "States.ALL" || e == "States.TaskFailed"))
    })?;
    let max_attempts = retrier["MaxAttempts"].as_u64().unwrap_or(3);
    if u64::from(attempt) >= max_attempts {
        return None;
    }
    let interval = retrier["IntervalSeconds"].as_f64().unwrap_or(1.0);
    let backoff = retrier["BackoffRate"].as_f64().unwrap_or(2.0);
    Some(Duration::from_secs_f64(interval * backoff.powi(attempt as i32)))
}

/// A Map: each item through the processor, `MaxConcurrency` at once, results in item order.
async fn map(functions: &Functions, machine: &StateMachine, state: &Value, data: &Value) -> Result<Value> {
    let items = match state.get("ItemsPath").and_then(Value::as_str) {
        Some(path) => select(data, path)?,
        None => data.clone(),
    };
    let items = items.as_array().context("ItemsPath must select an array")?.clone();
    let processor = state.get("ItemProcessor").or_else(|| state.get("Iterator")).context("ItemProcessor")?;
    // 0 (or none) is "as many as possible": AWS runs up to 40 inline iterations at once.
    let concurrency = match state["MaxConcurrency"].as_u64() {
        Some(n) if n > 0 => n as usize,
        _ => 40,
    };
    let inputs = items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let context = json!({"Map": {"Item": {"Index": index, "Value": item}}});
            match state.get("ItemSelector").or_else(|| state.get("Parameters")) {
                Some(selector) => resolve(selector, data, &context),
                None => Ok(item),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let results: Vec<Value> =
        stream::iter(inputs.into_iter().map(|input| run_states(functions, machine, processor, input)))
            .buffered(concurrency)
            .try_collect()
            .await?;
    Ok(Value::Array(results))
}

/// A payload template: keys ending in `.$` take the value at their path (`$…` in `input`,
/// `$$…` in the context object); the others are copied, objects resolved in turn.
pub fn resolve(template: &Value, input: &Value, context: &Value) -> Result<Value> {
    match template {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (key, value) in fields {
                match key.strip_suffix(".$") {
                    Some(name) => {
                        let path = value.as_str().with_context(|| format!("{key} must be a path"))?;
                        let resolved = match path.strip_prefix('$') {
                            Some(rest) if rest.starts_with('$') => select(context, rest)?,
                            _ => select(input, path)?,
                        };
                        out.insert(name.to_owned(), resolved);
                    }
                    None => {
                        out.insert(key.clone(), resolve(value, input, context)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        other => Ok(other.clone()),
    }
}

/// The value at a reference path (`$`, `$.a.b`); a missing field fails, as in AWS (States.Runtime).
pub fn select(value: &Value, path: &str) -> Result<Value> {
    let rest = path.strip_prefix('$').with_context(|| format!("path {path} must start with $"))?;
    let mut at = value;
    for field in rest.split('.').filter(|f| !f.is_empty()) {
        at = at.get(field).with_context(|| format!("path {path}: no field {field}"))?;
    }
    Ok(at.clone())
}

/// `ResultPath`: where the state's result goes in its input (`$` or none: replaces it; `null`:
/// discarded).
fn place(data: Value, result_path: Option<&Value>, result: Value) -> Result<Value> {
    let path = match result_path {
        None => return Ok(result),
        Some(Value::Null) => return Ok(data),
        Some(path) => path.as_str().context("ResultPath must be a path")?,
    };
    let rest = path.strip_prefix('$').context("ResultPath must start with $")?;
    let fields: Vec<&str> = rest.split('.').filter(|f| !f.is_empty()).collect();
    let Some((last, parents)) = fields.split_last() else {
        return Ok(result);
    };
    let mut data = data;
    let mut at = &mut data;
    for field in parents {
        at = at
            .as_object_mut()
            .context("ResultPath into a non-object")?
            .entry(field.to_string())
            .or_insert_with(|| json!({}));
    }
    at.as_object_mut().context("ResultPath into a non-object")?.insert(last.to_string(), result);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_payload_templates_resolve_as_in_aws() {
        let input = json!({"plan": {"runAt": "T", "shards": [1, 2]}, "time": "now"});
        let context = json!({"Map": {"Item": {"Index": 1, "Value": {"bucket": "B"}}}});
        let selector = json!({"step": "send", "runAt.$": "$.plan.runAt", "shard.$": "$$.Map.Item.Value"});
        assert_eq!(
            resolve(&selector, &input, &context).unwrap(),
            json!({"step": "send", "runAt": "T", "shard": {"bucket": "B"}})
        );
        assert_eq!(select(&input, "$").unwrap(), input);
        assert!(select(&input, "$.missing").is_err(), "a missing field fails the state");
        let placed = place(input.clone(), Some(&json!("$.reports")), json!([3])).unwrap();
        assert_eq!(placed["reports"], json!([3]));
        assert_eq!(placed["time"], "now");
        assert_eq!(place(input.clone(), None, json!(1)).unwrap(), json!(1));
        assert_eq!(place(input.clone(), Some(&Value::Null), json!(1)).unwrap(), input);
    }

    #[test]
    fn retries_follow_the_states_retry_policy() {
        let state = json!({"Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 2, "BackoffRate": 2}]});
        assert_eq!(retry_after(&state, 0), Some(Duration::from_secs(5)));
        assert_eq!(retry_after(&state, 1), Some(Duration::from_secs(10)));
        assert_eq!(retry_after(&state, 2), None);
        assert_eq!(retry_after(&json!({}), 0), None);
    }

    #[test]
    fn the_project_state_machines_are_ones_the_local_stack_runs() {
        let template = crate::template::Template::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))
            .expect("template.yaml");
        assert!(!template.state_machines.is_empty());
        for machine in &template.state_machines {
            let functions = check(machine).expect("a definition the local stack runs");
            assert!(functions.iter().all(|f| f == "RemindersFunction"), "{functions:?}");
        }
    }
}
