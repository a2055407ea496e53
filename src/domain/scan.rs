//! JSON syntax, as strict as `serde_json` and `JSON.parse`: one forward pass
//! over the bytes that builds nothing. Strings are borrowed from the body
//! (decoded only when they hold escapes); a syntax error stops the pass with
//! the byte offset where it was found.
//!
//! The schema walk ([`super::schema`]) drives it; everything here is grammar.

use std::borrow::Cow;

use super::structural::{self, Carry, BLOCK};

/// Deepest nesting accepted: the 128th level fails, as in `serde_json`. It also
/// keeps the recursive walk well off the stack limit.
pub const MAX_DEPTH: u32 = 128;

/// Why a body is not JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxKind {
    /// Anything that is not JSON at this byte.
    Invalid,
    /// The 128th level of nesting opens here.
    TooDeep,
    /// A number too large for a 64-bit float.
    NumberOutOfRange,
}

/// A syntax error and the byte offset where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    /// Offset into the scanned bytes.
    pub at: usize,
    /// What is wrong there.
    pub kind: SyntaxKind,
}

impl SyntaxError {
    /// "line 3 column 7" of the offset in `body` (1-based; columns count bytes).
    pub fn position(&self, body: &[u8]) -> (usize, usize) {
        let before = &body[..self.at.min(body.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before.iter().rev().take_while(|&&b| b != b'\n').count();
        (line, column)
    }
}

/// Result of the grammar layer.
pub type Syn<T> = Result<T, SyntaxError>;

/// What kind of value starts at a byte: for "expected a string, got a number".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` / `false`
    Boolean,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    /// How messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// A string token: its raw bytes between the quotes.
#[derive(Clone, Copy)]
pub struct Str<'a> {
    /// The bytes between the quotes, escapes undecoded.
    pub raw: &'a [u8],
    /// Whether `raw` holds a backslash.
    pub escaped: bool,
}

impl<'a> Str<'a> {
    /// The string's UTF-8 bytes, escapes decoded (rare: ids are plain ASCII).
    /// Escapes and UTF-8 were checked when the token was read.
    #[inline(always)]
    pub fn bytes(self) -> Cow<'a, [u8]> {
        if self.escaped {
            Cow::Owned(unescape(self.raw).unwrap_or_default().into_bytes())
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// The string's value as text.
    pub fn text(self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(unescape(self.raw).unwrap_or_default())
        } else {
            // Checked as UTF-8 when read; the fallback is never taken.
            std::str::from_utf8(self.raw).map(Cow::Borrowed).unwrap_or_default()
        }
    }
}

/// The scanner: a position in the body, the nesting depth, and the state
/// `rules` of whoever drives it (so that member and item callbacks can reach it).
/// Every driver in the crate uses the schema walk's state (those that only
/// read syntax get it unused): the grammar is then compiled once, not once
/// per kind of state, about 0.7 KB of gzip in the wasm build.
pub struct Scanner<'a, X = super::schema::Rules<'a>> {
    /// The body.
    pub bytes: &'a [u8],
    /// The next byte to read.
    pub pos: usize,
    depth: u32,
    /// The driver's state.
    pub rules: X,
    /// Where the next tokens start, from the first stage; `None` when the
    /// body is read byte by byte (to place a syntax error exactly).
    tokens: Option<Tokens>,
}

/// The scanner's window on the first stage ([`structural`]): the token starts
/// of one block at a time, those before `pos` already taken.
#[derive(Default)]
struct Tokens {
    /// Offset of the block whose masks are held.
    base: usize,
    /// Token starts of that block not yet consumed.
    structural: u64,
    /// Bytes inside its strings that need a closer look.
    attention: u64,
    /// Offset of the next block to classify.
    next: usize,
    carry: Carry,
}

impl<'a> Scanner<'a, super::schema::Rules<'a>> {
    /// A scanner at the start of `body`, for syntax alone (its rules unused).
    pub fn new(body: &'a [u8]) -> Self {
        Scanner::with(body, super::schema::Rules::new(0, false))
    }
}

impl<'a, X> Scanner<'a, X> {
    /// A scanner at the start of `body` with the driver's state `rules`.
    pub fn with(body: &'a [u8], rules: X) -> Self {
        Scanner { bytes: body, pos: 0, depth: 0, rules, tokens: Some(Tokens::default()) }
    }

