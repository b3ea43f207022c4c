// The only module that touches window.__TAURI__ (withGlobalTauri). Every call rejects with
// {kind, field, params}, whatever the bridge threw.
import { toAppError } from "./errors.js";

function tauri() {
  const bridge = globalThis.window?.__TAURI__;
  if (!bridge?.core?.invoke || !bridge?.event?.listen) {
    throw { kind: "internal", field: null, params: { detail: "Tauri bridge not available" } };
  }
  return bridge;
}

async function call(command, args, options) {
  try {
    return await tauri().core.invoke(command, args, options);
  } catch (error) {
    throw toAppError(error);
  }
}

/**
 * {version, media_base, data_dir, library_dir, api_base, language, keychain_entry, online,
 *  library_notice: {kind: "library_set_aside", params: {path}} | null, demo, default_chat_model}
 */
export const appInfo = () => call("app_info");

/**
 * The first screen in one piece: {info (appInfo's) | null, failure ({kind, field, params}: why
 * the library could not start) | null, settings (see setSettings), rules (the rules table:
 * limits, models, default_model, default_model_mode, camera_types, camera_axes, prices,
 * prices_as_of), catalogs: {en, de}, first_page: {query, items, next} | null (the gallery's first
 * page for its saved query)}. The shell hands it over with the page on its first load (see
 * delivered); a reload asks for it.
 */
export const boot = () => call("boot");

/**
 * The first screen as the shell handed it over with the page, once; null on a reload (its data is
 * from the app's start) or after it was taken. Not a promise: waiting for one would let the page
 * lay out and paint its empty frame before the gallery is drawn. (Not remembered in session
 * storage: its first use is a synchronous round trip to the storage process.)
 */
export function delivered() {
  const first = globalThis.window?.__KLING_DESK_BOOT__ ?? null;
  delete globalThis.window?.__KLING_DESK_BOOT__;
  const reloaded = globalThis.performance?.getEntriesByType?.("navigation")[0]?.type === "reload";
  return reloaded ? null : first;
}

/** KeyStatus {set, last4, storage, verified} */
export const keyStatus = () => call("key_status");

/** scope: "keychain" (default) or "session" → KeyStatus */
export const saveKey = (key, scope = "keychain") => call("save_key", { key, scope });

export const clearKey = () => call("clear_key");

/** request: {prompt, ...options, takes (1 to 4)} → the new Generation records, take 1 first */
export const generate = (request) => call("generate", { request });

/**
 * One page of what the search box and the filters select → {items, next}; `after` is the `next`
 * of the page before (null for the first). query: {text, status, marks, model_name, aspect_ratio,
 * duration, made, utc_offset_minutes, order} (see library-query.js).
 */
export const listGenerations = (query, after, limit) => call("list_generations", { query, after, limit });

/** The search box and filters as the user left them, for the next start. */
export const saveGalleryQuery = (query) => call("save_gallery_query", { query });

/**
 * One mark of a finished video: {favorite: bool} | {rejected: bool} | {title: "…"} (blank clears)
 * → the updated Generation record. Rejects with title_too_long, or action_not_available while the
 * video is still being made.
 */
export const mark = (id, change) => call("mark", { id, mark: change });

/**
 * settings: {api_base, language, requests_per_second, callback_enabled, callback_port,
 * callback_public_url, ...}, the whole object as `boot` gave it, changed → the saved settings.
 */
export const setSettings = (settings) => call("set_settings", { settings });

/** needs_check: look the task up again → the updated Generation record. */
export const checkAgain = (id) => call("check_again", { id });

/** needs_check: post again with the same external id (may be charged twice) → the updated record. */
export const postAgain = (id) => call("post_again", { id });

/** needs_check: give up on it; queued: cancel before it is sent → the updated record. */
export const discard = (id) => call("discard", { id });

/** Fetches the video again when its download gave up or its result was declared expired. */
export const downloadAgain = (id) => call("download_again", { id });

/** A task made elsewhere (or lost), by its CometAPI task id: resolves with its card's record. */
export const recoverTask = (taskId) => call("recover_task", { taskId });

/**
 * Stores a poster for a ready generation: the JPEG bytes go as the raw request body, the id in a
 * header → the updated Generation record (with poster_url). Rejects with poster_invalid when the
 * bytes are not a JPEG or are over 2 MB.
 */
export const savePoster = (id, bytes) => call("save_poster", bytes, { headers: { "generation-id": id } });

