//! Reads JS values for the catalog helpers exported by `js_api.rs`
//! (`validateRunOptions`, `diffResources`); the rules live in `domain::catalog`.
//!
//! How values cross, and why:
//! - `validateRunOptions` reads only what it needs through `Reflect`: it walks
//!   `resources.models` comparing each `model` with the id as JS values (`===`,
//!   no string copies), and converts the one model it finds. A 10,000-model
//!   catalog is never serialised for one check. Only an unknown id copies the ids
//!   (to suggest the nearest one).
//! - `diffResources` needs every model of both catalogs, so it takes them in one
//!   crossing each: `JSON.stringify` with a replacer that keeps only the fields a
//!   diff compares, then `serde_json`.
//!
//! Every JS operation that can throw (getters, proxies, cycles) goes through a
//! `catch` binding, so hostile input becomes an `INVALID_INPUT` result, never an
//! exception; only own enumerable keys (`Object.keys`) of run options are read,
//! so `__proto__` or `constructor` given as data are plain unknown keys.

use js_sys::{Array, Object, Reflect};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;

use crate::domain::catalog::{self, diff_resources, OptionError, ResourcesDiff, Validation};
use crate::domain::types::{Modality, Model, Resources, RunOption};
use crate::domain::text::EscapeText;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn own_keys(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn stringify(value: &JsValue, replacer: &JsValue) -> Result<JsValue, JsValue>;
}

