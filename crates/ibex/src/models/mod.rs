//! Request and response models, one module per API group. Field names follow the wire
//! (`camelCase` unless the API uses `snake_case`); unknown fields are ignored so additive server
//! changes never break the wallet, and documented ambiguities (`docs/api/gaps.md`) accept both forms.

pub mod account;
pub mod auth;
pub mod bitcoin;
pub mod catalog;
mod common;
pub mod operations;
pub mod realtime;
pub mod recovery;
pub mod sepa;
pub mod webauthn;

pub use common::{Ack, ChainId, DerivedAddress, EoaAddress, ModuleFlag, Page, WalletMode};

use serde::{Deserialize, Serialize};

/// `GET /health` (docs/api/README.md §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub timestamp: String,
}
