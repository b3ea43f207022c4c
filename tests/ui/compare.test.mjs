// Compare: what the view says about two videos (compare-facts.js) and how its two players keep
// together (media-sync.js), on stand-in players that behave like <video>: seeks, speed, play and
// pause announce themselves with the media events, asynchronously.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator } from "../../ui/js/i18n.js";
import { canCompare, factRows, secondsText, settingRows, sideParts, summaryText } from "../../ui/js/compare-facts.js";
import { createMediaSync, DRIFT_S, FRAME_S } from "../../ui/js/media-sync.js";
import { RULES } from "./rules-table.mjs";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const enCatalog = load("en");
const en = createTranslator(enCatalog, enCatalog, "en");
const de = createTranslator(load("de"), enCatalog, "de");

const REQUEST = {
  prompt: "a paper boat on a rainy street",
  negative_prompt: null,
  model_name: "kling-v2-6",
  mode: "std",
  duration: "5",
  aspect_ratio: "16:9",
  cfg_scale: null,
  camera_control: null,
  sound: "on",
};

function generation(id, request = {}, fields = {}) {
  return { id, status: "ready", video_url: `http://media/${id}.mp4`, created_at: 0, request: { ...REQUEST, ...request }, ...fields };
}

/** What core answers for A = REQUEST and B = 9:16, 10 s, without sound, "a red paper boat on a sunny street". */
const COMPARISON = {
  prompt_diff: [
    { op: "same", text: "a", glued: false },
    { op: "added", text: "red", glued: false },
    { op: "same", text: "paper boat on a", glued: false },
    { op: "removed", text: "rainy", glued: false },
    { op: "added", text: "sunny", glued: false },
    { op: "same", text: "street", glued: false },
  ],
  negative_prompt_diff: null,
  differences: [
    { field: "duration", a: "5", b: "10" },
    { field: "aspect_ratio", a: "16:9", b: "9:16" },
    { field: "sound", a: "on", b: "off" },
  ],
};

// ---------- what the view says ----------

test("Compare is offered for exactly two ready videos", () => {
  const ready = (id) => generation(id);
  assert.equal(canCompare([ready("a"), ready("b")]), true);
  assert.equal(canCompare([ready("a")]), false);
  assert.equal(canCompare([ready("a"), ready("b"), ready("c")]), false);
  assert.equal(canCompare([ready("a"), generation("b", {}, { status: "processing" })]), false);
  assert.equal(canCompare([ready("a"), generation("b", {}, { status: "failed" })]), false);
});

test("the settings line up side by side and only the ones core found different are marked", () => {
  const requests = { a: REQUEST, b: { ...REQUEST, duration: "10", aspect_ratio: "9:16", sound: null } };
  const rows = settingRows(RULES, requests, COMPARISON, en, "en");
  const seconds = (value) => en("options.seconds", { seconds: value });
  assert.deepEqual(rows.map((row) => [row.field, row.a, row.b, row.differs]), [
    ["model_name", "Kling 2.6", "Kling 2.6", false],
    ["mode", "Standard", "Standard", false],
    ["duration", seconds("5"), seconds("10"), true],
    ["aspect_ratio", "16:9 (Landscape)", "9:16 (Portrait)", true],
    // B made no sound: said on its side too, so the difference can be read.
    ["sound", "On", "Off", true],
  ]);
  const german = settingRows(RULES, requests, COMPARISON, de, "de");
  assert.deepEqual(german.find((row) => row.field === "sound"), { field: "sound", label: "Ton", a: "An", b: "Aus", differs: true });
});

test("a camera move or creativity set on one side only shows the other side's default", () => {
  const moved = { ...REQUEST, model_name: "kling-v1-6", cfg_scale: 0.3, camera_control: { type: "forward_up" }, sound: null };
  const plain = { ...REQUEST, model_name: "kling-v1-6", sound: null };
  const comparison = { ...COMPARISON, differences: [{ field: "cfg_scale", a: 0.3, b: null }, { field: "camera_control", a: { type: "forward_up" }, b: null }] };
  const rows = settingRows(RULES, { a: moved, b: plain }, comparison, en, "en");
  assert.deepEqual(rows.filter((row) => row.differs).map((row) => [row.field, row.a, row.b]), [
    ["cfg_scale", "0.3 of 1", "Default"],
    ["camera_control", "Forward and up", "Automatic"],
  ]);
});

