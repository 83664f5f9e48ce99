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
    // Quadratic spacing: dense near the upwind tip (close to ground zero, where the
    // rings panel magnifies it), coarse far downwind.
    let n = 400;
    let b = (f.wind_from_deg + 180.0).to_radians();
    let (de, dn) = (b.sin(), b.cos());
    let mut upper = Vec::with_capacity(n + 1);
    for i in 0..=n {
        let t = i as f64 / n as f64;
        let x = x0 + (x1 - x0) * t * t;
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

/// How one ring is drawn.
#[derive(Clone, Copy)]
struct RingStyle {
    key: &'static str,
    colour: &'static str,
    /// Fill opacity (0 = outline only).
    fill: f64,
    /// SVG stroke-dasharray ("" = solid).
    dash: &'static str,
}

/// Families are told apart by hue *and* line style, so the picture also reads in grey:
/// fireball yellow (filled); overpressure reds, solid and filled; thermal oranges/browns,
/// dashed outlines; prompt radiation greens, dotted outlines.
const RING_STYLE: [RingStyle; 11] = [
    RingStyle {
        key: "fireball",
        colour: "#e6a800",
        fill: 0.55,
        dash: "",
    },
    RingStyle {
        key: "overpressure_20psi",
        colour: "#67000d",
        fill: 0.10,
        dash: "",
    },
    RingStyle {
        key: "overpressure_10psi",
        colour: "#a50f15",
        fill: 0.10,
        dash: "",
    },
    RingStyle {
        key: "overpressure_5psi",
        colour: "#d7301f",
        fill: 0.10,
        dash: "",
    },
    RingStyle {
        key: "overpressure_3psi",
        colour: "#ef6548",
        fill: 0.10,
        dash: "",
    },
    RingStyle {
        key: "overpressure_1psi",
        colour: "#fc9272",
        fill: 0.10,
        dash: "",
    },
    RingStyle {
        key: "thermal_3rd_degree",
        colour: "#7f3b08",
        fill: 0.0,
        dash: "8 4",
    },
    RingStyle {
        key: "thermal_2nd_degree",
        colour: "#b35806",
        fill: 0.0,
        dash: "8 4",
    },
    RingStyle {
        key: "thermal_1st_degree",
        colour: "#e08214",
        fill: 0.0,
        dash: "8 4",
    },
    RingStyle {
        key: "radiation_500rem",
        colour: "#006d2c",
        fill: 0.0,
        dash: "2 3",
    },
    RingStyle {
        key: "radiation_100rem",
        colour: "#41ab5d",
        fill: 0.0,
        dash: "2 3",
    },
];

/// Fill colours of the fallout contours, lowest dose (largest area) first.
const FALLOUT_FILL: [&str; 6] = [
    "#efedf5", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f", "#3f007d",
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
            "Radiation {}",
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

/// Label of a distance-bar length: "500 m", "2 km", "0.5 km" is never printed.
fn bar_label(km: f64) -> String {
    if km < 1.0 {
        format!("{} m", trim_num(km * 1000.0))
    } else {
        format!("{} km", trim_num(km))
    }
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// A map panel: `x0, y0, w, h` in px; ground point (east, north) km -> px.
struct Panel {
    x0: f64,
    y0: f64,
    w: f64,
    h: f64,
    /// px per km.
    scale: f64,
    /// Ground coordinates (km) of the panel centre.
    ce: f64,
    cn: f64,
}

impl Panel {
    fn px(&self, e: f64, n: f64) -> (f64, f64) {
        (
            self.x0 + self.w / 2.0 + (e - self.ce) * self.scale,
            self.y0 + self.h / 2.0 - (n - self.cn) * self.scale,
        )
    }

    fn frame(&self, s: &mut String, id: &str) {
        let _ = writeln!(
            s,
            r##"<clipPath id="{id}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"##,
            self.x0, self.y0, self.w, self.h
        );
        let _ = writeln!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#f7f7f7" stroke="#888"/>"##,
            self.x0, self.y0, self.w, self.h
        );
    }

    /// True when ground zero lies in the left half of the panel.
    fn gz_left(&self) -> bool {
        self.px(0.0, 0.0).0 < self.x0 + self.w / 2.0
    }

    /// Distance bar (bottom, on a white plate; on the right when ground zero is in the
    /// lower left) and north arrow (upper right).
    fn furniture(&self, s: &mut String) {
        let span = self.w / self.scale;
        let bar = nice_bar_km(span);
        let len = bar * self.scale;
        let gz_low_left = self.gz_left() && self.px(0.0, 0.0).1 > self.y0 + self.h / 2.0;
        let bx = if gz_low_left {
            self.x0 + self.w - len - 14.0 - 44.0
        } else {
            self.x0 + 14.0
        };
        let by = self.y0 + self.h - 16.0;
        let _ = writeln!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="34" fill="white" fill-opacity="0.85" stroke="#bbb"/>"##,
            bx - 8.0,
            by - 26.0,
            len + 16.0 + 44.0
        );
        let _ = writeln!(
            s,
            r##"<path d="M{bx:.1},{:.1} V{by:.1} H{:.1} V{:.1}" fill="none" stroke="black" stroke-width="2"/>"##,
            by - 5.0,
            bx + len,
            by - 5.0
        );
        let _ = writeln!(
            s,
            r##"<text x="{bx:.1}" y="{:.1}" font-size="12">0</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"##,
            by - 9.0,
            bx + len,
            by - 9.0,
            bar_label(bar)
        );
        let nx = self.x0 + self.w - 22.0;
        let ny = self.y0 + 14.0;
        let _ = writeln!(
            s,
            r##"<path d="M{nx:.1},{ny:.1} l-6,14 h12 z" fill="black"/><text x="{nx:.1}" y="{:.1}" font-size="12" text-anchor="middle" font-weight="bold">N</text>"##,
            ny + 28.0
        );
    }
}

/// Render the SVG document. `title` is printed at the top.
pub fn render(title: &str, ranges: &Ranges, fallout: Option<&FalloutDrawing>) -> String {
    render_with(title, &[], 0.0, ranges, fallout)
}

/// Render with extra lines under the title (target, casualties, wind...) for a burst at
/// `height_m` (a fireball that does not reach the ground is drawn as an outline and
/// labelled "aloft").
///
/// Layout: the effect rings around ground zero, scaled to the largest ring (fallout
/// contours, if any, are drawn under them and clipped at the frame); a legend with each
/// ring's line style and ground range; for surface bursts with fallout, a second map of
/// the whole plume at its own scale, with the 1 psi ring for reference.
pub fn render_with(
    title: &str,
    subtitle: &[String],
    height_m: f64,
    ranges: &Ranges,
    fallout: Option<&FalloutDrawing>,
) -> String {
    let width = 900.0;
    let map = 560.0;
    let vals = ring_values(ranges);
    let extent: f64 = vals.iter().flatten().fold(0.05, |a, &b| a.max(b));
    let mut polys = Vec::new();
    if let Some(f) = fallout {
        let mut levels = f.levels_rem.to_vec();
        levels.sort_by(|a, b| a.total_cmp(b));
        for (i, &l) in levels.iter().enumerate() {
            polys.push((l, i, contour_polygon_km(f, l)));
        }
    }
    let top = 48.0 + 17.0 * subtitle.len() as f64 + 8.0;
    let rings = Panel {
        x0: 20.0,
        y0: top,
        w: map,
        h: map,
        scale: (map / 2.0 - 8.0) / (extent * 1.04),
        ce: 0.0,
        cn: 0.0,
    };
    // Second panel: the whole plume.
    let plume = {
        let mut pts = polys.iter().flat_map(|(_, _, p)| p.iter().copied());
        pts.next().map(|first| {
            let r1 = ranges.overpressure_1psi.unwrap_or(0.0);
            let (mut e0, mut e1, mut n0, mut n1) = (-r1, r1, -r1, r1);
            for (e, n) in std::iter::once(first).chain(pts) {
                e0 = e0.min(e);
                e1 = e1.max(e);
                n0 = n0.min(n);
                n1 = n1.max(n);
            }
            let pad = 0.12 * (e1 - e0).max(n1 - n0).max(1e-3);
            let (bw, bh) = (e1 - e0 + 2.0 * pad, n1 - n0 + 2.0 * pad);
            let h = (map * bh / bw).clamp(200.0, map);
            Panel {
                x0: 20.0,
                y0: top + map + 46.0,
                w: map,
                h,
                scale: (map / bw).min(h / bh),
                ce: 0.5 * (e0 + e1),
                cn: 0.5 * (n0 + n1),
            }
        })
    };
    let legend_rows = 12.0
        + if polys.is_empty() {
            0.0
        } else {
            2.5 + polys.len() as f64
        };
    let bottom = match &plume {
        Some(p) => p.y0 + p.h,
        None => top + map,
    }
    .max(top + 20.0 * legend_rows);
    let height = (bottom + 40.0).ceil();

    let mut s = String::new();
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="13">"##
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="white"/>"##);
    let _ = writeln!(
        s,
        r##"<text x="20" y="32" font-size="18" font-weight="bold">{}</text>"##,
        xml(title)
    );
    for (i, line) in subtitle.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="20" y="{:.1}" font-size="13" fill="#333">{}</text>"##,
            52.0 + 17.0 * i as f64,
            xml(line)
        );
    }

    // --- Panel 1: rings -------------------------------------------------------------
    rings.frame(&mut s, "clip-rings");
    let _ = writeln!(s, r##"<g clip-path="url(#clip-rings)">"##);
    draw_polys(&mut s, &rings, &polys, true);
    let mut order: Vec<usize> = (0..vals.len()).filter(|&i| vals[i].is_some()).collect();
    // Filled rings largest first, then outlines on top; fireball last.
    order.sort_by(|&a, &b| {
        let key = |i: usize| (i == 0, RING_STYLE[i].fill == 0.0);
        key(a)
            .cmp(&key(b))
            .then(vals[b].unwrap().total_cmp(&vals[a].unwrap()))
    });
    let (cx, cy) = rings.px(0.0, 0.0);
    let fireball_aloft = ranges.fireball.is_some_and(|r| r * 1000.0 < height_m);
    let ground_rings = vals[1..].iter().flatten().count();
    for i in order {
        let st = RING_STYLE[i];
        let r = vals[i].unwrap() * rings.scale;
        let dash = if st.dash.is_empty() {
            String::new()
        } else {
            format!(r##" stroke-dasharray="{}""##, st.dash)
        };
        let aloft = i == 0 && fireball_aloft;
        let fill = if st.fill > 0.0 && !aloft {
            format!(r##"fill="{}" fill-opacity="{}""##, st.colour, st.fill)
        } else {
            r##"fill="none""##.to_string()
        };
        let _ = writeln!(
            s,
            r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.2}" {fill} stroke="{}" stroke-width="2"{dash}><title>{}: {} km</title></circle>"##,
            st.colour,
            label(st.key),
            fmt_km(vals[i].unwrap())
        );
    }
    ground_zero(&mut s, cx, cy);
    if ground_rings == 0 {
        let _ = writeln!(
            s,
            r##"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="14" fill="#333">No effect level reaches the ground (burst too high).</text>"##,
            cy + 40.0
        );
    }
    let _ = writeln!(s, "</g>");
    rings.furniture(&mut s);
    if let Some(f) = fallout {
        wind_arrow(&mut s, &rings, f.wind_from_deg);
    }

    // --- Legend ---------------------------------------------------------------------
    let lx = rings.x0 + map + 24.0;
    let right = width - 16.0;
    let mut ly = top + 14.0;
    let _ = writeln!(
        s,
        r##"<text x="{lx}" y="{ly:.1}" font-weight="bold">Rings around ground zero</text><text x="{right}" y="{ly:.1}" font-weight="bold" text-anchor="end">km</text>"##
    );
    for (i, v) in vals.iter().enumerate() {
        ly += 22.0;
        let st = RING_STYLE[i];
        let sample = if st.fill > 0.0 {
            format!(
                r##"<rect x="{lx}" y="{:.1}" width="26" height="12" fill="{c}" fill-opacity="{}" stroke="{c}" stroke-width="2"/>"##,
                ly - 10.0,
                (st.fill * 2.5).min(1.0),
                c = st.colour
            )
        } else {
            format!(
                r##"<line x1="{lx}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="2.5" stroke-dasharray="{}"/>"##,
                ly - 4.0,
                lx + 26.0,
                ly - 4.0,
                st.colour,
                st.dash
            )
        };
        let value = match v {
            Some(r) => format!(
                r##"<text x="{right}" y="{ly:.1}" text-anchor="end">{}</text>"##,
                fmt_km(*r)
            ),
            None => format!(
                r##"<text x="{right}" y="{ly:.1}" text-anchor="end" fill="#777" font-style="italic">not reached</text>"##
            ),
        };
        let _ = writeln!(
            s,
            r##"{sample}<text x="{:.1}" y="{ly:.1}">{}</text>{value}"##,
            lx + 34.0,
            xml(&if i == 0 && fireball_aloft {
                "Fireball (max radius, aloft)".to_string()
            } else {
                label(st.key)
            })
        );
    }
    ly += 24.0;
    let _ = writeln!(
        s,
        r##"<text x="{lx}" y="{ly:.1}" font-size="11" fill="#555">Solid: blast. Dashed: heat. Dotted: prompt</text><text x="{lx}" y="{:.1}" font-size="11" fill="#555">radiation (ground range from the burst point).</text>"##,
        ly + 14.0
    );
    ly += 14.0;
    if !polys.is_empty() {
        ly += 34.0;
        let _ = writeln!(
            s,
            r##"<text x="{lx}" y="{ly:.1}" font-weight="bold">Fallout, 7-day dose</text><text x="{right}" y="{ly:.1}" font-weight="bold" text-anchor="end">area km²</text>"##
        );
        for (l, i, p) in polys.iter().rev() {
            ly += 22.0;
            let area = fallout.map_or(0.0, |f| f.model.contour_area_km2(*l, f.t_end_h));
            let (txt, val) = if p.is_empty() {
                (format!("≥ {} rem", trim_num(*l)), "not reached".to_string())
            } else {
                (format!("≥ {} rem", trim_num(*l)), format!("{area:.0}"))
            };
            let _ = writeln!(
                s,
                r##"<rect x="{lx}" y="{:.1}" width="26" height="12" fill="{}" stroke="#333" stroke-width="0.6"/><text x="{:.1}" y="{ly:.1}">{}</text><text x="{right}" y="{ly:.1}" text-anchor="end">{}</text>"##,
                ly - 10.0,
                FALLOUT_FILL[(*i).min(FALLOUT_FILL.len() - 1)],
                lx + 34.0,
                xml(&txt),
                val
            );
        }
        ly += 24.0;
        let _ = writeln!(
            s,
            r##"<text x="{lx}" y="{ly:.1}" font-size="11" fill="#555">Unshielded, outdoors, from fallout arrival</text><text x="{lx}" y="{:.1}" font-size="11" fill="#555">to 7 days (WSEG-10). Shelter divides it.</text>"##,
            ly + 14.0
        );
    }

    // --- Panel 2: the whole plume ---------------------------------------------------
    if let Some(p) = &plume {
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{:.1}" font-weight="bold">Whole fallout plume (different scale; red circle = 1 psi ring)</text>"##,
            p.x0,
            p.y0 - 10.0
        );
        p.frame(&mut s, "clip-plume");
        let _ = writeln!(s, r##"<g clip-path="url(#clip-plume)">"##);
        draw_polys(&mut s, p, &polys, false);
        let (gx, gy) = p.px(0.0, 0.0);
        if let Some(r1) = ranges.overpressure_1psi {
            let _ = writeln!(
                s,
                r##"<circle cx="{gx:.1}" cy="{gy:.1}" r="{:.2}" fill="none" stroke="{}" stroke-width="1.5"/>"##,
                (r1 * p.scale).max(1.5),
                RING_STYLE[5].colour
            );
        }
        ground_zero(&mut s, gx, gy);
        let _ = writeln!(s, "</g>");
        p.furniture(&mut s);
        if let Some(f) = fallout {
            wind_arrow(&mut s, p, f.wind_from_deg);
        }
    }
    let _ = writeln!(
        s,
        r##"<text x="20" y="{:.1}" font-size="11" fill="#555">brink effects: model estimates for education and assessment, not predictions (see docs/effects.md). Sea level, flat ground, clear air.</text>"##,
        bottom + 24.0
    );
    s.push_str("</svg>\n");
    s
}

/// A dose contour: level (rem), colour index, polygon (east, north km).
type Contour = (f64, usize, Vec<(f64, f64)>);

/// Fallout contour polygons, lowest dose (largest) first.
fn draw_polys(s: &mut String, p: &Panel, polys: &[Contour], thin: bool) {
    for (l, i, pts) in polys {
        if pts.is_empty() {
            continue;
        }
        let pts: Vec<String> = pts
            .iter()
            .map(|&(e, n)| {
                let (x, y) = p.px(e, n);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = writeln!(
            s,
            r##"<polygon points="{}" fill="{}" fill-opacity="{}" stroke="#3f007d" stroke-width="{}"><title>{} rem 7-day dose</title></polygon>"##,
            pts.join(" "),
            FALLOUT_FILL[(*i).min(FALLOUT_FILL.len() - 1)],
            if thin { 0.6 } else { 0.8 }, // fill opacity: rings stay visible
            if thin { 0.6 } else { 0.8 }, // stroke width
            trim_num(*l)
        );
    }
}

fn ground_zero(s: &mut String, x: f64, y: f64) {
    let _ = writeln!(
        s,
        r##"<path d="M{:.1},{y:.1} h12 M{x:.1},{:.1} v12" stroke="black" stroke-width="1.5"/><title>ground zero</title>"##,
        x - 6.0,
        y - 6.0
    );
}

/// Wind arrow in the upper-left corner of a panel: points where the wind blows to.
fn wind_arrow(s: &mut String, p: &Panel, from_deg: f64) {
    let b = (from_deg + 180.0).to_radians();
    let (dx, dy) = (b.sin(), -b.cos());
    // Upper left, or upper right (under the north arrow) if ground zero is on the left.
    let cx = if p.gz_left() && p.h < p.w {
        p.x0 + p.w - 90.0
    } else {
        p.x0 + 40.0
    };
    let cy = p.y0 + 40.0;
    let (x0, y0) = (cx - 18.0 * dx, cy - 18.0 * dy);
    let (x1, y1) = (cx + 18.0 * dx, cy + 18.0 * dy);
    // Arrow head.
    let (hx, hy) = (-dy, dx);
    let _ = writeln!(
        s,
        r##"<rect x="{:.1}" y="{:.1}" width="72" height="68" fill="white" fill-opacity="0.85" stroke="#bbb"/><line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="#3f007d" stroke-width="2.5"/><path d="M{:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} z" fill="#3f007d"/><text x="{cx:.1}" y="{:.1}" font-size="11" text-anchor="middle">wind</text>"##,
        cx - 32.0,
        cy - 30.0,
        x1 + 4.0 * dx,
        y1 + 4.0 * dy,
        x1 - 8.0 * dx + 6.0 * hx,
        y1 - 8.0 * dy + 6.0 * hy,
        x1 - 8.0 * dx - 6.0 * hx,
        y1 - 8.0 * dy - 6.0 * hy,
        cy + 34.0
    );
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
