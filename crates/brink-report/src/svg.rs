//! Hand-written SVG charts: every chart is a `<figure>` with a visible heading, an `<svg>` with
//! a `viewBox` (it scales to the page) and an accessible `<title>`, and a `<figcaption>`.
//! Coordinates are finite by construction (non-finite inputs are dropped before drawing).

use std::fmt::Write;

/// Width and height of the drawing (user units; the SVG scales to the page width).
const W: f64 = 720.0;

/// Colours that read on white and in grey scale, one per series.
pub const PALETTE: [&str; 8] = [
    "#c0392b", "#1f5fa8", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b8860b",
];

/// Escapes text for HTML and SVG.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// A coordinate with one decimal; never NaN (callers drop non-finite data first).
fn c(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 { "0".into() } else { format!("{r}") }
}

/// Compact numbers for ticks and labels: 1.2M, 45k, 512, 0.25.
pub fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        trim(format!("{:.2}", x / 1e6)) + "M"
    } else if a >= 1e4 {
        trim(format!("{:.1}", x / 1e3)) + "k"
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a == 0.0 {
        "0".into()
    } else if a >= 1.0 {
        trim(format!("{x:.2}"))
    } else {
        trim(format!("{x:.3}"))
    }
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// About `n` round tick values covering [lo, hi].
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![if lo.is_finite() { lo } else { 0.0 }];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).ceil() * step;
    let mut v = Vec::new();
    let mut t = start;
    while t <= hi + step * 1e-9 && v.len() < 50 {
        v.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    v
}

/// A linear map from data to pixels.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    p0: f64,
    p1: f64,
}

impl Scale {
    fn new(d0: f64, d1: f64, p0: f64, p1: f64) -> Scale {
        let (d0, d1) = if d1 > d0 {
            (d0, d1)
        } else {
            (d0 - 1.0, d0 + 1.0)
        };
        Scale { d0, d1, p0, p1 }
    }
    fn at(&self, x: f64) -> f64 {
        self.p0 + (x - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }
}

/// Opens a figure: heading, svg with viewBox and title.
fn open(id: &str, title: &str, h: f64) -> String {
    format!(
        "<figure class=\"chart\" id=\"{id}\">\n<h3>{t}</h3>\n<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-t\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"{id}-t\">{t}</title>\n<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n",
        t = esc(title),
        w = c(W),
        h = c(h)
    )
}

fn close(caption: &str) -> String {
    format!(
        "</svg>\n<figcaption>{}</figcaption>\n</figure>\n",
        esc(caption)
    )
}

/// A note in place of a chart whose data is missing or empty.
pub fn note(id: &str, title: &str, text: &str) -> String {
    format!(
        "<figure class=\"chart missing\" id=\"{id}\">\n<h3>{}</h3>\n<p class=\"note\">{}</p>\n</figure>\n",
        esc(title),
        esc(text)
    )
}

fn text(s: &mut String, x: f64, y: f64, anchor: &str, class: &str, t: &str) {
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"{class}\">{}</text>",
        c(x),
        c(y),
        esc(t)
    );
}

fn line(s: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, style: &str) {
    let _ = writeln!(
        s,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {style}/>",
        c(x1),
        c(y1),
        c(x2),
        c(y2)
    );
}

fn rect(s: &mut String, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
    let _ = writeln!(
        s,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}/>",
        c(x),
        c(y),
        c(w.max(0.0)),
        c(h.max(0.0))
    );
}

/// Vertical grid lines and labels of a horizontal value axis.
fn x_axis(s: &mut String, sc: Scale, top: f64, bottom: f64, ticks_: &[f64], pct: bool) {
    for t in ticks_ {
        let x = sc.at(*t);
        line(s, x, top, x, bottom, "class=\"grid\"");
        let label = if pct {
            format!("{}%", fmt_num(100.0 * t))
        } else {
            fmt_num(*t)
        };
        text(s, x, bottom + 16.0, "middle", "tick", &label);
    }
}

/// Horizontal grid lines and labels of a vertical value axis.
fn y_axis(s: &mut String, sc: Scale, left: f64, right: f64, ticks_: &[f64], pct: bool) {
    for t in ticks_ {
        let y = sc.at(*t);
        line(s, left, y, right, y, "class=\"grid\"");
        let label = if pct {
            format!("{}%", fmt_num(100.0 * t))
        } else {
            fmt_num(*t)
        };
        text(s, left - 6.0, y + 4.0, "end", "tick", &label);
    }
}

