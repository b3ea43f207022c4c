//! Validation, as a table: every invalid request is refused with a stable kind that names its
//! field, before anything is sent. And the client and the emulator (which checks with its own
//! code) agree on the whole valid matrix and a sample of the invalid one.

use kling_core::api::{CameraConfig, CameraControl};
use kling_core::request::{validate, GenerationRequest};
use kling_core::rules::{self, COMETAPI_LIMITS};
use kling_emulator::{Emulator, EmulatorConfig};

fn base() -> GenerationRequest {
    GenerationRequest {
        prompt: "a paper boat on a rainy street".into(),
        ..Default::default()
    }
}

fn axes(values: [f64; 6]) -> Option<CameraControl> {
    let [horizontal, vertical, pan, tilt, roll, zoom] = values;
    Some(CameraControl {
        kind: "simple".into(),
        config: Some(CameraConfig {
            horizontal,
            vertical,
            pan,
            tilt,
            roll,
            zoom,
        }),
    })
}

fn v1_std_5() -> GenerationRequest {
    GenerationRequest {
        model_name: Some("kling-v1".into()),
        mode: Some("std".into()),
        duration: Some("5".into()),
        ..base()
    }
}

/// (what is wrong, the request, the expected kind, the field it names)
fn invalid_requests() -> Vec<(&'static str, GenerationRequest, &'static str, &'static str)> {
    let long = |unit: &str, n: usize| GenerationRequest {
        prompt: unit.repeat(n),
        ..base()
    };
    vec![
        (
            "empty prompt",
            GenerationRequest {
                prompt: String::new(),
                ..base()
            },
            "prompt_empty",
            "prompt",
        ),
        (
            "blank prompt",
            GenerationRequest {
                prompt: " \t\n ".into(),
                ..base()
            },
            "prompt_empty",
            "prompt",
        ),
        (
            "no-break spaces only",
            GenerationRequest {
                prompt: "\u{00a0}\u{2003}".into(),
                ..base()
            },
            "prompt_empty",
            "prompt",
        ),
        ("501 Latin letters", long("a", 501), "prompt_too_long", "prompt"),
        ("501 umlauts", long("ü", 501), "prompt_too_long", "prompt"),
        (
            "501 decomposed umlauts count once each",
            long("u\u{0308}", 501),
            "prompt_too_long",
            "prompt",
        ),
        ("501 Han characters", long("雨", 501), "prompt_too_long", "prompt"),
        ("501 Cyrillic letters", long("д", 501), "prompt_too_long", "prompt"),
        ("501 Arabic letters", long("ب", 501), "prompt_too_long", "prompt"),
        ("501 emoji", long("🌧", 501), "prompt_too_long", "prompt"),
        (
            "201-char negative prompt",
            GenerationRequest {
                negative_prompt: Some("x".repeat(201)),
                ..base()
            },
            "negative_prompt_too_long",
            "negative_prompt",
        ),
        (
            "201 Hangul in negative prompt",
            GenerationRequest {
                negative_prompt: Some("한".repeat(201)),
                ..base()
            },
            "negative_prompt_too_long",
            "negative_prompt",
        ),
        (
            "aspect ratio 21:9",
            GenerationRequest {
                aspect_ratio: Some("21:9".into()),
                ..base()
            },
            "option_not_allowed",
            "aspect_ratio",
        ),
        (
            "aspect ratio 16x9",
            GenerationRequest {
                aspect_ratio: Some("16x9".into()),
                ..base()
            },
            "option_not_allowed",
            "aspect_ratio",
        ),
        (
            "duration 7",
            GenerationRequest {
                duration: Some("7".into()),
                ..base()
            },
            "option_not_allowed",
            "duration",
        ),
        (
            "duration 5.0",
            GenerationRequest {
                duration: Some("5.0".into()),
                ..base()
            },
            "option_not_allowed",
            "duration",
        ),
        (
            "mode professional",
            GenerationRequest {
                mode: Some("professional".into()),
                ..base()
            },
            "option_not_allowed",
            "mode",
        ),
        (
            "mode std on 2.5 Turbo",
            GenerationRequest {
                mode: Some("std".into()),
                ..base()
            },
            "option_not_allowed",
            "mode",
        ),
        (
            "mode 4k",
            GenerationRequest {
                model_name: Some("kling-v3".into()),
                mode: Some("4k".into()),
                ..base()
            },
            "option_not_allowed",
            "mode",
        ),
        (
            "cfg_scale 1.5",
            GenerationRequest {
                cfg_scale: Some(1.5),
                ..v1_std_5()
            },
            "cfg_scale_out_of_range",
            "cfg_scale",
        ),
        (
            "cfg_scale -0.1",
            GenerationRequest {
                cfg_scale: Some(-0.1),
                ..v1_std_5()
            },
            "cfg_scale_out_of_range",
            "cfg_scale",
        ),
        (
            "cfg_scale NaN",
            GenerationRequest {
                cfg_scale: Some(f64::NAN),
                ..v1_std_5()
            },
            "cfg_scale_out_of_range",
            "cfg_scale",
        ),
        (
            "cfg_scale infinite",
            GenerationRequest {
                cfg_scale: Some(f64::INFINITY),
                ..v1_std_5()
            },
            "cfg_scale_out_of_range",
            "cfg_scale",
        ),
        (
            "cfg_scale on a v2 model",
            GenerationRequest {
                cfg_scale: Some(0.5),
                ..base()
            },
            "cfg_scale_not_supported",
            "cfg_scale",
        ),
        (
            "simple camera without config",
            GenerationRequest {
                camera_control: Some(CameraControl {
                    kind: "simple".into(),
                    config: None,
                }),
                ..v1_std_5()
            },
            "camera_config_missing",
            "camera_control",
        ),
        (
            "simple camera, all axes zero",
            GenerationRequest {
                camera_control: axes([0.0; 6]),
                ..v1_std_5()
            },
            "camera_one_axis",
            "camera_control",
        ),
        (
            "simple camera, two axes",
            GenerationRequest {
                camera_control: axes([1.0, 0.0, 0.0, 0.0, 0.0, 2.0]),
                ..v1_std_5()
            },
            "camera_one_axis",
            "camera_control",
        ),
        (
            "camera axis at 11",
            GenerationRequest {
                camera_control: axes([0.0, 0.0, 11.0, 0.0, 0.0, 0.0]),
                ..v1_std_5()
            },
            "camera_axis_out_of_range",
            "camera_control",
        ),
        (
            "camera axis at -10.5",
            GenerationRequest {
                camera_control: axes([0.0, 0.0, 0.0, -10.5, 0.0, 0.0]),
                ..v1_std_5()
            },
            "camera_axis_out_of_range",
            "camera_control",
        ),
        (
            "camera axis NaN",
            GenerationRequest {
                camera_control: axes([f64::NAN, 0.0, 0.0, 0.0, 0.0, 0.0]),
                ..v1_std_5()
            },
            "camera_axis_out_of_range",
            "camera_control",
        ),
        (
            "preset with a config",
            GenerationRequest {
                camera_control: Some(CameraControl {
                    kind: "forward_up".into(),
                    config: axes([0.0, 0.0, 0.0, 0.0, 0.0, 5.0]).unwrap().config,
                }),
                ..v1_std_5()
            },
            "camera_config_not_allowed",
            "camera_control",
        ),
        (
            "unknown camera type",
            GenerationRequest {
                camera_control: Some(CameraControl {
                    kind: "orbit".into(),
                    config: None,
                }),
                ..v1_std_5()
            },
            "camera_type_unknown",
            "camera_control",
        ),
        (
            "camera on a v2 model",
            GenerationRequest {
                camera_control: Some(CameraControl {
                    kind: "forward_up".into(),
                    config: None,
                }),
                ..base()
            },
            "camera_not_supported",
            "camera_control",
        ),
        (
            "camera on kling-v1 pro",
            GenerationRequest {
                mode: Some("pro".into()),
                camera_control: Some(CameraControl {
                    kind: "down_back".into(),
                    config: None,
                }),
                ..v1_std_5()
            },
            "camera_not_supported",
            "camera_control",
        ),
        (
            "camera on kling-v1 10 s",
            GenerationRequest {
                duration: Some("10".into()),
                camera_control: Some(CameraControl {
                    kind: "down_back".into(),
                    config: None,
                }),
                ..v1_std_5()
            },
            "camera_not_supported",
            "camera_control",
        ),
        (
            "unknown model",
            GenerationRequest {
                model_name: Some("kling-v9".into()),
                ..base()
            },
            "unknown_model",
            "model_name",
        ),
        (
            "image-only model",
            GenerationRequest {
                model_name: Some("kling-v1-5".into()),
                ..base()
            },
            "unknown_model",
            "model_name",
        ),
        (
            "sound on a model without it",
            GenerationRequest {
                sound: Some("on".into()),
                ..base()
            },
            "sound_not_supported",
            "sound",
        ),
        (
            "sound on 2.6 Standard",
            GenerationRequest {
                model_name: Some("kling-v2-6".into()),
                mode: Some("std".into()),
                sound: Some("on".into()),
                ..base()
            },
            "sound_not_supported",
            "sound",
        ),
        (
            "sound loud",
            GenerationRequest {
                model_name: Some("kling-v3".into()),
                sound: Some("loud".into()),
                ..base()
            },
            "option_not_allowed",
            "sound",
        ),
    ]
}

