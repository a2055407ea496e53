//! JSON syntax, as strict as `serde_json` and `JSON.parse`, read as it
//! arrives. The bytes come in pieces of any size (a response's chunks as they
//! download, windows of a stored text), and the [`Tokenizer`] keeps only what
//! it needs between them: the open containers, the state of the token a piece
//! ended in, and a kept token's bytes. The bytes already read are not kept, so
//! memory does not grow with the body. How a body is cut never changes what
//! is found in it.
//!
//! A reader ([`Events`]) hears of each value as it starts and says whether it
//! wants its content (a string's text, an object's members) or only its
//! syntax checked; a skipped value costs no calls. A syntax error stops the
//! reading at the byte where it was found, with its line and column.

use std::borrow::Cow;

/// Deepest nesting accepted: the 128th level fails, as in `serde_json`.
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

/// A syntax error: the byte offset where it was found, and its line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    /// Offset into the bytes read.
    pub at: usize,
    /// What is wrong there.
    pub kind: SyntaxKind,
    /// 1-based line of the offset.
    pub line: usize,
    /// 1-based column of the offset, in bytes.
    pub column: usize,
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

    /// The kind of the value whose first byte is `byte`.
    #[inline(always)]
    pub(crate) fn of(byte: u8) -> Option<Kind> {
        Some(match byte {
            b'"' => Kind::String,
            b'{' => Kind::Object,
            b'[' => Kind::Array,
            b't' | b'f' => Kind::Boolean,
            b'n' => Kind::Null,
            b'-' | b'0'..=b'9' => Kind::Number,
            _ => return None,
        })
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

/// What a reader wants of a value that starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Only its syntax is checked; nothing inside it is reported.
    Skip,
    /// Its content is reported: a string's text ([`Events::string`]), a number's
    /// or literal's text ([`Events::scalar`]), a container's members or items
    /// and its end ([`Events::close`]).
    Keep,
    /// The reader reads this container itself, from its bytes ([`Events::whole`]).
    Whole,
}

/// Where a value the reader reads whole starts: for its errors' positions,
/// and the nesting it starts in.
#[derive(Debug, Clone, Copy)]
pub struct Start {
    /// Offset of its first byte.
    pub at: usize,
    /// Containers open around it.
    pub depth: u32,
    /// Newlines before it, and the offset after the last one.
    pub lines: usize,
    pub line_start: usize,
}

impl Start {
    /// An error found at offset `e.at` of `bytes`, which start with the value:
    /// its offset in the whole input, line and column.
    pub fn place(&self, e: SyntaxError, bytes: &[u8]) -> SyntaxError {
        let before = &bytes[..e.at.min(bytes.len())];
        let newlines = before.iter().filter(|&&b| b == b'\n').count();
        let line_start = match before.iter().rposition(|&b| b == b'\n') {
            Some(i) => self.at + i + 1,
            None => self.line_start,
        };
        let at = self.at + e.at;
        SyntaxError { at, kind: e.kind, line: self.lines + newlines + 1, column: at.saturating_sub(line_start) + 1 }
    }
}

/// How a value the reader read whole ended.
#[derive(Debug, Clone, Copy)]
pub struct WholeEnd {
    /// Bytes of the last piece it took.
    pub used: usize,
    /// Newlines in it, and the offset after the last one, if any.
    pub newlines: usize,
    pub line_start: Option<usize>,
}

