//! The Rust crate API compiled to wasm, in Node.js, against the mock API
//! (`MOCK_URL` is fixed at compile time by `./run test`). Run with
//! `wasm-pack test --node -- --test wasm_node`. The shared tests are in
//! `tests/wasm_shared/`.
#![cfg(target_arch = "wasm32")]

mod wasm_shared;

use resources_client::{FetchOptions, Source, StorageChoice};
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_shared::{client_with, mock, options};

/// Node 20 has no localStorage: the default is the module's memory, shared by
/// every client of the module, so a second client knows the hash.
#[wasm_bindgen_test]
async fn node_default_storage_is_shared_module_memory() {
    mock::reset().await;
    let opts = options("node-memory");
    let first_client = client_with(opts.clone(), StorageChoice::Auto);
    assert!(!first_client.uses_local_storage());
    let first = first_client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(first.warnings.is_empty(), "memory by default is no fault: {:?}", first.warnings);

    let second_client = client_with(opts, StorageChoice::Memory);
    assert_eq!(second_client.hash().as_deref(), Some(first.hash.as_str()));
    let cached = second_client.cached().unwrap();
    assert_eq!(cached.source, Source::Cache);
    assert_eq!(cached.resources, first.resources);
}

/// Asking for localStorage where there is none falls back to memory and says so.
#[wasm_bindgen_test]
async fn asking_for_local_storage_in_node_falls_back_to_memory_with_a_warning() {
    mock::reset().await;
    let client = client_with(options("node-local"), StorageChoice::Local);
    assert!(!client.uses_local_storage());
    let result = client.fetch_resources(FetchOptions::default()).await.expect("no storage is no failure");
    assert!(result.warnings.iter().any(|w| w.contains("storage unavailable, kept in memory")), "{:?}", result.warnings);
}
