//! The window's first screen in one piece: app info (or why the library could not start), the
//! settings, the rules table, the words of every language and the gallery's first page. The shell
//! hands it over with the page itself, in a webview initialization script that runs before the
//! page's own script, so the first cards are drawn without waiting for a single IPC round trip
//! (each one is a turn of the window's thread on both sides). A reload of the page, for which that
//! script's data would be from the start, asks for the same with `boot`.

use std::collections::BTreeMap;

use kling_core::library::MadeFilter;
use kling_core::rules::{self, RulesTable};
use kling_core::{LibraryQuery, Page};
use serde::Serialize;
use serde_json::value::RawValue;
use tauri::{AppHandle, Manager, Runtime};

use crate::commands::AppInfo;
use crate::error::Error;
use crate::settings::Settings;
use crate::AppState;

/// Enough cards to fill a tall window's first screen; the gallery asks for the rest by pages.
const FIRST_PAGE_SIZE: usize = 48;

#[derive(Serialize)]
pub struct Boot {
    /// `None` when the app could not start; `failure` says why, for the window to explain.
    info: Option<AppInfo>,
    failure: Option<Error>,
    settings: Settings,
    rules: RulesTable,
    /// Every catalog of `ui/i18n`, by language code, as the files have them.
    catalogs: BTreeMap<&'static str, &'static RawValue>,
    first_page: Option<FirstPage>,
}

/// The first page of the gallery for the query it was found with (the window draws it only when
/// that is still its query).
#[derive(Serialize)]
struct FirstPage {
    query: LibraryQuery,
    #[serde(flatten)]
    page: Page,
}

/// What the window needs first, as it is now.
pub fn gather<R: Runtime>(app: &AppHandle<R>) -> Boot {
    let settings = Settings::load(app);
    let (info, failure) = match crate::commands::app_info(app.clone()) {
        Ok(info) => (Some(info), None),
        Err(error) => (None, Some(error)),
    };
    let first_page = first_page(app, &settings.gallery);
    let catalogs = crate::catalogs::CATALOGS
        .iter()
        .map(|(code, text)| {
            let raw: &'static RawValue = serde_json::from_str(text).expect("the catalogs are checked JSON");
            (*code, raw)
        })
        .collect();
    Boot {
        info,
        failure,
        settings,
        rules: rules::table(),
        catalogs,
        first_page,
    }
}

/// `None` when the gallery must ask for itself: "made today" starts at the window's midnight,
/// which only the window knows, and an unreadable page is better explained by the window's own
/// request (with its Retry).
fn first_page<R: Runtime>(app: &AppHandle<R>, query: &LibraryQuery) -> Option<FirstPage> {
    if query.made != MadeFilter::Any {
        return None;
    }
    let state = app.try_state::<AppState>()?;
    let page = state.engine().search(query, None, FIRST_PAGE_SIZE).ok()?;
    Some(FirstPage {
        query: query.clone(),
        page,
    })
}

/// The initialization script that hands `boot` to the page as `window.__KLING_DESK_BOOT__`. The
/// data is a string for `JSON.parse`: a few hundred kilobytes of object literal would go through
/// the whole script compiler.
pub fn script(boot: &Boot) -> String {
    let data = serde_json::to_string(boot).expect("the first screen serializes");
    let literal = serde_json::to_string(&data).expect("a string serializes");
    format!("window.__KLING_DESK_BOOT__ = JSON.parse({literal});")
}
