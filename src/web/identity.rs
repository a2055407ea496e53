//! Identities the scope of a record is made of, where JavaScript owns them: a
//! caller's `fetch` function, and the random values of storage salts.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Reflect, Uint8Array, WeakMap};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The identity given to each `fetch` function seen, held weakly.
    static FETCHES: WeakMap = WeakMap::new();
    /// Identities handed out so far in this module instance.
    static NEXT: Cell<u64> = const { Cell::new(0) };
    /// A random prefix of this module instance's identities, so that identities
    /// of two processes (or two loads of the package) never coincide.
    static INSTANCE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// `n` random bytes as hex: `crypto.getRandomValues` where there is one, else
/// `Math.random` (these values separate scopes; they guard nothing secret).
pub fn random_hex(n: usize) -> String {
    let bytes = Uint8Array::new_with_length(n as u32);
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).unwrap_or(JsValue::UNDEFINED);
    let filled = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .is_some_and(|f| f.call1(&crypto, &bytes).is_ok());
    let mut out = vec![0u8; n];
    if filled {
        bytes.copy_to(&mut out);
    } else {
        for b in &mut out {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    out.iter().map(|b| format!("{b:02x}")).collect()
}

/// The identity of a caller's `fetch` function: the same for the same
/// function object, different for any other one (and in any other module
/// instance or process). Two clients with different `fetch` functions never
/// share a record or a request unless they name a `scope`.
pub fn fetch_identity(fetch: &Function) -> String {
    FETCHES.with(|map| {
        if let Some(known) = map.get(fetch).as_string() {
            return known;
        }
        let instance = INSTANCE.with(|i| i.borrow_mut().get_or_insert_with(|| random_hex(8)).clone());
        let n = NEXT.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        let id = format!("{instance}-{n}");
        map.set(fetch, &JsValue::from_str(&id));
        id
    })
}

/// Whether a stored salt is one this package wrote: 32 hex digits.
pub fn is_salt(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}
