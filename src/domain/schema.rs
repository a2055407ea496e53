//! The schema of a `/v1/resources` body, in one place: the envelope, the hash
//! rules, models and run options; every error with its path, every warning,
//! their order and their cap.
//!
//! Two kinds of findings: *structural violations* (a missing or mistyped field,
//! an empty model id or option key, a hash that is not base64url) make the body
//! untrustworthy and become [`Error::InvalidResponse`] at the first failing path;
//! *additive surprises* (an unknown modality, section or field, a duplicate id or
//! key) keep the data and become warnings, or errors when `strict` is set.
//! Paths are written from the body's root: `data.resources.models[2].modality`.
//!
//! The rules hear the body's values as the tokenizer reads them
//! ([`super::scan`], driven by [`super::walk`]), a piece at a time, and keep
//! no bytes of it: one frame per open object or array of the schema, holding
//! that object's known members (their text, decoded) until it ends. The body's
//! members come in any order, but findings are reported in one fixed order
//! (the envelope's `status`, then `data`, unknown root fields, `data.hash`,
//! `data.resources` model by model, unknown sections and fields), so each
//! object is judged when it ends. A key given twice counts once, with its last
//! value, as in `JSON.parse`. What the walk remembers past an object is the
//! model ids (for the duplicate check) and the findings; values the schema
//! does not know are checked as JSON and forgotten.

use std::borrow::Cow;
use std::ops::Range;

use super::error::Error;
use super::scan::{same, Events, Kind, Magnitude, Start, Str, Syn, Take, WholeEnd};
use super::types::Modality;
use super::whole::{EndFinder, Whole};

/// At most this many warnings are listed; the rest are counted in one last line,
/// so a catalog with 50,000 unknown fields cannot flood a UI.
pub const MAX_WARNINGS: usize = 50;

/// Longest hash accepted: a content hash is short, and it travels in a header.
pub const MAX_HASH_LEN: usize = 256;

/// Longest name or value quoted in a warning, in characters; the rest is elided,
/// so a megabyte-long key cannot make a megabyte-long warning.
pub const MAX_SHOWN_CHARS: usize = 80;

/// What a valid body yields; the data itself stays in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The catalog's hash (base64url).
    pub hash: String,
    /// Additive surprises, in order, at most [`MAX_WARNINGS`] plus a count.
    pub warnings: Vec<String>,
    /// Where `data.resources` lies in the walked bytes.
    pub resources: Range<usize>,
}

/// A UTF-8 byte order mark is tolerated (RFC 8259 §8.1 allows ignoring it).
pub fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// The JSON text of a body without a byte order mark or whitespace around it:
/// what a stored record keeps.
pub fn json_text(body: &[u8]) -> &[u8] {
    let ws = |b: &u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let body = strip_bom(body);
    let start = body.iter().position(|b| !ws(b)).unwrap_or(body.len());
    let end = body.iter().rposition(|b| !ws(b)).map_or(start, |i| i + 1);
    &body[start..end.max(start)]
}

/// "received text/html (52 bytes): <html><body>..." — enough to recognise a
/// proxy page without dumping it. Control characters are replaced.
pub fn describe_body(body: &[u8], content_type: Option<&str>) -> String {
    describe_start(body, body.len(), content_type)
}

/// [`describe_body`] of a body of `len` bytes that starts with `first` (at
/// least its first [`excerpt_len`] bytes, or all of it).
pub(crate) fn describe_start(first: &[u8], len: usize, content_type: Option<&str>) -> String {
    let ct = content_type.filter(|c| !c.is_empty()).unwrap_or("no content type");
    if len == 0 {
        return format!("received an empty body ({ct})");
    }
    // Redacted before it is cut: a credential that begins within the first 80
    // bytes is replaced whole, not left as a prefix.
    let window = &first[..first.len().min(excerpt_len())];
    let window = super::redact::active_bytes(window);
    let text = String::from_utf8_lossy(&window[..window.len().min(80)]);
    let snippet: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(60).collect();
    let more = if len > 60 { "..." } else { "" };
    format!("received {ct} ({len} bytes): {}{more}", snippet.trim())
}

/// How many of a body's first bytes [`describe_start`] reads: 80, and room to
/// redact a credential that begins among them.
pub(crate) fn excerpt_len() -> usize {
    80 + super::redact::active_window()
}

/// Checks that a hash is non-empty base64url (`A-Z a-z 0-9 - _`, optional `=` padding)
/// and short, so that it can never smuggle anything into a header.
pub fn check_hash(hash: &str) -> Result<(), String> {
    if hash.is_empty() {
        return Err("empty hash".into());
    }
    if hash.len() > MAX_HASH_LEN {
        return Err(format!("hash longer than {MAX_HASH_LEN} characters"));
    }
    let body = hash.trim_end_matches('=');
    if body.is_empty() || hash.len() - body.len() > 2 {
        return Err("not base64url".into());
    }
    match body.bytes().find(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')) {
        Some(_) => Err("not base64url (allowed: A-Z a-z 0-9 - _)".into()),
        None => Ok(()),
    }
}

