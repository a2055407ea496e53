//! Sync with other realms, as a thin adapter that hands record texts to the
//! entries: the module's `BroadcastChannel` (pages, workers, iframes, other
//! tabs, other copies of the module in one process) and Web Locks (one refresh
//! of a record at a time across an origin). The `storage` events of other
//! tabs' `localStorage` writes are heard by each entry (see [`super::entry`]).

use wasm_bindgen::JsValue;

use super::registry;
use crate::web::{channel, lock};

/// Opens the channel once; its records go to the entries of their key.
pub(super) fn open_channel() {
    channel::open(from_other_realm);
}

/// Posts a record this realm stored to the other realms.
pub(super) fn post(key: &str, text: &JsValue) {
    channel::post(key, text);
}

/// A record another realm stored (a `BroadcastChannel` message).
fn from_other_realm(key: String, text: JsValue) {
    for entry in registry::entries_of_key(&key) {
        entry.adopt(&text);
    }
}

/// The lock that lets one tab at a time refresh the record `key`.
///
/// Taken only once a record is stored: the first catalog of a record (a first
/// visit) goes out at once, since the lock's round trip through the browser
/// would delay every first page load to save a second request only when two
/// tabs of a first visit open at the same moment. The wait is bounded by
/// `timeoutMs`: a tab whose request hangs, or any script holding the lock,
/// cannot hold back this tab's refresh longer. `None` where the platform has
/// no Web Locks.
pub(super) async fn refresh_lock(key: &str, timeout_ms: u64) -> Option<lock::Held> {
    lock::acquire(&format!("resources-client:refresh:{key}"), timeout_ms).await
}
