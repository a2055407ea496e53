//! The catalog's data types, as users of the crate and of the JS package see them.
//!
//! Serialisation follows the wire format (`availableRunOptions`, modality as a
//! plain string) so that what is stored and what JS receives is the same JSON.

use super::json::JsonObject;
use serde::{Deserialize, Serialize};

/// What kind of output a model produces. Unknown values are kept as [`Modality::Other`]
/// so that a server release with a new modality does not break older clients.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Modality {
    /// `"text"`
    Text,
    /// `"image"`
    Image,
    /// `"video"`
    Video,
    /// Any other value, kept verbatim.
    Other(String),
}

impl Modality {
    /// The documented modalities, as the server spells them: the one list the
    /// schema walk, [`Modality::from`] and the declarations' `Modality` union
    /// (checked by `tests/declarations.rs`) agree on.
    pub const KNOWN: [&'static str; 3] = ["text", "image", "video"];

    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Modality::Text => Self::KNOWN[0],
            Modality::Image => Self::KNOWN[1],
            Modality::Video => Self::KNOWN[2],
            Modality::Other(s) => s,
        }
    }

    /// Whether this is one of the documented modalities.
    pub fn is_known(&self) -> bool {
        !matches!(self, Modality::Other(_))
    }
}

impl From<String> for Modality {
    fn from(s: String) -> Self {
        match Modality::KNOWN.iter().position(|k| *k == s) {
            Some(0) => Modality::Text,
            Some(1) => Modality::Image,
            Some(2) => Modality::Video,
            _ => Modality::Other(s),
        }
    }
}

impl From<Modality> for String {
    fn from(m: Modality) -> Self {
        match m {
            Modality::Other(s) => s,
            known => known.as_str().to_owned(),
        }
    }
}

/// One option a model accepts at run time, with its allowed values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunOption {
    /// Option key, e.g. `reasoningEffort`. Never empty.
    pub key: String,
    /// Accepted values; the server takes them as strings.
    pub options: Vec<String>,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// One model of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    /// Model id, e.g. `gpt-4o`. Never empty.
    pub model: String,
    /// What the model produces.
    pub modality: Modality,
    /// Options the model accepts on a run; empty when none.
    pub available_run_options: Vec<RunOption>,
    /// Fields this version does not know, kept as they came.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl Model {
    /// The run option with this key, if the model accepts it.
    pub fn run_option(&self, key: &str) -> Option<&RunOption> {
        self.available_run_options.iter().find(|o| o.key == key)
    }
}

/// The `resources` object: the models and any other sections the server sends.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Resources {
    /// Every model, in the server's order.
    pub models: Vec<Model>,
    /// Sections other than `models`, kept as they came.
    #[serde(flatten)]
    pub sections: JsonObject,
}

impl Resources {
    /// The first model with this id.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.model == id)
    }
}

/// A validated catalog: its hash and its resources.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// Content hash, base64url; safe to put in a header.
    pub hash: String,
    /// The catalog itself.
    pub resources: Resources,
    /// Additive surprises found while validating (unknown modality, duplicates, ...).
    pub warnings: Vec<String>,
}
