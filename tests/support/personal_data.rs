//! The personal data the tests give the service, written down so that a phase after the
//! tests (`infra/local/personal-data-in-logs.sh`, in `make test`) can look for every value in
//! the stack's logs: no log line may hold a seeker's name, email or phone number.
//!
//! Every seeker's data goes through [`crate::Api::call`] (registration and profile updates),
//! which calls [`note`]; the values go to the file named by `PERSONAL_DATA_FILE`, when set.

use std::io::Write;

use serde_json::Value;

/// Routes whose body carries a seeker's personal data.
const ROUTES: [(&str, &str); 2] = [("POST", "/seekers"), ("PATCH", "/seekers/me")];
/// The fields of those bodies that are personal data.
const FIELDS: [&str; 4] = ["firstName", "lastName", "email", "phone"];

/// Writes down the personal data in `body` if `method path` is a route that takes some.
pub fn note(method: &str, path: &str, body: &Value) {
    let Ok(file) = std::env::var("PERSONAL_DATA_FILE") else {
        return;
    };
    if !ROUTES.contains(&(method, path)) {
        return;
    }
    let mut values = Vec::new();
    for field in FIELDS {
        let Some(raw) = body.get(field).and_then(Value::as_str) else {
            continue;
        };
        values.push(raw.trim().to_owned());
        // As the service stores it, too.
        match field {
            "email" => values.extend(domain::Email::parse(raw).ok().map(|e| e.as_str().to_owned())),
            "phone" => values.extend(domain::Phone::parse(raw).ok().map(|p| p.as_str().to_owned())),
            _ => {}
        }
    }
    // One line per value; control characters (hostile inputs) would split a line in the list.
    let text: String =
        values.iter().filter(|v| !v.is_empty() && !v.chars().any(char::is_control)).map(|v| format!("{v}\n")).collect();
    if text.is_empty() {
        return;
    }
    // One append per call: concurrent tests never interleave within a line.
    if let Ok(mut out) = std::fs::OpenOptions::new().create(true).append(true).open(&file) {
        let _ = out.write_all(text.as_bytes());
    }
}
