//! The Bitcoin wallets IBEx derives for the account (docs/api/operations.md §8): their addresses
//! (global and per-Safe, `/users/me/address?includeDerived=true`), balances from their UTXOs,
//! fee rates, and a send **planned and reviewed** through `send/prepare` (inputs, fee, change).
//!
//! Sending stops there. IBEx never signs Bitcoin ("build and sign the PSBT client-side"), its
//! PSBT builder answers 501, and the key of a derived address comes from the passkey's PRF
//! output or a master IBEx keeps sealed — how a client obtains it to sign is not documented. So
//! the wallet says plainly that it cannot sign, and never pretends to broadcast.
//!
//! Amounts are satoshis (`u64`) inside; addresses are SegWit (BIP 173 bech32 for v0, BIP 350
//! bech32m for v1+) with their checksum, witness program and network checked.

use ibex::models::bitcoin::{BitcoinSend, Network};
use ibex::{Decimal, Session};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::error::{AppError, Context, ErrorCode};
use crate::messages::Msg;

const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32: u32 = 1;
const BECH32M: u32 = 0x2bc8_30a3;
/// Satoshis per bitcoin.
const SAT_DECIMALS: u8 = 8;

/// `mainnet` or `testnet`, as IBEx's Bitcoin calls name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum BtcNetwork {
    Mainnet,
    Testnet,
}

impl BtcNetwork {
    fn api(self) -> Network {
        match self {
            Self::Mainnet => Network::Mainnet,
            Self::Testnet => Network::Testnet,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Mainnet => "mainnet",
            Self::Testnet => "testnet",
        }
    }
}

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    values.iter().fold(1u32, |chk, v| {
        let top = chk >> 25;
        let mut chk = ((chk & 0x01ff_ffff) << 5) ^ u32::from(*v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
        chk
    })
}

/// A checked SegWit address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtcAddress {
    /// Lower case, as IBEx prints them.
    pub text: String,
    pub network: BtcNetwork,
    pub version: u8,
}

/// Parses a SegWit address for `network`, each failure with its own message.
pub fn parse_address(text: &str, network: BtcNetwork) -> Result<BtcAddress, AppError> {
    let bad = |m| Err(AppError::validation(m));
    let text = text.trim();
    if text.is_empty() {
        return bad(Msg::BtcAddressEmpty);
    }
    if text.starts_with(['1', '3', 'm', 'n', '2']) {
        return bad(Msg::BtcAddressLegacy);
    }
    let lower = text.to_ascii_lowercase();
    let Some((hrp, data)) = lower.rsplit_once('1') else {
        return bad(Msg::BtcAddressNotBitcoin);
    };
    let found = match hrp {
        "bc" => BtcNetwork::Mainnet,
        "tb" => BtcNetwork::Testnet,
        _ => return bad(Msg::BtcAddressNotBitcoin),
    };
    if text.chars().any(|c| c.is_ascii_lowercase()) && text.chars().any(|c| c.is_ascii_uppercase())
    {
        return bad(Msg::BtcAddressMixedCase);
    }
    if found != network {
        return bad(Msg::BtcAddressWrongNetwork {
            found: found.name().to_owned(),
            network: network.name().to_owned(),
        });
    }
    if let Some(c) = data
        .chars()
        .find(|c| !CHARSET.contains(&(*c as u8)) || !c.is_ascii())
    {
        return bad(Msg::BtcAddressCharacter {
            character: c.to_string(),
        });
    }
    if data.len() < 8 || lower.len() > 90 {
        return bad(Msg::BtcAddressLength);
    }
    let values: Vec<u8> = data
        .bytes()
        .map(|b| CHARSET.iter().position(|c| *c == b).unwrap_or(0) as u8)
        .collect();
    let mut check: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    check.push(0);
    check.extend(hrp.bytes().map(|b| b & 31));
    check.extend(&values);
    let constant = polymod(&check);
    let version = values[0];
    let expected = if version == 0 { BECH32 } else { BECH32M };
    if constant != expected {
        return bad(Msg::BtcAddressChecksum);
    }
    let program = from_5bit(&values[1..values.len() - 6])
        .ok_or_else(|| AppError::validation(Msg::BtcAddressProgram))?;
    let length_ok = match version {
        0 => program.len() == 20 || program.len() == 32,
        1..=16 => (2..=40).contains(&program.len()),
        _ => false,
    };
    if !length_ok {
        return bad(Msg::BtcAddressProgram);
    }
    Ok(BtcAddress {
        text: lower,
        network,
        version,
    })
}

