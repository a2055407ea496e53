//! The stored record: one versioned JSON document per (storage key, base URL)
//! holding the hash, the catalog, when it was fetched and whether it is stale.
//!
//! A record is validated on read like a response body; anything corrupt, from
//! another format version or written for another base URL is discarded.

use serde::Serialize;
use serde_json::Value;

use super::parse::{check_hash, validate_resources, Findings};
use super::types::Resources;

/// Format version written by this release.
pub const RECORD_VERSION: u64 = 1;

/// The storage key for a base URL: entries are scoped by both.
pub fn storage_key(prefix: &str, base_url: &str) -> String {
    format!("{prefix}:{base_url}")
}

/// A catalog as kept in storage.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// The catalog's hash.
    pub hash: String,
    /// When it came from the network (ms since the epoch).
    pub fetched_at: f64,
    /// An `action-require` asked for a refresh that has not happened yet.
    pub stale: bool,
    /// The catalog.
    pub resources: Resources,
    /// Warnings found when it was read back.
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordOut<'a> {
    v: u64,
    base_url: &'a str,
    hash: &'a str,
    fetched_at: f64,
    stale: bool,
    resources: &'a Resources,
}

/// Serialises a record for `base_url`.
pub fn encode(base_url: &str, hash: &str, fetched_at: f64, stale: bool, resources: &Resources) -> String {
    let out = RecordOut { v: RECORD_VERSION, base_url, hash, fetched_at, stale, resources };
    // Serialising plain strings, numbers and JSON values cannot fail.
    serde_json::to_string(&out).unwrap_or_default()
}

/// Reads a record back; `Err` says why it was discarded.
pub fn decode(text: &str, base_url: &str) -> Result<StoredRecord, String> {
    // from_slice, as everywhere: one instantiation of the Value parser in the wasm build.
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(text.as_bytes()) else {
        return Err("stored record is not a JSON object".into());
    };
    match map.get("v").and_then(Value::as_u64) {
        Some(RECORD_VERSION) => {}
        Some(v) => return Err(format!("stored record has format version {v}, this release reads {RECORD_VERSION}")),
        None => return Err("stored record has no format version".into()),
    }
    if map.get("baseUrl").and_then(Value::as_str) != Some(base_url) {
        return Err("stored record belongs to another base URL".into());
    }
    let hash = match map.remove("hash") {
        Some(Value::String(h)) if check_hash(&h).is_ok() => h,
        _ => return Err("stored record has no valid hash".into()),
    };
    let fetched_at = match map.get("fetchedAt").and_then(Value::as_f64) {
        Some(t) if t.is_finite() && t >= 0.0 => t,
        _ => return Err("stored record has no valid fetchedAt".into()),
    };
    let stale = matches!(map.get("stale"), Some(Value::Bool(true)));
    let Some(resources) = map.remove("resources") else {
        return Err("stored record has no resources".into());
    };
    let mut findings = Findings::new(0, false);
    // Warnings use the paths of the response the catalog came from, so a cached
    // result reads like the network result it repeats.
    let resources = validate_resources(resources, "data.resources", &mut findings).map_err(|e| format!("stored record: {e}"))?;
    Ok(StoredRecord { hash, fetched_at, stale, resources, warnings: findings.finish() })
}

/// Whether a stored record may be served without asking the network.
pub fn is_fresh(record: &StoredRecord, now_ms: f64, max_age_ms: u64) -> bool {
    let age = now_ms - record.fetched_at;
    // A record from the future (clock moved back) is not trusted as fresh.
    max_age_ms > 0 && !record.stale && age >= 0.0 && age < max_age_ms as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::types::{Model, Modality};

    fn sample() -> Resources {
        Resources {
            models: vec![Model {
                model: "gpt-4o".into(),
                modality: Modality::Text,
                available_run_options: vec![],
                extra: Default::default(),
            }],
            sections: Default::default(),
        }
    }

    #[test]
    fn round_trip() {
        let text = encode("https://h", "abc_-", 12.0, true, &sample());
        let r = decode(&text, "https://h").unwrap();
        assert_eq!((r.hash.as_str(), r.fetched_at, r.stale), ("abc_-", 12.0, true));
        assert_eq!(r.resources, sample());
    }

    #[test]
    fn foreign_or_corrupt_records_are_discarded() {
        let text = encode("https://h", "abc", 12.0, false, &sample());
        assert!(decode(&text, "https://other").is_err());
        assert!(decode(&text.replace("\"v\":1", "\"v\":2"), "https://h").unwrap_err().contains("version 2"));
        assert!(decode(&text.replace("\"abc\"", "\"a b\""), "https://h").is_err());
        assert!(decode(&text[..text.len() - 3], "https://h").is_err());
        assert!(decode("null", "https://h").is_err());
        assert!(decode(&text.replace("gpt-4o", ""), "https://h").is_err());
    }

    #[test]
    fn freshness() {
        let mut r = decode(&encode("b", "h", 1000.0, false, &sample()), "b").unwrap();
        assert!(!is_fresh(&r, 1500.0, 0));
        assert!(is_fresh(&r, 1500.0, 1000));
        assert!(!is_fresh(&r, 2500.0, 1000));
        assert!(!is_fresh(&r, 500.0, 1000));
        r.stale = true;
        assert!(!is_fresh(&r, 1500.0, 1000));
    }
}
