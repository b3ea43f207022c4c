//! The one error type of kling-core. It reaches the UI as a [`Problem`], `{kind, field, params}`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::ApiError;
use crate::problem::{Kind, Problem};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input, found before anything was sent.
    #[error("invalid {field}: {kind}")]
    Invalid {
        kind: Kind,
        field: &'static str,
        params: Map<String, Value>,
    },
    #[error("no API key is set")]
    KeyMissing,
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The prompt coach's chat call failed or answered nothing usable, in the coach's own terms
    /// (`coach::failure`): a general API message would point at video settings.
    #[error("prompt coach: {}", .0.kind)]
    Coach(Problem),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error("library: {0}")]
    Library(#[from] rusqlite::Error),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    #[error("no generation {0}")]
    UnknownGeneration(String),
    /// Another Kling Desk process holds the library's lock.
    #[error("the library at {} is open in another window", .0.display())]
    LibraryInUse(std::path::PathBuf),
}

impl Error {
    pub fn invalid(kind: Kind, field: &'static str) -> Self {
        Error::Invalid {
            kind,
            field,
            params: Map::new(),
        }
    }

    pub fn invalid_with(kind: Kind, field: &'static str, params: &[(&str, Value)]) -> Self {
        let params = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        Error::Invalid { kind, field, params }
    }

    pub fn problem(&self) -> Problem {
        match self {
            Error::Invalid { kind, field, params } => Problem {
                kind: *kind,
                field: Some((*field).to_owned()),
                params: params.clone(),
            },
            Error::KeyMissing => Problem::new(Kind::KeyMissing),
            Error::Api(api) => api.problem(),
            Error::Coach(problem) => problem.clone(),
            Error::Secret(secret) => secret.problem(),
            Error::Io(io) if is_disk_full(io) => Problem::new(Kind::DiskFull),
            Error::Library(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DiskFull => {
                Problem::new(Kind::DiskFull)
            }
            Error::Library(_) | Error::Io(_) => Problem::new(Kind::Storage).param("detail", self.to_string()),
            Error::UnknownGeneration(_) => Problem::new(Kind::Internal),
            Error::LibraryInUse(path) => Problem::new(Kind::LibraryInUse).param("path", path.display().to_string()),
        }
    }
}

pub(crate) fn is_disk_full(io: &std::io::Error) -> bool {
    // A full disk or a used-up quota, on every OS: the message tells the user to free space, not
    // to report a bug.
    matches!(
        io.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.problem().serialize(serializer)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
