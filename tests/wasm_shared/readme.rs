//! The Rust example of README.md ("Rust API"), run against the mock. The text
//! between the two marker lines must appear verbatim in README.md, so the
//! example there is always code that compiles and passes.

use wasm_bindgen_test::wasm_bindgen_test;

use super::{mock, API_KEY, MOCK_URL};

// README example start
use resources_client::{Client, Error, FetchOptions, Modality, Model, Options, StorageChoice};

/// The image models the API offers, with their run options.
async fn image_models(base_url: Option<String>, api_key: &str) -> Result<Vec<Model>, Error> {
    let options = Options {
        base_url, // None: https://api.betterprompt.me
        api_key: Some(api_key.to_owned()),
        ..Options::default()
    };
    let client = Client::new(options, StorageChoice::Auto, None)?;
    let result = client.fetch_resources(FetchOptions::default()).await?;
    // result.hash, result.source (Network or Cache), result.changed, result.warnings ...
    Ok(result.resources.models.into_iter().filter(|m| m.modality == Modality::Image).collect())
}
// README example end

#[wasm_bindgen_test]
async fn the_readme_example_returns_typed_models() {
    mock::reset().await;
    let models = image_models(Some(MOCK_URL.to_owned()), API_KEY).await.expect("image models");
    let ids: Vec<&str> = models.iter().map(|m| m.model.as_str()).collect();
    assert_eq!(ids, ["gpt-image-1", "gemini-3-pro-image-preview"]);
    assert_eq!(models[0].run_option("quality").unwrap().options, ["low", "medium", "high"]);
    let error = image_models(Some(MOCK_URL.to_owned()), "sk-wrong").await.unwrap_err();
    assert_eq!((error.code(), error.status()), ("UNAUTHORIZED_ERROR", 401));
}

#[wasm_bindgen_test]
fn the_readme_shows_this_example() {
    let this_file = include_str!("readme.rs");
    let start = this_file.find("// README example start\n").unwrap() + "// README example start\n".len();
    let end = this_file.find("// README example end\n").unwrap();
    let example = &this_file[start..end];
    let readme = include_str!("../../README.md");
    assert!(readme.contains(example), "README.md must show, verbatim:\n{example}");
}
