// The options of a request from words or from a picture as rules: which values the chosen model
// allows and why the others are disabled, how a choice snaps to a valid one, the request fields,
// the price and the one-line summary. Every rule is data from the table the backend sends (`invoke("rules")`:
// per model its modes, durations, defaults, camera combination, sound modes and prices), so a new
// model or limit needs no change here, and tests/ui/rules-agreement.test.mjs proves this file
// offers exactly what the Rust validator accepts. No DOM access here.
import { shownPicture } from "./pictures.js";
import { countChars } from "./text.js";
import { formatter } from "./format.js";

/** The camera choice that sends nothing: Kling picks the motion. */
export const CAMERA_AUTO = "auto";
/** The camera type with six axes; the other types are presets without a config. */
export const CAMERA_CUSTOM = "simple";
export const CFG_STEP = 0.05;
export const AXIS_STEP = 0.5;

/**
 * A choice is the whole state of the options form:
 * {model_name, mode, duration, aspect_ratio, negative_prompt, cfg_scale, cfg_set,
 *  camera, axes: {horizontal, vertical, pan, tilt, roll, zoom}, sound, image, image_tail}
 * cfg_set says whether the user moved the slider; camera is CAMERA_AUTO or a camera type; image
 * and image_tail are kept pictures ({file, width, height, url, …}) or null.
 */

export function findModel(rules, name) {
  return rules.models.find((model) => model.name === name) ?? null;
}

export function modelLabel(rules, name) {
  return findModel(rules, name)?.label ?? String(name ?? "");
}

function defaultModel(rules) {
  return findModel(rules, rules.default_model) ?? rules.models[0];
}

export function zeroAxes(rules) {
  return Object.fromEntries(rules.camera_axes.map((axis) => [axis, 0]));
}

/** What the plain prompt-and-Generate path sends: the table's default row. */
export function defaultChoice(rules) {
  const model = defaultModel(rules);
  const { limits } = rules;
  return {
    model_name: model.name,
    mode: model.modes.includes(rules.default_model_mode) ? rules.default_model_mode : model.default_mode,
    duration: model.default_duration,
    aspect_ratio: limits.default_aspect_ratio,
    negative_prompt: "",
    cfg_scale: limits.cfg_scale_default,
    cfg_set: false,
    camera: CAMERA_AUTO,
    axes: zeroAxes(rules),
    sound: false,
    image: null,
    image_tail: null,
  };
}

/** Whether `model` may be chosen for `choice`: with a start picture, only models that animate one. */
export function modelOffered(model, choice) {
  return !choice?.image || Boolean(model?.image_to_video);
}

/** An end picture is possible on the model in this mode (the rules' image_tail_modes). */
export function endPictureAllowed(model, mode) {
  return Boolean(model?.image_to_video && model.image_tail_modes?.includes(mode));
}

/**
 * Whether the form offers an end picture, and whether it can be added now:
 * {offered, enabled, reason}. Offered only with a start picture, on a model and mode that take
 * one; camera movement and an end picture exclude each other, so a chosen movement disables it.
 * Where another mode of the model would take one, the reason says so.
 */
export function endPictureOffer(rules, choice) {
  const model = findModel(rules, choice.model_name);
  if (!choice.image) return { offered: false, enabled: false, reason: null };
  if (!endPictureAllowed(model, choice.mode)) {
    const modes = model?.image_to_video ? model.image_tail_modes ?? [] : [];
    return { offered: false, enabled: false, reason: modes.length ? { key: "pictures.end_needs_mode", params: { modes } } : null };
  }
  if (choice.camera !== CAMERA_AUTO) return { offered: true, enabled: false, reason: { key: "pictures.end_not_with_camera", params: {} } };
  return { offered: true, enabled: true, reason: null };
}

/** The camera types in picker order: Automatic, the presets, Custom last. */
export function cameraChoices(rules) {
  const presets = rules.camera_types.filter((type) => type !== CAMERA_CUSTOM);
  const custom = rules.camera_types.includes(CAMERA_CUSTOM) ? [CAMERA_CUSTOM] : [];
  return [CAMERA_AUTO, ...presets, ...custom];
}

/** Camera control is allowed only on a model's one mode/duration combination. */
export function cameraAllowed(rules, choice) {
  const camera = findModel(rules, choice.model_name)?.camera;
  return Boolean(camera && camera.mode === choice.mode && camera.duration === choice.duration);
}

