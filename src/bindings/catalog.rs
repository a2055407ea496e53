//! Reads JS values for the catalog helpers exported by `js/mod.rs`
//! (`validateRunOptions`, `diffResources`); the rules live in `domain::catalog`.
//!
//! How values cross, and why:
//! - Results cross with `serde-wasm-bindgen`, serialised with
//!   `Serializer::json_compatible()` (plain objects and arrays). Inputs are
//!   read by hand, only the fields a helper reads: a `Deserialize` derive
//!   would bring serde's error messages, and with them float formatting, into
//!   the wasm build.
//! - A JS exception unwinding through wasm frames would leave the module's
//!   stack pointer behind, so inputs are only read where reading cannot throw:
//!   a catalog goes through one `JSON.stringify` of the fields a helper reads
//!   (which meets getters, proxies, cycles and BigInts inside a `catch`) and
//!   `JSON.parse`, and its plain copy is read; run options through one
//!   `Object.entries` (inside a `catch`), a fresh array of pairs.
//! - `validateRunOptions` does not convert the catalog: it compares each
//!   `resources.models[i].model` with the id in JS (`===`, through `Reflect`
//!   inside a `catch`) and converts only the model it finds; only an unknown id
//!   copies the ids (to suggest the nearest one). Converting a 10,000-model
//!   catalog for one check, measured with `bench/helpers.mjs`, took 45–60 ms
//!   where this takes 0.01–1.4 ms (7–20 ms for an unknown id).
//! - An error's `value` is the caller's own value (the same number, array or
//!   object), passed through as a `JsValue` (`serde_wasm_bindgen::preserve`
//!   when the result is serialised).
//!
//! Only own enumerable keys of run options are read (`Object.entries`), so
//! `__proto__` or `constructor` given as data are plain unknown keys.

use js_sys::{Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::domain::catalog::{self, diff_resources, ErrorCode, ModelChange, ResourcesDiff, Validation};
use crate::domain::json::{Json, JsonObject};
use crate::domain::types::{Modality, Model, Resources, RunOption};
use crate::web::text::json_parse;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn own_entries(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn stringify(value: &JsValue, replacer: &JsValue) -> Result<JsValue, JsValue>;
}

/// The fields a diff compares; everything else stays in JS.
const DIFF_FIELDS: [&str; 6] = ["models", "model", "modality", "availableRunOptions", "key", "options"];
/// The fields of the one model a validation reads.
const MODEL_FIELDS: [&str; 3] = ["availableRunOptions", "key", "options"];

/// `validateRunOptions(resources, model, runOptions)` → `{ ok, errors }`.
pub(crate) fn validate_run_options(resources: &JsValue, model: &JsValue, run_options: &JsValue) -> JsValue {
    let models = match catalog_models(resources) {
        Ok(models) => models,
        Err(message) => return invalid_input(message, resources),
    };
    let Some(id) = model.as_string() else {
        return invalid_input(format!("model must be a model id (a string), got {}", js_kind(model)), model);
    };
    let entries = match run_option_entries(run_options) {
        Ok(entries) => entries,
        Err(message) => return invalid_input(message, run_options),
    };
    let validation = match find_model(&models, model) {
        Ok(Some((index, found))) => match read_model(&found, index, id) {
            Ok(found) => {
                let pairs: Vec<(String, Json)> = entries.iter().map(|(k, v)| (k.clone(), rule_value(v))).collect();
                catalog::validate_model_options(&found, &pairs)
            }
            Err(message) => return invalid_input(message, resources),
        },
        Ok(None) => {
            let ids = model_ids(&models);
            catalog::unknown_model(&id, ids.iter().map(String::as_str))
        }
        Err(message) => return invalid_input(message, resources),
    };
    validation_to_js(&validation, |key| match key {
        // The value exactly as the caller passed it (8 stays a number, an object the same object).
        Some(key) => entries.iter().find(|(k, _)| k == key).map_or(JsValue::UNDEFINED, |(_, v)| v.clone()),
        None => model.clone(),
    })
}

/// `diffResources(before, after)` → `{ added, removed, changed }`, or the same with
/// empty lists and `error: { code: "INVALID_INPUT", message }`.
pub(crate) fn diff(before: &JsValue, after: &JsValue) -> JsValue {
    #[derive(Serialize)]
    struct Output<'a> {
        added: &'a [String],
        removed: &'a [String],
        changed: &'a [ModelChange],
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<InputError>,
    }
    #[derive(Serialize)]
    struct InputError {
        code: ErrorCode,
        message: String,
    }
    let read = |value: &JsValue, name: &str, optional: bool| -> Result<Resources, String> {
        if optional && (value.is_null() || value.is_undefined()) {
            return Ok(Resources::default());
        }
        read_resources(value).map_err(|m| format!("{name}: {m}"))
    };
    let outcome = read(before, "before", true).and_then(|b| Ok((b, read(after, "after", false)?)));
    let (diff, error) = match outcome {
        Ok((b, a)) => (diff_resources(&b, &a), None),
        Err(message) => (ResourcesDiff::default(), Some(InputError { code: ErrorCode::InvalidInput, message })),
    };
    to_js(&Output { added: &diff.added, removed: &diff.removed, changed: &diff.changed, error })
}

