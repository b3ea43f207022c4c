import test from "node:test";
import assert from "node:assert/strict";
import { droppedVideo, folderName, percentDone } from "../../ui/js/export.js";

test("progress is the share of bytes copied, never past 100", () => {
  assert.equal(percentDone({ done: 0, total: 2, bytes_done: 0, bytes_total: 400 }), 0);
  assert.equal(percentDone({ done: 1, total: 2, bytes_done: 300, bytes_total: 400 }), 75);
  assert.equal(percentDone({ done: 2, total: 2, bytes_done: 500, bytes_total: 400 }), 100);
  // Before the sizes are known, whole videos count.
  assert.equal(percentDone({ done: 1, total: 4, bytes_done: 0, bytes_total: 0 }), 25);
  assert.equal(percentDone(null), 0);
});

test("the folder is named as a file manager names it, on every system", () => {
  assert.equal(folderName("/home/ana/Videos/Exports"), "Exports");
  assert.equal(folderName("/home/ana/Videos/Exports/"), "Exports");
  assert.equal(folderName("C:\\Users\\Ana\\Desktop"), "Desktop");
  assert.equal(folderName("/"), "/");
});

test("of the dropped files, the first video counts", () => {
  assert.equal(droppedVideo(["/a/notes.txt", "/a/clip.MP4", "/a/b.mp4"]), "/a/clip.MP4");
  assert.equal(droppedVideo(["/a/take.mov"]), "/a/take.mov");
  assert.equal(droppedVideo(["/a/photo.jpg"]), null);
  assert.equal(droppedVideo(undefined), null);
});
