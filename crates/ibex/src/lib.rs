//! Typed client for the IBEx Wallet API (`shared/ibex-api`), with the session manager.
//!
//! No Tauri here: the app shell and the tests use this crate the same way.

mod client;
mod error;
pub mod models;

pub use client::{Client, Config};
pub use error::Error;
