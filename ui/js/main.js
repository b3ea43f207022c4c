// Start-up and wiring: language, gallery, key status, welcome or composer, settings, About, the
// library notice and the quit dialog. The first screen (the gallery) is drawn from what came with
// the page; the modules of the rest of the window are fetched after its first paint (see start()).
import * as backend from "./backend.js";
import { createCard } from "./card/index.js";
import { createGallery } from "./gallery.js";
import { createGalleryToolbar } from "./gallery-toolbar.js";
import { applyI18n, nextFrame, nextTask, showError } from "./dom.js";
import { describeError } from "./errors.js";
import { createTranslator, pickLanguage } from "./i18n.js";
import { createLibraryNotice } from "./notice.js";
import { normalizeQuery } from "./library-query.js";
import { mergeSettings } from "./preferences.js";
import { createQuitDialog } from "./quit-dialog.js";
import { applyTheme } from "./theme.js";
import { createTidy } from "./tidy.js";

/** The words of every language, by code: they come with the first screen (backend.boot). */
const catalogs = new Map();

const live = document.getElementById("live");
/** Set once a catalog is in use: a failed start is then explained in the user's language. */
let wordsLoaded = false;

let windowBuilt;
/** Resolves when the rest of the window (the views after the gallery) is built. */
const built = new Promise((resolve) => {
  windowBuilt = resolve;
});
/** A view's call from the first screen made before that view exists (a card clicked at once) runs once it does. */
const afterBuild = (call) => (...args) => built.then(() => call(...args));

const ctx = {
  t: (key) => key,
  lang: "en",
  info: null,
  settings: null,
  /** The rules table from the backend: limits, models, prices. */
  rules: null,
  keyStatus: null,
  /** Says something to screen readers through the polite live region. */
  announce(text) {
    live.textContent = "";
    // Setting the text a moment later makes repeated messages audible too.
    setTimeout(() => { live.textContent = text; }, 60);
  },
  setKeyStatus: () => {},
  refreshKeyStatus: () => {},
  /**
   * Fills the composer from an earlier generation's request ("Use these settings"), its pictures
   * shown from the record's image_url and image_tail_url.
   */
  reuse: afterBuild((request, urls) => ctx.reuse(request, urls)),
  /** Opens the detail view of a generation record (from a card). */
  openDetail: afterBuild((generation) => ctx.openDetail(generation)),
  /** Asks how to continue a ready clip ("Continue this video", on a card or in the detail view). */
  continueVideo: afterBuild((generation) => ctx.continueVideo(generation)),
  /** Opens the comparison of two to four generations. */
  compare: afterBuild((generations) => ctx.compare(generations)),
  /** Deleting (with Undo), opening and showing videos in their folder: tidy.js's createTidy. */
  tidy: {
    deleteVideos: afterBuild((generations) => ctx.tidy.deleteVideos(generations)),
    openVideo: afterBuild((id) => ctx.tidy.openVideo(id)),
    showInFolder: afterBuild((id) => ctx.tidy.showInFolder(id)),
  },
  /** Copying videos to a folder: export.js's createExporter. */
  exporter: {
    exportVideos: afterBuild((generations) => ctx.exporter.exportVideos(generations)),
    exportFavorites: afterBuild(() => ctx.exporter.exportFavorites()),
  },
  /** Hands the detail view a newer record of any generation; it redraws if that one is shown. */
  updateDetail: () => {},
};

function useLanguage() {
  const lang = pickLanguage(ctx.settings?.language ?? null, navigator.language);
  const english = catalogs.get("en");
  ctx.lang = lang;
  ctx.t = createTranslator(catalogs.get(lang) ?? english, english, lang);
  wordsLoaded = true;
  document.documentElement.lang = lang;
  document.title = ctx.t("app.name");
  applyI18n(document, ctx.t);
}