/** The combination that allows camera movement: the chosen model's own, else the first model's that has one. */
export function cameraNeeds(rules, modelName) {
  const model = findModel(rules, modelName);
  const owner = model?.camera ? model : rules.models.find((m) => m.camera);
  return owner ? { model: owner.name, mode: owner.camera.mode, duration: owner.camera.duration } : null;
}

export function soundAllowed(model, mode) {
  return Boolean(model?.sound_modes?.includes(mode));
}

function roundTo(value, step) {
  return Math.round(value / step) * step;
}

/** Keeps a number on its step without float dust (0.15000000000000002 → 0.15). */
function tidy(value) {
  return Number(value.toFixed(4));
}

export function clampCfg(rules, value) {
  const { cfg_scale_min: min, cfg_scale_max: max, cfg_scale_default: fallback } = rules.limits;
  const number = Number(value);
  if (!Number.isFinite(number)) return fallback;
  return tidy(Math.min(max, Math.max(min, roundTo(number, CFG_STEP))));
}

function clampAxis(rules, value) {
  const { camera_axis_min: min, camera_axis_max: max } = rules.limits;
  const number = Number(value);
  if (!Number.isFinite(number)) return 0;
  return tidy(Math.min(max, Math.max(min, roundTo(number, AXIS_STEP))));
}

/** Moving one axis sets the other five to 0: Kling allows exactly one non-zero axis. */
export function setAxis(rules, axis, value) {
  const axes = zeroAxes(rules);
  if (Object.hasOwn(axes, axis)) axes[axis] = clampAxis(rules, value);
  return axes;
}

/** The non-zero axes of a config, in table order. */
export function movedAxes(rules, axes) {
  return rules.camera_axes.filter((axis) => Number(axes?.[axis] ?? 0) !== 0);
}

/**
 * Brings any choice into one the rules table accepts. Returns the snapped choice and the list of
 * what changed ({field, value}), so the form can say so. Invalid values go to the nearest valid
 * one: mode → first allowed; duration → default if allowed, else first; camera → Automatic;
 * cfg → not sent; sound → off.
 */
export function snapChoice(rules, input) {
  const base = defaultChoice(rules);
  const choice = { ...base, ...input, axes: { ...base.axes } };
  const changes = [];
  const { limits } = rules;

  choice.image = input?.image?.file ? input.image : null;
  choice.image_tail = choice.image && input?.image_tail?.file ? input.image_tail : null;
  let model = findModel(rules, choice.model_name);
  if (!model || !modelOffered(model, choice)) {
    const fallback = [defaultModel(rules), ...rules.models].find((m) => modelOffered(m, choice));
    if (fallback) {
      model = fallback;
    } else {
      model ??= defaultModel(rules);
      choice.image = null;
      choice.image_tail = null;
      changes.push({ field: "image", value: null });
    }
    if (choice.model_name !== model.name) changes.push({ field: "model_name", value: model.name });
    choice.model_name = model.name;
  }
  if (!model.modes.includes(choice.mode)) {
    choice.mode = model.modes[0];
    changes.push({ field: "mode", value: choice.mode });
  }
  if (choice.image_tail && !endPictureAllowed(model, choice.mode)) {
    choice.image_tail = null;
    changes.push({ field: "image_tail", value: null });
  }
  choice.duration = String(choice.duration ?? "");
  if (!model.durations.includes(choice.duration)) {
    choice.duration = model.default_duration;
    changes.push({ field: "duration", value: choice.duration });
  }
  if (!limits.aspect_ratios.includes(choice.aspect_ratio)) {
    choice.aspect_ratio = limits.default_aspect_ratio;
    changes.push({ field: "aspect_ratio", value: choice.aspect_ratio });
  }
  choice.negative_prompt = String(choice.negative_prompt ?? "");

  choice.cfg_set = Boolean(choice.cfg_set);
  if (!model.cfg_scale) {
    if (choice.cfg_set) changes.push({ field: "cfg_scale", value: null });
    choice.cfg_set = false;
    choice.cfg_scale = limits.cfg_scale_default;
  } else {
    choice.cfg_scale = clampCfg(rules, choice.cfg_scale);
  }

  // Axes: in range, on the step, and at most one moved (the largest wins).
  const axes = zeroAxes(rules);
  for (const axis of rules.camera_axes) axes[axis] = clampAxis(rules, input?.axes?.[axis] ?? 0);
  const moved = movedAxes(rules, axes);
  if (moved.length > 1) {
    const keep = moved.reduce((best, axis) => (Math.abs(axes[axis]) > Math.abs(axes[best]) ? axis : best));
    choice.axes = setAxis(rules, keep, axes[keep]);
  } else {
    choice.axes = axes;
  }
  const knownCamera = choice.camera === CAMERA_AUTO || rules.camera_types.includes(choice.camera);
  // Camera movement and an end picture exclude each other: the picture, added last, wins.
  if (!knownCamera || (choice.camera !== CAMERA_AUTO && (!cameraAllowed(rules, choice) || choice.image_tail))) {
    choice.camera = CAMERA_AUTO;
    changes.push({ field: "camera_control", value: CAMERA_AUTO });
  }

  choice.sound = Boolean(choice.sound);
  if (choice.sound && !soundAllowed(model, choice.mode)) {
    choice.sound = false;
    changes.push({ field: "sound", value: false });
  }
  return { choice, changes };
}

