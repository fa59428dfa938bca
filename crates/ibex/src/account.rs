//! `/v1.2/users/me*` reads and writes, userdata, email/SMS validation (docs/api/account.md).

use serde::{Deserialize, Serialize};

use crate::auth::seg;
use crate::client::{Expect, Request};
use crate::models::account::{
    AddressBook, AddressBookEntry, AddressBookUpdate, Balances, ConfirmEmailRequest,
    ConfirmSmsRequest, CryptoContact, DeriveRequest, GlobalWallets, IbanList, LendingEntry, Me,
    NewAddressBookEntry, OperationHistory, Pools, Scope, SignerList, SmsConfirmation,
    SmsValidation, TransactionFilter, Transactions, UserChains, UserData, UserDataWrite,
    ValidateEmailRequest, ValidateSmsRequest, WalletList,
};
use crate::models::catalog::TokenList;
use crate::models::{Ack, ChainId};
use crate::{Address, Error, Session};

/// Answer of the address-book writes (`{ success, data? }`; the entry when the server sends it).
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct AddressBookWrite {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub data: Option<AddressBookEntry>,
}

impl Session {
    /// `GET /v1.2/users/me`: every section; failed ones are listed in `errors`.
    pub async fn me(&self) -> Result<Me, Error> {
        self.call(Request::get("/v1.2/users/me")).await
    }

    /// `GET /v1.2/users/me/address`. Retries while IBEx answers 204 (wallet being created),
    /// then fails with [`Error::NotReady`].
    pub async fn address(&self, include_derived: bool) -> Result<WalletList, Error> {
        let req = Request::get("/v1.2/users/me/address")
            .query_opt("includeDerived", include_derived.then_some(true))
            .expect(Expect::NotReadyRetry);
        self.call(req).await
    }

    /// `GET /v1.2/users/me/balances` (aggregated without a scope; all chains unless one is
    /// given). 404 = not indexed: retried once after a pause, then [`Error::NotIndexed`].
    pub async fn balances(&self, scope: &Scope) -> Result<Balances, Error> {
        let req = scoped(Request::get("/v1.2/users/me/balances"), scope)?
            .query_opt("includeZero", scope.include_zero)
            .query_opt("includeEmpty", scope.include_empty)
            .expect(Expect::Indexed);
        self.call(req).await
    }

    /// `GET /v1.2/users/me/transactions`: one page per chain.
    pub async fn transactions(&self, filter: &TransactionFilter) -> Result<Transactions, Error> {
        let req = scoped(Request::get("/v1.2/users/me/transactions"), &filter.scope)?
            .query_opt("scope", filter.kind.as_ref())
            .query_opt("startDate", filter.start_date.as_ref())
            .query_opt("endDate", filter.end_date.as_ref())
            .query_opt("direction", filter.direction.map(|d| d.as_str()))
            .query_opt("tokenType", filter.token_type.as_ref())
            .query_opt("tokenAddress", filter.token_address)
            .query_opt("hash", filter.hash.as_ref())
            .expect(Expect::Indexed);
        self.call(req).await
    }

    /// `GET /v1.2/users/me/tokens`: flat with a chain, grouped without.
    pub async fn tokens(&self, chain: Option<ChainId>) -> Result<TokenList, Error> {
        self.call(Request::get("/v1.2/users/me/tokens").chain(chain))
            .await
    }

    /// `GET /v1.2/users/me/ibans`.
    pub async fn ibans(&self) -> Result<IbanList, Error> {
        self.call(Request::get("/v1.2/users/me/ibans")).await
    }

    /// `GET /v1.2/users/me/signers`.
    pub async fn signers(&self) -> Result<SignerList, Error> {
        self.call(Request::get("/v1.2/users/me/signers")).await
    }

    /// `GET /v1.2/users/me/lending`.
    pub async fn lending(
        &self,
        user_scoped: Option<bool>,
        chain: Option<ChainId>,
    ) -> Result<Vec<LendingEntry>, Error> {
        let req = Request::get("/v1.2/users/me/lending")
            .query_opt("userScoped", user_scoped)
            .chain(chain);
        self.call(req).await
    }

    /// `GET /v1.2/users/me/pools` (404 = not indexed, as balances).
    pub async fn pools(&self, include_zero: Option<bool>) -> Result<Pools, Error> {
        let req = Request::get("/v1.2/users/me/pools")
            .query_opt("includeZero", include_zero)
            .expect(Expect::Indexed);
        self.call(req).await
    }

    /// `GET /v1.2/users/me/chainid`.
    pub async fn chains_of_user(&self) -> Result<UserChains, Error> {
        self.call(Request::get("/v1.2/users/me/chainid")).await
    }

