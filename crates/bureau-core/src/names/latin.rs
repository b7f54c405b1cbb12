//! Transliteration of person names into lowercase Latin, the one script every name is compared in.
//!
//! Names arrive as published by each bureau: Cyrillic, Greek, Arabic or Latin with diacritics. A
//! search typed in English must find them, so every name is brought to plain lowercase ASCII
//! first. The tables follow the spellings passports and police files use most (Russian and
//! Ukrainian passport practice, ELOT 743 for Greek, a simple Arabic scheme without vowel marks);
//! where practices differ, the phonetic key in [`super::phonetic`] absorbs the difference rather
//! than this table guessing the language.
//!
//! Explicit tables for the scripts most names arrive in, rather than a generic transliteration
//! crate: generic ones read Greek letter by letter (`ου` becomes "oy", `β` "b", `η` "e") and
//! ignore Arabic context, while names need the few context rules below; a table is also
//! predictable for an officer reading the result. Every other script goes through `any_ascii`
//! (one romanisation scheme per script: Hepburn for kana, Revised Romanization for Hangul,
//! ISO-style for Indic scripts, Georgian, Armenian, Ethiopic, ...), chosen over `deunicode`
//! because it follows those schemes per script and is kept up with Unicode, so no name in any
//! script is left without Latin letters to search by. A few rules sit on top where names
//! need them: a Chinese or Korean name written as one word is split after its family name
//! (刘美玲 reads "liu meiling", 김민수 "kim minsu", with the usual spelling of common Korean
//! family names), Thai vowels written before their consonant are read after it, Hebrew reads
//! ב כ פ hard at the start of a word, and the Indic letters for "sh" read "sh".

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
    transliterate(text, Reading::Usual)
}

/// Which reading of the letters whose value the text does not show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Chinese characters in Hanyu Pinyin, as mainland China and most files write names;
    /// Hebrew ש as "sh" and פ hard as "p".
    Usual,
    /// Chinese characters in the Hong Kong spellings of their Cantonese readings
    /// ([`super::cantonese`]).
    Cantonese,
    /// Hebrew ש as "s" (sin: Sarah, Yisrael) and פ as "f" (in names from other languages:
    /// Friedman, Feldman), which unvowelled text does not tell from shin and pe.
    HebrewOther,
}

/// The name as [`to_latin`] reads it, but with Chinese characters in their Hong Kong
/// (Cantonese) spellings: 李子豪 is "lee tszho", as Hong Kong documents write "Lee Tsz Ho".
/// `None` when the name has no Chinese character, or one the table lacks.
pub fn to_latin_cantonese(text: &str) -> Option<String> {
    let mut han = text.chars().filter(|&letter| is_han(letter)).peekable();
    han.peek()?;
    if !han.all(|letter| super::cantonese::cantonese(letter).is_some()) {
        return None;
    }
    Some(transliterate(text, Reading::Cantonese))
}

/// The name as [`to_latin`] reads it, but with Hebrew ש read as "s" and פ as "f": "Sarah"
/// and "Friedman" as Israeli files write שרה and פרידמן. `None` when the name has neither.
pub fn to_latin_hebrew_other(text: &str) -> Option<String> {
    text.chars()
        .any(|letter| matches!(letter, 'ש' | 'פ'))
        .then(|| transliterate(text, Reading::HebrewOther))
}

