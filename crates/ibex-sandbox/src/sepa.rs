//! Euro rails (docs/api/account.md §17, mirror only): the user's IBANs with a euro balance and a bank
//! history, payments approved by a passkey (payment intent → WebAuthn confirmation), and
//! mandates that forward a share of incoming transfers. Amounts are integer cents.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::clock::{iso, Millis};
use crate::iban;
use crate::ids;

/// How long a payment (or IBAN) approval waits for its passkey confirmation.
pub const APPROVAL_TTL_MS: Millis = 5 * 60_000;
/// A plain SEPA credit transfer settles after this long; SEPA Instant at once.
pub const SEPA_SETTLE_MS: Millis = 60_000;
/// IBANs per user (`maxIbanPerUser`, default 2).
pub const MAX_IBANS_PER_USER: usize = 2;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Sepa {
    /// By normalised IBAN.
    pub ibans: BTreeMap<String, Account>,
    pub approvals: BTreeMap<String, Approval>,
    /// Newest last.
    pub transactions: Vec<Transaction>,
    pub mandates: BTreeMap<String, Mandate>,
    /// The tenant flag `isSepaIbanAddWebauthnEnabled` (set from `/__sandbox/sepa`).
    #[serde(default)]
    pub iban_add_webauthn: bool,
    pub next_iban_id: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub id: u64,
    pub iban: String,
    pub bic: String,
    pub holder_name: String,
    pub label: Option<String>,
    pub user: String,
    pub safe: String,
    pub chain: u64,
    /// `MONERIUM` (from `MONERIUM_CREATE_IBAN`) or `IBEXFIAPI` (from `/sepa/iban/add`).
    pub provider: String,
    pub created_at: Millis,
    pub balance_cents: u128,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ApprovalKind {
    Payment(Payment),
    IbanAdd {
        holder_name: String,
        label: Option<String>,
        safe: String,
        chain: u64,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payment {
    pub reference: String,
    pub instant: bool,
    pub amount_cents: u128,
    pub remittance: Option<String>,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub creditor_name: String,
    pub creditor_iban: String,
}

impl Payment {
    fn channel(&self) -> &'static str {
        if self.instant {
            "SEPAINSTANT"
        } else {
            "SEPA"
        }
    }

    /// The row this payment leaves on the debtor's (`Out`) or the creditor's (`In`) IBAN.
    fn row(&self, id: String, kind: TxType, at: Millis, settles_at: Millis) -> Transaction {
        Transaction {
            id,
            iban: match kind {
                TxType::Out => self.debtor_iban.clone(),
                TxType::In => self.creditor_iban.clone(),
            },
            kind,
            amount_cents: self.amount_cents,
            sender_iban: self.debtor_iban.clone(),
            sender_name: self.debtor_name.clone(),
            beneficiary_iban: self.creditor_iban.clone(),
            beneficiary_name: self.creditor_name.clone(),
            reference: self.reference.clone(),
            remittance: self.remittance.clone(),
            created_at: at,
            settles_at,
            channel: self.channel().into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Approval {
    pub hash: String,
    pub user: String,
    pub signer: String,
    pub expires_at: Millis,
    pub consumed: bool,
    pub kind: ApprovalKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxType {
    #[serde(rename = "SEPA_IN")]
    In,
    #[serde(rename = "SEPA_OUT")]
    Out,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transaction {
    pub id: String,
    /// The user's IBAN this row belongs to.
    pub iban: String,
    pub kind: TxType,
    pub amount_cents: u128,
    pub sender_iban: String,
    pub sender_name: String,
    pub beneficiary_iban: String,
    pub beneficiary_name: String,
    pub reference: String,
    pub remittance: Option<String>,
    pub created_at: Millis,
    /// When it settles (`pending` until then, `completed` after).
    pub settles_at: Millis,
    pub channel: String,
}

impl Transaction {
    pub fn status(&self, now: Millis) -> (&'static str, &'static str) {
        if now >= self.settles_at {
            ("completed", "DONE")
        } else {
            ("pending", "PDNG")
        }
    }

    pub fn json(&self, now: Millis) -> Value {
        let (status, code) = self.status(now);
        json!({
            "id": self.id, "iban": self.iban,
            "type": self.kind, "status": status, "statusCode": code,
            "amount": cents(self.amount_cents), "currency": "EUR",
            "senderIban": self.sender_iban, "senderName": self.sender_name,
            "beneficiaryIban": self.beneficiary_iban, "beneficiaryName": self.beneficiary_name,
            "reference": self.reference, "remittanceInfo": self.remittance,
            "channel": self.channel, "createdAt": iso(self.created_at),
            "settledAt": (now >= self.settles_at).then(|| iso(self.settles_at)),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mandate {
    pub id: String,
    pub user: String,
    pub status: String,
    pub position: u64,
    pub source_iban: String,
    pub source_name: String,
    pub destination_iban: String,
    pub destination_name: String,
    pub destination_bic: Option<String>,
    pub percent: u32,
    pub trigger: Value,
    pub signature: Value,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub version: u32,
}

impl Mandate {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id, "status": self.status, "position": self.position,
            "routing": {
                "sourceIban": self.source_iban, "sourceName": self.source_name, "sourceBic": BIC,
                "destinationIban": self.destination_iban, "destinationName": self.destination_name,
                "destinationBic": self.destination_bic,
            },
            "allocation": { "percent": self.percent },
            "trigger": self.trigger, "signature": self.signature,
            "createdAt": iso(self.created_at), "updatedAt": iso(self.updated_at), "version": self.version,
        })
    }

    /// Whether an incoming transfer from `sender_iban` of `cents` triggers this mandate:
    /// `mode: all`, or every whitelist rule (`senderIban in`, `amount between`) holds.
    fn triggered_by(&self, sender_iban: &str, cents: u128) -> bool {
        if self.status != "validated" {
            return false;
        }
        match self.trigger.get("mode").and_then(Value::as_str) {
            Some("all") => true,
            Some("whitelist") => self
                .trigger
                .get("whitelistRules")
                .and_then(Value::as_array)
                .is_some_and(|rules| rules.iter().all(|r| rule_holds(r, sender_iban, cents))),
            _ => false,
        }
    }
}

fn rule_holds(rule: &Value, sender_iban: &str, cents: u128) -> bool {
    match rule.get("kind").and_then(Value::as_str) {
        Some("senderIban") => rule
            .get("values")
            .and_then(Value::as_array)
            .is_some_and(|v| {
                v.iter()
                    .any(|i| i.as_str().map(iban::normalize).as_deref() == Some(sender_iban))
            }),
        Some("amount") => {
            let bound = |k: &str| rule.get(k).and_then(Value::as_str).and_then(parse_cents);
            bound("minAmount").is_none_or(|min| cents >= min)
                && bound("maxAmount").is_none_or(|max| cents <= max)
        }
        _ => false,
    }
}

/// The sandbox bank's BIC.
pub const BIC: &str = "SBXBFRPPXXX";

/// `"150.00"` → 15000; at most 2 decimals, positive.
pub fn parse_cents(text: &str) -> Option<u128> {
    crate::amount::parse(text, 2).filter(|c| *c > 0)
}

pub fn cents(value: u128) -> String {
    format!("{}.{:02}", value / 100, value % 100)
}

impl Account {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id, "iban": self.iban, "formatted": iban::formatted(&self.iban), "bic": self.bic,
            "holderName": self.holder_name, "label": self.label, "status": "active",
            "safeAddress": self.safe, "blockchainId": self.chain, "provider": self.provider,
            "dateUsed": iso(self.created_at),
            "balance": { "amount": cents(self.balance_cents), "currency": "EUR" },
        })
    }
}

impl Sepa {
    /// Opens an IBAN for `user`'s Safe with a few salary-like credits already on it, so the
    /// bank history has data from the start.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        seed: u64,
        user: &str,
        holder_name: &str,
        label: Option<String>,
        safe: &str,
        chain: u64,
        provider: &str,
        now: Millis,
    ) -> Account {
        self.next_iban_id += 1;
        let id = self.next_iban_id;
        let iban = iban::sandbox_iban(seed, &format!("{user}|{id}"));
        let mut account = Account {
            id,
            iban: iban.clone(),
            bic: BIC.into(),
            holder_name: holder_name.to_owned(),
            label,
            user: user.to_owned(),
            safe: safe.to_owned(),
            chain,
            provider: provider.to_owned(),
            created_at: now,
            balance_cents: 0,
        };
        let employer = iban::sandbox_iban(seed, "employer");
        for i in 0..3u64 {
            let amount = 150_000
                + u128::from(ids::seeded_below(
                    seed,
                    &format!("salary|{iban}|{i}"),
                    100_000,
                ));
            let at = now - (3 - i as Millis) * 7 * 86_400_000;
            account.balance_cents += amount;
            self.transactions.push(Transaction {
                id: ids::uuid(&ids::seeded(seed, &format!("sepa-in|{iban}|{i}"))),
                iban: iban.clone(),
                kind: TxType::In,
                amount_cents: amount,
                sender_iban: employer.clone(),
                sender_name: "Sandbox Employer SAS".into(),
                beneficiary_iban: iban.clone(),
                beneficiary_name: holder_name.to_owned(),
                reference: format!("SALARY-{}", i + 1),
                remittance: Some("Monthly salary".into()),
                created_at: at,
                settles_at: at,
                channel: "SEPA".into(),
            });
        }
        self.ibans.insert(iban, account.clone());
        account
    }

    pub fn of_user<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a Account> + 'a {
        self.ibans.values().filter(move |a| a.user == user)
    }

    /// Books a confirmed payment: debits the debtor now; credits the creditor when it is
    /// another sandbox IBAN (running its mandates); returns the debtor's row.
    pub fn book(
        &mut self,
        seed: u64,
        payment: &Payment,
        now: Millis,
    ) -> Result<Transaction, String> {
        let debtor = self
            .ibans
            .get_mut(&payment.debtor_iban)
            .ok_or("the debtor IBAN is not an IBAN of this user")?;
        debtor.balance_cents = debtor
            .balance_cents
            .checked_sub(payment.amount_cents)
            .ok_or_else(|| {
                format!(
                    "insufficient funds: {} EUR available",
                    cents(debtor.balance_cents)
                )
            })?;
        let settles_at = if payment.instant {
            now
        } else {
            now + SEPA_SETTLE_MS
        };
        let id = ids::uuid(&ids::seeded(
            seed,
            &format!(
                "sepa-out|{}|{}|{now}",
                payment.debtor_iban,
                self.transactions.len()
            ),
        ));
        let out = payment.row(id, TxType::Out, now, settles_at);
        self.transactions.push(out.clone());
        if self.ibans.contains_key(&payment.creditor_iban) {
            self.receive(seed, payment, settles_at, 0);
        }
        Ok(out)
    }

    /// Credits an incoming transfer to one of the sandbox IBANs and forwards the share each
    /// triggered mandate asks for (mandates do not chain more than a few hops).
    pub fn receive(&mut self, seed: u64, payment: &Payment, at: Millis, depth: u32) {
        let Some(account) = self.ibans.get_mut(&payment.creditor_iban) else {
            return;
        };
        account.balance_cents += payment.amount_cents;
        let holder = account.holder_name.clone();
        let id = ids::uuid(&ids::seeded(
            seed,
            &format!(
                "sepa-in|{}|{}|{at}",
                payment.creditor_iban,
                self.transactions.len()
            ),
        ));
        let mut credited = payment.clone();
        credited.creditor_name = holder.clone();
        self.transactions.push(credited.row(id, TxType::In, at, at));
        if depth >= 3 {
            return;
        }
        let mut triggered: Vec<Mandate> = self
            .mandates
            .values()
            .filter(|m| {
                m.source_iban == payment.creditor_iban
                    && m.triggered_by(&payment.debtor_iban, payment.amount_cents)
            })
            .cloned()
            .collect();
        triggered.sort_by_key(|m| m.position);
        for mandate in triggered {
            let share = payment.amount_cents * u128::from(mandate.percent) / 100;
            if share == 0 {
                continue;
            }
            let forward = Payment {
                reference: format!("MANDATE-{}", &mandate.id[..8]),
                instant: true,
                amount_cents: share,
                remittance: Some(format!("{} % of {}", mandate.percent, payment.reference)),
                debtor_name: holder.clone(),
                debtor_iban: mandate.source_iban.clone(),
                creditor_name: mandate.destination_name.clone(),
                creditor_iban: mandate.destination_iban.clone(),
            };
            if self.book_forward(seed, &forward, at, depth).is_err() {
                continue;
            }
        }
    }

    fn book_forward(
        &mut self,
        seed: u64,
        payment: &Payment,
        at: Millis,
        depth: u32,
    ) -> Result<(), String> {
        let debtor = self.ibans.get_mut(&payment.debtor_iban).ok_or("unknown")?;
        debtor.balance_cents = debtor
            .balance_cents
            .checked_sub(payment.amount_cents)
            .ok_or("funds")?;
        let id = ids::uuid(&ids::seeded(
            seed,
            &format!(
                "mandate|{}|{}|{at}",
                payment.debtor_iban,
                self.transactions.len()
            ),
        ));
        self.transactions.push(payment.row(id, TxType::Out, at, at));
        self.receive(seed, payment, at, depth + 1);
        Ok(())
    }
}