#[test]
fn every_invalid_request_is_refused_with_a_kind_that_names_its_field() {
    let table = invalid_requests();
    assert!(table.len() >= 30);
    for (what, request, kind, field) in table {
        let problem = match validate(&request, &COMETAPI_LIMITS) {
            Ok(valid) => panic!("{what}: accepted as {valid:?}"),
            Err(error) => error.problem(),
        };
        assert_eq!(
            (problem.kind.as_str(), problem.field.as_deref()),
            (kind, Some(field)),
            "{what}"
        );
    }
}

#[test]
fn limits_are_inclusive_and_counted_after_trimming() {
    for request in [
        GenerationRequest {
            prompt: format!("  {}  ", "ä".repeat(500)),
            ..base()
        },
        GenerationRequest {
            negative_prompt: Some("n".repeat(200)),
            ..base()
        },
        GenerationRequest {
            camera_control: axes([0.0, 0.0, 0.0, 0.0, 0.0, -10.0]),
            ..v1_std_5()
        },
        GenerationRequest {
            cfg_scale: Some(1.0),
            ..v1_std_5()
        },
        GenerationRequest {
            negative_prompt: Some("   ".into()),
            ..base()
        },
    ] {
        validate(&request, &COMETAPI_LIMITS).unwrap_or_else(|e| panic!("{request:?} refused: {:?}", e.problem()));
    }
    let blank_negative = validate(
        &GenerationRequest {
            negative_prompt: Some("   ".into()),
            ..base()
        },
        &COMETAPI_LIMITS,
    )
    .unwrap();
    assert_eq!(
        blank_negative.negative_prompt, None,
        "a blank negative prompt is left out"
    );
}

