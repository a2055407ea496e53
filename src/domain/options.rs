//! Client options: defaults, validation, and the values the client runs with.

use super::error::Error;
use super::headers::{authorization_value, credential_secrets, is_credential_header, is_valid_header};
use super::redact::Redactor;
use super::text::number_text;
use super::url::{normalize_base_url, DEFAULT_BASE_URL};

/// Default per-attempt timeout. A catalog is one small GET: half a minute is
/// generous without leaving a picker spinning for the ten minutes openai-node
/// allows a model run.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Default number of retries after the first attempt (as openai-node).
pub const DEFAULT_RETRIES: u32 = 2;
/// Default body limit: 32 MiB, far above a realistic catalog (50,000 models is about 10 MB).
pub const DEFAULT_MAX_BYTES: u64 = 32 * 1024 * 1024;
/// Default prefix of storage keys.
pub const DEFAULT_STORAGE_KEY: &str = "resources-client";
/// Upper bound of `retries`, so a typo cannot make a client hammer a server.
pub const MAX_RETRIES: u32 = 10;

/// Options as a caller gives them; `None` means "use the default".
#[derive(Clone, Default)]
pub struct Options {
    /// API base, default [`DEFAULT_BASE_URL`].
    pub base_url: Option<String>,
    /// API key, sent as `Authorization: Bearer <key>`; never stored.
    pub api_key: Option<String>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Prefix of storage keys, default [`DEFAULT_STORAGE_KEY`].
    pub storage_key: Option<String>,
    /// Per-attempt timeout in ms; `0` disables it.
    pub timeout_ms: Option<f64>,
    /// Retries after the first attempt.
    pub retries: Option<f64>,
    /// Largest accepted body in bytes.
    pub max_bytes: Option<f64>,
    /// How long a stored catalog is served without a request; `0` always revalidates.
    pub max_age_ms: Option<f64>,
    /// Turn warnings into errors.
    pub strict: bool,
    /// Follow a redirect to another origin (without credentials) instead of refusing it.
    pub allow_cross_origin_redirects: bool,
    /// Whose catalog this is, in the caller's words: clients with different
    /// `fetch` functions share records and requests only when they name the same one.
    pub scope: Option<String>,
}

/// Validated options.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// Normalised base URL (no trailing `/` or `/v1`).
    pub base_url: String,
    /// API key, if any.
    pub api_key: Option<String>,
    /// Extra request headers, checked for injection.
    pub headers: Vec<(String, String)>,
    /// Prefix of storage keys.
    pub storage_key: String,
    /// Per-attempt timeout in ms; `0` means none.
    pub timeout_ms: u64,
    /// Retries after the first attempt.
    pub retries: u32,
    /// Largest accepted body in bytes.
    pub max_bytes: u64,
    /// Freshness window of a stored catalog in ms.
    pub max_age_ms: u64,
    /// Warnings are errors.
    pub strict: bool,
    /// Follow a redirect to another origin (without credentials) instead of refusing it.
    pub allow_cross_origin_redirects: bool,
    /// The caller's name for whose catalog this is (see [`Options::scope`]).
    pub scope: Option<String>,
}

/// `Debug` for [`Options`] and [`Config`], written once: they name the same
/// fields, and the key must never appear in logs.
macro_rules! debug_without_key {
    ($ty:ident) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("base_url", &self.base_url)
                    .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
                    .field("storage_key", &self.storage_key)
                    .field("timeout_ms", &self.timeout_ms)
                    .field("retries", &self.retries)
                    .field("max_bytes", &self.max_bytes)
                    .field("max_age_ms", &self.max_age_ms)
                    .field("strict", &self.strict)
                    .finish_non_exhaustive()
            }
        }
    };
}

debug_without_key!(Options);
debug_without_key!(Config);

