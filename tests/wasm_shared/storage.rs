//! Storage faults: a storage that throws never fails a call; the catalog is
//! kept in memory and the result says so.

use resources_client::{FetchOptions, Source, StorageChoice};
use wasm_bindgen_test::wasm_bindgen_test;

use super::{client_with, js_storage, js_storage_put, js_storage_value, mock, options};

const KEPT_IN_MEMORY: &str = "storage unavailable, kept in memory";

#[wasm_bindgen_test]
async fn a_storage_whose_set_item_throws_keeps_the_catalog_in_memory() {
    mock::reset().await;
    let storage = js_storage(&["setItem"]);
    let client = client_with(options("quota"), StorageChoice::Custom(storage.clone()));
    let result = client.fetch_resources(FetchOptions::default()).await.expect("storage faults never fail a call");
    assert_eq!(result.source, Source::Network);
    let note = result.warnings.iter().find(|w| w.contains(KEPT_IN_MEMORY)).expect("a warning says why");
    assert!(note.contains("setItem"), "{note}");
    assert!(note.contains("quota"), "the storage's own message: {note}");
    assert_eq!(js_storage_value(&storage, client.storage_key()), None, "nothing reached the storage");

    // The hash lives on in memory: the next request announces it.
    assert_eq!(client.hash().as_deref(), Some(result.hash.as_str()));
    let second = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(!second.changed);
    assert_eq!(second.previous_hash.as_deref(), Some(result.hash.as_str()));
    assert!(second.warnings.iter().any(|w| w.contains(KEPT_IN_MEMORY)), "{:?}", second.warnings);
    let requests = mock::resource_requests().await;
    assert_eq!(mock::cli_agent(&requests[1]), Some(format!("resources_hash={}", result.hash).as_str()));
}

#[wasm_bindgen_test]
async fn a_storage_that_always_throws_still_serves_the_catalog() {
    mock::reset().await;
    let storage = js_storage(&["getItem", "setItem", "removeItem"]);
    let mut opts = options("all-throw");
    opts.max_age_ms = Some(60_000.0);
    let client = client_with(opts, StorageChoice::Custom(storage));
    assert_eq!(client.hash(), None);
    let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(first.warnings.iter().any(|w| w.contains(KEPT_IN_MEMORY)), "{:?}", first.warnings);
    let second = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(second.source, Source::Cache, "the memory copy is fresh for max_age_ms");
    assert!(second.warnings.iter().any(|w| w.contains(KEPT_IN_MEMORY)));
    assert_eq!(client.cached().unwrap().hash, first.hash);
    client.clear();
    assert_eq!(client.hash(), None);
    assert_eq!(mock::resource_requests().await.len(), 1);
}

#[wasm_bindgen_test]
async fn a_working_storage_gives_no_storage_warning() {
    mock::reset().await;
    let client = client_with(options("fine"), StorageChoice::Custom(js_storage(&[])));
    let result = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
}

#[wasm_bindgen_test]
async fn a_corrupt_stored_record_is_ignored_and_replaced() {
    mock::reset().await;
    let storage = js_storage(&[]);
    let client = client_with(options("corrupt"), StorageChoice::Custom(storage.clone()));
    for text in ["{not json", "{\"v\":1,\"hash\":\"x\"}", "null", "\u{0}\u{ffff}"] {
        js_storage_put(&storage, client.storage_key(), text);
        assert_eq!(client.hash(), None, "{text:?} is not a record");
        assert!(client.cached().is_none());
    }
    let result = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(result.previous_hash, None);
    assert!(js_storage_value(&storage, client.storage_key()).unwrap().contains(&result.hash));
    assert_eq!(mock::cli_agent(&mock::resource_requests().await[0]), None, "no hash from a corrupt record");
}
