//! Fuzzy matching of person names across scripts and transliterations.
//!
//! A bureau publishes a person as `Иванов Сергей`; another searches for "Sergei Ivanov". The
//! exact keys in [`crate::normalize`] cannot meet, so names are compared in three steps, each
//! usable on its own by the store:
//! 1. [`to_latin`] and [`latin_parts`] bring any name to lowercase Latin parts
//!    (`["ivanov", "sergey"]`);
//! 2. [`phonetic`] keys each part so that spellings of one name meet (`Sergei`, `Sergey`,
//!    `Sergej` all key "srg"); the store keeps a posting list per key and gathers candidates
//!    from the query parts' keys;
//! 3. [`name_score`] (or [`NameQuery::score`]) ranks the candidates: parts are paired one to
//!    one in any order and each pair scored by [`similarity`], an edit-distance score lifted
//!    when the phonetic keys agree.
//!
//! Scoring a two-part query against a three-part candidate costs about 2 µs in an optimised build
//! (measured with the test `scoring_is_cheap`), so ranking thousands of candidates stays within a
//! few milliseconds.

mod cantonese;
mod latin;
mod phonetic;
mod wade_giles;

pub use latin::{to_latin, to_latin_cantonese, to_latin_hebrew_other};
pub use phonetic::{MAX_PHONETIC_KEY_CHARS, MIN_NEIGHBOUR_KEY_CHARS, neighbours, phonetic};

/// The most parts of one name that are compared; the rest are ignored. Real names rarely pass
/// five (given names, patronymic, two family names); the bound keeps scoring cheap.
pub const MAX_NAME_PARTS: usize = 8;

/// The longest part compared, in characters; longer parts are cut, which bounds the cost of
/// the edit distance.
pub const MAX_PART_CHARS: usize = 40;

/// Arabic particles joined to the part after them, so that "Abd al-Rahman", "Abdul Rahman",
/// "Abdulrahman" and عبد الرحمن are one part each, as they are one name.
pub const JOINED_PARTICLES: [&str; 9] = [
    "abd", "abdul", "abdel", "abdal", "abdol", "abu", "abou", "al", "el",
];

/// The share of the spelling distance between two parts that remains when their phonetic keys
/// agree: equal keys are strong evidence of one name spelled two ways.
pub const PHONETIC_MATCH_KEEP: f32 = 0.4;

/// The similarity of an initial to a part that starts with it ("S." and "Sergei").
pub const INITIAL_SIMILARITY: f32 = 0.8;

/// Below this similarity two parts are not taken as the same part at all: unrelated names
/// still share letters, and their accidental similarity would blur the ranking.
pub const MIN_PART_SIMILARITY: f32 = 0.7;

/// What each candidate part left unpaired costs (a patronymic or a second given name the query
/// did not mention): little, since the query may simply know less.
pub const EXTRA_PART_PENALTY: f32 = 0.05;

/// The most the unpaired candidate parts cost together.
pub const MAX_EXTRA_PARTS_PENALTY: f32 = 0.15;

/// The Latin parts of a name: [`to_latin`] split into words, Arabic particles joined to the
/// word after them ([`JOINED_PARTICLES`]), at most [`MAX_NAME_PARTS`] parts of at most
/// [`MAX_PART_CHARS`] characters.
pub fn latin_parts(text: &str) -> Vec<String> {
    parts_of(&to_latin(text))
}

/// [`latin_parts`] of an already transliterated name.
fn parts_of(latin: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut pending = String::new();
    for word in latin.split(' ').filter(|word| !word.is_empty()) {
        if parts.len() == MAX_NAME_PARTS {
            return parts;
        }
        pending.push_str(word);
        if !JOINED_PARTICLES.contains(&word) {
            parts.push(truncated(&pending));
            pending.clear();
        }
    }
    if !pending.is_empty() && parts.len() < MAX_NAME_PARTS {
        parts.push(truncated(&pending));
    }
    parts
}

