//! The stored record: the validated response body, verbatim, with what the
//! client knows about it (which base URL it came from, when, whether an
//! `action-require` asked for a refresh).
//!
//! ```text
//! {"v":2,"baseUrl":"https://api.example.com","scope":"key-5e1d…","fetchedAt":1764600000000,"stale":false,"body":<the body as received>}
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
//! The body is kept as the server sent it, so a record is read back through the
//! same schema walk as a response (same hash, same warnings with the same
//! paths), and JavaScript materialises it with one `JSON.parse`, keys in the
//! body's order. The head is pure ASCII and the body is the last member, so the
//! body's text can be cut out of a stored string by position.
//! Anything corrupt, from another format version or written for another base
//! URL is discarded.

use std::ops::Range;

use super::scan::{quote_ascii, same, Kind, Scanner, Syn};
use super::schema::{check_nested, json_text, strip_bom};

/// Format version written by this release.
pub const RECORD_VERSION: u64 = 2;

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
}

/// The record's text before the body: `head(..) + body + "}"` is the record.
/// Pure ASCII (non-ASCII characters of the base URL are `\u`-escaped).
pub fn head(base_url: &str, scope: &str, fetched_at: f64, stale: bool) -> String {
    let url = quote_ascii(base_url);
    let scope = quote_ascii(scope);
    let at = if fetched_at.is_finite() && fetched_at >= 0.0 { fetched_at.floor() as u64 } else { 0 };
    format!(
        "{{\"v\":{RECORD_VERSION},\"baseUrl\":{url},\"scope\":{scope},\"fetchedAt\":{at},\"stale\":{stale},\"body\":"
    )
}

/// The whole record for a validated body (native code and tests; the client
/// joins the parts as JS strings).
pub fn encode(base_url: &str, scope: &str, fetched_at: f64, stale: bool, body: &str) -> String {
    let body = String::from_utf8_lossy(json_text(body.as_bytes()));
    format!("{}{body}}}", head(base_url, scope, fetched_at, stale))
}

/// Reads a record back; `Err` says why it was discarded.
pub fn decode(text: &[u8], base_url: &str, scope: &str) -> Result<StoredRecord, String> {
    let mut s = Scanner::new(strip_bom(text));
    let walked = walk(&mut s, base_url, scope).map_err(|_| "stored record is not JSON".to_owned())?;
    let record = walked?;
    if !s.at_end() {
        return Err("stored record is not JSON".into());
    }
    if record.body.end + 1 != text.len() || !text[..record.body.start].is_ascii() {
        return Err("stored record was not written by this release".into());
    }
    Ok(record)
}

fn walk(s: &mut Scanner<'_>, base_url: &str, scope: &str) -> Syn<Result<StoredRecord, String>> {
    if s.kind()? != Kind::Object {
        s.skip()?;
        return Ok(Err("stored record is not a JSON object".into()));
    }
    let (mut version, mut url_matches, mut fetched_at, mut stale) = (None, false, None, false);
    let mut scope_matches = false;
    let mut body = None;
    let mut last_was_body = false;
    s.object(|s, key| {
        let name = key.bytes();
        last_was_body = false;
        if same(&name, b"v") {
            version = match s.kind()? {
                Kind::Number => whole(s.number()?),
                _ => s.skip().map(|()| None)?,
            };
        } else if same(&name, b"baseUrl") {
            url_matches = match s.kind()? {
                Kind::String => s.string()?.text() == base_url,
                _ => s.skip().map(|()| false)?,
            };
        } else if same(&name, b"scope") {
            scope_matches = match s.kind()? {
                Kind::String => s.string()?.text() == scope,
                _ => s.skip().map(|()| false)?,
            };
        } else if same(&name, b"fetchedAt") {
            fetched_at = match s.kind()? {
                Kind::Number => whole(s.number()?),
                _ => s.skip().map(|()| None)?,
            };
        } else if same(&name, b"stale") {
            stale = s.peek()? == b't';
            s.skip()?;
        } else if same(&name, b"body") {
            s.ws();
            let start = s.pos;
            let checked = check_nested(s)?;
            body = Some((checked, start..s.pos));
            last_was_body = true;
        } else {
            s.skip()?;
        }
        Ok(())
    })?;
    Ok((|| {
        match version {
            Some(v) if v == RECORD_VERSION => {}
            Some(v) => {
                return Err(format!("stored record has format version {v}, this release reads {RECORD_VERSION}"))
            }
            None => return Err("stored record has no format version".into()),
        }
        if !url_matches {
            return Err("stored record belongs to another base URL".into());
        }
        if !scope_matches {
            return Err("stored record belongs to another API key".into());
        }
        let fetched_at = fetched_at.ok_or("stored record has no valid fetchedAt")? as f64;
        let (checked, span) = body.ok_or("stored record has no body")?;
        let checked = checked.map_err(|e| format!("stored record: {e}"))?;
        if !last_was_body {
            return Err("stored record was not written by this release".into());
        }
        Ok(StoredRecord { hash: checked.hash, fetched_at, stale, warnings: checked.warnings, body: span })
    })())
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

    const BODY: &str = r#"{"status":"SUCCESS","data":{"hash":"abc_-","resources":{"models":[{"model":"gpt-4o","modality":"text","availableRunOptions":[]},{"model":"x","modality":"audio","availableRunOptions":[]}]}}}"#;

    #[test]
    fn round_trip() {
        let text = encode("https://h/é", "nokey", 12.0, true, BODY);
        assert!(text[..text.len() - BODY.len() - 1].is_ascii(), "{text}");
        let r = decode(text.as_bytes(), "https://h/é", "nokey").unwrap();
        assert_eq!((r.hash.as_str(), r.fetched_at, r.stale), ("abc_-", 12.0, true));
        assert_eq!(&text[r.body.clone()], BODY);
        assert_eq!(r.warnings, vec!["data.resources.models[1].modality: unknown modality \"audio\" (kept)"]);
    }

    #[test]
    fn foreign_or_corrupt_records_are_discarded() {
        let text = encode("https://h", "nokey", 12.0, false, BODY);
        assert!(decode(text.as_bytes(), "https://other", "nokey").unwrap_err().contains("another base URL"));
        assert!(decode(text.replace("\"v\":2", "\"v\":1").as_bytes(), "https://h", "nokey")
            .unwrap_err()
            .contains("version 1"));
        assert!(decode(text.replace("\"abc_-\"", "\"a b\"").as_bytes(), "https://h", "nokey").is_err());
        assert!(decode(&text.as_bytes()[..text.len() - 3], "https://h", "nokey").is_err());
        assert!(decode(b"null", "https://h", "nokey").is_err());
        assert!(decode(text.replace("gpt-4o", "").as_bytes(), "https://h", "nokey")
            .unwrap_err()
            .contains("empty model id"));
        assert!(decode(format!("{text} ").as_bytes(), "https://h", "nokey").is_err());
        assert!(decode(text.replace("\"fetchedAt\":12", "\"fetchedAt\":-1").as_bytes(), "https://h", "nokey").is_err());
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
        // A record of the previous layout (no scope) is refused.
        let old = text.replace(&format!(",\"scope\":\"{a}\""), "");
        assert!(!old.contains("scope"));
        assert!(decode(old.as_bytes(), "https://h", &a).unwrap_err().contains("another API key"));
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