/// What a reader hears. Offsets count from the first byte read.
pub trait Events {
    /// A value other than a string starts at `at` (at the root, as a member's
    /// value after its key, or as an item of a kept container).
    fn open(&mut self, kind: Kind, at: usize) -> Take;
    /// A member's key, in a kept object.
    fn key(&mut self, key: Str<'_>);
    /// A string value that started at `at` (where [`Events::open`] would
    /// be heard for another value), read whole. When it spanned pieces and
    /// [`Events::keeps_string`] said it was not wanted, `value` is empty.
    fn string(&mut self, value: Str<'_>, at: usize);
    /// Reads a container it took whole ([`Take::Whole`]): `piece` is the rest
    /// of the piece from its first byte (the first time), then each next
    /// piece; `last` when no more come. `Some` when the value ended in `piece`,
    /// `None` when `piece` was used up.
    fn whole(&mut self, piece: &[u8], start: &Start, last: bool) -> Syn<Option<WholeEnd>> {
        let _ = (piece, last);
        Err(SyntaxError { at: start.at, kind: SyntaxKind::Invalid, line: start.lines + 1, column: 1 })
    }
    /// Whether a string value that starts now is wanted: asked only of one
    /// that spans pieces, whose bytes are then gathered (or not). It must
    /// answer as [`Events::string`] will decide.
    fn keeps_string(&self) -> bool;
    /// A kept number's or literal's text.
    fn scalar(&mut self, text: &[u8]);
    /// The kept container opened last ends; `end` is the offset after it.
    fn close(&mut self, end: usize);
}

/// What the next byte after whitespace may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A value: at the root, after `:` or after `,` in an array.
    Value,
    /// A value or `]`, after `[`.
    FirstItem,
    /// A key or `}`, after `{`.
    FirstKey,
    /// A key, after `,` in an object.
    Key,
    /// `:` after a key.
    Colon,
    /// `,` or the end of the container, after a value in it.
    Next,
    /// Nothing but whitespace, after the root value.
    End,
}

/// The token a piece ended in.
enum Partial {
    None,
    /// A string (a key when `key`), reported when `keep`: `start` is the
    /// offset of its first byte inside the quotes; its bytes are gathered in
    /// the scratch buffer when `gather`.
    Str {
        key: bool,
        keep: bool,
        gather: bool,
        start: usize,
        scan: StrScan,
    },
    /// A number starting at `start`, at `state`.
    Num {
        keep: bool,
        start: usize,
        state: NumState,
    },
    /// `true`, `false` or `null` starting at `start`, `got` bytes of it read.
    Word {
        word: &'static [u8],
        got: usize,
        start: usize,
        keep: bool,
    },
    /// A container the reader reads whole.
    Whole(Start),
}

/// A string's checks as its bytes go by, for a string that spans pieces.
#[derive(Default)]
struct StrScan {
    /// The last piece ended in a backslash: the next byte is escaped.
    skip_next: bool,
    /// A backslash was seen.
    escaped: bool,
    /// The state of the escape check.
    escape: Escape,
    /// Where the first invalid UTF-8 sequence starts.
    bad_utf8: Option<usize>,
    /// An incomplete UTF-8 sequence a piece ended in, and its offset.
    carry: [u8; 4],
    carry_len: usize,
    carry_at: usize,
}

impl StrScan {
    /// Checks the string's bytes `segment`, which start at offset `at`;
    /// `high` says whether any of them may be non-ASCII.
    fn check(&mut self, mut segment: &[u8], mut at: usize, high: bool) {
        if self.escaped {
            self.escape = segment.iter().fold(self.escape, |state, &b| state.next(b));
        }
        if self.bad_utf8.is_some() || !(high || self.carry_len > 0) {
            return;
        }
        // An incomplete sequence from the last piece, completed a byte at a time.
        while self.carry_len > 0 {
            let Some((&b, rest)) = segment.split_first() else { return };
            self.carry[self.carry_len] = b;
            self.carry_len += 1;
            (segment, at) = (rest, at + 1);
            match std::str::from_utf8(&self.carry[..self.carry_len]) {
                Ok(_) => self.carry_len = 0,
                Err(e) if e.error_len().is_some() => {
                    self.bad_utf8 = Some(self.carry_at);
                    return;
                }
                Err(_) => {}
            }
        }
        if let Err(e) = std::str::from_utf8(segment) {
            let valid = e.valid_up_to();
            if e.error_len().is_some() {
                self.bad_utf8 = Some(at + valid);
            } else {
                let tail = &segment[valid..];
                self.carry[..tail.len()].copy_from_slice(tail);
                (self.carry_len, self.carry_at) = (tail.len(), at + valid);
            }
        }
    }

    /// Where the string is wrong, once its closing quote is read: its first
    /// invalid UTF-8 sequence, else its start for an invalid escape.
    fn verdict(&self, start: usize) -> Option<usize> {
        if let Some(at) = self.bad_utf8 {
            return Some(at);
        }
        if self.carry_len > 0 {
            return Some(self.carry_at);
        }
        (self.escaped && self.escape != Escape::Plain).then_some(start)
    }
}

/// The escape check, a byte at a time: `\` and one of `"\/bfnrt`, or `\u`
/// and four hex digits, a high surrogate followed at once by a low one; a
/// lone surrogate is refused, as `serde_json` refuses it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Escape {
    #[default]
    Plain,
    Backslash,
    Hex {
        digits: u8,
        value: u16,
        low: bool,
    },
    PairBackslash,
    PairU,
    Bad,
}

impl Escape {
    #[inline]
    fn next(self, b: u8) -> Escape {
        match self {
            Escape::Plain if b == b'\\' => Escape::Backslash,
            Escape::Plain | Escape::Bad => self,
            Escape::Backslash => match b {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Escape::Plain,
                b'u' => Escape::Hex { digits: 0, value: 0, low: false },
                _ => Escape::Bad,
            },
            Escape::Hex { digits, value, low } => {
                let Some(d) = (b as char).to_digit(16) else { return Escape::Bad };
                let value = value << 4 | d as u16;
                if digits < 3 {
                    return Escape::Hex { digits: digits + 1, value, low };
                }
                match (low, value) {
                    (false, 0xD800..=0xDBFF) => Escape::PairBackslash,
                    (false, 0xDC00..=0xDFFF) => Escape::Bad,
                    (false, _) | (true, 0xDC00..=0xDFFF) => Escape::Plain,
                    (true, _) => Escape::Bad,
                }
            }
            Escape::PairBackslash if b == b'\\' => Escape::PairU,
            Escape::PairU if b == b'u' => Escape::Hex { digits: 0, value: 0, low: true },
            Escape::PairBackslash | Escape::PairU => Escape::Bad,
        }
    }
}