/**
 * Sends finished videos (MP4 and poster) to the system's trash in one call → {deleted, bytes, ids,
 * undo}; `ids` is what `undoDelete` takes back. Rejects with delete_running (nothing moved) or
 * trash_failed (nothing moved).
 */
export const deleteGenerations = (ids) => call("delete_generations", { ids });

/** Takes the videos of a delete back out of the trash → how many came back. */
export const undoDelete = (ids) => call("undo_delete", { ids });

/** Opens a ready video in the system's default player (the path is found by the app). */
export const openVideo = (id) => call("open_video", { id });

/** Shows a ready video in the file manager. */
export const showVideoInFolder = (id) => call("show_video_in_folder", { id });

/** Opens CometAPI's page for API keys in the system's browser (the address is the shell's). */
export const openKeyPage = () => call("open_key_page");

/** The system's folder picker, titled `title` → the chosen folder's path, or null. */
export const chooseFolder = (title) => call("choose_folder", { title });

/**
 * Exports ready videos (`ids`, or every favorite with `favorites: true`) into `folder`: the MP4
 * with its settings in its metadata, a JSON file and the poster. `onProgress({done, total,
 * bytes_done, bytes_total})` follows it → {exported, cancelled, folder, files}. Rejects with
 * export_folder_not_writable, disk_full or export_not_ready (nothing half-written is left).
 */
export async function exportVideos({ ids, favorites, folder, untitled }, onProgress) {
  const progress = new (tauri().core.Channel)();
  progress.onmessage = onProgress;
  return call("export_videos", { ids, favorites, folder, untitled, progress });
}

/** Stops the running export; the file it was copying is removed, the finished ones stay. */
export const cancelExport = () => call("cancel_export");

/** Shows an exported file selected in the file manager. */
export const showExported = (folder, file) => call("show_exported", { folder, file });

/** The prompt and settings a video exported by Kling Desk carries → a request for the composer. */
export const settingsInVideo = (path) => call("settings_in_video", { path });

/** How much space the library takes → {bytes, videos}. */
export const libraryUsage = () => call("library_usage");

/**
 * Moves the library into `folder` ("Kling Desk Library" inside it), following
 * `onProgress({bytes_done, bytes_total, files_done, files_total})`. A finished move starts the app
 * again on the new place, so this settles only when the library stayed where it was: rejects with
 * move_target_not_empty, move_target_inside_library, move_check_failed, move_cancelled, disk_full, …
 */
export async function moveLibrary(folder, onProgress) {
  const progress = new (tauri().core.Channel)();
  progress.onmessage = onProgress;
  return call("move_library", { folder, progress });
}

/** Stops a running move; the library stays where it was. */
export const cancelMove = () => call("cancel_move");

/** Brings demo mode to the front (the built-in stand-in, a library of its own) → appInfo's shape. */
export const enterDemo = () => call("enter_demo");

/** Back to the user's own library → appInfo's shape. */
export const leaveDemo = () => call("leave_demo");

/** Removes the demo's finished videos for good → how many went. */
export const clearDemo = () => call("clear_demo");

/**
 * Improve prompt: {prompt, duration, aspect_ratio, ui_language} → {text, diff: [{op: "same" |
 * "added" | "removed", text}], trimmed, language, estimate}. Nothing goes to Kling. Rejects with
 * prompt_empty, key_missing, key_rejected, coach_rate_limited, coach_model_unavailable,
 * coach_timeout, coach_unavailable or coach_empty_answer; the prompt box is the caller's to keep.
 */
export const improvePrompt = (request) => call("improve_prompt", { request });

/** What one Improve would cost with the chat model in Settings → {model, cents (null: unknown), price_date}. */
export const coachEstimate = (prompt) => call("coach_estimate", { prompt });

/** Built-in phrases in `language` and the user's own → {builtin: [Snippet], own: [Snippet]}. */
export const snippets = (language) => call("snippets", { language });

/** Puts `text` into `prompt` at `cursor` (in characters) → {text, cursor}; rejects with snippet_over_limit. */
export const insertSnippet = (prompt, cursor, text) => call("insert_snippet", { prompt, cursor, text });

/** Saves a phrase of the user's (named by its first words) → the Snippet. */
export const addSnippet = (text) => call("add_snippet", { text });

export const renameSnippet = (id, name) => call("rename_snippet", { id, name });

export const deleteSnippet = (id) => call("delete_snippet", { id });

/** The prompts written before, newest use first, matching every word of `query` → [{prompt, last_used_at, uses}]. */
export const promptHistory = (query, limit) => call("prompt_history", { query, limit });

