//! One entry per stored record (a storage and a key), shared by every client
//! of that record in the module: it owns the store, the text it last
//! validated, the refreshes in flight and the list of its clients.
//!
//! An entry starts by reading its record. A synchronous store (`localStorage`,
//! a synchronous `StorageLike`, memory) is read at once, so a client made in
//! a page has its stored catalog on the first frame. An asynchronous store is
//! read in the background (hydration): until it is done the entry has no
//! record, calls that need one wait for it, and its clients then hear the
//! record as a change.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::{Rc, Weak};

use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use js_sys::{JsString, Promise};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortController;

use super::flight::{self, Flight};
use super::{registry, sync, ClientState};
use crate::domain::error::Error;
use crate::domain::options::Config;
use crate::domain::record::{self, StoredRecord};
use crate::domain::redact::{self, Redactor};
use crate::web::body::read_utf8_windows;
use crate::web::storage::{OtherTabs, Read, StorageChoice, Store};

type Hydration = Shared<LocalBoxFuture<'static, ()>>;

/// A stored record and everything shared by the clients that read it.
pub(crate) struct Entry {
    /// The storage (the JS store object; `None` for the module's memory).
    pub(super) storage: Option<JsValue>,
    /// Which record of the storage: `<storageKey>:<unsalted scope>:<baseUrl>`.
    /// Kept in memory only; the storage key itself (see [`Entry::key`]) is
    /// salted, and an asynchronous store gives its salt later.
    pub(super) id: String,
    base_url: String,
    /// Whose record it is (see [`record::scope`]); set once the salt is known.
    scope: OnceCell<String>,
    pub(super) store: Rc<Store>,
    /// The text last walked, and what the walk found: a client that reads the
    /// same text again (`===` on the JS string) does not walk it again.
    memo: RefCell<Option<(JsValue, Rc<StoredRecord>)>>,
    /// The refreshes under way: one per set of request headers.
    flights: RefCell<Vec<Rc<Flight>>>,
    next_flight: Cell<u64>,
    clients: RefCell<Vec<Weak<ClientState>>>,
    /// The read of an asynchronous store, until it is done.
    hydration: RefCell<Option<Hydration>>,
    /// The `storage` event listener of other tabs' writes (`localStorage` only).
    other_tabs: RefCell<Option<OtherTabs>>,
    /// Whether it hears other tabs and realms yet (see [`Entry::listen`]).
    listening: Cell<bool>,
    /// The credentials of the record's clients (all alike: they share the scope).
    pub(super) redactor: Rc<Redactor>,
}

impl Entry {
    /// The entry of a client's record: the live one, or a new one that starts
    /// reading its store. Also gives why the store is memory when `"local"`
    /// was asked for and is unusable.
    pub(super) fn open(
        config: &Config,
        parts: &[String],
        choice: StorageChoice,
        redactor: &Rc<Redactor>,
    ) -> (Rc<Entry>, Option<String>) {
        let (store, note) = Store::open(choice);
        let storage = store.identity();
        // Unsalted, in memory only: the same credentials in the same storage
        // give the same salted key, so this tells records apart as well.
        let id = record::storage_key(&config.storage_key, &record::scope(parts, ""), &config.base_url);
        let entry = registry::entry(&storage, &id, || {
            let entry = Rc::new(Entry {
                storage: storage.clone(),
                id: id.clone(),
                base_url: config.base_url.clone(),
                scope: OnceCell::new(),
                store: Rc::new(store),
                memo: RefCell::new(None),
                flights: RefCell::new(Vec::new()),
                next_flight: Cell::new(0),
                clients: RefCell::new(Vec::new()),
                hydration: RefCell::new(None),
                other_tabs: RefCell::new(None),
                listening: Cell::new(false),
                redactor: redactor.clone(),
            });
            entry.start(config, parts);
            entry
        });
        (entry, note)
    }

    /// Reads the salt (when there are credentials to hide) and the record.
    fn start(self: &Rc<Entry>, config: &Config, parts: &[String]) {
        let salt_key = record::salt_key(&config.storage_key);
        // The salt is read (or made) only when there is something to hide.
        let salt = if parts.is_empty() { Ok(String::new()) } else { self.store.salt(&salt_key) };
        match salt {
            Ok(salt) => {
                self.set_scope(record::scope(parts, &salt), &config.storage_key);
                if let Read::Later(pending) = self.store.first_read(self.store.key()) {
                    self.hydrate_later(None, Some(pending));
                }
            }
            Err(pending) => {
                let salt = PendingSalt { pending, salt_key, parts: parts.to_vec(), prefix: config.storage_key.clone() };
                self.hydrate_later(Some(salt), None);
            }
        }
    }

