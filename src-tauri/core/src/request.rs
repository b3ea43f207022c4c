//! What the user asks for, and the rules it must pass before anything is sent. Every refusal is a
//! stable kind naming its field, so the UI can say what to change.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api::{CameraControl, CreateTask};
use crate::error::{Error, Result};
use crate::frames::{self, Frame};
use crate::problem::Kind;
use crate::rules::{self, visible_len, GenerationKind, Limits, ModelRule};

/// The request as the UI sends it: only the prompt is required (or, for a video from a picture or
/// a continued clip, the picture or the clip), every option may be left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationRequest {
    pub prompt: String,
    #[serde(default)]
    pub negative_prompt: Option<String>,
    #[serde(default)]
    pub model_name: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub aspect_ratio: Option<String>,
    #[serde(default)]
    pub cfg_scale: Option<f64>,
    #[serde(default)]
    pub camera_control: Option<CameraControl>,
    #[serde(default)]
    pub sound: Option<String>,
    /// How many takes of this one request to make, each its own paid generation; one when left out.
    #[serde(default)]
    pub takes: Option<u32>,
    /// Left out: image to video when a start picture is given, continuing when a parent is,
    /// text to video otherwise.
    #[serde(default)]
    pub kind: Option<GenerationKind>,
    /// A picture kept in the library (`frames::keep`), by its file name.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub image_tail: Option<String>,
    /// The generation whose clip this one continues.
    #[serde(default)]
    pub parent_id: Option<String>,
}

impl GenerationRequest {
    pub fn kind(&self) -> GenerationKind {
        self.kind
            .unwrap_or(if self.image.is_some() || self.image_tail.is_some() {
                GenerationKind::ImageToVideo
            } else if self.parent_id.is_some() {
                GenerationKind::Extend
            } else {
                GenerationKind::TextToVideo
            })
    }
}

/// The form filled in again from a request that was made: "Use these settings".
impl From<&ValidRequest> for GenerationRequest {
    fn from(valid: &ValidRequest) -> Self {
        GenerationRequest {
            prompt: valid.prompt.clone(),
            negative_prompt: valid.negative_prompt.clone(),
            model_name: Some(valid.model_name.clone()),
            mode: Some(valid.mode.clone()),
            duration: Some(valid.duration.clone()),
            aspect_ratio: Some(valid.aspect_ratio.clone()),
            cfg_scale: valid.cfg_scale,
            camera_control: valid.camera_control.clone(),
            sound: valid.sound.clone(),
            takes: None,
            kind: Some(valid.kind),
            image: valid.image.as_ref().map(|f| f.file.clone()),
            image_tail: valid.image_tail.as_ref().map(|f| f.file.clone()),
            parent_id: valid.parent.as_ref().map(|p| p.generation_id.clone()),
        }
    }
}

/// What a request points at, read from the library before it is checked: the kept pictures and
/// the clip to continue. The engine resolves these; the rules below only judge them.
#[derive(Debug, Default)]
pub struct Inputs {
    pub image: Option<Frame>,
    pub image_tail: Option<Frame>,
    /// The clip to continue, already judged continuable (`continuation::extendable`).
    pub parent: Option<ParentClip>,
}

/// A continuable clip: how the provider names it, and the request it was made with.
#[derive(Debug, Clone)]
pub struct ParentClip {
    pub parent: Parent,
    pub request: ValidRequest,
}

/// The clip a continuation extends, as the provider knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parent {
    pub generation_id: String,
    pub task_id: String,
    pub video_id: String,
}

/// The most takes one Generate click may ask for.
pub const MAX_TAKES: u32 = 4;

