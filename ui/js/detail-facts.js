// What the detail view says about one generation, in words: its heading, every option of its
// request, when it was made and how long it took, the cost estimate, the request "Generate again"
// sends, whether it can be marked, and which way an arrow key moves. No DOM access here.
import { formatDecimal, formatter } from "./format.js";
import { elapsedMs, formatElapsed } from "./time.js";
import { isFinished } from "./status.js";
import { kindOf, wordlessName } from "./pictures.js";
import {
  CAMERA_CUSTOM, cameraText, costText, durationText, fieldText, modelLabel, modeText, movedAxes, ratioShape,
} from "./options.js";

/** The fields of a stored request that "Generate again" sends, in the order of the request. */
export const AGAIN_FIELDS = Object.freeze([
  "prompt", "negative_prompt", "model_name", "mode", "duration", "aspect_ratio", "cfg_scale", "camera_control", "sound",
]);

/** Core's TITLE_MAX_CHARS (library/marks.rs): the title field's maxlength. */
export const TITLE_MAX = 100;

/** The prompt's first non-blank line, or "". */
export function firstLine(text) {
  return String(text ?? "").split(/\r?\n/).map((line) => line.trim()).find(Boolean) ?? "";
}

/**
 * The dialog's heading: the user's title, else the prompt's first line, else what the video was
 * made from without words ("A video from a picture") or "Recovered video (task …)".
 */
export function detailHeading(generation, t) {
  const title = String(generation?.title ?? "").trim();
  if (title) return title;
  const words = firstLine(generation?.request?.prompt);
  if (words) return words;
  if (kindOf(generation) !== "text_to_video") return wordlessName(generation, t);
  return t("detail.recovered", { task_id: generation?.task_id ?? "" });
}

/** A number as the language writes it, up to two decimals (creativity goes in steps of 0.05). */
function formatScale(value, lang) {
  return formatter(Intl.NumberFormat, lang, { maximumFractionDigits: 2 }).format(Number(value));
}

/** "Custom: Move right 2.5" for a custom move, else the preset's name ("Forward and up"). */
export function cameraWords(rules, camera, t, lang) {
  const name = cameraText(camera.type, t);
  if (camera.type !== CAMERA_CUSTOM || !camera.config) return name;
  const axes = rules?.camera_axes ?? Object.keys(camera.config);
  const moved = rules ? movedAxes(rules, camera.config) : axes.filter((axis) => Number(camera.config[axis] ?? 0) !== 0);
  if (!moved.length) return name;
  const moves = moved.map((axis) => {
    const value = Number(camera.config[axis]);
    return t("options.axis_value", {
      word: t(`options.axis.${axis}.${value < 0 ? "neg" : "pos"}`),
      amount: formatDecimal(Math.abs(value), lang),
    });
  });
  return t("detail.camera_custom", { camera: name, moves: moves.join(", ") });
}

/**
 * Every option of a stored request in words, in the order the form shows them:
 * [{field, label, value}] for model, quality, duration, aspect ratio, and creativity, camera
 * movement and sound only when the request set them. `rules` may be null (names stay as sent).
 */
export function optionFacts(rules, request, t, lang) {
  const req = request ?? {};
  const facts = [];
  const add = (field, value) => facts.push({ field, label: fieldText(field, t), value });
  if (req.model_name) add("model_name", rules ? modelLabel(rules, req.model_name) : String(req.model_name));
  if (req.mode) add("mode", modeText(req.mode, t));
  if (req.duration != null && req.duration !== "") add("duration", durationText(formatDecimal(req.duration, lang), t));
  if (req.aspect_ratio) {
    add("aspect_ratio", t("detail.ratio_value", { ratio: req.aspect_ratio, shape: t(`options.shape.${ratioShape(req.aspect_ratio)}`) }));
  }
  if (typeof req.cfg_scale === "number") add("cfg_scale", t("options.cfg_value", { value: formatScale(req.cfg_scale, lang) }));
  if (req.camera_control?.type) add("camera_control", cameraWords(rules, req.camera_control, t, lang));
  if (req.sound === "on") add("sound", t("detail.sound_on"));
  return facts;
}

