//! Variant queries: how an officer might type a generated person's name when searching for it.
//!
//! Each variant starts from the published spelling and applies one or two changes seen in real
//! searches: another transliteration, the other script, one typo, given name first, diacritics
//! dropped, a second given name or patronymic dropped. The benchmark measures whether the person
//! is still found; the `kind` says which change made it hard.

use std::collections::HashSet;

use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::culture::Script;
use crate::lexicon::{Culture, Spellings};
use crate::persons::{GeneratedPerson, Identity, Rendering};

/// Percent of variant queries that carry a date of birth, as most officers' searches do.
pub const VARIANT_DOB_PERCENT: u32 = 80;
/// Percent of those that carry the full date (a border check reads it from the passport), when
/// the record has one; the rest carry the year alone (an age from an investigation).
pub const VARIANT_FULL_DATE_PERCENT: u32 = 50;
/// Shortest name part a typo is made in: a typo in "Li" or "Wu" is a different name.
pub const MIN_TYPO_CHARS: usize = 3;
/// Extra attempts beyond `k` before giving up on finding `k` distinct variants.
pub const EXTRA_VARIANT_ATTEMPTS: usize = 8;
/// Percent of Latin renderings in a script change that use the passport transliteration.
const SCRIPT_PRIMARY_PERCENT: u32 = 70;

/// Every `kind` a [`VariantQuery`] can have.
pub const VARIANT_KINDS: &[&str] = &[
    "transliteration",
    "script",
    "typo",
    "swapped-order",
    "no-diacritics",
    "dropped-given",
    "no-given",
    "transliteration+typo",
    "script+typo",
    "swapped-order+typo",
    "transliteration+swapped-order",
    "no-diacritics+swapped-order",
    "dropped-given+transliteration",
];

/// One line of the key file: a query an officer might type, and the person it should find.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariantQuery {
    /// The name as typed, family names first unless the kind says the order was swapped.
    pub query: String,
    /// The date of birth the officer gave: the year (`YYYY`) or the full date, or none.
    pub dob: Option<String>,
    /// The local id of the person's record in the import file.
    pub person_id: String,
    /// Which change produced the query: one of [`VARIANT_KINDS`].
    pub kind: &'static str,
    /// The script of the person's culture (`latin`, `cyrillic`, `greek`, `arabic`, `han`).
    pub script: &'static str,
    /// The name parts the query kept, whatever spelling it gives them: what tells the
    /// persons it may mean apart ([`GeneratedPerson::answers`]).
    #[serde(skip)]
    pub parts: QueryParts,
}

/// The name parts a query names, each as the name it is (its native spelling), not as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParts {
    pub family: Vec<&'static str>,
    pub given: Vec<&'static str>,
}

