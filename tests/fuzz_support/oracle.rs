//! Parsing and validation of `/v1/resources` bodies.
//!
//! Two kinds of findings: *structural violations* (a missing or mistyped field,
//! an empty model id or option key, a hash that is not base64url) make the body
//! untrustworthy and become [`Error::InvalidResponse`] at the first failing path;
//! *additive surprises* (an unknown modality, section or field, a duplicate id or
//! key) keep the data and become warnings, or errors when `strict` is set.
//! Paths are written from the body's root: `data.resources.models[2].modality`.

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::error::Error;
use super::types::{Catalog, Model, Modality, Resources, RunOption};

/// At most this many warnings are listed; the rest are counted in one last line,
/// so a catalog with 50,000 unknown fields cannot flood a UI.
pub const MAX_WARNINGS: usize = 50;

/// Longest hash accepted: a content hash is short, and it travels in a header.
pub const MAX_HASH_LEN: usize = 256;

/// Longest name or value quoted in a warning, in characters; the rest is elided,
/// so a megabyte-long key cannot make a megabyte-long warning.
pub const MAX_SHOWN_CHARS: usize = 80;

/// A name or value as shown in a warning: at most [`MAX_SHOWN_CHARS`] characters.
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => Cow::Borrowed(text),
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
        // Serialising a `str` cannot fail; the fallback is never reached.
        format!("[{}]", serde_json::to_string(shown(key).as_ref()).unwrap_or_default())
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

/// Collects warnings; in strict mode the first one is an error instead.
pub(crate) struct Findings {
    status: u16,
    strict: bool,
    list: Vec<String>,
    omitted: usize,
}

impl Findings {
    pub(crate) fn new(status: u16, strict: bool) -> Self {
        Findings { status, strict, list: Vec::new(), omitted: 0 }
    }

    fn warn(&mut self, path: &str, message: String) -> Result<(), Error> {
        if self.strict {
            return Err(Error::invalid(self.status, path, format!("{message} (strict mode)")));
        }
        if self.list.len() < MAX_WARNINGS {
            self.list.push(format!("{path}: {message}"));
        } else {
            self.omitted += 1;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Vec<String> {
        if self.omitted > 0 {
            self.list.push(format!("... and {} more warnings", self.omitted));
        }
        self.list
    }
}

/// Parses a 2xx body into a validated [`Catalog`].
///
/// `status` and `content_type` only shape error messages. A body whose `status`
/// is not `SUCCESS` is the server's error even on a 2xx and becomes [`Error::Api`].
pub fn parse_success(body: &[u8], status: u16, content_type: Option<&str>, strict: bool) -> Result<Catalog, Error> {
    let root = parse_json(body, status, content_type)?;
    let Value::Object(mut root) = root else {
        return Err(Error::InvalidResponse {
            status,
            path: None,
            message: format!("expected a JSON object, got {}", kind(&root)),
        });
    };
    let envelope_status = match root.remove("status") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::String(_)) => return Err(Error::invalid(status, "status", "empty")),
        Some(other) => return Err(Error::invalid(status, "status", format!("expected a string, got {}", kind(&other)))),
        None => return Err(Error::invalid(status, "status", "missing")),
    };
    if envelope_status != "SUCCESS" {
        return Err(api_error(envelope_status, status, root.remove("message"), None));
    }
    let mut findings = Findings::new(status, strict);
    let data = match root.remove("data") {
        Some(Value::Object(d)) => d,
        Some(other) => return Err(Error::invalid(status, "data", format!("expected an object, got {}", kind(&other)))),
        None => return Err(Error::invalid(status, "data", "missing")),
    };
    root.remove("message");
    for key in root.keys() {
        findings.warn(&root_field(key), "unknown field (kept out)".into())?;
    }
    let (hash, resources) = validate_data(data, &mut findings)?;
    Ok(Catalog { hash, resources, warnings: findings.finish() })
}

