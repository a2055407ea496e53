//! The properties the pure core must keep on any input, shared by the
//! property-based fuzzer (`tests/fuzz_core.rs`) and the replay of every input
//! that ever failed (`tests/fuzz_regressions/<target>/`).
//!
//! Each `check_*` takes raw input and returns `Err(why)` when a property is
//! broken; a panic inside the core is a broken property too (caught by the caller).

#![allow(dead_code)]

pub mod oracle;

use resources_client::domain::headers::{
    asks_for_update, authorization_value, is_valid_header, parse_http_date, parse_retry_after, MAX_RETRY_AFTER_MS,
};
use resources_client::domain::options::Options;
use resources_client::domain::parse::{check_hash, MAX_WARNINGS};
use resources_client::domain::record;
use resources_client::domain::url::{normalize_base_url, resources_url};
use resources_client::{parse_failure, parse_success, Catalog, Error};
use serde_json::{json, Value};

/// The most lines a warning list may have: the listed ones and one summary line.
pub const MAX_WARNING_LINES: usize = MAX_WARNINGS + 1;

/// The fuzz targets, by the name of their regression directory.
pub const TARGETS: [&str; 7] = ["envelope", "differential", "failure", "record", "header", "base_url", "options"];

/// Runs the check of `target` on `input`.
pub fn check(target: &str, input: &[u8]) -> Result<(), String> {
    let text = || String::from_utf8_lossy(input).into_owned();
    match target {
        "envelope" => check_envelope(input),
        "differential" => check_differential(input),
        "failure" => check_failure(input),
        "record" => check_record(&text()),
        "header" => check_header_value(&text()),
        "base_url" => check_base_url(&text()),
        "options" => check_options_text(&text()),
        other => Err(format!("unknown fuzz target {other}")),
    }
}

fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

fn ensure(cond: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(why())
    }
}

// ---------------------------------------------------------------------------
// envelopes

/// `parse_success` (lenient and strict) on a 2xx body: its properties, and
/// the same answers as the serde_json oracle, for the body and for the body
/// kept as a stored record.
pub fn check_envelope(body: &[u8]) -> Result<(), String> {
    check_differential(body)?;
    check_properties(body)
}

/// The walk against the oracle ([`oracle`]), lenient and strict: the same
/// accept/reject, hash, typed resources and warning paths, errors of the same
/// kind at the same path; then the body as a stored record against the
/// oracle's lenient reading.
pub fn check_differential(body: &[u8]) -> Result<(), String> {
    check_pieces(body)?;
    let mut lenient = None;
    for strict in [false, true] {
        let expected = oracle::read(body, strict);
        let result = parse_success(body, 200, Some("application/json"), strict);
        let observed = oracle::observe(&result)?;
        oracle::compare(&observed, &expected).map_err(|why| format!("strict {strict}: {why}"))?;
        if !strict {
            lenient = Some(expected);
        }
    }
    check_stored_body(body, &lenient.expect("the lenient reading ran"))
}

/// Cuts of a body into pieces: a byte at a time, small pieces, pieces of
/// uneven sizes from a seed taken from the body, and the body whole.
fn cuts(body: &[u8]) -> Vec<Vec<usize>> {
    let mut seed = body.iter().fold(body.len() as u64 | 1, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let uneven = (0..16)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            1 + (seed % 40) as usize
        })
        .collect();
    vec![vec![1], vec![2, 3], vec![7], uneven, vec![usize::MAX]]
}

/// `bytes` fed to `feed` in pieces of the given sizes (cycled).
pub fn in_pieces(bytes: &[u8], sizes: &[usize], mut feed: impl FnMut(&[u8])) {
    let (mut rest, mut k) = (bytes, 0);
    while !rest.is_empty() {
        let (piece, tail) = rest.split_at(sizes[k % sizes.len()].clamp(1, rest.len()));
        feed(piece);
        (rest, k) = (tail, k + 1);
    }
}