    /// A scanner that reads byte by byte, without the first stage: slower, and
    /// its syntax errors are placed exactly (see [`structural`]).
    pub fn bytewise(body: &'a [u8], rules: X) -> Self {
        Scanner { bytes: body, pos: 0, depth: 0, rules, tokens: None }
    }

    /// The offset of the next token after `pos` (the body's length when none
    /// is left), classifying blocks as needed.
    #[inline(always)]
    fn next_token(tokens: &mut Tokens, bytes: &[u8]) -> usize {
        while tokens.structural == 0 {
            if tokens.next >= bytes.len() {
                return bytes.len();
            }
            Self::load_block(tokens, bytes);
        }
        tokens.base + tokens.structural.trailing_zeros() as usize
    }

    #[inline(never)]
    fn load_block(tokens: &mut Tokens, bytes: &[u8]) {
        let base = tokens.next;
        let classes = match bytes.get(base..base + BLOCK) {
            Some(block) => structural::classify(block.try_into().unwrap_or(&[0; BLOCK])),
            None => {
                // The last, short block, padded with whitespace.
                let mut padded = [b' '; BLOCK];
                padded[..bytes.len() - base].copy_from_slice(&bytes[base..]);
                structural::classify(&padded)
            }
        };
        let block = structural::block(classes, &mut tokens.carry);
        tokens.base = base;
        tokens.next = base + BLOCK;
        tokens.structural = block.structural;
        tokens.attention = block.attention;
    }

    /// Moves past a one-byte token at `pos`.
    #[inline(always)]
    fn advance(&mut self) {
        self.pos += 1;
        if let Some(t) = &mut self.tokens {
            t.structural &= t.structural.wrapping_sub(1);
        }
    }

