//! The client: cache policy, single-flight requests, retries, stale-if-error and
//! invalidation, over the platform layer in [`crate::web`]. The JS class
//! `ResourcesClient` is a thin wrapper around [`Client`]; Rust code compiled to
//! wasm can use [`Client`] directly and gets typed results.
//!
//! Every path from bytes to a catalog goes through the one schema walk
//! ([`crate::domain::schema`]): a response body once when it arrives, a stored
//! record once per distinct text. The data itself stays JSON text (a JS
//! string) until a caller asks for it: JavaScript callers get it from the
//! engine's `JSON.parse`, Rust callers through `serde-wasm-bindgen`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::pin::pin;
use std::rc::{Rc, Weak};

use futures_util::future::{select, Either, FutureExt, LocalBoxFuture, Shared};
use js_sys::{Function, JsString};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

use crate::domain::error::Error;
use crate::domain::headers::{asks_for_update, cli_agent_value, request_headers, ACTION_REQUIRE, CLI_AGENT};
use crate::domain::options::{Config, Options};
use crate::domain::parse::{check_body, parse_failure, Checked};
use crate::domain::record::{self, StoredRecord};
use crate::domain::redact::{self, Redactor};
use crate::domain::result::{ResourcesResult, Source};
use crate::domain::retry::{delay_ms, should_retry};
use crate::domain::schema::json_text;
use crate::domain::url::resources_url;
use crate::web::channel;
use crate::web::fetch::{Attempt, Reply};
use crate::web::identity;
use crate::web::lock;
use crate::web::now_ms;
use crate::web::signal::aborted;
use crate::web::storage::{OtherTabs, StorageChoice, Store};
use crate::web::text::{decode_utf8, json_parse, utf8_of};
use crate::web::timer::sleep;

/// Per-call options of [`Client::fetch_resources`].
#[derive(Clone, Default)]
pub struct FetchOptions {
    /// Go to the network even when the stored catalog is fresh.
    pub refresh: bool,
    /// Cancels this call only; a request shared with other callers goes on.
    pub signal: Option<AbortSignal>,
}

/// The validated response body, a JS string: the catalog lies in it at
/// `data.resources`, and stays text until a caller asks for it.
#[derive(Clone, Debug)]
pub struct BodyText(pub JsString);

/// A result as the client holds it: the one result shape, with the catalog
/// still in its body's text.
pub type Snapshot = ResourcesResult<BodyText>;

impl ResourcesResult<BodyText> {
    /// `data.resources` of the body, made by `JSON.parse`: fresh objects, keys in the body's order.
    pub fn resources_js(&self) -> JsValue {
        json_parse(&self.resources.0)
            .and_then(|root| js_sys::Reflect::get(&root, &"data".into()))
            .and_then(|data| js_sys::Reflect::get(&data, &"resources".into()))
            .unwrap_or(JsValue::NULL)
    }

    /// The typed result, for Rust callers.
    pub fn to_result(&self) -> Result<ResourcesResult, Error> {
        let resources = serde_wasm_bindgen::from_value(self.resources_js())
            .map_err(|e| Error::invalid(200, "data.resources", e.to_string()))?;
        Ok(ResourcesResult {
            hash: self.hash.clone(),
            resources,
            source: self.source,
            changed: self.changed,
            previous_hash: self.previous_hash.clone(),
            fetched_at: self.fetched_at,
            stale: self.stale,
            warnings: self.warnings.clone(),
        })
    }
}

/// A listener of [`Client::on_change`].
pub type Listener = Rc<dyn Fn(&ResourcesResult)>;

/// A listener of the JS layer, given the snapshot itself.
pub(crate) type SnapshotListener = Rc<dyn Fn(&Snapshot)>;

/// A listener of [`Client::on_error`]: failures of background refreshes.
pub type ErrorListener = Rc<dyn Fn(&Error)>;

/// What one HTTP attempt of a catalog request came to (see [`Client::set_on_attempt`]).
/// It never holds the API key: that travels in a header, and `baseUrl` may not carry credentials.
#[derive(Debug)]
pub struct AttemptEvent<'a> {
    /// 1 for the first attempt of a request, 2 for the first retry, and so on.
    pub attempt: u32,
    /// The URL requested.
    pub url: &'a str,
    /// HTTP status of the response; 0 when none came (network error, timeout, abort).
    pub status: u16,
    /// Why the attempt failed, if it did.
    pub error: Option<&'a Error>,
    /// When another attempt follows: the wait before it, in milliseconds.
    pub retry_in_ms: Option<u64>,
}

