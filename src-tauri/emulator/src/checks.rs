//! The emulator's own check of a create request.
//!
//! Deliberately written apart from the client's validator: both read the same rows of
//! `kling_core::rules`, but if either side's logic is wrong the two disagree and a test notices, instead of
//! one shared bug hiding itself.

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use kling_core::rules::{self, ModelRule, CAMERA_AXES, CAMERA_TYPES, COMETAPI_LIMITS};

/// What Kling would do with a model-less request: fall back to v1 (`model` is not an alias).
const MODEL_WHEN_ABSENT: &str = "kling-v1";

#[derive(Debug)]
pub(crate) struct Accepted {
    pub(crate) prompt: String,
    pub(crate) duration: String,
    pub(crate) aspect_ratio: String,
    pub(crate) external_task_id: Option<String>,
    pub(crate) callback_url: Option<String>,
}

#[derive(Debug)]
pub(crate) enum Refusal {
    /// 400/1201 with `"<field>: <reason>"`.
    Invalid(String),
    UnknownModel(String),
}

fn invalid<T>(field: &str, reason: impl std::fmt::Display) -> Result<T, Refusal> {
    Err(Refusal::Invalid(format!("{field}: {reason}")))
}

/// Characters as the product counts them: scalar values after NFC, ignoring outer whitespace.
fn visible_chars(text: &str) -> usize {
    text.trim().nfc().count()
}

/// `null` counts as absent: clients that serialize `Option::None` as null are not wrong.
fn optional_str<'a>(body: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, Refusal> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => invalid(field, "must be a string"),
    }
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), Refusal> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        invalid(field, format!("{value:?} is not one of {}", allowed.join(", ")))
    }
}

pub(crate) fn check(body: &Map<String, Value>, strict_duration: bool) -> Result<Accepted, Refusal> {
    let limits = &COMETAPI_LIMITS;

    // The gateway routes by model before anything else looks at the body.
    let model_name = optional_str(body, "model_name")?.unwrap_or(MODEL_WHEN_ABSENT);
    let model = rules::MODELS
        .iter()
        .find(|m| m.name == model_name)
        .ok_or_else(|| Refusal::UnknownModel(model_name.to_string()))?;

    let prompt = match body.get("prompt") {
        None | Some(Value::Null) => return invalid("prompt", "is required"),
        Some(Value::String(s)) => s,
        Some(_) => return invalid("prompt", "must be a string"),
    };
    let count = visible_chars(prompt);
    if count == 0 {
        return invalid("prompt", "must not be empty");
    }
    if count > limits.prompt_max_chars {
        return invalid(
            "prompt",
            format!("too long ({count} characters, at most {})", limits.prompt_max_chars),
        );
    }
    if let Some(negative) = optional_str(body, "negative_prompt")? {
        let count = visible_chars(negative);
        if count > limits.negative_prompt_max_chars {
            return invalid(
                "negative_prompt",
                format!(
                    "too long ({count} characters, at most {})",
                    limits.negative_prompt_max_chars
                ),
            );
        }
    }

    // Without a mode the default applies, unless the model lacks it: then its own first mode,
    // which is what a one-tier model effectively runs.
    let mode = match optional_str(body, "mode")? {
        Some(mode) => mode.to_string(),
        None if model.modes.contains(&limits.default_mode) => limits.default_mode.to_string(),
        None => model.modes[0].to_string(),
    };
    one_of("mode", &mode, limits.modes)?;
    if !model.modes.contains(&mode.as_str()) {
        return invalid("mode", format!("{mode} is not supported by {}", model.name));
    }

    let duration = match body.get("duration") {
        None | Some(Value::Null) => limits.default_duration.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if !strict_duration && n.as_u64().is_some() => n.to_string(),
        Some(_) => return invalid("duration", "must be a string such as \"5\""),
    };
    one_of("duration", &duration, limits.durations)?;
    if !model.durations.contains(&duration.as_str()) {
        return invalid("duration", format!("{duration} is not supported by {}", model.name));
    }

    let aspect_ratio = optional_str(body, "aspect_ratio")?
        .unwrap_or(limits.default_aspect_ratio)
        .to_string();
    one_of("aspect_ratio", &aspect_ratio, limits.aspect_ratios)?;

    match body.get("cfg_scale") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) => {
            let v = n.as_f64().unwrap_or(f64::NAN);
            if !(limits.cfg_scale_min..=limits.cfg_scale_max).contains(&v) {
                return invalid(
                    "cfg_scale",
                    format!("must be between {} and {}", limits.cfg_scale_min, limits.cfg_scale_max),
                );
            }
            if !model.cfg_scale {
                return invalid("cfg_scale", format!("is not supported by {}", model.name));
            }
        }
        Some(_) => return invalid("cfg_scale", "must be a number"),
    }

    match body.get("camera_control") {
        None | Some(Value::Null) => {}
        Some(Value::Object(camera)) => check_camera(camera, model, &mode, &duration)?,
        Some(_) => return invalid("camera_control", "must be an object"),
    }

    if let Some(sound) = optional_str(body, "sound")? {
        one_of("sound", sound, &["on", "off"])?;
        if sound == "on" {
            if !model.sound {
                return invalid("sound", format!("is not supported by {}", model.name));
            }
            if let Some(needed) = model.sound_needs_mode {
                if mode != needed {
                    return invalid("sound", format!("on {} needs mode {needed}", model.name));
                }
            }
        }
    }

    let callback_url = optional_str(body, "callback_url")?.map(str::to_string);
    let external_task_id = optional_str(body, "external_task_id")?.map(str::to_string);
    if external_task_id.as_deref() == Some("") {
        return invalid("external_task_id", "must not be empty");
    }

    Ok(Accepted {
        prompt: prompt.clone(),
        duration,
        aspect_ratio,
        external_task_id,
        callback_url,
    })
}

