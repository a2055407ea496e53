//! The thin platform layer: `fetch`, timers, abort signals and storage, through
//! wasm-bindgen. It works wherever a global `fetch` exists (browsers, Node 20+,
//! Deno) and never assumes a `window`.

pub mod channel;
pub mod fetch;
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
    let mut message = get(value, "message")
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned());
    if let Ok(cause) = js_sys::Reflect::get(value, &JsValue::from_str("cause")) {
        if let Some(inner) = get(&cause, "message").filter(|m| !m.is_empty()) {
            message = format!("{message} ({inner})");
        }
    }
    message
}
