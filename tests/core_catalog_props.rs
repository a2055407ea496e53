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
