//! The shell's one error type. It serializes exactly like core's, `{kind, field, params}`, so the
//! UI handles every failure the same way.

use kling_core::Problem;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] kling_core::Error),
    #[error("settings: {0}")]
    Settings(String),
}

impl Error {
    pub fn problem(&self) -> Problem {
        match self {
            Error::Core(core) => core.problem(),
            Error::Settings(detail) => Problem::new("storage").param("detail", detail.as_str()),
        }
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.problem().serialize(serializer)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
