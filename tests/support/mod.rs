pub mod app;
#[cfg(target_os = "linux")]
pub mod notification_server;
pub mod webdriver;
#[cfg(target_os = "linux")]
pub mod x11;