/// Where a number is in its grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumState {
    /// Before its first byte: `-` or a digit.
    Start,
    /// After `-`: a digit must follow.
    Sign,
    /// After a leading `0`.
    Zero,
    /// In the integer digits.
    Int,
    /// After `.`: a digit must follow.
    Point,
    /// In the fraction digits.
    Frac,
    /// After `e`: a sign or digit must follow.
    Exp,
    /// After the exponent's sign: a digit must follow.
    ExpSign,
    /// In the exponent digits.
    ExpDigits,
}

impl NumState {
    /// Whether a number may end here.
    pub(crate) fn complete(self) -> bool {
        matches!(self, NumState::Zero | NumState::Int | NumState::Frac | NumState::ExpDigits)
    }
}

/// What decides whether a number fits an `f64`, gathered a digit at a time (a
/// number may span pieces and be of any length): the value is 0.D × 10^E for
/// its significant digits D.
#[derive(Default)]
pub(crate) struct Magnitude {
    /// Digits before the point.
    int_digits: u64,
    /// Zero digits before the first other one.
    leading: u64,
    /// The first significant digits, one more than [`OVERFLOW_DIGITS`] holds.
    significant: Vec<u8>,
    /// A digit other than zero came after those.
    more_nonzero: bool,
    exp_negative: bool,
    exp: i64,
    has_exp: bool,
}

impl Magnitude {
    pub(crate) fn clear(&mut self) {
        let significant = std::mem::take(&mut self.significant);
        *self = Magnitude { significant, ..Magnitude::default() };
        self.significant.clear();
    }

    #[inline]
    fn digit(&mut self, d: u8) {
        if self.significant.is_empty() && d == b'0' {
            self.leading += 1;
        } else if self.significant.len() <= OVERFLOW_DIGITS.len() {
            self.significant.push(d);
        } else if d != b'0' {
            self.more_nonzero = true;
        }
    }

    /// Whether the number rounds to infinity. Only long or exponent forms can
    /// leave the range of f64; a short plain integer is never checked.
    pub(crate) fn out_of_range(&self) -> bool {
        if self.int_digits <= 15 && !self.has_exp {
            return false;
        }
        if self.significant.is_empty() {
            return false; // zero
        }
        let exp = if self.exp_negative { -self.exp } else { self.exp };
        // 0.D × 10^e: the point sits `int_digits - leading` digits into D.
        match self.int_digits as i64 - self.leading as i64 + exp {
            ..=308 => false,
            310.. => true,
            _ if self.more_nonzero => self.significant[..OVERFLOW_DIGITS.len()] >= *OVERFLOW_DIGITS,
            _ => {
                let end = self.significant.iter().rposition(|&b| b != b'0').map_or(0, |last| last + 1);
                self.significant[..end] >= *OVERFLOW_DIGITS
            }
        }
    }
}

/// The grammar, fed a piece at a time. See the module's documentation.
pub struct Tokenizer {
    /// Offset of the next piece's first byte.
    base: usize,
    expect: Expect,
    /// Open containers, innermost last: `true` for an object.
    open: Vec<bool>,
    /// Depth of the outermost container being skipped; 0 when none is.
    skipping: usize,
    partial: Partial,
    /// A kept token's bytes when it spans pieces.
    scratch: Vec<u8>,
    /// The digits of the number being read.
    magnitude: Magnitude,
    /// Newlines read, and the offset after the last one: for an error's line
    /// and column (a newline can only be whitespace between tokens).
    lines: usize,
    line_start: usize,
    /// Where the root value starts and ends.
    root_start: Option<usize>,
    root_end: Option<usize>,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer::new()
    }
}

impl Tokenizer {
    /// A tokenizer before the first byte.
    pub fn new() -> Tokenizer {
        Tokenizer {
            base: 0,
            expect: Expect::Value,
            open: Vec::new(),
            skipping: 0,
            partial: Partial::None,
            scratch: Vec::new(),
            magnitude: Magnitude::default(),
            lines: 0,
            line_start: 0,
            root_start: None,
            root_end: None,
        }
    }

    /// Bytes read so far.
    pub fn offset(&self) -> usize {
        self.base
    }

    /// Where the root value starts, once it has; where it ends, once it has.
    pub fn root(&self) -> (Option<usize>, Option<usize>) {
        (self.root_start, self.root_end)
    }

    /// An error of `kind` at offset `at`.
    #[cold]
    fn fail<T>(&self, at: usize, kind: SyntaxKind) -> Syn<T> {
        // Nothing before `at` that was read holds a newline after `line_start`.
        let column = at.saturating_sub(self.line_start) + 1;
        Err(SyntaxError { at, kind, line: self.lines + 1, column })
    }

    /// Reads the next piece.
    pub fn feed<E: Events>(&mut self, bytes: &[u8], events: &mut E) -> Syn<()> {
        let outcome = self.run(bytes, events);
        self.base += bytes.len();
        outcome
    }