test("a video from a picture beside one from words says how each was made and which picture it started on", () => {
  const picture = { ...REQUEST, kind: "image_to_video", image: { file: "frame-1.png", width: 480, height: 640 } };
  const comparison = {
    ...COMPARISON,
    differences: [{ field: "kind", a: "text_to_video", b: "image_to_video" }, { field: "image", a: null, b: "frame-1.png" }],
  };
  const rows = settingRows(RULES, { a: REQUEST, b: picture }, comparison, en, "en");
  assert.deepEqual(rows.filter((row) => row.differs).map((row) => [row.label, row.a, row.b]), [
    ["Made", "From words", "From a picture"],
    ["Start picture", "None", "480 × 640"],
  ]);
  const german = settingRows(RULES, { a: REQUEST, b: picture }, comparison, de, "de");
  assert.deepEqual(german.filter((row) => row.differs).map((row) => [row.label, row.a, row.b]), [
    ["Erstellt", "Aus Text", "Aus einem Bild"],
    ["Startbild", "Keins", "480 × 640"],
  ]);
});

test("each side's prompt keeps the shared words and marks only its own", () => {
  const words = (parts) => parts.map((part) => (part.op === "same" ? part.text : `[${part.text}]`)).join(" ");
  assert.equal(words(sideParts(COMPARISON.prompt_diff, "a")), "a paper boat on a [rainy] street");
  assert.equal(words(sideParts(COMPARISON.prompt_diff, "b")), "a [red] paper boat on a [sunny] street");
  assert.deepEqual(sideParts(null, "a"), []);
});

test("the summary names what differs, prompt first, or says nothing does", () => {
  assert.equal(summaryText(COMPARISON, en), "Different: Prompt, Duration, Aspect ratio, Sound");
  assert.equal(summaryText(COMPARISON, de), "Unterschiede: Prompt, Länge, Seitenverhältnis, Ton");
  const same = { prompt_diff: [{ op: "same", text: "a boat", glued: false }], negative_prompt_diff: null, differences: [] };
  assert.equal(summaryText(same, en), "Same prompt and settings");
  const avoiding = { ...same, negative_prompt_diff: [{ op: "added", text: "blur", glued: false }] };
  assert.equal(summaryText(avoiding, en), "Different: What to avoid");
});

test("the clock reads in tenths of a second in the language's way, and the rows under the settings", () => {
  assert.equal(secondsText(2.46, en, "en"), en("options.seconds", { seconds: "2.4" }));
  assert.equal(secondsText(2.46, de, "de"), de("options.seconds", { seconds: "2,4" }));
  assert.equal(secondsText(Number.NaN, en, "en"), en("options.seconds", { seconds: "0" }));
  const rows = factRows(RULES, { a: generation("a"), b: generation("b", { model_name: "kling-v1-6" }) }, en, "en");
  assert.deepEqual(rows.map((row) => [row.label, row.words]), [["Made", false], ["Estimated cost", true]]);
});

// ---------- the players ----------

/** A stand-in <video>: its own clock, and the media events a real one fires, a moment later. */
class Player extends EventTarget {
  constructor(duration) {
    super();
    this.duration = duration;
    this.paused = true;
    this.ended = false;
    this.seeks = 0;
    this.time = 0;
    this.rate = 1;
  }

  fire(type) {
    queueMicrotask(() => this.dispatchEvent(new Event(type)));
  }

  get currentTime() {
    return this.time;
  }

  set currentTime(value) {
    this.time = Math.min(Math.max(0, value), this.duration);
    this.ended = false;
    this.seeks += 1;
    this.fire("seeking");
    this.fire("seeked");
  }

  get playbackRate() {
    return this.rate;
  }

  set playbackRate(value) {
    if (value === this.rate) return;
    this.rate = value;
    this.fire("ratechange");
  }

  play() {
    if (this.paused) {
      this.paused = false;
      this.fire("play");
    }
    return Promise.resolve();
  }

  pause() {
    if (this.paused) return;
    this.paused = true;
    this.fire("pause");
  }

