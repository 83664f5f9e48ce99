//! Rings drawn to scale as SVG text: one circle per effect, a legend, a distance bar, and
//! for surface bursts the WSEG-10 dose contours. Pure: returns a `String`.

use crate::effects::Ranges;
use crate::fallout::Wseg10;
use std::fmt::Write as _;

/// Fallout contours to draw: the model, the dose window, wind direction and levels.
pub struct FalloutDrawing<'a> {
    /// WSEG-10 model of the burst.
    pub model: &'a Wseg10,
    /// Wind blows from (degrees clockwise from north).
    pub wind_from_deg: f64,
    /// Dose window end (h after burst).
    pub t_end_h: f64,
    /// Contour levels (rem), any order.
    pub levels_rem: &'a [f64],
}

/// Polygon (east, north km) of a dose contour.
pub fn contour_polygon_km(f: &FalloutDrawing, level: f64) -> Vec<(f64, f64)> {
    let (x0, x1) = f.model.axis_extent_km(level, f.t_end_h);
    if x1 <= x0 {
        return Vec::new();
    }
    let n = 200;
    let b = (f.wind_from_deg + 180.0).to_radians();
    let (de, dn) = (b.sin(), b.cos());
    let mut upper = Vec::with_capacity(n + 1);
    for i in 0..=n {
        let x = x0 + (x1 - x0) * i as f64 / n as f64;
        let (d, w) = f.model.axis_dose_and_width_km(x, f.t_end_h);
        let y = if d > level {
            w * (2.0 * (d / level).ln()).sqrt()
        } else {
            0.0
        };
        upper.push((x, y));
    }
    let mut pts: Vec<(f64, f64)> = upper.iter().map(|&(x, y)| (x, y)).collect();
    pts.extend(upper.iter().rev().map(|&(x, y)| (x, -y)));
    // wind frame (downwind x, crosswind y to the left) -> east/north
    pts.into_iter()
        .map(|(x, y)| (x * de - y * dn, x * dn + y * de))
        .collect()
}

const RING_STYLE: [(&str, &str); 11] = [
    ("fireball", "#ffcc00"),
    ("overpressure_20psi", "#7f0000"),
    ("overpressure_10psi", "#b30000"),
    ("overpressure_5psi", "#e34a33"),
    ("overpressure_3psi", "#fc8d59"),
    ("overpressure_1psi", "#fdbb84"),
    ("thermal_3rd_degree", "#d95f0e"),
    ("thermal_2nd_degree", "#fe9929"),
    ("thermal_1st_degree", "#fec44f"),
    ("radiation_500rem", "#31a354"),
    ("radiation_100rem", "#a1d99b"),
];

fn ring_values(r: &Ranges) -> [Option<f64>; 11] {
    [
        r.fireball,
        r.overpressure_20psi,
        r.overpressure_10psi,
        r.overpressure_5psi,
        r.overpressure_3psi,
        r.overpressure_1psi,
        r.thermal_3rd_degree,
        r.thermal_2nd_degree,
        r.thermal_1st_degree,
        r.radiation_500rem,
        r.radiation_100rem,
    ]
}

fn label(key: &str) -> String {
    match key {
        "fireball" => "Fireball (max radius)".into(),
        k if k.starts_with("overpressure_") => format!(
            "{} overpressure",
            k.trim_start_matches("overpressure_").replace("psi", " psi")
        ),
        k if k.starts_with("thermal_") => format!(
            "{} burns (50%)",
            k.trim_start_matches("thermal_")
                .replace("_degree", "-degree")
        ),
        k if k.starts_with("radiation_") => format!(
            "Prompt radiation {}",
            k.trim_start_matches("radiation_").replace("rem", " rem")
        ),
        k => k.into(),
    }
}

