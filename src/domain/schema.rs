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
//! The walk is one forward pass over the bytes ([`super::scan`]) that builds
//! nothing. The body's members come in any order, but findings are reported in
//! one fixed order (the envelope's `status`, then `data`, unknown root fields,
//! `data.hash`, `data.resources` model by model, unknown sections and fields),
//! so each object's known members are kept until the object ends and judged
//! then. A key given twice counts once, with its last value, as in `JSON.parse`.
//! A syntax error anywhere outranks every schema finding: a body that is not
//! JSON is reported as such.

use std::borrow::Cow;
use std::ops::Range;

use super::error::Error;
use super::scan::{same, Kind, Scanner, Str, Syn, SyntaxError, SyntaxKind};
use super::types::Modality;

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

/// Validates the body of a 2xx response. `status` and `content_type` only
/// shape error messages. A body whose `status` is not `SUCCESS` is the
/// server's error even on a 2xx and becomes [`Error::Api`].
pub fn check_body(body: &[u8], status: u16, content_type: Option<&str>, strict: bool) -> Result<Checked, Error> {
    let bytes = strip_bom(body);
    let walk = |mut s: Scanner<'_>| {
        s.envelope().and_then(|checked| if s.at_end() { Ok(checked) } else { s.fail(SyntaxKind::Invalid) })
    };
    // A body that is not JSON is read again byte by byte, which places the
    // error exactly (the first stage only finds where tokens start).
    let outcome = match walk(Scanner::with(bytes, Rules::new(status, strict))) {
        Err(_) => walk(Scanner::bytewise(bytes, Rules::new(status, strict))),
        judged => judged,
    };
    match outcome {
        Ok(result) => result.map_err(|e| *e).map(|mut c| {
            let bom = body.len() - bytes.len();
            c.resources = c.resources.start + bom..c.resources.end + bom;
            c
        }),
        Err(e) => Err(syntax_error(e, bytes, status, content_type)),
    }
}

/// The error of a body that is not JSON.
pub(crate) fn syntax_error(e: SyntaxError, body: &[u8], status: u16, content_type: Option<&str>) -> Error {
    let (line, column) = e.position(body);
    let what = match e.kind {
        SyntaxKind::TooDeep => format!("nested more than 128 levels deep at line {line} column {column}"),
        SyntaxKind::Invalid | SyntaxKind::NumberOutOfRange => format!("line {line} column {column}"),
    };
    Error::InvalidResponse {
        status,
        path: None,
        message: format!("body is not valid JSON ({what}); {}", describe_body(body, content_type)),
    }
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
    let ct = content_type.filter(|c| !c.is_empty()).unwrap_or("no content type");
    if body.is_empty() {
        return format!("received an empty body ({ct})");
    }
    // Redacted before it is cut: a credential that begins within the first 80
    // bytes is replaced whole, not left as a prefix.
    let window = &body[..body.len().min(80 + super::redact::active_window())];
    let window = super::redact::active_bytes(window);
    let text = String::from_utf8_lossy(&window[..window.len().min(80)]);
    let snippet: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(60).collect();
    let more = if body.len() > 60 { "..." } else { "" };
    format!("received {ct} ({} bytes): {}{more}", body.len(), snippet.trim())
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

// ---------------------------------------------------------------------------
// Findings

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

/// The walk's state: how errors are worded, and reused buffers for the
/// duplicate checks of option keys and values (one allocation per body).
/// Public only as the state of [`Scanner`]; nothing outside the crate uses it.
pub struct Rules<'a> {
    status: u16,
    strict: bool,
    keys: Vec<Cow<'a, [u8]>>,
    values: Vec<Cow<'a, [u8]>>,
}

impl Rules<'_> {
    pub(crate) fn new(status: u16, strict: bool) -> Self {
        Rules { status, strict, keys: Vec::new(), values: Vec::new() }
    }
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
impl Rules<'_> {
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
        for key in keys {
            let path = || if prefix.is_empty() { root_field(&key) } else { format!("{prefix}{}", field(&key)) };
            self.warn(into, &path, &|| message.to_owned())?;
        }
        Ok(())
    }
}

/// A string member's value, or the kind it wrongly was. Inlined: out of line
/// (one call per string value) it saved 0.8 KB of gzip but cost parseResources
/// about 6 % in Chromium.
#[inline(always)]
fn string_member<'a>(s: &mut Scanner<'a, Rules<'a>>) -> Syn<Member<Str<'a>>> {
    match s.kind()? {
        Kind::String => s.string().map(Member::Is),
        other => s.skip().map(|()| Member::Wrong(other)),
    }
}