  /** Plays on for `seconds` of its own clock, as the media pipeline does: no seek events. */
  run(seconds) {
    this.time = Math.min(this.duration, this.time + seconds);
    if (this.time >= this.duration) {
      this.ended = true;
      this.paused = true;
      this.fire("pause");
      this.fire("ended");
    } else {
      this.fire("timeupdate");
    }
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function pair(durationA = 5.1, durationB = 5.1) {
  const a = new Player(durationA);
  const b = new Player(durationB);
  let changes = 0;
  const sync = createMediaSync([a, b], { onChange: () => { changes += 1; } });
  return { a, b, sync, changes: () => changes };
}

test("the slider's seek puts both players at the same moment, once each", async () => {
  const { a, b, sync } = pair();
  sync.seek(2.5);
  await settle();
  assert.equal(a.currentTime, 2.5);
  assert.equal(b.currentTime, 2.5);
  assert.deepEqual([a.seeks, b.seeks], [1, 1], "no seek echoed back");
  assert.equal(sync.state().time, 2.5);
});

test("seeking either player by hand takes the other there within a frame, without a loop", async () => {
  const { a, b } = pair();
  a.currentTime = 3.2;
  await settle();
  assert.ok(Math.abs(b.currentTime - a.currentTime) <= FRAME_S, `${b.currentTime} vs ${a.currentTime}`);
  assert.deepEqual([a.seeks, b.seeks], [1, 1]);
  b.currentTime = 0.7;
  await settle();
  assert.ok(Math.abs(a.currentTime - 0.7) <= FRAME_S, `${a.currentTime}`);
  assert.deepEqual([a.seeks, b.seeks], [2, 2]);
});

test("a shorter clip waits at its end while the longer one is further on", async () => {
  const { a, b, sync } = pair(10.1, 5.1);
  a.currentTime = 7;
  await settle();
  assert.equal(b.currentTime, 5.1);
  assert.equal(sync.state().duration, 10.1);
  sync.seek(2);
  await settle();
  assert.deepEqual([a.currentTime, b.currentTime], [2, 2]);
});

test("the speed set on either player, or on the controller, reaches both", async () => {
  const { a, b, sync } = pair();
  b.playbackRate = 2;
  await settle();
  assert.equal(a.playbackRate, 2);
  assert.equal(sync.state().rate, 2);
  sync.setRate(0.5);
  await settle();
  assert.deepEqual([a.playbackRate, b.playbackRate, sync.state().rate], [0.5, 0.5, 0.5]);
});

test("play and pause on the controller or on either player reach both", async () => {
  const { a, b, sync } = pair();
  sync.toggle();
  await settle();
  assert.deepEqual([a.paused, b.paused, sync.state().paused], [false, false, false]);
  b.pause();
  await settle();
  assert.deepEqual([a.paused, b.paused, sync.state().paused], [true, true, true]);
  a.play();
  await settle();
  assert.equal(b.paused, false);
});

test("while playing, a player that drifts away is put back in step; a small drift is let be", async () => {
  const { a, b, sync } = pair();
  sync.play();
  await settle();
  a.time += 1;
  b.time += 1 - DRIFT_S / 2;
  a.run(0);
  await settle();
  assert.equal(b.seeks, 0, "a small drift is not worth a stutter");
  a.time += 0.5;
  b.time += 0.2;
  a.run(0);
  await settle();
  assert.equal(b.seeks, 1);
  assert.ok(Math.abs(b.currentTime - a.currentTime) <= FRAME_S);
  assert.equal(a.seeks, 0, "the leader plays on untouched");
});

test("when the shorter clip ends the longer plays on, and play at the very end starts both over", async () => {
  const { a, b, sync } = pair(10.1, 5.1);
  sync.play();
  await settle();
  b.run(5.1);
  a.run(5.1);
  await settle();
  assert.equal(a.paused, false, "the longer one goes on");
  assert.equal(sync.state().paused, false);
  a.run(5);
  await settle();
  assert.equal(sync.state().paused, true);
  sync.play();
  await settle();
  assert.deepEqual([a.currentTime, b.currentTime, a.paused, b.paused], [0, 0, false, false]);
});

test("once destroyed the players are on their own again", async () => {
  const { a, b, sync } = pair();
  sync.destroy();
  a.currentTime = 2;
  await settle();
  assert.equal(b.currentTime, 0);
});
