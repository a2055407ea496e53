//! The client: cache policy, single-flight requests, retries, stale-if-error and
//! invalidation, over the platform layer in [`crate::web`]. The JS class
//! `ResourcesClient` is a thin wrapper around [`Client`]; Rust code compiled to
//! wasm can use [`Client`] directly.

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::{Rc, Weak};

use futures_util::future::{select, Either, FutureExt, LocalBoxFuture, Shared};
use js_sys::Function;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

use crate::domain::error::Error;
use crate::domain::headers::{asks_for_update, cli_agent_value, request_headers, ACTION_REQUIRE, CLI_AGENT};
use crate::domain::options::{Config, Options};
use crate::domain::parse::{parse_failure, parse_success};
use crate::domain::record::{self, StoredRecord};
use crate::domain::result::{ResourcesResult, Source};
use crate::domain::retry::{delay_ms, should_retry};
use crate::domain::types::Catalog;
use crate::domain::url::resources_url;
use crate::web::fetch::{Attempt, Reply};
use crate::web::signal::aborted;
use crate::web::storage::{OtherTabs, StorageChoice, Store};
use crate::web::timer::sleep;
use crate::web::now_ms;

/// Per-call options of [`Client::fetch_resources`].
#[derive(Clone, Default)]
pub struct FetchOptions {
    /// Go to the network even when the stored catalog is fresh.
    pub refresh: bool,
    /// Cancels this call only; a request shared with other callers goes on.
    pub signal: Option<AbortSignal>,
}

/// A listener of [`Client::on_change`].
pub type Listener = Rc<dyn Fn(&ResourcesResult)>;

type FlightOutput = Result<Rc<ResourcesResult>, Error>;

/// The one network refresh under way, shared by every caller.
struct Flight {
    id: u64,
    future: Shared<LocalBoxFuture<'static, FlightOutput>>,
    controller: AbortController,
    /// Callers still waiting; when the last one gives up the request is cancelled.
    waiters: Cell<usize>,
    /// Started by `observe`: runs to the end even with no caller waiting.
    background: Cell<bool>,
}

/// A decoded record and the text it came from, so that unchanged storage is
/// not parsed again on every `hash` or `cached()`.
struct Decoded {
    text: String,
    record: Rc<StoredRecord>,
}