/// A body's verdict does not depend on how it is cut: the walk of a 2xx body
/// (lenient and strict) and of a failed response's body, fed in pieces, say
/// what they say of it whole.
pub fn check_pieces(body: &[u8]) -> Result<(), String> {
    use resources_client::domain::walk::{walk_body, Walk};
    for strict in [false, true] {
        let whole = walk_body(body, 200, Some("application/json"), strict);
        for sizes in cuts(body) {
            let mut walk = Walk::catalog(200, strict, None);
            in_pieces(body, &sizes, |piece| walk.feed(piece));
            let cut = walk.judge(200, Some("application/json"));
            ensure(cut == whole, || format!("strict {strict}, pieces of {sizes:?}: {cut:?}, whole {whole:?}"))?;
        }
    }
    let whole = parse_failure(body, 503, Some("text/html"), Some(5));
    for sizes in cuts(body) {
        let mut walk = Walk::failure();
        in_pieces(body, &sizes, |piece| walk.feed(piece));
        let cut = walk.failure_error(503, Some("text/html"), Some(5));
        ensure(cut == whole, || format!("failure in pieces of {sizes:?}: {cut:?}, whole {whole:?}"))?;
    }
    Ok(())
}

/// The base URL of the records the fuzz targets write.
pub const RECORD_BASE: &str = "https://h.example";

/// A body the oracle accepts, stored as the client stores it (the head made
/// from the walk's findings, the body's JSON text without BOM or whitespace
/// around it, `}`) and read back by `record::decode`: the oracle's hash and
/// warnings, the body exactly where it was written. A body the oracle refuses
/// is never stored.
pub fn check_stored_body(body: &[u8], expected: &oracle::Verdict) -> Result<(), String> {
    let oracle::Verdict::Accepted { hash, warnings, .. } = expected else { return Ok(()) };
    let checked = resources_client::domain::walk::check_body(body, 200, None, false)
        .map_err(|e| format!("the walk refuses a body the oracle accepts: {e}"))?;
    let text = std::str::from_utf8(body).map_err(|e| format!("an accepted body is not UTF-8: {e}"))?;
    let written = record::StoredRecord::walked(checked, 1.7e12);
    let stored = record::encode(RECORD_BASE, "nokey", &written, text);
    let rec = record::decode(stored.as_bytes(), RECORD_BASE, "nokey")
        .map_err(|e| format!("record of a body the oracle accepts is refused: {e}"))?;
    for sizes in cuts(stored.as_bytes()) {
        let mut reader = record::RecordReader::new();
        in_pieces(stored.as_bytes(), &sizes, |piece| reader.feed(piece));
        let cut = reader.finish(RECORD_BASE, "nokey");
        ensure(cut.as_ref() == Ok(&rec), || format!("record in pieces of {sizes:?}: {cut:?}"))?;
    }
    ensure(&rec.hash == hash, || format!("record hash {:?}, the oracle's {hash:?}", rec.hash))?;
    oracle::same_warnings(&rec.warnings, warnings).map_err(|why| format!("record: {why}"))?;
    let json = resources_client::domain::schema::json_text(body);
    ensure(stored.as_bytes()[rec.body.clone()] == *json && rec.body.end + 1 == stored.len(), || {
        format!("record body at {:?} of {} bytes", rec.body, stored.len())
    })
}