async function start() {
  // The system's choice until the saved one is known: the page's background is visible at once.
  applyTheme(null);
  performance.mark("kd:start");
  // Everything the first screen needs came with the page (see backend.delivered).
  const boot = backend.delivered() ?? (await backend.boot());
  performance.mark("kd:boot");
  for (const [lang, catalog] of Object.entries(boot.catalogs ?? {})) catalogs.set(lang, catalog);
  const info = boot.info;
  ctx.info = info;
  ctx.settings = mergeSettings(boot.settings);
  // Before the page shows (is-booting), so it never flashes the other palette.
  applyTheme(ctx.settings.theme);
  useLanguage();
  if (boot.failure) throw boot.failure;
  ctx.rules = boot.rules;

  const savedQuery = normalizeQuery(ctx.settings.gallery);
  const gallery = createGallery(ctx, { createCard, query: savedQuery });
  const galleryStarted = gallery.start(boot.first_page);

  const welcome = document.getElementById("welcome");
  const welcomeSlot = document.getElementById("welcome-key-slot");
  const settingsSlot = document.getElementById("settings-key-slot");

  const notice = createLibraryNotice(ctx);
  notice.show(info?.library_notice ?? null);
  const quitDialog = createQuitDialog(ctx);
  const toolbar = createGalleryToolbar(ctx, { query: savedQuery, onChange: (query, options) => gallery.setQuery(query, options) });
  document.getElementById("no-results-clear").addEventListener("click", () => {
    toolbar.clearAll();
    toolbar.focusSearch();
  });

  // The gallery is the first screen: shown as soon as its first cards are drawn, and painted
  // before the rest of the window (the composer, the dialogs) is built.
  await galleryStarted;
  document.body.classList.remove("is-booting");
  performance.mark("kd:shown");
  // After the first paint.
  await nextFrame();
  performance.mark("kd:first-frame");
  await nextTask();
  // Nothing but the first screen's data (on a reload) is asked of the app before the first
  // screen is painted: each call is a turn of the app's main thread, the one that puts the
  // painted frame on the screen (five calls made while the gallery was drawn held its first frame
  // back some 40 ms). The key's status comes from the keychain, which can be slow: asked for
  // first, waited for last.
  const keyCall = backend.keyStatus();
  // Closing the window from here on asks first.
  const quitListening = quitDialog.start();
  gallery.follow();
  backend.onLibraryChecked((report) => notice.checked(report));
  const [
    { createAbout },
    { createSpend },
    { createRateCard },
    { createComposer },
    { createCompareView },
    { createContinueDialog },
    { createDetailView },
    { createDemo },
    { createDropOffer, createExporter },
    { createKeyForm },
    { createGetKey },
    { createLibraryPlace },
    { createOptionsForm },
    { createPromptTools },
    { createSettings },
    { createRecoverForm },
  ] = await Promise.all([
    import("./about.js"),
    import("./spend.js"),
    import("./rate-card.js"),
    import("./composer.js"),
    import("./compare-view.js"),
    import("./continue-dialog.js"),
    import("./detail-view.js"),
    import("./demo.js"),
    import("./export.js"),
    import("./key-form.js"),
    import("./get-key.js"),
    import("./library-place.js"),
    import("./options-form/index.js"),
    import("./prompt-tools/index.js"),
    import("./settings.js"),
    import("./recover-form.js"),
  ]);
  performance.mark("kd:rest-loaded");

  const about = createAbout(ctx);
  const spend = createSpend(ctx);
  const keyForm = createKeyForm(ctx);
  const getKey = createGetKey(ctx);
  const detail = createDetailView(ctx, {
    onRecord: (record) => gallery.upsert(record),
    step: async (id, delta) => (gallery.step ? gallery.step(id, delta) : null),
  });
  ctx.openDetail = (generation) => detail.open(generation);
  ctx.updateDetail = (record) => detail.update(record);
  const compare = createCompareView(ctx, { onRecord: (record) => gallery.upsert(record) });
  ctx.compare = (generations) => compare.open(generations);
  ctx.tidy = createTidy(ctx, {
    onDeleted: (ids) => {
      gallery.remove(ids);
      if (ids.includes(detail.currentId)) detail.close();
      compare.removed(ids);
    },
    onRestored: () => gallery.reload(),
  });
  ctx.exporter = createExporter(ctx);
  // A click on a desktop notification: the backend has brought the window to the front.
  backend.onNotificationOpened((generation) => detail.open(generation));
  // The rest of the window is built in a few tasks, so the gallery answers in between.
  await nextTask();
  const composer = createComposer(ctx, { onCreated: (generation) => gallery.upsert(generation), createOptionsForm, createPromptTools });
  if (ctx.rules) composer.setRules(ctx.rules);
  ctx.reuse = (request, urls) => composer.reuse(request, urls);
  const continueDialog = createContinueDialog(ctx, {
    onCreated: (record) => {
      gallery.upsert(record);
      detail.update(record);
    },
  });
  ctx.continueVideo = (generation) => continueDialog.open(generation);
  const dropOffer = createDropOffer(ctx, {
    slot: document.getElementById("drop-offer"),
    composer: document.getElementById("composer"),
    onUse: ctx.reuse,
  });
  await nextTask();
  const recoverForm = createRecoverForm(ctx);
  const libraryPlace = createLibraryPlace(ctx);
  const rateCard = createRateCard(ctx, { onChange: () => composer.budgetChanged() });
  const settings = createSettings(ctx, {
    onOpen: () => {
      placeKeyForm(true);
      libraryPlace.open();
      rateCard.open();
    },
    onClose: () => placeKeyForm(false),
    onChatModel: () => composer.chatModelChanged(),
    onLanguage: () => {
      useLanguage();
      keyForm.relabel();
      getKey.relabel();
      composer.relabel();
      gallery.relabel();
      toolbar.relabel();
      settings.relabel();
      notice.relabel();
      about.relabel();
      spend.relabel();
      rateCard.relabel();
      quitDialog.relabel();
      recoverForm.relabel();
      detail.relabel();
      compare.relabel();
      continueDialog.relabel();
      ctx.tidy.relabel();
      ctx.exporter.relabel();
      dropOffer.relabel();
      libraryPlace.relabel();
    },
    onTheme: () => applyTheme(ctx.settings?.theme ?? null),
  });

  /** The one key form lives in the Settings dialog while it is open, else on the welcome panel. */
  function placeKeyForm(settingsOpen) {
    if (settingsOpen || ctx.keyStatus?.set) keyForm.mountIn(settingsSlot, "settings");
    else keyForm.mountIn(welcomeSlot, "welcome");
  }

  /** The composer with a key of the user's or in demo mode, else the welcome panel. */
  function showMain() {
    const ready = Boolean(ctx.keyStatus?.set) || Boolean(ctx.info?.demo);
    welcome.hidden = ready;
    composer.show(ready);
    placeKeyForm(settings.isOpen);
  }

  const demo = createDemo(ctx, {
    onSwitch: async () => {
      showMain();
      await gallery.reload();
    },
  });
  ctx.focusComposer = () => composer.focus();
  ctx.focusStart = () => (ctx.keyStatus?.set ? composer.focus() : keyForm.focus());

  ctx.setKeyStatus = async (status) => {
    const hadKey = Boolean(ctx.keyStatus?.set);
    ctx.keyStatus = status;
    // Saving a key of their own takes the user out of demo mode (the shell did): their library.
    if (ctx.info?.demo && status?.set) {
      ctx.info = await backend.appInfo();
      demo.update();
      await gallery.reload();
    }
    showMain();
    if (!hadKey && status?.set && !settings.isOpen) {
      // The composer took the place of the welcome panel, scrolled down to its Save button: from the top.
      window.scrollTo(0, 0);
      composer.focus();
    }
  };
  ctx.refreshKeyStatus = async () => {
    try {
      ctx.setKeyStatus(await backend.keyStatus());
    } catch {
      // The next action shows its own error.
    }
  };

  await nextTask();
  composer.render();
  performance.mark("kd:views");
  windowBuilt();

  // The welcome panel or the composer, once the keychain has answered.
  ctx.keyStatus = await keyCall;
  performance.mark("kd:key");
  showMain();
  // The first place to type, unless the user already started somewhere else (the gallery is
  // usable before the rest of the window is built, and its search box must keep the letters).
  const untouched = !document.activeElement || document.activeElement === document.body;
  if (untouched && (ctx.keyStatus?.set || ctx.info?.demo)) composer.focus();
  else if (untouched) keyForm.focus();
  await quitListening;
}

start().catch((error) => {
  // Without the backend nothing works; say so in the user's language if a catalog loads.
  // No catalog (the first screen never came): the key names stay visible, which is still better
  // than a blank window.
  if (!wordsLoaded && catalogs.has("en")) useLanguage();
  applyTheme(ctx.settings?.theme ?? null);
  document.body.classList.remove("is-booting");
  const described = describeError(error, ctx.t);
  const slot = document.getElementById("fatal");
  slot.hidden = false;
  showError(slot, described, ctx.t);
  console.error("Kling Desk failed to start", error);
});
