#![cfg(not(target_arch = "wasm32"))]
//! Native tests of the catalog helpers (`src/core/catalog.rs`): one test per rule
//! of run option validation, the lookups, and the diff between two catalogs.
//! The catalog is the realistic fixture of `tests/fixtures/catalog.json`.

use resources_client::domain::catalog::nearest;
use resources_client::domain::json::Json;
use resources_client::{
    diff_resources, validate_run_options, validate_run_options_value, ErrorCode, Modality, Model, OptionChange,
    Resources, RunOption, Validation,
};
use serde_json::Value;

/// A run option value (the crate's `Json`) written as JSON.
macro_rules! json {
    ($($value:tt)+) => {
        serde_json::from_value::<Json>(serde_json::json!($($value)+)).expect("JSON value")
    };
}

const CATALOG: &str = include_str!("fixtures/catalog.json");

fn catalog() -> Resources {
    let body: Value = serde_json::from_str(CATALOG).expect("fixture is JSON");
    serde_json::from_value(body["data"]["resources"].clone()).expect("fixture resources")
}

fn opts(pairs: &[(&str, Json)]) -> Vec<(String, Json)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

fn validate(model: &str, pairs: &[(&str, Json)]) -> Validation {
    validate_run_options(&catalog(), model, &opts(pairs))
}

fn model(id: &str, modality: &str, options: &[(&str, &[&str])]) -> Model {
    Model {
        model: id.to_owned(),
        modality: Modality::from(modality.to_owned()),
        available_run_options: options
            .iter()
            .map(|(k, vs)| RunOption {
                key: (*k).to_owned(),
                options: vs.iter().map(|v| (*v).to_owned()).collect(),
                extra: Default::default(),
            })
            .collect(),
        extra: Default::default(),
    }
}

fn resources(models: Vec<Model>) -> Resources {
    Resources { models, sections: Default::default() }
}

// ---------------------------------------------------------------------------
// validate_run_options

#[test]
fn valid_options_are_ok() {
    let v = validate("gpt-image-1", &[("quality", json!("high")), ("size", json!("1024x1536"))]);
    assert!(v.ok(), "{v:?}");
    assert!(v.errors.is_empty());
}

#[test]
fn no_options_are_ok_even_for_a_model_without_options() {
    assert!(validate("gpt-4o", &[]).ok());
    assert!(validate("sora-2", &[]).ok());
}

#[test]
fn unknown_model_suggests_the_nearest_id() {
    let v = validate("gpt4o", &[]);
    assert!(!v.ok());
    assert_eq!(v.errors.len(), 1);
    let e = &v.errors[0];
    assert_eq!(e.code, ErrorCode::UnknownModel);
    assert_eq!(e.key, None);
    assert_eq!(e.value, json!("gpt4o"));
    assert_eq!(e.suggestion.as_deref(), Some("gpt-4o"));
    assert!(e.message.contains("gpt-4o"), "{}", e.message);
}

#[test]
fn unknown_model_prefers_a_case_insensitive_match() {
    // "GPT-5" is one substitution-free case change from gpt-5, and also close to gpt-4o.
    let e = &validate("GPT-5", &[]).errors[0];
    assert_eq!(e.suggestion.as_deref(), Some("gpt-5"));
    let e = &validate("Sora-2", &[]).errors[0];
    assert_eq!(e.suggestion.as_deref(), Some("sora-2"));
}

#[test]
fn unknown_model_far_from_everything_has_no_suggestion() {
    let e = &validate("llama-3-70b-instruct", &[]).errors[0];
    assert_eq!(e.code, ErrorCode::UnknownModel);
    assert_eq!(e.suggestion, None);
}

#[test]
fn unknown_key_suggests_the_nearest_key_of_the_model() {
    let v = validate("gpt-image-1", &[("qualty", json!("high"))]);
    let e = &v.errors[0];
    assert_eq!(e.code, ErrorCode::UnknownKey);
    assert_eq!(e.key.as_deref(), Some("qualty"));
    assert_eq!(e.value, json!("high"));
    assert_eq!(e.suggestion.as_deref(), Some("quality"));
}

#[test]
fn unknown_key_on_a_model_without_options_says_so() {
    let e = &validate("gpt-4o", &[("reasoningEffort", json!("low"))]).errors[0];
    assert_eq!(e.code, ErrorCode::UnknownKey);
    assert_eq!(e.suggestion, None);
    assert!(e.message.contains("accepts no run options"), "{}", e.message);
}

#[test]
fn unknown_key_of_another_model_is_not_suggested_from_elsewhere() {
    // aspectRatio belongs to gemini; gpt-image-1 has quality and size only.
    let e = &validate("gpt-image-1", &[("aspectRatio", json!("1:1"))]).errors[0];
    assert_eq!(e.code, ErrorCode::UnknownKey);
    assert_eq!(e.suggestion, None);
    assert!(e.message.contains("quality, size"), "{}", e.message);
}