/// A "nice" bar length (1, 2, 5 x 10^k km) near a quarter of `span_km`.
fn nice_bar_km(span_km: f64) -> f64 {
    let target = span_km / 4.0;
    let p = 10f64.powf(target.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .filter(|v| *v <= target)
        .fold(p, f64::max)
}

/// Render the SVG document. `title` is printed at the top.
pub fn render(title: &str, ranges: &Ranges, fallout: Option<&FalloutDrawing>) -> String {
    let size = 800.0;
    let map = 560.0; // map square
    let cx = map / 2.0 + 20.0;
    let cy = map / 2.0 + 60.0;
    let vals = ring_values(ranges);
    let mut extent: f64 = vals.iter().flatten().fold(0.1, |a, &b| a.max(b));
    let mut polys = Vec::new();
    if let Some(f) = fallout {
        let mut levels = f.levels_rem.to_vec();
        levels.sort_by(|a, b| a.total_cmp(b));
        for (i, &l) in levels.iter().enumerate() {
            let p = contour_polygon_km(f, l);
            for &(e, n) in &p {
                extent = extent.max(e.abs()).max(n.abs());
            }
            polys.push((l, i, p));
        }
    }
    let scale = (map / 2.0 - 10.0) / (extent * 1.05); // px per km
    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{h}" viewBox="0 0 {size} {h}" font-family="sans-serif" font-size="13">"##,
        h = size
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="white"/>"##);
    let _ = writeln!(
        s,
        r##"<text x="20" y="30" font-size="17" font-weight="bold">{}</text>"##,
        xml(title)
    );
    let _ = writeln!(
        s,
        r##"<rect x="20" y="60" width="{map}" height="{map}" fill="#f7f7f7" stroke="#999"/>"##
    );
    // fallout under the rings, lowest dose (largest) first
    let greys = [
        "#d9d9f3", "#b3b3e6", "#8c8cd9", "#6666cc", "#4040bf", "#26268c",
    ];
    for (l, i, p) in &polys {
        if p.is_empty() {
            continue;
        }
        let pts: Vec<String> = p
            .iter()
            .map(|&(e, n)| format!("{:.1},{:.1}", cx + e * scale, cy - n * scale))
            .collect();
        let _ = writeln!(
            s,
            r##"<polygon points="{}" fill="{}" fill-opacity="0.6" stroke="#333" stroke-width="0.5"><title>{l} rem 7-day dose</title></polygon>"##,
            pts.join(" "),
            greys[(*i).min(greys.len() - 1)]
        );
    }
    // rings, largest first so smaller ones stay visible
    let mut order: Vec<usize> = (0..vals.len()).filter(|&i| vals[i].is_some()).collect();
    order.sort_by(|&a, &b| vals[b].unwrap().total_cmp(&vals[a].unwrap()));
    for i in order {
        let r = vals[i].unwrap() * scale;
        let (key, col) = RING_STYLE[i];
        let dash = if key.starts_with("thermal") {
            r##" stroke-dasharray="6 3""##
        } else if key.starts_with("radiation") {
            r##" stroke-dasharray="2 2""##
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.2}" fill="{col}" fill-opacity="0.12" stroke="{col}" stroke-width="2"{dash}><title>{}: {:.2} km</title></circle>"##,
            label(key),
            vals[i].unwrap()
        );
    }
    let _ = writeln!(
        s,
        r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="2" fill="black"/>"##
    );
    // north arrow
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="80" text-anchor="middle">N ↑</text>"##,
        20.0 + map - 20.0
    );
    // distance bar
    let bar = nice_bar_km(2.0 * extent * 1.05);
    let bx = 30.0;
    let by = 60.0 + map - 20.0;
    let _ = writeln!(
        s,
        r##"<line x1="{bx}" y1="{by}" x2="{:.1}" y2="{by}" stroke="black" stroke-width="3"/>"##,
        bx + bar * scale
    );
    let _ = writeln!(
        s,
        r##"<text x="{bx}" y="{:.1}">{} km</text>"##,
        by - 6.0,
        fmt_km(bar)
    );
    // legend
    let lx = map + 40.0;
    let mut ly = 80.0;
    let _ = writeln!(
        s,
        r##"<text x="{lx}" y="{ly}" font-weight="bold">Ground range</text>"##
    );
    for (i, v) in vals.iter().enumerate() {
        ly += 20.0;
        let (key, col) = RING_STYLE[i];
        let txt = match v {
            Some(r) => format!("{} {} km", label(key), fmt_km(*r)),
            None => format!("{} — not on ground", label(key)),
        };
        let _ = writeln!(
            s,
            r##"<rect x="{lx}" y="{:.1}" width="12" height="12" fill="{col}"/><text x="{:.1}" y="{ly:.1}" font-size="11">{}</text>"##,
            ly - 10.0,
            lx + 16.0,
            xml(&txt)
        );
    }
    if !polys.is_empty() {
        ly += 30.0;
        let _ = writeln!(
            s,
            r##"<text x="{lx}" y="{ly}" font-weight="bold">Fallout, 7-day dose</text>"##
        );
        for (l, i, p) in &polys {
            ly += 20.0;
            let t = if p.is_empty() {
                format!("{l} rem — not reached")
            } else {
                format!("≥ {l} rem (unshielded)")
            };
            let _ = writeln!(
                s,
                r##"<rect x="{lx}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{ly:.1}" font-size="11">{}</text>"##,
                ly - 10.0,
                greys[(*i).min(greys.len() - 1)],
                lx + 16.0,
                xml(&t)
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<text x="20" y="{:.1}" font-size="11" fill="#555">brink effects — model estimates for education and assessment; see docs/model/effects.md</text>"##,
        60.0 + map + 30.0
    );
    s.push_str("</svg>\n");
    s
}

fn fmt_km(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.1}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