fn transliterate(text: &str, reading: Reading) -> String {
    let units = units(text);
    let variant = CyrillicVariant::detect(&units);
    // A Chinese or Korean name written as one word is split after its family name.
    let single_word = !units.iter().any(|unit| unit.letter == SEPARATOR);
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
            letter if is_han(letter) || is_hangul(letter) => {
                cjk_word(&units, index, single_word, reading, &mut latin)
            }
            '\u{0590}'..='\u{05FF}' => {
                hebrew(&units, index, reading == Reading::HebrewOther, &mut latin)
            }
            '\u{0E00}'..='\u{0E7F}' => thai(&units, index, &mut latin),
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

fn is_han(letter: char) -> bool {
    matches!(letter, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn is_hangul(letter: char) -> bool {
    matches!(letter, '\u{AC00}'..='\u{D7A3}')
}

/// The most characters a Chinese or Korean name written as one word has (family name and given
/// name); a longer word is not split.
const MAX_CJK_NAME_CHARS: usize = 4;

/// Chinese family names of two characters (simplified and traditional), split off whole.
const HAN_COMPOUND_FAMILY_NAMES: [&str; 24] = [
    "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "尉迟", "尉遲",
    "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "司徒", "夏侯", "轩辕", "軒轅", "令狐", "端木",
];

/// Korean family names of two syllables, split off whole.
const HANGUL_COMPOUND_FAMILY_NAMES: [&str; 7] =
    ["남궁", "황보", "제갈", "선우", "독고", "사공", "서문"];

/// The usual Latin spelling of common Korean family names (passports and most files use these,
/// not the Revised Romanization `any_ascii` gives: 이 is "Lee", not "I").
const HANGUL_FAMILY_SPELLINGS: [(char, &str); 40] = [
    ('김', "kim"),
    ('이', "lee"),
    ('박', "park"),
    ('최', "choi"),
    ('정', "jung"),
    ('강', "kang"),
    ('조', "cho"),
    ('윤', "yoon"),
    ('장', "jang"),
    ('임', "lim"),
    ('한', "han"),
    ('오', "oh"),
    ('서', "seo"),
    ('신', "shin"),
    ('권', "kwon"),
    ('황', "hwang"),
    ('안', "ahn"),
    ('송', "song"),
    ('류', "ryu"),
    ('전', "jeon"),
    ('홍', "hong"),
    ('고', "ko"),
    ('문', "moon"),
    ('양', "yang"),
    ('손', "son"),
    ('배', "bae"),
    ('백', "baek"),
    ('허', "heo"),
    ('유', "yoo"),
    ('남', "nam"),
    ('심', "shim"),
    ('노', "noh"),
    ('하', "ha"),
    ('곽', "kwak"),
    ('성', "sung"),
    ('차', "cha"),
    ('주', "joo"),
    ('우', "woo"),
    ('구', "koo"),
    ('민', "min"),
];

/// A run of Chinese characters or Hangul syllables; returns the units consumed. Chinese reads
/// as Hanyu Pinyin without tones (each character's most common reading; simplified and
/// traditional alike), Hangul as Revised Romanization. The syllables of one written word stay
/// one part, as pinyin and Korean names write them ("美玲" is "meiling"), except that a whole
/// name written as one word of two to four characters is split after its family name
/// ("刘美玲" is "liu meiling"), whose Korean spelling is the usual one ("김민수" is "kim minsu").
fn cjk_word(
    units: &[Unit],
    index: usize,
    single_word: bool,
    reading: Reading,
    latin: &mut String,
) -> usize {
    let run = units[index..]
        .iter()
        .take_while(|unit| is_han(unit.letter) || is_hangul(unit.letter))
        .count();
    let word: String = units[index..index + run]
        .iter()
        .map(|unit| unit.letter)
        .collect();
    let whole_name = single_word && index == 0 && index + run == units.len();
    let compound = HAN_COMPOUND_FAMILY_NAMES
        .iter()
        .chain(&HANGUL_COMPOUND_FAMILY_NAMES)
        .any(|family| word.starts_with(family));
    let family_chars = if compound { 2 } else { 1 };
    // Split after the family name: a whole name in one word.
    let split = whole_name && run > family_chars && run <= MAX_CJK_NAME_CHARS;
    // The first word is the family name when it is the family name alone ("이 영희").
    let family_first = index == 0 && (split || run == family_chars);
    for (position, unit) in units[index..index + run].iter().enumerate() {
        if split && position == family_chars {
            latin.push(SEPARATOR);
        }
        let letter = unit.letter;
        let usual = (family_first && family_chars == 1 && position == 0)
            .then(|| {
                HANGUL_FAMILY_SPELLINGS
                    .iter()
                    .find(|(syllable, _)| *syllable == letter)
            })
            .flatten();
        match usual {
            Some((_, spelled)) => latin.push_str(spelled),
            None if is_han(letter) => match reading
                .eq(&Reading::Cantonese)
                .then(|| super::cantonese::cantonese(letter))
                .flatten()
            {
                Some(spelled) => latin.push_str(spelled),
                None => han(letter, latin),
            },
            None => other_script(letter, latin),
        }
    }
    run
}

/// A Chinese character as Hanyu Pinyin without tones (its most common reading). Characters
/// without a reading go to [`other_script`].
fn han(letter: char, latin: &mut String) {
    use pinyin::ToPinyin;
    match letter.to_pinyin() {
        Some(reading) => latin.push_str(reading.plain()),
        None => other_script(letter, latin),
    }
}

/// One Hebrew letter; returns the units consumed (always one). Names are written without vowel
/// points (any that are written are dropped), so the result is a consonant skeleton like
/// Arabic's, with an `e` between two consonants so that they do not read as one Latin digraph
/// (כהן is "kehen", near Cohen, not "khn"); ב כ פ are hard at the start of a word and after a
/// consonant inside it (Binyamin, Cohen, Peretz, Shapira) and soft after a vowel letter or at
/// the end (Avraham, Mikhael, Yosef, Yaakov), and ו and י are read as the consonants they start
/// a word as. With `other`, ש reads "s" and פ "f" ([`Reading::HebrewOther`]).
fn hebrew(units: &[Unit], index: usize, other: bool, latin: &mut String) -> usize {
    let letter = units[index].letter;
    let at_start = word_start(units, index);
    let at_end = next_letter(units, index).is_none();
    let hard = at_start
        || (!at_end
            && previous_letter(units, index).is_some_and(|before| {
                matches!(before, '\u{05D0}'..='\u{05EA}') && !"אהויע".contains(before)
            }));
    let after_consonant = !at_start
        && latin
            .chars()
            .last()
            .is_some_and(|last| last.is_ascii_alphabetic() && !"aeiou".contains(last));
    if after_consonant && matches!(letter, '\u{05D0}'..='\u{05EA}') && !matches!(letter, 'א' | 'ע')
    {
        latin.push('e');
    }
    let spelled = match letter {
        'א' | 'ע' if at_start => "a",
        'א' | 'ע' => "",
        'ב' if hard => "b",
        'ב' => "v",
        'ג' => "g",
        'ד' => "d",
        'ה' => "h",
        'ו' => "v",
        'ז' => "z",
        'ח' => "ch",
        'ט' | 'ת' => "t",
        'י' => "y",
        'כ' if hard => "k",
        'כ' | 'ך' => "kh",
        'ל' => "l",
        'מ' | 'ם' => "m",
        'נ' | 'ן' => "n",
        'ס' => "s",
        'ש' if other => "s",
        'פ' if other => "f",
        'פ' if hard => "p",
        'פ' | 'ף' => "f",
        'צ' | 'ץ' => "ts",
        'ק' => "k",
        'ר' => "r",
        'ש' => "sh",
        // Vowel points and other marks: unvowelled spellings are the norm.
        _ => "",
    };
    latin.push_str(spelled);
    1
}

/// Thai vowels written before the consonant they follow in speech (เ แ โ ใ ไ).
fn is_thai_leading_vowel(letter: char) -> bool {
    matches!(letter, '\u{0E40}'..='\u{0E44}')
}

/// One Thai letter, or a leading vowel with its consonant; returns the units consumed. Thai
/// writes some vowels before the consonant they are sounded after (ใจ is "jai"), so the pair is
/// read consonant first; each letter then goes through `any_ascii` (the Royal Thai General
/// System).
fn thai(units: &[Unit], index: usize, latin: &mut String) -> usize {
    let letter = units[index].letter;
    if is_thai_leading_vowel(letter)
        && let Some(consonant) = next_letter(units, index)
        && !is_thai_leading_vowel(consonant)
    {
        thai_letter(consonant, latin);
        thai_letter(letter, latin);
        return 2;
    }
    thai_letter(letter, latin);
    1
}

fn thai_letter(letter: char, latin: &mut String) {
    if letter == THAI_CHO_CHAN {
        latin.push('j');
    } else {
        other_script(letter, latin);
    }
}

/// Thai จ: "ch" in the Royal Thai General System, but "j" in most names as passports and files
/// spell them (Jaidee, Jintana).
const THAI_CHO_CHAN: char = '\u{0E08}';

/// Indic letters for the "sh" sounds (ś, ṣ), which names spell "sh" (Sharma, Ashok) where
/// `any_ascii` writes "s".
fn is_indic_sh(letter: char) -> bool {
    matches!(
        letter,
        '\u{0936}' | '\u{0937}' // Devanagari
            | '\u{09B6}' | '\u{09B7}' // Bengali
            | '\u{0A36}' // Gurmukhi
            | '\u{0AB6}' | '\u{0AB7}' // Gujarati
            | '\u{0B36}' | '\u{0B37}' // Oriya
            | '\u{0BB6}' | '\u{0BB7}' // Tamil
            | '\u{0C36}' | '\u{0C37}' // Telugu
            | '\u{0CB6}' | '\u{0CB7}' // Kannada
            | '\u{0D36}' | '\u{0D37}' // Malayalam
    )
}

/// A letter of a script without a table of ours, through `any_ascii`: lowercase ASCII letters
/// and digits only. A letter it has no reading for is kept as it is, so it still matches
/// itself.
fn other_script(letter: char, latin: &mut String) {
    if is_indic_sh(letter) {
        latin.push_str("sh");
        return;
    }
    let reading = any_ascii::any_ascii_char(letter);
    let mut pushed = false;
    for ascii in reading.chars().filter(char::is_ascii_alphanumeric) {
        latin.push(ascii.to_ascii_lowercase());
        pushed = true;
    }
    if !pushed && reading.is_empty() {
        latin.push(letter);
    }
}

/// The text as folded letters: compatibility forms unified (NFKC), lower-cased, Latin and Greek
/// accents removed except the Greek diaeresis. Letters of other scripts stay precomposed,
/// because their marks make different letters (`й` is not `и`, `أ` carries a hamza, `だ` is
/// not `た`, Hangul syllables are read whole), and their vowel signs stay as letters
/// (`राहुल`).
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
        // A script's vowel sign is read with its letter; a virama, tone mark or accent is not.
        if !is_generic_mark(letter) && letter.is_alphabetic() {
            units.push(Unit {
                letter,
                diaeresis: false,
            });
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

/// Whether a letter keeps its marks: all but Latin and Greek, whose accents are dropped.
fn keeps_marks(letter: char) -> bool {
    !matches!(
        letter,
        '\u{0000}'..='\u{036F}' | '\u{0370}'..='\u{03FF}' | '\u{1E00}'..='\u{1FFF}'
    )
}

/// Combining marks that belong to no one script (accents, diaereses): dropped. Other scripts'
/// marks (vowel signs) are read with their letters.
fn is_generic_mark(letter: char) -> bool {
    matches!(
        letter,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
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
        _ if letter.is_ascii() => {
            latin.push(letter);
            return;
        }
        _ => {
            other_script(letter, latin);
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
            other_script(letter, latin);
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
        None => other_script(letter, latin),
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
    let persian = units.iter().any(|unit| is_persian(unit.letter));
    let spelled = match letter {
        // Persian sounds the Arabic interdentals and emphatics as plain consonants (Reza,
        // Mirza, Kazem) and ق as "gh" (Ghorbani, Ghasemi), as Iranian passports spell them.
        'ض' | 'ذ' | 'ظ' if persian => "z",
        'ث' if persian => "s",
        'ق' if persian => "gh",
        'و' if persian && word_start(units, index) => "v",
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
            other_script(letter, latin);
            return 1;
        }
    };
    latin.push_str(spelled);
    1
}

/// Letters only Persian (and Urdu) write, telling a Persian name from an Arabic one: Farsi yeh
/// and keheh, and پ چ ژ گ.
fn is_persian(letter: char) -> bool {
    matches!(letter, 'ی' | 'ک' | 'پ' | 'چ' | 'ژ' | 'گ')
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
