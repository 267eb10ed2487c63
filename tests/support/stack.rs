//! A local gateway of one test, with a moto of its own, over the shared DynamoDB Local but on a
//! table of its own: for a test that writes tens of thousands of emails. In the shared moto
//! they would stay for the rest of the run, and every email check of every other test reads
//! moto's whole store (`GET /_local/emails` parses each message), so the suite would crawl.
//! Its processes end, and its table is deleted, when it is dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::api::{unique, Api};
use crate::table::Table;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate sits in the repository").to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port()
}

/// A child process killed when dropped, also when a test panics half-way through start-up.
struct Guarded(Child);

impl Drop for Guarded {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_for_port(port: u16, what: &str, child: &mut Guarded) {
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("{what} exited ({status}) before opening port {port}; see .local/logs/private-*.log");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not open port {port} within 60 s");
}

/// Standard output and error of a process, both into `.local/logs/private-NAME.log`.
fn log_files(name: &str) -> (Stdio, Stdio) {
    let dir = root().join(".local/logs");
    std::fs::create_dir_all(&dir).expect("log folder");
    let file = std::fs::File::create(dir.join(format!("private-{name}.log"))).expect("log file");
    let copy = file.try_clone().expect("log file handle");
    (Stdio::from(file), Stdio::from(copy))
}

/// The gateway and moto of one test (the gateway stops first: fields drop in order).
pub struct PrivateGateway {
    _gateway: Guarded,
    _moto: Guarded,
    http_port: u16,
    ws_port: u16,
    /// The gateway's own table (`<TABLE_NAME>-<suffix>-<unique>`), made by the gateway from
    /// template.yaml, stream and indexes included.
    pub table: Table,
}

impl PrivateGateway {
    /// Starts moto and a gateway (scheduler off: runs only on `POST /_local/schedule`) with the
    /// environment of the shared stack but its own ports, SES and table.
    pub async fn start(suffix: &str) -> PrivateGateway {
        PrivateGateway::start_with(suffix, &[]).await
    }

    /// [`PrivateGateway::start`] with these variables of the gateway's environment set as well
    /// (a DynamoDB endpoint through a proxy, the local timeout scale).
    pub async fn start_with(suffix: &str, environment: &[(&str, String)]) -> PrivateGateway {
        let shared = Table::connect().await;
        let table = Table { client: shared.client.clone(), name: unique(&format!("{}-{suffix}", shared.name)) };
        let (ses_port, http_port, ws_port, chime_port) = (free_port(), free_port(), free_port(), free_port());
        let (out, err) = log_files(&format!("moto-{ses_port}"));
        let mut moto = Guarded(
            Command::new(root().join(".local/venv/bin/moto_server"))
                .args(["-H", "127.0.0.1", "-p", &ses_port.to_string()])
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("moto started"),
        );
        wait_for_port(ses_port, "moto", &mut moto).await;

        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
        let binary = target.join("debug/local-gateway");
        assert!(binary.is_file(), "{} missing: cargo build --workspace first", binary.display());
        let (out, err) = log_files(&format!("gateway-{http_port}"));
        // Everything else (DynamoDB endpoint, region, credentials, link secret, sender) as the
        // shared stack's environment has it.
        let mut command = Command::new(binary);
        command.envs(environment.iter().map(|(name, value)| (name, value)));
        let mut gateway = Guarded(
            command
                .current_dir(root())
                .env("HTTP_PORT", http_port.to_string())
                .env("WS_PORT", ws_port.to_string())
                .env("CHIME_PORT", chime_port.to_string())
                .env("SES_PORT", ses_port.to_string())
                .env("AWS_ENDPOINT_URL_SES", format!("http://127.0.0.1:{ses_port}"))
                .env("AWS_ENDPOINT_URL_SNS", format!("http://127.0.0.1:{ses_port}"))
                .env("AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", format!("http://127.0.0.1:{ws_port}/local"))
                .env("AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS", format!("http://127.0.0.1:{chime_port}"))
                .env("AWS_ENDPOINT_URL_CHIME_SDK_VOICE", format!("http://127.0.0.1:{chime_port}"))
                .env("SIP_MEDIA_APPLICATION_ID", "local-sip-media-application")
                .env("AGENCY_PHONE_NUMBER", "+33123456789")
                .env("LINKS_BASE_URL", format!("http://127.0.0.1:{http_port}"))
                .env("TEMPLATE_PATH", root().join("template.yaml"))
                .env("TABLE_NAME", &table.name)
                .env("LOCAL_SCHEDULER", "off")
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .expect("local gateway started"),
        );
        wait_for_port(http_port, "local gateway", &mut gateway).await;
        PrivateGateway { _gateway: gateway, _moto: moto, http_port, ws_port, table }
    }

    pub fn api(&self) -> Api {
        Api::at(format!("http://127.0.0.1:{}", self.http_port))
    }

    /// Its WebSocket API, for [`crate::ws::Ws::try_connect_at`].
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.ws_port)
    }
}

impl Drop for PrivateGateway {
    fn drop(&mut self) {
        // The gateway first (its stream poller would only complain), then the table: the shared
        // DynamoDB Local keeps tables in memory. Blocking on a runtime thread is not allowed, so
        // the deletion runs on a thread (and runtime, and client) of its own.
        let _ = self._gateway.0.kill();
        let _ = self._gateway.0.wait();
        let name = self.table.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    let config = aws_config::load_from_env().await;
                    let _ = aws_sdk_dynamodb::Client::new(&config).delete_table().table_name(name).send().await;
                });
            }
        })
        .join();
    }
}