/// Every valid combination the table allows, with every option a form could set.
fn valid_matrix() -> Vec<GenerationRequest> {
    let mut all = Vec::new();
    for model in rules::MODELS {
        for mode in model.modes {
            for duration in model.durations {
                for (i, ratio) in COMETAPI_LIMITS.aspect_ratios.iter().enumerate() {
                    let mut request = GenerationRequest {
                        prompt: format!("matrix {} {mode} {duration} {ratio}", model.name),
                        model_name: Some(model.name.into()),
                        mode: Some((*mode).into()),
                        duration: Some((*duration).into()),
                        aspect_ratio: Some((*ratio).into()),
                        negative_prompt: (i % 2 == 0).then(|| "blurry, text".into()),
                        ..Default::default()
                    };
                    if model.cfg_scale {
                        request.cfg_scale = Some(i as f64 / 10.0);
                    }
                    if model.sound && model.sound_needs_mode.is_none_or(|m| m == *mode) {
                        request.sound = Some(if i % 2 == 0 { "on" } else { "off" }.into());
                    }
                    all.push(request.clone());
                    if model.camera.is_some_and(|c| c.mode == *mode && c.duration == *duration) {
                        for kind in rules::CAMERA_TYPES.iter().filter(|k| **k != "simple") {
                            all.push(GenerationRequest {
                                camera_control: Some(CameraControl {
                                    kind: (*kind).into(),
                                    config: None,
                                }),
                                ..request.clone()
                            });
                        }
                        let mut one_axis = [0.0; 6];
                        one_axis[i % 6] = if i % 2 == 0 { 2.5 } else { -10.0 };
                        all.push(GenerationRequest {
                            camera_control: axes(one_axis),
                            ..request.clone()
                        });
                    }
                }
            }
        }
    }
    all
}

