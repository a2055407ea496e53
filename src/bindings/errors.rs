//! `ResourcesError`: the one kind of value every rejection and throw is.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::domain::error::Error;

thread_local! {
    /// The `ResourcesError` class of the package's entry module, registered at load.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

#[wasm_bindgen]
extern "C" {
    /// `console.error`, for listener failures that must not vanish.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    pub(crate) fn console_error(message: &str, error: &JsValue);
}

/// Remembers the class built by [`to_js_error`].
pub(crate) fn register(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// Builds a `ResourcesError` (or, before registration, an `Error` with the same fields).
/// A network error's `cause` is an `Error` with the platform's message (never
/// the platform's own object, which may hold the request and its key).
pub(crate) fn to_js_error(error: &Error) -> JsValue {
    let cause = match error.root() {
        Error::Network { message } => Some(js_sys::Error::new(message).into()),
        _ => None,
    };
    to_js_error_with_cause(error, cause)
}

/// [`to_js_error`] with the given `cause` (an abort's `signal.reason`).
pub(crate) fn to_js_error_with_cause(error: &Error, cause: Option<JsValue>) -> JsValue {
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
    if let Some(cause) = cause {
        set("cause", cause);
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
