//! Rendering fits as text, JSON, a TOML scenario fragment and an SVG plot (all pure: strings).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::data::{BattleData, DataWarning};
use crate::estimate::{Fit, Interval, PARAM_NAMES};

/// What the reader needs to know about the record besides the fits.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// File name as the user gave it.
    pub file: &'a str,
    /// Side ids (e.g. `RU`, `UA`).
    pub side_a: &'a str,
    pub side_b: &'a str,
    /// `day` or `week`: what one unit of `time` is.
    pub time_unit: &'a str,
    /// The command line that produced the fits (for the TOML comment).
    pub command: &'a str,
}

/// Number of data time units in a week.
pub fn units_per_week(time_unit: &str) -> f64 {
    if time_unit == "week" { 1.0 } else { 7.0 }
}

fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// Rounds to `digits` significant digits and prints the shortest form that reads back the same
/// (always a valid TOML/JSON float, e.g. `0.3778`, `1.0`, `2.5e-7`).
pub fn short(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "nan".into();
    }
    let r: f64 = format!("{:.*e}", digits.saturating_sub(1), x)
        .parse()
        .unwrap_or(x);
    if r != 0.0 && (r.abs() >= 1e7 || r.abs() < 1e-4) {
        // Scientific notation, trimmed: `3.839e7`, `1.4553e-5`.
        let e = format!("{:.*e}", digits.saturating_sub(1), r);
        let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        format!("{mant}e{exp}")
    } else {
        format!("{r:?}")
    }
}

fn what(fit: &Fit, ctx: &Context, i: usize) -> String {
    match i {
        0 => format!("{} against {}", ctx.side_b, ctx.side_a),
        1 => format!("{} against {}", ctx.side_a, ctx.side_b),
        2 => "exponent on the opponent's strength".into(),
        _ => {
            let _ = fit;
            "exponent on own strength".into()
        }
    }
}

/// One fit as a JSON object.
pub fn fit_json(fit: &Fit, ctx: &Context, data_warnings: &[DataWarning]) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("law".into(), json!(fit.law_kind.name()));
    m.insert("method".into(), json!(fit.method.name()));
    for (i, name) in PARAM_NAMES.iter().enumerate() {
        m.insert((*name).into(), num(fit.estimate[i]));
    }
    for (i, name) in PARAM_NAMES.iter().enumerate() {
        m.insert(
            format!("stderr_{name}"),
            fit.stderr[i].map(num).unwrap_or(Value::Null),
        );
    }
    for (i, name) in PARAM_NAMES.iter().enumerate() {
        m.insert(
            format!("ci95_{name}"),
            fit.ci95[i]
                .map(|(lo, hi)| json!([num(lo), num(hi)]))
                .unwrap_or(Value::Null),
        );
    }
    match fit.interval {
        Interval::Wald => {
            m.insert("ci95_method".into(), json!("wald"));
        }
        Interval::Bootstrap { resamples, used } => {
            m.insert("ci95_method".into(), json!("bootstrap"));
            m.insert("bootstrap_resamples".into(), json!(resamples));
            m.insert("bootstrap_converged".into(), json!(used));
        }
    }
    m.insert("sse".into(), num(fit.sse));
    m.insert("r2".into(), num(fit.r2));
    m.insert("aic".into(), num(fit.aic));
    m.insert("bic".into(), num(fit.bic));
    m.insert("n_obs".into(), json!(fit.n_obs));
    m.insert("n_params".into(), json!(fit.n_params));
    m.insert("time_unit".into(), json!(ctx.time_unit));
    m.insert("side_a".into(), json!(ctx.side_a));
    m.insert("side_b".into(), json!(ctx.side_b));
    let mut w: Vec<String> = data_warnings.iter().map(|d| d.to_string()).collect();
    w.extend(fit.warnings.iter().cloned());
    m.insert("warnings".into(), json!(w));
    Value::Object(m)
}

