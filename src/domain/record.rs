//! The stored record: the validated response body, verbatim, with what the
//! client knows about it (which base URL it came from, when, whether an
//! `action-require` asked for a refresh) and what the walk found in it.
//!
//! ```text
//! {"v":3,"baseUrl":"https://api.example.com","scope":"key-5e1d…","fetchedAt":1764600000000,"stale":false,
//!  "hash":"…","warnings":[…],"sum":"<16 hex digits>","body":<the body as received>}
//! ```
//!
//! `scope` says whose catalog it is: `key-` and the first 128 bits (32 hex
//! digits) of SHA-256 over the storage's random salt and every credential of
//! the client (the API key, credential headers, a caller's `fetch` or the
//! `scope` option: see [`super::options::Config::scope_parts`]), or `nokey`
//! for clients without any. The same scope is part of the storage key, so
//! clients with different credentials never read each other's record; the
//! copy in the record makes a record moved under another key be refused.
//! The salt (32 random hex digits, kept beside the records under
//! [`salt_key`]) makes the value differ in every storage: no table of
//! precomputed key digests applies, and one key's records cannot be linked
//! across storages.
//!
//! The body is kept as the server sent it, after the walk judged it, and
//! JavaScript materialises it with one `JSON.parse`, keys in the body's
//! order. `sum` is an XXH64 checksum ([`super::checksum`]) of everything
//! before it, seeded with the checksum of the body: a record is read back by
//! comparing it, at a fraction of the cost of walking the body again, and
//! `hash` and `warnings` are read from the head. The head is pure ASCII and
//! the body is the last member, so the body's text can be cut out of a stored
//! string by position. Anything damaged, from another format version or
//! written for another base URL or scope is discarded. DEVELOPMENT.md ("What a stored record is
//! trusted for") says what the checksum guards against and what it does not.

use std::ops::Range;

use super::checksum::{self, xxh64, Xxh64};
use super::scan::{quote_ascii, same, Events, Kind, Str, Take};
use super::schema::{json_text, Checked};
use super::walk::Walk;

/// Format version written and read by this release.
pub const RECORD_VERSION: u64 = 3;

/// The storage key of a record: `<prefix>:<scope>:<base URL>`.
pub fn storage_key(prefix: &str, scope: &str, base_url: &str) -> String {
    format!("{prefix}:{scope}:{base_url}")
}

/// Scope of clients without an API key (a same-origin proxy adds it): one shared scope.
pub const NO_KEY_SCOPE: &str = "nokey";

/// Where a storage keeps its salt: `<prefix>:salt`.
pub fn salt_key(prefix: &str) -> String {
    format!("{prefix}:salt")
}

/// Whose catalog a record is: [`NO_KEY_SCOPE`] without any credential, else
/// `key-` and 32 hex digits of SHA-256 over `resources-client:scope:`, the
/// storage's `salt` and each part after a NUL (parts hold no control
/// characters). Never the credentials themselves.
pub fn scope(parts: &[String], salt: &str) -> String {
    if parts.is_empty() {
        return NO_KEY_SCOPE.to_owned();
    }
    let mut input = format!("resources-client:scope:{salt}").into_bytes();
    for part in parts {
        input.push(0);
        input.extend_from_slice(part.as_bytes());
    }
    format!("key-{}", super::sha256::hex(&super::sha256::sha256(&input)[..16]))
}

/// What a stored record says, once validated.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// The catalog's hash.
    pub hash: String,
    /// When it came from the network (ms since the epoch).
    pub fetched_at: f64,
    /// An `action-require` asked for a refresh that has not happened yet.
    pub stale: bool,
    /// Warnings of the body, as when it was received.
    pub warnings: Vec<String>,
    /// Where the body lies in the record (bytes; the same in UTF-16 units,
    /// since everything before it is ASCII).
    pub body: Range<usize>,
    /// [`body_sum`] of the body: a record with a new head (`stale` set) is
    /// written without reading the body again.
    pub body_sum: u64,
}

impl StoredRecord {
    /// The record of a body the walk accepted (`checked`), fetched at
    /// `fetched_at`; where its body lies and its checksum are set when it is
    /// written ([`head`], [`encode`]).
    pub fn walked(checked: Checked, fetched_at: f64) -> StoredRecord {
        let Checked { hash, warnings, .. } = checked;
        StoredRecord { hash, fetched_at, stale: false, warnings, body: 0..0, body_sum: 0 }
    }
}