    /// Starts hearing other tabs and realms, once: when a client of the record
    /// adds a listener (a client that only reads `cached()` reads its store,
    /// which is current anyway). A new client costs no event listener or
    /// channel until then: registering the first `storage` listener and
    /// opening a channel cost a cold page milliseconds.
    pub(super) fn listen(self: &Rc<Entry>) {
        if self.listening.replace(true) {
            return;
        }
        if self.store.is_local_storage() {
            // A weak handle: the listener must not keep a released entry alive.
            let weak = Rc::downgrade(self);
            let listener = OtherTabs::listen(self.key().to_owned(), move |text| {
                if let (Some(entry), Some(text)) = (weak.upgrade(), text) {
                    entry.tell_clients(&text, None);
                }
            });
            *self.other_tabs.borrow_mut() = listener;
        }
        sync::open_channel();
    }

    fn set_scope(&self, scope: String, prefix: &str) {
        self.store.set_key(record::storage_key(prefix, &scope, &self.base_url));
        let _ = self.scope.set(scope);
    }

    /// Reads an asynchronous store in the background (the salt first, when it is pending).
    fn hydrate_later(self: &Rc<Entry>, salt: Option<PendingSalt>, read: Option<Promise>) {
        let weak = Rc::downgrade(self);
        let store = self.store.clone();
        let hydration = async move {
            let read = match (salt, read) {
                (Some(salt), _) => {
                    let value = store.salt_later(&salt.salt_key, salt.pending).await;
                    let Some(entry) = weak.upgrade() else { return };
                    entry.set_scope(record::scope(&salt.parts, &value), &salt.prefix);
                    store.first_read(store.key())
                }
                (None, Some(pending)) => Read::Later(pending),
                (None, None) => Read::Now(None),
            };
            let text = store.settle(read).await;
            store.hydrate(text.clone());
            let Some(entry) = weak.upgrade() else { return };
            *entry.hydration.borrow_mut() = None;
            // Every client hears the stored record as a change.
            if let Some(text) = text {
                entry.tell_clients(&text, None);
            }
        }
        .boxed_local()
        .shared();
        *self.hydration.borrow_mut() = Some(hydration.clone());
        wasm_bindgen_futures::spawn_local(hydration);
    }

    /// The read of the store, while it is under way.
    pub(super) fn hydration(&self) -> Option<Hydration> {
        self.hydration.borrow().clone()
    }

    /// The storage key; empty until an asynchronous store gave its salt.
    pub(super) fn key(&self) -> &str {
        self.store.key()
    }

    /// The record's scope; empty until known.
    pub(super) fn scope(&self) -> &str {
        self.scope.get().map_or("", String::as_str)
    }

    /// A new client of this entry.
    pub(super) fn add_client(&self, client: &Rc<ClientState>) {
        let mut clients = self.clients.borrow_mut();
        clients.retain(|w| w.strong_count() > 0);
        clients.push(Rc::downgrade(client));
    }

    /// The live clients.
    pub(super) fn clients(&self) -> Vec<Rc<ClientState>> {
        self.clients.borrow().iter().filter_map(Weak::upgrade).collect()
    }

    /// The stored text and its record, walked only when the text changed;
    /// `None` while the store is being read. `max_bytes` bounds the text
    /// walked (the reader's `maxBytes`).
    pub(super) fn stored(&self, max_bytes: u64) -> Option<(JsValue, Rc<StoredRecord>)> {
        if self.hydration.borrow().is_some() {
            return None;
        }
        let text = self.store.read_js()?;
        let rec = self.walked(&text, max_bytes)?;
        Some((text, rec))
    }

    /// The record of a text: the memo when the text is the one walked last,
    /// else walked now. A corrupt, partial, other-version or other-scope
    /// record is `None`, never trusted.
    pub(super) fn walked(&self, text: &JsValue, max_bytes: u64) -> Option<Rc<StoredRecord>> {
        let known = self.memo.borrow().as_ref().filter(|(t, _)| t == text).map(|(_, r)| r.clone());
        if known.is_some() {
            return known;
        }
        // Longer than the limit in UTF-16 units means longer in UTF-8 bytes
        // too: refused before it is read.
        let head = record::head_allowance(&self.base_url, self.scope());
        if u64::from(text.unchecked_ref::<JsString>().length()) > max_bytes.saturating_add(head) {
            return None;
        }
        // Read a window at a time: the record is never whole in wasm memory.
        let decoded = redact::scoped(&self.redactor, || {
            let mut reader = record::RecordReader::new();
            read_utf8_windows(text.unchecked_ref(), |window| reader.feed(window));
            reader.finish(&self.base_url, self.scope())
        });
        let rec = Rc::new(decoded.ok()?);
        self.remember(text, &rec);
        Some(rec)
    }

    fn remember(&self, text: &JsValue, rec: &Rc<StoredRecord>) {
        *self.memo.borrow_mut() = Some((text.clone(), rec.clone()));
    }

    /// The largest `maxBytes` of the clients: what a text from elsewhere may be.
    fn reader_limit(&self) -> u64 {
        self.clients().iter().map(|c| c.config.max_bytes).max().unwrap_or(0)
    }

