//! Activity: the crypto and fiat history as IBEx pages it (per chain), the operations still in
//! flight, and a CSV export of what the user has loaded.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ibex::models::account::{Direction, Scope, TransactionFilter, TransactionRow, Transactions};
use ibex::models::ChainId;
use ibex::{Decimal, Session};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{AppError, ErrorCode};
use crate::messages::Msg;
use crate::operations::{op_status, OpStatus};

/// Rows per chain and page (the API allows 1–100).
pub const PAGE_SIZE: u32 = 20;
/// Overrides where CSV exports go (tests, portable installs).
pub const DOWNLOAD_DIR_ENV: &str = "IBEX_DOWNLOAD_DIR";

/// The `scope` of `GET /v1.2/users/me/transactions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ActivityScope {
    Mixed,
    Crypto,
    Fiat,
}

impl ActivityScope {
    fn as_str(self) -> &'static str {
        match self {
            ActivityScope::Mixed => "mixed",
            ActivityScope::Crypto => "crypto",
            ActivityScope::Fiat => "fiat",
        }
    }
}

/// One page: all chains (`chainId` absent, page 1) or one chain's page `page` ("Load more").
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityQuery {
    pub scope: ActivityScope,
    pub chain_id: Option<u32>,
    pub page: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Flow {
    In,
    Out,
}

/// One line of history, crypto or fiat.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityRow {
    pub id: String,
    /// `None` for bank (fiat) movements.
    pub chain_id: Option<u32>,
    /// ISO 8601 UTC, when IBEx gives a date.
    pub date: Option<String>,
    pub direction: Option<Flow>,
    /// The other side: sender of an incoming, recipient of an outgoing movement.
    pub counterparty: Option<String>,
    /// Token symbol or currency.
    pub asset: String,
    /// Exact decimal text in whole tokens (or currency units).
    pub amount: String,
    pub value_eur: Option<String>,
    pub value_usd: Option<String>,
    pub tx_hash: Option<String>,
}

/// One chain's page of history.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChainHistory {
    pub chain_id: u32,
    pub page: u32,
    pub total_pages: u32,
    pub total: u32,
    pub rows: Vec<ActivityRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityPage {
    pub chains: Vec<ChainHistory>,
    /// Bank movements (`None` when the scope leaves them out).
    pub fiat: Option<Vec<ActivityRow>>,
}

/// An operation IBEx has not finished (signed, executing).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PendingOperation {
    pub user_op_hash: String,
    pub status: OpStatus,
    /// The operation type, e.g. `TRANSFER_TOKEN`.
    pub kind: String,
    pub amount: Option<String>,
    pub to: Option<String>,
    pub created_at: Option<String>,
}

/// What to export: the scope and, per chain, how many pages the user has loaded.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub scope: ActivityScope,
    pub chains: Vec<LoadedPages>,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LoadedPages {
    pub chain_id: u32,
    pub pages: u32,
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
    pub rows: u32,
}

/// Token decimals per (chain, lower-case address), to turn raw `value`s into exact amounts.
type Decimals = BTreeMap<(u64, String), u8>;

async fn decimals(session: &Session) -> Decimals {
    match session.tokens(None).await {
        Ok(list) => {
            let groups: Vec<(Option<ChainId>, Vec<&ibex::models::catalog::TokenInfo>)> = match &list
            {
                ibex::models::catalog::TokenList::Grouped(g) => g
                    .iter()
                    .map(|g| (Some(g.blockchain_id), g.tokens.iter().collect()))
                    .collect(),
                ibex::models::catalog::TokenList::Flat(t) => vec![(None, t.iter().collect())],
            };
            groups
                .into_iter()
                .flat_map(|(chain, tokens)| {
                    tokens.into_iter().filter_map(move |t| {
                        let chain = t.blockchain_id.or(chain)?;
                        Some(((chain.0, t.address.to_string().to_lowercase()), t.decimals))
                    })
                })
                .collect()
        }
        Err(e) => {
            tracing::warn!(error = %e, "token list unavailable; amounts from valueFormatted");
            Decimals::new()
        }
    }
}

fn not_indexed(e: ibex::Error) -> AppError {
    match e {
        ibex::Error::NotIndexed { .. } => {
            AppError::new(ErrorCode::NotIndexed, Msg::IndexingHistory)
        }
        other => other.into(),
    }
}

async fn fetch(
    session: &Session,
    scope: ActivityScope,
    chain: Option<u32>,
    page: u32,
) -> Result<Transactions, AppError> {
    let filter = TransactionFilter {
        scope: Scope {
            chain_id: chain.map(|c| ChainId(u64::from(c))),
            page: Some(page.max(1)),
            limit: Some(PAGE_SIZE),
            ..Scope::default()
        },
        kind: Some(scope.as_str().to_owned()),
        ..TransactionFilter::default()
    };
    session.transactions(&filter).await.map_err(not_indexed)
}

