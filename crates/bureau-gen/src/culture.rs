//! The plain data types of the name tables: a culture's [`Script`] and its raw [`CultureData`].
//!
//! This module imports no sibling, so the tables (`names`, `names_latin`) and their parser
//! (`lexicon`) can all depend on it without depending on each other.
//!
//! Format: entries separated by `;`, most common first (sampling is Zipf-weighted by rank); each
//! entry is `native|latin|latin…`. For non-Latin scripts the first Latin spelling is the one
//! passports commonly print (ICAO 9303 for Cyrillic and Greek, pinyin for Chinese, the usual
//! Maghreb/Mashriq spelling for Arabic) and the rest are older, foreign or informal ones. For
//! Latin-script cultures the native spelling keeps its diacritics and the alternatives are real
//! variants (Mueller, Gonzales, Antônio); spellings that only drop diacritics are not listed,
//! the generator makes those itself. Short forms and translations (Kostas, George) are left
//! out: they are aliases, not spellings. Family names are in their masculine form; feminine
//! forms come from the suffix rules.

/// The writing system a culture's native spellings use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Han,
}

impl Script {
    /// The script's name in evaluation reports.
    pub fn name(self) -> &'static str {
        match self {
            Script::Latin => "latin",
            Script::Cyrillic => "cyrillic",
            Script::Greek => "greek",
            Script::Arabic => "arabic",
            Script::Han => "han",
        }
    }
}

/// Everything the generator knows about one culture's names.
#[derive(Debug)]
pub struct CultureData {
    pub name: &'static str,
    pub script: Script,
    /// Relative share of persons drawn from this culture.
    pub weight: u32,
    /// Nationalities, repeated to weight them.
    pub nationalities: &'static [&'static str],
    /// Percent of records published in the native spelling (native script, or with diacritics);
    /// the rest use a Latin transliteration or an alternative spelling.
    pub native_percent: u32,
    /// Percent of persons with a second given name (or a father's name, for Arabic names).
    pub second_given_percent: u32,
    /// Percent of records that carry a patronymic after the given name.
    pub patronymic_percent: u32,
    /// Percent of persons with two family names (Spanish and Portuguese usage).
    pub second_family_percent: u32,
    /// Suffix rules `(masculine, feminine)` for native spellings, tried in order.
    pub feminine_native: &'static [(&'static str, &'static str)],
    /// The same rules for Latin spellings.
    pub feminine_latin: &'static [(&'static str, &'static str)],
    pub family: &'static str,
    pub given_male: &'static str,
    pub given_female: &'static str,
    pub patronymic_male: &'static str,
    pub patronymic_female: &'static str,
    pub places: &'static str,
}