/// A hook of [`Client::set_on_attempt`].
pub type AttemptHook = Rc<dyn Fn(&AttemptEvent)>;

type FlightOutput = Result<Rc<Snapshot>, Error>;

/// The one network refresh under way, shared by every caller.
struct Flight {
    id: u64,
    future: Shared<LocalBoxFuture<'static, FlightOutput>>,
    controller: AbortController,
    /// Callers still waiting; when the last one gives up the request is cancelled.
    waiters: Cell<usize>,
    /// Started by `observe`: runs to the end even with no caller waiting.
    background: Cell<bool>,
    /// The clients whose `observe` joined it: their error listeners hear a failure.
    observers: RefCell<Vec<Weak<Inner>>>,
}

/// A stored text and what the walk found in it.
type Validated = (JsValue, Rc<StoredRecord>);

thread_local! {
    /// Stored texts already walked, by storage key, shared by every client of
    /// the module: a new client of a record this process has read or written
    /// does not walk it again. Recognised by `===` on the JS string.
    static VALIDATED: RefCell<HashMap<String, Validated>> = RefCell::new(HashMap::new());

    /// Every live client of this module instance, by storage key: a client
    /// that stores a record tells the others of the same record at once (the
    /// `storage` event reaches only other documents, and nothing reaches other
    /// clients in one Node process).
    static PEERS: RefCell<HashMap<String, Vec<Weak<Inner>>>> = RefCell::new(HashMap::new());

    /// Flight ids, unique in the module: a flight may be shared by the
    /// clients of one record, each holding it in its own slot.
    static NEXT_FLIGHT: Cell<u64> = const { Cell::new(0) };

    /// Every live client by a number of its own, so that JS can name one
    /// without holding it or a Rust closure (see [`Client::handle`]).
    static HANDLES: RefCell<HashMap<u32, Weak<Inner>>> = RefCell::new(HashMap::new());
    static NEXT_HANDLE: Cell<u32> = const { Cell::new(0) };
}

/// The name of the Web Lock that lets one tab at a time refresh a record.
fn lock_name(key: &str) -> String {
    format!("resources-client:refresh:{key}")
}

/// The live clients of a storage key (dead handles are dropped on the way).
fn peers_of(key: &str) -> Vec<Rc<Inner>> {
    PEERS.with(|p| {
        let mut map = p.borrow_mut();
        let Some(list) = map.get_mut(key) else { return Vec::new() };
        list.retain(|w| w.strong_count() > 0);
        let live: Vec<Rc<Inner>> = list.iter().filter_map(Weak::upgrade).collect();
        if list.is_empty() {
            map.remove(key);
        }
        live
    })
}

/// A record another realm stored (a `BroadcastChannel` message).
fn from_other_realm(key: String, text: JsValue) {
    for peer in peers_of(&key) {
        peer.adopt(&text);
    }
}

struct Inner {
    config: Config,
    /// Whose catalog this client may read: see [`record::scope`].
    scope: String,
    /// Every credential of this client, redacted from each error, warning and
    /// event before anyone sees it (see [`crate::domain::redact`]).
    redactor: Rc<Redactor>,
    fetch: Option<Function>,
    store: Store,
    flight: RefCell<Option<Rc<Flight>>>,
    /// The last hash listeners were told about (or found at start).
    known_hash: RefCell<Option<String>>,
    listeners: RefCell<Vec<(u32, SnapshotListener)>>,
    error_listeners: RefCell<Vec<(u32, ErrorListener)>>,
    /// Told of each attempt of the requests that serve this client.
    on_attempt: RefCell<Option<AttemptHook>>,
    next_listener: Cell<u32>,
    /// An `action-require` asked for a refresh that has not succeeded yet; kept
    /// here too because before the first catalog there is no record to mark.
    refresh_asked: Cell<bool>,
    /// The `storage` event listener of other tabs' writes, removed on drop.
    other_tabs: RefCell<Option<OtherTabs>>,
    /// This client's number in [`HANDLES`].
    handle: u32,
}

impl Drop for Inner {
    /// Forgets this client in the module's maps: a process that makes and
    /// drops clients of many records must not keep an entry per record.
    fn drop(&mut self) {
        HANDLES.with(|h| h.borrow_mut().remove(&self.handle));
        let key = self.store.key();
        let gone = PEERS.with(|p| {
            let mut map = p.borrow_mut();
            let Some(list) = map.get_mut(key) else { return true };
            list.retain(|w| w.strong_count() > 0);
            let empty = list.is_empty();
            if empty {
                map.remove(key);
            }
            empty
        });
        // The last client of a record takes its memo along (the text stays in its storage).
        if gone {
            VALIDATED.with(|v| v.borrow_mut().remove(key));
        }
    }
}

