// Takes one poster frame from a video in the webview: a detached <video> (never in the page),
// a seek, a canvas, a JPEG. The media server sends Access-Control-Allow-Origin: *, so with
// crossorigin="anonymous" the canvas is not tainted. The video is freed however this ends.
import { captureSize, POSTER_MAX_SIDE, POSTER_QUALITY, seekTime } from "./posters.js";

/** → Promise<Uint8Array> with the JPEG bytes; rejects on any error or when `signal` aborts. */
export function captureFrame(url, { signal = null, maxSide = POSTER_MAX_SIDE, quality = POSTER_QUALITY } = {}) {
  return new Promise((resolve, reject) => {
    const video = document.createElement("video");
    video.crossOrigin = "anonymous";
    video.muted = true;
    video.setAttribute("muted", "");
    video.preload = "auto";
    video.playsInline = true;
    video.setAttribute("playsinline", "");
    let finished = false;

    function free() {
      video.removeAttribute("src");
      video.load();
    }

    function finish(error, bytes) {
      if (finished) return;
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      free();
      if (error) reject(error);
      else resolve(bytes);
    }

    function onAbort() {
      finish(signal.reason ?? new Error("poster capture aborted"));
    }

    function draw() {
      const size = captureSize(video.videoWidth, video.videoHeight, maxSide);
      if (!size) {
        finish(new Error("the video has no frame size"));
        return;
      }
      const canvas = document.createElement("canvas");
      canvas.width = size.width;
      canvas.height = size.height;
      try {
        canvas.getContext("2d").drawImage(video, 0, 0, size.width, size.height);
        canvas.toBlob((blob) => {
          canvas.width = 0;
          canvas.height = 0;
          if (finished) return;
          if (!blob) {
            finish(new Error("the frame could not be encoded"));
            return;
          }
          blob.arrayBuffer().then(
            (buffer) => finish(null, new Uint8Array(buffer)),
            (error) => finish(error),
          );
        }, "image/jpeg", quality);
      } catch (error) {
        // A tainted canvas (no CORS header) throws a SecurityError here.
        finish(error);
      }
    }

    if (signal?.aborted) {
      finished = true;
      reject(signal.reason ?? new Error("poster capture aborted"));
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    video.addEventListener("error", () => {
      finish(new Error(`the video could not be loaded (code ${video.error?.code ?? "?"})`));
    }, { once: true });
    video.addEventListener("loadeddata", () => {
      video.addEventListener("seeked", draw, { once: true });
      video.currentTime = seekTime(video.duration);
    }, { once: true });
    video.src = url;
  });
}