/// 5-bit groups back to bytes; `None` when the padding is not zero or too long (BIP 173).
fn from_5bit(data: &[u8]) -> Option<Vec<u8>> {
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for v in data {
        acc = (acc << 5) | u32::from(*v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits >= 5 || (acc & ((1 << bits) - 1)) != 0 {
        return None;
    }
    Some(out)
}

/// Satoshis → exact BTC text (8 decimals).
pub fn btc(sat: u64) -> String {
    Decimal::from_base_units(u128::from(sat), SAT_DECIMALS).to_string()
}

/// BTC text → satoshis: exact, at most 8 decimals, more than zero.
pub fn parse_btc(text: &str) -> Result<u64, AppError> {
    let text = text.trim();
    let amount = Decimal::from_str(text).map_err(|_| {
        AppError::validation(Msg::NotAnAmount {
            text: text.to_owned(),
        })
    })?;
    let sat = amount.to_base_units(SAT_DECIMALS).map_err(|_| {
        if text.starts_with('-') {
            AppError::validation(Msg::AmountNotPositive)
        } else {
            AppError::validation(Msg::TooManyDecimals {
                symbol: "BTC".into(),
                decimals: SAT_DECIMALS,
            })
        }
    })?;
    match u64::try_from(sat) {
        Ok(0) => Err(AppError::validation(Msg::AmountZero)),
        Ok(sat) if sat <= 21_000_000 * 100_000_000 => Ok(sat),
        _ => Err(AppError::validation(Msg::BtcAmountTooLarge)),
    }
}

/// Where a derived address comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum DerivedScope {
    /// The account's global key (`derived.global`).
    Account,
    /// A key of this Safe (`derived.perSafe`).
    Safe,
}

/// The account's derived addresses of the families starting with `prefix` (`BITCOIN_`, `SOLANA`),
/// global first, without repeats.
pub(crate) async fn derived_addresses(
    session: &Session,
    safe: &ibex::Address,
    families: &[&str],
) -> Result<Vec<(String, String, DerivedScope)>, AppError> {
    let list = session.address(true).await?;
    let wallet = list
        .wallets
        .iter()
        .find(|w| &w.safe_address == safe)
        .or_else(|| list.wallets.first());
    let mut found: Vec<(String, String, DerivedScope)> = Vec::new();
    let mut push = |family: &str, address: &str, scope| {
        if families.contains(&family) && !found.iter().any(|(_, a, _)| a == address) {
            found.push((family.to_owned(), address.to_owned(), scope));
        }
    };
    if let Some(derived) = wallet.and_then(|w| w.derived.as_ref()) {
        for eoa in derived.global.iter().flat_map(|g| &g.eoa_addresses) {
            push(&eoa.family, &eoa.address, DerivedScope::Account);
        }
        for (family, addresses) in &derived.per_safe {
            for address in addresses {
                push(family, address, DerivedScope::Safe);
            }
        }
    }
    Ok(found)
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BitcoinWallets {
    /// The network IBEx's Bitcoin service runs on (`/safes/bitcoin/info`).
    pub network: BtcNetwork,
    /// sat/vB for about 1, 6 and 12 blocks, as IBEx states them (exact text).
    pub fees: FeeRates,
    pub addresses: Vec<BitcoinAddressView>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FeeRates {
    pub fast: String,
    pub standard: String,
    pub slow: String,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BitcoinAddressView {
    pub address: String,
    /// `P2WPKH` (bc1q / tb1q) or `P2TR` (Taproot, bc1p / tb1p).
    pub kind: String,
    pub scope: DerivedScope,
    /// Sum of the UTXOs, satoshis (decimal text: a u64 does not fit a JS number).
    pub balance_sat: String,
    /// The same in BTC, exact.
    pub balance: String,
    pub utxos: Vec<UtxoView>,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UtxoView {
    pub txid: String,
    pub vout: u32,
    pub value_sat: String,
    pub value: String,
}

/// `slow`, `standard` or `fast` (about 12, 6 or 1 blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum FeeProfile {
    Slow,
    Standard,
    Fast,
}

impl FeeProfile {
    fn api(self) -> &'static str {
        match self {
            Self::Slow => "slow",
            Self::Standard => "standard",
            Self::Fast => "fast",
        }
    }
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BitcoinDraft {
    pub from: String,
    pub to: String,
    /// BTC, decimal text (at most 8 decimals).
    pub amount: String,
    pub fee_profile: FeeProfile,
}

/// What a Bitcoin send would do, as IBEx planned it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BitcoinPlan {
    pub network: BtcNetwork,
    pub from: String,
    pub to: String,
    pub amount_sat: String,
    pub amount: String,
    pub fee_sat: String,
    pub fee: String,
    pub fee_profile: FeeProfile,
    /// What leaves the address: amount + fee.
    pub total_sat: String,
    pub total: String,
    /// Back to the sender (0 when IBEx folded dust into the fee).
    pub change_sat: String,
    pub inputs: u32,
    /// Always false today: IBEx documents no way for the wallet to sign (see the module doc).
    pub signable: bool,
}

fn kind_of(family: &str) -> &'static str {
    if family.starts_with("BITCOIN_P2TR") {
        "P2TR"
    } else {
        "P2WPKH"
    }
}

async fn network_of(session: &Session) -> Result<BtcNetwork, AppError> {
    Ok(match session.bitcoin_info(None).await?.network {
        Network::Mainnet => BtcNetwork::Mainnet,
        Network::Testnet => BtcNetwork::Testnet,
    })
}

/// The derived addresses of `network`'s families.
async fn addresses_on(
    session: &Session,
    safe: &ibex::Address,
    network: BtcNetwork,
) -> Result<Vec<(String, String, DerivedScope)>, AppError> {
    let families: &[&str] = match network {
        BtcNetwork::Mainnet => &["BITCOIN_P2WPKH", "BITCOIN_P2TR"],
        BtcNetwork::Testnet => &["BITCOIN_P2WPKH_TESTNET", "BITCOIN_P2TR_TESTNET"],
    };
    derived_addresses(session, safe, families).await
}

/// The spendable satoshis of `address` (its UTXOs) and the UTXOs.
async fn utxos(
    session: &Session,
    address: &str,
    network: BtcNetwork,
) -> Result<(u64, Vec<UtxoView>), AppError> {
    let list = session.bitcoin_utxos(address, Some(network.api())).await?;
    let total = list
        .utxos
        .iter()
        .try_fold(0u64, |sum, u| sum.checked_add(u.value));
    let total =
        total.ok_or_else(|| AppError::new(ErrorCode::BadResponse, Msg::BtcBalanceOverflow))?;
    let views = list
        .utxos
        .into_iter()
        .map(|u| UtxoView {
            txid: u.txid,
            vout: u.vout,
            value_sat: u.value.to_string(),
            value: btc(u.value),
        })
        .collect();
    Ok((total, views))
}

impl crate::Core {
    /// The account's Bitcoin addresses on IBEx's Bitcoin network, with balances, UTXOs and fees.
    pub async fn bitcoin_wallets(&self) -> Result<BitcoinWallets, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let network = network_of(&session).await?;
        let rates = session
            .bitcoin_fees(Some(network.api()))
            .await?
            .fee_rate_sat_vb;
        let mut addresses = Vec::new();
        for (family, address, scope) in addresses_on(&session, &safe, network).await? {
            let (total, utxos) = utxos(&session, &address, network).await?;
            addresses.push(BitcoinAddressView {
                kind: kind_of(&family).to_owned(),
                address,
                scope,
                balance_sat: total.to_string(),
                balance: btc(total),
                utxos,
            });
        }
        Ok(BitcoinWallets {
            network,
            fees: FeeRates {
                fast: rates.fast.to_string(),
                standard: rates.standard.to_string(),
                slow: rates.slow.to_string(),
            },
            addresses,
        })
    }

    /// Plans a send from one of the account's Bitcoin addresses: checked here (address, amount,
    /// spendable balance), then inputs, fee and change from IBEx's `send/prepare`. Nothing is
    /// signed or broadcast.
    pub async fn bitcoin_plan(&self, draft: BitcoinDraft) -> Result<BitcoinPlan, AppError> {
        let conn = self.connection().await?;
        let (session, safe) = conn.auth.signed_in()?;
        let network = network_of(&session).await?;
        let from = draft.from.trim().to_ascii_lowercase();
        if !addresses_on(&session, &safe, network)
            .await?
            .iter()
            .any(|(_, a, _)| a.eq_ignore_ascii_case(&from))
        {
            return Err(AppError::validation(Msg::BtcNotYours));
        }
        let to = parse_address(&draft.to, network)?;
        if to.text == from {
            return Err(AppError::validation(Msg::BtcSameAddress));
        }
        let amount = parse_btc(&draft.amount)?;
        let (spendable, _) = utxos(&session, &from, network).await?;
        if amount > spendable {
            return Err(AppError::validation(Msg::BtcAboveSpendable {
                spendable: btc(spendable),
            }));
        }
        let plan = session
            .bitcoin_send_prepare(&BitcoinSend {
                from: from.clone(),
                to: to.text.clone(),
                amount_sat: Some(amount),
                send_all: None,
                fee_profile: Some(draft.fee_profile.api().to_owned()),
                network: Some(network.api()),
                external_fee_sponsor: None,
            })
            .await
            .map_err(|e| {
                AppError::from_ibex(
                    &e,
                    &Context {
                        refused: Some((
                            ErrorCode::Validation,
                            Msg::BtcFeeNotCovered {
                                spendable: btc(spendable),
                            },
                        )),
                        ..Context::default()
                    },
                )
            })?;
        if plan.amount_sat != amount || !plan.to.eq_ignore_ascii_case(&to.text) {
            return Err(AppError::new(ErrorCode::BadResponse, Msg::BtcPlanDiffers));
        }
        if plan.fee_sat > amount {
            return Err(AppError::validation(Msg::BtcFeeAboveAmount {
                fee: btc(plan.fee_sat),
                amount: btc(amount),
            }));
        }
        let total = amount.saturating_add(plan.fee_sat);
        let change = plan.change.as_u64().unwrap_or(0);
        Ok(BitcoinPlan {
            network,
            from,
            to: to.text,
            amount_sat: amount.to_string(),
            amount: btc(amount),
            fee_sat: plan.fee_sat.to_string(),
            fee: btc(plan.fee_sat),
            fee_profile: draft.fee_profile,
            total_sat: total.to_string(),
            total: btc(total),
            change_sat: change.to_string(),
            inputs: plan.inputs_used.as_u64().unwrap_or(0) as u32,
            signable: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str, network: BtcNetwork) -> String {
        parse_address(text, network).unwrap_err().message
    }

    #[test]
    fn segwit_addresses_are_checked_per_network_with_specific_messages() {
        // BIP 173 / BIP 350 vectors.
        let v0 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
        assert_eq!(parse_address(v0, BtcNetwork::Mainnet).unwrap().version, 0);
        let upper = v0.to_ascii_uppercase();
        assert!(parse_address(&upper, BtcNetwork::Mainnet).is_ok());
        let taproot = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";
        assert_eq!(
            parse_address(taproot, BtcNetwork::Mainnet).unwrap().version,
            1
        );
        let testnet = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7";
        assert!(parse_address(testnet, BtcNetwork::Testnet).is_ok());
        assert!(message(testnet, BtcNetwork::Mainnet).contains("testnet"));
        assert!(message(v0, BtcNetwork::Testnet).contains("mainnet"));
        // One character changed: the checksum catches it.
        let typo = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5";
        assert!(message(typo, BtcNetwork::Mainnet).contains("checksum"));
        // A v1 program with a bech32 (not bech32m) checksum (BIP 350 invalid vector).
        let old = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd";
        assert!(message(old, BtcNetwork::Mainnet).contains("checksum"));
        assert!(message(
            "bc1qw508d6qejxtdg4y5r3zarvarY0c5xw7kv8f3t4",
            BtcNetwork::Mainnet
        )
        .contains("mixes"));
        assert!(message(
            "bc1qw508d6qejxtdg4y5r3zarvaryb5xw7kv8f3t4",
            BtcNetwork::Mainnet
        )
        .contains("“b”"));
        assert!(
            message("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", BtcNetwork::Mainnet).contains("legacy")
        );
        assert!(message(
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            BtcNetwork::Mainnet
        )
        .contains("not a Bitcoin"));
        assert!(message(" ", BtcNetwork::Mainnet).contains("Enter"));
    }

    #[test]
    fn amounts_are_exact_satoshis() {
        assert_eq!(parse_btc("0.00050000").unwrap(), 50_000);
        assert_eq!(parse_btc("1").unwrap(), 100_000_000);
        assert_eq!(btc(123_456_789), "1.23456789");
        assert!(parse_btc("0.000000001")
            .unwrap_err()
            .message
            .contains("8 decimals"));
        assert!(parse_btc("0")
            .unwrap_err()
            .message
            .contains("more than zero"));
        assert!(parse_btc("abc").is_err());
        assert!(parse_btc("21000001").is_err());
    }
}
