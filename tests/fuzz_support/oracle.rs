//! A reference reading of `/v1/resources` bodies, built on `serde_json`, for
//! differential fuzzing of the schema walk (`domain::walk::check_body`).
//!
//! It reads the body into a `serde_json::Value` (a key given twice keeps its
//! last value, as in `JSON.parse`) and judges the tree in the order the
//! contract gives: the envelope's `status`, `data`, unknown root fields,
//! `data.hash`, `data.resources` model by model, unknown sections and fields.
//!
//! It reports structure only, never wording: whether the body is accepted,
//! the hash, the typed resources and the *paths* of the warnings (all of
//! them, uncapped), or where and how it is refused. The product's messages
//! have one definition, in `src/domain/schema.rs`; [`compare`] checks that
//! each of the walk's warning lines starts with the oracle's path and that the
//! cap counts the rest.

use std::collections::HashSet;

use resources_client::domain::json::JsonObject;
use resources_client::domain::parse::MAX_WARNINGS;
use resources_client::domain::types::{Catalog, Modality, Model, Resources, RunOption};
use resources_client::Error;
use serde_json::{Map, Value};

/// The oracle's verdict on a 2xx body.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A valid body: its hash, typed resources and every warning's path, in order.
    Accepted { hash: String, resources: Resources, warnings: Vec<String> },
    /// Not JSON; `too_deep` when serde_json stopped at its 128-level limit.
    Syntax { too_deep: bool },
    /// JSON, but not an object.
    NotObject,
    /// An error envelope (`status` other than `SUCCESS`).
    Api { code: String },
    /// A schema violation (or, in strict mode, a surprise) at this path.
    Schema { path: String },
}

/// Longest key shown in a path, in characters (as the product elides it).
const MAX_SHOWN_CHARS: usize = resources_client::domain::parse::MAX_SHOWN_CHARS;

fn shown(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// `.key` for plain names, `["a.b"]` (JSON quoted) for any other key.
fn field(key: &str) -> String {
    let plain = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'-');
    if plain {
        format!(".{}", shown(key))
    } else {
        format!("[{}]", quote(&shown(key)))
    }
}

/// A JSON string literal as `JSON.stringify` writes it (`\b`, `\f`, `\n`, ...).
fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("a str serialises")
}

fn root_field(key: &str) -> String {
    let segment = field(key);
    match segment.strip_prefix('.') {
        Some(plain) => plain.to_owned(),
        None => segment,
    }
}

/// Warning paths; in strict mode the first one ends the reading.
struct Findings {
    strict: bool,
    paths: Vec<String>,
}

impl Findings {
    fn warn(&mut self, path: String) -> Result<(), Verdict> {
        if self.strict {
            return Err(Verdict::Schema { path });
        }
        self.paths.push(path);
        Ok(())
    }
}

fn schema<T>(path: impl Into<String>) -> Result<T, Verdict> {
    Err(Verdict::Schema { path: path.into() })
}

/// Reads a 2xx body.
pub fn read(body: &[u8], strict: bool) -> Verdict {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let root: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Verdict::Syntax { too_deep: too_deep_at(body) == Some((e.line(), e.column())) },
    };
    match envelope(root, strict) {
        Ok(v) | Err(v) => v,
    }
}

fn envelope(root: Value, strict: bool) -> Result<Verdict, Verdict> {
    let Value::Object(mut root) = root else { return Err(Verdict::NotObject) };
    match root.remove("status") {
        Some(Value::String(s)) if s.is_empty() => return schema("status"),
        Some(Value::String(s)) if s != "SUCCESS" => return Err(Verdict::Api { code: s }),
        Some(Value::String(_)) => {}
        _ => return schema("status"),
    }
    let Some(Value::Object(mut data)) = root.remove("data") else { return schema("data") };
    root.remove("message");
    let mut findings = Findings { strict, paths: Vec::new() };
    for key in root.keys() {
        findings.warn(root_field(key))?;
    }
    let Some(Value::String(hash)) = data.remove("hash") else { return schema("data.hash") };
    if !base64url(&hash) {
        return schema("data.hash");
    }
    let Some(resources) = data.remove("resources") else { return schema("data.resources") };
    let resources = read_resources(resources, &mut findings)?;
    for key in data.keys() {
        findings.warn(format!("data{}", field(key)))?;
    }
    Ok(Verdict::Accepted { hash, resources, warnings: findings.paths })
}