/// The checksum of a body's JSON text, which seeds the record's `sum`.
pub fn body_sum(body: &[u8]) -> u64 {
    xxh64(body, 0)
}

/// Between the head's members and the body: `,"sum":"` 16 hex digits `","body":`.
const SUM_MEMBER: &[u8] = b",\"sum\":\"";
const BODY_MEMBER: &[u8] = b"\",\"body\":";
const SUM_DIGITS: usize = 16;

/// The record's text before the body: `head(..) + body + "}"` is the record.
/// Pure ASCII (non-ASCII characters of the base URL and the warnings are
/// `\u`-escaped).
pub fn head(base_url: &str, scope: &str, record: &StoredRecord) -> String {
    let at =
        if record.fetched_at.is_finite() && record.fetched_at >= 0.0 { record.fetched_at.floor() as u64 } else { 0 };
    let warnings: Vec<String> = record.warnings.iter().map(|w| quote_ascii(w)).collect();
    let members = format!(
        "{{\"v\":{RECORD_VERSION},\"baseUrl\":{},\"scope\":{},\"fetchedAt\":{at},\"stale\":{},\"hash\":{},\"warnings\":[{}]",
        quote_ascii(base_url),
        quote_ascii(scope),
        record.stale,
        quote_ascii(&record.hash),
        warnings.join(",")
    );
    let sum = checksum::hex(xxh64(members.as_bytes(), record.body_sum));
    let (sum_member, body_member) = (ascii(SUM_MEMBER), ascii(BODY_MEMBER));
    format!("{members}{sum_member}{sum}{body_member}")
}