/// The properties of `parse_success` (lenient and strict) on a 2xx body.
pub fn check_properties(body: &[u8]) -> Result<(), String> {
    let doc: Option<Value> = serde_json::from_slice(strip_bom(body)).ok();
    let lenient = parse_success(body, 200, Some("application/json"), false);
    let strict = parse_success(body, 200, Some("application/json"), true);
    match &lenient {
        Ok(c) => check_catalog(c)?,
        Err(e) => check_parse_error(e, doc.as_ref())?,
    }
    match (&strict, &lenient) {
        (Ok(s), Ok(l)) => {
            ensure(s.warnings.is_empty(), || format!("strict parse has warnings {:?}", s.warnings))?;
            ensure(l.warnings.is_empty(), || format!("strict accepted what lenient warned about: {:?}", l.warnings))?;
            ensure(s.hash == l.hash && s.resources == l.resources, || "strict and lenient catalogs differ".into())?;
        }
        (Ok(_), Err(e)) => return Err(format!("strict accepted a body lenient refused: {e}")),
        (Err(e), Ok(l)) => {
            check_parse_error(e, doc.as_ref())?;
            // Strict fails on the first warning lenient mode records.
            let path = e.path().ok_or_else(|| format!("strict error without a path: {e}"))?;
            let first = l.warnings.first().ok_or_else(|| format!("strict refused a clean body: {e}"))?;
            ensure(first.starts_with(&format!("{path}: ")), || {
                format!("strict error at {path}, first warning {first:?}")
            })?;
        }
        (Err(e), Err(_)) => check_parse_error(e, doc.as_ref())?,
    }
    Ok(())
}

/// What a successful parse must satisfy, including the round trips through
/// serialisation and through a stored record.
fn check_catalog(c: &Catalog) -> Result<(), String> {
    check_hash(&c.hash).map_err(|m| format!("accepted hash {:?}: {m}", c.hash))?;
    check_warnings(&c.warnings)?;
    let text = serde_json::to_vec(&json!({"status": "SUCCESS", "data": {"hash": c.hash, "resources": c.resources}}))
        .map_err(|e| format!("catalog does not serialise: {e}"))?;
    let again =
        parse_success(&text, 200, None, false).map_err(|e| format!("serialised catalog does not parse: {e}"))?;
    ensure(again.hash == c.hash, || "hash changed in the round trip".into())?;
    ensure(again.resources == c.resources, || "resources changed in the round trip".into())?;
    let truncated = c.warnings.len() == MAX_WARNING_LINES;
    // Only warnings inside `resources` survive the round trip (a field of `data`
    // named e.g. `resources0` is left out, so match the separator too).
    let inside =
        |w: &&String| ["data.resources.", "data.resources[", "data.resources:"].iter().any(|p| w.starts_with(p));
    let kept: Vec<&String> = c.warnings.iter().filter(inside).collect();
    if !truncated {
        ensure(again.warnings.iter().collect::<Vec<_>>() == kept, || {
            format!("warnings changed in the round trip: {:?} -> {:?}", kept, again.warnings)
        })?;
    }
    let body = String::from_utf8(text.clone()).map_err(|e| e.to_string())?;
    let written = record::StoredRecord {
        hash: again.hash.clone(),
        fetched_at: 1.0,
        stale: false,
        warnings: again.warnings.clone(),
        body: 0..0,
        body_sum: 0,
    };
    let stored = record::encode("https://h.example", "nokey", &written, &body);
    let rec = record::decode(stored.as_bytes(), "https://h.example", "nokey")
        .map_err(|e| format!("stored catalog is refused: {e}"))?;
    let kept = parse_success(stored[rec.body.clone()].as_bytes(), 200, None, false).map_err(|e| e.to_string())?;
    ensure(rec.hash == c.hash && kept.resources == c.resources, || "record round trip changed the catalog".into())?;
    if !truncated {
        ensure(rec.warnings == again.warnings, || {
            format!("record warnings {:?}, expected {:?}", rec.warnings, again.warnings)
        })?;
    }
    Ok(())
}

fn check_warnings(warnings: &[String]) -> Result<(), String> {
    ensure(warnings.len() <= MAX_WARNING_LINES, || format!("{} warning lines", warnings.len()))?;
    if warnings.len() == MAX_WARNING_LINES {
        ensure(warnings[MAX_WARNINGS].starts_with("... and "), || "no summary line after the cap".into())?;
    }
    for w in warnings.iter().take(MAX_WARNINGS) {
        // An empty key makes an empty path (keys are not quoted in paths).
        ensure(w.contains(": "), || format!("warning without a path: {w:?}"))?;
    }
    Ok(())
}