struct Inner {
    config: Config,
    fetch: Option<Function>,
    store: Store,
    flight: RefCell<Option<Rc<Flight>>>,
    next_flight: Cell<u64>,
    decoded: RefCell<Option<Decoded>>,
    /// The JS string last decoded by [`Client::cached_text`]: an unchanged
    /// record is recognised by `===`, without copying it into wasm memory.
    decoded_js: RefCell<Option<(wasm_bindgen::JsValue, Rc<StoredRecord>)>>,
    /// The last hash listeners were told about (or found at start).
    known_hash: RefCell<Option<String>>,
    listeners: RefCell<Vec<(u32, Listener)>>,
    next_listener: Cell<u32>,
    /// An `action-require` asked for a refresh that has not succeeded yet; kept
    /// here too because before the first catalog there is no record to mark.
    refresh_asked: Cell<bool>,
    /// The `storage` event listener of other tabs' writes, removed on drop.
    other_tabs: RefCell<Option<OtherTabs>>,
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
        let store = Store::new(storage, record::storage_key(&config.storage_key, &config.base_url));
        let inner = Rc::new(Inner {
            config,
            fetch,
            store,
            flight: RefCell::new(None),
            next_flight: Cell::new(0),
            decoded: RefCell::new(None),
            decoded_js: RefCell::new(None),
            known_hash: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            next_listener: Cell::new(0),
            refresh_asked: Cell::new(false),
            other_tabs: RefCell::new(None),
        });
        let start_hash = inner.record().map(|r| r.hash.clone());
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
        Ok(Client { inner })
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
        if options.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Error::Aborted);
        }
        let max_age = self.inner.config.max_age_ms;
        if !options.refresh && max_age > 0 {
            if let Some(rec) = self.inner.record() {
                if record::is_fresh(&rec, now_ms(), max_age) {
                    return Ok(self.with_storage_note(cache_result(&rec, false, None)));
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
    fn with_storage_note(&self, mut result: ResourcesResult) -> ResourcesResult {
        if let Some(reason) = self.inner.store.degraded_reason() {
            result.warnings.push(format!("storage unavailable, kept in memory: {reason}"));
        }
        result
    }

    /// The stored catalog, validated, without any request. `stale` is set when
    /// an `action-require` asked for a refresh or the record is older than `maxAgeMs`.
    pub fn cached(&self) -> Option<ResourcesResult> {
        let rec = self.inner.record()?;
        let max_age = self.inner.config.max_age_ms;
        let due = rec.stale || (max_age > 0 && !record::is_fresh(&rec, now_ms(), max_age));
        Some(cache_result(&rec, due, None))
    }

    /// What [`Client::cached`] returns, for a caller that materialises
    /// `resources` itself: the validated record, whether a refresh is due, and
    /// the stored text as a JS string (whose `resources` are the record's).
    pub fn cached_text(&self) -> Option<(Rc<StoredRecord>, bool, wasm_bindgen::JsValue)> {
        let text = self.inner.store.read_js()?;
        let memo = self.inner.decoded_js.borrow().as_ref().filter(|(t, _)| *t == text).map(|(_, r)| r.clone());
        let rec = match memo {
            Some(rec) => rec,
            None => {
                let rec = self.inner.decode(text.as_string()?)?;
                *self.inner.decoded_js.borrow_mut() = Some((text.clone(), rec.clone()));
                rec
            }
        };
        let max_age = self.inner.config.max_age_ms;
        let due = rec.stale || (max_age > 0 && !record::is_fresh(&rec, now_ms(), max_age));
        Some((rec, due, text))
    }

    /// The stored hash.
    pub fn hash(&self) -> Option<String> {
        self.inner.record().map(|r| r.hash.clone())
    }

    /// Whether an `action-require` was seen and not yet acted on.
    pub fn is_stale(&self) -> bool {
        self.inner.refresh_asked.get() || self.inner.record().is_some_and(|r| r.stale)
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
        // Errors of a background refresh are kept in the record's stale flag,
        // never raised as unhandled rejections.
        wasm_bindgen_futures::spawn_local(flight.future.clone().map(|_| ()));
        true
    }

    /// Calls `listener` whenever the stored hash changes (the first hash too),
    /// also when another tab stored it. Returns an id for [`Client::off`].
    pub fn on_change(&self, listener: Listener) -> u32 {
        let id = self.inner.next_listener.get();
        self.inner.next_listener.set(id.wrapping_add(1));
        self.inner.listeners.borrow_mut().push((id, listener));
        id
    }

    /// Removes a listener added by [`Client::on_change`].
    pub fn off(&self, id: u32) {
        self.inner.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    /// Tells the client that the stored text changed elsewhere (another tab):
    /// listeners hear of a new, valid hash.
    pub fn storage_changed(&self, new_text: Option<String>) {
        let Some(text) = new_text else { return };
        if let Some(rec) = self.inner.decode(text) {
            self.inner.announce(&cache_result(&rec, rec.stale, None));
        }
    }

    /// Removes the stored record.
    pub fn clear(&self) {
        self.inner.store.remove();
        *self.inner.decoded.borrow_mut() = None;
        *self.inner.decoded_js.borrow_mut() = None;
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
    /// The current record, decoded only when the stored text changed.
    fn record(&self) -> Option<Rc<StoredRecord>> {
        let text = self.store.read()?;
        self.decode(text)
    }

    fn decode(&self, text: String) -> Option<Rc<StoredRecord>> {
        if let Some(d) = &*self.decoded.borrow() {
            if d.text == text {
                return Some(d.record.clone());
            }
        }
        // A corrupt or foreign record is discarded, never trusted.
        let rec = Rc::new(record::decode(&text, &self.config.base_url).ok()?);
        *self.decoded.borrow_mut() = Some(Decoded { text, record: rec.clone() });
        Some(rec)
    }

    fn save(&self, hash: &str, fetched_at: f64, stale: bool, resources: &crate::domain::types::Resources) {
        let text = record::encode(&self.config.base_url, hash, fetched_at, stale, resources);
        self.store.write(&text);
    }

    fn mark_stale(&self) {
        if let Some(rec) = self.record() {
            if !rec.stale {
                self.save(&rec.hash, rec.fetched_at, true, &rec.resources);
            }
        }
    }

    /// Tells listeners about a result whose hash differs from the last one announced.
    fn announce(&self, result: &ResourcesResult) {
        if self.known_hash.borrow().as_deref() == Some(result.hash.as_str()) {
            return;
        }
        *self.known_hash.borrow_mut() = Some(result.hash.clone());
        // Copy the list first: a listener may subscribe or unsubscribe.
        let listeners: Vec<Listener> = self.listeners.borrow().iter().map(|(_, l)| l.clone()).collect();
        for listener in listeners {
            listener(result);
        }
    }

    /// The flight under way, or a new one.
    fn join_flight(this: &Rc<Inner>, background: bool) -> Rc<Flight> {
        if let Some(f) = &*this.flight.borrow() {
            return f.clone();
        }
        let id = this.next_flight.get() + 1;
        this.next_flight.set(id);
        let (future, controller) = match AbortController::new() {
            Ok(controller) => (run_flight(Rc::downgrade(this), id, controller.signal()).boxed_local().shared(), controller),
            // Only a platform without AbortController lands here; it gets an error, not a trap.
            Err(_) => {
                let missing = Error::Network { message: "this platform has no AbortController".into() };
                let controller: AbortController = wasm_bindgen::JsValue::from(js_sys::Object::new()).unchecked_into();
                (futures_util::future::ready(Err(missing)).boxed_local().shared(), controller)
            }
        };
        let flight = Rc::new(Flight { id, future, controller, waiters: Cell::new(0), background: Cell::new(background) });
        *this.flight.borrow_mut() = Some(flight.clone());
        flight
    }

    fn end_flight(&self, id: u64) {
        let mut slot = self.flight.borrow_mut();
        if slot.as_ref().is_some_and(|f| f.id == id) {
            *slot = None;
        }
    }

    fn interpret(&self, reply: Reply) -> Result<Catalog, Error> {
        let ct = reply.content_type.as_deref();
        if (200..300).contains(&reply.status) {
            parse_success(&reply.body, reply.status, ct, self.config.strict)
        } else {
            Err(parse_failure(&reply.body, reply.status, ct, reply.retry_after_ms))
        }
    }
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
    let headers = request_headers(&this.config.headers, this.config.api_key.as_deref(), previous.as_ref().map(|r| r.hash.as_str()));
    let url = resources_url(&this.config.base_url);
    let mut attempt = 0;
    let outcome = loop {
        let sent = Attempt {
            url: &url,
            headers: &headers,
            fetch: this.fetch.as_ref(),
            max_bytes: this.config.max_bytes,
            timeout_ms: this.config.timeout_ms,
            cancel: &cancel,
        }
        .send()
        .await;
        let error = match sent.and_then(|reply| this.interpret(reply)) {
            Ok(catalog) => break Ok(catalog),
            Err(e) => e,
        };
        if !should_retry(&error, attempt, this.config.retries) {
            break Err(error);
        }
        let wait = delay_ms(&error, attempt, js_sys::Math::random());
        if let Either::Right(_) = select(pin!(sleep(wait)), pin!(aborted(&cancel))).await {
            break Err(Error::Aborted);
        }
        attempt += 1;
    };
    this.end_flight(id);
    match outcome {
        Ok(catalog) => {
            let fetched_at = now_ms();
            this.save(&catalog.hash, fetched_at, false, &catalog.resources);
            this.refresh_asked.set(false);
            let previous_hash = previous.as_ref().map(|r| r.hash.clone());
            let result = ResourcesResult {
                changed: previous_hash.as_deref() != Some(catalog.hash.as_str()),
                previous_hash,
                hash: catalog.hash,
                resources: catalog.resources,
                source: Source::Network,
                fetched_at,
                stale: false,
                warnings: catalog.warnings,
            };
            this.announce(&result);
            Ok(Rc::new(result))
        }
        // The record as it is now: another writer (tab) may have stored a newer one meanwhile.
        Err(error) => match this.record().or(previous) {
            Some(rec) if error.allows_stale_fallback() => {
                Ok(Rc::new(cache_result(&rec, true, Some(format!("served from cache: {error}")))))
            }
            _ => Err(error),
        },
    }
}

/// A result built from the stored record.
fn cache_result(rec: &StoredRecord, stale: bool, why: Option<String>) -> ResourcesResult {
    let mut warnings = rec.warnings.clone();
    warnings.extend(why);
    ResourcesResult {
        hash: rec.hash.clone(),
        resources: rec.resources.clone(),
        source: Source::Cache,
        changed: false,
        previous_hash: Some(rec.hash.clone()),
        fetched_at: rec.fetched_at,
        stale,
        warnings,
    }
}

/// Whether a `Response` asked for a refresh (used by the JS layer).
pub(crate) fn action_require_of(response: &web_sys::Response) -> Option<String> {
    response.headers().get(ACTION_REQUIRE).ok().flatten()
}