    /// The input ended: an error unless it held exactly one JSON value.
    pub fn finish<E: Events>(&mut self, events: &mut E) -> Syn<()> {
        let end = self.base;
        match std::mem::replace(&mut self.partial, Partial::None) {
            Partial::None => {}
            Partial::Num { keep, start, state } if state.complete() => {
                self.end_number(keep, start, events)?;
                self.expect = self.after_value(end);
            }
            Partial::Word { start, .. } => return self.fail(start, SyntaxKind::Invalid),
            Partial::Whole(start) => match events.whole(&[], &start, true)? {
                Some(whole) => {
                    self.whole_done(0, whole);
                }
                None => return self.fail(end, SyntaxKind::Invalid),
            },
            _ => return self.fail(end, SyntaxKind::Invalid),
        }
        if self.expect != Expect::End {
            return self.fail(end, SyntaxKind::Invalid);
        }
        Ok(())
    }

    #[inline(always)]
    fn at(&self, i: usize) -> usize {
        self.base + i
    }

    /// A value read whole ended at index `i` of this piece.
    fn whole_done(&mut self, i: usize, end: WholeEnd) -> (usize, Expect) {
        self.lines += end.newlines;
        if let Some(line_start) = end.line_start {
            self.line_start = line_start;
        }
        let then = self.after_value(self.at(i));
        self.expect = then;
        (i, then)
    }

    /// What may come after a value that ended at offset `end`.
    #[inline(always)]
    fn after_value(&mut self, end: usize) -> Expect {
        if self.open.is_empty() {
            self.root_end = Some(end);
            Expect::End
        } else {
            Expect::Next
        }
    }

    /// Reads a piece. What comes next is kept in a local, written to
    /// `self.expect` only when the piece ends.
    fn run<E: Events>(&mut self, bytes: &[u8], events: &mut E) -> Syn<()> {
        let mut i = 0;
        let mut expect = self.expect;
        if !matches!(self.partial, Partial::None) {
            match self.resume(bytes, 0, events)? {
                Some((next, then)) => (i, expect) = (next, then),
                None => return Ok(()),
            }
        }
        // The next byte after whitespace; at the end of the piece, the reading stops.
        macro_rules! next {
            () => {
                match self.skip_ws(bytes, &mut i) {
                    Some(b) => b,
                    None => {
                        self.expect = expect;
                        return Ok(());
                    }
                }
            };
        }
        loop {
            let byte = next!();
            match expect {
                Expect::FirstKey | Expect::Key if byte == b'"' => {
                    let keep = self.skipping == 0;
                    let Some((end, escaped)) = self.string(bytes, i + 1, true, keep, events)? else { return Ok(()) };
                    if keep {
                        events.key(Str { raw: &bytes[i + 1..end], escaped });
                    }
                    (i, expect) = (end + 1, Expect::Colon);
                }
                Expect::Colon if byte == b':' => (i, expect) = (i + 1, Expect::Value),
                Expect::Next if byte == b',' => {
                    let object = self.open.last().copied().unwrap_or(false);
                    (i, expect) = (i + 1, if object { Expect::Key } else { Expect::Value });
                }
                Expect::Next | Expect::FirstKey | Expect::FirstItem
                    if byte == b'}' && expect != Expect::FirstItem && self.open.last() == Some(&true)
                        || byte == b']' && expect != Expect::FirstKey && self.open.last() == Some(&false) =>
                {
                    i = self.close(i, events);
                    expect = self.after_value(self.at(i));
                }
                Expect::Value | Expect::FirstItem => match self.value(bytes, i, byte, events)? {
                    Some((next, then)) => (i, expect) = (next, then),
                    None => return Ok(()),
                },
                _ => return self.fail(self.at(i), SyntaxKind::Invalid),
            }
        }
    }

    /// The next byte after whitespace from `*i` (left at it), or `None` at
    /// the end of the piece.
    #[inline(always)]
    fn skip_ws(&mut self, bytes: &[u8], i: &mut usize) -> Option<u8> {
        loop {
            match bytes.get(*i) {
                Some(&b) if b > b' ' => return Some(b),
                Some(b' ' | b'\t' | b'\r') => *i += 1,
                Some(b'\n') => {
                    *i += 1;
                    self.lines += 1;
                    self.line_start = self.base + *i;
                }
                Some(&b) => return Some(b),
                None => return None,
            }
        }
    }

    /// Closes the container whose closing bracket is at `i`; the index after it.
    #[inline(always)]
    fn close<E: Events>(&mut self, i: usize, events: &mut E) -> usize {
        let depth = self.open.len();
        self.open.pop();
        if self.skipping == 0 {
            events.close(self.at(i + 1));
        } else if self.skipping == depth {
            self.skipping = 0;
        }
        i + 1
    }