/// A name or value as shown in a warning: at most [`MAX_SHOWN_CHARS`]
/// characters, credentials redacted before the cut (so no prefix of one survives).
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    let text = super::redact::active(text);
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => text,
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// The path segment of an object key: `.key` for plain names, `["a.b"]` (JSON
/// quoted) for keys that are empty or hold anything else, so a path stays unambiguous.
pub(crate) fn field(key: &str) -> String {
    let plain = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'-');
    if plain {
        format!(".{}", shown(key))
    } else {
        format!("[{}]", super::scan::quote(&shown(key)))
    }
}

/// A key at the body's root: `key`, or `["a.b"]` as in [`field`].
pub(crate) fn root_field(key: &str) -> String {
    let segment = field(key);
    match segment.strip_prefix('.') {
        Some(plain) => plain.to_owned(),
        None => segment,
    }
}

/// Warnings of one scope, in report order, capped.
#[derive(Default)]
struct Warnings {
    list: Vec<String>,
    omitted: usize,
}

impl Warnings {
    fn add(&mut self, line: String) {
        if self.list.len() < MAX_WARNINGS {
            self.list.push(line);
        } else {
            self.omitted += 1;
        }
    }

    #[inline(always)]
    fn append(&mut self, other: Warnings) {
        // Almost always empty: a clean model has nothing to say.
        if other.list.is_empty() && other.omitted == 0 {
            return;
        }
        for line in other.list {
            self.add(line);
        }
        self.omitted += other.omitted;
    }

    fn finish(mut self) -> Vec<String> {
        if self.omitted > 0 {
            self.list.push(format!("... and {} more warnings", self.omitted));
        }
        self.list
    }
}

/// A name or value as shown in a warning (see [`shown`]), from bytes.
fn shown_bytes(bytes: &[u8]) -> String {
    shown(&String::from_utf8_lossy(bytes)).into_owned()
}

/// How errors are worded: the response's status, and whether surprises are errors.
struct Rules {
    status: u16,
    strict: bool,
}

/// A schema finding that ends the walk's judgement (the syntax is still checked
/// to the end). Boxed: results move through every level of the walk, and a
/// pointer moves faster than an error.
type Judged<T> = Result<T, Box<Error>>;

/// The value of a known member: what was there, or the kind it wrongly was.
enum Member<T> {
    Is(T),
    Wrong(Kind),
}

/// Error and warning wording, with the walk's status and strictness.
impl Rules {
    #[cold]
    fn invalid(&self, path: impl Into<String>, message: impl Into<String>) -> Box<Error> {
        Box::new(Error::invalid(self.status, path, message))
    }

    #[cold]
    fn missing(&self, path: impl Into<String>) -> Box<Error> {
        self.invalid(path, "missing")
    }

    #[cold]
    fn expected(&self, path: impl Into<String>, what: &str, got: Kind) -> Box<Error> {
        self.invalid(path, format!("expected {what}, got {}", got.name()))
    }

    /// A required member's value, or the finding for its absence ("missing")
    /// or its kind ("expected `what`"). The path is written only for a finding.
    #[inline(always)]
    fn required<T, P: Into<String>>(&self, member: Option<Member<T>>, path: impl Fn() -> P, what: &str) -> Judged<T> {
        match member {
            Some(Member::Is(value)) => Ok(value),
            None => Err(self.missing(path())),
            Some(Member::Wrong(kind)) => Err(self.expected(path(), what, kind)),
        }
    }

    /// A warning at `path`; in strict mode, the error instead. The texts are
    /// made only when needed, through pointers: one copy for every finding.
    fn warn(&self, into: &mut Warnings, path: &dyn Fn() -> String, message: &dyn Fn() -> String) -> Judged<()> {
        if self.strict {
            return Err(self.invalid(path(), format!("{} (strict mode)", message())));
        }
        into.add(format!("{}: {}", path(), message()));
        Ok(())
    }

