//! Cache and hash: `max_age_ms`, where a result came from, `changed` and
//! `previous_hash`, and a second client on the same stored record.

use resources_client::{FetchOptions, Source, StorageChoice};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{client, client_with, js_storage, js_storage_value, mock, options, API_KEY};

#[wasm_bindgen_test]
async fn a_second_fetch_revalidates_and_reports_unchanged() {
    mock::reset().await;
    let client = client("unchanged");
    let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
    let second = client.fetch_resources(FetchOptions::default()).await.unwrap();
    // max_age_ms 0 (the default): always over the network.
    assert_eq!(second.source, Source::Network);
    assert!(!second.changed);
    assert_eq!(second.previous_hash.as_deref(), Some(first.hash.as_str()));
    assert_eq!(second.hash, first.hash);
    assert_eq!(mock::resource_requests().await.len(), 2);
}

#[wasm_bindgen_test]
async fn max_age_serves_the_stored_catalog_without_a_request() {
    mock::reset().await;
    let mut opts = options("max-age");
    opts.max_age_ms = Some(60_000.0);
    let client = client_with(opts, StorageChoice::Auto);
    assert!(client.cached().is_none());
    let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(first.source, Source::Network);

    let second = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(second.source, Source::Cache);
    assert!(!second.changed);
    assert!(!second.stale);
    assert_eq!(second.hash, first.hash);
    assert_eq!(second.previous_hash.as_deref(), Some(first.hash.as_str()));
    assert_eq!(second.fetched_at, first.fetched_at, "fetched_at is when it came from the network");
    assert_eq!(second.resources, first.resources);
    assert_eq!(mock::resource_requests().await.len(), 1, "a fresh catalog costs no request");

    let cached = client.cached().expect("cached() reads the stored catalog");
    assert_eq!(cached.source, Source::Cache);
    assert!(!cached.stale);
    assert_eq!(cached.resources, first.resources);

    let refreshed = client.fetch_resources(FetchOptions { refresh: true, ..Default::default() }).await.unwrap();
    assert_eq!(refreshed.source, Source::Network);
    assert_eq!(mock::resource_requests().await.len(), 2, "refresh: true goes to the network");
}

#[wasm_bindgen_test]
async fn a_published_catalog_is_changed_with_the_previous_hash() {
    mock::reset().await;
    let client = client("changed");
    let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(first.resources.model("claude-sonnet-4").is_some());

    let published = mock::publish(json!({ "preset": "changed" })).await;
    let second = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(second.source, Source::Network);
    assert!(second.changed);
    assert_eq!(second.previous_hash.as_deref(), Some(first.hash.as_str()));
    assert_eq!(second.hash, published["hash"].as_str().unwrap());
    assert_ne!(second.hash, first.hash);
    assert!(second.resources.model("claude-sonnet-4").is_none());
    assert!(second.resources.model("veo-3").is_some());
    let effort = &second.resources.model("gpt-5").unwrap().run_option("reasoningEffort").unwrap().options;
    assert_eq!(effort, &["none", "low", "medium", "high"]);
    assert_eq!(client.hash().as_deref(), Some(second.hash.as_str()));
    // The request that saw the new catalog still announced the old hash.
    let requests = mock::resource_requests().await;
    assert_eq!(mock::cli_agent(&requests[1]), Some(format!("resources_hash={}", first.hash).as_str()));
}

#[wasm_bindgen_test]
async fn a_new_client_on_the_same_storage_starts_from_the_stored_catalog() {
    mock::reset().await;
    let storage = js_storage(&[]);
    let opts = options("shared-record");
    let writer = client_with(opts.clone(), StorageChoice::Custom(storage.clone()));
    let first = writer.fetch_resources(FetchOptions::default()).await.unwrap();
    let stored = js_storage_value(&storage, writer.storage_key()).expect("the record is in the given storage");
    assert!(stored.contains(&first.hash));
    assert!(!stored.contains(API_KEY), "the API key is never stored");

    let reader = client_with(opts, StorageChoice::Custom(storage));
    assert_eq!(reader.hash().as_deref(), Some(first.hash.as_str()), "known before any request");
    let cached = reader.cached().unwrap();
    assert_eq!(cached.source, Source::Cache);
    assert_eq!(cached.resources, first.resources);
    let again = reader.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(!again.changed);
    assert_eq!(again.previous_hash.as_deref(), Some(first.hash.as_str()));
    let requests = mock::resource_requests().await;
    assert_eq!(mock::cli_agent(&requests[1]), Some(format!("resources_hash={}", first.hash).as_str()));
}

#[wasm_bindgen_test]
async fn clear_forgets_the_catalog_and_the_hash() {
    mock::reset().await;
    let client = client("clear");
    client.fetch_resources(FetchOptions::default()).await.unwrap();
    client.clear();
    assert_eq!(client.hash(), None);
    assert!(client.cached().is_none());
    assert!(client.agent_headers().is_empty());
    let again = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(again.changed);
    assert_eq!(again.previous_hash, None);
    assert_eq!(mock::cli_agent(&mock::resource_requests().await[1]), None);
}

/// Stored records are scoped by base URL and a fingerprint of the API key: a
/// client with another key must never receive, from the cache or `cached()`, a
/// catalog fetched with the first key.
#[wasm_bindgen_test]
async fn a_client_with_another_key_never_gets_the_first_keys_catalog() {
    mock::reset().await;
    let storage = js_storage(&[]);
    let mut opts = options("per-key");
    opts.max_age_ms = Some(60_000.0);
    let first = client_with(opts.clone(), StorageChoice::Custom(storage.clone()));
    first.fetch_resources(FetchOptions::default()).await.unwrap();

    opts.api_key = Some("sk-someone-else".into());
    let other = client_with(opts, StorageChoice::Custom(storage));
    assert_eq!(other.hash(), None, "another key sees no stored hash");
    assert!(other.cached().is_none(), "cached() of another key is empty");
    let error = other.fetch_resources(FetchOptions::default()).await.expect_err("the mock refuses this key");
    assert_eq!(error.code(), "UNAUTHORIZED_ERROR");
}