/// One bar of a probability chart: label, estimate and 95% interval.
pub struct Bar {
    pub label: String,
    pub p: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Horizontal bars of probabilities with 95% error bars, on a 0-100% axis.
pub fn prob_bars(id: &str, title: &str, caption: &str, bars: &[Bar]) -> String {
    let bars: Vec<&Bar> = bars
        .iter()
        .filter(|b| b.p.is_finite() && b.lo.is_finite() && b.hi.is_finite())
        .collect();
    if bars.is_empty() {
        return note(id, title, "No probabilities to show.");
    }
    let row = 26.0;
    let (left, right, top) = (230.0, W - 70.0, 12.0);
    let h = top + row * bars.len() as f64 + 30.0;
    let bottom = top + row * bars.len() as f64;
    let max = bars.iter().map(|b| b.hi).fold(0.0f64, f64::max);
    let max = if max > 0.5 {
        1.0
    } else {
        ((max * 10.0).ceil() / 10.0).max(0.1)
    };
    let sc = Scale::new(0.0, max, left, right);
    let mut s = open(id, title, h);
    x_axis(&mut s, sc, top, bottom, &ticks(0.0, max, 5), true);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        text(&mut s, left - 8.0, y + row * 0.62, "end", "label", &b.label);
        rect(
            &mut s,
            left,
            y + 5.0,
            sc.at(b.p) - left,
            row - 10.0,
            PALETTE[1],
            " class=\"bar\"",
        );
        let (x0, x1) = (sc.at(b.lo), sc.at(b.hi));
        let ym = y + row / 2.0;
        line(&mut s, x0, ym, x1, ym, "class=\"err\"");
        line(&mut s, x0, ym - 5.0, x0, ym + 5.0, "class=\"err\"");
        line(&mut s, x1, ym - 5.0, x1, ym + 5.0, "class=\"err\"");
        text(
            &mut s,
            right + 6.0,
            y + row * 0.62,
            "start",
            "value",
            &format!("{:.1}%", 100.0 * b.p),
        );
    }
    line(&mut s, left, top, left, bottom, "class=\"axis\"");
    s + &close(caption)
}

/// One band series of a fan chart: per week (week, p05, p25, p50, p75, p95).
pub struct Fan {
    pub label: String,
    pub points: Vec<(f64, [f64; 5])>,
}

