//! Desktop notifications: the platform shows them (the OS notification centre in the app; the
//! web host records them for tests), the core decides when.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::events::{CoreEvent, EventSink};
use crate::i18n::CurrentLocale;
use crate::messages::Msg;
use crate::operations::OpStatus;

/// Shows one notification to the user.
pub trait Notifier: Send + Sync {
    fn notify(&self, title: &str, body: &str);
}

/// For hosts without a notification centre (headless tools, tests that do not look).
pub struct NoNotifications;

impl Notifier for NoNotifications {
    fn notify(&self, _: &str, _: &str) {}
}

/// Passes every event on, and tells the user through the OS when an operation ends (confirmed
/// or failed) while they are not looking at the wallet; the window shows it otherwise.
pub(crate) struct OutcomeAlerts {
    pub inner: Arc<dyn EventSink>,
    pub notifier: Arc<dyn Notifier>,
    pub focused: Arc<AtomicBool>,
    /// The language the notifications are written in.
    pub locale: Arc<CurrentLocale>,
}

impl EventSink for OutcomeAlerts {
    fn emit(&self, event: CoreEvent) {
        if let CoreEvent::OperationMismatch {
            tx_hash,
            differences,
            ..
        } = &event
        {
            // Whatever the window's focus: this is the one alert that must not be missed.
            let locale = self.locale.get();
            let what: Vec<String> = differences
                .iter()
                .map(|d| {
                    let field = match d.field.as_str() {
                        "recipient" => Msg::MismatchRecipient,
                        "token" => Msg::MismatchToken,
                        "amount" => Msg::MismatchAmount,
                        _ => Msg::MismatchChain,
                    };
                    Msg::MismatchDifference {
                        field: field.render(locale),
                        on_chain: d.on_chain.clone(),
                        reviewed: d.reviewed.clone(),
                    }
                    .render(locale)
                })
                .collect();
            self.notifier.notify(
                &Msg::MismatchTitle.render(locale),
                &Msg::MismatchBody {
                    hash: short_hash(tx_hash),
                    what: what.join("; "),
                }
                .render(locale),
            );
        }
        if let CoreEvent::OperationUpdated { update } = &event {
            if !self.focused.load(Ordering::Relaxed) {
                let hash = short_hash(&update.user_op_hash);
                let locale = self.locale.get();
                let (title, body) = match update.status {
                    OpStatus::Confirmed => (
                        Msg::OperationConfirmedTitle,
                        Msg::OperationConfirmedBody { hash },
                    ),
                    OpStatus::Failed => (
                        Msg::OperationFailedTitle,
                        Msg::OperationFailedBody {
                            hash,
                            // IBEx's own reason, as it gave it.
                            reason: update
                                .error
                                .clone()
                                .unwrap_or_else(|| Msg::NoReasonGiven.render(locale)),
                        },
                    ),
                    _ => return self.inner.emit(event),
                };
                self.notifier
                    .notify(&title.render(locale), &body.render(locale));
            }
        }
        self.inner.emit(event);
    }
}

fn short_hash(hash: &str) -> String {
    match (hash.get(..10), hash.len() > 14) {
        (Some(head), true) => format!("{head}…{}", &hash[hash.len() - 4..]),
        _ => hash.to_owned(),
    }
}

impl crate::Core {
    /// The app shell reports window focus here (and "unfocused" when hidden to the tray).
    pub fn set_window_focused(&self, focused: bool) {
        self.focused.store(focused, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::i18n::Locale;
    use crate::operations::OperationUpdate;

    #[derive(Default)]
    struct Shown(Mutex<Vec<(String, String)>>);
    impl Notifier for Shown {
        fn notify(&self, title: &str, body: &str) {
            self.0
                .lock()
                .unwrap()
                .push((title.to_owned(), body.to_owned()));
        }
    }
    struct Nowhere;
    impl EventSink for Nowhere {
        fn emit(&self, _: CoreEvent) {}
    }

    #[test]
    fn outcomes_are_announced_in_the_users_language() {
        let shown = Arc::new(Shown::default());
        let locale = Arc::new(CurrentLocale::new(Locale::Fr));
        let alerts = OutcomeAlerts {
            inner: Arc::new(Nowhere),
            notifier: shown.clone(),
            focused: Arc::new(AtomicBool::new(false)),
            locale: locale.clone(),
        };
        let update = |status, error: Option<&str>| CoreEvent::OperationUpdated {
            update: OperationUpdate {
                user_op_hash: format!("0x{}", "ab".repeat(32)),
                status,
                tx_hash: None,
                error: error.map(str::to_owned),
            },
        };
        alerts.emit(update(OpStatus::Confirmed, None));
        alerts.emit(update(OpStatus::Signed, None));
        locale.set(Locale::En);
        alerts.emit(update(OpStatus::Failed, Some("execution reverted")));
        let shown = shown.0.lock().unwrap();
        assert_eq!(
            *shown,
            [
                (
                    "Opération confirmée".to_owned(),
                    "L’opération 0xabababab…abab est confirmée sur la blockchain.".to_owned()
                ),
                (
                    "Operation failed".to_owned(),
                    "0xabababab…abab failed: execution reverted".to_owned()
                ),
            ]
        );
    }
}