/// A catalog client bound to one API base and one storage slot.
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

impl Client {
    /// Creates a client. `fetch` replaces the global `fetch` when given.
    pub fn new(options: Options, storage: StorageChoice, fetch: Option<Function>) -> Result<Client, Error> {
        let config = options.validate()?;
        let parts = config.scope_parts(fetch.as_ref().map(identity::fetch_identity).as_deref());
        let mut store = Store::new(storage, String::new());
        // The salt is read (or made) only when there is something to hide.
        let salt = if parts.is_empty() { String::new() } else { store.salt(&record::salt_key(&config.storage_key)) };
        let scope = record::scope(&parts, &salt);
        store.set_key(record::storage_key(&config.storage_key, &scope, &config.base_url));
        let redactor = Rc::new(config.redactor());
        let inner = Rc::new(Inner {
            config,
            scope,
            redactor,
            fetch,
            store,
            flight: RefCell::new(None),
            known_hash: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            error_listeners: RefCell::new(Vec::new()),
            on_attempt: RefCell::new(None),
            next_listener: Cell::new(0),
            refresh_asked: Cell::new(false),
            other_tabs: RefCell::new(None),
            handle: NEXT_HANDLE.with(|n| {
                n.set(n.get().wrapping_add(1));
                n.get()
            }),
        });
        let start_hash = inner.record().map(|(_, r)| r.hash.clone());
        *inner.known_hash.borrow_mut() = start_hash;
        if inner.store.is_local_storage() {
            // A weak handle: the listener must not keep a dropped client alive.
            let weak = Rc::downgrade(&inner);
            let listener = OtherTabs::listen(inner.store.key().to_owned(), move |text| {
                if let Some(inner) = weak.upgrade() {
                    Client { inner }.storage_changed(text);
                }
            });
            *inner.other_tabs.borrow_mut() = listener;
        }
        PEERS.with(|p| p.borrow_mut().entry(inner.store.key().to_owned()).or_default().push(Rc::downgrade(&inner)));
        HANDLES.with(|h| h.borrow_mut().insert(inner.handle, Rc::downgrade(&inner)));
        channel::open(from_other_realm);
        Ok(Client { inner })
    }

    /// This client's number: [`Client::from_handle`] finds it while it lives.
    pub fn handle(&self) -> u32 {
        self.inner.handle
    }

    /// The live client of a [`Client::handle`], if it still exists.
    pub fn from_handle(handle: u32) -> Option<Client> {
        HANDLES.with(|h| h.borrow().get(&handle).and_then(Weak::upgrade)).map(|inner| Client { inner })
    }

    /// A handle that does not keep the client alive.
    pub fn downgrade(&self) -> WeakClient {
        WeakClient(Rc::downgrade(&self.inner))
    }

    /// The validated configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The storage key of this client's record.
    pub fn storage_key(&self) -> &str {
        self.inner.store.key()
    }

    /// Whether the record lives in the global `localStorage`.
    pub fn uses_local_storage(&self) -> bool {
        self.inner.store.is_local_storage()
    }

    /// Fetches the catalog, or serves the stored one when it is fresh (`maxAgeMs`).
    pub async fn fetch_resources(&self, options: FetchOptions) -> Result<ResourcesResult, Error> {
        let redactor = self.inner.redactor.clone();
        self.fetch_snapshot(options).await?.to_result().map_err(|e| redactor.error(e))
    }

