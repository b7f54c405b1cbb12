//! The phonetic key of a Latin name part: equal across the usual transliterations and spelling
//! habits, so that a posting list keyed by it gathers every candidate spelling of a name.
//!
//! The key is a consonant skeleton. Arabic is written without short vowels and transliterations
//! disagree mostly on vowels (Mohammed, Muhammad, محمد as "mhmd"), so vowels are dropped, except
//! that a part starting with a vowel keeps one marker `a` (Ivanov, Oleksandr, Omar). The rules,
//! applied left to right on the lowercase part, longest spelling first:
//!
//! | spelling | key | why |
//! | --- | --- | --- |
//! | tsch, tch, ch, kh, h, cz | `X` | Tschaikowski, Tchaikovsky, Chaikovsky; Khaled, Chaled; Mokhammed, Mohammed |
//! | sch, sh, sz | `S` | Schmidt, Shmidt; Polish sz |
//! | dzh, zh, dj, j | `J` | Dzhamal, Jamal; Serbian dj; Jusuf |
//! | y at the start | `J` | Yusuf, Jusuf, يوسف |
//! | j or y after a vowel, y elsewhere | vowel | Sergei, Sergey, Sergej, Chaikovskiy |
//! | v, w, f, ph | `f` | Ivanov, Ivanoff, Iwanow; Philippe, Filip |
//! | ts, tz, z | `z` | Tsvetkov, Zwetkow |
//! | x | `ks` | Alexander, Aleksandr |
//! | c before e, i, y | `s` | Cecile |
//! | c, ck, q, k | `k` | Carl, Karl; Qasim, Kasim |
//! | th, dt | `t` | Theodoros, Teodoros; Schmidt, Schmitt |
//! | dh, gh | `d`, `g` | Arabic ذ and غ |
//! | h at the end | dropped | Abdullah, Abdalla |
//!
//! The same class twice in a row counts once (Muhammad, Youssef, Philippe). Other letters and
//! digits are kept; letters of scripts without a transliteration table are kept as they are. The
//! key is cut at [`MAX_PHONETIC_KEY_CHARS`]: long enough that common surnames stay apart
//! (Ivanov "afnf", Petrov "ptrf", Papadopoulos "ppdpls"), short enough to bound the index key.

/// The longest phonetic key, in characters; longer skeletons are cut.
pub const MAX_PHONETIC_KEY_CHARS: usize = 8;

/// The marker a key starts with when its part starts with a vowel.
const INITIAL_VOWEL: &str = "a";

/// The phonetic key of one Latin name part (see the module documentation for the rules).
///
/// Never empty for a non-empty part: a part the rules reduce to nothing (a lone "h") keys as its
/// first letter.
pub fn phonetic(part: &str) -> String {
    let letters: Vec<char> = part.chars().flat_map(char::to_lowercase).collect();
    let mut key = Key::default();
    let mut index = 0;
    while index < letters.len() && key.len < MAX_PHONETIC_KEY_CHARS {
        index += step(&letters, index, &mut key);
    }
    if key.text.is_empty() {
        key.text.extend(letters.first());
    }
    key.text
}

/// The key being built, with what is needed to merge repeated classes.
#[derive(Debug, Default)]
struct Key {
    text: String,
    len: usize,
    /// The last class pushed, unless a vowel came after it.
    last: Option<char>,
}

impl Key {
    fn push(&mut self, classes: &str) {
        for class in classes.chars() {
            if self.last != Some(class) && self.len < MAX_PHONETIC_KEY_CHARS {
                self.text.push(class);
                self.len += 1;
            }
            self.last = Some(class);
        }
    }

    fn vowel(&mut self, at_start: bool) {
        if at_start {
            self.push(INITIAL_VOWEL);
        }
        self.last = None;
    }
}

/// Reads the sound at `index` into `key`; returns the letters consumed.
fn step(letters: &[char], index: usize, key: &mut Key) -> usize {
    if let Some((classes, consumed)) = spelling(letters, index) {
        key.push(classes);
        return consumed;
    }
    let at_start = index == 0;
    let next = letters.get(index + 1).copied();
    match letters[index] {
        'a' | 'e' | 'i' | 'o' | 'u' => key.vowel(at_start),
        'y' if at_start => key.push("J"),
        'y' => key.vowel(false),
        'j' if !at_start && is_vowel(letters[index - 1]) => key.vowel(false),
        'j' => key.push("J"),
        'h' if next.is_none() && !at_start => {}
        'h' => key.push("X"),
        'v' | 'w' | 'f' => key.push("f"),
        'c' if matches!(next, Some('e' | 'i' | 'y')) => key.push("s"),
        'c' | 'q' => key.push("k"),
        'x' => key.push("ks"),
        other => {
            let mut buffer = [0; 4];
            key.push(other.encode_utf8(&mut buffer));
        }
    }
    1
}

