//! The wire format of every failure, `{kind, field, params}`, and the closed set of kinds.
//!
//! `kind` is a stable code the UI looks up in its catalogs (`ui/i18n/*.json`) for a plain-language
//! message with a next step; core never writes sentences for people. Control flow matches on
//! [`Kind`], never on its text, so a typo is a compile error instead of a silent change of
//! behaviour. This module depends on nothing else in the crate.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// Every kind of problem, serialized as its stable snake_case code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Kind {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)*
            /// A code this build does not know (a catalog written by a newer version): shown as
            /// an internal problem rather than refusing to read the row.
            #[serde(other, rename = "internal")]
            Internal,
        }

        impl Kind {
            /// Every kind, for the test that checks both catalogs cover them.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)* Kind::Internal];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Kind::$variant => $text,)*
                    Kind::Internal => "internal",
                }
            }
        }
    };
}

kinds! {
    // What the gateway or Kling answered (API reference §5).
    Network = "network",
    Timeout = "timeout",
    BadGatewayConfig = "bad_gateway_config",
    KeyRejected = "key_rejected",
    AccountProblem = "account_problem",
    BalanceUsedUp = "balance_used_up",
    NoAccess = "no_access",
    InvalidRequest = "invalid_request",
    UnknownModel = "unknown_model",
    TaskNotFound = "task_not_found",
    PolicyRefused = "policy_refused",
    RateLimited = "rate_limited",
    ConcurrencyLimit = "concurrency_limit",
    ServerError = "server_error",
    UnexpectedResponse = "unexpected_response",
    // Found by the validator before anything was sent.
    PromptEmpty = "prompt_empty",
    PromptTooLong = "prompt_too_long",
    NegativePromptTooLong = "negative_prompt_too_long",
    OptionNotAllowed = "option_not_allowed",
    CfgScaleNotSupported = "cfg_scale_not_supported",
    CfgScaleOutOfRange = "cfg_scale_out_of_range",
    CameraNotSupported = "camera_not_supported",
    CameraTypeUnknown = "camera_type_unknown",
    CameraConfigMissing = "camera_config_missing",
    CameraConfigNotAllowed = "camera_config_not_allowed",
    CameraAxisOutOfRange = "camera_axis_out_of_range",
    CameraOneAxis = "camera_one_axis",
    SoundNotSupported = "sound_not_supported",
    /// More takes than `request::MAX_TAKES`, or none (`min`, `max`).
    TakesOutOfRange = "takes_out_of_range",
    // The app's own: keys, the library, the generation's life.
    KeyMissing = "key_missing",
    KeyEmpty = "key_empty",
    /// The pasted text cannot be a key: a control character, a space inside, a non-ASCII letter.
    KeyMalformed = "key_malformed",
    /// A running video whose status queries keep failing for a reason that is not the network:
    /// the key, the account, the gateway. It keeps waiting; the card says what to do.
    WaitingForKey = "waiting_for_key",
    WaitingForAccount = "waiting_for_account",
    WaitingForGateway = "waiting_for_gateway",
    KeychainUnavailable = "keychain_unavailable",
    Storage = "storage",
    DiskFull = "disk_full",
    TaskFailed = "task_failed",
    /// Every query has answered "not found" for minutes: the provider no longer knows the task.
    TaskUnknown = "task_unknown",
    /// What was pasted as a task id cannot be one (empty, spaces inside, far too long).
    TaskIdInvalid = "task_id_invalid",
    NoVideo = "no_video",
    ResultExpired = "result_expired",
    DownloadFailed = "download_failed",
    SubmissionUnsettled = "submission_unsettled",
    Discarded = "discarded",
    Cancelled = "cancelled",
    ActionNotAvailable = "action_not_available",
    LibrarySetAside = "library_set_aside",
    CallbackPortInUse = "callback_port_in_use",
    LibraryUnavailable = "library_unavailable",
    LibraryInUse = "library_in_use",
    /// The folder chosen for the library already holds a `Kling Desk Library` folder with
    /// something in it that is not ours to clear: nothing was moved.
    MoveTargetNotEmpty = "move_target_not_empty",
    /// The folder chosen for the library is the library itself or inside it: nothing was moved.
    MoveTargetInsideLibrary = "move_target_inside_library",
    /// The copy of the library did not match it (a missing row, a file of another size): the
    /// copy was removed and the library stays where it was.
    MoveCheckFailed = "move_check_failed",
    /// The user cancelled the move: the copy was removed and the library stays where it was.
    MoveCancelled = "move_cancelled",
    PosterInvalid = "poster_invalid",
    RateLimitedGaveUp = "rate_limited_gave_up",
    /// A title longer than `marks::TITLE_MAX_CHARS`.
    TitleTooLong = "title_too_long",
    /// Only a finished video can be deleted; a running one can be discarded or cancelled instead.
    DeleteRunning = "delete_running",
    /// The OS trash refused a file: nothing was deleted.
    TrashFailed = "trash_failed",
    /// The deleted video is no longer in the trash, or its undo window has passed.
    UndoNotPossible = "undo_not_possible",
    /// The video file of a generation is not on disk (not made yet, failed, or removed).
    VideoFileMissing = "video_file_missing",
    /// The system found no program to open the video or its folder with.
    OpenFailed = "open_failed",
    /// Only a ready video whose file is in the library can be exported; nothing was written.
    ExportNotReady = "export_not_ready",
    /// The folder chosen for an export cannot be written to (permissions, read-only, gone).
    ExportFolderNotWritable = "export_folder_not_writable",
    /// A file dropped on the composer is not an MP4 exported by Kling Desk with its settings.
    NoSettingsInVideo = "no_settings_in_video",
    /// Only two ready videos whose files are in the library can be compared; `field` names the
    /// side (`a` or `b`) that is not (still being made, failed, deleted).
    CompareNotReady = "compare_not_ready",
    // The prompt coach's chat call (`coach`): the prompt box stays as the user left it.
    /// The chat model chosen in Settings is not available on this account (`model`).
    CoachModelUnavailable = "coach_model_unavailable",
    CoachRateLimited = "coach_rate_limited",
    CoachTimeout = "coach_timeout",
    /// The network or the service failed the chat call.
    CoachUnavailable = "coach_unavailable",
    /// The chat model answered with nothing that could be a prompt.
    CoachEmptyAnswer = "coach_empty_answer",
    // Snippets, built-in and the user's own (`snippets`, `library::snippets`).
    /// A snippet with no text (only spaces or commas).
    SnippetEmpty = "snippet_empty",
    /// A snippet longer than a whole prompt may be (`max`, `length`).
    SnippetTooLong = "snippet_too_long",
    SnippetNameEmpty = "snippet_name_empty",
    /// A snippet name longer than `snippets::SNIPPET_NAME_MAX_CHARS` (`max`, `length`).
    SnippetNameTooLong = "snippet_name_too_long",
    /// The snippet is not (or no longer) among the user's own.
    SnippetUnknown = "snippet_unknown",
    /// Inserting the snippet would take the prompt past its limit by `over` characters.
    SnippetOverLimit = "snippet_over_limit",
    // Spend: the rate card and the monthly budget (`ledger`).
    /// A price must be above `min` and at most `max` US dollars per video.
    PriceInvalid = "price_invalid",
    /// No model, mode, duration and sound of the rules table match the price's row.
    PriceKeyUnknown = "price_key_unknown",
    /// A monthly budget must be above `min` and at most `max` US dollars.
    BudgetInvalid = "budget_invalid",
    // Image to video and continuing a clip (`frames`, `request`).
    /// Image to video without a start picture.
    ImageMissing = "image_missing",
    /// Not a PNG, JPEG or WebP picture, or one whose size cannot be read (`formats`).
    ImageUnreadable = "image_unreadable",
    /// A picture larger than `max_mb` megabytes (`mb`).
    ImageTooLarge = "image_too_large",
    /// A picture with a side under `min` pixels (`width`, `height`).
    ImageTooSmall = "image_too_small",
    /// A picture too wide or too tall (`width`, `height`; allowed 1:2.5 to 2.5:1).
    ImageRatioOutOfRange = "image_ratio_out_of_range",
    /// The picture kept in the library for this generation is gone (`field`: image or image_tail).
    ImageFileMissing = "image_file_missing",
    /// The model does not make videos from a picture (`model`).
    ImageNotSupported = "image_not_supported",
    /// An end picture on a model or mode that takes none (`model`, `modes`).
    ImageTailNotSupported = "image_tail_not_supported",
    /// An end picture and camera control together: the API takes one or the other.
    ImageTailWithCamera = "image_tail_with_camera",
    /// A picture, an end picture or a clip to continue given for a kind that takes none.
    InputNotForKind = "input_not_for_kind",
    /// Continuing needs the clip to continue (`parent_id`).
    ParentMissing = "parent_missing",
    /// Only a ready video made through the API can be continued.
    ParentNotReady = "parent_not_ready",
    /// The parent's model cannot be continued (`model`).
    ParentNotExtendable = "parent_not_extendable",
    /// The provider keeps a clip `days` days; this one is older and cannot be continued.
    ParentTooOld = "parent_too_old",
    /// The chain would pass `max` seconds in all (`seconds`).
    ExtendTooLong = "extend_too_long",
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tests and logs compare with the stable code as written in the catalogs.
impl PartialEq<&str> for Kind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The serialized shape of any error, also kept in the library for failed generations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: Kind,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub params: Map<String, Value>,
}

impl Problem {
    pub fn new(kind: Kind) -> Self {
        Problem {
            kind,
            field: None,
            params: Map::new(),
        }
    }

    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_travel_as_their_stable_codes() {
        for kind in Kind::ALL {
            let text = serde_json::to_value(kind).unwrap();
            assert_eq!(text, kind.as_str());
            assert_eq!(serde_json::from_value::<Kind>(text).unwrap(), *kind);
        }
    }

    #[test]
    fn a_code_from_a_newer_version_reads_as_internal() {
        let problem: Problem = serde_json::from_str(r#"{"kind":"from_the_future","params":{}}"#).unwrap();
        assert_eq!(problem.kind, Kind::Internal);
    }
}
