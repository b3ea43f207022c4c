// The gallery reuses a card that scrolled away for the next record that comes into view (its
// memory stays flat over thousands of videos). The real card on a stand-in DOM: a reused card
// shows its new record and nothing of the one before, and a call that ends after the card moved
// on does not land on the new record.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator } from "../../ui/js/i18n.js";
import { installFakeDom } from "./fake-dom.mjs";

installFakeDom();
const { createCard } = await import("../../ui/js/card/index.js");
const { PICTURE_SETTLE_MS } = await import("../../ui/js/card/media.js");

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const en = load("en");
const ctx = { t: createTranslator(en, en, "en"), lang: "en", isSelected: () => false, info: { demo: false } };

const unsettled = (id, prompt) => ({
  id,
  status: "needs_check",
  request: { prompt, aspect_ratio: "16:9", duration: "5", mode: "std", model_name: "kling-v2-1" },
  actions: ["check_again", "post_again", "discard"],
  created_at: Date.now() - 60_000,
});
const ready = (id, prompt) => ({
  id,
  status: "ready",
  task_id: `task-${id}`,
  request: { prompt, aspect_ratio: "9:16", duration: "10", mode: "pro", model_name: "kling-v2-1" },
  video_url: `http://127.0.0.1:1/videos/${id}.mp4`,
  poster_url: `http://127.0.0.1:1/posters/${id}.jpg`,
  created_at: Date.now() - 120_000,
  finished_at: Date.now() - 60_000,
});