/// A spelling of several letters read as one sound, longest first ("tsch" before "sch" and
/// "ch"), with its classes and length.
fn spelling(letters: &[char], index: usize) -> Option<(&'static str, usize)> {
    let at = |offset: usize| letters.get(index + offset).copied();
    Some(match (letters[index], at(1), at(2), at(3)) {
        ('t', Some('s'), Some('c'), Some('h')) => ("X", 4),
        ('s', Some('h'), Some('c'), Some('h')) => ("SX", 4),
        ('t', Some('c'), Some('h'), _) => ("X", 3),
        ('s', Some('c'), Some('h'), _) => ("S", 3),
        ('d', Some('z'), Some('h'), _) => ("J", 3),
        ('s', Some('h' | 'z'), _, _) => ("S", 2),
        ('z', Some('h'), _, _) | ('d', Some('j'), _, _) => ("J", 2),
        ('c' | 'k', Some('h'), _, _) | ('c', Some('z'), _, _) => ("X", 2),
        ('c', Some('k'), _, _) | ('q', Some('u'), _, _) => ("k", 2),
        ('p', Some('h'), _, _) => ("f", 2),
        ('t', Some('h'), _, _) | ('d', Some('t'), _, _) => ("t", 2),
        ('d', Some('h'), _, _) => ("d", 2),
        ('g', Some('h'), _, _) => ("g", 2),
        ('t', Some('s' | 'z'), _, _) => ("z", 2),
        _ => return None,
    })
}

fn is_vowel(letter: char) -> bool {
    matches!(letter, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// The classes a key is written in after its first character: the consonant classes of the
/// rules above and the letters kept as they are.
const KEY_CLASSES: &str = "bdfgklmnprstzJSX";

/// Keys shorter than this have no neighbours: one letter off in "Li" or "Wu" is another name.
pub const MIN_NEIGHBOUR_KEY_CHARS: usize = 3;

/// The keys one edit away from `key` (a class deleted, inserted, replaced, or two neighbours
/// swapped; the initial-vowel marker added or removed), cut as keys are: what one typo, or one
/// letter written the way another transliteration writes it (Mehmed, Mehmet; Muñoz, Munos),
/// makes of a name's key. Without `key` itself, in a fixed order, without repeats.
pub fn neighbours(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < MIN_NEIGHBOUR_KEY_CHARS {
        return Vec::new();
    }
    let marker = INITIAL_VOWEL.chars().next().unwrap_or('a');
    let classes_at = |at: usize| {
        KEY_CLASSES
            .chars()
            .chain((at == 0).then_some(marker))
            .collect::<Vec<char>>()
    };
    let mut found: Vec<Vec<char>> = Vec::new();
    for at in 0..chars.len() {
        let mut deleted = chars.clone();
        deleted.remove(at);
        found.push(deleted);
        if at + 1 < chars.len() {
            let mut swapped = chars.clone();
            swapped.swap(at, at + 1);
            found.push(swapped);
        }
        for class in classes_at(at) {
            let mut replaced = chars.clone();
            replaced[at] = class;
            found.push(replaced);
        }
    }
    for at in 0..=chars.len() {
        for class in classes_at(at) {
            let mut inserted = chars.clone();
            inserted.insert(at, class);
            found.push(inserted);
        }
    }
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .map(|mut neighbour| {
            // A class may repeat: the vowel between the two is not written (Ferreira "frr").
            neighbour.truncate(MAX_PHONETIC_KEY_CHARS);
            neighbour.into_iter().collect::<String>()
        })
        .filter(|neighbour| !neighbour.is_empty() && neighbour != key)
        .filter(|neighbour| seen.insert(neighbour.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_typo_or_one_other_letter_is_a_neighbour() {
        for (typed, name) in [
            ("Bernadr", "Bernard"),
            ("Mehmed", "Mehmet"),
            ("Munos", "Muñoz"),
            ("Schneidr", "Schneider"),
            ("Richer", "Richter"),
            ("Nowitzka", "Nowicka"),
            ("Ferrdira", "Ferreira"),
        ] {
            let key = phonetic(&crate::names::to_latin(name));
            let typed_key = phonetic(typed);
            assert!(
                typed_key == key || neighbours(&typed_key).contains(&key),
                "{typed} ({typed_key}) is one edit from {name} ({key})"
            );
        }
        assert!(neighbours("l").is_empty() && neighbours("fn").is_empty());
        let around = neighbours("brnrd");
        assert!(!around.contains(&"brnrd".to_owned()));
        assert!(
            around
                .iter()
                .all(|key| key.chars().count() <= MAX_PHONETIC_KEY_CHARS)
        );
    }
}
