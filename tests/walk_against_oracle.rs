#![cfg(not(target_arch = "wasm32"))]
//! The schema walk (`check_body`, and `parse_success` built on it) against the
//! serde_json oracle of `tests/fuzz_support/oracle.rs`: the same verdict, hash,
//! typed resources and warning paths, errors of the same kind at the same path.
//! Bodies come from the fixtures, from targeted edits, and from thousands of
//! seeded random mutations of both.

mod fuzz_support;

use fuzz_support::oracle;

use resources_client::domain::walk::check_body;

/// The walk's verdict in the old validator's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Checked {
    hash: String,
    warnings: Vec<String>,
}

fn validate_success(
    body: &[u8],
    status: u16,
    content_type: Option<&str>,
    strict: bool,
) -> Result<Checked, resources_client::Error> {
    check_body(body, status, content_type, strict).map(|c| Checked { hash: c.hash, warnings: c.warnings })
}

fn validate_fast(body: &[u8], strict: bool) -> Option<Checked> {
    validate_success(body, 200, None, strict).ok()
}
use resources_client::parse_success;
use serde_json::{json, Value};

const CATALOG: &str = include_str!("fixtures/catalog.json");
const EXTENDED: &str = include_str!("fixtures/catalog_extended.json");

/// Checks one body both ways, lenient and strict. Returns whether the fast path answered.
#[track_caller]
fn agree(body: &[u8]) -> bool {
    let mut answered = false;
    for strict in [false, true] {
        let full = parse_success(body, 200, None, strict)
            .map(|c| Checked { hash: c.hash, warnings: c.warnings })
            .map_err(unplaced);
        let combined = validate_success(body, 200, None, strict).map_err(unplaced);
        let observed = oracle::observe(&parse_success(body, 200, None, strict)).unwrap();
        if let Err(why) = oracle::compare(&observed, &oracle::read(body, strict)) {
            panic!("the walk and the oracle differ for {:?} (strict {strict}): {why}", String::from_utf8_lossy(body));
        }
        assert_eq!(
            combined,
            full,
            "validate_success differs for {:?} (strict {strict})",
            String::from_utf8_lossy(body)
        );
        if let Some(fast) = validate_fast(body, strict) {
            answered = true;
            assert_eq!(
                Ok(&fast),
                full.as_ref(),
                "fast path differs for {:?} (strict {strict})",
                String::from_utf8_lossy(body)
            );
        }
    }
    answered
}

/// A syntax error without its line and column (counted differently by the two).
fn unplaced(e: resources_client::Error) -> resources_client::Error {
    match e {
        resources_client::Error::InvalidResponse { status, path: None, message }
            if message.starts_with("body is not valid JSON (") =>
        {
            let deep = message.contains("nested more than 128 levels deep");
            resources_client::Error::InvalidResponse {
                status,
                path: None,
                message: format!("not JSON, too deep: {deep}"),
            }
        }
        other => other,
    }
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn fixtures_take_the_fast_path() {
    assert!(validate_fast(CATALOG.as_bytes(), true).is_some());
    assert!(validate_fast(EXTENDED.as_bytes(), false).is_some());
    assert!(agree(CATALOG.as_bytes()));
    assert!(agree(EXTENDED.as_bytes()));
    let compact = serde_json::to_vec(&fixture(EXTENDED)).unwrap();
    assert!(agree(&compact));
    let bom = [b"\xEF\xBB\xBF".as_slice(), CATALOG.as_bytes()].concat();
    assert!(agree(&bom));
}

#[test]
fn warnings_keep_order_and_cap() {
    // Surprises at every level, in an order different from the document's.
    let body = r#"{"zz":1,"data":{"resources":{"b":1,"models":[
        {"availableRunOptions":[{"options":["x","x"],"key":"k","q":1},{"key":"k","options":[]}],"modality":"audio","model":"m","z":1,"a":2},
        {"model":"m","modality":"text","availableRunOptions":[]}],"a":[]},"hash":"h","y":null},"status":"SUCCESS","aa":{}}"#;
    assert!(agree(body.as_bytes()));
    let warnings = validate_fast(body.as_bytes(), false).unwrap().warnings;
    assert_eq!(warnings[0], "aa: unknown field (kept out)");
    assert_eq!(warnings.last().unwrap(), "data.y: unknown field (kept out)");
    // 60 unknown modalities: 50 listed, then a count.
    let models: Vec<Value> =
        (0..60).map(|i| json!({"model": format!("m{i}"), "modality": "audio", "availableRunOptions": []})).collect();
    let many = json!({"status": "SUCCESS", "data": {"hash": "h", "resources": {"models": models}}});
    let bytes = serde_json::to_vec(&many).unwrap();
    assert!(agree(&bytes));
    assert_eq!(validate_fast(&bytes, false).unwrap().warnings.last().unwrap(), "... and 10 more warnings");
}

