//! # resources-client
//!
//! Discover which AI models an API offers (`GET /v1/resources`), what modality
//! each has and which run options it accepts; validate the catalog, keep it and
//! its hash, and refresh it when the server says `action-require: update-resources`.
//!
//! The crate is built in three parts, each depending only on the ones before:
//! - [`domain`]: pure Rust (types, parsing, validation, header rules, cache
//!   records, retry timing), usable anywhere and tested natively;
//! - on `wasm32`, `web` (the platform: `fetch`, timers, signals, storage,
//!   channels, locks) and `client` (cache policy, one request per record,
//!   retries, invalidation, sync between clients);
//! - on `wasm32`, `bindings`: the wasm-bindgen exports that form the npm package's
//!   JavaScript API (the package's own JavaScript, in `npm/`, adds the start of
//!   the module and the store for screens).

pub mod domain;

#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod web;

pub use crate::domain::error::Error;
pub use crate::domain::options::{Config, Options};
#[cfg(not(target_arch = "wasm32"))]
pub use crate::domain::parse::parse_success;
pub use crate::domain::parse::{check_body, parse_failure, Checked};
pub use crate::domain::result::{ResourcesResult, Source};
pub use crate::domain::types::{Catalog, Modality, Model, Resources, RunOption};

// Catalog helpers: run option validation, lookups, and diffs between catalogs.
pub use crate::domain::catalog::{
    diff_resources, validate_run_options, validate_run_options_value, ErrorCode, ModelChange, OptionChange,
    OptionError, OptionsDiff, ResourcesDiff, RunOptionKey, Validation,
};

#[cfg(target_arch = "wasm32")]
pub use crate::client::{
    AttemptEvent, AttemptHook, BodyText, Client, ErrorListener, FetchOptions, Listener, Snapshot, WeakClient,
};
#[cfg(target_arch = "wasm32")]
pub use crate::web::storage::StorageChoice;
