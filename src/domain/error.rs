//! The one error type of the crate.
//!
//! Every failure a caller can see is an [`Error`]. Its [`Error::code`] is the
//! server's own status code when the body was an API error envelope, and
//! otherwise one of the client-side codes listed on [`Error::code`].
//! No variant ever carries the API key: messages are built from statuses,
//! paths and short excerpts of bodies, never from request headers, and what
//! a server or a `fetch` echoes is redacted ([`super::redact`]) before a caller sees it.

use std::fmt;

use super::url::without_userinfo;

/// Why a call failed.
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
    },
    /// An attempt took longer than `timeoutMs`.
    Timeout {
        /// The per-attempt limit that was exceeded.
        timeout_ms: u64,
    },
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// The caller's `AbortSignal` fired because it timed out (`AbortSignal.timeout()`).
    SignalTimeout,
    /// The body was larger than `maxBytes`.
    ResponseTooLarge {
        /// HTTP status of the response.
        status: u16,
        /// The configured limit.
        max_bytes: u64,
    },
    /// A body within `maxBytes` whose JSON text is longer than one JavaScript
    /// string can be (V8 holds about 512 Mi characters): it cannot be handed
    /// to `JSON.parse`. Its code is `RESPONSE_TOO_LARGE` too: for the caller,
    /// the body is too large here.
    TextTooLong {
        /// HTTP status of the response.
        status: u16,
    },
    /// A redirect the client does not follow: a loop or more than
    /// [`super::url::MAX_REDIRECTS`] hops (`TOO_MANY_REDIRECTS`), or one to
    /// another origin without `allowCrossOriginRedirects` (`CROSS_ORIGIN_REDIRECT`).
    Redirect {
        /// HTTP status of the last redirect response (0 when the platform followed it).
        status: u16,
        /// What happened, with the target's origin for a cross-origin one.
        message: String,
        /// Refused because it leads to another origin.
        cross_origin: bool,
    },
    /// The client was configured with an unusable option.
    InvalidOptions {
        /// Which option and why.
        message: String,
    },
    /// A request that failed ([`Error::Http`], [`Error::Network`] or
    /// [`Error::Timeout`]), with where it went and how often it was tried.
    /// Every accessor answers for `error`, the failure of the last attempt.
    Request {
        /// The last attempt's failure.
        error: Box<Error>,
        /// The URL requested, without credentials.
        url: String,
        /// How many attempts were made (1 when it was not retried).
        attempts: u32,
    },
}

impl Error {
    /// The machine-readable code: the server's status code for [`Error::Api`],
    /// else `HTTP_ERROR`, `INVALID_RESPONSE`, `NETWORK_ERROR`, `TIMEOUT`,
    /// `ABORTED`, `RESPONSE_TOO_LARGE` or `INVALID_OPTIONS`.
    pub fn code(&self) -> &str {
        match self {
            Error::Request { error, .. } => error.code(),
            Error::Api { code, .. } => code,
            Error::Http { .. } => "HTTP_ERROR",
            Error::InvalidResponse { .. } => "INVALID_RESPONSE",
            Error::Network { .. } => "NETWORK_ERROR",
            Error::Timeout { .. } | Error::SignalTimeout => "TIMEOUT",
            Error::Aborted => "ABORTED",
            Error::ResponseTooLarge { .. } | Error::TextTooLong { .. } => "RESPONSE_TOO_LARGE",
            Error::InvalidOptions { .. } => "INVALID_OPTIONS",
            Error::Redirect { cross_origin: true, .. } => "CROSS_ORIGIN_REDIRECT",
            Error::Redirect { cross_origin: false, .. } => "TOO_MANY_REDIRECTS",
        }
    }

