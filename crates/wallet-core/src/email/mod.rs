//! E-mail wallets (docs/api/auth.md §4–§7, §11) and the e-mail confirmation of any account
//! (docs/api/account.md §8).
//!
//! Sign-up: IBEx mails a one-time code; the core makes the signer key, seals it with the
//! user's passphrase ([`backup`]), proves the key over IBEx's signed challenge and posts code,
//! proof and backup in one request, so a wrong code leaves nothing behind at IBEx. The key
//! goes to the OS keychain. Sign-in: a code, then `/auth/email/recover` returns the backup and
//! a fresh challenge; with the key in this computer's keychain the core signs at once,
//! otherwise (a new computer) it asks for the passphrase and opens the backup, in Rust only.

pub mod backup;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use ibex::models::account::{ConfirmEmailRequest, ValidateEmailRequest};
use ibex::models::auth::{
    AuthChallenge, Challenge, ChallengeRequest, EmailRecoverRequest, EmailRecovery, SignInRequest,
    SignUpRequest, WalletKind,
};
use ibex::Secret;
use k256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::core::network_key;
use crate::error::{AppError, Context, ErrorCode};
use crate::messages::Msg;
use crate::network::Connection;
use crate::secrets::{load_item, store_item, SecretItem};
use crate::session::{SessionInfo, SignerKind};
use crate::sync::lock;
use backup::{Passphrase, Sealed};

/// A new code may be asked for this long after the last one (the sign-in code lives 30 s,
/// docs/api/gaps.md G27).
pub const RESEND_AFTER: Duration = Duration::from_secs(30);
/// Where IBEx keeps a confirmed address (the confirm route's default `userDataName`).
const CONFIRMED_KEY: &str = "marketing.email";

/// A code was sent: to whom, until when, and when another may be asked for.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CodeSent {
    pub email: String,
    /// ISO 8601, as IBEx gave it; `None` when IBEx does not say.
    pub expires_at: Option<String>,
    pub resend_in_seconds: u32,
}

/// Where an e-mail sign-in stands after the code.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum EmailSignIn {
    SignedIn {
        session: SessionInfo,
    },
    /// This computer does not hold the key: the backup's passphrase opens it.
    PassphraseNeeded,
}

/// The account's e-mail as IBEx keeps it (Settings).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EmailStatus {
    /// The confirmed address, if any.
    pub confirmed: Option<String>,
    /// An address waiting for its code.
    pub pending: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Purpose {
    SignUp,
    SignIn,
    Confirm,
}

/// One e-mail flow waiting for its code or passphrase. Holds pending tokens and possibly the
/// sealed backup: in memory only, dropped (and zeroized) with the flow.
struct Pending {
    purpose: Purpose,
    email: String,
    user: Option<String>,
    material: Option<AuthChallenge>,
    recovery: Option<EmailRecovery>,
    /// Sign-up: the key already made and sealed, kept for a retry after a wrong code (Argon2id
    /// takes a moment) with the same passphrase, recognised by its SHA-256.
    sealed: Option<SealedKey>,
    sent: Instant,
}

struct SealedKey {
    passphrase_hash: Zeroizing<[u8; 32]>,
    key: SigningKey,
    sealed: Sealed,
}

/// The e-mail flows of one connection.
#[derive(Default)]
pub(crate) struct EmailFlows {
    pending: Mutex<Option<Pending>>,
}

impl EmailFlows {
    fn take(&self, purpose: Purpose) -> Result<Pending, AppError> {
        match lock(&self.pending).take() {
            Some(p) if p.purpose == purpose => Ok(p),
            other => {
                *lock(&self.pending) = other;
                Err(AppError::new(ErrorCode::Conflict, Msg::EmailNoCodePending))
            }
        }
    }

    fn put(&self, p: Pending) {
        *lock(&self.pending) = Some(p);
    }
}

/// A plausible address (IBEx checks deliverability): `local@domain.tld`, no spaces.
pub fn check_email(text: &str) -> Result<String, AppError> {
    let email = text.trim().to_ascii_lowercase();
    let (local, domain) = email.split_once('@').unwrap_or(("", ""));
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.contains(char::is_whitespace);
    if ok {
        Ok(email)
    } else {
        Err(AppError::validation(Msg::EmailInvalid))
    }
}

