//! A JSON value held whole in one slice, read by recursive descent: how the
//! schema walk reads each model object, the bulk of a catalog, at the speed
//! of a recursive parser (the streaming [`super::scan::Tokenizer`] carries the
//! levels around them). The token rules are the tokenizer's: the same
//! string, number and literal checks. A slice that ends before the value does
//! is told apart from a syntax error when more bytes may come: the error is
//! then at the slice's end ([`Whole::wants_more`]).

use super::scan::{number_in, string_in, Kind, Magnitude, NumState, Str, Syn, SyntaxError, SyntaxKind, MAX_DEPTH};

/// The reader: a position in the slice, the nesting depth, and the state
/// `rules` of whoever drives it (so that member and item callbacks can reach it).
pub(crate) struct Whole<'a, X> {
    /// The slice.
    pub bytes: &'a [u8],
    /// The next byte to read.
    pub pos: usize,
    depth: u32,
    /// Nothing follows the slice: running out of bytes is an error.
    last: bool,
    magnitude: &'a mut Magnitude,
    /// Newlines read between tokens, and the offset after the last one.
    pub newlines: usize,
    pub line_start: usize,
    /// The driver's state.
    pub rules: X,
}

impl<'a, X> Whole<'a, X> {
    /// A reader at the start of `bytes`, inside `depth` open containers; `last`
    /// when nothing follows them.
    pub(crate) fn new(bytes: &'a [u8], depth: u32, last: bool, magnitude: &'a mut Magnitude, rules: X) -> Self {
        Whole { bytes, pos: 0, depth, last, magnitude, newlines: 0, line_start: 0, rules }
    }

    /// Whether `e` only says that the slice ended before the value (more may come).
    pub(crate) fn wants_more(&self, e: &SyntaxError) -> bool {
        !self.last && e.at >= self.bytes.len()
    }

    /// An error of `kind` at offset `at` (its line and column are the caller's to set).
    #[cold]
    fn fail_at<T>(&self, at: usize, kind: SyntaxKind) -> Syn<T> {
        Err(SyntaxError { at, kind, line: 0, column: 0 })
    }

    /// An error of `kind` at the current position.
    #[cold]
    pub(crate) fn fail<T>(&self, kind: SyntaxKind) -> Syn<T> {
        self.fail_at(self.pos, kind)
    }

    /// Skips whitespace.
    #[inline(always)]
    pub(crate) fn ws(&mut self) {
        while let Some(&b @ (b' ' | b'\n' | b'\r' | b'\t')) = self.bytes.get(self.pos) {
            self.pos += 1;
            if b == b'\n' {
                self.newline();
            }
        }
    }

    /// Counts the newline just read (out of line: catalogs are rarely pretty-printed).
    #[cold]
    #[inline(never)]
    fn newline(&mut self) {
        self.newlines += 1;
        self.line_start = self.pos;
    }

    /// The next byte after whitespace, not consumed.
    #[inline(always)]
    pub(crate) fn peek(&mut self) -> Syn<u8> {
        self.ws();
        match self.bytes.get(self.pos) {
            Some(&c) => Ok(c),
            None => self.fail(SyntaxKind::Invalid),
        }
    }