/// Fan chart: 5-95% and 25-75% bands and the median line, one colour per series.
pub fn fan_chart(
    id: &str,
    title: &str,
    caption: &str,
    x_label: &str,
    y_label: &str,
    fans: &[Fan],
) -> String {
    let fans: Vec<Fan> = fans
        .iter()
        .map(|f| Fan {
            label: f.label.clone(),
            points: f
                .points
                .iter()
                .filter(|(x, q)| x.is_finite() && q.iter().all(|v| v.is_finite()))
                .cloned()
                .collect(),
        })
        .filter(|f| f.points.len() >= 2)
        .collect();
    if fans.is_empty() {
        return note(id, title, "No data for this variable in the weekly table.");
    }
    let (left, right, top, bottom) = (70.0, W - 20.0, 30.0, 290.0);
    let h = bottom + 45.0;
    let all = || fans.iter().flat_map(|f| f.points.iter());
    let x0 = all().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x1 = all().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let y0 = all().map(|p| p.1[0]).fold(f64::INFINITY, f64::min).min(0.0);
    let mut y1 = all().map(|p| p.1[4]).fold(f64::NEG_INFINITY, f64::max);
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let yt = ticks(y0, y1 * 1.05, 5);
    let y1 = yt.last().copied().unwrap_or(y1).max(y1);
    let sx = Scale::new(x0, x1, left, right);
    let sy = Scale::new(y0, y1, bottom, top);
    let mut s = open(id, title, h);
    y_axis(&mut s, sy, left, right, &yt, false);
    time_axis(&mut s, sx, (x0, x1), (left, right), (top, bottom), x_label);
    text(&mut s, left, top - 12.0, "start", "axis-label", y_label);
    let band = |pts: &[(f64, [f64; 5])], lo: usize, hi: usize| -> String {
        let mut d = String::new();
        for (i, (x, q)) in pts.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{} ",
                if i == 0 { "M" } else { "L" },
                c(sx.at(*x)),
                c(sy.at(q[hi]))
            );
        }
        for (x, q) in pts.iter().rev() {
            let _ = write!(d, "L{},{} ", c(sx.at(*x)), c(sy.at(q[lo])));
        }
        d.push('Z');
        d
    };
    for (k, f) in fans.iter().enumerate() {
        let col = PALETTE[k % PALETTE.len()];
        let _ = writeln!(
            s,
            "<path d=\"{}\" fill=\"{col}\" fill-opacity=\"0.15\" class=\"band90\"/>",
            band(&f.points, 0, 4)
        );
        let _ = writeln!(
            s,
            "<path d=\"{}\" fill=\"{col}\" fill-opacity=\"0.3\" class=\"band50\"/>",
            band(&f.points, 1, 3)
        );
        let mut d = String::new();
        for (i, (x, q)) in f.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{} ",
                if i == 0 { "M" } else { "L" },
                c(sx.at(*x)),
                c(sy.at(q[2]))
            );
        }
        let _ = writeln!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{col}\" stroke-width=\"2\" class=\"median\"/>",
            d.trim_end()
        );
        // Legend.
        let lx = right - 150.0 * (fans.len() - k) as f64;
        rect(&mut s, lx, 8.0, 14.0, 10.0, col, " fill-opacity=\"0.5\"");
        text(&mut s, lx + 18.0, 17.0, "start", "legend", &f.label);
    }
    s + &close(caption)
}

/// One line of a line chart.
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// Lines on a shared axis (survival curves, one-parameter sweeps). `y_range` fixes the y axis
/// (e.g. 0-1 for probabilities); `pct` labels it in percent.
#[allow(clippy::too_many_arguments)]
pub fn line_chart(
    id: &str,
    title: &str,
    caption: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    y_range: Option<(f64, f64)>,
    pct: bool,
) -> String {
    let series: Vec<&Series> = series
        .iter()
        .filter(|s| {
            s.points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .count()
                >= 2
        })
        .collect();
    if series.is_empty() {
        return note(id, title, "No data to draw.");
    }
    let legend_rows = series.len().div_ceil(3);
    let top = 20.0 + 16.0 * legend_rows as f64;
    let (left, right, bottom) = (70.0, W - 20.0, top + 250.0);
    let h = bottom + 45.0;
    let pts = || {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|(x, y)| x.is_finite() && y.is_finite())
    };
    let x0 = pts().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x1 = pts().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = y_range.unwrap_or_else(|| {
        let lo = pts().map(|p| p.1).fold(f64::INFINITY, f64::min).min(0.0);
        let hi = pts().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        (lo, if hi > lo { hi * 1.05 } else { lo + 1.0 })
    });
    let sx = Scale::new(x0, x1, left, right);
    let sy = Scale::new(y0, y1, bottom, top);
    let mut s = open(id, title, h);
    y_axis(&mut s, sy, left, right, &ticks(y0, y1, 5), pct);
    time_axis(&mut s, sx, (x0, x1), (left, right), (top, bottom), x_label);
    text(&mut s, 8.0, top - 6.0, "start", "axis-label", y_label);
    for (k, se) in series.iter().enumerate() {
        let col = PALETTE[k % PALETTE.len()];
        let mut d = String::new();
        for (i, (x, y)) in se
            .points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .enumerate()
        {
            let _ = write!(
                d,
                "{}{},{} ",
                if i == 0 { "M" } else { "L" },
                c(sx.at(*x)),
                c(sy.at(*y))
            );
        }
        let dash = if k >= PALETTE.len() {
            " stroke-dasharray=\"6 3\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<path d=\"{}\" fill=\"none\" stroke=\"{col}\" stroke-width=\"2\"{dash} class=\"series\"/>",
            d.trim_end()
        );
        let lx = 10.0 + 236.0 * (k % 3) as f64;
        let ly = 6.0 + 16.0 * (k / 3) as f64;
        rect(&mut s, lx, ly, 14.0, 4.0, col, "");
        text(&mut s, lx + 18.0, ly + 6.0, "start", "legend", &se.label);
    }
    s + &close(caption)
}