/// The 6-digit code IBEx mails (spaces allowed in between, as people copy them).
pub fn check_code(text: &str) -> Result<Secret, AppError> {
    let code: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(Secret::new(code.as_str()))
    } else {
        Err(AppError::validation(Msg::EmailCodeFormat))
    }
}

/// IBEx's answer to a wrong, expired or burnt code, and otherwise what `refused` says.
fn code_error(e: ibex::Error) -> AppError {
    AppError::from_ibex(
        &e,
        &Context {
            refused: Some((ErrorCode::Unauthorized, Msg::EmailCodeRefused)),
            ..Context::default()
        },
    )
}

fn sent(email: &str, expires_at: Option<String>) -> CodeSent {
    CodeSent {
        email: email.to_owned(),
        expires_at,
        resend_in_seconds: RESEND_AFTER.as_secs() as u32,
    }
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn blocking_stopped(e: tokio::task::JoinError) -> AppError {
    AppError::internal(Msg::Unexpected {
        detail: e.to_string(),
    })
}

/// The recovery answer as the challenge a key proof signs.
fn recovery_challenge(r: &EmailRecovery) -> AuthChallenge {
    AuthChallenge {
        challenge: r.challenge.clone().map(Challenge::Nonce),
        challenge_expires_at: r.challenge_expires_at.clone(),
        server_signature: r.server_signature.clone(),
        server_key_id: r.server_key_id.clone(),
        external_user_id: r.external_user_id.clone(),
        ..AuthChallenge::default()
    }
}

fn sealed_of(r: &EmailRecovery) -> Result<Sealed, AppError> {
    let none = || AppError::new(ErrorCode::BadResponse, Msg::BackupMissing);
    Ok(Sealed {
        encrypted_private_key: r
            .encrypted_private_key
            .as_ref()
            .map(|s| s.expose().to_owned())
            .ok_or_else(none)?,
        backup_salt: r.backup_salt.clone().ok_or_else(none)?,
        backup_kdf: r.backup_kdf.clone().ok_or_else(none)?,
    })
}

/// The e-mail commands.
impl crate::Core {
    /// Step 1 of an e-mail wallet: IBEx mails a code to `email`.
    pub async fn email_sign_up_start(&self, email: String) -> Result<CodeSent, AppError> {
        let email = check_email(&email)?;
        let conn = self.connection().await?;
        let material = conn
            .client
            .sign_up_challenge(&ChallengeRequest::Email {
                email: Some(email.clone()),
                external_user_id: None,
            })
            .await?;
        let user = material
            .external_user_id
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoAccountId))?;
        let expires = material.email_otp_expires_at.clone();
        conn.email.put(Pending {
            purpose: Purpose::SignUp,
            email: email.clone(),
            user: Some(user),
            material: Some(material),
            recovery: None,
            sealed: None,
            sent: Instant::now(),
        });
        Ok(sent(&email, expires))
    }

    /// Step 2: the mailed code and the backup passphrase. The key is made, sealed and proved
    /// here; one request carries code, proof and backup, so a refused code changes nothing.
    pub async fn email_sign_up_finish(
        &self,
        code: String,
        passphrase: String,
    ) -> Result<SessionInfo, AppError> {
        let code = check_code(&code)?;
        let pass = Passphrase::new_for_backup(passphrase)?;
        let conn = self.connection().await?;
        let mut pending = conn.email.take(Purpose::SignUp)?;
        let result = self.finish_sign_up(&conn, &mut pending, code, pass).await;
        if result.is_err() {
            conn.email.put(pending);
        }
        result
    }

    async fn finish_sign_up(
        &self,
        conn: &Connection,
        pending: &mut Pending,
        code: Secret,
        pass: Passphrase,
    ) -> Result<SessionInfo, AppError> {
        let material = pending
            .material
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::Conflict, Msg::EmailNoCodePending))?;
        let user = pending.user.clone().unwrap_or_default();
        let app_id = conn.client.config().rp_id.clone();
        let passphrase_hash = pass.sha256();
        let reuse = pending
            .sealed
            .take()
            .filter(|s| s.passphrase_hash == passphrase_hash);
        let sealed = match reuse {
            Some(s) => s,
            None => {
                let u = user.clone();
                tokio::task::spawn_blocking(move || {
                    let key = backup::new_key();
                    let sealed = backup::seal(&key, &pass, &u)?;
                    Ok::<_, AppError>(SealedKey {
                        passphrase_hash,
                        key,
                        sealed,
                    })
                })
                .await
                .map_err(blocking_stopped)??
            }
        };
        let proof = crate::pin::proof(&sealed.key, &material, &app_id, &user, now_unix())?;
        let key = sealed.key.clone();
        let fields = sealed.sealed.fields();
        pending.sealed = Some(sealed);
        let body = SignUpRequest {
            wallet: Some(WalletKind::Email),
            external_user_id: Some(user.clone()),
            email_otp: Some(code),
            kdf_proof: Some(proof),
            extra: fields,
            ..SignUpRequest::default()
        };
        let pending_token = material.tokens.as_ref().map(|t| t.access_token.clone());
        let session = conn
            .client
            .sign_up(&body, pending_token.as_ref())
            .await
            .map_err(code_error)?;
        self.keep_key(conn, &pending.email, &user, &key).await;
        let info = conn
            .auth
            .start(&session.tokens, SignerKind::Email, self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(conn, info))
    }

    /// Sign-in step 1: a code to `email`. An account this computer knows is asked for by its
    /// `externalUserId` (`GET /auth/sign-in?wallet=email`); any other through
    /// `/auth/email/recover {email}` (docs/api/gaps.md G9), which is how a new computer finds it.
    pub async fn email_sign_in_start(&self, email: String) -> Result<CodeSent, AppError> {
        let email = check_email(&email)?;
        let conn = self.connection().await?;
        let user = self.email_account(&conn, &email);
        let expires = match &user {
            Some(user) => {
                conn.client
                    .sign_in_challenge(&ChallengeRequest::Email {
                        email: None,
                        external_user_id: Some(user.clone()),
                    })
                    .await?
                    .email_otp_expires_at
            }
            None => {
                conn.client
                    .email_recover(&EmailRecoverRequest {
                        email: Some(email.clone()),
                        ..EmailRecoverRequest::default()
                    })
                    .await?;
                None
            }
        };
        conn.email.put(Pending {
            purpose: Purpose::SignIn,
            email: email.clone(),
            user,
            material: None,
            recovery: None,
            sealed: None,
            sent: Instant::now(),
        });
        Ok(sent(&email, expires))
    }

    /// Sign-in step 2: the code opens the backup and a fresh challenge. With the key in this
    /// computer's keychain the core signs in at once; otherwise it asks for the passphrase.
    pub async fn email_sign_in_code(&self, code: String) -> Result<EmailSignIn, AppError> {
        let code = check_code(&code)?;
        let conn = self.connection().await?;
        let mut pending = conn.email.take(Purpose::SignIn)?;
        let recovered = conn
            .client
            .email_recover(&EmailRecoverRequest {
                external_user_id: pending.user.clone(),
                email_otp: Some(code),
                email: Some(pending.email.clone()),
            })
            .await
            .map_err(code_error);
        let recovery = match recovered {
            Ok(r) => r,
            Err(e) => {
                conn.email.put(pending);
                return Err(e);
            }
        };
        let user = recovery
            .external_user_id
            .clone()
            .or(pending.user.clone())
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoAccountId))?;
        pending.user = Some(user.clone());
        let known = self.stored_key(&conn, &user).await;
        pending.recovery = Some(recovery);
        match known {
            Some(key) => match self.sign_in_with(&conn, &pending, &key).await {
                Ok(session) => Ok(EmailSignIn::SignedIn { session }),
                Err(e) => {
                    conn.email.put(pending);
                    Err(e)
                }
            },
            None => {
                conn.email.put(pending);
                Ok(EmailSignIn::PassphraseNeeded)
            }
        }
    }

    /// Sign-in step 3 on a new computer: the passphrase opens the backup (a wrong one can be
    /// typed again without a new code while IBEx's challenge lives), the key is kept in this
    /// computer's keychain and signs in.
    pub async fn email_sign_in_passphrase(
        &self,
        passphrase: String,
    ) -> Result<SessionInfo, AppError> {
        let pass = Passphrase::entered(passphrase)?;
        let conn = self.connection().await?;
        let pending = conn.email.take(Purpose::SignIn)?;
        let result = self.open_backup(&conn, &pending, pass).await;
        match result {
            Ok(info) => Ok(info),
            Err(e) => {
                conn.email.put(pending);
                Err(e)
            }
        }
    }

    async fn open_backup(
        &self,
        conn: &Connection,
        pending: &Pending,
        pass: Passphrase,
    ) -> Result<SessionInfo, AppError> {
        let recovery = pending
            .recovery
            .as_ref()
            .ok_or_else(|| AppError::new(ErrorCode::Conflict, Msg::EmailNoCodePending))?;
        let sealed = sealed_of(recovery)?;
        let user = pending.user.clone().unwrap_or_default();
        let u = user.clone();
        let key = tokio::task::spawn_blocking(move || backup::open(&sealed, &pass, &u))
            .await
            .map_err(blocking_stopped)??;
        let info = self.sign_in_with(conn, pending, &key).await?;
        self.keep_key(conn, &pending.email, &user, &key).await;
        Ok(info)
    }

    /// Signs the recovery challenge with `key` and posts the e-mail sign-in.
    async fn sign_in_with(
        &self,
        conn: &Connection,
        pending: &Pending,
        key: &SigningKey,
    ) -> Result<SessionInfo, AppError> {
        let recovery = pending
            .recovery
            .as_ref()
            .ok_or_else(|| AppError::new(ErrorCode::Conflict, Msg::EmailNoCodePending))?;
        let user = pending.user.clone().unwrap_or_default();
        let app_id = conn.client.config().rp_id.clone();
        let proof = crate::pin::proof(
            key,
            &recovery_challenge(recovery),
            &app_id,
            &user,
            now_unix(),
        )?;
        let body = SignInRequest {
            wallet: Some(WalletKind::Email),
            external_user_id: Some(user.clone()),
            kdf_proof: Some(proof),
            ..SignInRequest::default()
        };
        let session = conn.client.sign_in(&body).await.map_err(|e| {
            AppError::from_ibex(
                &e,
                &Context {
                    refused: Some((ErrorCode::Unauthorized, Msg::EmailKeyRefused)),
                    ..Context::default()
                },
            )
        })?;
        self.remember_email_account(conn, &pending.email, &user);
        let info = conn
            .auth
            .start(&session.tokens, SignerKind::Email, self.secrets.as_ref())
            .await?;
        Ok(self.remember_signer(conn, info))
    }

    /// A new code for the flow waiting for one, once [`RESEND_AFTER`] has passed.
    pub async fn email_resend(&self) -> Result<CodeSent, AppError> {
        let conn = self.connection().await?;
        let (purpose, email, wait) = {
            let pending = lock(&conn.email.pending);
            let p = pending
                .as_ref()
                .ok_or_else(|| AppError::new(ErrorCode::Conflict, Msg::EmailNoCodePending))?;
            (
                p.purpose,
                p.email.clone(),
                RESEND_AFTER.saturating_sub(p.sent.elapsed()),
            )
        };
        if !wait.is_zero() {
            return Err(AppError::validation(Msg::EmailResendWait {
                seconds: wait.as_secs().max(1),
            }));
        }
        match purpose {
            Purpose::SignUp => self.email_sign_up_start(email).await,
            Purpose::SignIn => self.email_sign_in_start(email).await,
            Purpose::Confirm => self.email_confirm_start(email).await,
        }
    }

    /// Forgets the flow waiting for a code (the user went back).
    pub async fn email_cancel(&self) -> Result<bool, AppError> {
        let conn = self.connection().await?;
        let had = lock(&conn.email.pending).take().is_some();
        Ok(had)
    }

    /// Settings: IBEx mails a code to confirm `email` for the signed-in account.
    pub async fn email_confirm_start(&self, email: String) -> Result<CodeSent, AppError> {
        let email = check_email(&email)?;
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let user = session_user(&conn)?;
        session
            .validate_email(&ValidateEmailRequest {
                email: email.clone(),
                external_user_id: user.clone(),
            })
            .await?;
        conn.email.put(Pending {
            purpose: Purpose::Confirm,
            email: email.clone(),
            user: Some(user),
            material: None,
            recovery: None,
            sealed: None,
            sent: Instant::now(),
        });
        Ok(sent(&email, None))
    }

    /// Settings: the code confirms the address; IBEx keeps it on the account.
    pub async fn email_confirm_code(&self, code: String) -> Result<EmailStatus, AppError> {
        let code = check_code(&code)?;
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let pending = conn.email.take(Purpose::Confirm)?;
        let confirmed = session
            .confirm_email(&ConfirmEmailRequest {
                email: pending.email.clone(),
                code: code.expose().to_owned(),
                external_user_id: pending.user.clone().unwrap_or_default(),
                user_data_name: None,
                optin_news: None,
                optin_notifications: None,
            })
            .await
            .map_err(code_error);
        if let Err(e) = confirmed {
            conn.email.put(pending);
            return Err(e);
        }
        self.email_status().await
    }

    /// The account's confirmed address as IBEx keeps it, and one waiting for its code.
    pub async fn email_status(&self) -> Result<EmailStatus, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let user = session_user(&conn)?;
        let data = session.read_user_data(&user).await?;
        let confirmed = data
            .as_ref()
            .and_then(|d| d.get(CONFIRMED_KEY))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let pending = lock(&conn.email.pending)
            .as_ref()
            .filter(|p| p.purpose == Purpose::Confirm)
            .map(|p| p.email.clone());
        Ok(EmailStatus { confirmed, pending })
    }

    /// The key in the keychain (the wallet works without it: the backup stays at IBEx).
    async fn keep_key(&self, conn: &Connection, email: &str, user: &str, key: &SigningKey) {
        let rp_id = conn.client.config().rp_id.clone();
        let secret = Secret::new(crate::hex::encode(&Zeroizing::new(key.to_bytes())));
        let saved = store_item(
            self.secrets.clone(),
            SecretItem::EmailKey,
            &key_identity(conn, user),
            &rp_id,
            Some(secret),
        )
        .await;
        if let Err(why) = saved {
            tracing::warn!(%why, "e-mail wallet key not kept in the keychain; the passphrase opens the backup next time");
        }
        self.remember_email_account(conn, email, user);
    }

    async fn stored_key(&self, conn: &Connection, user: &str) -> Option<SigningKey> {
        let rp_id = conn.client.config().rp_id.clone();
        let secret = load_item(
            self.secrets.clone(),
            SecretItem::EmailKey,
            &key_identity(conn, user),
            &rp_id,
        )
        .await?;
        let bytes = Zeroizing::new(crate::hex::decode(secret.expose())?);
        SigningKey::from_slice(&bytes).ok()
    }

    fn email_account(&self, conn: &Connection, email: &str) -> Option<String> {
        self.store
            .get(&network_key("email-accounts", conn))?
            .get(email)?
            .as_str()
            .map(str::to_owned)
    }

    fn remember_email_account(&self, conn: &Connection, email: &str, user: &str) {
        let key = network_key("email-accounts", conn);
        let mut map = self
            .store
            .get(&key)
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({}));
        map[email] = serde_json::Value::String(user.to_owned());
        if let Err(e) = self.store.set(&key, map) {
            tracing::warn!(error = %e, "e-mail account not remembered");
        }
    }
}

/// The keychain item of one e-mail wallet's key: per network and account.
fn key_identity(conn: &Connection, user: &str) -> String {
    format!("{}#{user}", conn.identity)
}

fn session_user(conn: &Connection) -> Result<String, AppError> {
    match conn.auth.info() {
        SessionInfo::SignedIn { account, .. } => account
            .external_user_id
            .ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::NoAccountId)),
        SessionInfo::SignedOut { .. } => {
            Err(AppError::new(ErrorCode::SessionExpired, Msg::SignInFirst))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_codes_are_checked_before_anything_is_sent() {
        assert_eq!(check_email(" Ada@Example.org ").unwrap(), "ada@example.org");
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@.org",
        ] {
            assert_eq!(
                check_email(bad).unwrap_err().text(),
                Some(&Msg::EmailInvalid),
                "{bad}"
            );
        }
        assert_eq!(check_code("123 456").unwrap().expose(), "123456");
        for bad in ["", "12345", "1234567", "12a456"] {
            assert_eq!(
                check_code(bad).unwrap_err().text(),
                Some(&Msg::EmailCodeFormat),
                "{bad}"
            );
        }
    }
}
