//! Cold start and peak memory per function (`infra/bench/coldstart.sh`, a step of `make bench`).
//!
//! This program serves a minimal Lambda Runtime API itself (`GET .../invocation/next`,
//! `POST .../{id}/response`, `.../{id}/error`, `.../init/error`, with the `Lambda-Runtime-*`
//! headers), starts the function's process with `AWS_LAMBDA_RUNTIME_API` pointing at it and the
//! Lambda environment, hands it one real event (the fixtures of `tests/events/`, filled against
//! the running local stack) and measures:
//!
//! - init: from spawning the process to its first `GET /2018-06-01/runtime/invocation/next`
//!   (the moment the runtime asks for its first event), what Lambda reports as `Init Duration`
//!   (process start, configuration, SDK clients, anything the function does before its loop);
//! - first answer: from that first `next` to the arrival of the `response` POST (the event
//!   handed over, the handler with its DynamoDB calls, the answer sent back), what Lambda
//!   reports as the first invocation's `Duration`;
//! - cold start: the two together, from spawning the process to receiving its answer;
//! - peak memory: `VmHWM` of `/proc/<pid>/status`, read right after the answer, before the
//!   process is killed.
//!
//! Every function binary of `template.yaml` is measured, plus two baselines doing the same
//! single `PutItem`: `putitem` (Rust, `lambda_runtime` + `aws-sdk-dynamodb`) and
//! `node-putitem` (Node.js 20, AWS SDK for JavaScript v3, a minimal custom runtime loop). Each
//! gets one untimed warm-up run (page cache), then `COLDSTART_RUNS` timed runs (default 10),
//! one after the other. Answers are checked (an error or a wrong status fails the program).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{SecondsFormat, TimeZone, Utc};
use integration_tests::{paris_at, rfc3339, unique, Api, Person, Table};
use reqwest::StatusCode as HttpStatus;
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// Smoke region (Corse): no other test or load user registers there.
const REGION: &str = "94";

fn env(key: &str) -> Result<String> {
    std::env::var(key).with_context(|| format!("{key} is not set (run through infra/bench/coldstart.sh)"))
}

fn env_table() -> Result<String> {
    env("TABLE_NAME")
}

// ---------------------------------------------------------------- the Runtime API

/// What the process answered: when it asked for the event (its first `next`, if it got that
/// far), when the answer arrived, and the answer.
type Answer = (Option<Instant>, Instant, Result<Value, String>);

struct Invocation {
    id: String,
    event: Value,
    /// When the process's `next` that was handed this event arrived.
    served: Option<Instant>,
    answer: Option<oneshot::Sender<Answer>>,
}

#[derive(Clone, Default)]
struct Runtime {
    current: Arc<Mutex<Option<Invocation>>>,
}

impl Runtime {
    fn answer(&self, id: Option<&str>, result: Result<Value, String>) {
        let at = Instant::now();
        let mut current = self.current.lock().expect("lock");
        if let Some(invocation) = current.as_mut().filter(|i| id.is_none_or(|id| id == i.id)) {
            if let Some(tx) = invocation.answer.take() {
                let _ = tx.send((invocation.served, at, result));
            }
        }
    }
}

