//! Client and call options read from JS values.
//!
//! The reader walks the object's own enumerable keys (`Object.keys`), never
//! `in` and `[]` lookups of known names: those would find an
//! `Object.prototype.baseUrl` planted by other code and redirect the client (and
//! its key), and would never see a key the struct lacks, so `baseURL` would pass
//! unnoticed. An unknown key is refused with a "did you mean"; each value is
//! checked for its type by hand (a `Deserialize` derive here would bring in
//! serde's error messages, and with them float formatting).
//! The JS-valued fields (`headers`, `storage`, `fetch`, `signal`) are kept as
//! given and checked below. `undefined` and `null` values mean absent.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use crate::client::FetchOptions;
use crate::domain::error::Error;
use crate::domain::headers::{add_user_agent, credential_secrets, is_credential_header};
use crate::domain::options::{showable_name, suggest_option, Options};
use crate::domain::redact::Redactor;
use crate::domain::url::is_relative_reference;
use crate::web::storage::StorageChoice;
use crate::web::{is_browser, resolve_against_page};

/// Options read from JS.
pub(crate) struct ParsedOptions {
    pub options: Options,
    pub storage: StorageChoice,
    pub fetch: Option<Function>,
    /// `onAttempt`: told of each HTTP attempt.
    pub on_attempt: Option<Function>,
    pub call: FetchOptions,
}

/// Every option any entry point takes, as JS spells it. Which ones an entry
/// point accepts is its [`Scope`].
#[derive(Default)]
struct Fields {
    base_url: Option<String>,
    api_key: Option<String>,
    headers: Option<JsValue>,
    storage: Option<JsValue>,
    storage_key: Option<String>,
    timeout_ms: Option<f64>,
    retries: Option<f64>,
    max_bytes: Option<f64>,
    max_age_ms: Option<f64>,
    strict: Option<bool>,
    fetch: Option<JsValue>,
    on_attempt: Option<JsValue>,
    dangerously_allow_browser: Option<bool>,
    allow_cross_origin_redirects: Option<bool>,
    scope: Option<String>,
    // Per call.
    refresh: Option<bool>,
    signal: Option<JsValue>,
}

/// The names of [`Fields`] as JS spells them, in the same order.
const FIELDS: [&str; 17] = [
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
    "onAttempt",
    "dangerouslyAllowBrowser",
    "allowCrossOriginRedirects",
    "scope",
    "refresh",
    "signal",
];

/// The options of one call, not of a client.
const CALL_ONLY: [&str; 2] = ["refresh", "signal"];

/// Which of [`Fields`] an entry point takes.
#[derive(Clone, Copy)]
enum Scope {
    /// `new ResourcesClient(options)`.
    Client,
    /// `client.fetchResources(options)`.
    Call,
    /// The one-shot `fetchResources(options)`: both.
    OneShot,
    /// `parseResources(body, options)`.
    Parse,
}

impl Scope {
    fn accepts(self, key: &str) -> bool {
        match self {
            Scope::Client => !CALL_ONLY.contains(&key),
            Scope::Call => CALL_ONLY.contains(&key),
            Scope::OneShot => true,
            Scope::Parse => matches!(key, "strict" | "maxBytes"),
        }
    }

    fn what(self) -> &'static str {
        match self {
            Scope::Client | Scope::OneShot => "options",
            Scope::Call => "fetchResources options",
            Scope::Parse => "parseResources options",
        }
    }

    fn unknown(self, key: &str, fields: &[&'static str]) -> Error {
        let known: Vec<&str> = fields.iter().copied().filter(|k| self.accepts(k)).collect();
        // The name is shown only when it reads like one: `{ [apiKey]: 1 }` must not echo the key.
        let mut message = match showable_name(key) {
            Some(name) => format!("unknown option \"{name}\""),
            None => format!("unknown option (a name of {} characters, not shown)", key.chars().count()),
        };
        if let Some(k) = suggest_option(key, &known) {
            message.push_str(&format!(" (did you mean \"{k}\"?)"));
        }
        match self {
            Scope::Client if CALL_ONLY.contains(&key) => {
                message.push_str(&format!("; {key} is an option of fetchResources, not of the client"));
            }
            Scope::Call => message.push_str("; fetchResources takes refresh and signal"),
            Scope::Parse => message.push_str("; parseResources takes strict"),
            _ => {}
        }
        Error::options(message)
    }
}

/// Reads `ClientOptions` (plus `refresh` and `signal` when `with_call`). An
/// error's text is redacted against the key and credential headers given.
pub(crate) fn read_options(value: &JsValue, with_call: bool) -> Result<ParsedOptions, Error> {
    read_client_options(value, with_call).map_err(|e| given_secrets(value).error(e))
}

