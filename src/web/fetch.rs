//! One HTTP attempt: send a GET through `fetch` (the global one or the caller's),
//! follow its redirects, read the body while counting bytes and walking it
//! as it arrives (a chunk is judged while the next downloads), and give up
//! on timeout or abort.
//!
//! Redirects: outside browsers the request is made with `redirect: "manual"`
//! and each hop is followed here, so a loop is seen at once (one request per
//! distinct URL, at most [`MAX_REDIRECTS`]) and a hop to another origin is
//! refused before anything is sent there, or, when the caller allows it, sent
//! without credential headers (the Fetch standard drops only `Authorization`).
//! Browsers hide a manual redirect's target, so there `fetch` follows them and
//! the final URL is checked: a response from another origin is refused.

use std::pin::pin;
use std::rc::Rc;

use futures_util::future::{select, Either};
use gloo_net::http::{Request, Response};
use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, RequestCache, RequestRedirect};

use super::body::{feed_walk, Body, Streaming};
use super::signal::aborted;
use super::timer::sleep;
use super::{js_message, now_ms, resolve_url};
use crate::domain::error::Error;
use crate::domain::headers::{parse_retry_after, without_credentials};
use crate::domain::redact::{self, Redactor};
use crate::domain::text::parse_u64;
use crate::domain::url::{is_redirect, origin_of, MAX_REDIRECTS};
use crate::domain::walk::{Walk, Walked};

/// What came back from one attempt, read in full.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body (at most the limit), in JavaScript memory: see [`super::body`].
    pub body: Body,
    /// The walk's verdict: a 2xx body's findings and where its JSON text
    /// lies, or the error the response comes to (its credentials not yet redacted).
    pub verdict: Result<Walked, Error>,
}

/// How one attempt is made.
pub struct Attempt<'a> {
    /// Absolute URL.
    pub url: &'a str,
    /// Request headers.
    pub headers: &'a [(String, String)],
    /// Caller-supplied `fetch`; the global one when `None`.
    pub fetch: Option<&'a Function>,
    /// Largest accepted body.
    pub max_bytes: u64,
    /// Time limit of this attempt; `0` for none.
    pub timeout_ms: u64,
    /// Cancels the attempt when it aborts.
    pub cancel: &'a AbortSignal,
    /// Follow redirects here (`redirect: "manual"`): where the platform shows
    /// a redirect's target, that is everywhere but in browsers.
    pub manual_redirects: bool,
    /// Follow a redirect to another origin (without credentials) instead of refusing it.
    pub cross_origin: bool,
    /// Whether the walk reports surprises as errors.
    pub strict: bool,
    /// The credentials the walk's messages must not quote.
    pub redactor: &'a Rc<Redactor>,
}

