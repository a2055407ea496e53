//! Redaction: no part of a credential in any string the package hands out.
//!
//! A server, a proxy or a caller's `fetch` may echo the API key (or another
//! credential header) in an error body, an HTML page, an exception message or
//! a thrown string, whole, cut, URL-encoded or base64-encoded. A [`Redactor`]
//! knows every credential of a client and replaces, in any text:
//!
//! - every run of [`MIN_RUN`] or more consecutive characters of a credential
//!   (so a prefix or a suffix that survived a cut is caught as well as the
//!   whole), in its plain form, URL-encoded (upper- and lower-case hex) and
//!   base64-encoded (standard and URL-safe alphabets, at each of the three
//!   byte alignments, so the key inside `base64("user:" + key)` is caught too);
//! - a whole credential shorter than [`MIN_RUN`] (at least [`MIN_SECRET`]
//!   characters), since no run of it is long enough.
//!
//! Each redacted stretch becomes [`REDACTED`]. Matching is by 8-byte windows
//! (a sorted list of every window of every form, searched by halving: a few
//! hundred windows per credential, so the cost is linear in the text).
//! A concatenation of windows from different places of a credential is
//! redacted too: more than strictly needed, never less.
//!
//! Text is redacted *before* it is cut to an excerpt: [`Redactor::excerpt_window`]
//! says how far past an excerpt's end a credential may begin and still reach
//! into it, and [`scoped`] makes the redactor of a client the one that the
//! schema walk applies to every name it quotes before eliding it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use super::error::Error;

/// Shortest run of a credential's characters that is redacted wherever it appears.
pub const MIN_RUN: usize = 8;

/// Shortest credential redacted at all: below this a "credential" is a word
/// that appears in ordinary messages and redacting it would garble them.
pub const MIN_SECRET: usize = 4;

/// What replaces a redacted stretch.
pub const REDACTED: &str = "[redacted]";

/// The credentials of one client, ready to be found in any text.
#[derive(Default, Debug, Clone)]
pub struct Redactor {
    /// Every [`MIN_RUN`]-byte window of every form of every credential, as a
    /// little-endian `u64`, sorted and without repeats. A list, not a
    /// `HashSet`: no SipHash and no hash table code in the wasm build.
    windows: Vec<u64>,
    /// Whole credentials shorter than [`MIN_RUN`], in each form.
    short: Vec<Vec<u8>>,
    /// Longest form: how far a credential reaching into an excerpt may extend past it.
    longest: usize,
}

impl Redactor {
    /// A redactor of `secrets` (the API key without `Bearer `, credential
    /// header values). Secrets shorter than [`MIN_SECRET`] are ignored.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        let mut r = Redactor::default();
        for secret in secrets {
            let secret = secret.trim();
            if secret.len() < MIN_SECRET {
                continue;
            }
            for form in forms(secret.as_bytes()) {
                r.longest = r.longest.max(form.len());
                if form.len() < MIN_RUN {
                    if form.len() >= MIN_SECRET && !r.short.contains(&form) {
                        r.short.push(form);
                    }
                    continue;
                }
                r.windows.extend(form.windows(MIN_RUN).map(window));
            }
        }
        super::sort::heapsort(&mut r.windows);
        r.windows.dedup();
        r
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty() && self.short.is_empty()
    }

    /// How many bytes past the end of an excerpt a text must be redacted for
    /// the excerpt to be safe: a credential that begins inside the excerpt
    /// ends at most this far after its start.
    pub fn excerpt_window(&self) -> usize {
        self.longest
    }

    /// `text` with every credential stretch replaced by [`REDACTED`].
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match self.marks(text.as_bytes()) {
            None => Cow::Borrowed(text),
            Some(marks) => {
                // Marks are widened to character boundaries, so the result is UTF-8.
                let bytes = replace(text.as_bytes(), &marks, |i| text.is_char_boundary(i));
                Cow::Owned(String::from_utf8(bytes).unwrap_or_default())
            }
        }
    }

    /// [`Redactor::redact`] over bytes that may not be UTF-8 (a response body).
    pub fn redact_bytes<'t>(&self, bytes: &'t [u8]) -> Cow<'t, [u8]> {
        match self.marks(bytes) {
            None => Cow::Borrowed(bytes),
            Some(marks) => Cow::Owned(replace(bytes, &marks, |i| i >= bytes.len() || (bytes[i] & 0xC0) != 0x80)),
        }
    }

    /// Redacts a string in place.
    pub fn redact_in_place(&self, text: &mut String) {
        if let Cow::Owned(redacted) = self.redact(text) {
            *text = redacted;
        }
    }

    /// `error` with every text it carries redacted: messages, paths, the URL.
    pub fn error(&self, mut error: Error) -> Error {
        if self.is_empty() {
            return error;
        }
        match &mut error {
            Error::Api { message, code, .. } => {
                self.redact_in_place(message);
                self.redact_in_place(code);
            }
            Error::Http { message, .. }
            | Error::Network { message }
            | Error::InvalidOptions { message }
            | Error::Redirect { message, .. } => self.redact_in_place(message),
            Error::InvalidResponse { message, path, .. } => {
                self.redact_in_place(message);
                if let Some(path) = path {
                    self.redact_in_place(path);
                }
            }
            Error::Request { error, url, .. } => {
                self.redact_in_place(url);
                let inner = std::mem::replace(error.as_mut(), Error::Aborted);
                **error = self.error(inner);
            }
            Error::Timeout { .. }
            | Error::Aborted
            | Error::SignalTimeout
            | Error::ResponseTooLarge { .. }
            | Error::TextTooLong { .. } => {}
        }
        error
    }

    /// Marked byte ranges (sorted, merged), or `None` when nothing matched.
    fn marks(&self, bytes: &[u8]) -> Option<Vec<(usize, usize)>> {
        if self.is_empty() || bytes.len() < MIN_SECRET {
            return None;
        }
        let mut marks: Vec<(usize, usize)> = Vec::new();
        let mut add = |start: usize, end: usize| match marks.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => marks.push((start, end)),
        };
        for i in 0..bytes.len() {
            if i + MIN_RUN <= bytes.len() && self.windows.binary_search(&window(&bytes[i..i + MIN_RUN])).is_ok() {
                add(i, i + MIN_RUN);
                continue;
            }
            if let Some(len) = self.short.iter().filter(|s| bytes[i..].starts_with(s)).map(Vec::len).max() {
                add(i, i + len);
            }
        }
        (!marks.is_empty()).then_some(marks)
    }
}

