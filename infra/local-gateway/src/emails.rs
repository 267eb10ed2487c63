//! `GET /_local/emails`: the mail the local SES (moto) received, parsed, newest first.

use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{json, Value};

/// Reads moto's recorded SES messages.
pub async fn list(http: &reqwest::Client, moto_url: &str, to_filter: Option<&str>) -> anyhow::Result<Vec<Value>> {
    let data: Value =
        http.get(format!("{moto_url}/moto-api/data.json")).send().await?.error_for_status()?.json().await?;
    let mut emails = Vec::new();
    if let Some(raw_messages) = data.pointer("/ses/RawMessage").and_then(Value::as_array) {
        for message in raw_messages {
            let raw = message.get("raw_data").and_then(Value::as_str).unwrap_or_default();
            let Some(parsed) = MessageParser::default().parse(raw.as_bytes()) else {
                continue;
            };
            let mut to: Vec<String> = message
                .get("destinations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect();
            to.sort();
            to.dedup();
            let attachments: Vec<Value> = parsed
                .attachments()
                .map(|a| {
                    json!({
                        "filename": a.attachment_name(),
                        "contentType": a.content_type().map(|c| match c.subtype() {
                            Some(sub) => format!("{}/{}", c.ctype(), sub),
                            None => c.ctype().to_owned(),
                        }),
                        "content": String::from_utf8_lossy(a.contents()),
                    })
                })
                .collect();
            emails.push(json!({
                "id": message.get("id"),
                "from": message.get("source"),
                "to": to,
                "subject": parsed.subject(),
                "messageId": parsed.message_id(),
                "text": parsed.body_text(0),
                "html": parsed.body_html(0),
                "attachments": attachments,
            }));
        }
    }
    if let Some(simple) = data.pointer("/ses/Message").and_then(Value::as_array) {
        for message in simple {
            emails.push(json!({
                "id": message.get("id"),
                "from": message.get("source"),
                "to": message.pointer("/destinations/ToAddresses").cloned().unwrap_or(json!([])),
                "subject": message.get("subject"),
                "html": message.get("body"),
                "attachments": [],
            }));
        }
    }
    emails.reverse();
    if let Some(to) = to_filter {
        let to = to.to_lowercase();
        emails.retain(|e| {
            e["to"]
                .as_array()
                .is_some_and(|list| list.iter().any(|t| t.as_str().is_some_and(|t| t.to_lowercase() == to)))
        });
    }
    Ok(emails)
}

/// `GET /_local/sms`: the SMS the local SNS (the same moto) recorded for `Publish` to a phone
/// number, oldest first, optionally for one number (E.164). moto keeps neither the sender id
/// nor the SMS type (message attributes).
pub async fn list_sms(http: &reqwest::Client, moto_url: &str, to_filter: Option<&str>) -> anyhow::Result<Vec<Value>> {
    let data: Value =
        http.get(format!("{moto_url}/moto-api/data.json")).send().await?.error_for_status()?.json().await?;
    let sms = data
        .pointer("/sns/SMS")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| to_filter.is_none_or(|to| m.get("phone_number").and_then(Value::as_str) == Some(to)))
        .map(|m| json!({"id": m.get("message_id"), "to": m.get("phone_number"), "text": m.get("message")}))
        .collect();
    Ok(sms)
}