/**
 * Everything the form shows for a (snapped) choice: which values are enabled, the one-line
 * reasons ({key, params}, turned into text by reasonText) and what blocks Generate.
 */
export function analyze(rules, choice) {
  const model = findModel(rules, choice.model_name) ?? defaultModel(rules);
  const { limits } = rules;
  const models = rules.models.map((m) => ({ value: m.name, enabled: modelOffered(m, choice) }));
  const modes = limits.modes.map((value) => ({ value, enabled: model.modes.includes(value) }));
  const durations = limits.durations.map((value) => ({ value, enabled: model.durations.includes(value) }));
  const onlyOffers = (field, values) => ({ key: `options.only_offers_${field}`, params: { model: model.name, [field]: values } });

  const cameraOk = cameraAllowed(rules, choice) && !choice.image_tail;
  const needs = cameraNeeds(rules, model.name);
  let cameraReason = null;
  if (choice.image_tail) {
    cameraReason = { key: "options.camera_not_with_end", params: {} };
  } else if (!cameraOk) {
    cameraReason = needs ? { key: "options.camera_needs", params: needs } : { key: "options.camera_unavailable", params: {} };
  }

  const soundOk = soundAllowed(model, choice.mode);
  const soundReason = model.sound && !soundOk
    ? { key: "options.sound_needs", params: { model: model.name, mode: model.sound_needs_mode } }
    : null;

  return {
    model,
    models,
    modelReason: models.some((m) => !m.enabled) ? { key: "options.models_for_picture", params: {} } : null,
    followsPicture: Boolean(choice.image),
    endPicture: endPictureOffer(rules, choice),
    modes,
    modeReason: modes.some((m) => !m.enabled) ? onlyOffers("modes", model.modes) : null,
    durations,
    durationReason: durations.some((d) => !d.enabled) ? onlyOffers("durations", model.durations) : null,
    aspectRatios: limits.aspect_ratios,
    cfg: {
      shown: Boolean(model.cfg_scale),
      note: model.cfg_scale ? null : { key: "options.cfg_not_used", params: { model: model.name } },
    },
    camera: { enabled: cameraOk, reason: cameraReason, choices: cameraChoices(rules) },
    sound: { shown: Boolean(model.sound), enabled: soundOk, reason: soundReason },
    negative: negativeCheck(rules, choice.negative_prompt),
    problem: optionsProblem(rules, choice),
  };
}

/** The negative prompt against its own limit, counted like the prompt. */
export function negativeCheck(rules, text) {
  const max = rules.limits.negative_prompt_max_chars;
  const count = countChars(text);
  return { count, max, over: Math.max(0, count - max) };
}

/** What keeps Generate disabled, as {field, key, params}, or null when the options may be sent. */
export function optionsProblem(rules, choice) {
  const negative = negativeCheck(rules, choice.negative_prompt);
  if (negative.over > 0) {
    return { field: "negative_prompt", key: "options.negative_too_long", params: { over: negative.over } };
  }
  if (choice.camera === CAMERA_CUSTOM && cameraAllowed(rules, choice) && movedAxes(rules, choice.axes).length !== 1) {
    return { field: "camera_control", key: "options.camera_pick_axis", params: {} };
  }
  return null;
}

/**
 * The option fields of the `generate` request. model_name, mode, duration (a string) and
 * aspect_ratio (or, from a picture, image and image_tail: the kept files' names) are always
 * explicit; the rest only when set and allowed.
 */