#[test]
fn edge_cases_agree() {
    let cases = [
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[]}}} "#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[]}}} x"#,
        r#"{"status":"SUCC\u0045SS","data":{"hash":"h","resources":{"models":[]}}}"#,
        r#"{"status":"SUCCESS","status":"SUCCESS","data":{"hash":"h","resources":{"models":[]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[]}},"data":{"hash":"g","resources":{"models":[]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"\u0068","resources":{"models":[]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"\u00e9\ud83d\ude00","modality":"te\u0078t","availableRunOptions":[]}]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"a\ud83d","modality":"text","availableRunOptions":[]}]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"a\x","modality":"text","availableRunOptions":[]}]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"mod\u0065l":"a","modality":"text","availableRunOptions":[]}]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":[1e400]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":[1e99,-0,0.5e-400,12.5E+3]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":[01]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":[1.]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":[-]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":[1,]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":{"a":1,}}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":[tru]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"n":"tab	inside"}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[],"__proto__":{"a":1},"constructor":2}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"a","modality":"text","availableRunOptions":[{"key":"","options":[]}]}]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"","modality":"text","availableRunOptions":[]}]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h=","resources":{"models":[]}}}"#,
        r#"{"status":"SUCCESS","data":{"hash":"h===","resources":{"models":[]}}}"#,
        r#"{"status":"ERROR","message":"no","data":null}"#,
        r#"{"status":"SUCCESS","data":null}"#,
        "",
        "   ",
        "[]",
        "{",
        "\u{FEFF}{}",
    ];
    for case in cases {
        agree(case.as_bytes());
    }
    let deep = format!(
        r#"{{"status":"SUCCESS","data":{{"hash":"h","resources":{{"models":[],"d":{}{}}}}}}}"#,
        "[".repeat(130),
        "]".repeat(130)
    );
    agree(deep.as_bytes());
    agree(
        &[b"{\"status\":\"SUCCESS\",\"data\":{\"hash\":\"h\",\"resources\":{\"models\":[],\"x\":\"\xff\"}}}"
            .as_slice()]
        .concat(),
    );
}

#[test]
fn special_bytes_at_every_offset_agree() {
    // The string scan reads eight bytes at a time: put each kind of special
    // byte at every position within a word, in keys, ids and skipped values.
    let mut answered = 0;
    for special in ["\\\"", "\\n", "\\u00e9", "\t", "\u{1}", "\u{e9}", "\u{1F600}", "\\x"] {
        for offset in 0..17 {
            let text = format!("{}{special}{}", "a".repeat(offset), "b".repeat(offset % 5));
            let bodies = [
                format!(
                    r#"{{"status":"SUCCESS","data":{{"hash":"h","resources":{{"models":[{{"model":"{text}","modality":"text","availableRunOptions":[]}}]}}}}}}"#
                ),
                format!(
                    r#"{{"status":"SUCCESS","data":{{"hash":"h","resources":{{"models":[],"{text}":"{text}"}}}}}}"#
                ),
                format!(
                    r#"{{"status":"SUCCESS","data":{{"hash":"h","resources":{{"models":[{{"model":"m","modality":"text","availableRunOptions":[{{"key":"k","options":["{text}","{text}"]}}]}}]}}}}}}"#
                ),
            ];
            for body in bodies {
                answered += usize::from(agree(body.as_bytes()));
            }
        }
    }
    // Escapes, UTF-8 and non-key strings are answered fast; control bytes and bad escapes are not.
    assert!(answered > 150, "the fast path answered only {answered} bodies");
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u0041",
    "\\ud800",
    "null",
    "true",
    "1",
    "-0.5e3",
    "1e400",
    " ",
    "\"\"",
    "\"model\"",
    "\"key\"",
    "\"options\"",
    "\"modality\"",
    "\"text\"",
    "\"audio\"",
    "\"x\"",
    "\u{e9}",
    "\u{1F600}",
];

