//! Errors carry the server's code or the client's own, the HTTP status, the
//! failing JSON path, and whether a retry may help; a failed call stores nothing.

use resources_client::{Client, Error, FetchOptions, Options, Source, StorageChoice};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{client, client_with, mock, options};

/// A body whose envelope says SUCCESS around `data`.
fn success_body(data: serde_json::Value) -> String {
    json!({ "status": "SUCCESS", "data": data }).to_string()
}

#[wasm_bindgen_test]
async fn a_wrong_key_is_unauthorized() {
    mock::reset().await;
    let mut opts = options("wrong-key");
    opts.api_key = Some("sk-wrong".into());
    let client = client_with(opts, StorageChoice::Auto);
    let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "UNAUTHORIZED_ERROR");
    assert_eq!(error.status(), 401);
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert_eq!(error.path(), None);
    assert!(!error.retryable());
    assert!(!error.to_string().contains("sk-wrong"), "{error}");
    assert!(!format!("{error:?}").contains("sk-wrong"));
    assert_eq!(client.hash(), None, "a failed call stores nothing");
    assert_eq!(mock::resource_requests().await[0]["headers"]["authorization"], "<wrong>");
}

#[wasm_bindgen_test]
async fn server_error_codes_statuses_and_retry_after() {
    mock::reset().await;
    let cases = [
        (400, "BAD_REQUEST_ERROR", false),
        (402, "PAYMENT_REQUIRED_ERROR", false),
        (404, "NOT_FOUND_ERROR", false),
        (410, "GONE_ERROR", false),
        (422, "VALIDATION_ERROR", false),
        (500, "SERVER_ERROR", true),
        (504, "GATEWAY_TIMEOUT_ERROR", true),
    ];
    let client = client("codes");
    for (status, code, retryable) in cases {
        mock::faults(json!([{ "status": status }])).await;
        let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
        assert_eq!((error.code(), error.status(), error.retryable()), (code, status, retryable), "{error}");
        assert_eq!(error.retry_after_ms(), None);
    }
    mock::faults(json!([{ "status": 429, "retryAfter": "3" }])).await;
    let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "TOO_MANY_REQUESTS_ERROR");
    assert!(error.retryable());
    assert_eq!(error.retry_after_ms(), Some(3000));
    assert_eq!(client.hash(), None);
    assert_eq!(mock::resource_requests().await.len(), cases.len() + 1, "retries: 0 means one request each");
}

#[wasm_bindgen_test]
async fn invalid_bodies_fail_at_their_json_path() {
    mock::reset().await;
    let model = |m: serde_json::Value| json!({ "hash": "aGFzaA", "resources": { "models": [m] } });
    let cases = [
        (
            success_body(model(json!({ "model": "o3", "modality": 7, "availableRunOptions": [] }))),
            "data.resources.models[0].modality",
        ),
        (
            success_body(json!({ "hash": "aGFzaA", "resources": { "models": [
                { "model": "o3", "modality": "text", "availableRunOptions": [] },
                { "model": "gpt-image-1", "modality": "image",
                  "availableRunOptions": [{ "key": "size", "options": ["1024x1024", 1536] }] }
            ] } })),
            "data.resources.models[1].availableRunOptions[0].options[1]",
        ),
        (
            success_body(model(json!({ "model": "", "modality": "text", "availableRunOptions": [] }))),
            "data.resources.models[0].model",
        ),
        (success_body(json!({ "hash": "not base64url!", "resources": { "models": [] } })), "data.hash"),
        (success_body(json!({ "hash": "aGFzaA", "resources": { "models": {} } })), "data.resources.models"),
        (success_body(json!(null)), "data"),
    ];
    let client = client("invalid");
    let good = client.fetch_resources(FetchOptions::default()).await.unwrap();
    for (body, path) in &cases {
        mock::faults(json!([{ "body": body }])).await;
        let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
        assert_eq!(error.code(), "INVALID_RESPONSE", "{body}: {error}");
        assert_eq!(error.path(), Some(*path), "{body}: {error}");
        assert_eq!(error.status(), 200);
        assert!(!error.retryable());
        assert!(error.to_string().contains(path), "the message names the path: {error}");
        // A rejected response never overwrites the stored hash or catalog.
        assert_eq!(client.hash().as_deref(), Some(good.hash.as_str()));
        assert_eq!(client.cached().unwrap().resources, good.resources);
    }
    // A body that is not JSON at all.
    mock::faults(json!([{ "kind": "malformed" }])).await;
    let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "INVALID_RESPONSE");
    assert_eq!(client.hash().as_deref(), Some(good.hash.as_str()));
}

