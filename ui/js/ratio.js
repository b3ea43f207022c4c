// Aspect ratios as CSS and as numbers, shared by the card's media area and the aspect tiles of
// "More options". No DOM access here.

/** Ratios closer than this are the same shape (a poster's pixels are rounded). */
const RATIO_TOLERANCE = 0.01;

/** "16:9" → {css: "16 / 9", value: 1.777…}; anything odd falls back to 16:9. */
export function parseRatio(text) {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(String(text ?? ""));
  const w = match ? Number(match[1]) : 16;
  const h = match ? Number(match[2]) : 9;
  if (!(w > 0 && h > 0)) return { css: "16 / 9", value: 16 / 9 };
  return { css: `${w} / ${h}`, value: w / h };
}

/**
 * The shape of a poster or video measured at width×height: `current` itself when it is the same
 * shape (so nothing is redrawn for a rounded pixel), else the measured one; null without a size.
 */
export function measuredShape(width, height, current) {
  if (!(width > 0 && height > 0)) return null;
  const value = width / height;
  if (current && Math.abs(current.value - value) / value < RATIO_TOLERANCE) return current;
  return { value, css: `${width} / ${height}` };
}
