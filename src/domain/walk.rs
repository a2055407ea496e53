//! A body read as it arrives: the tokenizer ([`super::scan`]) and the reader
//! of one kind of text (the schema walk of a 2xx body, the error envelope of a
//! failed response, a stored record's head), fed a piece at a time. What is
//! kept between pieces is the tokenizer's state, the reader's findings, and
//! the body's first bytes: they decide whether it starts with a byte order
//! mark, and messages quote them.

use std::ops::Range;

use super::error::Error;
use super::parse::EnvelopeRead;
use super::record::HeadRead;
use super::scan::{Events, Kind, Start, Str, Syn, SyntaxError, SyntaxKind, Take, Tokenizer, WholeEnd};
use super::schema::{describe_start, excerpt_len, CatalogWalk, Checked};

/// A UTF-8 byte order mark: tolerated before a body (RFC 8259 §8.1 allows
/// ignoring it).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The reader a walk feeds. One type for all of them, so that the grammar is
/// compiled once in the wasm build.
pub(crate) enum Reader {
    Catalog(Box<CatalogWalk>),
    Envelope(EnvelopeRead),
    Head(HeadRead),
}

impl Events for Reader {
    #[inline(always)]
    fn open(&mut self, kind: Kind, at: usize) -> Take {
        match self {
            Reader::Catalog(r) => r.open(kind, at),
            Reader::Envelope(r) => r.open(kind, at),
            Reader::Head(r) => r.open(kind, at),
        }
    }

    #[inline(always)]
    fn key(&mut self, key: Str<'_>) {
        match self {
            Reader::Catalog(r) => r.key(key),
            Reader::Envelope(r) => r.key(key),
            Reader::Head(r) => r.key(key),
        }
    }

    #[inline(always)]
    fn string(&mut self, value: Str<'_>, at: usize) {
        match self {
            Reader::Catalog(r) => r.string(value, at),
            Reader::Envelope(r) => r.string(value, at),
            Reader::Head(r) => r.string(value, at),
        }
    }

    fn whole(&mut self, piece: &[u8], start: &Start, last: bool) -> Syn<Option<WholeEnd>> {
        match self {
            Reader::Catalog(r) => r.whole(piece, start, last),
            Reader::Envelope(r) => r.whole(piece, start, last),
            Reader::Head(r) => r.whole(piece, start, last),
        }
    }

    fn keeps_string(&self) -> bool {
        match self {
            Reader::Catalog(r) => r.keeps_string(),
            Reader::Envelope(r) => r.keeps_string(),
            Reader::Head(r) => r.keeps_string(),
        }
    }

    fn scalar(&mut self, text: &[u8]) {
        match self {
            Reader::Catalog(r) => r.scalar(text),
            Reader::Envelope(r) => r.scalar(text),
            Reader::Head(r) => r.scalar(text),
        }
    }

    #[inline(always)]
    fn close(&mut self, end: usize) {
        match self {
            Reader::Catalog(r) => r.close(end),
            Reader::Envelope(r) => r.close(end),
            Reader::Head(r) => r.close(end),
        }
    }
}

/// A text read as its pieces arrive.
pub struct Walk {
    tokens: Tokenizer,
    pub(crate) reader: Reader,
    /// The first bytes, as many as messages quote (and the three a byte
    /// order mark takes).
    first: Vec<u8>,
    keep: usize,
    /// Bytes fed so far.
    total: usize,
    /// The length of the byte order mark (0 or 3), once known.
    bom: Option<usize>,
    /// The first syntax error: what comes after it is only counted.
    error: Option<SyntaxError>,
}

/// What the walk of a 2xx body found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walked {
    /// The hash, warnings and where `data.resources` lies.
    pub checked: Checked,
    /// Where the JSON text lies: no byte order mark or whitespace around it.
    pub text: Range<usize>,
}

impl Walk {
    fn new(reader: Reader) -> Walk {
        // The excerpt's length depends on the active redactor: taken now.
        let keep = excerpt_len() + BOM.len();
        Walk { tokens: Tokenizer::new(), reader, first: Vec::new(), keep, total: 0, bom: None, error: None }
    }