export function requestFields(rules, choice) {
  const model = findModel(rules, choice.model_name);
  const fields = {
    model_name: choice.model_name,
    mode: choice.mode,
    duration: String(choice.duration),
  };
  // A video from a picture takes the picture's shape: the route has no aspect ratio.
  if (choice.image) {
    fields.image = choice.image.file;
    if (choice.image_tail) fields.image_tail = choice.image_tail.file;
  } else {
    fields.aspect_ratio = choice.aspect_ratio;
  }
  const negative = String(choice.negative_prompt ?? "").trim();
  if (countChars(negative) > 0) fields.negative_prompt = negative;
  if (model?.cfg_scale && choice.cfg_set) fields.cfg_scale = clampCfg(rules, choice.cfg_scale);
  if (choice.camera !== CAMERA_AUTO && cameraAllowed(rules, choice)) {
    fields.camera_control = choice.camera === CAMERA_CUSTOM
      ? { type: CAMERA_CUSTOM, config: Object.fromEntries(rules.camera_axes.map((axis) => [axis, Number(choice.axes[axis] ?? 0)])) }
      : { type: choice.camera };
  }
  if (choice.sound && soundAllowed(model, choice.mode)) fields.sound = "on";
  return fields;
}

/**
 * The form state for a stored request (a Generation's `request`), snapped to today's rules; its
 * pictures are shown from `urls` ({image_url, image_tail_url}, the Generation's). Returns
 * {choice, changes}, like snapChoice.
 */
export function choiceFromRequest(rules, request = {}, urls = {}) {
  const choice = defaultChoice(rules);
  choice.image = shownPicture(request.image, urls.image_url);
  choice.image_tail = shownPicture(request.image_tail, urls.image_tail_url);
  if (request.model_name) {
    choice.model_name = request.model_name;
    const model = findModel(rules, request.model_name);
    if (model && !request.mode) choice.mode = model.default_mode;
  }
  if (request.mode) choice.mode = request.mode;
  if (request.duration != null && request.duration !== "") choice.duration = String(request.duration);
  if (request.aspect_ratio) choice.aspect_ratio = request.aspect_ratio;
  choice.negative_prompt = request.negative_prompt ?? "";
  if (typeof request.cfg_scale === "number") {
    choice.cfg_scale = request.cfg_scale;
    choice.cfg_set = true;
  }
  const camera = request.camera_control;
  if (camera?.type) {
    choice.camera = camera.type;
    if (camera.type === CAMERA_CUSTOM) choice.axes = { ...zeroAxes(rules), ...(camera.config ?? {}) };
  }
  choice.sound = request.sound === "on";
  return snapChoice(rules, choice);
}

/**
 * True when the choice sends anything the plain path would not (with the same pictures, which
 * stand beside the prompt): then "More options" opens on reuse.
 */
export function isCustomized(rules, choice) {
  const plain = snapChoice(rules, { ...defaultChoice(rules), image: choice.image, image_tail: choice.image_tail }).choice;
  return JSON.stringify(requestFields(rules, choice)) !== JSON.stringify(requestFields(rules, plain));
}

/** Approximate price in US cents from the shipped table, or null when it is unknown (never guessed). */
export function priceCents(rules, choice) {
  const cell = findModel(rules, choice.model_name)?.prices
    .find((price) => price.mode === choice.mode && price.duration === String(choice.duration));
  return cell?.usd_cents ?? null;
}

/** 33 → "$0.33" (en) or "0,33 $" (de). */
export function formatPrice(cents, lang) {
  return formatter(Intl.NumberFormat, lang, { style: "currency", currency: "USD" }).format(cents / 100);
}

/** "2025-12" → "Dec 2025" (en) or "Dez. 2025" (de); anything else is shown as it is. */
export function formatMonth(yearMonth, lang) {
  const match = /^(\d{4})-(\d{2})$/.exec(String(yearMonth ?? ""));
  if (!match) return String(yearMonth ?? "");
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return formatter(Intl.DateTimeFormat, lang, { month: "short", year: "numeric", timeZone: "UTC" }).format(date);
}

/** A video's price from the shipped table (the detail view's cost fact). */
export function costText(rules, choice, t, lang) {
  const cents = priceCents(rules, choice);
  if (cents == null) return t("options.cost_unknown");
  return t("options.cost", { price: formatPrice(cents, lang), date: formatMonth(rules.prices_as_of, lang) });
}

/**
 * The cost line next to Generate, from core's estimate for the form as it is ({takes,
 * total_cents, source, prices_as_of}): takes multiply, a price of the user's own says so, an
 * unknown price stays unknown.
 */
