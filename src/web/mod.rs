//! The thin platform layer: `fetch`, timers, abort signals and storage, through
//! wasm-bindgen. It works wherever a global `fetch` exists (browsers, Node 20+,
//! Deno) and never assumes a `window`.

pub mod body;
pub mod channel;
pub mod fetch;
pub mod identity;
pub mod lock;
pub mod signal;
pub mod storage;
pub mod text;
pub mod timer;

use wasm_bindgen::JsValue;

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A message for a thrown JS value: its `message` (and its `cause`'s, which is
/// where Node puts "connect ECONNREFUSED ..."), or its string form.
pub fn js_message(value: &JsValue) -> String {
    let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).ok().and_then(|m| m.as_string());
    let mut message = get(value, "message").or_else(|| value.as_string()).unwrap_or_else(|| "unknown error".to_owned());
    if let Ok(cause) = js_sys::Reflect::get(value, &JsValue::from_str("cause")) {
        if let Some(inner) = get(&cause, "message").filter(|m| !m.is_empty()) {
            message = format!("{message} ({inner})");
        }
    }
    message
}

/// Whether this runs in a browser (a page or a worker): `navigator.userAgent`
/// starts with `Mozilla/` in every browser, and in no server-side runtime
/// (Node says `Node.js/22`, Deno `Deno/2.x`, Bun `Bun/1.x`, workerd
/// `Cloudflare-Workers`; Node 20 has no `navigator` at all).
pub fn is_browser() -> bool {
    let get = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let navigator = get(&js_sys::global(), "navigator");
    navigator.is_object() && get(&navigator, "userAgent").as_string().is_some_and(|ua| ua.starts_with("Mozilla/"))
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = URL)]
    type Url;
    #[wasm_bindgen(constructor, js_class = "URL", catch)]
    fn new(url: &str, base: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn href(this: &Url) -> String;
}

/// `reference` resolved against the page's address (`globalThis.location.href`),
/// or `None` outside pages (no `location`).
pub fn resolve_against_page(reference: &str) -> Option<String> {
    let location = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("location")).ok()?;
    let href = js_sys::Reflect::get(&location, &JsValue::from_str("href")).ok()?.as_string()?;
    Url::new(reference.trim(), &href).ok().map(|u| u.href())
}

/// `reference` (a `Location` header) resolved against `base`, as `fetch` would.
pub fn resolve_url(reference: &str, base: &str) -> Option<String> {
    Url::new(reference.trim(), base).ok().map(|u| u.href())
}
