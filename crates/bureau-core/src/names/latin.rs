//! Transliteration of person names into lowercase Latin, the one script every name is compared in.
//!
//! Names arrive as published by each bureau: Cyrillic, Greek, Arabic or Latin with diacritics. A
//! search typed in English must find them, so every name is brought to plain lowercase ASCII
//! first. The tables follow the spellings passports and police files use most (Russian and
//! Ukrainian passport practice, ELOT 743 for Greek, a simple Arabic scheme without vowel marks);
//! where practices differ, the phonetic key in [`super::phonetic`] absorbs the difference rather
//! than this table guessing the language.
//!
//! Explicit tables rather than a generic transliteration crate: generic ones read Greek letter by
//! letter (`ου` becomes "oy", `β` "b", `η` "e") and ignore Arabic context, while names need the
//! few context rules below; a table is also predictable for an officer reading the result.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// The combining mark that blocks a Greek digraph: `αϊ` is "ai", not the digraph `αι`.
const COMBINING_DIAERESIS: char = '\u{0308}';

/// The separator between parts in [`to_latin`]'s output.
const SEPARATOR: char = ' ';

/// Arabic tatweel: a stretching stroke inside a word, not a letter and not a separator.
const ARABIC_TATWEEL: char = '\u{0640}';

/// One letter of the name after folding, with the one mark that still matters.
#[derive(Debug, Clone, Copy)]
struct Unit {
    /// A lowercase letter or digit, or [`SEPARATOR`].
    letter: char,
    /// The Greek diaeresis that splits a vowel pair (`ϊ`, `ϋ`).
    diaeresis: bool,
}

/// The name in lowercase ASCII: letters transliterated, diacritics folded, parts separated by one
/// space.
///
/// Cyrillic, Greek and Arabic (with the Persian and Urdu extra letters) are transliterated; Latin
/// diacritics are removed and special letters spelled out (ß "ss", æ "ae", ø "o", ł "l", đ "d",
/// þ "th", ı "i", œ "oe"). Apostrophes (O'Brien, Sa'id) are dropped so the word stays whole;
/// anything else that is not a letter or digit separates parts. Letters of scripts without a
/// table (Hebrew, Armenian, Han, ...) stay as they are, lower-cased, so they still match
/// themselves.
pub fn to_latin(text: &str) -> String {
    let units = units(text);
    let variant = CyrillicVariant::detect(&units);
    let mut latin = String::with_capacity(text.len());
    let mut index = 0;
    while index < units.len() {
        let letter = units[index].letter;
        index += match letter {
            SEPARATOR => {
                if !latin.is_empty() && !latin.ends_with(SEPARATOR) {
                    latin.push(SEPARATOR);
                }
                1
            }
            '\u{0400}'..='\u{052F}' => cyrillic(&units, index, variant, &mut latin),
            '\u{0370}'..='\u{03FF}' => greek(&units, index, &mut latin),
            '\u{0600}'..='\u{06FF}' => arabic(&units, index, &mut latin),
            '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}' => {
                han(letter, &mut latin);
                1
            }
            _ => {
                latin_letter(letter, &mut latin);
                1
            }
        };
    }
    if latin.ends_with(SEPARATOR) {
        latin.pop();
    }
    latin
}

/// A Chinese character as Hanyu Pinyin without tones (its most common reading), so "刘 美玲"
/// reads "liu meiling": the syllables of one written word stay one part, as pinyin writes them.
/// Characters without a reading are kept as they are.
fn han(letter: char, latin: &mut String) {
    use pinyin::ToPinyin;
    match letter.to_pinyin() {
        Some(reading) => latin.push_str(reading.plain()),
        None => latin.push(letter),
    }
}

/// The text as folded letters: compatibility forms unified (NFKC), lower-cased, marks removed
/// except the Greek diaeresis. Cyrillic and Arabic letters stay precomposed, because their marks
/// make different letters (`й` is not `и`, `أ` carries a hamza).
fn units(text: &str) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::with_capacity(text.len());
    let composed = text.chars().filter(|c| !is_apostrophe(*c)).nfkc();
    for letter in composed.flat_map(char::to_lowercase) {
        if keeps_marks(letter) {
            push_unit(&mut units, letter);
        } else {
            decompose_canonical(letter, |part| push_unit(&mut units, part));
        }
    }
    units
}

fn push_unit(units: &mut Vec<Unit>, letter: char) {
    if is_combining_mark(letter) {
        if letter == COMBINING_DIAERESIS
            && let Some(last) = units.last_mut()
        {
            last.diaeresis = true;
        }
        return;
    }
    if letter == ARABIC_TATWEEL {
        return;
    }
    let letter = if letter.is_alphanumeric() {
        letter
    } else {
        SEPARATOR
    };
    units.push(Unit {
        letter,
        diaeresis: false,
    });
}