    /// Warnings for unknown keys, in sorted order, each key once: at
    /// `prefix` and the key's path segment, or the key alone at the root
    /// (an empty prefix).
    fn unknown(
        &self,
        into: &mut Warnings,
        mut keys: Vec<Cow<'_, str>>,
        prefix: &dyn Fn() -> String,
        message: &'static str,
    ) -> Judged<()> {
        if keys.is_empty() {
            return Ok(());
        }
        super::sort::heapsort(&mut keys);
        keys.dedup();
        let prefix = prefix();
        for key in &keys {
            let path = || if prefix.is_empty() { root_field(key) } else { format!("{prefix}{}", field(key)) };
            self.warn(into, &path, &|| message.to_owned())?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The frames of the levels around the models: the envelope, `data`,
// `data.resources` and its models array

/// Where a member's decoded text lies in [`CatalogWalk::texts`].
#[derive(Clone, Copy)]
struct Text {
    start: u32,
    end: u32,
}

impl Text {
    fn of(self, texts: &[u8]) -> &[u8] {
        &texts[self.start as usize..self.end as usize]
    }
}

/// Which known member the value after a key is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Unknown,
    Status,
    Message,
    Data,
    Hash,
    Resources,
    Models,
}

/// The members an object frame keeps: up to two strings and one container,
/// the unknown keys, and where its texts start.
struct Members<T> {
    first: Option<Member<Text>>,
    second: Option<Member<Text>>,
    inner: Option<Member<T>>,
    unknown: Vec<Text>,
    pending: Field,
    texts_from: usize,
}

impl<T> Members<T> {
    fn new(texts_from: usize) -> Self {
        Members { first: None, second: None, inner: None, unknown: Vec::new(), pending: Field::Unknown, texts_from }
    }
}

/// `data`'s verdict: its hash, where `data.resources` lies, its warnings.
type DataVerdict = (String, Range<usize>, Warnings);

/// An open object or array of the levels around the models.
enum Frame {
    /// The root object: `status` (first), `message` (second), `data`.
    Envelope(Members<Judged<DataVerdict>>),
    /// `data`: `hash` (first), `resources`.
    Data(Members<(Judged<Warnings>, Range<usize>)>),
    /// `data.resources`, starting at the offset: `models`.
    Resources(Members<Judged<Warnings>>, usize),
    /// `data.resources.models`: its verdict so far, and the index of the next item.
    Models(Judged<Warnings>, usize),
}

impl Frame {
    /// The field a key names in an object frame; `None` in the models array.
    #[inline(always)]
    fn field(&self, name: &[u8]) -> Option<Field> {
        let known: &[(&[u8], Field)] = match self {
            Frame::Envelope(_) => &[(b"status", Field::Status), (b"message", Field::Message), (b"data", Field::Data)],
            Frame::Data(_) => &[(b"hash", Field::Hash), (b"resources", Field::Resources)],
            Frame::Resources(..) => &[(b"models", Field::Models)],
            Frame::Models(..) => return None,
        };
        Some(known.iter().find(|(n, _)| same(name, n)).map_or(Field::Unknown, |&(_, f)| f))
    }
}

/// The walk of a 2xx body: the schema's rules as [`Events`] of the
/// tokenizer, each model read whole ([`Whole`]).
pub(crate) struct CatalogWalk {
    rules: Rules,
    frames: Vec<Frame>,
    /// Decoded texts of the open objects' members, in frame order.
    texts: Vec<u8>,
    /// The ids of the models array, and the option keys and values of the
    /// model being read, for the duplicate checks.
    ids: ByteSet,
    keys: ByteSet,
    values: ByteSet,
    /// The digits of the number being read in a model.
    magnitude: Magnitude,
    /// The bytes of a model that spans pieces, from its first byte, and
    /// where it ends, found as they come.
    carry: Vec<u8>,
    end: EndFinder,
    /// The index of the model being read whole.
    model: usize,
    /// The verdict, once the root value ended.
    outcome: Option<Judged<Checked>>,
    /// The body's expected length, which sizes the models array's id table.
    expected_len: Option<usize>,
}

impl CatalogWalk {
    /// The walk of a body of `expected_len` bytes, when known.
    pub(crate) fn new(status: u16, strict: bool, expected_len: Option<usize>) -> Self {
        CatalogWalk {
            rules: Rules { status, strict },
            frames: Vec::new(),
            texts: Vec::new(),
            ids: ByteSet::default(),
            keys: ByteSet::default(),
            values: ByteSet::default(),
            magnitude: Magnitude::default(),
            carry: Vec::new(),
            end: EndFinder::default(),
            model: 0,
            outcome: None,
            expected_len,
        }
    }

    /// The verdict of a body read without a syntax error.
    pub(crate) fn verdict(self) -> Result<Checked, Error> {
        match self.outcome {
            Some(outcome) => outcome.map_err(|e| *e),
            // Unreachable: a body read to its end without a syntax error holds a whole value.
            None => Err(Error::InvalidResponse {
                status: self.rules.status,
                path: None,
                message: "body ended early".into(),
            }),
        }
    }

    /// A member that must be a container of another kind came as `kind`.
    fn wrong(&mut self, kind: Kind) {
        match self.frames.last_mut() {
            Some(Frame::Envelope(m)) => m.inner = Some(Member::Wrong(kind)),
            Some(Frame::Data(m)) => m.inner = Some(Member::Wrong(kind)),
            Some(Frame::Resources(m, _)) => m.inner = Some(Member::Wrong(kind)),
            _ => {}
        }
    }
}

/// A model's verdict, added to the models array's (the frame on top).
fn add_model(
    frames: &mut [Frame],
    rules: &Rules,
    ids: &mut ByteSet,
    verdict: Judged<(Cow<'_, [u8]>, Warnings)>,
    i: usize,
) {
    let Some(Frame::Models(judged, _)) = frames.last_mut() else { return };
    let Ok(warnings) = judged else { return };
    let outcome = verdict.and_then(|(id, model_warnings)| {
        warnings.append(model_warnings);
        if ids.insert(&id) {
            let path = || format!("data.resources.models[{i}].model");
            rules.warn(warnings, &path, &|| format!("duplicate model id \"{}\" (kept)", shown_bytes(&id)))?;
        }
        Ok(())
    });
    if let Err(e) = outcome {
        *judged = Err(e);
    }
}

/// After a model read whole, reads the models that follow it in the same
/// slice while each ends there (one call for a run of models, not one per
/// model); stops before the comma of one that does not, or at anything else,
/// where the tokenizer goes on.
fn models_after(frames: &mut [Frame], ids: &mut ByteSet, reader: &mut Whole<'_, ModelRules<'_>>) -> Syn<()> {
    loop {
        let (pos, newlines, line_start) = (reader.pos, reader.newlines, reader.line_start);
        let back = |reader: &mut Whole<'_, ModelRules<'_>>| {
            (reader.pos, reader.newlines, reader.line_start) = (pos, newlines, line_start);
            Ok(())
        };
        reader.ws();
        if reader.bytes.get(reader.pos) != Some(&b',') {
            return back(reader);
        }
        reader.pos += 1;
        reader.ws();
        let Some(Frame::Models(judged, next)) = frames.last_mut() else { return back(reader) };
        if judged.is_err() || reader.bytes.get(reader.pos) != Some(&b'{') {
            return back(reader);
        }
        let i = *next;
        match reader.model(i) {
            Ok(verdict) => {
                *next += 1;
                add_model(frames, reader.rules.rules, ids, verdict, i);
            }
            Err(e) if reader.wants_more(&e) => return back(reader),
            Err(e) => return Err(e),
        }
    }
}

/// Keeps a string's decoded text in `texts`.
#[inline(always)]
fn keep(texts: &mut Vec<u8>, s: Str<'_>) -> Text {
    let start = texts.len() as u32;
    if s.escaped {
        texts.extend_from_slice(&s.bytes());
    } else {
        texts.extend_from_slice(s.raw);
    }
    Text { start, end: texts.len() as u32 }
}

impl Events for CatalogWalk {
    fn open(&mut self, kind: Kind, at: usize) -> Take {
        let texts_from = self.texts.len();
        let (want, frame) = match self.frames.last_mut() {
            None if kind == Kind::Object => (Kind::Object, Frame::Envelope(Members::new(texts_from))),
            None => {
                let message = format!("expected a JSON object, got {}", kind.name());
                let error = Error::InvalidResponse { status: self.rules.status, path: None, message };
                self.outcome = Some(Err(Box::new(error)));
                return Take::Skip;
            }
            Some(Frame::Models(judged, next)) => {
                let i = *next;
                *next += 1;
                // After the first finding the rest is only checked as JSON.
                if judged.is_err() {
                    return Take::Skip;
                }
                if kind == Kind::Object {
                    self.model = i;
                    return Take::Whole;
                }
                *judged = Err(self.rules.expected(format!("data.resources.models[{i}]"), "an object", kind));
                return Take::Skip;
            }
            Some(Frame::Envelope(m)) if m.pending == Field::Data => {
                (Kind::Object, Frame::Data(Members::new(texts_from)))
            }
            Some(Frame::Data(m)) if m.pending == Field::Resources => {
                (Kind::Object, Frame::Resources(Members::new(texts_from), at))
            }
            Some(Frame::Resources(m, _)) if m.pending == Field::Models => {
                (Kind::Array, Frame::Models(Ok(Warnings::default()), 0))
            }
            Some(Frame::Envelope(m)) => return string_member(&mut m.first, &mut m.second, m.pending, kind),
            Some(Frame::Data(m)) => return string_member(&mut m.first, &mut m.second, m.pending, kind),
            Some(Frame::Resources(..)) => return Take::Skip,
        };
        if kind != want {
            self.wrong(kind);
            return Take::Skip;
        }
        if let Frame::Models(..) = frame {
            self.ids.clear();
            // A model takes well over 64 bytes: the table is not rebuilt as it fills.
            if let Some(len) = self.expected_len.take() {
                self.ids.reserve((len / 64).min(1 << 20));
            }
        }
        self.frames.push(frame);
        Take::Keep
    }

    fn key(&mut self, key: Str<'_>) {
        let name = key.bytes();
        let Some(frame) = self.frames.last_mut() else { return };
        let Some(field) = frame.field(&name) else { return };
        let m_pending = match frame {
            Frame::Envelope(m) => (&mut m.pending, &mut m.unknown),
            Frame::Data(m) => (&mut m.pending, &mut m.unknown),
            Frame::Resources(m, _) => (&mut m.pending, &mut m.unknown),
            Frame::Models(..) => return,
        };
        *m_pending.0 = field;
        if field == Field::Unknown {
            m_pending.1.push(keep(&mut self.texts, key));
        }
    }

    fn string(&mut self, value: Str<'_>, at: usize) {
        let slot = match self.frames.last_mut() {
            Some(Frame::Envelope(m)) if m.pending == Field::Status => &mut m.first,
            Some(Frame::Envelope(m)) if m.pending == Field::Message => &mut m.second,
            Some(Frame::Data(m)) if m.pending == Field::Hash => &mut m.first,
            // Anything else is what `open` judges of a value that is not a string.
            _ => {
                self.open(Kind::String, at);
                return;
            }
        };
        *slot = Some(Member::Is(keep(&mut self.texts, value)));
    }

    fn keeps_string(&self) -> bool {
        match self.frames.last() {
            Some(Frame::Envelope(m)) => matches!(m.pending, Field::Status | Field::Message),
            Some(Frame::Data(m)) => m.pending == Field::Hash,
            _ => false,
        }
    }

    fn scalar(&mut self, _text: &[u8]) {}

    fn close(&mut self, end: usize) {
        let Some(frame) = self.frames.pop() else { return };
        let rules = &self.rules;
        let judge = Judge { rules, texts: &self.texts };
        match frame {
            Frame::Envelope(m) => {
                let texts_from = m.texts_from;
                self.outcome = Some(judge.envelope(m));
                self.texts.truncate(texts_from);
            }
            Frame::Data(m) => {
                let texts_from = m.texts_from;
                let verdict = judge.data(m);
                self.texts.truncate(texts_from);
                if let Some(Frame::Envelope(parent)) = self.frames.last_mut() {
                    parent.inner = Some(Member::Is(verdict));
                }
            }
            Frame::Resources(m, start) => {
                let texts_from = m.texts_from;
                let verdict = judge.resources(m);
                self.texts.truncate(texts_from);
                if let Some(Frame::Data(parent)) = self.frames.last_mut() {
                    parent.inner = Some(Member::Is((verdict, start..end)));
                }
            }
            Frame::Models(judged, _) => {
                if let Some(Frame::Resources(parent, _)) = self.frames.last_mut() {
                    parent.inner = Some(Member::Is(judged));
                }
            }
        }
    }

    fn whole(&mut self, piece: &[u8], start: &Start, last: bool) -> Syn<Option<WholeEnd>> {
        // A model is read in place when it ends in its first piece (the usual
        // case). One that spans pieces is gathered until its closing bracket
        // is seen, then read once.
        let (input, used) = if self.carry.is_empty() {
            (piece, None)
        } else {
            match self.end.find(piece) {
                Some(n) => {
                    self.carry.extend_from_slice(&piece[..n]);
                    (&self.carry[..], Some(n))
                }
                None if last => (&self.carry[..], None),
                None => {
                    self.carry.extend_from_slice(piece);
                    return Ok(None);
                }
            }
        };
        let whole = used.is_some() || last;
        let rules = ModelRules { rules: &self.rules, keys: &mut self.keys, values: &mut self.values };
        let mut reader = Whole::new(input, start.depth, whole, &mut self.magnitude, rules);
        let outcome = reader.model(self.model);
        match outcome {
            Ok(verdict) => {
                add_model(&mut self.frames, &self.rules, &mut self.ids, verdict, self.model);
                if used.is_none() {
                    // The models that follow in this piece are read here too.
                    models_after(&mut self.frames, &mut self.ids, &mut reader).map_err(|e| start.place(e, input))?;
                }
                let (end, newlines, line_start) = (reader.pos, reader.newlines, reader.line_start);
                self.carry.clear();
                let line_start = (newlines > 0).then_some(start.at + line_start);
                Ok(Some(WholeEnd { used: used.unwrap_or(end), newlines, line_start }))
            }
            Err(e) if reader.wants_more(&e) => {
                self.carry.extend_from_slice(piece);
                self.end = EndFinder::default();
                match self.end.find(piece) {
                    // Its brackets close in this piece, yet it is not whole: read it
                    // as it is, for the error.
                    Some(n) => {
                        self.carry.truncate(n);
                        let rules = ModelRules { rules: &self.rules, keys: &mut self.keys, values: &mut self.values };
                        let mut reader = Whole::new(&self.carry, start.depth, true, &mut self.magnitude, rules);
                        let e = reader.model(self.model).err().unwrap_or(e);
                        Err(start.place(e, &self.carry))
                    }
                    None => Ok(None),
                }
            }
            Err(e) => Err(start.place(e, input)),
        }
    }
}

/// Where a member value that must be a string goes (`first` or `second`, as
/// `pending` says): kept when it is one.
#[inline(always)]
fn string_member(
    first: &mut Option<Member<Text>>,
    second: &mut Option<Member<Text>>,
    pending: Field,
    kind: Kind,
) -> Take {
    let slot = match pending {
        Field::Status | Field::Hash => first,
        Field::Message => second,
        _ => return Take::Skip,
    };
    if kind == Kind::String {
        Take::Keep
    } else {
        *slot = Some(Member::Wrong(kind));
        Take::Skip
    }
}

// ---------------------------------------------------------------------------
// Judging an object of the levels around the models when it ends

/// What judging an object reads: the wording, and the texts kept.
struct Judge<'a> {
    rules: &'a Rules,
    texts: &'a [u8],
}

impl Judge<'_> {
    fn text(&self, at: Text) -> &str {
        std::str::from_utf8(at.of(self.texts)).unwrap_or_default()
    }

    /// The unknown keys of an object, for [`Rules::unknown`].
    fn unknown_keys(&self, unknown: &[Text]) -> Vec<Cow<'_, str>> {
        unknown.iter().map(|&k| Cow::Borrowed(self.text(k))).collect()
    }

