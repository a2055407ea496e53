//! The JavaScript API, in one place. Every export here is what the npm package
//! offers; it reads like the TypeScript declarations it produces:
//!
//! ```ts
//! class ResourcesClient {
//!   constructor(options?: ClientOptions);
//!   fetchResources(opts?: { refresh?: boolean; signal?: AbortSignal }): Promise<ResourcesResult>;
//!   cached(): ResourcesResult | null;
//!   readonly hash: string | null;
//!   readonly stale: boolean;
//!   agentHeaders(): Record<string, string>;
//!   observe(response: Response): boolean;
//!   onChange(cb: (r: ResourcesResult) => void): () => void;
//!   clear(): void;
//! }
//! function fetchResources(options?: ClientOptions & { refresh?: boolean; signal?: AbortSignal }): Promise<ResourcesResult>;
//! ```
//!
//! Values cross into JS as JSON text parsed by `JSON.parse`: one boundary
//! crossing per result, and keys such as `__proto__` stay plain data.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::client::{action_require_of, Client, FetchOptions};
use crate::core::error::Error;
use crate::core::options::Options;
use crate::core::result::ResourcesResult;
use crate::web::storage::StorageChoice;

thread_local! {
    /// The `ResourcesError` class of the package's entry module, registered at load.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str, error: &JsValue);
}

/// Registers the `ResourcesError` class that every rejection is an instance of.
/// Called once by the package's entry module.
#[wasm_bindgen(js_name = __registerErrorClass)]
pub fn register_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// A catalog client bound to one API base and one storage slot.
#[wasm_bindgen(js_name = ResourcesClient)]
pub struct JsResourcesClient {
    client: Client,
}

#[wasm_bindgen(js_class = ResourcesClient)]
impl JsResourcesClient {
    /// Creates a client; throws `ResourcesError` (`INVALID_OPTIONS`) on a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsResourcesClient, JsValue> {
        let parsed = read_options(&options, false).map_err(|e| to_js_error(&e))?;
        let client = Client::new(parsed.options, parsed.storage, parsed.fetch).map_err(|e| to_js_error(&e))?;
        listen_to_other_tabs(&client);
        Ok(JsResourcesClient { client })
    }

    /// Fetches the catalog (or serves a fresh stored one). Options: `refresh`, `signal`.
    #[wasm_bindgen(js_name = fetchResources)]
    pub fn fetch_resources(&self, options: JsValue) -> Promise {
        let client = self.client.clone();
        future_to_promise(async move {
            let call = read_call_options(&options).map_err(|e| to_js_error(&e))?;
            run(&client, call).await
        })
    }

    /// The stored catalog, validated, without a request; `null` when none.
    pub fn cached(&self) -> JsValue {
        self.client.cached().map_or(JsValue::NULL, |r| result_to_js(&r))
    }

    /// The stored hash, or `null` (not `undefined`, as an `Option` getter would give).
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn hash(&self) -> JsValue {
        self.client.hash().map_or(JsValue::NULL, |h| JsValue::from_str(&h))
    }

    /// Whether an `action-require` was seen and not yet acted on.
    #[wasm_bindgen(getter)]
    pub fn stale(&self) -> bool {
        self.client.is_stale()
    }

    /// `{"cli-agent": "resources_hash=<hash>"}` once a hash is known, else `{}`.
    #[wasm_bindgen(js_name = agentHeaders)]
    pub fn agent_headers(&self) -> Object {
        let headers = Object::new();
        for (name, value) in self.client.agent_headers() {
            let _ = Reflect::set(&headers, &JsValue::from_str(&name), &JsValue::from_str(&value));
        }
        headers
    }

    /// Reads `action-require` of a 2xx API response; on `update-resources`
    /// marks the catalog stale and starts one background refresh. Returns
    /// whether the response asked for one. Anything but a `Response` is ignored.
    pub fn observe(&self, response: JsValue) -> bool {
        let Some(response) = as_response(&response) else { return false };
        let action = action_require_of(&response);
        self.client.observe(response.status(), action.as_deref())
    }

    /// Calls `callback(result)` when the stored hash changes (the first hash
    /// too), also for other tabs' updates. Returns a function that unsubscribes.
    /// Throws `ResourcesError` (`INVALID_OPTIONS`) when `callback` is not a function,
    /// at once rather than when the first change arrives.
    #[wasm_bindgen(js_name = onChange)]
    pub fn on_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(result: any) => void")] callback: JsValue,
    ) -> Result<Function, JsValue> {
        let callback: Function = callback
            .dyn_into()
            .map_err(|_| to_js_error(&Error::options("onChange needs a function")))?;
        let id = self.client.on_change(Rc::new(move |result: &ResourcesResult| {
            if let Err(e) = callback.call1(&JsValue::NULL, &result_to_js(result)) {
                // A throwing listener must not stop the others, nor vanish silently.
                console_error("resources-client: an onChange listener threw", &e);
            }
        }));
        // A weak handle: a listener that holds its own unsubscribe function
        // must not keep the client alive through it.
        let client = self.client.downgrade();
        let off = move || {
            if let Some(client) = client.upgrade() {
                client.off(id);
            }
        };
        Ok(Closure::<dyn Fn()>::new(off).into_js_value().unchecked_into())
    }

    /// Removes the stored record.
    pub fn clear(&self) {
        self.client.clear();
    }
}

