//! WebSocket client frames as the chat function receives them (docs/websocket.md): arbitrary
//! bytes as a frame body, through every frame parser and the checks the relay applies before
//! touching DynamoDB. Any input must give a checked value or a 4xx error frame, never a panic,
//! and what passes the checks must hold the contract's bounds.
#![no_main]

use chat::frames::{
    self, clean_text, client_message_id, default_route_error, error_frame, excerpt, ulid_id, MarkReadFrame,
    SendMessageFrame, TypingFrame, EXCERPT_CHARS, MAX_CLIENT_MESSAGE_ID_CHARS, MAX_TEXT_CHARS,
};
use api::ApiError;
use libfuzzer_sys::fuzz_target;

/// What the client gets back for a refused frame: a 4xx, as an `error` frame.
fn refused(error: &ApiError, client_message_id: Option<&str>) {
    let status = error.status().as_u16();
    assert!((400..500).contains(&status), "a frame was refused with {status}");
    let frame = error_frame(error, client_message_id);
    assert_eq!(frame["type"], "error");
    assert!(frame["code"].as_str().is_some_and(|code| !code.is_empty()));
}

fn check_text(raw: &str) {
    match clean_text(raw) {
        Ok(text) => {
            let count = text.chars().count();
            assert!((1..=MAX_TEXT_CHARS).contains(&count));
            assert!(text.chars().all(|c| c == '\n' || c == '\t' || !c.is_control()));
            assert!(!text.contains('\r') && !text.contains('\u{202E}'));
            assert_eq!(text.trim(), text);
            assert!(excerpt(&text).chars().count() <= EXCERPT_CHARS + 1);
        }
        Err(error) => refused(&error, None),
    }
}

fuzz_target!(|data: &[u8]| {
    // API Gateway hands a text frame to the function as a string; a frame that is not UTF-8
    // arrives base64-encoded on `$default`, which answers with an error frame.
    let body = String::from_utf8_lossy(data);
    let body = Some(body.as_ref());

    refused(&default_route_error(body), None);

    match frames::parse::<SendMessageFrame>(body) {
        Ok(frame) => match client_message_id(&frame.client_message_id) {
            Ok(id) => {
                assert!((1..=MAX_CLIENT_MESSAGE_ID_CHARS).contains(&id.chars().count()));
                assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')));
                check_text(&frame.text);
                if let Some(seeker) = frame.seeker_id.as_deref() {
                    if let Ok(id) = ulid_id("seekerId", seeker) {
                        assert_eq!(id.len(), 26);
                    }
                }
            }
            Err(error) => refused(&error, None),
        },
        Err(error) => refused(&error, None),
    }

    match frames::parse::<MarkReadFrame>(body) {
        Ok(frame) => match ulid_id("upTo", &frame.up_to) {
            // The canonical form is stable: it is what the sort keys hold.
            Ok(id) => assert_eq!(ulid_id("upTo", &id).ok().as_deref(), Some(id.as_str())),
            Err(error) => refused(&error, None),
        },
        Err(error) => refused(&error, None),
    }

    if let Err(error) = frames::parse::<TypingFrame>(body) {
        refused(&error, None);
    }
});
