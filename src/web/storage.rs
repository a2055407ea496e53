//! Where a record lives: `localStorage`, a caller's store (synchronous like
//! `localStorage`, or asynchronous: methods that return promises, as
//! IndexedDB, a file or Workers KV need), or the module's memory.
//!
//! A [`Store`] belongs to one entry of the registry (one record). A synchronous
//! store is read on every access, since other writers (tabs) change it. An
//! asynchronous one is read once (the entry's hydration) and then held here:
//! reads are answered from the held text, writes update it at once and go on
//! to the store behind. Any storage call that throws or rejects (disabled
//! storage, private mode, quota) moves the store to its held copy for the rest
//! of its life with a reason the client reports; it never fails a call.
//!
//! The `"memory"` store outlives the clients of a record, so successive
//! one-shot `fetchResources()` calls in one process remember the last hash;
//! it keeps the [`MEMORY_RECORDS`] most recently written records.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::StorageEvent;

use super::identity::{is_salt, random_hex};
use super::js_message;

/// How many records the module's memory store keeps (the most recently
/// written; a record with a live client is also held by its entry).
pub const MEMORY_RECORDS: usize = 16;

thread_local! {
    /// The shared memory store, oldest write first: JS strings, never copied into wasm memory.
    static MEMORY: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
    /// The global `localStorage`, or why it cannot be had, looked up once.
    static LOCAL_STORAGE: OnceCell<Result<JsValue, String>> = const { OnceCell::new() };
    /// Where a record goes that `localStorage` refuses (the package's IndexedDB
    /// store, registered by its JavaScript where the platform has IndexedDB).
    static OVERFLOW: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// What `localStorage` holds in place of a record it refused: the record is in
/// the overflow store under the same key. Not a record, so older readers ignore it.
pub const MOVED_TO_INDEXEDDB: &str = r#"{"v":2,"in":"indexeddb"}"#;

/// Registers the store that takes the records `localStorage` refuses.
pub fn register_overflow(store: JsValue) {
    OVERFLOW.with(|o| *o.borrow_mut() = Some(store));
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
    /// An object with `getItem`, `setItem` and `removeItem`, synchronous or returning promises.
    Custom(JsValue),
}

enum Backend {
    /// A JS store; `is_local` when it is the global `localStorage`, `is_async`
    /// once a call of it returned a promise.
    Js { object: JsValue, is_local: bool, is_async: bool },
    /// The module's shared memory.
    Memory,
    /// A JS store that failed: the held copy from then on.
    Held,
}

/// A value read from a store: there now, or a promise of it (an asynchronous store).
pub enum Read {
    /// The value (`None`: nothing stored, or the store failed).
    Now(Option<JsValue>),
    /// The store answered with a promise.
    Later(Promise),
}

/// One record's storage slot.
pub struct Store {
    key: OnceCell<String>,
    backend: RefCell<Backend>,
    /// The text as this store last read or wrote it, where it is not read
    /// from the store each time (memory, asynchronous, failed stores).
    held: RefCell<Option<JsValue>>,
    degraded: RefCell<Option<String>>,
    /// `localStorage`, when it refused the record and the record moved to the overflow store.
    moved_from: RefCell<Option<JsValue>>,
}

impl Store {
    /// A store in the chosen storage, and why it is memory when `"local"` was
    /// asked for and `localStorage` is unusable.
    pub fn open(choice: StorageChoice) -> (Store, Option<String>) {
        let mut note = None;
        let backend = match choice {
            StorageChoice::Memory => Backend::Memory,
            StorageChoice::Custom(object) => Backend::Js { object, is_local: false, is_async: false },
            StorageChoice::Auto | StorageChoice::Local => match usable_local_storage() {
                Ok(object) => Backend::Js { object, is_local: true, is_async: false },
                Err(reason) => {
                    if matches!(choice, StorageChoice::Local) {
                        note = Some(reason);
                    }
                    Backend::Memory
                }
            },
        };
        let store = Store {
            key: OnceCell::new(),
            backend: RefCell::new(backend),
            held: RefCell::new(None),
            degraded: RefCell::new(None),
            moved_from: RefCell::new(None),
        };
        (store, note)
    }

    /// What tells this storage apart from others: the JS store object, or
    /// `None` for the module's memory.
    pub fn identity(&self) -> Option<JsValue> {
        match &*self.backend.borrow() {
            Backend::Js { object, .. } => Some(object.clone()),
            Backend::Memory | Backend::Held => None,
        }
    }

    /// Whether this is the module's memory (which keeps no salt).
    pub fn is_memory(&self) -> bool {
        matches!(&*self.backend.borrow(), Backend::Memory)
    }

    /// Sets the storage key, once (it needs the salt, which an asynchronous store gives later).
    pub fn set_key(&self, key: String) {
        let _ = self.key.set(key);
    }

    /// The storage key; empty until it is known.
    pub fn key(&self) -> &str {
        self.key.get().map_or("", String::as_str)
    }

    /// Whether records live in the global `localStorage` (so other tabs see them).
    pub fn is_local_storage(&self) -> bool {
        matches!(&*self.backend.borrow(), Backend::Js { is_local: true, .. })
    }

    /// Why the store fell back to its held copy, if it did.
    pub fn degraded_reason(&self) -> Option<String> {
        self.degraded.borrow().clone()
    }

    /// Whether `localStorage` refused the record and it lives in IndexedDB.
    pub fn moved_to_indexeddb(&self) -> bool {
        self.moved_from.borrow().is_some()
    }

    /// Reads `name` for the first time: the value now, or a promise (an
    /// asynchronous store, held from then on: see [`Store::hydrate`]).
    pub fn first_read(&self, name: &str) -> Read {
        let object = match &*self.backend.borrow() {
            Backend::Memory => {
                let text = memory_get(name);
                *self.held.borrow_mut() = text.clone();
                return Read::Now(text);
            }
            Backend::Held => return Read::Now(None),
            Backend::Js { object, .. } => object.clone(),
        };
        match call(&object, "getItem", &[JsValue::from_str(name)]) {
            Ok(value) => match as_promise(&value) {
                Some(promise) => {
                    if let Backend::Js { is_async, .. } = &mut *self.backend.borrow_mut() {
                        *is_async = true;
                    }
                    Read::Later(promise)
                }
                None if is_text(&value, MOVED_TO_INDEXEDDB) => self.follow_move(&object, name),
                None => Read::Now(value.is_string().then_some(value)),
            },
            Err(reason) => {
                self.degrade(reason);
                Read::Now(None)
            }
        }
    }

    /// `localStorage` says the record moved to the overflow store: read it there, from now on.
    fn follow_move(&self, local: &JsValue, name: &str) -> Read {
        let Some(overflow) = OVERFLOW.with(|o| o.borrow().clone()) else { return Read::Now(None) };
        *self.moved_from.borrow_mut() = Some(local.clone());
        *self.backend.borrow_mut() = Backend::Js { object: overflow.clone(), is_local: false, is_async: true };
        match call(&overflow, "getItem", &[JsValue::from_str(name)]) {
            Ok(value) => match as_promise(&value) {
                Some(promise) => Read::Later(promise),
                None => Read::Now(value.is_string().then_some(value)),
            },
            Err(reason) => {
                self.degrade(reason);
                Read::Now(None)
            }
        }
    }

    /// The value of a first read, awaited.
    pub async fn settle(&self, read: Read) -> Option<JsValue> {
        match read {
            Read::Now(value) => value,
            Read::Later(promise) => match JsFuture::from(promise).await {
                Ok(value) => value.is_string().then_some(value),
                Err(e) => {
                    self.degrade(format!("storage getItem() rejected: {}", js_message(&e)));
                    None
                }
            },
        }
    }

    /// Holds the record's text as the hydration of an asynchronous store read it.
    pub fn hydrate(&self, text: Option<JsValue>) {
        *self.held.borrow_mut() = text;
    }

    /// Whether reads are answered from the held copy (memory, asynchronous and failed stores).
    fn reads_held(&self) -> bool {
        match &*self.backend.borrow() {
            Backend::Js { is_async, .. } => *is_async,
            Backend::Memory | Backend::Held => true,
        }
    }

    /// The random salt of this storage, kept at `name` beside its records:
    /// read, or made and stored the first time. Empty (no salt) for the
    /// module's memory, whose records no one can read offline and which
    /// realms of one origin (a page and its workers, Node threads) must agree
    /// on to hear each other's records, and for a storage that cannot keep a
    /// salt. `Err` with the pending read when the store is asynchronous
    /// ([`Store::salt_later`] finishes it).
    pub fn salt(&self, name: &str) -> Result<String, Promise> {
        if self.is_memory() {
            return Ok(String::new());
        }
        let stored = match self.first_read(name) {
            Read::Later(promise) => return Err(promise),
            Read::Now(stored) => stored,
        };
        if let Some(salt) = stored.and_then(|s| short_text(&s, SALT_LEN)).filter(|s| is_salt(s)) {
            return Ok(salt);
        }
        let Some(object) = self.identity() else { return Ok(String::new()) };
        // Kept only if the storage gives it back (a stub that stores nothing,
        // or returns one text for every key, cannot keep a salt).
        let fresh = random_hex(16);
        let name = JsValue::from_str(name);
        let kept = call(&object, "setItem", &[name.clone(), JsValue::from_str(&fresh)]).is_ok()
            && call(&object, "getItem", &[name]).is_ok_and(|v| is_text(&v, &fresh));
        Ok(if kept { fresh } else { String::new() })
    }

    /// [`Store::salt`] of an asynchronous store, from its pending read.
    pub async fn salt_later(&self, name: &str, pending: Promise) -> String {
        if let Some(salt) =
            self.settle(Read::Later(pending)).await.and_then(|s| short_text(&s, SALT_LEN)).filter(|s| is_salt(s))
        {
            return salt;
        }
        let Some(object) = self.identity() else { return String::new() };
        let fresh = random_hex(16);
        let name = JsValue::from_str(name);
        let Ok(written) = call(&object, "setItem", &[name.clone(), JsValue::from_str(&fresh)]) else {
            return String::new();
        };
        if settled(written).await.is_err() {
            return String::new();
        }
        let Ok(read) = call(&object, "getItem", &[name]) else { return String::new() };
        let kept = settled(read).await.is_ok_and(|v| is_text(&v, &fresh));
        if kept {
            fresh
        } else {
            String::new()
        }
    }

    /// The stored text as a JS string, without copying it into wasm memory
    /// (`cached()` hands it to `JSON.parse`).
    pub fn read_js(&self) -> Option<JsValue> {
        if self.reads_held() {
            return self.held.borrow().clone();
        }
        let result = match &*self.backend.borrow() {
            Backend::Js { object, .. } => call(object, "getItem", &[JsValue::from_str(self.key())]),
            Backend::Memory | Backend::Held => return None,
        };
        match result {
            Ok(value) => value.is_string().then_some(value),
            Err(reason) => {
                self.degrade(reason);
                self.held.borrow().clone()
            }
        }
    }

    /// The store of the notes kept beside a record (see [`crate::client`]'s
    /// refresh lock): the stores the tabs of an origin share, `localStorage`
    /// and the package's IndexedDB store. Not the caller's own stores, whose
    /// keys are theirs.
    fn note_store(&self) -> Option<JsValue> {
        match &*self.backend.borrow() {
            Backend::Js { object, is_local: true, .. } => Some(object.clone()),
            Backend::Js { object, is_async: true, .. } if OVERFLOW.with(|o| o.borrow().as_ref() == Some(object)) => {
                Some(object.clone())
            }
            _ => None,
        }
    }

    /// The note kept beside the record at `<key>:checked`; `None` where none is kept.
    pub async fn read_note(&self) -> Option<String> {
        let store = self.note_store()?;
        let value = call(&store, "getItem", &[JsValue::from_str(&note_key(self.key()))]).ok()?;
        settled(value).await.ok()?.as_string()
    }

    /// Writes the note beside the record (a failure only loses the note).
    pub fn write_note(&self, value: &str) {
        let Some(store) = self.note_store() else { return };
        let written = call(&store, "setItem", &[JsValue::from_str(&note_key(self.key())), JsValue::from_str(value)]);
        if let Some(promise) = written.ok().as_ref().and_then(as_promise) {
            // Settled here, so that a failure is no unhandled rejection.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = JsFuture::from(promise).await;
            });
        }
    }

    /// Reads an asynchronous store's record again (another realm may have
    /// written it meanwhile); nothing for other stores, which are read each time.
    pub async fn reread(&self) {
        let object = match &*self.backend.borrow() {
            Backend::Js { object, is_async: true, .. } => object.clone(),
            _ => return,
        };
        let Ok(value) = call(&object, "getItem", &[JsValue::from_str(self.key())]) else { return };
        if let Ok(value) = settled(value).await {
            *self.held.borrow_mut() = value.is_string().then_some(value);
        }
    }

    /// Stores `text`, a JS string.
    pub fn write(self: &Rc<Self>, text: &JsValue) {
        *self.held.borrow_mut() = Some(text.clone());
        let object = match &*self.backend.borrow() {
            Backend::Memory => {
                memory_put(self.key(), Some(text));
                return;
            }
            Backend::Held => return,
            Backend::Js { object, .. } => object.clone(),
        };
        let result = call(&object, "setItem", &[JsValue::from_str(self.key()), text.clone()]);
        if result.is_err() && self.is_local_storage() && self.overflow(&object, text) {
            return;
        }
        self.settle_call(result, "setItem");
    }

    /// Moves a record `localStorage` refused (its quota: a 50,000-model catalog
    /// is about 9 MB) to the overflow store, and leaves [`MOVED_TO_INDEXEDDB`]
    /// in its place so that the next page load looks there. False where there
    /// is no overflow store, or the note does not fit either.
    fn overflow(self: &Rc<Self>, local: &JsValue, text: &JsValue) -> bool {
        let Some(overflow) = OVERFLOW.with(|o| o.borrow().clone()) else { return false };
        let key = JsValue::from_str(self.key());
        if call(local, "setItem", &[key.clone(), JsValue::from_str(MOVED_TO_INDEXEDDB)]).is_err() {
            return false;
        }
        *self.moved_from.borrow_mut() = Some(local.clone());
        *self.backend.borrow_mut() = Backend::Js { object: overflow.clone(), is_local: false, is_async: true };
        self.settle_call(call(&overflow, "setItem", &[key, text.clone()]), "setItem");
        true
    }

    /// Removes the record.
    pub fn remove(self: &Rc<Self>) {
        *self.held.borrow_mut() = None;
        let object = match &*self.backend.borrow() {
            Backend::Memory => {
                memory_put(self.key(), None);
                return;
            }
            Backend::Held => return,
            Backend::Js { object, .. } => object.clone(),
        };
        self.settle_call(call(&object, "removeItem", &[JsValue::from_str(self.key())]), "removeItem");
        if let Some(local) = self.moved_from.borrow().as_ref() {
            let _ = call(local, "removeItem", &[JsValue::from_str(self.key())]);
        }
    }

    /// A write's outcome: a throw degrades the store now, a rejected promise when it rejects.
    fn settle_call(self: &Rc<Self>, result: Result<JsValue, String>, method: &'static str) {
        let promise = match result {
            Err(reason) => return self.degrade(reason),
            Ok(value) => match as_promise(&value) {
                Some(promise) => promise,
                None => return,
            },
        };
        // Weak: a write still pending must not keep a released record alive.
        let store = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = JsFuture::from(promise).await {
                if let Some(store) = store.upgrade() {
                    store.degrade(format!("storage {method}() rejected: {}", js_message(&e)));
                }
            }
        });
    }

    fn degrade(&self, reason: String) {
        *self.backend.borrow_mut() = Backend::Held;
        *self.degraded.borrow_mut() = Some(reason);
    }
}

