// The start and end pictures beside the prompt: "Add a start picture" (the system's picker), a
// picture file dropped on the composer, or one pasted into the window. Core checks and keeps each
// picture; a refused one says here, beside it, what to change. A kept picture shows as a
// thumbnail with its size and a remove button. The pictures are part of the options' choice
// (options.js), so they narrow the models and options like any other change. The composer hands
// in its elements: this module never looks anything up in the page.
import * as backend from "./backend.js";
import { el, icon, showError } from "./dom.js";
import { describeError } from "./errors.js";
import { endPictureOffer, presentError, reasonText } from "./options.js";
import { droppedPicture, pastedPicture, pictureParams, pictureSize, pictureTarget } from "./pictures.js";

/** Per picture field: its test ids and catalog keys. */
const SLOTS = {
  image: {
    testids: { area: "start-frame", add: "start-frame-add", image: "start-frame-image", size: "start-frame-size", remove: "start-frame-remove" },
    name: "pictures.start",
    add: "pictures.add_start",
    remove: "pictures.remove_start",
  },
  image_tail: {
    testids: { area: "end-frame", add: "end-frame-add", image: "end-frame-image", size: "end-frame-size", remove: "end-frame-remove" },
    name: "pictures.end",
    add: "pictures.add_end",
    remove: "pictures.remove_end",
  },
};

/**
 * area: where the pictures stand; composer: the composer's box (hidden without a key, then drops
 * and pastes are not its); options: the options form, which holds the pictures in its choice.
 */
