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
use crate::core::text::EscapeText;

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
        cached_to_js(&self.client)
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

// ---------------------------------------------------------------------------
// parseResources: validation of a body the application fetched itself.
//
// The body is validated in wasm by a forward scan that builds nothing
// (`core::validate`); the objects are then made by the engine's own
// `JSON.parse` of the original text, the fastest way to materialise JSON in JS.
// Keys such as `__proto__` stay plain data that way.

/// `parseResources(body: string | Uint8Array | ArrayBuffer, options?: { strict?: boolean })`
/// → `{ hash, resources, warnings }`, or throws a `ResourcesError`. The body is
/// that of a 2xx `GET /v1/resources` response; errors carry `status: 200`.
#[wasm_bindgen(js_name = parseResources)]
pub fn parse_resources(body: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    parse_resources_inner(&body, &options).map_err(|e| to_js_error(&e))
}

fn parse_resources_inner(body: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    let strict = parse_options_strict(options)?;
    // The text JSON.parse will read, and the bytes the validator reads.
    let (text, bytes) = if body.is_string() {
        let bytes = utf8_of(body);
        // A string with lone surrogates would be read differently by the two
        // sides (TextEncoder turns them into U+FFFD); JSON.parse then reads the
        // validated text instead. One byte per UTF-16 unit means pure ASCII:
        // nothing to check then.
        let ascii = bytes.len() == body.unchecked_ref::<TextValue>().length() as usize;
        let text = if ascii || well_formed(body) { body.clone() } else { JsValue::from_str(&String::from_utf8_lossy(&bytes)) };
        (text, bytes)
    } else if let Some(array) = as_bytes(body) {
        let bytes = array.to_vec();
        // Decoded by the engine from the caller's array (used only once the
        // bytes are known to be valid UTF-8); a BOM is dropped by TextDecoder.
        let text = DECODER.with(|d| d.decode(&array));
        (text, bytes)
    } else {
        return Err(Error::options("parseResources: body must be a string, Uint8Array or ArrayBuffer"));
    };
    let checked = crate::core::validate::validate_success(&bytes, 200, None, strict)?;
    drop(bytes);
    let text: js_sys::JsString = text.unchecked_into();
    // RFC 8259 allows ignoring a byte order mark; JSON.parse does not.
    let text = if text.char_code_at(0) == 0xFEFF as f64 { text.slice(1, text.length()) } else { text };
    let invalid = |m: &str| Error::invalid(200, "data", m);
    let root = json_parse(&text).map_err(|_| invalid("JSON.parse failed on a validated body"))?;
    let data = Reflect::get(&root, &JsValue::from_str("data")).map_err(|_| invalid("unreadable"))?;
    let resources = Reflect::get(&data, &JsValue::from_str("resources")).map_err(|_| invalid("unreadable"))?;
    let warnings: js_sys::Array = checked.warnings.iter().map(|w| JsValue::from_str(w)).collect();
    // Fixed, known keys on a fresh object: nothing from the body is used as a key here.
    let out = Object::new();
    let _ = Reflect::set(&out, &JsValue::from_str("hash"), &JsValue::from_str(&checked.hash));
    let _ = Reflect::set(&out, &JsValue::from_str("resources"), &resources);
    let _ = Reflect::set(&out, &JsValue::from_str("warnings"), &warnings);
    Ok(out.into())
}

