//! A cancellable sleep over the global `setTimeout`.
//!
//! Dropping a [`Sleep`] clears its timer, so a finished request leaves no
//! pending timeout behind (which would keep a Node process alive), and then
//! settles its promise: a `JsFuture` over a promise that never settles keeps
//! its callbacks and state alive for good (they refer to each other until the
//! promise settles), and wasm memory never shrinks.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Resolves after `ms` milliseconds.
pub struct Sleep {
    id: JsValue,
    resolve: Option<Function>,
    done: JsFuture,
}

/// Sleeps for `ms` milliseconds.
pub fn sleep(ms: u64) -> Sleep {
    let mut id = JsValue::UNDEFINED;
    let mut resolver = None;
    let promise = Promise::new(&mut |resolve, _reject| {
        id = set_timeout(&resolve, ms as f64);
        resolver = Some(resolve);
    });
    Sleep { id, resolve: resolver, done: JsFuture::from(promise) }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        clear_timeout(&self.id);
        // Settled (a no-op if the timer already fired), so the future's
        // callbacks run once and are freed.
        if let Some(resolve) = self.resolve.take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}
