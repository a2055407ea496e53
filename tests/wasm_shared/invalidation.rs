//! Invalidation: `on_change` hears every new hash; `observe` reads an API
//! response's `action-require` and refreshes once.

use resources_client::FetchOptions;
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use super::{api_get, client, mock, recording_listener, wait_for};

#[wasm_bindgen_test]
async fn on_change_hears_the_first_hash_and_each_new_one() {
    mock::reset().await;
    let client = client("on-change");
    let (id, heard) = recording_listener(&client);
    let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(*heard.borrow(), [first.hash.clone()], "the first hash is a change");
    client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(heard.borrow().len(), 1, "an unchanged hash is not announced");

    let published = mock::publish(json!({ "preset": "changed" })).await;
    let second = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(second.hash, published["hash"].as_str().unwrap());
    assert_eq!(*heard.borrow(), [first.hash.clone(), second.hash.clone()]);

    client.off(id);
    mock::publish(json!({ "preset": "default" })).await;
    client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(heard.borrow().len(), 2, "off() stops the listener");
}

#[wasm_bindgen_test]
async fn observe_refreshes_once_when_an_api_response_asks() {
    mock::reset().await;
    let client = client("observe");
    let first = client.fetch_resources(FetchOptions::default()).await.unwrap();
    let (_, heard) = recording_listener(&client);

    // With the current hash, the app's API calls carry no action-require.
    let (status, action) = api_get("/v1/me", &client.agent_headers()).await;
    assert_eq!((status, action.as_deref()), (200, None));
    assert!(!client.observe(status, action.as_deref()));
    assert!(!client.is_stale());

    // A deploy publishes a new catalog: the next API response says so.
    let published = mock::publish(json!({ "preset": "changed" })).await;
    let (status, action) = api_get("/v1/me", &client.agent_headers()).await;
    assert_eq!(status, 200);
    assert_eq!(action.as_deref(), Some("update-resources"), "action-require is readable (exposed to CORS)");
    assert!(!client.observe(500, action.as_deref()), "only 2xx responses count");
    assert!(client.observe(status, action.as_deref()));
    assert!(client.is_stale());
    assert!(client.cached().unwrap().stale, "the stored catalog is marked stale at once");
    // Seen again while the refresh runs: it joins the refresh under way.
    assert!(client.observe(status, action.as_deref()));

    let new_hash = published["hash"].as_str().unwrap().to_owned();
    wait_for("the background refresh", || {
        let heard = heard.clone();
        async move { !heard.borrow().is_empty() }
    })
    .await;
    assert_eq!(*heard.borrow(), [new_hash.clone()]);
    assert_eq!(client.hash().as_deref(), Some(new_hash.as_str()));
    assert!(!client.is_stale());
    assert!(!client.cached().unwrap().stale);
    let requests = mock::resource_requests().await;
    assert_eq!(requests.len(), 2, "one refresh for two observed responses: {requests:?}");
    assert_eq!(mock::cli_agent(&requests[1]), Some(format!("resources_hash={}", first.hash).as_str()));

    // With the new hash the app's calls are quiet again.
    let (_, action) = api_get("/v1/me", &client.agent_headers()).await;
    assert_eq!(action, None);
}

#[wasm_bindgen_test]
async fn observe_ignores_other_actions_and_reads_a_list() {
    mock::reset().await;
    let client = client("observe-list");
    client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert!(!client.observe(200, None));
    assert!(!client.observe(200, Some("update-cli")));
    assert!(!client.observe(404, Some("update-resources")));
    assert!(!client.is_stale());
    let (_, heard) = recording_listener(&client);
    mock::publish(json!({ "preset": "changed" })).await;
    assert!(client.observe(204, Some("update-cli, UPDATE-RESOURCES")), "case-insensitive, comma-separated");
    wait_for("the background refresh", || {
        let heard = heard.clone();
        async move { !heard.borrow().is_empty() }
    })
    .await;
    assert_eq!(mock::resource_requests().await.len(), 2);
}
