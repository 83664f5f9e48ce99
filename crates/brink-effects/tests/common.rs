//! Shared helpers: read tests/data/reference_ranges.csv.
#![allow(dead_code)]

pub struct Row {
    pub model: String,
    pub effect: String,
    pub yield_kt: f64,
    pub hob_m: Option<f64>,
    pub level: String,
    pub range_km: Option<f64>,
    pub note: String,
}

fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    for c in line.chars() {
        match c {
            '"' => q = !q,
            ',' if !q => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

pub fn rows() -> Vec<Row> {
    let text = include_str!("data/reference_ranges.csv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f = split(l);
            Row {
                model: f[0].clone(),
                effect: f[1].clone(),
                yield_kt: f[2].parse().unwrap(),
                hob_m: f[3].parse().ok(),
                level: f[4].clone(),
                range_km: f[6].parse().ok(),
                note: f[7].clone(),
            }
        })
        .collect()
}

pub fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}