/**
 * Two ready videos side by side → {a, b, comparison: {prompt_diff, negative_prompt_diff,
 * differences: [{field, a, b}]}} (the diffs read from a to b). Rejects with compare_not_ready
 * (its field "a" or "b") when one is not a ready video of this library.
 */
export const compareGenerations = (a, b) => call("compare_generations", { a, b });

/**
 * A pasted picture (Uint8Array of PNG, JPEG or WebP bytes), checked by the image rules and kept in
 * the library → {file, format, width, height, bytes, url}; `file` is what a request's `image` or
 * `image_tail` names. Rejects with image_unreadable, image_too_large, image_too_small or
 * image_ratio_out_of_range (params say what to change).
 */
export const keepFrame = (bytes) => call("keep_frame", bytes);

/** Like keepFrame, for a dropped file's path. */
export const keepFrameFile = (path) => call("keep_frame_file", { path });

/** The system's picture picker (title and the filter's name in the app's language) → a kept frame, or null when closed. */
export const pickFrame = (title, filter) => call("pick_frame", { title, filter });

/** {ancestors, continuations}: the Generation records a clip continues (oldest first) and those continuing it. */
export const lineage = (id) => call("lineage", { id });

/**
 * What was spent, estimated, for the window's time zone (minutes east of UTC) → {today, this_month,
 * days, months, not_charged, maybe_charged, chat, prices_as_of, budget}; each sum is {cents, videos,
 * unknown_prices} (unknown prices are counted, never added as zero).
 */
export const spend = (utcOffsetMinutes) => call("spend", { utcOffsetMinutes });

/** Asks where to save the ledger as CSV (the system's save dialog, titled `title`) → the path, or null. */
export const exportLedger = (title, utcOffsetMinutes) => call("export_ledger", { title, utcOffsetMinutes });

/** Every price the form can ask for: {rows: [{model, mode, duration, sound, shipped_cents, user_cents}], prices_as_of}. */
export const rateCard = () => call("rate_card");

/** A price of the user's own (from their CometAPI bill) for one row: key {model, mode, duration, sound}. */
export const setUserPrice = (key, usdCents) => call("set_user_price", { key, usdCents });

/** Back to the shipped price (or unknown) for one row. */
export const clearUserPrice = (key) => call("clear_user_price", { key });

/**
 * The cost line before Generate for `request` (with its `takes`) → {estimate: {per_take: {usd_cents,
 * source} | null, takes, total_cents, source, prices_as_of}, budget: {state: "no_budget" | "within" |
 * "would_pass" | "passed", budget_cents, spent_cents, after_cents, unknown_prices}}.
 */
export const costCheck = (request, utcOffsetMinutes) => call("cost_check", { request, utcOffsetMinutes });

/** Exits the app (after the user confirmed the quit dialog). */
export const quit = () => call("quit");

/** → {enabled, port, local_url, public_url, listening, problem: {kind, params} | null} */
export const callbackInfo = () => call("callback_info");

/** A new secret token: the same shape as callbackInfo; old tunnel URLs stop working. */
export const renewCallbackToken = () => call("renew_callback_token");

async function listen(name, handler) {
  try {
    return await tauri().event.listen(name, (event) => handler(event.payload));
  } catch (error) {
    throw toAppError(error);
  }
}

/** Calls handler with every Generation record the backend emits. Resolves to an unlisten function. */
export const onGeneration = (handler) => listen("generation", handler);

/** {online: bool} whenever the connection comes or goes. */
export const onConnectivity = (handler) => listen("connectivity", handler);

/** {unfinished: n}: the window was closed while n generations are on their way. */
export const onQuitRequested = (handler) => listen("quit-requested", handler);

/** The Generation record of a desktop notification the user clicked (the window is in front by then). */
export const onNotificationOpened = (handler) => listen("notification-opened", handler);

/** Calls handler(true) when files are dragged over the window, handler(false) when they leave. */
export async function onFileDrag(handler) {
  const enter = await listen("tauri://drag-enter", () => handler(true));
  const leave = await listen("tauri://drag-leave", () => handler(false));
  return () => {
    enter();
    leave();
  };
}

/** Calls handler(paths) with the paths of files dropped on the window. */
export const onFileDrop = (handler) => listen("tauri://drag-drop", (payload) => handler(payload?.paths ?? []));

/** The background check of the library: {set_aside: {kind, params: {path, rescued, lost}} | null, undecodable}. */
export const onLibraryChecked = (handler) => listen("library-checked", handler);
