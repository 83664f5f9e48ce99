//! Bundled table of Ukrainian cities (population and municipal area), from
//! `data/ukraine_cities.csv`; sources per row in the CSV and in `data/SOURCES.md`.

use crate::error::EffectsError;
use std::sync::OnceLock;

/// The bundled CSV (compiled into the binary).
pub const CITIES_CSV: &str = include_str!("../data/ukraine_cities.csv");

/// One city of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    /// Name as in the table (English transliteration).
    pub name: String,
    /// Population (State Statistics Service of Ukraine estimate, 1 Jan 2022, except where
    /// the source column says otherwise). Pre-war: no displacement.
    pub population: f64,
    /// Date of the population figure.
    pub population_date: String,
    /// Source of the population figure.
    pub population_source: String,
    /// Municipal area (km^2).
    pub area_km2: f64,
    /// Source of the area.
    pub area_source: String,
    /// Latitude, longitude of the city centre (WGS84, degrees).
    pub lat_deg: f64,
    /// Longitude.
    pub lon_deg: f64,
}

impl City {
    /// Radius (km) of the disc with the city's area.
    pub fn equivalent_radius_km(&self) -> f64 {
        (self.area_km2 / std::f64::consts::PI).sqrt()
    }
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Parse a cities CSV with the bundled header. Panics never: bad rows are skipped.
pub fn parse_cities(csv: &str) -> Vec<City> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f = split_csv_line(l);
            if f.len() < 8 {
                return None;
            }
            Some(City {
                name: f[0].clone(),
                population: f[1].trim().parse().ok()?,
                population_date: f[2].clone(),
                population_source: f[3].clone(),
                area_km2: f[4].trim().parse().ok()?,
                area_source: f[5].clone(),
                lat_deg: f[6].trim().parse().ok()?,
                lon_deg: f[7].trim().parse().ok()?,
            })
        })
        .collect()
}

/// All bundled cities (parsed once).
pub fn cities() -> &'static [City] {
    static CITIES: OnceLock<Vec<City>> = OnceLock::new();
    CITIES.get_or_init(|| parse_cities(CITIES_CSV))
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// Common alternative spellings (Russian-derived transliterations) -> table name.
const ALIASES: &[(&str, &str)] = &[
    ("kiev", "Kyiv"),
    ("kyyiv", "Kyiv"),
    ("kharkov", "Kharkiv"),
    ("odessa", "Odesa"),
    ("dnepr", "Dnipro"),
    ("dnipropetrovsk", "Dnipro"),
    ("zaporozhye", "Zaporizhzhia"),
    ("zaporizhia", "Zaporizhzhia"),
    ("lvov", "Lviv"),
    ("krivoyrog", "Kryvyi Rih"),
    ("nikolaev", "Mykolaiv"),
    ("nikolayev", "Mykolaiv"),
    ("vinnitsa", "Vinnytsia"),
    ("chernigov", "Chernihiv"),
    ("mariupol", "Mariupol"),
];

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Look a city up by name (case, spaces, hyphens and apostrophes ignored; a few common
/// alternative spellings accepted). Unknown names give an error that suggests the closest.
pub fn find_city(name: &str) -> Result<&'static City, EffectsError> {
    let key = normalize(name);
    let all = cities();
    let alias = ALIASES
        .iter()
        .find(|(a, _)| *a == key)
        .map(|(_, n)| normalize(n));
    let key2 = alias.unwrap_or(key.clone());
    if let Some(c) = all.iter().find(|c| normalize(&c.name) == key2) {
        return Ok(c);
    }
    // Suggest only a near miss (a typo), not whatever name happens to be least far away.
    let suggestion = all
        .iter()
        .map(|c| (levenshtein(&normalize(&c.name), &key), c))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, _)| *d <= 2.max(key.chars().count() / 3))
        .map(|(_, c)| format!("did you mean '{}'? ", c.name))
        .unwrap_or_default();
    Err(EffectsError::UnknownCity {
        name: name.to_string(),
        suggestion,
        known: all
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}
