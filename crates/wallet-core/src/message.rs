//! Signing a message with the Safe (docs/api/operations.md §3.2): a `SIGN_MESSAGE` operation
//! makes the Safe approve the message's EIP-191 hash on chain, so any verifier can ask the
//! Safe's EIP-1271 `isValidSignature(hash, 0x)`. The review shows the message exactly as it is
//! signed, with its hash; once executed, the core asks the Safe itself.

use ibex::models::operations::Operation;
use ibex::models::ChainId;
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};

use crate::error::AppError;
use crate::messages::Msg;
use crate::operations::{Draft, MessageFacts, OperationReview, Reviewed};

/// The longest message signed, in UTF-8 bytes. IBEx documents no limit; a sign-in message
/// (EIP-4361) is well under 1 KiB, and a review must stay readable.
pub const MAX_MESSAGE_BYTES: usize = 4096;

/// What the user wants the Safe to sign.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageDraft {
    /// The chain whose Safe signs (its EIP-1271 answers there).
    pub chain_id: u32,
    /// Signed exactly as given: no trimming, no normalisation.
    pub message: String,
}

/// What a verifier checks, once the Safe signed.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageProof {
    pub chain_id: u32,
    /// The Safe that signed (EIP-55), the contract a verifier asks.
    pub safe: String,
    /// The EIP-191 hash the Safe approved.
    pub hash: String,
    /// The signature to hand a verifier: empty (`0x`), since the approval is on chain.
    pub signature: String,
    /// Whether the Safe's `isValidSignature(hash, 0x)` answers EIP-1271's magic value now.
    pub valid: bool,
}

/// `keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ message)`.
pub fn eip191_hash(message: &str) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    hasher.update(format!("\x19Ethereum Signed Message:\n{}", message.len()).as_bytes());
    hasher.update(message.as_bytes());
    hasher.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", crate::hex::encode(bytes))
}

/// The message as it will be signed, or why it cannot be: it must say something, stay under
/// [`MAX_MESSAGE_BYTES`], and show what is signed — no control characters but line breaks
/// and tabs, and no bidirectional overrides (which display text in another order than signed).
fn check(message: &str) -> Result<(), AppError> {
    if message.trim().is_empty() {
        return Err(AppError::validation(Msg::MessageEmpty));
    }
    if message.len() > MAX_MESSAGE_BYTES {
        return Err(AppError::validation(Msg::MessageTooLong {
            bytes: message.len(),
            max: MAX_MESSAGE_BYTES,
        }));
    }
    let hidden = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    };
    if let Some(c) = message.chars().find(|c| hidden(*c)) {
        return Err(AppError::validation(Msg::MessageHiddenCharacter {
            code: format!("{:04X}", u32::from(c)),
        }));
    }
    Ok(())
}

/// The message commands.
impl crate::Core {
    /// Prepares the Safe's signature of `draft.message`; the review shows it exactly.
    pub async fn message_sign(&self, draft: MessageDraft) -> Result<OperationReview, AppError> {
        check(&draft.message)?;
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signing()?;
        let facts = MessageFacts {
            hash: hex(&eip191_hash(&draft.message)),
            bytes: u32::try_from(draft.message.len()).unwrap_or(u32::MAX),
            message: draft.message.clone(),
        };
        let draft = Draft {
            safe,
            chain: ChainId(u64::from(draft.chain_id)),
            operations: vec![Operation::SignMessage {
                message: draft.message,
            }],
            reviewed: Reviewed::SignMessage(facts),
            valid_until: None,
        };
        conn.ops
            .prepare(&session, &conn.client.config().rp_id, draft)
            .await
    }

    /// Asks the Safe on `chain_id` whether it approved `message` (EIP-1271), and gives what
    /// a verifier needs.
    pub async fn message_verify(
        &self,
        chain_id: u32,
        message: String,
    ) -> Result<MessageProof, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let hash = eip191_hash(&message);
        let valid = session
            .is_message_signed(ChainId(u64::from(chain_id)), &safe, &hash)
            .await?;
        Ok(MessageProof {
            chain_id,
            safe: safe.to_checksum(),
            hash: hex(&hash),
            signature: "0x".to_owned(),
            valid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_eip191_personal_sign() {
        // The classic vector: personal_sign("hello").
        assert_eq!(
            hex(&eip191_hash("hello")),
            "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"
        );
    }

    #[test]
    fn empty_long_or_hidden_messages_are_refused() {
        assert!(check("Sign in to example.org\nNonce: 42").is_ok());
        for (message, needle) in [
            ("", "Write the message"),
            ("  \n ", "Write the message"),
            ("abc\u{202E}fed", "U+202E"),
            ("null\0byte", "U+0000"),
        ] {
            let e = check(message).unwrap_err();
            assert!(e.message.contains(needle), "{message:?}: {}", e.message);
        }
        assert!(check(&"a".repeat(MAX_MESSAGE_BYTES)).is_ok());
        let long = check(&"é".repeat(MAX_MESSAGE_BYTES / 2 + 1)).unwrap_err();
        assert!(long.message.contains("4098 bytes"), "{}", long.message);
    }
}
