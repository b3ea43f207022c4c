//! Starting from a picture and continuing a clip: the picture's rules before anything is kept or
//! sent, the create bodies of each route, and whole generations of both kinds against the
//! emulator, with the chain of continued clips and the gallery's kind filter.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::*;
use kling_core::frames::{self, Frame};
use kling_core::request::{self, Inputs, ParentClip};
use kling_core::rules::{GenerationKind, COMETAPI_LIMITS, IMAGE_LIMITS};
use kling_core::{GenerationRequest, Kind, LibraryQuery, Status};
use kling_emulator::{Emulator, EmulatorConfig};
use serde_json::json;

const WITHIN: Duration = Duration::from_secs(60);
const SETTLED: &[Status] = &[Status::Ready, Status::NeedsCheck, Status::Failed, Status::Expired];

fn refusal(result: kling_core::Result<impl std::fmt::Debug>) -> (Kind, serde_json::Value) {
    let problem = result.expect_err("should be refused").problem();
    (problem.kind, json!(problem.params))
}

#[test]
fn a_picture_is_checked_by_the_image_rules_before_it_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let videos = dir.path();

    let wide = png(640, 360);
    let kept = frames::keep(videos, &wide).unwrap();
    assert_eq!((kept.width, kept.height, kept.format.as_str()), (640, 360, "png"));
    assert_eq!(
        std::fs::read(videos.join(&kept.file)).unwrap(),
        wide,
        "the copy is the picture"
    );
    assert_eq!(
        frames::keep(videos, &wide).unwrap().file,
        kept.file,
        "the same picture is kept once"
    );
    assert_eq!(std::fs::read_dir(videos).unwrap().count(), 1);

    let (kind, params) = refusal(frames::keep(videos, &png(640, 200)));
    assert_eq!(kind, Kind::ImageTooSmall);
    assert_eq!(params["height"], json!(200));
    assert_eq!(params["min"], json!(IMAGE_LIMITS.min_side_px));
    assert_eq!(
        refusal(frames::keep(videos, &png(300, 900))).0,
        Kind::ImageRatioOutOfRange
    );
    assert_eq!(
        refusal(frames::keep(videos, &png(1000, 399))).0,
        Kind::ImageRatioOutOfRange
    );
    assert!(frames::keep(videos, &png(1000, 400)).is_ok(), "2.5:1 is allowed");
    let (kind, params) = refusal(frames::keep(videos, b"just some words, not a picture"));
    assert_eq!(kind, Kind::ImageUnreadable);
    assert_eq!(params["formats"], json!(["png", "jpeg", "webp"]));

    let mut huge = png(640, 360);
    huge.resize(11 * 1024 * 1024, 0);
    let (kind, params) = refusal(frames::keep(videos, &huge));
    assert_eq!(kind, Kind::ImageTooLarge);
    assert_eq!(
        (params["mb"].clone(), params["max_mb"].clone()),
        (json!(11.0), json!(10))
    );
    let on_disk = dir.path().join("huge.png");
    std::fs::write(&on_disk, &huge).unwrap();
    assert_eq!(refusal(frames::keep_file(videos, &on_disk)).0, Kind::ImageTooLarge);
    let names: Vec<String> = std::fs::read_dir(videos)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("frame-"))
        .collect();
    assert_eq!(names.len(), 2, "only the two accepted pictures were kept: {names:?}");
    assert_eq!(
        refusal(frames::open(videos, "../huge.png", "image")).0,
        Kind::ImageFileMissing,
        "a request names only kept pictures"
    );
}

fn picture_request(image: &Frame) -> GenerationRequest {
    GenerationRequest {
        image: Some(image.file.clone()),
        ..Default::default()
    }
}

