//! The JavaScript API, in one place: every wasm export of the npm package, in
//! the order of the TypeScript declarations they produce (`npm/index.d.ts`, which
//! `tests/package/exports.test.mjs` checks against what each entry really exports):
//! the `ResourcesClient` class, `fetchResources`, `parseResources`,
//! `validateRunOptions` and `diffResources`.
//!
//! Values cross into JS as JSON text parsed by `JSON.parse`: one boundary
//! crossing per result, and keys such as `__proto__` stay plain data.

mod catalog;
mod errors;
mod options;
mod results;

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use crate::client::{action_require_of, AttemptEvent, Client, FetchOptions, Snapshot};
use crate::domain::error::Error;
use errors::{console_error, to_js_error};
use options::{as_response, read_call_options, read_options};
use results::{cached_to_js, parse_resources_inner, snapshot_to_js};

/// Registers the `ResourcesError` class that every rejection is an instance of.
/// Called once by the package's entry module.
#[wasm_bindgen(js_name = __registerErrorClass)]
pub fn register_error_class(class: Function) {
    errors::register(class);
}

/// Registers the store that takes the records `localStorage` refuses for their
/// size (the package's IndexedDB store). Called once by the package's entry
/// module where the platform has IndexedDB.
#[wasm_bindgen(js_name = __registerOverflowStore)]
pub fn register_overflow_store(store: JsValue) {
    crate::web::storage::register_overflow(store);
}

/// A catalog client bound to one API base and one storage slot.
///
/// The store interface of UI frameworks (`subscribe`, `getSnapshot`) is added
/// by the package's JavaScript (`npm/store.js`): it counts calls and freezes
/// objects, which needs no boundary crossing.
#[wasm_bindgen(js_name = ResourcesClient)]
pub struct JsResourcesClient {
    client: Client,
}

thread_local! {
    /// `off(handle, id)`: one Rust closure for the module's life. Each
    /// unsubscribe function is it bound to two numbers, so a subscription
    /// never unsubscribed (its client freed first) leaves no wasm memory behind.
    static OFF: Function = Closure::<dyn Fn(u32, u32)>::new(|handle, id| {
        if let Some(client) = Client::from_handle(handle) {
            client.off(id);
        }
    })
    .into_js_value()
    .unchecked_into();
}

/// A function that removes listener `id` (by the client's number: a listener
/// that holds its own unsubscribe function must not keep the client alive
/// through it); after the client is gone it does nothing.
fn unsubscriber(client: &Client, id: u32) -> Function {
    OFF.with(|off| off.bind2(&JsValue::NULL, &JsValue::from(client.handle()), &JsValue::from(id)).unchecked_into())
}

/// A client from read options, with its `onAttempt` hook.
fn new_client(parsed: options::ParsedOptions) -> Result<Client, JsValue> {
    let client = Client::new(parsed.options, parsed.storage, parsed.fetch).map_err(|e| to_js_error(&e))?;
    if let Some(hook) = parsed.on_attempt {
        client.set_on_attempt(Some(Rc::new(move |event: &AttemptEvent| {
            let object = Object::new();
            let set = |k: &str, v: &JsValue| {
                let _ = Reflect::set(&object, &JsValue::from_str(k), v);
            };
            set("attempt", &JsValue::from(event.attempt));
            set("url", &JsValue::from_str(event.url));
            set("status", &JsValue::from(event.status));
            if let Some(error) = event.error {
                set("error", &to_js_error(error));
            }
            if let Some(ms) = event.retry_in_ms {
                set("retryInMs", &JsValue::from_f64(ms as f64));
            }
            if let Err(e) = hook.call1(&JsValue::NULL, &object) {
                console_error("resources-client: the onAttempt hook threw", &e);
            }
        })));
    }
    Ok(client)
}

fn as_callback(value: JsValue, method: &str) -> Result<Function, JsValue> {
    value.dyn_into().map_err(|_| to_js_error(&Error::options(format!("{method} needs a function"))))
}

#[wasm_bindgen(js_class = ResourcesClient)]
impl JsResourcesClient {
    /// Creates a client; throws `ResourcesError` (`INVALID_OPTIONS`) on a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsResourcesClient, JsValue> {
        let parsed = read_options(&options, false).map_err(|e| to_js_error(&e))?;
        let client = new_client(parsed)?;
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

