//! Generated stolen vehicles: VINs that are valid ISO 3779 identifiers for the make's real
//! manufacturer code, with the North American check digit where the manufacturer uses one, and
//! plausible models, colours and plates for the country the vehicle was registered in.

use bureau_core::Date;
use bureau_core::schema::{Vehicle, VehicleKind};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::documents::latest_event_date;

/// Characters allowed in a VIN: digits and capitals except I, O and Q.
pub const VIN_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
/// Model-year codes (VIN position 10), a 30-year cycle starting in 1980.
const MODEL_YEAR_CODES: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY123456789";
const FIRST_MODEL_YEAR: u16 = 1980;
/// Distinct serial numbers (positions 12–17) per plant code.
const SERIALS_PER_PLANT: u128 = 1_000_000;
/// Coprime with `33 * SERIALS_PER_PLANT`, so plant and serial are unique per vehicle index.
const SERIAL_MULTIPLIER: u128 = 2_654_435_761;
/// Model years generated.
const MODEL_YEARS: std::ops::RangeInclusive<u16> = 2000..=2024;
/// Thefts before this year are not generated.
const EARLIEST_THEFT_YEAR: u16 = 2014;
const ENGINE_NUMBER_PERCENT: u32 = 40;
const PLATE_PERCENT: u32 = 85;
const THEFT_PLACE_PERCENT: u32 = 70;

/// A make as a stolen-vehicle file lists it.
#[derive(Debug)]
struct Make {
    name: &'static str,
    /// World manufacturer identifier (VIN positions 1–3).
    wmi: &'static str,
    /// European manufacturers often fill positions 4–6 with `ZZZ`.
    vds_prefix: &'static str,
    /// Whether position 9 carries the North American check digit.
    check_digit: bool,
    kind: VehicleKind,
    weight: u32,
    models: &'static [&'static str],
}

const MAKES: &[Make] = &[
    Make {
        name: "Volkswagen",
        wmi: "WVW",
        vds_prefix: "ZZZ",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 14,
        models: &["Golf", "Passat", "Polo", "Tiguan", "Touran", "Transporter"],
    },
    Make {
        name: "BMW",
        wmi: "WBA",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 8,
        models: &["3 Series", "5 Series", "1 Series", "X3", "X5"],
    },
    Make {
        name: "Mercedes-Benz",
        wmi: "WDD",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 8,
        models: &["C-Class", "E-Class", "A-Class", "GLC", "Sprinter"],
    },
    Make {
        name: "Audi",
        wmi: "WAU",
        vds_prefix: "ZZZ",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 6,
        models: &["A3", "A4", "A6", "Q5", "Q7"],
    },
    Make {
        name: "Renault",
        wmi: "VF1",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 6,
        models: &["Clio", "Mégane", "Captur", "Kangoo", "Scénic"],
    },
    Make {
        name: "Peugeot",
        wmi: "VF3",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 6,
        models: &["208", "308", "3008", "508", "Partner"],
    },
    Make {
        name: "Fiat",
        wmi: "ZFA",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 5,
        models: &["Panda", "500", "Punto", "Tipo", "Ducato"],
    },
    Make {
        name: "Škoda",
        wmi: "TMB",
        vds_prefix: "ZZZ",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 5,
        models: &["Octavia", "Fabia", "Superb", "Kodiaq"],
    },
    Make {
        name: "Volvo",
        wmi: "YV1",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Car,
        weight: 3,
        models: &["XC60", "XC90", "V60", "S60"],
    },
    Make {
        name: "Toyota",
        wmi: "JTD",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Car,
        weight: 10,
        models: &["Corolla", "RAV4", "Yaris", "Camry", "Land Cruiser", "Hilux"],
    },
    Make {
        name: "Hyundai",
        wmi: "KMH",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Car,
        weight: 5,
        models: &["i30", "Tucson", "Elantra", "Santa Fe"],
    },
    Make {
        name: "Kia",
        wmi: "KNA",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Car,
        weight: 4,
        models: &["Sportage", "Ceed", "Rio", "Sorento"],
    },
    Make {
        name: "Ford",
        wmi: "1FA",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Car,
        weight: 6,
        models: &["Mustang", "Fusion", "Focus", "Explorer"],
    },
    Make {
        name: "Chevrolet",
        wmi: "1G1",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Car,
        weight: 4,
        models: &["Malibu", "Impala", "Cruze", "Camaro"],
    },
    Make {
        name: "Honda",
        wmi: "1HG",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Car,
        weight: 4,
        models: &["Civic", "Accord", "CR-V"],
    },
    Make {
        name: "Tesla",
        wmi: "5YJ",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Car,
        weight: 2,
        models: &["Model 3", "Model Y", "Model S"],
    },
    Make {
        name: "Scania",
        wmi: "YS2",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Truck,
        weight: 2,
        models: &["R 450", "S 500", "G 410"],
    },
    Make {
        name: "MAN",
        wmi: "WMA",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Truck,
        weight: 2,
        models: &["TGX 18.510", "TGS 26.440"],
    },
    Make {
        name: "Schmitz Cargobull",
        wmi: "WSM",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Trailer,
        weight: 1,
        models: &["S.KO Cool", "S.CS Curtainsider"],
    },
    Make {
        name: "Honda",
        wmi: "JH2",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Motorcycle,
        weight: 2,
        models: &["CBR600RR", "CB500F", "Africa Twin"],
    },
    Make {
        name: "Yamaha",
        wmi: "JYA",
        vds_prefix: "",
        check_digit: true,
        kind: VehicleKind::Motorcycle,
        weight: 2,
        models: &["MT-07", "YZF-R1", "Ténéré 700"],
    },
    Make {
        name: "BMW",
        wmi: "WB1",
        vds_prefix: "",
        check_digit: false,
        kind: VehicleKind::Motorcycle,
        weight: 1,
        models: &["R 1250 GS", "S 1000 RR"],
    },
];