    /// After a number or literal: the token is whole only if what follows
    /// ends a value (in the first stage's reading, the rest of a run of
    /// scalar bytes starts no token and would be jumped over).
    #[inline(always)]
    fn end_scalar(&mut self, end: usize) -> Syn<()> {
        self.pos = end;
        if let Some(t) = &mut self.tokens {
            t.structural &= t.structural.wrapping_sub(1);
            if let Some(b) = self.bytes.get(end) {
                if !matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
                    return self.fail(SyntaxKind::Invalid);
                }
            }
        }
        Ok(())
    }

    /// An error of `kind` at the current position.
    #[cold]
    pub fn fail<T>(&self, kind: SyntaxKind) -> Syn<T> {
        Err(SyntaxError { at: self.pos, kind })
    }

    /// Skips whitespace.
    #[inline(always)]
    pub fn ws(&mut self) {
        if let Some(t) = &mut self.tokens {
            self.pos = Self::next_token(t, self.bytes);
            return;
        }
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline(always)]
    pub fn peek(&mut self) -> Syn<u8> {
        self.ws();
        match self.bytes.get(self.pos) {
            Some(&c) => Ok(c),
            None => self.fail(SyntaxKind::Invalid),
        }
    }

    /// The kind of the value that starts next.
    #[inline(always)]
    pub fn kind(&mut self) -> Syn<Kind> {
        Ok(match self.peek()? {
            b'"' => Kind::String,
            b'{' => Kind::Object,
            b'[' => Kind::Array,
            b't' | b'f' => Kind::Boolean,
            b'n' => Kind::Null,
            b'-' | b'0'..=b'9' => Kind::Number,
            _ => return self.fail(SyntaxKind::Invalid),
        })
    }

    /// Whether only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.ws();
        self.pos == self.bytes.len()
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Syn<()> {
        if self.peek()? != c {
            return self.fail(SyntaxKind::Invalid);
        }
        self.advance();
        Ok(())
    }

    #[inline(always)]
    fn enter(&mut self) -> Syn<()> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return self.fail(SyntaxKind::TooDeep);
        }
        Ok(())
    }

    /// Reads an object, calling `member(scanner, key)` for each member; it must
    /// consume the value.
    #[inline(always)]
    pub fn object(&mut self, mut member: impl FnMut(&mut Self, Str<'a>) -> Syn<()>) -> Syn<()> {
        self.object_with(&mut member)
    }

    /// [`Scanner::object`], compiled once: each level of a walk is a call
    /// through a pointer per member rather than its own copy of the loop.
    #[inline(never)]
    fn object_with(&mut self, member: &mut dyn FnMut(&mut Self, Str<'a>) -> Syn<()>) -> Syn<()> {
        self.ws();
        self.enter()?;
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.advance();
        } else {
            loop {
                if self.peek()? != b'"' {
                    return self.fail(SyntaxKind::Invalid);
                }
                let key = self.string()?;
                self.eat(b':')?;
                member(self, key)?;
                match self.peek()? {
                    b',' => self.advance(),
                    b'}' => {
                        self.advance();
                        break;
                    }
                    _ => return self.fail(SyntaxKind::Invalid),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads an array, calling `item(scanner, index)` for each item; it must
    /// consume the value.
    #[inline(always)]
    pub fn array(&mut self, mut item: impl FnMut(&mut Self, usize) -> Syn<()>) -> Syn<()> {
        self.array_with(&mut item)
    }

    /// [`Scanner::array`], compiled once (see [`Scanner::object_with`]).
    #[inline(never)]
    fn array_with(&mut self, item: &mut dyn FnMut(&mut Self, usize) -> Syn<()>) -> Syn<()> {
        self.ws();
        self.enter()?;
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.advance();
        } else {
            let mut index = 0;
            loop {
                item(self, index)?;
                index += 1;
                match self.peek()? {
                    b',' => self.advance(),
                    b']' => {
                        self.advance();
                        break;
                    }
                    _ => return self.fail(SyntaxKind::Invalid),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads a string token.
    #[inline(always)]
    pub fn string(&mut self) -> Syn<Str<'a>> {
        self.eat(b'"')?;
        if let Some(t) = &mut self.tokens {
            let start = self.pos;
            // The closing quote is the next token.
            let end = Self::next_token(t, self.bytes);
            t.structural &= t.structural.wrapping_sub(1);
            // Held within this block, and nothing in it needs a closer look:
            // ASCII without escapes (the common case, decided by masks).
            let clean = start > t.base && {
                let (from, to) = (start - t.base, end - t.base);
                // Bits `from..to` of the block: the string's bytes.
                to < BLOCK && (t.attention & ((u64::MAX >> (63 - to)) >> 1)) >> from == 0
            };
            self.pos = end;
            if self.bytes.get(end) != Some(&b'"') {
                return self.fail(SyntaxKind::Invalid);
            }
            let raw = &self.bytes[start..end];
            self.pos = end + 1;
            if clean {
                return Ok(Str { raw, escaped: false });
            }
            return match checked_string(raw) {
                Some(escaped) => Ok(Str { raw, escaped }),
                None => Err(SyntaxError { at: start, kind: SyntaxKind::Invalid }),
            };
        }
        let start = self.pos;
        let mut escaped = false;
        // The OR of every byte: its high bit says whether UTF-8 must be checked.
        let mut seen: u64 = 0;
        loop {
            // Eight bytes at a time, jumping straight to the first quote,
            // backslash or control byte (no branch per byte).
            while let Some(word) = self.bytes.get(self.pos..self.pos + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                let w = u64::from_le_bytes(w);
                // Bytes after the special one may be counted too: that only
                // costs a needless UTF-8 check.
                seen |= w;
                let mask = special_bytes(w);
                if mask != 0 {
                    self.pos += (mask.trailing_zeros() / 8) as usize;
                    break;
                }
                self.pos += 8;
            }
            let Some(&byte) = self.bytes.get(self.pos) else { return self.fail(SyntaxKind::Invalid) };
            seen |= u64::from(byte);
            match byte {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    // The escape itself is checked when decoded below.
                    self.pos += 2;
                }
                0..=0x1f => return self.fail(SyntaxKind::Invalid),
                _ => self.pos += 1,
            }
        }
        let raw = &self.bytes[start..self.pos];
        if seen & 0x8080_8080_8080_8080 != 0 && std::str::from_utf8(raw).is_err() {
            let valid = std::str::from_utf8(raw).map_err(|e| e.valid_up_to()).err().unwrap_or(0);
            return Err(SyntaxError { at: start + valid, kind: SyntaxKind::Invalid });
        }
        if escaped && unescape(raw).is_none() {
            return Err(SyntaxError { at: start, kind: SyntaxKind::Invalid });
        }
        self.pos += 1;
        Ok(Str { raw, escaped })
    }

    /// Any JSON value, checked and skipped.
    pub fn skip(&mut self) -> Syn<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|s, _| s.skip()),
            b'[' => self.array(|s, _| s.skip()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            _ => self.fail(SyntaxKind::Invalid),
        }
    }

    /// `true`, `false` or `null`.
    pub fn literal(&mut self, word: &[u8]) -> Syn<()> {
        self.ws();
        if self.bytes.get(self.pos..self.pos + word.len()) != Some(word) {
            return self.fail(SyntaxKind::Invalid);
        }
        self.end_scalar(self.pos + word.len())
    }

    /// A JSON number; returns its text. A number beyond the range of `f64` is
    /// an error, as in `serde_json`.
    pub fn number(&mut self) -> Syn<&'a [u8]> {
        self.ws();
        let b = self.bytes;
        let start = self.pos;
        let mut i = self.pos;
        let digits = |i: &mut usize| {
            let from = *i;
            while let Some(b'0'..=b'9') = b.get(*i) {
                *i += 1;
            }
            *i - from
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_digits = match b.get(i) {
            Some(b'0') => {
                i += 1;
                1
            }
            Some(b'1'..=b'9') => digits(&mut i),
            _ => {
                self.pos = i;
                return self.fail(SyntaxKind::Invalid);
            }
        };
        let mut simple = int_digits <= 15;
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                self.pos = i;
                return self.fail(SyntaxKind::Invalid);
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                self.pos = i;
                return self.fail(SyntaxKind::Invalid);
            }
            simple = false;
        }
        let text = &b[start..i];
        // Only long or exponent forms can leave the range of f64.
        if !simple && out_of_range(text) {
            return self.fail(SyntaxKind::NumberOutOfRange);
        }
        self.end_scalar(i)?;
        Ok(text)
    }
}

/// Whether a string's raw bytes are a valid string body: no control byte,
/// valid UTF-8 and escapes. `Some(escaped)` when they are. (Where exactly a
/// bad one fails is left to the bytewise reading.)
fn checked_string(raw: &[u8]) -> Option<bool> {
    if raw.iter().any(|&b| b < 0x20) || (!raw.is_ascii() && std::str::from_utf8(raw).is_err()) {
        return None;
    }
    let escaped = raw.contains(&b'\\');
    if escaped && unescape(raw).is_none() {
        return None;
    }
    Some(escaped)
}

/// The digits of the midpoint between `f64::MAX` and 2^1024 (2^1024 - 2^970),
/// trailing zeros left out: a number at or above it rounds to infinity.
const OVERFLOW_DIGITS: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// Whether a well-formed JSON number is too large for `f64` (rounds to
/// infinity). Decided on the digits, without a float parser in the build:
/// the value is 0.D × 10^E for its significant digits D.
fn out_of_range(text: &[u8]) -> bool {
    let text = text.strip_prefix(b"-").unwrap_or(text);
    let mantissa_end = text.iter().position(|b| matches!(b, b'e' | b'E')).unwrap_or(text.len());
    let (mantissa, exponent) = text.split_at(mantissa_end);
    let mut exp: i64 = 0;
    if let Some(rest) = exponent.get(1..) {
        let (negative, digits) = match rest.first() {
            Some(b'-') => (true, &rest[1..]),
            Some(b'+') => (false, &rest[1..]),
            _ => (false, rest),
        };
        let magnitude = digits.iter().fold(0i64, |n, d| (n * 10 + i64::from(d - b'0')).min(1 << 40));
        exp = if negative { -magnitude } else { magnitude };
    }
    let point = mantissa.iter().position(|&b| b == b'.').unwrap_or(mantissa.len());
    let digits = mantissa.iter().filter(|b| b.is_ascii_digit());
    let leading = digits.clone().take_while(|&&b| b == b'0').count();
    let significant: Vec<u8> = digits.skip(leading).copied().collect();
    let significant = match significant.iter().rposition(|&b| b != b'0') {
        Some(last) => &significant[..=last],
        None => return false, // zero
    };
    // 0.D × 10^e: the point sits `point - leading` digits into D.
    let e = point as i64 - leading as i64 + exp;
    match e {
        ..=308 => false,
        310.. => true,
        _ => significant >= OVERFLOW_DIGITS,
    }
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

/// Decodes a string's escapes; `None` for an invalid escape or a lone
/// surrogate (which `serde_json` rejects too).
pub fn unescape(raw: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = std::str::from_utf8(raw).ok()?;
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at)?);
        let tail = rest.get(at + 1..)?;
        let mut chars = tail.chars();
        let c = match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let (c, used) = unicode_escape(tail.get(1..)?)?;
                out.push(c);
                rest = tail.get(1 + used..)?;
                continue;
            }
            _ => return None,
        };
        out.push(c);
        rest = chars.as_str();
    }
    out.push_str(rest);
    Some(out)
}

