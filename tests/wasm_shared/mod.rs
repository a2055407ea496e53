//! Tests shared by the Node and Chromium wasm test crates.

use resources_client::{Client, Options};

/// The mock API, started by `./run test` before compiling the tests.
pub const MOCK_URL: &str = env!("MOCK_URL");
/// The mock's default key.
pub const API_KEY: &str = "sk-mock-demo";

/// A client on the mock with its own storage key.
pub fn client(storage_key: &str, api_key: Option<&str>) -> Client {
    let options = Options {
        base_url: Some(format!("{MOCK_URL}/v1/")),
        api_key: Some(api_key.unwrap_or(API_KEY).to_owned()),
        storage_key: Some(format!("{storage_key}-{}", js_sys::Math::random())),
        retries: Some(0.0),
        ..Options::default()
    };
    Client::new(options, resources_client::StorageChoice::Auto, None).expect("valid options")
}

/// Expands to the tests both environments run.

macro_rules! client_tests {
    () => {
        use resources_client::{FetchOptions, Modality, Source};
        use wasm_bindgen_test::wasm_bindgen_test;

        #[wasm_bindgen_test]
        async fn fetches_and_validates_the_catalog() {
            let client = wasm_shared::client("fetch", None);
            let result = client.fetch_resources(FetchOptions::default()).await.expect("catalog");
            assert_eq!(result.source, Source::Network);
            assert!(result.changed);
            assert_eq!(result.previous_hash, None);
            let sora = result.resources.model("sora-2").expect("sora-2 in the mock catalog");
            assert_eq!(sora.modality, Modality::Video);
            assert_eq!(sora.run_option("seconds").unwrap().options, vec!["4", "8"]);
            assert_eq!(client.hash().as_deref(), Some(result.hash.as_str()));
        }

        #[wasm_bindgen_test]
        async fn second_fetch_sends_the_hash_and_reports_unchanged() {
            let client = wasm_shared::client("hash", None);
            let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
            let headers = client.agent_headers();
            assert_eq!(headers, vec![("cli-agent".to_owned(), format!("resources_hash={}", first.hash))]);
            let second = client.fetch_resources(FetchOptions::default()).await.unwrap();
            assert!(!second.changed);
            assert_eq!(second.previous_hash.as_deref(), Some(first.hash.as_str()));
        }

        #[wasm_bindgen_test]
        async fn a_wrong_key_is_unauthorized() {
            let client = wasm_shared::client("wrong-key", Some("sk-wrong"));
            let error = client.fetch_resources(FetchOptions::default()).await.unwrap_err();
            assert_eq!(error.code(), "UNAUTHORIZED_ERROR");
            assert_eq!(error.status(), 401);
            assert!(!error.retryable());
            assert!(!error.to_string().contains("sk-wrong"));
            assert_eq!(client.hash(), None, "a failed call stores nothing");
        }
    };
}
