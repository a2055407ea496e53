//! The Rust crate API compiled to wasm, in headless Chromium, against the mock
//! API on another origin (so every request is a CORS request). Run with
//! `wasm-pack test --headless --chrome -- --test wasm_browser`, with `MOCK_URL`
//! set as `./run test` does. The shared tests are in `tests/wasm_shared/`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod wasm_shared;

use resources_client::{FetchOptions, StorageChoice};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_shared::{client, client_with, mock, options, recording_listener};

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// In a browser the default storage is localStorage, so the record is visible there.
#[wasm_bindgen_test]
async fn browser_default_storage_is_local_storage() {
    mock::reset().await;
    let client = client("browser-local");
    assert!(client.uses_local_storage());
    let result = client.fetch_resources(FetchOptions::default()).await.unwrap();
    let stored = local_storage().get_item(client.storage_key()).unwrap().expect("record in localStorage");
    assert!(stored.starts_with("{\"v\":3,"));
    assert!(stored.contains(&result.hash));
    assert!(!stored.contains(wasm_shared::API_KEY), "the API key is never stored");
}

/// `cli-agent` and `authorization` are not CORS-safelisted: the browser asks first.
#[wasm_bindgen_test]
async fn cross_origin_requests_are_preflighted_and_succeed() {
    mock::reset().await;
    let client = client("preflight");
    client.fetch_resources(FetchOptions::default()).await.unwrap();
    client.fetch_resources(FetchOptions::default()).await.unwrap();
    let log = mock::log().await;
    let preflights: Vec<_> = log.iter().filter(|r| r["method"] == "OPTIONS" && r["path"] == "/v1/resources").collect();
    assert!(!preflights.is_empty(), "{log:?}");
    let asked = preflights
        .iter()
        .any(|r| r["headers"]["access-control-request-headers"].as_str().is_some_and(|h| h.contains("cli-agent")));
    assert!(asked, "the request with cli-agent was preflighted: {preflights:?}");
    assert_eq!(mock::resource_requests().await.len(), 2);
}

/// Another tab's write reaches a client through `storage_changed` (what the
/// page's `storage` event handler calls), and its listeners hear the new hash.
#[wasm_bindgen_test]
async fn a_write_by_another_client_reaches_listeners_through_storage_changed() {
    mock::reset().await;
    let opts = options("tabs");
    let this_tab = client_with(opts.clone(), StorageChoice::Local);
    let other_tab = client_with(opts, StorageChoice::Local);
    let first = this_tab.fetch_resources(FetchOptions::default()).await.unwrap();
    let (_, heard) = recording_listener(&this_tab);

    let published = mock::publish(json!({ "preset": "changed" })).await;
    let fetched = other_tab.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(fetched.previous_hash.as_deref(), Some(first.hash.as_str()), "one record for both");
    let text = local_storage().get_item(this_tab.storage_key()).unwrap();
    this_tab.storage_changed(text);
    assert_eq!(*heard.borrow(), [published["hash"].as_str().unwrap().to_owned()]);
    assert_eq!(this_tab.hash(), Some(fetched.hash));
    this_tab.storage_changed(Some("{not a record".into()));
    assert_eq!(heard.borrow().len(), 1, "an invalid write is not announced");
}
