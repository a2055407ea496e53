//! Results as JS objects: the fixed fields set on a fresh object, `resources`
//! made by the engine's own `JSON.parse` of the validated text.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::text::{as_bytes, json_parse, utf8_of, well_formed, TextValue, DECODER};
use crate::client::Client;
use crate::domain::error::Error;
use crate::domain::result::ResourcesResult;


pub(crate) fn result_to_js(result: &ResourcesResult) -> JsValue {
    js_sys::JSON::parse(&result.to_json()).unwrap_or(JsValue::NULL)
}


pub(crate) fn parse_resources_inner(body: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    let strict = super::options::parse_options_strict(options)?;
    // The text JSON.parse will read, and the bytes the validator reads.
    let (text, bytes) = if body.is_string() {
        let bytes = utf8_of(body);
        // A string with lone surrogates would be read differently by the two
        // sides (TextEncoder turns them into U+FFFD); JSON.parse then reads the
        // validated text instead. One byte per UTF-16 unit means pure ASCII:
        // nothing to check then.
        let ascii = bytes.len() == body.unchecked_ref::<TextValue>().length() as usize;
        let text = if ascii || well_formed(body) { body.clone() } else { JsValue::from_str(&String::from_utf8_lossy(&bytes)) };
        (text, bytes)
    } else if let Some(array) = as_bytes(body) {
        let bytes = array.to_vec();
        // Decoded by the engine from the caller's array (used only once the
        // bytes are known to be valid UTF-8); a BOM is dropped by TextDecoder.
        let text = DECODER.with(|d| d.decode(&array));
        (text, bytes)
    } else {
        return Err(Error::options("parseResources: body must be a string, Uint8Array or ArrayBuffer"));
    };
    let checked = crate::domain::validate::validate_success(&bytes, 200, None, strict)?;
    drop(bytes);
    let text: js_sys::JsString = text.unchecked_into();
    // RFC 8259 allows ignoring a byte order mark; JSON.parse does not.
    let text = if text.char_code_at(0) == 0xFEFF as f64 { text.slice(1, text.length()) } else { text };
    let invalid = |m: &str| Error::invalid(200, "data", m);
    let root = json_parse(&text).map_err(|_| invalid("JSON.parse failed on a validated body"))?;
    let data = Reflect::get(&root, &JsValue::from_str("data")).map_err(|_| invalid("unreadable"))?;
    let resources = Reflect::get(&data, &JsValue::from_str("resources")).map_err(|_| invalid("unreadable"))?;
    let warnings: js_sys::Array = checked.warnings.iter().map(|w| JsValue::from_str(w)).collect();
    // Fixed, known keys on a fresh object: nothing from the body is used as a key here.
    let out = Object::new();
    let _ = Reflect::set(&out, &JsValue::from_str("hash"), &JsValue::from_str(&checked.hash));
    let _ = Reflect::set(&out, &JsValue::from_str("resources"), &resources);
    let _ = Reflect::set(&out, &JsValue::from_str("warnings"), &warnings);
    Ok(out.into())
}

// ---------------------------------------------------------------------------
// cached(): the stored text, validated once, materialised by JSON.parse.

/// The result of `cached()`: `resources` comes from `JSON.parse` of the stored
/// text (validated when it was first read, recognised by `===` afterwards), so
/// a call costs about one `JSON.parse` of the record.
pub(crate) fn cached_to_js(client: &Client) -> JsValue {
    let Some((rec, due, text)) = client.cached_text() else { return JsValue::NULL };
    let resources = json_parse(&text).and_then(|record| Reflect::get(&record, &JsValue::from_str("resources")));
    let Ok(resources) = resources else {
        // Unreachable for a record that decoded; the serialising path stays correct.
        return client.cached().map_or(JsValue::NULL, |r| result_to_js(&r));
    };
    let warnings: js_sys::Array = rec.warnings.iter().map(|w| JsValue::from_str(w)).collect();
    let hash = JsValue::from_str(&rec.hash);
    // Fixed, known keys on a fresh object: nothing from storage is used as a key here.
    let out = Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    };
    set("hash", &hash);
    set("resources", &resources);
    set("source", &JsValue::from_str("cache"));
    set("changed", &JsValue::FALSE);
    set("previousHash", &hash);
    set("fetchedAt", &JsValue::from_f64(rec.fetched_at));
    set("stale", &JsValue::from_bool(due));
    set("warnings", &warnings);
    out.into()
}
