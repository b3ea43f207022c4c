//! Writes what the Rust rules say about every combination of options to
//! `tests/ui/generated/rules.json`: the rules table exactly as the `rules` command serves it, and
//! for each combination whether the validator accepts it (or the kind and field it refuses) and
//! its price. The node tests read the file to prove the UI offers exactly what the validator
//! accepts. This test fails when the committed file is out of date, and rewrites it so that the
//! change can be looked at and committed.

use kling_core::request::{validate, GenerationRequest};
use kling_core::rules::{self, CAMERA_AXES, CAMERA_TYPES, COMETAPI_LIMITS, MODELS};
use serde_json::{json, Value};

const CAMERA_AUTO: &str = "auto";

fn request(model: &str, mode: &str, duration: &str, camera: &str, sound: bool, cfg: bool) -> GenerationRequest {
    let mut body = json!({
        "prompt": "a lighthouse at dusk",
        "model_name": model,
        "mode": mode,
        "duration": duration,
        "aspect_ratio": COMETAPI_LIMITS.default_aspect_ratio,
    });
    if cfg {
        body["cfg_scale"] = json!(COMETAPI_LIMITS.cfg_scale_default);
    }
    if sound {
        body["sound"] = json!("on");
    }
    if camera == "simple" {
        let config: serde_json::Map<String, Value> = CAMERA_AXES
            .iter()
            .map(|axis| (axis.to_string(), json!(if *axis == "zoom" { 5.0 } else { 0.0 })))
            .collect();
        body["camera_control"] = json!({"type": camera, "config": config});
    } else if camera != CAMERA_AUTO {
        body["camera_control"] = json!({"type": camera});
    }
    serde_json::from_value(body).expect("a well-formed request")
}

fn combinations() -> Vec<Value> {
    let cameras: Vec<&str> = std::iter::once(CAMERA_AUTO)
        .chain(CAMERA_TYPES.iter().copied())
        .collect();
    let mut rows = Vec::new();
    for model in MODELS {
        for mode in COMETAPI_LIMITS.modes {
            for duration in COMETAPI_LIMITS.durations {
                for camera in &cameras {
                    for sound in [false, true] {
                        for cfg in [false, true] {
                            let outcome = validate(
                                &request(model.name, mode, duration, camera, sound, cfg),
                                &COMETAPI_LIMITS,
                            );
                            let refusal = outcome.as_ref().err().map(|e| {
                                let problem = e.problem();
                                json!({"kind": problem.kind, "field": problem.field})
                            });
                            rows.push(json!({
                                "model_name": model.name, "mode": mode, "duration": duration,
                                "camera": camera, "sound": sound, "cfg": cfg,
                                "accepted": outcome.is_ok(), "refusal": refusal,
                                "usd_cents": rules::price_cents(model.name, mode, duration),
                            }));
                        }
                    }
                }
            }
        }
    }
    rows
}

/// The table pretty-printed and one combination a line, so a change reads well in a diff.
fn render() -> String {
    let table = serde_json::to_string_pretty(&rules::table())
        .unwrap()
        .replace('\n', "\n  ");
    let rows: Vec<String> = combinations().iter().map(|row| format!("    {row}")).collect();
    format!(
        "{{\n  \"table\": {table},\n  \"combinations\": [\n{}\n  ]\n}}\n",
        rows.join(",\n")
    )
}

#[test]
fn the_rules_file_for_the_ui_tests_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ui/generated/rules.json");
    let fresh = render();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        panic!(
            "{} was out of date with rules.rs or the validator; it has been rewritten: look at the change, run the node tests and commit it",
            path.display()
        );
    }
    let parsed: Value = serde_json::from_str(&fresh).unwrap();
    assert!(parsed["combinations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|row| row["accepted"] == true));
    assert!(parsed["combinations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|row| row["accepted"] == false));
}
