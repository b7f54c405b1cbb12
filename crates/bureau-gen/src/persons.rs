//! Generated persons: a structured identity drawn from the lexicon (culture, sex, name parts in
//! every spelling), and the [`Person`] record a member bureau would publish for it, in the native
//! script or a Latin transliteration.
//!
//! The identity is kept beside the record so [`crate::variants`] can derive the queries an
//! officer would type for the same person.

use bureau_core::schema::{LegalBasis, Person, Sex};
use bureau_core::{CountryCode, Date, PartialDate};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::culture::Script;
use crate::lexicon::{Culture, LEXICON, Pool, Spellings};

/// Earliest year of birth generated.
pub const MIN_BIRTH_YEAR: u16 = 1940;
/// Latest year of birth generated.
pub const MAX_BIRTH_YEAR: u16 = 2008;
/// Most police subjects are young adults: this share of births falls in the core range.
const CORE_BIRTH_PERCENT: u32 = 70;
const CORE_BIRTH_YEARS: std::ops::RangeInclusive<u16> = 1972..=2002;
/// Percent of dates of birth known to the day, and to the month; the rest only to the year.
const FULL_DATE_PERCENT: u32 = 85;
const MONTH_DATE_PERCENT: u32 = 10;
/// Percent of Latin renderings of a non-Latin name that use the passport transliteration.
const PRIMARY_TRANSLITERATION_PERCENT: u32 = 75;
const PLACE_OF_BIRTH_PERCENT: u32 = 40;
const ALIAS_PERCENT: u32 = 8;
const SECOND_NATIONALITY_PERCENT: u32 = 5;
const DOCUMENT_PERCENT: u32 = 15;
const OFFENCE_PERCENT: u32 = 60;
const LEGAL_BASIS_PERCENT: u32 = 30;
const DESCRIPTION_PERCENT: u32 = 10;

/// Second nationalities common among persons living abroad.
const SECOND_NATIONALITIES: &[&str] = &["DEU", "FRA", "GBR", "USA", "CAN", "SWE", "NLD", "BEL"];
const OFFENCES: &[&str] = &[
    "fraud",
    "drug trafficking",
    "armed robbery",
    "money laundering",
    "murder",
    "trafficking in human beings",
    "theft of motor vehicles",
    "forgery of documents",
    "cybercrime",
    "smuggling of migrants",
];
const AUTHORITIES: &[&str] = &[
    "investigating judge",
    "public prosecutor",
    "district court",
    "regional court",
];
const PENALTY_MONTHS: &[u32] = &[24, 36, 60, 96, 120, 180, 240];
const DESCRIPTIONS: &[&str] = &[
    "scar on left cheek",
    "tattoo on right forearm",
    "tattoo on neck",
    "height about 1.80 m, slim",
    "height about 1.65 m, dark hair",
    "missing front tooth",
    "wears glasses",
];

/// How one name part is written: in its native script, or in the `n`-th Latin spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    Native,
    Latin(usize),
}

impl Spellings {
    pub fn render(&self, rendering: Rendering) -> &str {
        match rendering {
            Rendering::Native => &self.native,
            Rendering::Latin(index) => self.latin.get(index).unwrap_or(&self.native),
        }
    }
}

/// One part of a name (a family name, a given name, a patronymic) and how the record spells it.
#[derive(Debug, Clone)]
pub struct NamePart {
    pub spellings: &'static Spellings,
    pub rendering: Rendering,
}

impl NamePart {
    pub fn text(&self) -> &str {
        self.spellings.render(self.rendering)
    }
}

/// The name behind a record, part by part, as drawn: what the variants are computed from.
#[derive(Debug, Clone)]
pub struct Identity {
    pub culture: &'static Culture,
    pub family: Vec<NamePart>,
    /// Given names in order; a patronymic, when present, is last.
    pub given: Vec<NamePart>,
}

/// A generated person: the record to import under `id`, and the identity behind it.
#[derive(Debug, Clone)]
pub struct GeneratedPerson {
    /// The record's local id in the import file (and the key file's `person_id`).
    pub id: String,
    pub person: Person,
    /// The culture the name was drawn from ("russian", "arabic", ...).
    pub culture: &'static str,
    pub(crate) identity: Identity,
    /// Position in the generated sequence, which seeds the person's variants.
    pub(crate) index: u64,
}

impl GeneratedPerson {
    /// The name as published, family names first: the spelling a variant must differ from.
    pub fn published_name(&self) -> String {
        join_name(&self.person.family_name, &self.person.given_names)
    }
}

