//! Web Locks (`navigator.locks`): one refresh of a record at a time across the
//! tabs, workers and iframes of one origin. Absent where the platform has no
//! `navigator.locks` (Node.js 20, older browsers): callers then go on unlocked.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// A held (or requested) lock; released when dropped, also when the wait for
/// it was abandoned (a grant after that is released at once).
pub struct Held {
    release: Function,
    /// Whether the lock was granted (false: no lock manager, or it refused).
    pub granted: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

/// The origin's lock manager, if the platform has one.
fn lock_manager() -> Option<JsValue> {
    let navigator = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).ok()?;
    if !navigator.is_object() {
        return None;
    }
    let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    locks.is_object().then_some(locks)
}

/// Waits for the exclusive lock `name`. `None` when the platform has no lock
/// manager; otherwise a [`Held`] that releases it when dropped. `signal`
/// withdraws a request still waiting.
pub async fn acquire(name: &str, signal: &AbortSignal) -> Option<Held> {
    let locks = lock_manager()?;
    let request: Function = Reflect::get(&locks, &JsValue::from_str("request")).ok()?.dyn_into().ok()?;
    let mut release_fn = None;
    let release = Promise::new(&mut |resolve, _| release_fn = Some(resolve));
    let mut granted_fn = None;
    let granted = Promise::new(&mut |resolve, _| granted_fn = Some(resolve));
    let (release_fn, granted_fn) = (release_fn?, granted_fn?);
    let mut held = Held { release: release_fn, granted: false };
    let on_grant = {
        let granted_fn = granted_fn.clone();
        let release = release.clone();
        Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let _ = granted_fn.call1(&JsValue::UNDEFINED, &JsValue::TRUE);
            release.into()
        })
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &JsValue::from_str("signal"), signal);
    let Ok(pending) = request.call3(&locks, &JsValue::from_str(name), &options, &on_grant) else {
        return None;
    };
    // A refused request (aborted, or an origin without locks) ends the wait unlocked.
    let refused = Closure::once_into_js(move |_e: JsValue| {
        let _ = granted_fn.call1(&JsValue::UNDEFINED, &JsValue::FALSE);
    });
    if let Ok(catch) = Reflect::get(&pending, &JsValue::from_str("catch")).and_then(|c| c.dyn_into::<Function>()) {
        let _ = catch.call1(&pending, &refused);
    }
    held.granted = JsFuture::from(granted).await.map(|v| v.is_truthy()).unwrap_or(false);
    Some(held)
}
