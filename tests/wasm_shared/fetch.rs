//! A fetch gives the typed catalog the server published, and the request
//! carries what the server expects.

use resources_client::{FetchOptions, Modality, Model, Resources, Source};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{client, mock, options, API_KEY};

#[wasm_bindgen_test]
async fn fetches_the_catalog_as_typed_resources() {
    let published = mock::reset().await;
    let client = client("fetch");
    assert_eq!(client.hash(), None);
    let result = client.fetch_resources(FetchOptions::default()).await.expect("catalog");
    assert_eq!(result.source, Source::Network);
    assert!(result.changed);
    assert_eq!(result.previous_hash, None);
    assert!(!result.stale);
    assert!(result.fetched_at > 0.0);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    assert_eq!(result.hash, published["hash"].as_str().unwrap());
    // The typed value says what the server sent, field for field.
    assert_eq!(serde_json::to_value(&result.resources).unwrap(), published["resources"]);

    let ids: Vec<&str> = result.resources.models.iter().map(|m| m.model.as_str()).collect();
    assert_eq!(
        ids,
        ["o3", "gpt-4o", "gpt-5", "claude-sonnet-4", "gpt-image-1", "gemini-3-pro-image-preview", "sora-2"]
    );
    let sora: &Model = result.resources.model("sora-2").expect("sora-2 in the mock catalog");
    assert_eq!(sora.modality, Modality::Video);
    assert_eq!(sora.run_option("seconds").unwrap().options, ["4", "8"]);
    let image = result.resources.model("gpt-image-1").unwrap();
    assert_eq!(image.modality, Modality::Image);
    let keys: Vec<&str> = image.available_run_options.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["quality", "size"]);
    assert!(result.resources.model("gpt-4o").unwrap().available_run_options.is_empty());
    assert_eq!(result.resources.models.iter().filter(|m| m.modality == Modality::Text).count(), 4);
    assert_eq!(client.hash().as_deref(), Some(result.hash.as_str()));
}

#[wasm_bindgen_test]
async fn sends_the_key_and_accept_then_cli_agent_on_the_second_request() {
    mock::reset().await;
    let client = client("agent");
    assert!(client.agent_headers().is_empty(), "no cli-agent before a hash is known");
    let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(client.agent_headers(), vec![("cli-agent".to_owned(), format!("resources_hash={}", first.hash))]);
    client.fetch_resources(FetchOptions::default()).await.unwrap();

    let requests = mock::resource_requests().await;
    assert_eq!(requests.len(), 2, "{requests:?}");
    for r in &requests {
        // A base URL given as ".../v1/" is not doubled into /v1/v1/.
        assert_eq!(r["path"], "/v1/resources");
        assert_eq!(r["headers"]["authorization"], "Bearer <redacted>", "the mock saw the right key");
        assert_eq!(r["headers"]["accept"], "application/json");
        assert_eq!(r["status"], 200);
    }
    assert_eq!(mock::cli_agent(&requests[0]), None, "the first request knows no hash");
    assert_eq!(mock::cli_agent(&requests[1]), Some(format!("resources_hash={}", first.hash).as_str()));
}

#[wasm_bindgen_test]
async fn extra_headers_are_sent_and_the_key_never_doubles_bearer() {
    mock::reset().await;
    let mut opts = options("headers");
    opts.api_key = Some(format!("Bearer {API_KEY}"));
    opts.headers = vec![("x-app".to_owned(), "leptos-demo".to_owned())];
    let client = super::client_with(opts, resources_client::StorageChoice::Memory);
    client.fetch_resources(FetchOptions::default()).await.expect("a key given with Bearer works");
    let requests = mock::resource_requests().await;
    assert_eq!(requests[0]["headers"]["authorization"], "Bearer <redacted>");
    assert_eq!(requests[0]["headers"]["x-app"], "leptos-demo");
}

#[wasm_bindgen_test]
async fn unknown_modalities_and_sections_are_kept_with_a_warning() {
    mock::reset().await;
    let resources = json!({
        "models": [
            { "model": "o3", "modality": "text", "availableRunOptions": [] },
            { "model": "lyria-2", "modality": "audio", "availableRunOptions": [{ "key": "seconds", "options": ["30"] }] }
        ],
        "providers": [{ "id": "openai" }]
    });
    let published = mock::publish(json!({ "resources": resources })).await;
    let client = client("unknown");
    let result = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(result.hash, published["hash"].as_str().unwrap());
    let lyria = result.resources.model("lyria-2").unwrap();
    assert_eq!(lyria.modality, Modality::Other("audio".into()));
    assert!(!lyria.modality.is_known());
    assert_eq!(
        serde_json::to_value(result.resources.sections.get("providers").unwrap()).unwrap(),
        json!([{ "id": "openai" }])
    );
    // Each surprise is a warning naming its path.
    assert_eq!(result.warnings.len(), 2, "{:?}", result.warnings);
    assert!(
        result.warnings[0].starts_with("data.resources.models[1].modality") && result.warnings[0].contains("audio")
    );
    assert!(result.warnings[1].starts_with("data.resources.providers"), "{:?}", result.warnings);
    let back: Resources = serde_json::from_value(resources.clone()).unwrap();
    assert_eq!(result.resources, back);

    // In strict mode the same surprise is an error at its path, and nothing is stored.
    let mut strict = options("strict");
    strict.strict = true;
    let strict = super::client_with(strict, resources_client::StorageChoice::Memory);
    let error = strict.fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "INVALID_RESPONSE");
    assert_eq!(error.path(), Some("data.resources.models[1].modality"));
    assert_eq!(strict.hash(), None);
}

#[wasm_bindgen_test]
async fn an_injected_fetch_is_used_for_the_request() {
    mock::reset().await;
    let calls = js_sys::Array::new();
    let fetch = js_sys::Function::new_with_args(
        "calls",
        "return (input, init) => { calls.push(typeof input === 'string' ? input : input.url); return fetch(input, init); };",
    )
    .call1(&wasm_bindgen::JsValue::NULL, &calls)
    .unwrap();
    let client = resources_client::Client::new(
        options("injected"),
        resources_client::StorageChoice::Memory,
        Some(wasm_bindgen::JsCast::unchecked_into(fetch)),
    )
    .unwrap();
    client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(calls.length(), 1);
    assert_eq!(calls.get(0).as_string().unwrap(), format!("{}/v1/resources", super::MOCK_URL));
}