fn check_camera(camera: &Map<String, Value>, model: &ModelRule, mode: &str, duration: &str) -> Result<(), Refusal> {
    let kind = match camera.get("type") {
        Some(Value::String(s)) => s.as_str(),
        None | Some(Value::Null) => return invalid("camera_control.type", "is required"),
        Some(_) => return invalid("camera_control.type", "must be a string"),
    };
    one_of("camera_control.type", kind, CAMERA_TYPES)?;

    let Some(allowance) = model.camera else {
        return invalid("camera_control", format!("is not supported by {}", model.name));
    };
    if mode != allowance.mode || duration != allowance.duration {
        return invalid(
            "camera_control",
            format!(
                "on {} needs mode {} and duration {}",
                model.name, allowance.mode, allowance.duration
            ),
        );
    }

    let config = camera.get("config").filter(|c| !c.is_null());
    if kind != "simple" {
        return match config {
            None => Ok(()),
            Some(_) => invalid("camera_control.config", format!("must be absent for type {kind}")),
        };
    }
    let Some(config) = config else {
        return invalid("camera_control.config", "is required for type simple");
    };
    let Some(config) = config.as_object() else {
        return invalid("camera_control.config", "must be an object");
    };
    let limits = &COMETAPI_LIMITS;
    let mut non_zero = 0;
    for (axis, value) in config {
        if !CAMERA_AXES.contains(&axis.as_str()) {
            return invalid(&format!("camera_control.config.{axis}"), "is not a camera axis");
        }
        let Some(v) = value.as_f64() else {
            return invalid(&format!("camera_control.config.{axis}"), "must be a number");
        };
        if !(limits.camera_axis_min..=limits.camera_axis_max).contains(&v) {
            return invalid(
                &format!("camera_control.config.{axis}"),
                format!(
                    "must be between {} and {}",
                    limits.camera_axis_min, limits.camera_axis_max
                ),
            );
        }
        if v != 0.0 {
            non_zero += 1;
        }
    }
    if non_zero != 1 {
        return invalid("camera_control.config", "exactly one axis must be non-zero");
    }
    Ok(())
}