/// A [`MIN_RUN`]-byte window as the number [`Redactor`] keeps.
fn window(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().unwrap_or([0; MIN_RUN]))
}

/// `bytes` with each marked range (widened until `boundary` holds at both
/// ends) replaced by [`REDACTED`].
fn replace(bytes: &[u8], marks: &[(usize, usize)], boundary: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for &(start, end) in marks {
        let mut start = start.max(at);
        while start > at && !boundary(start) {
            start -= 1;
        }
        let mut end = end.min(bytes.len());
        while end < bytes.len() && !boundary(end) {
            end += 1;
        }
        if end <= at {
            continue;
        }
        out.extend_from_slice(&bytes[at..start]);
        if !out.ends_with(REDACTED.as_bytes()) {
            out.extend_from_slice(REDACTED.as_bytes());
        }
        at = end;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// The forms a credential may be echoed in.
fn forms(secret: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![secret.to_vec()];
    let upper = percent_encode(secret, b"0123456789ABCDEF");
    if upper != secret {
        out.push(percent_encode(secret, b"0123456789abcdef"));
        out.push(upper);
    }
    for align in 0..3 {
        let inner = base64_inner(secret, align);
        if inner.len() >= MIN_SECRET {
            let url_safe: Vec<u8> = inner
                .iter()
                .map(|&b| match b {
                    b'+' => b'-',
                    b'/' => b'_',
                    b => b,
                })
                .collect();
            if url_safe != inner {
                out.push(url_safe);
            }
            out.push(inner);
        }
    }
    out
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX`.
fn percent_encode(bytes: &[u8], hex: &[u8; 16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', hex[usize::from(b >> 4)], hex[usize::from(b & 15)]]);
        }
    }
    out
}

/// The base64 characters (standard alphabet) that depend only on `secret`'s
/// bytes when `align` bytes of something else come before it in its 3-byte group.
fn base64_inner(secret: &[u8], align: usize) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut input = vec![0u8; align];
    input.extend_from_slice(secret);
    let bits = input.len() * 8;
    let (first, end) = ((align * 8).div_ceil(6), bits / 6);
    (first..end)
        .map(|i| {
            let bit = i * 6;
            let (byte, shift) = (bit / 8, bit % 8);
            let pair = u16::from(input[byte]) << 8 | u16::from(input.get(byte + 1).copied().unwrap_or(0));
            ALPHABET[usize::from((pair >> (10 - shift)) & 63)]
        })
        .collect()
}

thread_local! {
    /// The redactor of the client whose response or record is being walked.
    static ACTIVE: RefCell<Option<Rc<Redactor>>> = const { RefCell::new(None) };
}

/// Runs `f` with `redactor` as the one [`active`] applies: the schema walk
/// quotes names from the body in warnings, paths and excerpts, and redacts
/// them before it elides them.
pub fn scoped<T>(redactor: &Rc<Redactor>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Rc<Redactor>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ACTIVE.with(|a| *a.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(ACTIVE.with(|a| a.borrow_mut().replace(redactor.clone())));
    f()
}

/// `text` redacted by the redactor of [`scoped`], if any.
pub fn active(text: &str) -> Cow<'_, str> {
    ACTIVE.with(|a| match &*a.borrow() {
        Some(r) => r.redact(text),
        None => Cow::Borrowed(text),
    })
}

/// [`Redactor::excerpt_window`] of the active redactor (0 when none).
pub fn active_window() -> usize {
    ACTIVE.with(|a| a.borrow().as_ref().map_or(0, |r| r.excerpt_window()))
}

/// Bytes redacted by the active redactor.
pub fn active_bytes(bytes: &[u8]) -> Cow<'_, [u8]> {
    ACTIVE.with(|a| match &*a.borrow() {
        Some(r) => r.redact_bytes(bytes),
        None => Cow::Borrowed(bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-live-4f9a2c7e1b3d5f8a0c6e2b4d7f1a3c5e9b0d2f4a6c8e1b3d5f7a9c0e2b4d6f8a";

    fn base64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
        out
    }

    fn clean(text: &str) {
        // No run of 8 characters of the key (or its encodings) survives.
        for form in forms(KEY.as_bytes()) {
            for w in form.windows(MIN_RUN) {
                assert!(!text.as_bytes().windows(MIN_RUN).any(|t| t == w), "{text}");
            }
        }
    }

    #[test]
    fn whole_cut_and_encoded_keys_are_redacted() {
        let r = Redactor::new([KEY]);
        let cases = [
            format!("Invalid API key: {KEY}"),
            format!("Invalid API key: {}", &KEY[..43]),
            format!("key ...{} was revoked", &KEY[50..]),
            format!("middle {} middle", &KEY[20..30]),
            format!("Bearer%20{}", KEY.replace('-', "%2D")),
            format!("u={}", base64(KEY.as_bytes())),
            format!("basic {}", base64(format!("user:{KEY}").as_bytes())),
            format!("basic {}", base64(format!("us:{KEY}").as_bytes())),
            format!("basic {}", base64(format!("u:{KEY}").as_bytes())),
            format!("{KEY}{KEY}"),
        ];
        for case in &cases {
            let out = r.redact(case);
            clean(&out);
            assert!(out.contains(REDACTED), "{out}");
        }
        assert_eq!(r.redact(&cases[0]), format!("Invalid API key: {REDACTED}"));
        // Nothing else is touched; a run of 7 characters is not a credential.
        for text in ["HTTP 401: unauthorized", &KEY[..7], "sk-live", "caf\u{e9} \u{1F600}"] {
            assert_eq!(r.redact(text), text);
        }
    }

    #[test]
    fn url_encoding_of_non_alphanumerics_is_caught_in_both_cases() {
        let key = "k/ey+with=odd&chars:12345";
        let r = Redactor::new([key]);
        for form in ["k%2Fey%2Bwith%3Dodd%26chars%3A12345", "k%2fey%2bwith%3dodd%26chars%3a12345"] {
            assert_eq!(r.redact(&format!("q={form}")), format!("q={REDACTED}"), "{form}");
        }
    }

    #[test]
    fn short_keys_are_redacted_whole_and_tiny_ones_not_at_all() {
        let r = Redactor::new(["abc12", "xy"]);
        assert_eq!(r.redact("key abc12 bad"), format!("key {REDACTED} bad"));
        assert_eq!(r.redact("xy abc1"), "xy abc1");
        assert!(Redactor::new(["", "  ", "ab"]).is_empty());
    }

    #[test]
    fn redaction_keeps_utf8_and_bytes_that_are_not() {
        let key = "cl\u{e9}-secr\u{e8}te-12345";
        let r = Redactor::new([key]);
        let text = format!("\u{e9}{key}\u{e9}");
        let out = r.redact(&text);
        assert_eq!(out, format!("\u{e9}{REDACTED}\u{e9}"));
        let mut bytes = b"\xff\xfe ".to_vec();
        bytes.extend_from_slice(KEY.as_bytes());
        let out = Redactor::new([KEY]).redact_bytes(&bytes);
        assert_eq!(&out[..], &[b"\xff\xfe ", REDACTED.as_bytes()].concat()[..]);
    }

    #[test]
    fn errors_are_redacted_in_every_text_they_carry() {
        let r = Redactor::new([KEY]);
        let api = Error::Api { code: "X".into(), status: 401, message: format!("bad {KEY}"), retry_after_ms: None };
        let wrapped = Error::Request { error: Box::new(api), url: format!("https://h/{KEY}"), attempts: 1 };
        let out = r.error(wrapped).to_string();
        clean(&out);
        let invalid = Error::invalid(200, format!("data.resources.{KEY}"), format!("\"{KEY}\""));
        let out = r.error(invalid);
        clean(out.path().unwrap_or(""));
        clean(&out.to_string());
    }

    #[test]
    fn the_active_redactor_applies_only_inside_its_scope() {
        let r = Rc::new(Redactor::new([KEY]));
        assert_eq!(active(KEY), KEY);
        let inside = scoped(&r, || (active(KEY).into_owned(), active_window()));
        assert_eq!(inside.0, REDACTED);
        assert!(inside.1 >= KEY.len());
        assert_eq!(active(KEY), KEY);
        assert_eq!(active_window(), 0);
    }
}
