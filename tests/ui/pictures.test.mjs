// Videos from a picture and continued clips, as the window shows them: which dropped or pasted
// thing becomes a picture and where it goes, how its size and a refusal read, a card's badge and
// name, how long a clip can be continued, what "Generate again" sends and what the gallery filters.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { againRequest, detailHeading } from "../../ui/js/detail-facts.js";
import { describeError } from "../../ui/js/errors.js";
import { DAY_MS } from "../../ui/js/expiry.js";
import { createTranslator } from "../../ui/js/i18n.js";
import { activeFilters, DEFAULT_QUERY, normalizeQuery } from "../../ui/js/library-query.js";
import {
  continueLeft, continueLeftText, droppedPicture, kindBadgeKey, kindOf, pastedPicture, pictureParams, pictureSize, pictureTarget,
  wordlessName,
} from "../../ui/js/pictures.js";
import { mediaView } from "../../ui/js/posters.js";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const enCatalog = load("en");
const en = createTranslator(enCatalog, enCatalog, "en");
const de = createTranslator(load("de"), enCatalog, "de");

const START = { file: "frame-aa.png", format: "png", width: 1280, height: 720, bytes: 52000 };
const END = { file: "frame-bb.jpeg", format: "jpeg", width: 1280, height: 720, bytes: 41000 };

/** A clipboard as a paste event carries it. */
function clipboard({ text = "", files = [] }) {
  return { getData: (type) => (type === "text/plain" ? text : ""), files };
}

test("a dropped PNG, JPEG or WebP is a picture; videos and other files are not", () => {
  assert.equal(droppedPicture(["/home/a/clip.mp4", "/home/a/Shot.JPG", "/home/a/b.png"]), "/home/a/Shot.JPG");
  assert.equal(droppedPicture(["C:\\Users\\a\\photo.jpeg"]), "C:\\Users\\a\\photo.jpeg");
  assert.equal(droppedPicture(["/x/y.webp"]), "/x/y.webp");
  assert.equal(droppedPicture(["/x/anim.gif", "/x/notes.txt", "/x/video.mov"]), null);
  assert.equal(droppedPicture([]), null);
  assert.equal(droppedPicture(undefined), null);
});

test("a pasted picture is taken, but not when the paste carries words too", () => {
  const png = { type: "image/png", name: "image.png" };
  assert.equal(pastedPicture(clipboard({ files: [png] })), png);
  assert.equal(pastedPicture(clipboard({ files: [{ type: "text/html" }, png] })), png);
  // A word processor puts a picture of the copied words beside them: the words go to the prompt.
  assert.equal(pastedPicture(clipboard({ text: "a fox in the snow", files: [png] })), null);
  assert.equal(pastedPicture(clipboard({ files: [{ type: "application/pdf" }] })), null);
  assert.equal(pastedPicture(null), null);
});

test("a picture's size reads as width × height", () => {
  assert.equal(pictureSize(START), "1280 × 720");
  assert.equal(pictureSize({ width: 300, height: 750 }), "300 × 750");
  assert.equal(pictureSize({ file: "x" }), "");
  assert.equal(pictureSize(null), "");
});

test("a dropped or pasted picture fills the start, then an offered end, then replaces the start", () => {
  assert.equal(pictureTarget({ image: null, image_tail: null, endOffered: false }), "image");
  assert.equal(pictureTarget({ image: START, image_tail: null, endOffered: true }), "image_tail");
  assert.equal(pictureTarget({ image: START, image_tail: null, endOffered: false }), "image", "no end picture here: the start is replaced");
  assert.equal(pictureTarget({ image: START, image_tail: END, endOffered: true }), "image");
});

test("a card made from a picture or continuing a clip says so, in both languages", () => {
  const text = { request: { kind: "text_to_video", prompt: "x" } };
  const picture = { request: { kind: "image_to_video", image: START } };
  const continued = { request: { kind: "extend", parent: { generation_id: "g0", task_id: "1", video_id: "v" } } };
  assert.equal(kindBadgeKey(text), null);
  assert.equal(kindBadgeKey({ request: { prompt: "stored before pictures existed" } }), null);
  assert.equal(en(kindBadgeKey(picture)), "From a picture");
  assert.equal(de(kindBadgeKey(picture)), "Aus einem Bild");
  assert.equal(en(kindBadgeKey(continued)), "Continued");
  assert.equal(de(kindBadgeKey(continued)), "Fortgesetzt");
  assert.equal(kindOf({ request: { image: START } }), "image_to_video", "a request with a picture and no kind");
  assert.equal(kindOf({ kind: "extend" }), "extend", "a request itself");
});