impl GeneratedPerson {
    /// Whether a query naming `parts` may mean this person as much as any other: each family
    /// and given name it names is one of this person's, in whatever spelling or script. A
    /// namesake of the person a query was made for answers it too; no name search can tell the
    /// two apart from the name alone.
    pub fn answers(&self, parts: &QueryParts) -> bool {
        let has = |own: &[crate::persons::NamePart], wanted: &[&str]| {
            wanted
                .iter()
                .all(|name| own.iter().any(|part| part.spellings.native == *name))
        };
        has(&self.identity.family, &parts.family) && has(&self.identity.given, &parts.given)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Transliteration,
    Script,
    Typo,
    SwappedOrder,
    NoDiacritics,
    DroppedGiven,
    /// The family name alone, as an officer types it with the full date of birth at hand.
    NoGiven,
}

/// A plan: the changes to apply, in order, and the kind it is reported as.
type Plan = (&'static [Change], &'static str);

const SINGLE_PLANS: &[Plan] = &[
    (&[Change::Transliteration], "transliteration"),
    (&[Change::Script], "script"),
    (&[Change::Typo], "typo"),
    (&[Change::SwappedOrder], "swapped-order"),
    (&[Change::NoDiacritics], "no-diacritics"),
    (&[Change::DroppedGiven], "dropped-given"),
    (&[Change::NoGiven], "no-given"),
];

const COMBINED_PLANS: &[Plan] = &[
    (
        &[Change::Transliteration, Change::Typo],
        "transliteration+typo",
    ),
    (&[Change::Script, Change::Typo], "script+typo"),
    (&[Change::SwappedOrder, Change::Typo], "swapped-order+typo"),
    (
        &[Change::Transliteration, Change::SwappedOrder],
        "transliteration+swapped-order",
    ),
    (
        &[Change::NoDiacritics, Change::SwappedOrder],
        "no-diacritics+swapped-order",
    ),
    (
        &[Change::DroppedGiven, Change::Transliteration],
        "dropped-given+transliteration",
    ),
];

#[derive(Debug, Clone)]
struct Token {
    spellings: &'static Spellings,
    rendering: Rendering,
    text: String,
}

impl Token {
    fn set(&mut self, rendering: Rendering) {
        self.rendering = rendering;
        self.text = self.spellings.render(rendering).to_owned();
    }
}

/// A query being built: the name's parts as currently spelled, and their order.
#[derive(Debug, Clone)]
struct Draft {
    culture: &'static Culture,
    family: Vec<Token>,
    given: Vec<Token>,
    given_first: bool,
}

impl Draft {
    fn new(identity: &Identity) -> Draft {
        let tokens = |parts: &[crate::persons::NamePart]| {
            parts
                .iter()
                .map(|part| Token {
                    spellings: part.spellings,
                    rendering: part.rendering,
                    text: part.text().to_owned(),
                })
                .collect()
        };
        Draft {
            culture: identity.culture,
            family: tokens(&identity.family),
            given: tokens(&identity.given),
            given_first: false,
        }
    }

    fn text(&self) -> String {
        let (first, second) = if self.given_first {
            (&self.given, &self.family)
        } else {
            (&self.family, &self.given)
        };
        let words: Vec<&str> = first
            .iter()
            .chain(second)
            .map(|t| t.text.as_str())
            .collect();
        words.join(" ")
    }

    fn parts(&self) -> QueryParts {
        let natives =
            |tokens: &[Token]| tokens.iter().map(|t| t.spellings.native.as_str()).collect();
        QueryParts {
            family: natives(&self.family),
            given: natives(&self.given),
        }
    }

    fn tokens(&mut self) -> impl Iterator<Item = &mut Token> {
        self.family.iter_mut().chain(self.given.iter_mut())
    }

    /// Applies `change`; false if it does not apply to this name or changed nothing.
    fn apply(&mut self, change: Change, rng: &mut impl Rng) -> bool {
        let before = self.text();
        let applied = match change {
            Change::Transliteration => self.transliterate(rng),
            Change::Script => self.switch_script(rng),
            Change::Typo => self.typo(rng),
            Change::SwappedOrder => {
                self.given_first = !self.given_first;
                !self.given.is_empty()
            }
            Change::NoDiacritics => {
                let script = self.culture.script;
                for token in self.tokens() {
                    if script == Script::Greek || matches!(token.rendering, Rendering::Latin(_)) {
                        token.text = strip_diacritics(&token.text);
                    }
                }
                true
            }
            Change::DroppedGiven => self.given.len() >= 2 && self.given.pop().is_some(),
            Change::NoGiven => !std::mem::take(&mut self.given).is_empty(),
        };
        applied && self.text() != before
    }

    /// Respells in Latin with at least one part in a spelling other than the published one.
    fn transliterate(&mut self, rng: &mut impl Rng) -> bool {
        let candidates: Vec<usize> = (0..self.family.len() + self.given.len())
            .filter(|&i| self.token(i).is_some_and(|t| t.spellings.latin.len() >= 2))
            .collect();
        let Some(&forced) = candidates.choose(rng) else {
            return false;
        };
        for (i, token) in self.tokens().enumerate() {
            let current = match token.rendering {
                Rendering::Latin(index) => index,
                Rendering::Native => 0,
            };
            let count = token.spellings.latin.len();
            if count >= 2 && (i == forced || rng.random_bool(0.5)) {
                let other = (current + rng.random_range(1..count)) % count;
                token.set(Rendering::Latin(other));
            } else if token.rendering == Rendering::Native {
                token.set(Rendering::Latin(0));
            }
        }
        true
    }

