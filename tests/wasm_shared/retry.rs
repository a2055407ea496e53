//! Retries: network errors, 429 and 5xx are tried again up to `retries` times;
//! other 4xx never are.

use resources_client::{FetchOptions, Source, StorageChoice};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{client_with, mock, options};

fn client(retries: f64) -> resources_client::Client {
    let mut opts = options("retry");
    opts.retries = Some(retries);
    client_with(opts, StorageChoice::Auto)
}

#[wasm_bindgen_test]
async fn a_500_then_success_succeeds_with_one_retry() {
    mock::reset().await;
    mock::faults(json!([{ "status": 500 }])).await;
    let client = client(1.0);
    let result = client.fetch_resources(FetchOptions::default()).await.expect("the retry succeeds");
    assert_eq!(result.source, Source::Network);
    assert!(result.changed);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    let statuses: Vec<_> = mock::resource_requests().await.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, [json!(500), json!(200)]);
}

#[wasm_bindgen_test]
async fn a_dropped_connection_then_success_succeeds_with_one_retry() {
    mock::reset().await;
    mock::faults(json!([{ "kind": "reset" }])).await;
    let result = client(1.0).fetch_resources(FetchOptions::default()).await.expect("the retry succeeds");
    assert_eq!(result.source, Source::Network);
    assert_eq!(mock::resource_requests().await.len(), 2);
}

#[wasm_bindgen_test]
async fn retries_stop_after_the_limit_with_the_last_error() {
    mock::reset().await;
    mock::faults(json!([{ "status": 503, "times": 2 }])).await;
    let error = client(1.0).fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "SERVER_ERROR");
    assert_eq!(error.status(), 503);
    assert_eq!(mock::resource_requests().await.len(), 2, "one attempt and one retry");
}

#[wasm_bindgen_test]
async fn a_401_is_never_retried() {
    mock::reset().await;
    mock::faults(json!([{ "status": 401 }])).await;
    let error = client(2.0).fetch_resources(FetchOptions::default()).await.unwrap_err();
    assert_eq!(error.code(), "UNAUTHORIZED_ERROR");
    assert_eq!(mock::resource_requests().await.len(), 1);
}
