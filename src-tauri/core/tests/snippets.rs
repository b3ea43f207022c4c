//! Snippets and prompt history, as the prompt box uses them: the built-in phrases in both
//! languages, the user's own kept in the catalog across restarts, a snippet inserted at the cursor
//! without ever passing the prompt's limit, and the prompts written before, found again by a word.

mod common;

use std::collections::HashSet;

use kling_core::library::PastPrompt;
use kling_core::request::validate;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::snippets::{builtin_snippets, insert_snippet, Inserted, Snippet, SnippetCategory};
use kling_core::{GenerationRequest, Kind, Library, Status};

const LIMIT: usize = COMETAPI_LIMITS.prompt_max_chars;

fn names_and_texts(snippets: &[Snippet]) -> Vec<(String, String)> {
    snippets.iter().map(|s| (s.name.clone(), s.text.clone())).collect()
}

fn refusal<T: std::fmt::Debug>(result: kling_core::Result<T>) -> kling_core::Problem {
    result.expect_err("refused").problem()
}

#[test]
fn own_snippets_are_kept_renamed_and_deleted_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let push_in = library
        .add_snippet("Push-in", "  slow push-in towards the face ")
        .unwrap();
    assert_eq!(
        (push_in.category, push_in.builtin, push_in.text.as_str()),
        (SnippetCategory::Own, false, "slow push-in towards the face")
    );
    let fog = library
        .add_snippet("", "dense fog rolling over the hills at first light")
        .unwrap();
    assert_eq!(
        fog.name, "dense fog rolling over the hills…",
        "named after its first words"
    );
    let doomed = library.add_snippet("Rain", "heavy rain").unwrap();
    let again = library
        .add_snippet("Another name", "slow push-in\n towards the face,")
        .unwrap();
    assert_eq!(again, push_in, "the same words are kept once, under their first name");
    assert_eq!(
        library.rename_snippet(&fog.id, "  Morning fog ").unwrap().name,
        "Morning fog"
    );
    library.delete_snippet(&doomed.id).unwrap();
    drop(library);

    let reopened = Library::open(dir.path()).unwrap();
    assert_eq!(
        names_and_texts(&reopened.own_snippets().unwrap()),
        [
            (
                "Morning fog".to_owned(),
                "dense fog rolling over the hills at first light".to_owned()
            ),
            ("Push-in".to_owned(), "slow push-in towards the face".to_owned()),
        ],
        "newest first, renamed, without the deleted one"
    );
}

#[test]
fn snippets_that_break_the_rules_are_refused_and_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    assert_eq!(refusal(library.add_snippet("Empty", " ,  ; ")).kind, Kind::SnippetEmpty);
    let too_long = refusal(library.add_snippet("Long", &"ä".repeat(LIMIT + 1)));
    assert_eq!(too_long.kind, Kind::SnippetTooLong);
    assert_eq!(
        (&too_long.params["max"], &too_long.params["length"]),
        (&LIMIT.into(), &(LIMIT + 1).into())
    );
    let long_name = refusal(library.add_snippet(&"n".repeat(61), "static camera"));
    assert_eq!(long_name.kind, Kind::SnippetNameTooLong);
    assert_eq!(
        (&long_name.params["max"], &long_name.params["length"]),
        (&60.into(), &61.into())
    );
    assert!(library.own_snippets().unwrap().is_empty());

    // A decomposed umlaut counts once, as the validator counts it: a whole prompt's worth fits.
    let full = library.add_snippet("Full", &"u\u{0308}".repeat(LIMIT)).unwrap();
    assert_eq!(
        refusal(library.rename_snippet(&full.id, " \n ")).kind,
        Kind::SnippetNameEmpty
    );
    assert_eq!(
        refusal(library.rename_snippet(&full.id, &"n".repeat(61))).kind,
        Kind::SnippetNameTooLong
    );
    assert_eq!(library.own_snippets().unwrap()[0].name, "Full");
    for gone in ["no-such-id", "camera.static"] {
        assert_eq!(refusal(library.rename_snippet(gone, "Name")).kind, Kind::SnippetUnknown);
        assert_eq!(refusal(library.delete_snippet(gone)).kind, Kind::SnippetUnknown);
    }
    library.delete_snippet(&full.id).unwrap();
    assert_eq!(refusal(library.delete_snippet(&full.id)).kind, Kind::SnippetUnknown);
}

