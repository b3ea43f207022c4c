//! Two videos side by side: which of their settings differ, and their prompts word by word. Only
//! two ready videos of the library in front can be compared (both must play); `Engine::compare`
//! checks that and answers with both records and what differs.

use serde::Serialize;
use serde_json::{json, Value};

use crate::coach::{word_diff, DiffPart};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::generation::Generation;
use crate::problem::Kind;
use crate::request::ValidRequest;

/// One setting the two requests do not share, with each side's value as the request stores it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The request field: `model_name`, `mode`, `duration`, `aspect_ratio`, `cfg_scale`,
    /// `camera_control` or `sound`.
    pub field: &'static str,
    pub a: Value,
    pub b: Value,
}

/// What differs between two videos' requests. The diffs read from `a` to `b`: `removed` words
/// are only in `a`'s text, `added` ones only in `b`'s.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub prompt_diff: Vec<DiffPart>,
    /// `None` when neither asked to avoid anything.
    pub negative_prompt_diff: Option<Vec<DiffPart>>,
    /// Only the settings that differ, in the order of the request.
    pub differences: Vec<Difference>,
}

/// Both records and what differs, for the compare view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    pub a: Generation,
    pub b: Generation,
    pub comparison: Comparison,
}

/// A request without sound and one with sound "off" make the same video: both read "off".
fn sound(value: &Option<String>) -> Value {
    json!(value.as_deref().unwrap_or("off"))
}

pub fn compare(a: &Generation, b: &Generation) -> Comparison {
    // Taken apart field by field: a field added to the request does not compile here until it is
    // compared too.
    let ValidRequest {
        prompt,
        negative_prompt,
        model_name,
        mode,
        duration,
        aspect_ratio,
        cfg_scale,
        camera_control,
        sound: sound_a,
        kind,
        image,
        image_tail,
        // Which clip each continues is the detail view's chain; the prompts and pictures say
        // how two continuations differ.
        parent: _,
    } = &a.request;
    let file = |frame: &Option<crate::frames::Frame>| json!(frame.as_ref().map(|f| &f.file));
    let other = &b.request;
    let settings = [
        ("model_name", json!(model_name), json!(other.model_name)),
        ("mode", json!(mode), json!(other.mode)),
        ("duration", json!(duration), json!(other.duration)),
        ("aspect_ratio", json!(aspect_ratio), json!(other.aspect_ratio)),
        ("cfg_scale", json!(cfg_scale), json!(other.cfg_scale)),
        ("camera_control", json!(camera_control), json!(other.camera_control)),
        ("sound", sound(sound_a), sound(&other.sound)),
        ("kind", json!(kind), json!(other.kind)),
        ("image", file(image), file(&other.image)),
        ("image_tail", file(image_tail), file(&other.image_tail)),
    ];
    let negative_prompt_diff = match (negative_prompt, &other.negative_prompt) {
        (None, None) => None,
        (mine, theirs) => Some(word_diff(
            mine.as_deref().unwrap_or_default(),
            theirs.as_deref().unwrap_or_default(),
        )),
    };
    Comparison {
        prompt_diff: word_diff(prompt, &other.prompt),
        negative_prompt_diff,
        differences: settings
            .into_iter()
            .filter(|(_, a, b)| a != b)
            .map(|(field, a, b)| Difference { field, a, b })
            .collect(),
    }
}

impl Engine {
    /// Generations `a` and `b` of this engine's library side by side. Each must be ready with its
    /// file in the library (not deleted): else `compare_not_ready`, its field naming the side.
    pub fn compare(&self, a: &str, b: &str) -> Result<Compared> {
        let a = self.ready_to_compare(a, "a")?;
        let b = self.ready_to_compare(b, "b")?;
        let comparison = compare(&a, &b);
        Ok(Compared { a, b, comparison })
    }