    /// [`Client::fetch_resources`], with the data left as validated text.
    pub async fn fetch_snapshot(&self, options: FetchOptions) -> Result<Snapshot, Error> {
        if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Error::Aborted);
        }
        let max_age = self.inner.config.max_age_ms;
        if !options.refresh && max_age > 0 {
            if let Some((text, rec)) = self.inner.record() {
                if record::is_fresh(&rec, now_ms(), max_age) {
                    return Ok(self.with_storage_note(cache_snapshot(&text, &rec, false, None)));
                }
            }
        }
        let flight = Inner::join_flight(&self.inner, false);
        flight.waiters.set(flight.waiters.get() + 1);
        let _waiting = Waiting { inner: Rc::downgrade(&self.inner), flight: flight.clone() };
        let shared = flight.future.clone();
        let output = match &options.signal {
            None => shared.await,
            Some(signal) => match select(shared, pin!(aborted(signal))).await {
                Either::Left((output, _)) => output,
                Either::Right(_) => Err(Error::Aborted),
            },
        };
        output.map(|r| self.with_storage_note((*r).clone()))
    }

    /// Adds a warning when storage fell back to memory, so the app can tell
    /// why the catalog will not survive a reload.
    fn with_storage_note(&self, mut snapshot: Snapshot) -> Snapshot {
        if let Some(reason) = self.inner.store.degraded_reason() {
            // A storage's exception is the caller's text: it may hold anything.
            let reason = self.inner.redactor.redact(&reason).into_owned();
            snapshot.warnings.push(format!("storage unavailable, kept in memory: {reason}"));
        }
        snapshot
    }

    /// The stored catalog, validated, without any request. `stale` is set when
    /// an `action-require` asked for a refresh or the record is older than `maxAgeMs`.
    pub fn cached(&self) -> Option<ResourcesResult> {
        self.cached_snapshot().and_then(|s| s.to_result().ok())
    }

    /// [`Client::cached`], with the data left as validated text.
    pub fn cached_snapshot(&self) -> Option<Snapshot> {
        let (text, rec) = self.inner.record()?;
        let max_age = self.inner.config.max_age_ms;
        let due = rec.stale || (max_age > 0 && !record::is_fresh(&rec, now_ms(), max_age));
        Some(cache_snapshot(&text, &rec, due, None))
    }

    /// The stored hash.
    pub fn hash(&self) -> Option<String> {
        self.inner.record().map(|(_, r)| r.hash.clone())
    }

    /// Whether an `action-require` was seen and not yet acted on.
    pub fn is_stale(&self) -> bool {
        self.inner.refresh_asked.get() || self.inner.record().is_some_and(|(_, r)| r.stale)
    }

    /// `cli-agent: resources_hash=<hash>` once a hash is known; empty before.
    pub fn agent_headers(&self) -> Vec<(String, String)> {
        self.hash().map(|h| vec![(CLI_AGENT.to_owned(), cli_agent_value(&h))]).unwrap_or_default()
    }

    /// Reads `action-require` of a 2xx API response. When it asks for
    /// `update-resources`, marks the record stale and starts one background
    /// refresh (or joins the one under way). Returns whether it asked.
    pub fn observe(&self, status: u16, action_require: Option<&str>) -> bool {
        if !(200..300).contains(&status) || !action_require.is_some_and(asks_for_update) {
            return false;
        }
        self.inner.refresh_asked.set(true);
        self.inner.mark_stale();
        let flight = Inner::join_flight(&self.inner, true);
        flight.background.set(true);
        let me = Rc::downgrade(&self.inner);
        if !flight.observers.borrow().iter().any(|o| o.ptr_eq(&me)) {
            flight.observers.borrow_mut().push(me);
        }
        // Errors of a background refresh are kept in the record's stale flag,
        // never raised as unhandled rejections.
        wasm_bindgen_futures::spawn_local(flight.future.clone().map(|_| ()));
        true
    }

    /// Calls `listener` whenever the stored hash changes (the first hash too),
    /// also when another tab stored it. Returns an id for [`Client::off`].
    pub fn on_change(&self, listener: Listener) -> u32 {
        self.on_change_snapshot(Rc::new(move |snapshot: &Snapshot| {
            if let Ok(result) = snapshot.to_result() {
                listener(&result);
            }
        }))
    }

    /// [`Client::on_change`] for a listener of snapshots.
    pub(crate) fn on_change_snapshot(&self, listener: SnapshotListener) -> u32 {
        let id = self.inner.next_listener.get();
        self.inner.next_listener.set(id.wrapping_add(1));
        self.inner.listeners.borrow_mut().push((id, listener));
        id
    }

    /// Calls `listener` with the error of each background refresh (started by
    /// [`Client::observe`]) that failed. Returns an id for [`Client::off`].
    pub fn on_error(&self, listener: ErrorListener) -> u32 {
        let id = self.inner.next_listener.get();
        self.inner.next_listener.set(id.wrapping_add(1));
        self.inner.error_listeners.borrow_mut().push((id, listener));
        id
    }

    /// Sets (or with `None` removes) the hook told of every HTTP attempt of
    /// the requests that serve this client: its number, URL, status, error,
    /// and the wait before a retry. A request shared by several clients of one
    /// record tells each of their hooks.
    pub fn set_on_attempt(&self, hook: Option<AttemptHook>) {
        *self.inner.on_attempt.borrow_mut() = hook;
    }

    /// Removes a listener added by [`Client::on_change`] or [`Client::on_error`].
    pub fn off(&self, id: u32) {
        self.inner.listeners.borrow_mut().retain(|(i, _)| *i != id);
        self.inner.error_listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    /// Tells the client that the stored text changed elsewhere (another tab):
    /// listeners hear of a new, valid hash.
    pub fn storage_changed(&self, new_text: Option<String>) {
        let Some(text) = new_text else { return };
        self.inner.heard(&JsValue::from_str(&text));
    }

    /// Removes the stored record.
    pub fn clear(&self) {
        self.inner.store.remove();
        VALIDATED.with(|v| v.borrow_mut().remove(self.inner.store.key()));
        *self.inner.known_hash.borrow_mut() = None;
        self.inner.refresh_asked.set(false);
    }
}