    /// A string member, as the judgement reads it.
    fn string(&self, slot: &Option<Member<Text>>) -> Option<Member<&str>> {
        slot.as_ref().map(|m| match *m {
            Member::Is(at) => Member::Is(self.text(at)),
            Member::Wrong(kind) => Member::Wrong(kind),
        })
    }

    fn envelope(&self, m: Members<Judged<DataVerdict>>) -> Judged<Checked> {
        let rules = self.rules;
        let code = rules.required(self.string(&m.first), || "status", "a string")?;
        if code.is_empty() {
            return Err(rules.invalid("status", "empty"));
        }
        if code != "SUCCESS" {
            let message = match self.string(&m.second) {
                Some(Member::Is(message)) if !message.is_empty() => message.to_owned(),
                _ => format!("the server answered {code}"),
            };
            let error = Error::Api { code: code.to_owned(), status: rules.status, message, retry_after_ms: None };
            return Err(Box::new(error));
        }
        let data = rules.required(m.inner, || "data", "an object")?;
        let mut warnings = Warnings::default();
        rules.unknown(&mut warnings, self.unknown_keys(&m.unknown), &String::new, "unknown field (kept out)")?;
        let (hash, resources, data_warnings) = data?;
        warnings.append(data_warnings);
        Ok(Checked { hash, warnings: warnings.finish(), resources })
    }