fn keeps_marks(letter: char) -> bool {
    matches!(letter, '\u{0400}'..='\u{052F}' | '\u{0600}'..='\u{06FF}')
}

/// Apostrophe-like signs inside a name (O'Brien, Sa'id, Abd al-ʿAziz, Ukrainian Мар'яна).
fn is_apostrophe(letter: char) -> bool {
    matches!(
        letter,
        '\'' | '\u{2019}'
            | '\u{2018}'
            | '\u{02BC}'
            | '\u{02BB}'
            | '\u{02BF}'
            | '\u{02BE}'
            | '`'
            | '\u{00B4}'
    )
}

fn word_start(units: &[Unit], index: usize) -> bool {
    index == 0 || units[index - 1].letter == SEPARATOR
}

/// The letter after `index` within the same word.
fn next_letter(units: &[Unit], index: usize) -> Option<char> {
    units
        .get(index + 1)
        .map(|unit| unit.letter)
        .filter(|letter| *letter != SEPARATOR)
}

/// The letter before `index` within the same word.
fn previous_letter(units: &[Unit], index: usize) -> Option<char> {
    if word_start(units, index) {
        None
    } else {
        Some(units[index - 1].letter)
    }
}

/// Latin letters and anything without a table: special letters spelled out, the rest kept.
fn latin_letter(letter: char, latin: &mut String) {
    let spelled = match letter {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        'ŧ' => "t",
        'ŋ' => "ng",
        'ĸ' => "k",
        'ƒ' => "f",
        'ə' => "a",
        _ => {
            latin.push(letter);
            return;
        }
    };
    latin.push_str(spelled);
}

/// Which Cyrillic alphabet the name is in, where the same letter is read differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CyrillicVariant {
    /// Russian, Bulgarian, Serbian, Kazakh: `г` is "g", `и` is "i".
    Russian,
    /// Ukrainian and Belarusian: `г` is "h", `и` is "y".
    Ukrainian,
}

impl CyrillicVariant {
    /// Ukrainian if the name has a letter only Ukrainian or Belarusian use; `і` alone counts
    /// unless a Kazakh letter shows the name is Kazakh.
    fn detect(units: &[Unit]) -> Self {
        let has = |set: &[char]| units.iter().any(|unit| set.contains(&unit.letter));
        let ukrainian = has(&['є', 'ї', 'ґ', 'ў'])
            || (has(&['і']) && !has(&['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ']));
        if ukrainian {
            Self::Ukrainian
        } else {
            Self::Russian
        }
    }
}

/// One Cyrillic letter; returns the units consumed (always one).
fn cyrillic(units: &[Unit], index: usize, variant: CyrillicVariant, latin: &mut String) -> usize {
    let letter = units[index].letter;
    let ukrainian = variant == CyrillicVariant::Ukrainian;
    let at_start = word_start(units, index);
    let spelled = match letter {
        'а' | 'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' if ukrainian => "h",
        'г' | 'ґ' | 'ғ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' | 'ѣ' => "e",
        'є' if at_start => "ye",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' if ukrainian => "y",
        'и' | 'і' | 'ѵ' => "i",
        'ї' if at_start => "yi",
        'ї' => "i",
        'й' | 'ы' => "y",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'ң' => "ng",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' | 'ұ' | 'ү' => "u",
        'ф' | 'ѳ' => "f",
        'х' => "kh",
        'һ' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        // Russian hard sign before a vowel is silent; in Bulgarian it is the vowel "a".
        'ъ' => match next_letter(units, index) {
            None | Some('е' | 'ё' | 'ю' | 'я' | 'є' | 'ї') => "",
            Some(_) => "a",
        },
        'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'џ' | 'ѕ' => "dz",
        'ѓ' => "gj",
        'ќ' => "kj",
        _ => {
            latin.push(letter);
            return 1;
        }
    };
    latin.push_str(spelled);
    1
}

/// Greek letters after which `υ` is "v" or "f" (ELOT 743): `αυ`, `ευ`, `ηυ`.
const GREEK_VOWELS_BEFORE_UPSILON: [char; 3] = ['α', 'ε', 'η'];

/// Greek consonants before which `αυ`/`ευ`/`ηυ` sound "af"/"ef"/"if".
const GREEK_VOICELESS: [char; 10] = ['θ', 'κ', 'ξ', 'π', 'σ', 'ς', 'τ', 'φ', 'χ', 'ψ'];