fn validate_data(mut data: Map<String, Value>, findings: &mut Findings) -> Result<(String, Resources), Error> {
    let status = findings.status;
    let hash = match data.remove("hash") {
        Some(Value::String(h)) => h,
        Some(other) => return Err(Error::invalid(status, "data.hash", format!("expected a string, got {}", kind(&other)))),
        None => return Err(Error::invalid(status, "data.hash", "missing")),
    };
    check_hash(&hash).map_err(|m| Error::invalid(status, "data.hash", m))?;
    let resources = match data.remove("resources") {
        Some(r) => validate_resources(r, "data.resources", findings)?,
        None => return Err(Error::invalid(status, "data.resources", "missing")),
    };
    for key in data.keys() {
        findings.warn(&format!("data{}", field(key)), "unknown field (kept out)".into())?;
    }
    Ok((hash, resources))
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

/// Validates a `resources` value found at `path` (the body's `data.resources`,
/// or a stored record's copy of it).
pub(crate) fn validate_resources(value: Value, path: &str, findings: &mut Findings) -> Result<Resources, Error> {
    let status = findings.status;
    let Value::Object(mut map) = value else {
        return Err(Error::invalid(status, path, format!("expected an object, got {}", kind(&value))));
    };
    let models_path = format!("{path}.models");
    let models = match map.remove("models") {
        Some(Value::Array(items)) => items,
        Some(other) => return Err(Error::invalid(status, models_path, format!("expected an array, got {}", kind(&other)))),
        None => return Err(Error::invalid(status, models_path, "missing")),
    };
    let mut seen = HashSet::with_capacity(models.len());
    let mut out = Vec::with_capacity(models.len());
    for (i, item) in models.into_iter().enumerate() {
        let model = validate_model(item, &models_path, i, findings)?;
        if !seen.insert(model.model.clone()) {
            findings.warn(&format!("{models_path}[{i}].model"), format!("duplicate model id \"{}\" (kept)", shown(&model.model)))?;
        }
        out.push(model);
    }
    for key in map.keys() {
        findings.warn(&format!("{path}{}", field(key)), "unknown section (kept)".into())?;
    }
    Ok(Resources { models: out, sections: object(map) })
}

fn validate_model(value: Value, models_path: &str, i: usize, findings: &mut Findings) -> Result<Model, Error> {
    let status = findings.status;
    let at = |field: &str| format!("{models_path}[{i}]{field}");
    let Value::Object(mut map) = value else {
        return Err(Error::invalid(status, at(""), format!("expected an object, got {}", kind(&value))));
    };
    let model = required_string(&mut map, "model", status, &at)?;
    if model.is_empty() {
        return Err(Error::invalid(status, at(".model"), "empty model id"));
    }
    let modality = Modality::from(required_string(&mut map, "modality", status, &at)?);
    if !modality.is_known() {
        findings.warn(&at(".modality"), format!("unknown modality \"{}\" (kept)", shown(modality.as_str())))?;
    }
    let options = match map.remove("availableRunOptions") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(Error::invalid(status, at(".availableRunOptions"), format!("expected an array, got {}", kind(&other))))
        }
        None => return Err(Error::invalid(status, at(".availableRunOptions"), "missing")),
    };
    let mut run_options: Vec<RunOption> = Vec::with_capacity(options.len());
    for (j, item) in options.into_iter().enumerate() {
        let option_path = at(&format!(".availableRunOptions[{j}]"));
        let option = validate_run_option(item, &option_path, findings)?;
        if run_options.iter().any(|o| o.key == option.key) {
            findings.warn(&format!("{option_path}.key"), format!("duplicate option key \"{}\" (kept)", shown(&option.key)))?;
        }
        run_options.push(option);
    }
    for key in map.keys() {
        findings.warn(&at(&field(key)), "unknown field (kept)".into())?;
    }
    Ok(Model { model, modality, available_run_options: run_options, extra: object(map) })
}

fn validate_run_option(value: Value, path: &str, findings: &mut Findings) -> Result<RunOption, Error> {
    let status = findings.status;
    let at = |field: &str| format!("{path}{field}");
    let Value::Object(mut map) = value else {
        return Err(Error::invalid(status, path, format!("expected an object, got {}", kind(&value))));
    };
    let key = required_string(&mut map, "key", status, &at)?;
    if key.is_empty() {
        return Err(Error::invalid(status, at(".key"), "empty option key"));
    }
    let values = match map.remove("options") {
        Some(Value::Array(items)) => items,
        Some(other) => return Err(Error::invalid(status, at(".options"), format!("expected an array, got {}", kind(&other)))),
        None => return Err(Error::invalid(status, at(".options"), "missing")),
    };
    let mut options = Vec::with_capacity(values.len());
    for (k, v) in values.into_iter().enumerate() {
        match v {
            Value::String(s) => {
                if options.contains(&s) {
                    findings.warn(&at(&format!(".options[{k}]")), format!("duplicate value \"{}\" (kept)", shown(&s)))?;
                }
                options.push(s)
            }
            other => {
                return Err(Error::invalid(status, at(&format!(".options[{k}]")), format!("expected a string, got {}", kind(&other))))
            }
        }
    }
    for key in map.keys() {
        findings.warn(&at(&field(key)), "unknown field (kept)".into())?;
    }
    Ok(RunOption { key, options, extra: object(map) })
}

fn required_string(
    map: &mut Map<String, Value>,
    field: &str,
    status: u16,
    at: &dyn Fn(&str) -> String,
) -> Result<String, Error> {
    match map.remove(field) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Error::invalid(status, at(&format!(".{field}")), format!("expected a string, got {}", kind(&other)))),
        None => Err(Error::invalid(status, at(&format!(".{field}")), "missing")),
    }
}