/** A Tauri bridge whose every call waits until the test settles it; `calls` lists them. */
function bridge() {
  const calls = [];
  globalThis.window = {
    __TAURI__: {
      core: {
        invoke: (command, args) => new Promise((resolve, reject) => calls.push({ command, args, resolve, reject })),
      },
      event: { listen: async () => () => {} },
    },
  };
  return calls;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
/** Until a card that kept its record has started its picture. */
const pictureSettled = () => new Promise((resolve) => setTimeout(resolve, PICTURE_SETTLE_MS + 20));
const enabled = (node) => node.getAttribute("disabled") === null;

test("a reused card shows its new record: no error, warning or video of the one before", async () => {
  const calls = bridge();
  const card = createCard(unsettled("a", "A fox in the snow"), ctx);
  const root = card.element;
  root.find("check-again").dispatch("click");
  calls[0].reject({ kind: "offline" });
  await settle();
  assert.ok(root.find("action-error"), "the failed check shows on the first record");
  root.find("post-again").dispatch("click");
  assert.ok(root.find("post-again-warning"), "the warning before a second charge is open");

  card.rebind(ready("b", "A lighthouse at dusk"));
  assert.equal(root.dataset.id, "b");
  assert.equal(root.dataset.status, "ready");
  assert.equal(root.find("card-prompt").textContent, "A lighthouse at dusk");
  assert.equal(root.find("action-error"), null, "the first record's failure is gone");
  assert.equal(root.find("post-again-warning"), null, "the first record's warning is gone");
  assert.equal(root.find("error"), null, "a ready video has no problem to show");
  assert.equal(root.find("poster").getAttribute("src"), null, "no picture of the record before, and none yet");
  await pictureSettled();
  assert.equal(root.find("poster").getAttribute("src"), "http://127.0.0.1:1/posters/b.jpg");
  assert.ok(root.find("play"), "the new record can be played");

  root.find("play").dispatch("click");
  assert.equal(root.find("video").getAttribute("src"), "http://127.0.0.1:1/videos/b.mp4");
  card.stop();
  card.rebind(ready("c", "Rain on a tin roof"));
  assert.equal(root.find("video"), null, "the video of the record before is put away");
  await pictureSettled();
  assert.equal(root.find("poster").getAttribute("src"), "http://127.0.0.1:1/posters/c.jpg");
  assert.equal(root.find("card-prompt").textContent, "Rain on a tin roof");
});

test("an action that ends after its card showed another record leaves that record alone", async () => {
  const calls = bridge();
  const reported = [];
  const card = createCard(unsettled("a", "A fox in the snow"), ctx, { onRecord: (record) => reported.push(record.id) });
  const root = card.element;
  root.find("check-again").dispatch("click");
  assert.equal(root.find("check-again").getAttribute("aria-busy"), "true", "the check runs on the first record");
  assert.equal(enabled(root.find("discard")), false, "the other buttons wait for it");

  card.rebind(unsettled("b", "A lighthouse at dusk"));
  assert.equal(root.find("check-again").getAttribute("aria-busy"), "false", "the new record's buttons do not wait");
  assert.ok(enabled(root.find("discard")));

  calls[0].reject({ kind: "offline" });
  await settle();
  assert.equal(root.find("action-error"), null, "the first record's failure does not show on the second");

  root.find("check-again").dispatch("click");
  assert.deepEqual(calls[1].args, { id: "b" }, "the button acts on the record it shows");
  calls[1].resolve({ ...unsettled("b", "A lighthouse at dusk"), status: "processing", actions: ["cancel"] });
  await settle();
  assert.deepEqual(reported, ["b"], "the answer goes to the gallery, which updates the card");
});

test("a star saved for the record before neither blocks nor unblocks the new record's star", async () => {
  const calls = bridge();
  const card = createCard(ready("a", "A fox in the snow"), ctx);
  const root = card.element;
  root.find("favorite").dispatch("click");
  card.rebind(ready("b", "A lighthouse at dusk"));
  root.find("favorite").dispatch("click");
  assert.deepEqual(calls.map((call) => call.args.id), ["a", "b"], "the new record's star is saved at once");

  calls[0].resolve({ ...ready("a", "A fox in the snow"), favorite: true });
  await settle();
  root.find("favorite").dispatch("click");
  assert.equal(calls.length, 2, "while the new record's star is being saved, a second press waits for it");
  calls[1].resolve({ ...ready("b", "A lighthouse at dusk"), favorite: true });
  await settle();
  root.find("favorite").dispatch("click");
  assert.equal(calls.length, 3, "once saved, the star can be pressed again");
});

test("a card passed in a fast scroll starts no picture; the record it stays on shows its poster", async () => {
  bridge();
  const card = createCard(ready("a", "A fox in the snow"), ctx);
  const poster = card.element.find("poster");
  const started = [];
  const setAttribute = poster.setAttribute.bind(poster);
  poster.setAttribute = (name, value) => {
    if (name === "src") started.push(value);
    setAttribute(name, value);
  };
  for (const id of ["b", "c", "d"]) card.rebind(ready(id, `Record ${id}`));
  assert.equal(poster.getAttribute("src"), null, "nothing shows while records pass");
  await pictureSettled();
  assert.deepEqual(started, ["http://127.0.0.1:1/posters/d.jpg"], "only the poster of the record the card stayed on");
  assert.equal(card.element.find("poster"), poster, "the same image, its source changed");
});

test("a video made from a picture keeps its picture shown while its status changes", async () => {
  bridge();
  const working = (status) => ({
    id: "p",
    status,
    image_url: "http://127.0.0.1:1/pictures/p.png",
    request: { prompt: "The picture comes alive", aspect_ratio: "16:9", duration: "5", mode: "std", model_name: "kling-v2-1" },
    created_at: Date.now() - 60_000,
  });
  const card = createCard(working("submitted"), ctx);
  await pictureSettled();
  const picture = card.element.find("start-picture");
  assert.equal(picture.getAttribute("src"), "http://127.0.0.1:1/pictures/p.png");
  card.update(working("running"));
  assert.equal(card.element.find("start-picture"), picture, "the same image under the new status");
  assert.equal(picture.getAttribute("src"), "http://127.0.0.1:1/pictures/p.png", "not cleared and loaded again");
});
