//! Normalised search keys: what the indexes store and what searches look up.
//!
//! Identifiers (document numbers, VINs, plates) keep letters and digits only, upper-cased, so
//! "P 1234-567" and "p1234567" are one key. Names are folded (compatibility decomposition,
//! combining marks removed, lower-cased) and their parts sorted, so "Müller, Jürgen" and
//! "jurgen muller" are one key. Transliteration across scripts and fuzzy matching are in
//! [`crate::names`].

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// An identifier as the index stores it: letters and digits, upper-cased.
pub fn identifier(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The parts of a name, folded: no marks, lower case, split on anything but letters and digits.
pub fn name_parts(text: &str) -> Vec<String> {
    let folded: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A person's exact name key: every part of family and given names, folded and sorted, so the
/// order in which the parts are written does not matter.
pub fn name_key(family_name: &str, given_names: &str) -> String {
    let mut parts = name_parts(family_name);
    parts.extend(name_parts(given_names));
    parts.sort();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_ignore_case_and_separators() {
        assert_eq!(identifier("P 1234-567"), "P1234567");
        assert_eq!(identifier("p1234567"), "P1234567");
        assert_eq!(identifier(" wvw-zzz 1jz 3w386752 "), "WVWZZZ1JZ3W386752");
    }

    #[test]
    fn names_fold_marks_and_order() {
        assert_eq!(name_key("Müller", "Jürgen"), "jurgen muller");
        assert_eq!(name_key("JURGEN", "muller"), "jurgen muller");
        assert_eq!(name_key("García-Márquez", "José"), "garcia jose marquez");
        assert_eq!(name_key("Иванов", "Сергей"), "иванов сергеи");
    }
}
