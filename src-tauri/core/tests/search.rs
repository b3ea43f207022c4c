//! Finding videos in a library of 10,000: the words, the accents, both languages, titles, the
//! filters together, the marks, and pages that never skip or repeat a row. Every expectation is
//! worked out here, from the fixture's own rows, by a plain scan that shares no code with the
//! catalog's query.

use std::collections::HashSet;
use std::sync::OnceLock;

use kling_core::library::{Cursor, LibraryQuery, MadeFilter, Mark, MarksFilter, Order, StatusFilter};
use kling_core::{Kind, Library};
use kling_emulator::library_fixture::{write_library, FixtureRow};

const SIZE: usize = 10_000;

struct Fixture {
    _dir: tempfile::TempDir,
    library: Library,
    rows: Vec<FixtureRow>,
}

/// One library of 10,000 for the read-only tests (writing it takes a second or two).
fn big() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let rows = write_library(dir.path(), SIZE).unwrap();
        let library = Library::open(dir.path()).unwrap();
        Fixture {
            _dir: dir,
            library,
            rows,
        }
    })
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'ê' | 'è' => 'e',
            'ä' | 'à' | 'â' => 'a',
            'ö' | 'ô' => 'o',
            'ü' | 'û' => 'u',
            other => other,
        })
        .collect()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect()
}

/// Every typed word is the start of some word of the prompt, the negative prompt or the title.
fn matches(row: &FixtureRow, typed: &str) -> bool {
    let mut text = row.prompt.clone();
    for extra in [&row.negative_prompt, &row.title].into_iter().flatten() {
        text.push(' ');
        text.push_str(extra);
    }
    let own = words(&text);
    words(typed)
        .iter()
        .all(|t| own.iter().any(|w| w.starts_with(t.as_str())))
}

