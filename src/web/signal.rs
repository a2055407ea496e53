//! Waiting for an `AbortSignal` as a future.
//!
//! The listener is the promise's own `resolve` (no Rust closure to leak) and
//! is removed again when the wait is dropped, so long-lived signals shared by
//! many calls do not collect listeners. The promise is then settled: a
//! `JsFuture` over a promise that never settles is never freed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use js_sys::{Function, Promise};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, AddEventListenerOptions};

/// Resolves when the signal aborts (at once if it already has).
pub struct AbortWait {
    signal: AbortSignal,
    listener: Option<Function>,
    done: JsFuture,
}

/// Waits for `signal` to abort.
pub fn aborted(signal: &AbortSignal) -> AbortWait {
    let mut listener = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        if signal.aborted() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        } else {
            let options = AddEventListenerOptions::new();
            options.set_once(true);
            let _ = signal.add_event_listener_with_callback_and_add_event_listener_options("abort", &resolve, &options);
            listener = Some(resolve);
        }
    });
    AbortWait { signal: signal.clone(), listener, done: JsFuture::from(promise) }
}

impl Future for AbortWait {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for AbortWait {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.take() {
            let _ = self.signal.remove_event_listener_with_callback("abort", &listener);
            let _ = listener.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    }
}