#[test]
fn random_text_mutations_agree() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let sources = [CATALOG.to_owned(), serde_json::to_string(&fixture(EXTENDED)).unwrap()];
    let mut answered = 0;
    for round in 0..4000 {
        let mut text = sources[round % 2].clone().into_bytes();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(text.len() + 1);
            let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
            match rng.below(3) {
                0 => {
                    text.splice(at..at, token.iter().copied());
                }
                1 => {
                    let end = (at + 1 + rng.below(4)).min(text.len());
                    text.splice(at.min(end)..end, std::iter::empty());
                }
                _ => {
                    let end = (at + token.len()).min(text.len());
                    text.splice(at.min(end)..end, token.iter().copied());
                }
            }
        }
        if agree(&text) {
            answered += 1;
        }
    }
    // Most mutations break the body; a fair share must still be answered fast.
    assert!(answered > 100, "the fast path answered only {answered} bodies");
}

#[test]
fn random_structural_mutations_agree() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let values = [
        json!(null),
        json!(1),
        json!("text"),
        json!("audio"),
        json!(""),
        json!([]),
        json!({}),
        json!(["a", "a"]),
        json!("x"),
    ];
    let mut answered = 0;
    for round in 0..3000 {
        let mut v = fixture(if round % 2 == 0 { CATALOG } else { EXTENDED });
        for _ in 0..1 + rng.below(3) {
            // Pick a random node (as a JSON pointer) and change it.
            let mut pointer = String::new();
            let mut node = &v;
            for _ in 0..rng.below(7) {
                let step = match node {
                    Value::Object(m) if !m.is_empty() => m.keys().nth(rng.below(m.len())).cloned(),
                    Value::Array(a) if !a.is_empty() => Some(rng.below(a.len()).to_string()),
                    _ => None,
                };
                let Some(step) = step else { break };
                pointer = format!("{pointer}/{}", step.replace('~', "~0").replace('/', "~1"));
                node = v.pointer(&pointer).unwrap();
            }
            let node = v.pointer_mut(&pointer).unwrap();
            let value = values[rng.below(values.len())].clone();
            match node {
                Value::Object(m) if rng.below(2) == 0 => {
                    let keys = ["model", "modality", "key", "options", "availableRunOptions", "extra", "__proto__"];
                    m.insert(keys[rng.below(keys.len())].into(), value);
                }
                Value::Array(a) if rng.below(2) == 0 && !a.is_empty() => {
                    let copy = a[rng.below(a.len())].clone();
                    a.push(copy);
                }
                other => *other = value,
            }
        }
        if agree(&serde_json::to_vec(&v).unwrap()) {
            answered += 1;
        }
    }
    assert!(answered > 300, "the fast path answered only {answered} bodies");
}

/// The comparison can fail: a different hash, warnings at other paths, another
/// warning count, or an error at another path are all caught.
#[test]
fn the_oracle_comparison_catches_differences() {
    let read = |body: &str| oracle::observe(&parse_success(body.as_bytes(), 200, None, false)).unwrap();
    let base = r#"{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"m","modality":"audio","availableRunOptions":[]}]}}}"#;
    assert!(oracle::compare(&read(base), &oracle::read(base.as_bytes(), false)).is_ok());
    let others = [
        base.replace("\"h\"", "\"g\""),
        base.replace("\"m\"", "\"n\""),
        base.replace("audio", "video"),
        base.replace("\"models\"", "\"x\":1,\"models\""),
        base.replace("audio", "text\",\"extra\":\"1"),
        base.replace("\"hash\":\"h\"", "\"hash\":1"),
        base.replace("\"SUCCESS\"", "\"DOWN\""),
        base.replace("[]}", "[{\"key\":\"\",\"options\":[]}]}"),
    ];
    for other in &others {
        assert!(oracle::compare(&read(base), &oracle::read(other.as_bytes(), false)).is_err(), "{other}");
    }
    let warnings = |n: usize| (0..n).map(|i| format!("p{i}")).collect::<Vec<_>>();
    let lines = |n: usize| (0..n).map(|i| format!("p{i}: x")).collect::<Vec<_>>();
    assert!(oracle::same_warnings(&lines(3), &warnings(3)).is_ok());
    assert!(oracle::same_warnings(&lines(3), &warnings(4)).is_err());
    assert!(oracle::same_warnings(&["p0 : x".to_owned()], &warnings(1)).is_err());
    let mut capped = lines(50);
    capped.push("... and 7 more".into());
    assert!(oracle::same_warnings(&capped, &warnings(57)).is_ok());
    assert!(oracle::same_warnings(&capped, &warnings(58)).is_err());
}