/// A result as plain JS objects and arrays.
fn to_js(value: &impl Serialize) -> JsValue {
    // Serialising these types makes no JS call that can fail.
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// `resources.models` when `resources` looks like a catalog.
fn catalog_models(resources: &JsValue) -> Result<JsValue, String> {
    const SHAPE: &str = "resources must be a catalog's resources object ({ models: [...] })";
    if !resources.is_object() || is_array(resources).unwrap_or(true) {
        return Err(format!("{SHAPE}, got {}", js_kind(resources)));
    }
    let models = get(resources, "models").map_err(|_| format!("{SHAPE}: reading models threw"))?;
    if is_array(&models).unwrap_or(false) {
        return Ok(models);
    }
    // A whole ResourcesResult is the likeliest mistake: say how to fix it.
    let nested = get(resources, "resources").and_then(|r| get(&r, "models")).map(|m| is_array(&m).unwrap_or(false));
    if nested == Ok(true) {
        return Err(format!("{SHAPE}; this looks like a ResourcesResult: pass result.resources"));
    }
    Err(format!("{SHAPE}: models is {}", js_kind(&models)))
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, ()> {
    Reflect::get(target, &JsValue::from_str(key)).map_err(|_| ())
}

fn length(array: &JsValue) -> u32 {
    get(array, "length").ok().and_then(|l| l.as_f64()).map_or(0, |l| l as u32)
}

/// The first model whose `model` is `id` (compared in JS, without copying strings).
fn find_model(models: &JsValue, id: &JsValue) -> Result<Option<(u32, JsValue)>, String> {
    let field = JsValue::from_str("model");
    for index in 0..length(models) {
        let entry =
            Reflect::get_u32(models, index).map_err(|_| format!("resources.models[{index}] threw when read"))?;
        if !entry.is_object() {
            continue;
        }
        let found =
            Reflect::get(&entry, &field).map_err(|_| format!("resources.models[{index}].model threw when read"))?;
        if found == *id {
            return Ok(Some((index, entry)));
        }
    }
    Ok(None)
}

/// Every string model id, for suggestions.
fn model_ids(models: &JsValue) -> Vec<String> {
    (0..length(models))
        .filter_map(|i| Reflect::get_u32(models, i).ok())
        .filter(|m| m.is_object())
        .filter_map(|m| get(&m, "model").ok()?.as_string())
        .collect()
}

/// Converts the one model a validation needs (its id is `id`). Its run
/// options, when present, must have the documented shape.
fn read_model(entry: &JsValue, index: u32, id: String) -> Result<Model, String> {
    let at = || format!("resources.models[{index}]");
    let plain = read_plain(entry, &MODEL_FIELDS).map_err(|m| format!("{}: {m}", at()))?;
    let options = match field(&plain, "availableRunOptions") {
        v if v.is_undefined() => Vec::new(),
        v => {
            run_options_of(&v).map_err(|m| format!("{}: not the shape of a catalog (availableRunOptions{m})", at()))?
        }
    };
    Ok(Model {
        model: id,
        modality: Modality::Other(String::new()),
        available_run_options: options,
        extra: JsonObject::new(),
    })
}

/// Reads a whole catalog for a diff: only the compared fields cross.
fn read_resources(value: &JsValue) -> Result<Resources, String> {
    catalog_models(value)?;
    let plain = read_plain(value, &DIFF_FIELDS).map_err(|m| format!("resources: {m}"))?;
    let models = models_of(&plain).map_err(|m| format!("resources: not the shape of a catalog ({m})"))?;
    Ok(Resources { models, sections: JsonObject::new() })
}

/// A copy of the `fields` of `value` as plain data. One `JSON.stringify` with
/// those fields as its replacer meets every getter, proxy, cycle or BigInt
/// inside a `catch`, and `JSON.parse` gives plain objects, arrays and strings,
/// which are then read without any call that can throw.
fn read_plain(value: &JsValue, fields: &[&str]) -> Result<JsValue, String> {
    let replacer: Array = fields.iter().map(|f| JsValue::from_str(f)).collect();
    let text = stringify(value, &replacer)
        .ok()
        .filter(JsValue::is_string)
        .ok_or_else(|| "could not be read as JSON (a cycle, a BigInt or a throwing getter)".to_owned())?;
    json_parse(&text).map_err(|_| "could not be read as JSON".to_owned())
}

// Readers of plain data (made by `JSON.parse`): their errors are a path
// relative to the value read, then what was wrong.

/// A member of a plain object (`undefined` when absent or not an object).
fn field(object: &JsValue, name: &str) -> JsValue {
    if object.is_object() {
        get(object, name).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// The items of a plain array.
fn items(value: &JsValue) -> Result<Array, String> {
    if is_array(value).unwrap_or(false) {
        Ok(value.clone().into())
    } else {
        Err(format!(": expected an array, got {}", js_kind(value)))
    }
}

/// A string member.
fn string_of(object: &JsValue, name: &str) -> Result<String, String> {
    let value = field(object, name);
    if value.is_undefined() {
        return Err(format!(".{name}: missing"));
    }
    value.as_string().ok_or_else(|| format!(".{name}: expected a string, got {}", js_kind(&value)))
}

fn models_of(catalog: &JsValue) -> Result<Vec<Model>, String> {
    let models = items(&field(catalog, "models")).map_err(|m| format!("models{m}"))?;
    let mut out = Vec::with_capacity(models.length() as usize);
    for (i, model) in models.iter().enumerate() {
        let read = || -> Result<Model, String> {
            if !model.is_object() || is_array(&model).unwrap_or(false) {
                return Err(format!(": expected an object, got {}", js_kind(&model)));
            }
            let id = string_of(&model, "model")?;
            let modality = string_of(&model, "modality")?;
            let options = field(&model, "availableRunOptions");
            if options.is_undefined() {
                return Err(".availableRunOptions: missing".to_owned());
            }
            let options = run_options_of(&options).map_err(|m| format!(".availableRunOptions{m}"))?;
            Ok(Model {
                model: id,
                modality: Modality::from(modality),
                available_run_options: options,
                extra: JsonObject::new(),
            })
        };
        out.push(read().map_err(|m| format!("models[{i}]{m}"))?);
    }
    Ok(out)
}

fn run_options_of(value: &JsValue) -> Result<Vec<RunOption>, String> {
    let list = items(value)?;
    let mut out = Vec::with_capacity(list.length() as usize);
    for (j, option) in list.iter().enumerate() {
        let read = || -> Result<RunOption, String> {
            if !option.is_object() || is_array(&option).unwrap_or(false) {
                return Err(format!(": expected an object, got {}", js_kind(&option)));
            }
            let key = string_of(&option, "key")?;
            let values = field(&option, "options");
            if values.is_undefined() {
                return Err(".options: missing".to_owned());
            }
            let values = items(&values).map_err(|m| format!(".options{m}"))?;
            let mut options = Vec::with_capacity(values.length() as usize);
            for (k, v) in values.iter().enumerate() {
                options.push(
                    v.as_string().ok_or_else(|| format!(".options[{k}]: expected a string, got {}", js_kind(&v)))?,
                );
            }
            Ok(RunOption { key, options, extra: JsonObject::new() })
        };
        out.push(read().map_err(|m| format!("[{j}]{m}"))?);
    }
    Ok(out)
}

/// The own enumerable entries of run options, values as given. `null` and
/// `undefined` mean none; entries whose value is `undefined` are left out, as
/// `JSON.stringify` leaves them out of a request.
fn run_option_entries(run_options: &JsValue) -> Result<Vec<(String, JsValue)>, String> {
    if run_options.is_null() || run_options.is_undefined() {
        return Ok(Vec::new());
    }
    if !is_plain_object(run_options) {
        return Err(format!(
            "runOptions must be a plain object of key to string value (not an array, Map or class instance), got {}",
            js_kind(run_options)
        ));
    }
    let entries =
        own_entries(run_options).map_err(|_| "runOptions could not be read (a getter or a proxy threw)".to_owned())?;
    // `Object.entries` makes fresh `[key, value]` arrays with string keys:
    // reading them cannot throw.
    let pairs = entries
        .iter()
        .map(|pair| {
            let pair: Array = pair.unchecked_into();
            (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
        })
        .filter(|(_, v)| !v.is_undefined())
        .collect();
    Ok(pairs)
}

/// What the rules need to know of a JS value: its text when a string, its
/// number or boolean (for a suggestion); other kinds only as "not a string".
/// `NaN` and infinities are `null`, as `JSON.stringify` sends them.
fn rule_value(value: &JsValue) -> Json {
    if let Some(s) = value.as_string() {
        Json::String(s)
    } else if let Some(b) = value.as_bool() {
        Json::Bool(b)
    } else if let Some(n) = value.as_f64() {
        if n.is_finite() {
            Json::Number(n)
        } else {
            Json::Null
        }
    } else if value.is_null() {
        Json::Null
    } else if is_array(value).unwrap_or(false) {
        Json::Array(Vec::new())
    } else {
        Json::Object(JsonObject::new())
    }
}

/// An object whose prototype is `Object.prototype` (of any realm) or `null`:
/// what an object literal or `JSON.parse` makes. Arrays, Maps and class
/// instances are refused, since a request body would not carry them as given.
fn is_plain_object(value: &JsValue) -> bool {
    if !value.is_object() || is_array(value).unwrap_or(true) {
        return false;
    }
    match Reflect::get_prototype_of(value) {
        Ok(proto) if proto.is_null() => true,
        Ok(proto) => Reflect::get_prototype_of(&proto).map(|p| p.is_null()).unwrap_or(false),
        Err(_) => false,
    }
}

/// A few words naming the JS type of a value, for messages.
fn js_kind(value: &JsValue) -> &'static str {
    if value.is_null() {
        "null"
    } else if value.is_undefined() {
        "undefined"
    } else if value.is_string() {
        "a string"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if is_array(value).unwrap_or(false) {
        "an array"
    } else if value.is_function() {
        "a function"
    } else if value.is_object() {
        "an object"
    } else {
        "a value of another kind"
    }
}

fn invalid_input(message: String, value: &JsValue) -> JsValue {
    let validation = Validation::fail(catalog::OptionError::invalid_input(message, Json::Null));
    validation_to_js(&validation, |_| value.clone())
}

/// `{ ok, errors: [{ key, value, code, message, allowed?, suggestion? }] }`,
/// with `value` taken from the caller's own values by `value_of` (given the key).
fn validation_to_js(validation: &Validation, value_of: impl Fn(Option<&str>) -> JsValue) -> JsValue {
    #[derive(Serialize)]
    struct Output<'a> {
        ok: bool,
        errors: Vec<OptionError<'a>>,
    }
    #[derive(Serialize)]
    struct OptionError<'a> {
        key: Option<&'a str>,
        #[serde(serialize_with = "serde_wasm_bindgen::preserve::serialize")]
        value: JsValue,
        code: ErrorCode,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        allowed: Option<&'a [String]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        suggestion: Option<&'a str>,
    }
    let errors = validation
        .errors
        .iter()
        .map(|e| OptionError {
            key: e.key.as_deref(),
            value: value_of(e.key.as_deref()),
            code: e.code,
            message: &e.message,
            allowed: e.allowed.as_deref(),
            suggestion: e.suggestion.as_deref(),
        })
        .collect();
    to_js(&Output { ok: validation.ok(), errors })
}