/// The documented aggregated shape → pages per chain and fiat rows.
pub(crate) fn page_of(tx: Transactions, decimals: &Decimals) -> ActivityPage {
    let chains = tx
        .crypto
        .map(|c| {
            c.transactions
                .into_iter()
                .filter_map(|(chain, page)| {
                    let chain_id = chain.parse::<u32>().ok()?;
                    Some(ChainHistory {
                        chain_id,
                        page: clamp(page.page.unwrap_or(1)),
                        total_pages: clamp(page.total_pages.unwrap_or(1)),
                        total: clamp(page.total.unwrap_or(page.data.len() as u64)),
                        rows: page
                            .data
                            .iter()
                            .map(|r| crypto_row(chain_id, r, decimals))
                            .collect(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let fiat = tx.fiat.map(|f| {
        f.data
            .iter()
            .enumerate()
            .map(|(i, v)| fiat_row(i, v))
            .collect()
    });
    ActivityPage { chains, fiat }
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn crypto_row(chain_id: u32, r: &TransactionRow, decimals: &Decimals) -> ActivityRow {
    let token = r.token_address.map(|a| a.to_string().to_lowercase());
    let exact = token
        .and_then(|t| decimals.get(&(u64::from(chain_id), t)))
        .zip(r.value.as_ref())
        .and_then(|(d, raw)| Some(Decimal::from_base_units(raw.as_str().parse().ok()?, *d)));
    let amount = exact
        .or_else(|| r.value_formatted.clone())
        .map_or_else(String::new, |d| d.as_str().to_owned());
    let direction = r.direction.map(|d| match d {
        Direction::In => Flow::In,
        Direction::Out => Flow::Out,
    });
    let counterparty = match direction {
        Some(Flow::In) => r.from,
        Some(Flow::Out) => r.to,
        None => None,
    };
    let hash = r.transaction_hash.clone();
    ActivityRow {
        id: r
            .id
            .as_ref()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .or_else(|| hash.clone())
            .unwrap_or_default(),
        chain_id: Some(chain_id),
        date: r.timestamp.as_deref().map(utc),
        direction,
        counterparty: counterparty.map(|a| a.to_checksum()),
        asset: r.token_symbol.clone().unwrap_or_else(|| "?".to_owned()),
        amount,
        value_eur: r.value_eur.as_ref().map(|d| d.as_str().to_owned()),
        value_usd: r.value_usd.as_ref().map(|d| d.as_str().to_owned()),
        tx_hash: hash,
    }
}

/// Fiat rows are not specified beyond `data[]`; read the SEPA transaction fields (mirror).
fn fiat_row(index: usize, v: &Value) -> ActivityRow {
    let text = |k: &str| {
        v.get(k).and_then(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let out = text("type")
        .or_else(|| text("direction"))
        .is_some_and(|t| t.to_uppercase().contains("OUT"));
    ActivityRow {
        id: text("id").unwrap_or_else(|| format!("fiat-{index}")),
        chain_id: None,
        date: text("createdAt")
            .or_else(|| text("date"))
            .as_deref()
            .map(utc),
        direction: Some(if out { Flow::Out } else { Flow::In }),
        counterparty: {
            let (name, iban) = if out {
                (text("beneficiaryName"), text("beneficiaryIban"))
            } else {
                (text("senderName"), text("senderIban"))
            };
            let iban = iban.as_deref().map(crate::banking::iban::grouped);
            match (name, iban) {
                (Some(name), Some(iban)) => Some(format!("{name} · {iban}")),
                (name, iban) => name.or(iban),
            }
        },
        asset: text("currency").unwrap_or_else(|| "EUR".to_owned()),
        amount: text("amount")
            .filter(|a| Decimal::from_str(a).is_ok())
            .unwrap_or_default(),
        value_eur: None,
        value_usd: None,
        tx_hash: None,
    }
}

/// ISO 8601 in UTC with milliseconds (`2026-05-14T19:07:41.697Z`, as JavaScript prints
/// dates); text that is not RFC 3339 is kept as IBEx wrote it.
fn utc(text: &str) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(FORMAT).ok())
        .unwrap_or_else(|| text.to_owned())
}

const CSV_HEADER: &str =
    "date,type,chain_id,direction,asset,amount,counterparty,value_eur,value_usd,tx_hash";

/// RFC 4180 CSV, newest first. Text that a spreadsheet would run as a formula (a token named
/// `=HYPERLINK(…)`) is prefixed with `'`.
pub(crate) fn to_csv(rows: &[ActivityRow]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for r in rows {
        let direction = r.direction.map(|d| match d {
            Flow::In => "in",
            Flow::Out => "out",
        });
        let chain = r.chain_id.map(|c| c.to_string());
        let fields = [
            r.date.as_deref().unwrap_or(""),
            if r.chain_id.is_some() {
                "crypto"
            } else {
                "fiat"
            },
            chain.as_deref().unwrap_or(""),
            direction.unwrap_or(""),
            &text_cell(&r.asset),
            &r.amount,
            &text_cell(r.counterparty.as_deref().unwrap_or("")),
            r.value_eur.as_deref().unwrap_or(""),
            r.value_usd.as_deref().unwrap_or(""),
            r.tx_hash.as_deref().unwrap_or(""),
        ];
        let line: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// `IBEX_DOWNLOAD_DIR`, else the user's Downloads, else the data directory.
fn download_dir() -> Result<PathBuf, AppError> {
    std::env::var_os(DOWNLOAD_DIR_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(dirs::download_dir)
        .or_else(|| dirs::data_dir().map(|d| d.join("IBEx Wallet")))
        .ok_or_else(|| AppError::internal(Msg::NoDownloadsFolder))
}

/// `ibex-activity-YYYY-MM-DD.csv`, or `…-2.csv` and up when that name is taken.
fn write_new(dir: &Path, day: &str, contents: &str) -> Result<PathBuf, AppError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::internal(Msg::CannotCreateFolder {
            path: dir.display().to_string(),
            error: e.to_string(),
        })
    })?;
    for n in 1u32..1000 {
        let name = if n == 1 {
            format!("ibex-activity-{day}.csv")
        } else {
            format!("ibex-activity-{day}-{n}.csv")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(contents.as_bytes()).map_err(|e| {
                    AppError::internal(Msg::CannotWriteFile {
                        path: path.display().to_string(),
                        error: e.to_string(),
                    })
                })?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(AppError::internal(Msg::CannotWriteFile {
                    path: path.display().to_string(),
                    error: e.to_string(),
                }))
            }
        }
    }
    Err(AppError::internal(Msg::TooManyExports))
}

/// The activity commands.
impl crate::Core {
    /// One page of history: every chain's first page, or page `page` of one chain.
    pub async fn activity_page(&self, query: ActivityQuery) -> Result<ActivityPage, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let (tx, decimals) = tokio::join!(
            fetch(&session, query.scope, query.chain_id, query.page),
            decimals(&session)
        );
        Ok(page_of(tx?, &decimals))
    }

    /// Operations IBEx has not finished, newest first (prepared-but-unsigned intents excluded).
    pub async fn activity_pending(&self) -> Result<Vec<PendingOperation>, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let history = session.operation_history(None, Some(50), None).await?;
        let mut out: Vec<PendingOperation> = history
            .data
            .into_values()
            .flatten()
            .filter_map(|record| {
                let op = record.safe_operation?;
                let live = !op.status.is_final()
                    && op.status != ibex::models::operations::OperationStatus::Created;
                live.then(|| {
                    let field = |k: &str| {
                        record
                            .data
                            .as_ref()
                            .and_then(|d| d.get(k))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    };
                    PendingOperation {
                        status: op_status(&op.status),
                        kind: record.kind.clone(),
                        amount: field("amount"),
                        to: field("to"),
                        created_at: op.created_at.as_deref().map(utc),
                        user_op_hash: op.user_op_hash,
                    }
                })
            })
            .collect();
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        out.dedup_by(|a, b| a.user_op_hash == b.user_op_hash);
        Ok(out)
    }

    /// Writes the loaded history (the same pages, fetched again) as CSV to the Downloads
    /// folder and returns where.
    pub async fn activity_export(&self, request: ExportRequest) -> Result<ExportResult, AppError> {
        let conn = self.connection().await?;
        let (session, _) = conn.auth.signed_in()?;
        let decimals = decimals(&session).await;
        let mut rows = Vec::new();
        if request.scope != ActivityScope::Fiat {
            for loaded in &request.chains {
                for page in 1..=loaded.pages.max(1) {
                    let tx =
                        fetch(&session, ActivityScope::Crypto, Some(loaded.chain_id), page).await?;
                    rows.extend(
                        page_of(tx, &decimals)
                            .chains
                            .into_iter()
                            .flat_map(|c| c.rows),
                    );
                }
            }
        }
        if request.scope != ActivityScope::Crypto {
            let tx = fetch(&session, ActivityScope::Fiat, None, 1).await?;
            rows.extend(page_of(tx, &decimals).fiat.unwrap_or_default());
        }
        // Newest first (ISO 8601 UTC sorts as text); undated rows last.
        rows.sort_by(|a, b| b.date.cmp(&a.date));
        let day = crate::portfolio::now_iso()
            .get(..10)
            .unwrap_or("undated")
            .to_owned();
        let path = write_new(&download_dir()?, &day, &to_csv(&rows))?;
        Ok(ExportResult {
            path: path.display().to_string(),
            rows: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Transactions {
        serde_json::from_value(serde_json::json!({
            "type": "mixed",
            "crypto": { "transactions": {
                "100": { "total": 41, "page": 1, "limit": 20, "totalPages": 3, "data": [
                    { "id": "0xaa-in", "transactionHash": "0xaa", "from": "0x52908400098527886e0f7030069857d2e4169ee7",
                      "to": "0x67b3a55a00000000000000000000000000000001", "tokenAddress": "0x420CA0f9B9b604cE0fd9C18EF134C705e5Fa3430",
                      "tokenSymbol": "EURe", "value": "1000000000000000001", "valueFormatted": 1, "direction": "IN",
                      "timestamp": "2026-05-14T21:07:41.697+02:00", "value_eur": "1.00", "value_usd": "1.18" },
                    { "transactionHash": "0xbb", "from": "0x67b3a55a00000000000000000000000000000001",
                      "to": "0x52908400098527886e0f7030069857d2e4169ee7", "tokenSymbol": "xDAI", "valueFormatted": 0.25,
                      "direction": "OUT", "timestamp": "2026-05-13T08:00:00Z" }
                ] } } },
            "fiat": { "ibans": [], "total": 1, "data": [
                { "id": "f1", "type": "SEPA_OUT", "amount": "150.00", "currency": "EUR", "beneficiaryIban": "FR7630001007941234567890185", "beneficiaryName": "Jane Doe", "createdAt": "2026-05-12T10:00:00Z" }
            ] }
        }))
        .unwrap()
    }

    fn decimals() -> Decimals {
        Decimals::from([(
            (100, "0x420ca0f9b9b604ce0fd9c18ef134c705e5fa3430".to_owned()),
            18,
        )])
    }

    #[test]
    fn rows_are_exact_dated_in_utc_and_name_the_other_side() {
        let page = page_of(sample(), &decimals());
        let chain = &page.chains[0];
        assert_eq!(
            (chain.chain_id, chain.page, chain.total_pages, chain.total),
            (100, 1, 3, 41)
        );
        let first = &chain.rows[0];
        // From the raw value, not the float-ish valueFormatted.
        assert_eq!(first.amount, "1.000000000000000001");
        assert_eq!(first.date.as_deref(), Some("2026-05-14T19:07:41.697Z"));
        assert_eq!(first.direction, Some(Flow::In));
        assert_eq!(
            first.counterparty.as_deref(),
            Some("0x52908400098527886E0F7030069857D2E4169EE7")
        );
        let second = &chain.rows[1];
        assert_eq!(
            (second.amount.as_str(), second.direction),
            ("0.25", Some(Flow::Out))
        );
        assert_eq!(second.id, "0xbb");
        let fiat = page.fiat.unwrap();
        assert_eq!(
            (
                fiat[0].amount.as_str(),
                fiat[0].direction,
                fiat[0].counterparty.as_deref()
            ),
            (
                "150.00",
                Some(Flow::Out),
                Some("Jane Doe · FR76 3000 1007 9412 3456 7890 185")
            )
        );
    }

    #[test]
    fn csv_quotes_escapes_and_defuses_formulas() {
        let page = page_of(sample(), &decimals());
        let mut rows: Vec<ActivityRow> = page.chains[0].rows.clone();
        rows.extend(page.fiat.unwrap());
        rows[1].asset = "=HYPERLINK(\"x\",\"a, b\")".into();
        let csv = to_csv(&rows);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(
            lines[1],
            "2026-05-14T19:07:41.697Z,crypto,100,in,EURe,1.000000000000000001,0x52908400098527886E0F7030069857D2E4169EE7,1.00,1.18,0xaa"
        );
        assert_eq!(
            lines[2],
            "2026-05-13T08:00:00.000Z,crypto,100,out,\"'=HYPERLINK(\"\"x\"\",\"\"a, b\"\")\",0.25,0x52908400098527886E0F7030069857D2E4169EE7,,,0xbb"
        );
        assert_eq!(
            lines[3],
            "2026-05-12T10:00:00.000Z,fiat,,out,EUR,150.00,Jane Doe · FR76 3000 1007 9412 3456 7890 185,,,"
        );
        assert_eq!(lines[4], "");
        assert_eq!(lines.len(), 5);
    }

    #[test]
    fn exports_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_new(dir.path(), "2026-05-14", "a").unwrap();
        let b = write_new(dir.path(), "2026-05-14", "b").unwrap();
        assert!(a.ends_with("ibex-activity-2026-05-14.csv"));
        assert!(b.ends_with("ibex-activity-2026-05-14-2.csv"));
        assert_eq!(std::fs::read_to_string(a).unwrap(), "a");
    }
}
