//! `check_body` (lenient) on any bytes: never panics; what it accepts has a
//! base64url hash, at most 51 warning lines, and a `resources` span that is
//! a JSON object inside the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resources_client::domain::schema::{check_hash, MAX_WARNINGS};
use resources_client::domain::walk::check_body;

fuzz_target!(|body: &[u8]| {
    if let Ok(c) = check_body(body, 200, Some("application/json"), false) {
        assert!(check_hash(&c.hash).is_ok(), "accepted hash {:?}", c.hash);
        assert!(c.warnings.len() <= MAX_WARNINGS + 1);
        assert!(c.resources.end <= body.len() && body[c.resources.start] == b'{' && body[c.resources.end - 1] == b'}');
        // Strict mode refuses exactly the bodies lenient mode warns about.
        let strict = check_body(body, 200, None, true);
        assert!(strict.is_ok() == c.warnings.is_empty(), "strict and lenient disagree");
    }
});
