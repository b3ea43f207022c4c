//! The window's ES modules (`ui/js`) as two scripts, and the page that loads the first.
//!
//! WebKit fetches, parses and links each module of a module graph on its own, through Tauri's
//! asset protocol: with some sixty modules that costs a fifth of a second before the first line
//! runs, and even one script and one stylesheet fetched after the page are a round trip each
//! through the app's main thread before anything can be drawn. The app's build script
//! (`src-tauri/build.rs`) calls [`write_frontend`], which copies `ui/` with the modules that
//! `main.js` imports joined in dependency order, each in a function scope of its own so private
//! names never meet, into `index.html` itself, and the stylesheets it links written into it too.
//! The modules a module loads later (`import("./x.js")`, the views built after the first paint)
//! and what only they import are joined into `js/app-later.js`, which the page fetches the first
//! time one of them is asked for, and links to the modules it shares with the first script.
//! Comments, indentation and blank lines are left out of both scripts and the stylesheet
//! (`compact`).
//!
//! The modules keep to a small subset of the module syntax, which this checks instead of
//! guessing: imports at the top of a line (`import { a, b as c } from "./x.js";`,
//! `import * as x from "./x.js";`, possibly over several lines), `import("./x.js")` with a
//! literal name, and exports as `export function`, `export async function` or `export const` at
//! the start of a line. Anything else that looks like module syntax is refused with the file and
//! line, and so are import cycles.

mod compact;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// The modules loaded later, joined; below the folder of `index.html`.
pub const LATER_BUNDLE: &str = "js/app-later.js";

#[derive(Debug)]
pub struct BundleError(pub String);

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BundleError {}

type Result<T> = std::result::Result<T, BundleError>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(BundleError(message.into()))
}

/// One import statement: which module, and how its exports are named here.
#[derive(Debug, PartialEq)]
enum Binding {
    /// `import * as name from …`
    Namespace(String),
    /// `import { exported as local, … } from …`
    Named(Vec<(String, String)>),
}

#[derive(Debug)]
struct Module {
    imports: Vec<(PathBuf, Binding)>,
    /// `import("…")` as written (the specifier) and the module it names.
    lazy: Vec<(String, PathBuf)>,
    exports: Vec<String>,
    /// The module's text with its imports taken out and `export ` dropped.
    body: String,
}

/// Reads `source` (the module at `path`, relative to the JS root) into imports, exports and body.
fn parse(path: &Path, source: &str) -> Result<Module> {
    let at = |line: usize| format!("{}:{}", path.display(), line + 1);
    let mut module = Module {
        imports: Vec::new(),
        lazy: Vec::new(),
        exports: Vec::new(),
        body: String::new(),
    };
    let lines: Vec<&str> = source.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        if line.starts_with("import ") || line == "import {" {
            let start = index;
            let mut statement = line.to_owned();
            while !statement.trim_end().ends_with(';') {
                index += 1;
                let Some(next) = lines.get(index) else {
                    return fail(format!("{}: an import without its closing `;`", at(start)));
                };
                statement.push(' ');
                statement.push_str(next.trim());
            }
            let (binding, specifier) = import(&statement).ok_or_else(|| {
                BundleError(format!(
                    "{}: an import this bundler does not read: {statement}",
                    at(start)
                ))
            })?;
            module.imports.push((resolve(path, &specifier, &at(start))?, binding));
            // Keeps line numbers in messages and stack traces close to the source's.
            module.body.push_str(&"\n".repeat(index - start + 1));
        } else if let Some(rest) = line.strip_prefix("export ") {
            if rest.contains("import(") {
                return fail(format!(
                    "{}: import() on an export line, which this bundler does not read: {line}",
                    at(index)
                ));
            }
            let name = exported_name(rest)
                .ok_or_else(|| BundleError(format!("{}: an export this bundler does not read: {line}", at(index))))?;
            module.exports.push(name);
            module.body.push_str(rest);
            module.body.push('\n');
        } else {
            let refused = || {
                BundleError(format!(
                    "{}: module syntax this bundler does not read: {line}",
                    at(index)
                ))
            };
            if line.contains("import.meta") || line.starts_with("export{") {
                return Err(refused());
            }
            let mut rest = line;
            while let Some(start) = rest.find("import(") {
                let after = &rest[start + "import(".len()..];
                let specifier = after
                    .strip_prefix('"')
                    .and_then(|text| text.split_once("\")"))
                    .map(|(specifier, _)| specifier)
                    .ok_or_else(refused)?;
                module
                    .lazy
                    .push((specifier.to_owned(), resolve(path, specifier, &at(index))?));
                rest = &after[specifier.len() + 3..];
            }
            module.body.push_str(line);
            module.body.push('\n');
        }
        index += 1;
    }
    Ok(module)
}

