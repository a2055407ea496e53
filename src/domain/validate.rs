//! Fast validation of `/v1/resources` bodies, for callers that materialise the
//! data elsewhere (the JS API hands the original text to `JSON.parse`).
//!
//! [`validate_success`] applies exactly the rules of [`parse_success`] but builds
//! nothing: one forward scan over the bytes, strings borrowed from the body, no
//! tree, no `format!` unless there is something to report. It yields the hash and
//! the warnings, in the order and wording of [`parse_success`].
//!
//! The scan is an optimistic fast path. Whenever it meets anything unusual (a
//! syntax or structural error, a strict-mode surprise, a duplicated known key, an
//! escaped key, a number near the limits of `f64`, deep nesting) it gives up and
//! [`parse_success`] decides, so every error is the one `parse_success` reports,
//! word for word. The fast path only ever answers for bodies that `parse_success`
//! accepts, and `tests/validate.rs` checks that both agree.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use super::error::Error;
use super::parse::{check_hash, field, parse_success, root_field, shown as elided, MAX_WARNINGS};

/// What a valid body yields when its data is materialised elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The catalog's hash (base64url).
    pub hash: String,
    /// Additive surprises, as [`parse_success`] lists them.
    pub warnings: Vec<String>,
}

/// Validates a 2xx body like [`parse_success`], without building the catalog.
pub fn validate_success(body: &[u8], status: u16, content_type: Option<&str>, strict: bool) -> Result<Checked, Error> {
    if let Ok(checked) = fast(body, strict) {
        return Ok(checked);
    }
    parse_success(body, status, content_type, strict).map(|c| Checked { hash: c.hash, warnings: c.warnings })
}

/// The scan gave up; the full parser decides.
struct Bail;

type R<T> = Result<T, Bail>;

/// Deeper nesting is left to the full parser (whose limit is 128).
const MAX_DEPTH: u32 = 100;

fn fast(body: &[u8], strict: bool) -> R<Checked> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // UTF-8 is checked per string, only for strings with non-ASCII bytes;
    // outside strings any such byte is a syntax error anyway.
    let mut s = Scanner { b: body, i: 0, depth: 0, strict, keys: Vec::new(), values: Vec::new() };
    let checked = s.envelope()?;
    s.ws();
    if s.i != body.len() {
        return Err(Bail);
    }
    Ok(checked)
}

/// A string token: its raw bytes between the quotes.
#[derive(Clone, Copy)]
struct Str<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> Str<'a> {
    /// The string's UTF-8 bytes, escapes decoded (rare: ids are plain ASCII).
    /// Bytes, not `str`: the hot path compares and hashes, and `string()`
    /// has already checked UTF-8, so there is nothing to convert.
    #[inline(always)]
    fn bytes(self) -> R<Cow<'a, [u8]>> {
        if self.escaped {
            unescape(self.raw).map(|s| Cow::Owned(s.into_bytes()))
        } else {
            Ok(Cow::Borrowed(self.raw))
        }
    }

    /// The string's value as text.
    fn text(self) -> R<Cow<'a, str>> {
        if self.escaped {
            unescape(self.raw).map(Cow::Owned)
        } else {
            std::str::from_utf8(self.raw).map(Cow::Borrowed).map_err(|_| Bail)
        }
    }
}

/// Warnings of one scope, kept in the order `parse_success` emits them.
struct Warnings {
    strict: bool,
    list: Vec<String>,
}

impl Warnings {
    fn new(strict: bool) -> Self {
        Warnings { strict, list: Vec::new() }
    }

    /// In strict mode a surprise is an error: `parse_success` words it.
    fn warn(&mut self, text: impl FnOnce() -> String) -> R<()> {
        if self.strict {
            return Err(Bail);
        }
        self.list.push(text());
        Ok(())
    }

    fn append(&mut self, other: Warnings) {
        self.list.extend(other.list);
    }

