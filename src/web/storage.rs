//! Where the record lives: `localStorage`, a caller's `StorageLike` object, or memory.
//!
//! Any storage call that throws (disabled storage, private mode, quota) moves
//! this store to memory for the rest of its life; it never fails a call. Every
//! write to a JS storage is mirrored in this store's own memory, so nothing is
//! lost at that moment (and nothing leaks into other clients' memory).
//! The `"memory"` store is shared by all clients of the module, so successive
//! `fetchResources()` calls in one Node process remember the last hash.

use std::cell::{OnceCell, RefCell};

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{EventTarget, StorageEvent};

use super::identity::{is_salt, random_hex};
use super::js_message;
use super::keymap::KeyMap;

thread_local! {
    /// The shared memory store: JS strings, never copied into wasm memory.
    static MEMORY: RefCell<KeyMap<JsValue>> = const { RefCell::new(KeyMap::new()) };
    /// The global `localStorage` and whether it took a write, probed once.
    static LOCAL_STORAGE: OnceCell<Result<JsValue, String>> = const { OnceCell::new() };
}

/// Which storage a client asked for.
#[derive(Clone, Debug)]
pub enum StorageChoice {
    /// `globalThis.localStorage` when present and usable, else memory.
    Auto,
    /// `globalThis.localStorage`; memory when it is unusable.
    Local,
    /// Module memory.
    Memory,
    /// An object with `getItem`, `setItem` and `removeItem`.
    Custom(JsValue),
}

enum Backend {
    /// A `Storage`-like JS object; `is_local` when it is the global `localStorage`.
    Js { object: JsValue, is_local: bool },
    /// The module's shared memory.
    Memory,
    /// A JS storage that threw: this store's own mirror from then on.
    Mirror,
}

/// One record's storage slot.
pub struct Store {
    key: String,
    backend: RefCell<Backend>,
    /// The last text written to a JS storage, served once it fails.
    mirror: RefCell<Option<JsValue>>,
    degraded: RefCell<Option<String>>,
}

impl Store {
    /// A store for `key` in the chosen storage.
    pub fn new(choice: StorageChoice, key: String) -> Store {
        let mut degraded = None;
        let backend = match choice {
            StorageChoice::Memory => Backend::Memory,
            StorageChoice::Custom(object) => Backend::Js { object, is_local: false },
            StorageChoice::Auto | StorageChoice::Local => match usable_local_storage() {
                Ok(object) => Backend::Js { object, is_local: true },
                Err(reason) => {
                    if matches!(choice, StorageChoice::Local) {
                        degraded = Some(reason);
                    }
                    Backend::Memory
                }
            },
        };
        Store { key, backend: RefCell::new(backend), mirror: RefCell::new(None), degraded: RefCell::new(degraded) }
    }

    /// Sets the storage key (once the scope, which needs [`Store::salt`], is known).
    pub fn set_key(&mut self, key: String) {
        self.key = key;
    }

    /// The random salt of this storage, kept at `key` beside its records:
    /// read, or made and stored the first time. Empty (no salt) for the
    /// module's memory, whose records no one can read offline and which
    /// realms of one origin (a page and its workers, Node threads) must
    /// agree on to hear each other's records, and for a storage that cannot
    /// keep a salt.
    pub fn salt(&self, key: &str) -> String {
        let backend = self.backend.borrow();
        let Backend::Js { object, .. } = &*backend else { return String::new() };
        let name = JsValue::from_str(key);
        if let Ok(stored) = call(object, "getItem", &[name.clone()]) {
            if let Some(salt) = stored.as_string().filter(|s| is_salt(s)) {
                return salt;
            }
            // Kept only if the storage gives it back (a stub that stores
            // nothing, or returns one text for every key, cannot keep a salt).
            let fresh = random_hex(16);
            let kept = call(object, "setItem", &[name.clone(), JsValue::from_str(&fresh)]).is_ok()
                && call(object, "getItem", &[name]).is_ok_and(|v| v.as_string().as_deref() == Some(fresh.as_str()));
            if kept {
                return fresh;
            }
        }
        String::new()
    }

    /// The storage key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether records live in the global `localStorage` (so other tabs see them).
    pub fn is_local_storage(&self) -> bool {
        matches!(&*self.backend.borrow(), Backend::Js { is_local: true, .. })
    }

    /// Whether `other` reads and writes the same storage as this store (the
    /// module memory, or the very same JS storage object), so a record one
    /// writes is the record the other reads.
    pub fn shares_storage_with(&self, other: &Store) -> bool {
        match (&*self.backend.borrow(), &*other.backend.borrow()) {
            (Backend::Memory, Backend::Memory) => true,
            (Backend::Js { object: a, .. }, Backend::Js { object: b, .. }) => a == b,
            _ => false,
        }
    }

