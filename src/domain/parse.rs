//! Reading responses: a 2xx body into a validated catalog, a failed response
//! into its error. The rules themselves are the schema walk in [`super::schema`].

use super::error::Error;
use super::scan::{same, Events, Kind, Str, Take};

pub use super::schema::{check_hash, describe_body, Checked, MAX_HASH_LEN, MAX_SHOWN_CHARS, MAX_WARNINGS};
pub use super::walk::{check_body, walk_body, Walk, Walked};

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
    let mut walk = Walk::failure();
    walk.feed(body);
    walk.failure_error(status, content_type, retry_after_ms)
}

/// The reader of a failed response's body: the string `status` and `message`
/// of a JSON object (the last of each, as `JSON.parse` reads them).
#[derive(Default)]
pub(crate) struct EnvelopeRead {
    /// The root value was seen, and was an object.
    started: bool,
    object: bool,
    code: Option<String>,
    message: Option<String>,
    /// Which member the next value is: 1 `status`, 2 `message`, 0 another.
    pending: u8,
}

impl EnvelopeRead {
    /// `status` and `message`, when the body was an object with a string `status`.
    pub(crate) fn found(&self) -> Option<(String, Option<String>)> {
        if !self.object {
            return None;
        }
        Some((self.code.clone()?, self.message.clone()))
    }

    fn slot(&mut self) -> &mut Option<String> {
        if self.pending == 1 {
            &mut self.code
        } else {
            &mut self.message
        }
    }
}

impl Events for EnvelopeRead {
    fn open(&mut self, kind: Kind, _at: usize) -> Take {
        if !self.started {
            // The root: only an object is an envelope.
            self.started = true;
            self.object = kind == Kind::Object;
            return if self.object { Take::Keep } else { Take::Skip };
        }
        if !matches!(self.pending, 1 | 2) {
            return Take::Skip;
        }
        if kind == Kind::String {
            return Take::Keep;
        }
        *self.slot() = None;
        Take::Skip
    }

    fn key(&mut self, key: Str<'_>) {
        let name = key.bytes();
        self.pending = if same(&name, b"status") {
            1
        } else if same(&name, b"message") {
            2
        } else {
            0
        };
    }

    fn string(&mut self, value: Str<'_>, at: usize) {
        if self.open(Kind::String, at) == Take::Keep {
            *self.slot() = Some(value.text().into_owned());
        }
    }

    fn keeps_string(&self) -> bool {
        self.object && matches!(self.pending, 1 | 2)
    }

    fn scalar(&mut self, _text: &[u8]) {}

    fn close(&mut self, _end: usize) {}
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