/// An error of `parse_success`: an API error taken from the body, or an
/// `INVALID_RESPONSE` whose path (when the body was a JSON object) points at
/// what is wrong in `doc`.
fn check_parse_error(e: &Error, doc: Option<&Value>) -> Result<(), String> {
    let shown = e.to_string();
    match e {
        Error::Api { code, status, .. } => {
            ensure(*status == 200 && !code.is_empty() && code != "SUCCESS", || format!("odd API error {e:?}"))?;
            let sent = doc.and_then(|d| d.get("status")).and_then(Value::as_str);
            ensure(sent == Some(code.as_str()), || format!("API code {code:?} is not the body's status {sent:?}"))
        }
        Error::InvalidResponse { path: None, message, .. } => match doc {
            None => {
                ensure(message.starts_with("body is not valid JSON"), || format!("no path for a JSON body: {shown}"))
            }
            Some(Value::Object(_)) => Err(format!("an object body failed without a path: {shown}")),
            Some(_) => ensure(message.starts_with("expected a JSON object"), || format!("odd root error: {shown}")),
        },
        Error::InvalidResponse { path: Some(path), message, .. } => {
            let doc = doc.ok_or_else(|| format!("a path for a body that is not JSON: {shown}"))?;
            ensure(shown.contains(path.as_str()), || format!("message does not name the path: {shown}"))?;
            if message == "missing" {
                let (parent, key) = split_last(path);
                let parent = if parent.is_empty() { Some(doc) } else { resolve(doc, parent) };
                let parent = parent.ok_or_else(|| format!("parent of missing {path} not found"))?;
                ensure(parent.as_object().is_some_and(|o| !o.contains_key(key)), || format!("{path} is not missing"))
            } else {
                ensure(resolve(doc, path).is_some(), || {
                    format!("error path {path} does not exist in the body: {shown}")
                })
            }
        }
        other => Err(format!("parse_success returned {other:?}")),
    }
}