/// A request that passed validation, with every default filled in: what the library keeps and what
/// the create body is made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidRequest {
    pub prompt: String,
    #[serde(default)]
    pub negative_prompt: Option<String>,
    pub model_name: String,
    pub mode: String,
    pub duration: String,
    pub aspect_ratio: String,
    #[serde(default)]
    pub cfg_scale: Option<f64>,
    #[serde(default)]
    pub camera_control: Option<CameraControl>,
    #[serde(default)]
    pub sound: Option<String>,
    /// Every row stored before image to video is text to video.
    #[serde(default)]
    pub kind: GenerationKind,
    /// For image to video: the start picture; `aspect_ratio` is then the nearest to its shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Frame>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tail: Option<Frame>,
    /// For a continuation: the clip it extends; model, mode and shape are the parent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Parent>,
}

impl ValidRequest {
    /// The create body for this request's route. The pictures are not in it: see
    /// `create_body_with_frames`.
    pub fn create_body(&self, external_task_id: &str, callback_url: Option<String>) -> CreateTask {
        let extend = self.kind == GenerationKind::Extend;
        let image = self.kind == GenerationKind::ImageToVideo;
        let unless_extend = |v: &String| (!extend).then(|| v.clone());
        CreateTask {
            kind: self.kind,
            model_name: unless_extend(&self.model_name),
            prompt: self.prompt.clone(),
            negative_prompt: self.negative_prompt.clone(),
            cfg_scale: self.cfg_scale,
            mode: unless_extend(&self.mode),
            // A video from a picture takes the picture's shape; the route has no aspect ratio.
            aspect_ratio: (!extend && !image).then(|| self.aspect_ratio.clone()),
            duration: unless_extend(&self.duration),
            camera_control: self.camera_control.clone(),
            sound: self.sound.clone(),
            image: None,
            image_tail: None,
            video_id: self.parent.as_ref().map(|p| p.video_id.clone()),
            callback_url,
            external_task_id: external_task_id.to_owned(),
        }
    }

    /// `create_body` with the kept pictures read from `videos_dir` as base64.
    pub fn create_body_with_frames(
        &self,
        external_task_id: &str,
        callback_url: Option<String>,
        videos_dir: &std::path::Path,
    ) -> Result<CreateTask> {
        let mut body = self.create_body(external_task_id, callback_url);
        body.image = self.image.as_ref().map(|f| frames::base64(videos_dir, f)).transpose()?;
        body.image_tail = self
            .image_tail
            .as_ref()
            .map(|f| frames::base64(videos_dir, f))
            .transpose()?;
        Ok(body)
    }
}

pub(crate) fn cleaned(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.trim().nfc().collect()
}

pub(crate) fn choose<'a>(
    field: &'static str,
    value: Option<&'a str>,
    allowed: &[&'a str],
    default: &'a str,
) -> Result<&'a str> {
    let value = value.map(str::trim).filter(|v| !v.is_empty()).unwrap_or(default);
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid_with(
            Kind::OptionNotAllowed,
            field,
            &[("value", json!(value)), ("allowed", json!(allowed))],
        ))
    }
}

/// Checks a request that points at nothing in the library: text to video, or a picture or parent
/// that is then reported missing.
pub fn validate(request: &GenerationRequest, limits: &Limits) -> Result<ValidRequest> {
    validate_with(request, limits, &Inputs::default())
}

