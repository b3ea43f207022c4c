pub mod app;
pub mod webdriver;
pub mod x11;