/// One-shot form: creates a client from `options` and fetches.
#[wasm_bindgen(js_name = fetchResources)]
pub fn fetch_resources(options: JsValue) -> Promise {
    future_to_promise(async move {
        let parsed = read_options(&options, true).map_err(|e| to_js_error(&e))?;
        let client = Client::new(parsed.options, parsed.storage, parsed.fetch).map_err(|e| to_js_error(&e))?;
        run(&client, parsed.call).await
    })
}

async fn run(client: &Client, call: FetchOptions) -> Result<JsValue, JsValue> {
    match client.fetch_resources(call).await {
        Ok(result) => Ok(result_to_js(&result)),
        Err(e) => Err(to_js_error(&e)),
    }
}

fn result_to_js(result: &ResourcesResult) -> JsValue {
    JSON::parse(&result.to_json()).unwrap_or(JsValue::NULL)
}

/// Builds a `ResourcesError` (or, before registration, an `Error` with the same fields).
pub(crate) fn to_js_error(error: &Error) -> JsValue {
    let details = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&details, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(error.code()));
    set("status", JsValue::from(error.status()));
    set("retryable", JsValue::from_bool(error.retryable()));
    if let Some(path) = error.path() {
        set("path", JsValue::from_str(path));
    }
    if let Some(ms) = error.retry_after_ms() {
        set("retryAfterMs", JsValue::from_f64(ms as f64));
    }
    let message = JsValue::from_str(&error.to_string());
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    if let Some(class) = class {
        let args = js_sys::Array::of2(&message, &details);
        if let Ok(e) = Reflect::construct(&class, &args) {
            return e;
        }
    }
    let plain = js_sys::Error::new(&error.to_string());
    plain.set_name("ResourcesError");
    let _ = Object::assign(&plain, &details);
    plain.into()
}

/// Options read from JS.
struct ParsedOptions {
    options: Options,
    storage: StorageChoice,
    fetch: Option<Function>,
    call: FetchOptions,
}

const CLIENT_KEYS: [&str; 11] = [
    "baseUrl", "apiKey", "headers", "storage", "storageKey", "timeoutMs", "retries", "maxBytes", "maxAgeMs", "strict", "fetch",
];
const CALL_KEYS: [&str; 2] = ["refresh", "signal"];