/// `{ a, b as c } from "./x.js";` or `* as x from "./x.js";` after `import `.
fn import(statement: &str) -> Option<(Binding, String)> {
    let rest = statement.strip_prefix("import")?.trim();
    let (what, from) = rest.rsplit_once(" from ")?;
    let specifier = from.trim().trim_end_matches(';').trim();
    let specifier = specifier.strip_prefix('"')?.strip_suffix('"')?.to_owned();
    let what = what.trim();
    let binding = if let Some(name) = what.strip_prefix("* as ") {
        Binding::Namespace(identifier(name.trim())?.to_owned())
    } else {
        let inner = what.strip_prefix('{')?.strip_suffix('}')?;
        let mut names = Vec::new();
        for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (exported, local) = match part.split_once(" as ") {
                Some((exported, local)) => (exported.trim(), local.trim()),
                None => (part, part),
            };
            names.push((identifier(exported)?.to_owned(), identifier(local)?.to_owned()));
        }
        Binding::Named(names)
    };
    Some((binding, specifier))
}

fn identifier(text: &str) -> Option<&str> {
    let mut chars = text.chars();
    let first = chars.next()?;
    ((first.is_alphabetic() || first == '_' || first == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
    .then_some(text)
}

/// The name an `export …` line declares: `function f`, `async function f`, `const X`.
fn exported_name(rest: &str) -> Option<String> {
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let rest = rest
        .strip_prefix("function* ")
        .or_else(|| rest.strip_prefix("function "))
        .or_else(|| rest.strip_prefix("const "))?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    identifier(&rest[..end]).map(str::to_owned)
}

/// The module a relative specifier names, as a path below the JS root.
fn resolve(from: &Path, specifier: &str, at: &str) -> Result<PathBuf> {
    if !specifier.starts_with("./") && !specifier.starts_with("../") {
        return fail(format!("{at}: only relative imports can be bundled: {specifier}"));
    }
    let mut resolved = PathBuf::new();
    for component in from.parent().unwrap_or(Path::new("")).join(specifier).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !resolved.pop() {
                    return fail(format!("{at}: {specifier} leaves the JS folder"));
                }
            }
            Component::Normal(part) => resolved.push(part),
            _ => return fail(format!("{at}: {specifier} is not a relative path")),
        }
    }
    Ok(resolved)
}

/// The window's script: what the entry imports, and what it (or that) loads later, if anything.
/// `later` is a module exporting `link(shared)`, which takes the first script's modules by name
/// and returns its own.
#[derive(Debug)]
pub struct Bundle {
    pub first: String,
    pub later: Option<String>,
}