#[wasm_bindgen_test]
async fn a_body_over_max_bytes_is_response_too_large() {
    mock::reset().await;
    let mut opts = options("too-large");
    opts.max_bytes = Some(64.0);
    let client = client_with(opts, StorageChoice::Auto);
    let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "RESPONSE_TOO_LARGE");
    assert!(matches!(error, Error::ResponseTooLarge { status: 200, max_bytes: 64 }), "{error:?}");
    assert!(!error.retryable());
    assert_eq!(client.hash(), None);
}

#[wasm_bindgen_test]
async fn an_html_502_from_a_proxy_is_http_error() {
    mock::reset().await;
    mock::faults(json!([{ "kind": "html" }])).await;
    let client = client("html");
    let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "HTTP_ERROR");
    assert_eq!(error.status(), 502);
    assert!(error.retryable());
    assert!(matches!(error.root(), Error::Http { status: 502, .. }), "{error:?}");
    // The last attempt's failure, with the request it answered.
    assert!(matches!(&error, Error::Request { url, attempts: 1, .. } if url.ends_with("/v1/resources")), "{error:?}");
    assert_eq!(client.hash(), None);
}

#[wasm_bindgen_test]
async fn a_server_failure_serves_the_stored_catalog_as_stale() {
    mock::reset().await;
    let client = client("stale-if-error");
    let good = client.fetch_resources(FetchOptions::default()).await.unwrap();
    mock::faults(json!([{ "kind": "html" }])).await;
    let served = client.fetch_resources(FetchOptions::default()).await.expect("the stored catalog");
    assert_eq!(served.source, Source::Cache);
    assert!(served.stale);
    assert!(!served.changed);
    assert_eq!(served.resources, good.resources);
    assert!(
        served.warnings.iter().any(|w| w.contains("served from cache") && w.contains("502")),
        "{:?}",
        served.warnings
    );
    // The server's judgement (4xx) is never hidden behind the cache.
    mock::faults(json!([{ "status": 401 }])).await;
    assert_eq!(client.fetch_resources(FetchOptions::default()).await.unwrap_err().code(), "UNAUTHORIZED_ERROR");
}

#[wasm_bindgen_test]
async fn an_attempt_over_timeout_ms_is_timeout() {
    mock::reset().await;
    mock::faults(json!([{ "kind": "hang" }])).await;
    let mut opts = options("timeout");
    opts.timeout_ms = Some(200.0);
    let client = client_with(opts, StorageChoice::Auto);
    let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "TIMEOUT");
    assert_eq!(error.status(), 0);
    assert!(error.retryable());
    assert!(matches!(error.root(), Error::Timeout { timeout_ms: 200 }), "{error:?}");
    assert!(error.to_string().starts_with("request timed out after 200 ms (GET "), "{error}");
}

#[wasm_bindgen_test]
fn unusable_options_are_invalid_options() {
    let bad = [
        Options { base_url: Some("not a url".into()), ..Options::default() },
        Options { retries: Some(11.0), ..Options::default() },
        Options { timeout_ms: Some(-1.0), ..Options::default() },
        Options { storage_key: Some(String::new()), ..Options::default() },
        Options { headers: vec![("x-a".into(), "1\r\nx-b: 2".into())], ..Options::default() },
        Options { api_key: Some("sk-se\ncret".into()), ..Options::default() },
    ];
    for options in bad {
        let error = Client::new(options.clone(), StorageChoice::Memory, None).err().expect("refused");
        assert_eq!(error.code(), "INVALID_OPTIONS", "{options:?}");
        assert!(!error.to_string().contains("cret"), "{error}");
    }
}

/// The API key is never printed: a Rust app that logs its options with `{:?}`
/// must not log the key (the validated `Config` already redacts it).
#[wasm_bindgen_test]
fn options_debug_never_prints_the_key() {
    let options = Options { api_key: Some("sk-secret-key".into()), ..Options::default() };
    assert!(!format!("{options:?}").contains("sk-secret-key"), "{options:?}");
    let client = Client::new(options, StorageChoice::Memory, None).unwrap();
    assert!(!format!("{:?}", client.config()).contains("sk-secret-key"));
}
