//! Temporary bridge.
use super::error::Error;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked { pub hash: String, pub warnings: Vec<String> }
pub fn validate_success(body: &[u8], status: u16, content_type: Option<&str>, strict: bool) -> Result<Checked, Error> {
    super::schema::check_body(body, status, content_type, strict).map(|c| Checked { hash: c.hash, warnings: c.warnings })
}
pub fn validate_fast(body: &[u8], strict: bool) -> Option<Checked> {
    validate_success(body, 200, None, strict).ok()
}