/// `family given`, without a dangling space when there are no given names.
pub(crate) fn join_name(family: &str, given: &str) -> String {
    if given.is_empty() {
        family.to_owned()
    } else {
        format!("{family} {given}")
    }
}

fn percent(rng: &mut impl Rng, share: u32) -> bool {
    rng.random_range(0..100) < share
}

/// A second name from `pool` that differs from `first` (two draws; duplicates are rare).
fn draw_other(
    pool: &'static Pool,
    first: &Spellings,
    rng: &mut impl Rng,
) -> Option<&'static Spellings> {
    (0..2)
        .filter_map(|_| pool.sample(rng))
        .find(|name| *name != first)
}

/// The parts of a name as drawn, before choosing how to spell them.
struct DrawnName {
    family: Vec<&'static Spellings>,
    given: Vec<&'static Spellings>,
}

fn draw_name(culture: &'static Culture, sex: Sex, rng: &mut impl Rng) -> DrawnName {
    let female = sex == Sex::Female;
    let (family_pool, given_pool, patronymic_pool) = if female {
        (
            &culture.family_female,
            &culture.given_female,
            &culture.patronymic_female,
        )
    } else {
        (
            &culture.family_male,
            &culture.given_male,
            &culture.patronymic_male,
        )
    };
    let mut family = Vec::with_capacity(2);
    let mut given = Vec::with_capacity(3);
    if let Some(name) = family_pool.sample(rng) {
        family.push(name);
        if percent(rng, culture.data.second_family_percent)
            && let Some(second) = draw_other(family_pool, name, rng)
        {
            family.push(second);
        }
    }
    if let Some(name) = given_pool.sample(rng) {
        given.push(name);
        // Arabic names add the father's name; elsewhere the second name has the person's sex.
        let second_pool = if culture.script == Script::Arabic {
            &culture.given_male
        } else {
            given_pool
        };
        if percent(rng, culture.data.second_given_percent)
            && let Some(second) = draw_other(second_pool, name, rng)
        {
            given.push(second);
        }
    }
    if percent(rng, culture.data.patronymic_percent)
        && let Some(patronymic) = patronymic_pool.sample(rng)
    {
        given.push(patronymic);
    }
    DrawnName { family, given }
}

/// How a bureau writes one part: native script for a whole record (`native`), else mostly the
/// passport transliteration, sometimes another; Latin-script names mostly keep their own form.
fn choose_rendering(
    spellings: &Spellings,
    native: bool,
    culture: &Culture,
    rng: &mut impl Rng,
) -> Rendering {
    if native {
        return Rendering::Native;
    }
    let primary_percent = if culture.script == Script::Latin {
        culture.data.native_percent
    } else {
        PRIMARY_TRANSLITERATION_PERCENT
    };
    if spellings.latin.len() < 2 || percent(rng, primary_percent) {
        Rendering::Latin(0)
    } else {
        Rendering::Latin(rng.random_range(1..spellings.latin.len()))
    }
}

fn identity(culture: &'static Culture, sex: Sex, rng: &mut impl Rng) -> Identity {
    let name = draw_name(culture, sex, rng);
    let native = culture.script != Script::Latin && percent(rng, culture.data.native_percent);
    let mut part = |spellings: &'static Spellings| NamePart {
        spellings,
        rendering: choose_rendering(spellings, native, culture, rng),
    };
    let family = name.family.into_iter().map(&mut part).collect();
    let given = name.given.into_iter().map(&mut part).collect();
    Identity {
        culture,
        family,
        given,
    }
}

fn join_parts(parts: &[NamePart]) -> String {
    let mut text = String::new();
    for part in parts {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(part.text());
    }
    text
}

/// A year of birth, most often in the core range, always within the generated range.
fn date_of_birth(rng: &mut impl Rng) -> Option<PartialDate> {
    let year = if percent(rng, CORE_BIRTH_PERCENT) {
        rng.random_range(CORE_BIRTH_YEARS)
    } else {
        rng.random_range(MIN_BIRTH_YEAR..=MAX_BIRTH_YEAR)
    };
    let first = Date::new(year, 1, 1).ok()?;
    let next = Date::new(year + 1, 1, 1).ok()?;
    let day =
        first.plus_days(rng.random_range(0..next.days_since_epoch() - first.days_since_epoch()));
    let precision = rng.random_range(0..100);
    let (month, day) = if precision < FULL_DATE_PERCENT {
        (Some(day.month()), Some(day.day()))
    } else if precision < FULL_DATE_PERCENT + MONTH_DATE_PERCENT {
        (Some(day.month()), None)
    } else {
        (None, None)
    };
    PartialDate::new(year, month, day).ok()
}