    /// Unknown keys, sorted and deduplicated like the keys of a `serde_json::Map`.
    fn unknown(&mut self, keys: Vec<&str>, text: impl Fn(&str) -> String) -> R<()> {
        if keys.is_empty() {
            return Ok(());
        }
        // As (key, 0) pairs: the one sort instantiation the catalog diff uses too.
        let mut keys: Vec<(&str, usize)> = keys.into_iter().map(|k| (k, 0)).collect();
        crate::domain::sort::heapsort(&mut keys);
        keys.dedup();
        for (key, _) in keys {
            self.warn(|| text(key))?;
        }
        Ok(())
    }

    /// At most [`MAX_WARNINGS`], then one line counting the rest.
    fn finish(mut self) -> Vec<String> {
        if self.list.len() > MAX_WARNINGS {
            let omitted = self.list.len() - MAX_WARNINGS;
            self.list.truncate(MAX_WARNINGS);
            self.list.push(format!("... and {omitted} more warnings"));
        }
        self.list
    }
}

/// Marks a known key as seen; a second occurrence is left to the full parser.
#[inline(always)]
fn once(seen: &mut bool) -> R<()> {
    if std::mem::replace(seen, true) {
        return Err(Bail);
    }
    Ok(())
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    depth: u32,
    strict: bool,
    /// Reused buffers for the duplicate checks of option keys and values:
    /// one allocation per body instead of one per model.
    keys: Vec<Cow<'a, [u8]>>,
    values: Vec<Cow<'a, [u8]>>,
}

impl<'a> Scanner<'a> {
    // ---- the envelope, in the order of parse_success ----

    fn envelope(&mut self) -> R<Checked> {
        let (mut seen_status, mut seen_data, mut seen_message) = (false, false, false);
        let mut data = None;
        let mut unknown = Vec::new();
        self.object(|s, key| match key {
            _ if same(key, b"status") => {
                once(&mut seen_status)?;
                let status = s.string()?;
                if status.escaped || !same(status.raw, b"SUCCESS") {
                    return Err(Bail);
                }
                Ok(())
            }
            _ if same(key, b"data") => {
                once(&mut seen_data)?;
                data = Some(s.data()?);
                Ok(())
            }
            _ if same(key, b"message") => {
                once(&mut seen_message)?;
                s.skip()
            }
            _ => {
                unknown.push(std::str::from_utf8(key).map_err(|_| Bail)?);
                s.skip()
            }
        })?;
        let (hash, data_warnings) = data.ok_or(Bail)?;
        if !seen_status {
            return Err(Bail);
        }
        let mut warnings = Warnings::new(self.strict);
        warnings.unknown(unknown, |k| format!("{}: unknown field (kept out)", root_field(k)))?;
        warnings.append(data_warnings);
        Ok(Checked { hash, warnings: warnings.finish() })
    }

    fn data(&mut self) -> R<(String, Warnings)> {
        let (mut seen_hash, mut seen_resources) = (false, false);
        let mut hash = None;
        let mut resources = None;
        let mut unknown = Vec::new();
        self.object(|s, key| match key {
            _ if same(key, b"hash") => {
                once(&mut seen_hash)?;
                hash = Some(s.string()?.text()?);
                Ok(())
            }
            _ if same(key, b"resources") => {
                once(&mut seen_resources)?;
                resources = Some(s.resources()?);
                Ok(())
            }
            _ => {
                unknown.push(std::str::from_utf8(key).map_err(|_| Bail)?);
                s.skip()
            }
        })?;
        let hash = hash.ok_or(Bail)?;
        check_hash(&hash).map_err(|_| Bail)?;
        let mut warnings = resources.ok_or(Bail)?;
        warnings.unknown(unknown, |k| format!("data{}: unknown field (kept out)", field(k)))?;
        Ok((hash.into_owned(), warnings))
    }

    fn resources(&mut self) -> R<Warnings> {
        let mut seen_models = false;
        let mut models = None;
        let mut unknown = Vec::new();
        self.object(|s, key| match key {
            _ if same(key, b"models") => {
                once(&mut seen_models)?;
                models = Some(s.models()?);
                Ok(())
            }
            _ => {
                unknown.push(std::str::from_utf8(key).map_err(|_| Bail)?);
                s.skip()
            }
        })?;
        let mut warnings = models.ok_or(Bail)?;
        warnings.unknown(unknown, |k| format!("data.resources{}: unknown section (kept)", field(k)))?;
        Ok(warnings)
    }

