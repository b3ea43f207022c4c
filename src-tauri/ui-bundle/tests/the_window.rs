//! The window's own modules bundle, and the results are scripts JavaScript can read: a module the
//! bundler would misread shows up here, not as a blank window.

use std::path::Path;
use std::process::Command;

#[test]
fn the_windows_modules_bundle_into_two_valid_scripts() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    let out = tempfile::tempdir().unwrap();
    kling_ui_bundle::write_frontend(&ui, out.path()).unwrap();
    let mut modules = 0;
    for (name, bundle) in [
        ("app.mjs", kling_ui_bundle::BUNDLE),
        ("app-later.mjs", kling_ui_bundle::LATER_BUNDLE),
    ] {
        let script = out.path().join(bundle);
        let text = std::fs::read_to_string(&script).unwrap();
        let joined = text.matches("= (() => { // ").count();
        assert!(joined > 10, "only {joined} modules joined in {bundle}");
        modules += joined;
        // Node reads it as a module, as the page does; `--check` parses without running it.
        let module = out.path().join(name);
        std::fs::copy(&script, &module).unwrap();
        let checked = Command::new("node")
            .arg("--check")
            .arg(&module)
            .output()
            .expect("node is installed by scripts/setup.sh --test");
        assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    }
    assert!(modules > 50, "only {modules} modules joined");
    let page = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(page.contains("src=\"js/app.js\"") && !page.contains("modulepreload"));
    assert!(out.path().join("i18n/de.json").is_file() && out.path().join("css/app.css").is_file());
}
