//! The one error type of kling-core. It reaches the UI as `{kind, field, params}`: `kind` is a
//! stable code the UI looks up in its catalog (`ui/i18n/*.json`) for a plain-language message with a
//! next step; core never writes sentences for people.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::ApiError;

/// The serialized shape of any error, also kept in the library for failed generations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: String,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub params: Map<String, Value>,
}

impl Problem {
    pub fn new(kind: &str) -> Self {
        Problem {
            kind: kind.to_owned(),
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

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input, found before anything was sent.
    #[error("invalid {field}: {kind}")]
    Invalid {
        kind: &'static str,
        field: &'static str,
        params: Map<String, Value>,
    },
    #[error("no API key is set")]
    KeyMissing,
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error("library: {0}")]
    Library(#[from] rusqlite::Error),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    #[error("no generation {0}")]
    UnknownGeneration(String),
}

/// Kinds that are not API classes: listed so a test can check the catalogs cover every kind.
pub const LOCAL_KINDS: &[&str] = &[
    "key_missing",
    "key_empty",
    "keychain_unavailable",
    "storage",
    "disk_full",
    "internal",
    "task_failed",
    "no_video",
    "result_expired",
    "download_failed",
    "submission_unsettled",
    "discarded",
    "cancelled",
    "action_not_available",
    "library_set_aside",
    "callback_port_in_use",
    "library_unavailable",
    "poster_invalid",
    "rate_limited_gave_up",
];

impl Error {
    pub fn invalid(kind: &'static str, field: &'static str) -> Self {
        Error::Invalid {
            kind,
            field,
            params: Map::new(),
        }
    }

    pub fn invalid_with(kind: &'static str, field: &'static str, params: &[(&str, Value)]) -> Self {
        let params = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        Error::Invalid { kind, field, params }
    }

    pub fn problem(&self) -> Problem {
        match self {
            Error::Invalid { kind, field, params } => Problem {
                kind: (*kind).to_owned(),
                field: Some((*field).to_owned()),
                params: params.clone(),
            },
            Error::KeyMissing => Problem::new("key_missing"),
            Error::Api(api) => api.problem(),
            Error::Secret(secret) => secret.problem(),
            Error::Io(io) if is_disk_full(io) => Problem::new("disk_full"),
            Error::Library(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DiskFull => {
                Problem::new("disk_full")
            }
            Error::Library(_) | Error::Io(_) => Problem::new("storage").param("detail", self.to_string()),
            Error::UnknownGeneration(_) => Problem::new("internal"),
        }
    }
}

pub(crate) fn is_disk_full(io: &std::io::Error) -> bool {
    // ENOSPC and EDQUOT: the message tells the user to free space, not to report a bug.
    matches!(io.raw_os_error(), Some(28) | Some(122))
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.problem().serialize(serializer)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
