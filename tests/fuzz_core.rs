#![cfg(not(target_arch = "wasm32"))]
//! Property-based fuzzing of the pure core: envelopes, error bodies, stored
//! records, header values, base URLs and options, built by mutating the
//! realistic catalog (wrong types, deletions, duplicate keys, deep nesting,
//! huge strings, invalid UTF-8, a BOM, random bytes) and checked against the
//! properties in `tests/fuzz_support/mod.rs`.
//!
//! By default each target runs a few hundred cases (a quick `cargo test`).
//! `FUZZ_SECONDS=N` shares N seconds among the targets instead (`./run test`
//! uses about a minute, `./run fuzz --minutes N` longer). `FUZZ_SEED=S` replays
//! a run. A failing input is shrunk, written to
//! `tests/fuzz_regressions/<target>/` and from then on replayed by
//! `fuzz_regressions_still_pass` on every `cargo test`.

mod fuzz_support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use resources_client::domain::record;
use serde_json::{json, Map, Value};

use fuzz_support::{check, TARGETS};

const CATALOG: &str = include_str!("fixtures/catalog.json");
const EXTENDED: &str = include_str!("fixtures/catalog_extended.json");

// ---------------------------------------------------------------------------
// the harness

fn regression_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(target)
}

/// How long each target runs: `share` of `FUZZ_SECONDS`, or a fixed number of cases.
fn budget(share: f64) -> (Option<Duration>, u32) {
    match std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse::<f64>().ok()) {
        Some(secs) if secs > 0.0 => (Some(Duration::from_secs_f64(secs * share)), u32::MAX),
        _ => (None, 300),
    }
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    })
}

/// Runs `target`'s check on inputs drawn from `strategy` (turned into bytes by
/// `to_bytes`) within the budget; on failure keeps the shrunk input as a
/// regression case and fails.
fn fuzz<S>(target: &str, label: &str, share: f64, strategy: S, to_bytes: impl Fn(&S::Value) -> Vec<u8>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let (time, max_cases) = budget(share);
    let started = Instant::now();
    let seed = seed();
    let batch = 100u32.min(max_cases);
    let mut total = 0u64;
    let mut round = 0u64;
    loop {
        let config = Config {
            cases: batch,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(seed.wrapping_add(round)),
            max_shrink_iters: 4096,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let result = runner.run(&strategy, |value| {
            let bytes = to_bytes(&value);
            match catch_unwind(AssertUnwindSafe(|| check(target, &bytes))) {
                Ok(Ok(())) => Ok(()),
                Ok(Err(why)) => Err(TestCaseError::fail(why)),
                Err(_) => Err(TestCaseError::fail("panicked")),
            }
        });
        match result {
            Ok(()) => total += u64::from(batch),
            Err(TestError::Fail(why, value)) => {
                let bytes = to_bytes(&value);
                let file = keep_regression(target, &bytes);
                panic!("fuzz {label}: {why} (seed {}); input kept as {}", seed.wrapping_add(round), file.display());
            }
            Err(e) => panic!("fuzz {label}: {e}"),
        }
        round += 1;
        let done = match time {
            Some(t) => started.elapsed() >= t,
            None => total >= u64::from(max_cases),
        };
        if done {
            break;
        }
    }
    // On a line of its own: the test runner's progress dots carry no newline.
    eprintln!("\nfuzz {label}: {total} cases in {:.1} s (seed {seed})", started.elapsed().as_secs_f64());
    count(target, label, total);
}

/// Appends `target<TAB>label<TAB>cases` to the file `FUZZ_COUNT_FILE` names (for
/// `./run fuzz`, which adds the lines up), one write per target run.
fn count(target: &str, label: &str, total: u64) {
    use std::io::Write;
    let Some(path) = std::env::var_os("FUZZ_COUNT_FILE") else { return };
    let line = format!("{target}\t{label}\t{total}\n");
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        panic!("cannot write the case count to {}: {e}", PathBuf::from(path).display());
    }
}