/// Hyphen-like signs between the syllables of a given name (Min-su, Mei-ling, Jean-Pierre).
const HYPHENS: [char; 4] = ['-', '\u{2010}', '\u{2011}', '\u{2012}'];

/// The parts this short or shorter may be syllables of one given name written apart ("Min Su",
/// "Mei Ling"); a query also tries each two such neighbours as one part.
pub const MAX_SYLLABLE_CHARS: usize = 4;

/// The ways a name is read, for the index and for a query: its [`latin_parts`]; when it has
/// hyphenated words, the same with each hyphenated word as one part ("Kim Min-su" is also "kim
/// minsu"), as Chinese and Korean given names are written either way; and each with its parts
/// respelled under the conventions the tables do not follow ([`respelled`]: "Yi Young-hee" is
/// also "lee younghee", "Hsieh" also "xie", "Chevtchenko" also "shevchenko", "Echchaoui" also
/// "alshawi"). Chinese characters are also read in their Hong Kong spellings (李子豪 is also
/// "lee tszho"), a name in Wade–Giles also in pinyin ("Tsai Ing-wen" is also "cai
/// yingwen"), Hebrew with ש as "s" and פ as "f" (שרה is also "sereh", near Sarah), and
/// Arabic without the article, as officers often type a name (الحسيني is also "husayni",
/// near Husseini).
pub fn readings(text: &str) -> Vec<Vec<String>> {
    let mut readings = vec![latin_parts(text)];
    let add = |parts: Vec<String>, readings: &mut Vec<Vec<String>>| {
        if !parts.is_empty() && !readings.contains(&parts) {
            readings.push(parts);
        }
    };
    if text.contains(HYPHENS) {
        add(latin_parts(&text.replace(HYPHENS, "")), &mut readings);
    }
    if let Some(latin) = latin::to_latin_cantonese(text) {
        add(parts_of(&latin), &mut readings);
    }
    if let Some(latin) = latin::to_latin_hebrew_other(text) {
        add(parts_of(&latin), &mut readings);
    }
    if text.chars().any(is_arabic_letter) {
        let without: Vec<String> = readings[0]
            .iter()
            .map(|part| without_article(part).unwrap_or(part).to_owned())
            .collect();
        add(without, &mut readings);
    }
    for pinyin in wade_giles::to_pinyin(text) {
        add(parts_of(&pinyin), &mut readings);
    }
    add_respelled(&mut readings, respelled);
    readings.retain(|parts| !parts.is_empty());
    readings
}

/// Letters of the Arabic script (Arabic, Persian, Urdu).
fn is_arabic_letter(letter: char) -> bool {
    matches!(letter, '\u{0600}'..='\u{06FF}')
}

/// Shortest rest of a part after "al" for the "al" to be read as the Arabic article (Ali and
/// Alia keep theirs).
const MIN_AFTER_ARTICLE_CHARS: usize = 3;

/// A part read from Arabic script without its article ("alhusayni" is "husayni").
fn without_article(part: &str) -> Option<&str> {
    part.strip_prefix("al")
        .filter(|rest| rest.chars().count() >= MIN_AFTER_ARTICLE_CHARS)
}

/// Adds, for each reading with a part `respell` changes, the reading with every such part
/// respelled (unless it is there already).
fn add_respelled(readings: &mut Vec<Vec<String>>, respell: impl Fn(&str) -> Option<String>) {
    let respellings: Vec<Vec<String>> = readings
        .iter()
        .filter(|parts| parts.iter().any(|part| respell(part).is_some()))
        .map(|parts| {
            parts
                .iter()
                .map(|part| respell(part).unwrap_or_else(|| part.clone()))
                .collect()
        })
        .collect();
    for parts in respellings {
        if !readings.contains(&parts) {
            readings.push(parts);
        }
    }
}

