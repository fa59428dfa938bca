//! Typed client for the IBEx Wallet API (`docs/api`), with the session manager.
//!
//! No Tauri here: the app shell and the tests use this crate the same way.
//!
//! - [`Client`]: public calls (health, sign-up/sign-in, refresh) and the HTTP plumbing.
//! - [`Session`]: every authenticated call, with token refresh (single-flight) and replay.
//! - [`realtime`]: the WebSocket with reconnects and an HTTP polling fallback.

mod account;
mod address;
mod amount;
mod auth;
mod bitcoin;
mod catalog;
mod client;
mod error;
mod exact_json;
mod kyc;
pub mod models;
mod operations;
mod owners;
pub mod realtime;
mod recovery;
mod retry;
mod secret;
mod sepa;
mod session;
mod solana;

pub use account::AddressBookWrite;
pub use address::{Address, ChainAddress};
pub use amount::{BaseUnits, Decimal};
pub use client::{decode, install_crypto_provider, Client, Config};
pub use error::{ApiError, Error};
pub use owners::SafeOwners;
pub use retry::RetryPolicy;
pub use secret::{MemoryStore, Secret, SecretStore, StoreError};
pub use session::{EndReason, Retired, Session, SessionConfig, SessionState};
pub use solana::RpcResponse;