/// One parameter of a tornado chart: the outcome at the parameter's low and high values.
pub struct TornadoBar {
    pub label: String,
    pub at_low: f64,
    pub at_high: f64,
}

/// Tornado chart (one-at-a-time sensitivity): bars from the base value to the outcome at each
/// parameter's low and high ends, widest first.
pub fn tornado(id: &str, title: &str, caption: &str, base: f64, bars: &[TornadoBar]) -> String {
    let mut bars: Vec<&TornadoBar> = bars
        .iter()
        .filter(|b| b.at_low.is_finite() && b.at_high.is_finite())
        .collect();
    if bars.is_empty() || !base.is_finite() {
        return note(id, title, "No parameters to show.");
    }
    bars.sort_by(|a, b| {
        (b.at_high - b.at_low)
            .abs()
            .total_cmp(&(a.at_high - a.at_low).abs())
            .then(a.label.cmp(&b.label))
    });
    let row = 26.0;
    let (left, right, top) = (260.0, W - 20.0, 30.0);
    let bottom = top + row * bars.len() as f64;
    let h = bottom + 30.0;
    let lo = bars
        .iter()
        .map(|b| b.at_low.min(b.at_high))
        .fold(base, f64::min);
    let hi = bars
        .iter()
        .map(|b| b.at_low.max(b.at_high))
        .fold(base, f64::max);
    let pad = ((hi - lo) * 0.05).max(1e-12);
    let sc = Scale::new(lo - pad, hi + pad, left, right);
    let mut s = open(id, title, h);
    x_axis(
        &mut s,
        sc,
        top,
        bottom,
        &ticks(lo - pad, hi + pad, 5),
        false,
    );
    rect(&mut s, left, 8.0, 14.0, 10.0, PALETTE[1], "");
    text(
        &mut s,
        left + 18.0,
        17.0,
        "start",
        "legend",
        "parameter at its low end",
    );
    rect(&mut s, left + 220.0, 8.0, 14.0, 10.0, PALETTE[0], "");
    text(
        &mut s,
        left + 238.0,
        17.0,
        "start",
        "legend",
        "parameter at its high end",
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        text(&mut s, left - 8.0, y + row * 0.62, "end", "label", &b.label);
        for (v, col) in [(b.at_low, PALETTE[1]), (b.at_high, PALETTE[0])] {
            let (a, z) = (sc.at(base.min(v)), sc.at(base.max(v)));
            rect(
                &mut s,
                a,
                y + 5.0,
                (z - a).max(1.0),
                row - 10.0,
                col,
                " class=\"bar\"",
            );
        }
    }
    let xb = sc.at(base);
    line(&mut s, xb, top - 4.0, xb, bottom, "class=\"base\"");
    s + &close(caption)
}

/// One parameter of a grouped index chart (Sobol S1/ST, Morris mu*/sigma).
pub struct IndexBar {
    pub label: String,
    /// (value, optional 95% interval) per index, in the order of the chart's `names`.
    pub values: Vec<(f64, Option<(f64, f64)>)>,
}

