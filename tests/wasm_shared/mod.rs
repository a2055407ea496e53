//! Shared by the Node and Chromium wasm test crates: helpers to drive the mock
//! API through its control API (mock/README.md), and the tests both
//! environments run (one module per promise of the Rust client).
//!
//! wasm-bindgen-test runs one test at a time, so each test may reset the mock,
//! queue faults for its own requests and read the request log.
//! Only crate-root names of `resources_client` are used here.

#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use resources_client::{Client, Options, ResourcesResult, StorageChoice};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

mod abort;
mod cache;
mod errors;
mod fetch;
mod invalidation;
mod readme;
mod retry;
mod storage;

/// The mock API, started by `./run test` before compiling the tests.
pub const MOCK_URL: &str = env!("MOCK_URL");
/// The mock's default key.
pub const API_KEY: &str = "sk-mock-demo";

/// Options for a client on the mock: its own storage key, no retries.
pub fn options(tag: &str) -> Options {
    Options {
        base_url: Some(format!("{MOCK_URL}/v1/")),
        api_key: Some(API_KEY.to_owned()),
        storage_key: Some(unique_key(tag)),
        retries: Some(0.0),
        ..Options::default()
    }
}

/// A storage key no other test uses.
pub fn unique_key(tag: &str) -> String {
    format!("{tag}-{}", js_sys::Math::random())
}

/// A client on the mock with the default storage (localStorage in a browser, memory in Node).
pub fn client(tag: &str) -> Client {
    client_with(options(tag), StorageChoice::Auto)
}

/// A client with these options and this storage.
pub fn client_with(options: Options, storage: StorageChoice) -> Client {
    Client::new(options, storage, None).expect("valid options")
}

/// A JS function `(args) => body`, built at run time (tests only).
fn js(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

/// Awaits a JS promise, panicking with the JS error when it rejects.
async fn settle(promise: JsValue) -> JsValue {
    let promise: Promise = promise.dyn_into().expect("a promise");
    match JsFuture::from(promise).await {
        Ok(v) => v,
        Err(e) => panic!("{}", js_sys::JSON::stringify(&e).map(String::from).unwrap_or_default()),
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let promise = js("ms", "return new Promise((r) => setTimeout(r, ms));").call1(&JsValue::NULL, &ms.into()).unwrap();
    settle(promise).await;
}

/// Polls `condition` every 10 ms until it holds. The limit is a bound so that a
/// broken promise fails the test instead of hanging it, not a measure of speed.
pub async fn wait_for<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..500 {
        if condition().await {
            return;
        }
        sleep(10).await;
    }
    panic!("gave up waiting for {what}");
}

/// The mock's control API (mock/README.md, "Control API").
pub mod mock {
    use super::*;

    async fn call(method: &str, path: &str, body: Option<&Value>) -> Value {
        let send = js(
            "url, method, body",
            "return (async () => {
               const init = { method };
               if (body !== undefined) { init.headers = { 'content-type': 'application/json' }; init.body = body; }
               const res = await fetch(url, init);
               const text = await res.text();
               if (!res.ok) throw new Error(`control ${method} ${url}: HTTP ${res.status} ${text}`);
               return text;
             })();",
        );
        let url = JsValue::from_str(&format!("{MOCK_URL}/__control/{path}"));
        let body = body.map_or(JsValue::UNDEFINED, |b| JsValue::from_str(&b.to_string()));
        let promise = send.call3(&JsValue::NULL, &url, &JsValue::from_str(method), &body).unwrap();
        let text = settle(promise).await.as_string().expect("text");
        serde_json::from_str(&text).expect("control answers are JSON")
    }

    /// Default catalog, no faults, no rate limit, empty log.
    pub async fn reset() -> Value {
        call("POST", "reset", None).await
    }

    /// `{hash, resources, ...}` as the mock serves them now.
    pub async fn state() -> Value {
        call("GET", "state", None).await
    }

    /// Publishes a catalog: `{"preset": "changed"}` or `{"resources": ...}`.
    pub async fn publish(body: Value) -> Value {
        call("POST", "catalog", Some(&body)).await
    }

    /// Queues faults for the next matching requests (FIFO).
    pub async fn faults(faults: Value) {
        call("POST", "faults", Some(&serde_json::json!({ "faults": faults }))).await;
    }

    /// Every logged API request (preflights included).
    pub async fn log() -> Vec<Value> {
        call("GET", "log", None).await["requests"].as_array().cloned().unwrap_or_default()
    }

    /// The `GET /v1/resources` requests of the log.
    pub async fn resource_requests() -> Vec<Value> {
        log().await.into_iter().filter(|r| r["path"] == "/v1/resources" && r["method"] == "GET").collect()
    }

    /// The `cli-agent` header a logged request carried.
    pub fn cli_agent(entry: &Value) -> Option<&str> {
        entry["headers"]["cli-agent"].as_str()
    }
}

