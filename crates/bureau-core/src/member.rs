//! Member and country codes.
//!
//! A member is a country's National Central Bureau, named by its ISO 3166-1 alpha-3 code; the
//! General Secretariat has the code [`MemberCode::SECRETARIAT`] from the range ISO reserves for
//! user assignment, so it can never collide with a country. Which codes are members of a network
//! is data (certificates), never code: this module only knows which codes exist.

use crate::text_serde::{text_or_binary, text_schema};

/// ISO 3166-1 alpha-3 codes, sorted for binary search.
const ISO_3166_ALPHA3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// Every ISO 3166-1 alpha-3 country code, sorted: the countries a member can be.
pub fn country_codes() -> &'static [&'static str] {
    ISO_3166_ALPHA3
}

/// Why a code was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CodeError {
    #[error("{0:?} is not three letters (use an ISO 3166 alpha-3 code such as FRA)")]
    Format(String),
    #[error("{0:?} is not an ISO 3166 alpha-3 country code")]
    Unknown(String),
}

fn parse_code(text: &str, allow_secretariat: bool) -> Result<[u8; 3], CodeError> {
    let upper = text.trim().to_ascii_uppercase();
    let bytes: [u8; 3] = upper
        .as_bytes()
        .try_into()
        .ok()
        .filter(|bytes: &[u8; 3]| bytes.iter().all(u8::is_ascii_uppercase))
        .ok_or_else(|| CodeError::Format(text.to_owned()))?;
    let known = ISO_3166_ALPHA3.binary_search(&upper.as_str()).is_ok()
        || (allow_secretariat && bytes == MemberCode::SECRETARIAT.0);
    if known {
        Ok(bytes)
    } else {
        Err(CodeError::Unknown(text.to_owned()))
    }
}

fn code_str(bytes: &[u8; 3]) -> &str {
    // Codes are only built by `parse_code`, which admits ASCII letters alone.
    std::str::from_utf8(bytes).unwrap_or("???")
}

/// A country: ISO 3166-1 alpha-3 (nationalities, plate countries, places).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode([u8; 3]);

impl CountryCode {
    pub fn as_str(&self) -> &str {
        code_str(&self.0)
    }
    pub fn as_bytes(&self) -> &[u8; 3] {
        &self.0
    }
}

/// A member of the network: a country's bureau, or the General Secretariat.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemberCode([u8; 3]);

impl MemberCode {
    /// The General Secretariat's code (ISO's user-assigned X range).
    pub const SECRETARIAT: MemberCode = MemberCode(*b"XGS");

    pub fn as_str(&self) -> &str {
        code_str(&self.0)
    }
    pub fn as_bytes(&self) -> &[u8; 3] {
        &self.0
    }
    pub fn is_secretariat(&self) -> bool {
        *self == MemberCode::SECRETARIAT
    }
    /// The member as a country, if it is one.
    pub fn country(&self) -> Option<CountryCode> {
        (!self.is_secretariat()).then_some(CountryCode(self.0))
    }
}

impl From<CountryCode> for MemberCode {
    fn from(country: CountryCode) -> Self {
        MemberCode(country.0)
    }
}

macro_rules! code_impls {
    ($ty:ident, $allow_secretariat:expr) => {
        impl std::str::FromStr for $ty {
            type Err = CodeError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                parse_code(text, $allow_secretariat).map($ty)
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl From<&$ty> for [u8; 3] {
            fn from(code: &$ty) -> Self {
                code.0
            }
        }
        impl TryFrom<[u8; 3]> for $ty {
            type Error = CodeError;
            fn try_from(bytes: [u8; 3]) -> Result<Self, Self::Error> {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if text.as_bytes() != bytes {
                    return Err(CodeError::Format(text));
                }
                text.parse()
            }
        }
        text_or_binary!($ty, [u8; 3]);
    };
}

code_impls!(CountryCode, false);
code_impls!(MemberCode, true);

text_schema!(CountryCode, "CountryCode", {
    "description": "A country: an ISO 3166-1 alpha-3 code, in capitals (read in any case).",
    "type": "string",
    "pattern": "^[A-Z]{3}$",
});
text_schema!(MemberCode, "MemberCode", {
    "description": "A member: a country's ISO 3166-1 alpha-3 code, or XGS for the General \
        Secretariat, in capitals (read in any case).",
    "type": "string",
    "pattern": "^[A-Z]{3}$",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_is_sorted_and_complete() {
        assert!(ISO_3166_ALPHA3.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(ISO_3166_ALPHA3.len(), 249);
    }

    #[test]
    fn codes_parse_case_insensitively_and_refuse_unknowns() {
        assert_eq!(
            "fra".parse::<MemberCode>().map(|c| c.to_string()),
            Ok("FRA".into())
        );
        assert!(matches!(
            "FR".parse::<MemberCode>(),
            Err(CodeError::Format(_))
        ));
        assert!(matches!(
            "ZZZ".parse::<MemberCode>(),
            Err(CodeError::Unknown(_))
        ));
        assert_eq!("XGS".parse::<MemberCode>(), Ok(MemberCode::SECRETARIAT));
        assert!("XGS".parse::<CountryCode>().is_err());
        assert!(MemberCode::SECRETARIAT.country().is_none());
    }
}