    /// The walk of a 2xx body: `status` and `strict` shape its findings;
    /// `expected_len`, the body's length when known, sizes a table.
    pub fn catalog(status: u16, strict: bool, expected_len: Option<usize>) -> Walk {
        Walk::new(Reader::Catalog(Box::new(CatalogWalk::new(status, strict, expected_len))))
    }

    /// The walk of a failed response's body, for the server's error envelope.
    pub fn failure() -> Walk {
        Walk::new(Reader::Envelope(EnvelopeRead::default()))
    }

    /// The walk of a stored record's head.
    pub(crate) fn head() -> Walk {
        Walk::new(Reader::Head(HeadRead::default()))
    }

    /// Bytes fed so far.
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether nothing was fed yet.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Whether the bytes still to come are read: after a syntax error they can
    /// change nothing, and once the first bytes messages quote are kept, they
    /// are only counted ([`Walk::count`]).
    pub fn reading(&self) -> bool {
        self.error.is_none() || self.first.len() < self.keep
    }

    /// Counts `n` bytes of the body without reading them (see [`Walk::reading`]).
    pub fn count(&mut self, n: usize) {
        self.total += n;
    }

    /// Reads the next piece of the body.
    pub fn feed(&mut self, bytes: &[u8]) {
        let before = self.total;
        self.total += bytes.len();
        if self.first.len() < self.keep {
            let room = self.keep - self.first.len();
            self.first.extend_from_slice(&bytes[..room.min(bytes.len())]);
        }
        let bom = match self.bom {
            Some(bom) => bom,
            // Held in `first` until three bytes tell.
            None if self.total < BOM.len() => return,
            None => self.decide_bom(before),
        };
        let skip = bom.saturating_sub(before).min(bytes.len());
        self.read(&bytes[skip..], None);
    }

    /// Whether the body starts with a byte order mark, once `before` bytes
    /// came before the piece being fed (those are read now, past the mark).
    fn decide_bom(&mut self, before: usize) -> usize {
        let bom = if self.first.starts_with(BOM) { BOM.len() } else { 0 };
        self.bom = Some(bom);
        let held = bom.min(before)..before;
        self.read(&[], Some(held));
        bom
    }

    /// Feeds `bytes`, or the range `held` of the first bytes.
    fn read(&mut self, bytes: &[u8], held: Option<Range<usize>>) {
        if self.error.is_some() {
            return;
        }
        let piece = match held {
            Some(range) => &self.first[range],
            None => bytes,
        };
        if let Err(e) = self.tokens.feed(piece, &mut self.reader) {
            self.error = Some(e);
        }
    }

    /// The end of the body: its syntax error, if any.
    fn end(&mut self) -> Option<SyntaxError> {
        if self.bom.is_none() {
            self.bom = Some(0);
            self.read(&[], Some(0..self.total));
        }
        if self.error.is_none() {
            if let Err(e) = self.tokens.finish(&mut self.reader) {
                self.error = Some(e);
            }
        }
        self.error
    }

    /// The verdict on a 2xx body. `status` and `content_type` only shape
    /// messages; a body whose `status` is not `SUCCESS` is the server's error
    /// even on a 2xx and becomes [`Error::Api`].
    pub fn judge(mut self, status: u16, content_type: Option<&str>) -> Result<Walked, Error> {
        if let Some(e) = self.end() {
            let bom = self.bom.unwrap_or(0);
            let first = self.first.get(bom..).unwrap_or_default();
            return Err(syntax_error(e, first, self.total - bom, status, content_type));
        }
        let bom = self.bom.unwrap_or(0);
        let (start, end) = self.tokens.root();
        let text = bom + start.unwrap_or(0)..bom + end.unwrap_or(0);
        let Reader::Catalog(catalog) = self.reader else {
            return Err(Error::invalid(status, "", "not a catalog walk"));
        };
        let mut checked = catalog.verdict()?;
        checked.resources = checked.resources.start + bom..checked.resources.end + bom;
        Ok(Walked { checked, text })
    }

    /// The error of a failed response: [`Error::Api`] when the body is an
    /// error envelope (a JSON object whose `status` holds the code), else
    /// [`Error::Http`] describing what came.
    pub fn failure_error(mut self, status: u16, content_type: Option<&str>, retry_after_ms: Option<u64>) -> Error {
        let read = self.end().is_none();
        if let (true, Reader::Envelope(envelope)) = (read, &self.reader) {
            if let Some((code, message)) = envelope.found() {
                if !code.is_empty() && code != "SUCCESS" {
                    let message =
                        message.filter(|m| !m.is_empty()).unwrap_or_else(|| format!("the server answered {code}"));
                    return Error::Api { code, status, message, retry_after_ms };
                }
            }
        }
        Error::Http { status, message: describe_start(&self.first, self.total, content_type), retry_after_ms }
    }

