// A card's media area. A ready card shows its poster image (or a plain placeholder) with a play
// button; the <video> (a media pipeline) exists only after the user pressed play, and is freed
// again when another card plays or when it has stopped and is scrolled far away. Until then a
// video made from a picture shows that picture under what the video is doing. The area takes
// the shape of the requested aspect ratio until the poster or the video says what it really is.
import { el, icon, setAspect } from "../dom.js";
import { renderOnChange } from "../memo.js";
import { mediaView } from "../posters.js";
import { measuredShape, parseRatio } from "../ratio.js";

/**
 * How long a card shows the same record before its picture loads: a fast scroll passes hundreds
 * of cards a second, and each picture started is a request WebKit's network process keeps memory
 * for (it grew by some 60 MB a pass over 10,000 posters) and an image decoded for nothing.
 */
export const PICTURE_SETTLE_MS = 150;

function placeholder(kind) {
  if (kind === "ready") {
    return el("div", { class: "media-placeholder is-ready" });
  }
  if (kind === "failed" || kind === "expired") {
    return el("div", { class: `media-placeholder is-${kind}` }, icon(kind === "failed" ? "alert" : "clock", "icon icon-lg"));
  }
  if (kind === "needs_check") {
    return el("div", { class: "media-placeholder is-warn" }, icon("alert", "icon icon-lg"));
  }
  return el("div", { class: `media-placeholder is-working is-${kind}` }, el("span", { class: "orbit", "aria-hidden": "true" }));
}