impl Config {
    /// Every credential the client sends: the API key as it travels (without
    /// a `Bearer ` the caller wrote) and the secrets of credential headers.
    /// None of them may appear in anything the client hands out.
    pub fn secrets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(key) = &self.api_key {
            let key = key.trim();
            let prefixed = key.len() > 7 && key.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("bearer "));
            let bare = if prefixed { key[7..].trim_start() } else { key };
            out.push(bare);
        }
        for (name, value) in &self.headers {
            if is_credential_header(name) {
                out.extend(credential_secrets(value));
            }
        }
        out
    }

    /// What decides whose catalog a client gets, for [`super::record::scope`]:
    /// the API key, each credential header (name and value, sorted), and the
    /// identity of a caller's `fetch` (which decides what is sent and to whom)
    /// unless the caller named a `scope`, which then counts instead. Empty for
    /// a client with none of them: keyless clients share one scope.
    pub fn scope_parts(&self, fetch_identity: Option<&str>) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(key) = self.secrets().first().filter(|_| self.api_key.is_some()) {
            parts.push(format!("key={key}"));
        }
        let mut headers: Vec<String> = self
            .headers
            .iter()
            .filter(|(name, _)| is_credential_header(name))
            .map(|(name, value)| format!("header:{}={}", name.to_ascii_lowercase(), value.trim()))
            .collect();
        super::sort::heapsort(&mut headers);
        parts.extend(headers);
        match (&self.scope, fetch_identity) {
            (Some(scope), _) => parts.push(format!("scope={scope}")),
            (None, Some(id)) => parts.push(format!("fetch={id}")),
            (None, None) => {}
        }
        parts
    }

    /// A [`Redactor`] of [`Config::secrets`].
    pub fn redactor(&self) -> Redactor {
        Redactor::new(self.secrets())
    }
}

/// An option's or a header's name as an error message may show it: only a
/// name that reads like one (ASCII letters, `-`, `_`, at most 40), since a
/// name could be a credential pasted in the wrong place (`{ [apiKey]: 1 }`);
/// keys have digits. `None` means: do not show it.
pub fn showable_name(name: &str) -> Option<&str> {
    let plain = name.len() <= 40 && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_');
    plain.then_some(name)
}

impl Options {
    /// Checks every option and fills in defaults.
    pub fn validate(self) -> Result<Config, Error> {
        let base_url = normalize_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let api_key = match self.api_key {
            Some(k) if k.trim().is_empty() => None,
            Some(k) if k.chars().any(char::is_control) => {
                return Err(Error::options("apiKey contains control characters"))
            }
            // The key travels in a header; `fetch` refuses characters above U+00FF.
            Some(k) if !is_valid_header("authorization", &authorization_value(&k)) => {
                return Err(Error::options("apiKey contains characters that cannot be sent in a header"))
            }
            other => other,
        };
        for (i, (name, value)) in self.headers.iter().enumerate() {
            if !is_valid_header(name, value) {
                return Err(Error::options(match showable_name(name) {
                    Some(name) => format!("header \"{name}\" has an invalid name or value"),
                    None => format!("header {} (of {}) has an invalid name or value", i + 1, self.headers.len()),
                }));
            }
        }
        let scope = match self.scope {
            Some(s) if s.is_empty() => return Err(Error::options("scope must not be empty")),
            Some(s) if s.chars().any(char::is_control) => {
                return Err(Error::options("scope contains control characters"))
            }
            other => other,
        };
        let storage_key = self.storage_key.unwrap_or_else(|| DEFAULT_STORAGE_KEY.to_owned());
        if storage_key.is_empty() {
            return Err(Error::options("storageKey must not be empty"));
        }
        Ok(Config {
            base_url,
            api_key,
            headers: self.headers,
            storage_key,
            timeout_ms: whole("timeoutMs", self.timeout_ms, DEFAULT_TIMEOUT_MS, u64::from(u32::MAX))?,
            retries: whole("retries", self.retries, u64::from(DEFAULT_RETRIES), u64::from(MAX_RETRIES))? as u32,
            max_bytes: max_bytes(self.max_bytes)?,
            max_age_ms: whole("maxAgeMs", self.max_age_ms, 0, u64::MAX >> 11)?,
            strict: self.strict,
            allow_cross_origin_redirects: self.allow_cross_origin_redirects,
            scope,
        })
    }
}

