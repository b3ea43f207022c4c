#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    kling_desk::start_trace::init();
    kling_desk::run();
}