fn ascii(bytes: &'static [u8]) -> &'static str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// The most a head adds to a body: a stored text longer than the reader's
/// `maxBytes` and this is refused before it is copied into wasm memory.
pub fn head_allowance(base_url: &str, scope: &str) -> u64 {
    // Warnings are at most MAX_WARNINGS + 1 lines of bounded length, each
    // character at most six when escaped.
    (base_url.len() + scope.len()) as u64 * 6 + 256 + 64 * 1024
}

/// The whole record for a body and what its walk found (native code and
/// tests; the client joins the parts as JS strings).
pub fn encode(base_url: &str, scope: &str, record: &StoredRecord, body: &str) -> String {
    let body = String::from_utf8_lossy(json_text(body.as_bytes()));
    let record = StoredRecord { body_sum: body_sum(body.as_bytes()), ..record.clone() };
    format!("{}{body}}}", head(base_url, scope, &record))
}

/// Reads a record back; `Err` says why it was discarded.
pub fn decode(text: &[u8], base_url: &str, scope: &str) -> Result<StoredRecord, String> {
    let mut reader = RecordReader::new();
    reader.feed(text);
    reader.finish(base_url, scope)
}

/// The version of a text that starts as a record does (`{"v":N,`); `None`
/// while the bytes so far cannot tell.
fn leading_version(text: &[u8]) -> Option<u64> {
    let rest = text.strip_prefix(b"{\"v\":")?;
    let digits = rest.iter().position(|b| !b.is_ascii_digit())?;
    (rest[digits] == b',').then(|| whole(&rest[..digits])).flatten()
}

fn version_refused(v: u64) -> String {
    format!("stored record has format version {v}, this release reads {RECORD_VERSION}")
}

/// The most a head of this format may hold before its body: a text without
/// the body's member that far in is refused, so a damaged record is not
/// gathered whole.
const MAX_HEAD: usize = 1 << 20;

/// A stored record read back a window at a time, never whole: its head (short,
/// ASCII) gathered until the body's member, the body summed as it passes (the
/// last byte held back: it is the record's closing `}`). The head is then
/// read, and the checksum compared; the body is not walked again.
#[derive(Default)]
pub struct RecordReader {
    head: Vec<u8>,
    /// Where the body starts, once the head ended.
    body_start: Option<usize>,
    body_sum: Option<Xxh64>,
    /// The last byte fed, not yet summed.
    last: Option<u8>,
    total: usize,
    /// The head grew past [`MAX_HEAD`] without ending.
    overlong: bool,
}

impl RecordReader {
    /// A reader before the first byte.
    pub fn new() -> RecordReader {
        RecordReader::default()
    }

    /// Reads the next piece of the stored text.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len();
        if self.body_start.is_none() {
            if self.overlong {
                return;
            }
            // The first `","body":` ends the head: a string in the head holds
            // no raw quote, so the sequence cannot occur inside one.
            let from = self.head.len().saturating_sub(BODY_MEMBER.len() - 1);
            let take = bytes.len().min(MAX_HEAD.saturating_sub(self.head.len()) + 1);
            self.head.extend_from_slice(&bytes[..take]);
            let found = self.head[from..].windows(BODY_MEMBER.len()).position(|w| w == BODY_MEMBER);
            let Some(at) = found else {
                self.overlong = self.head.len() > MAX_HEAD;
                return;
            };
            let end = from + at + BODY_MEMBER.len();
            let before = self.total - bytes.len();
            // The piece's bytes past the head are the body's.
            bytes = &bytes[end - before.min(end)..];
            self.head.truncate(end);
            self.body_start = Some(end);
            self.body_sum = Some(Xxh64::new(0));
        }
        let (Some(sum), Some((&last, rest))) = (self.body_sum.as_mut(), bytes.split_last()) else { return };
        if let Some(held) = self.last.replace(last) {
            sum.update(&[held]);
        }
        sum.update(rest);
    }

    /// The record, or why it was discarded.
    pub fn finish(self, base_url: &str, scope: &str) -> Result<StoredRecord, String> {
        match leading_version(&self.head) {
            Some(RECORD_VERSION) => {}
            Some(v) => return Err(version_refused(v)),
            None => return Err("stored record was not written by this release".into()),
        }
        let damaged = || "stored record is damaged".to_owned();
        let (Some(start), Some(sum)) = (self.body_start, self.body_sum) else { return Err(damaged()) };
        let end = start - BODY_MEMBER.len();
        let members_end = end.checked_sub(SUM_DIGITS + SUM_MEMBER.len()).ok_or_else(damaged)?;
        let body = start..self.total.saturating_sub(1);
        if &self.head[members_end..end - SUM_DIGITS] != SUM_MEMBER || self.last != Some(b'}') || body.is_empty() {
            return Err(damaged());
        }
        let members = &self.head[..members_end];
        let stored = std::str::from_utf8(&self.head[end - SUM_DIGITS..end]).ok();
        let stored = stored.and_then(|h| u64::from_str_radix(h, 16).ok());
        let body_sum = sum.digest();
        if !members.is_ascii() || stored != Some(xxh64(members, body_sum)) {
            return Err(damaged());
        }
        // The members, as the JSON object they are once closed.
        let mut walk = Walk::head();
        walk.feed(members);
        walk.feed(b"}");
        let head = walk.head_read().ok_or_else(damaged)?;
        let fetched_at = head.check(base_url, scope)?;
        let (Some(hash), Some(warnings)) = (head.hash, head.warnings) else { return Err(damaged()) };
        Ok(StoredRecord { hash, fetched_at, stale: head.stale, warnings, body, body_sum })
    }
}

/// The members of a record's head, as read (in any order: the checksum
/// already vouches for them).
#[derive(Default)]
pub(crate) struct HeadRead {
    /// The root was seen (`started`), and was an object.
    started: bool,
    version: Option<u64>,
    base_url: Option<String>,
    scope: Option<String>,
    fetched_at: Option<u64>,
    stale: bool,
    hash: Option<String>,
    warnings: Option<Vec<String>>,
    /// Which member the next value is.
    pending: HeadField,
    /// Inside the warnings array, all strings so far.
    in_warnings: bool,
    all_strings: bool,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum HeadField {
    #[default]
    Other,
    Version,
    BaseUrl,
    Scope,
    FetchedAt,
    Stale,
    Hash,
    Warnings,
}

impl HeadRead {
    /// Reads `field` as absent.
    fn forget(&mut self, field: HeadField) {
        match field {
            HeadField::Version => self.version = None,
            HeadField::FetchedAt => self.fetched_at = None,
            HeadField::BaseUrl => self.base_url = None,
            HeadField::Scope => self.scope = None,
            HeadField::Hash => self.hash = None,
            HeadField::Warnings => self.warnings = None,
            HeadField::Stale => self.stale = false,
            HeadField::Other => {}
        }
    }

