//! Web Locks (`navigator.locks`): one refresh of a record at a time across the
//! tabs, workers and iframes of one origin. Absent where the platform has no
//! `navigator.locks` (Node.js 20, older browsers): callers then go on unlocked.
//!
//! The wait is bounded: another tab may hold the lock as long as its request
//! takes (with `timeoutMs: 0`, for ever), and any script of the origin may
//! hold a lock of that name. After the bound the request is withdrawn (the
//! Web Locks API's `signal`) and the caller refreshes without the lock.

use std::pin::pin;

use futures_util::future::{select, Either};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

use super::timer::sleep;

/// A held (or requested) lock; released when dropped, also when the wait for
/// it was abandoned (the request is withdrawn, and a grant that still comes
/// is released at once).
pub struct Held {
    release: Function,
    /// Withdraws the request while it waits; no effect once granted.
    withdraw: AbortController,
    /// Whether the lock was granted (false: no lock manager, it refused, or the wait timed out).
    pub granted: bool,
    /// Whether another holder had it when it was asked for (so this one waited).
    pub waited: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.withdraw.abort();
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

/// Waits for the exclusive lock `name`, at most `timeout_ms` (0: no bound).
/// `None` when the platform has no lock manager; otherwise a [`Held`] that
/// releases it when dropped, `granted: false` when the wait timed out (or the
/// request was refused). Dropping the future withdraws a request still waiting.
pub async fn acquire(name: &str, timeout_ms: u64) -> Option<Held> {
    let locks = lock_manager()?;
    // Taken at once when it is free (`ifAvailable`); else asked for again, to wait.
    if let Some(held) = request(&locks, name, true, timeout_ms).await {
        if held.granted {
            return Some(held);
        }
    }
    let mut held = request(&locks, name, false, timeout_ms).await?;
    held.waited = true;
    Some(held)
}

/// One request for the lock: with `if_available`, granted only when it is free
/// (the callback is then given `null` and the request ends ungranted).
async fn request(locks: &JsValue, name: &str, if_available: bool, timeout_ms: u64) -> Option<Held> {
    let withdraw = AbortController::new().ok()?;
    let request: Function = Reflect::get(locks, &JsValue::from_str("request")).ok()?.dyn_into().ok()?;
    let mut release_fn = None;
    let release = Promise::new(&mut |resolve, _| release_fn = Some(resolve));
    let mut granted_fn = None;
    let granted = Promise::new(&mut |resolve, _| granted_fn = Some(resolve));
    let (release_fn, granted_fn) = (release_fn?, granted_fn?);
    let mut held = Held { release: release_fn, withdraw: withdraw.clone(), granted: false, waited: false };
    let on_grant = {
        let granted_fn = granted_fn.clone();
        let release = release.clone();
        Closure::once_into_js(move |lock: JsValue| -> JsValue {
            // `null`: not available (`ifAvailable`), nothing is held.
            let _ = granted_fn.call1(&JsValue::UNDEFINED, &JsValue::from_bool(!lock.is_null()));
            if lock.is_null() {
                JsValue::UNDEFINED
            } else {
                release.into()
            }
        })
    };
    let options = Object::new();
    if if_available {
        let _ = Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    } else {
        let _ = Reflect::set(&options, &JsValue::from_str("signal"), &withdraw.signal());
    }
    let Ok(pending) = request.call3(locks, &JsValue::from_str(name), &options, &on_grant) else {
        return None;
    };
    // A refused request (aborted, or an origin without locks) ends the wait
    // unlocked. The same function handles both outcomes, so it is always
    // called once and freed (after a grant it changes nothing).
    let refused = Closure::once_into_js(move |_e: JsValue| {
        let _ = granted_fn.call1(&JsValue::UNDEFINED, &JsValue::FALSE);
    });
    if let Ok(then) = Reflect::get(&pending, &JsValue::from_str("then")).and_then(|c| c.dyn_into::<Function>()) {
        let _ = then.call2(&pending, &refused, &refused);
    }
    let wait = pin!(JsFuture::from(granted));
    held.granted = if timeout_ms == 0 {
        wait.await.map(|v| v.is_truthy()).unwrap_or(false)
    } else {
        match select(wait, pin!(sleep(timeout_ms))).await {
            Either::Left((answer, _)) => answer.map(|v| v.is_truthy()).unwrap_or(false),
            // Withdrawn now; a grant racing with it is released by `Held`'s drop.
            Either::Right(_) => {
                withdraw.abort();
                false
            }
        }
    };
    Some(held)
}
