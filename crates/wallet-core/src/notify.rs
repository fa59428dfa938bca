//! Desktop notifications: the platform shows them (the OS notification centre in the app; the
//! web host records them for tests), the core decides when.

/// Shows one notification to the user.
pub trait Notifier: Send + Sync {
    fn notify(&self, title: &str, body: &str);
}

impl crate::Core {
    /// The app shell reports window focus here (and "unfocused" when hidden to the tray).
    pub fn set_window_focused(&self, focused: bool) {
        self.focused
            .store(focused, std::sync::atomic::Ordering::Relaxed);
    }

    /// Notifies only when the user is not looking at the wallet (e.g. a send confirmed while
    /// the window is in the background); the window itself shows the outcome otherwise.
    pub fn notify_unless_focused(&self, title: &str, body: &str) {
        if !self.focused.load(std::sync::atomic::Ordering::Relaxed) {
            self.notifier.notify(title, body);
        }
    }
}
