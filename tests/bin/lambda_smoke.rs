//! The `lambda-smoke` phase of `make test` (run by `infra/local/lambda-smoke.sh` while the test
//! stack is up): every function binary of `template.yaml` runs as a process under a Lambda
//! Runtime API emulator (`cargo lambda watch --only-lambda-apis`), with the environment the
//! Lambda runtime gives it plus the local stack's endpoints, and answers a real event of its
//! kind (fixtures in `tests/events/`). Each answer is checked for what that event must do, and
//! its effect is looked for in the stack (DynamoDB Local, moto, the Chime emulator).
//!
//! A binary in the template without a case here, or a case whose event kind the template does
//! not give that function, fails the run. One line per function: binary, event kind, time from
//! process start to the first answer, total time, result.

use std::collections::{BTreeMap, HashMap};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use chrono::{Duration as Span, SecondsFormat, TimeZone, Utc};
use integration_tests::{paris_at, rfc3339, unique, Api, Person, Table};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Event kinds, as the template declares the functions' triggers.
const HTTP: &str = "api-gateway-http";
const WEBSOCKET: &str = "api-gateway-websocket";
const STREAM: &str = "dynamodb-stream";
const SCHEDULE: &str = "eventbridge-schedule";
const CHIME: &str = "eventbridge-chime";
const TASK: &str = "step-functions-task";
/// Invoked by the Chime SDK PSTN audio service (a SIP media application's handler,
/// `infra/pstn-audio.yaml`).
const PSTN: &str = "chime-pstn-audio";

/// The order matters: later cases use what earlier ones made (the seeker registered by
/// `registration`, the convocation made by `booking`, the meeting joined through `meetings`).
const CASES: [(&str, &str); 16] = [
    ("registration", HTTP),
    ("booking", HTTP),
    ("links", HTTP),
    ("meetings", HTTP),
    ("meeting-events", CHIME),
    ("meeting-sweeper", SCHEDULE),
    ("reminders", TASK),
    ("advisor-digest", SCHEDULE),
    ("chat", WEBSOCKET),
    ("chat-history", HTTP),
    ("email-dispatch", STREAM),
    ("retention-sweep", SCHEDULE),
    ("email-sweep", SCHEDULE),
    // Last: `calls` moves the smoke seeker to an advisor with a work phone.
    ("calls", HTTP),
    ("call-handler", PSTN),
    ("call-sweeper", SCHEDULE),
];

/// Smoke region: Corse, which no other test uses, so the smoke advisor is the one assigned.
const REGION: &str = "94";

fn env(key: &str) -> Result<String> {
    std::env::var(key).with_context(|| format!("{key} is not set (run through infra/local/lambda-smoke.sh)"))
}

#[tokio::main]
async fn main() {
    let code = match run().await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(error) => {
            eprintln!("lambda-smoke: {error:#}");
            2
        }
    };
    std::process::exit(code);
}

async fn run() -> Result<bool> {
    let root = PathBuf::from(env("ROOT")?);
    let template_path = std::env::var("TEMPLATE_PATH").map_or_else(|_| root.join("template.yaml"), PathBuf::from);
    let template =
        std::fs::read_to_string(&template_path).with_context(|| format!("reading {}", template_path.display()))?;
    let mut kinds = template_kinds(&template)?;
    // The SIP media application's handler lives in the stack of the PSTN audio region.
    let pstn_path = root.join("infra/pstn-audio.yaml");
    let pstn = std::fs::read_to_string(&pstn_path).with_context(|| format!("reading {}", pstn_path.display()))?;
    kinds.extend(pstn_audio_kinds(&pstn)?);

    let lines = coverage(&kinds);
    let mut failed = lines.len();
    for line in &lines {
        println!("{line}");
    }

    let mut smoke = Smoke::start(&root).await?;
    let mut passed = 0usize;
    for (binary, kind) in CASES {
        if !kinds.contains_key(binary) {
            continue;
        }
        let started = Instant::now();
        let outcome = smoke.case(binary).await;
        let total = started.elapsed().as_millis();
        let cold = smoke.cold_ms.take().map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms"));
        let timing = format!("{cold} / {total} ms");
        match outcome {
            Ok(summary) => {
                passed += 1;
                println!("{binary:<16} {kind:<22} {timing:>18}  ok      {summary}");
            }
            Err(error) => {
                failed += 1;
                println!("{binary:<16} {kind:<22} {timing:>18}  FAILED  {error:#}");
                println!("{:<16} (function log: {})", "", smoke.log_path(binary).display());
            }
        }
        smoke.stop_function();
    }
    drop(smoke);
    println!("lambda-smoke: {passed} passed, {failed} failed (first answer after process start / all events of the function)");
    Ok(failed == 0)
}

impl Drop for Smoke {
    /// Every exit, an error included, stops the function and the emulator (the wrapper script
    /// also stops the whole process group on Ctrl-C).
    fn drop(&mut self) {
        self.stop_function();
        let _ = self.emulator.kill();
        let _ = self.emulator.wait();
    }
}

/// Coverage: every template binary has a case of a kind the template gives it, and every case
/// is a template binary. One failure line each.
fn coverage(kinds: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut lines = Vec::new();
    for (binary, declared) in kinds {
        match CASES.iter().find(|(name, _)| name == binary) {
            None => lines.push(format!(
                "{binary:<16} {:<22} {:>18}  FAILED  no smoke event for this binary (add a case to tests/bin/lambda_smoke.rs)",
                declared.join(","),
                "-"
            )),
            Some((_, kind)) if !declared.iter().any(|k| k == kind) => lines.push(format!(
                "{binary:<16} {kind:<22} {:>18}  FAILED  template.yaml gives it {} events, not {kind}",
                "-",
                declared.join(",")
            )),
            Some(_) => {}
        }
    }
    for (name, kind) in CASES {
        if !kinds.contains_key(name) {
            lines.push(format!("{name:<16} {kind:<22} {:>18}  FAILED  not a Binary of template.yaml", "-"));
        }
    }
    lines
}

