//! Reads `template.yaml`: the routes, the table and the stream consumers the
//! local stack serves, so the deployed definition and the local one cannot drift.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_yaml::Value;

/// An HTTP API route: `METHOD /path/{param}` served by a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub function: String,
    /// False for routes declared with `Auth: {Authorizer: NONE}`.
    pub authorized: bool,
}

impl Route {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A DynamoDB stream event source mapping.
#[derive(Debug, Clone)]
pub struct StreamConsumer {
    pub function: String,
    pub batch_size: usize,
    pub max_retries: u32,
    pub filters: Vec<serde_json::Value>,
}

/// A scheduled (EventBridge) function.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub function: String,
    /// The function's binary (crate) name, `Metadata.BuildProperties.Binary`: what
    /// `POST /_local/schedule/{name}` takes.
    pub binary: String,
    /// The event's name under `Events` (part of the rule ARN in `resources`).
    pub event: String,
    /// The `Properties.Schedule` expression, e.g. `rate(15 minutes)`.
    pub expression: String,
}

/// An EventBridge rule (`Type: EventBridgeRule`) delivering matching events to a function.
#[derive(Debug, Clone)]
pub struct EventRule {
    pub function: String,
    /// The rule's `Pattern`, as JSON.
    pub pattern: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableSpec {
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeyElement>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<IndexSpec>,
    pub stream_specification: Option<StreamSpec>,
    pub time_to_live_specification: Option<TtlSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyElement {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexSpec {
    pub index_name: String,
    pub key_schema: Vec<KeyElement>,
    pub projection: ProjectionSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionSpec {
    pub projection_type: String,
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpec {
    pub stream_view_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TtlSpec {
    pub attribute_name: String,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub routes: Vec<Route>,
    pub table: TableSpec,
    pub streams: Vec<StreamConsumer>,
    pub schedules: Vec<Schedule>,
    pub rules: Vec<EventRule>,
}

fn string_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

impl Template {
    pub fn load(path: &str) -> Result<Template> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Template> {
        let doc: Value = serde_yaml::from_str(text).context("template.yaml is not valid YAML")?;
        let resources = doc.get("Resources").and_then(Value::as_mapping).context("template has no Resources")?;
        let mut routes = Vec::new();
        let mut streams = Vec::new();
        let mut schedules = Vec::new();
        let mut rules = Vec::new();
        let mut tables = BTreeMap::new();
        for (name, resource) in resources {
            let name = name.as_str().unwrap_or_default().to_owned();
            match string_at(resource, "Type") {
                Some("AWS::DynamoDB::Table") => {
                    let properties = resource.get("Properties").context("table without Properties")?.clone();
                    let spec: TableSpec = serde_yaml::from_value(properties)
                        .with_context(|| format!("table {name}: key properties must be literal"))?;
                    tables.insert(name, spec);
                }
                Some("AWS::Serverless::Function") => {
                    let events = resource.get("Properties").and_then(|p| p.get("Events")).and_then(Value::as_mapping);
                    let binary = resource
                        .get("Metadata")
                        .and_then(|m| m.get("BuildProperties"))
                        .and_then(|b| string_at(b, "Binary"))
                        .unwrap_or(name.as_str())
                        .to_owned();
                    for (event_name, event) in events.into_iter().flatten() {
                        let properties = event.get("Properties").cloned().unwrap_or(Value::Null);
                        match string_at(event, "Type") {
                            Some("HttpApi") => {
                                let (Some(path), Some(method)) =
                                    (string_at(&properties, "Path"), string_at(&properties, "Method"))
                                else {
                                    bail!("{name}: an HttpApi event needs Path and Method");
                                };
                                let authorized = properties
                                    .get("Auth")
                                    .and_then(|a| string_at(a, "Authorizer"))
                                    .is_none_or(|a| a != "NONE");
                                routes.push(Route {
                                    method: method.to_uppercase(),
                                    path: path.to_owned(),
                                    function: name.clone(),
                                    authorized,
                                });
                            }
                            Some("DynamoDB") => {
                                let filters = properties
                                    .get("FilterCriteria")
                                    .and_then(|f| f.get("Filters"))
                                    .and_then(Value::as_sequence)
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|f| string_at(f, "Pattern"))
                                    .map(|p| serde_json::from_str(p).with_context(|| format!("{name}: filter pattern")))
                                    .collect::<Result<Vec<_>>>()?;
                                streams.push(StreamConsumer {
                                    function: name.clone(),
                                    batch_size: properties.get("BatchSize").and_then(Value::as_u64).unwrap_or(100)
                                        as usize,
                                    max_retries: properties
                                        .get("MaximumRetryAttempts")
                                        .and_then(Value::as_u64)
                                        .unwrap_or(10) as u32,
                                    filters,
                                });
                            }
                            Some("Schedule") | Some("ScheduleV2") => {
                                let expression = string_at(&properties, "Schedule")
                                    .or_else(|| string_at(&properties, "ScheduleExpression"))
                                    .unwrap_or_default()
                                    .to_owned();
                                schedules.push(Schedule {
                                    function: name.clone(),
                                    binary: binary.clone(),
                                    event: event_name.as_str().unwrap_or_default().to_owned(),
                                    expression,
                                });
                            }
                            Some("EventBridgeRule") | Some("CloudWatchEvent") => {
                                let pattern = properties.get("Pattern").cloned().unwrap_or(Value::Null);
                                let pattern = serde_json::to_value(pattern)
                                    .with_context(|| format!("{name}: an EventBridgeRule pattern must be literal"))?;
                                if !pattern.is_object() {
                                    bail!("{name}: an EventBridgeRule needs a Pattern");
                                }
                                rules.push(EventRule { function: name.clone(), pattern });
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if tables.len() != 1 {
            bail!("expected exactly one AWS::DynamoDB::Table, found {}", tables.len());
        }
        let table = tables.into_values().next().context("one table")?;
        Ok(Template { routes, table, streams, schedules, rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_template_parses() {
        let template = Template::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml")).unwrap();
        assert!(template.routes.iter().any(|r| r.key() == "POST /seekers" && r.authorized));
        assert!(template.routes.iter().all(|r| !r.path.starts_with("/_local")), "local routes never in the template");
        assert_eq!(template.table.key_schema.len(), 2);
        assert!(template.table.stream_specification.is_some());
        assert!(template.streams.iter().any(|s| s.function == "EmailDispatchFunction" && !s.filters.is_empty()));
        assert!(template
            .rules
            .iter()
            .any(|r| r.function == "MeetingEventsFunction" && r.pattern["source"] == serde_json::json!(["aws.chime"])));
        assert!(template.schedules.iter().any(|s| s.function == "MeetingSweeperFunction"));
        let reminders = template.schedules.iter().find(|s| s.binary == "reminders").expect("reminders is scheduled");
        assert_eq!(reminders.expression, "rate(15 minutes)");
        assert!(template.schedules.iter().all(|s| crate::scheduler::Expression::parse(&s.expression).is_ok()));
    }

    /// `docs/openapi.yaml` documents exactly the routes of `template.yaml`
    /// (which the local gateway serves), and none of the local-only ones.
    #[test]
    fn openapi_document_matches_the_template() {
        use std::collections::BTreeSet;

        const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.yaml");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        let doc: Value = serde_yaml::from_str(&text).expect("docs/openapi.yaml is not valid YAML");
        let paths = doc.get("paths").and_then(Value::as_mapping).expect("docs/openapi.yaml has no paths");
        let mut documented = BTreeSet::new();
        for (route_path, item) in paths {
            let route_path = route_path.as_str().expect("a path is a string");
            let item = item.as_mapping().unwrap_or_else(|| panic!("path {route_path} is not a mapping"));
            for key in item.keys().filter_map(Value::as_str) {
                if METHODS.contains(&key) {
                    documented.insert(format!("{} {route_path}", key.to_uppercase()));
                }
            }
        }

        let template = Template::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml")).unwrap();
        let deployed: BTreeSet<String> = template.routes.iter().map(Route::key).collect();

        let local = |set: &BTreeSet<String>| -> Vec<String> {
            set.iter().filter(|k| k.split_once(' ').is_some_and(|(_, p)| p.starts_with("/_local"))).cloned().collect()
        };
        assert!(
            local(&documented).is_empty(),
            "local-only routes must not be in docs/openapi.yaml: {:?}",
            local(&documented)
        );
        assert!(local(&deployed).is_empty(), "local-only routes must not be in template.yaml: {:?}", local(&deployed));

        let undocumented: Vec<&String> = deployed.difference(&documented).collect();
        let not_deployed: Vec<&String> = documented.difference(&deployed).collect();
        assert!(
            undocumented.is_empty() && not_deployed.is_empty(),
            "docs/openapi.yaml and template.yaml disagree.\n  \
             in template.yaml but missing from docs/openapi.yaml: {undocumented:?}\n  \
             in docs/openapi.yaml but missing from template.yaml: {not_deployed:?}"
        );
        assert!(!deployed.is_empty(), "the template declares no HTTP routes");
    }
}
