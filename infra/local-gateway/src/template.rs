//! Reads `template.yaml`: the routes, the table and the stream consumers the
//! local stack serves, so the deployed definition and the local one cannot drift.

use std::collections::BTreeMap;
use std::time::Duration;

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

/// A Step Functions state machine (`AWS::Serverless::StateMachine`), run by `state_machine.rs`.
#[derive(Debug, Clone)]
pub struct StateMachine {
    /// Its logical id.
    pub name: String,
    /// `Definition`, as JSON (Amazon States Language).
    pub definition: serde_json::Value,
    /// `DefinitionSubstitutions`: each `${Name}` of the definition to the logical id it refers to.
    pub substitutions: BTreeMap<String, String>,
}

impl StateMachine {
    /// The function a Task's `FunctionName` (`${Substitution}` or a logical id) names.
    pub fn function<'a>(&'a self, function_name: &'a str) -> Option<&'a str> {
        match function_name.strip_prefix("${").and_then(|n| n.strip_suffix('}')) {
            Some(variable) => self.substitutions.get(variable).map(String::as_str),
            None => Some(function_name),
        }
    }
}

/// What `POST /_local/schedule/{name}` calls a scheduled state machine: its logical id without
/// `StateMachine`, in kebab case (`RemindersStateMachine` → `reminders`), as a function is called
/// by its binary.
pub fn state_machine_short_name(logical_id: &str) -> String {
    let stem = logical_id.strip_suffix("StateMachine").unwrap_or(logical_id);
    let mut out = String::new();
    for (i, c) in stem.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
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

/// A WebSocket API (`AWS::ApiGatewayV2::Api`, `ProtocolType: WEBSOCKET`) and its routes.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSocketApi {
    /// The logical id of the API.
    pub name: String,
    /// The frame field named by `RouteSelectionExpression: $request.body.<field>`.
    pub selection_field: String,
    pub routes: Vec<WebSocketRoute>,
}

/// A WebSocket route: `$connect`, `$disconnect`, `$default` or an action, served by a function.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSocketRoute {
    pub key: String,
    pub function: String,
    /// The route has a route response: the function's answer goes back on the connection.
    pub two_way: bool,
}

impl WebSocketApi {
    pub fn route(&self, key: &str) -> Option<&WebSocketRoute> {
        self.routes.iter().find(|r| r.key == key)
    }