/// Checks a request with what it points at already read from the library.
pub fn validate_with(request: &GenerationRequest, limits: &Limits, inputs: &Inputs) -> Result<ValidRequest> {
    let kind = request.kind();
    let prompt = cleaned(&request.prompt);
    if prompt.is_empty() && !kind.prompt_optional() {
        return Err(Error::invalid(Kind::PromptEmpty, "prompt"));
    }
    let count = visible_len(&prompt);
    if count > limits.prompt_max_chars {
        return Err(Error::invalid_with(
            Kind::PromptTooLong,
            "prompt",
            &[("count", json!(count)), ("max", json!(limits.prompt_max_chars))],
        ));
    }
    let negative_prompt = request
        .negative_prompt
        .as_deref()
        .map(cleaned)
        .filter(|n| !n.is_empty());
    if let Some(negative) = &negative_prompt {
        let count = visible_len(negative);
        if count > limits.negative_prompt_max_chars {
            return Err(Error::invalid_with(
                Kind::NegativePromptTooLong,
                "negative_prompt",
                &[
                    ("count", json!(count)),
                    ("max", json!(limits.negative_prompt_max_chars)),
                ],
            ));
        }
    }
    if kind == GenerationKind::Extend {
        return continuation(request, limits, inputs, prompt, negative_prompt);
    }
    if request.parent_id.is_some() {
        return Err(Error::invalid(Kind::InputNotForKind, "parent_id"));
    }
    // The API takes an end picture or camera control, never both, whatever the model.
    if request.image_tail.is_some() && request.camera_control.is_some() {
        return Err(Error::invalid(Kind::ImageTailWithCamera, "image_tail"));
    }
    let (model, mode, duration) = chosen_row(request, limits)?;
    let (image, image_tail) = pictures(request, kind, model, mode, inputs)?;
    let aspect_ratio = match &image {
        Some(frame) => frames::nearest_ratio(frame, limits.aspect_ratios),
        None => choose(
            "aspect_ratio",
            request.aspect_ratio.as_deref(),
            limits.aspect_ratios,
            limits.default_aspect_ratio,
        )?,
    };
    let cfg_scale = validate_cfg(request.cfg_scale, model, limits)?;
    let camera_control = validate_camera(request.camera_control.as_ref(), model, mode, duration, limits)?;
    let sound = validate_sound(request.sound.as_deref(), model, mode)?;
    Ok(ValidRequest {
        prompt,
        negative_prompt,
        model_name: model.name.to_owned(),
        mode: mode.to_owned(),
        duration: duration.to_owned(),
        aspect_ratio: aspect_ratio.to_owned(),
        cfg_scale,
        camera_control,
        sound,
        kind,
        image,
        image_tail,
        parent: None,
    })
}

/// The start and end pictures of a request, judged by its kind and model.
fn pictures(
    request: &GenerationRequest,
    kind: GenerationKind,
    model: &ModelRule,
    mode: &str,
    inputs: &Inputs,
) -> Result<(Option<Frame>, Option<Frame>)> {
    if kind == GenerationKind::TextToVideo {
        return match (&request.image, &request.image_tail) {
            (None, None) => Ok((None, None)),
            (Some(_), _) => Err(Error::invalid(Kind::InputNotForKind, "image")),
            (None, Some(_)) => Err(Error::invalid(Kind::InputNotForKind, "image_tail")),
        };
    }
    if !model.offers(kind) {
        return Err(Error::invalid_with(
            Kind::ImageNotSupported,
            "model_name",
            &[("model", json!(model.name))],
        ));
    }
    let resolved = |name: &Option<String>, frame: &Option<Frame>, field: &'static str| match (name, frame) {
        (None, _) => Ok(None),
        (Some(name), Some(frame)) if *name == frame.file => Ok(Some(frame.clone())),
        (Some(_), _) => Err(Error::invalid(Kind::ImageFileMissing, field)),
    };
    let image =
        resolved(&request.image, &inputs.image, "image")?.ok_or_else(|| Error::invalid(Kind::ImageMissing, "image"))?;
    let image_tail = resolved(&request.image_tail, &inputs.image_tail, "image_tail")?;
    if image_tail.is_some() && !model.image_tail_allowed(mode) {
        return Err(Error::invalid_with(
            Kind::ImageTailNotSupported,
            "image_tail",
            &[("model", json!(model.name)), ("modes", json!(model.image_tail_modes))],
        ));
    }
    Ok((Some(image), image_tail))
}