fn nationalities(culture: &Culture, rng: &mut impl Rng) -> Vec<CountryCode> {
    let mut codes: Vec<CountryCode> = culture
        .nationalities
        .choose(rng)
        .copied()
        .into_iter()
        .collect();
    if percent(rng, SECOND_NATIONALITY_PERCENT)
        && let Some(second) = SECOND_NATIONALITIES
            .choose(rng)
            .and_then(|c| c.parse().ok())
        && !codes.contains(&second)
    {
        codes.push(second);
    }
    codes
}

/// Another name the person is known by: the same name in another spelling or script (as a
/// second bureau recorded it), or an assumed name from the same culture.
fn alias(identity: &Identity, sex: Sex, rng: &mut impl Rng) -> String {
    let culture = identity.culture;
    if rng.random_bool(0.5) {
        let other = self::identity(culture, sex, rng);
        return join_name(&join_parts(&other.family), &join_parts(&other.given));
    }
    let respell = |parts: &[NamePart], rng: &mut _| -> String {
        let parts: Vec<NamePart> = parts
            .iter()
            .map(|part| NamePart {
                spellings: part.spellings,
                rendering: choose_rendering(part.spellings, false, culture, rng),
            })
            .collect();
        join_parts(&parts)
    };
    let family = respell(&identity.family, rng);
    let given = respell(&identity.given, rng);
    join_name(&family, &given)
}

fn document_number(rng: &mut impl Rng) -> String {
    let letters: String = (0..2)
        .map(|_| char::from(rng.random_range(b'A'..=b'Z')))
        .collect();
    format!("{letters}{:07}", rng.random_range(0..10_000_000))
}

fn legal_basis(rng: &mut impl Rng) -> LegalBasis {
    LegalBasis {
        warrant: format!(
            "W-{}-{:05}",
            rng.random_range(2010..=2025),
            rng.random_range(1..100_000)
        ),
        authority: AUTHORITIES
            .choose(rng)
            .copied()
            .unwrap_or("court")
            .to_owned(),
        max_penalty_months: PENALTY_MONTHS.choose(rng).copied().unwrap_or(60),
    }
}

/// The `index`-th person, with local id `id`, drawn from `rng`.
pub(crate) fn person(id: String, index: u64, rng: &mut impl Rng) -> GeneratedPerson {
    let culture = LEXICON.sample_culture(rng);
    let sex = if rng.random_bool(0.5) {
        Sex::Male
    } else {
        Sex::Female
    };
    let identity = identity(culture, sex, rng);
    let published_native = identity
        .family
        .first()
        .is_some_and(|part| part.rendering == Rendering::Native && culture.script != Script::Latin);
    let aliases = if percent(rng, ALIAS_PERCENT) {
        vec![alias(&identity, sex, rng)]
    } else {
        Vec::new()
    };
    let place_of_birth = percent(rng, PLACE_OF_BIRTH_PERCENT)
        .then(|| culture.places.sample(rng))
        .flatten()
        .map(|place| {
            let rendering = if published_native {
                Rendering::Native
            } else {
                Rendering::Latin(0)
            };
            place.render(rendering).to_owned()
        });
    let person = Person {
        family_name: join_parts(&identity.family),
        given_names: join_parts(&identity.given),
        aliases,
        sex,
        date_of_birth: date_of_birth(rng),
        place_of_birth,
        nationalities: nationalities(culture, rng),
        documents: if percent(rng, DOCUMENT_PERCENT) {
            vec![document_number(rng)]
        } else {
            Vec::new()
        },
        description: percent(rng, DESCRIPTION_PERCENT)
            .then(|| DESCRIPTIONS.choose(rng).map(|text| (*text).to_owned()))
            .flatten(),
        offence: percent(rng, OFFENCE_PERCENT)
            .then(|| OFFENCES.choose(rng).map(|text| (*text).to_owned()))
            .flatten(),
        legal_basis: percent(rng, LEGAL_BASIS_PERCENT).then(|| legal_basis(rng)),
    };
    GeneratedPerson {
        id,
        person,
        culture: culture.name,
        identity,
        index,
    }
}
