//! The client: cache policy, single-flight requests, retries, stale-if-error and
//! invalidation, over the platform layer in [`crate::web`]. The JS class
//! `ResourcesClient` is a thin wrapper around [`Client`]; Rust code compiled to
//! wasm can use [`Client`] directly and gets typed results.
//!
//! Three layers, as in TanStack Query (`QueryCache` → `Query` → `QueryObserver`):
//! the [`registry`] of the module's live entries, one [`entry`] per stored
//! record (its store, validated text and refreshes in flight, in [`flight`]),
//! and a [`Client`] per `new ResourcesClient()` with its own options and
//! listeners. Other realms reach the entries through [`sync`].
//!
//! Every path from bytes to a catalog goes through the one schema walk
//! ([`crate::domain::schema`]): a response body once when it arrives, a stored
//! record once per distinct text. The data itself stays JSON text (a JS
//! string) until a caller asks for it: JavaScript callers get it from the
//! engine's `JSON.parse`, Rust callers through `serde-wasm-bindgen`.

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::{Rc, Weak};

use futures_util::future::{select, Either, FutureExt};
use js_sys::{Function, JsString};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

use crate::domain::error::Error;
use crate::domain::headers::{asks_for_update, cli_agent_value, ACTION_REQUIRE, CLI_AGENT};
use crate::domain::options::{Config, Options};
use crate::domain::record::{self, Freshness, StoredRecord};
use crate::domain::redact::Redactor;
use crate::domain::result::{ResourcesResult, Source};
use crate::web::identity;
use crate::web::now_ms;
use crate::web::signal::aborted;
use crate::web::storage::StorageChoice;
use crate::web::text::json_parse;

mod entry;
mod flight;
mod registry;
mod sync;

use entry::Entry;
use flight::Waiting;

/// The warning of a result whose record `localStorage` refused and IndexedDB keeps.
const STORAGE_MOVED: &str = "localStorage refused the record (too large): kept in IndexedDB";

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

/// What one client holds of its own: its options, listeners and hooks. The
/// record and the refreshes are its entry's, shared with the other clients of
/// the same record.
pub(crate) struct ClientState {
    config: Config,
    /// Every credential of this client, redacted from each error, warning and
    /// event before anyone sees it (see [`crate::domain::redact`]).
    redactor: Rc<Redactor>,
    fetch: Option<Function>,
    entry: Rc<Entry>,
    /// Why the store is memory although `"local"` was asked for.
    storage_note: Option<String>,
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
    /// The hash `agent_headers` last handed out: the one the app's latest
    /// API request carried (see [`Client::observe`]).
    handed_out: RefCell<Option<String>>,
    /// This client's number in the registry.
    handle: u32,
}

impl Drop for ClientState {
    fn drop(&mut self) {
        registry::remove_client(self.handle);
    }
}

/// A catalog client bound to one API base and one storage slot.
#[derive(Clone)]
pub struct Client {
    inner: Rc<ClientState>,
}

impl Client {
    /// Creates a client. `fetch` replaces the global `fetch` when given.
    pub fn new(options: Options, storage: StorageChoice, fetch: Option<Function>) -> Result<Client, Error> {
        let config = options.validate()?;
        let parts = config.scope_parts(fetch.as_ref().map(identity::fetch_identity).as_deref());
        let redactor = Rc::new(config.redactor());
        let (entry, storage_note) = Entry::open(&config, &parts, storage, &redactor);
        let inner = Rc::new(ClientState {
            config,
            redactor,
            fetch,
            entry: entry.clone(),
            storage_note,
            known_hash: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            error_listeners: RefCell::new(Vec::new()),
            on_attempt: RefCell::new(None),
            next_listener: Cell::new(0),
            refresh_asked: Cell::new(false),
            handed_out: RefCell::new(None),
            handle: registry::next_handle(),
        });
        let start_hash = inner.record().map(|(_, r)| r.hash.clone());
        *inner.known_hash.borrow_mut() = start_hash;
        entry.add_client(&inner);
        registry::add_client(&inner);
        Ok(Client { inner })
    }

    /// This client's number: [`Client::from_handle`] finds it while it lives.
    pub fn handle(&self) -> u32 {
        self.inner.handle
    }

    /// The live client of a [`Client::handle`], if it still exists.
    pub fn from_handle(handle: u32) -> Option<Client> {
        registry::client(handle).map(|inner| Client { inner })
    }

    /// A handle that does not keep the client alive.
    pub fn downgrade(&self) -> WeakClient {
        WeakClient(Rc::downgrade(&self.inner))
    }

    /// The validated configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The storage key of this client's record; empty until an asynchronous
    /// store has given its salt (see [`Client::ready`]).
    pub fn storage_key(&self) -> &str {
        self.inner.entry.key()
    }

    /// Whether the record lives in the global `localStorage`.
    pub fn uses_local_storage(&self) -> bool {
        self.inner.entry.store.is_local_storage()
    }