#[test]
fn the_built_in_phrases_exist_in_english_and_german_under_the_same_ids() {
    let (english, german) = (builtin_snippets("en"), builtin_snippets("de"));
    let ids = |snippets: &[Snippet]| snippets.iter().map(|s| (s.id.clone(), s.category)).collect::<Vec<_>>();
    assert_eq!(ids(&english), ids(&german));
    assert_eq!(ids(&builtin_snippets("de-AT")), ids(&german));
    assert_eq!(builtin_snippets("de_CH"), german);
    assert_eq!(
        builtin_snippets("fr-FR"),
        english,
        "a language without phrases gets English"
    );
    assert_eq!(
        english.iter().map(|s| &s.id).collect::<HashSet<_>>().len(),
        english.len()
    );
    for category in [SnippetCategory::Camera, SnippetCategory::Light, SnippetCategory::Style] {
        let count = english.iter().filter(|s| s.category == category).count();
        assert!((6..=8).contains(&count), "{category:?} has {count}");
    }
    assert!(english
        .iter()
        .any(|s| s.id == "camera.static" && s.text.contains("static camera")));
    assert!(german
        .iter()
        .any(|s| s.id == "camera.static" && s.text.contains("statische Kamera")));
    for (en, de) in english.iter().zip(&german) {
        assert_ne!(en.text, de.text, "{} is not translated", en.id);
        for snippet in [en, de] {
            assert!(snippet.builtin && !snippet.name.is_empty());
            let alone = insert_snippet("", 0, &snippet.text, LIMIT).unwrap();
            assert_eq!(alone.text, snippet.text, "{} is a clean phrase", snippet.id);
        }
    }
    let json = serde_json::to_value(&english[0]).unwrap();
    assert_eq!(json["category"], "camera");
    assert_eq!(json["builtin"], true);
}

fn inserted(prompt: &str, cursor: usize, snippet: &str) -> Inserted {
    insert_snippet(prompt, cursor, snippet, LIMIT).unwrap()
}

/// The text with `|` where the cursor is after the insertion.
fn shown(result: Inserted) -> String {
    let mut chars: Vec<char> = result.text.chars().collect();
    chars.insert(result.cursor, '|');
    chars.into_iter().collect()
}

#[test]
fn a_snippet_goes_in_at_the_cursor_as_a_phrase_of_its_own() {
    let prompt = "a fox runs through snow";
    assert_eq!(
        shown(inserted(prompt, 0, "static camera")),
        "static camera|, a fox runs through snow"
    );
    assert_eq!(
        shown(inserted(prompt, 23, "static camera")),
        "a fox runs through snow, static camera|"
    );
    assert_eq!(
        shown(inserted(prompt, 99, "static camera")),
        "a fox runs through snow, static camera|",
        "past the end is the end"
    );
    assert_eq!(
        shown(inserted("a fox runs, at night", 10, "slow push-in")),
        "a fox runs, slow push-in|, at night"
    );
    assert_eq!(
        shown(inserted("a fox runs, at night", 12, "slow push-in")),
        "a fox runs, slow push-in|, at night",
        "the space after the comma is not doubled"
    );
    assert_eq!(
        shown(inserted("a fox runs", 7, "slow push-in")),
        "a fox runs, slow push-in|",
        "a word is never split"
    );
    assert_eq!(
        shown(inserted("a fox runs.", 10, "slow push-in")),
        "a fox runs, slow push-in|."
    );
    assert_eq!(
        shown(inserted("a fox runs. ", 12, "slow push-in")),
        "a fox runs. slow push-in|"
    );
    assert_eq!(shown(inserted("a fox runs\n", 11, "dusk")), "a fox runs\ndusk|");
    assert_eq!(shown(inserted("", 0, ", static camera, ")), "static camera|");
    assert_eq!(
        shown(inserted("Mu\u{0308}hle", 2, "Nebel")),
        "Mu\u{0308}hle, Nebel|",
        "nor a letter from its accent"
    );
    // The cursor counts characters, as the prompt box does: ü is one.
    assert_eq!(
        shown(inserted("Füchse im Schnee", 16, "statische Kamera")),
        "Füchse im Schnee, statische Kamera|"
    );
    assert_eq!(
        shown(inserted("Füchse im Schnee", 6, "Zeitlupe")),
        "Füchse, Zeitlupe|, im Schnee"
    );
    assert_eq!(
        refusal(insert_snippet("a fox", 5, " , ", LIMIT)).kind,
        Kind::SnippetEmpty
    );
}