/// Other spellings of Korean family names, and the usual one the index holds for them
/// (`latin.rs` writes 이 as "lee", 박 as "park", ...).
const KOREAN_FAMILY_VARIANTS: [(&str, &str); 31] = [
    ("yi", "lee"),
    ("rhee", "lee"),
    ("ri", "lee"),
    ("rhie", "lee"),
    ("gim", "kim"),
    ("pak", "park"),
    ("bak", "park"),
    ("bahk", "park"),
    ("choe", "choi"),
    ("chwe", "choi"),
    ("chung", "jung"),
    ("jeong", "jung"),
    ("joung", "jung"),
    ("cheong", "jung"),
    ("gang", "kang"),
    ("jo", "cho"),
    ("yun", "yoon"),
    ("rim", "lim"),
    ("sin", "shin"),
    ("gwon", "kwon"),
    ("an", "ahn"),
    ("chun", "jeon"),
    ("mun", "moon"),
    ("sohn", "son"),
    ("paik", "baek"),
    ("paek", "baek"),
    ("hur", "heo"),
    ("roh", "noh"),
    ("suh", "seo"),
    ("sim", "shim"),
    ("seong", "sung"),
];

/// A part respelled the way our tables spell it, under another convention a bureau or an
/// officer may follow: another spelling of a Korean family name, "ia"/"iu" for Cyrillic я/ю
/// at the start (ICAO passports: Iakovleva), Wade–Giles "hs" for pinyin "x" (Hsieh, Hsu), the
/// French transcription of Cyrillic (Chevtchenko: "ch" for ш, "tch" for ч, "ou" for у).
/// `None` when no convention applies.
fn respelled(part: &str) -> Option<String> {
    if let Some(rest) = maghreb_article(part) {
        return Some(format!("al{}", french_arabic(rest)));
    }
    if let Some((_, usual)) = KOREAN_FAMILY_VARIANTS
        .iter()
        .find(|(variant, _)| *variant == part)
    {
        return Some((*usual).to_owned());
    }
    // Я, Ю at the start of a word as ICAO passports and French write them (Iakovleva, Iulia).
    if let Some(rest) = ["ia", "iu"]
        .iter()
        .find_map(|start| part.strip_prefix(start).map(|rest| (&start[1..], rest)))
    {
        return Some(format!("y{}{}", rest.0, rest.1));
    }
    if part.contains("hs") {
        return Some(part.replace("hs", "x").replace("ieh", "ie"));
    }
    // "tch" marks the French transcription; "ou" alone is every French name's (and the
    // phonetic key drops vowels anyway).
    if part.contains("tch") {
        let french = part
            .replace("tch", "\u{0}")
            .replace("ch", "sh")
            .replace('\u{0}', "ch")
            .replace("ou", "u");
        return (french != part).then_some(french);
    }
    None
}

/// The word of a Maghreb name after its article as French spelling writes it: assimilated
/// ("Echchaoui", "Essaidi", "Ezzine": ech-, ess-, ezz-) or not ("Elhousseini"). `None` when the
/// part does not start with one.
fn maghreb_article(part: &str) -> Option<&str> {
    if let Some(rest) = part.strip_prefix("ech")
        && rest.starts_with("ch")
    {
        return Some(rest);
    }
    if let [b'e', first, second, vowel, _, ..] = part.as_bytes()
        && first == second
        && b"dnrstz".contains(first)
        && b"aeiouy".contains(vowel)
    {
        return Some(&part[2..]);
    }
    if let Some(rest) = part.strip_prefix("el")
        && rest.len() >= 4
        && rest.starts_with(|c: char| c.is_ascii_alphabetic() && !"aeiouy".contains(c))
    {
        return Some(rest);
    }
    None
}

/// A Maghreb name's French spelling in the tables' English-style one: "ch" is "sh", "dj" is
/// "j", "ou" is "w" before a vowel and "u" elsewhere ("chaoui" is "shawi").
fn french_arabic(word: &str) -> String {
    let replaced = word.replace("ch", "sh").replace("dj", "j");
    let mut out = String::with_capacity(replaced.len());
    let letters: Vec<char> = replaced.chars().collect();
    let mut index = 0;
    while index < letters.len() {
        if letters[index] == 'o' && letters.get(index + 1) == Some(&'u') {
            let vowel_after = letters
                .get(index + 2)
                .is_some_and(|next| "aeiy".contains(*next));
            out.push(if vowel_after { 'w' } else { 'u' });
            index += 2;
        } else {
            out.push(letters[index]);
            index += 1;
        }
    }
    out
}

