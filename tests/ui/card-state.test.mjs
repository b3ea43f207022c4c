import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createTranslator, lookup, pluralCategory } from "../../ui/js/i18n.js";
import {
  ACTION_COMMANDS, cardActions, deliveryKey, isSlow, passingProblem, SLOW_AFTER_MS, SLOW_AFTER_PRO_MS, slowAfterMs, STATES,
} from "../../ui/js/status.js";
import { DAY_MS, daysLeftText, RESULT_KEPT_MS, resultDaysLeft } from "../../ui/js/expiry.js";

const load = (lang) => JSON.parse(readFileSync(new URL(`../../ui/i18n/${lang}.json`, import.meta.url), "utf8"));
const enCatalog = load("en");
const deCatalog = load("de");
const en = createTranslator(enCatalog, enCatalog, "en");
const de = createTranslator(deCatalog, enCatalog, "de");
const HOUR = 3600_000;

test("a card offers the actions core sent with the record, and only ones it can carry out", () => {
  assert.deepEqual(cardActions({ status: "needs_check", actions: ["check_again", "post_again", "discard"] }), ["check_again", "post_again", "discard"]);
  assert.deepEqual(cardActions({ status: "expired", actions: ["download_again"] }), ["download_again"]);
  assert.deepEqual(cardActions({ status: "queued", actions: ["cancel", "teleport"] }), ["cancel"]);
  for (const state of STATES) assert.deepEqual(cardActions({ status: state }), [], state);
  assert.deepEqual(cardActions(null), []);
});

test("cancel is a discard; every action maps to a backend command", () => {
  assert.equal(ACTION_COMMANDS.cancel, "discard");
  assert.equal(ACTION_COMMANDS.check_again, "check_again");
  assert.equal(ACTION_COMMANDS.post_again, "post_again");
  assert.equal(ACTION_COMMANDS.discard, "discard");
  assert.equal(ACTION_COMMANDS.download_again, "download_again");
});

test("every action has a label and a busy label in both languages", () => {
  const keys = ["check_again", "post_again", "discard", "cancel", "download_again", "checking", "sending", "discarding", "cancelling", "downloading_again",
    "post_again_warning", "post_again_confirm", "post_again_keep", "copy", "copied", "copy_selected", "waiting"];
  for (const catalog of [enCatalog, deCatalog]) {
    for (const key of keys) assert.equal(typeof lookup(catalog, `card.${key}`), "string", key);
  }
  assert.equal(en("card.post_again_warning"), "If Kling did receive the first request, you'll be charged twice.");
});

test("the queued label says it waits for a free slot", () => {
  assert.equal(en("status.queued.label"), "Waiting for a free slot");
  assert.match(de("status.queued.label"), /freien Platz/);
});

test("delivery line: only on submitted and processing cards, from the delivery field", () => {
  assert.equal(deliveryKey({ status: "processing", delivery: "callback" }), "card.delivery_callback");
  assert.equal(deliveryKey({ status: "submitted", delivery: "polling" }), "card.delivery_polling");
  assert.equal(deliveryKey({ status: "processing" }), null, "no field, no line");
  assert.equal(deliveryKey({ status: "downloading", delivery: "polling" }), null);
  assert.equal(deliveryKey({ status: "queued", delivery: "polling" }), null);
  assert.equal(en("card.delivery_callback"), "Live updates");
  assert.equal(en("card.delivery_polling"), "Checking every few seconds");
  assert.notEqual(de("card.delivery_polling"), en("card.delivery_polling"));
});

test("a passing problem on a running card is a soft warning; failures are not", () => {
  assert.deepEqual(passingProblem({ status: "downloading", error: { kind: "download_failed" } }), { kind: "download_failed" });
  assert.deepEqual(passingProblem({ status: "processing", error: { kind: "disk_full" } }), { kind: "disk_full" });
  assert.equal(passingProblem({ status: "processing", error: null }), null);
  assert.equal(passingProblem({ status: "failed", error: { kind: "policy_refused" } }), null);
  assert.equal(passingProblem({ status: "needs_check", error: { kind: "submission_unsettled" } }), null);
  assert.equal(passingProblem({ status: "queued", error: { kind: "concurrency_limit" } }), null, "the label says it already");
  assert.deepEqual(passingProblem({ status: "queued", error: { kind: "offline" } }), { kind: "offline" });
});