#[test]
fn picture_requests_follow_the_model_rules_and_take_the_pictures_shape() {
    let dir = tempfile::tempdir().unwrap();
    let tall = frames::keep(dir.path(), &png(360, 640)).unwrap();
    let end = frames::keep(dir.path(), &png(640, 640)).unwrap();
    let with = |image: bool, tail: bool| Inputs {
        image: image.then(|| tall.clone()),
        image_tail: tail.then(|| end.clone()),
        parent: None,
    };
    let check =
        |request: &GenerationRequest, inputs: &Inputs| request::validate_with(request, &COMETAPI_LIMITS, inputs);

    // A picture alone is enough: no prompt, and the shape is the picture's, not the form's.
    let valid = check(
        &GenerationRequest {
            aspect_ratio: Some("16:9".into()),
            ..picture_request(&tall)
        },
        &with(true, false),
    )
    .unwrap();
    assert_eq!(valid.kind, GenerationKind::ImageToVideo);
    assert_eq!((valid.prompt.as_str(), valid.aspect_ratio.as_str()), ("", "9:16"));
    assert_eq!(
        refusal(request::validate(&prompt("  "), &COMETAPI_LIMITS)).0,
        Kind::PromptEmpty
    );

    let camera = Some(kling_core::api::CameraControl {
        kind: "down_back".into(),
        config: None,
    });
    let tail = |mut r: GenerationRequest| {
        r.image_tail = Some(end.file.clone());
        r
    };
    let table: Vec<(&str, GenerationRequest, Inputs, Kind)> = vec![
        (
            "image kind without a picture",
            GenerationRequest {
                kind: Some(GenerationKind::ImageToVideo),
                ..prompt("a boat")
            },
            with(false, false),
            Kind::ImageMissing,
        ),
        (
            "a picture on a text request",
            GenerationRequest {
                kind: Some(GenerationKind::TextToVideo),
                prompt: "a boat".into(),
                ..picture_request(&tall)
            },
            with(true, false),
            Kind::InputNotForKind,
        ),
        (
            "a picture the library does not hold",
            picture_request(&tall),
            with(false, false),
            Kind::ImageFileMissing,
        ),
        (
            "an end picture on a model without one",
            tail(GenerationRequest {
                model_name: Some("kling-v2-6".into()),
                ..picture_request(&tall)
            }),
            with(true, true),
            Kind::ImageTailNotSupported,
        ),
        (
            "an end picture in a mode without one",
            tail(GenerationRequest {
                model_name: Some("kling-v1-6".into()),
                mode: Some("std".into()),
                ..picture_request(&tall)
            }),
            with(true, true),
            Kind::ImageTailNotSupported,
        ),
        (
            "an end picture with camera control",
            tail(GenerationRequest {
                model_name: Some("kling-v1".into()),
                mode: Some("std".into()),
                camera_control: camera.clone(),
                ..picture_request(&tall)
            }),
            with(true, true),
            Kind::ImageTailWithCamera,
        ),
        (
            "a clip to continue on a picture request",
            GenerationRequest {
                kind: Some(GenerationKind::ImageToVideo),
                parent_id: Some("g1".into()),
                ..picture_request(&tall)
            },
            with(true, false),
            Kind::InputNotForKind,
        ),
        (
            "continuing without the clip",
            GenerationRequest {
                kind: Some(GenerationKind::Extend),
                ..prompt("on and on")
            },
            with(false, false),
            Kind::ParentMissing,
        ),
    ];
    for (case, request, inputs, expected) in table {
        assert_eq!(refusal(check(&request, &inputs)).0, expected, "{case}");
    }

    let both = check(
        &tail(GenerationRequest {
            model_name: Some("kling-v1-6".into()),
            mode: Some("pro".into()),
            ..picture_request(&tall)
        }),
        &with(true, true),
    )
    .unwrap();
    assert_eq!(both.image_tail.as_ref().map(|f| f.width), Some(640));
    let camera_on_v1 = check(
        &GenerationRequest {
            model_name: Some("kling-v1".into()),
            mode: Some("std".into()),
            camera_control: camera,
            ..picture_request(&tall)
        },
        &with(true, false),
    );
    assert!(
        camera_on_v1.is_ok(),
        "camera control without an end picture follows the text rules"
    );
}