    /// A value whose first byte `byte` is at `i`: the index after it and what
    /// may follow, or `None` when the piece ended inside it.
    #[inline(always)]
    fn value<E: Events>(&mut self, bytes: &[u8], i: usize, byte: u8, events: &mut E) -> Syn<Option<(usize, Expect)>> {
        let at = self.at(i);
        if self.open.is_empty() {
            self.root_start = Some(at);
        }
        if byte == b'"' {
            let keep = self.skipping == 0;
            let Some((end, escaped)) = self.string(bytes, i + 1, false, keep, events)? else { return Ok(None) };
            if keep {
                events.string(Str { raw: &bytes[i + 1..end], escaped }, at);
            }
            return Ok(Some((end + 1, self.after_value(self.at(end + 1)))));
        }
        let Some(kind) = Kind::of(byte) else { return self.fail(at, SyntaxKind::Invalid) };
        if matches!(kind, Kind::Object | Kind::Array) && self.open.len() + 1 >= MAX_DEPTH as usize {
            return self.fail(at, SyntaxKind::TooDeep);
        }
        let take = if self.skipping == 0 { events.open(kind, at) } else { Take::Skip };
        let keep = take == Take::Keep;
        if take == Take::Whole {
            let start = Start { at, depth: self.open.len() as u32, lines: self.lines, line_start: self.line_start };
            self.partial = Partial::Whole(start);
            return self.resume(bytes, i, events);
        }
        match kind {
            Kind::Object | Kind::Array => {
                self.open.push(kind == Kind::Object);
                if self.skipping == 0 && !keep {
                    self.skipping = self.open.len();
                }
                Ok(Some((i + 1, if kind == Kind::Object { Expect::FirstKey } else { Expect::FirstItem })))
            }
            Kind::Number => {
                self.magnitude.clear();
                self.scratch.clear();
                self.partial = Partial::Num { keep, start: at, state: NumState::Start };
                self.resume(bytes, i, events)
            }
            Kind::Boolean | Kind::Null | Kind::String => {
                let word: &'static [u8] = match byte {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                self.partial = Partial::Word { word, got: 0, start: at, keep };
                self.resume(bytes, i, events)
            }
        }
    }

    /// A string whose first byte inside the quotes is at `start`, read whole
    /// in this piece: the index of its closing quote and whether it holds
    /// escapes; `None` when the piece ends inside it.
    fn whole_string(&self, bytes: &[u8], start: usize) -> Syn<Option<(usize, bool)>> {
        string_in(bytes, start).or_else(|at| self.fail(self.at(at), SyntaxKind::Invalid))
    }

    /// A string whose first byte inside the quotes is at `start` (a key when
    /// `key`), to be reported when `keep`: the index of its closing quote and
    /// whether it holds escapes, when it ends in this piece (the caller
    /// reports it). Otherwise its state is kept for the next piece, and its
    /// bytes too when the reader wants them (it is reported when it ends).
    fn string<E: Events>(
        &mut self,
        bytes: &[u8],
        start: usize,
        key: bool,
        keep: bool,
        events: &mut E,
    ) -> Syn<Option<(usize, bool)>> {
        if let Some(whole) = self.whole_string(bytes, start)? {
            return Ok(Some(whole));
        }
        let (mut skip_next, mut escaped, mut seen) = (false, false, 0u64);
        let _ = scan_string(bytes, start, &mut skip_next, &mut escaped, &mut seen);
        let mut scan = StrScan { skip_next, escaped, ..StrScan::default() };
        scan.check(&bytes[start..], self.at(start), seen & 0x8080_8080_8080_8080 != 0);
        let gather = keep && (key || events.keeps_string());
        if gather {
            self.scratch.clear();
            self.scratch.extend_from_slice(&bytes[start..]);
        }
        self.partial = Partial::Str { key, keep, gather, start: self.at(start), scan };
        Ok(None)
    }

    /// Tells the reader of a string whose first byte inside the quotes is at `start`.
    #[inline(always)]
    fn report<E: Events>(s: Str<'_>, key: bool, start: usize, events: &mut E) {
        if key {
            events.key(s);
        } else {
            events.string(s, start - 1);
        }
    }