#[test]
fn invalid_value_lists_the_allowed_values() {
    let e = &validate("gpt-image-1", &[("quality", json!("ultra"))]).errors[0];
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert_eq!(e.allowed, Some(vec!["low".to_owned(), "medium".to_owned(), "high".to_owned()]));
    assert_eq!(e.suggestion, None);
}

#[test]
fn invalid_value_suggests_a_case_insensitive_match() {
    let e = &validate("gemini-3-pro-image-preview", &[("resolution", json!("2k"))]).errors[0];
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert_eq!(e.suggestion.as_deref(), Some("2K"));
}

#[test]
fn invalid_value_suggests_a_near_spelling() {
    let e = &validate("o3", &[("reasoningEffort", json!("mediun"))]).errors[0];
    assert_eq!(e.suggestion.as_deref(), Some("medium"));
}

#[test]
fn a_number_is_not_a_string_and_its_text_is_suggested_when_accepted() {
    let e = &validate("sora-2", &[("seconds", json!(8))]).errors[0];
    assert_eq!(e.code, ErrorCode::NotAString);
    assert_eq!(e.value, json!(8));
    assert_eq!(e.suggestion.as_deref(), Some("8"));
    assert!(e.message.ends_with("; send \"8\""), "{}", e.message);
    assert!(e.allowed.is_some());
    // A float that is integral (as JavaScript sends 8) is written without ".0".
    let e = &validate("sora-2", &[("seconds", json!(8.0))]).errors[0];
    assert_eq!(e.suggestion.as_deref(), Some("8"));
}

#[test]
fn another_number_is_never_suggested() {
    // 5 seconds is not 4: no suggestion, and the message lists what is allowed.
    let e = &validate("sora-2", &[("seconds", json!(5))]).errors[0];
    assert_eq!(e.code, ErrorCode::NotAString);
    assert_eq!(e.suggestion, None);
    assert!(!e.message.contains("send") && !e.message.contains("did you mean"), "{}", e.message);
    let e = &validate("sora-2", &[("seconds", json!("5"))]).errors[0];
    assert_eq!((e.code, e.suggestion.as_deref()), (ErrorCode::InvalidValue, None));
    // A number whose text is not an option is not offered as one either.
    let e = &validate("gpt-image-1", &[("size", json!(1024))]).errors[0];
    assert_eq!((e.code, e.suggestion.as_deref()), (ErrorCode::NotAString, None));
    let e = &validate("gpt-image-1", &[("size", json!("1024x1025"))]).errors[0];
    assert_eq!(e.suggestion, None);
    // The same digits in another case or spelling are a question.
    let e = &validate("gpt-image-1", &[("size", json!("1024X1536"))]).errors[0];
    assert_eq!(e.suggestion.as_deref(), Some("1024x1536"));
    assert!(e.message.ends_with("; did you mean \"1024x1536\"?"), "{}", e.message);
}

#[test]
fn a_boolean_is_not_a_string_and_its_text_is_suggested_when_accepted() {
    let r = resources(vec![model("m", "text", &[("stream", &["true", "false"]), ("mode", &["TRUE", "FALSE"])])]);
    let v = validate_run_options(&r, "m", &opts(&[("stream", json!(true))]));
    assert_eq!(v.errors[0].code, ErrorCode::NotAString);
    assert_eq!(v.errors[0].suggestion.as_deref(), Some("true"));
    assert!(v.errors[0].message.ends_with("; send \"true\""));
    // Only a near option, as a question, when the text itself is not accepted.
    let v = validate_run_options(&r, "m", &opts(&[("mode", json!(true))]));
    assert_eq!(v.errors[0].suggestion.as_deref(), Some("TRUE"));
    assert!(v.errors[0].message.ends_with("; did you mean \"TRUE\"?"), "{}", v.errors[0].message);
}

#[test]
fn null_arrays_and_objects_are_not_strings_and_have_no_suggestion() {
    for value in [json!(null), json!(["high"]), json!({"v": "high"})] {
        let e = &validate("gpt-image-1", &[("quality", value.clone())]).errors[0];
        assert_eq!(e.code, ErrorCode::NotAString, "{value:?}");
        assert_eq!(e.suggestion, None, "{value:?}");
    }
}

#[test]
fn a_key_repeated_in_different_case_is_a_duplicate() {
    let v = validate("gpt-image-1", &[("quality", json!("high")), ("Quality", json!("low"))]);
    assert_eq!(v.errors.len(), 1, "{v:?}");
    let e = &v.errors[0];
    assert_eq!(e.code, ErrorCode::DuplicateKey);
    assert_eq!(e.key.as_deref(), Some("Quality"));
    assert_eq!(e.suggestion.as_deref(), Some("quality"));
}

