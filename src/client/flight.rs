//! A refresh of a record: one request (with its retries) shared by every
//! client of the record that sends the same headers, stored and announced
//! when it succeeds, the stored catalog served when the network failed.

use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::{Rc, Weak};

use futures_util::future::{select, Either, LocalBoxFuture, Shared};
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal};

use super::entry::Entry;
use super::{cache_snapshot, sync, AttemptEvent, AttemptHook, BodyText, ClientState, Snapshot};
use crate::domain::error::Error;
use crate::domain::headers::request_headers;
use crate::domain::record::{Freshness, StoredRecord};
use crate::domain::result::Source;
use crate::domain::retry::{delay_ms, should_retry};
use crate::domain::url::resources_url;
use crate::domain::walk::Walked;
use crate::web::body::Body;
use crate::web::fetch::Attempt;
use crate::web::now_ms;
use crate::web::signal::aborted;
use crate::web::timer::sleep;

pub(super) type FlightOutput = Result<Rc<Snapshot>, Error>;

/// The one refresh under way for a record and a set of headers.
pub(crate) struct Flight {
    pub(super) id: u64,
    /// The request headers it was started with: a client sending other
    /// headers (a tenant's `x-org-id`) makes its own request.
    pub(super) headers: Vec<(String, String)>,
    pub(super) future: Shared<LocalBoxFuture<'static, FlightOutput>>,
    controller: AbortController,
    /// Callers still waiting; when the last one gives up the request is cancelled.
    pub(super) waiters: Cell<usize>,
    /// Started by `observe`: runs to the end even with no caller waiting.
    pub(super) background: Cell<bool>,
    /// The clients it serves: their attempt hooks hear each attempt.
    served: RefCell<Vec<Weak<ClientState>>>,
    /// The clients whose `observe` joined it: their error listeners hear a failure.
    observers: RefCell<Vec<Weak<ClientState>>>,
}

impl Flight {
    pub(super) fn new(
        id: u64,
        headers: Vec<(String, String)>,
        future: Shared<LocalBoxFuture<'static, FlightOutput>>,
        controller: AbortController,
        background: bool,
    ) -> Flight {
        Flight {
            id,
            headers,
            future,
            controller,
            waiters: Cell::new(0),
            background: Cell::new(background),
            served: RefCell::new(Vec::new()),
            observers: RefCell::new(Vec::new()),
        }
    }

    /// Counts `client` among those it serves.
    pub(super) fn serve(&self, client: &Rc<ClientState>) {
        add_once(&self.served, client);
    }

    /// Counts `client` among those that observed (and hear a failure).
    pub(super) fn observed_by(&self, client: &Rc<ClientState>) {
        add_once(&self.observers, client);
    }

    /// The attempt hooks of the clients it serves.
    fn hooks(&self) -> Vec<AttemptHook> {
        let served = self.served.borrow();
        served.iter().filter_map(Weak::upgrade).filter_map(|c| c.on_attempt.borrow().clone()).collect()
    }
}

fn add_once(list: &RefCell<Vec<Weak<ClientState>>>, client: &Rc<ClientState>) {
    let me = Rc::downgrade(client);
    if !list.borrow().iter().any(|c| c.ptr_eq(&me)) {
        list.borrow_mut().push(me);
    }
}

/// Removes a caller from a flight when its call ends, and cancels the request
/// when nobody is left to wait for it.
pub(super) struct Waiting {
    pub(super) entry: Weak<Entry>,
    pub(super) flight: Rc<Flight>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let left = self.flight.waiters.get().saturating_sub(1);
        self.flight.waiters.set(left);
        if left > 0 || self.flight.background.get() {
            return;
        }
        let Some(entry) = self.entry.upgrade() else { return };
        if entry.flight(self.flight.id).is_some() {
            entry.end_flight(self.flight.id);
            if self.flight.controller.is_instance_of::<AbortController>() {
                self.flight.controller.abort();
            }
        }
    }
}