    /// Continues the token in `self.partial` from `from`: the index after it
    /// and what may follow, or `None` when this piece ends inside it too.
    fn resume<E: Events>(&mut self, bytes: &[u8], from: usize, events: &mut E) -> Syn<Option<(usize, Expect)>> {
        match std::mem::replace(&mut self.partial, Partial::None) {
            Partial::None => Ok(Some((from, self.expect))),
            Partial::Str { key, keep, gather, start, mut scan } => {
                let (mut escaped, mut seen) = (scan.escaped, 0u64);
                let found = scan_string(bytes, from, &mut scan.skip_next, &mut escaped, &mut seen);
                scan.escaped = escaped;
                let end = match found {
                    Err(at) => return self.fail(self.at(at), SyntaxKind::Invalid),
                    Ok(end) => end,
                };
                let segment = &bytes[from..end.unwrap_or(bytes.len())];
                scan.check(segment, self.at(from), seen & 0x8080_8080_8080_8080 != 0);
                if gather {
                    self.scratch.extend_from_slice(segment);
                }
                let Some(end) = end else {
                    self.partial = Partial::Str { key, keep, gather, start, scan };
                    return Ok(None);
                };
                if let Some(at) = scan.verdict(start) {
                    return self.fail(at, SyntaxKind::Invalid);
                }
                let mut scratch = std::mem::take(&mut self.scratch);
                if !gather {
                    scratch.clear();
                }
                if keep {
                    Self::report(Str { raw: &scratch, escaped: escaped && gather }, key, start, events);
                }
                self.scratch = scratch;
                let then = if key { Expect::Colon } else { self.after_value(self.at(end + 1)) };
                Ok(Some((end + 1, then)))
            }
            Partial::Word { word, mut got, start, keep } => {
                let mut i = from;
                while got < word.len() {
                    let Some(&b) = bytes.get(i) else {
                        self.partial = Partial::Word { word, got, start, keep };
                        return Ok(None);
                    };
                    if b != word[got] {
                        return self.fail(start, SyntaxKind::Invalid);
                    }
                    (got, i) = (got + 1, i + 1);
                }
                if keep {
                    events.scalar(word);
                }
                Ok(Some((i, self.after_value(self.at(i)))))
            }
            Partial::Whole(start) => match events.whole(&bytes[from..], &start, false)? {
                Some(end) => Ok(Some(self.whole_done(from + end.used, end))),
                None => {
                    self.partial = Partial::Whole(start);
                    Ok(None)
                }
            },
            Partial::Num { keep, start, state } => {
                let (i, state, ended) = match number_in(&mut self.magnitude, state, bytes, from) {
                    Ok(read) => read,
                    Err(at) => return self.fail(self.at(at), SyntaxKind::Invalid),
                };
                if keep {
                    self.scratch.extend_from_slice(&bytes[from..i]);
                }
                if !ended {
                    self.partial = Partial::Num { keep, start, state };
                    return Ok(None);
                }
                self.end_number(keep, start, events)?;
                Ok(Some((i, self.after_value(self.at(i)))))
            }
        }
    }

    /// A number that ended: refused when it rounds to infinity, as in `serde_json`.
    fn end_number<E: Events>(&mut self, keep: bool, start: usize, events: &mut E) -> Syn<()> {
        if self.magnitude.out_of_range() {
            return self.fail(start, SyntaxKind::NumberOutOfRange);
        }
        if keep {
            events.scalar(&self.scratch);
        }
        Ok(())
    }
}

/// A string token whose first byte inside the quotes is at `start`, read
/// whole from `bytes`: the index of its closing quote and whether it holds
/// escapes; `Ok(None)` when `bytes` end first; `Err(at)` where it is wrong (a
/// control byte, the first invalid UTF-8 sequence, or its start for an invalid escape).
#[inline(always)]
pub(crate) fn string_in(bytes: &[u8], start: usize) -> Result<Option<(usize, bool)>, usize> {
    let (mut skip_next, mut escaped, mut seen) = (false, false, 0u64);
    let Some(end) = scan_string(bytes, start, &mut skip_next, &mut escaped, &mut seen)? else { return Ok(None) };
    if seen & 0x8080_8080_8080_8080 != 0 || escaped {
        let mut scan = StrScan { escaped, ..StrScan::default() };
        scan.check(&bytes[start..end], start, seen & 0x8080_8080_8080_8080 != 0);
        if let Some(at) = scan.verdict(start) {
            return Err(at);
        }
    }
    Ok(Some((end, escaped)))
}

/// Reads number bytes from `from` in `state`, gathering its digits in `m`:
/// `Ok((end, state, true))` when the number ended before `end` (at a byte
/// that is not part of it), `Ok((bytes.len(), state, false))` when `bytes`
/// ended first, `Err(at)` at a byte where a digit had to be.
pub(crate) fn number_in(
    m: &mut Magnitude,
    mut state: NumState,
    bytes: &[u8],
    from: usize,
) -> Result<(usize, NumState, bool), usize> {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        let next = match (state, b) {
            (NumState::Start, b'-') => NumState::Sign,
            (NumState::Start | NumState::Sign, b'0') => NumState::Zero,
            (NumState::Start | NumState::Sign | NumState::Int, b'0'..=b'9') => NumState::Int,
            (NumState::Zero | NumState::Int, b'.') => NumState::Point,
            (NumState::Point | NumState::Frac, b'0'..=b'9') => NumState::Frac,
            (NumState::Zero | NumState::Int | NumState::Frac, b'e' | b'E') => NumState::Exp,
            (NumState::Exp, b'+' | b'-') => NumState::ExpSign,
            (NumState::Exp | NumState::ExpSign | NumState::ExpDigits, b'0'..=b'9') => NumState::ExpDigits,
            _ if state.complete() => return Ok((i, state, true)),
            _ => return Err(i),
        };
        match next {
            NumState::Zero | NumState::Int => {
                m.int_digits += 1;
                m.digit(b);
            }
            NumState::Frac => m.digit(b),
            NumState::Exp => m.has_exp = true,
            NumState::ExpSign => m.exp_negative = b == b'-',
            NumState::ExpDigits => m.exp = (m.exp * 10 + i64::from(b - b'0')).min(1 << 40),
            NumState::Start | NumState::Sign | NumState::Point => {}
        }
        state = next;
        i += 1;
    }
    Ok((i, state, false))
}