/// The fits as JSON: one object for one law, an array for several.
pub fn json(fits: &[Fit], ctx: &Context, data_warnings: &[DataWarning]) -> String {
    let v = if fits.len() == 1 {
        fit_json(&fits[0], ctx, data_warnings)
    } else {
        Value::Array(
            fits.iter()
                .map(|f| fit_json(f, ctx, data_warnings))
                .collect(),
        )
    };
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

/// The fits as readable text.
pub fn text(
    fits: &[Fit],
    ctx: &Context,
    data: &BattleData,
    data_warnings: &[DataWarning],
    skipped: &[String],
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "brink fit {}: {} rows, step {} {}; A = {} ({} observed strengths), B = {} ({} observed strengths)",
        ctx.file,
        data.time.len(),
        data.dt(),
        ctx.time_unit,
        ctx.side_a,
        data.observed_count(0),
        ctx.side_b,
        data.observed_count(1)
    );
    if !data_warnings.is_empty() {
        let _ = writeln!(s, "data warnings:");
        for w in data_warnings {
            let _ = writeln!(s, "  {w}");
        }
    }
    for fit in fits {
        let _ = writeln!(
            s,
            "\n{} law, method {} (dA/dt = -attrition_of_a * B^p * A^q, per {})",
            fit.law_kind.name(),
            fit.method.name(),
            ctx.time_unit
        );
        for (i, name) in PARAM_NAMES.iter().enumerate() {
            let fixed = i >= 2 && fit.law_kind.fixed().is_some();
            let value = short(fit.estimate[i], 5);
            if fixed {
                let _ = writeln!(s, "  {:<15} {:>12}  (fixed by the law)", name, value);
                continue;
            }
            let se = fit.stderr[i]
                .map(|x| short(x, 3))
                .unwrap_or_else(|| "-".into());
            let ci = fit.ci95[i]
                .map(|(lo, hi)| format!("{} .. {}", short(lo, 4), short(hi, 4)))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                s,
                "  {:<15} {:>12}  se {:<10} 95% {:<24} ({})",
                name,
                value,
                se,
                ci,
                what(fit, ctx, i)
            );
        }
        let interval = match fit.interval {
            Interval::Wald => "intervals: estimate +- 1.96 se".to_string(),
            Interval::Bootstrap { resamples, used } => {
                format!("intervals: bootstrap percentiles ({used} of {resamples} refits)")
            }
        };
        let _ = writeln!(
            s,
            "  SSE {}  R2 {}  AIC {}  BIC {}  ({} observed strengths, {} parameters; {interval})",
            short(fit.sse, 4),
            short(fit.r2, 4),
            short(fit.aic, 5),
            short(fit.bic, 5),
            fit.n_obs,
            fit.n_params
        );
        for w in &fit.warnings {
            let _ = writeln!(s, "  warning: {w}");
        }
    }
    for note in skipped {
        let _ = writeln!(s, "\n{note}");
    }
    if fits.len() > 1 {
        let best = fits.iter().map(|f| f.aic).fold(f64::INFINITY, f64::min);
        let _ = writeln!(
            s,
            "\ncomparison (same data, same method; lower AIC/BIC is better):"
        );
        let _ = writeln!(
            s,
            "  {:<12} {:>12} {:>8} {:>10} {:>10} {:>8}",
            "law", "SSE", "R2", "AIC", "BIC", "dAIC"
        );
        for f in fits {
            let _ = writeln!(
                s,
                "  {:<12} {:>12} {:>8} {:>10} {:>10} {:>8}",
                f.law_kind.name(),
                short(f.sse, 4),
                short(f.r2, 3),
                short(f.aic, 5),
                short(f.bic, 5),
                short(f.aic - best, 3)
            );
        }
    }
    s
}

