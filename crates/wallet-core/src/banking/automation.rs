//! The automation (allowance) module's policy (docs/api/operations.md §3.5, §6): what moves
//! automatically from the Safe, to whom, how much and how often — `PUT
//! /v1.2/safes/{safe}/automation-module/config`, read back from `/users/me/address`
//! (`chains[].modules.automation`). Turning the module on is the `ENABLE_AUTOMATION_MODULE`
//! operation, whose fields IBEx does not document (gaps.md G20), and no DCA or scheduled
//! transfer route is documented beyond `frequency`: the wallet says so instead of guessing.

use std::str::FromStr;

use ibex::models::operations::AutomationConfig;
use ibex::models::ChainId;
use ibex::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Context, ErrorCode};
use crate::messages::Msg;
use crate::recipients::parse_recipient;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AutomationMode {
    /// A share of every amount the Safe receives.
    PercentOfReceived,
    /// A fixed amount each time.
    FixedAmount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Frequency {
    Daily,
    Weekly,
    NinetyDays,
    None,
}

impl Frequency {
    fn wire(self) -> &'static str {
        match self {
            Self::Daily => "DAILY",
            Self::Weekly => "WEEKLY",
            Self::NinetyDays => "90_DAYS",
            Self::None => "NONE",
        }
    }

    fn of_wire(text: &str) -> Option<Self> {
        [Self::Daily, Self::Weekly, Self::NinetyDays, Self::None]
            .into_iter()
            .find(|f| f.wire() == text)
    }
}

/// The module on one chain of the Safe, as IBEx reports it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AutomationView {
    pub chain_id: u32,
    /// EIP-55.
    pub safe: String,
    /// IBEx lists an automation module on this chain.
    pub installed: bool,
    pub enabled: bool,
    pub mode: Option<AutomationMode>,
    pub target_address: Option<String>,
    pub token_address: Option<String>,
    /// Exact decimal text.
    pub percentage: Option<String>,
    pub fixed_amount: Option<String>,
    pub min_interval_minutes: Option<u32>,
    pub frequency: Option<Frequency>,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AutomationDraft {
    pub chain_id: u32,
    pub enabled: bool,
    pub mode: AutomationMode,
    pub target_address: String,
    pub token_address: String,
    /// With `percentOfReceived`: 0–100.
    pub percentage: Option<String>,
    /// With `fixedAmount`: whole tokens, exact.
    pub fixed_amount: Option<String>,
    pub min_interval_minutes: u32,
    pub frequency: Frequency,
}

fn decimal(text: Option<&str>, missing: Msg) -> Result<Decimal, AppError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let text = text.ok_or_else(|| AppError::validation(missing))?;
    Decimal::from_str(text).map_err(|_| {
        AppError::validation(Msg::NotAnAmount {
            text: text.to_owned(),
        })
    })
}

/// The draft as the documented body; the field rules (percentage only with
/// `PERCENT_OF_RECEIVED`, 0–100; fixed amount only with `FIXED_AMOUNT`) are checked here.
fn config(draft: &AutomationDraft) -> Result<AutomationConfig, AppError> {
    let mut config = AutomationConfig {
        target_address: Some(parse_recipient(&draft.target_address)?),
        token_address: Some(parse_recipient(&draft.token_address)?),
        min_interval_minutes: Some(u64::from(draft.min_interval_minutes)),
        frequency: Some(draft.frequency.wire().to_owned()),
        enabled: Some(draft.enabled),
        ..AutomationConfig::default()
    };
    match draft.mode {
        AutomationMode::PercentOfReceived => {
            let p = decimal(draft.percentage.as_deref(), Msg::AutomationPercentRange)?;
            let hundred = Decimal::from_str("100").expect("a decimal");
            let units = |d: &Decimal| d.to_base_units(18).ok();
            if units(&p).is_none_or(|u| u == 0 || Some(u) > units(&hundred)) {
                return Err(AppError::validation(Msg::AutomationPercentRange));
            }
            config.mode = Some("PERCENT_OF_RECEIVED".into());
            config.percentage = Some(p);
        }
        AutomationMode::FixedAmount => {
            let a = decimal(draft.fixed_amount.as_deref(), Msg::AutomationAmountMissing)?;
            if a.to_base_units(18).ok().is_none_or(|u| u == 0) {
                return Err(AppError::validation(Msg::AmountZero));
            }
            config.mode = Some("FIXED_AMOUNT".into());
            config.fixed_amount = Some(Some(a));
        }
    }
    Ok(config)
}