/// A weak handle to a [`Client`].
pub struct WeakClient(Weak<Inner>);

impl WeakClient {
    /// The client, if it still exists.
    pub fn upgrade(&self) -> Option<Client> {
        self.0.upgrade().map(|inner| Client { inner })
    }
}

impl Inner {
    /// The stored text and its record, walked only when the text changed.
    fn record(&self) -> Option<(JsValue, Rc<StoredRecord>)> {
        let text = self.store.read_js()?;
        let rec = self.validate(&text)?;
        Some((text, rec))
    }

    /// The record of a stored text: from the shared memo when the text is the
    /// one walked last, else walked now. A corrupt or foreign record is
    /// discarded, never trusted; so is one this client's rules refuse
    /// ([`record::refused_by_reader`]): records are written by other clients
    /// (lenient ones, other tabs, any script posting on the channel).
    fn validate(&self, text: &JsValue) -> Option<Rc<StoredRecord>> {
        let key = self.store.key();
        let known = VALIDATED.with(|v| v.borrow().get(key).filter(|(t, _)| t == text).map(|(_, r)| r.clone()));
        let rec = match known {
            Some(rec) => rec,
            None => self.walk(text)?,
        };
        let refused = record::refused_by_reader(&rec, now_ms(), self.config.strict, self.config.max_bytes);
        refused.is_none().then_some(rec)
    }

    /// Walks a stored text not seen before, and remembers it.
    fn walk(&self, text: &JsValue) -> Option<Rc<StoredRecord>> {
        // Longer than the limit in UTF-16 units means longer in UTF-8 bytes
        // too: refused before it is copied into wasm memory (which never shrinks).
        let head = record::head(&self.config.base_url, &self.scope, 0.0, false).len() as u64 + 32;
        if u64::from(text.unchecked_ref::<JsString>().length()) > self.config.max_bytes.saturating_add(head) {
            return None;
        }
        let bytes = utf8_of(text);
        // Warnings quote names from the body: redacted as they are written.
        let decoded = redact::scoped(&self.redactor, || record::decode(&bytes, &self.config.base_url, &self.scope));
        let rec = Rc::new(decoded.ok()?);
        drop(bytes);
        self.remember(text, &rec);
        Some(rec)
    }

    fn remember(&self, text: &JsValue, rec: &Rc<StoredRecord>) {
        VALIDATED.with(|v| v.borrow_mut().insert(self.store.key().to_owned(), (text.clone(), rec.clone())));
    }

    /// Whether the stored record already holds `body` and may stay as it is:
    /// not marked stale, and young enough that its older `fetchedAt` cannot
    /// make it due before half of `maxAgeMs` has passed (any age when
    /// `maxAgeMs` is 0, where `fetchedAt` decides nothing). Revalidating an
    /// unchanged catalog then writes nothing and wakes no other client or tab:
    /// a 1.7 MB `localStorage.setItem` alone takes about 10 ms in Chromium.
    fn stored_copy_will_do(&self, body: &JsString, now: f64) -> bool {
        let Some((text, rec)) = self.record() else { return false };
        let max_age = self.config.max_age_ms as f64;
        let young = max_age == 0.0 || (now - rec.fetched_at >= 0.0 && now - rec.fetched_at < max_age / 2.0);
        !rec.stale && young && JsValue::from(body_of(&text, &rec)) == JsValue::from(body.clone())
    }