/// The scenario fragment the engine's combat section accepts (coefficients per week).
pub fn toml_fragment(fit: &Fit, ctx: &Context) -> String {
    let scale = units_per_week(ctx.time_unit);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# source: {} (SSE {}, R2 {})",
        ctx.command,
        short(fit.sse, 4),
        short(fit.r2, 4)
    );
    let _ = writeln!(
        s,
        "# law {}, method {}; coefficients converted from per {} to per week (x{})",
        fit.law_kind.name(),
        fit.method.name(),
        ctx.time_unit,
        scale
    );
    let _ = writeln!(s, "[combat]");
    let _ = writeln!(
        s,
        "exponent_opponent = {}   # p of the fitted law",
        short(fit.law.exponent_opponent, 6)
    );
    let _ = writeln!(s, "exponent_own = {}   # q", short(fit.law.exponent_own, 6));
    let _ = writeln!(s);
    let _ = writeln!(s, "[combat.attrition_per_week]");
    let _ = writeln!(
        s,
        "{} = {}   # {}'s effectiveness against {}, per week",
        ctx.side_a,
        short(fit.coef.attrition_of_a * scale, 6),
        ctx.side_b,
        ctx.side_a
    );
    let _ = writeln!(
        s,
        "{} = {}   # {}'s effectiveness against {}, per week",
        ctx.side_b,
        short(fit.coef.attrition_of_b * scale, 6),
        ctx.side_a,
        ctx.side_b
    );
    s
}

/// A "nice" tick step for a range.
fn tick_step(range: f64, target: f64) -> f64 {
    let raw = (range / target).max(1e-12);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Observed (dots) against fitted (lines) strengths of both sides over time.
pub fn svg(fit: &Fit, ctx: &Context, data: &BattleData) -> String {
    let (w, h) = (860.0, 500.0);
    let (left, right, top, bottom) = (80.0, 170.0, 50.0, 60.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let t0 = data.time[0];
    let t1 = *data.time.last().unwrap_or(&1.0);
    let mut ymax: f64 = 0.0;
    for side in 0..2 {
        for v in data.strength[side].iter().flatten() {
            ymax = ymax.max(*v);
        }
    }
    for s in &fit.fitted {
        ymax = ymax.max(s.a).max(s.b);
    }
    let ystep = tick_step(ymax.max(1.0), 6.0);
    let ymax = (ymax / ystep).ceil().max(1.0) * ystep;
    let xspan = (t1 - t0).max(1e-12);
    let x = |t: f64| left + (t - t0) / xspan * pw;
    let y = |v: f64| top + ph - v / ymax * ph;
    let colours = ["#1f5fa8", "#c0392b"];
    let names = [ctx.side_a, ctx.side_b];

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="28" font-size="15">{}: {} law ({}), observed vs fitted</text>"#,
        escape(ctx.file),
        fit.law_kind.name(),
        fit.method.name()
    );
    // Axes and grid.
    let mut v = 0.0;
    while v <= ymax + ystep * 0.01 {
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            yy + 4.0,
            short(v, 6).trim_end_matches(".0")
        );
        v += ystep;
    }
    let xstep = tick_step(xspan, 8.0);
    let mut t = (t0 / xstep).ceil() * xstep;
    while t <= t1 + xstep * 0.01 {
        let xx = x(t);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="#333"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            top + ph,
            top + ph + 5.0,
            top + ph + 20.0,
            short(t, 6).trim_end_matches(".0")
        );
        t += xstep;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">time ({})</text>"#,
        left + pw / 2.0,
        h - 15.0,
        escape(ctx.time_unit)
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(20,{:.1}) rotate(-90)" text-anchor="middle">strength</text>"#,
        top + ph / 2.0
    );
    // Fitted lines and observed dots.
    for side in 0..2 {
        let pts: Vec<String> = fit
            .fitted
            .iter()
            .zip(&data.time)
            .map(|(st, &tt)| {
                let v = if side == 0 { st.a } else { st.b };
                format!("{:.1},{:.1}", x(tt), y(v))
            })
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"#,
            colours[side],
            pts.join(" ")
        );
        for (v, &tt) in data.strength[side].iter().zip(&data.time) {
            if let Some(v) = v {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/>"#,
                    x(tt),
                    y(*v),
                    colours[side]
                );
            }
        }
        let ly = top + 20.0 + side as f64 * 40.0;
        let lx = left + pw + 15.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{} fitted</text>"#,
            lx + 25.0,
            colours[side],
            lx + 32.0,
            ly + 4.0,
            escape(names[side])
        );
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/><text x="{:.1}" y="{:.1}">{} observed</text>"#,
            lx + 12.0,
            ly + 18.0,
            colours[side],
            lx + 32.0,
            ly + 22.0,
            escape(names[side])
        );
    }
    let _ = writeln!(s, "</svg>");
    s
}
