//! The one table of what CometAPI's Kling routes accept: limits, models, the kinds of generation
//! each model offers, and prices.
//!
//! The validator, the UI (through a command) and the emulator all read these rows; the emulator
//! checks requests with its own code against the same data, so a wrong row shows up as a test
//! failure on both sides instead of a silent disagreement. Changing a limit or adding a model is a
//! one-row change here.

use serde::{Deserialize, Serialize};

/// How a video is made: from words, from a start picture, or by continuing a finished clip. Each
/// kind has its own route; everything after the create (journal, tracker, download) is shared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenerationKind {
    #[default]
    TextToVideo,
    ImageToVideo,
    Extend,
}

impl GenerationKind {
    pub const ALL: [GenerationKind; 3] = [
        GenerationKind::TextToVideo,
        GenerationKind::ImageToVideo,
        GenerationKind::Extend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GenerationKind::TextToVideo => "text_to_video",
            GenerationKind::ImageToVideo => "image_to_video",
            GenerationKind::Extend => "extend",
        }
    }

    pub fn parse(text: &str) -> Option<GenerationKind> {
        GenerationKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The create route; a task is queried at this route plus `/{task_id}`.
    pub fn route(self) -> &'static str {
        match self {
            GenerationKind::TextToVideo => "/kling/v1/videos/text2video",
            GenerationKind::ImageToVideo => "/kling/v1/videos/image2video",
            GenerationKind::Extend => "/kling/v1/videos/video-extend",
        }
    }

    /// Whether the route finds a task by the `external_task_id` we gave it. The extend route
    /// documents no such lookup, so an unsettled extend create cannot be settled by asking.
    pub fn finds_by_external_id(self) -> bool {
        self != GenerationKind::Extend
    }

    /// Whether a video of this kind may be made without a prompt (the picture or the clip leads).
    pub fn prompt_optional(self) -> bool {
        self != GenerationKind::TextToVideo
    }
}

/// What image-to-video accepts as a start or end frame (Kling's image rules): checked before
/// anything is sent, and by the emulator with its own code against the same numbers.
#[derive(Debug, Clone, Serialize)]
pub struct ImageLimits {
    pub max_bytes: u64,
    /// Both sides at least this many pixels.
    pub min_side_px: u32,
    /// Width over height, inclusive: 1:2.5 to 2.5:1.
    pub min_ratio: f64,
    pub max_ratio: f64,
    /// The formats accepted, as their usual file extensions.
    pub formats: &'static [&'static str],
}

pub const IMAGE_LIMITS: ImageLimits = ImageLimits {
    max_bytes: 10 * 1024 * 1024,
    min_side_px: 300,
    min_ratio: 1.0 / 2.5,
    max_ratio: 2.5,
    formats: &["png", "jpeg", "webp"],
};

/// What continuing a clip allows: the provider keeps a parent this long, and a chain of clips
/// may not grow past a total length.
#[derive(Debug, Clone, Serialize)]
pub struct ExtendLimits {
    pub parent_kept_days: i64,
    pub max_total_seconds: f64,
    /// How much one continuation adds, about.
    pub adds_seconds: f64,
    /// The duration a continuation is priced (and recorded) as: what it adds.
    pub priced_duration: &'static str,
}

pub const EXTEND_LIMITS: ExtendLimits = ExtendLimits {
    parent_kept_days: 30,
    max_total_seconds: 180.0,
    adds_seconds: 5.0,
    priced_duration: "5",
};

#[derive(Debug, Clone, Serialize)]
pub struct Limits {
    pub prompt_max_chars: usize,
    pub negative_prompt_max_chars: usize,
    pub aspect_ratios: &'static [&'static str],
    pub durations: &'static [&'static str],
    pub modes: &'static [&'static str],
    pub cfg_scale_min: f64,
    pub cfg_scale_max: f64,
    pub cfg_scale_default: f64,
    pub camera_axis_min: f64,
    pub camera_axis_max: f64,
    pub default_aspect_ratio: &'static str,
    pub default_duration: &'static str,
    pub default_mode: &'static str,
}