/// Binary name → `chime-pstn-audio` for the functions the PSTN audio service may invoke (an
/// `AWS::Lambda::Permission` with its principal names them).
fn pstn_audio_kinds(text: &str) -> Result<BTreeMap<String, Vec<String>>> {
    use serde_yaml::Value as Yaml;
    let doc: Yaml = serde_yaml::from_str(text).context("infra/pstn-audio.yaml is not valid YAML")?;
    let resources = doc.get("Resources").and_then(Yaml::as_mapping).context("no Resources")?;
    let mut kinds = BTreeMap::new();
    for (_, permission) in resources {
        if permission.get("Type").and_then(Yaml::as_str) != Some("AWS::Lambda::Permission")
            || permission["Properties"]["Principal"].as_str() != Some("voiceconnector.chime.amazonaws.com")
        {
            continue;
        }
        let target = serde_yaml::to_string(&permission["Properties"]["FunctionName"]).unwrap_or_default();
        for (name, function) in resources {
            let name = name.as_str().unwrap_or_default();
            if function.get("Type").and_then(Yaml::as_str) == Some("AWS::Serverless::Function") && target.contains(name)
            {
                let binary = function["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .with_context(|| format!("{name} has no Metadata.BuildProperties.Binary"))?;
                kinds.insert(binary.to_owned(), vec![PSTN.to_owned()]);
            }
        }
    }
    Ok(kinds)
}

/// Binary name → the event kinds its template resource declares.
fn template_kinds(text: &str) -> Result<BTreeMap<String, Vec<String>>> {
    use serde_yaml::Value as Yaml;
    let doc: Yaml = serde_yaml::from_str(text).context("template.yaml is not valid YAML")?;
    let resources = doc.get("Resources").and_then(Yaml::as_mapping).context("template has no Resources")?;
    // Functions behind a WebSocket API: named in an ApiGatewayV2 integration's URI.
    let mut integrated = Vec::new();
    for (_, resource) in resources {
        if resource.get("Type").and_then(Yaml::as_str) == Some("AWS::ApiGatewayV2::Integration") {
            integrated.push(serde_yaml::to_string(&resource["Properties"]["IntegrationUri"]).unwrap_or_default());
        }
    }
    // Functions a state machine's Tasks invoke: named in its DefinitionSubstitutions.
    let mut substituted = Vec::new();
    for (_, resource) in resources {
        if resource.get("Type").and_then(Yaml::as_str) == Some("AWS::Serverless::StateMachine") {
            substituted
                .push(serde_yaml::to_string(&resource["Properties"]["DefinitionSubstitutions"]).unwrap_or_default());
        }
    }
    let mut kinds = BTreeMap::new();
    for (name, resource) in resources {
        if resource.get("Type").and_then(Yaml::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let name = name.as_str().unwrap_or_default();
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .with_context(|| format!("{name} has no Metadata.BuildProperties.Binary"))?;
        let mut declared: Vec<String> = Vec::new();
        for (_, event) in resource["Properties"]["Events"].as_mapping().into_iter().flatten() {
            let kind = match event.get("Type").and_then(Yaml::as_str) {
                Some("HttpApi") => HTTP,
                Some("DynamoDB") => STREAM,
                Some("Schedule") | Some("ScheduleV2") => SCHEDULE,
                Some("EventBridgeRule")
                    if serde_yaml::to_string(&event["Properties"]["Pattern"]["source"])
                        .unwrap_or_default()
                        .contains("aws.chime") =>
                {
                    CHIME
                }
                other => bail!("{name}: event type {other:?} has no smoke event kind here"),
            };
            if !declared.iter().any(|k| k == kind) {
                declared.push(kind.to_owned());
            }
        }
        if integrated.iter().any(|uri| uri.contains(&format!("${{{name}.Arn}}"))) {
            declared.push(WEBSOCKET.to_owned());
        }
        if substituted.iter().any(|s| s.contains(&format!("{name}.Arn"))) {
            declared.push(TASK.to_owned());
        }
        kinds.insert(binary.to_owned(), declared);
    }
    ensure!(!kinds.is_empty(), "template.yaml declares no function binaries");
    Ok(kinds)
}

/// The emulator, the running function, the local stack's clients and what the cases made.
struct Smoke {
    root: PathBuf,
    emulator: Child,
    emulator_url: String,
    http: reqwest::Client,
    api: Api,
    table: Table,
    /// Placeholders of the event fixtures (`${NAME}`).
    vars: HashMap<String, String>,
    function: Option<(String, Child, Instant)>,
    cold_ms: Option<u128>,
    admin: Option<Person>,
    advisor: Option<Person>,
    seeker: Option<Person>,
}

impl Smoke {
    async fn start(root: &Path) -> Result<Smoke> {
        let port: u16 = env("LAMBDA_PORT")?.parse().context("LAMBDA_PORT")?;
        let cargo_lambda = env("CARGO_LAMBDA")?;
        std::fs::create_dir_all(root.join(".local/logs/lambda-smoke"))?;
        let log = std::fs::File::create(root.join(".local/logs/lambda-smoke/cargo-lambda-watch.log"))?;
        let emulator = Command::new(&cargo_lambda)
            .args(["lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1", "-P", &port.to_string()])
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {cargo_lambda} lambda watch"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            ensure!(Instant::now() < deadline, "cargo lambda watch did not listen on {port} within 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Smoke {
            root: root.to_owned(),
            emulator,
            emulator_url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?,
            api: Api::new(),
            table: Table::connect().await,
            vars: HashMap::new(),
            function: None,
            cold_ms: None,
            admin: None,
            advisor: None,
            seeker: None,
        })
    }

    fn log_path(&self, binary: &str) -> PathBuf {
        self.root.join(format!(".local/logs/lambda-smoke/{binary}.log"))
    }

    /// Starts `target/debug/<binary>` as Lambda starts a custom runtime's bootstrap.
    fn spawn_function(&mut self, binary: &str) -> Result<()> {
        // email-dispatch and email-sweep work on the side tables of their cases (see `email_dispatch`, `email_sweep`).
        let table = match binary {
            "email-dispatch" => format!("{}-dispatch", self.table.name),
            "email-sweep" => format!("{}-sweep", self.table.name),
            _ => self.table.name.clone(),
        };
        let path = self.root.join("target/debug").join(binary);
        ensure!(path.is_file(), "{} is not built (make test builds it)", path.display());
        let log = std::fs::File::create(self.log_path(binary))?;
        let http_port = env("HTTP_PORT")?;
        let child = Command::new(&path)
            .current_dir(&self.root)
            // What the Lambda service sets for a provided.al2023 function (the template's
            // MemorySize is 256), pointed at the emulator's per-function Runtime API.
            .env("AWS_LAMBDA_RUNTIME_API", format!("{}/.rt/{binary}", self.emulator_url))
            .env("AWS_LAMBDA_FUNCTION_NAME", binary)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{binary}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/29/[$LATEST]lambda-smoke")
            .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
            .env("_HANDLER", "bootstrap")
            .env("TZ", ":UTC")
            .env("RUST_LOG", "info")
            .env("TABLE_NAME", table)
            // The chat functions' user-pool settings (template: JWT_ISSUER, JWT_AUDIENCE), here
            // the local sign-in of the gateway.
            .env("JWT_ISSUER", format!("http://127.0.0.1:{http_port}/_local"))
            .env("JWT_AUDIENCE", "local-web-client")
            .env("JWKS_URL", format!("http://127.0.0.1:{http_port}/_local/jwks.json"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", path.display()))?;
        self.function = Some((binary.to_owned(), child, Instant::now()));
        self.cold_ms = None;
        Ok(())
    }

    /// Lambda freezes and later kills an idle execution environment; here it is killed at once.
    fn stop_function(&mut self) {
        if let Some((_, mut child, _)) = self.function.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The fixture `tests/events/<file>` with its placeholders filled.
    fn event(&self, file: &str) -> Result<Value> {
        let path = self.root.join("tests/events").join(file);
        let mut text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        for (key, value) in &self.vars {
            text = text.replace(&format!("${{{key}}}"), value);
        }
        if let Some(at) = text.find("${") {
            let name: String = text[at..].chars().take_while(|c| *c != '}').collect();
            bail!("{file}: placeholder {name}}} has no value yet");
        }
        serde_json::from_str(&text).with_context(|| format!("{file} is not JSON once filled"))
    }

    fn set(&mut self, key: &str, value: impl Into<String>) {
        self.vars.insert(key.to_owned(), value.into());
    }

    /// Invokes the running function with a fixture through the emulator's invoke API (what
    /// `cargo lambda invoke` calls). `Ok` is the function's answer; an error answer is `Err`.
    async fn invoke(&mut self, file: &str) -> Result<Value> {
        let event = self.event(file)?;
        self.invoke_event(file, event).await
    }

    /// Invokes the running function with an event made here (a state machine's next step).
    async fn invoke_with(&mut self, event: Value) -> Result<Value> {
        self.invoke_event("a built event", event).await
    }

    async fn invoke_event(&mut self, file: &str, event: Value) -> Result<Value> {
        let (binary, child, spawned) = self.function.as_mut().context("no function running")?;
        let url = format!("{}/2015-03-31/functions/{binary}/invocations", self.emulator_url);
        let call = self.http.post(&url).json(&event).send();
        tokio::pin!(call);
        let response = loop {
            tokio::select! {
                response = &mut call => break response.with_context(|| format!("invoking {binary} with {file}"))?,
                _ = tokio::time::sleep(Duration::from_millis(50)) => {
                    if let Some(status) = child.try_wait()? {
                        bail!("{binary} exited ({status}) before answering {file}");
                    }
                }
            }
        };
        if self.cold_ms.is_none() {
            self.cold_ms = Some(spawned.elapsed().as_millis());
        }
        let status = response.status();
        let text = response.text().await?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        ensure!(status.is_success(), "{file}: the function returned an error ({status}): {value}");
        Ok(value)
    }

    async fn case(&mut self, binary: &str) -> Result<String> {
        self.spawn_function(binary)?;
        match binary {
            "registration" => self.registration().await,
            "booking" => self.booking().await,
            "links" => self.links().await,
            "meetings" => self.meetings().await,
            "meeting-events" => self.meeting_events().await,
            "meeting-sweeper" => self.meeting_sweeper().await,
            "reminders" => self.reminders().await,
            "advisor-digest" => self.advisor_digest().await,
            "chat" => self.chat().await,
            "chat-history" => self.chat_history().await,
            "email-dispatch" => self.email_dispatch().await,
            "retention-sweep" => self.retention_sweep().await,
            "email-sweep" => self.email_sweep().await,
            "calls" => self.calls().await,
            "call-handler" => self.call_handler().await,
            "call-sweeper" => self.call_sweeper().await,
            other => bail!("no case for {other}"),
        }
    }

    fn var(&self, key: &str) -> Result<String> {
        self.vars.get(key).cloned().with_context(|| format!("{key} was not made by an earlier case"))
    }

    // ---------------------------------------------------------------- the cases

    /// `POST /seekers/{seekerId}/calls` by an advisor with a work phone: 202, and the
    /// advisor's simulated phone rings with the agency's number (the real SDK client reached
    /// the PSTN audio emulator).
    async fn calls(&mut self) -> Result<String> {
        let admin = self.admin.clone().context("registration made the admin")?;
        let seeker_id = self.var("SEEKER_ID")?;
        let sub = unique("smoke-caller");
        let number = "+33199000001";
        let (status, advisor) = self
            .api
            .post(
                "/advisors",
                &admin,
                json!({"sub": sub, "firstName": "Paul", "lastName": "Appel", "email": format!("{sub}@example.fr"),
                       "region": REGION, "modality": "web", "phone": number}),
            )
            .await;
        ensure!(status == StatusCode::CREATED, "the calling advisor: {status} {advisor}");
        let advisor_id = advisor["advisorId"].as_str().context("advisorId")?;
        let (status, moved) =
            self.api.post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": advisor_id})).await;
        ensure!(status == StatusCode::OK, "the seeker moved to the calling advisor: {status} {moved}");
        self.set("CALLER_SUB", &sub);
        let answer = self.invoke("http-calls-call-seeker.json").await?;
        let body = http_answer(&answer, 202)?;
        let call_id = body["callId"].as_str().context("callId in the 202 body")?.to_owned();
        let agency = env("AGENCY_PHONE_NUMBER")?;
        let mut ringing = Value::Null;
        for _ in 0..50 {
            let (_, phone) = self.api.call(reqwest::Method::GET, &format!("/_local/phones/{number}"), None, None).await;
            ringing = phone["calls"].as_array().and_then(|c| c.last().cloned()).unwrap_or(Value::Null);
            if ringing["state"] == "ringing" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ensure!(
            ringing["state"] == "ringing" && ringing["callerId"] == agency.as_str(),
            "the advisor's phone rings: {ringing}"
        );
        let item = self.table.item(&format!("CALL#{call_id}"), "CALL").await.context("the call's item")?;
        let transaction_id =
            item.get("transactionId").and_then(|v| v.as_s().ok()).context("the call's transaction id")?.clone();
        let profile = self.table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.context("the seeker")?;
        let seeker_number = profile.get("phone").and_then(|v| v.as_s().ok()).context("the seeker's phone")?.clone();
        self.set("CALL_ID", &call_id);
        self.set("TRANSACTION_ID", transaction_id);
        self.set("LEG_A_CALL_ID", ringing["callId"].as_str().context("the leg's call id")?);
        self.set("ADVISOR_NUMBER", number);
        self.set("SEEKER_NUMBER", seeker_number);
        self.set("AGENCY_NUMBER", agency);
        self.set("SIP_MEDIA_APPLICATION_ID", env("SIP_MEDIA_APPLICATION_ID")?);
        self.set("CALLING_ADVISOR_SUB", sub);
        Ok(format!("POST /seekers/{{id}}/calls → 202 call {call_id}, the advisor's phone rings"))
    }

    /// A schedule firing now: the function answers (nothing; the smoke call is no interview's,
    /// so it has no hard end to pass).
    async fn call_sweeper(&mut self) -> Result<String> {
        self.set("EVENT_ID", ulid::Ulid::new().to_string().to_lowercase());
        self.set("EVENT_TIME", Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true));
        let answer = self.invoke("schedule-call-sweeper.json").await?;
        ensure!(answer.is_null(), "the function answers nothing: {answer}");
        Ok("Scheduled Event now → answered".into())
    }

    /// The PSTN audio service's `CALL_ANSWERED` for that call: the answer speaks to the advisor
    /// in French, and the journal says the advisor answered.
    async fn call_handler(&mut self) -> Result<String> {
        self.set("TIMESTAMP_MS", Utc::now().timestamp_millis().to_string());
        let answer = self.invoke("pstn-call-answered.json").await?;
        let speak = &answer["Actions"][0];
        ensure!(answer["SchemaVersion"] == "1.0" && speak["Type"] == "Speak", "a Speak action: {answer}");
        ensure!(
            speak["Parameters"]["LanguageCode"] == "fr-FR"
                && speak["Parameters"]["CallId"] == self.var("LEG_A_CALL_ID")?.as_str(),
            "spoken in French to the advisor's leg: {answer}"
        );
        let caller = self.api.sign_in(&self.var("CALLING_ADVISOR_SUB")?, &["advisors"]).await;
        let call_id = self.var("CALL_ID")?;
        let path = format!("/seekers/{}/journal?limit=200", self.var("SEEKER_ID")?);
        let (status, journal) = self.api.get(&path, &caller).await;
        ensure!(status == StatusCode::OK, "journal: {status} {journal}");
        let answered = journal["items"].as_array().into_iter().flatten().any(|e| {
            e["kind"] == "call"
                && e["details"]["callId"] == call_id.as_str()
                && e["details"]["event"] == "answered_advisor"
        });
        ensure!(answered, "a call entry 'answered_advisor' for {call_id}: {journal}");
        // The simulated phone rings on: refused, the emulator's call ends.
        let number = self.var("ADVISOR_NUMBER")?;
        let _ = self.api.call(reqwest::Method::POST, &format!("/_local/phones/{number}/refuse"), None, None).await;
        Ok("CALL_ANSWERED → Speak (fr-FR) to the advisor, 'answered_advisor' journaled".into())
    }

    /// `POST /seekers` (JWT claims of a new identity): 201 and an assigned seeker; an invalid
    /// email: 422 `invalid_email` with the error contract.
    async fn registration(&mut self) -> Result<String> {
        let admin = self.api.admin().await;
        let (advisor, advisor_id) = self.api.create_advisor(&admin, REGION, "web", None).await;
        let seeker = self.api.sign_in(&unique("smoke-seeker"), &[]).await;
        self.set("REGION", REGION);
        self.set("SEEKER_SUB", &seeker.sub);
        self.set("OTHER_SUB", unique("smoke-other"));
        self.set("ADVISOR_SUB", &advisor.sub);

        let answer = self.invoke("http-registration-register.json").await?;
        let body = http_answer(&answer, 201)?;
        let seeker_id = body["seekerId"].as_str().context("seekerId in the 201 body")?.to_owned();
        ensure!(body["level"] == "guided" && body["assignment"] == "assigned", "guided and assigned: {body}");
        if body["advisor"]["advisorId"].as_str() != Some(advisor_id.as_str()) {
            // A smoke advisor of an earlier run on the same stack had more room: take the seeker.
            let (status, moved) = self
                .api
                .post(&format!("/seekers/{seeker_id}/reassign"), &admin, json!({"advisorId": advisor_id}))
                .await;
            ensure!(status == StatusCode::OK, "reassigning the smoke seeker: {status} {moved}");
        }
        let (status, me) = self.api.get("/seekers/me", &seeker).await;
        ensure!(status == StatusCode::OK && me["seekerId"] == seeker_id.as_str(), "stored and readable: {status} {me}");

        let answer = self.invoke("http-registration-register-invalid.json").await?;
        let error = http_answer(&answer, 422)?;
        ensure!(error["error"]["code"] == "invalid_email" && error["error"]["message"].is_string(), "{error}");

        self.set("SEEKER_ID", &seeker_id);
        self.admin = Some(admin);
        self.advisor = Some(advisor);
        self.seeker = Some(seeker);
        Ok(format!("POST /seekers → 201 assigned; invalid email → 422 {}", error["error"]["code"]))
    }

    /// `POST /seekers/{id}/convocations` by the advisor: 201 with the interview, which the
    /// seeker then sees; an unreadable start: 422 `invalid_time`.
    async fn booking(&mut self) -> Result<String> {
        let start = paris_at(5, 10, 0);
        self.set("CONVOCATION_START", rfc3339(start));
        let answer = self.invoke("http-booking-convocation.json").await?;
        let body = http_answer(&answer, 201)?;
        let interview_id = body["interviewId"].as_str().context("interviewId")?.to_owned();
        ensure!(body["channel"] == "phone" && body["status"] == "booked", "a booked phone interview: {body}");
        let seeker = self.seeker.clone().context("registration made the seeker")?;
        let (status, seen) = self.api.get(&format!("/interviews/{interview_id}"), &seeker).await;
        ensure!(
            status == StatusCode::OK && seen["mandatory"] == true,
            "the seeker sees the convocation: {status} {seen}"
        );

        let answer = self.invoke("http-booking-convocation-invalid.json").await?;
        let error = http_answer(&answer, 422)?;
        ensure!(error["error"]["code"] == "invalid_time" && error["error"]["message"].is_string(), "{error}");

        self.set("INTERVIEW_ID", &interview_id);
        self.set("INTERVIEW_START", start.to_rfc3339());
        Ok(format!("convocation → 201 booked; bad start → 422 {}", error["error"]["code"]))
    }

    /// The acknowledge link of the convocation email: `GET` shows the page and changes nothing,
    /// `POST` acknowledges once.
    async fn links(&mut self) -> Result<String> {
        let seeker = self.seeker.clone().context("registration made the seeker")?;
        let interview_id = self.var("INTERVIEW_ID")?;
        let email = wait_for_email(&self.api, &format!("{}@example.fr", seeker.sub), "Convocation").await?;
        let text = email["text"].as_str().unwrap_or_default();
        let link =
            text.split_whitespace().find(|w| w.contains("/links/")).context("a link in the convocation email")?;
        let token = link.rsplit('/').next().unwrap_or_default().to_owned();
        self.set("LINK_TOKEN", token);

        let answer = self.invoke("http-links-open.json").await?;
        let page = http_text(&answer, 200)?;
        ensure!(page.contains("method=\"post\""), "a page with a button: {page}");
        let acknowledged = |api: Api| {
            let (path, seeker) = (format!("/interviews/{interview_id}"), seeker.clone());
            async move { api.get(&path, &seeker).await.1["acknowledgedAt"].clone() }
        };
        ensure!(acknowledged(self.api.clone()).await.is_null(), "opening the link changed nothing");

        let answer = self.invoke("http-links-press.json").await?;
        let page = http_text(&answer, 200)?;
        ensure!(page.contains("Réception confirmée"), "confirmation page: {page}");
        ensure!(acknowledged(self.api.clone()).await.is_string(), "the convocation is acknowledged");
        Ok("GET /links/{token} → 200 page, nothing done; POST → 200, acknowledged".into())
    }

    /// `POST /interviews/{id}/meeting` by the seeker of a video interview happening now: the
    /// Chime meeting and attendee, exactly as the Chime SDK for JavaScript takes them.
    async fn meetings(&mut self) -> Result<String> {
        let advisor = self.advisor.clone().context("registration made the advisor")?;
        let seeker_id = self.var("SEEKER_ID")?;
        let (status, interview) = self
            .api
            .post(
                &format!("/seekers/{seeker_id}/convocations"),
                &advisor,
                json!({"start": rfc3339(paris_at(5, 14, 0)), "durationMinutes": 30, "channel": "video"}),
            )
            .await;
        ensure!(status == StatusCode::CREATED, "seeding the video interview: {status} {interview}");
        let interview_id = interview["interviewId"].as_str().context("interviewId")?.to_owned();
        // Started 20 minutes ago, ends in 10: inside the join window.
        self.table.move_interview_to_past(&interview_id, 20).await;
        self.set("VIDEO_INTERVIEW_ID", &interview_id);

        let answer = self.invoke("http-meetings-join.json").await?;
        let body = http_answer(&answer, 200)?;
        let meeting_id = body["meeting"]["MeetingId"].as_str().context("meeting.MeetingId")?.to_owned();
        let attendee_id = body["attendee"]["AttendeeId"].as_str().context("attendee.AttendeeId")?.to_owned();
        ensure!(
            body["meeting"]["MediaPlacement"]["SignalingUrl"].is_string() && body["attendee"]["JoinToken"].is_string(),
            "media placement and join token: {body}"
        );
        let meetings = self.chime_meetings().await?;
        ensure!(
            meetings.iter().any(|m| m["meetingId"] == meeting_id.as_str()),
            "the Chime emulator holds {meeting_id}"
        );
        self.set("MEETING_ID", &meeting_id);
        self.set("ATTENDEE_ID", attendee_id);
        self.set(
            "EXTERNAL_USER_ID",
            body["attendee"]["ExternalUserId"].as_str().context("attendee.ExternalUserId")?.to_owned(),
        );
        Ok(format!("join → 200 meeting {meeting_id} + attendee"))
    }

    /// A Chime `AttendeeJoined` event for that meeting: recorded in the seeker's journal.
    async fn meeting_events(&mut self) -> Result<String> {
        let now = Utc::now();
        self.set("EVENT_ID", ulid::Ulid::new().to_string().to_lowercase());
        self.set("EVENT_TIME", now.to_rfc3339_opts(SecondsFormat::Secs, true));
        self.set("TIMESTAMP_MS", now.timestamp_millis().to_string());
        let answer = self.invoke("chime-attendee-joined.json").await?;
        ensure!(answer.is_null(), "the function answers nothing: {answer}");
        let advisor = self.advisor.clone().context("advisor")?;
        let interview_id = self.var("VIDEO_INTERVIEW_ID")?;
        let (status, journal) =
            self.api.get(&format!("/seekers/{}/journal?limit=200", self.var("SEEKER_ID")?), &advisor).await;
        ensure!(status == StatusCode::OK, "journal: {status} {journal}");
        let recorded = journal["items"].as_array().into_iter().flatten().any(|e| {
            e["kind"] == "attendance"
                && e["details"]["interviewId"] == interview_id.as_str()
                && e["details"]["event"] == "joined"
        });
        ensure!(recorded, "an attendance entry 'joined' for {interview_id} in the journal: {journal}");
        Ok("chime:AttendeeJoined → attendance 'joined' in the journal".into())
    }

    /// A schedule firing past the video interview's overrun limit: its meeting is ended on
    /// Chime (someone joined it above, so before that limit the sweeper would keep it open).
    async fn meeting_sweeper(&mut self) -> Result<String> {
        let meeting_id = self.var("MEETING_ID")?;
        ensure!(!self.chime_meeting(&meeting_id).await?["ended"].as_bool().unwrap_or(true), "meeting open before");
        // The interview ends in 10 minutes, the overrun limit is 30 minutes after; the gateway's
        // own schedule (real time) leaves it alone.
        let at = Utc::now() + Span::minutes(10 + domain::meeting::DEFAULT_OVERRUN_LIMIT_MINUTES + 2);
        self.set("EVENT_ID", ulid::Ulid::new().to_string().to_lowercase());
        self.set("EVENT_TIME", at.to_rfc3339_opts(SecondsFormat::Secs, true));
        let answer = self.invoke("schedule-meeting-sweeper.json").await?;
        ensure!(answer.is_null(), "the function answers nothing: {answer}");
        ensure!(self.chime_meeting(&meeting_id).await?["ended"] == true, "meeting {meeting_id} ended on Chime");
        Ok(format!("Scheduled Event at end + overrun limit + 2 min → meeting {meeting_id} ended"))
    }

    /// A run at the day-before reminder time of the convocation, step by step as the state
    /// machine invokes the function (plan, each shard, finish): reminder sent.
    async fn reminders(&mut self) -> Result<String> {
        let start = chrono::DateTime::parse_from_rfc3339(&self.var("INTERVIEW_START")?)?.with_timezone(&Utc);
        let at = start - Span::hours(24) + Span::minutes(5);
        self.set("EVENT_TIME", at.to_rfc3339_opts(SecondsFormat::Secs, true));
        let plan = self.invoke("step-reminders-plan.json").await?;
        let shards = plan["shards"].as_array().cloned().unwrap_or_default();
        ensure!(!shards.is_empty(), "the plan has this reminder's shard: {plan}");
        let mut reports = Vec::new();
        for shard in shards {
            // What the Map's ItemSelector makes of each shard.
            let step = json!({"step": "send", "runAt": plan["runAt"], "shard": shard});
            reports.push(self.invoke_with(step).await?);
        }
        let report = self.invoke_with(json!({"step": "finish", "plan": plan, "reports": reports})).await?;
        ensure!(report["sent"].as_u64().is_some_and(|n| n >= 1), "at least this reminder sent: {report}");
        let seeker = self.seeker.clone().context("seeker")?;
        wait_for_email(&self.api, &format!("{}@example.fr", seeker.sub), "Rappel").await?;
        Ok(format!(
            "Task steps plan, send ×{}, finish at start − 24 h → sent {} (reminder email in moto)",
            report["shards"], report["sent"]
        ))
    }

    /// The 08:00 Paris firing on the convocation's day: the advisor's digest is sent.
    async fn advisor_digest(&mut self) -> Result<String> {
        let start = chrono::DateTime::parse_from_rfc3339(&self.var("INTERVIEW_START")?)?;
        let day = start.with_timezone(&chrono_tz::Europe::Paris).date_naive();
        let at = chrono_tz::Europe::Paris
            .from_local_datetime(&day.and_hms_opt(8, 0, 0).context("08:00")?)
            .single()
            .context("08:00 Paris exists")?
            .with_timezone(&Utc);
        self.set("EVENT_ID", ulid::Ulid::new().to_string().to_lowercase());
        self.set("EVENT_TIME", at.to_rfc3339_opts(SecondsFormat::Secs, true));
        let report = self.invoke("schedule-advisor-digest.json").await?;
        ensure!(report["day"] == day.to_string(), "the digest of {day}: {report}");
        ensure!(report["sent"].as_u64().is_some_and(|n| n >= 1), "at least one digest sent: {report}");
        let advisor = self.advisor.clone().context("advisor")?;
        wait_for_email(&self.api, &format!("{}@example.fr", advisor.sub), "Votre point du").await?;
        Ok(format!("Scheduled Event 08:00 Paris → {} digests (the advisor's in moto)", report["sent"]))
    }

    /// The nightly firing: a seeker of the smoke region last seen two years and a day ago (their
    /// profile's `retainUntil` set back) is erased; signing in again finds nothing.
    async fn retention_sweep(&mut self) -> Result<String> {
        let (seeker, body) = self.api.register_seeker(REGION).await;
        let seeker_id = body["seekerId"].as_str().context("seekerId")?.to_owned();
        let now = Utc::now();
        self.table.set_profile_retention(&seeker_id, now - chrono::Duration::days(1)).await;
        self.set("EVENT_ID", ulid::Ulid::new().to_string().to_lowercase());
        self.set("EVENT_TIME", now.to_rfc3339_opts(SecondsFormat::Secs, true));
        let report = self.invoke("schedule-retention-sweep.json").await?;
        ensure!(report["erased"].as_u64().is_some_and(|n| n >= 1), "at least one profile erased: {report}");
        ensure!(report["failed"] == 0, "none failed: {report}");
        let (status, me) = self.api.get("/seekers/me", &seeker).await;
        ensure!(status == StatusCode::NOT_FOUND, "the erased seeker is not registered any more: {status} {me}");
        Ok(format!("Scheduled Event now → {} profiles erased (the inactive smoke seeker's)", report["erased"]))
    }

    /// `$connect` without a token: 401. With the seeker's token: 200. `sendMessage`: the ack
    /// frame, message stored. `$default` with a frame that is not JSON: an error frame.
    async fn chat(&mut self) -> Result<String> {
        let seeker = self.seeker.clone().context("seeker")?;
        self.set("CONNECTION_ID", format!("smoke{}=", ulid::Ulid::new().to_string().to_lowercase()));
        let refused = self.invoke("ws-chat-connect-no-token.json").await?;
        ensure!(refused["statusCode"] == 401, "$connect without a token refused with 401: {refused}");

        self.set("SEEKER_TOKEN", &seeker.token);
        let accepted = self.invoke("ws-chat-connect.json").await?;
        ensure!(accepted["statusCode"] == 200, "$connect with a valid token accepted: {accepted}");

        let client_message_id = unique("smoke-msg");
        self.set("CLIENT_MESSAGE_ID", &client_message_id);
        let answer = self.invoke("ws-chat-send-message.json").await?;
        ensure!(answer["statusCode"] == 200, "sendMessage answered 200: {answer}");
        let frame: Value = serde_json::from_str(answer["body"].as_str().context("an ack frame")?)?;
        ensure!(
            frame["type"] == "ack"
                && frame["clientMessageId"] == client_message_id.as_str()
                && frame["message"]["text"] == "Bonjour, message de fumée"
                && frame["message"]["seekerId"] == self.var("SEEKER_ID")?.as_str(),
            "ack of the message: {frame}"
        );

        let answer = self.invoke("ws-chat-default.json").await?;
        let frame: Value = serde_json::from_str(answer["body"].as_str().context("an error frame")?)?;
        ensure!(frame["type"] == "error" && frame["code"].is_string(), "error frame for a non-JSON frame: {frame}");
        Ok(format!("$connect no token → 401, token → 200; sendMessage → ack; $default → error {}", frame["code"]))
    }

    /// `GET /conversations/{seekerId}/messages` by the advisor: the message sent through `chat`.
    async fn chat_history(&mut self) -> Result<String> {
        let answer = self.invoke("http-chat-history-messages.json").await?;
        let body = http_answer(&answer, 200)?;
        let found = body["items"].as_array().into_iter().flatten().any(|m| m["text"] == "Bonjour, message de fumée");
        ensure!(found, "the smoke message in the history: {body}");
        Ok("GET /conversations/{seekerId}/messages → 200 with the message".into())
    }

    /// An outbox `INSERT` stream record: sent once through SES (moto), no batch item failure,
    /// the item marked sent. The function works on a side table of the same keys (its
    /// `TABLE_NAME`), which the gateway's own stream consumer does not watch: on the main table
    /// that consumer would race this invocation for the email.
    async fn email_dispatch(&mut self) -> Result<String> {
        let to = format!("{}@example.fr", unique("smoke-dispatch"));
        let table = self.table.side_table("dispatch").await;
        let seed = table.put_pending_outbox(&to).await;
        for (key, value) in [
            ("DISPATCH_TABLE", table.name.clone()),
            ("OUTBOX_PK", seed.pk.clone()),
            ("OUTBOX_SK", seed.sk.clone()),
            ("EMAIL_ID", seed.email_id),
            ("OUTBOX_TO", to.clone()),
            ("CREATED_AT", seed.created_at),
            ("EXPIRES_AT", seed.expires_at),
        ] {
            self.set(key, value);
        }
        let answer = self.invoke("dynamodb-stream-outbox-insert.json").await?;
        ensure!(answer == json!({"batchItemFailures": []}), "no batch item failure: {answer}");
        let sent = self.moto_raw_messages_to(&to).await?;
        ensure!(sent.len() == 1, "one raw message to {to} in moto, got {}", sent.len());
        let raw = sent[0]["raw_data"].as_str().unwrap_or_default();
        ensure!(raw.contains("Vous avez un nouveau message"), "the chat notice subject in the MIME message");
        let item = table.item(&seed.pk, &seed.sk).await.context("the outbox item")?;
        ensure!(item.get("status").and_then(|v| v.as_s().ok()).map(String::as_str) == Some("sent"), "marked sent");
        ensure!(!item.contains_key("to"), "the recipient is erased from the sent item");
        Ok(format!("INSERT record → batchItemFailures [], one email in moto, item sent ({})", table.name))
    }

    /// A schedule firing over an email whose send was interrupted (left `sending`, its lease
    /// passed, written 10 minutes ago): sent once through SES (moto), the item marked sent and
    /// out of the open-outbox index. On a side table with GSI1, away from the gateway's own
    /// scheduled sweep of the main table.
    async fn email_sweep(&mut self) -> Result<String> {
        let to = format!("{}@example.fr", unique("smoke-sweep"));
        let table = self.table.side_table_with_gsi1("sweep").await;
        let now = Utc::now();
        let seed = table.put_interrupted_outbox(&to, None, now - Span::minutes(10), now - Span::minutes(9), None).await;
        self.set("EVENT_ID", ulid::Ulid::new().to_string().to_lowercase());
        self.set("EVENT_TIME", now.to_rfc3339_opts(SecondsFormat::Secs, true));
        let answer = self.invoke("schedule-email-sweep.json").await?;
        // At least ours: the side table outlives a stack, and an earlier run stopped half-way
        // may have left another.
        ensure!(
            answer["sent"].as_u64().unwrap_or(0) >= 1 && answer["retried"] == 0,
            "the run sent the interrupted email: {answer}"
        );
        let sent = self.moto_raw_messages_to(&to).await?;
        ensure!(sent.len() == 1, "one raw message to {to} in moto, got {}", sent.len());
        let item = table.item(&seed.pk, &seed.sk).await.context("the outbox item")?;
        ensure!(item.get("status").and_then(|v| v.as_s().ok()).map(String::as_str) == Some("sent"), "marked sent");
        ensure!(!item.contains_key("to") && !item.contains_key("gsi1pk"), "sent: no recipient, out of the index");
        Ok(format!("Scheduled Event over an interrupted send → sent once, item sent ({})", table.name))
    }

    // ---------------------------------------------------------------- the stack's own views

    async fn chime_meetings(&self) -> Result<Vec<Value>> {
        let body: Value =
            self.http.get(format!("{}/_local/chime/meetings", self.api.base)).send().await?.json().await?;
        Ok(body["items"].as_array().cloned().unwrap_or_default())
    }

    async fn chime_meeting(&self, meeting_id: &str) -> Result<Value> {
        self.chime_meetings()
            .await?
            .into_iter()
            .find(|m| m["meetingId"] == meeting_id)
            .ok_or_else(|| anyhow!("meeting {meeting_id} not in the Chime emulator"))
    }

    async fn moto_raw_messages_to(&self, to: &str) -> Result<Vec<Value>> {
        let base = env("AWS_ENDPOINT_URL_SES")?;
        let data: Value = self.http.get(format!("{base}/moto-api/data.json")).send().await?.json().await?;
        let mut found = Vec::new();
        for messages in [&data["ses"]["RawMessage"], &data["ses"]["Message"]] {
            for message in messages.as_array().into_iter().flatten() {
                let to_them = message["destinations"].to_string().contains(to);
                if to_them {
                    found.push(message.clone());
                }
            }
        }
        Ok(found)
    }
}

/// The body of an API Gateway proxy answer with `status`, as JSON.
fn http_answer(answer: &Value, status: u16) -> Result<Value> {
    let text = http_text(answer, status)?;
    let content_type = header(answer, "content-type").unwrap_or_default();
    ensure!(content_type.starts_with("application/json"), "JSON content type, got {content_type:?}");
    serde_json::from_str(&text).with_context(|| format!("a JSON body: {text}"))
}

/// The body of an API Gateway proxy answer with `status`, as text.
fn http_text(answer: &Value, status: u16) -> Result<String> {
    ensure!(answer["statusCode"] == status, "status {status} expected: {answer}");
    let body = answer["body"].as_str().unwrap_or_default();
    if answer["isBase64Encoded"] == true {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(body)?;
        return Ok(String::from_utf8(bytes)?);
    }
    Ok(body.to_owned())
}

fn header(answer: &Value, name: &str) -> Option<String> {
    answer["headers"]
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.as_str().map(str::to_owned))
}

/// Waits (up to 10 s: the outbox goes through the stream to moto) for an email to `to`
/// whose subject contains `fragment`.
async fn wait_for_email(api: &Api, to: &str, fragment: &str) -> Result<Value> {
    for _ in 0..100 {
        if let Some(email) =
            api.emails_to(to).await.into_iter().find(|e| e["subject"].as_str().is_some_and(|s| s.contains(fragment)))
        {
            return Ok(email);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("no email to {to} with a subject containing {fragment:?} within 10 s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository_template() -> String {
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).expect("template.yaml")
    }

    /// The kinds of `template` and of the PSTN audio stack's handler, as `main` reads them.
    fn kinds_with_pstn_audio(template: &str) -> BTreeMap<String, Vec<String>> {
        let mut kinds = template_kinds(template).expect("template parses");
        let pstn = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/pstn-audio.yaml"))
            .expect("infra/pstn-audio.yaml");
        kinds.extend(pstn_audio_kinds(&pstn).expect("infra/pstn-audio.yaml parses"));
        kinds
    }

    #[test]
    fn every_binary_of_the_template_has_a_smoke_event_of_its_kind() {
        let kinds = kinds_with_pstn_audio(&repository_template());
        assert_eq!(coverage(&kinds), Vec::<String>::new());
        assert_eq!(kinds["call-handler"], vec![PSTN.to_owned()]);
        assert_eq!(kinds["email-dispatch"], vec![STREAM.to_owned()]);
        assert_eq!(kinds["chat"], vec![WEBSOCKET.to_owned()]);
        assert_eq!(kinds["meeting-events"], vec![CHIME.to_owned()]);
    }

    #[test]
    fn a_binary_added_to_the_template_without_a_case_fails() {
        let extra = "
  ExportFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
      BuildProperties:
        Binary: export
    Properties:
      CodeUri: .
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
";
        let template = repository_template().replacen("\nResources:\n", &format!("\nResources:\n{extra}"), 1);
        let kinds = kinds_with_pstn_audio(&template);
        let failures = coverage(&kinds);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].starts_with("export ") && failures[0].contains("no smoke event"), "{failures:?}");
    }

    #[test]
    fn every_fixture_is_json_once_filled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/events");
        for entry in std::fs::read_dir(dir).expect("tests/events") {
            let path = entry.expect("entry").path();
            let mut text = std::fs::read_to_string(&path).expect("fixture");
            while let Some(at) = text.find("${") {
                let end = at + text[at..].find('}').expect("closed placeholder");
                text.replace_range(at..=end, "1");
            }
            serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}
