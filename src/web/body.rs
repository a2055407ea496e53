//! Response bodies, kept in JavaScript memory while they download and while
//! they wait: wasm memory never shrinks, so a body held there would keep its
//! size for the life of the module, and bodies in flight at once would add up
//! (160 concurrent bodies of 31 MiB once took it past 4 GB and trapped). A body
//! is copied into wasm memory only to be judged, into the module's one body
//! buffer, then the buffer is free for the next: wasm memory grows to the
//! largest single body judged, whatever the number of bodies in flight.

use std::cell::RefCell;
use std::ops::Range;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
thread_local! {
    /// The one buffer bodies are judged in (its capacity stays: memory never shrinks anyway).
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A body read in full, in JavaScript memory.
pub struct Body(Uint8Array);

impl Body {
    /// A body of no bytes.
    pub fn empty() -> Body {
        Body(Uint8Array::new_with_length(0))
    }

    /// The body made of `chunks`, `len` bytes in all, joined in JavaScript memory.
    pub fn join(chunks: &[Uint8Array], len: u32) -> Body {
        if let [only] = chunks {
            return Body(only.clone());
        }
        let whole = Uint8Array::new_with_length(len);
        let mut at = 0;
        for chunk in chunks {
            whole.set(chunk, at);
            at += chunk.length();
        }
        Body(whole)
    }

    /// Runs `judge` over the body's bytes in the module's body buffer. `None`
    /// when wasm memory cannot take the body (the caller reports it as too
    /// large; an allocation failure would trap). Not reentrant: `judge` must
    /// not judge another body (nothing in the walk calls back into JavaScript).
    pub fn with_bytes<T>(&self, judge: impl FnOnce(&[u8]) -> T) -> Option<T> {
        BUFFER.with(|buffer| {
            let mut buffer = buffer.try_borrow_mut().ok()?;
            let len = self.0.length() as usize;
            buffer.clear();
            buffer.try_reserve_exact(len).ok()?;
            buffer.resize(len, 0);
            self.0.copy_to(&mut buffer[..]);
            let out = judge(&buffer[..]);
            buffer.clear();
            Some(out)
        })
    }

    /// The text of `range` of the body (valid UTF-8, already checked),
    /// decoded by the engine from JavaScript memory.
    pub fn text(&self, range: Range<usize>) -> js_sys::JsString {
        let part = self.0.subarray(range.start as u32, range.end as u32);
        super::text::DECODER.with(|d| d.decode(&part)).unchecked_into()
    }
}