    /// Stores a body as the record and remembers it as validated. Every
    /// client hears of it (but `except`, which announces its own result), in
    /// other realms through the channel.
    pub(super) fn save(&self, body: &JsString, checked: &StoredRecord, except: Option<&ClientState>) {
        let head = record::head(&self.base_url, self.scope(), checked);
        let text: JsValue = JsString::from(head.as_str()).concat(body).concat(&"}".into()).into();
        self.store.write(&text);
        let rec = StoredRecord { body: head.len()..head.len() + body.length() as usize, ..checked.clone() };
        self.remember(&text, &Rc::new(rec));
        self.tell_clients(&text, except);
        // Other realms hear of it (the channel opens with the first record stored).
        sync::open_channel();
        sync::post(self.key(), &text);
    }

    /// Tells the clients of a record written elsewhere (by a client of this
    /// entry, another tab, or this entry's hydration).
    pub(super) fn tell_clients(&self, text: &JsValue, except: Option<&ClientState>) {
        for client in self.clients() {
            if !except.is_some_and(|e| std::ptr::eq(e, Rc::as_ptr(&client))) {
                client.heard(text);
            }
        }
    }

    /// A record another realm stored. Unless the store already holds it (the
    /// same `localStorage` or IndexedDB), a valid record at least as recent
    /// as the stored one is kept (a worker's record reaches the page's
    /// storage, a page's record a worker's memory); then the clients hear of it.
    pub(super) fn adopt(&self, text: &JsValue) {
        let limit = self.reader_limit();
        if self.hydration.borrow().is_some() {
            return;
        }
        // Only a record some client here may read is kept (one from the
        // future, too large or with warnings for strict readers is not).
        let clients = self.clients();
        let acceptable = |rec: &Rc<StoredRecord>| clients.iter().any(|c| c.accepts(rec));
        let Some(rec) = self.walked(text, limit).filter(acceptable) else { return };
        let newer = match self.store.read_js() {
            None => true,
            Some(current) if current == *text => false,
            Some(current) => {
                self.walked(&current, limit).filter(acceptable).map_or(true, |r| rec.fetched_at >= r.fetched_at)
            }
        };
        if newer {
            self.store.write(text);
            self.remember(text, &rec);
        }
        self.tell_clients(text, None);
    }

    /// Notes that the stored catalog was found unchanged at `at_ms` (and so
    /// was not rewritten): a tab that waited for the refresh lock meanwhile
    /// takes it instead of asking again.
    pub(super) fn note_unchanged(&self, at_ms: f64) {
        // Whole milliseconds as an integer: no float formatting in the module.
        self.store.write_note(&(at_ms.max(0.0) as u64).to_string());
    }

    /// Whether another tab found the stored catalog unchanged at `since_ms` or later.
    pub(super) async fn unchanged_since(&self, since_ms: f64) -> bool {
        self.store.read_note().await.and_then(|n| n.parse::<u64>().ok()).is_some_and(|at| at as f64 >= since_ms)
    }

    /// Reads the record again from an asynchronous store, which this realm
    /// otherwise answers from its held copy: another tab may have stored it.
    pub(super) async fn reread(&self) {
        self.store.reread().await;
    }

    /// Removes the stored record.
    pub(super) fn clear(&self) {
        self.store.remove();
        *self.memo.borrow_mut() = None;
    }

    /// The refresh under way for requests with `client`'s headers, else a new
    /// one started with `client`'s settings; `client` is served by it either way.
    pub(super) fn join_flight(self: &Rc<Entry>, client: &Rc<ClientState>, background: bool) -> Rc<Flight> {
        let found = self.flights.borrow().iter().find(|f| f.headers == client.config.headers).cloned();
        let flight = found.unwrap_or_else(|| {
            let id = self.next_flight.get() + 1;
            self.next_flight.set(id);
            let (future, controller) = match AbortController::new() {
                Ok(controller) => {
                    let run = flight::run(Rc::downgrade(self), Rc::downgrade(client), id, controller.signal());
                    (run.boxed_local().shared(), controller)
                }
                // Only a platform without AbortController lands here; it gets an error, not a trap.
                Err(_) => {
                    let missing = Error::Network { message: "this platform has no AbortController".into() };
                    let controller: AbortController = JsValue::from(js_sys::Object::new()).unchecked_into();
                    (futures_util::future::ready(Err(missing)).boxed_local().shared(), controller)
                }
            };
            let flight = Rc::new(Flight::new(id, client.config.headers.clone(), future, controller, background));
            self.flights.borrow_mut().push(flight.clone());
            flight
        });
        flight.serve(client);
        flight
    }

    /// The flight `id`, while it runs.
    pub(super) fn flight(&self, id: u64) -> Option<Rc<Flight>> {
        self.flights.borrow().iter().find(|f| f.id == id).cloned()
    }

    /// Ends flight `id`: later calls start a new one.
    pub(super) fn end_flight(&self, id: u64) {
        self.flights.borrow_mut().retain(|f| f.id != id);
    }
}

/// A salt an asynchronous store has yet to give, and what the scope is made of.
struct PendingSalt {
    pending: Promise,
    salt_key: String,
    parts: Vec<String>,
    prefix: String,
}