    fn token(&self, index: usize) -> Option<&Token> {
        self.family.iter().chain(&self.given).nth(index)
    }

    /// Native script to Latin (mostly the passport transliteration), or Latin to native.
    fn switch_script(&mut self, rng: &mut impl Rng) -> bool {
        if self.culture.script == Script::Latin {
            return false;
        }
        let to_latin = self.tokens().any(|t| t.rendering == Rendering::Native);
        for token in self.tokens() {
            let count = token.spellings.latin.len();
            let rendering = if !to_latin {
                Rendering::Native
            } else if count < 2 || rng.random_range(0..100) < SCRIPT_PRIMARY_PERCENT {
                Rendering::Latin(0)
            } else {
                Rendering::Latin(rng.random_range(1..count))
            };
            token.set(rendering);
        }
        true
    }

    fn typo(&mut self, rng: &mut impl Rng) -> bool {
        let candidates: Vec<usize> = (0..self.family.len() + self.given.len())
            .filter(|&i| {
                self.token(i).is_some_and(|t| {
                    t.text.chars().filter(|c| c.is_alphabetic()).count() >= MIN_TYPO_CHARS
                })
            })
            .collect();
        let Some(&chosen) = candidates.choose(rng) else {
            return false;
        };
        let Some(token) = self.tokens().nth(chosen) else {
            return false;
        };
        match typo(&token.text, rng) {
            Some(text) => {
                token.text = text;
                true
            }
            None => false,
        }
    }
}

/// `text` without diacritics, as typed on a keyboard without them: marks removed, and the
/// letters Unicode does not decompose (ł, ø, ı, ß, đ) replaced by their plain forms.
pub fn strip_diacritics(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ł' => plain.push('l'),
            'Ł' => plain.push('L'),
            'ø' => plain.push('o'),
            'Ø' => plain.push('O'),
            'ı' => plain.push('i'),
            'đ' => plain.push('d'),
            'Đ' => plain.push('D'),
            'ß' => plain.push_str("ss"),
            'æ' => plain.push_str("ae"),
            'œ' => plain.push_str("oe"),
            _ => plain.push(c),
        }
    }
    plain
}

const KEYBOARD_ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];

/// A key next to `c` on a QWERTY keyboard (same case), for plausible Latin substitutions.
fn neighbour_key(c: char, rng: &mut impl Rng) -> Option<char> {
    let lower = c.to_ascii_lowercase();
    let (row, column) = KEYBOARD_ROWS.iter().enumerate().find_map(|(row, keys)| {
        keys.iter()
            .position(|&key| char::from(key) == lower)
            .map(|column| (row, column))
    })?;
    let mut neighbours = Vec::with_capacity(4);
    let keys = KEYBOARD_ROWS[row];
    if column > 0 {
        neighbours.push(keys[column - 1]);
    }
    neighbours.extend(keys.get(column + 1));
    for other in [row.wrapping_sub(1), row + 1] {
        neighbours.extend(KEYBOARD_ROWS.get(other).and_then(|keys| keys.get(column)));
    }
    let key = char::from(*neighbours.choose(rng)?);
    Some(if c.is_ascii_uppercase() {
        key.to_ascii_uppercase()
    } else {
        key
    })
}

/// A replacement for `c`: a neighbouring key for ASCII letters, otherwise another letter of the
/// same word (so a Cyrillic or Greek typo stays in its script).
fn substitute(c: char, word: &[char], rng: &mut impl Rng) -> Option<char> {
    if c.is_ascii_alphabetic() {
        return neighbour_key(c, rng);
    }
    let others: Vec<char> = word
        .iter()
        .copied()
        .filter(|&o| o != c && o.is_alphabetic())
        .collect();
    others.choose(rng).copied()
}