/// Reads `ClientOptions` (plus `refresh` and `signal` when `with_call`).
/// Unknown keys are refused: a typo such as `baseURL` would otherwise send the
/// key to the default server without a word.
fn read_options(value: &JsValue, with_call: bool) -> Result<ParsedOptions, Error> {
    let mut parsed = ParsedOptions {
        options: Options::default(),
        storage: StorageChoice::Auto,
        fetch: None,
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
                return Err(Error::options(format!("headers[\"{}\"] must be a string", name.escape_debug())));
            };
            o.headers.push((name, text));
        }
    }
    if let Some(storage) = present(&object, "storage") {
        parsed.storage = match storage.as_string().as_deref() {
            Some("local") => StorageChoice::Local,
            Some("memory") => StorageChoice::Memory,
            Some(other) => {
                return Err(Error::options(format!("storage must be \"local\", \"memory\" or a StorageLike object, got \"{}\"", other.escape_debug())))
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
    if with_call {
        parsed.call = read_call_fields(&object)?;
    }
    Ok(parsed)
}

fn read_call_options(value: &JsValue) -> Result<FetchOptions, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(FetchOptions::default());
    }
    let object = as_object(value, "fetchResources options")?;
    for key in Object::keys(&object).iter().filter_map(|k| k.as_string()) {
        if !CALL_KEYS.contains(&key.as_str()) {
            return Err(Error::options(format!("unknown option \"{}\" (fetchResources takes refresh and signal)", key.escape_debug())));
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
    Error::options(format!("unknown option \"{}\"{hint}", key.escape_debug()))
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

fn boolean(object: &Object, key: &str) -> Result<bool, Error> {
    match present(object, key) {
        None => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| Error::options(format!("{key} must be a boolean"))),
    }
}

fn as_object(value: &JsValue, what: &str) -> Result<Object, Error> {
    if value.is_object() && !js_sys::Array::is_array(value) {
        Ok(value.clone().unchecked_into())
    } else {
        Err(Error::options(format!("{what} must be an object")))
    }
}

fn has_methods(value: &JsValue, names: &[&str]) -> bool {
    names
        .iter()
        .all(|n| Reflect::get(value, &JsValue::from_str(n)).map(|f| f.is_function()).unwrap_or(false))
}

/// A `Response`, or anything shaped like one (`status` and `headers.get`).
fn as_response(value: &JsValue) -> Option<web_sys::Response> {
    if !value.is_object() {
        return None;
    }
    let headers = Reflect::get(value, &JsValue::from_str("headers")).ok()?;
    let status = Reflect::get(value, &JsValue::from_str("status")).ok()?;
    (status.as_f64().is_some() && has_methods(&headers, &["get"])).then(|| value.clone().unchecked_into())
}

/// In a browser with `localStorage`, the `storage` event tells of other tabs' writes.
fn listen_to_other_tabs(client: &Client) {
    if !client.uses_local_storage() {
        return;
    }
    let global = js_sys::global();
    if !has_methods(&global, &["addEventListener"]) {
        return;
    }
    let key = client.storage_key().to_owned();
    // A weak handle: the listener must not keep a dropped client alive.
    let weak = client.downgrade();
    let handler = Closure::<dyn Fn(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
        if event.key().as_deref() != Some(key.as_str()) {
            return;
        }
        if let Some(client) = weak.upgrade() {
            client.storage_changed(event.new_value());
        }
    });
    let target: web_sys::EventTarget = global.unchecked_into();
    let _ = target.add_event_listener_with_callback("storage", handler.as_ref().unchecked_ref());
    client.keep_listener(target, handler);
}

// ---------------------------------------------------------------------------
// Catalog helpers: `validateRunOptions` and `diffResources`. The JS values are
// read by `js_catalog.rs`, the rules are `core::catalog`. `findModel`,
// `modelsByModality` and `runOptionKeys` are plain JS (`js/catalog.js`): they
// return the caller's own objects, which a JS loop does with no crossing at all.
// ---------------------------------------------------------------------------

/// Checks run options for a model before a run:
/// `validateRunOptions(resources, model, runOptions) → { ok, errors }`, each error
/// `{ key, value, code, message, allowed?, suggestion? }`. Never throws.
#[wasm_bindgen(js_name = validateRunOptions)]
pub fn validate_run_options(resources: JsValue, model: JsValue, run_options: JsValue) -> JsValue {
    crate::js_catalog::validate_run_options(&resources, &model, &run_options)
}

/// What changed between two catalogs:
/// `diffResources(before, after) → { added, removed, changed }` (`before` may be
/// `null`: everything is added). Never throws: invalid input gives empty lists
/// and `error: { code: "INVALID_INPUT", message }`.
#[wasm_bindgen(js_name = diffResources)]
pub fn diff_resources(before: JsValue, after: JsValue) -> JsValue {
    crate::js_catalog::diff(&before, &after)
}