/// Non-empty base64url (`A-Z a-z 0-9 - _`, at most two `=` of padding), at most 256 characters.
fn base64url(hash: &str) -> bool {
    let body = hash.trim_end_matches('=');
    !body.is_empty()
        && hash.len() <= 256
        && hash.len() - body.len() <= 2
        && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn read_resources(value: Value, findings: &mut Findings) -> Result<Resources, Verdict> {
    let path = "data.resources";
    let Value::Object(mut map) = value else { return schema(path) };
    let Some(Value::Array(items)) = map.remove("models") else { return schema(format!("{path}.models")) };
    let mut seen = HashSet::new();
    let mut models = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let model = read_model(item, i, findings)?;
        if !seen.insert(model.model.clone()) {
            findings.warn(format!("{path}.models[{i}].model"))?;
        }
        models.push(model);
    }
    for key in map.keys() {
        findings.warn(format!("{path}{}", field(key)))?;
    }
    Ok(Resources { models, sections: object(map) })
}

fn read_model(value: Value, i: usize, findings: &mut Findings) -> Result<Model, Verdict> {
    let at = |field: &str| format!("data.resources.models[{i}]{field}");
    let Value::Object(mut map) = value else { return schema(at("")) };
    let Some(Value::String(model)) = map.remove("model") else { return schema(at(".model")) };
    if model.is_empty() {
        return schema(at(".model"));
    }
    let Some(Value::String(modality)) = map.remove("modality") else { return schema(at(".modality")) };
    let modality = Modality::from(modality);
    if !matches!(modality, Modality::Text | Modality::Image | Modality::Video) {
        findings.warn(at(".modality"))?;
    }
    let Some(Value::Array(items)) = map.remove("availableRunOptions") else {
        return schema(at(".availableRunOptions"));
    };
    let mut options: Vec<RunOption> = Vec::with_capacity(items.len());
    for (j, item) in items.into_iter().enumerate() {
        let path = at(&format!(".availableRunOptions[{j}]"));
        let option = read_run_option(item, &path, findings)?;
        if options.iter().any(|o| o.key == option.key) {
            findings.warn(format!("{path}.key"))?;
        }
        options.push(option);
    }
    for key in map.keys() {
        findings.warn(at(&field(key)))?;
    }
    Ok(Model { model, modality, available_run_options: options, extra: object(map) })
}

fn read_run_option(value: Value, path: &str, findings: &mut Findings) -> Result<RunOption, Verdict> {
    let Value::Object(mut map) = value else { return schema(path) };
    let Some(Value::String(key)) = map.remove("key") else { return schema(format!("{path}.key")) };
    if key.is_empty() {
        return schema(format!("{path}.key"));
    }
    let Some(Value::Array(items)) = map.remove("options") else { return schema(format!("{path}.options")) };
    let mut options = Vec::with_capacity(items.len());
    for (k, item) in items.into_iter().enumerate() {
        let Value::String(s) = item else { return schema(format!("{path}.options[{k}]")) };
        if options.contains(&s) {
            findings.warn(format!("{path}.options[{k}]"))?;
        }
        options.push(s);
    }
    for key in map.keys() {
        findings.warn(format!("{path}{}", field(key)))?;
    }
    Ok(RunOption { key, options, extra: object(map) })
}

fn object(map: Map<String, Value>) -> JsonObject {
    serde_json::from_value(Value::Object(map)).expect("a JSON object reads as a JsonObject")
}

/// Where serde_json's recursion limit stops `body` (the line and column it
/// reports), if it does: the first `[` or `{` opening a 128th level.
fn too_deep_at(body: &[u8]) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut column, mut in_string, mut escaped) = (0usize, 1, 0, false, false);
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth == 128 {
                        return Some((line, column + 1));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if b == b'\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
    }
    None
}