/// One typing error in `text`: a substitution, transposition, deletion or doubled letter, never
/// on the first letter (officers rarely get that wrong) and only between letters.
fn typo(text: &str, rng: &mut impl Rng) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    let positions: Vec<usize> = (1..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    let &at = positions.choose(rng)?;
    match rng.random_range(0..4) {
        0 => chars[at] = substitute(chars[at], &chars, rng)?,
        1 => {
            let next = at + 1;
            if next >= chars.len() || !chars[next].is_alphabetic() || chars[next] == chars[at] {
                // Swap with the previous letter instead (position 0 stays put when at == 1).
                if at < 2 || chars[at - 1] == chars[at] || !chars[at - 1].is_alphabetic() {
                    return None;
                }
                chars.swap(at - 1, at);
            } else {
                chars.swap(at, next);
            }
        }
        2 => {
            chars.remove(at);
        }
        _ => chars.insert(at, chars[at]),
    }
    let typed: String = chars.into_iter().collect();
    (typed != text).then_some(typed)
}

/// Up to `k` distinct queries for `person`, none equal to the published spelling: first one per
/// applicable single change in random order, then combinations, then more typos.
pub(crate) fn variants(
    person: &GeneratedPerson,
    k: usize,
    rng: &mut impl Rng,
) -> Vec<VariantQuery> {
    let base = Draft::new(&person.identity);
    let mut seen: HashSet<String> = HashSet::from([base.text(), person.published_name()]);
    let mut singles = SINGLE_PLANS.to_vec();
    singles.shuffle(rng);
    let mut combined = COMBINED_PLANS.to_vec();
    combined.shuffle(rng);
    let typos = std::iter::repeat_n(SINGLE_PLANS[2], k + EXTRA_VARIANT_ATTEMPTS);
    let year = person
        .person
        .date_of_birth
        .map(|date| format!("{:04}", date.year()));
    let full_date = person
        .person
        .date_of_birth
        .filter(|date| date.day().is_some())
        .map(|date| date.to_string());
    let mut queries = Vec::with_capacity(k);
    for (changes, kind) in singles.into_iter().chain(combined).chain(typos) {
        if queries.len() >= k {
            break;
        }
        let mut draft = base.clone();
        if !changes.iter().all(|&change| draft.apply(change, rng)) {
            continue;
        }
        let query = draft.text();
        if !seen.insert(query.clone()) {
            continue;
        }
        let dob = if changes.contains(&Change::NoGiven) {
            // Only a full date makes a family name alone name one person.
            match &full_date {
                Some(date) => Some(date.clone()),
                None => continue,
            }
        } else if rng.random_range(0..100) >= VARIANT_DOB_PERCENT {
            None
        } else if full_date.is_some() && rng.random_range(0..100) < VARIANT_FULL_DATE_PERCENT {
            full_date.clone()
        } else {
            year.clone()
        };
        queries.push(VariantQuery {
            query,
            dob,
            person_id: person.id.clone(),
            kind,
            script: person.identity.culture.script.name(),
            parts: draft.parts(),
        });
    }
    queries
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// Plain keyboards lose every diacritic, including letters Unicode does not decompose.
    #[test]
    fn diacritics_are_stripped_like_a_plain_keyboard() {
        assert_eq!(strip_diacritics("Łukasz Wójcik"), "Lukasz Wojcik");
        assert_eq!(
            strip_diacritics("Öztürk Yılmaz Çelik"),
            "Ozturk Yilmaz Celik"
        );
        assert_eq!(
            strip_diacritics("José García Márquez"),
            "Jose Garcia Marquez"
        );
        assert_eq!(strip_diacritics("Weiß"), "Weiss");
        assert_eq!(strip_diacritics("Σωκράτης"), "Σωκρατης");
    }

    /// A typo is one edit that keeps the first letter and never returns the word unchanged.
    #[test]
    fn typos_change_one_letter_and_keep_the_first() {
        let mut rng = StdRng::seed_from_u64(3);
        for word in ["Ivanov", "Müller", "Иванов", "Anna", "Abdel Rahman"] {
            for _ in 0..200 {
                if let Some(typed) = typo(word, &mut rng) {
                    assert_ne!(typed, word);
                    assert_eq!(typed.chars().next(), word.chars().next());
                    let difference = typed.chars().count().abs_diff(word.chars().count());
                    assert!(difference <= 1, "{word} -> {typed}");
                }
            }
        }
    }
}
