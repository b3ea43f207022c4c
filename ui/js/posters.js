// Posters: which media a card shows, the size of a captured frame, and the queue that captures
// one poster at a time. No DOM access here: the capture itself (capture.js) and the backend call
// are passed in, so this runs under node.

/** The longer side of a captured poster, in pixels. */
export const POSTER_MAX_SIDE = 640;
/** JPEG quality for canvas.toBlob. */
export const POSTER_QUALITY = 0.82;
/** A capture (load, seek, draw, encode, save) that takes longer is given up. */
export const CAPTURE_TIMEOUT_MS = 10_000;

/**
 * The canvas size for a frame of `width`×`height`: the longer side capped at `maxSide`, the
 * aspect ratio kept, whole pixels, never upscaled. null when the video has no size.
 */
export function captureSize(width, height, maxSide = POSTER_MAX_SIDE) {
  const w = Number(width);
  const h = Number(height);
  if (!(w > 0 && h > 0 && Number.isFinite(w) && Number.isFinite(h))) return null;
  const scale = Math.min(1, maxSide / Math.max(w, h));
  return {
    width: Math.max(1, Math.round(w * scale)),
    height: Math.max(1, Math.round(h * scale)),
  };
}

/** Where the poster frame is taken: 1 s in, or half-way through a shorter clip. */
export function seekTime(duration) {
  const d = Number(duration);
  if (!(d > 0) || !Number.isFinite(d)) return 0;
  return Math.min(1, d / 2);
}

/** A ready record with a video but no poster yet. */
export function needsPoster(generation) {
  return generation?.status === "ready" && Boolean(generation.video_url) && !generation.poster_url;
}

/**
 * What a card's media area shows:
 * "video"   – the player; only after the user pressed play (`active`),
 * "poster"  – the poster image with the play button,
 * "ready"   – a plain placeholder with the play button (no poster, or its image failed),
 * "picture" – the start picture of a video made from one, under what the video is doing, until
 *             it is ready (unless the picture failed to load: `brokenPicture`),
 * "state"   – the placeholder for a card that has no video (working, failed, expired, …).
 */
export function mediaView(generation, { active = false, brokenPoster = null, brokenPicture = null } = {}) {
  if (generation?.status !== "ready" || !generation.video_url) {
    return generation?.image_url && generation.image_url !== brokenPicture ? "picture" : "state";
  }
  if (active) return "video";
  if (generation.poster_url && generation.poster_url !== brokenPoster) return "poster";
  return "ready";
}

function timeoutError(ms) {
  return { kind: "timeout", field: null, params: { detail: `poster capture took longer than ${ms} ms` } };
}

/**
 * Captures posters one at a time.
 *   capture(videoUrl, signal) → Promise<Uint8Array> (JPEG bytes); must stop and free its video
 *                               when `signal` aborts,
 *   save(id, bytes)           → Promise<Generation> (the record with poster_url),
 *   onRecord(record)          ← the saved record,
 *   onGiveUp(id, error)       ← a capture that failed or timed out; it is not tried again.
 * want(generation) queues a record that needs a poster (unless it is queued, running, done or
 * given up); drop(id) takes a waiting one off the queue (scrolled away), to be wanted again later.
 * A queue made `held` captures nothing until resume(): a capture (a video element loading and
 * decoding) must not compete with the window's first paint.
 */
export function createPosterQueue({
  capture,
  save,
  onRecord = () => {},
  onGiveUp = () => {},
  timeoutMs = CAPTURE_TIMEOUT_MS,
  setTimer = setTimeout,
  clearTimer = clearTimeout,
  held = false,
}) {
  let holding = held;
  /** id → video_url, in the order they were wanted. */
  const pending = new Map();
  const done = new Set();
  const gaveUp = new Set();
  let running = null;
  let idleWaiters = [];

  function settleIdle() {
    if (running || pending.size) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function runOne(id, url) {
    const controller = new AbortController();
    let timer = null;
    const expired = new Promise((_, reject) => {
      timer = setTimer(() => {
        const error = timeoutError(timeoutMs);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    expired.catch(() => {});
    try {
      const bytes = await Promise.race([Promise.resolve().then(() => capture(url, controller.signal)), expired]);
      const record = await Promise.race([Promise.resolve().then(() => save(id, bytes)), expired]);
      done.add(id);
      if (record?.id) onRecord(record);
    } catch (error) {
      gaveUp.add(id);
      if (!controller.signal.aborted) controller.abort(error);
      onGiveUp(id, error);
    } finally {
      clearTimer(timer);
    }
  }

  async function pump() {
    if (running || holding) return;
    const next = pending.entries().next();
    if (next.done) {
      settleIdle();
      return;
    }
    const [id, url] = next.value;
    pending.delete(id);
    running = id;
    try {
      await runOne(id, url);
    } finally {
      running = null;
      pump();
    }
  }

  return {
    want(generation) {
      if (!needsPoster(generation)) return false;
      const { id } = generation;
      if (running === id || pending.has(id) || done.has(id) || gaveUp.has(id)) return false;
      pending.set(id, generation.video_url);
      pump();
      return true;
    },
    drop(id) {
      pending.delete(id);
      settleIdle();
    },
    /** A held queue starts capturing what is wanted. */
    resume() {
      holding = false;
      pump();
    },
    /** Resolves once nothing runs and nothing waits. */
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    /** For tests and debugging: {running, pending, done, gaveUp}. */
    state() {
      return { running, pending: [...pending.keys()], done: [...done], gaveUp: [...gaveUp] };
    },
  };
}