    /// The route a frame selects, as API Gateway evaluates `$request.body.<field>`: a frame
    /// that is not a JSON object with that field as a string, or names no route, goes to
    /// `$default`.
    pub fn select(&self, body: &str) -> &str {
        let value: Option<serde_json::Value> = serde_json::from_str(body).ok();
        let selected = value
            .as_ref()
            .and_then(|v| v.get(&self.selection_field))
            .and_then(|v| v.as_str())
            .filter(|key| !key.starts_with('$'))
            .and_then(|key| self.route(key));
        match selected {
            Some(route) => &route.key,
            None => "$default",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    pub routes: Vec<Route>,
    pub table: TableSpec,
    pub streams: Vec<StreamConsumer>,
    pub schedules: Vec<Schedule>,
    pub websocket: Option<WebSocketApi>,
    pub rules: Vec<EventRule>,
    pub state_machines: Vec<StateMachine>,
    /// Each function's `Timeout` (its own, else `Globals.Function.Timeout`), by logical id.
    pub timeouts: BTreeMap<String, Duration>,
    /// The functions the PSTN audio service may invoke, from `infra/pstn-audio.yaml` (set by
    /// `main`, not by `parse`: another template, deployed in a region hosting SIP media applications).
    pub pstn_audio_handlers: Vec<String>,
}

/// Lambda's timeout when neither the function nor the globals set one.
const LAMBDA_DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

impl Template {
    /// How long an invocation of `function` may run, as Lambda enforces it in AWS.
    pub fn timeout_of(&self, function: &str) -> Duration {
        self.timeouts.get(function).copied().unwrap_or(LAMBDA_DEFAULT_TIMEOUT)
    }

    /// When an invocation of `function` starting now must end, as Lambda's context tells it.
    pub fn deadline(&self, function: &str) -> chrono::DateTime<chrono::Utc> {
        let timeout = chrono::Duration::from_std(self.timeout_of(function)).unwrap_or(chrono::Duration::seconds(3));
        chrono::Utc::now() + timeout
    }

    pub fn state_machine(&self, name: &str) -> Option<&StateMachine> {
        self.state_machines.iter().find(|m| m.name == name)
    }
}

/// The logical ids an intrinsic refers to: `!Ref X`, `!GetAtt X.Arn`, `${X}` / `${X.Arn}` in
/// `!Sub` (pseudo parameters such as `AWS::Region` left out), in short or long form, anywhere
/// inside `value`.
fn references(value: &Value) -> Vec<String> {
    fn from_sub(text: &str, out: &mut Vec<String>) {
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            rest = &rest[start + 2..];
            let Some(end) = rest.find('}') else { break };
            let name = rest[..end].split('.').next().unwrap_or_default();
            if !name.is_empty() && !name.starts_with("AWS::") && !name.starts_with('!') {
                out.push(name.to_owned());
            }
            rest = &rest[end + 1..];
        }
    }
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Tagged(tagged) => {
                let inner = &tagged.value;
                if tagged.tag == "Ref" || tagged.tag == "GetAtt" {
                    if let Some(name) = inner.as_str() {
                        out.push(name.split('.').next().unwrap_or_default().to_owned());
                        return;
                    }
                }
                if tagged.tag == "Sub" {
                    if let Some(text) = inner.as_str() {
                        from_sub(text, out);
                        return;
                    }
                    if let Some(text) = inner.get(0).and_then(Value::as_str) {
                        from_sub(text, out);
                    }
                }
                walk(inner, out);
            }
            Value::Mapping(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner) {
                        (Some("Ref"), Value::String(name)) => out.push(name.clone()),
                        (Some("Fn::GetAtt"), Value::String(name)) => {
                            out.push(name.split('.').next().unwrap_or_default().to_owned())
                        }
                        (Some("Fn::GetAtt"), Value::Sequence(parts)) => {
                            if let Some(name) = parts.first().and_then(Value::as_str) {
                                out.push(name.to_owned());
                            }
                        }
                        (Some("Fn::Sub"), Value::String(text)) => from_sub(text, out),
                        _ => walk(inner, out),
                    }
                }
            }
            Value::Sequence(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

/// Reads the WebSocket API, its routes, integrations and route responses.
fn websocket_api(resources: &serde_yaml::Mapping) -> Result<Option<WebSocketApi>> {
    let typed = |kind: &str| -> Vec<(String, &Value)> {
        resources
            .iter()
            .filter(|(_, r)| string_at(r, "Type") == Some(kind))
            .map(|(name, r)| (name.as_str().unwrap_or_default().to_owned(), r))
            .collect()
    };
    let apis: Vec<(String, &Value)> = typed("AWS::ApiGatewayV2::Api")
        .into_iter()
        .filter(|(_, r)| r.get("Properties").and_then(|p| string_at(p, "ProtocolType")) == Some("WEBSOCKET"))
        .collect();
    let (api_name, api) = match apis.as_slice() {
        [] => return Ok(None),
        [one] => one.clone(),
        _ => bail!("the local gateway serves one WebSocket API; the template has {}", apis.len()),
    };
    let expression = api.get("Properties").and_then(|p| string_at(p, "RouteSelectionExpression")).unwrap_or_default();
    let Some(field) = expression.strip_prefix("$request.body.").filter(|f| !f.is_empty() && !f.contains('.')) else {
        bail!("{api_name}: RouteSelectionExpression {expression:?} is not $request.body.<field>");
    };
    let belongs = |resource: &Value| {
        resource.get("Properties").and_then(|p| p.get("ApiId")).is_some_and(|id| references(id).contains(&api_name))
    };
    let functions: Vec<String> = typed("AWS::Serverless::Function")
        .into_iter()
        .chain(typed("AWS::Lambda::Function"))
        .map(|(name, _)| name)
        .collect();
    let mut integrations: BTreeMap<String, String> = BTreeMap::new();
    for (name, integration) in typed("AWS::ApiGatewayV2::Integration") {
        if !belongs(integration) {
            continue;
        }
        let uri =
            integration.get("Properties").and_then(|p| p.get("IntegrationUri")).map(references).unwrap_or_default();
        let Some(function) = uri.into_iter().find(|r| functions.contains(r)) else {
            bail!("{name}: IntegrationUri names no function of the template");
        };
        integrations.insert(name, function);
    }
    let two_way: Vec<String> = typed("AWS::ApiGatewayV2::RouteResponse")
        .into_iter()
        .filter(|(_, r)| belongs(r))
        .flat_map(|(_, r)| r.get("Properties").and_then(|p| p.get("RouteId")).map(references).unwrap_or_default())
        .collect();
    let mut routes = Vec::new();
    for (name, route) in typed("AWS::ApiGatewayV2::Route") {
        if !belongs(route) {
            continue;
        }
        let properties = route.get("Properties").unwrap_or(&Value::Null);
        let key = string_at(properties, "RouteKey").with_context(|| format!("{name}: RouteKey must be a literal"))?;
        let target = properties.get("Target").map(references).unwrap_or_default();
        let Some(function) = target.iter().find_map(|t| integrations.get(t)) else {
            bail!("{name}: Target names no integration of {api_name}");
        };
        routes.push(WebSocketRoute {
            key: key.to_owned(),
            function: function.clone(),
            two_way: two_way.contains(&name),
        });
    }
    Ok(Some(WebSocketApi { name: api_name, selection_field: field.to_owned(), routes }))
}

fn string_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The principal the Amazon Chime SDK PSTN audio service invokes a SIP media application's
/// handler as.
pub const PSTN_AUDIO_PRINCIPAL: &str = "voiceconnector.chime.amazonaws.com";

/// The functions a template lets the PSTN audio service invoke (`AWS::Lambda::Permission` with
/// its principal): the SIP media application's handler in `infra/pstn-audio.yaml`.
pub fn pstn_audio_handlers(text: &str) -> Result<Vec<String>> {
    let doc: Value = serde_yaml::from_str(text).context("the PSTN audio template is not valid YAML")?;
    let resources = doc.get("Resources").and_then(Value::as_mapping).context("template has no Resources")?;
    let mut handlers = Vec::new();
    for resource in resources.values() {
        if string_at(resource, "Type") != Some("AWS::Lambda::Permission") {
            continue;
        }
        let Some(properties) = resource.get("Properties") else { continue };
        if string_at(properties, "Principal") != Some(PSTN_AUDIO_PRINCIPAL) {
            continue;
        }
        let function = properties.get("FunctionName").map(references).unwrap_or_default();
        handlers.extend(function.into_iter().next());
    }
    Ok(handlers)
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
        let mut state_machines = Vec::new();
        let mut tables = BTreeMap::new();
        let mut timeouts = BTreeMap::new();
        let global_timeout = doc
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .and_then(|f| f.get("Timeout"))
            .and_then(Value::as_u64)
            .map(Duration::from_secs);
        for (name, resource) in resources {
            let name = name.as_str().unwrap_or_default().to_owned();
            match string_at(resource, "Type") {
                Some("AWS::DynamoDB::Table") => {
                    let properties = resource.get("Properties").context("table without Properties")?.clone();
                    let spec: TableSpec = serde_yaml::from_value(properties)
                        .with_context(|| format!("table {name}: key properties must be literal"))?;
                    tables.insert(name, spec);
                }
                Some("AWS::Serverless::StateMachine") => {
                    let properties = resource.get("Properties").context("state machine without Properties")?;
                    let definition = properties.get("Definition").cloned().with_context(|| {
                        format!("{name}: the local stack runs an inline Definition only (no DefinitionUri)")
                    })?;
                    let definition = serde_json::to_value(definition)
                        .with_context(|| format!("{name}: the Definition must be literal"))?;
                    let substitutions = properties
                        .get("DefinitionSubstitutions")
                        .and_then(Value::as_mapping)
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), references(v).into_iter().next()?)))
                        .collect();
                    let events = properties.get("Events").and_then(Value::as_mapping);
                    for (event_name, event) in events.into_iter().flatten() {
                        if let Some("Schedule") | Some("ScheduleV2") = string_at(event, "Type") {
                            let properties = event.get("Properties").cloned().unwrap_or(Value::Null);
                            schedules.push(Schedule {
                                function: name.clone(),
                                binary: state_machine_short_name(&name),
                                event: event_name.as_str().unwrap_or_default().to_owned(),
                                expression: string_at(&properties, "Schedule")
                                    .or_else(|| string_at(&properties, "ScheduleExpression"))
                                    .unwrap_or_default()
                                    .to_owned(),
                            });
                        }
                    }
                    state_machines.push(StateMachine { name: name.clone(), definition, substitutions });
                }
                Some("AWS::Serverless::Function") => {
                    let own = resource.get("Properties").and_then(|p| p.get("Timeout")).and_then(Value::as_u64);
                    if let Some(timeout) = own.map(Duration::from_secs).or(global_timeout) {
                        timeouts.insert(name.clone(), timeout);
                    }
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
        let websocket = websocket_api(resources)?;
        Ok(Template {
            routes,
            table,
            streams,
            schedules,
            rules,
            websocket,
            state_machines,
            timeouts,
            pstn_audio_handlers: Vec::new(),
        })
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
        // Through its state machine, whose every step invokes the reminders function.
        let machine = template.state_machine(&reminders.function).expect("the reminders state machine");
        assert_eq!(machine.function("${RemindersFunctionArn}"), Some("RemindersFunction"));
        assert_eq!(state_machine_short_name("AdvisorDigestStateMachine"), "advisor-digest");
        assert!(template.schedules.iter().all(|s| crate::scheduler::Expression::parse(&s.expression).is_ok()));
        // Timeouts as Lambda applies them: the globals' (10 s for the API functions), or the function's own.
        assert_eq!(template.timeout_of("BookingFunction"), Duration::from_secs(10));
        assert_eq!(template.timeout_of("ChatFunction"), Duration::from_secs(10));
        assert_eq!(template.timeout_of("RemindersFunction"), Duration::from_secs(120));
        let websocket = template.websocket.expect("the chat WebSocket API");
        assert_eq!(websocket.selection_field, "action");
        for key in ["$connect", "$disconnect", "$default", "sendMessage", "markRead", "typing"] {
            let route = websocket.route(key).unwrap_or_else(|| panic!("route {key}"));
            assert_eq!(route.function, "ChatFunction");
            assert_eq!(route.two_way, !key.starts_with("$connect") && key != "$disconnect");
        }
    }

    #[test]
    fn frames_select_routes_as_api_gateway_does() {
        let api = WebSocketApi {
            name: "Api".into(),
            selection_field: "action".into(),
            routes: ["$connect", "$default", "sendMessage"]
                .iter()
                .map(|k| WebSocketRoute { key: (*k).into(), function: "F".into(), two_way: true })
                .collect(),
        };
        assert_eq!(api.select(r#"{"action":"sendMessage","text":"x"}"#), "sendMessage");
        assert_eq!(api.select(r#"{"action":"dance"}"#), "$default");
        assert_eq!(api.select(r#"{"action":"$connect"}"#), "$default");
        assert_eq!(api.select(r#"{"action":3}"#), "$default");
        assert_eq!(api.select("not json"), "$default");
        assert_eq!(api.select(r#"["sendMessage"]"#), "$default");
    }

    #[test]
    fn the_pstn_audio_handler_is_the_function_its_permission_names() {
        let text = r#"
Resources:
  Handler:
    Type: AWS::Serverless::Function
  HandlerPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !GetAtt Handler.Arn
      Principal: voiceconnector.chime.amazonaws.com
  OtherPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Other
      Principal: events.amazonaws.com
"#;
        assert_eq!(pstn_audio_handlers(text).unwrap(), vec!["Handler".to_owned()]);
    }

    #[test]
    fn references_are_found_in_every_intrinsic_form() {
        let value: Value = serde_yaml::from_str(
            r#"
a: !Sub "integrations/${ChatIntegration}"
b: !Sub "arn:${AWS::Partition}:lambda:path/functions/${ChatFunction.Arn}/invocations"
c: !Ref Api
d: {"Fn::GetAtt": ["Fn", "Arn"]}
e: !Join ["/", ["integrations", !Ref Other]]
"#,
        )
        .unwrap();
        assert_eq!(references(&value), vec!["ChatIntegration", "ChatFunction", "Api", "Fn", "Other"]);
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
