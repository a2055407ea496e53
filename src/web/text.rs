//! Text crossing between JS strings and wasm memory: UTF-8 bytes written by
//! `TextEncoder.encodeInto` (a window at a time, see [`super::body`]),
//! strings decoded by `TextDecoder`, `JSON.parse`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The bytes of a `Uint8Array` or `ArrayBuffer`.
pub(crate) fn as_bytes(body: &JsValue) -> Option<js_sys::Uint8Array> {
    if let Some(array) = body.dyn_ref::<js_sys::Uint8Array>() {
        return Some(array.clone());
    }
    body.dyn_ref::<js_sys::ArrayBuffer>().map(|buffer| js_sys::Uint8Array::new(buffer))
}

#[wasm_bindgen]
extern "C" {
    /// A JS string, as received (never copied).
    pub(crate) type TextValue;
    /// `String.prototype.length`, in UTF-16 units.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn length(this: &TextValue) -> u32;
    /// `String.prototype.substring`.
    #[wasm_bindgen(method)]
    pub(crate) fn substring(this: &TextValue, start: u32) -> TextValue;
    /// The encoder behind [`super::body::read_utf8_windows`].
    pub(crate) type Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new_encoder() -> Encoder;
    /// `TextEncoder.prototype.encodeInto`: writes into wasm memory directly.
    #[wasm_bindgen(method, js_name = encodeInto)]
    pub(crate) fn encode_into(this: &Encoder, text: &TextValue, into: &js_sys::Uint8Array) -> EncodeProgress;
    /// `TextEncoder.prototype.encode`, into JavaScript memory.
    #[wasm_bindgen(method)]
    pub(crate) fn encode(this: &Encoder, text: &TextValue) -> js_sys::Uint8Array;
    /// The decoder of byte bodies.
    pub(crate) type Decoder;
    #[wasm_bindgen(constructor, js_class = "TextDecoder")]
    fn new_decoder() -> Decoder;
    /// `TextDecoder.prototype.decode`; throws past the engine's longest string.
    #[wasm_bindgen(method, catch)]
    fn decode(this: &Decoder, bytes: &js_sys::Uint8Array) -> Result<JsValue, JsValue>;
    /// `{ read, written }` of `encodeInto`.
    pub(crate) type EncodeProgress;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn read(this: &EncodeProgress) -> u32;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn written(this: &EncodeProgress) -> u32;
    /// `String.prototype.isWellFormed` (Node 20, Chromium 111); throws where missing.
    #[wasm_bindgen(method, catch, js_name = isWellFormed)]
    fn is_well_formed(this: &TextValue) -> Result<bool, JsValue>;
    /// `JSON.parse` of a JS string without copying it through wasm memory.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    pub(crate) fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// Whether a JS string has no lone surrogates (assumed not, where unknown).
pub(crate) fn well_formed(s: &JsValue) -> bool {
    s.unchecked_ref::<TextValue>().is_well_formed().unwrap_or(false)
}

thread_local! {
    pub(crate) static ENCODER: Encoder = Encoder::new_encoder();
    static DECODER: Decoder = Decoder::new_decoder();
}

/// The most bytes decoded into one string: Node ends the process when asked
/// to decode more than 2^31 - 1 (a failed check in V8, not an exception),
/// and no engine holds a string of 2^30 characters.
const MAX_TEXT_BYTES: u32 = 1 << 30;

/// UTF-8 `bytes` (in JavaScript memory) as a JS string; `None` when they are
/// more than one string can hold.
pub(crate) fn decode_text(bytes: &js_sys::Uint8Array) -> Option<js_sys::JsString> {
    if bytes.length() > MAX_TEXT_BYTES {
        return None;
    }
    DECODER.with(|d| d.decode(bytes)).ok().map(JsCast::unchecked_into)
}

/// A `Uint8Array` over a slice of wasm memory. Valid until the next allocation
/// (which may grow and detach the memory), so it is used at once.
pub(crate) fn memory_view(slice: &mut [u8]) -> js_sys::Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    js_sys::Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), slice.as_ptr() as u32, slice.len() as u32)
}