/// Grouped horizontal bars, one group per parameter and one bar per index name.
pub fn index_bars(
    id: &str,
    title: &str,
    caption: &str,
    names: &[&str],
    bars: &[IndexBar],
) -> String {
    let bars: Vec<&IndexBar> = bars
        .iter()
        .filter(|b| b.values.len() == names.len() && b.values.iter().all(|v| v.0.is_finite()))
        .collect();
    if bars.is_empty() {
        return note(id, title, "No parameters to show.");
    }
    let k = names.len() as f64;
    let row = 12.0 * k + 12.0;
    let (left, right, top) = (260.0, W - 20.0, 30.0);
    let bottom = top + row * bars.len() as f64;
    let h = bottom + 30.0;
    let vals = || {
        bars.iter()
            .flat_map(|b| b.values.iter())
            .flat_map(|(v, ci)| {
                let (a, z) = ci
                    .filter(|(a, z)| a.is_finite() && z.is_finite())
                    .unwrap_or((*v, *v));
                [*v, a, z]
            })
    };
    let lo = vals().fold(0.0f64, f64::min);
    let hi = vals().fold(0.0f64, f64::max).max(lo + 1e-9);
    let sc = Scale::new(lo, hi * 1.05, left, right);
    let mut s = open(id, title, h);
    x_axis(&mut s, sc, top, bottom, &ticks(lo, hi * 1.05, 5), false);
    for (j, n) in names.iter().enumerate() {
        let lx = left + 120.0 * j as f64;
        rect(&mut s, lx, 8.0, 14.0, 10.0, PALETTE[j % PALETTE.len()], "");
        text(&mut s, lx + 18.0, 17.0, "start", "legend", n);
    }
    let zero = sc.at(0.0);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        text(&mut s, left - 8.0, y + row * 0.55, "end", "label", &b.label);
        for (j, (v, ci)) in b.values.iter().enumerate() {
            let yb = y + 6.0 + 12.0 * j as f64;
            let (a, z) = (zero.min(sc.at(*v)), zero.max(sc.at(*v)));
            rect(
                &mut s,
                a,
                yb,
                z - a,
                10.0,
                PALETTE[j % PALETTE.len()],
                " class=\"bar\"",
            );
            if let Some((l, u)) = ci.filter(|(a, z)| a.is_finite() && z.is_finite()) {
                line(
                    &mut s,
                    sc.at(l),
                    yb + 5.0,
                    sc.at(u),
                    yb + 5.0,
                    "class=\"err\"",
                );
            }
        }
    }
    line(&mut s, zero, top, zero, bottom, "class=\"axis\"");
    s + &close(caption)
}

/// Heat map of a two-parameter sweep: a full grid as cells, scattered points (Latin
/// hypercube) as dots, coloured by value, with a colour scale.
pub fn heat_map(
    id: &str,
    title: &str,
    caption: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, f64, f64)],
) -> String {
    let pts: Vec<(f64, f64, f64)> = points
        .iter()
        .filter(|(x, y, v)| x.is_finite() && y.is_finite() && v.is_finite())
        .copied()
        .collect();
    if pts.is_empty() {
        return note(id, title, "No finite values in sweep.csv for this outcome.");
    }
    let uniq = |f: fn(&(f64, f64, f64)) -> f64| {
        let mut v: Vec<f64> = pts.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    let xs = uniq(|p| p.0);
    let ys = uniq(|p| p.1);
    let grid = xs.len() * ys.len() == pts.len();
    let (left, right, top, bottom) = (90.0, W - 110.0, 20.0, 320.0);
    let h = bottom + 50.0;
    let vmin = pts.iter().map(|p| p.2).fold(f64::INFINITY, f64::min);
    let vmax = pts.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
    let colour = |v: f64| -> String {
        let t = if vmax > vmin {
            (v - vmin) / (vmax - vmin)
        } else {
            0.5
        };
        // From pale yellow to dark red.
        let (r, g, b) = (255.0 - 90.0 * t, 245.0 - 215.0 * t, 200.0 - 170.0 * t);
        format!("rgb({},{},{})", r.round(), g.round(), b.round())
    };
    let mut s = open(id, title, h);
    if grid {
        let (cw, ch) = (
            (right - left) / xs.len() as f64,
            (bottom - top) / ys.len() as f64,
        );
        for (x, y, v) in &pts {
            let i = xs.iter().position(|a| a == x).unwrap_or(0) as f64;
            let j = ys.iter().position(|a| a == y).unwrap_or(0) as f64;
            let _ = writeln!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" class=\"cell\"><title>{}: {}, {}: {}: {}</title></rect>",
                c(left + cw * i),
                c(bottom - ch * (j + 1.0)),
                c(cw),
                c(ch),
                colour(*v),
                esc(x_label),
                fmt_num(*x),
                esc(y_label),
                fmt_num(*y),
                fmt_num(*v)
            );
        }
        let step = xs.len().div_ceil(8).max(1);
        for (i, x) in xs.iter().enumerate().step_by(step) {
            text(
                &mut s,
                left + cw * (i as f64 + 0.5),
                bottom + 16.0,
                "middle",
                "tick",
                &fmt_num(*x),
            );
        }
        let step = ys.len().div_ceil(8).max(1);
        for (j, y) in ys.iter().enumerate().step_by(step) {
            text(
                &mut s,
                left - 6.0,
                bottom - ch * (j as f64 + 0.5) + 4.0,
                "end",
                "tick",
                &fmt_num(*y),
            );
        }
    } else {
        let sx = Scale::new(xs[0], xs[xs.len() - 1], left + 6.0, right - 6.0);
        let sy = Scale::new(ys[0], ys[ys.len() - 1], bottom - 6.0, top + 6.0);
        for (x, y, v) in &pts {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\" class=\"cell\"/>",
                c(sx.at(*x)),
                c(sy.at(*y)),
                colour(*v)
            );
        }
        for t in ticks(xs[0], xs[xs.len() - 1], 6) {
            text(
                &mut s,
                sx.at(t),
                bottom + 16.0,
                "middle",
                "tick",
                &fmt_num(t),
            );
        }
        for t in ticks(ys[0], ys[ys.len() - 1], 6) {
            text(
                &mut s,
                left - 6.0,
                sy.at(t) + 4.0,
                "end",
                "tick",
                &fmt_num(t),
            );
        }
    }
    text(
        &mut s,
        (left + right) / 2.0,
        bottom + 38.0,
        "middle",
        "axis-label",
        x_label,
    );
    text(&mut s, 8.0, top - 6.0, "start", "axis-label", y_label);
    // Colour scale.
    for k in 0..20 {
        let t = k as f64 / 19.0;
        rect(
            &mut s,
            right + 30.0,
            bottom - (k + 1) as f64 * (bottom - top) / 20.0,
            18.0,
            (bottom - top) / 20.0 + 0.5,
            &colour(vmin + t * (vmax - vmin)),
            "",
        );
    }
    text(
        &mut s,
        right + 52.0,
        bottom,
        "start",
        "tick",
        &fmt_num(vmin),
    );
    text(
        &mut s,
        right + 52.0,
        top + 8.0,
        "start",
        "tick",
        &fmt_num(vmax),
    );
    s + &close(caption)
}