/// A Japanese name in Kunrei-shiki ("Takahasi Sinzi", as some Japanese records and older
/// systems write it) in Hepburn, which kana transliterate to ("takahashi shinji"); `None`
/// unless the part is Japanese syllables with a Kunrei spelling in it.
fn kunrei(part: &str) -> Option<String> {
    const KUNREI: [(&str, &str); 8] = [
        ("sy", "sh"),
        ("ty", "ch"),
        ("zy", "j"),
        ("si", "shi"),
        ("ti", "chi"),
        ("tu", "tsu"),
        ("hu", "fu"),
        ("zi", "ji"),
    ];
    let letters = part.as_bytes();
    let mut index = 0;
    let mut hepburn = String::with_capacity(part.len() + 4);
    let mut changed = false;
    while index < letters.len() {
        let rest = &part[index..];
        if let Some((written, spelled)) = KUNREI.iter().find(|(k, _)| rest.starts_with(k)) {
            hepburn.push_str(spelled);
            index += written.len();
            changed = true;
            continue;
        }
        let letter = letters[index];
        let next = letters.get(index + 1).copied();
        let vowel = |c: u8| b"aiueo".contains(&c);
        let fits = vowel(letter)
            || (letter == b'n' && next.is_none_or(|c| !vowel(c) && c != b'y'))
            || (b"kstnhmyrwgzdbp".contains(&letter)
                && next.is_some_and(|c| vowel(c) || c == b'y' || c == letter));
        if !fits {
            return None;
        }
        hepburn.push(char::from(letter));
        index += 1;
    }
    changed.then_some(hepburn)
}

/// The ways a query is read: its [`readings`]; the same in Hepburn when it is Kunrei-shiki
/// ([`kunrei`]); and each with two neighbouring parts, at least one of them short
/// ([`MAX_SYLLABLE_CHARS`]), joined ("Kim Min Su" is also "kim minsu", "Mohammad Reza" also
/// "mohammadreza"), so that a given name typed in syllables or apart meets one indexed whole.
pub fn query_readings(text: &str) -> Vec<Vec<String>> {
    let mut readings = readings(text);
    add_respelled(&mut readings, kunrei);
    let mut joined = Vec::new();
    for parts in &readings {
        for at in 1..parts.len() {
            let short = |part: &String| part.chars().count() <= MAX_SYLLABLE_CHARS;
            if short(&parts[at - 1]) || short(&parts[at]) {
                let mut merged = parts.clone();
                let second = merged.remove(at);
                merged[at - 1].push_str(&second);
                joined.push(merged);
            }
        }
    }
    for parts in joined {
        if !readings.contains(&parts) {
            readings.push(parts);
        }
    }
    readings
}

fn truncated(part: &str) -> String {
    bounded(part).to_owned()
}

/// The first [`MAX_PART_CHARS`] characters of a part: the edit distance is quadratic in length.
fn bounded(part: &str) -> &str {
    match part.char_indices().nth(MAX_PART_CHARS) {
        Some((end, _)) => &part[..end],
        None => part,
    }
}

/// How alike two Latin name parts are, in [0, 1]: 1 for equal parts. Parts are compared on
/// their first [`MAX_PART_CHARS`] characters.
///
/// The mean of Jaro-Winkler (kind to shared beginnings and nearby transpositions) and the
/// normalised optimal-string-alignment distance (counts edits, so a short prefix does not pass
/// for a whole name: "Ivan" is not "Ivanov"). When the phonetic keys agree, only
/// [`PHONETIC_MATCH_KEEP`] of the remaining distance is kept.
pub fn similarity(a: &str, b: &str) -> f32 {
    keyed_similarity(a, &phonetic(a), b, &phonetic(b))
}