    fn models(&mut self) -> R<Warnings> {
        let mut warnings = Warnings::new(self.strict);
        // Sized from the body (a model takes well over 64 bytes): no rehashing.
        let capacity = (self.b.len() / 64).min(1 << 20);
        let mut seen: HashSet<Cow<'a, [u8]>, BuildHasherDefault<FxHasher>> =
            HashSet::with_capacity_and_hasher(capacity, BuildHasherDefault::default());
        self.array(|s, i| {
            let (id, model_warnings) = s.model(i)?;
            warnings.append(model_warnings);
            if seen.contains(&*id) {
                let id = shown(&id);
                warnings.warn(|| format!("data.resources.models[{i}].model: duplicate model id \"{}\" (kept)", elided(&id)))?;
            } else {
                seen.insert(id);
            }
            Ok(())
        })?;
        Ok(warnings)
    }

    fn model(&mut self, i: usize) -> R<(Cow<'a, [u8]>, Warnings)> {
        let (mut seen_model, mut seen_modality, mut seen_options) = (false, false, false);
        let mut id = None;
        let mut modality = None;
        let mut options = None;
        let mut unknown = Vec::new();
        self.object(|s, key| match key {
            _ if same(key, b"model") => {
                once(&mut seen_model)?;
                id = Some(s.string()?.bytes()?);
                Ok(())
            }
            _ if same(key, b"modality") => {
                once(&mut seen_modality)?;
                modality = Some(s.string()?.bytes()?);
                Ok(())
            }
            _ if same(key, b"availableRunOptions") => {
                once(&mut seen_options)?;
                options = Some(s.run_options(i)?);
                Ok(())
            }
            _ => {
                unknown.push(std::str::from_utf8(key).map_err(|_| Bail)?);
                s.skip()
            }
        })?;
        let id = id.ok_or(Bail)?;
        let modality = modality.ok_or(Bail)?;
        let options = options.ok_or(Bail)?;
        if id.is_empty() {
            return Err(Bail);
        }
        let mut warnings = Warnings::new(self.strict);
        if !(same(&modality, b"text") || same(&modality, b"image") || same(&modality, b"video")) {
            let modality = shown(&modality);
            warnings.warn(|| format!("data.resources.models[{i}].modality: unknown modality \"{}\" (kept)", elided(&modality)))?;
        }
        warnings.append(options);
        warnings.unknown(unknown, |k| format!("data.resources.models[{i}]{}: unknown field (kept)", field(k)))?;
        Ok((id, warnings))
    }

    fn run_options(&mut self, i: usize) -> R<Warnings> {
        let mut warnings = Warnings::new(self.strict);
        let mut keys = std::mem::take(&mut self.keys);
        keys.clear();
        self.array(|s, j| {
            let (key, option_warnings) = s.run_option(i, j)?;
            warnings.append(option_warnings);
            if keys.iter().any(|k| same(k, &key)) {
                let key = shown(&key);
                warnings.warn(|| {
                    format!("data.resources.models[{i}].availableRunOptions[{j}].key: duplicate option key \"{}\" (kept)", elided(&key))
                })?;
            }
            keys.push(key);
            Ok(())
        })?;
        self.keys = keys;
        Ok(warnings)
    }

