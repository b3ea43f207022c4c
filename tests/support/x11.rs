//! What a window manager does for the user, done through Xlib, since Xvfb runs none (so `wmctrl`
//! finds no windows):
//!
//! - Closing a window the way its close button does: an ICCCM WM_DELETE_WINDOW client message.
//!   Neither WebDriver's Close Window (it ends the session and the app with it) nor the page's
//!   `window.close()` (wry destroys the webview and leaves the window) reaches the app's close
//!   handling.
//! - Moving the keyboard focus, as a click on another app's window does: the app's window then
//!   stops being the active one (GTK follows X's FocusIn and FocusOut), which is all "the user is
//!   looking elsewhere" means to the app. No test-only door into the app is needed.

use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr};

type Display = c_void;
type Window = c_ulong;
type Atom = c_ulong;

const CLIENT_MESSAGE: c_int = 33;
const NO_EVENT_MASK: c_long = 0;
/// X's `None` as a window: with the focus there, no window has it.
const NO_WINDOW: Window = 0;
const REVERT_TO_NONE: c_int = 0;
const CURRENT_TIME: c_ulong = 0;

#[repr(C)]
#[derive(Clone, Copy)]
struct XClientMessageEvent {
    kind: c_int,
    serial: c_ulong,
    send_event: c_int,
    display: *mut Display,
    window: Window,
    message_type: Atom,
    format: c_int,
    data: [c_long; 5],
}

/// Xlib's XEvent: every event shares one 24-long union.
#[repr(C)]
union XEvent {
    client: XClientMessageEvent,
    pad: [c_long; 24],
}

#[link(name = "X11")]
extern "C" {
    fn XOpenDisplay(name: *const c_char) -> *mut Display;
    fn XCloseDisplay(display: *mut Display) -> c_int;
    fn XDefaultRootWindow(display: *mut Display) -> Window;
    fn XQueryTree(
        display: *mut Display,
        window: Window,
        root: *mut Window,
        parent: *mut Window,
        children: *mut *mut Window,
        count: *mut c_uint,
    ) -> c_int;
    fn XFetchName(display: *mut Display, window: Window, name: *mut *mut c_char) -> c_int;
    fn XFree(data: *mut c_void) -> c_int;
    fn XInternAtom(display: *mut Display, name: *const c_char, only_if_exists: c_int) -> Atom;
    fn XSendEvent(display: *mut Display, window: Window, propagate: c_int, mask: c_long, event: *mut XEvent) -> c_int;
    fn XSync(display: *mut Display, discard: c_int) -> c_int;
    fn XSetInputFocus(display: *mut Display, focus: Window, revert_to: c_int, time: c_ulong) -> c_int;
    fn XGetInputFocus(display: *mut Display, focus: *mut Window, revert_to: *mut c_int) -> c_int;
}

/// Asks every top-level window titled `title` on `$DISPLAY` to close; returns how many were asked.
pub fn close_windows_titled(title: &str) -> usize {
    close_windows_titled_on(None, title)
}

/// The same on the X display `name` (":99"), or on `$DISPLAY` when None.
pub fn close_windows_titled_on(name: Option<&str>, title: &str) -> usize {
    // SAFETY: plain Xlib calls on the display `on_display` keeps open; the event is a fully
    // initialised union.
    on_display(name, |display| unsafe {
        let windows = windows_titled(display, title);
        let protocols = XInternAtom(display, c"WM_PROTOCOLS".as_ptr(), 0);
        let delete = XInternAtom(display, c"WM_DELETE_WINDOW".as_ptr(), 0);
        for &window in &windows {
            let mut event = XEvent { pad: [0; 24] };
            event.client = XClientMessageEvent {
                kind: CLIENT_MESSAGE,
                serial: 0,
                send_event: 1,
                display,
                window,
                message_type: protocols,
                format: 32,
                data: [delete as c_long, 0, 0, 0, 0],
            };
            XSendEvent(display, window, 0, NO_EVENT_MASK, &mut event);
        }
        windows.len()
    })
}

/// Runs `work` with `$DISPLAY` (or the display `name`, ":99") open, and closes it after a sync, so
/// that what `work` asked for has reached the server.
fn on_display<T>(name: Option<&str>, work: impl FnOnce(*mut Display) -> T) -> T {
    let name = name.map(|name| std::ffi::CString::new(name).unwrap());
    // SAFETY: the display is opened here, used by `work` only while open, and closed once.
    unsafe {
        let display = XOpenDisplay(name.as_ref().map_or(std::ptr::null(), |name| name.as_ptr()));
        assert!(!display.is_null(), "cannot open the X display");
        let result = work(display);
        XSync(display, 0);
        XCloseDisplay(display);
        result
    }
}

/// The top-level windows titled `title`.
///
/// # Safety
/// `display` must be open.
unsafe fn windows_titled(display: *mut Display, title: &str) -> Vec<Window> {
    let root = XDefaultRootWindow(display);
    let (mut root_out, mut parent, mut children, mut count) = (0, 0, std::ptr::null_mut(), 0);
    XQueryTree(display, root, &mut root_out, &mut parent, &mut children, &mut count);
    let windows = if children.is_null() {
        Vec::new()
    } else {
        let list = std::slice::from_raw_parts(children, count as usize).to_vec();
        XFree(children.cast());
        list
    };
    windows
        .into_iter()
        .filter(|&window| {
            let mut name = std::ptr::null_mut();
            if XFetchName(display, window, &mut name) == 0 || name.is_null() {
                return false;
            }
            let matches = CStr::from_ptr(name).to_bytes() == title.as_bytes();
            XFree(name.cast());
            matches
        })
        .collect()
}

/// Gives the keyboard focus to the top-level window titled `title` on `$DISPLAY`, as a window
/// manager does when the user clicks it; false when there is no such window.
pub fn focus_window_titled(title: &str) -> bool {
    // SAFETY: plain Xlib calls on the display `on_display` keeps open.
    on_display(None, |display| unsafe {
        let Some(&window) = windows_titled(display, title).first() else {
            return false;
        };
        XSetInputFocus(display, window, REVERT_TO_NONE, CURRENT_TIME);
        true
    })
}

/// Takes the keyboard focus away from every window on `$DISPLAY`, as switching to another app does.
pub fn focus_no_window() {
    // SAFETY: plain Xlib calls on the display `on_display` keeps open.
    on_display(None, |display| unsafe {
        XSetInputFocus(display, NO_WINDOW, REVERT_TO_NONE, CURRENT_TIME);
    });
}

/// Whether the top-level window titled `title` on `$DISPLAY` has the keyboard focus: asked of the
/// X server, so asking changes nothing (a WebDriver call may bring the window forward).
pub fn window_has_focus(title: &str) -> bool {
    // SAFETY: plain Xlib calls on the display `on_display` keeps open, into locals.
    on_display(None, |display| unsafe {
        let (mut focus, mut revert_to) = (0, 0);
        XGetInputFocus(display, &mut focus, &mut revert_to);
        focus != NO_WINDOW && windows_titled(display, title).contains(&focus)
    })
}
