pub mod app;
pub mod webdriver;
#[cfg(target_os = "linux")]
pub mod x11;