    /// The kind of the value that starts next.
    #[inline(always)]
    pub(crate) fn kind(&mut self) -> Syn<Kind> {
        match Kind::of(self.peek()?) {
            Some(kind) => Ok(kind),
            None => self.fail(SyntaxKind::Invalid),
        }
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Syn<()> {
        if self.peek()? != c {
            return self.fail(SyntaxKind::Invalid);
        }
        self.pos += 1;
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

    /// Reads an object, calling `member(reader, key)` for each member; it must
    /// consume the value.
    #[inline(always)]
    pub(crate) fn object(&mut self, mut member: impl FnMut(&mut Self, Str<'a>) -> Syn<()>) -> Syn<()> {
        self.object_with(&mut member)
    }

    /// [`Whole::object`], compiled once: each level of a walk is a call
    /// through a pointer per member rather than its own copy of the loop.
    #[inline(never)]
    fn object_with(&mut self, member: &mut dyn FnMut(&mut Self, Str<'a>) -> Syn<()>) -> Syn<()> {
        self.container(b'{', b'}', |s, _| {
            if s.peek()? != b'"' {
                return s.fail(SyntaxKind::Invalid);
            }
            let key = s.string()?;
            s.eat(b':')?;
            member(s, key)
        })
    }

    /// The loop of an object or array: `open`, items separated by commas
    /// (`item` reads one: a member is its key, a colon and its value), `close`.
    #[inline(always)]
    fn container(&mut self, open: u8, close: u8, mut item: impl FnMut(&mut Self, usize) -> Syn<()>) -> Syn<()> {
        self.ws();
        self.enter()?;
        self.eat(open)?;
        if self.peek()? == close {
            self.pos += 1;
        } else {
            let mut index = 0;
            loop {
                item(self, index)?;
                index += 1;
                match self.peek()? {
                    b',' => self.pos += 1,
                    c if c == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.fail(SyntaxKind::Invalid),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads an array, calling `item(reader, index)` for each item; it must
    /// consume the value.
    #[inline(always)]
    pub(crate) fn array(&mut self, mut item: impl FnMut(&mut Self, usize) -> Syn<()>) -> Syn<()> {
        self.array_with(&mut item)
    }

    /// [`Whole::array`], compiled once (see [`Whole::object_with`]).
    #[inline(never)]
    fn array_with(&mut self, item: &mut dyn FnMut(&mut Self, usize) -> Syn<()>) -> Syn<()> {
        self.container(b'[', b']', item)
    }

    /// Reads a string token.
    #[inline(always)]
    pub(crate) fn string(&mut self) -> Syn<Str<'a>> {
        self.eat(b'"')?;
        let start = self.pos;
        match string_in(self.bytes, start) {
            Ok(Some((end, escaped))) => {
                self.pos = end + 1;
                Ok(Str { raw: &self.bytes[start..end], escaped })
            }
            Ok(None) => self.fail_at(self.bytes.len(), SyntaxKind::Invalid),
            Err(at) => self.fail_at(at, SyntaxKind::Invalid),
        }
    }

    /// Any JSON value, checked and skipped.
    pub(crate) fn skip(&mut self) -> Syn<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(|s, _| s.skip()),
            b'[' => self.array(|s, _| s.skip()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => self.fail(SyntaxKind::Invalid),
        }
    }

    /// `true`, `false` or `null`.
    fn literal(&mut self, word: &[u8]) -> Syn<()> {
        self.ws();
        let rest = &self.bytes[self.pos..];
        if rest.starts_with(word) {
            self.pos += word.len();
            return Ok(());
        }
        // The slice may end inside the word.
        if !self.last && rest.len() < word.len() && word.starts_with(rest) {
            return self.fail_at(self.bytes.len(), SyntaxKind::Invalid);
        }
        self.fail(SyntaxKind::Invalid)
    }

    /// A JSON number. One beyond the range of `f64` is an error, as in `serde_json`.
    fn number(&mut self) -> Syn<()> {
        self.ws();
        self.magnitude.clear();
        match number_in(self.magnitude, NumState::Start, self.bytes, self.pos) {
            Err(at) => self.fail_at(at, SyntaxKind::Invalid),
            // The slice ends inside the number: more may come.
            Ok((end, _, false)) if !self.last => self.fail_at(end, SyntaxKind::Invalid),
            Ok((end, state, _)) if !state.complete() => self.fail_at(end, SyntaxKind::Invalid),
            Ok(_) if self.magnitude.out_of_range() => self.fail(SyntaxKind::NumberOutOfRange),
            Ok((end, _, _)) => {
                self.pos = end;
                Ok(())
            }
        }
    }
}

/// Where a container that spans pieces ends, found as its bytes arrive (so
/// that it is read whole once, not again with each piece): brackets are
/// counted outside strings. For a valid value this is its end; for an invalid
/// one, reading the bytes up to it finds the error.
#[derive(Default)]
pub(crate) struct EndFinder {
    depth: u32,
    in_string: bool,
    /// The last byte was a backslash inside a string.
    escaped: bool,
}

impl EndFinder {
    /// Reads the next bytes of the value (from its first byte on): the index
    /// after its closing bracket, if it is in `bytes`.
    pub(crate) fn find(&mut self, bytes: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            if self.in_string {
                match b {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }
}
