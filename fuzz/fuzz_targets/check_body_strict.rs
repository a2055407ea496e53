//! `check_body` in strict mode on any bytes: never panics; what it accepts has
//! no warnings, and lenient mode accepts it with the same hash and span.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resources_client::domain::walk::check_body;

fuzz_target!(|body: &[u8]| {
    if let Ok(c) = check_body(body, 200, None, true) {
        assert!(c.warnings.is_empty(), "strict warnings {:?}", c.warnings);
        let lenient = check_body(body, 200, None, false).expect("lenient accepts what strict accepts");
        assert_eq!((lenient.hash, lenient.resources), (c.hash, c.resources));
    }
});