/// Scans a string's bytes from `pos`: `Ok(Some(end))` at its closing quote,
/// `Ok(None)` when the piece ends first, `Err(at)` at a control byte. The
/// bytes read are ORed into `seen` (for "is any of them non-ASCII"); the byte
/// after a backslash is never a closing quote.
#[inline(always)]
fn scan_string(
    bytes: &[u8],
    mut pos: usize,
    skip_next: &mut bool,
    escaped: &mut bool,
    seen: &mut u64,
) -> Result<Option<usize>, usize> {
    if *skip_next {
        let Some(&b) = bytes.get(pos) else { return Ok(None) };
        *seen |= u64::from(b);
        *skip_next = false;
        pos += 1;
    }
    loop {
        // Eight bytes at a time, jumping straight to the first quote,
        // backslash or control byte (no branch per byte).
        while let Some(word) = bytes.get(pos..pos + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let w = u64::from_le_bytes(w);
            // Bytes after the special one may be counted too: that only
            // costs a needless UTF-8 check.
            *seen |= w;
            let mask = special_bytes(w);
            if mask != 0 {
                pos += (mask.trailing_zeros() / 8) as usize;
                break;
            }
            pos += 8;
        }
        let Some(&byte) = bytes.get(pos) else { return Ok(None) };
        *seen |= u64::from(byte);
        match byte {
            b'"' => return Ok(Some(pos)),
            b'\\' => {
                *escaped = true;
                match bytes.get(pos + 1) {
                    Some(&next) => {
                        *seen |= u64::from(next);
                        pos += 2;
                    }
                    None => {
                        *skip_next = true;
                        return Ok(None);
                    }
                }
            }
            0..=0x1f => return Err(pos),
            _ => pos += 1,
        }
    }
}