    /// `GET /v1.2/users/me/operations`, newest first.
    pub async fn operation_history(
        &self,
        status: Option<&str>,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<OperationHistory, Error> {
        let req = Request::get("/v1.2/users/me/operations")
            .query_opt("status", status)
            .query_opt("limit", limit)
            .query_opt("offset", offset);
        self.call(req).await
    }

    /// `POST /v1.2/users/me`: write flat user key/values (`null` deletes).
    pub async fn write_user_data(&self, data: &UserDataWrite) -> Result<Ack, Error> {
        self.call(Request::post("/v1.2/users/me").json(data)?).await
    }

    /// `GET /v1.2/ibexsafe/userdata/external/{id}` (`None` on 204), falling back to
    /// `POST /v1.2/ibexsafe/userdata` when the GET is refused (IBExSafe guide).
    pub async fn read_user_data(&self, external_user_id: &str) -> Result<Option<UserData>, Error> {
        let path = format!("/v1.2/ibexsafe/userdata/external/{}", seg(external_user_id));
        match self.call_optional(Request::get(path)).await {
            Err(Error::Unauthorized { .. }) => {
                let body = UserDataWrite {
                    external_user_id: Some(external_user_id.to_owned()),
                    data: Default::default(),
                };
                self.call_optional(Request::post("/v1.2/ibexsafe/userdata").json(&body)?)
                    .await
            }
            other => other,
        }
    }

    /// `GET /v1.2/users/me/addressbook`.
    pub async fn address_book(&self) -> Result<AddressBook, Error> {
        self.call(Request::get("/v1.2/users/me/addressbook")).await
    }

    /// `POST /v1.2/users/me/addressbook` (IBANs are verified by VOP server-side).
    pub async fn add_contact(
        &self,
        entry: &NewAddressBookEntry,
    ) -> Result<AddressBookWrite, Error> {
        self.call(Request::post("/v1.2/users/me/addressbook").json(entry)?)
            .await
    }

    /// `PUT /v1.2/users/me/addressbook/{id}`.
    pub async fn update_contact(
        &self,
        id: &str,
        update: &AddressBookUpdate,
    ) -> Result<AddressBookWrite, Error> {
        let req = Request::put(format!("/v1.2/users/me/addressbook/{}", seg(id))).json(update)?;
        self.call(req).await
    }

    /// `DELETE /v1.2/users/me/addressbook/{id}`.
    pub async fn delete_contact(&self, id: &str) -> Result<AddressBookWrite, Error> {
        self.call(Request::delete(format!(
            "/v1.2/users/me/addressbook/{}",
            seg(id)
        )))
        .await
    }

    /// `POST /v1.2/users/me/addressbook/{id}/crypto`.
    pub async fn add_contact_address(
        &self,
        id: &str,
        row: &CryptoContact,
    ) -> Result<AddressBookWrite, Error> {
        let req =
            Request::post(format!("/v1.2/users/me/addressbook/{}/crypto", seg(id))).json(row)?;
        self.call(req).await
    }

    /// `DELETE /v1.2/users/me/addressbook/{id}/crypto/{chainId}/{address}`.
    pub async fn remove_contact_address(
        &self,
        id: &str,
        chain: ChainId,
        address: &Address,
    ) -> Result<AddressBookWrite, Error> {
        let path = format!(
            "/v1.2/users/me/addressbook/{}/crypto/{chain}/{address}",
            seg(id)
        );
        self.call(Request::delete(path)).await
    }

    /// `DELETE /v1.2/users/me/addressbook/{id}/ibans/{iban}`.
    pub async fn remove_contact_iban(
        &self,
        id: &str,
        iban: &str,
    ) -> Result<AddressBookWrite, Error> {
        let path = format!("/v1.2/users/me/addressbook/{}/ibans/{}", seg(id), seg(iban));
        self.call(Request::delete(path)).await
    }

    /// `POST /v1.2/users/me/validate-email`: sends a code.
    pub async fn validate_email(&self, body: &ValidateEmailRequest) -> Result<Ack, Error> {
        self.call(Request::post("/v1.2/users/me/validate-email").json(body)?)
            .await
    }

    /// `POST /v1.2/users/me/confirm-email`.
    pub async fn confirm_email(&self, body: &ConfirmEmailRequest) -> Result<Ack, Error> {
        self.call(Request::post("/v1.2/users/me/confirm-email").json(body)?)
            .await
    }

    /// `POST /v1.2/users/me/validate-sms` (may echo `code` outside production).
    pub async fn validate_sms(&self, body: &ValidateSmsRequest) -> Result<SmsValidation, Error> {
        self.call(Request::post("/v1.2/users/me/validate-sms").json(body)?)
            .await
    }

    /// `POST /v1.2/users/me/confirm-sms`.
    pub async fn confirm_sms(&self, body: &ConfirmSmsRequest) -> Result<SmsConfirmation, Error> {
        self.call(Request::post("/v1.2/users/me/confirm-sms").json(body)?)
            .await
    }

    /// `POST /v1.2/users/me/wallets/global`: derive more global addresses.
    pub async fn derive_global_wallets(
        &self,
        body: &DeriveRequest,
    ) -> Result<GlobalWallets, Error> {
        self.call(Request::post("/v1.2/users/me/wallets/global").json(body)?)
            .await
    }
}

/// Applies the wallet/IBAN scope (mutually exclusive) and the shared read options.
fn scoped(req: Request, scope: &Scope) -> Result<Request, Error> {
    if scope.wallet_address.is_some() && scope.iban.is_some() {
        return Err(Error::Invalid(
            "walletAddress and iban cannot be combined".into(),
        ));
    }
    Ok(req
        .query_opt("walletAddress", scope.wallet_address)
        .query_opt("iban", scope.iban.as_ref())
        .query_opt("includePrices", scope.include_prices)
        .query_opt("page", scope.page)
        .query_opt("limit", scope.limit)
        .chain(scope.chain_id))
}