/// A continuation: the parent decides model, mode and shape; the request adds words only.
fn continuation(
    request: &GenerationRequest,
    limits: &Limits,
    inputs: &Inputs,
    prompt: String,
    negative_prompt: Option<String>,
) -> Result<ValidRequest> {
    for (given, field) in [
        (request.image.is_some(), "image"),
        (request.image_tail.is_some(), "image_tail"),
        (request.camera_control.is_some(), "camera_control"),
    ] {
        if given {
            return Err(Error::invalid(Kind::InputNotForKind, field));
        }
    }
    let clip = match (request.parent_id.as_deref(), &inputs.parent) {
        (Some(id), Some(clip)) if clip.parent.generation_id == id => clip,
        _ => return Err(Error::invalid(Kind::ParentMissing, "parent_id")),
    };
    let parent = &clip.request;
    let model = rules::model(&parent.model_name).filter(|m| m.extend).ok_or_else(|| {
        Error::invalid_with(
            Kind::ParentNotExtendable,
            "parent_id",
            &[("model", json!(parent.model_name))],
        )
    })?;
    Ok(ValidRequest {
        prompt,
        negative_prompt,
        model_name: model.name.to_owned(),
        mode: parent.mode.clone(),
        duration: rules::EXTEND_LIMITS.priced_duration.to_owned(),
        aspect_ratio: parent.aspect_ratio.clone(),
        cfg_scale: validate_cfg(request.cfg_scale, model, limits)?,
        camera_control: None,
        sound: None,
        kind: GenerationKind::Extend,
        image: None,
        image_tail: None,
        parent: Some(clip.parent.clone()),
    })
}

/// How many takes `request` asks for: one when it does not say, never more than `MAX_TAKES`.
pub fn takes(request: &GenerationRequest) -> Result<u32> {
    let takes = request.takes.unwrap_or(1);
    if (1..=MAX_TAKES).contains(&takes) {
        Ok(takes)
    } else {
        Err(Error::invalid_with(
            Kind::TakesOutOfRange,
            "takes",
            &[("min", json!(1)), ("max", json!(MAX_TAKES))],
        ))
    }
}

/// The model, mode and duration a request asks for, defaults filled in: the row of the rules
/// table it is made (and priced) by.
pub(crate) fn chosen_row<'a>(
    request: &'a GenerationRequest,
    limits: &Limits,
) -> Result<(&'static ModelRule, &'a str, &'a str)> {
    let model_name = request
        .model_name
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or(rules::DEFAULT_MODEL);
    let model = rules::model(model_name)
        .ok_or_else(|| Error::invalid_with(Kind::UnknownModel, "model_name", &[("model", json!(model_name))]))?;
    let mode = choose("mode", request.mode.as_deref(), model.modes, model.default_mode(limits))?;
    let duration = choose(
        "duration",
        request.duration.as_deref(),
        model.durations,
        model.default_duration(limits),
    )?;
    Ok((model, mode, duration))
}

fn validate_cfg(cfg: Option<f64>, model: &ModelRule, limits: &Limits) -> Result<Option<f64>> {
    let Some(cfg) = cfg else { return Ok(None) };
    if !model.cfg_scale {
        return Err(Error::invalid_with(
            Kind::CfgScaleNotSupported,
            "cfg_scale",
            &[("model", json!(model.name))],
        ));
    }
    if !cfg.is_finite() || cfg < limits.cfg_scale_min || cfg > limits.cfg_scale_max {
        return Err(Error::invalid_with(
            Kind::CfgScaleOutOfRange,
            "cfg_scale",
            &[
                ("min", json!(limits.cfg_scale_min)),
                ("max", json!(limits.cfg_scale_max)),
            ],
        ));
    }
    Ok(Some(cfg))
}

