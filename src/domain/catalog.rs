//! Catalog helpers: check run options before a paid run, look models up, and
//! tell what changed between two catalogs.
//!
//! Rules shared by every helper:
//! - a model id that occurs twice in a catalog means its first occurrence
//!   (later ones are ignored), as [`Resources::find_model`] does;
//! - a run option key that occurs twice in one model means its first occurrence;
//! - strings are compared exactly, except where a rule says "case-insensitive",
//!   which means ASCII letters only (ids, keys and values are ASCII in practice,
//!   and full Unicode case tables would weigh more than the rest of this module
//!   in the wasm build).
//!
//! The code paths used from wasm (validation, diff) use sorted vectors and
//! linear scans over short lists rather than hashed or tree collections: the
//! lists are small (a model's keys and values), and it keeps the module small.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use crate::domain::json::Json;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::domain::text::{number_text, EscapeText};
use crate::domain::types::{Modality, Model, Resources, RunOption};

// ---------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------

/// A run option key and the models that accept it (see [`Resources::run_option_keys`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunOptionKey<'a> {
    /// The option key, e.g. `quality`.
    pub key: &'a str,
    /// Ids of the models that accept it, in catalog order.
    pub models: Vec<&'a str>,
}

impl Resources {
    /// The model with this id (exact match; the first one if the id repeats).
    pub fn find_model(&self, id: &str) -> Option<&Model> {
        self.model(id)
    }

    /// The models of one modality (exact match on the wire spelling, e.g. `"image"`),
    /// in catalog order, borrowed from the catalog.
    pub fn models_by_modality(&self, modality: &str) -> Vec<&Model> {
        first_occurrences(&self.models).filter(|m| m.modality.as_str() == modality).collect()
    }

    /// Every run option key of the catalog, sorted by key, each with the ids
    /// of the models that accept it in catalog order. Borrows; copies no strings.
    pub fn run_option_keys(&self) -> Vec<RunOptionKey<'_>> {
        let mut keys: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for model in first_occurrences(&self.models) {
            for option in first_keys(&model.available_run_options) {
                keys.entry(option.key.as_str()).or_default().push(model.model.as_str());
            }
        }
        keys.into_iter().map(|(key, models)| RunOptionKey { key, models }).collect()
    }
}

/// The models of a list with later duplicates of an id left out.
fn first_occurrences(models: &[Model]) -> impl Iterator<Item = &Model> {
    let mut seen = HashSet::new();
    models.iter().filter(move |m| seen.insert(m.model.as_str()))
}

/// The run options of a model with later duplicates of a key left out
/// (a model has a handful of keys: a scan beats a hash set here).
fn first_keys(options: &[RunOption]) -> impl Iterator<Item = &RunOption> {
    options.iter().enumerate().filter(|(i, o)| !options[..*i].iter().any(|p| p.key == o.key)).map(|(_, o)| o)
}

// ---------------------------------------------------------------------------
// Run option validation
// ---------------------------------------------------------------------------

/// Why a run option (or the call itself) was refused. The wire spelling is
/// [`ErrorCode::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `INVALID_INPUT`: an argument is not what the helper takes (the catalog is
    /// not a catalog, the run options are not a plain object, the model id is not a string).
    InvalidInput,
    /// `UNKNOWN_MODEL`: no model of the catalog has this id.
    UnknownModel,
    /// `UNKNOWN_KEY`: the model accepts no run option with this key.
    UnknownKey,
    /// `INVALID_VALUE`: the value is not among the option's allowed values.
    InvalidValue,
    /// `NOT_A_STRING`: the server takes run option values as strings only.
    NotAString,
    /// `DUPLICATE_KEY`: the same key was given twice (in different case).
    DuplicateKey,
}