fn keep_regression(target: &str, bytes: &[u8]) -> PathBuf {
    let dir = regression_dir(target);
    let _ = std::fs::create_dir_all(&dir);
    // FNV-1a: a stable name, so the same input is kept once.
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3));
    let file = dir.join(format!("found-{hash:016x}.bin"));
    let _ = std::fs::write(&file, bytes);
    file
}

// ---------------------------------------------------------------------------
// mutations of JSON values

/// Words used as keys, string values and insertions: the catalog's own field
/// names, prototype names, control characters, non-ASCII and near-hashes.
const WORDS: &[&str] = &[
    "",
    "text",
    "image",
    "video",
    "audio",
    "SUCCESS",
    "UNAUTHORIZED_ERROR",
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "hasOwnProperty",
    "models",
    "status",
    "data",
    "hash",
    "resources",
    "availableRunOptions",
    "key",
    "options",
    "model",
    "modality",
    "message",
    "v",
    "baseUrl",
    "fetchedAt",
    "stale",
    "a\r\nb",
    "x\ny",
    "a\u{0}b",
    "dGhpcyBpcyBhIGhhc2g",
    "ab==",
    "===",
    "a=b",
    "é€😀",
    "\u{feff}",
    "\u{2028}",
    "a.b[0]",
    "[1]",
    ".",
    "gpt-4o",
    "o3",
];

/// Raw JSON texts inserted by text-level mutations (some not valid JSON).
const JSON_TEXTS: &[&str] = &[
    "null",
    "1",
    "-0",
    "1e400",
    "1.5e308",
    "-9223372036854775809",
    "18446744073709551616",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\r\\n\"",
    "[]",
    "{}",
    "\"SUCCESS\"",
    "\"text\"",
    "true",
    "\"dGhpcyBpcyBhIGhhc2g\"",
    "{\"key\":\"k\",\"options\":[]}",
    "{\"model\":\"m\",\"modality\":\"text\",\"availableRunOptions\":[]}",
];

#[derive(Debug, Clone)]
struct Op {
    kind: u8,
    target: u32,
    arg: u32,
    word: String,
}

#[derive(Debug, Clone)]
struct TextOp {
    kind: u8,
    at: u32,
    byte: u8,
    pick: u32,
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(WORDS).prop_map(str::to_owned),
        1 => prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    (0u8..15, any::<u32>(), any::<u32>(), word()).prop_map(|(kind, target, arg, word)| Op { kind, target, arg, word })
}