    /// Refuses a record of another base URL or scope; its `fetchedAt`.
    fn check(&self, base_url: &str, scope: &str) -> Result<f64, String> {
        if self.version != Some(RECORD_VERSION) {
            return Err("stored record is damaged".into());
        }
        if self.base_url.as_deref() != Some(base_url) {
            return Err("stored record belongs to another base URL".into());
        }
        if self.scope.as_deref() != Some(scope) {
            return Err("stored record belongs to another API key".into());
        }
        self.fetched_at.map(|at| at as f64).ok_or_else(|| "stored record has no valid fetchedAt".into())
    }
}

impl Events for HeadRead {
    fn open(&mut self, kind: Kind, _at: usize) -> Take {
        if !self.started {
            self.started = true;
            return if kind == Kind::Object { Take::Keep } else { Take::Skip };
        }
        if self.in_warnings {
            if kind == Kind::String {
                return Take::Keep;
            }
            self.all_strings = false;
            return Take::Skip;
        }
        let field = std::mem::take(&mut self.pending);
        let keep = match (field, kind) {
            (HeadField::Version | HeadField::FetchedAt, Kind::Number)
            | (HeadField::BaseUrl | HeadField::Scope | HeadField::Hash, Kind::String)
            | (HeadField::Stale, Kind::Boolean) => {
                self.pending = field;
                true
            }
            (HeadField::Warnings, Kind::Array) => {
                (self.in_warnings, self.all_strings) = (true, true);
                self.warnings = Some(Vec::new());
                true
            }
            // A member of another kind than its own reads as absent (its last value counts).
            (field, _) => {
                self.forget(field);
                false
            }
        };
        if keep {
            Take::Keep
        } else {
            Take::Skip
        }
    }

    fn key(&mut self, key: Str<'_>) {
        let name = key.bytes();
        let fields: [(&[u8], HeadField); 7] = [
            (b"v", HeadField::Version),
            (b"baseUrl", HeadField::BaseUrl),
            (b"scope", HeadField::Scope),
            (b"fetchedAt", HeadField::FetchedAt),
            (b"stale", HeadField::Stale),
            (b"hash", HeadField::Hash),
            (b"warnings", HeadField::Warnings),
        ];
        self.pending = fields.iter().find(|(n, _)| same(&name, n)).map_or(HeadField::Other, |&(_, f)| f);
    }

    fn keeps_string(&self) -> bool {
        self.in_warnings || matches!(self.pending, HeadField::BaseUrl | HeadField::Scope | HeadField::Hash)
    }

    fn string(&mut self, value: Str<'_>, at: usize) {
        if self.open(Kind::String, at) == Take::Skip {
            return;
        }
        let text = Some(value.text().into_owned());
        if self.in_warnings {
            if let (Some(list), Some(text)) = (self.warnings.as_mut(), text) {
                list.push(text);
            }
            return;
        }
        match std::mem::take(&mut self.pending) {
            HeadField::BaseUrl => self.base_url = text,
            HeadField::Scope => self.scope = text,
            HeadField::Hash => self.hash = text,
            _ => {}
        }
    }

    fn scalar(&mut self, text: &[u8]) {
        match std::mem::take(&mut self.pending) {
            HeadField::Version => self.version = whole(text),
            HeadField::FetchedAt => self.fetched_at = whole(text),
            HeadField::Stale => self.stale = text == b"true",
            _ => {}
        }
    }