/// The digits of the midpoint between `f64::MAX` and 2^1024 (2^1024 - 2^970),
/// trailing zeros left out: a number at or above it rounds to infinity.
const OVERFLOW_DIGITS: &[u8] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

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

    /// Every event, written down: what two readings are compared by.
    #[derive(Default)]
    struct Log(Vec<String>);

    impl Events for Log {
        fn open(&mut self, kind: Kind, at: usize) -> Take {
            self.0.push(format!("open {kind:?} {at}"));
            // Keep everything but the values of keys named "skip".
            if self.0.iter().rev().nth(1).is_some_and(|e| e == "key skip") {
                Take::Skip
            } else {
                Take::Keep
            }
        }
        fn key(&mut self, key: Str<'_>) {
            self.0.push(format!("key {}", key.text()));
        }
        fn string(&mut self, value: Str<'_>, at: usize) {
            self.0.push(format!("open String {at}"));
            if self.0.iter().rev().nth(1).is_some_and(|e| e == "key skip") {
                return;
            }
            self.0.push(format!("string {:?}", value.text()));
        }
        fn keeps_string(&self) -> bool {
            self.0.last().map_or(true, |e| e != "key skip")
        }
        fn scalar(&mut self, text: &[u8]) {
            self.0.push(format!("scalar {}", String::from_utf8_lossy(text)));
        }
        fn close(&mut self, end: usize) {
            self.0.push(format!("close {end}"));
        }
    }

    /// Where the root value starts and ends, as [`Tokenizer::root`] says.
    type Root = (Option<usize>, Option<usize>);

    /// The events and verdict of `body` read in pieces of the given sizes (cycled).
    fn read(body: &[u8], sizes: &[usize]) -> (Vec<String>, Syn<Root>) {
        let mut t = Tokenizer::new();
        let mut log = Log::default();
        let mut rest = body;
        let mut k = 0;
        let outcome = loop {
            if rest.is_empty() {
                break t.finish(&mut log).map(|()| t.root());
            }
            let n = sizes[k % sizes.len()].clamp(1, rest.len());
            k += 1;
            let (piece, tail) = rest.split_at(n);
            if let Err(e) = t.feed(piece, &mut log) {
                break Err(e);
            }
            rest = tail;
        };
        (log.0, outcome)
    }

    fn check(body: &str) -> Syn<()> {
        read(body.as_bytes(), &[usize::MAX]).1.map(drop)
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
            "\"\\ud800\\u0041\"",
            "\"\\u12\"",
            "tru",
            "nul x",
            "[1] 2",
            "\"a\nb\"",
            "1e999",
            "{1:2}",
            "\"\u{80}",
            "\"\\",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check("1e400").unwrap_err().kind, SyntaxKind::NumberOutOfRange);
        let deep = check(&"[".repeat(200)).unwrap_err();
        assert_eq!((deep.at, deep.kind), (127, SyntaxKind::TooDeep));
        assert!(check(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
    }

    #[test]
    fn numbers_beyond_f64_are_found_on_the_digits() {
        for (text, infinite) in [
            ("1.7976931348623157e308", false),
            ("1.7976931348623158e308", false),
            ("1.7976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797758720709633028641669288791094655554785194040263065748867150582068190890200070838367627385484581771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155969950809304288017790417449779e308", false),
            ("1.797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179775872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548458177115317644757302700698555713669596228429148198608349364752927190741684443655107043427115596995080930428801779041744977920e308", true),
            ("1.79769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791999999e308", false),
            ("1.7976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797758720709633028641669288791094655554785194040263065748867150582068190890200070838367627385484581771153176447573027006985557136695962284291481986083493647529271907416844436551070434271155969950809304288017790417449779200000000001e308", true),
            ("1.7976931348623159e308", true),
            ("-2e308", true),
            ("0.000179769313486231580793e312", false),
            ("179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", false),
            ("1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", true),
            ("0e99999999999999999999", false),
            ("0.0", false),
            ("1e-99999", false),
        ] {
            let outcome = check(text);
            assert_eq!(outcome.is_err(), infinite, "{text}");
            assert_eq!(text.parse::<f64>().unwrap().is_infinite(), infinite, "{text} per Rust's parser");
        }
    }

    #[test]
    fn positions_are_lines_and_columns() {
        let e = check("{\n  \"a\": x}").unwrap_err();
        assert_eq!((e.at, e.line, e.column), (9, 2, 8));
        let e = check("[\"ok\",\n\"a\u{1}\"]").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        let e = check("\n\n  \"\\q\"").unwrap_err();
        assert_eq!((e.at, e.line, e.column), (5, 3, 4), "an invalid escape is placed at its string's start");
    }

    /// Bodies that exercise every token spanning a cut: escapes, surrogate
    /// pairs, multi-byte characters, numbers, literals and skipped values.
    const BODIES: &[&str] = &[
        r#"{"a":"x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00","n":[-0.5e+3,0,1E2,12345678901234567890],"t":true,"f":false,"z":null}"#,
        "{\"é\":\"日本語\",\"skip\":{\"deep\":[\"\\u0041\",1.5,{\"k\":\"v\"}]},\"after\":[\"b\"]}",
        "  [ \"a\" , { } , [ ] , \"\u{10348}\" ]\n ",
        "{\"skip\":\"\\ud800\\udc00 and more\",\"k\":1e-7}",
        "[\"\\ud800\"]",
        "[\"a\u{7f}\u{80}\"]",
        "{\"a\":1,}",
        "[1.]",
        "[\"\\u12x\"]",
        "[tru]",
        "[1e999]",
        "{\"skip\":[1,2,{\"a\":[}]]}",
        "\"\u{e9}",
    ];

    #[test]
    fn the_cut_changes_nothing() {
        for body in BODIES {
            let body = body.as_bytes();
            let whole = read(body, &[usize::MAX]);
            for n in 1..body.len() {
                assert_eq!(read(body, &[n, usize::MAX]), whole, "{:?} cut at {n}", String::from_utf8_lossy(body));
            }
            for sizes in [&[1][..], &[2], &[3, 1], &[7, 2, 5]] {
                assert_eq!(read(body, sizes), whole, "{:?} in pieces of {sizes:?}", String::from_utf8_lossy(body));
            }
        }
        // Bytes that are not UTF-8, cut inside a sequence.
        for body in [&b"[\"a\xc3\""[..], b"[\"\xe6\x97\"]", b"[\"\xf0\x9f\x98\x80\xff\"]", b"[\"\xed\xa0\x80\"]"] {
            let whole = read(body, &[usize::MAX]);
            assert!(whole.1.is_err(), "{body:?}");
            for n in 1..body.len() {
                assert_eq!(read(body, &[n, usize::MAX]), whole, "{body:?} cut at {n}");
                assert_eq!(read(body, &[1]), whole, "{body:?} a byte at a time");
            }
        }
    }

    #[test]
    fn skipped_values_are_checked_not_reported() {
        let (events, outcome) = read(br#"{"skip":{"a":["b",{"c":1}]},"k":"v"}"#, &[usize::MAX]);
        assert!(outcome.is_ok());
        assert_eq!(
            events,
            ["open Object 0", "key skip", "open Object 8", "key k", "open String 32", "string \"v\"", "close 36"]
        );
    }

    #[test]
    fn the_root_is_located() {
        assert_eq!(read(b"  {\"a\":1}  ", &[3]).1, Ok((Some(2), Some(9))));
        assert_eq!(read(b" 12 ", &[2]).1, Ok((Some(1), Some(3))));
        assert_eq!(read(b"12", &[1]).1, Ok((Some(0), Some(2))));
    }

    #[test]
    fn quoting_is_json() {
        assert_eq!(quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
        assert_eq!(quote_ascii("é😀"), "\"\\u00e9\\ud83d\\ude00\"");
    }
}