    fn run_option(&mut self, i: usize, j: usize) -> R<(Cow<'a, [u8]>, Warnings)> {
        let (mut seen_key, mut seen_options) = (false, false);
        let mut key = None;
        let mut values = None;
        let mut unknown = Vec::new();
        let strict = self.strict;
        self.object(|s, k| match k {
            _ if same(k, b"key") => {
                once(&mut seen_key)?;
                key = Some(s.string()?.bytes()?);
                Ok(())
            }
            _ if same(k, b"options") => {
                once(&mut seen_options)?;
                let mut warnings = Warnings::new(strict);
                let mut seen = std::mem::take(&mut s.values);
                seen.clear();
                s.array(|s, k| {
                    let value = s.string()?.bytes()?;
                    if seen.iter().any(|v| same(v, &value)) {
                        let value = shown(&value);
                        warnings.warn(|| {
                            format!("data.resources.models[{i}].availableRunOptions[{j}].options[{k}]: duplicate value \"{}\" (kept)", elided(&value))
                        })?;
                    }
                    seen.push(value);
                    Ok(())
                })?;
                s.values = seen;
                values = Some(warnings);
                Ok(())
            }
            _ => {
                unknown.push(std::str::from_utf8(k).map_err(|_| Bail)?);
                s.skip()
            }
        })?;
        let key = key.ok_or(Bail)?;
        let mut warnings = values.ok_or(Bail)?;
        if key.is_empty() {
            return Err(Bail);
        }
        warnings.unknown(unknown, |k| format!("data.resources.models[{i}].availableRunOptions[{j}]{}: unknown field (kept)", field(k)))?;
        Ok((key, warnings))
    }

    // ---- JSON syntax, as strict as serde_json ----

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline(always)]
    fn peek(&mut self) -> R<u8> {
        self.ws();
        self.b.get(self.i).copied().ok_or(Bail)
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> R<()> {
        if self.peek()? != c {
            return Err(Bail);
        }
        self.i += 1;
        Ok(())
    }

    #[inline(always)]
    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// Calls `member(scanner, key)` for each member; it must consume the value.
    /// Escaped keys are left to the full parser.
    #[inline(always)]
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> R<()>) -> R<()> {
        self.eat(b'{')?;
        self.enter()?;
        if self.peek()? == b'}' {
            self.i += 1;
        } else {
            loop {
                let key = self.string()?;
                if key.escaped {
                    return Err(Bail);
                }
                self.eat(b':')?;
                member(self, key.raw)?;
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(Bail),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Calls `item(scanner, index)` for each item; it must consume the value.
    #[inline(always)]
    fn array(&mut self, mut item: impl FnMut(&mut Self, usize) -> R<()>) -> R<()> {
        self.eat(b'[')?;
        self.enter()?;
        if self.peek()? == b']' {
            self.i += 1;
        } else {
            let mut index = 0;
            loop {
                item(self, index)?;
                index += 1;
                match self.peek()? {
                    b',' => self.i += 1,
                    b']' => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(Bail),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    #[inline(always)]
    fn string(&mut self) -> R<Str<'a>> {
        self.eat(b'"')?;
        let start = self.i;
        let mut escaped = false;
        // The OR of every byte: its high bit says whether UTF-8 must be checked.
        let mut seen: u64 = 0;
        loop {
            // Eight bytes at a time, jumping straight to the first quote,
            // backslash or control byte (no byte loop, no branch per byte).
            while let Some(word) = self.b.get(self.i..self.i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                let w = u64::from_le_bytes(w);
                // Bytes after the special one may be counted too: that only
                // costs a needless UTF-8 check.
                seen |= w;
                let mask = special_bytes(w);
                if mask != 0 {
                    self.i += (mask.trailing_zeros() / 8) as usize;
                    break;
                }
                self.i += 8;
            }
            let byte = *self.b.get(self.i).ok_or(Bail)?;
            seen |= u64::from(byte);
            match byte {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    // The escape itself is checked when decoded.
                    self.i += 2;
                }
                0..=0x1f => return Err(Bail),
                _ => self.i += 1,
            }
        }
        let raw = self.b.get(start..self.i).ok_or(Bail)?;
        self.i += 1;
        if seen & 0x8080_8080_8080_8080 != 0 {
            std::str::from_utf8(raw).map_err(|_| Bail)?;
        }
        if escaped {
            // Validates the escapes even of values nobody reads.
            unescape(raw)?;
        }
        Ok(Str { raw, escaped })
    }

    /// Any JSON value, checked and skipped.
    fn skip(&mut self) -> R<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|s, _| s.skip()),
            b'[' => self.array(|s, _| s.skip()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Bail),
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b.get(self.i..self.i + word.len()) != Some(word) {
            return Err(Bail);
        }
        self.i += word.len();
        Ok(())
    }

    /// A JSON number. Numbers that might overflow `f64` (which serde_json
    /// rejects) are left to the full parser: over 200 integer digits or an
    /// exponent of three digits or more.
    fn number(&mut self) -> R<()> {
        let b = self.b;
        let mut i = self.i;
        let digits = |i: &mut usize| {
            let start = *i;
            while let Some(b'0'..=b'9') = b.get(*i) {
                *i += 1;
            }
            *i - start
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                if digits(&mut i) > 200 {
                    return Err(Bail);
                }
            }
            _ => return Err(Bail),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                return Err(Bail);
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let n = digits(&mut i);
            if n == 0 || n > 2 {
                return Err(Bail);
            }
        }
        self.i = i;
        Ok(())
    }
}

/// Byte-slice equality without a `memcmp` call: in wasm `memcmp` is an
/// out-of-line byte loop, and keys and option values are short.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i + 8 <= a.len() {
        if word_at(a, i) != word_at(b, i) {
            return false;
        }
        i += 8;
    }
    let (mut x, mut y) = (0u64, 0u64);
    while i < a.len() {
        x = (x << 8) | u64::from(a.get(i).copied().unwrap_or(0));
        y = (y << 8) | u64::from(b.get(i).copied().unwrap_or(0));
        i += 1;
    }
    x == y
}

