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

async function call(command, args) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

/** {version, media_base, data_dir, api_base, language} */
export const appInfo = () => call("app_info");

/** The rules table: {limits, models, default_model, default_model_mode, camera_types, camera_axes, prices, prices_as_of} */
export const rules = () => call("rules");

/** KeyStatus {set, last4, storage, verified} */
export const keyStatus = () => call("key_status");

/** scope: "keychain" (default) or "session" → KeyStatus */
export const saveKey = (key, scope = "keychain") => call("save_key", { key, scope });

export const clearKey = () => call("clear_key");

/** request: {prompt, ...options} → the new Generation record */
export const generate = (request) => call("generate", { request });

/** → {items, next} newest first; before is null for the first page. */
export const listGenerations = (before, limit) => call("list_generations", { before, limit });

/** → {api_base, language} */
export const getSettings = () => call("get_settings");

export const setSettings = (settings) => call("set_settings", { settings });

/** Calls handler with every Generation record the backend emits. Resolves to an unlisten function. */
export async function onGeneration(handler) {
  try {
    return await tauri().event.listen("generation", (event) => handler(event.payload));
  } catch (error) {
    throw toAppError(error);
  }
}