/// A redactor of the credentials an options object holds, read as they are
/// (the options may be wrong in other ways).
fn given_secrets(value: &JsValue) -> Redactor {
    let own = |name: &str| {
        let has = Reflect::get_own_property_descriptor(value.unchecked_ref::<Object>(), &JsValue::from_str(name))
            .is_ok_and(|d| !d.is_undefined());
        if has {
            Reflect::get(value, &JsValue::from_str(name)).ok()
        } else {
            None
        }
    };
    if !value.is_object() {
        return Redactor::default();
    }
    let key = own("apiKey").and_then(|k| k.as_string());
    let headers = own("headers").and_then(|h| read_headers(&h).ok()).unwrap_or_default();
    let mut secrets: Vec<&str> = key.as_deref().into_iter().collect();
    for (name, v) in &headers {
        if is_credential_header(name) {
            secrets.extend(credential_secrets(v));
        }
    }
    Redactor::new(secrets)
}

fn read_client_options(value: &JsValue, with_call: bool) -> Result<ParsedOptions, Error> {
    let f: Fields = read(value, if with_call { Scope::OneShot } else { Scope::Client })?;
    let browser = is_browser();
    if f.api_key.is_some() && browser && f.dangerously_allow_browser != Some(true) {
        return Err(Error::options(
            "apiKey in a browser exposes the key to everyone who can open the page; \
             call the API through your own server (baseUrl: \"/api\" and no apiKey), \
             or pass dangerouslyAllowBrowser: true if the key is the user's own",
        ));
    }
    let base_url = match f.base_url {
        Some(b) if is_relative_reference(&b) => Some(resolve_against_page(&b).unwrap_or(b)),
        other => other,
    };
    let mut headers = match &f.headers {
        Some(h) => read_headers(h)?,
        None => Vec::new(),
    };
    // Browsers refuse or ignore a script's user-agent (and Firefox would make it
    // a header the server must allow for CORS): there the browser's own is sent.
    if !browser {
        add_user_agent(&mut headers);
    }
    let options = Options {
        base_url,
        api_key: f.api_key,
        headers,
        storage_key: f.storage_key,
        timeout_ms: f.timeout_ms,
        retries: f.retries,
        max_bytes: f.max_bytes,
        max_age_ms: f.max_age_ms,
        strict: f.strict.unwrap_or(false),
        allow_cross_origin_redirects: f.allow_cross_origin_redirects.unwrap_or(false),
        scope: f.scope,
    };
    let storage = match f.storage {
        None => StorageChoice::Auto,
        Some(s) => match s.as_string().as_deref() {
            Some("local") => StorageChoice::Local,
            Some("memory") => StorageChoice::Memory,
            // The string is not shown: it may be a key given in the wrong option.
            Some(_) => {
                return Err(Error::options(
                    "storage must be \"local\", \"memory\", \"indexeddb\" or a StorageLike object, got another string",
                ))
            }
            None if s.is_object() && has_methods(&s, &["getItem", "setItem", "removeItem"]) => StorageChoice::Custom(s),
            None => {
                return Err(Error::options(
                    "storage must be \"local\", \"memory\", \"indexeddb\" or an object with getItem, setItem and removeItem",
                ))
            }
        },
    };
    let fetch = match f.fetch {
        None => None,
        Some(v) => Some(v.dyn_into::<Function>().map_err(|_| Error::options("fetch must be a function"))?),
    };
    let on_attempt = match f.on_attempt {
        None => None,
        Some(v) => Some(v.dyn_into::<Function>().map_err(|_| Error::options("onAttempt must be a function"))?),
    };
    let call = FetchOptions { refresh: f.refresh.unwrap_or(false), signal: signal(f.signal)? };
    Ok(ParsedOptions { options, storage, fetch, on_attempt, call })
}

/// Reads the options of one `fetchResources` call.
pub(crate) fn read_call_options(value: &JsValue) -> Result<FetchOptions, Error> {
    let f = read(value, Scope::Call)?;
    Ok(FetchOptions { refresh: f.refresh.unwrap_or(false), signal: signal(f.signal)? })
}

/// `strict` from `{ strict?: boolean }`; other keys are refused like elsewhere.
/// `parseResources`'s options: `strict`, and `maxBytes` (the largest body it reads).
pub(crate) fn parse_options(options: &JsValue) -> Result<(bool, u64), Error> {
    let f = read(options, Scope::Parse)?;
    Ok((f.strict.unwrap_or(false), crate::domain::options::max_bytes(f.max_bytes)?))
}

fn signal(value: Option<JsValue>) -> Result<Option<AbortSignal>, Error> {
    value.map(|s| s.dyn_into::<AbortSignal>().map_err(|_| Error::options("signal must be an AbortSignal"))).transpose()
}