export function estimateText(estimate, t, lang) {
  const several = estimate.takes > 1;
  if (estimate.total_cents == null) return several ? t("options.cost_takes_unknown", { count: estimate.takes }) : t("options.cost_unknown");
  const params = { count: estimate.takes, price: formatPrice(estimate.total_cents, lang), date: formatMonth(estimate.prices_as_of, lang) };
  if (estimate.source === "user") return t(several ? "options.cost_takes_user" : "options.cost_user", params);
  return t(several ? "options.cost_takes" : "options.cost", params);
}

function labelOr(t, key, fallback) {
  return t.has?.(key) ? t(key) : String(fallback);
}

export function modeText(mode, t) {
  return labelOr(t, `options.mode.${mode}.label`, mode);
}

export function durationText(duration, t) {
  return t("options.seconds", { seconds: duration });
}

export function cameraText(camera, t) {
  return labelOr(t, `options.camera.${camera}.label`, camera);
}

/** Text for a value of a field, for notes and error messages. */
export function valueText(rules, field, value, t) {
  if (field === "model_name") return modelLabel(rules, value);
  if (field === "mode") return modeText(value, t);
  if (field === "duration") return durationText(value, t);
  if (field === "camera_control") return cameraText(value, t);
  if (field === "cfg_scale") return t("options.cfg_dropped");
  if (field === "sound") return t(value ? "options.sound_on" : "options.sound_off");
  if (field === "image" || field === "image_tail") return t("options.picture_left_out");
  return String(value);
}

/** The label of a request field ("mode" → "Quality"). */
export function fieldText(field, t) {
  return labelOr(t, `options.field.${field}`, field);
}

/** Catalog text for a reason from analyze(): model names become labels, modes their names. */
export function reasonText(rules, reason, t) {
  if (!reason) return "";
  return t(reason.key, presentParams(rules, reason.params, t));
}

/** Makes raw values readable: model names → labels, modes → names, lists of them too. */
export function presentParams(rules, params = {}, t) {
  const out = { ...params };
  if (typeof out.model === "string") out.model = modelLabel(rules, out.model);
  if (typeof out.mode === "string") out.mode = modeText(out.mode, t);
  if (Array.isArray(out.modes)) out.modes = out.modes.map((mode) => modeText(mode, t));
  if (Array.isArray(out.durations)) out.durations = out.durations.map((d) => durationText(d, t));
  return out;
}

/**
 * Parameters of a backend error {kind, field, params} in words, for describeError: model labels,
 * mode names, the field's own label as {field}, and for option_not_allowed the value and the
 * allowed values as the form shows them.
 */
export function presentError(rules, params, error, t) {
  const out = presentParams(rules, params, t);
  if (error.field) out.field = fieldText(error.field, t);
  if (error.kind === "option_not_allowed" && error.field) {
    const word = (value) => valueText(rules, error.field, value, t);
    if (params.value != null) out.value = word(params.value);
    if (Array.isArray(params.allowed)) out.allowed = params.allowed.map(word);
  }
  return out;
}

/** The note after snapping: "Adjusted for Kling 1: Quality → Standard, Camera movement → Automatic." */
export function changesText(rules, changes, t, modelName = null) {
  if (!changes.length) return "";
  const list = changes.map((change) => t("options.change", {
    field: fieldText(change.field, t),
    value: valueText(rules, change.field, change.value, t),
  }));
  return modelName
    ? t("options.snapped_model", { model: modelLabel(rules, modelName), changes: list })
    : t("options.snapped", { changes: list });
}

/** "16:9 · 5 s · Pro · Kling 2.5 Turbo", plus the camera move and sound when set. */
export function summaryText(rules, choice, t) {
  const fields = requestFields(rules, choice);
  const parts = [
    fields.image ? t("options.picture_shape") : fields.aspect_ratio,
    durationText(fields.duration, t),
    modeText(fields.mode, t),
    modelLabel(rules, fields.model_name),
  ];
  if (fields.camera_control) parts.push(cameraText(fields.camera_control.type, t));
  if (fields.sound === "on") parts.push(t("options.sound_on_short"));
  if (fields.negative_prompt) parts.push(t("options.negative_set"));
  return parts.join(" · ");
}

/** Landscape, portrait or square, for the words under a ratio tile. */
export function ratioShape(text) {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(String(text ?? ""));
  if (!match) return "landscape";
  const w = Number(match[1]);
  const h = Number(match[2]);
  return w === h ? "square" : w > h ? "landscape" : "portrait";
}