/// Joins the module graph that starts at `entry` (relative to `js_root`) into [`Bundle::first`],
/// and the modules loaded with `import("…")` that it does not hold into [`Bundle::later`].
pub fn bundle(js_root: &Path, entry: &Path) -> Result<Bundle> {
    let mut first: Vec<PathBuf> = Vec::new();
    let mut modules: HashMap<PathBuf, Module> = HashMap::new();
    visit(js_root, entry, &mut Vec::new(), &mut modules, &mut first)?;
    let mut later: Vec<PathBuf> = Vec::new();
    let mut checked = 0;
    while checked < first.len() + later.len() {
        let path = first.iter().chain(&later).nth(checked).expect("in range").clone();
        let targets: Vec<PathBuf> = modules[&path].lazy.iter().map(|(_, target)| target.clone()).collect();
        for target in targets {
            visit(js_root, &target, &mut Vec::new(), &mut modules, &mut later)?;
        }
        checked += 1;
    }
    let names: HashMap<&PathBuf, String> = first
        .iter()
        .chain(&later)
        .enumerate()
        .map(|(i, p)| (p, format!("__kd_module{i}")))
        .collect();
    let mut first_script = String::from(
        "// Kling Desk's window script: the modules of ui/js joined by src-tauri/ui-bundle at build time.\n",
    );
    let shared: Vec<&str> = first.iter().map(|path| names[path].as_str()).collect();
    if !later.is_empty() {
        // Fetched and linked once, the first time one of its modules is asked for; the path is the
        // page's, where this script stands.
        let _ = writeln!(
            first_script,
            "let {LATER_LINKED} = null;\nconst {LATER_LOAD} = () => ({LATER_LINKED} ??= import(\"./{LATER_BUNDLE}\").then((later) => later.link({{ {} }})));",
            shared.join(", ")
        );
    }
    for path in &first {
        write_module(&mut first_script, path, &modules, &names, Some(&later))?;
    }
    if later.is_empty() {
        return Ok(Bundle {
            first: first_script,
            later: None,
        });
    }
    let mut later_script = String::from(
        "// Kling Desk's window script, the modules loaded after the first paint: joined by src-tauri/ui-bundle at build time.\n",
    );
    let _ = writeln!(later_script, "export function link({{ {} }}) {{", shared.join(", "));
    for path in &later {
        write_module(&mut later_script, path, &modules, &names, None)?;
    }
    let own: Vec<&str> = later.iter().map(|path| names[path].as_str()).collect();
    let _ = writeln!(later_script, "return {{ {} }};\n}}", own.join(", "));
    Ok(Bundle {
        first: first_script,
        later: Some(later_script),
    })
}

/// The first script's loader of the later one, and what it keeps once loaded.
const LATER_LOAD: &str = "__kd_loadLater";
const LATER_LINKED: &str = "__kd_laterLinked";

/// One module as a function scope that returns its exports, its imports bound to the modules'
/// names and each `import("…")` made a load of the later script when the module is in it (`later`:
/// its modules, when this is the first script), or the module itself when this script holds it
/// (in the later script every module of both is in scope).
fn write_module(
    script: &mut String,
    path: &PathBuf,
    modules: &HashMap<PathBuf, Module>,
    names: &HashMap<&PathBuf, String>,
    later: Option<&[PathBuf]>,
) -> Result<()> {
    let module = &modules[path];
    let _ = writeln!(script, "const {} = (() => {{ // {}", names[path], path.display());
    for (dependency, binding) in &module.imports {
        let source = &names[dependency];
        let exports = &modules[dependency].exports;
        match binding {
            Binding::Namespace(local) => {
                let _ = write!(script, "const {local} = {source};");
            }
            Binding::Named(pairs) => {
                for (exported, _) in pairs {
                    if !exports.contains(exported) {
                        return fail(format!(
                            "{} imports {exported}, which {} does not export",
                            path.display(),
                            dependency.display()
                        ));
                    }
                }
                let list: Vec<String> = pairs
                    .iter()
                    .map(|(exported, local)| {
                        if exported == local {
                            exported.clone()
                        } else {
                            format!("{exported}: {local}")
                        }
                    })
                    .collect();
                let _ = write!(script, "const {{ {} }} = {source};", list.join(", "));
            }
        }
    }
    let mut body = module.body.clone();
    for (specifier, target) in &module.lazy {
        let loaded = if later.is_some_and(|later| later.contains(target)) {
            format!("{LATER_LOAD}().then((later) => later.{})", names[target])
        } else {
            // Later, as import() is: the module may not have run yet where this line runs.
            format!("Promise.resolve().then(() => {})", names[target])
        };
        body = body.replace(&format!("import(\"{specifier}\")"), &loaded);
    }
    let body = compact::script(&body).map_err(|error| BundleError(format!("{}: {error}", path.display())))?;
    script.push_str(&body);
    let _ = writeln!(
        script,
        "return Object.freeze({{ {} }});\n}})();",
        module.exports.join(", ")
    );
    Ok(())
}

