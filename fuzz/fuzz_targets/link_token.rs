//! The signed-link verifier (`GET /links/{token}`) on arbitrary tokens: it must answer
//! (valid or refused), never panic.
#![no_main]

use chrono::TimeZone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let Some(signer) = api::links::LinkSigner::new(b"fuzzing-only-link-key-0123456789abcdef", "http://127.0.0.1")
    else {
        return;
    };
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 29, 6, 0, 0).unwrap();
    let _ = signer.verify(token, now);
});
