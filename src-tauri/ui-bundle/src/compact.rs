//! Comments, indentation and blank lines out of the scripts and the stylesheet written into the
//! page: a quarter of the page, which WebKit receives and reads before the first paint (issue
//! #14: the page went from 306 to 228 kB; its first screen's gain was within the noise of ten
//! launches, while the bare app given 280 kB more received its page 16 ms later).
//!
//! Line breaks stay where the code has them, because in JavaScript one can end a statement; only
//! what surrounds them goes. Strings, template literals and regular expressions are copied as they
//! are: telling them from code is all the lexing this does. A `/` starts a regular expression
//! where an operand is expected: after an operator, an opening bracket, a comma, a `}`, a
//! keyword such as `return`, or the `)` of an `if (…)`, `while (…)`, `for (…)` or `with (…)`.
//! It is a division after a name, a number, another `)` or a `]` (and after `x++`). Text that
//! ends inside a string, a comment or an expression is refused.

/// `source` (one module's JavaScript) without comments, indentation or blank lines.
pub fn script(source: &str) -> Result<String, String> {
    let mut lexer = Lexer::new(source);
    // Brace depths at which the `${` of enclosing template literals were opened.
    let mut templates: Vec<usize> = Vec::new();
    let mut braces = 0usize;
    let mut operand_expected = true;
    // For each open `(`: whether it follows `if`, `while`, `for` or `with`, whose `)` a statement
    // (and so an operand) follows.
    let mut parens: Vec<bool> = Vec::new();
    let mut after_condition_keyword = false;
    while let Some(c) = lexer.peek(0) {
        let condition = std::mem::take(&mut after_condition_keyword);
        match c {
            '/' if lexer.peek(1) == Some('/') => lexer.skip_line_comment(),
            '/' if lexer.peek(1) == Some('*') => lexer.skip_block_comment()?,
            '/' if operand_expected => {
                lexer.copy_regex()?;
                operand_expected = false;
            }
            '\'' | '"' => {
                lexer.copy_string(c)?;
                operand_expected = false;
            }
            // A template literal's text, from its start or from the `}` that ends a `${…}`, up to
            // its end or its next `${` (code again, before an operand).
            '`' | '}' if c == '`' || templates.last() == Some(&braces) => {
                if c == '}' {
                    templates.pop();
                }
                lexer.copy(1);
                operand_expected = lexer.copy_template()?;
                if operand_expected {
                    templates.push(braces);
                }
            }
            ' ' | '\t' | '\r' | '\n' => {
                lexer.whitespace();
                after_condition_keyword = condition;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '#' => {
                let property = lexer.last_significant() == Some('.');
                let word = lexer.copy_word();
                operand_expected = !property && !c.is_ascii_digit() && KEYWORDS_BEFORE_OPERAND.contains(&word.as_str());
                after_condition_keyword = !property && CONDITION_KEYWORDS.contains(&word.as_str());
            }
            '(' => {
                parens.push(condition);
                operand_expected = true;
                lexer.copy(1);
            }
            ')' => {
                operand_expected = parens.pop().unwrap_or(false);
                lexer.copy(1);
            }
            // `x++ / 2` divides, `a = ++b` is still before its operand: neither changes it.
            '+' | '-' if lexer.peek(1) == Some(c) => lexer.copy(2),
            _ => {
                match c {
                    '{' => braces += 1,
                    '}' => braces = braces.saturating_sub(1),
                    _ => {}
                }
                operand_expected = c != ']';
                lexer.copy(1);
            }
        }
    }
    if !templates.is_empty() {
        return Err("a template literal's ${…} is not closed".into());
    }
    Ok(lexer.finish())
}

/// `source` (a stylesheet) without comments, indentation or blank lines.
pub fn stylesheet(source: &str) -> Result<String, String> {
    let mut lexer = Lexer::new(source);
    while let Some(c) = lexer.peek(0) {
        match c {
            '/' if lexer.peek(1) == Some('*') => lexer.skip_block_comment()?,
            '\'' | '"' => lexer.copy_string(c)?,
            ' ' | '\t' | '\r' | '\n' => lexer.whitespace(),
            _ => lexer.copy(1),
        }
    }
    Ok(lexer.finish())
}

/// Words whose `(…)` a statement follows.
const CONDITION_KEYWORDS: [&str; 4] = ["if", "while", "for", "with"];

/// Words after which an expression starts, so a `/` there begins a regular expression.
const KEYWORDS_BEFORE_OPERAND: [&str; 14] = [
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

struct Lexer {
    chars: Vec<char>,
    at: usize,
    out: String,
    /// Where the lexer stands in the source, for messages.
    line: usize,
}

impl Lexer {
    fn new(source: &str) -> Self {
        Lexer {
            chars: source.chars().collect(),
            at: 0,
            out: String::with_capacity(source.len()),
            line: 1,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn last_significant(&self) -> Option<char> {
        self.out.trim_end().chars().last()
    }

    /// Copies `n` characters as they are.
    fn copy(&mut self, n: usize) {
        for _ in 0..n {
            if let Some(c) = self.peek(0) {
                if c == '\n' {
                    self.line += 1;
                }
                self.out.push(c);
                self.at += 1;
            }
        }
    }

    fn unterminated<T>(&self, what: &str, line: usize) -> Result<T, String> {
        Err(format!("{what} from line {line} is not closed"))
    }

    /// Whitespace between tokens: a line break ends the line (once: blank lines go), spaces at
    /// the start or end of a line go, other spaces stay.
    fn whitespace(&mut self) {
        let c = self.peek(0).unwrap_or(' ');
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.end_line();
        } else if !self.out.is_empty() && !self.out.ends_with('\n') && !self.out.ends_with(' ') {
            self.out.push(' ');
        }
    }

    fn end_line(&mut self) {
        while self.out.ends_with([' ', '\t', '\r']) {
            self.out.pop();
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn skip_line_comment(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.at += 1;
        }
    }

    /// A comment over several lines still ends the line it starts on (JavaScript reads it as a
    /// line break); within a line it is a space.
    fn skip_block_comment(&mut self) -> Result<(), String> {
        let line = self.line;
        self.at += 2;
        let mut spanned = false;
        loop {
            match self.peek(0) {
                None => return self.unterminated("a comment", line),
                Some('*') if self.peek(1) == Some('/') => {
                    self.at += 2;
                    break;
                }
                Some(c) => {
                    if c == '\n' {
                        spanned = true;
                        self.line += 1;
                    }
                    self.at += 1;
                }
            }
        }
        if spanned {
            self.end_line();
        } else if !self.out.is_empty() && !self.out.ends_with(['\n', ' ']) {
            self.out.push(' ');
        }
        Ok(())
    }

    fn copy_string(&mut self, quote: char) -> Result<(), String> {
        self.copy_in_line("a string", |c| c == quote)
    }

    /// A literal that must end on the line it starts on (a string, a regular expression), from
    /// its opening character: escapes copied as they are, up to the character `closes` says ends it.
    fn copy_in_line(&mut self, what: &str, mut closes: impl FnMut(char) -> bool) -> Result<(), String> {
        let line = self.line;
        self.copy(1);
        loop {
            match self.peek(0) {
                None | Some('\n') => return self.unterminated(what, line),
                Some('\\') => self.copy(2),
                Some(c) => {
                    self.copy(1);
                    if closes(c) {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// A template literal's text, after its opening `` ` `` or the `}` of a `${…}`: up to its
    /// closing `` ` `` (false) or the next `${` (true).
    fn copy_template(&mut self) -> Result<bool, String> {
        let line = self.line;
        loop {
            match self.peek(0) {
                None => return self.unterminated("a template literal", line),
                Some('\\') => self.copy(2),
                Some('`') => {
                    self.copy(1);
                    return Ok(false);
                }
                Some('$') if self.peek(1) == Some('{') => {
                    self.copy(2);
                    return Ok(true);
                }
                Some(_) => self.copy(1),
            }
        }
    }

    fn copy_regex(&mut self) -> Result<(), String> {
        // A `/` inside a class (`[/]`) does not end it.
        let mut in_class = false;
        self.copy_in_line("a regular expression", |c| {
            match c {
                '[' => in_class = true,
                ']' => in_class = false,
                _ => {}
            }
            c == '/' && !in_class
        })?;
        // Its flags.
        self.copy_word();
        Ok(())
    }

    /// A name, keyword or number (with its dots and exponent), copied; returns it.
    fn copy_word(&mut self) -> String {
        let start = self.out.len();
        while let Some(c) = self.peek(0) {
            let number_part = c == '.' && self.out[start..].starts_with(|d: char| d.is_ascii_digit());
            if !(c.is_alphanumeric() || c == '_' || c == '$' || c == '#' || number_part) {
                break;
            }
            self.copy(1);
        }
        self.out[start..].to_string()
    }

    fn finish(mut self) -> String {
        self.end_line();
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_loses_its_comments_indentation_and_blank_lines_and_keeps_its_meaning() {
        let source = r#"// A module.
/**
 * Its function.
 */
export function f(a, b) {
    const url = "https://example.com/*x*/"; // where
    const quote = 'it\'s // here';

    const ratio = a / b / 2; /* halves */ const c = 1;
    const re = /\/\/[/*]x/gi.test(url);
    const t = `line ${ { k: `in ${a}` }.k } // kept
    indented /* kept */`;
    if (a) return /=+/.exec(b);
    if (a) /a  b/.test(b);
    let i = 0; i++ / 2; // it's
    const half = b.length / 2, more = (a) / 2;
    return a /* one */ + /* two
    */ b;
}
"#;
        let expected = r#"export function f(a, b) {
const url = "https://example.com/*x*/";
const quote = 'it\'s // here';
const ratio = a / b / 2; const c = 1;
const re = /\/\/[/*]x/gi.test(url);
const t = `line ${ { k: `in ${a}` }.k } // kept
    indented /* kept */`;
if (a) return /=+/.exec(b);
if (a) /a  b/.test(b);
let i = 0; i++ / 2;
const half = b.length / 2, more = (a) / 2;
return a +
b;
}
"#;
        assert_eq!(script(source).unwrap(), expected);
    }

    #[test]
    fn a_script_that_ends_inside_a_string_comment_or_expression_is_refused() {
        let cases = [
            ("const a = 1;\nconst s = \"open;\n", "a string from line 2"),
            ("/* open\n", "a comment from line 1"),
            ("const t = `open ${a}\n", "a template literal from line 1"),
            ("const t = `a ${ b\n", "${…} is not closed"),
            ("x = /open\n/;\n", "a regular expression from line 1"),
        ];
        for (source, expected) in cases {
            let error = script(source).unwrap_err();
            assert!(error.contains(expected), "{source:?}: {error}");
        }
    }

    #[test]
    fn a_stylesheet_loses_its_comments_and_indentation_but_not_its_strings() {
        let source = "/* Theme. */\n:root {\n  --a: 1px; /* why */\n\n  --b: \"/* not a comment */\";\n}\n";
        assert_eq!(
            stylesheet(source).unwrap(),
            ":root {\n--a: 1px;\n--b: \"/* not a comment */\";\n}\n"
        );
        assert!(stylesheet("a { color: red; } /* open")
            .unwrap_err()
            .contains("a comment from line 1"));
    }
}