impl ErrorCode {
    /// The wire spelling, e.g. `UNKNOWN_KEY`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::UnknownModel => "UNKNOWN_MODEL",
            ErrorCode::UnknownKey => "UNKNOWN_KEY",
            ErrorCode::InvalidValue => "INVALID_VALUE",
            ErrorCode::NotAString => "NOT_A_STRING",
            ErrorCode::DuplicateKey => "DUPLICATE_KEY",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem found by [`validate_run_options`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionError {
    /// The run option key it is about; `None` (JSON `null`) for the model id or
    /// the arguments themselves.
    pub key: Option<String>,
    /// The value given: the option's value, or the model id for `UNKNOWN_MODEL`.
    pub value: Json,
    /// Machine-readable reason.
    pub code: ErrorCode,
    /// A sentence for people.
    pub message: String,
    /// The allowed values (`INVALID_VALUE`, `NOT_A_STRING` of a known key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// What was probably meant: a model id, a key, a value, or the value as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl OptionError {
    /// An `INVALID_INPUT` error about an argument.
    pub fn invalid_input(message: impl Into<String>, value: Json) -> Self {
        OptionError {
            key: None,
            value,
            code: ErrorCode::InvalidInput,
            message: message.into(),
            allowed: None,
            suggestion: None,
        }
    }
}

/// The outcome of [`validate_run_options`]: serialises as `{ "ok": bool, "errors": [...] }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Validation {
    /// Every problem found, in the order the options were given; empty when valid.
    pub errors: Vec<OptionError>,
}

impl Validation {
    /// Whether the run options are valid for the model.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// A result holding one error.
    pub fn fail(error: OptionError) -> Self {
        Validation { errors: vec![error] }
    }
}

impl Serialize for Validation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Validation", 2)?;
        st.serialize_field("ok", &self.ok())?;
        st.serialize_field("errors", &self.errors)?;
        st.end()
    }
}

/// Checks run options for a model of the catalog before they are sent with a run
/// (the server would answer 422 `VALIDATION_ERROR`). Per option, in order: a key
/// repeated in different case is `DUPLICATE_KEY` (the first spelling, or the one
/// the model knows exactly, is checked normally), an unknown key is `UNKNOWN_KEY`,
/// a value that is not a string is `NOT_A_STRING`, a value not among the options
/// is `INVALID_VALUE`. An unknown model is one `UNKNOWN_MODEL` error.
pub fn validate_run_options(resources: &Resources, model: &str, options: &[(String, Json)]) -> Validation {
    match resources.find_model(model) {
        Some(found) => validate_model_options(found, options),
        None => unknown_model(model, resources.models.iter().map(|m| m.model.as_str())),
    }
}

/// [`validate_run_options`] for run options held as a JSON value: `null` means
/// none, an object gives its entries, anything else is `INVALID_INPUT`.
pub fn validate_run_options_value(resources: &Resources, model: &str, options: &Json) -> Validation {
    match options {
        Json::Null => validate_run_options(resources, model, &[]),
        Json::Object(map) => {
            let entries: Vec<(String, Json)> = map.iter().map(|(k, v)| (k.to_owned(), v.clone())).collect();
            validate_run_options(resources, model, &entries)
        }
        other => Validation::fail(OptionError::invalid_input(
            format!("runOptions must be an object of key to string value, got {}", json_kind(other)),
            other.clone(),
        )),
    }
}

/// The `UNKNOWN_MODEL` result for `id`, suggesting the nearest of `known`.
pub fn unknown_model<'a>(id: &str, known: impl IntoIterator<Item = &'a str>) -> Validation {
    let suggestion = nearest(id, known).map(str::to_owned);
    let hint = suggestion.as_deref().map(|s| format!("; did you mean \"{}\"?", s.escape_text())).unwrap_or_default();
    Validation::fail(OptionError {
        key: None,
        value: Json::String(id.to_owned()),
        code: ErrorCode::UnknownModel,
        message: format!("unknown model \"{}\"{hint}", id.escape_text()),
        allowed: None,
        suggestion,
    })
}

