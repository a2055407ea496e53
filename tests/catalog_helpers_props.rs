#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the catalog helpers: whatever the catalog, options built
//! from it validate, a catalog does not differ from itself, and a diff's sizes
//! match the sets of ids it compares.

use std::collections::BTreeSet;

use proptest::prelude::*;
use resources_client::domain::json::Json;
use resources_client::{diff_resources, validate_run_options, Modality, Model, Resources, RunOption};

/// Short ids from a small alphabet, so that two generated catalogs share ids often.
fn id() -> impl Strategy<Value = String> {
    "[a-d][a-d0-2-]{0,3}"
}

fn run_option() -> impl Strategy<Value = RunOption> {
    ("[a-zA-Z]{1,6}", prop::collection::vec("[a-z0-9:]{1,4}", 0..4)).prop_map(|(key, options)| RunOption {
        key,
        options,
        extra: Default::default(),
    })
}

fn model() -> impl Strategy<Value = Model> {
    (id(), prop::sample::select(vec!["text", "image", "video", "audio"]), prop::collection::vec(run_option(), 0..4))
        .prop_map(|(model, modality, available_run_options)| Model {
            model,
            modality: Modality::from(modality.to_owned()),
            available_run_options,
            extra: Default::default(),
        })
}

fn resources() -> impl Strategy<Value = Resources> {
    prop::collection::vec(model(), 0..12).prop_map(|models| Resources { models, sections: Default::default() })
}

fn ids(r: &Resources) -> BTreeSet<String> {
    r.models.iter().map(|m| m.model.clone()).collect()
}

proptest! {
    /// For any model of any catalog, choosing one allowed value for some of its
    /// keys (each key once, spelled as the catalog spells it) validates.
    #[test]
    fn options_built_from_the_catalog_validate(r in resources(), pick in any::<prop::sample::Index>(), choices in prop::collection::vec(any::<prop::sample::Index>(), 8)) {
        prop_assume!(!r.models.is_empty());
        let model = r.find_model(&r.models[pick.index(r.models.len())].model).unwrap();
        let mut seen = BTreeSet::new();
        let mut options = Vec::new();
        for (option, choice) in model.available_run_options.iter().zip(&choices) {
            // Keys that repeat (also in other case) or have no values cannot be given validly.
            if option.options.is_empty() || !seen.insert(option.key.to_lowercase()) {
                continue;
            }
            let first = model.run_option(&option.key).unwrap();
            if first.options.is_empty() { continue; }
            let value = first.options[choice.index(first.options.len())].clone();
            options.push((option.key.clone(), Json::String(value)));
        }
        let v = validate_run_options(&r, &model.model, &options);
        prop_assert!(v.ok(), "{:?} for {:?}", v.errors, options);
    }

    /// A catalog does not differ from itself, nor from a copy in another order.
    #[test]
    fn diff_of_a_catalog_with_itself_is_empty(r in resources()) {
        prop_assert!(diff_resources(&r, &r).is_empty());
        let mut reversed = r.clone();
        reversed.models.reverse();
        // Reversing changes which duplicate of an id comes first; compare without duplicates.
        let mut unique = r.clone();
        let mut seen = BTreeSet::new();
        unique.models.retain(|m| seen.insert(m.model.clone()));
        let mut unique_reversed = unique.clone();
        unique_reversed.models.reverse();
        prop_assert!(diff_resources(&unique, &unique_reversed).is_empty());
    }

    /// |added| = |ids(b) − ids(a)|, |removed| = |ids(a) − ids(b)|, changed ⊆ ids(a) ∩ ids(b),
    /// and every list is sorted without repeats.
    #[test]
    fn diff_sizes_match_the_id_sets(a in resources(), b in resources()) {
        let d = diff_resources(&a, &b);
        let (ia, ib) = (ids(&a), ids(&b));
        let added: Vec<String> = ib.difference(&ia).cloned().collect();
        let removed: Vec<String> = ia.difference(&ib).cloned().collect();
        prop_assert_eq!(&d.added, &added);
        prop_assert_eq!(&d.removed, &removed);
        let both: BTreeSet<&String> = ia.intersection(&ib).collect();
        let changed: Vec<&String> = d.changed.iter().map(|c| &c.model).collect();
        prop_assert!(changed.iter().all(|id| both.contains(id)));
        prop_assert!(changed.windows(2).all(|w| w[0] < w[1]));
        for c in &d.changed {
            prop_assert!(c.modality.is_some() || !c.options.is_empty());
            prop_assert!(c.options.added.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(c.options.removed.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(c.options.changed.windows(2).all(|w| w[0].key < w[1].key));
        }
    }

    /// Swapping the arguments swaps added and removed.
    #[test]
    fn diff_is_antisymmetric(a in resources(), b in resources()) {
        let forward = diff_resources(&a, &b);
        let backward = diff_resources(&b, &a);
        prop_assert_eq!(forward.added, backward.removed);
        prop_assert_eq!(forward.removed, backward.added);
        prop_assert_eq!(forward.changed.len(), backward.changed.len());
    }
}

/// A value near an allowed one: the option in another case, with a letter
/// dropped or changed, as a number or a boolean, or a number nearby.
fn near_value() -> impl Strategy<Value = (usize, u8, i64)> {
    (any::<usize>(), 0u8..6, -3i64..4)
}

proptest! {
    /// Every suggestion for a value (`INVALID_VALUE`, `NOT_A_STRING`), put in
    /// place of the value, validates, and says the same number when the value
    /// had one: a caller that applies suggestions never gets a run it did not ask for.
    #[test]
    fn every_value_suggestion_applied_validates(r in resources(), pick in any::<prop::sample::Index>(), near in near_value()) {
        prop_assume!(!r.models.is_empty());
        let model = r.find_model(&r.models[pick.index(r.models.len())].model).unwrap();
        let Some(option) = model.available_run_options.iter().find(|o| !o.options.is_empty()) else { return Ok(()) };
        let option = model.run_option(&option.key).unwrap();
        prop_assume!(!option.options.is_empty());
        let base = option.options[near.0 % option.options.len()].clone();
        let value = match near.1 {
            0 => Json::String(base.to_uppercase()),
            1 => Json::String(base.chars().skip(1).collect()),
            2 => Json::String(format!("{base}x")),
            3 => base.parse::<f64>().map(|n| Json::Number(n + near.2 as f64)).unwrap_or(Json::Bool(near.2 > 0)),
            4 => Json::Number(near.2 as f64),
            _ => Json::Bool(near.2 % 2 == 0),
        };
        let given = vec![(option.key.clone(), value.clone())];
        let v = validate_run_options(&r, &model.model, &given);
        for e in &v.errors {
            let Some(s) = &e.suggestion else { continue };
            let applied = vec![(option.key.clone(), Json::String(s.clone()))];
            prop_assert!(validate_run_options(&r, &model.model, &applied).ok(), "suggestion {s:?} for {value:?} does not validate");
            let digits = |t: &str| t.chars().filter(char::is_ascii_digit).collect::<String>();
            let given_text = match &value { Json::String(t) => t.clone(), Json::Number(n) => format!("{n}").trim_end_matches(".0").to_owned(), Json::Bool(b) => b.to_string(), _ => String::new() };
            prop_assert_eq!(digits(s), digits(&given_text), "suggestion {:?} changes the number of {:?}", s, value);
        }
    }
}