const COLOURS: &[&str] = &[
    "white", "white", "black", "black", "grey", "grey", "silver", "silver", "blue", "red", "green",
    "beige", "brown", "yellow", "orange",
];

/// Plate patterns by registration country (`A` a letter, `9` a digit, `N` a digit other than
/// zero, `R` a letter Russian plates share with Cyrillic), and where such cars get stolen.
const PLATES: &[(&str, &[&str], &[&str])] = &[
    (
        "DEU",
        &["B-AA N999", "M-A N99", "HH-AA N9", "K-AA N999", "F-A N999"],
        &["Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main"],
    ),
    (
        "FRA",
        &["AA-999-AA"],
        &["Paris", "Marseille", "Lyon", "Lille"],
    ),
    (
        "GBR",
        &["AA99 AAA"],
        &["London", "Manchester", "Birmingham"],
    ),
    (
        "ITA",
        &["AA 999AA"],
        &["Roma", "Milano", "Napoli", "Torino"],
    ),
    ("ESP", &["9999 AAA"], &["Madrid", "Barcelona", "Valencia"]),
    (
        "NLD",
        &["99-AAA-9", "A-999-AA"],
        &["Amsterdam", "Rotterdam", "Utrecht"],
    ),
    ("BEL", &["N-AAA-999"], &["Bruxelles", "Antwerpen", "Liège"]),
    (
        "POL",
        &["AA 99999", "AA 9999A"],
        &["Warszawa", "Kraków", "Poznań"],
    ),
    ("USA", &["NAAA999"], &["Los Angeles", "Houston", "Chicago"]),
    ("RUS", &["R999RR 99"], &["Moskva", "Sankt-Peterburg"]),
    ("TUR", &["N9 AA 999"], &["İstanbul", "Ankara"]),
];
const RUSSIAN_PLATE_LETTERS: &[u8] = b"ABEKMHOPCTYX";

/// The value of a VIN character in the check-digit sum (ISO 3779 transliteration).
/// The North American check digit of a 17-character VIN (position 9 is ignored): the one rule
/// in `bureau_core::schema`, so generated VINs always pass validation.
pub fn vin_check_digit(vin: &[u8; 17]) -> u8 {
    let chars: Vec<char> = vin.iter().map(|&byte| char::from(byte)).collect();
    bureau_core::schema::vin_check_digit(&chars).map_or(b'0', |digit| digit as u8)
}

fn vin_char(rng: &mut impl Rng) -> u8 {
    VIN_ALPHABET[rng.random_range(0..VIN_ALPHABET.len())]
}

/// The VIN of the `index`-th vehicle: plant code and serial (positions 11–17) are a bijection of
/// the index, so VINs never repeat within a set of up to 33 million.
fn vin(make: &Make, model_year: u16, index: u64, offset: u64, rng: &mut impl Rng) -> String {
    let mut vin = [b'0'; 17];
    vin[..3].copy_from_slice(make.wmi.as_bytes());
    for (position, slot) in vin[3..8].iter_mut().enumerate() {
        *slot = make
            .vds_prefix
            .as_bytes()
            .get(position)
            .copied()
            .unwrap_or_else(|| vin_char(rng));
    }
    vin[8] = vin_char(rng);
    let cycle = usize::from(model_year.saturating_sub(FIRST_MODEL_YEAR)) % MODEL_YEAR_CODES.len();
    vin[9] = MODEL_YEAR_CODES[cycle];
    let space = VIN_ALPHABET.len() as u128 * SERIALS_PER_PLANT;
    let value = (u128::from(index) * SERIAL_MULTIPLIER + u128::from(offset)) % space;
    vin[10] = VIN_ALPHABET[(value / SERIALS_PER_PLANT) as usize];
    let serial = format!("{:06}", value % SERIALS_PER_PLANT);
    vin[11..].copy_from_slice(serial.as_bytes());
    // North American VINs must carry it (`schema::check_vin`); some other makers use it too.
    if make.check_digit || matches!(vin[0], b'1'..=b'5') {
        vin[8] = vin_check_digit(&vin);
    }
    String::from_utf8_lossy(&vin).into_owned()
}

