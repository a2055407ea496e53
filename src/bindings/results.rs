//! Results as JS objects: the fixed fields set on a fresh object, `resources`
//! made by the engine's own `JSON.parse` of the validated text.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::client::{Client, Snapshot};
use crate::domain::error::Error;
use crate::domain::result::Source;
use crate::web::body::Body;
use crate::web::text::{as_bytes, json_parse, utf8_of, well_formed, TextValue, DECODER};

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
    // Wasm memory never shrinks: a body over maxBytes is refused before it is
    // copied in, and one memory cannot take is refused too, never a trap.
    let too_large = || Error::ResponseTooLarge { status: 200, max_bytes };
    let beyond_memory = || Error::ResponseBeyondMemory { status: 200 };
    let check = |bytes: &[u8]| crate::domain::walk::check_body(bytes, 200, None, strict);
    // The text JSON.parse will read, and the walk's verdict on its bytes.
    let (text, checked) = if body.is_string() {
        // At least one UTF-8 byte per UTF-16 unit.
        if u64::from(body.unchecked_ref::<TextValue>().length()) > max_bytes {
            return Err(too_large());
        }
        let bytes = utf8_of(body).ok_or_else(beyond_memory)?;
        if bytes.len() as u64 > max_bytes {
            return Err(too_large());
        }
        // A string with lone surrogates would be read differently by the two
        // sides (TextEncoder turns them into U+FFFD); JSON.parse then reads the
        // validated text instead. One byte per UTF-16 unit means pure ASCII:
        // nothing to check then.
        let ascii = bytes.len() == body.unchecked_ref::<TextValue>().length() as usize;
        let text =
            if ascii || well_formed(body) { body.clone() } else { JsValue::from_str(&String::from_utf8_lossy(&bytes)) };
        (text, check(&bytes))
    } else if let Some(array) = as_bytes(body) {
        if u64::from(array.length()) > max_bytes {
            return Err(too_large());
        }
        // Judged in the module's one body buffer, as a response body is.
        let checked =
            Body::join(std::slice::from_ref(&array), array.length()).with_bytes(check).ok_or_else(beyond_memory)?;
        // Decoded by the engine from the caller's array (used only once the
        // bytes are known to be valid UTF-8); a BOM is dropped by TextDecoder.
        let text = DECODER.with(|d| d.decode(&array));
        (text, checked)
    } else {
        return Err(Error::options("parseResources: body must be a string, Uint8Array or ArrayBuffer"));
    };
    let checked = checked?;
    let text: js_sys::JsString = text.unchecked_into();
    // RFC 8259 allows ignoring a byte order mark; JSON.parse does not.
    let text = if text.char_code_at(0) == 0xFEFF as f64 { text.slice(1, text.length()) } else { text };
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