    fn close(&mut self, _end: usize) {
        if self.in_warnings {
            self.in_warnings = false;
            if !self.all_strings {
                self.warnings = None;
            }
        }
    }
}

/// A whole number of at most 15 digits (ms timestamps, the version).
fn whole(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 15 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

/// How far ahead of this clock a record's `fetchedAt` may be: clocks of the
/// realms sharing a storage differ a little (a file store on a network share).
/// A record further ahead is refused: it would win every "newer record"
/// comparison and block genuine records until the clock caught up.
pub const MAX_CLOCK_SKEW_MS: f64 = 60_000.0;

/// Why a valid record may still not be used by a reader with these rules,
/// or `None` when it may: it must be within the reader's `max_bytes`, free
/// of warnings for a `strict` reader, and not from the future.
pub fn refused_by_reader(record: &StoredRecord, now_ms: f64, strict: bool, max_bytes: u64) -> Option<&'static str> {
    if record.body.len() as u64 > max_bytes {
        Some("larger than maxBytes")
    } else if strict && !record.warnings.is_empty() {
        Some("has warnings and the reader is strict")
    } else if record.fetched_at > now_ms + MAX_CLOCK_SKEW_MS {
        Some("fetched in the future")
    } else {
        None
    }
}

/// How a stored record stands against `maxAgeMs`: the one freshness rule,
/// read by every decision about a stored catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// An `action-require` asked for a refresh that has not happened yet.
    Stale,
    /// Older than `maxAgeMs`, or fetched in the future (the clock moved back:
    /// not trusted as fresh).
    Expired,
    /// Within `maxAgeMs`, in its second half.
    Aging,
    /// Within the first half of `maxAgeMs`.
    Young,
    /// `maxAgeMs` is 0: age decides nothing, the network is always asked.
    Unbounded,
}

impl Freshness {
    /// The rule: `now_ms - fetched_at` against `max_age_ms`.
    pub fn of(record: &StoredRecord, now_ms: f64, max_age_ms: u64) -> Freshness {
        let age = now_ms - record.fetched_at;
        let max_age = max_age_ms as f64;
        if record.stale {
            Freshness::Stale
        } else if max_age_ms == 0 {
            Freshness::Unbounded
        } else if !(age >= 0.0 && age < max_age) {
            Freshness::Expired
        } else if age < max_age / 2.0 {
            Freshness::Young
        } else {
            Freshness::Aging
        }
    }

    /// May be served without asking the network (`fetchResources` without `refresh`).
    pub fn serves_without_request(self) -> bool {
        matches!(self, Freshness::Young | Freshness::Aging)
    }

    /// Due for a refresh: what `cached()` reports as `stale`.
    pub fn is_due(self) -> bool {
        matches!(self, Freshness::Stale | Freshness::Expired)
    }