    /// HTTP status of the response, `0` when there was none.
    pub fn status(&self) -> u16 {
        match self {
            Error::Request { error, .. } => error.status(),
            Error::Api { status, .. }
            | Error::Http { status, .. }
            | Error::InvalidResponse { status, .. }
            | Error::Redirect { status, .. }
            | Error::ResponseTooLarge { status, .. }
            | Error::TextTooLong { status } => *status,
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
            Error::Request { error, .. } => error.retry_after_ms(),
            Error::Api { retry_after_ms, .. } | Error::Http { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    /// Whether trying again may succeed: network errors, timeouts, 429 and 5xx.
    /// Other 4xx, invalid bodies, redirects not followed, aborts and bad options
    /// never are: a redirect loop is as deterministic as a 404.
    pub fn retryable(&self) -> bool {
        match self {
            Error::Request { error, .. } => error.retryable(),
            Error::Network { .. } | Error::Timeout { .. } | Error::SignalTimeout => true,
            Error::Api { status, .. } | Error::Http { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// Whether a stored catalog may be served instead (stale-if-error):
    /// the network failed us, not the server's judgement of the request.
    pub fn allows_stale_fallback(&self) -> bool {
        match self {
            Error::Request { error, .. } => error.allows_stale_fallback(),
            // A server (or proxy) that redirects wrongly is a fault of the
            // network path, like a 5xx: the stored catalog is still the best answer.
            Error::Network { .. } | Error::Timeout { .. } | Error::Redirect { .. } => true,
            Error::Api { status, .. } | Error::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Shorthand for an [`Error::InvalidResponse`] at `path`.
    pub fn invalid(status: u16, path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidResponse { status, path: Some(path.into()), message: message.into() }
    }

    /// The failure itself, under an [`Error::Request`]'s context.
    pub fn root(&self) -> &Error {
        match self {
            Error::Request { error, .. } => error.root(),
            other => other,
        }
    }

    /// The failure of a request to `url` after `attempts` attempts: an
    /// [`Error::Http`], [`Error::Network`] or [`Error::Timeout`] then names the
    /// URL (credentials stripped) and the number of attempts; others stay as
    /// they are. Credentials echoed in messages are the business of
    /// [`super::redact::Redactor`], applied to each attempt's error as it happens.
    pub fn in_request(self, url: &str, attempts: u32) -> Error {
        match self {
            Error::Http { .. } | Error::Network { .. } | Error::Timeout { .. } | Error::Redirect { .. } => {
                Error::Request { error: Box::new(self), url: without_userinfo(url), attempts }
            }
            other => other,
        }
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
            Error::Network { message } => write!(f, "network error: {message}"),
            Error::Timeout { timeout_ms } => write!(f, "request timed out after {timeout_ms} ms"),
            Error::Aborted => f.write_str("request aborted"),
            Error::SignalTimeout => f.write_str("request timed out: its AbortSignal timed out"),
            Error::ResponseTooLarge { max_bytes, .. } => {
                write!(f, "response body exceeds maxBytes ({max_bytes} bytes)")
            }
            Error::TextTooLong { .. } => {
                f.write_str("response body is within maxBytes but its text is longer than a JavaScript string can be")
            }
            Error::InvalidOptions { message } => write!(f, "invalid options: {message}"),
            Error::Redirect { message, .. } => f.write_str(message),
            Error::Request { error, url, attempts: 1 } => write!(f, "{error} (GET {url})"),
            Error::Request { error, url, attempts } => write!(f, "{error} (GET {url}, {attempts} attempts)"),
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
        assert!(Error::Network { message: "x".into() }.allows_stale_fallback());
        assert!(!Error::invalid(200, "data", "x").retryable());
        assert_eq!(Error::invalid(200, "data.hash", "x").path(), Some("data.hash"));
    }

    #[test]
    fn request_errors_name_the_url_and_attempts() {
        let timeout = Error::Timeout { timeout_ms: 50 }.in_request("http://127.0.0.1:9/v1/resources", 3);
        assert_eq!(
            timeout.to_string(),
            "request timed out after 50 ms (GET http://127.0.0.1:9/v1/resources, 3 attempts)"
        );
        assert_eq!(timeout.code(), "TIMEOUT");
        assert!(timeout.retryable() && timeout.allows_stale_fallback());
        assert_eq!(timeout.root(), &Error::Timeout { timeout_ms: 50 });
        let http = Error::Http { status: 503, message: "empty body".into(), retry_after_ms: Some(7) };
        let once = http.clone().in_request("https://h/v1/resources", 1);
        assert_eq!(once.to_string(), "HTTP 503: empty body (GET https://h/v1/resources)");
        assert_eq!((once.code(), once.status(), once.retry_after_ms()), ("HTTP_ERROR", 503, Some(7)));
        // Credentials never reach a message.
        let net = Error::Network { message: "fetch failed".into() }.in_request("https://user:pw@h/v1/resources", 2);
        assert_eq!(net.to_string(), "network error: fetch failed (GET https://h/v1/resources, 2 attempts)");
        // Other errors are left as they are.
        assert_eq!(Error::Aborted.in_request("https://h", 2), Error::Aborted);
        let api = Error::Api { code: "X".into(), status: 401, message: "m".into(), retry_after_ms: None };
        assert_eq!(api.clone().in_request("https://h", 1), api);
    }

    #[test]
    fn redirects_not_followed_are_not_retried() {
        let looped = Error::Redirect { status: 302, message: "redirect loop".into(), cross_origin: false };
        let away = Error::Redirect { status: 302, message: "to another origin".into(), cross_origin: true };
        assert_eq!((looped.code(), away.code()), ("TOO_MANY_REDIRECTS", "CROSS_ORIGIN_REDIRECT"));
        assert!(!looped.retryable() && !away.retryable());
        assert!(looped.allows_stale_fallback());
        let e = looped.in_request("https://u:p@h/v1/resources", 1);
        assert_eq!(e.to_string(), "redirect loop (GET https://h/v1/resources)");
        assert_eq!(e.status(), 302);
    }

    #[test]
    fn a_signal_timeout_is_a_timeout() {
        assert_eq!(Error::SignalTimeout.code(), "TIMEOUT");
        assert!(Error::SignalTimeout.retryable());
    }

    #[test]
    fn display_names_the_path() {
        let e = Error::invalid(200, "data.resources.models[2].modality", "expected a string");
        assert_eq!(e.to_string(), "invalid response at data.resources.models[2].modality: expected a string");
    }
}