/// One Greek letter or digraph; returns the units consumed.
fn greek(units: &[Unit], index: usize, latin: &mut String) -> usize {
    let letter = units[index].letter;
    // A diaeresis on the second letter says the pair is two sounds, not a digraph.
    let next = units
        .get(index + 1)
        .filter(|unit| !unit.diaeresis)
        .map(|unit| unit.letter);
    let at_start = word_start(units, index);
    let digraph = match (letter, next) {
        ('ο', Some('υ')) => Some("ou"),
        (vowel, Some('υ')) if GREEK_VOWELS_BEFORE_UPSILON.contains(&vowel) => {
            latin.push_str(greek_letter(vowel).unwrap_or_default());
            let voiceless =
                next_letter(units, index + 1).is_none_or(|after| GREEK_VOICELESS.contains(&after));
            Some(if voiceless { "f" } else { "v" })
        }
        ('μ', Some('π')) => Some(if at_start { "b" } else { "mp" }),
        ('ν', Some('τ')) => Some(if at_start { "d" } else { "nt" }),
        ('γ', Some('κ')) => Some(if at_start { "g" } else { "ng" }),
        ('γ', Some('γ')) => Some("ng"),
        ('γ', Some('ξ')) => Some("nx"),
        ('γ', Some('χ')) => Some("nch"),
        _ => None,
    };
    if let Some(spelled) = digraph {
        latin.push_str(spelled);
        return 2;
    }
    match greek_letter(letter) {
        Some(spelled) => latin.push_str(spelled),
        None => latin.push(letter),
    }
    1
}

/// A single Greek letter, accents already removed (ELOT 743, as on Greek passports).
fn greek_letter(letter: char) -> Option<&'static str> {
    Some(match letter {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' | 'ι' => "i",
        'θ' => "th",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ω' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        _ => return None,
    })
}

/// One Arabic-script letter; returns the units consumed (always one). Short vowels are not
/// written in Arabic, so the result is mostly a consonant skeleton (محمد is "mhmd"); the phonetic
/// key drops vowels too, which is what lets it meet "Mohammed".
fn arabic(units: &[Unit], index: usize, latin: &mut String) -> usize {
    let letter = units[index].letter;
    let spelled = match letter {
        'ا' | 'آ' | 'أ' | 'ٱ' | 'ة' | 'ى' => "a",
        'إ' => "i",
        // Hamza is a glottal stop that Latin spellings of names leave out.
        'ء' | 'ؤ' | 'ئ' => "",
        // Ayn starts names such as Omar, Ali or Abdullah with a vowel; inside a word it is
        // usually left out (Saad, Jafar).
        'ع' if word_start(units, index) => "a",
        'ع' => "",
        'ب' => "b",
        'ت' | 'ط' | 'ٹ' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' | 'ه' | 'ھ' | 'ہ' | 'ۀ' => "h",
        'خ' => "kh",
        'د' | 'ض' | 'ڈ' => "d",
        'ذ' => "dh",
        'ر' | 'ڑ' => "r",
        'ز' | 'ظ' => "z",
        'س' | 'ص' => "s",
        'ش' => "sh",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' | 'ػ' | 'ؼ' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' | 'ں' => "n",
        'و' => semivowel(units, index, "w", "u"),
        'ي' | 'ی' | 'ؽ' | 'ؾ' | 'ؿ' => semivowel(units, index, "y", "i"),
        'پ' => "p",
        'چ' => "ch",
        'ژ' => "zh",
        'گ' => "g",
        'ے' | 'ۓ' => "e",
        '٠'..='٩' => return arabic_digit(letter, '٠', latin),
        '۰'..='۹' => return arabic_digit(letter, '۰', latin),
        _ => {
            latin.push(letter);
            return 1;
        }
    };
    latin.push_str(spelled);
    1
}

/// Waw and ya are consonants at the start of a word or beside an alef (Walid, Marwan, Ayman) and
/// long vowels elsewhere (Mahmoud, Yusuf, Ali).
fn semivowel(
    units: &[Unit],
    index: usize,
    consonant: &'static str,
    vowel: &'static str,
) -> &'static str {
    let beside_alef =
        previous_letter(units, index) == Some('ا') || next_letter(units, index) == Some('ا');
    if word_start(units, index) || beside_alef {
        consonant
    } else {
        vowel
    }
}

fn arabic_digit(letter: char, zero: char, latin: &mut String) -> usize {
    let value = u32::from(letter) - u32::from(zero);
    latin.extend(char::from_digit(value, 10));
    1
}
