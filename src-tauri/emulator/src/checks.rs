//! The emulator's own check of a create request, one function per route.
//!
//! Deliberately written apart from the client's validator: both read the same rows of
//! `kling_core::rules`, but if either side's logic is wrong the two disagree and a test notices, instead of
//! one shared bug hiding itself.

use base64::Engine as _;
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use kling_core::rules::{self, ModelRule, CAMERA_AXES, CAMERA_TYPES, COMETAPI_LIMITS, EXTEND_LIMITS, IMAGE_LIMITS};

/// What Kling would do with a model-less request: fall back to v1 (`model` is not an alias).
const MODEL_WHEN_ABSENT: &str = "kling-v1";

/// Kling's clips run a tenth of a second past the length asked for (`"5.1"`).
const ENCODED_EXTRA_SECONDS: f64 = 0.1;

/// The longest clip stands in for every continuation: no fixture is as long as a chain.
const CONTINUATION_CLIP: &str = "10";

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

#[derive(Debug)]
pub(crate) struct Accepted {
    pub(crate) model: &'static ModelRule,
    /// Empty when the route lets it out.
    pub(crate) prompt: String,
    /// Which clip is served: `"5"` or `"10"`.
    pub(crate) clip_duration: String,
    pub(crate) aspect_ratio: String,
    /// The length the finished task reports.
    pub(crate) video_seconds: f64,
    pub(crate) external_task_id: Option<String>,
    pub(crate) callback_url: Option<String>,
}

/// A finished video of this emulator, as a continuation would start from it.
#[derive(Debug)]
pub(crate) struct ParentVideo {
    pub(crate) model: &'static ModelRule,
    pub(crate) created_at: u64,
    pub(crate) video_seconds: f64,
    pub(crate) aspect_ratio: String,
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

fn present(body: &Map<String, Value>, field: &str) -> bool {
    body.get(field).is_some_and(|v| !v.is_null())
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), Refusal> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        invalid(field, format!("{value:?} is not one of {}", allowed.join(", ")))
    }
}

/// `POST …/text2video`.
pub(crate) fn check_text(body: &Map<String, Value>, strict_duration: bool) -> Result<Accepted, Refusal> {
    let model = model_of(body)?;
    let prompt = prompt_of(body, true)?;
    let (mode, duration) = mode_and_duration(body, model, strict_duration)?;
    let aspect_ratio = optional_str(body, "aspect_ratio")?
        .unwrap_or(COMETAPI_LIMITS.default_aspect_ratio)
        .to_string();
    one_of("aspect_ratio", &aspect_ratio, COMETAPI_LIMITS.aspect_ratios)?;
    let (callback_url, external_task_id) = options_and_delivery(body, model, &mode, &duration)?;
    Ok(Accepted {
        model,
        prompt,
        video_seconds: clip_seconds(&duration),
        clip_duration: duration,
        aspect_ratio,
        external_task_id,
        callback_url,
    })
}

/// The options text and picture videos share (creativity, camera, sound), then where updates go.
fn options_and_delivery(
    body: &Map<String, Value>,
    model: &'static ModelRule,
    mode: &str,
    duration: &str,
) -> Result<(Option<String>, Option<String>), Refusal> {
    check_cfg_scale(body, model)?;
    check_camera(body, model, mode, duration)?;
    check_sound(body, model, mode)?;
    delivery(body)
}