/// Checks run options against one model (see [`validate_run_options`]).
pub fn validate_model_options(model: &Model, options: &[(String, Json)]) -> Validation {
    let mut errors = Vec::new();
    for (index, (key, value)) in options.iter().enumerate() {
        let first = canonical_spelling(model, options, key);
        if first != index {
            let kept = &options[first].0;
            errors.push(OptionError {
                key: Some(key.clone()),
                value: value.clone(),
                code: ErrorCode::DuplicateKey,
                message: format!(
                    "run option \"{}\" repeats \"{}\" (keys differ only in case); give it once",
                    key.escape_text(),
                    kept.escape_text()
                ),
                allowed: None,
                suggestion: Some(kept.clone()),
            });
            continue;
        }
        if let Some(error) = check_option(model, key, value) {
            errors.push(error);
        }
    }
    Validation { errors }
}

/// Among the given keys equal to `key` ignoring case, the index of the one that
/// is checked normally: the first the model knows exactly, else the first given.
fn canonical_spelling(model: &Model, options: &[(String, Json)], key: &str) -> usize {
    let same = || options.iter().enumerate().filter(|(_, (k, _))| k.eq_ignore_ascii_case(key));
    same().find(|(_, (k, _))| model.run_option(k).is_some()).or_else(|| same().next()).map_or(0, |(i, _)| i)
}

fn check_option(model: &Model, key: &str, value: &Json) -> Option<OptionError> {
    let id = model.model.escape_text();
    let Some(option) = model.run_option(key) else {
        let keys: Vec<&str> = first_keys(&model.available_run_options).map(|o| o.key.as_str()).collect();
        let suggestion = nearest(key, keys.iter().copied()).map(str::to_owned);
        let hint = match (&suggestion, keys.is_empty()) {
            (Some(s), _) => format!("; did you mean \"{}\"?", s.escape_text()),
            (None, true) => " (it accepts no run options)".to_owned(),
            (None, false) => format!(" (it accepts {})", listed(&keys)),
        };
        return Some(OptionError {
            key: Some(key.to_owned()),
            value: value.clone(),
            code: ErrorCode::UnknownKey,
            message: format!("model \"{id}\" has no run option \"{}\"{hint}", key.escape_text()),
            allowed: None,
            suggestion,
        });
    };
    let allowed = || Some(option.options.clone());
    let Json::String(text) = value else {
        // The string the value would be sent as, when the model accepts exactly
        // that string; otherwise a near option only as a question, and never
        // another number (a caller that applies it must not pay for 4 seconds
        // when it asked for 5).
        let (suggestion, hint) = match scalar_text(value) {
            Some(t) if option.options.contains(&t) => {
                let hint = format!("; send \"{}\"", t.escape_text());
                (Some(t), hint)
            }
            Some(t) => match near_value(&t, &option.options) {
                Some(near) => (Some(near.to_owned()), format!("; did you mean \"{}\"?", near.escape_text())),
                None => (None, String::new()),
            },
            None => (None, String::new()),
        };
        return Some(OptionError {
            key: Some(key.to_owned()),
            value: value.clone(),
            code: ErrorCode::NotAString,
            message: format!(
                "run option \"{}\" of \"{id}\" must be a string (the server takes strings), got {}{hint}",
                key.escape_text(),
                json_kind(value)
            ),
            allowed: allowed(),
            suggestion,
        });
    };
    if option.options.iter().any(|o| o == text) {
        return None;
    }
    let suggestion = near_value(text, &option.options).map(str::to_owned);
    let hint = suggestion.as_deref().map(|s| format!("; did you mean \"{}\"?", s.escape_text())).unwrap_or_default();
    Some(OptionError {
        key: Some(key.to_owned()),
        value: value.clone(),
        code: ErrorCode::InvalidValue,
        message: format!(
            "\"{}\" is not a valid \"{}\" for \"{id}\" (allowed: {}){hint}",
            text.escape_text(),
            key.escape_text(),
            if option.options.is_empty() {
                "none".to_owned()
            } else {
                listed(&option.options.iter().map(String::as_str).collect::<Vec<_>>())
            }
        ),
        allowed: allowed(),
        suggestion,
    })
}

