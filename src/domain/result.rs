//! The value every successful call resolves to.

use serde::Serialize;

use super::types::Resources;

/// Where a result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A response of this call.
    Network,
    /// The stored catalog.
    Cache,
}

/// A catalog with what the caller needs to know about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesResult<R = Resources> {
    /// The catalog's hash.
    pub hash: String,
    /// The catalog: typed [`Resources`], or, in the wasm client's own
    /// snapshots, the validated body text it lies in.
    pub resources: R,
    /// Network or cache.
    pub source: Source,
    /// The hash differs from the one stored before this call.
    pub changed: bool,
    /// The hash stored before this call.
    pub previous_hash: Option<String>,
    /// When the catalog came from the network (ms since the epoch).
    pub fetched_at: f64,
    /// Served from cache although a refresh was due or failed.
    pub stale: bool,
    /// Additive surprises, and why a cached catalog was served.
    pub warnings: Vec<String>,
}