/// One network refresh with its retries, made with the settings of the
/// client that started it.
pub(super) async fn run(entry: Weak<Entry>, starter: Weak<ClientState>, id: u64, cancel: AbortSignal) -> FlightOutput {
    let Some(hydration) = entry.upgrade().map(|e| e.hydration()) else { return Err(Error::Aborted) };
    // The stored hash and `maxAgeMs` hold on the first call of an asynchronous store too.
    if let Some(hydration) = hydration {
        if let Either::Right(_) = select(hydration, pin!(aborted(&cancel))).await {
            return Err(Error::Aborted);
        }
    }
    let (Some(entry), Some(this)) = (entry.upgrade(), starter.upgrade()) else { return Err(Error::Aborted) };
    let previous = this.record();
    let previous_hash = previous.as_ref().map(|(_, r)| r.hash.clone());
    let headers = request_headers(&this.config.headers, this.config.api_key.as_deref(), previous_hash.as_deref());
    let url = resources_url(&this.config.base_url);
    let started = now_ms().floor();
    // One tab of the origin refreshes a record at a time (Web Locks); see
    // [`sync::refresh_lock`] for when the lock is taken and how long it is awaited.
    let lock = if previous.is_none() {
        None
    } else {
        match select(pin!(sync::refresh_lock(entry.key(), this.config.timeout_ms)), pin!(aborted(&cancel))).await {
            Either::Left((lock, _)) => lock,
            Either::Right(_) => return finish(&entry, &this, id, previous, previous_hash, Err(Error::Aborted), false),
        }
    };
    if let Some(lock) = lock.as_ref().filter(|l| l.granted) {
        // A tab that waited finds the record another tab stored meanwhile and
        // takes it: one request for all of them, changed catalog or not. The
        // other tab's write reaches this tab's `localStorage` a moment after that
        // tab let the lock go (Chromium hands storage changes between processes
        // asynchronously), so a tab that had to wait looks again for a while.
        let looks = if lock.waited { RENEWAL_LOOKS } else { 1 };
        for look in 1..=looks {
            if lock.waited {
                entry.reread().await;
            }
            if let Some(snapshot) = renewed_elsewhere(&entry, &this, &previous, &previous_hash, started).await {
                entry.end_flight(id);
                return Ok(Rc::new(snapshot));
            }
            if look < looks {
                sleep(RENEWAL_LOOK_MS).await;
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
            strict: this.config.strict,
            redactor: &this.redactor,
        }
        .send()
        .await;
        let status = sent.as_ref().map_or(0, |reply| reply.status);
        let read = |reply: crate::web::fetch::Reply| {
            let walked = reply.verdict?;
            // The engine decodes the JSON text alone (no BOM or whitespace around it).
            let text = reply.body.text(walked.text.clone()).ok_or(Error::TextTooLong { status: reply.status })?;
            Ok((reply.body, walked, text))
        };
        let error = match sent.and_then(read) {
            Ok(valid) => {
                let event = AttemptEvent { attempt: attempt + 1, url: &url, status, error: None, retry_in_ms: None };
                tell_attempt(&entry, &this, id, &event);
                break Ok(valid);
            }
            // Redacted at once: the attempt event, the final error, `onError`
            // and the stale-serve warning are all built from this value.
            Err(e) => this.redactor.error(e),
        };
        let retry = should_retry(&error, attempt, this.config.retries);
        let wait = retry.then(|| delay_ms(&error, attempt, js_sys::Math::random()));
        let event = AttemptEvent { attempt: attempt + 1, url: &url, status, error: Some(&error), retry_in_ms: wait };
        tell_attempt(&entry, &this, id, &event);
        let Some(wait) = wait else { break Err(error.in_request(&url, attempt + 1)) };
        if let Either::Right(_) = select(pin!(sleep(wait)), pin!(aborted(&cancel))).await {
            break Err(Error::Aborted);
        }
        attempt += 1;
    };
    // Under the lock, an unchanged catalog is noted for the tabs waiting for it.
    let locked = lock.as_ref().is_some_and(|l| l.granted);
    let output = finish(&entry, &this, id, previous, previous_hash, outcome, locked);
    drop(lock);
    output
}

/// How often, and how far apart, a realm that waited for the lock looks for
/// what the realm before it stored (100 ms in all, before it asks the network).
const RENEWAL_LOOKS: u32 = 10;
const RENEWAL_LOOK_MS: u64 = 10;

/// The snapshot of a record another realm stored (or found unchanged) since
/// this refresh began, announced to `this` client; `None` when there is none.
async fn renewed_elsewhere(
    entry: &Entry,
    this: &ClientState,
    previous: &Option<(wasm_bindgen::JsValue, Rc<StoredRecord>)>,
    previous_hash: &Option<String>,
    started: f64,
) -> Option<Snapshot> {
    let (text, rec) = this.record()?;
    let moved = previous.as_ref().map_or(true, |(t, _)| *t != text);
    // Stored by another realm since this call began, or found unchanged by it
    // (an unchanged record is not rewritten: see `Entry::note_unchanged`).
    let renewed = if moved { rec.fetched_at >= started } else { entry.unchanged_since(started).await };
    if !renewed || rec.stale {
        return None;
    }
    this.refresh_asked.set(false);
    let mut snapshot = cache_snapshot(&text, &rec, false, None);
    snapshot.changed = previous_hash.as_deref() != Some(rec.hash.as_str());
    snapshot.previous_hash = previous_hash.clone();
    this.announce(&snapshot);
    Some(snapshot)
}

/// Tells the attempt hooks of every client the flight serves (the starter's
/// too, should the flight have been ended for it).
fn tell_attempt(entry: &Entry, starter: &ClientState, id: u64, event: &AttemptEvent) {
    let hooks = match entry.flight(id) {
        Some(flight) => flight.hooks(),
        None => starter.on_attempt.borrow().iter().cloned().collect(),
    };
    for hook in hooks {
        hook(event);
    }
}

/// Ends a flight: reports a background failure to the clients that observed,
/// stores and announces a success, or serves the stored catalog when the
/// network (not the server's judgement) failed.
fn finish(
    entry: &Rc<Entry>,
    this: &ClientState,
    id: u64,
    previous: Option<(wasm_bindgen::JsValue, Rc<StoredRecord>)>,
    previous_hash: Option<String>,
    outcome: Result<(Body, Walked, js_sys::JsString), Error>,
    locked: bool,
) -> FlightOutput {
    let observers = entry.flight(id).filter(|f| f.background.get()).map(|f| f.observers.take());
    entry.end_flight(id);
    if let (Err(error), Some(observers)) = (&outcome, observers) {
        if !matches!(error, Error::Aborted) {
            for observer in observers.iter().filter_map(Weak::upgrade) {
                observer.report(error);
            }
        }
    }
    match outcome {
        Ok((reply, Walked { checked, text }, body)) => {
            let fetched_at = now_ms();
            let mut rec = StoredRecord::walked(checked, fetched_at);
            if !this.stored_copy_will_do(&body, fetched_at) {
                // The record's checksum, taken only for a record that is
                // written (an unchanged catalog is not), a window at a time.
                rec.body_sum = reply.sum(text);
                entry.save(&body, &rec, Some(this));
            } else if locked {
                entry.note_unchanged(fetched_at);
            }
            drop(reply);
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

impl ClientState {
    /// Whether the stored record already holds `body` and may stay as it is
    /// (see [`Freshness::keeps_unchanged_copy`]).
    fn stored_copy_will_do(&self, body: &js_sys::JsString, now: f64) -> bool {
        let Some((text, rec)) = self.record() else { return false };
        Freshness::of(&rec, now, self.config.max_age_ms).keeps_unchanged_copy()
            && wasm_bindgen::JsValue::from(super::body_of(&text, &rec)) == wasm_bindgen::JsValue::from(body.clone())
    }
}
