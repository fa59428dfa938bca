//! Software security keys plugged into a virtual port, for test builds: the CTAP2 backend
//! talks to them with the same library code (`ctap2::register` / `ctap2::sign`) it uses for
//! USB keys. Only discovery differs: the keys in [`SoftKeys`] are "plugged in"; with several,
//! the user selects one by touching it (CTAP 2.1 `authenticatorSelection`), as with USB.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authenticator::authenticatorservice::{RegisterArgs, SignArgs};
use authenticator::ctap2::commands::selection::Selection;
use authenticator::errors::{AuthenticatorError, U2FTokenError};
use authenticator::{FidoDevice, FidoDeviceIO, RegisterResult, SignResult, StatusUpdate};
use passkey_soft::ctap2::{SoftKey, SoftKeyDevice};

use super::ctap2::{Callback, KeyTransport};
use crate::sync::lock;

/// The virtual port; clones share it (a test keeps one to plug and unplug keys).
#[derive(Clone, Default)]
pub struct SoftKeys {
    keys: Arc<Mutex<Vec<SoftKey>>>,
    cancelled: Arc<AtomicBool>,
}

impl SoftKeys {
    pub fn new() -> Self {
        Self::default()
    }

    /// The test app's port: one key with PIN `IBEX_WALLET_SOFT_KEY_PIN` (default `1234`), so
    /// the real app can be driven through the security-key path under Xvfb.
    pub fn from_env() -> Self {
        let keys = Self::new();
        let pin = std::env::var("IBEX_WALLET_SOFT_KEY_PIN").unwrap_or_else(|_| "1234".into());
        keys.plug(SoftKey::new().with_pin(&pin));
        keys
    }

    pub fn plug(&self, key: SoftKey) {
        lock(&self.keys).push(key);
    }

    pub fn unplug_all(&self) {
        lock(&self.keys).clear();
    }

    /// Runs `ceremony` on the key the user picks, in a thread as the USB transport does.
    fn transact<T: Send + 'static>(
        &self,
        timeout: Duration,
        status: Sender<StatusUpdate>,
        callback: Callback<T>,
        ceremony: impl FnOnce(&mut SoftKeyDevice, Sender<StatusUpdate>, Callback<T>, &dyn Fn() -> bool) -> bool
            + Send
            + 'static,
    ) {
        self.cancelled.store(false, Ordering::SeqCst);
        let keys = lock(&self.keys).clone();
        let cancelled = self.cancelled.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + timeout;
            let alive = || !cancelled.load(Ordering::SeqCst) && Instant::now() < deadline;
            let called = match select(&keys, &status, &alive) {
                Some(mut device) => ceremony(&mut device, status, callback.clone(), &alive),
                None => {
                    // Like USB with nothing plugged in: wait for a key until the time is up.
                    while alive() {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    false
                }
            };
            if !called {
                callback.call(Err(AuthenticatorError::U2FToken(U2FTokenError::NotAllowed)));
            }
        });
    }
}

/// One key: that one. Several: each blinks until one is touched.
fn select(
    keys: &[SoftKey],
    status: &Sender<StatusUpdate>,
    alive: &dyn Fn() -> bool,
) -> Option<SoftKeyDevice> {
    let mut devices: Vec<SoftKeyDevice> = keys
        .iter()
        .map(SoftKey::device)
        .filter_map(|mut d| d.init().ok().map(|()| d))
        .collect();
    if devices.len() <= 1 {
        return devices.pop();
    }
    let _ = status.send(StatusUpdate::SelectDeviceNotice);
    while alive() {
        if let Some(i) = devices
            .iter_mut()
            .position(|d| d.send_cbor_cancellable(&Selection {}, alive).is_ok())
        {
            return Some(devices.swap_remove(i));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

impl KeyTransport for SoftKeys {
    fn register(
        &self,
        timeout: Duration,
        args: RegisterArgs,
        status: Sender<StatusUpdate>,
        callback: Callback<RegisterResult>,
    ) -> Result<(), AuthenticatorError> {
        self.transact(
            timeout,
            status,
            callback,
            move |dev, status, callback, alive| {
                authenticator::ctap2::register(dev, args, status, callback, alive)
            },
        );
        Ok(())
    }

    fn sign(
        &self,
        timeout: Duration,
        args: SignArgs,
        status: Sender<StatusUpdate>,
        callback: Callback<SignResult>,
    ) -> Result<(), AuthenticatorError> {
        self.transact(
            timeout,
            status,
            callback,
            move |dev, status, callback, alive| {
                authenticator::ctap2::sign(dev, args, status, callback, alive)
            },
        );
        Ok(())
    }

    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }
}
