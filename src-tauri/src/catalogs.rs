//! The window's own words (`ui/i18n/*.json`, built into the binary) for what the shell says by
//! itself, before or beside the window: why a start failed, a desktop notification. Looked up in
//! the language the window would use.

use serde_json::{Map, Value};
use tauri::{AppHandle, Runtime};

/// Every language of the window, by code, with its catalog's text.
pub const CATALOGS: [(&str, &str); 2] = [
    ("en", include_str!("../../ui/i18n/en.json")),
    ("de", include_str!("../../ui/i18n/de.json")),
];

/// The window's own choice (`pickLanguage` in ui/js/i18n.js): the setting if the app has that
/// language, else the system's, else English.
pub fn language(setting: Option<&str>, system: Option<&str>) -> &'static str {
    if let Some((code, _)) = CATALOGS.iter().find(|(code, _)| Some(*code) == setting) {
        return code;
    }
    match system {
        Some(locale) if locale.to_ascii_lowercase().starts_with("de") => "de",
        _ => "en",
    }
}

/// The language of this app's messages before there is a window: Settings' choice when it can be
/// read, else the system's.
pub fn app_language<R: Runtime>(app: &AppHandle<R>) -> &'static str {
    let setting = crate::settings::Settings::load(app).language;
    language(setting.as_deref(), sys_locale::get_locale().as_deref())
}

/// The text at `key` ("error.library_unavailable") in `language`, else in English, with each
/// `{name}` replaced by its parameter as the window does it (a list becomes "a, b").
pub fn text(language: &str, key: &str, params: &Map<String, Value>) -> Option<String> {
    let lookup = |wanted: &str| -> Option<String> {
        let (_, source) = CATALOGS.iter().find(|(code, _)| *code == wanted)?;
        let catalog: Value = serde_json::from_str(source).ok()?;
        let found = key.split('.').try_fold(&catalog, |node, part| node.get(part))?;
        found.as_str().map(str::to_owned)
    };
    let mut text = lookup(language).or_else(|| lookup("en"))?;
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), &plain(value));
    }
    Some(text)
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