/// Every id the query selects, page after page of `limit`.
fn all_pages(library: &Library, query: &LibraryQuery, limit: usize) -> Vec<String> {
    let (mut ids, mut after): (Vec<String>, Option<Cursor>) = (Vec::new(), None);
    loop {
        let page = library.search(query, after, limit).unwrap();
        assert!(page.items.len() <= limit);
        ids.extend(page.items.into_iter().map(|g| g.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

/// The ids the fixture says `keep` selects, newest first (ties: the later-written first).
fn expected(rows: &[FixtureRow], keep: impl Fn(&FixtureRow) -> bool) -> Vec<String> {
    let mut selected: Vec<(usize, &FixtureRow)> = rows.iter().enumerate().filter(|(_, r)| keep(r)).collect();
    selected.sort_by_key(|(seq, row)| std::cmp::Reverse((row.created_at, *seq)));
    selected.into_iter().map(|(_, row)| row.id.clone()).collect()
}

fn text(words: &str) -> LibraryQuery {
    LibraryQuery {
        text: words.into(),
        marks: MarksFilter::Everything,
        ..LibraryQuery::default()
    }
}

#[test]
fn words_match_by_prefix_in_both_languages_with_accents_folded() {
    let f = big();
    for typed in [
        "beac",
        "surf beach",
        "Café",
        "cafe",
        "CAFÉ tänz",
        "tanzerin",
        "kase",
        "Käsemarkt",
        "crepe",
        "straßen",
        "brucke",
        "leucht nebel",
        "fox golden",
        "watermark",
        "verschwommen",
    ] {
        let want = expected(&f.rows, |r| matches(r, typed));
        assert!(!want.is_empty(), "the fixture holds something for {typed:?}");
        assert!(want.len() < SIZE, "{typed:?} must narrow the library");
        assert_eq!(all_pages(&f.library, &text(typed), 100), want, "search for {typed:?}");
    }
    assert_eq!(all_pages(&f.library, &text("zebra"), 50), Vec::<String>::new());
    assert_eq!(
        all_pages(&f.library, &text("café"), 100),
        all_pages(&f.library, &text("CAFE"), 100),
        "case and accents do not matter"
    );
}

#[test]
fn titles_are_found_like_prompts() {
    let f = big();
    let want = expected(&f.rows, |r| r.title.is_some());
    assert!(want.len() > 100);
    assert_eq!(all_pages(&f.library, &text("showreel"), 200), want);
    assert_eq!(
        all_pages(&f.library, &text("Showreel take 42"), 200),
        expected(&f.rows, |r| r
            .title
            .as_deref()
            .is_some_and(|t| words(t).iter().any(|w| w.starts_with("42"))))
    );
}

#[test]
fn filters_combine_with_each_other_and_with_the_words() {
    let f = big();
    let query = LibraryQuery {
        text: "boat".into(),
        status: StatusFilter::Ready,
        marks: MarksFilter::NotRejected,
        model_name: Some("kling-v2-6".into()),
        aspect_ratio: Some("16:9".into()),
        duration: Some("5".into()),
        ..LibraryQuery::default()
    };
    let want = expected(&f.rows, |r| {
        matches(r, "boat")
            && r.status == "ready"
            && !r.rejected
            && r.model_name == "kling-v2-6"
            && r.aspect_ratio == "16:9"
            && r.duration == "5"
    });
    assert!(!want.is_empty());
    assert_eq!(all_pages(&f.library, &query, 24), want);

    let favorites = LibraryQuery {
        marks: MarksFilter::Favorites,
        status: StatusFilter::Failed,
        ..LibraryQuery::default()
    };
    let want = expected(&f.rows, |r| {
        r.favorite && !r.rejected && matches!(r.status, "failed" | "expired")
    });
    assert!(!want.is_empty());
    assert_eq!(all_pages(&f.library, &favorites, 24), want);

    let running = LibraryQuery {
        status: StatusFilter::Running,
        ..LibraryQuery::default()
    };
    assert_eq!(
        all_pages(&f.library, &running, 24),
        expected(&f.rows, |r| r.status == "processing" && !r.rejected)
    );
}

#[test]
fn rejected_videos_stay_hidden_unless_asked_for() {
    let f = big();
    let default = all_pages(&f.library, &LibraryQuery::default(), 200);
    assert_eq!(default, expected(&f.rows, |r| !r.rejected));
    let rejected = LibraryQuery {
        marks: MarksFilter::Rejected,
        ..LibraryQuery::default()
    };
    assert_eq!(all_pages(&f.library, &rejected, 200), expected(&f.rows, |r| r.rejected));
    assert_eq!(
        all_pages(
            &f.library,
            &LibraryQuery {
                marks: MarksFilter::Everything,
                ..LibraryQuery::default()
            },
            200
        )
        .len(),
        SIZE
    );
}

#[test]
fn paging_never_skips_or_repeats_in_either_order_even_across_equal_times() {
    let f = big();
    let same_moment = f.rows.windows(2).filter(|w| w[0].created_at == w[1].created_at).count();
    assert!(
        same_moment > 10,
        "the fixture has generations made in the same millisecond"
    );
    for (typed, limit) in [("boat", 1), ("boat", 7), ("a", 24), ("a", 200)] {
        let query = text(typed);
        let newest = all_pages(&f.library, &query, limit);
        assert_eq!(
            newest,
            expected(&f.rows, |r| matches(r, typed)),
            "{typed:?}, limit {limit}"
        );
        let oldest = all_pages(
            &f.library,
            &LibraryQuery {
                order: Order::OldestFirst,
                ..query
            },
            limit,
        );
        let mut reversed = newest.clone();
        reversed.reverse();
        assert_eq!(
            oldest, reversed,
            "oldest first is newest first backwards (limit {limit})"
        );
        assert_eq!(newest.iter().collect::<HashSet<_>>().len(), newest.len());
    }
}

#[test]
fn a_period_keeps_only_what_was_made_in_it() {
    let f = big();
    let now = kling_core::generation::now_ms();
    for made in [MadeFilter::Today, MadeFilter::ThisWeek, MadeFilter::ThisMonth] {
        let query = LibraryQuery {
            made,
            marks: MarksFilter::Everything,
            utc_offset_minutes: 120,
            ..LibraryQuery::default()
        };
        let since = query.made_since(now).unwrap();
        assert_eq!(
            all_pages(&f.library, &query, 200),
            expected(&f.rows, |r| r.created_at >= since),
            "{made:?}"
        );
    }
}

fn small_library(count: usize) -> (tempfile::TempDir, Library, Vec<FixtureRow>) {
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), count).unwrap();
    let library = Library::open(dir.path()).unwrap();
    (dir, library, rows)
}

#[test]
fn marks_and_titles_survive_a_restart_and_a_title_is_searchable_at_once() {
    let (dir, library, rows) = small_library(40);
    let ready = rows
        .iter()
        .find(|r| r.status == "ready" && !r.favorite && !r.rejected)
        .unwrap();
    let marked = library.mark(&ready.id, &Mark::Favorite(true)).unwrap();
    assert!(marked.favorite);
    let titled = library
        .mark(&ready.id, &Mark::Title("  Dünen\nam Meer ".into()))
        .unwrap();
    assert_eq!(titled.title.as_deref(), Some("Dünen am Meer"));
    assert!(titled.favorite, "a title leaves the star alone");
    assert!(
        titled.updated_at > marked.updated_at,
        "the window takes the newer record"
    );
    drop(library);

    let library = Library::open(dir.path()).unwrap();
    let stored = library.get(&ready.id).unwrap().unwrap();
    assert!(stored.favorite);
    assert_eq!(stored.title.as_deref(), Some("Dünen am Meer"));
    assert_eq!(all_pages(&library, &text("dunen"), 10), std::slice::from_ref(&ready.id));

    let rejected = library.mark(&ready.id, &Mark::Rejected(true)).unwrap();
    assert!(rejected.rejected && !rejected.favorite, "a reject takes the star away");
    assert!(!all_pages(&library, &LibraryQuery::default(), 50).contains(&ready.id));

    library.mark(&ready.id, &Mark::Title(String::new())).unwrap();
    assert!(
        all_pages(&library, &text("dunen"), 10).is_empty(),
        "a cleared title is no longer found"
    );
}

#[test]
fn the_engines_own_writes_never_undo_a_mark() {
    let (_dir, library, rows) = small_library(10);
    let ready = rows.iter().find(|r| r.status == "ready" && !r.favorite).unwrap();
    // The engine read the record before the user starred it (a poster arriving meanwhile).
    let mut engine_copy = library.get(&ready.id).unwrap().unwrap();
    library.mark(&ready.id, &Mark::Favorite(true)).unwrap();
    engine_copy.poster_file = Some(format!("videos/{}.jpg", ready.id));
    library.save(&mut engine_copy).unwrap();
    assert!(engine_copy.favorite, "the saved record carries the star set meanwhile");
    assert!(library.get(&ready.id).unwrap().unwrap().favorite);
}

#[test]
fn a_video_still_being_made_has_no_marks_and_a_long_title_is_refused() {
    let (_dir, library, rows) = small_library(10);
    let running = rows.iter().find(|r| r.status == "processing").unwrap();
    let refused = library.mark(&running.id, &Mark::Favorite(true)).unwrap_err().problem();
    assert_eq!(refused.kind, Kind::ActionNotAvailable);
    let ready = rows.iter().find(|r| r.status == "ready").unwrap();
    let long = library
        .mark(
            &ready.id,
            &Mark::Title("x".repeat(kling_core::library::TITLE_MAX_CHARS + 1)),
        )
        .unwrap_err()
        .problem();
    assert_eq!(long.kind, Kind::TitleTooLong);
    assert_eq!(
        library.get(&ready.id).unwrap().unwrap().title,
        None,
        "nothing was written"
    );
}

#[test]
fn a_catalog_from_before_search_has_every_row_indexed_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    write_library(dir.path(), 30).unwrap();
    // Back to the schema before search: drop what migrations 4 and later made, keep the rows.
    {
        let db = rusqlite::Connection::open(dir.path().join("library.sqlite3")).unwrap();
        db.execute_batch(
            "DROP INDEX generations_parent;
             ALTER TABLE generations DROP COLUMN parent_id;
             ALTER TABLE generations DROP COLUMN kind;
             ALTER TABLE generations DROP COLUMN remote_video_id;
             DROP TABLE purged_ledger;
             DROP TABLE user_prices;
             DROP INDEX generations_batch;
             ALTER TABLE generations DROP COLUMN batch_id;
             ALTER TABLE generations DROP COLUMN take_index;
             ALTER TABLE generations DROP COLUMN take_count;
             DROP TABLE snippets;
             DROP TABLE chat_calls;
             DROP TABLE deletions;
             DROP TRIGGER generations_search_insert;
             DROP TRIGGER generations_search_delete;
             DROP TRIGGER generations_search_update;
             DROP TABLE generations_search;
             DROP INDEX generations_created;
             ALTER TABLE generations DROP COLUMN prompt;
             ALTER TABLE generations DROP COLUMN negative_prompt;
             ALTER TABLE generations DROP COLUMN model_name;
             ALTER TABLE generations DROP COLUMN aspect_ratio;
             ALTER TABLE generations DROP COLUMN duration;
             ALTER TABLE generations DROP COLUMN favorite;
             ALTER TABLE generations DROP COLUMN rejected;
             ALTER TABLE generations DROP COLUMN title;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let library = Library::open(dir.path()).unwrap();
    let found = all_pages(&library, &text("boat"), 50);
    let rows: Vec<FixtureRow> = (0..30)
        .map(|i| kling_emulator::library_fixture::fixture_row(i, 30, 0))
        .collect();
    let want: HashSet<String> = rows
        .iter()
        .filter(|r| matches(r, "boat"))
        .map(|r| r.id.clone())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(found.into_iter().collect::<HashSet<_>>(), want);
}