    fn ready_to_compare(&self, id: &str, side: &'static str) -> Result<Generation> {
        match self.library().video_path(id) {
            Ok(_) => self.get(id),
            Err(Error::UnknownGeneration(_)) => Err(Error::invalid(Kind::CompareNotReady, side)),
            Err(Error::Invalid {
                kind: Kind::VideoFileMissing,
                ..
            }) => Err(Error::invalid(Kind::CompareNotReady, side)),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::DiffOp;

    /// A ready generation made from `request` (the stored, validated form).
    fn made_from(request: Value) -> Generation {
        let mut stored = json!({
            "prompt": "a paper boat on a rainy street",
            "model_name": "kling-v1-6",
            "mode": "std",
            "duration": "5",
            "aspect_ratio": "16:9",
        });
        stored
            .as_object_mut()
            .unwrap()
            .extend(request.as_object().unwrap().clone());
        serde_json::from_value(json!({
            "id": "g",
            "external_task_id": "kd-g",
            "status": "ready",
            "request": stored,
            "created_at": 0,
            "updated_at": 0,
        }))
        .unwrap()
    }

    fn fields(comparison: &Comparison) -> Vec<&'static str> {
        comparison.differences.iter().map(|d| d.field).collect()
    }

    #[test]
    fn the_same_request_differs_in_nothing() {
        let a = made_from(json!({"negative_prompt": "blur", "cfg_scale": 0.4}));
        let comparison = compare(&a, &a.clone());
        assert!(comparison.differences.is_empty());
        assert!(comparison.prompt_diff.iter().all(|part| part.op == DiffOp::Same));
        assert!(comparison
            .negative_prompt_diff
            .unwrap()
            .iter()
            .all(|part| part.op == DiffOp::Same));
    }

    #[test]
    fn only_the_settings_that_differ_are_listed_with_both_values_in_request_order() {
        let a = made_from(json!({"aspect_ratio": "9:16", "duration": "10", "cfg_scale": 0.3}));
        let b = made_from(json!({"mode": "pro", "aspect_ratio": "16:9", "duration": "10"}));
        let comparison = compare(&a, &b);
        assert_eq!(fields(&comparison), ["mode", "aspect_ratio", "cfg_scale"]);
        assert_eq!(
            serde_json::to_value(&comparison.differences).unwrap(),
            json!([
                {"field": "mode", "a": "std", "b": "pro"},
                {"field": "aspect_ratio", "a": "9:16", "b": "16:9"},
                {"field": "cfg_scale", "a": 0.3, "b": null},
            ])
        );
    }

    #[test]
    fn every_setting_of_the_request_is_compared() {
        let a = made_from(json!({}));
        let b = made_from(json!({
            "model_name": "kling-v2-6",
            "mode": "pro",
            "duration": "10",
            "aspect_ratio": "1:1",
            "cfg_scale": 0.5,
            "camera_control": {"type": "simple", "config": {"horizontal": 0.0, "vertical": 0.0, "pan": 2.5, "tilt": 0.0, "roll": 0.0, "zoom": 0.0}},
            "sound": "on",
        }));
        assert_eq!(
            fields(&compare(&a, &b)),
            [
                "model_name",
                "mode",
                "duration",
                "aspect_ratio",
                "cfg_scale",
                "camera_control",
                "sound"
            ]
        );
        let turned = made_from(json!({"camera_control": {"type": "forward_up"}}));
        let other_way = made_from(json!({"camera_control": {"type": "down_back"}}));
        let difference = &compare(&turned, &other_way).differences[0];
        assert_eq!(difference.field, "camera_control");
        assert_eq!(difference.a, json!({"type": "forward_up"}));
        assert_eq!(difference.b, json!({"type": "down_back"}));
    }

    #[test]
    fn no_sound_and_sound_off_are_the_same_but_on_is_not() {
        let unset = made_from(json!({}));
        let off = made_from(json!({"sound": "off"}));
        let on = made_from(json!({"sound": "on"}));
        assert!(compare(&unset, &off).differences.is_empty());
        assert_eq!(
            compare(&unset, &on).differences,
            [Difference {
                field: "sound",
                a: json!("off"),
                b: json!("on")
            }]
        );
    }

    #[test]
    fn the_prompts_differ_word_by_word_from_a_to_b() {
        let a = made_from(json!({"prompt": "a paper boat on a rainy street"}));
        let b = made_from(json!({"prompt": "a red paper boat on a sunny street"}));
        let parts = compare(&a, &b).prompt_diff;
        let marked: Vec<(DiffOp, &str)> = parts
            .iter()
            .filter(|part| part.op != DiffOp::Same)
            .map(|part| (part.op, part.text.as_str()))
            .collect();
        assert_eq!(
            marked,
            [
                (DiffOp::Added, "red"),
                (DiffOp::Removed, "rainy"),
                (DiffOp::Added, "sunny")
            ]
        );
    }

    #[test]
    fn a_negative_prompt_on_one_side_only_shows_as_added_or_removed() {
        let plain = made_from(json!({}));
        let avoiding = made_from(json!({"negative_prompt": "blurry, text"}));
        assert_eq!(compare(&plain, &plain.clone()).negative_prompt_diff, None);
        let added = compare(&plain, &avoiding).negative_prompt_diff.unwrap();
        assert!(added.iter().all(|part| part.op == DiffOp::Added), "{added:?}");
        let removed = compare(&avoiding, &plain).negative_prompt_diff.unwrap();
        assert!(removed.iter().all(|part| part.op == DiffOp::Removed), "{removed:?}");
    }
}