    /// Resolves once the stored record has been read: at once for a
    /// synchronous store (`localStorage`, memory), after its first read for an
    /// asynchronous one (IndexedDB, a file, Workers KV). Until then `cached()`
    /// is `null`; `fetchResources()` waits for it by itself.
    pub fn ready(&self) -> Promise {
        let client = self.client.clone();
        future_to_promise(async move {
            client.ready().await;
            Ok(JsValue::UNDEFINED)
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
        let callback = as_callback(callback, "onChange")?;
        let id = self.client.on_change_snapshot(Rc::new(move |snapshot: &Snapshot| {
            if let Err(e) = callback.call1(&JsValue::NULL, &snapshot_to_js(snapshot)) {
                // A throwing listener must not stop the others, nor vanish silently.
                console_error("resources-client: an onChange listener threw", &e);
            }
        }));
        Ok(unsubscriber(&self.client, id))
    }

    /// Calls `callback(error)` (a `ResourcesError`) when a background refresh
    /// (started by `observe`) fails. Returns a function that unsubscribes.
    #[wasm_bindgen(js_name = onError)]
    pub fn on_error(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(error: any) => void")] callback: JsValue,
    ) -> Result<Function, JsValue> {
        let callback = as_callback(callback, "onError")?;
        let id = self.client.on_error(Rc::new(move |error: &Error| {
            if let Err(e) = callback.call1(&JsValue::NULL, &to_js_error(error)) {
                console_error("resources-client: an onError listener threw", &e);
            }
        }));
        Ok(unsubscriber(&self.client, id))
    }

    /// The key under which the record is stored: `<storageKey>:<scope>:<baseUrl>`,
    /// the scope being `key-` and 32 hex digits of a salted SHA-256 of the
    /// client's credentials (key, credential headers, `fetch` or `scope`), or `nokey`.
    /// Empty until `ready()` when an asynchronous store keeps the salt.
    #[wasm_bindgen(getter, js_name = storageKey)]
    pub fn storage_key(&self) -> String {
        self.client.storage_key().to_owned()
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
        let call = parsed.call.clone();
        let client = new_client(parsed)?;
        run(&client, call).await
    })
}

async fn run(client: &Client, call: FetchOptions) -> Result<JsValue, JsValue> {
    let signal = call.signal.clone();
    match client.fetch_snapshot(call).await {
        Ok(snapshot) => Ok(snapshot_to_js(&snapshot)),
        // The caller's signal ended the call: its `reason` is the cause, and a
        // signal that timed out (`AbortSignal.timeout()`) is a TIMEOUT.
        Err(Error::Aborted) if signal.as_ref().is_some_and(|s| s.aborted()) => {
            let reason = signal.map(|s| s.reason()).unwrap_or(JsValue::UNDEFINED);
            let name = Reflect::get(&reason, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
            let error = if name.as_deref() == Some("TimeoutError") { Error::SignalTimeout } else { Error::Aborted };
            Err(errors::to_js_error_with_cause(&error, Some(reason)))
        }
        Err(e) => Err(to_js_error(&e)),
    }
}
// ---------------------------------------------------------------------------
// Catalog helpers: `validateRunOptions` and `diffResources`. The JS values are
// read by `catalog.rs`, the rules are `domain::catalog`. `findModel`,
// `modelsByModality` and `runOptionKeys` are plain JS (`js/catalog.js`): they
// return the caller's own objects, which a JS loop does with no crossing at all.
// ---------------------------------------------------------------------------

/// Checks run options for a model before a run:
/// `validateRunOptions(resources, model, runOptions) → { ok, errors }`, each error
/// `{ key, value, code, message, allowed?, suggestion? }`. Never throws.
#[wasm_bindgen(js_name = validateRunOptions)]
pub fn validate_run_options(resources: JsValue, model: JsValue, run_options: JsValue) -> JsValue {
    catalog::validate_run_options(&resources, &model, &run_options)
}

/// What changed between two catalogs:
/// `diffResources(before, after) → { added, removed, changed }` (`before` may be
/// `null`: everything is added). Never throws: invalid input gives empty lists
/// and `error: { code: "INVALID_INPUT", message }`.
#[wasm_bindgen(js_name = diffResources)]
pub fn diff_resources(before: JsValue, after: JsValue) -> JsValue {
    catalog::diff(&before, &after)
}

// ---------------------------------------------------------------------------
// parseResources: validation of a body the application fetched itself.
//
// The body is validated in wasm by a forward scan that builds nothing
// (`domain::schema`, the walk every path takes); the objects are then made by the engine's own
// `JSON.parse` of the original text, the fastest way to materialise JSON in JS.
// Keys such as `__proto__` stay plain data that way.

/// `parseResources(body: string | Uint8Array | ArrayBuffer, options?: { strict?: boolean })`
/// → `{ hash, resources, warnings }`, or throws a `ResourcesError`. The body is
/// that of a 2xx `GET /v1/resources` response; errors carry `status: 200`.
#[wasm_bindgen(js_name = parseResources)]
pub fn parse_resources(body: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    parse_resources_inner(&body, &options).map_err(|e| to_js_error(&e))
}
