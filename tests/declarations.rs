#![cfg(not(target_arch = "wasm32"))]
//! Facts the Rust core and the package's TypeScript declarations must agree on,
//! each with one source: the error codes a `ResourcesError` may carry
//! (`ClientErrorCode` in `npm/index.d.ts` is exactly the codes of [`Error`]
//! plus those the package's JavaScript makes) and the documented modalities
//! (the `Modality` union and [`Modality`]'s known values). The matches below
//! are exhaustive: a new variant does not compile until it is listed here.

use std::collections::BTreeSet;

use resources_client::{Error, Modality};

const DECLARATIONS: &str = include_str!("../npm/index.d.ts");
/// The package's JavaScript files that make errors of their own.
const JAVASCRIPT: [&str; 4] = [
    include_str!("../npm/start.js"),
    include_str!("../npm/instance.js"),
    include_str!("../npm/errors.js"),
    include_str!("../npm/store.js"),
];
const INIT_DECLARATIONS: &str = include_str!("../npm/init.d.ts");

/// The string literals of `export type <name> = 'a' | 'b' ...;` in `source`
/// (its `/** */` comments left out: they may hold quotes and semicolons).
fn union(source: &str, name: &str) -> BTreeSet<String> {
    let start = source.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("no type {name}"));
    let mut body = String::new();
    let mut rest = &source[start..];
    while let Some(open) = rest.find("/*") {
        body.push_str(&rest[..open]);
        let close = rest[open..].find("*/").expect("the comment ends");
        rest = &rest[open + close + 2..];
    }
    body.push_str(rest);
    let body = &body[..body.find(';').expect("the type ends")];
    body.split(['\'', '"']).skip(1).step_by(2).map(str::to_owned).collect()
}

/// One error of each variant; adding a variant breaks this match until it is listed.
fn one_of_each() -> Vec<Error> {
    let all = vec![
        Error::Http { status: 502, message: String::new(), retry_after_ms: None },
        Error::InvalidResponse { status: 200, path: None, message: String::new() },
        Error::Network { message: String::new() },
        Error::Timeout { timeout_ms: 1 },
        Error::Aborted,
        Error::SignalTimeout,
        Error::ResponseTooLarge { status: 200, max_bytes: 1 },
        Error::TextTooLong { status: 200 },
        Error::Redirect { status: 302, message: String::new(), cross_origin: true },
        Error::Redirect { status: 302, message: String::new(), cross_origin: false },
        Error::InvalidOptions { message: String::new() },
    ];
    for e in &all {
        match e {
            // The server's own codes (`ServerErrorCode`), and a wrapper of the others.
            Error::Api { .. } | Error::Request { .. } => unreachable!(),
            Error::Http { .. }
            | Error::InvalidResponse { .. }
            | Error::Network { .. }
            | Error::Timeout { .. }
            | Error::Aborted
            | Error::SignalTimeout
            | Error::ResponseTooLarge { .. }
            | Error::TextTooLong { .. }
            | Error::Redirect { .. }
            | Error::InvalidOptions { .. } => {}
        }
    }
    all
}

#[test]
fn client_error_codes_are_those_of_the_core_and_the_package_javascript() {
    let declared = union(DECLARATIONS, "ClientErrorCode");
    let mut made: BTreeSet<String> = one_of_each().iter().map(|e| e.code().to_owned()).collect();
    for source in JAVASCRIPT {
        for part in source.split("code: '").skip(1) {
            let code: String = part.chars().take_while(|c| c.is_ascii_uppercase() || *c == '_').collect();
            if !code.is_empty() && part[code.len()..].starts_with('\'') {
                made.insert(code);
            }
        }
    }
    assert_eq!(declared, made, "ClientErrorCode in npm/index.d.ts against the codes the package makes");
    // The init entry's codes are among them.
    assert!(union(INIT_DECLARATIONS, "InitErrorCode").is_subset(&declared));
}

#[test]
fn the_modality_union_is_the_documented_modalities() {
    let known = [Modality::Text, Modality::Image, Modality::Video];
    for m in &known {
        match m {
            Modality::Text | Modality::Image | Modality::Video => assert!(m.is_known()),
            Modality::Other(_) => unreachable!(),
        }
    }
    let names: BTreeSet<String> = known.iter().map(|m| m.as_str().to_owned()).collect();
    assert_eq!(names, Modality::KNOWN.iter().map(|k| (*k).to_owned()).collect::<BTreeSet<_>>());
    assert_eq!(union(DECLARATIONS, "Modality"), names);
    for name in &names {
        assert_eq!(Modality::from(name.clone()).as_str(), name, "read back as itself");
    }
}

/// The option names of `export interface <name> { ... }` in `source`.
fn interface_keys(source: &str, name: &str) -> BTreeSet<String> {
    let start = source.find(&format!("export interface {name} {{")).unwrap_or_else(|| panic!("no interface {name}"));
    let body = &source[start..];
    let body = &body[..body.find("\n}").expect("the interface ends")];
    body.lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once(['?', ':']).map(|(k, _)| k.trim().to_owned()))
        .collect()
}

/// The options the wasm build reads (`FIELDS` and `CALL_ONLY` in `src/bindings/options.rs`,
/// the one list the reader refuses unknown keys against).
fn read_options() -> (BTreeSet<String>, BTreeSet<String>) {
    let source = include_str!("../src/bindings/options.rs");
    let list = |marker: &str| -> BTreeSet<String> {
        let start = source.find(marker).unwrap_or_else(|| panic!("no {marker}"));
        let body = &source[start..];
        let body = &body[body.find('=').unwrap()..body.find("];").unwrap()];
        body.split('"').skip(1).step_by(2).map(str::to_owned).collect()
    };
    (list("const FIELDS"), list("const CALL_ONLY"))
}

#[test]
fn the_options_read_are_the_options_declared() {
    let (all, call_only) = read_options();
    let client: BTreeSet<String> = all.difference(&call_only).cloned().collect();
    assert_eq!(interface_keys(DECLARATIONS, "ClientOptions"), client, "ClientOptions against FIELDS less CALL_ONLY");
    assert_eq!(interface_keys(DECLARATIONS, "FetchOptions"), call_only, "FetchOptions against CALL_ONLY");
    assert!(interface_keys(DECLARATIONS, "ParseOptions").is_subset(&all));
}