    fn data(&self, m: Members<(Judged<Warnings>, Range<usize>)>) -> Judged<DataVerdict> {
        let rules = self.rules;
        let hash = rules.required(self.string(&m.first), || "data.hash", "a string")?.to_owned();
        check_hash(&hash).map_err(|message| rules.invalid("data.hash", message))?;
        let (judged, span) = rules.required(m.inner, || "data.resources", "an object")?;
        let mut warnings = judged?;
        let keys = self.unknown_keys(&m.unknown);
        rules.unknown(&mut warnings, keys, &|| "data".to_owned(), "unknown field (kept out)")?;
        Ok((hash, span, warnings))
    }

    fn resources(&self, m: Members<Judged<Warnings>>) -> Judged<Warnings> {
        let rules = self.rules;
        let mut warnings = rules.required(m.inner, || "data.resources.models", "an array")??;
        let keys = self.unknown_keys(&m.unknown);
        rules.unknown(&mut warnings, keys, &|| "data.resources".to_owned(), "unknown section (kept)")?;
        Ok(warnings)
    }
}

// ---------------------------------------------------------------------------
// A model, read whole

/// What the walk of one model uses: the wording, and the sets of the
/// duplicate checks of its option keys and values.
struct ModelRules<'r> {
    rules: &'r Rules,
    keys: &'r mut ByteSet,
    values: &'r mut ByteSet,
}

