//! `record::decode` on any bytes: never panics; what it accepts is a record
//! of this base URL and scope whose body walks to the same hash and warnings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use resources_client::domain::record;
use resources_client::domain::walk::check_body;

const BASE: &str = "https://h.example";
const SCOPE: &str = "nokey";

fuzz_target!(|text: &[u8]| {
    if let Ok(rec) = record::decode(text, BASE, SCOPE) {
        assert!(rec.fetched_at.is_finite() && rec.fetched_at >= 0.0);
        let body = check_body(&text[rec.body.clone()], 200, None, false).expect("a stored body walks");
        assert_eq!((body.hash, body.warnings), (rec.hash, rec.warnings));
        assert!(record::decode(text, "https://other.example", SCOPE).is_err());
        assert!(record::decode(text, BASE, "key-00000000000000000000000000000000").is_err());
    }
});
