//! Passkeys the core runs itself: the clientDataJSON it builds, the checks on every answer,
//! and the CTAP2 security-key backend (USB HID; a software key in test builds).

pub(crate) mod client_data;
pub mod ctap2;
pub(crate) mod request;
pub(crate) mod rp;
#[cfg(feature = "soft-passkey")]
pub mod soft_keys;
pub(crate) mod verify;
#[cfg(windows)]
pub mod windows;