/// `GET {MOCK_URL}{path}` with the key and `extra` headers, as an app's own API
/// call would go; returns the status and the `action-require` header.
pub async fn api_get(path: &str, extra: &[(String, String)]) -> (u16, Option<String>) {
    let send = js(
        "url, key, extra",
        "return (async () => {
           const headers = { authorization: `Bearer ${key}`, ...Object.fromEntries(extra) };
           const res = await fetch(url, { headers, cache: 'no-store' });
           await res.arrayBuffer();
           return [res.status, res.headers.get('action-require')];
         })();",
    );
    let pairs = js_sys::Array::new();
    for (name, value) in extra {
        pairs.push(&js_sys::Array::of2(&name.into(), &value.into()));
    }
    let url = JsValue::from_str(&format!("{MOCK_URL}{path}"));
    let answer = settle(send.call3(&JsValue::NULL, &url, &API_KEY.into(), &pairs).unwrap()).await;
    let status = Reflect::get_u32(&answer, 0).unwrap().as_f64().unwrap() as u16;
    (status, Reflect::get_u32(&answer, 1).unwrap().as_string())
}

/// A StorageLike object over a Map, with `getItem`, `setItem`, `removeItem`.
/// `throwing` lists the methods that throw a QuotaExceededError instead.
pub fn js_storage(throwing: &[&str]) -> JsValue {
    let make = js(
        "throwing",
        "const map = new Map();
         const fail = (name) => () => {
           const e = new Error(`${name}: the quota has been exceeded`);
           e.name = 'QuotaExceededError';
           throw e;
         };
         const s = {
           map,
           getItem: (k) => (map.has(k) ? map.get(k) : null),
           setItem: (k, v) => { map.set(k, String(v)); },
           removeItem: (k) => { map.delete(k); },
         };
         for (const name of throwing) s[name] = fail(name);
         return s;",
    );
    let names = js_sys::Array::new();
    for name in throwing {
        names.push(&JsValue::from_str(name));
    }
    make.call1(&JsValue::NULL, &names).unwrap()
}

/// What a [`js_storage`] object holds under `key`, read from its Map directly.
pub fn js_storage_value(storage: &JsValue, key: &str) -> Option<String> {
    let map: js_sys::Map = Reflect::get(storage, &"map".into()).unwrap().unchecked_into();
    map.get(&key.into()).as_string()
}

/// Puts `text` under `key` in a [`js_storage`] object's Map.
pub fn js_storage_put(storage: &JsValue, key: &str, text: &str) {
    let map: js_sys::Map = Reflect::get(storage, &"map".into()).unwrap().unchecked_into();
    map.set(&key.into(), &text.into());
}

/// An `on_change` listener that records the hashes it hears.
pub fn recording_listener(client: &Client) -> (u32, Rc<RefCell<Vec<String>>>) {
    let heard = Rc::new(RefCell::new(Vec::new()));
    let sink = heard.clone();
    let id = client.on_change(Rc::new(move |r: &ResourcesResult| sink.borrow_mut().push(r.hash.clone())));
    (id, heard)
}