/** "12 Dec 2025, 14:03" (en) or "12.12.2025, 14:03" (de); "" without a time. */
export function madeText(ms, lang) {
  if (!Number.isFinite(Number(ms)) || ms == null) return "";
  return formatter(Intl.DateTimeFormat, lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(Number(ms)));
}

/**
 * How long it took, from the request to the end: "1 min 12 s" (finished_at − created_at), or
 * "Still in progress" while it is not finished.
 */
export function tookText(generation, t) {
  if (!isFinished(generation?.status) || generation.finished_at == null) return t("detail.took_unfinished");
  return formatElapsed(elapsedMs(generation, generation.finished_at), t);
}

/**
 * "≈ $0.33 · prices as of Dec 2025" for what this request cost, from the price table; for a
 * model, mode or duration the table does not price (or without a table) it says the price is
 * unknown, never $0.
 */
export function costFact(rules, request, t, lang) {
  if (!rules || !request?.model_name) return t("options.cost_unknown");
  return costText(rules, { model_name: request.model_name, mode: request.mode, duration: String(request.duration ?? "") }, t, lang);
}

/** The stored request's `fields` that are set (nulls and blanks dropped). */
function setFields(request, fields) {
  const out = {};
  for (const field of fields) {
    const value = request[field];
    if (value == null || (typeof value === "string" && value.trim() === "")) continue;
    out[field] = value;
  }
  return out;
}

/**
 * The request "Generate again" sends: the stored fields, nulls and blanks dropped. A video from a
 * picture sends its kept pictures instead of a shape, and needs no prompt; a continued clip
 * continues its parent again, with its words. null when there is nothing to make it from: a
 * recovered task has no prompt (the provider does not say what it was made from).
 */
export function againRequest(generation) {
  const request = generation?.request;
  if (!request) return null;
  const kind = kindOf(request);
  if (kind === "extend") {
    const parent = request.parent?.generation_id;
    return parent ? { kind, parent_id: parent, ...setFields(request, ["prompt", "negative_prompt", "cfg_scale"]) } : null;
  }
  if (kind === "image_to_video") {
    if (!request.image?.file) return null;
    const out = setFields(request, AGAIN_FIELDS.filter((field) => field !== "aspect_ratio"));
    out.image = request.image.file;
    if (request.image_tail?.file) out.image_tail = request.image_tail.file;
    return out;
  }
  if (!String(request.prompt ?? "").trim()) return null;
  return setFields(request, AGAIN_FIELDS);
}

/** Favorite, reject and title exist only for a finished video (core refuses them before). */
export function marksAvailable(generation) {
  return isFinished(generation?.status);
}

/**
 * What a title field's value changes: null when nothing (the same title, spaces aside), else the
 * text to send ("" clears the title).
 */
export function titleChange(generation, value) {
  const next = String(value ?? "").trim().split(/\s+/).filter(Boolean).join(" ");
  const current = String(generation?.title ?? "").trim();
  return next === current ? null : next;
}

/**
 * Which way a key press moves through the results: -1 (ArrowLeft), +1 (ArrowRight) or 0. Keys
 * with a modifier, and keys meant for the focused control, move nothing: text fields (their
 * caret), sliders and the player (its seeking), selects.
 * key: {key, altKey, ctrlKey, metaKey, shiftKey}; target: {tag, type, editable}.
 */
export function stepForKey(key, target = {}) {
  if (key.altKey || key.ctrlKey || key.metaKey || key.shiftKey) return 0;
  const delta = key.key === "ArrowLeft" ? -1 : key.key === "ArrowRight" ? 1 : 0;
  if (!delta) return 0;
  const tag = String(target.tag ?? "").toLowerCase();
  if (target.editable || tag === "textarea" || tag === "select" || tag === "video" || tag === "audio") return 0;
  if (tag === "input") {
    const type = String(target.type ?? "text").toLowerCase();
    if (!["button", "checkbox", "radio", "submit", "reset"].includes(type)) return 0;
  }
  return delta;
}
