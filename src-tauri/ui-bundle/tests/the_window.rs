//! The window's own modules bundle, and the results are scripts JavaScript can read: a module the
//! bundler would misread shows up here, not as a blank window.

use std::path::Path;
use std::process::Command;

#[test]
fn the_windows_modules_bundle_into_two_valid_scripts() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui");
    let out = tempfile::tempdir().unwrap();
    kling_ui_bundle::write_frontend(&ui, out.path()).unwrap();
    let page = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let (_, rest) = page
        .split_once("<script type=\"module\">\n")
        .expect("the first script is in the page");
    let (first, _) = rest.split_once("</script>").expect("the script ends");
    let later = std::fs::read_to_string(out.path().join(kling_ui_bundle::LATER_BUNDLE)).unwrap();
    let mut modules = 0;
    for (name, text) in [("app.mjs", first), ("app-later.mjs", later.as_str())] {
        let joined = text.matches("= (() => { // ").count();
        assert!(joined > 10, "only {joined} modules joined in {name}");
        modules += joined;
        // Node reads it as a module, as the page does; `--check` parses without running it.
        let module = out.path().join(name);
        std::fs::write(&module, text).unwrap();
        let checked = Command::new("node")
            .arg("--check")
            .arg(&module)
            .output()
            .expect("node is installed by scripts/setup.sh --test");
        assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stderr));
    }
    assert!(modules > 50, "only {modules} modules joined");
    assert!(!page.contains("modulepreload") && !page.contains("<link rel=\"stylesheet\""));
    assert!(
        page.contains("<style>\n") && page.contains("--font:"),
        "the stylesheet is in the page"
    );
    assert!(out.path().join("i18n/de.json").is_file());
}