// ---------------------------------------------------------------------------
// comparing the product with the oracle

/// The product's answer in the oracle's terms, where the two can be put side
/// by side (warning lines are kept whole; [`compare`] matches them to paths).
#[derive(Debug)]
pub enum Observed {
    Accepted { hash: String, resources: Resources, warnings: Vec<String> },
    Other(Verdict),
}

/// Classifies an error of `check_body`/`parse_success` (status 200).
pub fn classify(e: &Error) -> Result<Verdict, String> {
    match e {
        Error::Api { code, .. } => Ok(Verdict::Api { code: code.clone() }),
        Error::InvalidResponse { path: Some(path), .. } => Ok(Verdict::Schema { path: path.clone() }),
        // The one place the wording is read: a syntax error's kind, not its position.
        Error::InvalidResponse { path: None, message, .. } if message.starts_with("body is not valid JSON") => {
            Ok(Verdict::Syntax { too_deep: message.contains("nested more than 128 levels deep") })
        }
        Error::InvalidResponse { path: None, .. } => Ok(Verdict::NotObject),
        other => Err(format!("unexpected error kind {other:?}")),
    }
}

/// `parse_success`'s result in the oracle's terms.
pub fn observe(result: &Result<Catalog, Error>) -> Result<Observed, String> {
    match result {
        Ok(c) => Ok(Observed::Accepted {
            hash: c.hash.clone(),
            resources: c.resources.clone(),
            warnings: c.warnings.clone(),
        }),
        Err(e) => classify(e).map(Observed::Other),
    }
}

/// Whether the walk's warning lines are the oracle's paths, in order, capped
/// at [`MAX_WARNINGS`] with one last line counting the rest.
pub fn same_warnings(lines: &[String], paths: &[String]) -> Result<(), String> {
    let listed = paths.len().min(MAX_WARNINGS);
    let expected_lines = listed + usize::from(paths.len() > MAX_WARNINGS);
    if lines.len() != expected_lines {
        return Err(format!(
            "{} warning lines, the oracle has {} warnings: {lines:?} vs {paths:?}",
            lines.len(),
            paths.len()
        ));
    }
    for (line, path) in lines.iter().zip(&paths[..listed]) {
        let after = line.strip_prefix(path.as_str()).and_then(|rest| rest.strip_prefix(": "));
        if !matches!(after, Some(message) if !message.is_empty()) {
            return Err(format!("warning {line:?} is not at the oracle's path {path:?}"));
        }
    }
    if paths.len() > MAX_WARNINGS {
        let last = &lines[MAX_WARNINGS];
        let counted = last.split_whitespace().find_map(|w| w.parse::<usize>().ok());
        if counted != Some(paths.len() - MAX_WARNINGS) {
            return Err(format!("summary line {last:?}, the oracle has {} more", paths.len() - MAX_WARNINGS));
        }
    }
    Ok(())
}

/// The product's answer against the oracle's.
pub fn compare(observed: &Observed, expected: &Verdict) -> Result<(), String> {
    match (observed, expected) {
        (
            Observed::Accepted { hash, resources, warnings },
            Verdict::Accepted { hash: h, resources: r, warnings: w },
        ) => {
            if hash != h {
                return Err(format!("hash {hash:?}, the oracle's {h:?}"));
            }
            if resources != r {
                return Err(format!("resources differ:\n walk   {resources:?}\n oracle {r:?}"));
            }
            same_warnings(warnings, w)
        }
        (Observed::Other(got), want) if got == want => Ok(()),
        (got, want) => Err(format!("the walk gives {}, the oracle {want:?}", short(got))),
    }
}

fn short(o: &Observed) -> String {
    match o {
        Observed::Accepted { hash, warnings, .. } => format!("Accepted {{ hash: {hash:?}, warnings: {warnings:?} }}"),
        Observed::Other(v) => format!("{v:?}"),
    }
}