/// The length of a salt (see [`is_salt`]).
const SALT_LEN: u32 = 32;

/// Whether `value` is the JS string `text`, decided without copying a long
/// string into wasm memory (a store may answer with a megabyte record where a
/// short value is expected).
/// `text` is ASCII here, so its byte length is its length in UTF-16 units.
fn is_text(value: &JsValue, text: &str) -> bool {
    short_text(value, text.len() as u32).as_deref() == Some(text)
}

/// `value` as a Rust string when it is a JS string of `len` UTF-16 units, else `None` (no copy).
fn short_text(value: &JsValue, len: u32) -> Option<String> {
    let text = value.dyn_ref::<js_sys::JsString>()?;
    (text.length() == len).then(|| text.into())
}

/// Where a store keeps the note beside a record.
fn note_key(key: &str) -> String {
    format!("{key}:checked")
}

/// `value` as a promise, when it is a thenable (an asynchronous store's answer).
fn as_promise(value: &JsValue) -> Option<Promise> {
    if !value.is_object() {
        return None;
    }
    let then = Reflect::get(value, &JsValue::from_str("then")).ok()?;
    then.is_function().then(|| Promise::resolve(value))
}

/// A store call's answer, awaited when it is a promise.
async fn settled(value: JsValue) -> Result<JsValue, JsValue> {
    match as_promise(&value) {
        Some(promise) => JsFuture::from(promise).await,
        None => Ok(value),
    }
}