/// The option `key` was probably meant to be, among `known`, for a "did you
/// mean" hint. Names are compared with case, `_` and `-` ignored: the same name
/// so spelt first (`baseURL`, `api_key`); then a name that begins or ends with
/// the key or with which the key begins or ends, three letters at least
/// (`timeout` → `timeoutMs`, `maxAge` → `maxAgeMs`, `key` → `apiKey`, `url` →
/// `baseUrl`), the closest in length winning; then the nearest by edit distance
/// within a third of the length (`retires` → `retries`). `None` when nothing is close.
pub fn suggest_option<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let fold =
        |s: &str| -> String { s.chars().filter(|c| *c != '_' && *c != '-').map(|c| c.to_ascii_lowercase()).collect() };
    let folded = fold(key);
    if let Some(k) = known.iter().find(|k| fold(k) == folded) {
        return Some(k);
    }
    let affix = |name: &str| {
        let (long, short) = if name.len() >= folded.len() { (name, folded.as_str()) } else { (folded.as_str(), name) };
        short.len() >= 3 && (long.starts_with(short) || long.ends_with(short))
    };
    let by_affix = known.iter().filter(|k| affix(&fold(k))).min_by_key(|k| k.len().abs_diff(key.len()));
    if let Some(k) = by_affix {
        return Some(k);
    }
    super::catalog::nearest(&folded, known.iter().copied())
}

/// A non-negative whole number no larger than `max`.
/// The `maxBytes` option (clients and `parseResources`): a whole number of
/// bytes up to 1 TiB, [`DEFAULT_MAX_BYTES`] when absent.
pub fn max_bytes(value: Option<f64>) -> Result<u64, Error> {
    whole("maxBytes", value, DEFAULT_MAX_BYTES, 1 << 40)
}

