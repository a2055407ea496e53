//! Text crossing between JS strings and wasm memory: UTF-8 bytes written by
//! `TextEncoder.encodeInto`, strings decoded by `TextDecoder`, `JSON.parse`.

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
    fn substring(this: &TextValue, start: u32) -> TextValue;
    /// The encoder behind [`utf8_of`].
    type Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new_encoder() -> Encoder;
    /// `TextEncoder.prototype.encodeInto`: writes into wasm memory directly.
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &Encoder, text: &TextValue, into: &js_sys::Uint8Array) -> EncodeProgress;
    /// The decoder of byte bodies.
    pub(crate) type Decoder;
    #[wasm_bindgen(constructor, js_class = "TextDecoder")]
    fn new_decoder() -> Decoder;
    /// `TextDecoder.prototype.decode`.
    #[wasm_bindgen(method)]
    pub(crate) fn decode(this: &Decoder, bytes: &js_sys::Uint8Array) -> JsValue;
    /// `{ read, written }` of `encodeInto`.
    type EncodeProgress;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeProgress) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeProgress) -> u32;
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
    static ENCODER: Encoder = Encoder::new_encoder();
    pub(crate) static DECODER: Decoder = Decoder::new_decoder();
}

/// The UTF-8 bytes of a JS string, written by `TextEncoder.encodeInto` straight
/// into wasm memory: one native pass, where the generic string glue first copies
/// ASCII one character at a time in JS. `None` when wasm memory cannot take
/// them (an allocation failure would trap the module).
pub(crate) fn utf8_of(text: &JsValue) -> Option<Vec<u8>> {
    let mut text: TextValue = text.clone().unchecked_into();
    let mut out: Vec<u8> = Vec::new();
    // ASCII needs one byte per UTF-16 unit; anything else gets more room below.
    let mut room = text.length() as usize;
    ENCODER.with(|encoder| loop {
        let start = out.len();
        out.try_reserve_exact(room).ok()?;
        out.resize(start + room, 0);
        let view = memory_view(&mut out[start..]);
        let progress = encoder.encode_into(&text, &view);
        out.truncate(start + progress.written() as usize);
        let read = progress.read();
        if read >= text.length() {
            return Some(out);
        }
        text = text.substring(read);
        // At most three bytes per UTF-16 unit (a pair takes four for two units).
        room = text.length() as usize * 3;
    })
}

/// A `Uint8Array` over a slice of wasm memory. Valid until the next allocation
/// (which may grow and detach the memory), so it is used at once.
pub(crate) fn memory_view(slice: &mut [u8]) -> js_sys::Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    js_sys::Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), slice.as_ptr() as u32, slice.len() as u32)
}
