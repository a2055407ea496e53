//! The Rust crate API compiled to wasm, in Node.js, against the mock API
//! (`MOCK_URL` is fixed at compile time by `./run test`). Run with
//! `wasm-pack test --node -- --test wasm_node`.
#![cfg(target_arch = "wasm32")]

#[macro_use]
mod wasm_shared;

client_tests!();