fn whole(name: &str, value: Option<f64>, default: u64, max: u64) -> Result<u64, Error> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= max as f64 => Ok(v as u64),
        Some(v) => {
            Err(Error::options(format!("{name} must be a whole number from 0 to {max}, got {}", number_text(v))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let options = Options { api_key: Some("sk-secret-1234".into()), ..Options::default() };
        let config = options.clone().validate().unwrap();
        for shown in [format!("{options:?}"), format!("{config:?}")] {
            assert!(!shown.contains("sk-secret-1234") && shown.contains("<redacted>"), "{shown}");
        }
    }

    #[test]
    fn near_option_names_are_suggested() {
        let known = [
            "baseUrl",
            "apiKey",
            "headers",
            "storage",
            "storageKey",
            "timeoutMs",
            "retries",
            "maxBytes",
            "maxAgeMs",
            "strict",
            "fetch",
        ];
        for (typo, meant) in [
            ("baseURL", "baseUrl"),
            ("base_url", "baseUrl"),
            ("url", "baseUrl"),
            ("timeout", "timeoutMs"),
            ("timeout_ms", "timeoutMs"),
            ("maxAge", "maxAgeMs"),
            ("key", "apiKey"),
            ("apikey", "apiKey"),
            ("api-key", "apiKey"),
            ("header", "headers"),
            ("retires", "retries"),
            ("maxbyte", "maxBytes"),
        ] {
            assert_eq!(suggest_option(typo, &known), Some(meant), "{typo}");
        }
        for far in ["force", "zz", "cache", ""] {
            assert_eq!(suggest_option(far, &known), None, "{far}");
        }
    }

    #[test]
    fn defaults() {
        let c = Options::default().validate().unwrap();
        assert_eq!(c.base_url, "https://api.betterprompt.me");
        assert_eq!(c.timeout_ms, DEFAULT_TIMEOUT_MS);
        assert_eq!(c.retries, 2);
        assert_eq!(c.max_age_ms, 0);
    }

    #[test]
    fn bad_numbers_are_refused() {
        for (field, v) in [("timeout", -1.0), ("timeout", f64::NAN), ("retries", 1.5), ("retries", 11.0), ("max", -5.0)]
        {
            let mut o = Options::default();
            match field {
                "timeout" => o.timeout_ms = Some(v),
                "retries" => o.retries = Some(v),
                _ => o.max_bytes = Some(v),
            }
            assert_eq!(o.validate().unwrap_err().code(), "INVALID_OPTIONS");
        }
    }

    #[test]
    fn key_never_in_debug_or_errors() {
        let o = Options { api_key: Some("sk-secret".into()), ..Options::default() };
        let c = o.validate().unwrap();
        assert!(!format!("{c:?}").contains("sk-secret"));
        let o = Options { api_key: Some("sk-se\ncret".into()), ..Options::default() };
        assert!(!o.validate().unwrap_err().to_string().contains("sk-se"));
        let o = Options { api_key: Some("sk-\u{43a}\u{43b}-cret".into()), ..Options::default() };
        let e = o.validate().unwrap_err();
        assert_eq!(e.code(), "INVALID_OPTIONS");
        assert!(!e.to_string().contains("cret"));
    }

    #[test]
    fn keys_and_headers_fetch_would_refuse_are_options_errors() {
        // Found by fuzzing: these used to pass validation and make `fetch` throw mid-request.
        let o = Options { api_key: Some("sk-caf\u{e9}-\u{20ac}".into()), ..Options::default() };
        let e = o.validate().unwrap_err();
        assert_eq!(e.code(), "INVALID_OPTIONS");
        assert!(!e.to_string().contains("sk-caf"));
        let o = Options { headers: vec![("x-user".into(), "\u{0100}".into())], ..Options::default() };
        assert_eq!(o.validate().unwrap_err().code(), "INVALID_OPTIONS");
    }

    #[test]
    fn secrets_are_the_bare_key_and_credential_headers() {
        let o = Options {
            api_key: Some("Bearer sk-secret-1234".into()),
            headers: vec![("x-trace".into(), "trace-abcdefghij".into()), ("X-Api-Key".into(), "xk-12345678".into())],
            ..Options::default()
        };
        let c = o.validate().unwrap();
        assert_eq!(c.secrets(), ["sk-secret-1234", "xk-12345678"]);
        assert_eq!(
            c.redactor().redact("sk-secret-1234 xk-12345678 trace-abcdefghij"),
            "[redacted] [redacted] trace-abcdefghij"
        );
    }

    #[test]
    fn the_scope_covers_every_credential() {
        let config = |key: Option<&str>, headers: &[(&str, &str)], scope: Option<&str>| {
            let headers = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
            let o =
                Options { api_key: key.map(Into::into), headers, scope: scope.map(Into::into), ..Options::default() };
            o.validate().unwrap()
        };
        assert!(config(None, &[("x-trace", "1")], None).scope_parts(None).is_empty());
        assert_eq!(config(Some("Bearer sk-1"), &[], None).scope_parts(None), ["key=sk-1"]);
        let a = config(None, &[("Authorization", "Bearer A")], None).scope_parts(None);
        let b = config(None, &[("authorization", "Bearer B")], None).scope_parts(None);
        assert_eq!(a, ["header:authorization=Bearer A"]);
        assert_ne!(a, b);
        let org = config(Some("sk-1"), &[("x-org-token", "o1")], None).scope_parts(None);
        assert_eq!(org, ["key=sk-1", "header:x-org-token=o1"]);
        assert_eq!(config(None, &[], None).scope_parts(Some("f1")), ["fetch=f1"]);
        assert_eq!(config(None, &[], Some("tenant")).scope_parts(Some("f1")), ["scope=tenant"]);
        let bad = Options { scope: Some("a\nb".into()), ..Options::default() };
        assert_eq!(bad.validate().unwrap_err().code(), "INVALID_OPTIONS");
    }

    #[test]
    fn option_errors_never_show_a_name_that_could_be_a_key() {
        assert_eq!(showable_name("x-api-key"), Some("x-api-key"));
        assert_eq!(showable_name("sk-live-12345"), None);
        let key = "sk-live-4f9a2c7e1b3d5f8a";
        let o = Options { headers: vec![(key.into(), "a\r\nb".into())], ..Options::default() };
        let e = o.validate().unwrap_err().to_string();
        assert!(!e.contains("sk-live") && e.contains("header 1 (of 1)"), "{e}");
        let o = Options { base_url: Some(key.into()), ..Options::default() };
        let e = o.validate().unwrap_err().to_string();
        assert!(!e.contains("sk-live") && e.contains("baseUrl"), "{e}");
    }

    #[test]
    fn header_injection_is_an_options_error() {
        let o = Options { headers: vec![("x-a".into(), "1\r\nx-b: 2".into())], ..Options::default() };
        assert_eq!(o.validate().unwrap_err().code(), "INVALID_OPTIONS");
    }
}