fn split_last(path: &str) -> (&str, &str) {
    match path.rfind('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Finds the value at a path such as `data.resources.models[2].key`. Plain keys
/// follow a `.`; any other key is a JSON string in brackets (`["a.b"]`); a key
/// elided with `…` (longer than the shown limit) matches the keys it begins.
pub fn resolve<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.strip_prefix('.').unwrap_or(path);
    if path.is_empty() {
        return Some(v);
    }
    if path.starts_with("[\"") {
        let mut strings = serde_json::Deserializer::from_str(&path[1..]).into_iter::<String>();
        let key = strings.next()?.ok()?;
        let after = path[1 + strings.byte_offset()..].strip_prefix(']')?;
        return resolve(member(v, &key)?, after);
    }
    if let Some(rest) = path.strip_prefix('[') {
        let close = rest.find(']')?;
        let index: usize = rest[..close].parse().ok()?;
        return resolve(v.as_array()?.get(index)?, &rest[close + 1..]);
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    resolve(member(v, &path[..end])?, &path[end..])
}

fn member<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let map = v.as_object()?;
    match key.strip_suffix('…') {
        Some(prefix) => map.iter().find(|(k, _)| k.len() > prefix.len() && k.starts_with(prefix)).map(|(_, c)| c),
        None => map.get(key),
    }
}

/// `parse_failure` on a non-2xx body, for a few statuses.
pub fn check_failure(body: &[u8]) -> Result<(), String> {
    let doc: Option<Value> = serde_json::from_slice(strip_bom(body)).ok();
    for status in [400, 401, 429, 500, 502, 504] {
        let e = parse_failure(body, status, Some("text/html"), Some(1000));
        ensure(e.status() == status, || format!("status {} for {status}", e.status()))?;
        ensure(e.retry_after_ms() == Some(1000), || "retry-after lost".into())?;
        let _ = e.to_string();
        match &e {
            Error::Api { code, .. } => {
                let sent = doc.as_ref().and_then(|d| d.get("status")).and_then(Value::as_str);
                ensure(sent == Some(code.as_str()) && code != "SUCCESS", || format!("API code {code:?} vs {sent:?}"))?;
            }
            Error::Http { message, .. } => {
                // A description of the body, never the body: bounded whatever arrives.
                ensure(message.chars().count() < 200, || format!("HTTP error message of {} chars", message.len()))?;
            }
            other => return Err(format!("parse_failure returned {other:?}")),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// stored records

/// `record::decode` of any text: never trusts a bad record, and what it
/// accepts survives another encode/decode unchanged.
pub fn check_record(text: &str) -> Result<(), String> {
    let base = "https://h.example";
    let whole = record::decode(text.as_bytes(), base, "nokey");
    for sizes in cuts(text.as_bytes()) {
        let mut reader = record::RecordReader::new();
        in_pieces(text.as_bytes(), &sizes, |piece| reader.feed(piece));
        let cut = reader.finish(base, "nokey");
        ensure(cut == whole, || format!("record in pieces of {sizes:?}: {cut:?}, whole {whole:?}"))?;
    }
    let Ok(rec) = whole else { return Ok(()) };
    // What a record accepts, the oracle accepts in its body, with the same hash and warnings.
    match oracle::read(&text.as_bytes()[rec.body.clone()], false) {
        oracle::Verdict::Accepted { hash, warnings, .. } => {
            ensure(rec.hash == hash, || format!("record hash {:?}, the oracle's {hash:?}", rec.hash))?;
            oracle::same_warnings(&rec.warnings, &warnings)?;
        }
        other => return Err(format!("record accepted, the oracle refuses its body: {other:?}")),
    }
    check_hash(&rec.hash).map_err(|m| format!("record with hash {:?} accepted: {m}", rec.hash))?;
    ensure(rec.fetched_at.is_finite() && rec.fetched_at >= 0.0, || format!("fetchedAt {}", rec.fetched_at))?;
    check_warnings(&rec.warnings)?;
    let body = &text[rec.body.clone()];
    let again = record::encode(base, "nokey", &rec, body);
    let back =
        record::decode(again.as_bytes(), base, "nokey").map_err(|e| format!("re-encoded record refused: {e}"))?;
    let same = (&back.hash, back.fetched_at, back.stale, &back.warnings)
        == (&rec.hash, rec.fetched_at, rec.stale, &rec.warnings);
    ensure(same && &again[back.body.clone()] == body, || "record changed when stored again".into())?;
    ensure(record::decode(again.as_bytes(), "https://other.example", "nokey").is_err(), || {
        "record read for another base URL".into()
    })
}

// ---------------------------------------------------------------------------
// headers

/// The header readers on any value.
pub fn check_header_value(value: &str) -> Result<(), String> {
    let expected = value.split(',').any(|t| t.trim().eq_ignore_ascii_case("update-resources"));
    ensure(asks_for_update(value) == expected, || format!("asks_for_update({value:?})"))?;
    for now in [0.0, 1.7e12, 253_402_300_799_000.0] {
        if let Some(ms) = parse_retry_after(value, now) {
            ensure(ms <= MAX_RETRY_AFTER_MS, || format!("retry-after {ms} ms for {value:?}"))?;
        }
    }
    if let Some(t) = parse_http_date(value) {
        ensure(t.is_finite() && t >= 0.0, || format!("date {t} from {value:?}"))?;
    }
    let auth = authorization_value(value);
    ensure(auth.starts_with("Bearer "), || format!("authorization {auth:?}"))?;
    if is_valid_header("x-test", value) {
        ensure(!value.contains(['\r', '\n', '\0']), || format!("header value {value:?} accepted"))?;
        ensure(value.chars().all(|c| (c as u32) <= 0xFF), || format!("header value {value:?} is not a ByteString"))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// base URLs and options

/// `normalize_base_url`: idempotent, and never yields `//` or `/v1/v1` in the request URL.
pub fn check_base_url(input: &str) -> Result<(), String> {
    let Ok(base) = normalize_base_url(input) else { return Ok(()) };
    let again = normalize_base_url(&base).map_err(|e| format!("normalised {base:?} is refused: {e}"))?;
    ensure(again == base, || format!("not idempotent: {input:?} -> {base:?} -> {again:?}"))?;
    let scheme = if base.starts_with("https://") {
        8
    } else if base.starts_with("http://") {
        7
    } else {
        0
    };
    ensure(scheme > 0, || format!("scheme lost: {base:?}"))?;
    let url = resources_url(&base);
    let rest = &url[scheme..];
    ensure(!rest.contains("//"), || format!("// in {url:?}"))?;
    // A prefix of the user's own may hold `/v1/` segments; only the end is folded.
    ensure(
        !base.ends_with("/v1") || base.len() == scheme + base[scheme..].find('/').unwrap_or(base.len() - scheme),
        || format!("{base:?} still ends with /v1"),
    )?;
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    ensure(!path.ends_with("/v1/v1/resources"), || format!("/v1/v1/ in {url:?}"))?;
    ensure(!url.chars().any(|c| c.is_whitespace() || c.is_control()), || format!("space in {url:?}"))
}

/// `Options::validate` with fields taken from a JSON object (any JSON is fine).
pub fn check_options_text(text: &str) -> Result<(), String> {
    let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let s = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned);
    let n = |k: &str| doc.get(k).and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()));
    let headers = doc
        .get("headers")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned())).collect())
        .unwrap_or_default();
    let options = Options {
        base_url: s("baseUrl"),
        api_key: s("apiKey"),
        headers,
        storage_key: s("storageKey"),
        timeout_ms: n("timeoutMs"),
        retries: n("retries"),
        max_bytes: n("maxBytes"),
        max_age_ms: n("maxAgeMs"),
        strict: doc.get("strict").and_then(Value::as_bool).unwrap_or(false),
        allow_cross_origin_redirects: doc.get("allowCrossOriginRedirects").and_then(Value::as_bool).unwrap_or(false),
        scope: s("scope"),
    };
    check_options(options)
}

