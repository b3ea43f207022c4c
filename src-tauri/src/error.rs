//! The shell's one error type. It serializes exactly like core's, `{kind, field, params}`, so the
//! UI handles every failure the same way.

use kling_core::Kind;
use kling_core::Problem;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] kling_core::Error),
    #[error("settings: {0}")]
    Settings(String),
    /// The app could not open its library at start; the window explains it.
    #[error("could not start: {}", .0.kind)]
    Startup(Problem),
}

impl Error {
    pub fn problem(&self) -> Problem {
        match self {
            Error::Core(core) => core.problem(),
            Error::Settings(detail) => Problem::new(Kind::Storage).param("detail", detail.as_str()),
            Error::Startup(problem) => problem.clone(),
        }
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.problem().serialize(serializer)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
