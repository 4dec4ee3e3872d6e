//! `request`: a WebSocket text frame, as the server reads it, through
//! `capital_protocol::client::parse_request`.
//!
//! Checks: no panic on any text; a frame that parses serializes and parses again to an equal
//! `Request` (what the Rust client sends is what the server reads); a refusal carries one of the
//! three documented codes, `unknown_type` always with the frame's `id` and `bad_json` never.
//!
//! The input is the frame's text: valid UTF-8 as it is, anything else decoded lossily (a
//! WebSocket text frame is UTF-8 by the time it reaches the parser).

#![no_main]

use capital_protocol::ErrorCode;
use capital_protocol::client::{REQUEST_TYPES, parse_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check(&String::from_utf8_lossy(data));
});

fn check(text: &str) {
    match parse_request(text) {
        Ok(request) => {
            assert!(REQUEST_TYPES.contains(&request.body.kind()), "{}", request.body.kind());
            let json = serde_json::to_string(&request).expect("requests serialize");
            match parse_request(&json) {
                Ok(again) => assert_eq!(again, request, "{text:?} -> {json:?}"),
                Err(bad) => panic!("{text:?} parsed, but its serialization {json:?} not: {bad:?}"),
            }
        }
        Err(bad) => match bad.code {
            ErrorCode::BadJson => assert_eq!(bad.id, None, "{text:?}: {bad:?}"),
            ErrorCode::UnknownType => assert!(bad.id.is_some(), "{text:?}: {bad:?}"),
            ErrorCode::BadRequest => {}
            other => panic!("{text:?}: refused with an undocumented code {other:?}"),
        },
    }
}
