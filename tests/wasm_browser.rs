//! The Rust crate API compiled to wasm, in headless Chromium, against the mock
//! API on another origin (so every request is a CORS request). Run with
//! `wasm-pack test --headless --chrome -- --test wasm_browser`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod wasm_shared;

client_tests!();


/// In a browser the default storage is localStorage, so the record is visible there.
#[wasm_bindgen_test]
async fn browser_default_storage_is_local_storage() {
    let client = wasm_shared::client("browser-local", None);
    assert!(client.uses_local_storage());
    client.fetch_resources(Default::default()).await.unwrap();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let stored = storage.get_item(client.storage_key()).unwrap().expect("record in localStorage");
    assert!(stored.contains("\"v\":1"));
    assert!(!stored.contains(wasm_shared::API_KEY), "the API key is never stored");
}