/// The option nearest to `text` (see [`nearest`]) among those with the same
/// digits in the same order: `"2k"` → `"2K"`, `"1024X1536"` → `"1024x1536"`,
/// but never `"5"` → `"4"` or `"1024"` → `"1024x1024"`, which would change what
/// is asked for (and what a run costs).
fn near_value<'a>(text: &str, options: &'a [String]) -> Option<&'a str> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = digits(text);
    nearest(text, options.iter().map(String::as_str).filter(|o| digits(o) == wanted))
}

/// `a, b, c`.
fn listed(items: &[&str]) -> String {
    items.join(", ")
}

/// The string a number or boolean would be sent as (`8` → `"8"`, `true` → `"true"`);
/// `None` for null, arrays and objects, which have no sensible string form.
/// A number is written as JavaScript's `String(n)` writes it (`8.0` → `"8"`,
/// `0.5` → `"0.5"`), whole numbers in full.
fn scalar_text(value: &Json) -> Option<String> {
    match value {
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(number_text(*n)),
        _ => None,
    }
}

/// A few words naming the JSON type of a value, for messages.
fn json_kind(value: &Json) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => format!("the boolean {b}"),
        Json::Number(n) => format!("the number {}", number_text(*n)),
        Json::String(_) => "a string".to_owned(),
        Json::Array(_) => "an array".to_owned(),
        Json::Object(_) => "an object".to_owned(),
    }
}

// ---------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------

/// The candidate nearest to `input`, case-insensitively: an exact match ignoring
/// case first, else the smallest edit distance within a third of the longer
/// string's length (at least 1), ties going to the earlier candidate. `None`
/// when nothing is close enough: a far-fetched suggestion is worse than none.
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest_of(input, &mut candidates.into_iter())
}

/// [`nearest`] over a trait object: one copy of the search in the wasm build.
/// Buffers are reused across candidates: an unknown id is compared with every id.
fn nearest_of<'a>(input: &str, candidates: &mut dyn Iterator<Item = &'a str>) -> Option<&'a str> {
    let target: Vec<char> = input.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut folded, mut previous, mut current) = (Vec::new(), Vec::new(), Vec::new());
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let length = candidate.chars().count();
        let limit = (target.len().max(length) / 3).max(1);
        let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1).min(limit));
        if target.len().abs_diff(length) > bound {
            continue;
        }
        folded.clear();
        folded.extend(candidate.chars().map(|c| c.to_ascii_lowercase()));
        if let Some(d) = bounded_distance(&target, &folded, bound, &mut previous, &mut current) {
            if best.map_or(true, |(b, _)| d < b) {
                best = Some((d, candidate));
                if d == 0 {
                    break;
                }
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance between `a` and `b` when it is at most `bound`
/// (stops as soon as a whole row exceeds it).
fn bounded_distance(
    a: &[char],
    b: &[char],
    bound: usize,
    previous: &mut Vec<usize>,
    current: &mut Vec<usize>,
) -> Option<usize> {
    previous.clear();
    previous.extend(0..=b.len());
    current.clear();
    current.resize(b.len() + 1, 0);
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > bound {
            return None;
        }
        std::mem::swap(previous, current);
    }
    Some(previous[b.len()]).filter(|d| *d <= bound)
}

// ---------------------------------------------------------------------------
// Diff
// ---------------------------------------------------------------------------

/// What changed from one catalog to another (see [`diff_resources`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResourcesDiff {
    /// Ids of models that are new, sorted.
    pub added: Vec<String>,
    /// Ids of models that are gone, sorted.
    pub removed: Vec<String>,
    /// Models present in both whose modality or run options differ, sorted by id.
    pub changed: Vec<ModelChange>,
}

