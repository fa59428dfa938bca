//! IBANs (ISO 13616): normalisation, the length of each SEPA country's IBAN, the mod-97 check
//! digits, and sandbox IBANs with valid check digits.

use crate::ids;

/// IBAN lengths of the SEPA countries (ISO 13616 registry).
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

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("IBAN must start with a country code and two check digits")]
    Shape,
    #[error("IBAN country {0} is not a SEPA country")]
    Country(String),
    #[error("an IBAN of {country} has {expected} characters, not {actual}")]
    Length {
        country: String,
        expected: usize,
        actual: usize,
    },
    #[error("IBAN check digits do not match (mistyped?)")]
    Checksum,
}

/// Upper case without spaces, as IBEx stores IBANs.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The IBAN's remainder mod 97 (letters as 10–35, the first four characters moved to the end).
fn mod97(iban: &str) -> u32 {
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    rearranged.fold(0u32, |acc, c| {
        let value = c.to_digit(36).unwrap_or(0);
        if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        }
    })
}

/// A normalised IBAN with valid country, length and check digits.
pub fn validate(text: &str) -> Result<String, IbanError> {
    let iban = normalize(text);
    let bytes = iban.as_bytes();
    if bytes.len() < 5
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
    {
        return Err(IbanError::Shape);
    }
    let country = &iban[..2];
    let expected = LENGTHS
        .iter()
        .find(|(c, _)| *c == country)
        .map(|(_, l)| *l)
        .ok_or_else(|| IbanError::Country(country.to_owned()))?;
    if iban.len() != expected {
        return Err(IbanError::Length {
            country: country.to_owned(),
            expected,
            actual: iban.len(),
        });
    }
    if mod97(&iban) != 1 {
        return Err(IbanError::Checksum);
    }
    Ok(iban)
}

/// A French IBAN for the sandbox bank (bank 16748, branch 00001) whose 11-digit account
/// number comes from `label`; the RIB key and the IBAN check digits are computed.
pub fn sandbox_iban(seed: u64, label: &str) -> String {
    let account = ids::seeded_below(seed, &format!("iban|{label}"), 100_000_000_000);
    let bban_without_key = format!("1674800001{account:011}");
    // RIB key: 97 − (89 × bank + 15 × branch + 3 × account) mod 97.
    let (bank, branch) = (16_748u64, 1u64);
    let key = 97 - (89 * bank + 15 * branch + 3 * account) % 97;
    let bban = format!("{bban_without_key}{key:02}");
    let check = 98 - mod97(&format!("FR00{bban}"));
    format!("FR{check:02}{bban}")
}

/// `FR76 1674 8000 …`: groups of four, as banks print IBANs.
pub fn formatted(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_and_generated_ibans_are_valid() {
        for iban in [
            "FR7615589275690931505605139",
            "FR76 1674 8000 0144 6818 3681 821",
            "de89370400440532013000",
        ] {
            assert!(validate(iban).is_ok(), "{iban}");
        }
        for label in ["a", "b", "c", "d"] {
            let iban = sandbox_iban(7, label);
            assert_eq!(validate(&iban), Ok(iban.clone()));
        }
    }

    #[test]
    fn bad_ibans_say_what_is_wrong() {
        assert_eq!(
            validate("FR7615589275690931505605138"),
            Err(IbanError::Checksum)
        );
        assert!(matches!(
            validate("FR76155892756909315056051"),
            Err(IbanError::Length { expected: 27, .. })
        ));
        assert!(matches!(validate("US12345678"), Err(IbanError::Country(_))));
        assert_eq!(validate("12FR"), Err(IbanError::Shape));
        assert_eq!(
            formatted("FR7615589275690931505605139"),
            "FR76 1558 9275 6909 3150 5605 139"
        );
    }
}
