#![cfg(not(target_arch = "wasm32"))]
//! Native tests of the body parsers: `parse_success` (2xx bodies) and
//! `parse_failure` (everything else), against the server's documented behaviour (DEVELOPMENT.md, "The server").
//!
//! The realistic catalog lives in `tests/fixtures/catalog.json`; most tests
//! start from it and change one thing, so each failure names one rule.

use resources_client::{parse_failure, parse_success, Catalog, Error, Modality, Model, Resources, RunOption};
use serde_json::{json, Value};

const CATALOG: &str = include_str!("fixtures/catalog.json");
const EXTENDED: &str = include_str!("fixtures/catalog_extended.json");
const HASH: &str = "dGhpcyBpcyBhIGhhc2g";
const JSON_CT: Option<&str> = Some("application/json");

// ---------------------------------------------------------------------------
// helpers

fn fixture() -> Value {
    serde_json::from_str(CATALOG).expect("fixture is JSON")
}

/// The fixture with one change applied.
fn mutated(change: impl FnOnce(&mut Value)) -> Value {
    let mut v = fixture();
    change(&mut v);
    v
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn parse(v: &Value) -> Result<Catalog, Error> {
    parse_success(&bytes(v), 200, JSON_CT, false)
}

fn parse_strict(v: &Value) -> Result<Catalog, Error> {
    parse_success(&bytes(v), 200, JSON_CT, true)
}

#[track_caller]
fn assert_invalid(result: Result<Catalog, Error>, path: Option<&str>) -> Error {
    let err = match result {
        Ok(c) => panic!("expected INVALID_RESPONSE at {path:?}, got a catalog with warnings {:?}", c.warnings),
        Err(e) => e,
    };
    assert_eq!(err.code(), "INVALID_RESPONSE", "{err}");
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert_eq!(err.path(), path, "{err}");
    assert_eq!(err.status(), 200);
    assert!(!err.retryable());
    err
}

/// A structural violation: an error at `path`, whatever the strictness.
#[track_caller]
fn assert_violation(v: Value, path: &str) -> Error {
    assert_invalid(parse_strict(&v), Some(path));
    assert_invalid(parse(&v), Some(path))
}

/// An additive surprise: a warning naming `path` (and nothing else) when lenient,
/// an error at `path` when strict. Returns the lenient catalog.
#[track_caller]
fn assert_surprise(v: Value, path: &str, words: &str) -> Catalog {
    let catalog = parse(&v).unwrap_or_else(|e| panic!("lenient parse failed: {e}"));
    assert_eq!(catalog.warnings.len(), 1, "{:?}", catalog.warnings);
    let w = &catalog.warnings[0];
    assert!(w.starts_with(&format!("{path}: ")), "warning {w:?} does not start with the path {path:?}");
    assert!(w.contains(words), "warning {w:?} does not mention {words:?}");
    let err = assert_invalid(parse_strict(&v), Some(path));
    assert!(err.to_string().contains(words), "{err}");
    assert!(err.to_string().contains("strict"), "{err}");
    catalog
}

fn model_at(v: &mut Value, i: usize) -> &mut Value {
    &mut v["data"]["resources"]["models"][i]
}

fn obj(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    v.as_object_mut().expect("an object")
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn opt(key: &str, options: &[&str]) -> RunOption {
    RunOption { key: key.into(), options: strings(options), extra: Default::default() }
}

fn model(id: &str, modality: Modality, options: Vec<RunOption>) -> Model {
    Model { model: id.into(), modality, available_run_options: options, extra: Default::default() }
}

// ---------------------------------------------------------------------------
// the realistic catalog

#[test]
fn realistic_catalog_parses_fully_without_warnings() {
    let catalog = parse_success(CATALOG.as_bytes(), 200, JSON_CT, true).expect("strict parse");
    assert_eq!(catalog.hash, HASH);
    assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
    assert!(catalog.resources.sections.is_empty());

    let expected = vec![
        model("o3", Modality::Text, vec![opt("reasoningEffort", &["low", "medium", "high"])]),
        model("gpt-4o", Modality::Text, vec![]),
        model("gpt-5", Modality::Text, vec![opt("reasoningEffort", &["none", "low", "medium"])]),
        model("claude-sonnet-4", Modality::Text, vec![]),
        model(
            "gpt-image-1",
            Modality::Image,
            vec![opt("quality", &["low", "medium", "high"]), opt("size", &["1024x1024", "1024x1536", "1536x1024"])],
        ),
        model(
            "gemini-3-pro-image-preview",
            Modality::Image,
            vec![opt("aspectRatio", &["1:1", "3:4", "4:5", "9:16", "16:9"]), opt("resolution", &["1K", "2K"])],
        ),
        model("sora-2", Modality::Video, vec![opt("seconds", &["4", "8"]), opt("size", &["720x1280", "1280x720"])]),
    ];
    assert_eq!(catalog.resources.models, expected);
    assert_eq!(catalog.resources, Resources { models: expected, sections: Default::default() });
}

#[test]
fn realistic_catalog_lookup_helpers() {
    let catalog = parse_success(CATALOG.as_bytes(), 200, JSON_CT, false).unwrap();
    let r = &catalog.resources;
    assert_eq!(r.model("sora-2").unwrap().modality, Modality::Video);
    assert_eq!(r.model("sora-2").unwrap().run_option("seconds").unwrap().options, strings(&["4", "8"]));
    assert!(r.model("gpt-4o").unwrap().run_option("reasoningEffort").is_none());
    assert!(r.model("claude-sonnet-4").unwrap().available_run_options.is_empty());
    assert_eq!(
        r.model("gemini-3-pro-image-preview").unwrap().run_option("resolution").unwrap().options,
        strings(&["1K", "2K"])
    );
    assert!(r.model("gpt-6").is_none());
    assert_eq!(Modality::Image.as_str(), "image");
    assert!(Modality::Text.is_known());
}

#[test]
fn status_and_content_type_do_not_change_a_valid_parse() {
    for (status, ct) in [(200, None), (203, Some("application/json; charset=utf-8")), (299, Some(""))] {
        let catalog = parse_success(CATALOG.as_bytes(), status, ct, true).unwrap();
        assert_eq!(catalog.resources.models.len(), 7);
    }
}

#[test]
fn envelope_message_field_is_tolerated() {
    let v = mutated(|v| {
        obj(v).insert("message".into(), json!("ok"));
    });
    let catalog = parse_strict(&v).unwrap();
    assert!(catalog.warnings.is_empty());
}

#[test]
fn valid_hash_variants_are_accepted() {
    for hash in ["dGhpcyBpcyBhIGhhc2g=", "dGhpcyBpcyBhIGhhc2g==", "a-b_c", "0", &"A".repeat(256)] {
        let v = mutated(|v| v["data"]["hash"] = json!(hash));
        let catalog = parse_strict(&v).unwrap_or_else(|e| panic!("{hash}: {e}"));
        assert_eq!(catalog.hash, hash);
    }
}

// ---------------------------------------------------------------------------
// structural violations: one test each, exact path

#[test]
fn root_not_an_object() {
    for body in ["[]", "\"SUCCESS\"", "42", "null", "true", "[{\"status\":\"SUCCESS\"}]"] {
        let err = assert_invalid(parse_success(body.as_bytes(), 200, JSON_CT, false), None);
        assert!(err.to_string().contains("expected a JSON object"), "{err}");
    }
}

#[test]
fn status_missing() {
    let v = mutated(|v| {
        obj(v).remove("status");
    });
    let err = assert_violation(v, "status");
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn status_a_number() {
    let err = assert_violation(mutated(|v| v["status"] = json!(200)), "status");
    assert!(err.to_string().contains("a number"), "{err}");
}

#[test]
fn status_empty_string() {
    // Not an error envelope (no code to report) and not SUCCESS.
    let err = assert_violation(mutated(|v| v["status"] = json!("")), "status");
    assert_eq!(err.code(), "INVALID_RESPONSE");
}

#[test]
fn data_missing() {
    let v = mutated(|v| {
        obj(v).remove("data");
    });
    assert_violation(v, "data");
}

#[test]
fn data_null() {
    let err = assert_violation(mutated(|v| v["data"] = Value::Null), "data");
    assert!(err.to_string().contains("null"), "{err}");
}

#[test]
fn data_an_array() {
    let err = assert_violation(mutated(|v| v["data"] = json!([])), "data");
    assert!(err.to_string().contains("an array"), "{err}");
}

#[test]
fn hash_missing() {
    let v = mutated(|v| {
        obj(&mut v["data"]).remove("hash");
    });
    assert_violation(v, "data.hash");
}

#[test]
fn hash_a_number() {
    assert_violation(mutated(|v| v["data"]["hash"] = json!(12345)), "data.hash");
}

#[test]
fn hash_null() {
    assert_violation(mutated(|v| v["data"]["hash"] = Value::Null), "data.hash");
}

#[test]
fn hash_empty() {
    let err = assert_violation(mutated(|v| v["data"]["hash"] = json!("")), "data.hash");
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn hash_with_plus() {
    assert_violation(mutated(|v| v["data"]["hash"] = json!("dGhpcyBp+cyBh")), "data.hash");
}

#[test]
fn hash_with_slash() {
    assert_violation(mutated(|v| v["data"]["hash"] = json!("dGhpcyBp/cyBh")), "data.hash");
}

#[test]
fn hash_with_space() {
    assert_violation(mutated(|v| v["data"]["hash"] = json!("dGhpcy Bp")), "data.hash");
}

#[test]
fn hash_with_cr_lf() {
    // Header injection attempt: the hash is later sent as a request header.
    let err = assert_violation(mutated(|v| v["data"]["hash"] = json!("abc\r\nX-Injected: 1")), "data.hash");
    assert!(!err.to_string().contains('\n'), "the message must not echo the CR LF: {err:?}");
}

#[test]
fn hash_over_256_chars() {
    let err = assert_violation(mutated(|v| v["data"]["hash"] = json!("A".repeat(257))), "data.hash");
    assert!(err.to_string().contains("256"), "{err}");
}

#[test]
fn hash_bad_padding() {
    for hash in ["=", "==", "abc===", "ab=c"] {
        assert_violation(mutated(|v| v["data"]["hash"] = json!(hash)), "data.hash");
    }
}

#[test]
fn hash_non_ascii() {
    assert_violation(mutated(|v| v["data"]["hash"] = json!("häsh")), "data.hash");
}

#[test]
fn resources_missing() {
    let v = mutated(|v| {
        obj(&mut v["data"]).remove("resources");
    });
    assert_violation(v, "data.resources");
}

#[test]
fn resources_an_array() {
    let err = assert_violation(mutated(|v| v["data"]["resources"] = json!([])), "data.resources");
    assert!(err.to_string().contains("an array"), "{err}");
}

#[test]
fn models_missing() {
    let v = mutated(|v| {
        obj(&mut v["data"]["resources"]).remove("models");
    });
    assert_violation(v, "data.resources.models");
}

#[test]
fn models_an_object() {
    let err = assert_violation(
        mutated(|v| v["data"]["resources"]["models"] = json!({"o3": {"modality": "text"}})),
        "data.resources.models",
    );
    assert!(err.to_string().contains("an object"), "{err}");
}

#[test]
fn model_entry_a_string() {
    let err = assert_violation(mutated(|v| *model_at(v, 2) = json!("gpt-5")), "data.resources.models[2]");
    assert!(err.to_string().contains("a string"), "{err}");
}

#[test]
fn model_id_missing() {
    let v = mutated(|v| {
        obj(model_at(v, 2)).remove("model");
    });
    assert_violation(v, "data.resources.models[2].model");
}

#[test]
fn model_id_a_number() {
    assert_violation(mutated(|v| model_at(v, 2)["model"] = json!(5)), "data.resources.models[2].model");
}

#[test]
fn model_id_empty() {
    let err = assert_violation(mutated(|v| model_at(v, 2)["model"] = json!("")), "data.resources.models[2].model");
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn modality_missing() {
    let v = mutated(|v| {
        obj(model_at(v, 2)).remove("modality");
    });
    assert_violation(v, "data.resources.models[2].modality");
}

#[test]
fn modality_null() {
    let err =
        assert_violation(mutated(|v| model_at(v, 2)["modality"] = Value::Null), "data.resources.models[2].modality");
    assert!(err.to_string().contains("null"), "{err}");
}

#[test]
fn run_options_missing() {
    let v = mutated(|v| {
        obj(model_at(v, 2)).remove("availableRunOptions");
    });
    assert_violation(v, "data.resources.models[2].availableRunOptions");
}

#[test]
fn run_options_an_object() {
    assert_violation(
        mutated(|v| model_at(v, 2)["availableRunOptions"] = json!({"reasoningEffort": ["low"]})),
        "data.resources.models[2].availableRunOptions",
    );
}

#[test]
fn run_options_null() {
    // "no options" is spelled [], not null.
    assert_violation(
        mutated(|v| model_at(v, 2)["availableRunOptions"] = Value::Null),
        "data.resources.models[2].availableRunOptions",
    );
}

#[test]
fn run_option_a_string() {
    assert_violation(
        mutated(|v| model_at(v, 2)["availableRunOptions"][0] = json!("reasoningEffort")),
        "data.resources.models[2].availableRunOptions[0]",
    );
}

#[test]
fn run_option_key_missing() {
    let v = mutated(|v| {
        obj(&mut model_at(v, 2)["availableRunOptions"][0]).remove("key");
    });
    assert_violation(v, "data.resources.models[2].availableRunOptions[0].key");
}

#[test]
fn run_option_key_empty() {
    let err = assert_violation(
        mutated(|v| model_at(v, 2)["availableRunOptions"][0]["key"] = json!("")),
        "data.resources.models[2].availableRunOptions[0].key",
    );
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn run_option_values_missing() {
    let v = mutated(|v| {
        obj(&mut model_at(v, 2)["availableRunOptions"][0]).remove("options");
    });
    assert_violation(v, "data.resources.models[2].availableRunOptions[0].options");
}

#[test]
fn run_option_values_a_string() {
    assert_violation(
        mutated(|v| model_at(v, 2)["availableRunOptions"][0]["options"] = json!("low,medium")),
        "data.resources.models[2].availableRunOptions[0].options",
    );
}

#[test]
fn run_option_value_a_number() {
    let err = assert_violation(
        mutated(|v| model_at(v, 2)["availableRunOptions"][0]["options"][1] = json!(4)),
        "data.resources.models[2].availableRunOptions[0].options[1]",
    );
    assert!(err.to_string().contains("a number"), "{err}");
}

#[test]
fn violation_path_uses_second_run_option_index() {
    // sora-2 (index 6), its second run option (size), second value.
    assert_violation(
        mutated(|v| model_at(v, 6)["availableRunOptions"][1]["options"][1] = Value::Null),
        "data.resources.models[6].availableRunOptions[1].options[1]",
    );
}

#[test]
fn first_failing_path_is_reported() {
    // Two violations: the earlier model wins.
    let v = mutated(|v| {
        model_at(v, 1)["model"] = json!("");
        model_at(v, 4)["modality"] = json!(3);
    });
    assert_violation(v, "data.resources.models[1].model");
}

// ---------------------------------------------------------------------------
// additive surprises: warnings, or errors when strict

#[test]
fn unknown_modality_is_kept_as_other() {
    let v = mutated(|v| model_at(v, 1)["modality"] = json!("audio"));
    let catalog = assert_surprise(v, "data.resources.models[1].modality", "unknown modality");
    let m = catalog.resources.model("gpt-4o").unwrap();
    assert_eq!(m.modality, Modality::Other("audio".into()));
    assert_eq!(m.modality.as_str(), "audio");
    assert!(!m.modality.is_known());
    assert!(catalog.warnings[0].contains("audio"));
}

#[test]
fn unknown_section_is_kept() {
    let v = mutated(|v| v["data"]["resources"]["prompts"] = json!([{"id": "summarize"}]));
    let catalog = assert_surprise(v, "data.resources.prompts", "unknown section");
    assert_eq!(catalog.resources.sections.get("prompts"), Some(&j(json!([{"id": "summarize"}]))));
    assert_eq!(catalog.resources.models.len(), 7);
}

#[test]
fn unknown_model_field_is_kept() {
    let v = mutated(|v| model_at(v, 0)["contextWindow"] = json!(200000));
    let catalog = assert_surprise(v, "data.resources.models[0].contextWindow", "unknown field");
    assert_eq!(catalog.resources.models[0].extra.get("contextWindow"), Some(&j(json!(200000))));
}

#[test]
fn unknown_run_option_field_is_kept() {
    let v = mutated(|v| model_at(v, 0)["availableRunOptions"][0]["default"] = json!("medium"));
    let catalog = assert_surprise(v, "data.resources.models[0].availableRunOptions[0].default", "unknown field");
    assert_eq!(catalog.resources.models[0].available_run_options[0].extra.get("default"), Some(&j(json!("medium"))));
}

#[test]
fn unknown_data_field_warns() {
    let v = mutated(|v| v["data"]["generatedAt"] = json!("2025-01-01T00:00:00Z"));
    let catalog = assert_surprise(v, "data.generatedAt", "unknown field");
    assert_eq!(catalog.hash, HASH);
}

#[test]
fn unknown_root_field_warns() {
    let v = mutated(|v| v["requestId"] = json!("req_123"));
    assert_surprise(v, "requestId", "unknown field");
}

#[test]
fn duplicate_model_id_is_kept() {
    let v = mutated(|v| {
        let copy = model_at(v, 0).clone();
        v["data"]["resources"]["models"].as_array_mut().unwrap().push(copy);
    });
    let catalog = assert_surprise(v, "data.resources.models[7].model", "duplicate model id");
    assert!(catalog.warnings[0].contains("\"o3\""));
    assert_eq!(catalog.resources.models.len(), 8);
    assert_eq!(catalog.resources.models[7].model, "o3");
}

#[test]
fn duplicate_option_key_is_kept() {
    let v = mutated(|v| {
        model_at(v, 4)["availableRunOptions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"key": "quality", "options": ["hd"]}));
    });
    let catalog = assert_surprise(v, "data.resources.models[4].availableRunOptions[2].key", "duplicate option key");
    let m = catalog.resources.model("gpt-image-1").unwrap();
    assert_eq!(m.available_run_options.len(), 3);
    assert_eq!(m.available_run_options[2], opt("quality", &["hd"]));
    // the helper returns the first one
    assert_eq!(m.run_option("quality").unwrap().options, strings(&["low", "medium", "high"]));
}

#[test]
fn duplicate_option_value_is_kept() {
    let v = mutated(|v| {
        model_at(v, 0)["availableRunOptions"][0]["options"].as_array_mut().unwrap().push(json!("low"));
    });
    let catalog = assert_surprise(v, "data.resources.models[0].availableRunOptions[0].options[3]", "duplicate value");
    assert_eq!(
        catalog.resources.models[0].available_run_options[0].options,
        strings(&["low", "medium", "high", "low"])
    );
}

#[test]
fn several_surprises_all_listed_in_order() {
    let v = mutated(|v| {
        model_at(v, 1)["modality"] = json!("audio");
        model_at(v, 3)["vendor"] = json!("anthropic");
        v["data"]["resources"]["limits"] = json!({});
    });
    let catalog = parse(&v).unwrap();
    assert_eq!(catalog.warnings.len(), 3, "{:?}", catalog.warnings);
    assert!(catalog.warnings[0].starts_with("data.resources.models[1].modality: "));
    assert!(catalog.warnings[1].starts_with("data.resources.models[3].vendor: "));
    assert!(catalog.warnings[2].starts_with("data.resources.limits: "));
    // strict: the first one is the error
    assert_invalid(parse_strict(&v), Some("data.resources.models[1].modality"));
}

#[test]
fn structural_violation_wins_over_earlier_warnings() {
    let v = mutated(|v| {
        model_at(v, 0)["modality"] = json!("audio");
        model_at(v, 5)["availableRunOptions"][1]["key"] = json!("");
    });
    assert_invalid(parse(&v), Some("data.resources.models[5].availableRunOptions[1].key"));
}

#[test]
fn warnings_are_capped_at_50_with_a_summary_line() {
    let v = mutated(|v| {
        let m = obj(model_at(v, 0));
        for i in 0..75 {
            m.insert(format!("extra{i:03}"), json!(i));
        }
    });
    let catalog = parse(&v).unwrap();
    assert_eq!(catalog.warnings.len(), 51, "50 warnings and one summary line");
    assert!(catalog.warnings[..50].iter().all(|w| w.starts_with("data.resources.models[0].extra")));
    assert_eq!(catalog.warnings[50], "... and 25 more warnings");
    // everything is still kept
    assert_eq!(catalog.resources.models[0].extra.len(), 75);
    // strict: one error, at the first unknown field
    assert_invalid(parse_strict(&v), Some("data.resources.models[0].extra000"));
}

#[test]
fn exactly_50_warnings_have_no_summary_line() {
    let v = mutated(|v| {
        let m = obj(model_at(v, 0));
        for i in 0..50 {
            m.insert(format!("extra{i:03}"), json!(i));
        }
    });
    let catalog = parse(&v).unwrap();
    assert_eq!(catalog.warnings.len(), 50);
    assert!(!catalog.warnings.iter().any(|w| w.contains("more warnings")));

    let v = mutated(|v| {
        let m = obj(model_at(v, 0));
        for i in 0..51 {
            m.insert(format!("extra{i:03}"), json!(i));
        }
    });
    let catalog = parse(&v).unwrap();
    assert_eq!(catalog.warnings.len(), 51);
    assert_eq!(catalog.warnings[50], "... and 1 more warnings");
}

#[test]
fn many_duplicate_models_do_not_flood() {
    let v = mutated(|v| {
        let copy = model_at(v, 1).clone();
        let models = v["data"]["resources"]["models"].as_array_mut().unwrap();
        for _ in 0..1000 {
            models.push(copy.clone());
        }
    });
    let catalog = parse(&v).unwrap();
    assert_eq!(catalog.resources.models.len(), 1007);
    assert_eq!(catalog.warnings.len(), 51);
    assert_eq!(catalog.warnings.last().unwrap(), "... and 950 more warnings");
}

// ---------------------------------------------------------------------------
// bodies that are not JSON

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n";

#[test]
fn html_page_on_2xx_is_invalid_response() {
    let err = assert_invalid(parse_success(HTML_PAGE.as_bytes(), 200, Some("text/html; charset=utf-8"), false), None);
    let msg = err.to_string();
    assert!(msg.contains("text/html"), "{msg}");
    assert!(msg.contains("<!DOCTYPE html>"), "{msg}");
    assert!(msg.contains(&format!("{} bytes", HTML_PAGE.len())), "{msg}");
    assert!(!msg.contains("nginx</center></body>"), "the whole page should not be dumped: {msg}");
}

#[test]
fn empty_body_on_2xx_is_invalid_response() {
    let err = assert_invalid(parse_success(b"", 200, JSON_CT, false), None);
    let msg = err.to_string();
    assert!(msg.contains("empty"), "{msg}");
    assert!(msg.contains("application/json"), "{msg}");

    let err = parse_success(b"", 204, None, false).unwrap_err();
    assert_eq!(err.code(), "INVALID_RESPONSE");
    assert_eq!(err.path(), None);
    assert_eq!(err.status(), 204);
    assert!(err.to_string().contains("no content type"), "{err}");
}

#[test]
fn whitespace_only_body_is_invalid_response() {
    assert_invalid(parse_success(b"  \r\n ", 200, JSON_CT, false), None);
}

#[test]
fn truncated_json_is_invalid_response() {
    let body = br#"{"status":"SUCCESS","data":{"hash":"dGhpc"#;
    let err = assert_invalid(parse_success(body, 200, JSON_CT, false), None);
    let msg = err.to_string();
    assert!(msg.contains("not valid JSON"), "{msg}");
    assert!(msg.contains("application/json"), "{msg}");
    assert!(msg.contains(r#"{"status":"SUCCESS""#), "{msg}");

    // the fixture cut in half, at every tenth byte
    for cut in (0..CATALOG.len() - 2).step_by(10) {
        let r = parse_success(&CATALOG.as_bytes()[..cut], 200, JSON_CT, false);
        assert_invalid(r, None);
    }
}

#[test]
fn trailing_garbage_is_invalid_response() {
    let mut body = CATALOG.as_bytes().to_vec();
    body.extend_from_slice(b"\n<!-- cache hit -->");
    assert_invalid(parse_success(&body, 200, JSON_CT, false), None);
}

#[test]
fn utf8_bom_before_valid_json_is_accepted() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(CATALOG.as_bytes());
    let catalog = parse_success(&body, 200, JSON_CT, true).unwrap();
    assert_eq!(catalog.hash, HASH);
    assert_eq!(catalog.resources.models.len(), 7);
    assert!(catalog.warnings.is_empty());
}

#[test]
fn invalid_utf8_is_invalid_response() {
    // inside a string value
    let body = b"{\"status\":\"SUCCESS\",\"data\":{\"hash\":\"ab\xff\xfe\",\"resources\":{\"models\":[]}}}";
    assert_invalid(parse_success(body, 200, JSON_CT, false), None);
    // as a whole body (UTF-16 BOM, Latin-1 text)
    assert_invalid(parse_success(b"\xff\xfe{\x00}\x00", 200, JSON_CT, false), None);
    assert_invalid(parse_success(b"caf\xe9 au lait", 200, Some("text/plain"), false), None);
    // a multi-byte character cut exactly where the snippet ends
    let mut body = vec![b'x'; 79];
    body.extend_from_slice("ééééé".as_bytes());
    assert_invalid(parse_success(&body, 200, None, false), None);
    // a lone continuation byte and an overlong encoding
    assert_invalid(parse_success(b"\x80", 200, None, false), None);
    assert_invalid(parse_success(b"{\"status\":\"\xc0\xaf\"}", 200, None, false), None);
    // parse_failure never panics on it either
    let e = parse_failure(b"\xff\xfe\xfd", 502, None, None);
    assert_eq!(e.code(), "HTTP_ERROR");
}

#[test]
fn control_characters_in_snippet_are_replaced() {
    let err = assert_invalid(parse_success(b"oops\r\n\x1b[31mred\x00", 200, Some("text/plain"), false), None);
    let msg = err.to_string();
    assert!(!msg.chars().any(|c| c.is_control()), "{msg:?}");
    assert!(msg.contains("oops"), "{msg}");
}

#[test]
fn deeply_nested_arrays_are_an_error_not_a_stack_overflow() {
    let depth = 5_000;
    let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert_invalid(parse_success(body.as_bytes(), 200, JSON_CT, false), None);
    let e = parse_failure(body.as_bytes(), 500, JSON_CT, None);
    assert_eq!(e.code(), "HTTP_ERROR");
}

#[test]
fn deeply_nested_values_inside_the_envelope_are_an_error() {
    let depth = 5_000;
    let deep_array = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    for deep in [deep_array, deep_object] {
        let body =
            format!(r#"{{"status":"SUCCESS","data":{{"hash":"{HASH}","resources":{{"models":[],"extra":{deep}}}}}}}"#);
        assert_invalid(parse_success(body.as_bytes(), 200, JSON_CT, false), None);
        // unterminated
        assert_invalid(parse_success(&body.as_bytes()[..body.len() / 2], 200, JSON_CT, false), None);
    }
}

#[test]
fn moderately_nested_unknown_section_is_kept() {
    let depth = 50;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let body =
        format!(r#"{{"status":"SUCCESS","data":{{"hash":"{HASH}","resources":{{"models":[],"tree":{deep}}}}}}}"#);
    let catalog = parse_success(body.as_bytes(), 200, JSON_CT, false).unwrap();
    assert!(catalog.resources.sections.contains_key("tree"));
}

// ---------------------------------------------------------------------------
// error envelopes

#[test]
fn error_envelope_on_2xx_is_an_api_error() {
    let body = br#"{"status":"UNAUTHORIZED_ERROR","message":"m","data":null}"#;
    let err = parse_success(body, 200, JSON_CT, false).unwrap_err();
    assert_eq!(
        err,
        Error::Api { code: "UNAUTHORIZED_ERROR".into(), status: 200, message: "m".into(), retry_after_ms: None }
    );
    assert_eq!(err.code(), "UNAUTHORIZED_ERROR");
    assert_eq!(err.status(), 200);
    assert_eq!(err.path(), None);
    // also strict, and without data or message
    let err = parse_success(br#"{"status":"UNAUTHORIZED_ERROR"}"#, 200, JSON_CT, true).unwrap_err();
    assert_eq!(err.code(), "UNAUTHORIZED_ERROR");
    assert!(err.to_string().contains("UNAUTHORIZED_ERROR"), "{err}");
}

const ENVELOPE_CODES: &[(u16, &str, bool)] = &[
    (400, "BAD_REQUEST_ERROR", false),
    (401, "UNAUTHORIZED_ERROR", false),
    (402, "PAYMENT_REQUIRED_ERROR", false),
    (404, "NOT_FOUND_ERROR", false),
    (410, "GONE_ERROR", false),
    (422, "VALIDATION_ERROR", false),
    (429, "TOO_MANY_REQUESTS_ERROR", true),
    (500, "SERVER_ERROR", true),
    (504, "GATEWAY_TIMEOUT_ERROR", true),
];

#[test]
fn parse_failure_maps_each_envelope_code() {
    for &(status, code, retryable) in ENVELOPE_CODES {
        let message = format!("{code} happened");
        let body = json!({"status": code, "message": message, "data": null}).to_string();
        let retry_after = if status == 429 { Some(2_000) } else { None };
        let err = parse_failure(body.as_bytes(), status, JSON_CT, retry_after);
        assert_eq!(
            err,
            Error::Api { code: code.into(), status, message: message.clone(), retry_after_ms: retry_after },
            "{status}"
        );
        assert_eq!(err.code(), code);
        assert_eq!(err.status(), status);
        assert_eq!(err.retryable(), retryable, "{status} {code}");
        assert_eq!(err.retry_after_ms(), retry_after);
        assert_eq!(err.path(), None);
        assert!(err.to_string().contains(code), "{err}");
        assert!(err.to_string().contains(&message), "{err}");
    }
}

#[test]
fn parse_failure_429_passes_retry_after_through() {
    let body = br#"{"status":"TOO_MANY_REQUESTS_ERROR","message":"Too many requests","data":null}"#;
    let err = parse_failure(body, 429, JSON_CT, Some(1_000));
    assert_eq!(err.code(), "TOO_MANY_REQUESTS_ERROR");
    assert_eq!(err.retry_after_ms(), Some(1_000));
    assert!(err.retryable());
    assert!(!err.allows_stale_fallback());
    let err = parse_failure(body, 429, JSON_CT, None);
    assert_eq!(err.retry_after_ms(), None);
    assert!(err.retryable());
}

#[test]
fn parse_failure_envelope_with_data_object_and_no_message() {
    let body = br#"{"status":"VALIDATION_ERROR","data":{"fields":{"runOptions.quality":"not accepted"}}}"#;
    let err = parse_failure(body, 422, JSON_CT, None);
    assert_eq!(err.code(), "VALIDATION_ERROR");
    assert!(!err.retryable());
    assert!(err.to_string().contains("VALIDATION_ERROR"), "{err}");
    // with a BOM too
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(body);
    assert_eq!(parse_failure(&bom, 422, JSON_CT, None).code(), "VALIDATION_ERROR");
}

#[test]
fn parse_failure_html_502_is_http_error() {
    let err = parse_failure(HTML_PAGE.as_bytes(), 502, Some("text/html"), None);
    assert!(matches!(err, Error::Http { status: 502, .. }), "{err:?}");
    assert_eq!(err.code(), "HTTP_ERROR");
    assert_eq!(err.status(), 502);
    assert!(err.retryable());
    assert!(err.allows_stale_fallback());
    let msg = err.to_string();
    assert!(msg.contains("text/html"), "{msg}");
    assert!(msg.contains("502"), "{msg}");
    assert!(msg.contains("<!DOCTYPE html>"), "{msg}");
}

#[test]
fn parse_failure_empty_503_is_retryable_http_error() {
    let err = parse_failure(b"", 503, None, Some(5_000));
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(err.code(), "HTTP_ERROR");
    assert!(err.retryable());
    assert_eq!(err.retry_after_ms(), Some(5_000));
    assert!(err.to_string().contains("empty"), "{err}");
}

#[test]
fn parse_failure_non_envelopes_are_http_errors() {
    let cases: &[(&[u8], u16, bool)] = &[
        (b"", 401, false),
        (HTML_PAGE.as_bytes(), 403, false),
        (b"Not Found", 404, false),
        (b"{}", 400, false),
        (br#"{"status":""}"#, 400, false),
        (br#"{"status":"SUCCESS","data":{}}"#, 500, true),
        (br#"{"status":42}"#, 500, true),
        (br#"{"code":"SERVER_ERROR","errors":[]}"#, 500, true),
        (b"[\"SERVER_ERROR\"]", 500, true),
        (br#"{"status":"SERVER_ERR"#, 500, true),
        (b"upstream timed out", 504, true),
    ];
    for &(body, status, retryable) in cases {
        let err = parse_failure(body, status, Some("text/plain"), None);
        assert_eq!(err.code(), "HTTP_ERROR", "{status} {:?}", String::from_utf8_lossy(body));
        assert_eq!(err.status(), status);
        assert_eq!(err.retryable(), retryable, "{status}");
        assert!(err.to_string().contains("text/plain"), "{err}");
    }
}

#[test]
fn parse_failure_html_4xx_is_not_retryable() {
    let err = parse_failure(HTML_PAGE.as_bytes(), 401, Some("text/html"), None);
    assert_eq!(err.code(), "HTTP_ERROR");
    assert!(!err.retryable());
    assert!(!err.allows_stale_fallback());
}

// ---------------------------------------------------------------------------
// unknown data is kept, and survives serialisation

#[test]
fn extended_catalog_keeps_unknown_data() {
    let catalog = parse_success(EXTENDED.as_bytes(), 200, JSON_CT, false).unwrap();
    let r = &catalog.resources;
    assert_eq!(r.models.len(), 4);
    assert_eq!(r.sections.get("prompts"), Some(&j(json!([{"id": "summarize", "title": "Summarize a document"}]))));
    assert_eq!(r.sections.get("limits"), Some(&j(json!({"requestsPerSecond": 5}))));
    let o3 = r.model("o3").unwrap();
    assert_eq!(o3.extra.get("contextWindow"), Some(&j(json!(200000))));
    assert_eq!(serde_json::to_value(o3.extra.get("pricing").unwrap()).unwrap()["unit"], json!("1M tokens"));
    assert_eq!(o3.run_option("reasoningEffort").unwrap().extra.get("default"), Some(&j(json!("medium"))));
    assert_eq!(r.model("veo-4").unwrap().modality, Modality::Other("audio-video".into()));

    let expected_warnings = [
        "data.resources.models[0].availableRunOptions[0].default",
        "data.resources.models[0].contextWindow",
        "data.resources.models[0].pricing",
        "data.resources.models[1].modality",
        "data.resources.models[1].deprecated",
        "data.resources.models[2].constructor",
        "data.resources.__proto__",
        "data.resources.constructor",
        "data.resources.limits",
        "data.resources.prompts",
    ];
    let paths: Vec<&str> = catalog.warnings.iter().map(|w| w.split(": ").next().unwrap()).collect();
    assert_eq!(paths, expected_warnings, "{:#?}", catalog.warnings);

    assert_invalid(
        parse_success(EXTENDED.as_bytes(), 200, JSON_CT, true),
        Some("data.resources.models[0].availableRunOptions[0].default"),
    );
}

#[test]
fn proto_and_constructor_are_ordinary_data() {
    let catalog = parse_success(EXTENDED.as_bytes(), 200, JSON_CT, false).unwrap();
    let r = &catalog.resources;
    assert_eq!(r.sections.get("__proto__"), Some(&j(json!({"polluted": true}))));
    assert_eq!(r.sections.get("constructor"), Some(&j(json!({"prototype": {"polluted": true}}))));

    let proto = r.model("__proto__").expect("model id __proto__");
    assert_eq!(proto.modality, Modality::Text);
    assert_eq!(proto.extra.get("constructor"), Some(&j(json!({"prototype": {"polluted": true}}))));

    let ctor = r.model("constructor").expect("model id constructor");
    assert_eq!(ctor.modality, Modality::Image);
    assert_eq!(ctor.available_run_options, vec![opt("__proto__", &["toString", "valueOf"])]);

    // and they serialise back as plain keys
    let out = serde_json::to_value(r).unwrap();
    assert_eq!(out["__proto__"], json!({"polluted": true}));
    assert_eq!(out["models"][2]["model"], json!("__proto__"));
    assert_eq!(out["models"][3]["availableRunOptions"][0]["key"], json!("__proto__"));
}

#[test]
fn serialising_resources_round_trips_unknown_data() {
    let original: Value = serde_json::from_str(EXTENDED).unwrap();
    let catalog = parse_success(EXTENDED.as_bytes(), 200, JSON_CT, false).unwrap();

    // Resources -> JSON is what the server sent as data.resources, numbers
    // read as JavaScript reads them (2.0 is 2)
    let out = serde_json::to_value(&catalog.resources).unwrap();
    assert_eq!(out, serde_json::to_value(j(original["data"]["resources"].clone())).unwrap());

    // JSON -> Resources via serde gives the same value back
    let back: Resources = serde_json::from_value(out.clone()).unwrap();
    assert_eq!(back, catalog.resources);

    // and through the validator again, wrapped in a fresh envelope
    let body = json!({"status": "SUCCESS", "data": {"hash": catalog.hash, "resources": out}});
    let again = parse(&body).unwrap();
    assert_eq!(again.resources, catalog.resources);
    assert_eq!(again.warnings, catalog.warnings);
}

#[test]
fn serialising_the_realistic_catalog_uses_wire_names() {
    let catalog = parse_success(CATALOG.as_bytes(), 200, JSON_CT, false).unwrap();
    let out = serde_json::to_value(&catalog.resources).unwrap();
    assert_eq!(out, fixture()["data"]["resources"]);
    assert_eq!(out["models"][6]["modality"], json!("video"));
    assert!(out["models"][0].get("availableRunOptions").is_some());
    assert!(out["models"][0].get("available_run_options").is_none());
}

/// A `serde_json` value as the crate's own JSON type.
fn j(v: serde_json::Value) -> resources_client::domain::json::Json {
    serde_json::from_value(v).unwrap()
}