fn text_op() -> impl Strategy<Value = TextOp> {
    (0u8..9, any::<u32>(), any::<u8>(), any::<u32>()).prop_map(|(kind, at, byte, pick)| TextOp { kind, at, byte, pick })
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn collect_paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(Step::Key(k.clone()));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn node<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for step in path {
        cur = match (step, cur) {
            (Step::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (Step::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn small_value(arg: u32, word: &str) -> Value {
    match arg % 7 {
        0 => Value::Null,
        1 => json!(arg),
        2 => json!(word),
        3 => json!({}),
        4 => json!([]),
        5 => json!(-(f64::from(arg)) / 7.0),
        _ => json!(arg % 2 == 0),
    }
}

/// Applies one mutation to the node the op points at.
fn mutate(root: &mut Value, op: &Op) {
    let mut paths = Vec::new();
    collect_paths(root, &mut Vec::new(), &mut paths);
    let path = paths[op.target as usize % paths.len()].clone();
    let other = node(root, &paths[op.arg as usize % paths.len()]).map(|v| v.clone());
    if op.kind == 6 {
        // Delete the node from its parent.
        if let Some((last, parent_path)) = path.split_last() {
            match (last, node(root, parent_path)) {
                (Step::Key(k), Some(Value::Object(m))) => {
                    m.remove(k);
                }
                (Step::Index(i), Some(Value::Array(a))) => {
                    a.remove(*i);
                }
                _ => {}
            }
        }
        return;
    }
    let Some(target) = node(root, &path) else { return };
    let arg = op.arg;
    match op.kind {
        0 => *target = Value::Null,
        1 => *target = json!(i64::from(arg) - 1000),
        2 => *target = json!(arg % 2 == 1),
        3 => *target = json!(op.word),
        4 => *target = json!([]),
        5 => *target = json!({}),
        7 => {
            if let Value::Object(m) = target {
                m.insert(op.word.clone(), small_value(arg, &op.word));
            } else if let Value::Array(a) = target {
                a.push(small_value(arg, &op.word));
            }
        }
        8 => {
            // Deep nesting around the node: below and above serde_json's limit of 128.
            let depth = 1 + arg as usize % 200;
            let mut v = std::mem::take(target);
            for i in 0..depth {
                v = if i % 2 == 0 { Value::Array(vec![v]) } else { json!({ "n": v }) };
            }
            *target = v;
        }
        9 => *target = json!("x".repeat(arg as usize % 300_000)),
        10 => match target {
            Value::Array(a) if !a.is_empty() => {
                let copy = a[arg as usize % a.len()].clone();
                a.push(copy);
            }
            Value::Object(m) => {
                let copy = Value::Object(m.clone());
                m.insert(op.word.clone(), copy);
            }
            _ => {}
        },
        11 => {
            let s = match target {
                Value::String(s) => format!("{s}{}", op.word),
                _ => format!("{}{}", op.word, op.word),
            };
            *target = json!(s);
        }
        12 => {
            *target = match arg % 6 {
                0 => json!(1e308),
                1 => json!(-0.0),
                2 => json!(0.5),
                3 => json!(u64::MAX),
                4 => json!(i64::MIN),
                _ => json!(4.0),
            }
        }
        13 => {
            if let Some(o) = other {
                *target = o;
            }
        }
        _ => {
            // Many siblings: a flood of warnings.
            if let Value::Object(m) = target {
                for i in 0..(arg % 200) {
                    m.insert(format!("{}{i}", op.word), Value::Null);
                }
            } else if let Value::Array(a) = target {
                if let Some(first) = a.first().cloned() {
                    a.extend(std::iter::repeat(first).take(arg as usize % 120));
                }
            }
        }
    }
}

/// Applies a byte-level mutation to serialised JSON.
fn mutate_text(bytes: &mut Vec<u8>, op: &TextOp) {
    let len = bytes.len();
    let at = if len == 0 { 0 } else { op.at as usize % (len + 1) };
    let word = WORDS[op.pick as usize % WORDS.len()];
    let json = JSON_TEXTS[op.pick as usize % JSON_TEXTS.len()];
    let nth = |bytes: &[u8], b: u8| -> Option<usize> {
        let hits: Vec<usize> = bytes.iter().enumerate().filter(|(_, x)| **x == b).map(|(i, _)| i).collect();
        (!hits.is_empty()).then(|| hits[op.at as usize % hits.len()])
    };
    match op.kind {
        0 => {
            bytes.splice(0..0, *b"\xEF\xBB\xBF");
        }
        1 => bytes.truncate(at),
        2 => {
            if len > 0 {
                bytes[op.at as usize % len] ^= op.byte.max(1);
            }
        }
        3 => {
            // Lone bytes of multi-byte sequences make invalid UTF-8.
            let b = [op.byte, 0xFF, 0xC3, 0x80, 0xED][op.pick as usize % 5];
            bytes.insert(at, b);
        }
        4 => {
            // A duplicate key first in an object: the original, later one wins.
            if let Some(i) = nth(bytes, b'{') {
                let key = serde_json::to_string(word).unwrap_or_default();
                let empty = bytes.get(i + 1) == Some(&b'}');
                let pair = format!("{key}:{json}{}", if empty { "" } else { "," });
                bytes.splice(i + 1..i + 1, pair.into_bytes());
            }
        }
        5 => {
            // A duplicate key last in an object: the inserted one wins.
            if let Some(i) = nth(bytes, b'}') {
                let key = serde_json::to_string(word).unwrap_or_default();
                let empty = i > 0 && bytes[i - 1] == b'{';
                let pair = format!("{}{key}:{json}", if empty { "" } else { "," });
                bytes.splice(i..i, pair.into_bytes());
            }
        }
        6 => {
            let depth = 100 + op.at as usize % 5000;
            let mut out = vec![b'['; depth];
            out.append(bytes);
            out.extend(std::iter::repeat(b']').take(depth));
            *bytes = out;
        }
        7 => bytes.extend_from_slice(word.as_bytes()),
        _ => {
            // Replace a value-ish span with raw JSON text.
            if let Some(i) = nth(bytes, b':') {
                let end =
                    bytes[i + 1..].iter().position(|b| matches!(b, b',' | b'}' | b']')).map_or(len, |p| i + 1 + p);
                bytes.splice(i + 1..end, json.bytes());
            }
        }
    }
}

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

/// A near-valid envelope: the realistic catalog (or the extended one), a few
/// value mutations, then a few byte mutations.
fn envelope() -> impl Strategy<Value = (bool, Vec<Op>, Vec<TextOp>)> {
    (any::<bool>(), prop::collection::vec(op(), 0..5), prop::collection::vec(text_op(), 0..3))
}

fn envelope_bytes(base: &Value, input: &(bool, Vec<Op>, Vec<TextOp>)) -> Vec<u8> {
    let (_, ops, text_ops) = input;
    let mut v = base.clone();
    for op in ops {
        mutate(&mut v, op);
    }
    let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
    for t in text_ops {
        mutate_text(&mut bytes, t);
    }
    bytes
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

// ---------------------------------------------------------------------------
// generated envelopes, written as text

/// Writes a near-valid envelope as text from a seed: every object's members in
/// a random order, with whitespace, keys written with `\u` escapes
/// (`"mod\u0065l"`), keys given twice (the decoy before or after the real
/// value), unknown fields, members left out and a wrong type now and then at
/// every known path. Text that `serde_json::Value` cannot hold (member order,
/// duplicates, escapes) is what the walk and the oracle must agree on.
struct Writer {
    state: u64,
    out: Vec<u8>,
    /// One wrong value in this many known members (0: none).
    wrong: u64,
}

const GEN_IDS: &[&str] = &["gpt-4o", "o3", "m", "", "é€😀", "__proto__", "a\"b", "x\u{1}y", "gpt-4o"];
const GEN_MODALITIES: &[&str] = &["text", "image", "video", "text", "audio", "", "TEXT", "te\u{0}xt"];
const GEN_KEYS: &[&str] = &["reasoningEffort", "size", "k", "", "__proto__", "reasoningEffort", "a.b", "k"];
const GEN_VALUES: &[&str] = &["low", "high", "low", "a", "", "é", "\\", "1024x1024"];
const GEN_HASHES: &[&str] =
    &["dGhpcyBpcyBhIGhhc2g", "ab==", "a-_Z09", "h", "h=", "", "a b", "===", "a=b", "h===", "ab\n", "é"];
const GEN_UNKNOWN: &[&str] = &[
    "extra",
    "limits",
    "",
    "a.b",
    "0day",
    "__proto__",
    "constructor",
    "x y",
    "é",
    "Model",
    "models ",
    "hash2",
    "\u{0}",
    "a\"b",
    "[1]",
    "data",
    "status",
    "key",
    "resources",
];
const GEN_JUNK: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1.5e3",
    "-12",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "[1,\"a\",null]",
    "{\"a\":{\"b\":[]}}",
    "\"\\ud83d\\ude00\"",
    "\"\\u0000\"",
    "12345678901234567890",
];

impl Writer {
    fn new(seed: u64) -> Self {
        let state = seed ^ 0x9E37_79B9_7F4A_7C15;
        let mut w = Writer { state: if state == 0 { 1 } else { state }, out: Vec::with_capacity(512), wrong: 0 };
        w.wrong = [0, 8, 30, 120][w.below(4) as usize];
        w
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn one_in(&mut self, n: u64) -> bool {
        n > 0 && self.below(n) == 0
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }

    fn ws(&mut self) {
        if self.one_in(5) {
            let w = self.pick(&[" ", "\n", "\t", "\r\n  ", "  "]);
            self.out.extend_from_slice(w.as_bytes());
        }
    }

    /// A JSON string, each character sometimes as a `\u` escape.
    fn string(&mut self, text: &str) {
        let escapes = self.one_in(6);
        self.out.push(b'"');
        for c in text.chars() {
            if escapes && self.one_in(3) {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    self.out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
                }
            } else {
                match c {
                    '"' => self.out.extend_from_slice(b"\\\""),
                    '\\' => self.out.extend_from_slice(b"\\\\"),
                    c if (c as u32) < 0x20 => self.out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
                    c => self.out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                }
            }
        }
        self.out.push(b'"');
    }

    /// Any JSON value, nested a little.
    fn junk(&mut self, depth: u32) {
        match self.below(if depth > 2 { 3 } else { 5 }) {
            0 | 1 => {
                let j = self.pick(GEN_JUNK);
                self.out.extend_from_slice(j.as_bytes());
            }
            2 => {
                let w = self.pick(WORDS);
                self.string(w);
            }
            3 => {
                self.out.push(b'[');
                for i in 0..self.below(3) {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.junk(depth + 1);
                }
                self.out.push(b']');
            }
            _ => {
                self.out.push(b'{');
                for i in 0..self.below(3) {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    let k = self.pick(GEN_UNKNOWN);
                    self.string(k);
                    self.out.push(b':');
                    self.junk(depth + 1);
                }
                self.out.push(b'}');
            }
        }
    }

    /// The text `write` makes, as a separate buffer.
    fn text(&mut self, write: impl FnOnce(&mut Self)) -> Vec<u8> {
        let outer = std::mem::take(&mut self.out);
        write(self);
        std::mem::replace(&mut self.out, outer)
    }

    /// A known member's value, or now and then a wrong one.
    fn value(&mut self, write: impl FnOnce(&mut Self)) -> Vec<u8> {
        if self.one_in(self.wrong) {
            self.text(|w| w.junk(0))
        } else {
            self.text(write)
        }
    }

    /// An object of known members (some left out), unknown members and decoys,
    /// in a random order.
    fn object(&mut self, known: Vec<(&str, Vec<u8>)>, unknown: u64) {
        let mut members: Vec<(String, Vec<u8>)> = Vec::new();
        for (key, value) in known {
            if self.one_in(self.wrong.saturating_mul(2)) {
                continue;
            }
            if self.one_in(25) {
                // The same key twice: the decoy first (the real value wins) or last.
                let decoy = self.text(|w| w.junk(1));
                members.push((key.to_owned(), decoy));
            }
            members.push((key.to_owned(), value));
        }
        for _ in 0..self.below(unknown + 1) {
            if self.one_in(3) {
                let key = self.pick(GEN_UNKNOWN).to_owned();
                let value = self.text(|w| w.junk(0));
                members.push((key, value));
            }
        }
        // A random order, with a decoy now and then moved after its real value.
        for i in (1..members.len()).rev() {
            if !self.one_in(3) {
                let j = self.below(i as u64 + 1) as usize;
                members.swap(i, j);
            }
        }
        self.out.push(b'{');
        self.ws();
        for (i, (key, value)) in members.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
                self.ws();
            }
            self.string(key);
            self.ws();
            self.out.push(b':');
            self.ws();
            self.out.extend_from_slice(value);
            self.ws();
        }
        self.out.push(b'}');
    }

    fn array(&mut self, n: u64, mut item: impl FnMut(&mut Self, u64)) {
        self.out.push(b'[');
        for i in 0..n {
            if i > 0 {
                self.out.push(b',');
            }
            self.ws();
            item(self, i);
        }
        self.out.push(b']');
    }

    fn envelope(&mut self) {
        let status = self.value(|w| {
            let code = if w.one_in(15) { w.pick(&["RATE_LIMIT_ERROR", "", "success", "SUCCESS "]) } else { "SUCCESS" };
            w.string(code)
        });
        let message = self.text(|w| {
            let m = w.pick(&["ok", "", "Too many requests."]);
            w.string(m)
        });
        let data = self.value(|w| w.data());
        let mut known = vec![("status", status), ("data", data)];
        if self.one_in(3) {
            known.push(("message", message));
        }
        self.object(known, 2);
    }

    fn data(&mut self) {
        let hash = self.value(|w| {
            let h = if w.one_in(50) { "a".repeat(257) } else { w.pick(GEN_HASHES).to_owned() };
            w.string(&h)
        });
        let resources = self.value(|w| w.resources());
        self.object(vec![("hash", hash), ("resources", resources)], 2);
    }

    fn resources(&mut self) {
        let n = self.below(5);
        let models = self.value(|w| w.array(n, |w, _| w.model()));
        self.object(vec![("models", models)], 3);
    }

    fn model(&mut self) {
        if self.one_in(self.wrong) {
            return self.junk(0);
        }
        let id = self.value(|w| {
            let id = w.pick(GEN_IDS);
            w.string(id)
        });
        let modality = self.value(|w| {
            let m = w.pick(GEN_MODALITIES);
            w.string(m)
        });
        let n = self.below(4);
        let options = self.value(|w| w.array(n, |w, _| w.run_option()));
        self.object(vec![("model", id), ("modality", modality), ("availableRunOptions", options)], 2);
    }

    fn run_option(&mut self) {
        if self.one_in(self.wrong) {
            return self.junk(0);
        }
        let key = self.value(|w| {
            let k = w.pick(GEN_KEYS);
            w.string(k)
        });
        let n = self.below(5);
        let values = self.value(|w| {
            w.array(n, |w, _| {
                if w.one_in(w.wrong) {
                    w.junk(1)
                } else {
                    let v = w.pick(GEN_VALUES);
                    w.string(v)
                }
            })
        });
        self.object(vec![("key", key), ("options", values)], 1);
    }
}

/// A generated envelope (see [`Writer`]); one seed in eight also gets byte mutations.
fn generated_bytes(seed: u64, text_ops: &[TextOp]) -> Vec<u8> {
    let mut w = Writer::new(seed);
    if w.one_in(30) {
        w.out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    w.ws();
    w.envelope();
    w.ws();
    let mut bytes = w.out;
    if seed % 8 == 0 {
        for t in text_ops {
            mutate_text(&mut bytes, t);
        }
    }
    bytes
}

#[test]
fn fuzz_generated_envelopes() {
    let strategy = (any::<u64>(), prop::collection::vec(text_op(), 1..3));
    fuzz("envelope", "generated envelopes", 0.2, strategy, |(seed, ops)| generated_bytes(*seed, ops));
}

// ---------------------------------------------------------------------------
// the fuzz targets

/// Differential fuzzing alone (`./run fuzz --differential`, which sets
/// `FUZZ_DIFFERENTIAL=1`; skipped otherwise): the walk against the serde_json
/// oracle on generated envelopes, mutated catalogs and random bytes, each body
/// also read back as a stored record, without the slower property checks.
#[test]
fn fuzz_differential_bodies() {
    if std::env::var_os("FUZZ_DIFFERENTIAL").is_none() {
        return;
    }
    let strategy = (any::<u64>(), prop::collection::vec(text_op(), 1..3));
    fuzz("differential", "differential: generated envelopes", 0.7, strategy, |(seed, ops)| generated_bytes(*seed, ops));
    let base = fixture(CATALOG);
    let extended = fixture(EXTENDED);
    fuzz("differential", "differential: mutated catalogs", 0.2, envelope(), |input| {
        envelope_bytes(if input.0 { &extended } else { &base }, input)
    });
    let bytes =
        prop::collection::vec(select(b"{}[]\":,0123456789.eE-+ntrufalsSUCE\\u\xEF\xBB\xBF\xFF ".as_slice()), 0..256);
    fuzz("differential", "differential: random bytes", 0.1, bytes, Clone::clone);
}

#[test]
fn fuzz_envelopes_near_valid() {
    let base = fixture(CATALOG);
    let extended = fixture(EXTENDED);
    fuzz("envelope", "near-valid envelopes", 0.25, envelope(), |input| {
        envelope_bytes(if input.0 { &extended } else { &base }, input)
    });
}

#[test]
fn fuzz_envelopes_with_random_json_inside() {
    let base = fixture(CATALOG);
    fuzz("envelope", "random JSON in an envelope", 0.07, (any_json(), op(), 0u8..4), |(value, op, place)| {
        let mut v = base.clone();
        match place {
            0 => v["data"] = value.clone(),
            1 => v["data"]["resources"] = json!({"models": [value.clone()]}),
            2 => {
                // Put the value where the op points.
                let mut tmp = v.clone();
                mutate(&mut tmp, &Op { kind: 13, ..op.clone() });
                let mut paths = Vec::new();
                collect_paths(&tmp, &mut Vec::new(), &mut paths);
                if let Some(n) = node(&mut v, &paths[op.target as usize % paths.len()]) {
                    *n = value.clone();
                }
            }
            _ => v = value.clone(),
        }
        serde_json::to_vec(&v).unwrap_or_default()
    });
}

#[test]
fn fuzz_random_bytes() {
    let strategy = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        prop::collection::vec(select(b"{}[]\":,0123456789.eE-+ntrufalsSUCE\\u\xEF\xBB\xBF\xFF ".as_slice()), 0..256),
    ];
    fuzz("envelope", "random bytes as a 2xx body", 0.05, strategy.clone(), Clone::clone);
    fuzz("failure", "random bytes as an error body", 0.03, strategy, Clone::clone);
}

#[test]
fn fuzz_error_bodies() {
    let base = json!({"status": "TOO_MANY_REQUESTS_ERROR", "message": "Too many requests.", "data": null});
    fuzz("failure", "near-valid error envelopes", 0.05, envelope(), move |input| envelope_bytes(&base, input));
}

#[test]
fn fuzz_stored_records() {
    let checked = resources_client::domain::walk::check_body(CATALOG.as_bytes(), 200, None, false).unwrap();
    let written = record::StoredRecord::walked(checked, 1.7e12);
    let stored = record::encode("https://h.example", "nokey", &written, CATALOG);
    let base = fixture(&stored);
    fuzz("record", "near-valid stored records", 0.15, envelope(), move |input| envelope_bytes(&base, input));
}

const HEADER_WORDS: &[&str] = &[
    "update-resources",
    "Update-Resources",
    "UPDATE-RESOURCES",
    "update-resources-later",
    ",",
    ", ",
    " ",
    "\t",
    ";",
    "=",
    "0",
    "1",
    "5",
    "120",
    "1.5",
    "-1",
    "1e3",
    "inf",
    "NaN",
    "99999999999999999999999",
    "Sun,",
    "06",
    "Nov",
    "1994",
    "08:49:37",
    "GMT",
    "UTC",
    "Feb",
    "29",
    "2024",
    "23:59:60",
    "Bearer",
    "bearer ",
    "é",
    "€",
    "\r\n",
    "\u{0}",
];

#[test]
fn fuzz_header_values() {
    let strategy = prop_oneof![
        prop::collection::vec(select(HEADER_WORDS), 0..8).prop_map(|w| w.concat()),
        prop::collection::vec(select(HEADER_WORDS), 0..8).prop_map(|w| w.join(" ")),
        prop::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter),
    ];
    fuzz("header", "header values", 0.06, strategy, |s: &String| s.clone().into_bytes());
}

const URL_PIECES: &[&str] = &[
    "https://",
    "http://",
    "HTTPS://",
    "HtTp://",
    "ftp://",
    "http:/",
    "api.example.com",
    "127.0.0.1:8080",
    "[::1]:9",
    "v1",
    "u:p@h",
    "h h",
    "é.example",
    "/",
    "//",
    "/v1",
    "/v1/",
    "v1/",
    "/proxy",
    "?",
    "#",
    " ",
    "\t",
    "%2F",
    "/V1",
    "\u{0}",
    "\n",
];

#[test]
fn fuzz_base_urls() {
    let strategy = prop_oneof![
        prop::collection::vec(select(URL_PIECES), 0..8).prop_map(|w| w.concat()),
        prop::collection::vec(any::<char>(), 0..30).prop_map(|c| format!("https://{}", String::from_iter(c))),
    ];
    fuzz("base_url", "base URLs", 0.05, strategy, |s: &String| s.clone().into_bytes());
}

#[test]
fn fuzz_options() {
    let number = prop_oneof![
        Just(Value::Null),
        any::<f64>().prop_map(|f| if f.is_finite() { json!(f) } else { json!(f.to_string()) }),
        (0u64..100_000).prop_map(|n| json!(n)),
        select(&["NaN", "inf", "-inf", "1e400"][..]).prop_map(|s| json!(s)),
    ];
    let text = prop_oneof![
        Just(Value::Null),
        word().prop_map(Value::String),
        prop::collection::vec(select(URL_PIECES), 0..5).prop_map(|w| json!(w.concat())),
        prop::collection::vec(any::<char>(), 0..16).prop_map(|c| json!(format!("sk-{}", String::from_iter(c)))),
    ];
    let strategy = (
        text.clone(),
        text.clone(),
        text.clone(),
        prop::collection::vec(number, 4),
        prop::collection::vec((word(), word()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(base, key, storage, n, headers, strict)| {
            json!({
                "baseUrl": base, "apiKey": key, "storageKey": storage,
                "timeoutMs": n[0], "retries": n[1], "maxBytes": n[2], "maxAgeMs": n[3],
                "headers": headers.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<Map<_, _>>(), "strict": strict,
            })
        });
    fuzz("options", "client options", 0.09, strategy, |v: &Value| v.to_string().into_bytes());
}

/// Generated IMF-fixdates parse to the instant an independent day count gives.
#[test]
fn fuzz_http_dates_against_a_day_count() {
    use resources_client::domain::headers::parse_http_date;
    let strategy = (1970i64..=9999, 1u32..=12, 1u32..=31, 0u32..24, 0u32..60, 0u32..60);
    let mut runner = TestRunner::new(Config { cases: 2000, failure_persistence: None, ..Config::default() });
    runner
        .run(&strategy, |(y, m, d, h, min, s)| {
            let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let month_days = [31, if leap(y) { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            let d = d.min(month_days[m as usize - 1]);
            let days: i64 = (1970..y).map(|yy| if leap(yy) { 366 } else { 365 }).sum::<i64>()
                + month_days[..m as usize - 1].iter().map(|&n| i64::from(n)).sum::<i64>()
                + i64::from(d - 1);
            let expected = ((days * 86_400 + i64::from(h * 3600 + min * 60 + s)) * 1000) as f64;
            const MONTHS: [&str; 12] =
                ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            let text = format!("Mon, {d:02} {} {y} {h:02}:{min:02}:{s:02} GMT", MONTHS[m as usize - 1]);
            prop_assert_eq!(parse_http_date(&text), Some(expected), "{}", text);
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------
// regressions

/// Every input that ever failed, replayed through its target's check.
#[test]
fn fuzz_regressions_still_pass() {
    let mut replayed = 0;
    let mut failures = Vec::new();
    for target in TARGETS {
        let Ok(entries) = std::fs::read_dir(regression_dir(target)) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(bytes) = std::fs::read(&path) else { continue };
            replayed += 1;
            match catch_unwind(AssertUnwindSafe(|| check(target, &bytes))) {
                Ok(Ok(())) => {}
                Ok(Err(why)) => failures.push(format!("{}: {why}", path.display())),
                Err(_) => failures.push(format!("{}: panicked", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {replayed} regression inputs fail:\n{}", failures.len(), failures.join("\n"));
    assert!(replayed > 0, "no regression inputs found under tests/fuzz_regressions/");
}