fn validate_camera(
    camera: Option<&CameraControl>,
    model: &ModelRule,
    mode: &str,
    duration: &str,
    limits: &Limits,
) -> Result<Option<CameraControl>> {
    let Some(camera) = camera else {
        return Ok(None);
    };
    if !model.camera_allowed(mode, duration) {
        let needs = model.camera.or_else(|| rules::MODELS.iter().find_map(|m| m.camera));
        let params: Vec<(&str, serde_json::Value)> = match (rules::MODELS.iter().find(|m| m.camera.is_some()), needs) {
            (Some(m), Some(c)) => vec![
                ("model", json!(m.name)),
                ("mode", json!(c.mode)),
                ("duration", json!(c.duration)),
            ],
            _ => vec![],
        };
        return Err(Error::invalid_with(Kind::CameraNotSupported, "camera_control", &params));
    }
    if !rules::CAMERA_TYPES.contains(&camera.kind.as_str()) {
        return Err(Error::invalid_with(
            Kind::CameraTypeUnknown,
            "camera_control",
            &[("value", json!(camera.kind))],
        ));
    }
    match (&camera.config, camera.kind == "simple") {
        (None, true) => Err(Error::invalid(Kind::CameraConfigMissing, "camera_control")),
        (Some(_), false) => Err(Error::invalid(Kind::CameraConfigNotAllowed, "camera_control")),
        (None, false) => Ok(Some(camera.clone())),
        (Some(config), true) => {
            let axes = [
                config.horizontal,
                config.vertical,
                config.pan,
                config.tilt,
                config.roll,
                config.zoom,
            ];
            if axes
                .iter()
                .any(|a| !a.is_finite() || *a < limits.camera_axis_min || *a > limits.camera_axis_max)
            {
                return Err(Error::invalid_with(
                    Kind::CameraAxisOutOfRange,
                    "camera_control",
                    &[
                        ("min", json!(limits.camera_axis_min)),
                        ("max", json!(limits.camera_axis_max)),
                    ],
                ));
            }
            if axes.iter().filter(|a| **a != 0.0).count() != 1 {
                return Err(Error::invalid(Kind::CameraOneAxis, "camera_control"));
            }
            Ok(Some(camera.clone()))
        }
    }
}

pub(crate) fn validate_sound(sound: Option<&str>, model: &ModelRule, mode: &str) -> Result<Option<String>> {
    match sound.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("off") if !model.sound => Ok(None),
        None => Ok(None),
        Some("off") => Ok(Some("off".into())),
        Some("on") if model.sound_allowed(mode) => Ok(Some("on".into())),
        Some("on") => Err(Error::invalid_with(
            Kind::SoundNotSupported,
            "sound",
            &[("model", json!(model.name)), ("mode", json!(model.sound_needs_mode))],
        )),
        Some(other) => Err(Error::invalid_with(
            Kind::OptionNotAllowed,
            "sound",
            &[("value", json!(other)), ("allowed", json!(["on", "off"]))],
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::COMETAPI_LIMITS;

    fn prompt(text: &str) -> GenerationRequest {
        GenerationRequest {
            prompt: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_plain_prompt_gets_the_default_row() {
        let valid = validate(&prompt("  a paper boat  "), &COMETAPI_LIMITS).unwrap();
        assert_eq!(valid.prompt, "a paper boat");
        assert_eq!(valid.model_name, rules::DEFAULT_MODEL);
        assert_eq!(valid.mode, rules::DEFAULT_MODEL_MODE);
        assert_eq!((valid.duration.as_str(), valid.aspect_ratio.as_str()), ("5", "16:9"));
        let body = serde_json::to_value(valid.create_body("kd-1", None)).unwrap();
        assert_eq!(body["duration"], json!("5"));
        for absent in [
            "negative_prompt",
            "cfg_scale",
            "camera_control",
            "callback_url",
            "sound",
            "model",
        ] {
            assert!(body.get(absent).is_none(), "{absent} should be left out");
        }
    }

    #[test]
    fn prompt_limits_count_what_people_see() {
        let decomposed = "u\u{0308}".repeat(500);
        assert!(validate(&prompt(&decomposed), &COMETAPI_LIMITS).is_ok());
        let err = validate(&prompt(&"ü".repeat(501)), &COMETAPI_LIMITS).unwrap_err();
        assert_eq!(err.problem().kind, "prompt_too_long");
        assert_eq!(err.problem().params["count"], json!(501));
        assert_eq!(
            validate(&prompt(" \n\t "), &COMETAPI_LIMITS)
                .unwrap_err()
                .problem()
                .kind,
            "prompt_empty"
        );
    }
}