fn keyed_similarity(a: &str, a_key: &str, b: &str, b_key: &str) -> f32 {
    let (a, b) = (bounded(a), bounded(b));
    if a == b {
        return 1.0;
    }
    if is_initial_of(a, b) || is_initial_of(b, a) {
        return INITIAL_SIMILARITY;
    }
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 0.0;
    }
    let edits = strsim::osa_distance(a, b) as f64 / longest as f64;
    let spelling = ((strsim::jaro_winkler(a, b) + (1.0 - edits)) / 2.0) as f32;
    if a_key == b_key {
        1.0 - (1.0 - spelling) * PHONETIC_MATCH_KEEP
    } else {
        spelling
    }
}

/// Whether `initial` is a single letter that `part` starts with.
fn is_initial_of(initial: &str, part: &str) -> bool {
    let mut letters = initial.chars();
    match (letters.next(), letters.next()) {
        (Some(letter), None) => part.starts_with(letter),
        _ => false,
    }
}

/// How well a candidate's name parts match a query's, in [0, 1], whatever their order.
///
/// Each query part is paired with at most one candidate part, best pairs first. The score is the
/// mean similarity over the query's parts (a query part left unpaired counts 0, so a missing part
/// costs a lot), less [`EXTRA_PART_PENALTY`] for each candidate part left over (a patronymic or
/// middle name costs little). Both sides are Latin parts as [`latin_parts`] makes them.
pub fn name_score(query: &[String], candidate: &[String]) -> f32 {
    NameQuery::from_parts(query).score(candidate)
}

/// A name to search for, transliterated and keyed once and then scored against many candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameQuery {
    /// The query's Latin parts, at most [`MAX_NAME_PARTS`].
    parts: Vec<String>,
    /// The phonetic key of each part, computed once rather than per candidate.
    keys: Vec<String>,
}

impl NameQuery {
    /// A query from a name in any script and order ("Sergei Ivanov", "Иванов Сергей").
    pub fn new(text: &str) -> Self {
        Self::from_parts(&latin_parts(text))
    }

    /// A query from Latin parts already made by [`latin_parts`].
    pub fn from_parts(parts: &[String]) -> Self {
        let parts: Vec<String> = parts.iter().take(MAX_NAME_PARTS).cloned().collect();
        let keys = parts.iter().map(|part| phonetic(part)).collect();
        Self { parts, keys }
    }

    /// The query's Latin parts.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    /// The phonetic key of each part: the posting lists to gather candidates from.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Whether the query has no part to match (an empty or all-punctuation name).
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// How well a candidate's Latin parts match this query, in [0, 1] (see [`name_score`]).
    pub fn score<S: AsRef<str>>(&self, candidate: &[S]) -> f32 {
        self.score_keyed(candidate, &candidate_keys(candidate))
    }

    /// [`NameQuery::score`] with the candidate's [`candidate_keys`] computed once, for a
    /// candidate scored against several readings of a query.
    pub fn score_keyed<S: AsRef<str>>(&self, candidate: &[S], candidate_keys: &[String]) -> f32 {
        if self.parts.is_empty() || candidate.is_empty() {
            return 0.0;
        }
        let candidate = &candidate[..candidate
            .len()
            .min(MAX_NAME_PARTS)
            .min(candidate_keys.len())];
        let mut table = [[0.0_f32; MAX_NAME_PARTS]; MAX_NAME_PARTS];
        for (row, (part, key)) in self.parts.iter().zip(&self.keys).enumerate() {
            for (column, other) in candidate.iter().enumerate() {
                table[row][column] =
                    keyed_similarity(part, key, other.as_ref(), &candidate_keys[column]);
            }
        }
        let mut pairing = pair_best_first(&table, self.parts.len(), candidate.len());
        if pairing.pairs < self.parts.len().min(candidate.len()) {
            self.pair_syllables(candidate, &mut pairing);
        }
        let coverage = pairing.total / self.parts.len() as f32;
        let extra = (candidate.len() - pairing.columns) as f32 * EXTRA_PART_PENALTY;
        (coverage - extra.min(MAX_EXTRA_PARTS_PENALTY)).clamp(0.0, 1.0)
    }
}

