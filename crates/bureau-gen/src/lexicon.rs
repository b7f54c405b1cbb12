//! The name pools behind generated persons: for each culture, family names, given names,
//! patronymics and places, each with its native spelling and the Latin spellings a bureau or an
//! officer commonly uses for it.
//!
//! The raw lists live in [`crate::names`] as compact text so that several hundred names stay
//! readable; this module parses them once into a [`Lexicon`] shared by every generator. Pools are
//! ordered most common first and sampled with a Zipf-like weight, because real populations share
//! a few very common names, and that is what makes ranking a name search hard.

use std::sync::LazyLock;

use bureau_core::CountryCode;
use rand::Rng;

use crate::culture::{CultureData, Script};
use crate::names::CULTURES;

/// Zipf exponent shift: the weight of the name of rank `r` (0-based) is `1 / (r + ZIPF_OFFSET)`.
/// A larger offset flattens the head, so the most common name is not absurdly dominant.
pub const ZIPF_OFFSET: f64 = 2.0;

/// One name (or place) in every spelling we know: the native one and its Latin renderings.
///
/// For Latin-script cultures `latin[0]` is the native spelling itself (with its diacritics) and
/// the rest are alternative spellings (Müller, Mueller); for other scripts `latin[0]` is the
/// transliteration passports commonly use (ICAO for Cyrillic, pinyin for Chinese) and the rest
/// are older or foreign systems (Ivanoff, Iwanow; Chang, Cheung).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spellings {
    pub native: String,
    pub latin: Vec<String>,
}

impl Spellings {
    fn parse(entry: &str, script: Script) -> Spellings {
        let mut forms = entry.split('|').map(str::trim).filter(|f| !f.is_empty());
        let native = forms.next().unwrap_or_default().to_owned();
        let mut latin: Vec<String> = forms.map(str::to_owned).collect();
        if script == Script::Latin || latin.is_empty() {
            latin.insert(0, native.clone());
        }
        Spellings { native, latin }
    }
}

/// A pool of spellings, most common first, with cumulative Zipf weights for sampling.
#[derive(Debug)]
pub struct Pool {
    pub entries: Vec<Spellings>,
    cumulative: Vec<f64>,
}

impl Pool {
    fn new(entries: Vec<Spellings>) -> Pool {
        let mut total = 0.0;
        let cumulative = (0..entries.len())
            .map(|rank| {
                total += 1.0 / (rank as f64 + ZIPF_OFFSET);
                total
            })
            .collect();
        Pool {
            entries,
            cumulative,
        }
    }

    fn parse(list: &str, script: Script) -> Pool {
        Pool::new(
            list.split(';')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(|entry| Spellings::parse(entry, script))
                .collect(),
        )
    }

    /// A name drawn with Zipf weights, in O(log n). `None` only for an empty pool.
    pub fn sample(&self, rng: &mut impl Rng) -> Option<&Spellings> {
        let total = *self.cumulative.last()?;
        let point = rng.random::<f64>() * total;
        let index = self.cumulative.partition_point(|&weight| weight <= point);
        self.entries.get(index.min(self.entries.len() - 1))
    }
}

/// A culture's pools, parsed from its [`CultureData`].
#[derive(Debug)]
pub struct Culture {
    pub name: &'static str,
    pub script: Script,
    pub data: &'static CultureData,
    pub nationalities: Vec<CountryCode>,
    pub family_male: Pool,
    pub family_female: Pool,
    pub given_male: Pool,
    pub given_female: Pool,
    pub patronymic_male: Pool,
    pub patronymic_female: Pool,
    pub places: Pool,
}

impl Culture {
    fn build(data: &'static CultureData) -> Culture {
        let script = data.script;
        let family_male = Pool::parse(data.family, script);
        let family_female = Pool::new(
            family_male
                .entries
                .iter()
                .map(|name| feminine(name, data))
                .collect(),
        );
        Culture {
            name: data.name,
            script,
            data,
            nationalities: data
                .nationalities
                .iter()
                .filter_map(|code| code.parse().ok())
                .collect(),
            family_male,
            family_female,
            given_male: Pool::parse(data.given_male, script),
            given_female: Pool::parse(data.given_female, script),
            patronymic_male: Pool::parse(data.patronymic_male, script),
            patronymic_female: Pool::parse(data.patronymic_female, script),
            places: Pool::parse(data.places, script),
        }
    }
}