/// Reads [`Fields`] from an options object (`undefined` and `null` are no options).
fn read(value: &JsValue, scope: Scope) -> Result<Fields, Error> {
    let mut f = Fields::default();
    if value.is_undefined() || value.is_null() {
        return Ok(f);
    }
    if !value.is_object() || Array::is_array(value) || value.is_function() {
        return Err(Error::options(format!("{} must be an object", scope.what())));
    }
    let keys = own_keys(value).map_err(|_| Error::options(format!("{} could not be read", scope.what())))?;
    for next in 0..keys.length() {
        let key_js = keys.get(next);
        let key = key_js.as_string().unwrap_or_default();
        let Some(index) = FIELDS.iter().position(|k| *k == key).filter(|_| scope.accepts(&key)) else {
            return Err(scope.unknown(&key, &FIELDS));
        };
        let v = Reflect::get(value, &key_js).map_err(|_| Error::options(format!("{key} could not be read")))?;
        if v.is_undefined() || v.is_null() {
            continue;
        }
        let wrong = |expected: &str| Error::options(format!("{key} must be {expected}"));
        let string = || v.as_string().ok_or_else(|| wrong("a string"));
        let number = || v.as_f64().ok_or_else(|| wrong("a number"));
        let boolean = || v.as_bool().ok_or_else(|| wrong("a boolean"));
        match index {
            0 => f.base_url = Some(string()?),
            1 => f.api_key = Some(string()?),
            2 => f.headers = Some(v),
            3 => f.storage = Some(v),
            4 => f.storage_key = Some(string()?),
            5 => f.timeout_ms = Some(number()?),
            6 => f.retries = Some(number()?),
            7 => f.max_bytes = Some(number()?),
            8 => f.max_age_ms = Some(number()?),
            9 => f.strict = Some(boolean()?),
            10 => f.fetch = Some(v),
            11 => f.on_attempt = Some(v),
            12 => f.dangerously_allow_browser = Some(boolean()?),
            13 => f.allow_cross_origin_redirects = Some(boolean()?),
            14 => f.scope = Some(string()?),
            15 => f.refresh = Some(boolean()?),
            _ => f.signal = Some(v),
        }
    }
    Ok(f)
}

#[wasm_bindgen]
extern "C" {
    /// `Object.keys`, caught: a Proxy's `ownKeys` trap may throw.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn own_keys(object: &JsValue) -> Result<Array, JsValue>;
}

/// `headers` as `fetch` takes them: a record of strings, a `Headers` object,
/// or any iterable of `[name, value]` pairs (an array, a `Map`).
fn read_headers(value: &JsValue) -> Result<Vec<(String, String)>, Error> {
    const SHAPE: &str = "headers must be a record of strings, a Headers object or an array of [name, value] pairs";
    /// More is a mistake (or an endless iterator), not a request.
    const MAX_HEADERS: usize = 1000;
    if !value.is_object() || value.is_function() {
        return Err(Error::options(SHAPE));
    }
    let mut headers = Vec::new();
    match js_sys::try_iter(value).map_err(|_| Error::options(SHAPE))? {
        Some(entries) => {
            for (i, entry) in entries.enumerate() {
                if i >= MAX_HEADERS {
                    return Err(Error::options(format!("headers has more than {MAX_HEADERS} entries")));
                }
                let entry = entry.map_err(|_| Error::options("headers could not be iterated"))?;
                let pair = entry.dyn_ref::<Array>().filter(|p| p.length() == 2);
                match pair.and_then(|p| Some((p.get(0).as_string()?, p.get(1).as_string()?))) {
                    Some(pair) => headers.push(pair),
                    None => {
                        return Err(Error::options(format!("headers[{i}] must be a [name, value] pair of strings")))
                    }
                }
            }
        }
        None => {
            for entry in Object::entries(value.unchecked_ref()).iter() {
                let entry: Array = entry.unchecked_into();
                let name = entry.get(0).as_string().unwrap_or_default();
                let Some(text) = entry.get(1).as_string() else {
                    return Err(Error::options(match showable_name(&name) {
                        Some(name) => format!("headers[\"{name}\"] must be a string"),
                        None => "headers: a value is not a string (its name is not shown)".to_owned(),
                    }));
                };
                headers.push((name, text));
            }
        }
    }
    Ok(headers)
}

pub(crate) fn has_methods(value: &JsValue, names: &[&str]) -> bool {
    names.iter().all(|n| Reflect::get(value, &JsValue::from_str(n)).map(|f| f.is_function()).unwrap_or(false))
}

/// A `Response`, or anything shaped like one (`status` and `headers.get`).
pub(crate) fn as_response(value: &JsValue) -> Option<web_sys::Response> {
    if !value.is_object() {
        return None;
    }
    let headers = Reflect::get(value, &JsValue::from_str("headers")).ok()?;
    let status = Reflect::get(value, &JsValue::from_str("status")).ok()?;
    (status.as_f64().is_some() && has_methods(&headers, &["get"])).then(|| value.clone().unchecked_into())
}