    /// Stores a body as the record, and remembers it as validated.
    fn save(&self, body: &JsString, checked: &StoredRecord) {
        let head = record::head(&self.config.base_url, &self.scope, checked.fetched_at, checked.stale);
        let text: JsValue = JsString::from(head.as_str()).concat(body).concat(&"}".into()).into();
        self.store.write(&text);
        let rec = StoredRecord { body: head.len()..head.len() + body.length() as usize, ..checked.clone() };
        self.remember(&text, &Rc::new(rec));
        // Every other client of this record hears of it: in this module at
        // once, in other realms through the channel.
        for peer in peers_of(self.store.key()) {
            if !std::ptr::eq(Rc::as_ptr(&peer), self) && peer.store.shares_storage_with(&self.store) {
                peer.heard(&text);
            }
        }
        channel::post(self.store.key(), &text);
    }

    /// A record written by another client of the same storage: listeners hear
    /// of a new, valid hash; a fresh record answers a pending `action-require`.
    fn heard(&self, text: &JsValue) {
        let Some(rec) = self.validate(text) else { return };
        if !rec.stale {
            self.refresh_asked.set(false);
        }
        let mut snapshot = cache_snapshot(text, &rec, rec.stale, None);
        snapshot.previous_hash = self.known_hash.borrow().clone();
        snapshot.changed = snapshot.previous_hash.as_deref() != Some(rec.hash.as_str());
        self.announce(&snapshot);
    }

    /// A record another realm stored. Unless this client's storage already
    /// holds it (the same `localStorage`), a valid record at least as recent
    /// as the stored one is kept (a worker's record reaches the page's
    /// storage, a page's record a worker's memory); then listeners hear of it.
    fn adopt(&self, text: &JsValue) {
        let Some(rec) = self.validate(text) else { return };
        let newer = match self.store.read_js() {
            None => true,
            Some(current) if current == *text => false,
            Some(current) => self.validate(&current).map_or(true, |r| rec.fetched_at >= r.fetched_at),
        };
        if newer {
            self.store.write(text);
            self.remember(text, &rec);
        }
        self.heard(text);
    }

    /// Tells the attempt hooks of every client this flight serves.
    fn tell_attempt(&self, id: u64, event: &AttemptEvent) {
        let mut hooks: Vec<AttemptHook> = self.on_attempt.borrow().iter().cloned().collect();
        for peer in peers_of(self.store.key()) {
            if std::ptr::eq(Rc::as_ptr(&peer), self) || !peer.flight.borrow().as_ref().is_some_and(|f| f.id == id) {
                continue;
            }
            hooks.extend(peer.on_attempt.borrow().iter().cloned());
        }
        for hook in hooks {
            hook(event);
        }
    }

    /// Tells the error listeners of a background refresh that failed.
    fn report(&self, error: &Error) {
        let listeners: Vec<ErrorListener> = self.error_listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            listener(error);
        }
    }

    fn mark_stale(&self) {
        if let Some((text, rec)) = self.record() {
            if !rec.stale {
                self.save(&body_of(&text, &rec), &StoredRecord { stale: true, ..(*rec).clone() });
            }
        }
    }

    /// Tells listeners about a snapshot whose hash differs from the last one announced.
    fn announce(&self, snapshot: &Snapshot) {
        if self.known_hash.borrow().as_deref() == Some(snapshot.hash.as_str()) {
            return;
        }
        *self.known_hash.borrow_mut() = Some(snapshot.hash.clone());
        // Copy the list first: a listener may subscribe or unsubscribe.
        let listeners: Vec<SnapshotListener> = self.listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            listener(snapshot);
        }
    }

    /// The flight under way for this record: this client's, else one another
    /// client of the same record (same scope, same storage, same headers) in
    /// this module started, else a new one. One request serves every such client.
    fn join_flight(this: &Rc<Inner>, background: bool) -> Rc<Flight> {
        if let Some(f) = &*this.flight.borrow() {
            return f.clone();
        }
        let shared = peers_of(this.store.key()).into_iter().find_map(|peer| {
            // The request is made with the starting client's headers: a
            // client sending other headers (a tenant's `x-org-id`) makes its own.
            let alike = peer.store.shares_storage_with(&this.store) && peer.config.headers == this.config.headers;
            if Rc::ptr_eq(&peer, this) || !alike {
                return None;
            }
            let f = peer.flight.borrow().clone();
            f
        });
        if let Some(f) = shared {
            *this.flight.borrow_mut() = Some(f.clone());
            return f;
        }
        let id = NEXT_FLIGHT.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        let (future, controller) = match AbortController::new() {
            Ok(controller) => {
                (run_flight(Rc::downgrade(this), id, controller.signal()).boxed_local().shared(), controller)
            }
            // Only a platform without AbortController lands here; it gets an error, not a trap.
            Err(_) => {
                let missing = Error::Network { message: "this platform has no AbortController".into() };
                let controller: AbortController = JsValue::from(js_sys::Object::new()).unchecked_into();
                (futures_util::future::ready(Err(missing)).boxed_local().shared(), controller)
            }
        };
        let flight = Rc::new(Flight {
            id,
            future,
            controller,
            waiters: Cell::new(0),
            background: Cell::new(background),
            observers: RefCell::new(Vec::new()),
        });
        *this.flight.borrow_mut() = Some(flight.clone());
        flight
    }

    /// Ends a flight in the slot of every client holding it.
    fn end_flight(&self, id: u64) {
        let clear = |inner: &Inner| {
            let mut slot = inner.flight.borrow_mut();
            if slot.as_ref().is_some_and(|f| f.id == id) {
                *slot = None;
            }
        };
        clear(self);
        for peer in peers_of(self.store.key()) {
            clear(&peer);
        }
    }

    /// A reply's verdict: the walk's findings for a 2xx body, else the error.
    fn judge(&self, reply: &Reply) -> Result<Checked, Error> {
        let ct = reply.content_type.as_deref();
        // Excerpts, warnings and paths quote the body: redacted before they are cut.
        let verdict = redact::scoped(&self.redactor, || {
            if (200..300).contains(&reply.status) {
                check_body(&reply.body, reply.status, ct, self.config.strict)
            } else {
                Err(parse_failure(&reply.body, reply.status, ct, reply.retry_after_ms))
            }
        });
        verdict.map_err(|e| self.redactor.error(e))
    }
}

