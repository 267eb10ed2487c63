//! Request bodies as the handlers receive them: `parse_body` on arbitrary bytes, then every
//! string field through the domain's fallible constructors. Any input must give a value or a
//! 4xx `ApiError`, never a panic.
#![no_main]

use domain::{Email, PersonName, Phone, Region};
use lambda_http::{Body, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let request = Request::new(Body::Binary(data.to_vec()));
    let Ok(value) = api::http::parse_body::<serde_json::Value>(&request) else { return };
    let Some(object) = value.as_object() else { return };
    for field in object.values().filter_map(serde_json::Value::as_str) {
        let _ = Email::parse(field);
        let _ = Phone::parse(field);
        let _ = Region::parse(field);
        let _ = PersonName::parse("firstName", field);
        let _ = domain::time::parse_instant("start", field);
        let _ = domain::free_text("reason", field, 2000);
    }
});