/// `POST …/image2video`: the video takes the start picture's shape (an `aspect_ratio` is ignored).
pub(crate) fn check_image(body: &Map<String, Value>, strict_duration: bool) -> Result<Accepted, Refusal> {
    let model = model_of(body)?;
    if !model.image_to_video {
        return invalid("model_name", format!("{} does not support image to video", model.name));
    }
    let prompt = prompt_of(body, false)?;
    let (mode, duration) = mode_and_duration(body, model, strict_duration)?;
    let image = picture(body, "image")?;
    let image_tail = picture(body, "image_tail")?;
    let Some((width, height)) = image.or(image_tail) else {
        return invalid("image", "is required");
    };
    if image_tail.is_some() {
        if present(body, "camera_control") {
            return invalid("image_tail", "cannot be combined with camera_control");
        }
        if !model.image_tail_allowed(&mode) {
            return invalid(
                "image_tail",
                format!("is not supported by {} in mode {mode}", model.name),
            );
        }
    }
    let (callback_url, external_task_id) = options_and_delivery(body, model, &mode, &duration)?;
    Ok(Accepted {
        model,
        prompt,
        video_seconds: clip_seconds(&duration),
        clip_duration: duration,
        aspect_ratio: nearest_ratio(width, height).to_string(),
        external_task_id,
        callback_url,
    })
}

/// `POST …/video-extend`: model and shape are the parent's, and the result is five seconds longer.
pub(crate) fn check_extend(
    body: &Map<String, Value>,
    now_ms: u64,
    parent_of: impl FnOnce(&str) -> Option<ParentVideo>,
) -> Result<Accepted, Refusal> {
    let video_id = match optional_str(body, "video_id")? {
        Some(id) if !id.is_empty() => id,
        _ => return invalid("video_id", "is required"),
    };
    let Some(parent) = parent_of(video_id) else {
        return invalid("video_id", "video not found");
    };
    if !parent.model.extend {
        return invalid(
            "video_id",
            format!("model {} does not support extension", parent.model.name),
        );
    }
    let kept_ms = u64::try_from(EXTEND_LIMITS.parent_kept_days).unwrap_or(0) * DAY_MS;
    if now_ms.saturating_sub(parent.created_at) > kept_ms {
        return invalid("video_id", "video expired");
    }
    let video_seconds = parent.video_seconds + EXTEND_LIMITS.adds_seconds;
    if video_seconds > EXTEND_LIMITS.max_total_seconds {
        return invalid(
            "video_id",
            format!("total duration over {} minutes", EXTEND_LIMITS.max_total_seconds / 60.0),
        );
    }
    let prompt = prompt_of(body, false)?;
    check_cfg_scale(body, parent.model)?;
    let (callback_url, external_task_id) = delivery(body)?;
    Ok(Accepted {
        model: parent.model,
        prompt,
        clip_duration: CONTINUATION_CLIP.to_string(),
        aspect_ratio: parent.aspect_ratio,
        video_seconds,
        external_task_id,
        callback_url,
    })
}

fn clip_seconds(duration: &str) -> f64 {
    duration.parse::<f64>().unwrap_or_default() + ENCODED_EXTRA_SECONDS
}

/// The gateway routes by model before anything else looks at the body.
fn model_of(body: &Map<String, Value>) -> Result<&'static ModelRule, Refusal> {
    let name = optional_str(body, "model_name")?.unwrap_or(MODEL_WHEN_ABSENT);
    rules::MODELS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| Refusal::UnknownModel(name.to_string()))
}

/// The prompt (empty when an optional one is left out) after the caps on it and on the
/// negative prompt.
fn prompt_of(body: &Map<String, Value>, required: bool) -> Result<String, Refusal> {
    let limits = &COMETAPI_LIMITS;
    let prompt = match body.get("prompt") {
        None | Some(Value::Null) if required => return invalid("prompt", "is required"),
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return invalid("prompt", "must be a string"),
    };
    let count = visible_chars(prompt);
    if count == 0 && required {
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
    Ok(prompt.to_string())
}

fn mode_and_duration(
    body: &Map<String, Value>,
    model: &ModelRule,
    strict_duration: bool,
) -> Result<(String, String), Refusal> {
    let limits = &COMETAPI_LIMITS;
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
    Ok((mode, duration))
}

fn check_cfg_scale(body: &Map<String, Value>, model: &ModelRule) -> Result<(), Refusal> {
    let limits = &COMETAPI_LIMITS;
    match body.get("cfg_scale") {
        None | Some(Value::Null) => Ok(()),
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
            Ok(())
        }
        Some(_) => invalid("cfg_scale", "must be a number"),
    }
}