/// The x axis of a line chart over time: ticks along the bottom, both axis lines, the label.
fn time_axis(
    s: &mut String,
    sx: Scale,
    (x0, x1): (f64, f64),
    (left, right): (f64, f64),
    (top, bottom): (f64, f64),
    x_label: &str,
) {
    for t in ticks(x0, x1, 8) {
        text(s, sx.at(t), bottom + 16.0, "middle", "tick", &fmt_num(t));
    }
    line(s, left, bottom, right, bottom, "class=\"axis\"");
    line(s, left, top, left, bottom, "class=\"axis\"");
    text(
        s,
        (left + right) / 2.0,
        bottom + 36.0,
        "middle",
        "axis-label",
        x_label,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every number in the SVG's coordinates is finite, and the figure has its title twice
    /// (heading and accessible `<title>`) and a caption.
    fn well_formed(svg: &str, title: &str) {
        assert!(svg.contains(&format!("<h3>{}</h3>", esc(title))), "heading");
        assert!(svg.contains(&format!("\">{}</title>", esc(title))), "title");
        assert!(svg.contains("<figcaption>"), "caption");
        assert!(svg.contains("viewBox=\"0 0 720 "), "viewBox");
        for bad in ["NaN", "inf", "undefined"] {
            assert!(!svg.contains(bad), "{bad} in {svg}");
        }
        assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
    }

    #[test]
    fn probability_bars_have_bars_error_bars_and_no_nan() {
        let bars = [
            Bar {
                label: "a <b>".into(),
                p: 0.3,
                lo: 0.25,
                hi: 0.35,
            },
            Bar {
                label: "nan dropped".into(),
                p: f64::NAN,
                lo: 0.0,
                hi: 1.0,
            },
            Bar {
                label: "c".into(),
                p: 0.0,
                lo: 0.0,
                hi: 0.01,
            },
        ];
        let s = prob_bars("o", "Outcomes", "cap", &bars);
        well_formed(&s, "Outcomes");
        assert_eq!(s.matches("class=\"bar\"").count(), 2);
        assert_eq!(s.matches("class=\"err\"").count(), 6);
        assert!(s.contains("a &lt;b&gt;") && !s.contains("nan dropped"));
    }

    #[test]
    fn fan_chart_draws_both_bands_and_the_median_per_series() {
        let pts: Vec<(f64, [f64; 5])> = (0..10)
            .map(|w| {
                (
                    w as f64,
                    [1.0, 2.0, 3.0 + w as f64, 4.0 + w as f64, 9.0 + w as f64],
                )
            })
            .collect();
        let fans = [
            Fan {
                label: "RU".into(),
                points: pts.clone(),
            },
            Fan {
                label: "UA".into(),
                points: pts,
            },
        ];
        let s = fan_chart("f", "Forces at the front", "cap", "week", "people", &fans);
        well_formed(&s, "Forces at the front");
        assert_eq!(s.matches("class=\"band90\"").count(), 2);
        assert_eq!(s.matches("class=\"band50\"").count(), 2);
        assert_eq!(s.matches("class=\"median\"").count(), 2);
    }

    #[test]
    fn charts_without_data_become_notes_not_blank_charts() {
        let s = fan_chart(
            "f",
            "Support",
            "cap",
            "week",
            "share",
            &[Fan {
                label: "RU".into(),
                points: vec![],
            }],
        );
        assert!(s.contains("class=\"note\"") && !s.contains("<svg"));
        assert!(line_chart("l", "t", "c", "x", "y", &[], None, false).contains("class=\"note\""));
        assert!(tornado("t", "t", "c", 0.5, &[]).contains("class=\"note\""));
        assert!(
            heat_map("h", "t", "c", "x", "y", &[(1.0, f64::NAN, 2.0)]).contains("class=\"note\"")
        );
        assert!(prob_bars("p", "t", "c", &[]).contains("class=\"note\""));
    }

    #[test]
    fn tornado_sorts_by_swing_and_marks_the_base() {
        let bars = [
            TornadoBar {
                label: "small".into(),
                at_low: 0.49,
                at_high: 0.51,
            },
            TornadoBar {
                label: "big".into(),
                at_low: 0.2,
                at_high: 0.9,
            },
        ];
        let s = tornado("t", "Tornado", "cap", 0.5, &bars);
        well_formed(&s, "Tornado");
        assert!(s.find(">big<").unwrap() < s.find(">small<").unwrap());
        assert!(s.contains("class=\"base\""));
    }

    #[test]
    fn heat_map_uses_cells_for_a_grid_and_dots_otherwise() {
        let grid: Vec<(f64, f64, f64)> = (0..3)
            .flat_map(|i| (0..4).map(move |j| (i as f64, j as f64 * 10.0, (i * j) as f64)))
            .collect();
        let s = heat_map("h", "Heat", "cap", "a", "b", &grid);
        well_formed(&s, "Heat");
        assert_eq!(s.matches("<rect x=").count() - 1 - 20, 12); // background, scale, cells
        let scattered = [(0.1, 5.0, 1.0), (0.7, 2.0, 3.0), (0.4, 9.0, 2.0)];
        let s = heat_map("h", "Heat", "cap", "a", "b", &scattered);
        assert_eq!(s.matches("<circle").count(), 3);
    }

    #[test]
    fn index_bars_and_lines_are_well_formed() {
        let bars = [IndexBar {
            label: "p".into(),
            values: vec![(0.3, Some((0.2, 0.4))), (0.5, None)],
        }];
        let s = index_bars("s", "Sobol", "cap", &["S1", "ST"], &bars);
        well_formed(&s, "Sobol");
        assert_eq!(s.matches("class=\"bar\"").count(), 2);
        let l = line_chart(
            "l",
            "Survival",
            "cap",
            "week",
            "share",
            &[Series {
                label: "x".into(),
                points: vec![(0.0, 1.0), (1.0, 0.5)],
            }],
            Some((0.0, 1.0)),
            true,
        );
        well_formed(&l, "Survival");
        assert!(l.contains("class=\"series\""));
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(
            ticks(0.0, 250_000.0, 5),
            vec![0.0, 50_000.0, 100_000.0, 150_000.0, 200_000.0, 250_000.0]
        );
        assert_eq!(fmt_num(123_456.0), "123.5k");
        assert_eq!(fmt_num(0.25), "0.25");
    }
}