pub const COMETAPI_LIMITS: Limits = Limits {
    prompt_max_chars: 500,
    negative_prompt_max_chars: 200,
    aspect_ratios: &["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3"],
    durations: &["5", "10"],
    modes: &["std", "pro"],
    cfg_scale_min: 0.0,
    cfg_scale_max: 1.0,
    cfg_scale_default: 0.5,
    camera_axis_min: -10.0,
    camera_axis_max: 10.0,
    default_aspect_ratio: "16:9",
    default_duration: "5",
    default_mode: "std",
};

/// The camera presets Kling names; `simple` takes a config with six axes, the presets take none.
pub const CAMERA_TYPES: &[&str] = &[
    "simple",
    "down_back",
    "forward_up",
    "right_turn_forward",
    "left_turn_forward",
];
pub const CAMERA_AXES: &[&str] = &["horizontal", "vertical", "pan", "tilt", "roll", "zoom"];

/// The one mode/duration combination that allows camera control on a model.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CameraAllowance {
    pub mode: &'static str,
    pub duration: &'static str,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct ModelRule {
    pub name: &'static str,
    pub label: &'static str,
    pub modes: &'static [&'static str],
    pub durations: &'static [&'static str],
    pub camera: Option<CameraAllowance>,
    pub cfg_scale: bool,
    /// Sound exists on the model; `sound_needs_mode` narrows it to one mode.
    pub sound: bool,
    pub sound_needs_mode: Option<&'static str>,
    /// Whether the model makes a video from a start picture (image2video).
    pub image_to_video: bool,
    /// The modes in which an end picture (`image_tail`) may be given; empty: never.
    pub image_tail_modes: &'static [&'static str],
    /// Whether a finished clip of this model can be continued (video-extend).
    pub extend: bool,
}

/// The model the plain prompt-and-go path uses, with its own defaults.
pub const DEFAULT_MODEL: &str = "kling-v2-5-turbo";
pub const DEFAULT_MODEL_MODE: &str = "pro";

pub const MODELS: &[ModelRule] = &[
    ModelRule {
        name: "kling-v2-5-turbo",
        label: "Kling 2.5 Turbo",
        modes: &["pro"],
        durations: &["5", "10"],
        camera: None,
        cfg_scale: false,
        sound: false,
        sound_needs_mode: None,
        image_to_video: true,
        image_tail_modes: &["pro"],
        extend: false,
    },
    ModelRule {
        name: "kling-v2-6",
        label: "Kling 2.6",
        modes: &["std", "pro"],
        durations: &["5", "10"],
        camera: None,
        cfg_scale: false,
        sound: true,
        sound_needs_mode: Some("pro"),
        image_to_video: true,
        image_tail_modes: &[],
        extend: false,
    },
    ModelRule {
        name: "kling-v3",
        label: "Kling 3",
        modes: &["std", "pro"],
        durations: &["5", "10"],
        camera: None,
        cfg_scale: false,
        sound: true,
        sound_needs_mode: None,
        image_to_video: true,
        image_tail_modes: &["pro"],
        extend: false,
    },
    ModelRule {
        name: "kling-v2-1-master",
        label: "Kling 2.1 Master",
        modes: &["pro"],
        durations: &["5", "10"],
        camera: None,
        cfg_scale: false,
        sound: false,
        sound_needs_mode: None,
        image_to_video: true,
        image_tail_modes: &[],
        extend: false,
    },
    ModelRule {
        name: "kling-v2-master",
        label: "Kling 2 Master",
        modes: &["std", "pro"],
        durations: &["5", "10"],
        camera: None,
        cfg_scale: false,
        sound: false,
        sound_needs_mode: None,
        image_to_video: true,
        image_tail_modes: &[],
        extend: false,
    },
    ModelRule {
        name: "kling-v1-6",
        label: "Kling 1.6",
        modes: &["std", "pro"],
        durations: &["5", "10"],
        camera: None,
        cfg_scale: true,
        sound: false,
        sound_needs_mode: None,
        image_to_video: true,
        image_tail_modes: &["pro"],
        extend: true,
    },
    ModelRule {
        name: "kling-v1",
        label: "Kling 1",
        modes: &["std", "pro"],
        durations: &["5", "10"],
        camera: Some(CameraAllowance {
            mode: "std",
            duration: "5",
        }),
        cfg_scale: true,
        sound: false,
        sound_needs_mode: None,
        image_to_video: true,
        image_tail_modes: &["pro"],
        extend: true,
    },
];