/// `strict` from `{ strict?: boolean }`; other keys are refused like elsewhere.
fn parse_options_strict(options: &JsValue) -> Result<bool, Error> {
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

/// The bytes of a `Uint8Array` or `ArrayBuffer`.
fn as_bytes(body: &JsValue) -> Option<js_sys::Uint8Array> {
    if let Some(array) = body.dyn_ref::<js_sys::Uint8Array>() {
        return Some(array.clone());
    }
    body.dyn_ref::<js_sys::ArrayBuffer>().map(|buffer| js_sys::Uint8Array::new(buffer))
}

#[wasm_bindgen]
extern "C" {
    /// A JS string, as received (never copied).
    type TextValue;
    /// `String.prototype.length`, in UTF-16 units.
    #[wasm_bindgen(method, getter)]
    fn length(this: &TextValue) -> u32;
    /// `String.prototype.substring`.
    #[wasm_bindgen(method)]
    fn substring(this: &TextValue, start: u32) -> TextValue;
    /// The encoder behind [`utf8_of`].
    type Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new_encoder() -> Encoder;
    /// `TextEncoder.prototype.encodeInto`: writes into wasm memory directly.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &Encoder, text: &TextValue, into: &js_sys::Uint8Array) -> EncodeProgress;
    /// The decoder of byte bodies.
    type Decoder;
    #[wasm_bindgen(constructor, js_class = "TextDecoder")]
    fn new_decoder() -> Decoder;
    /// `TextDecoder.prototype.decode`.
    #[wasm_bindgen(method)]
    fn decode(this: &Decoder, bytes: &js_sys::Uint8Array) -> JsValue;
    /// `{ read, written }` of `encodeInto`.
    type EncodeProgress;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeProgress) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeProgress) -> u32;
    /// `String.prototype.isWellFormed` (Node 20, Chromium 111); throws where missing.
    #[wasm_bindgen(method, catch, js_name = isWellFormed)]
    fn is_well_formed(this: &TextValue) -> Result<bool, JsValue>;
    /// `JSON.parse` of a JS string without copying it through wasm memory.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// Whether a JS string has no lone surrogates (assumed not, where unknown).
fn well_formed(s: &JsValue) -> bool {
    s.unchecked_ref::<TextValue>().is_well_formed().unwrap_or(false)
}

thread_local! {
    static ENCODER: Encoder = Encoder::new_encoder();
    static DECODER: Decoder = Decoder::new_decoder();
}

/// The UTF-8 bytes of a JS string, written by `TextEncoder.encodeInto` straight
/// into wasm memory: one native pass, where the generic string glue first copies
/// ASCII one character at a time in JS.
fn utf8_of(text: &JsValue) -> Vec<u8> {
    let mut text: TextValue = text.clone().unchecked_into();
    let mut out: Vec<u8> = Vec::new();
    // ASCII needs one byte per UTF-16 unit; anything else gets more room below.
    let mut room = text.length() as usize;
    ENCODER.with(|encoder| loop {
        let start = out.len();
        out.resize(start + room, 0);
        let view = memory_view(&mut out[start..]);
        let progress = encoder.encode_into(&text, &view);
        out.truncate(start + progress.written() as usize);
        let read = progress.read();
        if read >= text.length() {
            return out;
        }
        text = text.substring(read);
        // At most three bytes per UTF-16 unit (a pair takes four for two units).
        room = text.length() as usize * 3;
    })
}

/// A `Uint8Array` over a slice of wasm memory. Valid until the next allocation
/// (which may grow and detach the memory), so it is used at once.
fn memory_view(slice: &mut [u8]) -> js_sys::Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    js_sys::Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), slice.as_ptr() as u32, slice.len() as u32)
}

// ---------------------------------------------------------------------------
// cached(): the stored text, validated once, materialised by JSON.parse.

/// The result of `cached()`: `resources` comes from `JSON.parse` of the stored
/// text (validated when it was first read, recognised by `===` afterwards), so
/// a call costs about one `JSON.parse` of the record.
fn cached_to_js(client: &Client) -> JsValue {
    let Some((rec, due, text)) = client.cached_text() else { return JsValue::NULL };
    let resources = json_parse(&text).and_then(|record| Reflect::get(&record, &JsValue::from_str("resources")));
    let Ok(resources) = resources else {
        // Unreachable for a record that decoded; the serialising path stays correct.
        return client.cached().map_or(JsValue::NULL, |r| result_to_js(&r));
    };
    let warnings: js_sys::Array = rec.warnings.iter().map(|w| JsValue::from_str(w)).collect();
    let hash = JsValue::from_str(&rec.hash);
    // Fixed, known keys on a fresh object: nothing from storage is used as a key here.
    let out = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    };
    set("hash", &hash);
    set("resources", &resources);
    set("source", &JsValue::from_str("cache"));
    set("changed", &JsValue::FALSE);
    set("previousHash", &hash);
    set("fetchedAt", &JsValue::from_f64(rec.fetched_at));
    set("stale", &JsValue::from_bool(due));
    set("warnings", &warnings);
    out.into()
}