/// The body's text inside a stored record (everything before it is ASCII, so
/// byte and UTF-16 offsets agree; the record ends with the body and `}`).
fn body_of(text: &JsValue, rec: &StoredRecord) -> JsString {
    let text: &JsString = text.unchecked_ref();
    text.slice(rec.body.start as u32, text.length().saturating_sub(1))
}

/// Removes a caller from a flight when its call ends, and cancels the request
/// when nobody is left to wait for it.
struct Waiting {
    inner: Weak<Inner>,
    flight: Rc<Flight>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let left = self.flight.waiters.get().saturating_sub(1);
        self.flight.waiters.set(left);
        if left > 0 || self.flight.background.get() {
            return;
        }
        if let Some(inner) = self.inner.upgrade() {
            let running = inner.flight.borrow().as_ref().is_some_and(|f| f.id == self.flight.id);
            if running {
                inner.end_flight(self.flight.id);
                if self.flight.controller.is_instance_of::<AbortController>() {
                    self.flight.controller.abort();
                }
            }
        }
    }
}

/// One network refresh with its retries; stores and announces a success, and
/// serves the stored catalog when the network (not the server's judgement) failed.
async fn run_flight(inner: Weak<Inner>, id: u64, cancel: AbortSignal) -> FlightOutput {
    let Some(this) = inner.upgrade() else { return Err(Error::Aborted) };
    let previous = this.record();
    let previous_hash = previous.as_ref().map(|(_, r)| r.hash.clone());
    let headers = request_headers(&this.config.headers, this.config.api_key.as_deref(), previous_hash.as_deref());
    let url = resources_url(&this.config.base_url);
    let started = now_ms().floor();
    // One tab of the origin refreshes a record at a time (Web Locks). A tab
    // that waited finds the record another tab just stored and takes it: one
    // request for all of them.
    // The wait is bounded by `timeoutMs`: a tab whose request hangs, or any
    // script holding the lock, cannot hold back this tab's refresh longer.
    let name = lock_name(this.store.key());
    let waiting = lock::acquire(&name, this.config.timeout_ms);
    let lock = match select(pin!(waiting), pin!(aborted(&cancel))).await {
        Either::Left((lock, _)) => lock,
        Either::Right(_) => return this.finish(id, previous, previous_hash, Err(Error::Aborted)),
    };
    if lock.as_ref().is_some_and(|l| l.granted) {
        if let Some((text, rec)) = this.record() {
            let moved = previous.as_ref().map_or(true, |(t, _)| *t != text);
            if moved && !rec.stale && rec.fetched_at >= started {
                this.end_flight(id);
                this.refresh_asked.set(false);
                let mut snapshot = cache_snapshot(&text, &rec, false, None);
                snapshot.changed = previous_hash.as_deref() != Some(rec.hash.as_str());
                snapshot.previous_hash = previous_hash;
                this.announce(&snapshot);
                return Ok(Rc::new(snapshot));
            }
        }
    }
    let manual_redirects = !crate::web::is_browser();
    let mut attempt = 0;
    let outcome = loop {
        let sent = Attempt {
            url: &url,
            headers: &headers,
            fetch: this.fetch.as_ref(),
            max_bytes: this.config.max_bytes,
            timeout_ms: this.config.timeout_ms,
            cancel: &cancel,
            manual_redirects,
            cross_origin: this.config.allow_cross_origin_redirects,
        }
        .send()
        .await;
        let status = sent.as_ref().map_or(0, |reply| reply.status);
        let error = match sent.and_then(|reply| this.judge(&reply).map(|checked| (reply, checked))) {
            Ok(valid) => {
                let event = AttemptEvent { attempt: attempt + 1, url: &url, status, error: None, retry_in_ms: None };
                this.tell_attempt(id, &event);
                break Ok(valid);
            }
            // Redacted at once: the attempt event, the final error, `onError`
            // and the stale-serve warning are all built from this value.
            Err(e) => this.redactor.error(e),
        };
        let retry = should_retry(&error, attempt, this.config.retries);
        let wait = retry.then(|| delay_ms(&error, attempt, js_sys::Math::random()));
        let event = AttemptEvent { attempt: attempt + 1, url: &url, status, error: Some(&error), retry_in_ms: wait };
        this.tell_attempt(id, &event);
        let Some(wait) = wait else { break Err(error.in_request(&url, attempt + 1)) };
        if let Either::Right(_) = select(pin!(sleep(wait)), pin!(aborted(&cancel))).await {
            break Err(Error::Aborted);
        }
        attempt += 1;
    };
    let output = this.finish(id, previous, previous_hash, outcome);
    drop(lock);
    output
}

