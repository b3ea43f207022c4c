// Pictures a video starts or ends from, and clips that continue others: which dropped or pasted
// thing is a picture, how its size reads, how a generation was made (its badge) and how long it
// can still be continued. No DOM access here.
import { DAY_MS } from "./expiry.js";
import { formatDecimal } from "./format.js";

/** How a video is made; `request.kind` of a Generation (older records have none: text). */
export const KINDS = Object.freeze(["text_to_video", "image_to_video", "extend"]);

/** The request fields holding a picture, start first. */
export const PICTURE_FIELDS = Object.freeze(["image", "image_tail"]);

/** File names the picture rules can take (PNG, JPEG, WebP), by their usual extensions. */
const PICTURE_NAME = /\.(png|jpe?g|webp)$/i;

/** The first dropped file that can be a picture, or null. */
export function droppedPicture(paths) {
  return (paths ?? []).find((path) => PICTURE_NAME.test(String(path))) ?? null;
}

/**
 * The picture a paste carries, as a File, or null. A paste that carries text too is left to the
 * text field: word processors put a picture of the copied words beside them.
 */
export function pastedPicture(clipboardData) {
  if (!clipboardData) return null;
  if (String(clipboardData.getData?.("text/plain") ?? "").trim() !== "") return null;
  const files = [...(clipboardData.files ?? [])];
  return files.find((file) => String(file?.type ?? "").startsWith("image/")) ?? null;
}

/** "1280 × 720" for a kept picture ({width, height}), or "" when its size is unknown. */
export function pictureSize(frame) {
  const width = Number(frame?.width);
  const height = Number(frame?.height);
  return width > 0 && height > 0 ? `${width} × ${height}` : "";
}

/**
 * Where a dropped or pasted picture goes: the start picture while there is none, else the end
 * picture when one is offered and still empty, else it replaces the start picture.
 */
export function pictureTarget({ image, image_tail: tail, endOffered }) {
  if (!image) return "image";
  if (endOffered && !tail) return "image_tail";
  return "image";
}

/** A picture of a stored request ({file, width, height, …}) with where the window shows it. */
export function shownPicture(frame, url) {
  return frame?.file ? { ...frame, url: url ?? null } : null;
}

/** How a generation (or its request) was made: one of KINDS. */
export function kindOf(generation) {
  const request = generation?.request ?? generation;
  if (KINDS.includes(request?.kind)) return request.kind;
  if (request?.parent) return "extend";
  if (request?.image) return "image_to_video";
  return "text_to_video";
}

/** The catalog key of a card's badge for how it was made; null for a video from words. */
export function kindBadgeKey(generation) {
  const kind = kindOf(generation);
  return kind === "text_to_video" ? null : `card.kind.${kind}`;
}

/**
 * How long a clip can still be continued, from the record's `continue_until` (ms, null when it
 * cannot be now) → {days, lessThanDay} (whole days left, rounded down), or null.
 */
export function continueLeft(until, now) {
  if (until == null || !Number.isFinite(Number(until))) return null;
  const left = Number(until) - now;
  if (left <= 0) return null;
  const days = Math.floor(left / DAY_MS);
  return { days, lessThanDay: days === 0 };
}

/** "12 days left to continue", through a translator with plural support (t.plural). */
export function continueLeftText(info, t) {
  if (!info) return "";
  if (info.lessThanDay) return t("continue.left_less");
  return t.plural("continue.left", info.days, { days: info.days });
}

/** The formats as people know them. */
const FORMAT_NAMES = { png: "PNG", jpeg: "JPEG", webp: "WebP" };

/**
 * A refusal's parameters in words: the formats by their names ("PNG, JPEG, WebP"), megabytes and
 * seconds as the language writes decimals (12,4 in German).
 */
export function pictureParams(params = {}, lang = "en") {
  const out = { ...params };
  if (Array.isArray(out.formats)) out.formats = out.formats.map((format) => FORMAT_NAMES[format] ?? String(format).toUpperCase());
  for (const name of ["mb", "max_mb", "seconds"]) {
    if (out[name] != null) out[name] = formatDecimal(out[name], lang);
  }
  return out;
}

/**
 * What stands for the prompt of a video made without words: "A video from a picture", "A
 * continued clip", or, for a task recovered by its id (the provider does not say what it was made
 * from), "Recovered video (task …)".
 */
export function wordlessName(generation, t) {
  const kind = kindOf(generation);
  if (kind !== "text_to_video") return t(`card.wordless.${kind}`);
  return t("card.recovered", { task_id: generation?.task_id ?? "" });
}