/// The feminine form of a family name in cultures whose surnames agree with sex (Иванов →
/// Иванова, Kowalski → Kowalska, Παπαδόπουλος → Παπαδοπούλου). Latin spellings change only when
/// the native one did, so Шевченко and its transliterations stay as they are.
fn feminine(name: &Spellings, data: &CultureData) -> Spellings {
    let Some(native) = replace_suffix(&name.native, data.feminine_native) else {
        return name.clone();
    };
    let mut latin: Vec<String> = Vec::with_capacity(name.latin.len());
    for spelling in &name.latin {
        let spelling =
            replace_suffix(spelling, data.feminine_latin).unwrap_or_else(|| spelling.clone());
        // Ivanov and Ivanoff are both Ivanova: keep one.
        if !latin.contains(&spelling) {
            latin.push(spelling);
        }
    }
    Spellings { native, latin }
}

/// `text` with the first matching `(from, to)` suffix replaced, or `None` if no rule matches.
fn replace_suffix(text: &str, rules: &[(&str, &str)]) -> Option<String> {
    rules
        .iter()
        .find_map(|(from, to)| text.strip_suffix(from).map(|stem| format!("{stem}{to}")))
}

/// Every culture's pools, and the weights with which persons are drawn from them.
#[derive(Debug)]
pub struct Lexicon {
    pub cultures: Vec<Culture>,
    cumulative_weights: Vec<u32>,
}

impl Lexicon {
    fn build() -> Lexicon {
        let cultures: Vec<Culture> = CULTURES.iter().map(Culture::build).collect();
        let mut total = 0;
        let cumulative_weights = cultures
            .iter()
            .map(|culture| {
                total += culture.data.weight;
                total
            })
            .collect();
        Lexicon {
            cultures,
            cumulative_weights,
        }
    }

    /// A culture drawn by its population weight.
    pub fn sample_culture(&self, rng: &mut impl Rng) -> &Culture {
        let total = self.cumulative_weights.last().copied().unwrap_or(1);
        let point = rng.random_range(0..total.max(1));
        let index = self.cumulative_weights.partition_point(|&w| w <= point);
        &self.cultures[index.min(self.cultures.len() - 1)]
    }
}

/// The lexicon, parsed on first use and shared, so a `GeneratedPerson` can hold `'static`
/// references to its names.
pub static LEXICON: LazyLock<Lexicon> = LazyLock::new(Lexicon::build);

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn culture(name: &str) -> &'static Culture {
        LEXICON
            .cultures
            .iter()
            .find(|culture| culture.name == name)
            .expect("culture exists")
    }

    /// Surnames agree with sex where the language requires it, in every spelling.
    #[test]
    fn feminine_family_names_follow_the_language() {
        let russian = culture("russian");
        let ivanova = &russian.family_female.entries[0];
        assert_eq!(ivanova.native, "Иванова");
        assert_eq!(ivanova.latin, ["Ivanova", "Iwanowa"]);
        let polish = culture("polish");
        let kowalska = polish
            .family_female
            .entries
            .iter()
            .find(|name| name.native.starts_with("Kowalsk"))
            .expect("Kowalski is in the pool");
        assert_eq!(kowalska.native, "Kowalska");
        let greek = culture("greek");
        assert_eq!(greek.family_female.entries[0].native, "Παπαδοπούλου");
        assert_eq!(greek.family_female.entries[0].latin[0], "Papadopoulou");
        let ukrainian = culture("ukrainian");
        assert_eq!(ukrainian.family_female.entries[0].native, "Шевченко");
    }

    /// Every culture has the pools a person needs, and the totals reach several hundred names.
    #[test]
    fn pools_are_complete_and_large() {
        let mut family = 0;
        let mut given = 0;
        for culture in &LEXICON.cultures {
            assert!(!culture.family_male.entries.is_empty(), "{}", culture.name);
            assert!(!culture.given_male.entries.is_empty(), "{}", culture.name);
            assert!(!culture.given_female.entries.is_empty(), "{}", culture.name);
            assert!(!culture.nationalities.is_empty(), "{}", culture.name);
            assert!(!culture.places.entries.is_empty(), "{}", culture.name);
            family += culture.family_male.entries.len();
            given += culture.given_male.entries.len() + culture.given_female.entries.len();
        }
        assert!(family >= 300, "{family} family names");
        assert!(given >= 300, "{given} given names");
    }

    /// Zipf sampling favours the head of a pool but reaches its tail.
    #[test]
    fn sampling_prefers_common_names() {
        let pool = &culture("english").family_male;
        let mut rng = StdRng::seed_from_u64(7);
        let mut counts = vec![0u32; pool.entries.len()];
        for _ in 0..20_000 {
            let name = pool.sample(&mut rng).expect("pool is not empty");
            let rank = pool
                .entries
                .iter()
                .position(|e| e == name)
                .expect("drawn from pool");
            counts[rank] += 1;
        }
        assert!(counts[0] > 5 * counts[counts.len() - 1]);
        assert!(counts.iter().all(|&count| count > 0));
    }
}
