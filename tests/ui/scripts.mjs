// The UI's scripts, for the tests that read them as text: every .js file under ui/js/, views'
// folders included, as paths relative to ui/js/ ("gallery.js", "card/media.js").
import { readdirSync, readFileSync } from "node:fs";

export const JS_DIR = new URL("../../ui/js/", import.meta.url);

export function scriptFiles() {
  return readdirSync(JS_DIR, { recursive: true })
    .map((file) => String(file).split("\\").join("/"))
    .filter((file) => file.endsWith(".js"))
    .sort();
}

export function readScript(file) {
  return readFileSync(new URL(file, JS_DIR), "utf8");
}