impl ResourcesDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// How one model changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelChange {
    /// The model id.
    pub model: String,
    /// `(before, after)` when the modality changed; serialised as `[old, new]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modality: Option<(Modality, Modality)>,
    /// How its run options changed (empty lists when only the modality did).
    pub options: OptionsDiff,
}

/// How the run options of one model changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OptionsDiff {
    /// Keys that are new, sorted.
    pub added: Vec<String>,
    /// Keys that are gone, sorted.
    pub removed: Vec<String>,
    /// Keys present in both whose allowed values differ, sorted by key.
    pub changed: Vec<OptionChange>,
}

impl OptionsDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// How the allowed values of one run option changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionChange {
    /// The option key.
    pub key: String,
    /// Values that are new, in the new catalog's order.
    pub added: Vec<String>,
    /// Values that are gone, in the old catalog's order.
    pub removed: Vec<String>,
}

/// What changed from `before` to `after`: models added and removed, and for models
/// in both, a modality change and run option keys and values added and removed.
/// Model ids and keys are sorted (by code point); values keep catalog order; the
/// order of models, keys and values within a catalog is not itself a change, nor
/// are unknown extra fields. For "no previous catalog", pass `&Resources::default()`.
pub fn diff_resources(before: &Resources, after: &Resources) -> ResourcesDiff {
    let old = sorted_first(before.models.iter().map(|m| m.model.as_str()));
    let new = sorted_first(after.models.iter().map(|m| m.model.as_str()));
    let mut diff = ResourcesDiff::default();
    for &(id, index) in &new {
        match find_sorted(&old, id) {
            None => diff.added.push(id.to_owned()),
            Some(previous) => diff.changed.extend(model_change(&before.models[previous], &after.models[index])),
        }
    }
    diff.removed =
        old.iter().filter(|(id, _)| find_sorted(&new, id).is_none()).map(|(id, _)| (*id).to_owned()).collect();
    diff
}

/// `(id, index)` of each distinct id, sorted by id; for a repeated id, the
/// index of its first occurrence. One shape for models and keys alike, so the
/// wasm build carries one sort.
fn sorted_first<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut sorted: Vec<(&'a str, usize)> = ids.enumerate().map(|(i, id)| (id, i)).collect();
    crate::domain::sort::heapsort(&mut sorted);
    // Equal ids are now adjacent, the lowest index first; dedup keeps the first.
    sorted.dedup_by(|later, first| later.0 == first.0);
    sorted
}

fn find_sorted(sorted: &[(&str, usize)], id: &str) -> Option<usize> {
    sorted.binary_search_by(|(k, _)| (*k).cmp(id)).ok().map(|i| sorted[i].1)
}

fn model_change(before: &Model, after: &Model) -> Option<ModelChange> {
    let modality = (before.modality != after.modality).then(|| (before.modality.clone(), after.modality.clone()));
    let (was, now) = (&before.available_run_options, &after.available_run_options);
    let old = sorted_first(was.iter().map(|o| o.key.as_str()));
    let new = sorted_first(now.iter().map(|o| o.key.as_str()));
    let mut options = OptionsDiff {
        added: new.iter().filter(|(k, _)| find_sorted(&old, k).is_none()).map(|(k, _)| (*k).to_owned()).collect(),
        removed: old.iter().filter(|(k, _)| find_sorted(&new, k).is_none()).map(|(k, _)| (*k).to_owned()).collect(),
        changed: Vec::new(),
    };
    for &(key, index) in &new {
        let Some(previous) = find_sorted(&old, key) else { continue };
        let added = missing_from(&now[index].options, &was[previous].options);
        let removed = missing_from(&was[previous].options, &now[index].options);
        if !added.is_empty() || !removed.is_empty() {
            options.changed.push(OptionChange { key: key.to_owned(), added, removed });
        }
    }
    (modality.is_some() || !options.is_empty()).then(|| ModelChange { model: after.model.clone(), modality, options })
}

/// The values of `values` not in `other`, in order, each once (option lists are short).
fn missing_from(values: &[String], other: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !other.contains(v) && !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}
