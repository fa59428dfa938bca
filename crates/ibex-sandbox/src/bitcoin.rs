//! Bitcoin (docs/api/operations.md §8): derived P2WPKH / P2TR addresses (bech32 / bech32m; the witness
//! program stands in for the key HKDF would derive, the server never holds it), the UTXOs the
//! sandbox gives them, fee rates, and the `send/prepare` plan (largest-first coin selection,
//! fee = rate × vsize, change above the dust limit).

use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::routes::extract::Fields;
use crate::store::Store;

/// The Bitcoin address families (docs/api/auth.md §3.5).
pub const FAMILIES: [&str; 4] = [
    "BITCOIN_P2WPKH",
    "BITCOIN_P2TR",
    "BITCOIN_P2WPKH_TESTNET",
    "BITCOIN_P2TR_TESTNET",
];

/// sat/vB for about 1, 6 and 12 blocks.
pub const FEE_RATES: [(&str, u64); 3] = [("fast", 20), ("standard", 10), ("slow", 5)];
const DUST_SAT: u64 = 546;

const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

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

/// Bytes regrouped from 8-bit to 5-bit words.
fn to_5bit(data: &[u8]) -> Vec<u8> {
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for byte in data {
        acc = (acc << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

/// A segwit address (BIP 173 for v0, BIP 350 bech32m for v1+).
pub fn segwit_address(hrp: &str, version: u8, program: &[u8]) -> String {
    let mut data = vec![version];
    data.extend(to_5bit(program));
    let constant = if version == 0 { 1 } else { 0x2bc8_30a3 };
    let mut values: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|b| b & 31));
    values.extend(&data);
    values.extend([0u8; 6]);
    let check = polymod(&values) ^ constant;
    let checksum = (0..6).map(|i| ((check >> (5 * (5 - i))) & 31) as u8);
    let body: String = data
        .into_iter()
        .chain(checksum)
        .map(|d| CHARSET[d as usize] as char)
        .collect();
    format!("{hrp}1{body}")
}

/// The address of `family` for `label` (a derivation scope and index).
pub fn derived(seed: u64, family: &str, label: &str) -> String {
    let hrp = if family.ends_with("_TESTNET") {
        "tb"
    } else {
        "bc"
    };
    let program = ids::seeded(seed, &format!("{family}:{label}"));
    if family.starts_with("BITCOIN_P2TR") {
        segwit_address(hrp, 1, &program)
    } else {
        segwit_address(hrp, 0, &program[..20])
    }
}

/// `mainnet` or `testnet` (default `testnet`, the sandbox's `BTC_NETWORK`).
pub fn network(value: Option<&str>) -> ApiResult<&'static str> {
    match value.unwrap_or("testnet") {
        "mainnet" => Ok("mainnet"),
        "testnet" => Ok("testnet"),
        _ => Err(ApiError::bad_request("network must be mainnet or testnet")),
    }
}

/// Checks `address` is a segwit address of `network`.
fn on_network(address: &str, network: &str, field: &str) -> ApiResult<()> {
    let prefix = if network == "mainnet" { "bc1" } else { "tb1" };
    let ok = address.to_ascii_lowercase().starts_with(prefix)
        && address.len() >= 14
        && address[3..]
            .bytes()
            .all(|b| CHARSET.contains(&b.to_ascii_lowercase()));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{field} is not a {network} segwit address ({prefix}…)"
        )))
    }
}

/// The UTXOs of `address`: one to three faucet outputs for a derived address, none otherwise.
pub fn utxos(store: &Store, address: &str) -> Vec<Value> {
    if !crate::views::is_derived(store, &FAMILIES, address) {
        return Vec::new();
    }
    let count = 1 + ids::seeded_below(store.seed, &format!("utxos|{address}"), 3);
    (0..count)
        .map(|i| {
            let txid = ids::hex(&ids::seeded(store.seed, &format!("utxo|{address}|{i}")));
            let value = 20_000 + ids::seeded_below(store.seed, &format!("value|{address}|{i}"), 480_000);
            json!({ "txid": txid, "vout": i % 2, "value": value, "scriptPubKey": format!("0014{}", &txid[..40]) })
        })
        .collect()
}

/// vBytes of a P2WPKH spend with `inputs` and `outputs`.
fn vsize(inputs: u64, outputs: u64) -> u64 {
    11 + 68 * inputs + 31 * outputs
}

