// The app's IPC commands, declared once. Each line is `name(args) -> result;` and maps to the
// `Core` method of the same name, which lives in the core's module its prefix names (types are
// named by their path in `ibex_wallet_core`). `commands.rs` expands this into the Tauri handler,
// the TypeScript bindings and the web host's dispatcher; `build.rs` into the app manifest (one
// permission per command) and the capability's permission set. Plain tokens only: build.rs
// includes this file too. Adding a command: a line here and its method in the core.
macro_rules! for_each_command {
    ($then:ident) => {
        $then! {
            app_info() -> app::AppInfo;
            settings_get() -> settings::Settings;
            settings_set_network(choice: settings::NetworkChoice) -> settings::Settings;
            settings_set_theme(theme: settings::Theme) -> settings::Settings;
            settings_set_lock(minutes: u32) -> settings::Settings;
            settings_set_chain(chain_id: Option<u32>) -> settings::Settings;
            settings_set_language(language: i18n::Language) -> settings::Settings;
            network_status() -> network::NetworkStatus;
            passkey_capabilities(webview: passkey::WebviewInfo) -> passkey::PasskeyCapabilities;
            session_get() -> session::SessionInfo;
            auth_begin(intent: session::AuthIntent) -> session::Ceremony;
            auth_complete(ceremony_id: String, credential_json: String) -> session::SessionInfo;
            auth_complete_native(ceremony_id: String, provider: passkey::ProviderKind) -> session::SessionInfo;
            session_sign_out() -> session::SessionInfo;
            session_lock() -> session::SessionInfo;
            session_dismiss(notice: u32) -> session::SessionInfo;
            session_retry(notice: u32) -> session::SessionInfo;
            pin_sign_up(pin: String) -> session::SessionInfo;
            pin_sign_in(pin: String) -> session::SessionInfo;
            pin_remembered() -> bool;
            email_sign_up_start(email: String) -> email::CodeSent;
            email_sign_up_finish(code: String, passphrase: String) -> session::SessionInfo;
            email_sign_in_start(email: String) -> email::CodeSent;
            email_sign_in_code(code: String) -> email::EmailSignIn;
            email_sign_in_passphrase(passphrase: String) -> session::SessionInfo;
            email_resend() -> email::CodeSent;
            email_cancel() -> bool;
            email_confirm_start(email: String) -> email::CodeSent;
            email_confirm_code(code: String) -> email::EmailStatus;
            email_status() -> email::EmailStatus;
            eoa_import(input: eoa::KeyImport) -> session::SessionInfo;
            eoa_sign_in() -> session::SessionInfo;
            eoa_remembered() -> Option<String>;
            eoa_challenge(address: String) -> eoa::EoaChallenge;
            eoa_submit_signature(signature: String) -> eoa::EoaStep;
            eoa_status() -> Option<eoa::EoaStatus>;
            wallet_holdings() -> Vec<wallet::Holding>;
            send_prepare(draft: send::TransferDraft) -> operations::OperationReview;
            operation_approve(review_id: String, credential_json: String) -> operations::OperationUpdate;
            operation_approve_native(review_id: String, provider: passkey::ProviderKind) -> operations::OperationUpdate;
            swap_tokens(chain_id: u32) -> Vec<swap::SwapToken>;
            swap_quote(request: swap::SwapRequest) -> swap::SwapQuotes;
            swap_prepare(draft: swap::SwapDraft) -> operations::OperationReview;
            route_chains() -> Vec<u32>;
            route_quote(request: route::RouteRequest) -> route::RouteAnswer;
            route_prepare(draft: route::RouteDraft) -> operations::OperationReview;
            route_flights() -> Vec<route::flight::RouteFlight>;
            earn_vaults() -> Vec<earn::VaultView>;
            earn_deposit_prepare(draft: earn::EarnDraft) -> operations::OperationReview;
            earn_withdraw_prepare(draft: earn::EarnDraft) -> operations::OperationReview;
            positions_list() -> positions::Positions;
            message_sign(draft: message::MessageDraft) -> operations::OperationReview;
            message_verify(chain_id: u32, message: String) -> message::MessageProof;
            owners_list(chain_id: u32) -> owners::OwnersView;
            owners_add_begin(chain_id: u32, label: String) -> session::Ceremony;
            owners_add_prepare(ceremony_id: String, credential_json: String, threshold: u32) -> operations::OperationReview;
            owners_add_prepare_native(ceremony_id: String, provider: passkey::ProviderKind, threshold: u32) -> operations::OperationReview;
            owners_remove_prepare(draft: owners::OwnerRemoveDraft) -> operations::OperationReview;
            owners_threshold_prepare(chain_id: u32, threshold: u32) -> operations::OperationReview;
            bitcoin_wallets() -> bitcoin::BitcoinWallets;
            bitcoin_plan(draft: bitcoin::BitcoinDraft) -> bitcoin::BitcoinPlan;
            solana_wallets() -> solana::SolanaWallets;
            solana_plan(draft: solana::SolanaDraft) -> solana::SolanaPlan;
            recipient_check(address: String) -> recipients::RecipientCheck;
            recipients_suggest() -> Vec<recipients::KnownRecipient>;
            contacts_list() -> Vec<contacts::Contact>;
            contacts_save(id: Option<String>, draft: contacts::ContactDraft) -> Vec<contacts::Contact>;
            contacts_delete(id: String) -> Vec<contacts::Contact>;
            account_signers() -> Vec<account::SignerView>;
            kyc_status() -> kyc::KycView;
            kyc_open() -> String;
            passkey_cancel() -> bool;
            passkey_browser_page() -> Option<String>;
            passkey_key_pin(pin: String) -> bool;
            portfolio_cached() -> Option<portfolio::Portfolio>;
            portfolio_refresh() -> portfolio::Portfolio;
            activity_page(query: activity::ActivityQuery) -> activity::ActivityPage;
            activity_pending() -> Vec<activity::PendingOperation>;
            activity_export(request: activity::ExportRequest) -> activity::ExportResult;
            recovery_status() -> recovery::RecoveryInfo;
            recovery_check_personal_data(data: recovery::PersonalData) -> Vec<recovery::FieldProblem>;
            recovery_enable(data: recovery::PersonalData) -> operations::OperationReview;
            recovery_cancel() -> operations::OperationReview;
            settings_set_recovery_alerts(lead_minutes: Vec<u32>) -> settings::Settings;
            update_status() -> updates::UpdateStatus;
            update_check() -> updates::UpdateStatus;
            update_install() -> updates::UpdateStatus;
            update_later() -> updates::UpdateStatus;
            // Several accounts and Safes (accounts)
            accounts_list() -> Vec<accounts::AccountEntry>;
            accounts_switch(handle: String) -> session::SessionInfo;
            accounts_sign_out(handle: String) -> session::SessionInfo;
            accounts_rename(name: String) -> Vec<accounts::AccountEntry>;
            safes_select(address: String) -> session::SessionInfo;
            safes_rename(address: String, name: String) -> session::SessionInfo;
            safes_add_begin(chain_id: u32, name: String) -> session::Ceremony;
            safes_add_complete(ceremony_id: String, credential_json: String) -> session::SessionInfo;
            safes_add_complete_native(ceremony_id: String, provider: passkey::ProviderKind) -> session::SessionInfo;
            // Bank account, SEPA payments and mandates (banking)
            banking_overview() -> banking::BankOverview;
            banking_history(query: banking::HistoryQuery) -> banking::BankHistory;
            banking_iban_open(request: banking::IbanRequest) -> banking::IbanOpening;
            banking_iban_label(iban: String, label: String) -> banking::BankOverview;
            banking_payees() -> Vec<banking::payees::Payee>;
            banking_payee_add(draft: banking::payees::PayeeDraft) -> banking::payees::PayeeSaved;
            banking_payee_rename(contact_id: String, name: String) -> Vec<banking::payees::Payee>;
            banking_payee_delete(contact_id: String, iban: String) -> Vec<banking::payees::Payee>;
            banking_pay_prepare(draft: banking::payment::PaymentDraft) -> operations::OperationReview;
            banking_mandates() -> Vec<banking::mandates::MandateView>;
            banking_mandate_prepare(draft: banking::mandates::MandateDraft) -> operations::OperationReview;
            banking_mandate_create(user_op_hash: String) -> Vec<banking::mandates::MandateView>;
            banking_mandate_suspend(id: String) -> Vec<banking::mandates::MandateView>;
            banking_mandate_resume(id: String) -> Vec<banking::mandates::MandateView>;
            banking_mandate_cancel(id: String) -> Vec<banking::mandates::MandateView>;
            banking_automation() -> Vec<banking::automation::AutomationView>;
            banking_automation_save(draft: banking::automation::AutomationDraft) -> Vec<banking::automation::AutomationView>;
        }
    };
}
