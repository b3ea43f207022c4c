//! How text the user typed is tidied before it is kept or compared: titles, snippets, past prompts.

/// The text as one line: control characters (line breaks, tabs) become spaces, each run of
/// spaces becomes one, and the ends are trimmed.
pub(crate) fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_tabs_and_runs_of_spaces_become_single_spaces() {
        assert_eq!(one_line("  Beach\n at\tdusk\u{1} \r\n"), "Beach at dusk");
        assert_eq!(one_line(" \n "), "");
    }
}