test("a video without words is named by what it was made from; a recovered task says so", () => {
  const picture = { id: "g", task_id: "77", request: { kind: "image_to_video", prompt: "", image: START } };
  assert.equal(wordlessName(picture, en), "A video from a picture");
  assert.equal(detailHeading(picture, de), "Ein Video aus einem Bild");
  assert.equal(wordlessName({ request: { kind: "extend", prompt: "" } }, en), "A continued clip");
  assert.equal(wordlessName({ task_id: "77", request: { prompt: "" } }, en), "Recovered video (task 77)");
});

test("the days left to continue count down, and end with the day", () => {
  const now = Date.UTC(2026, 0, 10, 12);
  const in12 = continueLeft(now + 12.5 * DAY_MS, now);
  assert.deepEqual(in12, { days: 12, lessThanDay: false });
  assert.equal(continueLeftText(in12, en), "12 days left to continue");
  assert.equal(continueLeftText(in12, de), "Noch 12 Tage zum Fortsetzen");
  assert.equal(continueLeftText(continueLeft(now + DAY_MS + 1, now), en), "1 day left to continue");
  assert.equal(continueLeftText(continueLeft(now + 3_600_000, now), en), "Less than a day left to continue");
  assert.equal(continueLeft(now - 1, now), null, "past: it can no longer be continued");
  assert.equal(continueLeft(null, now), null, "the record says it cannot be continued now");
  assert.equal(continueLeftText(null, en), "");
});

test("a refused picture says what to change, with formats by name and sizes as the language writes them", () => {
  const present = (lang) => (params) => pictureParams(params, lang);
  const large = { kind: "image_too_large", field: "image", params: { mb: 12.4, max_mb: 10 } };
  assert.equal(describeError(large, en, present("en")).text,
    "This picture is 12.4 MB; Kling takes at most 10 MB. Save it smaller (as a JPEG, for example) and add it again.");
  assert.match(describeError(large, de, present("de")).text, /12,4 MB.*höchstens 10 MB/);
  const unreadable = { kind: "image_unreadable", field: "image", params: { formats: ["png", "jpeg", "webp"] } };
  assert.match(describeError(unreadable, en, present("en")).text, /PNG, JPEG, WebP/);
  const small = { kind: "image_too_small", field: "image", params: { width: 200, height: 200, min: 300 } };
  assert.match(describeError(small, de, present("de")).text, /200 × 200 Pixel.*mindestens 300/);
});

test("Generate again makes a picture's video from its kept pictures, and continues a continued clip's parent", () => {
  const picture = {
    request: {
      kind: "image_to_video", prompt: "", model_name: "kling-v1-6", mode: "pro", duration: "5", aspect_ratio: "16:9",
      image: START, image_tail: END, negative_prompt: null, cfg_scale: null,
    },
  };
  assert.deepEqual(againRequest(picture), {
    model_name: "kling-v1-6", mode: "pro", duration: "5", image: START.file, image_tail: END.file,
  }, "no prompt needed, no shape: the picture's");
  assert.equal(againRequest({ request: { ...picture.request, image: null } }), null, "nothing to start from");
  const continued = {
    request: {
      kind: "extend", prompt: "the sun sets", negative_prompt: "", model_name: "kling-v1-6", mode: "pro", duration: "5",
      aspect_ratio: "16:9", parent: { generation_id: "g0", task_id: "840", video_id: "v9" },
    },
  };
  assert.deepEqual(againRequest(continued), { kind: "extend", parent_id: "g0", prompt: "the sun sets" });
});

test("the gallery filters by how a video was made, and keeps only kinds it knows", () => {
  assert.equal(DEFAULT_QUERY.kind, null);
  assert.equal(normalizeQuery({ kind: "image_to_video" }).kind, "image_to_video");
  assert.equal(normalizeQuery({ kind: "from_the_future" }).kind, null);
  assert.equal(activeFilters({ ...DEFAULT_QUERY, kind: "extend" }), 1);
  assert.equal(en("gallery.kind.text_to_video"), "From words");
  assert.equal(de("gallery.kind.extend"), "Fortgesetzt");
});

test("until its video is ready, a card made from a picture shows the picture", () => {
  const picture = "http://127.0.0.1:1/k/frame-aa.png";
  for (const status of ["queued", "submitting", "processing", "downloading", "failed"]) {
    assert.equal(mediaView({ status, video_url: null, image_url: picture }), "picture", status);
  }
  assert.equal(mediaView({ status: "processing", image_url: picture }, { brokenPicture: picture }), "state", "a picture that did not load");
  assert.equal(mediaView({ status: "ready", video_url: "v.mp4", poster_url: "p.jpg", image_url: picture }), "poster");
  assert.equal(mediaView({ status: "processing", video_url: null, image_url: null }), "state");
});
