//! Client and call options read from JS values.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use crate::client::FetchOptions;
use crate::domain::error::Error;
use crate::domain::options::Options;
use crate::domain::text::EscapeText;
use crate::web::storage::StorageChoice;

/// Options read from JS.
pub(crate) struct ParsedOptions {
    pub options: Options,
    pub storage: StorageChoice,
    pub fetch: Option<Function>,
    /// `onAttempt`: told of each HTTP attempt.
    pub on_attempt: Option<Function>,
    pub call: FetchOptions,
}

const CLIENT_KEYS: [&str; 12] = [
    "baseUrl", "apiKey", "headers", "storage", "storageKey", "timeoutMs", "retries", "maxBytes", "maxAgeMs", "strict", "fetch",
    "onAttempt",
];
const CALL_KEYS: [&str; 2] = ["refresh", "signal"];

/// Reads `ClientOptions` (plus `refresh` and `signal` when `with_call`).
/// Unknown keys are refused: a typo such as `baseURL` would otherwise send the
/// key to the default server without a word.
pub(crate) fn read_options(value: &JsValue, with_call: bool) -> Result<ParsedOptions, Error> {
    let mut parsed = ParsedOptions {
        options: Options::default(),
        storage: StorageChoice::Auto,
        fetch: None,
        on_attempt: None,
        call: FetchOptions::default(),
    };
    if value.is_undefined() || value.is_null() {
        return Ok(parsed);
    }
    let object = as_object(value, "options")?;
    for key in Object::keys(&object).iter().filter_map(|k| k.as_string()) {
        let known = CLIENT_KEYS.contains(&key.as_str()) || (with_call && CALL_KEYS.contains(&key.as_str()));
        if !known {
            return Err(unknown_option(&key, with_call));
        }
    }
    let o = &mut parsed.options;
    o.base_url = string(&object, "baseUrl")?;
    o.api_key = string(&object, "apiKey")?;
    o.storage_key = string(&object, "storageKey")?;
    o.timeout_ms = number(&object, "timeoutMs")?;
    o.retries = number(&object, "retries")?;
    o.max_bytes = number(&object, "maxBytes")?;
    o.max_age_ms = number(&object, "maxAgeMs")?;
    o.strict = boolean(&object, "strict")?;
    if let Some(headers) = present(&object, "headers") {
        let headers = as_object(&headers, "headers")?;
        for entry in Object::entries(&headers).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let name = entry.get(0).as_string().unwrap_or_default();
            let Some(text) = entry.get(1).as_string() else {
                return Err(Error::options(format!("headers[\"{}\"] must be a string", name.escape_text())));
            };
            o.headers.push((name, text));
        }
    }
    if let Some(storage) = present(&object, "storage") {
        parsed.storage = match storage.as_string().as_deref() {
            Some("local") => StorageChoice::Local,
            Some("memory") => StorageChoice::Memory,
            Some(other) => {
                return Err(Error::options(format!("storage must be \"local\", \"memory\" or a StorageLike object, got \"{}\"", other.escape_text())))
            }
            None if storage.is_object() && has_methods(&storage, &["getItem", "setItem", "removeItem"]) => {
                StorageChoice::Custom(storage)
            }
            None => return Err(Error::options("storage must be \"local\", \"memory\" or an object with getItem, setItem and removeItem")),
        };
    }
    if let Some(fetch) = present(&object, "fetch") {
        parsed.fetch = Some(fetch.dyn_into::<Function>().map_err(|_| Error::options("fetch must be a function"))?);
    }
    if let Some(hook) = present(&object, "onAttempt") {
        parsed.on_attempt = Some(hook.dyn_into::<Function>().map_err(|_| Error::options("onAttempt must be a function"))?);
    }
    if with_call {
        parsed.call = read_call_fields(&object)?;
    }
    Ok(parsed)
}

pub(crate) fn read_call_options(value: &JsValue) -> Result<FetchOptions, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(FetchOptions::default());
    }
    let object = as_object(value, "fetchResources options")?;
    for key in Object::keys(&object).iter().filter_map(|k| k.as_string()) {
        if !CALL_KEYS.contains(&key.as_str()) {
            return Err(Error::options(format!("unknown option \"{}\" (fetchResources takes refresh and signal)", key.escape_text())));
        }
    }
    read_call_fields(&object)
}

fn read_call_fields(object: &Object) -> Result<FetchOptions, Error> {
    let signal = match present(object, "signal") {
        None => None,
        Some(s) => Some(s.dyn_into::<AbortSignal>().map_err(|_| Error::options("signal must be an AbortSignal"))?),
    };
    Ok(FetchOptions { refresh: boolean(object, "refresh")?, signal })
}

fn unknown_option(key: &str, with_call: bool) -> Error {
    let keys = CLIENT_KEYS.iter().chain(if with_call { CALL_KEYS.iter() } else { [].iter() });
    let hint = keys
        .clone()
        .find(|k| k.eq_ignore_ascii_case(key))
        .map(|k| format!(" (did you mean \"{k}\"?)"))
        .unwrap_or_default();
    Error::options(format!("unknown option \"{}\"{hint}", key.escape_text()))
}

/// The value of `key`, treating `undefined` and `null` as absent. Only own
/// properties count: a `baseUrl` or `apiKey` planted on `Object.prototype` by
/// other code must not redirect the client or its key.
fn present(object: &Object, key: &str) -> Option<JsValue> {
    let name = JsValue::from_str(key);
    // Reflect (with `catch`) rather than Object.hasOwn: a Proxy's trap may throw.
    let own = Reflect::get_own_property_descriptor(object, &name).is_ok_and(|d| !d.is_undefined());
    if !own {
        return None;
    }
    Reflect::get(object, &name).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn string(object: &Object, key: &str) -> Result<Option<String>, Error> {
    present(object, key)
        .map(|v| v.as_string().ok_or_else(|| Error::options(format!("{key} must be a string"))))
        .transpose()
}

fn number(object: &Object, key: &str) -> Result<Option<f64>, Error> {
    present(object, key)
        .map(|v| v.as_f64().ok_or_else(|| Error::options(format!("{key} must be a number"))))
        .transpose()
}

pub(crate) fn boolean(object: &Object, key: &str) -> Result<bool, Error> {
    match present(object, key) {
        None => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| Error::options(format!("{key} must be a boolean"))),
    }
}

pub(crate) fn as_object(value: &JsValue, what: &str) -> Result<Object, Error> {
    if value.is_object() && !js_sys::Array::is_array(value) {
        Ok(value.clone().unchecked_into())
    } else {
        Err(Error::options(format!("{what} must be an object")))
    }
}

pub(crate) fn has_methods(value: &JsValue, names: &[&str]) -> bool {
    names
        .iter()
        .all(|n| Reflect::get(value, &JsValue::from_str(n)).map(|f| f.is_function()).unwrap_or(false))
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


/// `strict` from `{ strict?: boolean }`; other keys are refused like elsewhere.
pub(crate) fn parse_options_strict(options: &JsValue) -> Result<bool, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(false);
    }
    let object = as_object(options, "parseResources options")?;
    for key in Object::keys(&object).iter().filter_map(|k| k.as_string()) {
        if key != "strict" {
            return Err(Error::options(format!("unknown option \"{}\" (parseResources takes strict)", key.escape_text())));
        }
    }
    boolean(&object, "strict")
}