#[test]
fn each_route_gets_the_fields_it_takes() {
    let dir = tempfile::tempdir().unwrap();
    let picture = png(640, 360);
    let kept = frames::keep(dir.path(), &picture).unwrap();
    let valid = request::validate_with(
        &picture_request(&kept),
        &COMETAPI_LIMITS,
        &Inputs {
            image: Some(kept.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let body = valid.create_body_with_frames("kd-1", None, dir.path()).unwrap();
    assert_eq!(body.kind.route(), "/kling/v1/videos/image2video");
    let wire = serde_json::to_value(&body).unwrap();
    let sent = base64::engine::general_purpose::STANDARD
        .decode(wire["image"].as_str().unwrap())
        .unwrap();
    assert_eq!(sent, picture, "the picture goes as plain base64 of its bytes");
    for absent in ["aspect_ratio", "prompt", "image_tail", "video_id"] {
        assert!(
            wire.get(absent).is_none(),
            "{absent} is not sent from a picture: {wire}"
        );
    }
    assert_eq!(wire["model_name"], json!("kling-v2-5-turbo"));

    let parent = ready_video_of("kling-v1", dir.path());
    let continued = request::validate_with(
        &GenerationRequest {
            parent_id: Some(parent.parent.generation_id.clone()),
            ..prompt("the boat sails on")
        },
        &COMETAPI_LIMITS,
        &Inputs {
            parent: Some(parent.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let wire = serde_json::to_value(continued.create_body("kd-2", None)).unwrap();
    assert_eq!(continued.kind, GenerationKind::Extend);
    assert_eq!(wire["video_id"], json!(parent.parent.video_id));
    assert_eq!(wire["prompt"], json!("the boat sails on"));
    for absent in ["model_name", "mode", "duration", "aspect_ratio", "image"] {
        assert!(
            wire.get(absent).is_none(),
            "{absent} is not sent with a continuation: {wire}"
        );
    }
}

/// A continuable clip as the engine would hand it to the rules.
fn ready_video_of(model: &str, root: &std::path::Path) -> ParentClip {
    let library = kling_core::Library::open(&root.join("lib")).unwrap();
    let valid = request::validate(
        &GenerationRequest {
            model_name: Some(model.into()),
            ..prompt("a paper boat")
        },
        &COMETAPI_LIMITS,
    )
    .unwrap();
    let mut generation = ready_video(&library, valid, b"clip", None, kling_core::generation::now_ms());
    generation.remote_video_id = Some("video-1".into());
    kling_core::continuation::extendable(&generation, kling_core::generation::now_ms()).unwrap()
}

#[tokio::test]
async fn a_video_from_a_picture_is_shaped_like_it_and_found_by_its_kind() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let picture = png(360, 640);
    let kept = rig.engine.keep_frame(&picture).unwrap();

    let from_words = rig.engine.generate(&prompt("a paper boat on a pond")).unwrap();
    let made = rig
        .engine
        .generate(&GenerationRequest {
            image: Some(kept.frame.file.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(made.request.kind, GenerationKind::ImageToVideo);
    assert!(
        made.image_url.is_some(),
        "the card can show the picture before the video exists"
    );
    let ready = rig.recorder.wait_for(&made.id, SETTLED, WITHIN).await;
    assert_eq!(ready.status, Status::Ready, "{ready:?}");
    rig.recorder.wait_for(&from_words.id, SETTLED, WITHIN).await;
    let saved = std::fs::read(dir.path().join(ready.video_file.as_deref().unwrap())).unwrap();
    assert_eq!(
        saved,
        kling_emulator::clip("9:16", "5").unwrap(),
        "a portrait clip for a portrait picture"
    );

    let of_kind = |kind| {
        let query = LibraryQuery {
            kind: Some(kind),
            ..Default::default()
        };
        let page = rig.engine.search(&query, None, 50).unwrap();
        page.items.into_iter().map(|g| g.id).collect::<Vec<_>>()
    };
    assert_eq!(of_kind(GenerationKind::ImageToVideo), vec![made.id.clone()]);
    assert_eq!(of_kind(GenerationKind::TextToVideo), vec![from_words.id.clone()]);
    assert!(of_kind(GenerationKind::Extend).is_empty());

    // The export carries the picture beside the video, and the sidecar says which file it is.
    let out = tempfile::tempdir().unwrap();
    let exported = kling_core::export::export(
        rig.engine.library(),
        std::slice::from_ref(&made.id),
        out.path(),
        "untitled",
        &mut |_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    let video = exported.files.first().expect("one video exported");
    let stem = video.strip_suffix(".mp4").unwrap();
    let sidecar: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join(format!("{stem}.json"))).unwrap()).unwrap();
    assert_eq!(sidecar["start_frame"], json!("start.png"));
    assert_eq!(sidecar["kind"], json!("image_to_video"));
    assert_eq!(sidecar["image"]["width"], json!(360));
    assert_eq!(
        std::fs::read(out.path().join(format!("{stem}.start.png"))).unwrap(),
        picture
    );
}

#[tokio::test]
async fn a_clip_is_continued_and_linked_to_its_parent_both_ways() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let parent = rig
        .engine
        .generate(&GenerationRequest {
            model_name: Some("kling-v1".into()),
            ..prompt("a paper boat on a pond")
        })
        .unwrap();
    let parent = rig.recorder.wait_for(&parent.id, SETTLED, WITHIN).await;
    assert_eq!(parent.status, Status::Ready);
    assert!(
        parent.continue_until.is_some(),
        "a ready kling-v1 clip offers to be continued"
    );
    let continue_it = |text: &str| GenerationRequest {
        parent_id: Some(parent.id.clone()),
        ..prompt(text)
    };

    let child = rig
        .engine
        .generate(&continue_it("the boat drifts into the reeds"))
        .unwrap();
    let child = rig.recorder.wait_for(&child.id, SETTLED, WITHIN).await;
    assert_eq!(child.status, Status::Ready, "{child:?}");
    assert_eq!(child.request.kind, GenerationKind::Extend);
    assert_eq!(child.request.parent.as_ref().unwrap().generation_id, parent.id);
    assert_eq!(
        child.video_seconds(),
        10.1,
        "the continued clip is the parent and what was added"
    );
    let grandchild = rig.engine.generate(&GenerationRequest {
        parent_id: Some(child.id.clone()),
        ..prompt("and out to sea")
    });
    let grandchild = rig.recorder.wait_for(&grandchild.unwrap().id, SETTLED, WITHIN).await;

    let of = |id: &str| rig.engine.lineage(id).unwrap();
    let ids = |gs: Vec<kling_core::Generation>| gs.into_iter().map(|g| g.id).collect::<Vec<_>>();
    assert_eq!(ids(of(&parent.id).continuations), vec![child.id.clone()]);
    assert!(of(&parent.id).ancestors.is_empty());
    assert_eq!(
        ids(of(&grandchild.id).ancestors),
        vec![parent.id.clone(), child.id.clone()]
    );
    assert_eq!(ids(of(&child.id).continuations), vec![grandchild.id.clone()]);

    // A model that does not continue is refused before anything is sent.
    let turbo = rig.engine.generate(&prompt("a turbo boat")).unwrap();
    let turbo = rig.recorder.wait_for(&turbo.id, SETTLED, WITHIN).await;
    assert_eq!(
        turbo.continue_until, None,
        "nothing to offer on a model that does not continue"
    );
    let before = creates(&emulator);
    let refused = rig.engine.generate(&GenerationRequest {
        parent_id: Some(turbo.id.clone()),
        ..prompt("more")
    });
    let (kind, params) = refusal(refused);
    assert_eq!(
        (kind, params["model"].clone()),
        (Kind::ParentNotExtendable, json!("kling-v2-5-turbo"))
    );

    // A clip the provider no longer keeps, likewise.
    let mut old = rig.engine.library().get(&parent.id).unwrap().unwrap();
    old.created_at -= 31 * 24 * 60 * 60 * 1000;
    rig.engine.library().save(&mut old).unwrap();
    let (kind, params) = refusal(rig.engine.generate(&continue_it("too late")));
    assert_eq!((kind, params["days"].clone()), (Kind::ParentTooOld, json!(30)));
    assert_eq!(creates(&emulator), before, "nothing was sent for either refusal");
}

#[tokio::test]
async fn the_emulator_agrees_with_the_client_on_every_picture_request_the_rules_allow() {
    let emulator = Emulator::start(EmulatorConfig::fast()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let start = rig.engine.keep_frame(&png(640, 480)).unwrap().frame.file;
    let end = rig.engine.keep_frame(&png(480, 640)).unwrap().frame.file;
    let mut asked = Vec::new();
    for model in kling_core::rules::MODELS.iter().filter(|m| m.image_to_video) {
        for mode in model.modes {
            for duration in model.durations {
                let tail = model.image_tail_allowed(mode).then(|| end.clone());
                let request = GenerationRequest {
                    model_name: Some(model.name.into()),
                    mode: Some((*mode).into()),
                    duration: Some((*duration).into()),
                    image: Some(start.clone()),
                    image_tail: tail,
                    ..prompt(&format!("{} {mode} {duration}", model.name))
                };
                asked.push(rig.engine.generate(&request).unwrap().id);
            }
        }
    }
    for id in asked {
        let settled = rig.recorder.wait_for(&id, SETTLED, WITHIN).await;
        assert_eq!(
            settled.status,
            Status::Ready,
            "{} {} {}: {:?}",
            settled.request.model_name,
            settled.request.mode,
            settled.request.duration,
            settled.error
        );
        assert_eq!(settled.request.aspect_ratio, "4:3");
    }
}

#[tokio::test]
async fn a_lost_answer_on_the_picture_route_is_found_by_its_external_id_and_paid_once() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let teacher = rig.engine.generate(&prompt("teacher")).unwrap();
    rig.recorder.wait_for(&teacher.id, &[Status::Ready], WITHIN).await;
    let kept = rig.engine.keep_frame(&png(640, 360)).unwrap();

    emulator.push_fault(kling_emulator::Fault::created_but_lost());
    let made = rig
        .engine
        .generate(&GenerationRequest {
            image: Some(kept.frame.file),
            ..prompt("a lighthouse blinking at dusk")
        })
        .unwrap();
    let settled = rig.recorder.wait_for(&made.id, SETTLED, WITHIN).await;
    assert_eq!(settled.status, Status::Ready, "{settled:?}");
    assert_eq!(tasks_for(&emulator, "a lighthouse blinking at dusk"), 1, "paid once");
}

#[tokio::test]
async fn a_lost_answer_on_the_continuation_route_goes_to_the_user_and_is_never_posted_again() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let parent = rig
        .engine
        .generate(&GenerationRequest {
            model_name: Some("kling-v1-6".into()),
            ..prompt("a paper boat")
        })
        .unwrap();
    rig.recorder.wait_for(&parent.id, &[Status::Ready], WITHIN).await;

    emulator.push_fault(kling_emulator::Fault::created_but_lost());
    let child = rig
        .engine
        .generate(&GenerationRequest {
            parent_id: Some(parent.id.clone()),
            ..prompt("the boat sails on")
        })
        .unwrap();
    let settled = rig.recorder.wait_for(&child.id, SETTLED, WITHIN).await;
    // The route cannot be asked whether the create arrived: posting again could pay twice.
    assert_eq!(settled.status, Status::NeedsCheck, "{settled:?}");
    assert_eq!(settled.error.as_ref().map(|e| e.kind), Some(Kind::SubmissionUnsettled));
    use kling_core::Action;
    assert_eq!(
        settled.actions,
        vec![Action::PostAgain, Action::Discard],
        "nothing to check with"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(tasks_for(&emulator, "the boat sails on"), 1, "posted once");
}

#[test]
fn pictures_nothing_uses_any_more_are_tidied_after_a_day_and_used_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let library = kling_core::Library::open(dir.path()).unwrap();
    let videos = library.videos_dir();
    let used = frames::keep(&videos, &png(640, 360)).unwrap();
    let unused = frames::keep(&videos, &png(360, 640)).unwrap();
    let valid = request::validate_with(
        &picture_request(&used),
        &COMETAPI_LIMITS,
        &Inputs {
            image: Some(used.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    ready_video(&library, valid, b"clip", None, kling_core::generation::now_ms());
    let exists = |frame: &Frame| videos.join(&frame.file).is_file();
    let later = std::time::SystemTime::now() + Duration::from_secs(2 * 24 * 60 * 60);

    assert_eq!(
        library.tidy_pictures(std::time::SystemTime::now()).unwrap(),
        0,
        "a new picture may be in the composer"
    );
    assert!(exists(&unused));
    assert_eq!(library.tidy_pictures(later).unwrap(), 1);
    assert!(
        !exists(&unused) && exists(&used),
        "only the picture no video names went"
    );

    // Once its video is gone for good, its picture goes too.
    assert_eq!(library.clear().unwrap(), 1);
    assert_eq!(library.tidy_pictures(later).unwrap(), 1);
    assert!(!exists(&used));
}