#[tokio::test]
async fn client_and_emulator_agree_on_what_is_valid() {
    let emulator = Emulator::start(EmulatorConfig::fast()).await.unwrap();
    // No pacing: this test sends a few hundred requests to a local emulator on purpose.
    let unpaced = std::sync::Arc::new(kling_core::api::Pacer::new(0.0));
    let client = kling_core::api::Client::with_pacer(&emulator.base_url(), unpaced).unwrap();
    let matrix = valid_matrix();
    for (n, request) in matrix.iter().enumerate() {
        let valid = validate(request, &COMETAPI_LIMITS).unwrap_or_else(|e| panic!("{request:?}: {:?}", e.problem()));
        let body = valid.create_body(&format!("kd-matrix-{n}"), None);
        if let Err(e) = client.create("sk-matrix", &body).await {
            panic!("the emulator refused what the client accepts: {body:?}: {e}");
        }
    }
    // The invalid sample goes out as raw bodies, skipping the validator the client would apply.
    let mut refused = 0;
    for (n, (what, request, _, _)) in invalid_requests().into_iter().enumerate() {
        let body = raw_body(&request, &format!("kd-invalid-{n}"));
        let answer = reqwest::Client::new()
            .post(format!("{}/kling/v1/videos/text2video", emulator.base_url()))
            .bearer_auth("sk-matrix")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_ne!(
            answer.status(),
            200,
            "the emulator accepted what the client refuses: {what}"
        );
        refused += 1;
    }
    println!(
        "valid combinations accepted by both: {}; invalid refused by both: {refused}",
        matrix.len()
    );
}

/// The request as it would go out without validation: defaults filled the way the form would.
fn raw_body(request: &GenerationRequest, external_task_id: &str) -> serde_json::Value {
    let mut body = serde_json::json!({
        "prompt": request.prompt,
        "model_name": request.model_name.clone().unwrap_or_else(|| rules::DEFAULT_MODEL.into()),
        "mode": request.mode.clone().unwrap_or_else(|| rules::DEFAULT_MODEL_MODE.into()),
        "duration": request.duration.clone().unwrap_or_else(|| "5".into()),
        "aspect_ratio": request.aspect_ratio.clone().unwrap_or_else(|| "16:9".into()),
        "external_task_id": external_task_id,
    });
    if let Some(negative) = &request.negative_prompt {
        body["negative_prompt"] = negative.clone().into();
    }
    if let Some(cfg) = request.cfg_scale {
        // JSON has no NaN: a client that skipped validation would send null or fail; send a string.
        body["cfg_scale"] = serde_json::Number::from_f64(cfg)
            .map(Into::into)
            .unwrap_or_else(|| "NaN".into());
    }
    if let Some(camera) = &request.camera_control {
        let mut value = serde_json::to_value(camera).unwrap();
        if let Some(config) = value.get_mut("config") {
            for axis in rules::CAMERA_AXES {
                if config[axis].is_null() {
                    config[*axis] = "NaN".into();
                }
            }
        }
        body["camera_control"] = value;
    }
    if let Some(sound) = &request.sound {
        body["sound"] = sound.clone().into();
    }
    body
}
