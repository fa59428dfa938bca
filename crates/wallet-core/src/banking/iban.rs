//! IBANs (ISO 13616) and BICs (ISO 9362), parsed once at the edge: what the user typed is
//! checked here, with a message that says what is wrong, before anything is sent to IBEx.

use std::fmt;

use crate::error::AppError;
use crate::messages::Msg;

/// IBAN length of each SEPA country (ISO 13616 registry; the SEPA scheme's countries).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GI", 23),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("VA", 22),
];

/// A valid IBAN: upper case without spaces (as IBEx stores it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    /// Checks shape, SEPA country, the country's length and the mod-97 check digits.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let iban: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let bytes = iban.as_bytes();
        if bytes.is_empty() {
            return Err(AppError::validation(Msg::IbanMissing));
        }
        if bytes.len() < 5
            || !bytes[..2].iter().all(u8::is_ascii_uppercase)
            || !bytes[2..4].iter().all(u8::is_ascii_digit)
            || !bytes.iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(AppError::validation(Msg::IbanShape));
        }
        let country = &iban[..2];
        let Some(&(_, expected)) = LENGTHS.iter().find(|(c, _)| *c == country) else {
            return Err(AppError::validation(Msg::IbanCountry {
                country: country.to_owned(),
            }));
        };
        if iban.len() != expected {
            return Err(AppError::validation(Msg::IbanLength {
                country: country.to_owned(),
                expected,
                actual: iban.len(),
            }));
        }
        if mod97(&iban) != 1 {
            return Err(AppError::validation(Msg::IbanChecksum));
        }
        Ok(Self(iban))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `FR76 1674 8000 …`: groups of four, as banks print IBANs.
    pub fn grouped(&self) -> String {
        grouped(&self.0)
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Any IBAN-like text in groups of four (what IBEx sends is shown this way too).
pub fn grouped(iban: &str) -> String {
    let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The remainder mod 97 of the IBAN with its first four characters moved to the end and
/// letters as 10–35 (ISO 7064 MOD 97-10).
fn mod97(iban: &str) -> u32 {
    iban[4..]
        .chars()
        .chain(iban[..4].chars())
        .fold(0, |acc, c| {
            let value = c.to_digit(36).unwrap_or(0);
            if value >= 10 {
                (acc * 100 + value) % 97
            } else {
                (acc * 10 + value) % 97
            }
        })
}

/// A BIC: 4 letters (bank), 2 letters (country), 2 letters or digits (location), and an
/// optional 3-character branch — 8 or 11 characters, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bic(String);

impl Bic {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let bic = text.trim().to_ascii_uppercase();
        let b = bic.as_bytes();
        let ok = matches!(b.len(), 8 | 11)
            && b[..6].iter().all(u8::is_ascii_uppercase)
            && b[6..].iter().all(u8::is_ascii_alphanumeric);
        if ok {
            Ok(Self(bic))
        } else {
            Err(AppError::validation(Msg::BicShape { text: bic }))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ibans_are_normalised() {
        let iban = Iban::parse("fr76 1674 8000 0144 6818 3681 821").unwrap();
        assert_eq!(iban.as_str(), "FR7616748000014468183681821");
        assert_eq!(iban.grouped(), "FR76 1674 8000 0144 6818 3681 821");
        assert!(Iban::parse("DE89370400440532013000").is_ok());
        assert!(Iban::parse("NO9386011117947").is_ok());
    }

    #[test]
    fn each_bad_iban_says_what_is_wrong() {
        for (text, needle) in [
            ("FR7616748000014468183681822", "check digits"),
            ("FR76167480000144681836818", "27 characters"),
            ("US12345678901234", "US"),
            ("12FR", "country code"),
            ("", "Enter"),
        ] {
            let e = Iban::parse(text).unwrap_err();
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
    }

    #[test]
    fn bics_have_8_or_11_characters() {
        assert_eq!(Bic::parse("sbxbfrppxxx").unwrap().as_str(), "SBXBFRPPXXX");
        assert!(Bic::parse("DEUTDEFF").is_ok());
        assert!(Bic::parse("DEUTDEF").is_err());
        assert!(Bic::parse("1EUTDEFF").is_err());
    }
}
