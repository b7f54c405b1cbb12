//! Chinese names in Wade–Giles (Taiwanese passports, older files: "Chang Chih-ch'iang", "Tsai
//! Ing-wen", "Hsu Chih-ming") read as pinyin ("zhang zhiqiang", "cai yingwen", "xu zhiming"),
//! the spelling the tables give Chinese characters.
//!
//! A name is converted only when every word is Wade–Giles syllables joined by hyphens, so
//! Western names ("Anna Ivanova") and pinyin ("Wang Xiuying") are left alone. Writers often
//! drop the apostrophe that marks an aspirate ("Tsai" for Ts'ai, 蔡 Cai): a name written without
//! any apostrophe is read both ways, unaspirated (zh/j, g, b, d, z) and aspirated (ch/q, k, p,
//! t, c).

/// Initials, longest first, with their pinyin before `i`/`ü` and elsewhere.
const INITIALS: [(&str, &str, &str); 22] = [
    ("ch'", "q", "ch"),
    ("ts'", "c", "c"),
    ("tz'", "c", "c"),
    ("ch", "j", "zh"),
    ("hs", "x", "x"),
    ("sh", "sh", "sh"),
    ("ts", "z", "z"),
    ("tz", "z", "z"),
    ("k'", "k", "k"),
    ("p'", "p", "p"),
    ("t'", "t", "t"),
    ("k", "g", "g"),
    ("p", "b", "b"),
    ("t", "d", "d"),
    ("j", "r", "r"),
    ("s", "s", "s"),
    ("l", "l", "l"),
    ("m", "m", "m"),
    ("n", "n", "n"),
    ("f", "f", "f"),
    ("h", "h", "h"),
    ("w", "w", "w"),
];

/// Finals (diacritics folded: ê is e, ü is u) with their pinyin.
const FINALS: [(&str, &str); 35] = [
    ("a", "a"),
    ("ai", "ai"),
    ("an", "an"),
    ("ang", "ang"),
    ("ao", "ao"),
    ("e", "e"),
    ("ei", "ei"),
    ("en", "en"),
    ("eng", "eng"),
    ("erh", "er"),
    ("i", "i"),
    ("ia", "ia"),
    ("iang", "iang"),
    ("iao", "iao"),
    ("ieh", "ie"),
    ("ien", "ian"),
    ("ih", "i"),
    ("in", "in"),
    ("ing", "ing"),
    ("iu", "iu"),
    ("iung", "iong"),
    ("o", "o"),
    ("ou", "ou"),
    ("u", "u"),
    ("ua", "ua"),
    ("uai", "uai"),
    ("uan", "uan"),
    ("uang", "uang"),
    ("ueh", "ue"),
    ("uei", "ui"),
    ("ui", "ui"),
    ("un", "un"),
    ("ung", "ong"),
    ("uo", "uo"),
    ("eh", "e"),
];

/// Syllables with the initial `y` (or none), whose pinyin differs.
const Y_SYLLABLES: [(&str, &str); 12] = [
    ("yeh", "ye"),
    ("yen", "yan"),
    ("yu", "you"),
    ("yung", "yong"),
    ("yuan", "yuan"),
    ("yun", "yun"),
    ("yueh", "yue"),
    ("i", "yi"),
    ("in", "yin"),
    ("ing", "ying"),
    ("ya", "ya"),
    ("yang", "yang"),
];

fn final_of(text: &str) -> Option<&'static str> {
    FINALS
        .iter()
        .find(|(written, _)| *written == text)
        .map(|(_, pinyin)| *pinyin)
}

/// Initials that an apostrophe would make aspirated.
const ASPIRABLE: [&str; 6] = ["ch", "ts", "tz", "k", "p", "t"];

/// One syllable (lowercase, diacritics folded, apostrophe as `'`) in pinyin, or `None` if it is
/// not a Wade–Giles syllable; `aspirate` reads an unmarked aspirable initial as aspirated.
fn syllable(text: &str, aspirate: bool) -> Option<String> {
    if let Some((_, pinyin)) = Y_SYLLABLES.iter().find(|(written, _)| *written == text) {
        return Some((*pinyin).to_owned());
    }
    // tzu, ssu, szu: the apical vowel pinyin writes "i".
    for (written, pinyin) in [("tzu", "zi"), ("tz'u", "ci"), ("ssu", "si"), ("szu", "si")] {
        if text == written {
            return Some(pinyin.to_owned());
        }
    }
    for (initial, before_i, elsewhere) in INITIALS {
        if let Some(rest) = text.strip_prefix(initial) {
            let pinyin_final = final_of(rest)?;
            let front = rest.starts_with('i') && rest != "ih" || rest.starts_with("ue");
            let (before_i, elsewhere) = match INITIALS.iter().find(|(written, _, _)| {
                aspirate && ASPIRABLE.contains(&initial) && *written == format!("{initial}'")
            }) {
                Some((_, front_aspirated, aspirated)) => (*front_aspirated, *aspirated),
                None => (before_i, elsewhere),
            };
            let pinyin_initial = if front { before_i } else { elsewhere };
            return Some(format!("{pinyin_initial}{pinyin_final}"));
        }
    }
    if text.starts_with(['a', 'e', 'o']) {
        return final_of(text).map(str::to_owned);
    }
    None
}

/// The name in pinyin, when every word is Wade–Giles syllables joined by hyphens: one reading
/// when apostrophes mark the aspirates, two (unaspirated, aspirated) when none is written;
/// readings equal to the text itself are left out.
pub fn to_pinyin(text: &str) -> Vec<String> {
    let folded: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|letter| match letter {
            'ê' | 'é' | 'è' => 'e',
            'ü' | 'ŭ' => 'u',
            '\u{2018}' | '\u{2019}' | '\u{02BB}' | '\u{02BC}' | '`' => '\'',
            other => other,
        })
        .collect();
    let plain = folded.replace(super::HYPHENS, "");
    let ways: &[bool] = if folded.contains('\'') {
        &[false]
    } else {
        &[false, true]
    };
    let mut readings: Vec<String> = Vec::new();
    for &aspirate in ways {
        let mut words = Vec::new();
        for word in folded.split_whitespace() {
            let mut pinyin = String::new();
            for part in word.split(super::HYPHENS) {
                match syllable(part, aspirate) {
                    Some(reading) => pinyin.push_str(&reading),
                    None => return Vec::new(),
                }
            }
            words.push(pinyin);
        }
        let reading = words.join(" ");
        if !words.is_empty() && reading != plain && !readings.contains(&reading) {
            readings.push(reading);
        }
    }
    readings
}

#[cfg(test)]
mod tests {
    use super::to_pinyin;

    #[test]
    fn wade_giles_names_read_as_pinyin() {
        assert_eq!(to_pinyin("Chang Chih-ch'iang"), ["zhang zhiqiang"]);
        assert_eq!(to_pinyin("Tsai Ing-wen"), ["zai yingwen", "cai yingwen"]);
        assert_eq!(to_pinyin("Hsu Chih-ming")[0], "xu zhiming");
        assert_eq!(to_pinyin("Chou Chieh")[0], "zhou jie");
        assert_eq!(to_pinyin("Liu Chien-kuo")[0], "liu jianguo");
        assert_eq!(to_pinyin("Ch'en Chien-hua"), ["chen jianhua"]);
    }

    #[test]
    fn other_names_are_left_alone() {
        for name in [
            "Anna Ivanova",
            "Wang Xiuying",
            "Li Na",
            "Zhang Wei",
            "Tsvetkov Ivan",
        ] {
            assert!(to_pinyin(name).is_empty(), "{name}");
        }
    }
}
