//! Tracing set-up: JSON lines on Lambda (CloudWatch), never personal data in fields.

use tracing_subscriber::EnvFilter;

/// JSON logs filtered by `RUST_LOG` (default `info`). Call once in `main`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (tests, the local gateway hosting several functions) is harmless.
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .without_time() // CloudWatch stamps each line
        .with_target(false)
        .try_init();
}
