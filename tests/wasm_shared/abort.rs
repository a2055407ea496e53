//! Aborting: an `AbortSignal` cancels its own caller only; concurrent callers
//! share one request.

use futures_util::future::join3;
use resources_client::{FetchOptions, Source};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::AbortController;

use super::{client, mock, wait_for};

#[wasm_bindgen_test]
async fn aborting_one_caller_leaves_the_shared_request_to_the_other() {
    mock::reset().await;
    // The response waits, so both callers are still waiting when one aborts.
    mock::faults(json!([{ "delayMs": 400 }])).await;
    let client = client("abort-one");
    let controller = AbortController::new().unwrap();
    let aborting = client.fetch_resources(FetchOptions { signal: Some(controller.signal()), ..Default::default() });
    let waiting = client.fetch_resources(FetchOptions::default());
    let abort = async {
        wait_for("the request to reach the mock", || async { !mock::resource_requests().await.is_empty() }).await;
        controller.abort();
    };
    let (aborted, served, ()) = join3(aborting, waiting, abort).await;
    let error = aborted.unwrap_err();
    assert_eq!(error.code(), "ABORTED");
    assert_eq!(error.status(), 0);
    assert!(!error.retryable());
    let served = served.expect("the other caller still gets the catalog");
    assert_eq!(served.source, Source::Network);
    assert_eq!(client.hash().as_deref(), Some(served.hash.as_str()));
    let requests = mock::resource_requests().await;
    assert_eq!(requests.len(), 1, "both callers shared one request");
    assert_eq!(requests[0]["status"], 200);
}

#[wasm_bindgen_test]
async fn concurrent_callers_share_one_request() {
    mock::reset().await;
    let client = client("single-flight");
    let (a, b, c) = join3(
        client.fetch_resources(FetchOptions::default()),
        client.fetch_resources(FetchOptions::default()),
        client.fetch_resources(FetchOptions::default()),
    )
    .await;
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!((a.hash == b.hash, b.hash == c.hash), (true, true));
    assert!(a.changed && b.changed && c.changed, "one refresh, seen the same way by all");
    assert_eq!(mock::resource_requests().await.len(), 1);
}

#[wasm_bindgen_test]
async fn an_already_aborted_signal_fails_without_a_request() {
    mock::reset().await;
    let client = client("pre-aborted");
    let controller = AbortController::new().unwrap();
    controller.abort();
    let error = client
        .fetch_resources(FetchOptions { signal: Some(controller.signal()), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(error.code(), "ABORTED");
    assert!(mock::resource_requests().await.is_empty());
}

#[wasm_bindgen_test]
async fn aborting_the_only_caller_stores_nothing_and_a_later_call_works() {
    mock::reset().await;
    mock::faults(json!([{ "kind": "hang" }])).await;
    let client = client("abort-only");
    let controller = AbortController::new().unwrap();
    let call = client.fetch_resources(FetchOptions { signal: Some(controller.signal()), ..Default::default() });
    let abort = async {
        wait_for("the request to reach the mock", || async { !mock::resource_requests().await.is_empty() }).await;
        controller.abort();
    };
    let (result, ()) = futures_util::future::join(call, abort).await;
    assert_eq!(result.unwrap_err().code(), "ABORTED");
    assert_eq!(client.hash(), None);
    // The cancelled request is gone: the next call makes a new one and succeeds.
    let result = client.fetch_resources(FetchOptions::default()).await.unwrap();
    assert_eq!(result.source, Source::Network);
    assert_eq!(mock::resource_requests().await.len(), 2);
}
