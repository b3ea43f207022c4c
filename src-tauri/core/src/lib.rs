//! kling-core: everything Kling Desk knows, with no Tauri in it. The shell in `src-tauri/src`
//! only adapts these types to commands, events, the keychain and the settings store.

pub mod announcement;
pub mod api;
pub mod callback_receiver;
pub mod coach;
pub mod compare;
pub mod continuation;
pub mod downloader;
pub mod engine;
pub mod error;
pub mod export;
pub mod frames;
pub mod generation;
pub mod ledger;
pub mod library;
pub mod loopback;
pub mod media_server;
pub mod problem;
pub mod request;
pub mod rules;
pub mod secrets;
pub mod snippets;
mod text;

pub use engine::{Engine, EngineConfig, EventSink, PollSchedule};
pub use error::{Error, Result};
pub use generation::{Action, Delivery, Generation, Status, Take};
pub use library::{Library, LibraryQuery, Mark, Page};
pub use problem::{Kind, Problem};
pub use request::GenerationRequest;
