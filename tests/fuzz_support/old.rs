//! TEMPORARY: the recursive walk before streaming, for an exact differential.
#![allow(dead_code, unused_imports)]
pub use resources_client::domain::{error, redact, sort, types};
#[path = "/tmp/oldwalk/parse.rs"]
pub mod parse;
#[path = "/tmp/oldwalk/scan.rs"]
pub mod scan;
#[path = "/tmp/oldwalk/schema.rs"]
pub mod schema;