/// `Options::validate`: never panics; what it accepts can be sent as headers.
pub fn check_options(options: Options) -> Result<(), String> {
    // The key may only show up where another option already holds the same text.
    // Raw texts, and their Debug forms (an error may quote either).
    let mut others = format!("{:?} {:?} {:?}", options.base_url, options.storage_key, options.headers);
    for text in [&options.base_url, &options.storage_key].into_iter().flatten() {
        others.push_str(text);
    }
    for (name, value) in &options.headers {
        others.push_str(name);
        others.push_str(value);
    }
    let key = options.api_key.clone().filter(|k| !others.contains(k.trim()));
    match options.validate() {
        Ok(config) => {
            ensure(config.retries <= 10, || "retries above the cap".into())?;
            if let Some(k) = &config.api_key {
                let auth = authorization_value(k);
                ensure(is_valid_header("authorization", &auth), || {
                    "accepted a key that cannot be a header value".into()
                })?;
            }
            for (name, value) in &config.headers {
                ensure(is_valid_header(name, value), || format!("accepted header {name:?}"))?;
            }
            // Debug shows the same whatever the key is.
            let mut other = config.clone();
            other.api_key = other.api_key.as_ref().map(|_| "sk-another".to_owned());
            ensure(format!("{config:?}") == format!("{other:?}"), || "the key shows in Debug".into())
        }
        Err(e) => {
            ensure(e.code() == "INVALID_OPTIONS", || format!("validate returned {e:?}"))?;
            match key.as_deref().map(str::trim) {
                Some(k) if k.len() >= 8 => {
                    ensure(!e.to_string().contains(k), || "the key is in an options error".into())
                }
                _ => Ok(()),
            }
        }
    }
}