/// A record of the memory store.
fn memory_get(key: &str) -> Option<JsValue> {
    MEMORY.with(|m| m.borrow().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
}

/// Writes (`Some`) or removes (`None`) a record of the memory store: the
/// newest write goes last, and the oldest beyond [`MEMORY_RECORDS`] is dropped.
fn memory_put(key: &str, text: Option<&JsValue>) {
    MEMORY.with(|m| {
        let mut records = m.borrow_mut();
        records.retain(|(k, _)| k != key);
        if let Some(text) = text {
            records.push((key.to_owned(), text.clone()));
            if records.len() > MEMORY_RECORDS {
                records.remove(0);
            }
        }
    });
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

/// The global `localStorage`, if reading it does not throw.
fn usable_local_storage() -> Result<JsValue, String> {
    // Looked up once per module, and not probed with a write: a probe costs
    // a write and a removal on every cold start (about a millisecond in a cold
    // Chromium page, before the first request), wakes the `storage` listeners
    // of the origin's other tabs twice, and would turn away a full
    // `localStorage` whose record can still be read. A write that fails is
    // met where it happens: the record moves to the overflow store, or the
    // store falls back to its held copy with a warning (see `Store::degrade`).
    // Where storage is blocked (cookies off) reading the global throws.
    LOCAL_STORAGE.with(|memo| memo.get_or_init(find_local_storage).clone())
}

fn find_local_storage() -> Result<JsValue, String> {
    let storage = Reflect::get(&js_sys::global(), &JsValue::from_str("localStorage"))
        .map_err(|e| format!("localStorage is not accessible: {}", js_message(&e)))?;
    if storage.is_undefined() || storage.is_null() {
        return Err("no localStorage in this environment".into());
    }
    Ok(storage)
}

#[wasm_bindgen]
extern "C" {
    /// The global `addEventListener` (of `window`), called by name in the
    /// glue: the package's start sees every listener an instance adds, and
    /// removes them if the instance traps. Throws where there is none.
    #[wasm_bindgen(catch, js_name = addEventListener)]
    fn add_global_listener(kind: &str, handler: &Function) -> Result<(), JsValue>;

    /// The global `removeEventListener`.
    #[wasm_bindgen(catch, js_name = removeEventListener)]
    fn remove_global_listener(kind: &str, handler: &Function) -> Result<(), JsValue>;
}

/// A `storage` event listener (other documents' writes to `localStorage`),
/// removed when dropped.
pub struct OtherTabs {
    handler: Closure<dyn Fn(StorageEvent)>,
}

impl OtherTabs {
    /// Calls `changed(new_text)` whenever another document writes `key` in the
    /// global `localStorage` (the text stays a JS string). `None` where there
    /// is no event target.
    pub fn listen(key: String, changed: impl Fn(Option<JsValue>) + 'static) -> Option<OtherTabs> {
        let handler = Closure::<dyn Fn(StorageEvent)>::new(move |event: StorageEvent| {
            if event.key().as_deref() == Some(key.as_str()) {
                let text = Reflect::get(&event, &JsValue::from_str("newValue")).ok().filter(JsValue::is_string);
                changed(text);
            }
        });
        add_global_listener("storage", handler.as_ref().unchecked_ref()).ok()?;
        Some(OtherTabs { handler })
    }
}

impl Drop for OtherTabs {
    fn drop(&mut self) {
        let _ = remove_global_listener("storage", self.handler.as_ref().unchecked_ref());
    }
}
