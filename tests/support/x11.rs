//! Closing a window the way a window manager's close button does: an ICCCM WM_DELETE_WINDOW client
//! message, sent through Xlib. Xvfb runs no window manager (so `wmctrl -c` finds no windows), and
//! neither WebDriver's Close Window (it ends the session and the app with it) nor the page's
//! `window.close()` (wry destroys the webview and leaves the window) reaches the app's close
//! handling.

use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr};

type Display = c_void;
type Window = c_ulong;
type Atom = c_ulong;

const CLIENT_MESSAGE: c_int = 33;
const NO_EVENT_MASK: c_long = 0;

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
}

/// Asks every top-level window titled `title` on `$DISPLAY` to close; returns how many were asked.
pub fn close_windows_titled(title: &str) -> usize {
    close_windows_titled_on(None, title)
}

/// The same on the X display `name` (":99"), or on `$DISPLAY` when None.
pub fn close_windows_titled_on(name: Option<&str>, title: &str) -> usize {
    let name = name.map(|name| std::ffi::CString::new(name).unwrap());
    // SAFETY: plain Xlib calls on a display opened here and closed at the end; the child list and
    // the names Xlib allocates are freed with XFree, and the event is a fully initialised union.
    unsafe {
        let display = XOpenDisplay(name.as_ref().map_or(std::ptr::null(), |name| name.as_ptr()));
        assert!(!display.is_null(), "cannot open the X display");
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
        let protocols = XInternAtom(display, c"WM_PROTOCOLS".as_ptr(), 0);
        let delete = XInternAtom(display, c"WM_DELETE_WINDOW".as_ptr(), 0);
        let mut asked = 0;
        for window in windows {
            let mut name = std::ptr::null_mut();
            if XFetchName(display, window, &mut name) == 0 || name.is_null() {
                continue;
            }
            let matches = CStr::from_ptr(name).to_bytes() == title.as_bytes();
            XFree(name.cast());
            if !matches {
                continue;
            }
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
            asked += 1;
        }
        XSync(display, 0);
        XCloseDisplay(display);
        asked
    }
}
