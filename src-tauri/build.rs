/// Every command the window may call. Listing them makes each one need an explicit permission,
/// so the capability file is the whole list of what the UI can do.
const COMMANDS: &[&str] = &[
    "app_info",
    "boot",
    "key_status",
    "save_key",
    "clear_key",
    "generate",
    "list_generations",
    "mark",
    "save_gallery_query",
    "set_settings",
    "check_again",
    "post_again",
    "discard",
    "download_again",
    "recover_task",
    "callback_info",
    "renew_callback_token",
    "quit",
    "save_poster",
    "delete_generations",
    "undo_delete",
    "open_video",
    "show_video_in_folder",
    "open_key_page",
    "choose_folder",
    "export_videos",
    "cancel_export",
    "show_exported",
    "settings_in_video",
    "library_usage",
    "move_library",
    "cancel_move",
    "enter_demo",
    "leave_demo",
    "clear_demo",
    "improve_prompt",
    "coach_estimate",
    "snippets",
    "insert_snippet",
    "add_snippet",
    "rename_snippet",
    "delete_snippet",
    "prompt_history",
    "compare_generations",
    "spend",
    "cost_check",
    "rate_card",
    "set_user_price",
    "clear_user_price",
    "export_ledger",
    "keep_frame",
    "keep_frame_file",
    "pick_frame",
    "lineage",
];

fn main() {
    embed_bundled_frontend();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}

/// The app embeds a copy of `ui/` whose modules are joined into two scripts, the first of them
/// and the stylesheet written into `index.html` (`kling-ui-bundle`): the page then fetches nothing
/// before its first paint instead of dozens of files. `tauri.conf.json` keeps
/// naming `ui/` (the tools and the tests read the modules there); the copy is handed to Tauri's
/// context macro through `TAURI_CONFIG`, which it merges over the file, keeping what the Tauri CLI
/// may have put there.
fn embed_bundled_frontend() {
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("frontend");
    kling_ui_bundle::write_frontend(&root.join("ui"), &out)
        .unwrap_or_else(|error| panic!("the window's script could not be bundled: {error}"));
    println!("cargo:rerun-if-changed=ui");
    println!("cargo:rerun-if-env-changed=TAURI_CONFIG");
    let mut config = std::env::var("TAURI_CONFIG")
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    if !config["build"].is_object() {
        config["build"] = serde_json::json!({});
    }
    config["build"]["frontendDist"] = serde_json::json!(out);
    println!("cargo:rustc-env=TAURI_CONFIG={config}");
}