/// The fields a diff compares; everything else stays in JS.
const DIFF_FIELDS: [&str; 6] = ["models", "model", "modality", "availableRunOptions", "key", "options"];

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
        Ok(Some((index, found))) => match read_model(&found, index) {
            Ok(found) => {
                let pairs: Vec<(String, Value)> = entries.iter().map(|(k, v, _)| (k.clone(), v.clone())).collect();
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
    validation_to_js(&validation, |error| match &error.key {
        // Give back the value exactly as the caller passed it (8 stays a number, an object the same object).
        Some(key) => entries.iter().find(|(k, _, _)| k == key).map_or(JsValue::UNDEFINED, |(_, _, v)| v.clone()),
        None => model.clone(),
    })
}

/// `diffResources(before, after)` → `{ added, removed, changed }`, or the same with
/// empty lists and `error: { code: "INVALID_INPUT", message }`.
pub(crate) fn diff(before: &JsValue, after: &JsValue) -> JsValue {
    #[derive(Serialize)]
    struct Output<'a> {
        #[serde(flatten)]
        diff: &'a ResourcesDiff,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<InputError>,
    }
    #[derive(Serialize)]
    struct InputError {
        code: &'static str,
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
        Err(message) => (ResourcesDiff::default(), Some(InputError { code: "INVALID_INPUT", message })),
    };
    let text = serde_json::to_string(&Output { diff: &diff, error }).unwrap_or_default();
    js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
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
        let entry = Reflect::get_u32(models, index).map_err(|_| format!("resources.models[{index}] threw when read"))?;
        if !entry.is_object() {
            continue;
        }
        let found = Reflect::get(&entry, &field).map_err(|_| format!("resources.models[{index}].model threw when read"))?;
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

/// Converts the one model a validation needs. `availableRunOptions` may be
/// missing (no options); anything present must have the documented shape.
fn read_model(entry: &JsValue, index: u32) -> Result<Model, String> {
    let at = format!("resources.models[{index}]");
    let bad = |path: String, what: &str| format!("{path} must be {what}");
    let modality = get(entry, "modality").map_err(|_| bad(format!("{at}.modality"), "readable"))?;
    let list = get(entry, "availableRunOptions").map_err(|_| bad(format!("{at}.availableRunOptions"), "readable"))?;
    let mut available_run_options = Vec::new();
    if !list.is_undefined() {
        if !is_array(&list).unwrap_or(false) {
            return Err(bad(format!("{at}.availableRunOptions"), "an array"));
        }
        for i in 0..length(&list) {
            let path = format!("{at}.availableRunOptions[{i}]");
            let option = Reflect::get_u32(&list, i).map_err(|_| bad(path.clone(), "readable"))?;
            if !option.is_object() {
                return Err(bad(path, "an object"));
            }
            let key = get(&option, "key").ok().and_then(|k| k.as_string()).ok_or_else(|| bad(format!("{path}.key"), "a string"))?;
            let values = get(&option, "options").map_err(|_| bad(format!("{path}.options"), "readable"))?;
            if !is_array(&values).unwrap_or(false) {
                return Err(bad(format!("{path}.options"), "an array"));
            }
            let mut options = Vec::new();
            for j in 0..length(&values) {
                let value = Reflect::get_u32(&values, j).ok().and_then(|v| v.as_string());
                options.push(value.ok_or_else(|| bad(format!("{path}.options[{j}]"), "a string"))?);
            }
            available_run_options.push(RunOption { key, options, extra: Default::default() });
        }
    }
    Ok(Model {
        model: get(entry, "model").ok().and_then(|m| m.as_string()).unwrap_or_default(),
        modality: Modality::from(modality.as_string().unwrap_or_default()),
        available_run_options,
        extra: Default::default(),
    })
}

/// The own enumerable entries of run options as `(key, value for the rules,
/// value as given)`. `null`/`undefined` mean none; entries whose value is
/// `undefined` are left out, as `JSON.stringify` leaves them out of a request.
fn run_option_entries(run_options: &JsValue) -> Result<Vec<(String, Value, JsValue)>, String> {
    if run_options.is_null() || run_options.is_undefined() {
        return Ok(Vec::new());
    }
    if !is_plain_object(run_options) {
        return Err(format!("runOptions must be a plain object of key to string value (not an array, Map or class instance), got {}", js_kind(run_options)));
    }
    let keys = own_keys(run_options).map_err(|_| "runOptions could not be read (Object.keys threw)".to_owned())?;
    let mut entries = Vec::new();
    for key in keys.iter() {
        let Some(name) = key.as_string() else { continue };
        let value = Reflect::get(run_options, &key).map_err(|_| format!("runOptions[\"{}\"] threw when read", name.escape_text()))?;
        if value.is_undefined() {
            continue;
        }
        entries.push((name, rule_value(&value), value));
    }
    Ok(entries)
}

/// What the rules need to know of a JS value: its text when a string, its
/// number or boolean (for a suggestion); other kinds only as "not a string".
fn rule_value(value: &JsValue) -> Value {
    if let Some(s) = value.as_string() {
        Value::String(s)
    } else if let Some(b) = value.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = value.as_f64() {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    } else if value.is_null() {
        Value::Null
    } else if is_array(value).unwrap_or(false) {
        Value::Array(Vec::new())
    } else {
        Value::Object(Map::new())
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

/// Reads a whole catalog for a diff: one `JSON.stringify` of only the compared fields.
fn read_resources(value: &JsValue) -> Result<Resources, String> {
    catalog_models(value)?;
    let replacer: Array = DIFF_FIELDS.iter().map(|f| JsValue::from_str(f)).collect();
    let text = stringify(value, &replacer)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| "resources could not be read as JSON (a cycle, a BigInt or a throwing getter)".to_owned())?;
    // from_slice, as everywhere: one instantiation of the Value parser in the wasm build.
    let json: Value = serde_json::from_slice(text.as_bytes()).map_err(|_| "resources could not be read as JSON".to_owned())?;
    resources_from_json(json)
}

/// Converts the stringified catalog by hand: the `serde` derive of `Resources`
/// (with its flattened extra fields) would add more to the wasm build than this.
/// Paths are formatted only on failure: this runs for every model of both catalogs.
fn resources_from_json(json: Value) -> Result<Resources, String> {
    fn array(value: Option<Value>, path: impl FnOnce() -> String) -> Result<Vec<Value>, String> {
        match value {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(format!("{} must be an array", path())),
        }
    }
    fn string(value: Option<Value>, path: impl FnOnce() -> String) -> Result<String, String> {
        match value {
            Some(Value::String(s)) => Ok(s),
            _ => Err(format!("{} must be a string", path())),
        }
    }
    fn object(value: Value, path: impl FnOnce() -> String) -> Result<Map<String, Value>, String> {
        match value {
            Value::Object(map) => Ok(map),
            _ => Err(format!("{} must be an object", path())),
        }
    }
    let mut root = object(json, || "resources".into())?;
    let entries = array(root.remove("models"), || "models".into())?;
    let mut models = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let mut entry = object(entry, || format!("models[{i}]"))?;
        let list = array(entry.remove("availableRunOptions"), || format!("models[{i}].availableRunOptions"))?;
        let mut available_run_options = Vec::with_capacity(list.len());
        for (j, option) in list.into_iter().enumerate() {
            let at = || format!("models[{i}].availableRunOptions[{j}]");
            let mut option = object(option, at)?;
            let key = string(option.remove("key"), || format!("{}.key", at()))?;
            let values = array(option.remove("options"), || format!("{}.options", at()))?;
            let mut options = Vec::with_capacity(values.len());
            for (k, value) in values.into_iter().enumerate() {
                options.push(string(Some(value), || format!("{}.options[{k}]", at()))?);
            }
            available_run_options.push(RunOption { key, options, extra: Default::default() });
        }
        models.push(Model {
            model: string(entry.remove("model"), || format!("models[{i}].model"))?,
            modality: Modality::from(string(entry.remove("modality"), || format!("models[{i}].modality"))?),
            available_run_options,
            extra: Default::default(),
        });
    }
    Ok(Resources { models, sections: Default::default() })
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
    let validation = Validation::fail(OptionError::invalid_input(message, Value::Null));
    validation_to_js(&validation, |_| value.clone())
}

/// `{ ok, errors: [{ key, value, code, message, allowed?, suggestion? }] }`,
/// with `value` taken from the caller's own values by `value_of`.
fn validation_to_js(validation: &Validation, value_of: impl Fn(&OptionError) -> JsValue) -> JsValue {
    let errors = Array::new();
    for error in &validation.errors {
        let object = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&object, &JsValue::from_str(k), v);
        };
        set("key", &error.key.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        set("value", &value_of(error));
        set("code", &JsValue::from_str(error.code.as_str()));
        set("message", &JsValue::from_str(&error.message));
        if let Some(allowed) = &error.allowed {
            set("allowed", &allowed.iter().map(|a| JsValue::from_str(a)).collect::<Array>());
        }
        if let Some(suggestion) = &error.suggestion {
            set("suggestion", &JsValue::from_str(suggestion));
        }
        errors.push(&object);
    }
    let result = Object::new();
    let _ = Reflect::set(&result, &JsValue::from_str("ok"), &JsValue::from_bool(validation.ok()));
    let _ = Reflect::set(&result, &JsValue::from_str("errors"), &errors);
    result.into()
}
