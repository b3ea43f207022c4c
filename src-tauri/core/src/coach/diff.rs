//! What the coach changed, word by word: the longest common subsequence of the two texts' words.
//! Punctuation written against the end of a word is a token of its own, glued to the word before
//! it, so "snow" becoming "snow," shows as a comma added, not as the word replaced.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    Same,
    Added,
    Removed,
}

/// A run of tokens with one fate, written as they read ("roof, at night"). `glued`: the part
/// follows the one before it without a space (it starts with punctuation). In order, the `same`
/// and `removed` parts give the original, the `same` and `added` parts the suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    pub op: DiffOp,
    pub text: String,
    pub glued: bool,
}

/// A word or the punctuation at its end; `glued` when it follows the token before without a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token<'a> {
    text: &'a str,
    glued: bool,
}

const CLOSING: &[char] = &[',', '.', ';', ':', '!', '?', '…'];

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut found = Vec::new();
    for word in text.split_whitespace() {
        let core = word.trim_end_matches(CLOSING);
        if core.is_empty() {
            found.push(Token {
                text: word,
                glued: false,
            });
            continue;
        }
        found.push(Token {
            text: core,
            glued: false,
        });
        if core.len() < word.len() {
            found.push(Token {
                text: &word[core.len()..],
                glued: true,
            });
        }
    }
    found
}

pub fn word_diff(original: &str, suggestion: &str) -> Vec<DiffPart> {
    let old = tokens(original);
    let new = tokens(suggestion);
    // common[i][j]: the length of the longest common subsequence of old[i..] and new[j..].
    let width = new.len() + 1;
    let mut common = vec![0u32; (old.len() + 1) * width];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i * width + j] = if old[i].text == new[j].text {
                common[(i + 1) * width + j + 1] + 1
            } else {
                common[(i + 1) * width + j].max(common[i * width + j + 1])
            };
        }
    }
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut push = |op: DiffOp, token: Token| match parts.last_mut() {
        Some(last) if last.op == op => {
            if !token.glued {
                last.text.push(' ');
            }
            last.text.push_str(token.text);
        }
        _ => parts.push(DiffPart {
            op,
            text: token.text.to_owned(),
            glued: token.glued,
        }),
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i].text == new[j].text {
            push(DiffOp::Same, new[j]);
            i += 1;
            j += 1;
        } else if j == new.len() || (i < old.len() && common[(i + 1) * width + j] >= common[i * width + j + 1]) {
            // Removals first at a change, so a replaced word reads "old, then new".
            push(DiffOp::Removed, old[i]);
            i += 1;
        } else {
            push(DiffOp::Added, new[j]);
            j += 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text the parts of one side read as, spaces as the window puts them.
    fn words_of(parts: &[DiffPart], keep: DiffOp) -> String {
        let mut text = String::new();
        for part in parts.iter().filter(|p| p.op == DiffOp::Same || p.op == keep) {
            if !text.is_empty() && !part.glued {
                text.push(' ');
            }
            text.push_str(&part.text);
        }
        text
    }

    fn shown(parts: &[DiffPart]) -> String {
        let mut text = String::new();
        for part in parts {
            if !text.is_empty() && !part.glued {
                text.push(' ');
            }
            match part.op {
                DiffOp::Same => text.push_str(&part.text),
                DiffOp::Added => text.push_str(&format!("+[{}]", part.text)),
                DiffOp::Removed => text.push_str(&format!("-[{}]", part.text)),
            }
        }
        text
    }

    #[test]
    fn additions_and_removals_are_marked_where_they_happen() {
        let parts = word_diff("a cat on a roof", "a grey cat sleeps on a sunny roof, slow push-in");
        assert_eq!(
            shown(&parts),
            "a +[grey] cat +[sleeps] on a +[sunny] roof+[, slow push-in]"
        );
    }

    #[test]
    fn both_texts_can_be_read_back_from_the_parts() {
        let pairs = [
            ("a cat on a roof", "A cat on a roof at dusk."),
            (
                "Hund im Regen",
                "Ein nasser Hund im Regen, langsame Kamerafahrt nach vorn",
            ),
            ("  spaced   out  words ", "words spaced out"),
            ("", "something new"),
            ("all of this goes", ""),
            ("same same", "same same"),
        ];
        for (original, suggestion) in pairs {
            let parts = word_diff(original, suggestion);
            let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(words_of(&parts, DiffOp::Removed), words(original), "{original:?}");
            assert_eq!(words_of(&parts, DiffOp::Added), words(suggestion), "{suggestion:?}");
            assert!(
                parts.windows(2).all(|w| w[0].op != w[1].op),
                "runs are merged: {parts:?}"
            );
        }
    }

    #[test]
    fn parts_travel_as_op_and_text() {
        let parts = word_diff("old word", "new word");
        assert_eq!(
            serde_json::to_value(&parts).unwrap(),
            serde_json::json!([
                {"op": "removed", "text": "old", "glued": false},
                {"op": "added", "text": "new", "glued": false},
                {"op": "same", "text": "word", "glued": false},
            ])
        );
    }

    #[test]
    fn a_comma_added_after_a_kept_word_is_only_the_comma() {
        let parts = word_diff("a fox in the snow", "a fox in the snow, slow push-in.");
        assert_eq!(shown(&parts), "a fox in the snow+[, slow push-in.]");
        let parts = word_diff("a roof. At night", "a roof at night");
        assert_eq!(shown(&parts), "a roof-[. At] +[at] night");
    }
}
