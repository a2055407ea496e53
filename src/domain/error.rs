//! The one error type of the crate.
//!
//! Every failure a caller can see is an [`Error`]. Its [`Error::code`] is the
//! server's own status code when the body was an API error envelope, and
//! otherwise one of the client-side codes listed on [`Error::code`].
//! No variant ever carries the API key: messages are built from statuses,
//! paths and short excerpts of bodies, never from request headers.

use std::fmt;

/// Why a call failed.
/// The platform's own error behind an [`Error::Network`] (the value `fetch`
/// threw), handed to JavaScript as `ResourcesError.cause`. It takes no part in
/// comparisons or printing; native builds have none.
#[derive(Clone, Default)]
pub struct Cause(#[cfg(target_arch = "wasm32")] pub Option<wasm_bindgen::JsValue>);

impl PartialEq for Cause {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Cause {}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cause")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The server answered with an error envelope: `{"status":"<CODE>","message":"..."}`.
    Api {
        /// The envelope's `status`, e.g. `UNAUTHORIZED_ERROR`.
        code: String,
        /// HTTP status of the response.
        status: u16,
        /// The envelope's `message` (or a generic one when it had none).
        message: String,
        /// Delay the server asked for (`Retry-After`), in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// A non-2xx response whose body was not an error envelope (a proxy page, an empty body).
    Http {
        /// HTTP status of the response.
        status: u16,
        /// What arrived, in a few words.
        message: String,
        /// Delay the server asked for (`Retry-After`), in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// The body could not be trusted: not JSON, wrong shape, or (in strict mode) a surprise.
    InvalidResponse {
        /// HTTP status of the response.
        status: u16,
        /// First failing JSON path from the body's root, e.g. `data.resources.models[2].modality`.
        path: Option<String>,
        /// What was wrong.
        message: String,
    },
    /// The request never got a response (DNS, refused connection, CORS, reset).
    Network {
        /// What the platform reported.
        message: String,
        /// The platform's own error, when it threw one.
        cause: Cause,
    },
    /// An attempt took longer than `timeoutMs`.
    Timeout {
        /// The per-attempt limit that was exceeded.
        timeout_ms: u64,
    },
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The body was larger than `maxBytes`.
    ResponseTooLarge {
        /// HTTP status of the response.
        status: u16,
        /// The configured limit.
        max_bytes: u64,
    },
    /// The client was configured with an unusable option.
    InvalidOptions {
        /// Which option and why.
        message: String,
    },
}

impl Error {
    /// A network failure with no platform error behind it.
    pub fn network(message: impl Into<String>) -> Error {
        Error::Network { message: message.into(), cause: Cause::default() }
    }

    /// The machine-readable code: the server's status code for [`Error::Api`],
    /// else `HTTP_ERROR`, `INVALID_RESPONSE`, `NETWORK_ERROR`, `TIMEOUT`,
    /// `ABORTED`, `RESPONSE_TOO_LARGE` or `INVALID_OPTIONS`.
    pub fn code(&self) -> &str {
        match self {
            Error::Api { code, .. } => code,
            Error::Http { .. } => "HTTP_ERROR",
            Error::InvalidResponse { .. } => "INVALID_RESPONSE",
            Error::Network { .. } => "NETWORK_ERROR",
            Error::Timeout { .. } => "TIMEOUT",
            Error::Aborted => "ABORTED",
            Error::ResponseTooLarge { .. } => "RESPONSE_TOO_LARGE",
            Error::InvalidOptions { .. } => "INVALID_OPTIONS",
        }
    }

    /// HTTP status of the response, `0` when there was none.
    pub fn status(&self) -> u16 {
        match self {
            Error::Api { status, .. }
            | Error::Http { status, .. }
            | Error::InvalidResponse { status, .. }
            | Error::ResponseTooLarge { status, .. } => *status,
            _ => 0,
        }
    }

    /// First failing JSON path, for [`Error::InvalidResponse`].
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::InvalidResponse { path, .. } => path.as_deref(),
            _ => None,
        }
    }

    /// Delay the server asked for before another attempt, in milliseconds.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Error::Api { retry_after_ms, .. } | Error::Http { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    /// Whether trying again may succeed: network errors, timeouts, 429 and 5xx.
    /// Other 4xx, invalid bodies, aborts and bad options never are.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Timeout { .. } => true,
            Error::Api { status, .. } | Error::Http { status, .. } => {
                *status == 429 || *status >= 500
            }
            _ => false,
        }
    }

    /// Whether a stored catalog may be served instead (stale-if-error):
    /// the network failed us, not the server's judgement of the request.
    pub fn allows_stale_fallback(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Timeout { .. } => true,
            Error::Api { status, .. } | Error::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Shorthand for an [`Error::InvalidResponse`] at `path`.
    pub fn invalid(status: u16, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidResponse { status, path: Some(path.into()), message: message.into() }
    }

    /// Shorthand for an [`Error::InvalidOptions`].
    pub fn options(message: impl Into<String>) -> Error {
        Error::InvalidOptions { message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { code, status, message, .. } => write!(f, "{code} (HTTP {status}): {message}"),
            Error::Http { status, message, .. } => write!(f, "HTTP {status}: {message}"),
            Error::InvalidResponse { path: Some(p), message, .. } => {
                write!(f, "invalid response at {p}: {message}")
            }
            Error::InvalidResponse { path: None, message, .. } => write!(f, "invalid response: {message}"),
            Error::Network { message, .. } => write!(f, "network error: {message}"),
            Error::Timeout { timeout_ms } => write!(f, "request timed out after {timeout_ms} ms"),
            Error::Aborted => f.write_str("request aborted"),
            Error::ResponseTooLarge { max_bytes, .. } => {
                write!(f, "response body exceeds maxBytes ({max_bytes} bytes)")
            }
            Error::InvalidOptions { message } => write!(f, "invalid options: {message}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_retryability() {
        let api = |status| Error::Api { code: "X".into(), status, message: String::new(), retry_after_ms: None };
        assert!(api(429).retryable());
        assert!(api(503).retryable());
        assert!(!api(401).retryable());
        assert!(!api(422).retryable());
        assert!(!api(429).allows_stale_fallback());
        assert!(api(500).allows_stale_fallback());
        assert_eq!(Error::Aborted.code(), "ABORTED");
        assert_eq!(Error::Timeout { timeout_ms: 5 }.status(), 0);
        assert!(Error::network("x").allows_stale_fallback());
        assert!(!Error::invalid(200, "data", "x").retryable());
        assert_eq!(Error::invalid(200, "data.hash", "x").path(), Some("data.hash"));
    }

    #[test]
    fn display_names_the_path() {
        let e = Error::invalid(200, "data.resources.models[2].modality", "expected a string");
        assert_eq!(e.to_string(), "invalid response at data.resources.models[2].modality: expected a string");
    }
}
