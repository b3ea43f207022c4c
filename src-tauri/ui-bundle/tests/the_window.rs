//! The window's own modules bundle, and the result is a script JavaScript can read: a module the
//! bundler would misread shows up here, not as a blank window.

use std::path::Path;
use std::process::Command;

#[test]
fn the_windows_modules_bundle_into_one_valid_script() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    let out = tempfile::tempdir().unwrap();
    kling_ui_bundle::write_frontend(&ui, out.path()).unwrap();
    let script = out.path().join(kling_ui_bundle::BUNDLE);
    let text = std::fs::read_to_string(&script).unwrap();
    let modules = text.matches("= (() => { // ").count();
    assert!(modules > 40, "only {modules} modules joined");
    // Node reads it as a module, as the page does; `--check` parses without running it.
    let module = out.path().join("app.mjs");
    std::fs::copy(&script, &module).unwrap();
    let checked = Command::new("node")
        .arg("--check")
        .arg(&module)
        .output()
        .expect("node is installed by scripts/setup.sh --test");
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    let page = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(page.contains("src=\"js/app.js\"") && !page.contains("modulepreload"));
    assert!(out.path().join("i18n/de.json").is_file() && out.path().join("css/app.css").is_file());
}