impl ModelRule {
    /// The mode used when a request names none: the limits' default where this model offers it.
    pub fn default_mode(&self, limits: &Limits) -> &'static str {
        pick(self.modes, limits.default_mode)
    }

    /// The duration used when a request names none, chosen like the mode.
    pub fn default_duration(&self, limits: &Limits) -> &'static str {
        pick(self.durations, limits.default_duration)
    }

    pub fn camera_allowed(&self, mode: &str, duration: &str) -> bool {
        self.camera.is_some_and(|c| c.mode == mode && c.duration == duration)
    }

    pub fn sound_allowed(&self, mode: &str) -> bool {
        self.sound && self.sound_needs_mode.is_none_or(|m| m == mode)
    }

    pub fn offers(&self, kind: GenerationKind) -> bool {
        match kind {
            GenerationKind::TextToVideo => true,
            GenerationKind::ImageToVideo => self.image_to_video,
            GenerationKind::Extend => self.extend,
        }
    }

    pub fn image_tail_allowed(&self, mode: &str) -> bool {
        self.image_to_video && self.image_tail_modes.contains(&mode)
    }
}

fn pick(offered: &'static [&'static str], preferred: &str) -> &'static str {
    offered.iter().copied().find(|v| *v == preferred).unwrap_or(offered[0])
}

pub fn model(name: &str) -> Option<&'static ModelRule> {
    MODELS.iter().find(|m| m.name == name)
}

/// Approximate price of one task in US cents; `mode: None` means every mode costs the same.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Price {
    pub model: &'static str,
    pub mode: Option<&'static str>,
    pub duration: &'static str,
    pub usd_cents: u32,
}

/// When the price list was read (CometAPI blog); the UI shows it next to every estimate.
pub const PRICES_AS_OF: &str = "2025-12";

pub const PRICES: &[Price] = &[
    Price {
        model: "kling-v1",
        mode: Some("std"),
        duration: "5",
        usd_cents: 13,
    },
    Price {
        model: "kling-v1",
        mode: Some("std"),
        duration: "10",
        usd_cents: 26,
    },
    Price {
        model: "kling-v1",
        mode: Some("pro"),
        duration: "5",
        usd_cents: 46,
    },
    Price {
        model: "kling-v1",
        mode: Some("pro"),
        duration: "10",
        usd_cents: 92,
    },
    Price {
        model: "kling-v1-6",
        mode: Some("std"),
        duration: "5",
        usd_cents: 26,
    },
    Price {
        model: "kling-v1-6",
        mode: Some("std"),
        duration: "10",
        usd_cents: 53,
    },
    Price {
        model: "kling-v1-6",
        mode: Some("pro"),
        duration: "5",
        usd_cents: 46,
    },
    Price {
        model: "kling-v1-6",
        mode: Some("pro"),
        duration: "10",
        usd_cents: 92,
    },
    Price {
        model: "kling-v2-master",
        mode: None,
        duration: "5",
        usd_cents: 132,
    },
    Price {
        model: "kling-v2-master",
        mode: None,
        duration: "10",
        usd_cents: 264,
    },
    Price {
        model: "kling-v2-1-master",
        mode: None,
        duration: "5",
        usd_cents: 132,
    },
    Price {
        model: "kling-v2-1-master",
        mode: None,
        duration: "10",
        usd_cents: 264,
    },
    Price {
        model: "kling-v2-5-turbo",
        mode: Some("pro"),
        duration: "5",
        usd_cents: 33,
    },
    Price {
        model: "kling-v2-5-turbo",
        mode: Some("pro"),
        duration: "10",
        usd_cents: 66,
    },
];

/// `None` means the price is unknown: the UI says so instead of guessing.
pub fn price_cents(model: &str, mode: &str, duration: &str) -> Option<u32> {
    PRICES
        .iter()
        .find(|p| p.model == model && p.duration == duration && p.mode.is_none_or(|m| m == mode))
        .map(|p| p.usd_cents)
}