async fn next(State(runtime): State<Runtime>) -> Response {
    // The request's arrival: the end of init. The event is queued before the process starts,
    // so the first `next` is answered at once.
    let arrived = Instant::now();
    loop {
        {
            let mut current = runtime.current.lock().expect("lock");
            if let Some(invocation) = current.as_mut().filter(|i| i.served.is_none()) {
                invocation.served = Some(arrived);
                let deadline = Utc::now().timestamp_millis() + 30_000;
                return (
                    StatusCode::OK,
                    [
                        ("content-type", "application/json".to_owned()),
                        ("lambda-runtime-aws-request-id", invocation.id.clone()),
                        ("lambda-runtime-deadline-ms", deadline.to_string()),
                        (
                            "lambda-runtime-invoked-function-arn",
                            "arn:aws:lambda:eu-west-3:123456789012:function:coldstart".to_owned(),
                        ),
                        ("lambda-runtime-trace-id", format!("Root=1-{:08x}-{}", Utc::now().timestamp(), invocation.id)),
                    ],
                    invocation.event.to_string(),
                )
                    .into_response();
            }
        }
        // Long poll, as Lambda's: the process waits here for an event that never comes (it is
        // killed once its answer is in).
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn response(State(runtime): State<Runtime>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    let value = serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
    runtime.answer(Some(&id), Ok(value));
    StatusCode::ACCEPTED
}

async fn error(
    State(runtime): State<Runtime>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let kind = headers.get("lambda-runtime-function-error-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    runtime.answer(Some(&id), Err(format!("invocation error {kind}: {}", String::from_utf8_lossy(&body))));
    StatusCode::ACCEPTED
}

async fn init_error(State(runtime): State<Runtime>, body: Bytes) -> StatusCode {
    runtime.answer(None, Err(format!("init error: {}", String::from_utf8_lossy(&body))));
    StatusCode::ACCEPTED
}

async fn serve_runtime(port: u16) -> Result<Runtime> {
    let runtime = Runtime::default();
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(runtime.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .with_context(|| format!("binding the Runtime API on 127.0.0.1:{port} (COLDSTART_PORT)"))?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(runtime)
}

// ---------------------------------------------------------------- one measured start

struct Measure {
    /// Spawn to the first `next`.
    init_ms: f64,
    /// The first `next` to the answer's arrival.
    first_answer_ms: f64,
    /// Spawn to the answer's arrival (`init_ms + first_answer_ms`).
    cold_ms: f64,
    peak_kib: u64,
    answer: Value,
}

/// Kilobytes of a `/proc/<pid>/status` line such as `VmHWM:    11264 kB`.
fn proc_status_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line =
        status.lines().find(|l| l.starts_with(field)).with_context(|| format!("{field} in /proc/{pid}/status"))?;
    Ok(line.split_whitespace().nth(1).context("a number")?.parse()?)
}

async fn measure(runtime: &Runtime, port: u16, program: &Program, event: Value, log: &Path) -> Result<Measure> {
    let (tx, rx) = oneshot::channel();
    *runtime.current.lock().expect("lock") =
        Some(Invocation { id: ulid::Ulid::new().to_string().to_lowercase(), event, served: None, answer: Some(tx) });
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
    let mut command = Command::new(&program.command[0]);
    command
        .args(&program.command[1..])
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .env("AWS_LAMBDA_FUNCTION_NAME", &program.name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{}", program.name))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/29/[$LATEST]coldstart")
        .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
        .env("_HANDLER", "bootstrap")
        .env("TZ", ":UTC")
        .envs(program.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    let started = Instant::now();
    let mut child = command.spawn().with_context(|| format!("starting {}", program.command.join(" ")))?;
    let pid = child.id();
    let outcome = tokio::time::timeout(Duration::from_secs(30), rx).await;
    // Peak resident set so far, before the process goes.
    let peak = proc_status_kib(pid, "VmHWM:");
    let _ = child.kill();
    let _ = child.wait();
    *runtime.current.lock().expect("lock") = None;
    let (next_at, at, result) = match outcome {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => bail!("{}: the Runtime API lost the invocation", program.name),
        Err(_) => bail!("{}: no answer within 30 s", program.name),
    };
    let answer = result.map_err(|e| anyhow::anyhow!("{}: {e}", program.name))?;
    let next_at = next_at.with_context(|| format!("{}: answered without asking for the event", program.name))?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(Measure {
        init_ms: ms(next_at - started),
        first_answer_ms: ms(at - next_at),
        cold_ms: ms(at - started),
        peak_kib: peak?,
        answer,
    })
}

// ---------------------------------------------------------------- what is measured

struct Program {
    name: String,
    kind: &'static str,
    command: Vec<String>,
    env: Vec<(String, String)>,
    fixture: &'static str,
    size: Option<u64>,
}

/// The fixture with its `${NAME}` placeholders filled.
fn fill(root: &Path, file: &str, vars: &HashMap<String, String>) -> Result<Value> {
    let mut text = std::fs::read_to_string(root.join("tests/events").join(file))?;
    for (key, value) in vars {
        text = text.replace(&format!("${{{key}}}"), value);
    }
    ensure!(!text.contains("${"), "{file}: a placeholder is left: {text}");
    Ok(serde_json::from_str(&text)?)
}

/// The checks the answer of each event must pass.
fn check(name: &str, answer: &Value) -> Result<()> {
    let status = |expected: u64| {
        ensure!(answer["statusCode"].as_u64() == Some(expected), "{name}: status {expected} expected: {answer}");
        Ok(())
    };
    match name {
        "registration" | "booking" => status(201),
        "links" | "meetings" | "chat-history" | "chat" => status(200),
        "calls" => status(202),
        // The advisor hears, in French, that the service calls the seeker next.
        "call-handler" => {
            let speak = &answer["Actions"][0];
            ensure!(
                answer["SchemaVersion"] == "1.0"
                    && speak["Type"] == "Speak"
                    && speak["Parameters"]["LanguageCode"] == "fr-FR",
                "{name}: a Speak action in French expected: {answer}"
            );
            Ok(())
        }
        "email-dispatch" => {
            ensure!(answer == &json!({"batchItemFailures": []}), "{name}: {answer}");
            Ok(())
        }
        "putitem" | "node-putitem" => {
            ensure!(answer["written"] == true, "{name}: {answer}");
            Ok(())
        }
        // Scheduled and Chime functions: any answer that is not an error.
        _ => Ok(()),
    }
}

struct Stack {
    root: PathBuf,
    api: Api,
    table: Table,
    vars: HashMap<String, String>,
    runs: usize,
    /// The advisor whose calls the gateway places for `call-handler`'s events (each run its
    /// own call, ringing), and that advisor's seeker.
    placing: (Person, String),
}

/// Work phones of the two calling advisors: `calls`' measured process rings the first,
/// the calls placed for `call-handler`'s events ring the second. Each run's call is ended
/// (refused) before the next, and each advisor places fewer than `CALLS_PER_HOUR` (30).
const MEASURED_CALLER_PHONE: &str = "+33199000041";
const PLACING_CALLER_PHONE: &str = "+33199000042";

impl Stack {
    /// The people and interviews the fixtures name, made through the local gateway.
    async fn seed(root: &Path) -> Result<Stack> {
        let api = Api::new();
        let table = Table::connect().await;
        let admin = api.admin().await;
        let (advisor, advisor_id) = api.create_advisor(&admin, REGION, "web", None).await;
        let (seeker, seeker_id) = api.seeker_of(&admin, &advisor_id, REGION).await;
        let mut vars = HashMap::new();
        let mut set = |k: &str, v: String| vars.insert(k.to_owned(), v);
        set("REGION", REGION.into());
        set("ADVISOR_SUB", advisor.sub.clone());
        set("SEEKER_ID", seeker_id.clone());
        set("SEEKER_SUB", seeker.sub.clone());
        set("SEEKER_TOKEN", seeker.token.clone());

        // A phone convocation: its acknowledge link (opened with GET, which changes nothing).
        let start = paris_at(5, 10, 0);
        let (status, interview) = api
            .post(
                &format!("/seekers/{seeker_id}/convocations"),
                &advisor,
                json!({"start": rfc3339(start), "durationMinutes": 30, "channel": "phone"}),
            )
            .await;
        ensure!(status == HttpStatus::CREATED, "convocation: {status} {interview}");
        let email = api.wait_for_subject(&format!("{}@example.fr", seeker.sub), "Convocation").await;
        let text = email["text"].as_str().unwrap_or_default();
        let link = text.split_whitespace().find(|w| w.contains("/links/")).context("a link")?;
        set("LINK_TOKEN", link.rsplit('/').next().unwrap_or_default().to_owned());
        let day = start.with_timezone(&chrono_tz::Europe::Paris).date_naive();
        let digest_at = chrono_tz::Europe::Paris
            .from_local_datetime(&day.and_hms_opt(8, 0, 0).context("08:00")?)
            .single()
            .context("08:00 Paris")?
            .with_timezone(&Utc);
        set("DIGEST_TIME", digest_at.to_rfc3339_opts(SecondsFormat::Secs, true));

        // A video interview happening now, joined once: its meeting and attendee.
        let (status, video) = api
            .post(
                &format!("/seekers/{seeker_id}/convocations"),
                &advisor,
                json!({"start": rfc3339(paris_at(5, 14, 0)), "durationMinutes": 30, "channel": "video"}),
            )
            .await;
        ensure!(status == HttpStatus::CREATED, "video convocation: {status} {video}");
        let video_id = video["interviewId"].as_str().context("interviewId")?.to_owned();
        table.move_interview_to_past(&video_id, 10).await;
        let (status, joined) =
            api.call(reqwest::Method::POST, &format!("/interviews/{video_id}/meeting"), Some(&seeker), None).await;
        ensure!(status == HttpStatus::OK, "join: {status} {joined}");
        set("VIDEO_INTERVIEW_ID", video_id);
        set("MEETING_ID", joined["meeting"]["MeetingId"].as_str().context("MeetingId")?.to_owned());
        set("ATTENDEE_ID", joined["attendee"]["AttendeeId"].as_str().context("AttendeeId")?.to_owned());
        set("EXTERNAL_USER_ID", joined["attendee"]["ExternalUserId"].as_str().context("ExternalUserId")?.to_owned());

        // Two advisors with a work phone, each with a seeker of their own (registered with a
        // mobile number): `calls` calls the first one's, the events of `call-handler` are the
        // second one's calls.
        let (measured_caller, measured_seeker) = calling_advisor(&api, &admin, MEASURED_CALLER_PHONE).await?;
        set("CALLER_SUB", measured_caller.sub.clone());
        set("CALLS_SEEKER_ID", measured_seeker);
        let placing = calling_advisor(&api, &admin, PLACING_CALLER_PHONE).await?;
        set("AGENCY_NUMBER", env("AGENCY_PHONE_NUMBER")?);
        set("SIP_MEDIA_APPLICATION_ID", env("SIP_MEDIA_APPLICATION_ID")?);
        set("ADVISOR_NUMBER", PLACING_CALLER_PHONE.to_owned());
        Ok(Stack { root: root.to_owned(), api, table, vars, runs: 0, placing })
    }

    /// A call the gateway places (`POST /seekers/{id}/calls` by the placing advisor), once
    /// the advisor's phone rings: the ids `pstn-call-answered.json` names.
    async fn ringing_call(&self) -> Result<Vec<(&'static str, String)>> {
        let (advisor, seeker_id) = &self.placing;
        let (status, placed) = self.api.post(&format!("/seekers/{seeker_id}/calls"), advisor, json!({})).await;
        ensure!(status == HttpStatus::ACCEPTED, "placing a call: {status} {placed}");
        let call_id = placed["callId"].as_str().context("callId")?.to_owned();
        let leg = ringing_leg(&self.api, PLACING_CALLER_PHONE).await?;
        let item = self.table.item(&format!("CALL#{call_id}"), "CALL").await.context("the call's item")?;
        let transaction_id =
            item.get("transactionId").and_then(|v| v.as_s().ok()).context("the call's transaction id")?.clone();
        let profile = self.table.item(&format!("SEEKER#{seeker_id}"), "PROFILE").await.context("the seeker")?;
        let seeker_number = profile.get("phone").and_then(|v| v.as_s().ok()).context("the seeker's phone")?.clone();
        Ok(vec![
            ("CALL_ID", call_id),
            ("TRANSACTION_ID", transaction_id),
            ("LEG_A_CALL_ID", leg),
            ("SEEKER_NUMBER", seeker_number),
        ])
    }

    /// After a run: the advisor's phone that the run made ring stops ringing (no answer), so
    /// the next run's call finds it free.
    async fn after(&self, program: &Program) -> Result<()> {
        let number = match program.name.as_str() {
            "calls" => MEASURED_CALLER_PHONE,
            "call-handler" => PLACING_CALLER_PHONE,
            _ => return Ok(()),
        };
        if program.name == "calls" {
            // The measured process placed the call: its phone rings a moment later.
            ringing_leg(&self.api, number).await?;
        }
        let path = format!("/_local/phones/{number}/refuse");
        let (status, refused) = self.api.call(reqwest::Method::POST, &path, None, None).await;
        ensure!(status == HttpStatus::OK, "refusing the ringing call: {status} {refused}");
        // The emulator ends the call with the handler (in the gateway); wait until it has.
        for _ in 0..100 {
            if ringing(&self.api, number).await?.is_none() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("{number} still rings after being refused")
    }

    /// The event of one run: fresh ids where a write must not collide with an earlier run's.
    async fn event(&mut self, program: &Program) -> Result<Value> {
        self.runs += 1;
        let now = Utc::now();
        let mut vars = self.vars.clone();
        let mut set = |k: &str, v: String| vars.insert(k.to_owned(), v);
        set("RUN_ID", unique("run"));
        set("EVENT_ID", ulid::Ulid::new().to_string().to_lowercase());
        set("EVENT_TIME", now.to_rfc3339_opts(SecondsFormat::Secs, true));
        set("TIMESTAMP_MS", now.timestamp_millis().to_string());
        set("CONNECTION_ID", format!("cold{}=", ulid::Ulid::new().to_string().to_lowercase()));
        match program.name.as_str() {
            // A new identity registers each time.
            "registration" => {
                set("SEEKER_SUB", unique("cold-seeker"));
            }
            // A convocation on another day each time (the advisor's agenda refuses overlaps).
            "booking" => {
                set("CONVOCATION_START", rfc3339(paris_at(10 + self.runs as i64, 9, 0)));
            }
            "advisor-digest" => {
                set("EVENT_TIME", self.vars["DIGEST_TIME"].clone());
            }
            "email-dispatch" => {
                for (k, v) in self.outbox_item().await? {
                    set(k, v);
                }
            }
            "calls" => {
                set("SEEKER_ID", self.vars["CALLS_SEEKER_ID"].clone());
            }
            "call-handler" => {
                for (k, v) in self.ringing_call().await? {
                    set(k, v);
                }
            }
            _ => {}
        }
        fill(&self.root, program.fixture, &vars)
    }

    /// A pending outbox email on the side table that only the measured process reads (see
    /// `Table::side_table`).
    async fn outbox_item(&self) -> Result<Vec<(&'static str, String)>> {
        let table = self.table.side_table("dispatch").await;
        let seed = table.put_pending_outbox(&format!("{}@example.fr", unique("cold-dispatch"))).await;
        Ok(vec![
            ("DISPATCH_TABLE", table.name),
            ("OUTBOX_PK", seed.pk),
            ("OUTBOX_SK", seed.sk),
            ("EMAIL_ID", seed.email_id),
            ("OUTBOX_TO", seed.to),
            ("CREATED_AT", seed.created_at),
            ("EXPIRES_AT", seed.expires_at),
        ])
    }
}

/// An advisor of the smoke region with a work phone, and a seeker of theirs.
async fn calling_advisor(api: &Api, admin: &Person, phone: &str) -> Result<(Person, String)> {
    let sub = unique("cold-caller");
    let (status, advisor) = api
        .post(
            "/advisors",
            admin,
            json!({"sub": sub, "firstName": "Paul", "lastName": "Appel", "email": format!("{sub}@example.fr"),
                   "region": REGION, "modality": "web", "phone": phone}),
        )
        .await;
    ensure!(status == HttpStatus::CREATED, "a calling advisor: {status} {advisor}");
    let advisor_id = advisor["advisorId"].as_str().context("advisorId")?.to_owned();
    let (_, seeker_id) = api.seeker_of(admin, &advisor_id, REGION).await;
    Ok((api.sign_in(&sub, &["advisors"]).await, seeker_id))
}

/// The call ringing on a simulated phone, if any: its leg's call id.
async fn ringing(api: &Api, number: &str) -> Result<Option<String>> {
    let (status, phone) = api.call(reqwest::Method::GET, &format!("/_local/phones/{number}"), None, None).await;
    ensure!(status == HttpStatus::OK, "reading the phone {number}: {status} {phone}");
    let calls = phone["calls"].as_array().cloned().unwrap_or_default();
    Ok(calls.iter().rev().find(|c| c["state"] == "ringing").and_then(|c| c["callId"].as_str()).map(str::to_owned))
}

/// Waits (up to 5 s) for the phone to ring; the ringing leg's call id.
async fn ringing_leg(api: &Api, number: &str) -> Result<String> {
    for _ in 0..100 {
        if let Some(leg) = ringing(api, number).await? {
            return Ok(leg);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{number} does not ring")
}

/// The function binaries of `template.yaml` (`Metadata.BuildProperties.Binary`), in order, then
/// the PSTN audio handler's of `infra/pstn-audio.yaml` (its own stack, in the voice region).
fn template_binaries(root: &Path) -> Result<Vec<String>> {
    let mut binaries = Vec::new();
    for file in ["template.yaml", "infra/pstn-audio.yaml"] {
        let text = std::fs::read_to_string(root.join(file)).with_context(|| format!("reading {file}"))?;
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).with_context(|| format!("{file} is not YAML"))?;
        let resources = doc["Resources"].as_mapping().with_context(|| format!("Resources in {file}"))?;
        binaries.extend(
            resources.values().filter_map(|r| r["Metadata"]["BuildProperties"]["Binary"].as_str().map(str::to_owned)),
        );
    }
    Ok(binaries)
}

fn fixture_of(binary: &str) -> Result<(&'static str, &'static str)> {
    Ok(match binary {
        "registration" => ("http-registration-register.json", "HTTP API POST /seekers"),
        "booking" => ("http-booking-convocation.json", "HTTP API POST convocation"),
        "links" => ("http-links-open.json", "HTTP API GET /links/{token}"),
        "meetings" => ("http-meetings-join.json", "HTTP API POST meeting (join)"),
        "chat-history" => ("http-chat-history-messages.json", "HTTP API GET messages"),
        "chat" => ("ws-chat-connect.json", "WebSocket $connect (JWT)"),
        "email-dispatch" => ("dynamodb-stream-outbox-insert.json", "DynamoDB stream INSERT"),
        "reminders" => ("step-reminders-plan.json", "Step Functions task (plan)"),
        "advisor-digest" => ("schedule-advisor-digest.json", "EventBridge schedule 08:00"),
        "meeting-sweeper" => ("schedule-meeting-sweeper.json", "EventBridge schedule"),
        "meeting-events" => ("chime-attendee-joined.json", "Chime AttendeeJoined"),
        "email-sweep" => ("schedule-email-sweep.json", "EventBridge schedule (5 min)"),
        "retention-sweep" => ("schedule-retention-sweep.json", "EventBridge schedule (nightly)"),
        "call-sweeper" => ("schedule-call-sweeper.json", "EventBridge schedule (5 min)"),
        "calls" => ("http-calls-call-seeker.json", "HTTP API POST /seekers/{id}/calls (PSTN)"),
        "call-handler" => ("pstn-call-answered.json", "PSTN audio CALL_ANSWERED"),
        other => bail!("no cold-start event for {other} (add one to tests/bin/coldstart.rs)"),
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    // Nearest rank.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let root = PathBuf::from(env("ROOT")?);
    let bin_dir = PathBuf::from(env("COLDSTART_BIN_DIR")?);
    let node = env("NODE_BIN")?;
    let node_bootstrap = env("NODE_BOOTSTRAP")?;
    let runs: usize = std::env::var("COLDSTART_RUNS").unwrap_or_else(|_| "10".into()).parse()?;
    ensure!(runs >= 1, "COLDSTART_RUNS must be at least 1");
    let port: u16 = env("COLDSTART_PORT")?.parse()?;
    let http_port = env("HTTP_PORT")?;
    let logs = root.join(".local/logs/coldstart");
    std::fs::create_dir_all(&logs)?;

    let chat_env = vec![
        ("JWT_ISSUER".to_owned(), format!("http://127.0.0.1:{http_port}/_local")),
        ("JWT_AUDIENCE".to_owned(), "local-web-client".to_owned()),
        ("JWKS_URL".to_owned(), format!("http://127.0.0.1:{http_port}/_local/jwks.json")),
        ("RUST_LOG".to_owned(), "info".to_owned()),
    ];
    let mut programs = Vec::new();
    for binary in template_binaries(&root)? {
        let (fixture, kind) = fixture_of(&binary)?;
        let path = bin_dir.join(&binary);
        ensure!(path.is_file(), "{} is not built", path.display());
        let mut env = chat_env.clone();
        if binary == "email-dispatch" {
            env.push(("TABLE_NAME".to_owned(), format!("{}-dispatch", env_table()?)));
        }
        programs.push(Program {
            size: std::fs::metadata(&path).ok().map(|m| m.len()),
            name: binary,
            kind,
            command: vec![path.display().to_string()],
            env,
            fixture,
        });
    }
    let putitem = bin_dir.join("putitem");
    programs.push(Program {
        size: std::fs::metadata(&putitem).ok().map(|m| m.len()),
        name: "putitem".into(),
        kind: "baseline: one PutItem (Rust)",
        command: vec![putitem.display().to_string()],
        env: Vec::new(),
        fixture: "coldstart-putitem.json",
    });
    programs.push(Program {
        size: None,
        name: "node-putitem".into(),
        kind: "baseline: one PutItem (Node.js 20)",
        command: vec![node.clone(), node_bootstrap],
        env: Vec::new(),
        fixture: "coldstart-putitem.json",
    });

    // COLDSTART_ONLY=a,b measures those programs alone (a function added since the last table).
    if let Ok(only) = std::env::var("COLDSTART_ONLY") {
        let only: Vec<&str> = only.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        for name in &only {
            ensure!(programs.iter().any(|p| p.name == *name), "COLDSTART_ONLY: no program {name}");
        }
        programs.retain(|p| only.contains(&p.name.as_str()));
    }
    let runtime = serve_runtime(port).await?;
    let mut stack = Stack::seed(&root).await?;
    let node_version = Command::new(&node).arg("--version").output()?.stdout;

    // Every timed run, for comparisons across runs of this program (before / after a change).
    let runs_csv = root.join(".local/logs/coldstart-runs.csv");
    let mut csv = String::from("function,run,init_ms,first_answer_ms,cold_ms,peak_kib\n");
    println!(
        "| function | event | runs | init min ms | init median ms | init p90 ms | first answer min ms | first answer median ms | first answer p90 ms | cold start median ms | cold start p90 ms | peak RSS median MiB | max MiB | binary MB |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for program in &programs {
        let log = logs.join(format!("{}.log", program.name));
        let _ = std::fs::remove_file(&log);
        // Warm-up: the binary and its libraries in the page cache, not timed.
        let event = stack.event(program).await?;
        let warm = measure(&runtime, port, program, event, &log).await?;
        check(&program.name, &warm.answer)?;
        stack.after(program).await?;
        let (mut init, mut first, mut cold, mut peaks) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for run in 1..=runs {
            let event = stack.event(program).await?;
            let m = measure(&runtime, port, program, event, &log).await?;
            check(&program.name, &m.answer).with_context(|| format!("log: {}", log.display()))?;
            stack.after(program).await?;
            csv.push_str(&format!(
                "{},{run},{:.3},{:.3},{:.3},{}\n",
                program.name, m.init_ms, m.first_answer_ms, m.cold_ms, m.peak_kib
            ));
            init.push(m.init_ms);
            first.push(m.first_answer_ms);
            cold.push(m.cold_ms);
            peaks.push(m.peak_kib as f64 / 1024.0);
        }
        for list in [&mut init, &mut first, &mut cold, &mut peaks] {
            list.sort_by(f64::total_cmp);
        }
        println!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
            program.name,
            program.kind,
            runs,
            init[0],
            median(&init),
            percentile(&init, 90.0),
            first[0],
            median(&first),
            percentile(&first, 90.0),
            median(&cold),
            percentile(&cold, 90.0),
            median(&peaks),
            peaks[peaks.len() - 1],
            program.size.map_or_else(|| "-".to_owned(), |b| format!("{:.1}", b as f64 / 1e6)),
        );
    }
    std::fs::write(&runs_csv, csv).with_context(|| format!("writing {}", runs_csv.display()))?;
    let _ = stack.api.http.get(format!("{}/_local/emails", stack.api.base)).send().await;
    println!();
    println!(
        "Node: {} ({node}); Rust binaries from {}; {runs} timed runs each after one warm-up. \
         Init: spawn to the process's first `next` (Lambda's Init Duration); first answer: that `next` to the \
         answer's arrival at the Runtime API; cold start: spawn to the answer. Peak RSS = VmHWM at the answer. \
         Every run: {}.",
        String::from_utf8_lossy(&node_version).trim(),
        bin_dir.display(),
        runs_csv.display()
    );
    Ok(())
}