impl Inner {
    /// Ends a flight: reports a background failure to the clients that
    /// observed, stores and announces a success, or serves the stored catalog
    /// when the network (not the server's judgement) failed.
    fn finish(
        &self,
        id: u64,
        previous: Option<(JsValue, Rc<StoredRecord>)>,
        previous_hash: Option<String>,
        outcome: Result<(Reply, Checked), Error>,
    ) -> FlightOutput {
        let this = self;
        let observers =
            this.flight.borrow().as_ref().filter(|f| f.id == id && f.background.get()).map(|f| f.observers.take());
        this.end_flight(id);
        if let (Err(error), Some(observers)) = (&outcome, observers) {
            if !matches!(error, Error::Aborted) {
                for observer in observers.iter().filter_map(Weak::upgrade) {
                    observer.report(error);
                }
            }
        }
        match outcome {
            Ok((reply, checked)) => {
                // The engine decodes the bytes it will parse; the record keeps the
                // JSON text alone (no BOM or whitespace around it).
                let body = decode_utf8(json_text(&reply.body));
                drop(reply);
                let fetched_at = now_ms();
                let rec = StoredRecord {
                    hash: checked.hash,
                    fetched_at,
                    stale: false,
                    warnings: checked.warnings,
                    body: 0..0,
                };
                if !this.stored_copy_will_do(&body, fetched_at) {
                    this.save(&body, &rec);
                }
                this.refresh_asked.set(false);
                let snapshot = Snapshot {
                    changed: previous_hash.as_deref() != Some(rec.hash.as_str()),
                    previous_hash,
                    hash: rec.hash,
                    source: Source::Network,
                    fetched_at,
                    stale: false,
                    warnings: rec.warnings,
                    resources: BodyText(body),
                };
                this.announce(&snapshot);
                Ok(Rc::new(snapshot))
            }
            // The record as it is now: another writer (tab) may have stored a newer one meanwhile.
            Err(error) => match this.record().or(previous) {
                Some((text, rec)) if error.allows_stale_fallback() => {
                    Ok(Rc::new(cache_snapshot(&text, &rec, true, Some(format!("served from cache: {error}")))))
                }
                _ => Err(error),
            },
        }
    }
}

/// A snapshot of a stored record.
fn cache_snapshot(text: &JsValue, rec: &StoredRecord, stale: bool, why: Option<String>) -> Snapshot {
    let mut warnings = rec.warnings.clone();
    warnings.extend(why);
    Snapshot {
        hash: rec.hash.clone(),
        source: Source::Cache,
        changed: false,
        previous_hash: Some(rec.hash.clone()),
        fetched_at: rec.fetched_at,
        stale,
        warnings,
        resources: BodyText(body_of(text, rec)),
    }
}

/// Whether a `Response` asked for a refresh (used by the JS layer).
pub(crate) fn action_require_of(response: &web_sys::Response) -> Option<String> {
    response.headers().get(ACTION_REQUIRE).ok().flatten()
}