test("slow after 15 min for std and 30 min for pro", () => {
  assert.equal(slowAfterMs("std"), 15 * 60_000);
  assert.equal(slowAfterMs("pro"), 30 * 60_000);
  assert.equal(slowAfterMs(undefined), SLOW_AFTER_MS);
  const created_at = 1_000_000;
  const at20 = created_at + 20 * 60_000;
  assert.equal(isSlow({ status: "processing", created_at, request: { mode: "std" } }, at20), true);
  assert.equal(isSlow({ status: "processing", created_at, request: { mode: "pro" } }, at20), false);
  assert.equal(isSlow({ status: "processing", created_at, request: { mode: "pro" } }, created_at + SLOW_AFTER_PRO_MS + 1), true);
  assert.equal(isSlow({ status: "queued", created_at, request: { mode: "std" } }, at20), false, "waiting for a slot is not slow");
  assert.equal(en("status.slow"), "Taking longer than usual. Kling Desk keeps checking.");
});

test("days left: 30 days from creation, whole days, clamped at 0", () => {
  const created_at = 10 * DAY_MS;
  const gen = (status) => ({ status, created_at });
  assert.deepEqual(resultDaysLeft(gen("processing"), created_at), { days: 30, lessThanDay: false, urgent: false });
  assert.deepEqual(resultDaysLeft(gen("processing"), created_at + HOUR), { days: 29, lessThanDay: false, urgent: false });
  assert.deepEqual(resultDaysLeft(gen("downloading"), created_at + 27 * DAY_MS + HOUR), { days: 2, lessThanDay: false, urgent: true });
  assert.deepEqual(resultDaysLeft(gen("needs_check"), created_at + 27 * DAY_MS), { days: 3, lessThanDay: false, urgent: false });
  assert.deepEqual(resultDaysLeft(gen("submitted"), created_at + RESULT_KEPT_MS - HOUR), { days: 0, lessThanDay: true, urgent: true });
  assert.deepEqual(resultDaysLeft(gen("submitted"), created_at + RESULT_KEPT_MS + 5 * DAY_MS), { days: 0, lessThanDay: true, urgent: true });
});

test("days left only while the video is not yet in the library and not failed or expired", () => {
  const shown = STATES.filter((status) => resultDaysLeft({ status, created_at: 0 }, 1000) !== null);
  assert.deepEqual(shown, ["needs_check", "submitted", "processing", "downloading"]);
  assert.equal(resultDaysLeft({ status: "processing" }, 1000), null, "no creation time, no guess");
});

test("days left reads well in both languages, with plural forms", () => {
  const info = (days) => ({ days, lessThanDay: days === 0, urgent: days < 3 });
  assert.equal(daysLeftText(info(29), en), "Kling keeps the result for 29 more days");
  assert.equal(daysLeftText(info(1), en), "Kling keeps the result for 1 more day");
  assert.equal(daysLeftText(info(0), en), "Kling keeps the result for less than a day");
  assert.equal(daysLeftText(info(29), de), "Kling bewahrt das Ergebnis noch 29 Tage auf");
  assert.equal(daysLeftText(info(1), de), "Kling bewahrt das Ergebnis noch 1 Tag auf");
  assert.equal(daysLeftText(null, en), "");
});

test("plural forms pick one/other by the language's rules", () => {
  assert.equal(pluralCategory("en", 1), "one");
  assert.equal(pluralCategory("en", 2), "other");
  assert.equal(pluralCategory("de", 0), "other");
  // The shortcut for whole numbers in English and German says what the language's rules say.
  for (const lang of ["en", "de"]) {
    const rules = new Intl.PluralRules(lang);
    for (const count of [0, 1, 2, 3, 11, 21, 101, 1000, 1001, -1, 1.5]) {
      assert.equal(pluralCategory(lang, count), rules.select(count), `${lang} ${count}`);
    }
  }
  assert.equal(en.plural("quit.message", 1, { count: 1 }),
    "1 video is still being made. It goes on at Kling, and Kling Desk picks it up the next time you open it.");
  assert.equal(en.plural("quit.message", 3),
    "3 videos are still being made. They go on at Kling, and Kling Desk picks them up the next time you open it.");
  assert.match(de.plural("quit.message", 1), /^1 Video wird/);
  assert.match(de.plural("quit.message", 4), /^4 Videos werden/);
  // A language whose category has no text falls back to "other".
  const t = createTranslator({ n: { other: "{count} things" } }, null, "ar");
  assert.equal(t.plural("n", 2), "2 things");
});
