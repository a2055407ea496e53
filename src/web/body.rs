//! Bodies and other large texts stay in JavaScript memory; the module reads
//! them a window at a time. Wasm memory never shrinks, so a body held there
//! whole would keep its size for the life of the module, and bodies in
//! flight at once would add up (160 concurrent bodies of 31 MiB once took it
//! past 4 GB and trapped). A window is copied in, read (walked, summed),
//! and the next one takes its place: what wasm memory holds of a body is one
//! window, whatever the body's size or the number of bodies in flight.

use std::cell::{Cell, RefCell};
use std::ops::Range;

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;

use super::text::{Encoder, TextValue, ENCODER};
use crate::domain::checksum::Xxh64;
use crate::domain::walk::Walk;

/// The size of a window: large enough that copying it in costs little per
/// byte, small against any body worth the name.
pub const WINDOW: usize = 64 * 1024;

thread_local! {
    /// The window bodies are read through.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Bodies being walked as they download (see [`Streaming`]).
    static STREAMING: Cell<usize> = const { Cell::new(0) };
}

/// At most this many bodies are walked as they download; a body that arrives
/// while they are is walked when it is whole, a window at a time. A walk's
/// state grows with the model ids it has seen, so this bounds what bodies
/// in flight at once hold in wasm memory.
pub const MAX_STREAMING: usize = 4;

/// A body's turn to be walked as it downloads, held until it is whole.
pub struct Streaming(());

impl Streaming {
    /// A turn, if fewer than [`MAX_STREAMING`] bodies have one.
    pub fn take() -> Option<Streaming> {
        STREAMING.with(|n| (n.get() < MAX_STREAMING).then(|| n.set(n.get() + 1)).map(|()| Streaming(())))
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        STREAMING.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// Runs `read` over `bytes` (in JavaScript memory) a window at a time, while
/// it asks for more; the number of bytes left unread.
pub fn read_windows(bytes: &Uint8Array, mut read: impl FnMut(&[u8]) -> bool) -> usize {
    with_window(|window| {
        let len = bytes.length();
        let mut at = 0;
        while at < len {
            let n = (len - at).min(window.len() as u32);
            bytes.subarray(at, at + n).copy_to(&mut window[..n as usize]);
            at += n;
            if !read(&window[..n as usize]) {
                break;
            }
        }
        (len - at) as usize
    })
}

/// Feeds `bytes` (in JavaScript memory) to `walk` a window at a time; once
/// the rest cannot change the verdict, it is only counted, not copied in.
pub fn feed_walk(walk: &mut Walk, bytes: &Uint8Array) {
    let left = read_windows(bytes, |window| {
        walk.feed(window);
        walk.reading()
    });
    walk.count(left);
}

/// Runs `read` over the UTF-8 bytes of a JS string a window at a time, each
/// window encoded by the engine straight into wasm memory; the number of
/// bytes in all. A lone surrogate becomes U+FFFD, as `TextEncoder` writes it.
pub fn read_utf8_windows(text: &TextValue, mut read: impl FnMut(&[u8])) -> u64 {
    let mut total = 0;
    with_window(|window| {
        ENCODER.with(|encoder: &Encoder| {
            let mut rest: TextValue = AsRef::<wasm_bindgen::JsValue>::as_ref(text).clone().unchecked_into();
            while rest.length() > 0 {
                let view = super::text::memory_view(window);
                let progress = encoder.encode_into(&rest, &view);
                let (read_units, written) = (progress.read(), progress.written() as usize);
                read(&window[..written]);
                total += written as u64;
                if read_units >= rest.length() {
                    break;
                }
                rest = rest.substring(read_units);
            }
        })
    });
    total
}

/// Lends the window to `f`. Not reentrant: `f` reads no other body.
fn with_window<T>(f: impl FnOnce(&mut [u8]) -> T) -> T {
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => {
            if buffer.len() < WINDOW {
                buffer.resize(WINDOW, 0);
            }
            f(&mut buffer[..])
        }
        // Never taken (nothing read through a window reads another body);
        // a window of its own keeps it from being a panic.
        Err(_) => f(&mut vec![0; WINDOW]),
    })
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

    /// The checksum of `range` of the body ([`crate::domain::record::body_sum`]),
    /// read a window at a time.
    pub fn sum(&self, range: Range<usize>) -> u64 {
        let mut sum = Xxh64::new(0);
        read_windows(&self.0.subarray(range.start as u32, range.end as u32), |window| {
            sum.update(window);
            true
        });
        sum.digest()
    }

    /// The text of `range` of the body (valid UTF-8, already checked),
    /// decoded by the engine from JavaScript memory; `None` when it is longer
    /// than one JS string can be.
    pub fn text(&self, range: Range<usize>) -> Option<js_sys::JsString> {
        super::text::decode_text(&self.0.subarray(range.start as u32, range.end as u32))
    }
}