#[test]
fn the_duplicate_is_the_spelling_the_model_does_not_know() {
    // "QUALITY" comes first but the model knows "quality": "QUALITY" is the duplicate.
    let v = validate("gpt-image-1", &[("QUALITY", json!("high")), ("quality", json!("ultra"))]);
    let codes: Vec<_> = v.errors.iter().map(|e| (e.key.clone().unwrap(), e.code)).collect();
    assert_eq!(
        codes,
        vec![("QUALITY".to_owned(), ErrorCode::DuplicateKey), ("quality".to_owned(), ErrorCode::InvalidValue)]
    );
}

#[test]
fn the_same_key_twice_is_a_duplicate() {
    let v = validate("o3", &[("reasoningEffort", json!("low")), ("reasoningEffort", json!("low"))]);
    assert_eq!(v.errors.len(), 1);
    assert_eq!(v.errors[0].code, ErrorCode::DuplicateKey);
}

#[test]
fn every_bad_option_is_reported_in_order() {
    let v = validate("gpt-image-1", &[("size", json!("big")), ("quality", json!(3)), ("style", json!("vivid"))]);
    let codes: Vec<_> = v.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, vec![ErrorCode::InvalidValue, ErrorCode::NotAString, ErrorCode::UnknownKey]);
}

#[test]
fn prototype_like_keys_are_plain_unknown_keys() {
    for key in ["__proto__", "constructor", "hasOwnProperty", "toString"] {
        let e = &validate("gpt-image-1", &[(key, json!("x"))]).errors[0];
        assert_eq!(e.code, ErrorCode::UnknownKey, "{key}");
    }
}

#[test]
fn the_first_of_duplicate_model_ids_is_used() {
    let r = resources(vec![model("m", "text", &[("a", &["1"])]), model("m", "text", &[("b", &["2"])])]);
    assert!(validate_run_options(&r, "m", &opts(&[("a", json!("1"))])).ok());
    assert_eq!(validate_run_options(&r, "m", &opts(&[("b", json!("2"))])).errors[0].code, ErrorCode::UnknownKey);
}

#[test]
fn json_form_takes_null_and_objects_and_refuses_the_rest() {
    let r = catalog();
    assert!(validate_run_options_value(&r, "o3", &json!(null)).ok());
    assert!(validate_run_options_value(&r, "o3", &json!({"reasoningEffort": "high"})).ok());
    for bad in [json!([]), json!("x"), json!(1), json!(true)] {
        let v = validate_run_options_value(&r, "o3", &bad);
        assert_eq!(v.errors.len(), 1);
        assert_eq!(v.errors[0].code, ErrorCode::InvalidInput, "{bad:?}");
    }
}

#[test]
fn validation_serialises_to_the_js_shape() {
    let v = validate("sora-2", &[("seconds", json!(8))]);
    let text = serde_json::to_value(&v).unwrap();
    assert_eq!(text["ok"], serde_json::json!(false));
    assert_eq!(text["errors"][0]["code"], serde_json::json!("NOT_A_STRING"));
    assert_eq!(text["errors"][0]["key"], serde_json::json!("seconds"));
    assert_eq!(text["errors"][0]["suggestion"], serde_json::json!("8"));
    assert_eq!(text["errors"][0]["allowed"], serde_json::json!(["4", "8"]));
    let unknown = serde_json::to_value(validate("gpt4o", &[])).unwrap();
    assert_eq!(unknown["errors"][0]["key"], Value::Null);
    assert!(unknown["errors"][0].get("allowed").is_none());
}

#[test]
fn nearest_is_case_insensitive_and_bounded() {
    assert_eq!(nearest("GPT-4O", ["gpt-4o", "gpt-5"]), Some("gpt-4o"));
    assert_eq!(nearest("gpt4o", ["o3", "gpt-4o"]), Some("gpt-4o"));
    assert_eq!(nearest("xy", ["o3"]), None);
    assert_eq!(nearest("anything", std::iter::empty()), None);
    // An exact case-insensitive match wins over an earlier candidate at distance 1.
    assert_eq!(nearest("ab", ["ac", "AB"]), Some("AB"));
}

// ---------------------------------------------------------------------------
// lookups

#[test]
fn find_model_returns_the_catalog_entry() {
    let r = catalog();
    let m = r.find_model("sora-2").expect("sora-2");
    assert!(std::ptr::eq(m, &r.models[6]));
    assert!(r.find_model("SORA-2").is_none());
}

#[test]
fn models_by_modality_keeps_catalog_order() {
    let r = catalog();
    let ids: Vec<_> = r.models_by_modality("image").iter().map(|m| m.model.as_str()).collect();
    assert_eq!(ids, ["gpt-image-1", "gemini-3-pro-image-preview"]);
    assert!(r.models_by_modality("audio").is_empty());
    assert!(r.models_by_modality("IMAGE").is_empty());
}