    /// An unchanged catalog may stay stored as it is, its older `fetchedAt`
    /// included: it cannot become due before half of `maxAgeMs` has passed.
    /// Revalidating then writes nothing and wakes no other client or tab (a
    /// 1.7 MB `localStorage.setItem` alone takes about 10 ms in Chromium).
    pub fn keeps_unchanged_copy(self) -> bool {
        matches!(self, Freshness::Young | Freshness::Unbounded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::walk::check_body;

    const BODY: &str = r#"{"status":"SUCCESS","data":{"hash":"abc_-","resources":{"models":[{"model":"gpt-4o","modality":"text","availableRunOptions":[]},{"model":"x","modality":"audio","availableRunOptions":[]}]}}}"#;

    /// A record of `body` as the client stores it: walked, then encoded.
    fn encode(base_url: &str, scope: &str, fetched_at: f64, stale: bool, body: &str) -> String {
        let checked = check_body(body.as_bytes(), 200, None, false).unwrap();
        super::encode(base_url, scope, &StoredRecord { stale, ..StoredRecord::walked(checked, fetched_at) }, body)
    }

    #[test]
    fn round_trip() {
        let text = encode("https://h/é", "nokey", 12.0, true, BODY);
        assert!(text[..text.len() - BODY.len() - 1].is_ascii(), "{text}");
        assert!(
            text.contains(
                "\"warnings\":[\"data.resources.models[1].modality: unknown modality \\\"audio\\\" (kept)\"]"
            ),
            "{text}"
        );
        let r = decode(text.as_bytes(), "https://h/é", "nokey").unwrap();
        assert_eq!((r.hash.as_str(), r.fetched_at, r.stale), ("abc_-", 12.0, true));
        assert_eq!(&text[r.body.clone()], BODY);
        assert_eq!(r.warnings, vec!["data.resources.models[1].modality: unknown modality \"audio\" (kept)"]);
    }

    #[test]
    fn foreign_or_corrupt_records_are_discarded() {
        let text = encode("https://h", "nokey", 12.0, false, BODY);
        let read = |t: &str| decode(t.as_bytes(), "https://h", "nokey");
        assert!(read(&text).is_ok());
        assert!(decode(text.as_bytes(), "https://other", "nokey").unwrap_err().contains("another base URL"));
        assert!(read(&text.replace("\"v\":3", "\"v\":1")).unwrap_err().contains("version 1, this release reads 3"));
        assert!(read(&text.replace("\"v\":3", "\"v\":99")).unwrap_err().contains("version 99"));
        // Damage anywhere: in the body, in the head, in the checksum, or a part lost.
        let damaged = [
            text.replace("gpt-4o", "gpt-4p"),
            text.replace("gpt-4o", ""),
            text.replace("\"fetchedAt\":12", "\"fetchedAt\":13"),
            text.replace("\"stale\":false", "\"stale\":true "),
            text.replace("\"hash\":\"abc_-\"", "\"hash\":\"abc_x\""),
            text.replace("\"warnings\":[", "\"warnings\":[\"x\","),
            text.replacen("\"sum\":\"", "\"sum\":\"0", 1),
            text[..text.len() - 3].to_owned(),
            format!("{text} "),
            format!("\u{feff}{text}"),
            text.replace("\"body\":", "\"body\": "),
            text.replacen("\"sum\"", "\"sun\"", 1),
        ];
        for (i, t) in damaged.iter().enumerate() {
            assert_ne!(t, &text, "case {i} changes the record");
            assert!(read(t).is_err(), "case {i}: {t}");
        }
        let mut flipped = text.clone().into_bytes();
        let last_digit = text.find("\",\"body\"").unwrap() - 1;
        flipped[last_digit] = if flipped[last_digit] == b'0' { b'1' } else { b'0' };
        assert!(read(std::str::from_utf8(&flipped).unwrap()).unwrap_err().contains("damaged"));
        assert!(read("null").is_err());
        assert!(read("{\"v\":3,").unwrap_err().contains("damaged"));
        assert!(read("{\"v\":3,\"sum\":\"0000000000000000\",\"body\":}").unwrap_err().contains("damaged"));
    }

    #[test]
    fn the_fuzzing_seed_is_a_record_this_release_reads() {
        // cargo-fuzz starts record_decode from it: a seed refused at once would
        // leave every path past the checksum to chance.
        let seed = include_bytes!("../../fuzz/seeds/record/catalog.record");
        let r = decode(seed, "https://h.example", "nokey").unwrap();
        assert_eq!((r.hash.as_str(), r.fetched_at), ("dGhpcyBpcyBhIGhhc2g", 1.7e12));
    }

    #[test]
    fn a_new_head_keeps_the_body_checksum() {
        // Marking a record stale rewrites its head from what was read.
        let text = encode("https://h", "nokey", 12.0, false, BODY);
        let r = decode(text.as_bytes(), "https://h", "nokey").unwrap();
        let stale = StoredRecord { stale: true, ..r.clone() };
        let again = format!("{}{}}}", head("https://h", "nokey", &stale), &text[r.body.clone()]);
        let read = decode(again.as_bytes(), "https://h", "nokey").unwrap();
        assert!(read.stale);
        assert_eq!((read.hash, read.warnings, read.body_sum), (r.hash, r.warnings, r.body_sum));
    }

    #[test]
    fn records_are_scoped_by_api_key() {
        let parts = |key: &str| vec![format!("key={key}")];
        let a = scope(&parts("sk-a"), "s1");
        let b = scope(&parts("sk-b"), "s1");
        assert_eq!(a.len(), 4 + 32);
        assert!(a.starts_with("key-") && a[4..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_ne!(a, scope(&[], "s1"));
        assert_eq!(scope(&[], "s1"), NO_KEY_SCOPE);
        assert_eq!(a, scope(&parts("sk-a"), "s1"));
        assert!(!a.contains("sk-a"));
        // Another storage's salt gives another scope: no digest applies across storages.
        assert_ne!(a, scope(&parts("sk-a"), "s2"));
        // The fingerprint is SHA-256 of the salted, domain-separated parts, truncated.
        let full = super::super::sha256::hex(&super::super::sha256::sha256(b"resources-client:scope:s1\0key=sk-a"));
        assert_eq!(&a[4..], &full[..32]);
        assert_ne!(storage_key("p", &a, "u"), storage_key("p", &b, "u"));
        let text = encode("https://h", &a, 1.0, false, BODY);
        assert!(decode(text.as_bytes(), "https://h", &a).is_ok());
        assert!(decode(text.as_bytes(), "https://h", &b).unwrap_err().contains("another API key"));
        assert!(decode(text.as_bytes(), "https://h", NO_KEY_SCOPE).unwrap_err().contains("another API key"));
        // Records of format 2 (before the checksum) are refused, scoped or not.
        let old = format!(
            "{{\"v\":2,\"baseUrl\":\"https://h\",\"scope\":\"{a}\",\"fetchedAt\":1,\"stale\":false,\"body\":{BODY}}}"
        );
        assert!(decode(old.as_bytes(), "https://h", &a).unwrap_err().contains("version 2"));
    }

    #[test]
    fn a_body_with_whitespace_around_it_is_stored_without() {
        let text = encode("b", "nokey", 1.0, false, &format!("\u{feff} \n{BODY}\r\n"));
        assert_eq!(&text[decode(text.as_bytes(), "b", "nokey").unwrap().body], BODY);
    }

    #[test]
    fn readers_refuse_what_their_rules_forbid() {
        let text = encode("b", "nokey", 1000.0, false, BODY);
        let r = decode(text.as_bytes(), "b", "nokey").unwrap();
        assert!(!r.warnings.is_empty());
        assert_eq!(refused_by_reader(&r, 1000.0, false, 1 << 20), None);
        assert_eq!(refused_by_reader(&r, 1000.0, true, 1 << 20), Some("has warnings and the reader is strict"));
        assert_eq!(refused_by_reader(&r, 1000.0, false, BODY.len() as u64), None);
        assert_eq!(refused_by_reader(&r, 1000.0, false, BODY.len() as u64 - 1), Some("larger than maxBytes"));
        assert_eq!(refused_by_reader(&r, 1000.0 - MAX_CLOCK_SKEW_MS, false, 1 << 20), None);
        assert_eq!(refused_by_reader(&r, 999.0 - MAX_CLOCK_SKEW_MS, false, 1 << 20), Some("fetched in the future"));
    }

    #[test]
    fn freshness() {
        let mut r = decode(encode("b", "nokey", 1000.0, false, BODY).as_bytes(), "b", "nokey").unwrap();
        let of = |r: &StoredRecord, now, max| Freshness::of(r, now, max);
        assert_eq!(of(&r, 1500.0, 0), Freshness::Unbounded);
        assert_eq!(of(&r, 1400.0, 1000), Freshness::Young);
        assert_eq!(of(&r, 1500.0, 1000), Freshness::Aging);
        assert_eq!(of(&r, 2000.0, 1000), Freshness::Expired);
        assert_eq!(of(&r, 500.0, 1000), Freshness::Expired, "from the future");
        // What each decision reads of it.
        assert!(of(&r, 1400.0, 1000).serves_without_request() && of(&r, 1900.0, 1000).serves_without_request());
        assert!(!of(&r, 1500.0, 0).serves_without_request() && !of(&r, 2500.0, 1000).serves_without_request());
        assert!(of(&r, 2500.0, 1000).is_due() && !of(&r, 1900.0, 1000).is_due() && !of(&r, 9e9, 0).is_due());
        assert!(of(&r, 1400.0, 1000).keeps_unchanged_copy() && of(&r, 9e9, 0).keeps_unchanged_copy());
        assert!(!of(&r, 1500.0, 1000).keeps_unchanged_copy() && !of(&r, 2500.0, 1000).keeps_unchanged_copy());
        r.stale = true;
        assert_eq!(of(&r, 1400.0, 1000), Freshness::Stale);
        assert_eq!(of(&r, 1400.0, 0), Freshness::Stale);
        assert!(of(&r, 1400.0, 0).is_due() && !of(&r, 1400.0, 1000).serves_without_request());
        assert!(!of(&r, 1400.0, 1000).keeps_unchanged_copy());
    }
}