impl Attempt<'_> {
    /// Sends the request and reads the whole response, within the time limit.
    pub async fn send(&self) -> Result<Reply, Error> {
        let controller = AbortController::new().map_err(|e| Error::Network { message: js_message(&e) })?;
        // Stops the request on the wire, not only our interest in it, whenever
        // this attempt ends early: on timeout or abort, and also when the
        // future is dropped unfinished (the last caller of a shared request
        // went away, so nobody polls it any more).
        let mut guard = AbortOnDrop(Some(controller.clone()));
        let work = pin!(self.exchange(controller.signal()));
        let limit = pin!(deadline(self.timeout_ms));
        let cancelled = pin!(aborted(self.cancel));
        let outcome = match select(work, select(limit, cancelled)).await {
            Either::Left((reply, _)) => {
                guard.disarm();
                return reply;
            }
            Either::Right((Either::Left(_), _)) => Error::Timeout { timeout_ms: self.timeout_ms },
            Either::Right((Either::Right(_), _)) => Error::Aborted,
        };
        Err(outcome)
    }

    /// Sends the request to `url` with the headers that may go there.
    async fn send_to(&self, url: &str, signal: &AbortSignal) -> Result<Response, Error> {
        // The client keeps its own cache; an HTTP cache in between would hide
        // the server's current answer (Chromium keeps a 410 without
        // Cache-Control forever, and would replay it without asking).
        let mut builder = Request::get(url).abort_signal(Some(signal)).cache(RequestCache::NoStore);
        if self.manual_redirects {
            builder = builder.redirect(RequestRedirect::Manual);
        }
        let elsewhere = origin_of(url) != origin_of(self.url);
        let stripped;
        let headers = if elsewhere {
            stripped = without_credentials(self.headers);
            &stripped[..]
        } else {
            self.headers
        };
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        let request: web_sys::Request = builder.build().map_err(|e| Error::Network { message: e.to_string() })?.into();
        let promise = self.call_fetch(&request)?;
        let raw = JsFuture::from(promise).await.map_err(|e| Error::Network { message: js_message(&e) })?;
        if !raw.is_object() {
            return Err(Error::Network { message: "fetch did not resolve to a Response".into() });
        }
        Ok(Response::from(raw.unchecked_into::<web_sys::Response>()))
    }

    /// The error of a redirect to `target`'s origin, which the caller did not allow.
    fn cross_origin(status: u16, target: &str) -> Error {
        let origin = origin_of(target).unwrap_or_else(|| "an unknown origin".into());
        Error::Redirect {
            status,
            message: format!(
                "redirected to another origin ({origin}); not followed, since the catalog would be stored as this \
                 base URL's (pass allowCrossOriginRedirects: true to follow it, without credentials)"
            ),
            cross_origin: true,
        }
    }

    async fn exchange(&self, signal: AbortSignal) -> Result<Reply, Error> {
        let mut url = self.url.to_owned();
        let mut visited: Vec<String> = Vec::new();
        let response = loop {
            let response = self.send_to(&url, &signal).await?;
            let status = response.status();
            let location =
                if self.manual_redirects && is_redirect(status) { response.headers().get("location") } else { None };
            let Some(location) = location else { break response };
            if let Some(stream) = response.body() {
                let _ = stream.cancel();
            }
            let too_many = |message: String| Error::Redirect { status, message, cross_origin: false };
            let next = resolve_url(&location, &url)
                .ok_or_else(|| too_many("redirected to a Location that is not a URL".into()))?;
            visited.push(std::mem::take(&mut url));
            if visited.contains(&next) {
                return Err(too_many("redirect loop: a redirect leads back to a URL already requested".into()));
            }
            if visited.len() > MAX_REDIRECTS {
                return Err(too_many(format!("more than {MAX_REDIRECTS} redirects")));
            }
            if !self.cross_origin && origin_of(&next) != origin_of(self.url) {
                return Err(Self::cross_origin(status, &next));
            }
            url = next;
        };
        let status = response.status();
        // Where `fetch` followed redirects itself (browsers, or a custom
        // `fetch` that ignores the mode), the final URL tells where it went.
        if !self.cross_origin && response.redirected() && origin_of(&response.url()) != origin_of(self.url) {
            if let Some(stream) = response.body() {
                let _ = stream.cancel();
            }
            return Err(Self::cross_origin(status, &response.url()));
        }
        let headers = response.headers();
        let content_type = headers.get("content-type");
        let retry_after_ms = headers.get("retry-after").and_then(|v| parse_retry_after(&v, now_ms()));
        let too_large = Error::ResponseTooLarge { status, max_bytes: self.max_bytes };
        let declared = headers.get("content-length").and_then(|v| parse_u64(v.trim()));
        if declared.is_some_and(|len| len > self.max_bytes) {
            if let Some(stream) = response.body() {
                let _ = stream.cancel();
            }
            return Err(too_large);
        }
        let success = (200..300).contains(&status);
        let mut walk = redact::scoped(self.redactor, || {
            // The declared length sizes nothing: a header could claim any length.
            if success {
                Walk::catalog(status, self.strict, None)
            } else {
                Walk::failure()
            }
        });
        let body = match response.body() {
            Some(stream) => {
                self.read_limited(stream.get_reader().unchecked_into(), &mut walk).await?.ok_or(too_large)?
            }
            None => Body::empty(),
        };
        let ct = content_type.as_deref();
        let verdict = redact::scoped(self.redactor, || {
            if success {
                walk.judge(status, ct)
            } else {
                Err(walk.failure_error(status, ct, retry_after_ms))
            }
        });
        Ok(Reply { status, body, verdict })
    }

    /// Reads a body stream to the end, its chunks kept in JavaScript memory
    /// and fed to `walk` as they come (or, when [`super::body::MAX_STREAMING`]
    /// bodies are being walked already, once the body is whole); `Ok(None)` as
    /// soon as it exceeds the limit (the stream is cancelled then, so the rest
    /// is never downloaded).
    async fn read_limited(&self, reader: ReadableStreamDefaultReader, walk: &mut Walk) -> Result<Option<Body>, Error> {
        let streaming = Streaming::take();
        let feed = |walk: &mut Walk, chunk: &Uint8Array| {
            redact::scoped(self.redactor, || feed_walk(walk, chunk));
        };
        let mut chunks: Vec<Uint8Array> = Vec::new();
        let mut len: u64 = 0;
        let field = |obj: &JsValue, name: &str| {
            js_sys::Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
        };
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|e| Error::Network { message: format!("reading the body failed: {}", js_message(&e)) })?;
            if field(&chunk, "done").is_truthy() {
                // A body past 4 GiB cannot be held in one array.
                let Ok(len) = u32::try_from(len) else { return Ok(None) };
                if streaming.is_none() {
                    for chunk in &chunks {
                        feed(walk, chunk);
                    }
                }
                return Ok(Some(Body::join(&chunks, len)));
            }
            let Ok(bytes) = field(&chunk, "value").dyn_into::<Uint8Array>() else {
                return Err(Error::Network { message: "the body stream yielded a non-byte chunk".into() });
            };
            len += u64::from(bytes.length());
            if len > self.max_bytes {
                let _ = reader.cancel();
                return Ok(None);
            }
            if streaming.is_some() {
                feed(walk, &bytes);
            }
            chunks.push(bytes);
        }
    }

    fn call_fetch(&self, request: &web_sys::Request) -> Result<Promise, Error> {
        let global = js_sys::global();
        let fetch = match self.fetch {
            Some(f) => f.clone(),
            None => js_sys::Reflect::get(&global, &JsValue::from_str("fetch"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| Error::Network { message: "no global fetch; pass options.fetch".into() })?,
        };
        // A user fetch may throw synchronously or return a non-promise; both are handled.
        let returned = fetch.call1(&global, request).map_err(|e| Error::Network { message: js_message(&e) })?;
        Ok(Promise::resolve(&returned))
    }
}

/// Aborts its controller when dropped, unless disarmed first.
struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }
}

/// Never resolves when `ms` is 0 (no time limit).
async fn deadline(ms: u64) {
    if ms == 0 {
        std::future::pending::<()>().await
    } else {
        sleep(ms).await
    }
}