/// The text of a key or string, for messages.
fn text_of(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

// ---------------------------------------------------------------------------
// The walk

impl<'a> Scanner<'a, Rules<'a>> {
    fn envelope(&mut self) -> Syn<Judged<Checked>> {
        let kind = self.kind()?;
        if kind != Kind::Object {
            self.skip()?;
            let message = format!("expected a JSON object, got {}", kind.name());
            return Ok(Err(Box::new(Error::InvalidResponse { status: self.rules.status, path: None, message })));
        }
        let mut status = None;
        let mut message = None;
        let mut data = None;
        let mut unknown = Vec::new();
        self.object(|s, key| {
            let name = key.bytes();
            if same(&name, b"status") {
                status = Some(string_member(s)?);
            } else if same(&name, b"message") {
                message = Some(string_member(s)?);
            } else if same(&name, b"data") {
                data = Some(match s.kind()? {
                    Kind::Object => Member::Is(s.data()?),
                    other => s.skip().map(|()| Member::Wrong(other))?,
                });
            } else {
                unknown.push(key.text());
                s.skip()?;
            }
            Ok(())
        })?;
        let rules = &self.rules;
        Ok((|| {
            let code = rules.required(status, || "status", "a string")?.text();
            if code.is_empty() {
                return Err(rules.invalid("status", "empty"));
            }
            if code != "SUCCESS" {
                let message = match message {
                    Some(Member::Is(m)) if !m.raw.is_empty() => m.text().into_owned(),
                    _ => format!("the server answered {code}"),
                };
                return Err(Box::new(Error::Api {
                    code: code.into_owned(),
                    status: rules.status,
                    message,
                    retry_after_ms: None,
                }));
            }
            let data = rules.required(data, || "data", "an object")?;
            let mut warnings = Warnings::default();
            rules.unknown(&mut warnings, unknown, &String::new, "unknown field (kept out)")?;
            let (hash, resources, data_warnings) = data?;
            warnings.append(data_warnings);
            Ok(Checked { hash, warnings: warnings.finish(), resources })
        })())
    }

    fn data(&mut self) -> Syn<Judged<(String, Range<usize>, Warnings)>> {
        let mut hash = None;
        let mut resources = None;
        let mut unknown = Vec::new();
        self.object(|s, key| {
            let name = key.bytes();
            if same(&name, b"hash") {
                hash = Some(string_member(s)?);
            } else if same(&name, b"resources") {
                s.ws();
                let start = s.pos;
                resources = Some(match s.kind()? {
                    Kind::Object => Member::Is((s.resources()?, start..s.pos)),
                    other => s.skip().map(|()| Member::Wrong(other))?,
                });
            } else {
                unknown.push(key.text());
                s.skip()?;
            }
            Ok(())
        })?;
        let rules = &self.rules;
        Ok((|| {
            let hash = rules.required(hash, || "data.hash", "a string")?.text().into_owned();
            check_hash(&hash).map_err(|m| rules.invalid("data.hash", m))?;
            let (judged, span) = rules.required(resources, || "data.resources", "an object")?;
            let mut warnings = judged?;
            rules.unknown(&mut warnings, unknown, &|| "data".to_owned(), "unknown field (kept out)")?;
            Ok((hash, span, warnings))
        })())
    }

    fn resources(&mut self) -> Syn<Judged<Warnings>> {
        let mut models = None;
        let mut unknown = Vec::new();
        self.object(|s, key| {
            let name = key.bytes();
            if same(&name, b"models") {
                models = Some(match s.kind()? {
                    Kind::Array => Member::Is(s.models()?),
                    other => s.skip().map(|()| Member::Wrong(other))?,
                });
            } else {
                unknown.push(key.text());
                s.skip()?;
            }
            Ok(())
        })?;
        let rules = &self.rules;
        Ok((|| {
            let mut warnings = rules.required(models, || "data.resources.models", "an array")??;
            rules.unknown(&mut warnings, unknown, &|| "data.resources".to_owned(), "unknown section (kept)")?;
            Ok(warnings)
        })())
    }

    fn models(&mut self) -> Syn<Judged<Warnings>> {
        let mut judged: Judged<Warnings> = Ok(Warnings::default());
        // Sized from the body (a model takes well over 64 bytes): no rehashing.
        let capacity = (self.bytes.len() / 64).min(1 << 20);
        let mut seen = IdSet::with_capacity(capacity);
        self.array(|s, i| {
            // After the first finding the rest is only checked as JSON.
            let Ok(warnings) = &mut judged else { return s.skip() };
            let kind = s.kind()?;
            let model = if kind == Kind::Object {
                s.model(i)?
            } else {
                s.skip()?;
                Err(s.rules.expected(format!("data.resources.models[{i}]"), "an object", kind))
            };
            let outcome = model.and_then(|(id, model_warnings)| {
                warnings.append(model_warnings);
                if let Some(id) = seen.insert(id) {
                    let path = || format!("data.resources.models[{i}].model");
                    s.rules
                        .warn(warnings, &path, &|| format!("duplicate model id \"{}\" (kept)", shown(&text_of(&id))))?;
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

    fn model(&mut self, i: usize) -> Syn<Judged<(Cow<'a, [u8]>, Warnings)>> {
        let mut id = None;
        let mut modality = None;
        let mut options = None;
        let mut unknown = Vec::new();
        self.object(|s, key| {
            let name = key.bytes();
            if same(&name, b"model") {
                id = Some(string_member(s)?);
            } else if same(&name, b"modality") {
                modality = Some(string_member(s)?);
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
        let rules = &self.rules;
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
                    format!("unknown modality \"{}\" (kept)", shown(&text_of(&modality)))
                })?;
            }
            warnings.append(rules.required(options, || at(".availableRunOptions"), "an array")??);
            rules.unknown(&mut warnings, unknown, &|| at(""), "unknown field (kept)")?;
            Ok((id, warnings))
        })())
    }

    fn run_options(&mut self, i: usize) -> Syn<Judged<Warnings>> {
        let mut judged: Judged<Warnings> = Ok(Warnings::default());
        let mut keys = std::mem::take(&mut self.rules.keys);
        keys.clear();
        self.array(|s, j| {
            let Ok(warnings) = &mut judged else { return s.skip() };
            let path = || format!("data.resources.models[{i}].availableRunOptions[{j}]");
            let kind = s.kind()?;
            let option = if kind == Kind::Object {
                s.run_option(i, j)?
            } else {
                s.skip()?;
                Err(s.rules.expected(path(), "an object", kind))
            };
            let outcome = option.and_then(|(key, option_warnings)| {
                warnings.append(option_warnings);
                if keys.iter().any(|k| same(k, &key)) {
                    let message = || format!("duplicate option key \"{}\" (kept)", shown(&text_of(&key)));
                    s.rules.warn(warnings, &|| format!("{}.key", path()), &message)?;
                }
                keys.push(key);
                Ok(())
            });
            if let Err(e) = outcome {
                judged = Err(e);
            }
            Ok(())
        })?;
        self.rules.keys = keys;
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
                key = Some(string_member(s)?);
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
        let rules = &self.rules;
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
        let mut seen = std::mem::take(&mut self.rules.values);
        seen.clear();
        self.array(|s, k| {
            let Ok(warnings) = &mut judged else { return s.skip() };
            let path = || at(&format!(".options[{k}]"));
            let outcome = match string_member(s)? {
                Member::Wrong(kind) => Err(s.rules.expected(path(), "a string", kind)),
                Member::Is(value) => {
                    let value = value.bytes();
                    let found = if seen.iter().any(|v| same(v, &value)) {
                        s.rules.warn(warnings, &path, &|| {
                            format!("duplicate value \"{}\" (kept)", shown(&text_of(&value)))
                        })
                    } else {
                        Ok(())
                    };
                    seen.push(value);
                    found
                }
            };
            if let Err(e) = outcome {
                judged = Err(e);
            }
            Ok(())
        })?;
        self.rules.values = seen;
        Ok(judged)
    }
}

/// The model ids seen so far, for the duplicate check: a table of indices
/// into `ids` with linear probing, at most half full. Written here rather than
/// a `HashSet`: the same speed, and about 3 KB less of hash table code in the
/// wasm build.
struct IdSet<'a> {
    ids: Vec<Cow<'a, [u8]>>,
    /// 0 for an empty slot, else an index into `ids` plus one.
    slots: Vec<u32>,
}

impl<'a> IdSet<'a> {
    fn with_capacity(capacity: usize) -> Self {
        IdSet { ids: Vec::with_capacity(capacity), slots: vec![0; (capacity * 2).next_power_of_two().max(16)] }
    }

    /// Adds `id`; gives it back when it was already there.
    fn insert(&mut self, id: Cow<'a, [u8]>) -> Option<Cow<'a, [u8]>> {
        if (self.ids.len() + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = id_hash(&id) as usize & mask;
        loop {
            match self.slots[i] {
                0 => break,
                k if *self.ids[k as usize - 1] == *id => return Some(id),
                _ => i = (i + 1) & mask,
            }
        }
        self.ids.push(id);
        self.slots[i] = self.ids.len() as u32;
        None
    }

    fn grow(&mut self) {
        let mut slots = vec![0u32; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for (k, id) in self.ids.iter().enumerate() {
            let mut i = id_hash(id) as usize & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = k as u32 + 1;
        }
        self.slots = slots;
    }
}

/// A small multiplicative hash of a model id: ids come from the server we
/// asked, and only the duplicate check uses it.
fn id_hash(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
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

    #[test]
    fn the_id_set_finds_every_duplicate() {
        let ids: Vec<String> = (0..5000).map(|i| format!("model-{}", i % 1700)).collect();
        let mut set = IdSet::with_capacity(3);
        let mut seen = std::collections::HashSet::new();
        for id in &ids {
            let again = set.insert(Cow::Borrowed(id.as_bytes())).is_some();
            assert_eq!(again, !seen.insert(id.clone()), "{id}");
        }
        assert_eq!(set.ids.len(), 1700);
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
