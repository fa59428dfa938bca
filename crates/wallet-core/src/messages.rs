//! Every text the core shows the user, in English and French (see `i18n.rs`).
//!
//! One line per message: its id, its typed arguments, then the English and the French. The
//! macro builds the [`Msg`] enum and one `match` per language, so a message without both texts
//! does not compile, and a placeholder that is not an argument (or an argument a language
//! leaves out: an unused binding under `-D warnings`) fails the build.
//! French: vouvoiement, « » for quotes, a no-break space (U+00A0 before `:`, U+202F before
//! `; ! ?`), “clé d’accès” for passkey; `messages_follow_french_typography` checks the marks.

use crate::i18n::Locale;

macro_rules! messages {
    ($( $(#[$doc:meta])* $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? => $en:literal, $fr:literal; )*) => {
        /// A user-facing text of the core: its id and arguments, rendered per locale.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Msg {
            $( $(#[$doc])* $name $({ $($field: $ty),* })?, )*
        }

        impl Msg {
            pub fn render(&self, locale: Locale) -> String {
                match locale {
                    Locale::En => match self {
                        $( Msg::$name $({ $($field),* })? => format!($en), )*
                    },
                    Locale::Fr => match self {
                        $( Msg::$name $({ $($field),* })? => format!($fr), )*
                    },
                }
            }

            /// One value of every message (arguments empty or zero), for catalog tests.
            #[cfg(test)]
            pub(crate) fn every() -> Vec<Msg> {
                vec![ $( Msg::$name $({ $($field: Default::default()),* })?, )* ]
            }
        }
    };
}

messages! {
    // Session and sign-in
    SignInFirst => "Sign in with your passkey first.", "Connectez-vous d’abord avec votre clé d’accès.";
    WalletLocked => "The wallet is locked. Unlock it with your passkey.", "Le portefeuille est verrouillé. Déverrouillez-le avec votre clé d’accès.";
    SessionNotResumed { error: String } => "Your last session could not be resumed. The wallet keeps trying; try again or sign in again now. Why: {error}", "Votre dernière session n’a pas pu être reprise. Le portefeuille continue d’essayer\u{202f}; réessayez ou reconnectez-vous maintenant. Motif\u{a0}: {error}";
    SessionNotResumedFor { label: String, error: String } => "Your session for {label} could not be resumed. It stays on this device and the wallet keeps trying; try again or sign in again now. Why: {error}", "Votre session pour {label} n’a pas pu être reprise. Elle reste sur cet appareil et le portefeuille continue d’essayer\u{202f}; réessayez ou reconnectez-vous maintenant. Motif\u{a0}: {error}";
    SessionEndedWhileClosed { label: String } => "Your session for {label} ended while the wallet was closed. Sign in again to use it.", "Votre session pour {label} a pris fin pendant que le portefeuille était fermé. Reconnectez-vous pour l’utiliser.";
    LastSessionEndedWhileClosed => "Your last session ended while the wallet was closed. Sign in again to use it.", "Votre dernière session a pris fin pendant que le portefeuille était fermé. Reconnectez-vous pour l’utiliser.";
    SessionEndedFor { label: String } => "Your session for {label} expired. Sign in again to use it.", "Votre session pour {label} a expiré. Reconnectez-vous pour l’utiliser.";
    NoPasskeyOptions => "IBEx sent no passkey options for this request.", "IBEx n’a envoyé aucune option de clé d’accès pour cette demande.";
    WrongPasskeyOptions => "IBEx sent the wrong kind of passkey options for this request.", "IBEx a envoyé des options de clé d’accès qui ne correspondent pas à cette demande.";
    NoPasskeyChallenge => "IBEx's passkey options have no challenge.", "Les options de clé d’accès d’IBEx ne contiennent aucun défi.";
    RpIdMismatchSignUp { asked: String, configured: String } => "IBEx asked to sign your sign-up with a passkey for {asked}, but this network is set up for {configured}. Nothing was signed; check the network's rpId in the settings.", "IBEx a demandé de signer votre inscription avec une clé d’accès pour {asked}, mais ce réseau est configuré pour {configured}. Rien n’a été signé\u{202f}; vérifiez le rpId du réseau dans les paramètres.";
    RpIdMismatchSignIn { asked: String, configured: String } => "IBEx asked to sign your sign-in with a passkey for {asked}, but this network is set up for {configured}. Nothing was signed; check the network's rpId in the settings.", "IBEx a demandé de signer votre connexion avec une clé d’accès pour {asked}, mais ce réseau est configuré pour {configured}. Rien n’a été signé\u{202f}; vérifiez le rpId du réseau dans les paramètres.";
    RpIdMismatchOperation { asked: String, configured: String } => "IBEx asked to sign this operation with a passkey for {asked}, but this network is set up for {configured}. Nothing was signed; check the network's rpId in the settings.", "IBEx a demandé de signer cette opération avec une clé d’accès pour {asked}, mais ce réseau est configuré pour {configured}. Rien n’a été signé\u{202f}; vérifiez le rpId du réseau dans les paramètres.";
    RpIdNotServed { rp_id: String } => "This IBEx server does not serve the rpId {rp_id}. Check the network's rpId in the settings.", "Ce serveur IBEx ne prend pas en charge le rpId {rp_id}. Vérifiez le rpId du réseau dans les paramètres.";
    NoAccountId => "IBEx did not create an account id.", "IBEx n’a pas créé d’identifiant de compte.";
    PasskeyResponseNotJson { error: String } => "The passkey response is not JSON: {error}", "La réponse de la clé d’accès n’est pas du JSON : {error}";
    PasskeyResponseNotCredential { error: String } => "The passkey response is not a credential: {error}", "La réponse de la clé d’accès n’est pas un identifiant valide : {error}";
    PasskeyRequestExpired => "This passkey request expired. Start again.", "Cette demande de clé d’accès a expiré. Recommencez.";
    PasskeyRequestClosed => "This passkey request is no longer open (another one started, or it was used). Start again.", "Cette demande de clé d’accès n’est plus ouverte (une autre a commencé, ou elle a déjà servi). Recommencez.";
    ChallengeExpired => "Your passkey answered after this request had expired (IBEx allows about a minute). Nothing was changed; try again.", "Votre clé d’accès a répondu après l’expiration de la demande (IBEx accorde environ une minute). Rien n’a été modifié ; réessayez.";
    ChallengeUnknown => "IBEx no longer knows this passkey request (it was already used or replaced). Nothing was changed; try again.", "IBEx ne connaît plus cette demande de clé d’accès (elle a déjà servi ou a été remplacée). Rien n’a été modifié ; réessayez.";
    OriginRefused { origin: String } => "IBEx does not accept passkeys used from this page (origin {origin}). Nothing was changed; sign from a page this IBEx allows, or use a PIN.", "IBEx n’accepte pas les clés d’accès utilisées depuis cette page (origine {origin}). Rien n’a été modifié\u{202f}; signez depuis une page autorisée par cet IBEx, ou utilisez un code PIN.";
    PasskeyOtherSite => "This passkey belongs to a different site than this IBEx network. Nothing was changed; use a passkey made for this network.", "Cette clé d’accès appartient à un autre site que ce réseau IBEx. Rien n’a été modifié ; utilisez une clé d’accès créée pour ce réseau.";
    PasskeyRefused => "IBEx did not accept this passkey. Nothing was changed; try again.", "IBEx n’a pas accepté cette clé d’accès. Rien n’a été modifié\u{202f}; réessayez.";
    WrongPin => "That PIN is not right for this wallet. Nothing was changed; try again.", "Ce code PIN ne correspond pas à ce portefeuille. Rien n’a été modifié ; réessayez.";
    WalletPreparing => "Your wallet is still being prepared.", "Votre portefeuille est encore en préparation.";
    // The passkey's answer (clientDataJSON)
    NoClientData => "The passkey response has no response.clientDataJSON.", "La réponse de la clé d’accès ne contient pas de response.clientDataJSON.";
    ClientDataNotBase64 => "The passkey response's clientDataJSON is not base64url.", "Le clientDataJSON de la réponse de la clé d’accès n’est pas en base64url.";
    ClientDataUnreadable { error: String } => "The passkey response's clientDataJSON is unreadable: {error}", "Le clientDataJSON de la réponse de la clé d’accès est illisible : {error}";
    WrongCeremony { got: String, expected: String } => "The passkey response is a {got} ceremony, expected {expected}.", "La réponse de la clé d’accès correspond à une cérémonie {got} au lieu de {expected}.";
    OtherChallenge => "The passkey signed a different challenge than this request's. Nothing was sent; start again.", "La clé d’accès a signé un autre défi que celui de cette demande. Rien n’a été envoyé ; recommencez.";
    OtherOrigin { got: String, origin: String } => "The passkey answered for the page {got}, not for {origin}. Nothing was sent; start again.", "La clé d’accès a répondu pour la page {got}, et non pour {origin}. Rien n’a été envoyé ; recommencez.";
    // PIN
    EnterPin => "Enter a PIN.", "Saisissez un code PIN.";
    PinTooShort { min: usize } => "Your PIN must have at least {min} characters.", "Votre code PIN doit comporter au moins {min} caractères.";
    PinTooLong => "That PIN is too long.", "Ce code PIN est trop long.";
    PinParameters { detail: String } => "IBEx's PIN parameters: {detail}", "Paramètres de code PIN d’IBEx : {detail}";
    PinChallengeField { field: String } => "IBEx's PIN challenge has no {field}", "Le défi de code PIN d’IBEx ne contient pas de {field}";
    NoPinWallet => "No PIN wallet was created on this device for this network.", "Aucun portefeuille à code PIN n’a été créé sur cet appareil pour ce réseau.";
    PinAccountNotRemembered { error: String } => "The PIN account was not remembered: {error}", "Le compte à code PIN n’a pas été mémorisé : {error}";
    // Security keys and the passkey's answer (tenant)
    PasskeyChallengeNotBase64 => "IBEx's passkey challenge is not base64url.", "Le défi de clé d’accès d’IBEx n’est pas en base64url.";
    KeyNoAnswer => "The security key request ended without an answer.", "La demande à la clé de sécurité s’est terminée sans réponse.";
    KeyPinNotSet => "This security key has no PIN, and this wallet needs you verified. Nothing was sent; set a PIN on the key (e.g. in your OS's security key settings) and try again.", "Cette clé de sécurité n’a pas de code PIN, et ce portefeuille exige votre vérification. Rien n’a été envoyé\u{202f}; définissez un code PIN sur la clé (par exemple dans les réglages de clés de sécurité de votre système) et réessayez.";
    KeyNoCredential => "The security key's registration carries no credential.", "L’enregistrement de la clé de sécurité ne contient aucun identifiant.";
    KeyNoCredentialId => "The security key did not say which passkey signed.", "La clé de sécurité n’a pas indiqué quelle clé d’accès a signé.";
    KeyCancelled => "The security key request was cancelled. Nothing was sent.", "La demande à la clé de sécurité a été annulée. Rien n’a été envoyé.";
    KeyPinBlocked => "This security key's PIN is blocked after too many wrong PINs. Nothing was sent; reset the key (this erases its passkeys) or use another key.", "Le code PIN de cette clé de sécurité est bloqué après trop d’essais erronés. Rien n’a été envoyé\u{202f}; réinitialisez la clé (cela efface ses clés d’accès) ou utilisez-en une autre.";
    KeyPinAuthBlocked => "This security key stopped taking PINs after three wrong ones. Nothing was sent; unplug it, plug it back in and try again.", "Cette clé de sécurité n’accepte plus de code PIN après trois essais erronés. Rien n’a été envoyé\u{202f}; débranchez-la, rebranchez-la et réessayez.";
    KeyNotRegistered => "This security key holds no passkey for this wallet. Nothing was sent; use the key you signed up with.", "Cette clé de sécurité ne contient aucune clé d’accès pour ce portefeuille. Rien n’a été envoyé\u{202f}; utilisez la clé avec laquelle vous vous êtes inscrit.";
    KeyAlreadyRegistered => "This security key is already registered for this wallet. Nothing was created; sign in with it instead.", "Cette clé de sécurité est déjà enregistrée pour ce portefeuille. Rien n’a été créé\u{202f}; connectez-vous plutôt avec elle.";
    KeyNotTouched => "The security key was not touched in time. Nothing was sent; try again and touch the key when it blinks.", "La clé de sécurité n’a pas été touchée à temps. Rien n’a été envoyé\u{202f}; réessayez et touchez la clé lorsqu’elle clignote.";
    KeyTooSlow => "The security key did not finish in time. Nothing was sent; try again.", "La clé de sécurité n’a pas terminé à temps. Rien n’a été envoyé\u{202f}; réessayez.";
    NoKeyAnswered => "No security key answered. Nothing was sent; plug in your key and try again (on Linux the wallet's udev rule must be installed, see the README).", "Aucune clé de sécurité n’a répondu. Rien n’a été envoyé\u{202f}; branchez votre clé et réessayez (sous Linux, la règle udev du portefeuille doit être installée, voir le README).";
    EnterKeyPin => "Enter the security key's PIN.", "Saisissez le code PIN de la clé de sécurité.";
    WindowsPromptClosed => "The Windows passkey prompt was closed or timed out. Nothing was sent.", "La fenêtre de clé d’accès de Windows a été fermée ou a expiré. Rien n’a été envoyé.";
    WindowsNoPasskey => "This device or key holds no passkey for this wallet. Nothing was sent; use the one you signed up with.", "Cet appareil ou cette clé ne contient aucune clé d’accès pour ce portefeuille. Rien n’a été envoyé\u{202f}; utilisez celui ou celle avec lequel vous vous êtes inscrit.";
    PasskeyAlreadyRegistered => "This passkey is already registered for this wallet. Nothing was created; sign in with it instead.", "Cette clé d’accès est déjà enregistrée pour ce portefeuille. Rien n’a été créé\u{202f}; connectez-vous plutôt avec elle.";
    WindowsNoAuthenticator => "Windows found no authenticator. Nothing was sent; set up Windows Hello or plug in a security key.", "Windows n’a trouvé aucun authentificateur. Rien n’a été envoyé\u{202f}; configurez Windows Hello ou branchez une clé de sécurité.";
    WindowsPromptTimedOut => "The Windows passkey prompt timed out. Nothing was sent; try again.", "La fenêtre de clé d’accès de Windows a expiré. Rien n’a été envoyé\u{202f}; réessayez.";
    AuthDataTooShort => "The passkey's authenticator data is too short.", "Les données d’authentificateur de la clé d’accès sont trop courtes.";
    UserNotPresent => "The passkey did not confirm you were present. Nothing was sent; try again and touch your key.", "La clé d’accès n’a pas confirmé votre présence. Rien n’a été envoyé\u{202f}; réessayez et touchez votre clé.";
    UserNotVerified => "The passkey did not verify you (no PIN or fingerprint was used), which this wallet requires. Nothing was sent; set a PIN on your security key and try again.", "La clé d’accès ne vous a pas vérifié (ni code PIN ni empreinte digitale), ce que ce portefeuille exige. Rien n’a été envoyé\u{202f}; définissez un code PIN sur votre clé de sécurité et réessayez.";
    SignatureNotEcdsa => "The passkey's signature is not an ECDSA signature.", "La signature de la clé d’accès n’est pas une signature ECDSA.";
    SignatureInvalid => "The passkey's signature does not verify with its public key. Nothing was sent.", "La signature de la clé d’accès ne se vérifie pas avec sa clé publique. Rien n’a été envoyé.";
    AttestationNotCbor => "The passkey's attestation object is not CBOR.", "L’objet d’attestation de la clé d’accès n’est pas du CBOR.";
    AttestationNotMap => "The passkey's attestation object is not a map.", "L’objet d’attestation de la clé d’accès n’est pas un dictionnaire CBOR.";
    AttestationNoAuthData => "The passkey's attestation has no authenticator data.", "L’attestation de la clé d’accès ne contient pas de données d’authentificateur.";
    RegistrationNoCredential => "The passkey's registration carries no new credential.", "L’enregistrement de la clé d’accès ne contient aucun nouvel identifiant.";
    CredentialIdDiffers => "The passkey's credential id differs from the one it reported.", "L’identifiant de la clé d’accès diffère de celui qu’elle a annoncé.";
    SelfAttestationNoSignature => "The passkey's self-attestation has no signature.", "L’auto-attestation de la clé d’accès ne contient pas de signature.";
    AttestedDataMalformed => "The passkey's attested credential data is malformed.", "Les données d’identifiant attestées de la clé d’accès sont mal formées.";
    KeyFailed { error: String } => "The security key failed: {error}. Nothing was sent.", "La clé de sécurité a échoué\u{a0}: {error}. Rien n’a été envoyé.";
    PasskeyOptionsBad { detail: String } => "IBEx's passkey options: {detail}.", "Options de clé d’accès d’IBEx\u{a0}: {detail}.";
    WindowsRefused { hresult: String } => "Windows refused the passkey request (HRESULT {hresult}). Nothing was sent.", "Windows a refusé la demande de clé d’accès (HRESULT {hresult}). Rien n’a été envoyé.";
    AnswerUnreadable { pointer: String } => "The passkey's answer has no readable {pointer}.", "La réponse de la clé d’accès ne contient pas de {pointer} lisible.";
    PasskeyForOtherSite { rp_id: String } => "The passkey answered for another site than {rp_id}. Nothing was sent.", "La clé d’accès a répondu pour un autre site que {rp_id}. Rien n’a été envoyé.";
    PinDerivationStopped { error: String } => "The PIN key derivation stopped: {error}", "La dérivation de la clé du code PIN s’est interrompue\u{a0}: {error}";
    // Verify-after-execution (harden)
    MismatchTitle => "Operation did not do what you approved", "L’opération n’a pas fait ce que vous avez approuvé";
    MismatchBody { hash: String, what: String } => "Transaction {hash} shows {what}. Check your activity and contact IBEx.", "La transaction {hash} indique {what}. Vérifiez votre activité et contactez IBEx.";
    MismatchDifference { field: String, on_chain: String, reviewed: String } => "{field} {on_chain} instead of {reviewed}", "{field} {on_chain} au lieu de {reviewed}";
    MismatchRecipient => "recipient", "destinataire";
    MismatchToken => "token", "jeton";
    MismatchAmount => "amount", "montant";
    MismatchChain => "chain", "réseau";
    // The settings file (harden)
    StoreRestored { name: String } => "{name} was missing; its copy was restored.", "{name} était introuvable\u{202f}; sa copie a été restaurée.";
    StoreRestoredKept { name: String, why: String, path: String } => "{name} was unreadable ({why}); its copy was restored and the damaged file is kept as {path}.", "{name} était illisible ({why})\u{202f}; sa copie a été restaurée et le fichier endommagé est conservé sous {path}.";
    StoreRestoredNotSetAside { name: String, why: String, error: String } => "{name} was unreadable ({why}); its copy was restored, but the damaged file could not be set aside ({error}).", "{name} était illisible ({why})\u{202f}; sa copie a été restaurée, mais le fichier endommagé n’a pas pu être mis de côté ({error}).";
    StoreDefaultsKept { name: String, why: String, path: String } => "{name} was unreadable ({why}) and had no readable copy; defaults are in use and it is kept as {path}.", "{name} était illisible ({why}) et n’avait aucune copie lisible\u{202f}; les valeurs par défaut sont utilisées et le fichier est conservé sous {path}.";
    StoreDefaultsNotSetAside { name: String, why: String, error: String } => "{name} was unreadable ({why}) and had no readable copy; defaults are in use and it could not be set aside ({error}).", "{name} était illisible ({why}) et n’avait aucune copie lisible\u{202f}; les valeurs par défaut sont utilisées, mais le fichier n’a pas pu être mis de côté ({error}).";
    // macOS passkeys and updates
    AttestationNoAuthDataNothingSent => "The passkey's attestation object has no authenticator data. Nothing was sent.", "L’objet d’attestation de la clé d’accès ne contient pas de données d’authentificateur. Rien n’a été envoyé.";
    MacPromptClosed => "The Touch ID prompt was closed. Nothing was sent.", "La fenêtre Touch ID a été fermée. Rien n’a été envoyé.";
    MacUnreadableAnswer => "macOS returned an unreadable passkey answer. Nothing was sent; try again.", "macOS a renvoyé une réponse de clé d’accès illisible. Rien n’a été envoyé\u{202f}; réessayez.";
    MacNoPasskey => "macOS found no passkey for this wallet. Nothing was sent; use the one you signed up with, or a security key.", "macOS n’a trouvé aucune clé d’accès pour ce portefeuille. Rien n’a été envoyé\u{202f}; utilisez celle avec laquelle vous vous êtes inscrit, ou une clé de sécurité.";
    MacNotAssociated => "macOS refused the passkey request: this app is not associated with the wallet's domain. Nothing was sent; use a security key.", "macOS a refusé la demande de clé d’accès\u{a0}: cette application n’est pas associée au domaine du portefeuille. Rien n’a été envoyé\u{202f}; utilisez une clé de sécurité.";
    MacNotInteractive => "macOS could not show the Touch ID prompt; bring the wallet to the front and try again. Nothing was sent.", "macOS n’a pas pu afficher la fenêtre Touch ID\u{202f}; mettez le portefeuille au premier plan et réessayez. Rien n’a été envoyé.";
    MacNotSetUp => "This Mac is not set up for passkeys (turn on iCloud Keychain). Nothing was created; or use a security key.", "Ce Mac n’est pas configuré pour les clés d’accès (activez le trousseau iCloud). Rien n’a été créé\u{202f}; vous pouvez aussi utiliser une clé de sécurité.";
    MacRefused { error: String } => "macOS refused the passkey request (error {error}). Nothing was sent.", "macOS a refusé la demande de clé d’accès (erreur {error}). Rien n’a été envoyé.";
    MacNoWindow => "The wallet has no window to show the Touch ID prompt over. Nothing was sent.", "Le portefeuille n’a aucune fenêtre au-dessus de laquelle afficher la fenêtre Touch ID. Rien n’a été envoyé.";
    MacNoAnswer => "The Touch ID prompt ended without an answer.", "La fenêtre Touch ID s’est fermée sans réponse.";
    MacTimedOut => "The Touch ID prompt timed out. Nothing was sent; try again.", "La fenêtre Touch ID a expiré. Rien n’a été envoyé\u{202f}; réessayez.";
    // Updates (the update server's failures, as the user reads them)
    NoUpdateToInstall => "There is no update to install. Check for updates first.", "Aucune mise à jour à installer. Recherchez d’abord les mises à jour.";
    UpdateOffline => "The update server could not be reached. Check your connection; the wallet tries again later.", "Le serveur de mises à jour est injoignable. Vérifiez votre connexion\u{202f}; le portefeuille réessaiera plus tard.";
    UpdateDownloadStopped => "The download stopped: the update server could not be reached. Nothing was installed.", "Le téléchargement s’est arrêté\u{a0}: le serveur de mises à jour est injoignable. Rien n’a été installé.";
    UpdateServerError { status: u16 } => "The update server answered with an error (HTTP {status}). Nothing was installed; try again later.", "Le serveur de mises à jour a répondu par une erreur (HTTP {status}). Rien n’a été installé\u{202f}; réessayez plus tard.";
    UpdateNotARelease { detail: String } => "The update server's answer is not a release this wallet can use ({detail}). Nothing was installed.", "La réponse du serveur de mises à jour n’est pas une version utilisable par ce portefeuille ({detail}). Rien n’a été installé.";
    UpdateBadSignature => "This update is not signed with IBEx Wallet's key and was refused.", "Cette mise à jour n’est pas signée avec la clé d’IBEx Wallet et a été refusée.";
    UpdateDiskFull => "Not enough disk space to install the update. Free some space and try again; this version keeps running.", "Pas assez d’espace disque pour installer la mise à jour. Libérez de l’espace et réessayez\u{202f}; cette version continue de fonctionner.";
    UpdateWriteFailed { detail: String } => "The update could not be written to disk ({detail}). This version keeps running.", "La mise à jour n’a pas pu être écrite sur le disque ({detail}). Cette version continue de fonctionner.";
    UpdateInstallFailed { detail: String } => "The update could not be installed ({detail}). This version keeps running.", "La mise à jour n’a pas pu être installée ({detail}). Cette version continue de fonctionner.";
    UpdateUnsupported { detail: String } => "This copy of IBEx Wallet cannot update itself ({detail}). Update it the way you installed it.", "Cette copie d’IBEx Wallet ne peut pas se mettre à jour elle-même ({detail}). Mettez-la à jour comme vous l’avez installée.";
    UpdateOlderOffered { offered: String, current: String } => "The update server offered version {offered}, older than this one ({current}). IBEx Wallet never installs an older version.", "Le serveur de mises à jour a proposé la version {offered}, plus ancienne que celle-ci ({current}). IBEx Wallet n’installe jamais une version plus ancienne.";
    UpdateNeedsSpace { needed: String, free: String } => "Not enough disk space for the update: it needs {needed} free and {free} are available. Free some space and try again.", "Pas assez d’espace disque pour la mise à jour\u{a0}: il faut {needed} libres et {free} sont disponibles. Libérez de l’espace et réessayez.";
    UpdateNotAVersion { version: String } => "“{version}” is not a version number", "«\u{a0}{version}\u{a0}» n’est pas un numéro de version";

    // Passkey providers
    ProviderNotInBuild { provider: String } => "The {provider} passkey provider is not available in this build.", "Le fournisseur de clés d’accès {provider} n’est pas disponible dans cette version.";
    TouchIdNeedsAssociation => "Touch ID needs this tenant's app association — use a security key.", "Touch ID nécessite l’association de l’application à ce domaine — utilisez une clé de sécurité.";
    WindowsKeysThroughHello => "On Windows, security keys sign through the Windows Hello prompt (choose \"Security key\" there).", "Sous Windows, les clés de sécurité signent via la fenêtre de Windows Hello (choisissez-y «\u{a0}Clé de sécurité\u{a0}»).";
    LinuxWebviewNoPasskeys => "This Linux WebView has no passkey support — continue in your browser, or use a PIN.", "Cette WebView Linux ne prend pas en charge les clés d’accès — continuez dans votre navigateur, ou utilisez un code PIN.";
    WindowNoPasskeys => "This window has no passkey support — use the system passkey prompt or a PIN.", "Cette fenêtre ne prend pas en charge les clés d’accès — utilisez la demande de clé d’accès du système ou un code PIN.";
    WindowOriginNotAllowed { origin: String, rp_id: String } => "This window ({origin}) may not use passkeys for {rp_id}; passkeys for {rp_id} work only on its own web pages.", "Cette fenêtre ({origin}) ne peut pas utiliser les clés d’accès de {rp_id} : elles ne fonctionnent que sur ses propres pages web.";
    HandoffTenantUnsupported { rp_id: String } => "Passkeys for {rp_id} open in your browser only from {rp_id}'s own sign-in page, which this tenant does not publish.", "Les clés d’accès de {rp_id} ne s’ouvrent dans votre navigateur que depuis la page de connexion de {rp_id}, que ce fournisseur ne publie pas.";
    // Browser hand-off
    PasskeyCancelledByYou => "You cancelled the passkey request. Nothing was signed.", "Vous avez annulé la demande de clé d’accès. Rien n’a été signé.";
    BrowserTimedOut { within: String } => "Your browser did not answer within {within}. Nothing was signed; try again, and confirm the passkey in the browser tab that opens.", "Votre navigateur n’a pas répondu en {within}. Rien n’a été signé ; réessayez, puis confirmez la clé d’accès dans l’onglet qui s’ouvre.";
    BrowserPromptClosed => "The passkey prompt in your browser was closed or timed out. Nothing was signed; you can try again.", "La demande de clé d’accès de votre navigateur a été fermée ou a expiré. Rien n’a été signé ; vous pouvez réessayer.";
    BrowserHasPasskey => "Your browser's authenticator already holds a passkey for this wallet. Sign in instead.", "L’authentificateur de votre navigateur contient déjà une clé d’accès pour ce portefeuille. Connectez-vous plutôt.";
    BrowserRefusedPasskeys { message: String } => "Your browser refused passkeys on the hand-off page: {message}", "Votre navigateur a refusé les clés d’accès sur la page de transfert : {message}";
    BrowserCannotCreate { message: String } => "Your browser cannot create this kind of passkey: {message}", "Votre navigateur ne peut pas créer ce type de clé d’accès : {message}";
    BrowserPasskeyFailed { name: String, message: String } => "The passkey request failed in your browser ({name}: {message}).", "La demande de clé d’accès a échoué dans votre navigateur ({name} : {message}).";
    HandoffStopped => "The browser hand-off stopped without an answer.", "Le passage par le navigateur s’est arrêté sans réponse.";
    LoopbackPortFailed { error: String } => "Cannot open a loopback port for the browser: {error}", "Impossible d’ouvrir un port local pour le navigateur : {error}";
    TestAuthenticatorDeclined { error: String } => "The test authenticator declined: {error}", "L’authentificateur de test a refusé : {error}";
    TestAuthenticatorFailed { error: String } => "The test authenticator failed: {error}", "L’authentificateur de test a échoué : {error}";
    // The browser hand-off's page
    HandoffTitle => "IBEx Wallet — passkey", "IBEx Wallet — clé d’accès";
    HandoffStarting => "Starting…", "Démarrage…";
    HandoffWhatCreate => "IBEx Wallet asks your browser to create the passkey for your new wallet.", "IBEx Wallet demande à votre navigateur de créer la clé d’accès de votre nouveau portefeuille.";
    HandoffWhatSign => "IBEx Wallet asks your browser to sign with your passkey.", "IBEx Wallet demande à votre navigateur de signer avec votre clé d’accès.";
    HandoffNoSupport => "This browser has no passkey support.", "Ce navigateur ne prend pas en charge les clés d’accès.";
    HandoffWaiting => "Waiting for your passkey — confirm with your fingerprint, face or security key.", "En attente de votre clé d’accès — confirmez avec votre empreinte, votre visage ou votre clé de sécurité.";
    HandoffDone => "Done. Return to IBEx Wallet; you can close this tab.", "C’est fait. Revenez à IBEx Wallet ; vous pouvez fermer cet onglet.";
    HandoffNoPasskey { name: String } => "No passkey was used ({name}). Return to IBEx Wallet; you can close this tab.", "Aucune clé d’accès n’a été utilisée ({name}). Revenez à IBEx Wallet ; vous pouvez fermer cet onglet.";
    HandoffGone { error: String } => "IBEx Wallet is no longer waiting for this passkey ({error}). Return to IBEx Wallet and start again.", "IBEx Wallet n’attend plus cette clé d’accès ({error}). Revenez à IBEx Wallet et recommencez.";
    // Settings and network
    NoEmbeddedSandbox => "This build has no embedded sandbox; choose an IBEx server in Settings.", "Cette version n’intègre pas de bac à sable ; choisissez un serveur IBEx dans les paramètres.";
    SandboxStartFailed { error: String } => "Cannot start the local sandbox: {error}", "Impossible de démarrer le bac à sable local : {error}";
    LockDelayTooLong { max: u32 } => "The lock delay can be at most {max} minutes (one day).", "Le délai de verrouillage ne peut pas dépasser {max} minutes (un jour).";
    ChooseChain => "Choose a network, or all networks.", "Choisissez un réseau, ou tous les réseaux.";
    SettingsNotSaved { error: String } => "Settings not saved: {error}", "Paramètres non enregistrés : {error}";
    UrlInvalid { url: String, error: String } => "The IBEx URL `{url}` is not a valid URL ({error}).", "L’URL IBEx « {url} » n’est pas une URL valide ({error}).";
    UrlScheme => "The IBEx URL must start with https:// (or http:// for a local server).", "L’URL IBEx doit commencer par https:// (ou http:// pour un serveur local).";
    UrlHttpRemote => "Only a server on this computer may use http://; use https:// for a remote IBEx.", "Seul un serveur sur cet ordinateur peut utiliser http:// ; utilisez https:// pour un IBEx distant.";
    UrlQuery => "The IBEx URL must not contain a query (?…) or a fragment (#…).", "L’URL IBEx ne doit contenir ni requête (?…) ni fragment (#…).";
    RpIdNotDomain { rp_id: String } => "The rpId `{rp_id}` is not a domain name (for example `wallet.example.com` or `localhost`).", "Le rpId « {rp_id} » n’est pas un nom de domaine (par exemple « wallet.example.com » ou « localhost »).";
    TooManyAlerts { max: usize } => "Choose at most {max} alert times.", "Choisissez au plus {max} moments d’alerte.";
    AlertTooFar { minutes: u32 } => "{minutes} minutes is more than a week ahead; the recovery delay is usually one day.", "{minutes} minutes, c’est plus d’une semaine à l’avance ; le délai de récupération est généralement d’un jour.";
    LocalSandbox => "Local sandbox", "Bac à sable local";
    // Portfolio, activity, export
    IndexingHistory => "IBEx is indexing your address; the history appears in a few seconds.", "IBEx indexe votre adresse ; l’historique apparaîtra dans quelques secondes.";
    IndexingBalances => "IBEx is indexing your address; balances appear in a few seconds.", "IBEx indexe votre adresse ; les soldes apparaîtront dans quelques secondes.";
    BalancesUnreadable { what: String } => "IBEx sent balances the wallet cannot add up ({what}).", "IBEx a envoyé des soldes que le portefeuille ne peut pas additionner ({what}).";
    NoDownloadsFolder => "This system has no Downloads or data directory.", "Ce système n’a ni dossier Téléchargements ni dossier de données.";
    CannotCreateFolder { path: String, error: String } => "Cannot create {path}: {error}", "Impossible de créer {path} : {error}";
    CannotWriteFile { path: String, error: String } => "Cannot write {path}: {error}", "Impossible d’écrire {path} : {error}";
    TooManyExports => "Too many exports today in this folder.", "Trop d’exports aujourd’hui dans ce dossier.";
    // Banking: IBANs, payees, SEPA payments, mandates, automation
    IbanMissing => "Enter an IBAN.", "Saisissez un IBAN.";
    IbanShape => "An IBAN starts with a country code and two check digits, then letters and digits only (like FR76 1234 …).", "Un IBAN commence par un code pays et deux chiffres de contrôle, suivis uniquement de lettres et de chiffres (comme FR76 1234 …).";
    IbanCountry { country: String } => "{country} is not a SEPA country: SEPA payments go to IBANs of SEPA countries only.", "{country} n’est pas un pays SEPA\u{a0}: les virements SEPA ne vont qu’aux IBAN des pays SEPA.";
    IbanLength { country: String, expected: usize, actual: usize } => "An IBAN of {country} has {expected} characters, not {actual}. Check for a missing or extra character.", "Un IBAN {country} compte {expected} caractères, pas {actual}. Vérifiez s’il manque ou s’il y a un caractère en trop.";
    IbanChecksum => "This IBAN's check digits do not match: a character is probably mistyped. Nothing was sent.", "Les chiffres de contrôle de cet IBAN ne correspondent pas\u{a0}: un caractère est sans doute mal saisi. Rien n’a été envoyé.";
    BicShape { text: String } => "“{text}” is not a BIC: 8 or 11 characters, like SOGEFRPP or SOGEFRPPXXX.", "«\u{a0}{text}\u{a0}» n’est pas un BIC\u{a0}: 8 ou 11 caractères, comme SOGEFRPP ou SOGEFRPPXXX.";
    BankIbanQuota { max: u32 } => "You already have the most IBANs this service allows (at most {max} per person). Nothing was opened.", "Vous avez déjà le nombre maximal d’IBAN autorisé par ce service (au plus {max} par personne). Aucun IBAN n’a été ouvert.";
    BankIbanRefused => "IBEx did not open this IBAN. Nothing was changed.", "IBEx n’a pas ouvert cet IBAN. Rien n’a été modifié.";
    BankLabelLength { max: usize } => "A label has 1 to {max} characters.", "Une étiquette compte de 1 à {max} caractères.";
    BankNameMissing => "Enter the account holder's name.", "Saisissez le nom du titulaire du compte.";
    BankNameTooLong { max: usize } => "A name on a SEPA payment has at most {max} characters.", "Un nom sur un virement SEPA compte au plus {max} caractères.";
    BankVopLimit => "IBEx allows 10 failed payee checks a day and that limit is reached. Try again tomorrow, or check the name with the payee.", "IBEx autorise 10 vérifications de bénéficiaire échouées par jour et cette limite est atteinte. Réessayez demain, ou vérifiez le nom auprès du bénéficiaire.";
    BankVopNoMatch => "The payee's bank says this account is not held by that name.", "La banque du bénéficiaire indique que ce compte n’est pas détenu par ce nom.";
    BankVopCloseMatch => "The payee's bank holds this account under a close but different name.", "La banque du bénéficiaire détient ce compte sous un nom proche mais différent.";
    BankPayeeExists => "This IBAN is already one of your payees.", "Cet IBAN fait déjà partie de vos bénéficiaires.";
    BankPayeeRefused => "IBEx did not save this payee. Nothing was changed.", "IBEx n’a pas enregistré ce bénéficiaire. Rien n’a été modifié.";
    BankAmountDecimals => "A euro amount has at most 2 decimals (cents), like 120.50.", "Un montant en euros a au plus 2 décimales (les centimes), comme 120,50.";
    BankTextTooLong { max: usize } => "This text has at most {max} characters on a SEPA payment.", "Ce texte compte au plus {max} caractères sur un virement SEPA.";
    BankReferenceMissing => "Give the payment a reference (the payee sees it).", "Donnez une référence au virement (le bénéficiaire la voit).";
    BankSameIban => "The payee's IBAN is the one you pay from. Choose another.", "L’IBAN du bénéficiaire est celui d’où vous payez. Choisissez-en un autre.";
    BankNotYourIban => "This IBAN is not one of yours. Pay from one of your IBANs.", "Cet IBAN n’est pas l’un des vôtres. Payez depuis l’un de vos IBAN.";
    BankInsufficient { available: String } => "Not enough euros on this IBAN: €{available} available.", "Pas assez d’euros sur cet IBAN\u{a0}: {available} € disponibles.";
    BankPayeeNotMatched => "IBEx could not confirm that this account is held by this name. Confirm that you pay anyway, or correct the name.", "IBEx n’a pas pu confirmer que ce compte est détenu par ce nom. Confirmez que vous payez malgré tout, ou corrigez le nom.";
    BankPayeeNotChecked => "Check this payee first: IBEx verifies the name against the IBAN when you save a payee.", "Vérifiez d’abord ce bénéficiaire\u{a0}: IBEx contrôle le nom et l’IBAN quand vous enregistrez un bénéficiaire.";
    BankPaymentRefused => "IBEx did not accept this payment. Nothing was sent.", "IBEx n’a pas accepté ce virement. Rien n’a été envoyé.";
    BankMandatePercent => "A mandate forwards a whole percentage from 1 to 100.", "Un mandat transfère un pourcentage entier de 1 à 100.";
    BankMandateNotSigned => "This mandate's text was not signed in this session. Prepare the mandate again.", "Le texte de ce mandat n’a pas été signé dans cette session. Préparez à nouveau le mandat.";
    BankMandateCancelled => "This mandate is already cancelled (a cancelled mandate cannot be changed).", "Ce mandat est déjà annulé (un mandat annulé ne peut plus être modifié).";
    AutomationPercentRange => "The share is a percentage above 0 and at most 100.", "La part est un pourcentage supérieur à 0 et d’au plus 100.";
    AutomationAmountMissing => "Enter the fixed amount to move each time.", "Saisissez le montant fixe à transférer à chaque fois.";
    AutomationRefused => "IBEx did not accept this automation setting (its Safe on that chain, or the combination of fields). Nothing was changed.", "IBEx n’a pas accepté ce réglage d’automatisation (son Safe sur ce réseau, ou la combinaison des champs). Rien n’a été modifié.";
    // Contacts and recipients
    ContactNameMissing => "Give the contact a name.", "Donnez un nom au contact.";
    ContactNameTooLong { max: usize } => "A contact name can be at most {max} characters.", "Le nom d’un contact ne peut pas dépasser {max} caractères.";
    ContactLabelTooLong { max: usize } => "A label can be at most {max} characters.", "Une étiquette ne peut pas dépasser {max} caractères.";
    ContactChainMissing => "Choose a network for each address.", "Choisissez un réseau pour chaque adresse.";
    ContactNoAddress => "Add at least one address.", "Ajoutez au moins une adresse.";
    ContactGone => "This contact no longer exists; it may have been deleted elsewhere.", "Ce contact n’existe plus ; il a peut-être été supprimé ailleurs.";
    AddressChecksum => "This address fails its checksum (EIP-55): a character is wrong. Copy it again from the recipient.", "Cette adresse ne passe pas la vérification de sa somme de contrôle (EIP-55) : un caractère est erroné. Copiez-la à nouveau depuis la source du destinataire.";
    AddressShape => "The recipient must be 0x followed by 40 hexadecimal characters.", "Le destinataire doit être 0x suivi de 40 caractères hexadécimaux.";
    RecentRecipient => "Recent recipient", "Destinataire récent";
    YourSafe => "Your Safe", "Votre Safe";
    // Send and operations
    OwnWallet => "This is your own wallet; choose another recipient.", "C’est votre propre portefeuille ; choisissez un autre destinataire.";
    NoSuchToken => "This wallet holds no such token on that chain that can be sent (IBEx must state the token's decimals).", "Ce portefeuille ne détient sur ce réseau aucun jeton de ce type qui puisse être envoyé (IBEx doit indiquer les décimales du jeton).";
    NotAnAmount { text: String } => "“{text}” is not an amount: use digits and one dot, like 12.5.", "« {text} » n’est pas un montant : utilisez des chiffres et une seule virgule, par exemple 12,5.";
    AmountNotPositive => "The amount must be positive.", "Le montant doit être positif.";
    TooManyDecimals { symbol: String, decimals: u8 } => "{symbol} has at most {decimals} decimals.", "{symbol} a au plus {decimals} décimales.";
    AmountZero => "The amount must be more than zero.", "Le montant doit être supérieur à zéro.";
    BalanceUnreadable { error: String } => "Unreadable balance: {error}", "Solde illisible : {error}";
    InsufficientBalance { balance: String, symbol: String } => "Insufficient balance: you have {balance} {symbol}.", "Solde insuffisant : vous avez {balance} {symbol}.";
    NoOperationChallenge => "IBEx's operation has no challenge to sign.", "L’opération d’IBEx ne contient aucun défi à signer.";
    NoUserOpHash => "IBEx did not say which operation this is (no userOpHash).", "IBEx n’a pas indiqué de quelle opération il s’agit (aucun userOpHash).";
    ReviewExpired => "This review expired before it was approved. Review the operation again.", "Ce récapitulatif a expiré avant d’être approuvé. Vérifiez à nouveau l’opération.";
    NotAwaitingApproval => "This operation is no longer waiting for approval. Review it again.", "Cette opération n’attend plus d’approbation. Vérifiez-la à nouveau.";
    SignsSomethingElse => "IBEx asked the passkey to sign something other than this operation; nothing was signed.", "IBEx a demandé à la clé d’accès de signer autre chose que cette opération ; rien n’a été signé.";
    LookAlike { name: String, address: String } => "This address only looks like {name} ({address}). Check every character, then confirm it is the one you mean.", "Cette adresse ressemble seulement à {name} ({address}). Vérifiez chaque caractère, puis confirmez que c’est bien celle que vous voulez.";
    // Recovery
    NoRecoveryModule => "This IBEx offers the recovery module on none of its chains.", "Cet IBEx ne propose le module de récupération sur aucun de ses réseaux.";
    UnreadableTime { text: String, error: String } => "IBEx sent an unreadable time `{text}`: {error}", "IBEx a envoyé une heure illisible « {text} » : {error}";
    FirstNamesMissing => "Enter your first names as on your identity document.", "Saisissez vos prénoms tels qu’ils figurent sur votre pièce d’identité.";
    FirstNamesTooLong => "Your first names can be at most 100 characters.", "Vos prénoms ne peuvent pas dépasser 100 caractères.";
    FirstNamesLetters => "Your first names may contain letters, spaces, hyphens and apostrophes only.", "Vos prénoms ne peuvent contenir que des lettres, des espaces, des traits d’union et des apostrophes.";
    LastNameMissing => "Enter your last name as on your identity document.", "Saisissez votre nom tel qu’il figure sur votre pièce d’identité.";
    LastNameTooLong => "Your last name can be at most 100 characters.", "Votre nom ne peut pas dépasser 100 caractères.";
    LastNameLetters => "Your last name may contain letters, spaces, hyphens and apostrophes only.", "Votre nom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.";
    BirthCityMissing => "Enter your city of birth.", "Saisissez votre ville de naissance.";
    BirthCityTooLong => "The city of birth can be at most 100 characters.", "La ville de naissance ne peut pas dépasser 100 caractères.";
    BirthCityLetters => "The city of birth must be a place name, in letters.", "La ville de naissance doit être un nom de lieu, écrit en lettres.";
    BirthCountryMissing => "Enter your country of birth.", "Saisissez votre pays de naissance.";
    BirthCountryTooLong => "The country of birth can be at most 100 characters.", "Le pays de naissance ne peut pas dépasser 100 caractères.";
    BirthCountryLetters => "The country of birth must be a place name, in letters.", "Le pays de naissance doit être un nom de lieu, écrit en lettres.";
    BirthDateShape => "Write the birth date as YYYY-MM-DD, for example 1990-01-31.", "Écrivez la date de naissance au format AAAA-MM-JJ, par exemple 1990-01-31.";
    NotACalendarDate { text: String } => "{text} is not a real calendar date.", "{text} n’est pas une date du calendrier.";
    BirthDateFuture => "The birth date must be in the past.", "La date de naissance doit être dans le passé.";
    BirthDateBefore1900 => "Check the year: the birth date is before 1900.", "Vérifiez l’année : la date de naissance est antérieure à 1900.";
    // Profile
    SignerPasskey => "Passkey", "Clé d’accès";
    SignerWalletKey => "Wallet key", "Clé de portefeuille";
    SignerEmailCode => "Email code", "Code reçu par e-mail";
    SignerOther => "Other", "Autre";
    Eip7702Account => "EIP-7702 account", "Compte EIP-7702";
    KycLinkNotWeb { url: String } => "IBEx sent a verification link that is not a web address: {url}", "IBEx a envoyé un lien de vérification qui n’est pas une adresse web : {url}";
    BrowserNotOpened { error: String, url: String } => "Your web browser could not be opened ({error}). Open this address yourself: {url}", "Votre navigateur web n’a pas pu être ouvert ({error}). Ouvrez vous-même cette adresse : {url}";
    // OS notifications
    OperationConfirmedTitle => "Operation confirmed", "Opération confirmée";
    OperationConfirmedBody { hash: String } => "{hash} is confirmed on chain.", "L’opération {hash} est confirmée sur la blockchain.";
    OperationFailedTitle => "Operation failed", "Échec de l’opération";
    OperationFailedBody { hash: String, reason: String } => "{hash} failed: {reason}", "L’opération {hash} a échoué : {reason}";
    NoReasonGiven => "IBEx gave no reason.", "IBEx n’a donné aucune raison.";
    RecoveryExecutableTitle => "Wallet recovery can now be executed", "La récupération du portefeuille peut maintenant être exécutée";
    RecoveryExecutableBody => "The recovery delay is over: ownership of your wallet can now be transferred. If you did not ask for this recovery, open IBEx Wallet and cancel it now.", "Le délai de récupération est écoulé : la propriété de votre portefeuille peut maintenant être transférée. Si vous n’avez pas demandé cette récupération, ouvrez IBEx Wallet et annulez-la dès maintenant.";
    RecoveryPendingTitle => "Wallet recovery pending", "Récupération du portefeuille en cours";
    RecoveryPendingBody { left: String } => "A recovery of your wallet can be executed in {left}. If you did not ask for it, open IBEx Wallet and cancel it before then.", "Une récupération de votre portefeuille pourra être exécutée dans {left}. Si vous ne l’avez pas demandée, ouvrez IBEx Wallet et annulez-la d’ici là.";
    // The tray menu
    TrayOpen => "Open IBEx Wallet", "Ouvrir IBEx Wallet";
    TrayQuit => "Quit", "Quitter";
    // Durations ("23 h 59 min", "2 days 3 h")
    LessThanAMinute => "less than a minute", "moins d’une minute";
    Minutes { m: u64 } => "{m} min", "{m} min";
    Hours { h: u64 } => "{h} h", "{h} h";
    HoursMinutes { h: u64, m: u64 } => "{h} h {m} min", "{h} h {m} min";
    ASecond => "a second", "une seconde";
    Seconds { s: u64 } => "{s} seconds", "{s} secondes";
    WholeMinutes { m: u64 } => "{m} minutes", "{m} minutes";
    OneDay => "1 day", "1 jour";
    OneDayHours { h: u64 } => "1 day {h} h", "1 jour {h} h";
    Days { d: u64 } => "{d} days", "{d} jours";
    DaysHours { d: u64, h: u64 } => "{d} days {h} h", "{d} jours {h} h";
    // Errors from IBEx or the system, by code (the detail goes to the log, not the user)
    IbexUnreachable => "IBEx could not be reached. Check your connection, then try again.", "Impossible de joindre IBEx. Vérifiez votre connexion, puis réessayez.";
    IbexRefused => "IBEx refused this request. Nothing was changed.", "IBEx a refusé cette demande. Rien n’a été modifié.";
    ExecuteFailedRetry => "IBEx failed while taking your approval (a server or network error). Approve again to retry: an operation is never executed twice.", "IBEx a échoué en recevant votre approbation (erreur du serveur ou du réseau). Approuvez à nouveau pour réessayer\u{a0}: une opération n’est jamais exécutée deux fois.";
    IbexServerError => "IBEx could not complete this request right now. Nothing was lost; try again in a moment.", "IBEx n’a pas pu traiter cette demande pour le moment. Rien n’a été perdu\u{202f}; réessayez dans un instant.";
    IbexBadAnswer => "IBEx answered in a form this wallet does not understand. Nothing was changed; try again later.", "IBEx a répondu sous une forme que ce portefeuille ne comprend pas. Rien n’a été modifié\u{202f}; réessayez plus tard.";
    IbexUnauthorized => "IBEx refused this session's credentials. Sign in again.", "IBEx a refusé les identifiants de cette session. Reconnectez-vous.";
    SessionOver => "Your session is over. Sign in again.", "Votre session est terminée. Reconnectez-vous.";
    IbexNotReady => "IBEx is still preparing this. Try again in a few seconds.", "IBEx prépare encore cette ressource. Réessayez dans quelques secondes.";
    IbexNotIndexed => "IBEx is still indexing this address. Try again in a moment.", "IBEx indexe encore cette adresse. Réessayez dans un instant.";
    IbexRateLimitedFor { seconds: u64 } => "IBEx asks to slow down. Try again in {seconds} s.", "IBEx demande de ralentir. Réessayez dans {seconds}\u{a0}s.";
    IbexRateLimited => "IBEx asks to slow down. Wait a moment, then try again.", "IBEx demande de ralentir. Patientez un instant, puis réessayez.";
    IbexConflict => "Something changed at IBEx since this request started. Nothing was changed; start it again.", "Quelque chose a changé chez IBEx depuis le début de cette demande. Rien n’a été modifié\u{202f}; recommencez-la.";
    WalletChangedSincePrepared => "Your wallet changed since this operation was prepared. Nothing was signed; review it again.", "Votre portefeuille a changé depuis la préparation de cette opération. Rien n’a été signé\u{202f}; vérifiez-la à nouveau.";
    RequestExpiredAtIbex => "This request expired at IBEx. Nothing was changed; start it again.", "Cette demande a expiré chez IBEx. Rien n’a été modifié\u{202f}; recommencez-la.";
    RpIdOfNetworkNotServed => "This IBEx server does not serve the rpId of this network. Check the network's rpId in the settings.", "Ce serveur IBEx ne prend pas en charge le rpId de ce réseau. Vérifiez le rpId du réseau dans les paramètres.";
    OperationNotAccepted => "IBEx refused this operation. Nothing was signed; check the amount, the balance and the recipient, then try again.", "IBEx a refusé cette opération. Rien n’a été signé\u{202f}; vérifiez le montant, le solde et le destinataire, puis réessayez.";
    KeychainError { detail: String } => "{detail}", "Erreur du trousseau de clés\u{a0}: {detail}";
    BadArguments { command: String, error: String } => "bad arguments for {command}: {error}", "Arguments incorrects pour {command}\u{a0}: {error}";
    UnknownCommand { name: String } => "unknown command `{name}`", "Commande inconnue\u{a0}: «\u{a0}{name}\u{a0}».";
    ArgumentsNotJson { error: String } => "arguments are not JSON: {error}", "Les arguments de la commande ne sont pas du JSON\u{a0}: {error}";
    InvalidValue { detail: String } => "{detail}", "Valeur non valide\u{a0}: {detail}";
    Unexpected { detail: String } => "Something went wrong in the wallet: {detail}", "Une erreur inattendue s’est produite dans le portefeuille : {detail}";
    // Swaps, vaults, messages (defi)
    SwapSlippageInvalid { text: String } => "“{text}” is not a slippage: use a percentage between 0.01 and 50, like 0.5.", "«\u{a0}{text}\u{a0}» n’est pas un glissement valable\u{a0}: indiquez un pourcentage entre 0,01 et 50, par exemple 0,5.";
    SwapQuoteUnreadable { error: String } => "IBEx quoted an unreadable amount: {error}", "IBEx a coté un montant illisible\u{a0}: {error}";
    SwapChooseSell => "Choose the token to sell.", "Choisissez le jeton à vendre.";
    SwapChooseBuy => "Choose the token to buy.", "Choisissez le jeton à acheter.";
    SwapSameToken => "Choose two different tokens to swap.", "Choisissez deux jetons différents à échanger.";
    SwapChooseAggregator => "Choose CoW Swap, 1inch or both to quote.", "Choisissez CoW Swap, 1inch ou les deux pour obtenir une cotation.";
    SwapNotHeld => "This wallet holds no such token on that chain to sell.", "Ce portefeuille ne détient pas ce jeton sur ce réseau pour le vendre.";
    SwapNotBuyable => "This token cannot be bought on this chain (it is not in IBEx's list).", "Ce jeton ne peut pas être acheté sur ce réseau (il ne figure pas dans la liste d’IBEx).";
    SwapOtherTokens => "IBEx quoted other tokens than the ones asked for. Nothing was signed.", "IBEx a coté d’autres jetons que ceux demandés. Rien n’a été signé.";
    SwapNoValidTo => "IBEx's quote does not say until when it is valid.", "La cotation d’IBEx n’indique pas jusqu’à quand elle est valable.";
    SwapQuoteGone => "This quote is no longer available. Nothing was signed; get a new quote.", "Cette cotation n’est plus disponible. Rien n’a été signé\u{202f}; demandez une nouvelle cotation.";
    SwapQuoteExpired => "This quote expired. Nothing was signed; get a new quote.", "Cette cotation a expiré. Rien n’a été signé\u{202f}; demandez une nouvelle cotation.";
    SwapQuoteExpiredAtApproval => "The quote expired before you approved it. Nothing was signed; review the new quote.", "La cotation a expiré avant votre approbation. Rien n’a été signé\u{202f}; vérifiez la nouvelle cotation.";
    RouteQuoteRefused => "IBEx could not quote this bridge (the amount, the balance or the tokens). Nothing was signed.", "IBEx n’a pas pu coter ce transfert entre réseaux (le montant, le solde ou les jetons). Rien n’a été signé.";
    SwapQuoteRefused => "IBEx could not quote this swap (the amount, the balance or the pair). Nothing was signed.", "IBEx n’a pas pu coter cet échange (le montant, le solde ou la paire). Rien n’a été signé.";
    VaultPaused => "This vault is paused and takes no deposits right now. Nothing was signed; choose another vault or try later.", "Ce coffre est en pause et n’accepte aucun dépôt pour le moment. Rien n’a été signé\u{202f}; choisissez un autre coffre ou réessayez plus tard.";
    VaultFull => "This deposit would exceed the vault's cap. Nothing was signed; deposit less or choose another vault.", "Ce dépôt dépasserait le plafond du coffre. Rien n’a été signé\u{202f}; déposez moins ou choisissez un autre coffre.";
    TaskFailed { error: String } => "A task of the wallet stopped unexpectedly: {error}", "Une tâche du portefeuille s’est arrêtée de façon inattendue\u{a0}: {error}";
    VaultChoose => "Choose a vault.", "Choisissez un coffre.";
    VaultUnknown => "IBEx does not list this vault.", "IBEx ne propose pas ce coffre.";
    VaultDepositAbove { held: String, symbol: String } => "You hold {held} {symbol} on this chain; deposit at most that.", "Vous détenez {held} {symbol} sur ce réseau\u{202f}; déposez au plus ce montant.";
    VaultNothingToWithdraw => "You have nothing in this vault to withdraw.", "Vous n’avez rien à retirer de ce coffre.";
    VaultWithdrawAbove { worth: String, symbol: String } => "Your deposit is worth {worth} {symbol}; withdraw at most that.", "Votre dépôt vaut {worth} {symbol}\u{202f}; retirez au plus ce montant.";
    MessageEmpty => "Write the message to sign.", "Écrivez le message à signer.";
    MessageTooLong { bytes: usize, max: usize } => "This message is {bytes} bytes long; the wallet signs messages of at most {max} bytes.", "Ce message fait {bytes} octets\u{202f}; le portefeuille signe des messages de {max} octets au plus.";
    MessageHiddenCharacter { code: String } => "This message contains an invisible character (U+{code}) that would be signed without being shown. Remove it first.", "Ce message contient un caractère invisible (U+{code}) qui serait signé sans être affiché. Retirez-le d’abord.";
    // Owners and devices (owners.rs)
    OwnerLabelEmpty => "Name the new owner (for example “YubiKey 5C” or “Work laptop”).", "Nommez le nouveau propriétaire (par exemple «\u{a0}YubiKey 5C\u{a0}» ou «\u{a0}Ordinateur du bureau\u{a0}»).";
    OwnerLabelTooLong { max: usize } => "Keep the owner's name to {max} characters, without line breaks.", "Limitez le nom du propriétaire à {max} caractères, sans retour à la ligne.";
    ThresholdZero => "The threshold must be at least 1: a Safe that needs no approval would let anyone act.", "Le seuil doit être d’au moins 1\u{a0}: un Safe sans approbation laisserait n’importe qui agir.";
    ThresholdAboveOwners { threshold: u32, owners: u32 } => "A threshold of {threshold} needs more approvals than the Safe has owners ({owners}). Choose at most {owners}.", "Un seuil de {threshold} demande plus d’approbations que le Safe n’a de propriétaires ({owners}). Choisissez au plus {owners}.";
    ThresholdUnchanged { threshold: u32 } => "The threshold is already {threshold}.", "Le seuil est déjà de {threshold}.";
    SafeNotOnChain { chain: String } => "Your Safe has no owners on chain {chain} yet (it is not deployed there). Choose another chain.", "Votre Safe n’a pas encore de propriétaire sur le réseau {chain} (il n’y est pas déployé). Choisissez un autre réseau.";
    OwnerKeyNotP256 => "This authenticator made a key the Safe cannot check (not P-256). Nothing was sent; use another security key or device.", "Cet authentificateur a créé une clé que le Safe ne sait pas vérifier (pas P-256). Rien n’a été envoyé\u{202f}; utilisez une autre clé de sécurité ou un autre appareil.";
    OwnerAlready => "This passkey is already an owner of the Safe. Nothing was sent.", "Cette clé d’accès est déjà propriétaire du Safe. Rien n’a été envoyé.";
    OwnerAddressInvalid => "This is not an owner address (0x and 40 hexadecimal digits).", "Ce n’est pas une adresse de propriétaire (0x et 40 chiffres hexadécimaux).";
    OwnerNotOwner => "This address is not an owner of the Safe on this chain. Nothing was sent.", "Cette adresse n’est pas propriétaire du Safe sur ce réseau. Rien n’a été envoyé.";
    OwnerLast => "This is the Safe's only owner: removing it would lock everyone out of the Safe for good. Add another owner first.", "C’est le seul propriétaire du Safe\u{a0}: le retirer fermerait le Safe à tous, définitivement. Ajoutez d’abord un autre propriétaire.";
    OwnerThisDeviceConfirm => "This owner is this device's own passkey. Confirm that you want to remove it: afterwards this device can no longer approve anything for this Safe.", "Ce propriétaire est la clé d’accès de cet appareil. Confirmez que vous voulez la retirer\u{a0}: ensuite, cet appareil ne pourra plus rien approuver pour ce Safe.";
    OwnerDeviceUnknownConfirm => "The wallet cannot tell whether this owner is this device's passkey (sign in again to find out). Confirm the removal to go on.", "Le portefeuille ne sait pas si ce propriétaire est la clé d’accès de cet appareil (reconnectez-vous pour le savoir). Confirmez le retrait pour continuer.";
    // Bitcoin and Solana (bitcoin.rs, solana.rs)
    BtcAddressEmpty => "Enter the Bitcoin address to send to.", "Saisissez l’adresse Bitcoin du destinataire.";
    BtcAddressLegacy => "This looks like a legacy Bitcoin address (1…, 3…, m…, n…, 2…). The wallet sends to SegWit addresses only (bc1… on mainnet, tb1… on testnet).", "Cela ressemble à une ancienne adresse Bitcoin (1…, 3…, m…, n…, 2…). Le portefeuille n’envoie qu’à des adresses SegWit (bc1… sur mainnet, tb1… sur testnet).";
    BtcAddressMixedCase => "This address mixes upper and lower case letters; a Bitcoin address is all one case. Copy it again.", "Cette adresse mélange majuscules et minuscules\u{a0}; une adresse Bitcoin est tout en minuscules ou tout en majuscules. Copiez-la à nouveau.";
    BtcAddressNotBitcoin => "This is not a Bitcoin address (it should start with bc1 on mainnet or tb1 on testnet).", "Ce n’est pas une adresse Bitcoin (elle devrait commencer par bc1 sur mainnet ou tb1 sur testnet).";
    BtcAddressWrongNetwork { found: String, network: String } => "This is a Bitcoin {found} address, but your Bitcoin wallet is on {network}. Coins sent there would be lost.", "C’est une adresse Bitcoin {found}, mais votre portefeuille Bitcoin est sur {network}. Des fonds envoyés là seraient perdus.";
    BtcAddressCharacter { character: String } => "A Bitcoin address cannot contain “{character}” (after bc1/tb1 only the letters and digits of bech32 are used: no 1, b, i or o).", "Une adresse Bitcoin ne peut pas contenir «\u{a0}{character}\u{a0}» (après bc1/tb1, seuls les lettres et chiffres du bech32 sont permis\u{a0}: ni 1, ni b, ni i, ni o).";
    BtcAddressLength => "This Bitcoin address is too short or too long. Copy it again.", "Cette adresse Bitcoin est trop courte ou trop longue. Copiez-la à nouveau.";
    BtcAddressChecksum => "This Bitcoin address fails its checksum: a character is wrong or missing. Copy it again rather than typing it.", "Cette adresse Bitcoin ne passe pas sa somme de contrôle\u{a0}: un caractère est faux ou manquant. Copiez-la plutôt que de la saisir.";
    BtcAddressProgram => "This Bitcoin address has a valid checksum but no valid witness program. Ask the recipient for another address.", "Cette adresse Bitcoin a une somme de contrôle valide mais un programme témoin invalide. Demandez une autre adresse au destinataire.";
    BtcAmountTooLarge => "That is more bitcoin than will ever exist.", "C’est plus de bitcoins qu’il n’en existera jamais.";
    BtcBalanceOverflow => "IBEx reported unspent outputs that do not add up.", "IBEx a indiqué des sorties non dépensées incohérentes.";
    BtcNotYours => "Send from one of your own Bitcoin addresses.", "Envoyez depuis l’une de vos propres adresses Bitcoin.";
    BtcSameAddress => "This is the address you are sending from. Enter the recipient's address.", "C’est l’adresse d’où vous envoyez. Saisissez celle du destinataire.";
    BtcAboveSpendable { spendable: String } => "This address can spend {spendable} BTC; send at most that, less the fee.", "Cette adresse peut dépenser {spendable} BTC\u{a0}; envoyez au plus ce montant, moins les frais.";
    BtcFeeNotCovered { spendable: String } => "The amount and the network fee together exceed the {spendable} BTC this address can spend. Send less or pick a slower fee.", "Le montant et les frais de réseau dépassent ensemble les {spendable} BTC que cette adresse peut dépenser. Envoyez moins ou choisissez des frais plus lents.";
    BtcPlanDiffers => "IBEx planned another amount or recipient than the ones asked for. Nothing was done.", "IBEx a prévu un autre montant ou un autre destinataire que ceux demandés. Rien n’a été fait.";
    BtcFeeAboveAmount { fee: String, amount: String } => "The network fee ({fee} BTC) would be more than the amount sent ({amount} BTC). Send more, or wait for lower fees.", "Les frais de réseau ({fee} BTC) dépasseraient le montant envoyé ({amount} BTC). Envoyez davantage, ou attendez des frais plus bas.";
    SolAddressEmpty => "Enter the Solana address to send to.", "Saisissez l’adresse Solana du destinataire.";
    SolAddressEvm => "This is an Ethereum-style address (0x…), not a Solana address.", "C’est une adresse de type Ethereum (0x…), pas une adresse Solana.";
    SolAddressCharacter { character: String } => "A Solana address cannot contain “{character}” (base58 has no 0, O, I or l, and no punctuation).", "Une adresse Solana ne peut pas contenir «\u{a0}{character}\u{a0}» (le base58 n’a ni 0, ni O, ni I, ni l, ni ponctuation).";
    SolAddressLength { bytes: usize } => "A Solana address encodes 32 bytes; this one encodes {bytes}. Copy it again.", "Une adresse Solana code 32 octets\u{a0}; celle-ci en code {bytes}. Copiez-la à nouveau.";
    SolAboveBalance { balance: String } => "This address holds {balance} SOL; send at most that.", "Cette adresse détient {balance} SOL\u{a0}; envoyez au plus ce montant.";
    SolBalanceUnavailable => "IBEx did not give this Solana address's balance.", "IBEx n’a pas donné le solde de cette adresse Solana.";
    SolNotYours => "Send from one of your own Solana addresses.", "Envoyez depuis l’une de vos propres adresses Solana.";
    SolSameAddress => "This is the address you are sending from. Enter the recipient's address.", "C’est l’adresse d’où vous envoyez. Saisissez celle du destinataire.";
    // Several accounts and Safes (accounts)
    AccountUnknown => "This account is not signed in on this device.", "Ce compte n’est pas connecté sur cet appareil.";
    AccountChanged => "The account changed since this review (you switched accounts or signed in again). Nothing was signed; review it again.", "Le compte a changé depuis cette vérification (vous avez changé de compte ou vous vous êtes reconnecté). Rien n’a été signé\u{202f}; vérifiez-la de nouveau.";
    SignerCannotApproveEmail => "This account signs with an e-mail code, and only a passkey can approve operations in this version: IBEx does not document how other signers approve them. Nothing was prepared; balances and history are all here.", "Ce compte signe avec un code reçu par e-mail, et seule une clé d’accès peut approuver des opérations dans cette version\u{a0}: IBEx ne documente pas comment les autres signataires les approuvent. Rien n’a été préparé\u{202f}; soldes et historique sont tous là.";
    SignerCannotApproveEoa => "This account signs with an Ethereum account, and only a passkey can approve operations in this version: IBEx does not document how other signers approve them. Nothing was prepared; balances and history are all here.", "Ce compte signe avec un compte Ethereum, et seule une clé d’accès peut approuver des opérations dans cette version\u{a0}: IBEx ne documente pas comment les autres signataires les approuvent. Rien n’a été préparé\u{202f}; soldes et historique sont tous là.";
    SignerCannotApprovePin => "This account signs with a PIN, and approving operations with IBEx's PIN signing is not supported yet: only a passkey can approve them in this version. Nothing was prepared; balances and history are all here.", "Ce compte signe avec un code PIN, et l’approbation d’opérations par la signature à code PIN d’IBEx n’est pas encore prise en charge\u{a0}: seule une clé d’accès peut les approuver dans cette version. Rien n’a été préparé\u{202f}; soldes et historique sont tous là.";
    NameTooLong { max: usize } => "A name has at most {max} characters.", "Un nom compte au plus {max} caractères.";
    NameHiddenCharacter => "A name cannot contain control or invisible characters.", "Un nom ne peut pas contenir de caractères de contrôle ou invisibles.";
    SafeUnknown { address: String } => "{address} is not one of this account's Safes.", "{address} ne fait pas partie des Safe de ce compte.";
    SafeProvisionPasskeyOnly => "IBEx adds Safes only to accounts that sign with a passkey.", "IBEx n’ajoute des Safe qu’aux comptes qui signent avec une clé d’accès.";
    SafeProvisionOtherAccount => "This passkey belongs to another account. Nothing was created; use the passkey of the account you are adding a Safe to.", "Cette clé d’accès appartient à un autre compte. Rien n’a été créé\u{202f}; utilisez la clé d’accès du compte auquel vous ajoutez un Safe.";
    SafeProvisionNoGrant => "IBEx did not allow a new Safe after the passkey. Nothing was created.", "IBEx n’a pas autorisé de nouveau Safe après la clé d’accès. Rien n’a été créé.";
    SafeSlotTaken => "IBEx already has a Safe in this slot on this chain (created on another device). Nothing was created; try again: the next slot will be used.", "IBEx a déjà un Safe à cet emplacement sur ce réseau (créé sur un autre appareil). Rien n’a été créé\u{202f}; réessayez\u{a0}: l’emplacement suivant sera utilisé.";
    SafeNotListedYet { address: String } => "IBEx created the Safe {address} but does not list it yet. Refresh in a moment.", "IBEx a créé le Safe {address} mais ne le liste pas encore. Actualisez dans un instant.";
    AlertForAccount { title: String, account: String } => "{title} (account “{account}”)", "{title} (compte «\u{a0}{account}\u{a0}»)";
    // E-mail wallets and e-mail confirmation (signin)
    EmailInvalid => "That is not an e-mail address (like name@example.com).", "Ce n’est pas une adresse e-mail (comme nom@exemple.fr).";
    EmailCodeFormat => "Enter the 6-digit code from the e-mail.", "Saisissez le code à 6 chiffres reçu par e-mail.";
    EmailCodeWrong { attempts_left: u64 } => "That code is not right. {attempts_left} attempts left; nothing was changed.", "Ce code n’est pas le bon. Encore {attempts_left} essai(s)\u{202f}; rien n’a été modifié.";
    EmailCodeBurnt => "That code is not right, and it was the last attempt. Nothing was changed; ask for a new code.", "Ce code n’est pas le bon, et c’était le dernier essai. Rien n’a été modifié\u{202f}; demandez un nouveau code.";
    EmailCodeExpired => "This code expired. Nothing was changed; ask for a new code.", "Ce code a expiré. Rien n’a été modifié\u{202f}; demandez un nouveau code.";
    EmailCodeRefused => "IBEx did not accept this code. Nothing was changed; ask for a new code.", "IBEx n’a pas accepté ce code. Rien n’a été modifié\u{202f}; demandez un nouveau code.";
    EmailResendWait { seconds: u64 } => "Wait {seconds} s before asking for a new code.", "Attendez {seconds}\u{a0}s avant de demander un nouveau code.";
    EmailNoCodePending => "No code is awaited any more. Start again with your e-mail address.", "Plus aucun code n’est attendu. Recommencez avec votre adresse e-mail.";
    EmailKeyRefused => "IBEx did not accept this e-mail wallet's key. Nothing was changed; try again with a new code.", "IBEx n’a pas accepté la clé de ce portefeuille e-mail. Rien n’a été modifié\u{202f}; réessayez avec un nouveau code.";
    EnterPassphrase => "Enter your backup passphrase.", "Saisissez la phrase secrète de votre sauvegarde.";
    PassphraseTooShort { min: usize } => "Your backup passphrase must have at least {min} characters: IBEx keeps the encrypted backup, and a short one can be guessed.", "Votre phrase secrète doit comporter au moins {min} caractères\u{a0}: IBEx conserve la sauvegarde chiffrée, et une phrase courte peut être devinée.";
    PassphraseTooLong => "That passphrase is too long.", "Cette phrase secrète est trop longue.";
    WrongPassphrase => "That passphrase does not open this backup. Nothing was sent; try again.", "Cette phrase secrète n’ouvre pas cette sauvegarde. Rien n’a été envoyé\u{202f}; réessayez.";
    BackupMissing => "IBEx returned no key backup for this account.", "IBEx n’a renvoyé aucune sauvegarde de clé pour ce compte.";
    BackupUnreadable { detail: String } => "The key backup IBEx returned cannot be read: {detail}", "La sauvegarde de clé renvoyée par IBEx est illisible\u{a0}: {detail}";
    BackupOtherFormat { format: String } => "This key backup was made by another app (format {format}); this wallet cannot open it.", "Cette sauvegarde de clé a été faite par une autre application (format {format})\u{202f}; ce portefeuille ne peut pas l’ouvrir.";
    // EOA and EIP-7702 (signin)
    EoaKeyMalformed => "That is neither a private key (64 hex digits) nor a recovery phrase (12 to 24 words). Nothing was kept.", "Ce n’est ni une clé privée (64 chiffres hexadécimaux) ni une phrase de récupération (12 à 24 mots). Rien n’a été conservé.";
    EoaPhraseInvalid => "That recovery phrase is not valid (a word is misspelled or missing). Nothing was kept.", "Cette phrase de récupération n’est pas valide (un mot est mal orthographié ou manque). Rien n’a été conservé.";
    EoaKeyOtherAddress { expected: String, got: String } => "This key controls {got}, not {expected}. Nothing was kept or sent; check the key or the address.", "Cette clé contrôle {got}, et non {expected}. Rien n’a été conservé ni envoyé\u{202f}; vérifiez la clé ou l’adresse.";
    EoaAddressInvalid => "That is not an Ethereum address (0x followed by 40 hex digits, with a valid checksum).", "Ce n’est pas une adresse Ethereum (0x suivi de 40 chiffres hexadécimaux, avec une somme de contrôle valide).";
    EoaMessageUnexpected => "IBEx asked to sign a message that is not a sign-in for this account. Nothing was signed.", "IBEx a demandé de signer un message qui n’est pas une connexion pour ce compte. Rien n’a été signé.";
    EoaSignatureMalformed => "That is not a signature (0x followed by 130 hex digits).", "Ce n’est pas une signature (0x suivi de 130 chiffres hexadécimaux).";
    EoaSignatureOther { address: String } => "This signature is not {address}'s signature of the message shown (it signs another message, or comes from another account). Nothing was sent; sign the message shown with {address}.", "Cette signature n’est pas celle du message affiché par {address} (elle signe un autre message, ou vient d’un autre compte). Rien n’a été envoyé\u{202f}; signez le message affiché avec {address}.";
    EoaSignatureRefused => "IBEx did not accept this signature for its sign-in message. Nothing was changed; sign the message again.", "IBEx n’a pas accepté cette signature de son message de connexion. Rien n’a été modifié\u{202f}; signez à nouveau le message.";
    EoaNoKeyHere => "This computer keeps no imported key for this network. Import it again, or sign with your other wallet.", "Cet ordinateur ne conserve aucune clé importée pour ce réseau. Importez-la à nouveau, ou signez avec votre autre portefeuille.";
    SignatureRefused => "IBEx did not accept this signature. Nothing was changed; try again.", "IBEx n’a pas accepté cette signature. Rien n’a été modifié\u{202f}; réessayez.";
    EoaNoChallenge => "No sign-in message is waiting for a signature. Start again with your address.", "Aucun message de connexion n’attend de signature. Recommencez avec votre adresse.";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts that read the same in both languages (units and symbols).
    fn same_in_both(msg: &Msg) -> bool {
        matches!(
            msg,
            Msg::Minutes { .. }
                | Msg::Hours { .. }
                | Msg::HoursMinutes { .. }
                | Msg::WholeMinutes { .. }
        )
    }

    #[test]
    fn every_message_has_both_languages() {
        // Both texts exist by construction (the macro takes them in pairs); they must also say
        // something, and the French must not be the English copied over.
        for msg in Msg::every() {
            let (en, fr) = (msg.render(Locale::En), msg.render(Locale::Fr));
            // The client's and the keychain's own words pass through as they are in English.
            let verbatim = matches!(msg, Msg::KeychainError { .. } | Msg::InvalidValue { .. });
            assert!(verbatim || !en.trim().is_empty(), "{msg:?}");
            assert!(!fr.trim().is_empty(), "{msg:?}");
            assert!(
                same_in_both(&msg) || en != fr,
                "{msg:?} is not translated: {fr}"
            );
        }
    }

    #[test]
    fn messages_follow_french_typography() {
        for msg in Msg::every() {
            let fr = msg.render(Locale::Fr);
            let fr = fr
                .replace("IBEx Wallet", "")
                .replace("wallet.example.com", "");
            let ctx = format!("{msg:?}: {fr}");
            for (i, c) in fr.char_indices() {
                let before = fr[..i].chars().last();
                if matches!(c, ';' | '!' | '?' | ':' | '»') && !fr[i..].starts_with("://") {
                    // `?…` in "(?…)" quotes a URL part, not a sentence.
                    let quoted = before == Some('(');
                    assert!(
                        quoted || matches!(before, Some('\u{a0}' | '\u{202f}')),
                        "no-break space before {c} in {ctx}"
                    );
                }
            }
            assert!(!fr.contains("« ") && !fr.contains('"'), "quotes in {ctx}");
            assert!(!fr.contains('\''), "straight apostrophe in {ctx}");
            assert!(!fr.contains("..."), "three dots in {ctx}");
            let lower = fr.to_lowercase();
            assert!(
                !lower.contains("passkey") && !lower.contains("wallet"),
                "English term in {ctx}"
            );
        }
    }

    #[test]
    fn arguments_land_in_both_languages() {
        let msg = Msg::InsufficientBalance {
            balance: "1.5".into(),
            symbol: "USDC".into(),
        };
        assert_eq!(
            msg.render(Locale::En),
            "Insufficient balance: you have 1.5 USDC."
        );
        assert_eq!(
            msg.render(Locale::Fr),
            "Solde insuffisant\u{a0}: vous avez 1.5 USDC."
        );
    }
}
