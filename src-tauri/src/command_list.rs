// The app's IPC commands, declared once. Each line is `name(args) -> result;` and maps to the
// `Core` method of the same name. `commands.rs` expands this into the Tauri handler, the
// TypeScript bindings and the web host's dispatcher; `build.rs` into the app manifest (one
// permission per command). Plain tokens only: build.rs includes this file too.
macro_rules! for_each_command {
    ($then:ident) => {
        $then! {
            app_info() -> AppInfo;
            settings_get() -> Settings;
            settings_set_network(choice: NetworkChoice) -> Settings;
            settings_set_theme(theme: Theme) -> Settings;
            settings_set_lock(minutes: u32) -> Settings;
            settings_set_chain(chain_id: Option<u32>) -> Settings;
            settings_set_language(language: Language) -> Settings;
            network_status() -> NetworkStatus;
            passkey_capabilities(webview: WebviewInfo) -> PasskeyCapabilities;
            session_get() -> SessionInfo;
            auth_begin(intent: AuthIntent) -> Ceremony;
            auth_complete(ceremony_id: String, credential_json: String) -> SessionInfo;
            auth_complete_native(ceremony_id: String, provider: ProviderKind) -> SessionInfo;
            session_sign_out() -> SessionInfo;
            session_lock() -> SessionInfo;
            pin_sign_up(pin: String) -> SessionInfo;
            pin_sign_in(pin: String) -> SessionInfo;
            pin_remembered() -> bool;
            wallet_holdings() -> Vec<Holding>;
            send_prepare(draft: TransferDraft) -> OperationReview;
            operation_approve(review_id: String, credential_json: String) -> OperationUpdate;
            operation_approve_native(review_id: String, provider: ProviderKind) -> OperationUpdate;
            recipient_check(address: String) -> RecipientCheck;
            recipients_suggest() -> Vec<KnownRecipient>;
            contacts_list() -> Vec<Contact>;
            contacts_save(id: Option<String>, draft: ContactDraft) -> Vec<Contact>;
            contacts_delete(id: String) -> Vec<Contact>;
            account_signers() -> Vec<SignerView>;
            kyc_status() -> KycView;
            kyc_open() -> String;
            passkey_cancel() -> bool;
            passkey_browser_page() -> Option<String>;
            portfolio_cached() -> Option<Portfolio>;
            portfolio_refresh() -> Portfolio;
            activity_page(query: ActivityQuery) -> ActivityPage;
            activity_pending() -> Vec<PendingOperation>;
            activity_export(request: ExportRequest) -> ExportResult;
            recovery_status() -> RecoveryInfo;
            recovery_check_personal_data(data: PersonalData) -> Vec<FieldProblem>;
            recovery_enable(data: PersonalData) -> RecoveryReview;
            recovery_cancel() -> RecoveryReview;
            settings_set_recovery_alerts(lead_minutes: Vec<u32>) -> Settings;
        }
    };
}
