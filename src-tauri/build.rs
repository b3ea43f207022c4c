/// Every command the window may call. Listing them makes each one need an explicit permission,
/// so the capability file is the whole list of what the UI can do.
const COMMANDS: &[&str] = &[
    "app_info",
    "key_status",
    "save_key",
    "clear_key",
    "generate",
    "list_generations",
    "mark",
    "save_gallery_query",
    "get_settings",
    "set_settings",
    "rules",
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
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}
