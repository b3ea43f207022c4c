// The rules table exactly as the window gets it (`boot`'s `rules`), and what the Rust validator says about
// every combination of options: both written by a Rust test (src-tauri/core/tests/rules_export.rs)
// into generated/rules.json, which that test keeps current.
import { readFileSync } from "node:fs";

const GENERATED = JSON.parse(readFileSync(new URL("./generated/rules.json", import.meta.url), "utf8"));

export const RULES = GENERATED.table;
export const COMBINATIONS = GENERATED.combinations;