/// `send/prepare` (and `BITCOIN_SEND`'s `prepared`): `{from, to, amountSat | sendAll,
/// feeProfile?, network?, externalFeeSponsor?}` → the plan. With an external fee sponsor the
/// sender's inputs pay the amount only and `sponsorShortfallSat` is the fee the sponsor adds.
pub fn prepare(store: &Store, item: &Value) -> ApiResult<Value> {
    let network = network(item.opt_text("network"))?;
    let (from, to) = (item.text("from")?, item.text("to")?);
    on_network(from, network, "from")?;
    on_network(to, network, "to")?;
    let send_all = item
        .get("sendAll")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let sponsored = item
        .get("externalFeeSponsor")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let profile = item.opt_text("feeProfile").unwrap_or("standard");
    let rate = FEE_RATES
        .iter()
        .find(|(p, _)| *p == profile)
        .map(|(_, r)| *r)
        .ok_or_else(|| ApiError::bad_request("feeProfile must be slow, standard or fast"))?;
    let amount = match item.get("amountSat") {
        _ if send_all => None,
        Some(v) => Some(v.as_u64().filter(|a| *a >= DUST_SAT).ok_or_else(|| {
            ApiError::bad_request(format!("amountSat must be a whole number ≥ {DUST_SAT}"))
        })?),
        None => {
            return Err(ApiError::bad_request(
                "amountSat is required unless sendAll",
            ))
        }
    };
    let mut coins: Vec<u64> = utxos(store, from)
        .iter()
        .filter_map(|u| u["value"].as_u64())
        .collect();
    coins.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = coins.iter().sum();
    let fee_of = |inputs: u64, outputs: u64| {
        if sponsored {
            0
        } else {
            rate * vsize(inputs, outputs)
        }
    };
    let (inputs, amount, fee, change) = match amount {
        None => {
            let fee = fee_of(coins.len() as u64, 1);
            let amount = total
                .checked_sub(fee)
                .filter(|a| *a >= DUST_SAT)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "insufficient funds: {total} sat cannot pay the fee"
                    ))
                })?;
            (coins.len() as u64, amount, fee, 0)
        }
        Some(amount) => {
            let (mut used, mut sum) = (0u64, 0u64);
            loop {
                let fee = fee_of(used, 2);
                if sum >= amount + fee {
                    let change = sum - amount - fee;
                    break if change < DUST_SAT {
                        (used, amount, fee + change, 0)
                    } else {
                        (used, amount, fee, change)
                    };
                }
                let Some(coin) = coins.get(used as usize) else {
                    return Err(ApiError::bad_request(format!(
                        "insufficient funds: {total} sat available, {} needed",
                        amount + fee_of(coins.len() as u64, 2)
                    )));
                };
                sum += coin;
                used += 1;
            }
        }
    };
    let mut outputs = vec![json!({ "address": to, "value": amount })];
    if change > 0 {
        outputs.push(json!({ "address": from, "value": change }));
    }
    let shortfall = if sponsored {
        rate * vsize(inputs + 1, outputs.len() as u64)
    } else {
        0
    };
    Ok(json!({
        "from": from, "to": to, "amountSat": amount, "feeSat": fee, "inputsUsed": inputs,
        "outputs": outputs, "change": change, "network": network,
        "externalFeeSponsor": sponsored, "sponsorShortfallSat": shortfall,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bech32_and_bech32m_match_the_bip_vectors() {
        // BIP 173: P2WPKH of 751e76e8199196d454941c45d1b3a323f1433bd6.
        let program = [
            0x75, 0x1e, 0x76, 0xe8, 0x19, 0x91, 0x96, 0xd4, 0x54, 0x94, 0x1c, 0x45, 0xd1, 0xb3,
            0xa3, 0x23, 0xf1, 0x43, 0x3b, 0xd6,
        ];
        assert_eq!(
            segwit_address("bc", 0, &program),
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
        );
        // BIP 350: witness v1 of 79be667e…f81798 (the generator's x coordinate).
        let x = [
            0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87,
            0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b,
            0x16, 0xf8, 0x17, 0x98,
        ];
        assert_eq!(
            segwit_address("bc", 1, &x),
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
        );
    }
}