export function createComposerPictures(ctx, { area, composer, options }) {
  /** A picture being read and checked, per field. */
  const busy = { image: false, image_tail: false };
  /** The last refusal shown beside each picture, kept so a new language rewords it. */
  const errors = { image: null, image_tail: null };

  function pictureSlot(field) {
    const { testids } = SLOTS[field];
    const addLabel = el("span");
    const add = el("button", {
      type: "button",
      class: "btn btn-secondary btn-small picture-add",
      dataset: { testid: testids.add },
      on: { click: () => pick(field) },
    }, icon("picture", "icon icon-sm"), addLabel);
    const image = el("img", { class: "picture-thumb", alt: "", dataset: { testid: testids.image } });
    const name = el("span", { class: "picture-name" });
    const size = el("span", { class: "picture-size", dataset: { testid: testids.size } });
    const remove = el("button", {
      type: "button",
      class: "btn btn-icon picture-remove",
      dataset: { testid: testids.remove },
      on: { click: () => removePicture(field) },
    }, icon("close", "icon icon-sm"));
    const shown = el("div", { class: "picture-shown" }, image, el("span", { class: "picture-text" }, name, size), remove);
    const errorSlot = el("div", { class: "error-slot error-slot-field", dataset: { field } });
    const element = el("div", { class: "picture-slot", dataset: { testid: testids.area } }, add, shown, errorSlot);
    return { element, add, addLabel, image, name, size, remove, shown, errorSlot };
  }

  const slots = { image: pictureSlot("image"), image_tail: pictureSlot("image_tail") };
  const hint = el("p", { class: "field-hint picture-hint", dataset: { testid: "start-frame-hint" } });
  const endReason = el("p", { class: "field-hint picture-hint", dataset: { testid: "end-frame-reason" } });
  area.replaceChildren(slots.image.element, hint, slots.image_tail.element, endReason);

  const choice = () => options.choice ?? {};
  const offer = () => (options.ready ? endPictureOffer(options.rules, choice()) : { offered: false, enabled: false, reason: null });

  /** A refusal in words: model labels, mode names, formats and sizes as the language writes them. */
  function describe(error) {
    const present = (params, err) => pictureParams(options.ready ? presentError(options.rules, params, err, ctx.t) : params, ctx.lang);
    return describeError(error, ctx.t, present);
  }

  function showRefusal(field, error) {
    errors[field] = error;
    showError(slots[field].errorSlot, error ? describe(error) : null, ctx.t);
  }

  /** Reads and keeps a picture (`keeping`: the backend call) as the start or end picture. */
  async function keep(field, keeping) {
    if (busy[field]) return;
    busy[field] = true;
    showRefusal(field, null);
    render();
    try {
      const frame = await keeping();
      if (!frame) return;
      options.setPictures({ [field]: frame });
      ctx.announce(ctx.t("pictures.added", { name: ctx.t(SLOTS[field].name), size: pictureSize(frame) }));
    } catch (error) {
      showRefusal(field, error);
      ctx.announce(describe(error).text);
    } finally {
      busy[field] = false;
      render();
    }
    // The add button was pressed and is gone now: the keyboard goes to the picture's remove button.
    const slot = slots[field];
    if (document.activeElement === document.body && !slot.shown.hidden) slot.remove.focus({ preventScroll: true });
  }

  function pick(field) {
    const { t } = ctx;
    keep(field, () => backend.pickFrame(t(field === "image" ? "pictures.pick_start" : "pictures.pick_end"), t("pictures.pick_filter")));
  }

  function removePicture(field) {
    // The end picture goes with the start picture: a video cannot end on one without starting on one.
    options.setPictures(field === "image" ? { image: null, image_tail: null } : { image_tail: null });
    showRefusal(field, null);
    render();
    slots[field].add.focus({ preventScroll: true });
    ctx.announce(ctx.t("pictures.removed", { name: ctx.t(SLOTS[field].name) }));
  }

  /** Where a dropped or pasted picture goes, or null while the composer cannot take one. */
  function target() {
    if (composer.hidden || !options.ready || document.querySelector("dialog[open]")) return null;
    const current = choice();
    return pictureTarget({ image: current.image, image_tail: current.image_tail, endOffered: offer().enabled });
  }

  backend.onFileDrop((paths) => {
    const path = droppedPicture(paths);
    const field = path ? target() : null;
    if (field) keep(field, () => backend.keepFrameFile(path));
  }).catch((error) => console.warn("Kling Desk: dropped pictures cannot be followed", error));

  document.addEventListener("paste", (event) => {
    const file = pastedPicture(event.clipboardData);
    const field = file ? target() : null;
    if (!field) return;
    event.preventDefault();
    keep(field, async () => backend.keepFrame(new Uint8Array(await file.arrayBuffer())));
  });

  function render() {
    const { t } = ctx;
    area.hidden = !options.ready;
    if (!options.ready) return;
    const current = choice();
    const end = offer();
    for (const [field, slot] of Object.entries(slots)) {
      const frame = current[field] ?? null;
      const { name, add, remove } = SLOTS[field];
      slot.add.hidden = Boolean(frame);
      slot.add.disabled = busy[field] || (field === "image_tail" && !end.enabled);
      slot.add.setAttribute("aria-busy", String(busy[field]));
      slot.addLabel.textContent = t(busy[field] ? "pictures.checking" : add);
      slot.shown.hidden = !frame;
      slot.name.textContent = t(name);
      slot.size.textContent = pictureSize(frame);
      if (frame && slot.image.getAttribute("src") !== (frame.url ?? "")) slot.image.setAttribute("src", frame.url ?? "");
      slot.remove.setAttribute("aria-label", t(remove));
      slot.remove.title = t(remove);
    }
    slots.image_tail.element.hidden = !end.offered && !current.image_tail;
    hint.hidden = Boolean(current.image);
    hint.textContent = t("pictures.hint");
    endReason.hidden = !end.reason;
    endReason.textContent = reasonText(options.rules, end.reason, t);
  }

  return {
    render,
    /** True while a start picture is set: the prompt may then stay empty. */
    get hasStart() {
      return Boolean(choice().image);
    },
    /** Shows a refusal of Generate that names a picture beside it; false for any other field. */
    showError(error) {
      if (!error?.field || !Object.hasOwn(slots, error.field)) return false;
      showRefusal(error.field, error);
      return true;
    },
    clearErrors() {
      for (const field of Object.keys(slots)) showRefusal(field, null);
    },
    /** Puts the keyboard on a picture named by an error. */
    focus(field) {
      const slot = slots[field];
      (slot?.shown.hidden ? slot.add : slot?.remove)?.focus();
    },
    relabel() {
      for (const [field, error] of Object.entries(errors)) if (error) showRefusal(field, error);
      render();
    },
  };
}