fn visit(
    js_root: &Path,
    path: &Path,
    trail: &mut Vec<PathBuf>,
    modules: &mut HashMap<PathBuf, Module>,
    order: &mut Vec<PathBuf>,
) -> Result<()> {
    if modules.contains_key(path) {
        return Ok(());
    }
    if trail.iter().any(|p| p == path) {
        let cycle: Vec<String> = trail.iter().map(|p| p.display().to_string()).collect();
        return fail(format!("import cycle: {} → {}", cycle.join(" → "), path.display()));
    }
    let source = std::fs::read_to_string(js_root.join(path))
        .map_err(|e| BundleError(format!("{}: {e}", js_root.join(path).display())))?;
    let module = parse(path, &source)?;
    trail.push(path.to_owned());
    for (dependency, _) in &module.imports {
        visit(js_root, dependency, trail, modules, order)?;
    }
    trail.pop();
    modules.insert(path.to_owned(), module);
    order.push(path.to_owned());
    Ok(())
}

/// `index.html` with the first script in it where the module script that named `entry` was, each
/// stylesheet it links (`<link rel="stylesheet" href="…">` on a line of its own) written in as a
/// `<style>`, and without the module preloads, which would fetch the separate modules again.
/// Returns the page and the stylesheets written into it (relative to `ui`). Tauri allows the
/// inline script by its hash and the inline style by a nonce in the page's content security policy.
pub fn index_html(html: &str, entry: &str, script: &str, ui: &Path) -> Result<(String, Vec<PathBuf>)> {
    let tag = format!("<script type=\"module\" src=\"{entry}\"></script>");
    let inline = |text: &str, closing: &str, what: &str| {
        let lower = text.to_lowercase();
        if lower.contains(closing) || lower.contains("<!--") {
            return fail(format!(
                "{what} holds {closing} or <!--, which would end it inside the page"
            ));
        }
        Ok(())
    };
    inline(script, "</script", "the window's script")?;
    let mut page = String::new();
    let mut inlined = Vec::new();
    let mut scripts = 0;
    for line in html.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("<link rel=\"modulepreload\"") {
            continue;
        }
        if let Some(href) = trimmed
            .strip_prefix("<link rel=\"stylesheet\" href=\"")
            .and_then(|rest| rest.strip_suffix("\">"))
        {
            let path = ui.join(href);
            let css = std::fs::read_to_string(&path).map_err(|e| BundleError(format!("{}: {e}", path.display())))?;
            inline(&css, "</style", href)?;
            let css = compact::stylesheet(&css).map_err(|error| BundleError(format!("{href}: {error}")))?;
            let _ = writeln!(page, "<style>\n{css}</style>");
            inlined.push(PathBuf::from(href));
            continue;
        }
        if trimmed == tag {
            let _ = writeln!(page, "<script type=\"module\">\n{script}</script>");
            scripts += 1;
            continue;
        }
        page.push_str(line);
        page.push('\n');
    }
    if scripts != 1 {
        return fail(format!(
            "index.html has no {tag} on a line of its own, or has it more than once"
        ));
    }
    Ok((page, inlined))
}

/// Writes the window's files from `ui` into `out`: `index.html` with the first script and the
/// stylesheets in it, the later script, and everything else but the modules as it is. Files are
/// rewritten only when they changed, so an unchanged UI does not look changed to the next build.
pub fn write_frontend(ui: &Path, out: &Path) -> Result<()> {
    let entry = Path::new("main.js");
    let js_root = ui.join("js");
    let scripts = bundle(&js_root, entry)?;
    let html = std::fs::read_to_string(ui.join("index.html"))
        .map_err(|e| BundleError(format!("{}: {e}", ui.join("index.html").display())))?;
    let (page, inlined) = index_html(&html, "js/main.js", &scripts.first, ui)?;
    let mut wanted: Vec<(PathBuf, Vec<u8>)> = vec![(PathBuf::from("index.html"), page.into_bytes())];
    if let Some(later) = scripts.later {
        wanted.push((PathBuf::from(LATER_BUNDLE), later.into_bytes()));
    }
    copy_others(ui, ui, &js_root, &inlined, &mut wanted)?;
    for (relative, bytes) in &wanted {
        let target = out.join(relative);
        if std::fs::read(&target).ok().as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        let io = |e: std::io::Error| BundleError(format!("{}: {e}", target.display()));
        std::fs::create_dir_all(target.parent().unwrap_or(out)).map_err(io)?;
        std::fs::write(&target, bytes).map_err(io)?;
    }
    Ok(())
}

