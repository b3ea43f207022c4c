import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator } from "../../ui/js/i18n.js";
import { describeError } from "../../ui/js/errors.js";
import {
  CAPTURE_TIMEOUT_MS, captureSize, createPosterQueue, mediaView, needsPoster, POSTER_MAX_SIDE, POSTER_QUALITY, seekTime,
} from "../../ui/js/posters.js";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const enCatalog = load("en");
const deCatalog = load("de");
const en = createTranslator(enCatalog, enCatalog, "en");
const de = createTranslator(deCatalog, enCatalog, "de");

const URL_BASE = "http://127.0.0.1:4321/tok";
const ready = (id, extra = {}) => ({ id, status: "ready", video_url: `${URL_BASE}/${id}.mp4`, poster_url: null, ...extra });

/** Lets every queued promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
  return { promise, resolve, reject };
}

test("capture size: the longer side is capped at 640 px and the shape is kept", () => {
  assert.equal(POSTER_MAX_SIDE, 640);
  assert.equal(POSTER_QUALITY, 0.82);
  assert.deepEqual(captureSize(1920, 1080), { width: 640, height: 360 });
  assert.deepEqual(captureSize(1080, 1920), { width: 360, height: 640 }, "portrait: the height is the longer side");
  assert.deepEqual(captureSize(1440, 1440), { width: 640, height: 640 });
  assert.deepEqual(captureSize(1920, 1280), { width: 640, height: 427 }, "3:2 rounds to whole pixels");
  assert.deepEqual(captureSize(1280, 960), { width: 640, height: 480 });
  assert.deepEqual(captureSize(480, 270), { width: 480, height: 270 }, "a small video is not upscaled");
  assert.deepEqual(captureSize(640, 100), { width: 640, height: 100 });
  assert.deepEqual(captureSize(4000, 10), { width: 640, height: 2 });
  assert.deepEqual(captureSize(1920, 1080, 320), { width: 320, height: 180 });
  for (const [w, h] of [[1920, 1080], [1080, 1920], [1920, 1280], [720, 960], [1234, 567]]) {
    const size = captureSize(w, h);
    assert.ok(Math.max(size.width, size.height) <= 640, `${w}x${h}`);
    assert.ok(Math.abs(size.width / size.height - w / h) / (w / h) < 0.01, `${w}x${h} keeps its shape`);
  }
  assert.equal(captureSize(0, 1080), null, "no size before the metadata");
  assert.equal(captureSize(NaN, 1080), null);
  assert.equal(captureSize(1920, undefined), null);
});

test("the poster frame is 1 s in, or half-way through a shorter clip", () => {
  assert.equal(seekTime(5.1), 1);
  assert.equal(seekTime(10.1), 1);
  assert.equal(seekTime(1.2), 0.6);
  assert.equal(seekTime(2), 1);
  assert.equal(seekTime(0), 0);
  assert.equal(seekTime(NaN), 0);
  assert.equal(seekTime(Infinity), 0, "a stream without a known length starts at its first frame");
});

test("only a ready record with a video and no poster needs one", () => {
  assert.equal(needsPoster(ready("a")), true);
  assert.equal(needsPoster(ready("a", { poster_url: `${URL_BASE}/a.jpg` })), false);
  assert.equal(needsPoster(ready("a", { video_url: null })), false);
  assert.equal(needsPoster({ id: "a", status: "downloading", video_url: null }), false);
  assert.equal(needsPoster({ id: "a", status: "expired", video_url: `${URL_BASE}/a.mp4` }), false);
  assert.equal(needsPoster(null), false);
});

test("a ready card shows its poster, a plain placeholder, or the player after play", () => {
  const poster = `${URL_BASE}/a.jpg`;
  assert.equal(mediaView(ready("a", { poster_url: poster })), "poster");
  assert.equal(mediaView(ready("a")), "ready", "no poster yet: the placeholder with the play button");
  assert.equal(mediaView(ready("a", { poster_url: poster }), { active: true }), "video");
  assert.equal(mediaView(ready("a"), { active: true }), "video", "play works without a poster");
  assert.equal(mediaView(ready("a", { poster_url: poster }), { brokenPoster: poster }), "ready", "an image that failed");
  assert.equal(mediaView(ready("a", { poster_url: `${URL_BASE}/b.jpg` }), { brokenPoster: poster }), "poster", "a new poster is tried");
  for (const status of ["queued", "submitting", "submitted", "processing", "downloading", "needs_check", "failed", "expired", "discarded"]) {
    assert.equal(mediaView({ status, video_url: null, poster_url: null }, { active: true }), "state", status);
  }
  assert.equal(mediaView(ready("a", { video_url: null }), { active: true }), "state", "ready without a file has nothing to play");
});

test("the queue captures one poster at a time, in order, and hands on the saved record", async () => {
  const captures = [];
  const saved = [];
  const records = [];
  let running = 0;
  let most = 0;
  const queue = createPosterQueue({
    capture: (url) => {
      running += 1;
      most = Math.max(most, running);
      const job = deferred();
      captures.push({ url, job });
      return job.promise.finally(() => { running -= 1; });
    },
    save: async (id, bytes) => {
      saved.push([id, [...bytes]]);
      return { ...ready(id), poster_url: `${URL_BASE}/${id}.jpg` };
    },
    onRecord: (record) => records.push(record),
  });
  assert.equal(queue.want(ready("a")), true);
  assert.equal(queue.want(ready("b")), true);
  assert.equal(queue.want(ready("c")), true);
  assert.equal(queue.want(ready("b")), false, "already waiting");
  assert.equal(queue.want(ready("d", { poster_url: `${URL_BASE}/d.jpg` })), false, "has one");
  await settle();
  assert.deepEqual(captures.map((c) => c.url), [`${URL_BASE}/a.mp4`], "only the first runs");
  assert.equal(queue.want(ready("a")), false, "already running");
  assert.deepEqual(queue.state().pending, ["b", "c"]);

  captures[0].job.resolve(new Uint8Array([0xff, 0xd8, 1]));
  await settle();
  assert.deepEqual(saved, [["a", [0xff, 0xd8, 1]]]);
  assert.deepEqual(records.map((r) => [r.id, r.poster_url]), [["a", `${URL_BASE}/a.jpg`]]);
  assert.deepEqual(captures.map((c) => c.url), [`${URL_BASE}/a.mp4`, `${URL_BASE}/b.mp4`]);

  captures[1].job.resolve(new Uint8Array([2]));
  await settle();
  captures[2].job.resolve(new Uint8Array([3]));
  await queue.idle();
  assert.equal(most, 1, "never two captures at once");
  assert.deepEqual(saved.map(([id]) => id), ["a", "b", "c"]);
  assert.equal(queue.want(ready("a")), false, "done once, not again this session");
  assert.deepEqual(queue.state().done, ["a", "b", "c"]);
});

test("a failed capture or save is given up for the session and the queue goes on", async () => {
  const gaveUp = [];
  const calls = [];
  const queue = createPosterQueue({
    capture: async (url) => {
      calls.push(url);
      if (url.endsWith("/bad.mp4")) throw new Error("MEDIA_ERR_DECODE");
      return new Uint8Array([1]);
    },
    save: async (id) => {
      if (id === "huge") throw { kind: "poster_invalid", field: "poster", params: {} };
      return { ...ready(id), poster_url: `${URL_BASE}/${id}.jpg` };
    },
    onGiveUp: (id, error) => gaveUp.push([id, error.kind ?? error.message]),
  });
  queue.want(ready("bad"));
  queue.want(ready("huge"));
  queue.want(ready("good"));
  await queue.idle();
  assert.deepEqual(gaveUp, [["bad", "MEDIA_ERR_DECODE"], ["huge", "poster_invalid"]]);
  assert.deepEqual(queue.state().gaveUp, ["bad", "huge"]);
  assert.deepEqual(queue.state().done, ["good"]);
  assert.equal(queue.want(ready("bad")), false, "no retry loop");
  assert.equal(queue.want(ready("huge")), false);
  await queue.idle();
  assert.equal(calls.length, 3);
});

test("a capture that hangs is aborted after the timeout and given up", async () => {
  assert.equal(CAPTURE_TIMEOUT_MS, 10_000);
  const timers = [];
  let aborted = null;
  const gaveUp = [];
  const started = [];
  const queue = createPosterQueue({
    capture: (url, signal) => {
      started.push(url);
      if (url.endsWith("/next.mp4")) return Promise.resolve(new Uint8Array([1]));
      signal.addEventListener("abort", () => { aborted = signal.reason; });
      return new Promise(() => {}); // never settles, like a stalled load
    },
    save: async (id) => ({ ...ready(id), poster_url: `${URL_BASE}/${id}.jpg` }),
    onGiveUp: (id, error) => gaveUp.push([id, error.kind]),
    setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimer: () => {},
  });
  queue.want(ready("stuck"));
  queue.want(ready("next"));
  await settle();
  assert.deepEqual(started, [`${URL_BASE}/stuck.mp4`], "the next waits for the stuck one");
  assert.equal(timers[0].ms, 10_000);
  timers[0].fn();
  await queue.idle();
  assert.equal(aborted?.kind, "timeout", "the capture is told to stop and free its video");
  assert.deepEqual(gaveUp, [["stuck", "timeout"]]);
  assert.deepEqual(started, [`${URL_BASE}/stuck.mp4`, `${URL_BASE}/next.mp4`]);
  assert.deepEqual(queue.state().done, ["next"]);
});

test("a card scrolled away is taken off the queue and can be wanted again", async () => {
  const started = [];
  const jobs = [];
  const queue = createPosterQueue({
    capture: (url) => { started.push(url); const job = deferred(); jobs.push(job); return job.promise; },
    save: async (id) => ({ ...ready(id), poster_url: `${URL_BASE}/${id}.jpg` }),
  });
  queue.want(ready("a"));
  queue.want(ready("b"));
  queue.want(ready("c"));
  queue.drop("b");
  assert.deepEqual(queue.state().pending, ["c"]);
  queue.drop("a"); // already running: it finishes
  await settle();
  jobs[0].resolve(new Uint8Array([1]));
  await settle();
  assert.deepEqual(started.map((u) => u.split("/").pop()), ["a.mp4", "c.mp4"]);
  assert.equal(queue.want(ready("b")), true, "near again: wanted again");
  jobs[1].resolve(new Uint8Array([1]));
  await settle();
  jobs[2].resolve(new Uint8Array([1]));
  await queue.idle();
  assert.deepEqual(queue.state().done, ["a", "c", "b"]);
});

test("the play button and poster_invalid have words in both languages", () => {
  assert.equal(en("card.play"), "Play video");
  assert.equal(de("card.play"), "Video abspielen");
  const english = describeError({ kind: "poster_invalid" }, en);
  const german = describeError({ kind: "poster_invalid" }, de);
  assert.equal(english.code, null);
  assert.match(english.text, /preview picture/);
  assert.notEqual(german.text, english.text);
});

test("a held queue captures nothing until it is resumed, then what was wanted, in order", async () => {
  const captures = [];
  const queue = createPosterQueue({
    capture: async (url) => {
      captures.push(url);
      return new Uint8Array([1]);
    },
    save: async (id) => ({ ...ready(id), poster_url: `${URL_BASE}/${id}.jpg` }),
    held: true,
  });
  assert.equal(queue.want(ready("a")), true);
  assert.equal(queue.want(ready("b")), true);
  queue.drop("b");
  assert.equal(queue.want(ready("c")), true);
  await settle();
  assert.deepEqual(captures, [], "nothing while the first screen is drawn");
  assert.deepEqual(queue.state().pending, ["a", "c"]);
  queue.resume();
  await queue.idle();
  assert.deepEqual(captures, [`${URL_BASE}/a.mp4`, `${URL_BASE}/c.mp4`]);
  assert.deepEqual(queue.state().done, ["a", "c"]);
});
