//! Request and response models shared by the API groups.

use serde::{Deserialize, Serialize};

/// `GET /health` (README §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub timestamp: String,
}