/// A string member's value, or the kind it wrongly was. Inlined: out of line
/// (one call per string value) it cost parseResources about 6 % in Chromium.
#[inline(always)]
fn string_value<'a, X>(s: &mut Whole<'a, X>) -> Syn<Member<Str<'a>>> {
    match s.kind()? {
        Kind::String => s.string().map(Member::Is),
        other => s.skip().map(|()| Member::Wrong(other)),
    }
}

impl<'a> Whole<'a, ModelRules<'_>> {
    /// A model object: its id and warnings, or its first finding.
    fn model(&mut self, i: usize) -> Syn<Judged<(Cow<'a, [u8]>, Warnings)>> {
        let mut id = None;
        let mut modality = None;
        let mut options = None;
        let mut unknown = Vec::new();
        self.object(|s, key| {
            let name = key.bytes();
            if same(&name, b"model") {
                id = Some(string_value(s)?);
            } else if same(&name, b"modality") {
                modality = Some(string_value(s)?);
            } else if same(&name, b"availableRunOptions") {
                options = Some(match s.kind()? {
                    Kind::Array => Member::Is(s.run_options(i)?),
                    other => s.skip().map(|()| Member::Wrong(other))?,
                });
            } else {
                unknown.push(key.text());
                s.skip()?;
            }
            Ok(())
        })?;
        let rules = self.rules.rules;
        let at = |field: &str| format!("data.resources.models[{i}]{field}");
        Ok((|| {
            let id = rules.required(id, || at(".model"), "a string")?.bytes();
            if id.is_empty() {
                return Err(rules.invalid(at(".model"), "empty model id"));
            }
            let modality = rules.required(modality, || at(".modality"), "a string")?.bytes();
            let mut warnings = Warnings::default();
            if !Modality::KNOWN.iter().any(|known| same(&modality, known.as_bytes())) {
                rules.warn(&mut warnings, &|| at(".modality"), &|| {
                    format!("unknown modality \"{}\" (kept)", shown_bytes(&modality))
                })?;
            }
            warnings.append(rules.required(options, || at(".availableRunOptions"), "an array")??);
            rules.unknown(&mut warnings, unknown, &|| at(""), "unknown field (kept)")?;
            Ok((id, warnings))
        })())
    }

    fn run_options(&mut self, i: usize) -> Syn<Judged<Warnings>> {
        let mut judged: Judged<Warnings> = Ok(Warnings::default());
        self.rules.keys.clear();
        self.array(|s, j| {
            let Ok(warnings) = &mut judged else { return s.skip() };
            let path = || format!("data.resources.models[{i}].availableRunOptions[{j}]");
            let kind = s.kind()?;
            let option = if kind == Kind::Object {
                s.run_option(i, j)?
            } else {
                s.skip()?;
                Err(s.rules.rules.expected(path(), "an object", kind))
            };
            let outcome = option.and_then(|(key, option_warnings)| {
                warnings.append(option_warnings);
                if s.rules.keys.insert(&key) {
                    let message = || format!("duplicate option key \"{}\" (kept)", shown_bytes(&key));
                    s.rules.rules.warn(warnings, &|| format!("{}.key", path()), &message)?;
                }
                Ok(())
            });
            if let Err(e) = outcome {
                judged = Err(e);
            }
            Ok(())
        })?;
        Ok(judged)
    }

    fn run_option(&mut self, i: usize, j: usize) -> Syn<Judged<(Cow<'a, [u8]>, Warnings)>> {
        let mut key = None;
        let mut values = None;
        let mut unknown = Vec::new();
        let at = |field: &str| format!("data.resources.models[{i}].availableRunOptions[{j}]{field}");
        self.object(|s, k| {
            let name = k.bytes();
            if same(&name, b"key") {
                key = Some(string_value(s)?);
            } else if same(&name, b"options") {
                values = Some(match s.kind()? {
                    Kind::Array => Member::Is(s.option_values(&at)?),
                    other => s.skip().map(|()| Member::Wrong(other))?,
                });
            } else {
                unknown.push(k.text());
                s.skip()?;
            }
            Ok(())
        })?;
        let rules = self.rules.rules;
        Ok((|| {
            let key = rules.required(key, || at(".key"), "a string")?.bytes();
            if key.is_empty() {
                return Err(rules.invalid(at(".key"), "empty option key"));
            }
            let mut warnings = rules.required(values, || at(".options"), "an array")??;
            rules.unknown(&mut warnings, unknown, &|| at(""), "unknown field (kept)")?;
            Ok((key, warnings))
        })())
    }

    fn option_values(&mut self, at: &dyn Fn(&str) -> String) -> Syn<Judged<Warnings>> {
        let mut judged: Judged<Warnings> = Ok(Warnings::default());
        self.rules.values.clear();
        self.array(|s, k| {
            let Ok(warnings) = &mut judged else { return s.skip() };
            let path = || at(&format!(".options[{k}]"));
            let outcome = match string_value(s)? {
                Member::Wrong(kind) => Err(s.rules.rules.expected(path(), "a string", kind)),
                Member::Is(value) => {
                    let value = value.bytes();
                    if s.rules.values.insert(&value) {
                        s.rules
                            .rules
                            .warn(warnings, &path, &|| format!("duplicate value \"{}\" (kept)", shown_bytes(&value)))
                    } else {
                        Ok(())
                    }
                }
            };
            if let Err(e) = outcome {
                judged = Err(e);
            }
            Ok(())
        })?;
        Ok(judged)
    }
}

