//! The pure core: types, parsing and validation, catalog helpers, header rules, cache records,
//! options and retry timing. Nothing here touches JavaScript (but for one
//! number printer, see [`text::number_text`]), so all of it is tested natively
//! with `cargo test`.

pub mod catalog;
pub mod checksum;
pub mod error;
pub mod headers;
pub mod json;
pub mod options;
pub mod parse;
pub mod record;
pub mod redact;
pub mod result;
pub mod retry;
pub mod scan;
pub mod schema;
pub mod sha256;
pub mod sort;
pub mod text;
pub mod types;
pub mod url;
pub mod walk;
pub mod whole;