fn plate(pattern: &str, rng: &mut impl Rng) -> String {
    pattern
        .bytes()
        .map(|symbol| match symbol {
            b'A' => char::from(rng.random_range(b'A'..=b'Z')),
            b'9' => char::from(rng.random_range(b'0'..=b'9')),
            b'N' => char::from(rng.random_range(b'1'..=b'9')),
            b'R' => {
                char::from(RUSSIAN_PLATE_LETTERS[rng.random_range(0..RUSSIAN_PLATE_LETTERS.len())])
            }
            literal => char::from(literal),
        })
        .collect()
}

fn choose_make(rng: &mut impl Rng) -> &'static Make {
    let total: u32 = MAKES.iter().map(|make| make.weight).sum();
    let mut point = rng.random_range(0..total);
    for make in MAKES {
        if point < make.weight {
            return make;
        }
        point -= make.weight;
    }
    &MAKES[0]
}

/// The `index`-th stolen vehicle.
pub(crate) fn vehicle(index: u64, offset: u64, rng: &mut impl Rng) -> Vehicle {
    let make = choose_make(rng);
    let year = rng.random_range(MODEL_YEARS);
    let (country, patterns, places) = PLATES.choose(rng).copied().unwrap_or(PLATES[0]);
    // Vehicles stay listed until found, but files are purged of thefts older than this.
    let earliest_theft =
        Date::new(year.max(EARLIEST_THEFT_YEAR), 6, 1).unwrap_or_else(|_| latest_event_date());
    let latest = latest_event_date();
    let theft_day = rng.random_range(earliest_theft.days_since_epoch()..=latest.days_since_epoch());
    let vin = vin(make, year, index, offset, rng);
    Vehicle {
        vin,
        kind: make.kind,
        engine_number: (rng.random_range(0..100) < ENGINE_NUMBER_PERCENT).then(|| {
            let letters: String = (0..3)
                .map(|_| char::from(rng.random_range(b'A'..=b'Z')))
                .collect();
            format!("{letters}{:06}", rng.random_range(0..1_000_000))
        }),
        make: Some(make.name.to_owned()),
        model: make.models.choose(rng).map(|model| (*model).to_owned()),
        year: Some(year),
        colour: COLOURS.choose(rng).map(|colour| (*colour).to_owned()),
        plate: (rng.random_range(0..100) < PLATE_PERCENT)
            .then(|| patterns.choose(rng).map(|pattern| plate(pattern, rng)))
            .flatten(),
        plate_country: country.parse().ok(),
        theft_date: Some(Date::from_days_since_epoch(theft_day)),
        theft_place: (rng.random_range(0..100) < THEFT_PLACE_PERCENT)
            .then(|| places.choose(rng).map(|place| (*place).to_owned()))
            .flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// The check digit matches published examples of valid VINs.
    #[test]
    fn check_digit_matches_known_vins() {
        assert_eq!(vin_check_digit(b"1M8GDM9AXKP042788"), b'X');
        assert_eq!(vin_check_digit(b"11111111111111111"), b'1');
        assert_eq!(vin_check_digit(b"1HGCM82633A004352"), b'3');
    }

    /// Generated VINs use only VIN characters, the make's WMI, and a correct check digit where
    /// the make uses one.
    #[test]
    fn generated_vins_are_valid() {
        let mut rng = StdRng::seed_from_u64(11);
        for index in 0..2_000 {
            let make = choose_make(&mut rng);
            let text = vin(make, 2019, index, 5, &mut rng);
            let bytes: [u8; 17] = text.as_bytes().try_into().expect("17 characters");
            assert!(bytes.iter().all(|b| VIN_ALPHABET.contains(b)), "{text}");
            assert!(text.starts_with(make.wmi));
            assert_eq!(bytes[9], b'K', "2019 is K");
            if make.check_digit {
                assert_eq!(bytes[8], vin_check_digit(&bytes), "{text}");
            }
        }
    }
}