/// A set of byte strings (model ids, option keys, option values), for the
/// duplicate checks. Each member is known by its first eight bytes and its
/// length; the bytes of a longer one are kept in one buffer. A small set (the
/// values of one option, the options of one model) is searched in order; past
/// [`LINEAR`] members, through a table of indices with linear probing, at most
/// half full (so that no array is quadratic). Written here rather than a
/// `HashSet`: faster on these short strings, and about 3 KB less of hash table
/// code in the wasm build.
#[derive(Default)]
struct ByteSet {
    members: Vec<Entry>,
    /// The bytes of members longer than eight bytes.
    bytes: Vec<u8>,
    /// 0 for an empty slot, else an index into `members` plus one.
    slots: Vec<u32>,
}

/// A member of a [`ByteSet`].
#[derive(Clone, Copy)]
struct Entry {
    /// The first eight bytes, zero-padded.
    head: u64,
    len: u32,
    /// Where the bytes of a longer member start in [`ByteSet::bytes`].
    at: u32,
}

/// Up to this many members a [`ByteSet`] is searched in order.
const LINEAR: usize = 8;

impl ByteSet {
    /// Empties the set; its table, if it had one, is let go (so that many
    /// small arrays after a large one cost nothing).
    fn clear(&mut self) {
        self.members.clear();
        self.bytes.clear();
        if !self.slots.is_empty() {
            self.slots = Vec::new();
        }
    }

    #[inline(always)]
    fn is(&self, e: Entry, head: u64, item: &[u8]) -> bool {
        e.head == head
            && e.len as usize == item.len()
            && (item.len() <= 8 || same(&self.bytes[e.at as usize..e.at as usize + item.len()], item))
    }

    /// Adds `item`; `true` when it was there already.
    #[inline(always)]
    fn insert(&mut self, item: &[u8]) -> bool {
        let head = word_at(item, 0);
        if self.slots.is_empty() && self.members.len() < LINEAR {
            if self.members.iter().any(|&e| self.is(e, head, item)) {
                return true;
            }
            self.push(head, item);
            return false;
        }
        self.insert_hashed(head, item)
    }