    /// Resolves once the stored record has been read: at once for a
    /// synchronous store, after its first read for an asynchronous one.
    pub async fn ready(&self) {
        if let Some(hydration) = self.inner.entry.hydration() {
            hydration.await;
        }
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
        // `maxAgeMs` and the stored hash hold on the first call of an asynchronous store too.
        if let Some(hydration) = self.inner.entry.hydration() {
            match &options.signal {
                None => hydration.await,
                Some(signal) => {
                    if let Either::Right(_) = select(hydration, pin!(aborted(signal))).await {
                        return Err(Error::Aborted);
                    }
                }
            }
        }
        if !options.refresh {
            if let Some((text, rec)) = self.inner.record() {
                if Freshness::of(&rec, now_ms(), self.inner.config.max_age_ms).serves_without_request() {
                    return Ok(self.with_storage_note(cache_snapshot(&text, &rec, false, None)));
                }
            }
        }
        let flight = self.inner.entry.join_flight(&self.inner, false);
        flight.waiters.set(flight.waiters.get() + 1);
        let _waiting = Waiting { entry: Rc::downgrade(&self.inner.entry), flight: flight.clone() };
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
        if self.inner.entry.store.moved_to_indexeddb() && self.inner.entry.store.degraded_reason().is_none() {
            snapshot.warnings.push(STORAGE_MOVED.to_owned());
        }
        let reason = self.inner.storage_note.clone().or_else(|| self.inner.entry.store.degraded_reason());
        if let Some(reason) = reason {
            // A storage's exception is the caller's text: it may hold anything.
            let reason = self.inner.redactor.redact(&reason).into_owned();
            snapshot.warnings.push(format!("storage unavailable, kept in memory: {reason}"));
        }
        snapshot
    }

    /// The stored catalog, validated, without any request. `stale` is set when
    /// an `action-require` asked for a refresh or the record is older than
    /// `maxAgeMs`. `None` while an asynchronous store is being read.
    pub fn cached(&self) -> Option<ResourcesResult> {
        self.cached_snapshot().and_then(|s| s.to_result().ok())
    }

    /// [`Client::cached`], with the data left as validated text.
    pub fn cached_snapshot(&self) -> Option<Snapshot> {
        let (text, rec) = self.inner.record()?;
        let due = Freshness::of(&rec, now_ms(), self.inner.config.max_age_ms).is_due();
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
        let hash = self.hash();
        *self.inner.handed_out.borrow_mut() = hash.clone();
        hash.map(|h| vec![(CLI_AGENT.to_owned(), cli_agent_value(&h))]).unwrap_or_default()
    }

    /// Reads `action-require` of a 2xx API response. When it asks for
    /// `update-resources`, marks the record stale and starts one background
    /// refresh (or joins the one under way). Returns whether it asked.
    ///
    /// A response to a request sent with an older hash than the record now
    /// holds asks for nothing: when the hash [`Client::agent_headers`] last
    /// handed out is not the stored one, and the stored one is not stale,
    /// another client or tab has already brought the catalog the server asked for.
    pub fn observe(&self, status: u16, action_require: Option<&str>) -> bool {
        if !(200..300).contains(&status) || !action_require.is_some_and(asks_for_update) {
            return false;
        }
        if let (Some(sent), Some((_, rec))) = (self.inner.handed_out.borrow().as_deref(), self.inner.record()) {
            if sent != rec.hash && !rec.stale {
                return false;
            }
        }
        self.inner.refresh_asked.set(true);
        self.inner.mark_stale();
        let flight = self.inner.entry.join_flight(&self.inner, true);
        flight.background.set(true);
        flight.observed_by(&self.inner);
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
        self.inner.entry.listen();
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
        self.inner.entry.clear();
        *self.inner.known_hash.borrow_mut() = None;
        self.inner.refresh_asked.set(false);
    }
}

/// A weak handle to a [`Client`].
pub struct WeakClient(Weak<ClientState>);

impl WeakClient {
    /// The client, if it still exists.
    pub fn upgrade(&self) -> Option<Client> {
        self.0.upgrade().map(|inner| Client { inner })
    }
}

impl ClientState {
    /// The stored text and its record, as this client may read it: records
    /// are written by other clients (lenient ones, other tabs, any script
    /// posting on the channel), so one this client's rules refuse
    /// ([`record::refused_by_reader`]) is not served.
    fn record(&self) -> Option<(JsValue, Rc<StoredRecord>)> {
        let (text, rec) = self.entry.stored(self.config.max_bytes)?;
        self.accepts(&rec).then_some((text, rec))
    }

    /// Whether this client's rules let it read a record ([`record::refused_by_reader`]).
    fn accepts(&self, rec: &StoredRecord) -> bool {
        record::refused_by_reader(rec, now_ms(), self.config.strict, self.config.max_bytes).is_none()
    }

    /// A record written elsewhere (another client of the record, another tab,
    /// the store's first read): listeners hear of a new, valid hash; a fresh
    /// record answers a pending `action-require`.
    fn heard(&self, text: &JsValue) {
        let Some(rec) = self.entry.walked(text, self.config.max_bytes).filter(|r| self.accepts(r)) else { return };
        if !rec.stale {
            self.refresh_asked.set(false);
        }
        let mut snapshot = cache_snapshot(text, &rec, rec.stale, None);
        snapshot.previous_hash = self.known_hash.borrow().clone();
        snapshot.changed = snapshot.previous_hash.as_deref() != Some(rec.hash.as_str());
        self.announce(&snapshot);
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
                self.entry.save(&body_of(&text, &rec), &StoredRecord { stale: true, ..(*rec).clone() }, None);
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
}

/// The body's text inside a stored record (everything before it is ASCII, so
/// byte and UTF-16 offsets agree; the record ends with the body and `}`).
fn body_of(text: &JsValue, rec: &StoredRecord) -> JsString {
    let text: &JsString = text.unchecked_ref();
    text.slice(rec.body.start as u32, text.length().saturating_sub(1))
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