/// Turns a non-2xx response into its error: [`Error::Api`] when the body is an
/// error envelope (`status` holds the code), else [`Error::Http`] describing what came.
pub fn parse_failure(body: &[u8], status: u16, content_type: Option<&str>, retry_after_ms: Option<u64>) -> Error {
    if let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(strip_bom(body)) {
        if let Some(Value::String(code)) = map.remove("status") {
            if !code.is_empty() && code != "SUCCESS" {
                return api_error(code, status, map.remove("message"), retry_after_ms);
            }
        }
    }
    Error::Http { status, message: describe_body(body, content_type), retry_after_ms }
}

fn api_error(code: String, status: u16, message: Option<Value>, retry_after_ms: Option<u64>) -> Error {
    let message = match message {
        Some(Value::String(m)) if !m.is_empty() => m,
        _ => format!("the server answered {code}"),
    };
    Error::Api { code, status, message, retry_after_ms }
}

fn parse_json(body: &[u8], status: u16, content_type: Option<&str>) -> Result<Value, Error> {
    serde_json::from_slice(strip_bom(body)).map_err(|e| Error::InvalidResponse {
        status,
        path: None,
        message: format!("body is not valid JSON ({}); {}", short_serde_error(&e, strip_bom(body)), describe_body(body, content_type)),
    })
}

/// A UTF-8 byte order mark is tolerated (RFC 8259 §8.1 allows ignoring it).
fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

fn short_serde_error(e: &serde_json::Error, body: &[u8]) -> String {
    // serde_json stops at 128 levels (which also bounds the stack); say so
    // rather than call valid but deep JSON invalid.
    if too_deep_at(body) == Some((e.line(), e.column())) {
        return format!("nested more than 128 levels deep at line {} column {}", e.line(), e.column());
    }
    format!("line {} column {}", e.line(), e.column())
}

/// Where serde_json's recursion limit stops `body` (the line and column it
/// reports), if it does: the first `[` or `{` opening a 128th level. Found by
/// a scan rather than by matching the error's text, so that the wasm build
/// carries no serde_json error messages.
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

/// "received text/html (52 bytes): <html><body>..." — enough to recognise a
/// proxy page without dumping it. Control characters are replaced.
pub fn describe_body(body: &[u8], content_type: Option<&str>) -> String {
    let ct = content_type.filter(|c| !c.is_empty()).unwrap_or("no content type");
    if body.is_empty() {
        return format!("received an empty body ({ct})");
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(80)]);
    let snippet: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(60).collect();
    let more = if body.len() > 60 { "..." } else { "" };
    format!("received {ct} ({} bytes): {}{more}", body.len(), snippet.trim())
}

fn object(map: Map<String, Value>) -> crate::domain::json::JsonObject {
    serde_json::from_value(Value::Object(map)).unwrap_or_default()
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let catalog = parse_success(body.as_bytes(), 200, None, false).unwrap();
        assert!(catalog.warnings[0].len() < 400, "{}", catalog.warnings[0]);
        assert_eq!(catalog.resources.models[0].modality.as_str(), long, "the data itself is kept whole");
    }

    fn serde_position(body: &str) -> (usize, usize, bool) {
        let e = serde_json::from_slice::<Value>(body.as_bytes()).unwrap_err();
        (e.line(), e.column(), e.to_string().starts_with("recursion limit exceeded"))
    }

    #[test]
    fn too_deep_at_finds_where_serde_json_stops() {
        let deep = |open: &str, n: usize| open.repeat(n);
        let cases = [
            deep("[", 200),
            deep("[", 128),
            deep("{\"a\":", 150),
            format!("[\"[[[\\\"[\",\n{}", deep("[ ", 140)),
            format!("{}\n{}", deep("[", 100), deep("{\"k\":[", 40)),
            // A syntax error before the limit is not a depth error.
            format!("[x{}", deep("[", 200)),
            deep("[", 127) + "x",
        ];
        for body in &cases {
            let (line, column, is_depth) = serde_position(body);
            assert_eq!(too_deep_at(body.as_bytes()) == Some((line, column)), is_depth, "{body:?}");
        }
    }

    #[test]
    fn deep_bodies_are_named_as_such() {
        let body = "[".repeat(300);
        let e = parse_json(body.as_bytes(), 200, None).unwrap_err();
        assert!(e.to_string().contains("nested more than 128 levels deep"), "{e}");
        let e = parse_json(b"[1,,]", 200, None).unwrap_err();
        assert!(!e.to_string().contains("nested"), "{e}");
    }
}