/// The phonetic key of each of a candidate's first [`MAX_NAME_PARTS`] parts, as
/// [`NameQuery::score_keyed`] takes them.
pub fn candidate_keys<S: AsRef<str>>(candidate: &[S]) -> Vec<String> {
    candidate
        .iter()
        .take(MAX_NAME_PARTS)
        .map(|part| phonetic(part.as_ref()))
        .collect()
}

/// The result of pairing query parts with candidate parts.
#[derive(Debug, Clone, Copy, Default)]
struct Pairing {
    /// The sum of the paired similarities, once per query part covered.
    total: f32,
    /// How many pairs were made.
    pairs: usize,
    /// How many candidate parts are paired.
    columns: usize,
    row_used: [bool; MAX_NAME_PARTS],
    column_used: [bool; MAX_NAME_PARTS],
}

impl NameQuery {
    /// Pairs what the one-to-one pairing left: two neighbouring parts on one side with one part
    /// on the other, when they are the syllables of one name written apart ("Mei Ling" and
    /// "Meiling"). Two query parts so paired count twice, as two parts covered.
    fn pair_syllables<S: AsRef<str>>(&self, candidate: &[S], pairing: &mut Pairing) {
        let rows = self.parts.len();
        let columns = candidate.len();
        for row in 0..rows {
            for column in 0..columns.saturating_sub(1) {
                if pairing.row_used[row]
                    || pairing.column_used[column]
                    || pairing.column_used[column + 1]
                {
                    continue;
                }
                let joined = format!(
                    "{}{}",
                    candidate[column].as_ref(),
                    candidate[column + 1].as_ref()
                );
                let value = similarity(&self.parts[row], &joined);
                if value >= MIN_PART_SIMILARITY {
                    pairing.row_used[row] = true;
                    pairing.column_used[column] = true;
                    pairing.column_used[column + 1] = true;
                    pairing.total += value;
                    pairing.pairs += 1;
                    pairing.columns += 2;
                }
            }
        }
        for row in 0..rows.saturating_sub(1) {
            for (column, part) in candidate.iter().enumerate() {
                if pairing.row_used[row] || pairing.row_used[row + 1] || pairing.column_used[column]
                {
                    continue;
                }
                let joined = format!("{}{}", self.parts[row], self.parts[row + 1]);
                let value = similarity(&joined, part.as_ref());
                if value >= MIN_PART_SIMILARITY {
                    pairing.row_used[row] = true;
                    pairing.row_used[row + 1] = true;
                    pairing.column_used[column] = true;
                    pairing.total += 2.0 * value;
                    pairing.pairs += 1;
                    pairing.columns += 1;
                }
            }
        }
    }
}

/// Pairs rows with columns one to one, the most similar pair first, ignoring pairs below
/// [`MIN_PART_SIMILARITY`]. Greedy rather than optimal: with a handful of parts it almost
/// always finds the best assignment, at a fraction of the cost.
fn pair_best_first(
    table: &[[f32; MAX_NAME_PARTS]; MAX_NAME_PARTS],
    rows: usize,
    columns: usize,
) -> Pairing {
    let mut pairing = Pairing::default();
    loop {
        let mut best: Option<(usize, usize, f32)> = None;
        for row in (0..rows).filter(|row| !pairing.row_used[*row]) {
            for column in (0..columns).filter(|column| !pairing.column_used[*column]) {
                let value = table[row][column];
                if value >= MIN_PART_SIMILARITY && best.is_none_or(|(_, _, top)| value > top) {
                    best = Some((row, column, value));
                }
            }
        }
        let Some((row, column, value)) = best else {
            return pairing;
        };
        pairing.row_used[row] = true;
        pairing.column_used[column] = true;
        pairing.total += value;
        pairing.pairs += 1;
        pairing.columns += 1;
    }
}

#[cfg(test)]
mod tests;