fn check_sound(body: &Map<String, Value>, model: &ModelRule, mode: &str) -> Result<(), Refusal> {
    let Some(sound) = optional_str(body, "sound")? else {
        return Ok(());
    };
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
    Ok(())
}

/// `callback_url` and `external_task_id`.
fn delivery(body: &Map<String, Value>) -> Result<(Option<String>, Option<String>), Refusal> {
    let callback_url = optional_str(body, "callback_url")?.map(str::to_string);
    let external_task_id = optional_str(body, "external_task_id")?.map(str::to_string);
    if external_task_id.as_deref() == Some("") {
        return invalid("external_task_id", "must not be empty");
    }
    Ok((callback_url, external_task_id))
}

/// Width and height of a picture field (plain base64 of a PNG, JPEG or WebP), `None` when absent.
fn picture(body: &Map<String, Value>, field: &str) -> Result<Option<(usize, usize)>, Refusal> {
    let Some(text) = optional_str(body, field)? else {
        return Ok(None);
    };
    // Nothing here reaches the internet, so a picture by URL can never be fetched.
    if text.starts_with("http://") || text.starts_with("https://") {
        return invalid(field, "URL not reachable");
    }
    if text.starts_with("data:") {
        return invalid(field, "must be plain base64, without a data: prefix");
    }
    let limits = &IMAGE_LIMITS;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text) else {
        return invalid(field, "is not valid base64");
    };
    if bytes.len() as u64 > limits.max_bytes {
        return invalid(
            field,
            format!("too large ({} bytes, at most {})", bytes.len(), limits.max_bytes),
        );
    }
    let format = match imagesize::image_type(&bytes) {
        Ok(imagesize::ImageType::Png) => "png",
        Ok(imagesize::ImageType::Jpeg) => "jpeg",
        Ok(imagesize::ImageType::Webp) => "webp",
        _ => "",
    };
    if !limits.formats.contains(&format) {
        return invalid(field, format!("is not a picture in {}", limits.formats.join(", ")));
    }
    let Ok(size) = imagesize::blob_size(&bytes) else {
        return invalid(field, format!("is not a readable {format} picture"));
    };
    let (width, height) = (size.width, size.height);
    let min_side = limits.min_side_px as usize;
    if width.min(height) < min_side {
        return invalid(
            field,
            format!("too small ({width}x{height}, each side at least {min_side} pixels)"),
        );
    }
    let ratio = width as f64 / height as f64;
    if !(limits.min_ratio..=limits.max_ratio).contains(&ratio) {
        return invalid(
            field,
            format!(
                "width/height {ratio:.2} is outside {:.2} to {:.2}",
                limits.min_ratio, limits.max_ratio
            ),
        );
    }
    Ok(Some((width, height)))
}

/// The aspect ratio with a clip that is nearest to a picture's shape, on a log scale so that
/// 2:1 and 1:2 are equally far from 1:1.
fn nearest_ratio(width: usize, height: usize) -> &'static str {
    let shape = (width as f64 / height as f64).ln();
    let distance = |ratio: &str| {
        ratio
            .split_once(':')
            .and_then(|(w, h)| Some(w.parse::<f64>().ok()? / h.parse::<f64>().ok()?))
            .map_or(f64::INFINITY, |r| (r.ln() - shape).abs())
    };
    COMETAPI_LIMITS
        .aspect_ratios
        .iter()
        .copied()
        .min_by(|a, b| distance(a).total_cmp(&distance(b)))
        .unwrap_or(COMETAPI_LIMITS.default_aspect_ratio)
}

fn check_camera(body: &Map<String, Value>, model: &ModelRule, mode: &str, duration: &str) -> Result<(), Refusal> {
    match body.get("camera_control") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(camera)) => check_camera_object(camera, model, mode, duration),
        Some(_) => invalid("camera_control", "must be an object"),
    }
}

fn check_camera_object(
    camera: &Map<String, Value>,
    model: &ModelRule,
    mode: &str,
    duration: &str,
) -> Result<(), Refusal> {
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