/// Every file below `dir` except the JS modules, `index.html` and the stylesheets written into it
/// (`inlined`), with its path below `ui`.
fn copy_others(
    ui: &Path,
    dir: &Path,
    js_root: &Path,
    inlined: &[PathBuf],
    wanted: &mut Vec<(PathBuf, Vec<u8>)>,
) -> Result<()> {
    let io = |e: std::io::Error| BundleError(format!("{}: {e}", dir.display()));
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            copy_others(ui, &path, js_root, inlined, wanted)?;
            continue;
        }
        let module = path.starts_with(js_root) && path.extension().is_some_and(|e| e == "js");
        let relative = path.strip_prefix(ui).expect("below ui").to_owned();
        if module || path == ui.join("index.html") || inlined.contains(&relative) {
            continue;
        }
        wanted.push((relative, std::fs::read(&path).map_err(io)?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    #[test]
    fn modules_are_joined_in_dependency_order_each_in_its_own_scope() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "main.js",
                    "import { greet, LOUD as loud } from \"./words/greet.js\";\nimport * as numbers from \"./numbers.js\";\nconst helper = 1;\nconsole.log(greet(loud), numbers.twice(helper));\n",
                ),
                (
                    "words/greet.js",
                    "import {\n  twice,\n} from \"../numbers.js\";\nconst helper = 2;\nexport const LOUD = \"!\";\nexport function greet(mark) {\n  return \"hi\" + mark + twice(helper);\n}\n",
                ),
                ("numbers.js", "export async function later() {}\nexport function twice(n) {\n  return n * 2;\n}\n"),
            ],
        );
        let script = bundle(dir.path(), Path::new("main.js")).unwrap().first;
        let numbers = script.find("// numbers.js").unwrap();
        let greet = script.find("// words/greet.js").unwrap();
        let main = script.find("// main.js").unwrap();
        assert!(numbers < greet && greet < main, "{script}");
        assert!(
            script.contains("const { greet, LOUD: loud } = __kd_module1;"),
            "{script}"
        );
        assert!(script.contains("const numbers = __kd_module0;"), "{script}");
        assert!(script.contains("return Object.freeze({ later, twice });"), "{script}");
        assert!(!script.contains("export "), "{script}");
        assert_eq!(
            script.matches("const helper").count(),
            2,
            "private names stay in their module"
        );
    }

    #[test]
    fn what_cannot_be_bundled_is_refused_with_where_it_is() {
        let cases = [
            ("export default 1;\n", "main.js:1"),
            ("export { a };\n", "main.js:1"),
            ("const m = await import(name);\n", "main.js:1"),
            ("export const load = () => import(\"./other.js\");\n", "main.js:1"),
            ("const m = await import(\"./missing.js\");\n", "missing.js"),
            ("import x from \"./x.js\";\n", "main.js:1"),
            (
                "import { a } from \"https://example.com/a.js\";\n",
                "only relative imports",
            ),
            ("import { missing } from \"./other.js\";\n", "does not export"),
            ("import { a } from \"./cycle.js\";\n", "import cycle"),
        ];
        for (main, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            write(
                dir.path(),
                &[
                    ("main.js", main),
                    ("other.js", "export const a = 1;\n"),
                    ("cycle.js", "import { b } from \"./main.js\";\nexport const a = 1;\n"),
                ],
            );
            let error = bundle(dir.path(), Path::new("main.js")).unwrap_err().0;
            assert!(error.contains(expected), "{main:?}: {error}");
        }
    }

    #[test]
    fn modules_loaded_later_are_joined_apart_and_share_the_first_scripts_modules() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                (
                    "js/main.js",
                    "import { count } from \"./shared.js\";\ncount();\nPromise.all([import(\"./views/later.js\"), import(\"./shared.js\")]).then(([{ later }, { count: again }]) => {\n  console.log(later(), again());\n});\n",
                ),
                ("js/shared.js", "let calls = 0;\nexport function count() {\n  calls += 1;\n  return calls;\n}\n"),
                (
                    "js/views/later.js",
                    "import { count } from \"../shared.js\";\nimport { WORD } from \"./word.js\";\nexport function later() {\n  return WORD + count();\n}\n",
                ),
                ("js/views/word.js", "export const WORD = \"later \";\n"),
            ],
        );
        let scripts = bundle(&dir.path().join("js"), Path::new("main.js")).unwrap();
        let later = scripts.later.expect("a later script");
        assert!(scripts.first.contains("// shared.js") && scripts.first.contains("// main.js"));
        assert!(!scripts.first.contains("// views/"), "{}", scripts.first);
        assert!(later.contains("// views/later.js") && later.contains("// views/word.js"));
        assert!(
            !later.contains("// shared.js"),
            "shared modules are not joined twice: {later}"
        );
        // Run as the page runs them, the first script where the page is: one module instance of
        // shared.js, its state seen by both.
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join("package.json"), "{\"type\": \"module\"}").unwrap();
        std::fs::write(out.path().join("page.js"), &scripts.first).unwrap();
        write(out.path(), &[(LATER_BUNDLE, &later)]);
        let run = std::process::Command::new("node")
            .arg(out.path().join("page.js"))
            .output()
            .expect("node is installed by scripts/setup.sh --test");
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        assert_eq!(String::from_utf8_lossy(&run.stdout), "later 2 3\n");
    }

    #[test]
    fn the_page_holds_the_script_and_the_stylesheet_instead_of_loading_them() {
        let ui = tempfile::tempdir().unwrap();
        write(
            ui.path(),
            &[
                ("css/app.css", "body { color: red; }\n"),
                ("css/bad.css", "a { content: \"</STYLE>\"; }\n"),
            ],
        );
        let html = "<head>\n  <link rel=\"modulepreload\" href=\"js/a.js\">\n  <link rel=\"stylesheet\" href=\"css/app.css\">\n  <script type=\"module\" src=\"js/main.js\"></script>\n</head>\n";
        let (page, inlined) = index_html(html, "js/main.js", "console.log(1);\n", ui.path()).unwrap();
        assert_eq!(
            page,
            "<head>\n<style>\nbody { color: red; }\n</style>\n<script type=\"module\">\nconsole.log(1);\n</script>\n</head>\n"
        );
        assert_eq!(inlined, vec![PathBuf::from("css/app.css")]);
        let refused = [
            (html, "const end = \"</Script>\";\n", "the window's script"),
            (html, "const c = \"<!-- x\";\n", "the window's script"),
            ("<link rel=\"stylesheet\" href=\"css/bad.css\">\n<script type=\"module\" src=\"js/main.js\"></script>\n", "", "css/bad.css"),
            ("<link rel=\"stylesheet\" href=\"css/none.css\">\n<script type=\"module\" src=\"js/main.js\"></script>\n", "", "none.css"),
            ("<head></head>", "", "has no"),
            ("<p><script type=\"module\" src=\"js/main.js\"></script></p>\n", "", "on a line of its own"),
        ];
        for (html, script, expected) in refused {
            let error = index_html(html, "js/main.js", script, ui.path()).unwrap_err().0;
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn the_frontend_is_copied_with_the_bundle_and_unchanged_files_keep_their_time() {
        let ui = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        write(
            ui.path(),
            &[
                (
                    "index.html",
                    "<link rel=\"stylesheet\" href=\"css/app.css\">\n<script type=\"module\" src=\"js/main.js\"></script>\n",
                ),
                ("js/main.js", "console.log(1);\n"),
                ("css/app.css", "body {}\n"),
                ("i18n/en.json", "{}\n"),
            ],
        );
        write_frontend(ui.path(), out.path()).unwrap();
        let page = std::fs::read_to_string(out.path().join("index.html")).unwrap();
        assert!(page.contains("console.log(1);") && page.contains("body {}"), "{page}");
        assert!(!out.path().join("js/main.js").exists() && !out.path().join("css/app.css").exists());
        assert_eq!(
            std::fs::read_to_string(out.path().join("i18n/en.json")).unwrap(),
            "{}\n"
        );
        let before = std::fs::metadata(out.path().join("i18n/en.json"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_frontend(ui.path(), out.path()).unwrap();
        let after = std::fs::metadata(out.path().join("i18n/en.json"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
    }
}
