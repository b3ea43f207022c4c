// What the compare view says about two videos, in words: whether a selection can be compared,
// each side's settings in rows that line up (the ones core found different marked), each prompt
// with the words only it has, the summary line and the players' clock. No DOM access here.
import { AGAIN_FIELDS, costFact, madeText, optionFacts } from "./detail-facts.js";
import { formatDecimal } from "./format.js";
import { CAMERA_AUTO, cameraText, fieldText } from "./options.js";
import { pictureSize } from "./pictures.js";
import { canOpen } from "./tidy.js";

export const SIDES = Object.freeze(["a", "b"]);

/** Compare is offered for exactly two ready videos (core checks again when asked). */
export function canCompare(generations) {
  return generations.length === 2 && generations.every(canOpen);
}

/** What a side shows for a setting its request left out while the other one set it. */
function unsetText(field, t) {
  if (field === "sound") return t("compare.sound_off");
  if (field === "camera_control") return cameraText(CAMERA_AUTO, t);
  if (field === "kind") return t("gallery.kind.text_to_video");
  if (field === "image" || field === "image_tail") return t("compare.no_picture");
  return t("compare.default");
}

/** How a video was made, when not from words alone, and the pictures it starts and ends on. */
function madeFacts(request, t) {
  const facts = [];
  const kind = request?.kind ?? "text_to_video";
  if (kind !== "text_to_video") facts.push({ field: "kind", label: fieldText("kind", t), value: t(`gallery.kind.${kind}`) });
  for (const field of ["image", "image_tail"]) {
    if (request?.[field]) facts.push({ field, label: fieldText(field, t), value: pictureSize(request[field]) });
  }
  return facts;
}

/**
 * Both sides' settings as rows that line up: [{field, label, a, b, differs}], in the order of the
 * request. A setting shown on one side only is shown on the other too, as left out; `differs`
 * comes from core's comparison (`differences`), never from the words.
 */
export function settingRows(rules, requests, comparison, t, lang) {
  const facts = Object.fromEntries(SIDES.map((side) => [
    side, [...optionFacts(rules, requests[side], t, lang), ...madeFacts(requests[side], t)],
  ]));
  const differing = new Set((comparison?.differences ?? []).map((difference) => difference.field));
  const shown = new Set([...facts.a, ...facts.b].map((fact) => fact.field));
  const fields = [...AGAIN_FIELDS, "kind", "image", "image_tail", ...differing].filter((field, index, all) =>
    all.indexOf(field) === index && (shown.has(field) || differing.has(field)));
  return fields.map((field) => {
    const row = { field, label: fieldText(field, t), differs: differing.has(field) };
    for (const side of SIDES) row[side] = facts[side].find((fact) => fact.field === field)?.value ?? unsetText(field, t);
    return row;
  });
}

/**
 * One side's words of a diff that reads from a to b: [{op, text, glued}] with the parts both
 * share and the ones only this side has (`removed` for a, `added` for b).
 */
export function sideParts(parts, side) {
  const own = side === "a" ? "removed" : "added";
  return (parts ?? []).filter((part) => part.op === "same" || part.op === own);
}

/** Whether a diff has words on one side only. */
export function differs(parts) {
  return (parts ?? []).some((part) => part.op !== "same");
}

/** "Different: Prompt, Aspect ratio" or "Same prompt and settings". */
export function summaryText(comparison, t) {
  const names = [];
  if (differs(comparison?.prompt_diff)) names.push(fieldText("prompt", t));
  if (differs(comparison?.negative_prompt_diff)) names.push(fieldText("negative_prompt", t));
  for (const difference of comparison?.differences ?? []) names.push(fieldText(difference.field, t));
  return names.length ? t("compare.different", { fields: names.join(", ") }) : t("compare.same");
}

/** "2.4 s" (en) or "2,4 s" (de): the players' clock, to a tenth of a second. */
export function secondsText(seconds, t, lang) {
  const value = Number.isFinite(seconds) ? Math.max(0, seconds) : 0;
  return t("options.seconds", { seconds: formatDecimal(Math.floor(value * 10) / 10, lang) });
}

/**
 * When each was made and what it cost (an estimate), for the rows under the settings:
 * [{key, label, a, b, words}]; `words` is false for a value that is no text of the app's (a date).
 */
export function factRows(rules, generations, t, lang) {
  const row = (key, label, value, words) => ({ key, label, a: value(generations.a), b: value(generations.b), words });
  return [
    row("made", t("detail.made"), (generation) => madeText(generation.created_at, lang), false),
    row("cost", t("detail.cost"), (generation) => costFact(rules, generation.request, t, lang), true),
  ];
}
