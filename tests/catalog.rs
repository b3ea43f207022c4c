//! Core speaks in kinds and states; the UI turns them into words. Every kind core can produce and
//! every state must have text in English and in German, or a user would see a bare code.

use kling_core::{Kind, Status};
use serde_json::Value;

fn catalog(language: &str) -> Value {
    let path = format!("{}/ui/i18n/{language}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn text<'a>(catalog: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(catalog, |node, key| node.get(key))?
        .as_str()
        .filter(|t| !t.trim().is_empty())
}

#[test]
fn every_kind_and_state_has_text_in_both_languages() {
    let mut missing = Vec::new();
    for language in ["en", "de"] {
        let catalog = catalog(language);
        for kind in Kind::ALL {
            if text(&catalog, &["error", kind.as_str()]).is_none() {
                missing.push(format!("{language}: error.{kind}"));
            }
        }
        for status in Status::ALL {
            for part in ["label", "hint"] {
                if text(&catalog, &["status", status.as_str(), part]).is_none() {
                    missing.push(format!("{language}: status.{}.{part}", status.as_str()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no text for: {missing:#?}");
}

#[test]
fn german_is_not_english_with_another_name() {
    let (en, de) = (catalog("en"), catalog("de"));
    let same: Vec<&str> = Kind::ALL
        .iter()
        .map(|kind| kind.as_str())
        .filter(|kind| text(&en, &["error", kind]) == text(&de, &["error", kind]))
        .collect();
    assert!(same.is_empty(), "untranslated: {same:?}");
}