impl crate::Core {
    /// The automation module of the Safe on each of its chains.
    pub async fn banking_automation(&self) -> Result<Vec<AutomationView>, AppError> {
        let (session, safe) = self.connection().await?.auth.signed_in()?;
        let wallets = session.address(false).await?;
        let wallet = wallets.wallets.into_iter().find(|w| w.safe_address == safe);
        let Some(wallet) = wallet else {
            return Ok(Vec::new());
        };
        Ok(wallet
            .chains
            .into_iter()
            .filter_map(|c| {
                let chain_id = u32::try_from(c.chain_id.0).ok()?;
                let module = c.modules.and_then(|m| m.automation);
                let text = |d: Option<Decimal>| d.map(|d| d.as_str().to_owned());
                Some(match module {
                    Some(m) => AutomationView {
                        chain_id,
                        safe: safe.to_checksum(),
                        installed: true,
                        enabled: m.enabled,
                        mode: match m.transfer_mode.as_deref() {
                            Some("PERCENT_OF_RECEIVED") => Some(AutomationMode::PercentOfReceived),
                            Some("FIXED_AMOUNT") => Some(AutomationMode::FixedAmount),
                            _ => None,
                        },
                        target_address: m.target_address.map(|a| a.to_checksum()),
                        token_address: m.token_address.map(|a| a.to_checksum()),
                        percentage: text(m.percentage),
                        fixed_amount: text(m.fixed_amount),
                        min_interval_minutes: m
                            .min_interval_minutes
                            .and_then(|v| u32::try_from(v).ok()),
                        frequency: m.frequency.as_deref().and_then(Frequency::of_wire),
                    },
                    None => AutomationView {
                        chain_id,
                        safe: safe.to_checksum(),
                        installed: false,
                        enabled: false,
                        mode: None,
                        target_address: None,
                        token_address: None,
                        percentage: None,
                        fixed_amount: None,
                        min_interval_minutes: None,
                        frequency: None,
                    },
                })
            })
            .collect())
    }

    /// Sets the module's policy on one chain; returns every chain's module as IBEx now has it.
    pub async fn banking_automation_save(
        &self,
        draft: AutomationDraft,
    ) -> Result<Vec<AutomationView>, AppError> {
        let body = config(&draft)?;
        let (session, safe) = self.connection().await?.auth.signed_in()?;
        session
            .configure_automation(&safe, Some(ChainId(u64::from(draft.chain_id))), &body)
            .await
            .map_err(|e| {
                AppError::from_ibex(
                    &e,
                    &Context {
                        refused: Some((ErrorCode::Validation, Msg::AutomationRefused)),
                        ..Context::default()
                    },
                )
            })?;
        self.banking_automation().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(
        mode: AutomationMode,
        percentage: Option<&str>,
        fixed: Option<&str>,
    ) -> AutomationDraft {
        AutomationDraft {
            chain_id: 421_614,
            enabled: true,
            mode,
            target_address: "0x000000000000000000000000000000000000dEaD".into(),
            token_address: "0x0000000000000000000000000000000000000000".into(),
            percentage: percentage.map(str::to_owned),
            fixed_amount: fixed.map(str::to_owned),
            min_interval_minutes: 60,
            frequency: Frequency::Weekly,
        }
    }

    #[test]
    fn the_body_follows_the_documented_rules() {
        let body = config(&draft(
            AutomationMode::PercentOfReceived,
            Some("12.5"),
            None,
        ))
        .unwrap();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["mode"], "PERCENT_OF_RECEIVED");
        assert_eq!(json["frequency"], "WEEKLY");
        assert!(json.get("fixedAmount").is_none());
        assert!(config(&draft(AutomationMode::PercentOfReceived, Some("101"), None)).is_err());
        assert!(config(&draft(AutomationMode::PercentOfReceived, None, None)).is_err());
        let fixed = config(&draft(AutomationMode::FixedAmount, None, Some("10.5"))).unwrap();
        assert_eq!(serde_json::to_value(&fixed).unwrap()["fixedAmount"], "10.5");
        assert!(config(&draft(AutomationMode::FixedAmount, None, Some("0"))).is_err());
    }
}