/// `XXXX` or a surrogate pair `XXXX\uXXXX` after `\u`; the character and the bytes used.
fn unicode_escape(s: &str) -> Option<(char, usize)> {
    // Four hex digits by hand: `u32::from_str_radix` brings a general radix parser.
    let hex =
        |s: &str| -> Option<u32> { s.get(..4)?.bytes().try_fold(0, |v, b| Some(v * 16 + (b as char).to_digit(16)?)) };
    let first = hex(s)?;
    match first {
        0xD800..=0xDBFF => {
            if s.get(4..6) != Some("\\u") {
                return None;
            }
            let second = hex(s.get(6..)?)?;
            if !(0xDC00..=0xDFFF).contains(&second) {
                return None;
            }
            let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            Some((char::from_u32(c)?, 10))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((char::from_u32(first)?, 4)),
    }
}

/// Byte-slice equality without a `memcmp` call: in wasm `memcmp` is an
/// out-of-line byte loop, and keys and option values are short.
#[inline(always)]
pub fn same(a: &[u8], b: &[u8]) -> bool {
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
        x = (x << 8) | u64::from(a[i]);
        y = (y << 8) | u64::from(b[i]);
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

/// The shortest JSON string literal for `text`, quotes included (as
/// `JSON.stringify` writes it).
pub fn quote(text: &str) -> String {
    quote_with(text, false)
}

/// A JSON string literal for `text` in ASCII: other characters as `\u` escapes.
pub fn quote_ascii(text: &str) -> String {
    quote_with(text, true)
}

fn quote_with(text: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[(c as usize) >> 4]));
                out.push(char::from(b"0123456789abcdef"[(c as usize) & 15]));
            }
            c if ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    for shift in [12, 8, 4, 0] {
                        if shift == 12 {
                            out.push_str("\\u");
                        }
                        out.push(char::from(b"0123456789abcdef"[usize::from(*unit >> shift) & 15]));
                    }
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str) -> Syn<()> {
        let mut s = Scanner::new(body.as_bytes());
        s.skip()?;
        if !s.at_end() {
            return s.fail(SyntaxKind::Invalid);
        }
        Ok(())
    }

    #[test]
    fn accepts_and_rejects_like_serde_json() {
        for ok in [
            "{}",
            "[]",
            "0",
            "-0.5e+3",
            "\"a\\u00e9\\ud83d\\ude00\"",
            " [1, {\"a\": [null, true, false]}] ",
            "1e-999",
            "0e9999",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "1e",
            "-",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "tru",
            "[1] 2",
            "\"a\nb\"",
            "1e999",
            "{1:2}",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check("1e400").unwrap_err().kind, SyntaxKind::NumberOutOfRange);
        for (text, infinite) in [
            ("1.7976931348623157e308", false),
            ("1.7976931348623158e308", false),
            ("1.7976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797758720709633028641669288791094655554785194040263065748867150582068190890200070838367627385484581771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155969950809304288017790417449779e308", false),
            ("1.797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179775872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548458177115317644757302700698555713669596228429148198608349364752927190741684443655107043427115596995080930428801779041744977920e308", true),
            ("1.7976931348623159e308", true),
            ("-2e308", true),
            ("0.000179769313486231580793e312", false),
            ("179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", false),
            ("1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", true),
            ("0e99999999999999999999", false),
            ("0.0", false),
            ("1e-99999", false),
        ] {
            assert_eq!(out_of_range(text.as_bytes()), infinite, "{text}");
            assert_eq!(text.parse::<f64>().unwrap().is_infinite(), infinite, "{text} per Rust's parser");
        }
        assert_eq!(check(&"[".repeat(200)).unwrap_err(), SyntaxError { at: 127, kind: SyntaxKind::TooDeep });
        assert!(check(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
    }

    #[test]
    fn positions_are_lines_and_columns() {
        let body = b"{\n  \"a\": x}";
        let e = {
            let mut s = Scanner::new(body);
            s.skip().unwrap_err()
        };
        assert_eq!(e.position(body), (2, 8));
    }

    #[test]
    fn quoting_is_json() {
        assert_eq!(quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
        assert_eq!(quote_ascii("é😀"), "\"\\u00e9\\ud83d\\ude00\"");
    }
}
