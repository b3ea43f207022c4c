//! Compare through the engine: two ready videos come back playable (their media URLs) with what
//! differs, and anything that is not a ready video of this library (still running, unknown, its
//! file gone, deleted) is refused as `compare_not_ready`, naming the side.

mod common;

use common::{engine_tuned, prompt, ready_video};
use kling_core::coach::DiffOp;
use kling_core::request::validate;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::{GenerationRequest, Kind};
use serde_json::json;

const NOT_LISTENING: &str = "http://127.0.0.1:9";

fn refused_side(result: kling_core::Result<kling_core::compare::Compared>) -> String {
    let problem = result.expect_err("refused").problem();
    assert_eq!(problem.kind, Kind::CompareNotReady);
    problem.field.unwrap()
}

#[test]
fn two_ready_videos_are_compared_and_anything_else_is_refused_naming_its_side() {
    let home = tempfile::tempdir().unwrap();
    // Deleting moves files to the trash of this (throw-away) data home.
    std::env::set_var("XDG_DATA_HOME", home.path());
    let root = home.path().join("library");
    let rig = engine_tuned(&root, NOT_LISTENING, None, |_| {});
    let library = rig.engine.library();

    let wide = validate(&prompt("a paper boat on a rainy street"), &COMETAPI_LIMITS).unwrap();
    let tall = validate(
        &GenerationRequest {
            prompt: "a red paper boat on a sunny street".into(),
            aspect_ratio: Some("9:16".into()),
            duration: Some("10".into()),
            ..Default::default()
        },
        &COMETAPI_LIMITS,
    )
    .unwrap();
    let a = ready_video(library, wide.clone(), b"clip a", Some(b"poster a"), 1_000);
    let b = ready_video(library, tall, b"clip b", None, 2_000);

    let compared = rig.engine.compare(&a.id, &b.id).unwrap();
    assert_eq!(
        (compared.a.id.as_str(), compared.b.id.as_str()),
        (a.id.as_str(), b.id.as_str())
    );
    let served = |id: &str| Some(format!("http://media.test/token/{id}.mp4"));
    assert_eq!(compared.a.video_url, served(&a.id), "A can play");
    assert_eq!(compared.b.video_url, served(&b.id), "B can play");
    let differences = serde_json::to_value(&compared.comparison.differences).unwrap();
    assert_eq!(
        differences,
        json!([
            {"field": "duration", "a": "5", "b": "10"},
            {"field": "aspect_ratio", "a": "16:9", "b": "9:16"},
        ])
    );
    let only_in_b: Vec<&str> = compared
        .comparison
        .prompt_diff
        .iter()
        .filter(|part| part.op == DiffOp::Added)
        .map(|part| part.text.as_str())
        .collect();
    assert_eq!(only_in_b, ["red", "sunny"]);

    // Still being made: refused on the side it was asked for.
    let running = library.insert(wide.clone()).unwrap();
    assert_eq!(refused_side(rig.engine.compare(&a.id, &running.id)), "b");
    assert_eq!(refused_side(rig.engine.compare(&running.id, &b.id)), "a");
    // Not in this library at all.
    assert_eq!(refused_side(rig.engine.compare("no-such-video", &b.id)), "a");

    // Its file gone from the library folder.
    let gone = ready_video(library, wide.clone(), b"clip c", None, 3_000);
    std::fs::remove_file(root.join(format!("videos/{}.mp4", gone.id))).unwrap();
    assert_eq!(refused_side(rig.engine.compare(&a.id, &gone.id)), "b");

    // Deleted (in the trash, Undo still possible): no longer comparable; Undo makes it so again.
    let deleted = library.delete(std::slice::from_ref(&b.id)).unwrap();
    assert_eq!(refused_side(rig.engine.compare(&a.id, &b.id)), "b");
    // Where the system's trash can give files back (not macOS).
    if deleted.undo {
        library.undo_delete(std::slice::from_ref(&b.id)).unwrap();
        assert!(rig.engine.compare(&a.id, &b.id).is_ok(), "back from the trash");
    }
}