    /// The head reader's findings, once the whole head was fed; `None` on a syntax error.
    pub(crate) fn head_read(mut self) -> Option<HeadRead> {
        match (self.end(), self.reader) {
            (None, Reader::Head(head)) => Some(head),
            _ => None,
        }
    }
}

/// The error of a body that is not JSON; `first` and `len` are the body's
/// first bytes and length, without a byte order mark.
fn syntax_error(e: SyntaxError, first: &[u8], len: usize, status: u16, content_type: Option<&str>) -> Error {
    let (line, column) = (e.line, e.column);
    let what = match e.kind {
        SyntaxKind::TooDeep => format!("nested more than 128 levels deep at line {line} column {column}"),
        SyntaxKind::Invalid | SyntaxKind::NumberOutOfRange => format!("line {line} column {column}"),
    };
    Error::InvalidResponse {
        status,
        path: None,
        message: format!("body is not valid JSON ({what}); {}", describe_start(first, len, content_type)),
    }
}

/// Validates a whole 2xx body (see [`Walk::judge`]).
pub fn check_body(body: &[u8], status: u16, content_type: Option<&str>, strict: bool) -> Result<Checked, Error> {
    walk_body(body, status, content_type, strict).map(|walked| walked.checked)
}

/// [`check_body`], with where the JSON text lies.
pub fn walk_body(body: &[u8], status: u16, content_type: Option<&str>, strict: bool) -> Result<Walked, Error> {
    let mut walk = Walk::catalog(status, strict, Some(body.len()));
    walk.feed(body);
    walk.judge(status, content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = include_str!("../../tests/fixtures/catalog.json");

    /// The verdict of `body` fed in pieces of `n` bytes.
    fn in_pieces(body: &[u8], n: usize, strict: bool) -> Result<Walked, Error> {
        let mut walk = Walk::catalog(200, strict, None);
        for piece in body.chunks(n.max(1)) {
            walk.feed(piece);
        }
        walk.judge(200, Some("application/json"))
    }

    #[test]
    fn a_body_cut_anywhere_gets_the_same_verdict() {
        let edited = CATALOG.replacen("\"model\"", "\"extra\":[1,{\"x\":\"\\u00e9\"}],\"model\"", 1);
        let bodies = [
            format!("\u{feff}  {CATALOG}\n"),
            edited.replacen("\"text\"", "\"telepathy\"", 2),
            CATALOG.replacen("\"SUCCESS\"", "\"RATE_LIMITED\"", 1),
            CATALOG.replacen("]", "", 1),
            "\u{feff}".to_owned(),
            "\u{fe}".to_owned(),
            "  ".to_owned(),
            "[1] 2".to_owned(),
        ];
        for body in &bodies {
            for strict in [false, true] {
                let whole = in_pieces(body.as_bytes(), usize::MAX, strict);
                for n in [1, 2, 3, 5, 64, 1000] {
                    assert_eq!(in_pieces(body.as_bytes(), n, strict), whole, "{body:.60} in pieces of {n}");
                }
            }
        }
    }

    #[test]
    fn the_json_text_is_located() {
        let body = format!("\u{feff} \n{CATALOG}\n\t ");
        let walked = walk_body(body.as_bytes(), 200, None, false).unwrap();
        assert_eq!(&body.as_bytes()[walked.text], CATALOG.trim().as_bytes());
    }

    #[test]
    fn failed_responses_are_described() {
        let e = Walk::failure();
        let mut e2 = Walk::failure();
        e2.feed(b"{\"status\":\"UNAUTHORIZED_ERROR\",");
        e2.feed(b"\"message\":\"bad key\",\"data\":null}");
        assert_eq!(e2.failure_error(401, None, None).to_string(), "UNAUTHORIZED_ERROR (HTTP 401): bad key");
        assert_eq!(e.failure_error(502, Some("text/html"), None).code(), "HTTP_ERROR");
    }
}