/** onPlay() is called when this card's video starts, so the gallery can stop the one before. */
export function createMedia(initial, ctx, { onPlay = () => {} } = {}) {
  let gen = initial;
  let near = typeof IntersectionObserver === "undefined";
  /** True from the press on play until the video is put away again. */
  let active = false;
  let video = null;
  let resumeAt = 0;
  /** A poster_url whose image did not load: the plain placeholder is shown instead. */
  let brokenPoster = null;
  /** An image_url whose picture did not load: the state's placeholder alone is shown. */
  let brokenPicture = null;
  /** The shape learned from the poster or the video, once known. */
  let measured = null;

  const element = el("div", { class: "media" });

  function measure(width, height) {
    const shape = measuredShape(width, height, measured ?? parseRatio(gen.request?.aspect_ratio));
    if (!shape || shape === measured) return;
    measured = shape;
    setAspect(element, measured);
  }

  /**
   * The picture waiting to load (see PICTURE_SETTLE_MS): one at a time, the card shows one record.
   * Both images load lazily, so one on a card taken out of the page waits until it is back.
   */
  let pictureTimer = null;
  function loadSoon(img, url) {
    clearTimeout(pictureTimer);
    pictureTimer = setTimeout(() => {
      if (img.parentNode === element) img.setAttribute("src", url);
    }, PICTURE_SETTLE_MS);
  }

  /** One play button per card, kept through poster changes so a press (or a focus) is not lost. */
  let playButtonNode = null;
  function playButton() {
    const { t } = ctx;
    playButtonNode ??= el("button", {
      type: "button",
      class: "play-button",
      dataset: { testid: "play" },
      on: { click: play },
    }, el("span", { class: "play-disc" }, icon("play", "icon play-icon")));
    playButtonNode.setAttribute("aria-label", t("card.play"));
    playButtonNode.title = t("card.play");
    return playButtonNode;
  }

  /**
   * One image per card for each picture it can show (the poster, the start picture), its source
   * changed for each record: a replaced image would keep its picture in memory until a full
   * collection, a changed source lets it go, and a new status drawn over the start picture does
   * not load it again. `dataset` is the image's; `urlOf(gen)` is the picture's address;
   * `onBroken(url)` when it fails.
   */
  function cardImage(dataset, urlOf, onBroken) {
    let img = null;
    return {
      /** The image, showing the current record's picture (cleared at once, loaded a moment later). */
      show() {
        if (!img) {
          img = el("img", { class: "poster", dataset, alt: "", loading: "lazy", decoding: "async" });
          img.addEventListener("load", () => measure(img.naturalWidth, img.naturalHeight));
          img.addEventListener("error", () => {
            const failed = img.getAttribute("src");
            if (!failed || urlOf(gen) !== failed) return;
            onBroken(failed);
            render();
          });
        }
        const url = urlOf(gen);
        if (img.getAttribute("src") !== url) {
          // Cleared at once: an image keeps showing its old picture until a new source has loaded.
          img.removeAttribute("src");
          loadSoon(img, url);
        }
        return img;
      },
    };
  }
  const poster = cardImage({ testid: "poster" }, (record) => record.poster_url, (url) => { brokenPoster = url; });
  const picture = cardImage({ testid: "start-picture" }, (record) => record.image_url, (url) => { brokenPicture = url; });

  /** The start picture, with what the video is doing over it. */
  function startPicture() {
    const over = placeholder(gen.status);
    over.classList.add("is-over-picture");
    return [picture.show(), over];
  }

  function makeVideo() {
    const v = el("video", {
      class: "clip",
      dataset: { testid: "video" },
      controls: true,
      autoplay: true,
      playsinline: true,
      preload: "metadata",
      src: gen.video_url,
    });
    v.addEventListener("loadedmetadata", () => {
      measure(v.videoWidth, v.videoHeight);
      if (resumeAt > 0 && resumeAt < v.duration) v.currentTime = resumeAt;
    });
    // A video that kept playing while scrolled away is put away once it stops.
    const putAwayIfFar = () => {
      if (v === video && !near) queueMicrotask(stop);
    };
    v.addEventListener("pause", putAwayIfFar);
    v.addEventListener("ended", putAwayIfFar);
    return v;
  }

  /** The poster or placeholder under the play button; the button itself stays where it is. */
  function showBehindPlay(visual) {
    const button = playButton();
    if (button.parentNode !== element) {
      element.replaceChildren(visual, button);
      return;
    }
    for (const child of [...element.children]) if (child !== button) child.remove();
    element.insertBefore(visual, button);
  }

  /** Pauses the video and frees its pipeline. */
  function releaseVideo() {
    if (!video) return;
    const v = video;
    video = null;
    resumeAt = v.ended ? 0 : v.currentTime || 0;
    v.pause();
    v.removeAttribute("src");
    v.load();
  }

  function isPlaying() {
    return video != null && !video.paused && !video.ended;
  }

  const draw = renderOnChange((view) => {
    releaseVideo();
    if (view === "video") {
      video = makeVideo();
      element.replaceChildren(video);
    } else if (view === "poster") {
      showBehindPlay(poster.show());
    } else if (view === "ready") {
      showBehindPlay(placeholder("ready"));
    } else if (view === "picture") {
      element.replaceChildren(...startPicture());
    } else {
      element.replaceChildren(placeholder(gen.status));
    }
  });

  function render() {
    const view = mediaView(gen, { active, brokenPoster, brokenPicture });
    if (view !== "video") active = false;
    const key = view === "video" ? `video:${gen.video_url}`
      : view === "poster" ? `poster:${gen.poster_url}:${ctx.lang}`
      : view === "ready" ? `ready:${ctx.lang}`
      : view === "picture" ? `picture:${gen.image_url}:${gen.status}`
      : `state:${gen.status}`;
    draw.run(key, view);
  }

  /** The user pressed play (or the poster): the player takes the poster's place and starts. */
  function play() {
    if (active) return;
    const hadFocus = element.contains(document.activeElement);
    active = true;
    render();
    if (!video) return;
    video.play()?.catch?.(() => {
      // Autoplay refused or the load failed: the controls are there to try again.
    });
    if (hadFocus) video.focus();
    onPlay();
  }

  /** Puts the poster back and frees the video (another card plays, or this one is far away). */
  function stop() {
    if (!active) return;
    const hadFocus = element.contains(document.activeElement);
    active = false;
    render();
    if (hadFocus) element.querySelector("[data-testid=play]")?.focus({ preventScroll: true });
  }

  return {
    element,
    update(next) {
      gen = next;
      if (!measured) setAspect(element, parseRatio(gen.request?.aspect_ratio));
      render();
    },
    /** The card is about to show another record: its video, broken images and shape go. */
    forget() {
      clearTimeout(pictureTimer);
      releaseVideo();
      active = false;
      resumeAt = 0;
      brokenPoster = null;
      brokenPicture = null;
      measured = null;
      draw.reset();
    },
    /** The next update redraws (a new language); a playing video is left alone. */
    relabel() {
      if (!video) draw.reset(); // the play button carries text
    },
    /** From the gallery's IntersectionObserver; a stopped video far away is put away. */
    setNear(value) {
      if (near === value) return;
      near = value;
      if (!near && active && !isPlaying()) stop();
    },
    play,
    stop,
    isPlaying,
    get isActive() {
      return active;
    },
  };
}