    /// Why the store fell back to memory, if it did.
    pub fn degraded_reason(&self) -> Option<String> {
        self.degraded.borrow().clone()
    }

    /// The stored text as a JS string, without copying it into wasm memory
    /// (`cached()` hands it to `JSON.parse`).
    pub fn read_js(&self) -> Option<JsValue> {
        let result = match &*self.backend.borrow() {
            Backend::Memory => return MEMORY.with(|m| m.borrow().get(&self.key).cloned()),
            Backend::Mirror => return self.mirror.borrow().clone(),
            Backend::Js { object, .. } => call(object, "getItem", &[JsValue::from_str(&self.key)]),
        };
        match result {
            Ok(value) => value.is_string().then_some(value),
            Err(reason) => {
                self.degrade(reason);
                self.mirror.borrow().clone()
            }
        }
    }

    /// Stores `text`, a JS string.
    pub fn write(&self, text: &JsValue) {
        let result = match &*self.backend.borrow() {
            Backend::Memory => {
                MEMORY.with(|m| m.borrow_mut().insert(self.key.clone(), text.clone()));
                return;
            }
            Backend::Mirror => Ok(JsValue::UNDEFINED),
            Backend::Js { object, .. } => call(object, "setItem", &[JsValue::from_str(&self.key), text.clone()]),
        };
        *self.mirror.borrow_mut() = Some(text.clone());
        if let Err(reason) = result {
            self.degrade(reason);
        }
    }

    /// Removes the record.
    pub fn remove(&self) {
        *self.mirror.borrow_mut() = None;
        let result = match &*self.backend.borrow() {
            Backend::Memory => {
                MEMORY.with(|m| m.borrow_mut().remove(&self.key));
                return;
            }
            Backend::Mirror => return,
            Backend::Js { object, .. } => call(object, "removeItem", &[JsValue::from_str(&self.key)]),
        };
        if let Err(reason) = result {
            self.degrade(reason);
        }
    }

    fn degrade(&self, reason: String) {
        *self.backend.borrow_mut() = Backend::Mirror;
        *self.degraded.borrow_mut() = Some(reason);
    }
}

/// Calls `object[method](...args)`, turning a missing method or a throw into `Err`.
fn call(object: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let function = Reflect::get(object, &JsValue::from_str(method))
        .map_err(|e| js_message(&e))?
        .dyn_into::<Function>()
        .map_err(|_| format!("storage has no {method}() method"))?;
    let result = match args {
        [a] => function.call1(object, a),
        [a, b] => function.call2(object, a, b),
        _ => function.call0(object),
    };
    result.map_err(|e| format!("storage {method}() threw: {}", js_message(&e)))
}

/// The global `localStorage`, if reading it does not throw and a probe write works.
fn usable_local_storage() -> Result<JsValue, String> {
    // Probed once per module: a probe writes twice, and every write wakes the
    // `storage` listeners of the origin's other tabs. A storage that fails later
    // degrades the store that met the failure (see `Store::degrade`).
    LOCAL_STORAGE.with(|memo| memo.get_or_init(probe_local_storage).clone())
}

fn probe_local_storage() -> Result<JsValue, String> {
    let storage = Reflect::get(&js_sys::global(), &JsValue::from_str("localStorage"))
        .map_err(|e| format!("localStorage is not accessible: {}", js_message(&e)))?;
    if storage.is_undefined() || storage.is_null() {
        return Err("no localStorage in this environment".into());
    }
    let probe = JsValue::from_str("resources-client:probe");
    call(&storage, "setItem", &[probe.clone(), JsValue::from_str("1")])?;
    call(&storage, "removeItem", &[probe])?;
    Ok(storage)
}

/// A `storage` event listener (other documents' writes to `localStorage`),
/// removed when dropped.
pub struct OtherTabs {
    target: EventTarget,
    handler: Closure<dyn Fn(StorageEvent)>,
}

impl OtherTabs {
    /// Calls `changed(new_text)` whenever another document writes `key` in the
    /// global `localStorage`. `None` where there is no event target.
    pub fn listen(key: String, changed: impl Fn(Option<String>) + 'static) -> Option<OtherTabs> {
        let global = js_sys::global();
        let add = Reflect::get(&global, &JsValue::from_str("addEventListener")).ok()?;
        if !add.is_function() {
            return None;
        }
        let handler = Closure::<dyn Fn(StorageEvent)>::new(move |event: StorageEvent| {
            if event.key().as_deref() == Some(key.as_str()) {
                changed(event.new_value());
            }
        });
        let target: EventTarget = global.unchecked_into();
        target.add_event_listener_with_callback("storage", handler.as_ref().unchecked_ref()).ok()?;
        Some(OtherTabs { target, handler })
    }
}

impl Drop for OtherTabs {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback("storage", self.handler.as_ref().unchecked_ref());
    }
}
