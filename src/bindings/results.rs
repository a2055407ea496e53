//! Results as JS objects: the fixed fields set on a fresh object, `resources`
//! made by the engine's own `JSON.parse` of the validated text.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::client::{Client, Snapshot};
use crate::domain::error::Error;
use crate::domain::result::Source;
use crate::domain::walk::Walk;
use crate::web::body::{feed_walk, read_utf8_windows};
use crate::web::text::{as_bytes, decode_text, json_parse, well_formed, TextValue, ENCODER};

/// A result as the JS API gives it: fixed, known keys on a fresh object (nothing
/// from the body is used as a key here), `resources` from `JSON.parse`.
pub(crate) fn snapshot_to_js(snapshot: &Snapshot) -> JsValue {
    let out = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    };
    let hash = JsValue::from_str(&snapshot.hash);
    set("hash", &hash);
    set("resources", &snapshot.resources_js());
    set("source", &JsValue::from_str(if snapshot.source == Source::Network { "network" } else { "cache" }));
    set("changed", &JsValue::from_bool(snapshot.changed));
    set("previousHash", &snapshot.previous_hash.as_deref().map_or(JsValue::NULL, JsValue::from_str));
    set("fetchedAt", &JsValue::from_f64(snapshot.fetched_at));
    set("stale", &JsValue::from_bool(snapshot.stale));
    set("warnings", &strings(&snapshot.warnings));
    out.into()
}

/// A JS array of strings.
fn strings(list: &[String]) -> JsValue {
    list.iter().map(|w| JsValue::from_str(w)).collect::<js_sys::Array>().into()
}

pub(crate) fn parse_resources_inner(body: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    let (strict, max_bytes) = super::options::parse_options(options)?;
    let too_large = || Error::ResponseTooLarge { status: 200, max_bytes };
    // The body is read a window at a time, never copied into wasm memory whole
    // (which never shrinks): see `web::body`.
    let mut walk = Walk::catalog(200, strict, None);
    // The walk's verdict on the body's bytes, and the text JSON.parse will read.
    let text = if body.is_string() {
        let value: &TextValue = body.unchecked_ref();
        // At least one UTF-8 byte per UTF-16 unit.
        if u64::from(value.length()) > max_bytes {
            return Err(too_large());
        }
        let len = read_utf8_windows(value, |window| walk.feed(window));
        if len > max_bytes {
            return Err(too_large());
        }
        let checked = walk.judge(200, None)?.checked;
        // A string with lone surrogates would be read differently by the two
        // sides (TextEncoder turns them into U+FFFD); JSON.parse then reads the
        // text the walk read. One byte per UTF-16 unit means pure ASCII:
        // nothing to check then.
        let text = if len == u64::from(value.length()) || well_formed(body) {
            body.clone().unchecked_into()
        } else {
            decode_text(&ENCODER.with(|e| e.encode(value))).ok_or(Error::TextTooLong { status: 200 })?
        };
        // RFC 8259 allows ignoring a byte order mark; JSON.parse does not.
        let text = if text.char_code_at(0) == 0xFEFF as f64 { text.slice(1, text.length()) } else { text };
        (text, checked)
    } else if let Some(array) = as_bytes(body) {
        if u64::from(array.length()) > max_bytes {
            return Err(too_large());
        }
        feed_walk(&mut walk, &array);
        let walked = walk.judge(200, None)?;
        // Decoded by the engine from the caller's array, once its bytes are
        // known to be valid: the JSON text alone (no BOM or whitespace around).
        let range = array.subarray(walked.text.start as u32, walked.text.end as u32);
        (decode_text(&range).ok_or(Error::TextTooLong { status: 200 })?, walked.checked)
    } else {
        return Err(Error::options("parseResources: body must be a string, Uint8Array or ArrayBuffer"));
    };
    let (text, checked) = text;
    let invalid = |m: &str| Error::invalid(200, "data", m);
    let root = json_parse(&text).map_err(|_| invalid("JSON.parse failed on a validated body"))?;
    let data = Reflect::get(&root, &JsValue::from_str("data")).map_err(|_| invalid("unreadable"))?;
    let resources = Reflect::get(&data, &JsValue::from_str("resources")).map_err(|_| invalid("unreadable"))?;
    let warnings = strings(&checked.warnings);
    // Fixed, known keys on a fresh object: nothing from the body is used as a key here.
    let out = Object::new();
    let _ = Reflect::set(&out, &JsValue::from_str("hash"), &JsValue::from_str(&checked.hash));
    let _ = Reflect::set(&out, &JsValue::from_str("resources"), &resources);
    let _ = Reflect::set(&out, &JsValue::from_str("warnings"), &warnings);
    Ok(out.into())
}

/// The result of `cached()`: the stored record, walked once per distinct text,
/// materialised by `JSON.parse`; `null` when there is none.
pub(crate) fn cached_to_js(client: &Client) -> JsValue {
    client.cached_snapshot().map_or(JsValue::NULL, |s| snapshot_to_js(&s))
}