#[test]
fn run_option_keys_are_sorted_with_their_models() {
    let r = catalog();
    let keys: Vec<(&str, Vec<&str>)> = r.run_option_keys().into_iter().map(|k| (k.key, k.models)).collect();
    assert_eq!(
        keys,
        vec![
            ("aspectRatio", vec!["gemini-3-pro-image-preview"]),
            ("quality", vec!["gpt-image-1"]),
            ("reasoningEffort", vec!["o3", "gpt-5"]),
            ("resolution", vec!["gemini-3-pro-image-preview"]),
            ("seconds", vec!["sora-2"]),
            ("size", vec!["gpt-image-1", "sora-2"]),
        ]
    );
}

#[test]
fn lookups_count_a_repeated_model_id_once() {
    let r = resources(vec![model("m", "text", &[("a", &["1"]), ("a", &["2"])]), model("m", "text", &[("a", &["1"])])]);
    assert_eq!(r.models_by_modality("text").len(), 1);
    assert_eq!(r.run_option_keys()[0].models, vec!["m"]);
}

// ---------------------------------------------------------------------------
// diff_resources

#[test]
fn diff_of_a_catalog_with_itself_is_empty() {
    assert!(diff_resources(&catalog(), &catalog()).is_empty());
}

#[test]
fn diff_from_nothing_adds_everything_sorted() {
    let d = diff_resources(&Resources::default(), &catalog());
    assert_eq!(
        d.added,
        ["claude-sonnet-4", "gemini-3-pro-image-preview", "gpt-4o", "gpt-5", "gpt-image-1", "o3", "sora-2"]
    );
    assert!(d.removed.is_empty() && d.changed.is_empty());
}

#[test]
fn diff_reports_added_and_removed_models() {
    let before = catalog();
    let mut after = catalog();
    after.models.retain(|m| m.model != "o3");
    after.models.push(model("gpt-6", "text", &[]));
    after.models.push(model("a-first", "text", &[]));
    let d = diff_resources(&before, &after);
    assert_eq!(d.added, ["a-first", "gpt-6"]);
    assert_eq!(d.removed, ["o3"]);
    assert!(d.changed.is_empty());
}

#[test]
fn diff_reports_a_modality_change() {
    let before = resources(vec![model("m", "text", &[])]);
    let after = resources(vec![model("m", "image", &[])]);
    let d = diff_resources(&before, &after);
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].modality, Some((Modality::Text, Modality::Image)));
    assert!(d.changed[0].options.is_empty());
    assert_eq!(serde_json::to_value(&d).unwrap()["changed"][0]["modality"], serde_json::json!(["text", "image"]));
}

#[test]
fn diff_reports_option_keys_and_values() {
    let before =
        resources(vec![model("m", "image", &[("quality", &["low", "high"]), ("style", &["a"]), ("b", &["x"])])]);
    let after = resources(vec![model(
        "m",
        "image",
        &[("size", &["1"]), ("quality", &["high", "medium", "ultra"]), ("b", &["x"])],
    )]);
    let d = diff_resources(&before, &after);
    let c = &d.changed[0];
    assert_eq!(c.modality, None);
    assert_eq!(c.options.added, ["size"]);
    assert_eq!(c.options.removed, ["style"]);
    assert_eq!(
        c.options.changed,
        vec![OptionChange {
            key: "quality".into(),
            added: vec!["medium".into(), "ultra".into()],
            removed: vec!["low".into()]
        }]
    );
}

#[test]
fn diff_ignores_order_and_extra_fields() {
    let before = resources(vec![model("a", "text", &[("k", &["1", "2"]), ("j", &["x"])]), model("b", "text", &[])]);
    let mut after = resources(vec![model("b", "text", &[]), model("a", "text", &[("j", &["x"]), ("k", &["2", "1"])])]);
    after.models[0].extra.insert("pricing".into(), json!({"in": 1}));
    after.sections.insert("tools".into(), json!([]));
    assert!(diff_resources(&before, &after).is_empty());
}

#[test]
fn diff_changes_are_sorted_by_model_then_key() {
    let before = resources(vec![model("z", "text", &[("b", &["1"]), ("a", &["1"])]), model("y", "text", &[])]);
    let after = resources(vec![model("z", "text", &[("b", &["2"]), ("a", &["2"])]), model("y", "video", &[])]);
    let d = diff_resources(&before, &after);
    let ids: Vec<_> = d.changed.iter().map(|c| c.model.as_str()).collect();
    assert_eq!(ids, ["y", "z"]);
    let keys: Vec<_> = d.changed[1].options.changed.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["a", "b"]);
}