#[test]
fn a_snippet_never_pushes_the_prompt_past_its_limit() {
    // Decomposed umlauts: two chars each in the text, one for the validator and for the limit.
    let umlauts = |n: usize| "u\u{0308}".repeat(n);
    let snippet = "static camera"; // with ", " before it: 15 characters
    let prompt = umlauts(LIMIT - 15);
    let fits = insert_snippet(&prompt, prompt.chars().count(), snippet, LIMIT).expect("exactly at the limit");
    let request = GenerationRequest {
        prompt: fits.text.clone(),
        ..Default::default()
    };
    assert!(
        validate(&request, &COMETAPI_LIMITS).is_ok(),
        "the validator takes what insertion allowed"
    );

    let prompt = umlauts(LIMIT - 10);
    let over = refusal(insert_snippet(&prompt, prompt.chars().count(), snippet, LIMIT));
    assert_eq!(over.kind, Kind::SnippetOverLimit);
    assert_eq!((&over.params["over"], &over.params["max"]), (&5.into(), &LIMIT.into()));
    assert_eq!(
        refusal(insert_snippet("a fox", 5, snippet, 10)).params["over"],
        10,
        "the limit given is the one applied"
    );
}

/// A generation of `prompt` made at `at` ms, in `status`.
fn made(library: &Library, request: GenerationRequest, at: i64, status: Status) {
    let mut generation = library.insert(validate(&request, &COMETAPI_LIMITS).unwrap()).unwrap();
    generation.created_at = at;
    generation.status = status;
    library.save(&mut generation).unwrap();
}

fn past(prompt: &str, last_used_at: i64, uses: u32) -> PastPrompt {
    PastPrompt {
        prompt: prompt.into(),
        last_used_at,
        uses,
    }
}

#[test]
fn past_prompts_come_newest_first_once_each_and_by_their_words() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let fox = "Ein Fuchs läuft durch den Schnee";
    let gulls = "Möwen über dem Hafen, Nebel";
    made(&library, common::prompt(fox), 1_000, Status::Ready);
    made(&library, common::prompt("a paper boat on a lake"), 2_000, Status::Ready);
    made(&library, common::prompt(gulls), 4_000, Status::Failed);
    made(
        &library,
        common::prompt("a paper  boat on a\nlake"),
        3_000,
        Status::Ready,
    );
    let boat = GenerationRequest {
        negative_prompt: Some("Schnee, Regen".into()),
        ..common::prompt("a paper boat  on a lake")
    };
    made(&library, boat, 5_000, Status::Processing);
    drop(library);
    let library = Library::open(dir.path()).unwrap();

    let everything = library.prompt_history("", 10).unwrap();
    assert_eq!(
        everything,
        [
            past("a paper boat  on a lake", 5_000, 3),
            past(gulls, 4_000, 1),
            past(fox, 1_000, 1)
        ],
        "spacing apart, the boat is one prompt, as written last"
    );
    assert_eq!(library.prompt_history("  ", 2).unwrap(), everything[..2]);
    assert_eq!(library.prompt_history("ÜBER", 10).unwrap(), [past(gulls, 4_000, 1)]);
    assert_eq!(
        library.prompt_history("hafen möw", 10).unwrap(),
        [past(gulls, 4_000, 1)]
    );
    assert_eq!(library.prompt_history("hafen boat", 10).unwrap(), []);
    assert_eq!(
        library.prompt_history("schnee", 10).unwrap(),
        [past(fox, 1_000, 1)],
        "a word of a negative prompt does not find its prompt"
    );
    assert_eq!(library.prompt_history("Läuft", 10).unwrap(), [past(fox, 1_000, 1)]);
}