/// A model as the UI offers it: its row, plus every choice the UI would otherwise have to work out
/// for itself, so no rule is written a second time in JavaScript.
#[derive(Debug, Clone, Serialize)]
pub struct ModelOffer {
    #[serde(flatten)]
    pub rule: &'static ModelRule,
    pub default_mode: &'static str,
    pub default_duration: &'static str,
    /// The modes in which sound may be turned on (empty: no sound on this model).
    pub sound_modes: Vec<&'static str>,
    /// One cell per mode and duration the model offers; `usd_cents: None` is an unknown price.
    pub prices: Vec<PriceCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriceCell {
    pub mode: &'static str,
    pub duration: &'static str,
    pub usd_cents: Option<u32>,
}

/// Everything the UI needs to draw the options form, in one serializable value.
#[derive(Debug, Clone, Serialize)]
pub struct RulesTable {
    pub limits: &'static Limits,
    pub image_limits: &'static ImageLimits,
    pub extend_limits: &'static ExtendLimits,
    pub models: Vec<ModelOffer>,
    pub default_model: &'static str,
    pub default_model_mode: &'static str,
    pub camera_types: &'static [&'static str],
    pub camera_axes: &'static [&'static str],
    pub prices_as_of: &'static str,
    /// The range of Settings' requests-per-second limit.
    pub requests_per_second: crate::api::RateRange,
}

pub fn table() -> RulesTable {
    let limits = &COMETAPI_LIMITS;
    let models = MODELS
        .iter()
        .map(|rule| ModelOffer {
            rule,
            default_mode: rule.default_mode(limits),
            default_duration: rule.default_duration(limits),
            sound_modes: rule.modes.iter().copied().filter(|m| rule.sound_allowed(m)).collect(),
            prices: rule
                .modes
                .iter()
                .flat_map(|mode| {
                    rule.durations.iter().map(move |duration| PriceCell {
                        mode,
                        duration,
                        usd_cents: price_cents(rule.name, mode, duration),
                    })
                })
                .collect(),
        })
        .collect();
    RulesTable {
        limits,
        image_limits: &IMAGE_LIMITS,
        extend_limits: &EXTEND_LIMITS,
        models,
        default_model: DEFAULT_MODEL,
        default_model_mode: DEFAULT_MODEL_MODE,
        camera_types: CAMERA_TYPES,
        camera_axes: CAMERA_AXES,
        prices_as_of: PRICES_AS_OF,
        requests_per_second: crate::api::REQUESTS_PER_SECOND,
    }
}

/// Characters as people count them: Unicode scalar values after NFC, so a decomposed umlaut
/// counts once; the UI counts the same way (`normalize("NFC")`).
pub fn visible_len(text: &str) -> usize {
    use unicode_normalization::UnicodeNormalization;
    text.trim().nfc().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_model_is_a_row_and_allows_its_default_mode() {
        let m = model(DEFAULT_MODEL).expect("default model row");
        assert!(m.modes.contains(&DEFAULT_MODEL_MODE));
        assert!(price_cents(DEFAULT_MODEL, DEFAULT_MODEL_MODE, "5").is_some());
    }

    #[test]
    fn a_model_without_the_default_duration_or_mode_falls_back_to_its_first() {
        let long_only = ModelRule {
            name: "long-only",
            durations: &["10"],
            modes: &["pro"],
            ..MODELS[0]
        };
        assert_eq!(long_only.default_duration(&COMETAPI_LIMITS), "10");
        assert_eq!(long_only.default_mode(&COMETAPI_LIMITS), "pro");
        assert_eq!(model("kling-v1").unwrap().default_mode(&COMETAPI_LIMITS), "std");
    }

    #[test]
    fn counting_is_by_scalar_after_nfc_and_trim() {
        assert_eq!(visible_len("  u\u{0308}ber "), 4);
        assert_eq!(visible_len("über"), 4);
    }

    #[test]
    fn unknown_prices_stay_unknown() {
        assert_eq!(price_cents("kling-v3", "pro", "5"), None);
        assert_eq!(price_cents("kling-v2-master", "std", "10"), Some(264));
    }
}
