//! `parse_failure` on any bytes: never panics; an API error carries the body's
//! code (never `SUCCESS`), anything else a short HTTP error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resources_client::{parse_failure, Error};

fuzz_target!(|body: &[u8]| {
    match parse_failure(body, 503, Some("text/html"), Some(1000)) {
        Error::Api { code, status, retry_after_ms, .. } => {
            assert!(!code.is_empty() && code != "SUCCESS" && status == 503 && retry_after_ms == Some(1000));
        }
        Error::Http { message, status, .. } => assert!(status == 503 && message.chars().count() < 200),
        other => panic!("parse_failure returned {other:?}"),
    }
});
