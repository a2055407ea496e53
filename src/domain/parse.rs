//! Reading responses: a 2xx body into a validated catalog, a failed response
//! into its error. The rules themselves are the schema walk in [`super::schema`].

use super::error::Error;
use super::scan::{same, Kind, Scanner};
use super::schema::strip_bom;

pub use super::schema::{check_body, check_hash, describe_body, Checked, MAX_HASH_LEN, MAX_SHOWN_CHARS, MAX_WARNINGS};

/// Parses a 2xx body into a validated [`Catalog`](super::types::Catalog), with
/// typed resources (native builds; in wasm the client materialises results
/// through JavaScript).
///
/// `status` and `content_type` only shape error messages. A body whose `status`
/// is not `SUCCESS` is the server's error even on a 2xx and becomes [`Error::Api`].
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_success(
    body: &[u8],
    status: u16,
    content_type: Option<&str>,
    strict: bool,
) -> Result<super::types::Catalog, Error> {
    let checked = check_body(body, status, content_type, strict)?;
    let unreadable = |e: serde_json::Error| Error::invalid(status, "data.resources", e.to_string());
    // Through a `Value`, so that a key given twice counts with its last value,
    // as the walk (and `JSON.parse`) counted it.
    let value: serde_json::Value = serde_json::from_slice(&body[checked.resources.clone()]).map_err(unreadable)?;
    let resources = serde_json::from_value(value).map_err(unreadable)?;
    Ok(super::types::Catalog { hash: checked.hash, resources, warnings: checked.warnings })
}

/// Turns a non-2xx response into its error: [`Error::Api`] when the body is an
/// error envelope (`status` holds the code), else [`Error::Http`] describing what came.
pub fn parse_failure(body: &[u8], status: u16, content_type: Option<&str>, retry_after_ms: Option<u64>) -> Error {
    if let Some((code, message)) = error_envelope(strip_bom(body)) {
        if !code.is_empty() && code != "SUCCESS" {
            let message = message.filter(|m| !m.is_empty()).unwrap_or_else(|| format!("the server answered {code}"));
            return Error::Api { code, status, message, retry_after_ms };
        }
    }
    Error::Http { status, message: describe_body(body, content_type), retry_after_ms }
}

/// The string `status` and `message` of a JSON object body (the last of each,
/// as `JSON.parse` reads them); `None` unless the whole body is a JSON object
/// with a string `status`.
fn error_envelope(body: &[u8]) -> Option<(String, Option<String>)> {
    let mut s = Scanner::new(body);
    if s.kind().ok()? != Kind::Object {
        return None;
    }
    let (mut code, mut message) = (None, None);
    s.object(|s, key| {
        let name = key.bytes();
        let slot = if same(&name, b"status") {
            &mut code
        } else if same(&name, b"message") {
            &mut message
        } else {
            return s.skip();
        };
        *slot = match s.kind()? {
            Kind::String => Some(s.string()?.text().into_owned()),
            _ => s.skip().map(|()| None)?,
        };
        Ok(())
    })
    .ok()?;
    if !s.at_end() {
        return None;
    }
    Some((code?, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelopes_give_the_servers_code() {
        let e = parse_failure(br#"{"status":"UNAUTHORIZED_ERROR","message":"bad key","data":null}"#, 401, None, None);
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            ("UNAUTHORIZED_ERROR", "UNAUTHORIZED_ERROR (HTTP 401): bad key")
        );
        let e = parse_failure(br#"{"status":"A","message":"x","status":"B","message":""}"#, 500, None, None);
        assert_eq!((e.code(), e.to_string().as_str()), ("B", "B (HTTP 500): the server answered B"));
        for body in
            [&b"<html>"[..], b"", b"{\"status\":1}", b"{\"status\":\"X\"} x", b"[]", b"{\"status\":\"SUCCESS\"}"]
        {
            assert_eq!(parse_failure(body, 502, Some("text/html"), None).code(), "HTTP_ERROR", "{body:?}");
        }
    }
}