/// Eight bytes at `at` as one word (zero-padded past the end).
#[inline(always)]
fn word_at(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(chunk) = s.get(at..at + 8) {
        w.copy_from_slice(chunk);
    }
    u64::from_le_bytes(w)
}

/// Bytes already checked as UTF-8, for a warning.
fn shown(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// The high bit of each byte of `w` that is a `"`, a `\\` or below 0x20
/// (SWAR). Bits above the first such byte may be false alarms; the lowest set
/// bit is always exact.
#[inline(always)]
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = zero_in(w ^ (ONES * u64::from(b'"')));
    let backslash = zero_in(w ^ (ONES * u64::from(b'\\')));
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    quote | backslash | control
}

/// Decodes a string's escapes; invalid escapes and lone surrogates (which
/// serde_json rejects) give up.
fn unescape(raw: &[u8]) -> R<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = std::str::from_utf8(raw).map_err(|_| Bail)?;
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at).ok_or(Bail)?);
        let tail = rest.get(at + 1..).ok_or(Bail)?;
        let mut chars = tail.chars();
        let c = match chars.next().ok_or(Bail)? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let (c, used) = unicode_escape(tail.get(1..).ok_or(Bail)?)?;
                out.push(c);
                rest = tail.get(1 + used..).ok_or(Bail)?;
                continue;
            }
            _ => return Err(Bail),
        };
        out.push(c);
        rest = chars.as_str();
    }
    out.push_str(rest);
    Ok(out)
}

/// `XXXX` or a surrogate pair `XXXX\uXXXX` after `\u`; returns the character
/// and the bytes used.
fn unicode_escape(s: &str) -> R<(char, usize)> {
    let hex = |s: &str| -> R<u32> {
        let h = s.get(..4).ok_or(Bail)?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Bail);
        }
        u32::from_str_radix(h, 16).map_err(|_| Bail)
    };
    let first = hex(s)?;
    match first {
        0xD800..=0xDBFF => {
            if s.get(4..6) != Some("\\u") {
                return Err(Bail);
            }
            let second = hex(s.get(6..).ok_or(Bail)?)?;
            if !(0xDC00..=0xDFFF).contains(&second) {
                return Err(Bail);
            }
            let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            Ok((char::from_u32(c).ok_or(Bail)?, 10))
        }
        0xDC00..=0xDFFF => Err(Bail),
        _ => Ok((char::from_u32(first).ok_or(Bail)?, 4)),
    }
}

/// A small multiplicative hasher for model ids: they come from the server we
/// asked, and only the duplicate check uses it.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        // A final avalanche: the table uses both the low and the top bits.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

/// The fast path alone: `None` where it leaves the decision to [`parse_success`].
/// Public for differential tests; callers want [`validate_success`].
#[doc(hidden)]
pub fn validate_fast(body: &[u8], strict: bool) -> Option<Checked> {
    fast(body, strict).ok()
}