    /// [`ByteSet::insert`] past [`LINEAR`] members.
    #[inline(never)]
    fn insert_hashed(&mut self, head: u64, item: &[u8]) -> bool {
        if (self.members.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = hash(head, item.len(), item) as usize & mask;
        loop {
            match self.slots[i] {
                0 => break,
                k if self.is(self.members[k as usize - 1], head, item) => return true,
                _ => i = (i + 1) & mask,
            }
        }
        self.push(head, item);
        self.slots[i] = self.members.len() as u32;
        false
    }

    #[inline(always)]
    fn push(&mut self, head: u64, item: &[u8]) {
        let at = self.bytes.len() as u32;
        if item.len() > 8 {
            self.bytes.extend_from_slice(item);
        }
        self.members.push(Entry { head, len: item.len() as u32, at });
    }

    /// Sizes the table for about `members` members at once (a models array
    /// of a body of known length), instead of growing to it.
    fn reserve(&mut self, members: usize) {
        if members >= LINEAR && self.slots.len() < members * 2 {
            self.slots = vec![0; (members * 2).next_power_of_two()];
        }
    }

    fn grow(&mut self) {
        let mut slots = vec![0u32; (self.slots.len() * 2).max(4 * LINEAR)];
        let mask = slots.len() - 1;
        for (k, e) in self.members.iter().enumerate() {
            let item = if e.len > 8 { &self.bytes[e.at as usize..(e.at + e.len) as usize] } else { &[][..] };
            let mut i = hash(e.head, e.len as usize, item) as usize & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = k as u32 + 1;
        }
        self.slots = slots;
    }
}

/// Eight bytes at `at` of `s`, zero-padded past its end.
#[inline(always)]
fn word_at(s: &[u8], at: usize) -> u64 {
    let tail = s.get(at..).unwrap_or_default();
    match tail.first_chunk::<8>() {
        Some(word) => u64::from_le_bytes(*word),
        // Byte by byte: a short copy through memory would stall the load after it.
        None => tail.iter().rev().fold(0, |w, &b| w << 8 | u64::from(b)),
    }
}

/// A small multiplicative hash of a member whose first eight bytes are
/// `head` and its length `len` (`item` holds it whole when it is longer, and
/// may be empty otherwise): members come
/// from the server we asked, and only the duplicate checks use it.
fn hash(head: u64, len: usize, item: &[u8]) -> u64 {
    let mut h = (head ^ len as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    for chunk in item.get(8..).unwrap_or_default().chunks(8) {
        h = (h.rotate_left(5) ^ word_at(chunk, 0)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    // A final avalanche: the table uses the low bits.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::walk::check_body;

    #[test]
    fn the_byte_set_finds_every_duplicate() {
        let ids: Vec<String> = (0..5000).map(|i| format!("model-{}", i % 1700)).collect();
        let mut set = ByteSet::default();
        let mut seen = std::collections::HashSet::new();
        for id in &ids {
            assert_eq!(set.insert(id.as_bytes()), !seen.insert(id.clone()), "{id}");
        }
        assert_eq!(set.members.len(), 1700);
        set.clear();
        assert!(!set.insert(b"model-1"), "a cleared set is empty");
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        assert_eq!(field("limits"), ".limits");
        assert_eq!(field("a.b"), "[\"a.b\"]");
        assert_eq!(field(""), "[\"\"]");
        assert_eq!(field("x\ny"), "[\"x\\ny\"]");
        assert_eq!(field("0day"), "[\"0day\"]");
        assert_eq!(root_field("extra"), "extra");
        assert_eq!(root_field("a b"), "[\"a b\"]");
    }

    #[test]
    fn long_names_are_elided_in_warnings() {
        let long = "é".repeat(1000);
        let cut = shown(&long);
        assert_eq!(cut.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(cut.ends_with('…'));
        let body = format!(
            r#"{{"status":"SUCCESS","data":{{"hash":"h","resources":{{"models":[{{"model":"m","modality":"{long}","availableRunOptions":[]}}]}}}}}}"#
        );
        let checked = check_body(body.as_bytes(), 200, None, false).unwrap();
        assert!(checked.warnings[0].len() < 400, "{}", checked.warnings[0]);
    }

    #[test]
    fn deep_bodies_are_named_as_such() {
        let body = "[".repeat(300);
        let e = check_body(body.as_bytes(), 200, None, false).unwrap_err();
        assert!(e.to_string().contains("nested more than 128 levels deep"), "{e}");
        let e = check_body(b"[1,,]", 200, None, false).unwrap_err();
        assert!(!e.to_string().contains("nested"), "{e}");
    }

    #[test]
    fn resources_span_is_the_data() {
        let body = "\u{feff}{\"status\":\"SUCCESS\",\"data\":{\"hash\":\"h\",\"resources\": {\"models\":[]} }}";
        let checked = check_body(body.as_bytes(), 200, None, false).unwrap();
        assert_eq!(&body.as_bytes()[checked.resources], b"{\"models\":[]}");
    }
}
