//! brink-report: one self-contained HTML file from a study directory (`brink report DIR`).
//! Readers (`read`) turn the study's files into values, `svg` draws charts as inline SVG,
//! [`render`] assembles the page. Only `cli` touches the file system for writing.
//! The page loads nothing: no scripts, no style sheets, no fonts, no images from elsewhere.

#![forbid(unsafe_code)]

pub mod cli;
pub mod read;
pub mod svg;

pub use read::ReportError;

use read::{Paths, Sensitivity, Sweep, Weekly};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use svg::{Bar, Fan, IndexBar, Series, TornadoBar, esc, fmt_num};

/// Everything the report shows, read from a study directory.
pub struct Study {
    pub summary: Value,
    pub study: Option<Value>,
    pub weekly: Option<Weekly>,
    pub survival: Option<BTreeMap<String, Vec<(u32, f64)>>>,
    pub paths: Option<Paths>,
    pub parameters: Option<(String, Vec<read::ParamRow>)>,
    pub sensitivity: Option<Sensitivity>,
    pub sweep: Option<Sweep>,
}

/// Reads every file the report uses from `dir`.
pub fn load(dir: &Path) -> Result<Study, ReportError> {
    Ok(Study {
        summary: read::summary(dir)?,
        study: read::study(dir)?,
        weekly: read::weekly(dir)?,
        survival: read::survival(dir)?,
        paths: read::paths(dir, 15)?,
        parameters: read::parameters(dir)?,
        sensitivity: read::sensitivity(dir)?,
        sweep: read::sweep(dir)?,
    })
}

/// Fan charts: (variable, title, unit).
const FANS: [(&str, &str, &str); 5] = [
    ("at_front", "Forces at the front", "people"),
    ("casualties_total", "Casualties (cumulative)", "people"),
    ("territory_km2", "Territory held", "km²"),
    ("support", "Domestic support for the leader", "share 0-1"),
    ("emigrated", "Emigration (cumulative)", "people"),
];

/// Events whose survival curves are shown first when present.
const KEY_EVENTS: [&str; 6] = [
    "nuclear_use",
    "general_mobilization",
    "annexation",
    "leader_removed",
    "negotiated_settlement",
    "nato_conventional_response",
];

const CSS: &str = "
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;margin:0;background:#f6f6f4;color:#1d1d1f;line-height:1.45}
main{max-width:960px;margin:0 auto;padding:1.5rem 1.25rem 3rem;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1rem;margin:0 0 .3rem}
figure.chart{margin:1.2rem 0;padding:.6rem .6rem .4rem;border:1px solid #e3e3e0;border-radius:6px}
figure.chart svg{width:100%;height:auto;display:block}
figcaption{font-size:.85rem;color:#555;margin-top:.3rem}
p.note{background:#fff8e1;border-left:4px solid #e0a800;padding:.5rem .7rem;margin:.3rem 0}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #eee;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:#f3f3f1;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.9rem}dl.meta dt{color:#555}dl.meta dd{margin:0;word-break:break-all}
text{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;fill:#222}
text.tick{font-size:11px;fill:#555}text.label{font-size:12px}text.value{font-size:11px}text.legend{font-size:12px}text.axis-label{font-size:12px;fill:#444}
line.grid{stroke:#e6e6e6;stroke-width:1}line.axis{stroke:#888;stroke-width:1}line.err{stroke:#222;stroke-width:1.5}line.base{stroke:#222;stroke-width:1.5;stroke-dasharray:4 3}
details summary{cursor:pointer;font-weight:600}
";

fn num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

/// The whole page. Deterministic: the same study gives the same bytes (no dates or times).
pub fn render(s: &Study) -> String {
    let sum = &s.summary;
    let name = sum["scenario"].as_str().unwrap_or("brink study");
    let mut h = String::with_capacity(1 << 18);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} - brink report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(name)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(name));
    let _ = writeln!(
        h,
        "<p>{} runs of {} weeks from {}, seed {}. Intervals are 95%; bands show the 5-95% and 25-75% ranges across runs, the line the median.</p>",
        sum["runs"],
        sum["weeks"],
        esc(sum["start_date"].as_str().unwrap_or("?")),
        sum["seed"]
    );
    if sum["interrupted"].as_bool() == Some(true) {
        let _ = writeln!(
            h,
            "<p class=\"note\">This study was interrupted: {} of {} requested runs finished.</p>",
            sum["runs"], sum["requested_runs"]
        );
    }

    h.push_str("<h2>Outcomes</h2>\n");
    h.push_str(&outcomes(sum));
    h.push_str(&events(sum));

    h.push_str("<h2>Over time</h2>\n");
    h.push_str(&fans(s.weekly.as_ref()));

    h.push_str("<h2>When key events happen</h2>\n");
    h.push_str(&survival(s.survival.as_ref()));

    h.push_str("<h2>Escalation paths</h2>\n");
    h.push_str(&paths(s.paths.as_ref()));

    if s.sensitivity.is_some() || s.sweep.is_some() {
        h.push_str("<h2>Sensitivity and sweeps</h2>\n");
        if let Some(x) = &s.sensitivity {
            h.push_str(&sensitivity(x));
        }
        if let Some(x) = &s.sweep {
            h.push_str(&sweep(x));
        }
    }

    h.push_str("<h2>Reproduce this study</h2>\n");
    h.push_str(&reproduce(sum, s.study.as_ref()));

    h.push_str("<h2>Scenario parameters and their sources</h2>\n");
    h.push_str(&parameters(s.parameters.as_ref()));

    h.push_str("<p class=\"foot\">Made by <code>brink report</code>. The page is self-contained: it loads nothing from the network.</p>\n</main>\n</body>\n</html>\n");
    h
}

fn outcomes(sum: &Value) -> String {
    let title = "Outcome probabilities at the horizon";
    let Some(o) = sum["outcomes"].as_object().filter(|o| !o.is_empty()) else {
        return svg::note(
            "outcomes",
            title,
            "summary.json has no outcomes: the scenario has no decision layer ([politics] section), so runs have no terminal outcome.",
        );
    };
    let bars: Vec<Bar> = o
        .iter()
        .filter_map(|(k, v)| {
            Some(Bar {
                label: k.replace('_', " "),
                p: num(&v["p"])?,
                lo: num(&v["ci95_lo"])?,
                hi: num(&v["ci95_hi"])?,
            })
        })
        .collect();
    svg::prob_bars(
        "outcomes",
        title,
        "Share of runs ending in each exclusive outcome, with 95% Wilson intervals (summary.json).",
        &bars,
    )
}

fn events(sum: &Value) -> String {
    let title = "Probability of key events";
    let Some(e) = sum["events"].as_object().filter(|o| !o.is_empty()) else {
        return svg::note(
            "events",
            title,
            "summary.json has no events (no decision layer).",
        );
    };
    let mut v: Vec<(&String, &Value)> = e
        .iter()
        .filter(|(_, x)| num(&x["p"]).is_some_and(|p| p > 0.0))
        .collect();
    v.sort_by(|a, b| {
        num(&b.1["p"])
            .unwrap_or(0.0)
            .total_cmp(&num(&a.1["p"]).unwrap_or(0.0))
            .then(a.0.cmp(b.0))
    });
    v.truncate(14);
    let bars: Vec<Bar> = v
        .iter()
        .filter_map(|(k, x)| {
            Some(Bar {
                label: k.replace('_', " "),
                p: num(&x["p"])?,
                lo: num(&x["ci95_lo"])?,
                hi: num(&x["ci95_hi"])?,
            })
        })
        .collect();
    if bars.is_empty() {
        return svg::note("events", title, "No event happened in any run.");
    }
    svg::prob_bars(
        "events",
        title,
        "Share of runs in which each event happened at least once (the most frequent, up to 14), with 95% Wilson intervals.",
        &bars,
    )
}

fn fans(weekly: Option<&Weekly>) -> String {
    let mut out = String::new();
    let Some(w) = weekly else {
        for (var, title, _) in FANS {
            out.push_str(&svg::note(
                &format!("fan-{var}"),
                title,
                "weekly.csv and weekly.parquet are missing: was the study written with --out?",
            ));
        }
        return out;
    };
    for (var, title, unit) in FANS {
        let fans: Vec<Fan> = w
            .sides
            .iter()
            .filter_map(|side| {
                let rows = w.series.get(&(side.clone(), var.to_string()))?;
                let points: Vec<(f64, [f64; 5])> = rows
                    .iter()
                    .filter_map(|(wk, q)| {
                        Some((f64::from(*wk), [q[0]?, q[1]?, q[2]?, q[3]?, q[4]?]))
                    })
                    .collect();
                (points.len() >= 2).then(|| Fan {
                    label: side.clone(),
                    points,
                })
            })
            .collect();
        let id = format!("fan-{var}");
        if fans.is_empty() {
            out.push_str(&svg::note(
                &id,
                title,
                &format!(
                    "{} has no values of `{var}` (the scenario does not model it).",
                    w.source
                ),
            ));
            continue;
        }
        let start = w
            .dates
            .get(&0)
            .map(|d| format!(" Week 0 is {d}."))
            .unwrap_or_default();
        out.push_str(&svg::fan_chart(
            &id,
            title,
            &format!("{title} ({unit}) by week, per side: 5-95% band, 25-75% band and median across runs ({}, `{var}`).{start}", w.source),
            "week",
            unit,
            &fans,
        ));
    }
    out
}

fn survival(surv: Option<&BTreeMap<String, Vec<(u32, f64)>>>) -> String {
    let title = "Survival of key events";
    let Some(sv) = surv else {
        return svg::note(
            "survival",
            title,
            "survival.csv is missing: the scenario has no decision layer, or the study predates it.",
        );
    };
    let final_s = |id: &str| sv.get(id).and_then(|v| v.last()).map_or(1.0, |x| x.1);
    let mut ids: Vec<&str> = KEY_EVENTS
        .iter()
        .copied()
        .filter(|id| sv.contains_key(*id) && final_s(id) < 1.0)
        .collect();
    let mut rest: Vec<&str> = sv
        .keys()
        .map(String::as_str)
        .filter(|id| !ids.contains(id) && final_s(id) < 1.0 && final_s(id) > 0.0)
        .collect();
    rest.sort_by(|a, b| final_s(a).total_cmp(&final_s(b)).then(a.cmp(b)));
    ids.extend(rest);
    ids.truncate(8);
    if ids.is_empty() {
        return svg::note(
            "survival",
            title,
            "No event happened in any run, so every survival curve stays at 100%.",
        );
    }
    let series: Vec<Series> = ids
        .iter()
        .map(|id| Series {
            label: id.replace('_', " "),
            points: sv[*id].iter().map(|(w, s)| (f64::from(*w), *s)).collect(),
        })
        .collect();
    svg::line_chart(
        "survival",
        title,
        "Share of runs in which the event has not yet happened by the end of each week (Kaplan-Meier; survival.csv).",
        "week",
        "share of runs without the event",
        &series,
        Some((0.0, 1.0)),
        true,
    )
}

fn paths(p: Option<&Paths>) -> String {
    let Some(p) = p.filter(|p| !p.top.is_empty()) else {
        return "<p class=\"note\">No escalation paths: events_aggregate.json is missing or empty (the scenario has no decision layer).</p>\n".into();
    };
    let mut s = format!(
        "<p>The most frequent sequences of events (first occurrences after week 0, then the outcome) among {} runs, as <code>brink paths DIR</code> lists them.</p>\n<table id=\"paths\">\n<thead><tr><th>share</th><th>runs</th><th>path</th></tr></thead>\n<tbody>\n",
        p.runs
    );
    for (path, k) in &p.top {
        let _ = writeln!(
            s,
            "<tr><td class=\"num\">{:.1}%</td><td class=\"num\">{k}</td><td>{}</td></tr>",
            100.0 * *k as f64 / p.runs.max(1) as f64,
            esc(path)
        );
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

fn sensitivity(x: &Sensitivity) -> String {
    let n = match (x.n, x.n_evaluations) {
        (Some(n), Some(e)) => format!(" n = {n}, {e} model evaluations."),
        (_, Some(e)) => format!(" {e} model evaluations."),
        _ => String::new(),
    };
    let label = |p: &read::SensParam| match (p.low, p.high) {
        (Some(l), Some(h)) => format!("{} [{}-{}]", p.path, fmt_num(l), fmt_num(h)),
        _ => p.path.clone(),
    };
    match x.method.as_str() {
        "oat" => {
            let bars: Vec<TornadoBar> = x
                .params
                .iter()
                .map(|p| TornadoBar {
                    label: label(p),
                    at_low: p.values["value_at_low"],
                    at_high: p.values["value_at_high"],
                })
                .collect();
            svg::tornado(
                "sensitivity",
                &format!("Tornado: what moves {}", x.outcome),
                &format!(
                    "One-at-a-time sensitivity of {} (sensitivity.json): each bar spans the outcome with the parameter at its low and its high end, the others at their base values; the dashed line is the base value.{n}",
                    x.outcome
                ),
                x.base_value.unwrap_or(0.0),
                &bars,
            )
        }
        "morris" => {
            let mut ps: Vec<&read::SensParam> = x.params.iter().collect();
            ps.sort_by(|a, b| {
                b.values["mu_star"]
                    .total_cmp(&a.values["mu_star"])
                    .then(a.path.cmp(&b.path))
            });
            let bars: Vec<IndexBar> = ps
                .iter()
                .map(|p| IndexBar {
                    label: label(p),
                    values: vec![(p.values["mu_star"], None), (p.values["sigma"], None)],
                })
                .collect();
            svg::index_bars(
                "sensitivity",
                &format!("Morris screening of {}", x.outcome),
                &format!(
                    "Morris elementary effects (sensitivity.json): mu* (mean absolute effect) ranks influence; sigma (their spread) signals interactions or non-linearity.{n}"
                ),
                &["mu*", "sigma"],
                &bars,
            )
        }
        _ => {
            let mut ps: Vec<&read::SensParam> = x.params.iter().collect();
            ps.sort_by(|a, b| {
                b.values["ST"]
                    .total_cmp(&a.values["ST"])
                    .then(a.path.cmp(&b.path))
            });
            let bars: Vec<IndexBar> = ps
                .iter()
                .map(|p| IndexBar {
                    label: label(p),
                    values: vec![
                        (p.values["S1"], p.intervals.get("S1_ci95").copied()),
                        (p.values["ST"], p.intervals.get("ST_ci95").copied()),
                    ],
                })
                .collect();
            svg::index_bars(
                "sensitivity",
                &format!("Sobol indices of {}", x.outcome),
                &format!(
                    "Sobol first-order (S1) and total (ST) indices with bootstrap 95% intervals (sensitivity.json): S1 is the share of the outcome's variance due to the parameter alone, ST including its interactions.{n}"
                ),
                &["S1", "ST"],
                &bars,
            )
        }
    }
}

fn sweep(x: &Sweep) -> String {
    let mut out = String::new();
    let np = x.parameters.len();
    for (k, outcome) in x.outcomes.iter().enumerate().take(4) {
        let id = format!("sweep-{k}");
        if np == 2 {
            let pts: Vec<(f64, f64, f64)> = x
                .rows
                .iter()
                .filter_map(|r| Some((r[0]?, r[1]?, r[2 + k]?)))
                .collect();
            out.push_str(&svg::heat_map(
                &id,
                &format!("Sweep: {outcome}"),
                &format!(
                    "{outcome} over the grid of {} and {} (sweep.csv); hover a cell for its value.",
                    x.parameters[0], x.parameters[1]
                ),
                &x.parameters[0],
                &x.parameters[1],
                &pts,
            ));
        } else {
            let mut pts: Vec<(f64, f64)> = x
                .rows
                .iter()
                .filter_map(|r| Some((r[0]?, r[1 + k]?)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            out.push_str(&svg::line_chart(
                &id,
                &format!("Sweep: {outcome}"),
                &format!("{outcome} as {} varies (sweep.csv).", x.parameters[0]),
                &x.parameters[0],
                outcome,
                &[Series {
                    label: outcome.clone(),
                    points: pts,
                }],
                None,
                false,
            ));
        }
    }
    if x.outcomes.len() > 4 {
        let _ = writeln!(
            out,
            "<p class=\"note\">sweep.csv has {} outcome columns; the first 4 are drawn.</p>",
            x.outcomes.len()
        );
    }
    out
}

fn reproduce(sum: &Value, study: Option<&Value>) -> String {
    let runs = study
        .and_then(|s| s["runs_total"].as_u64())
        .or_else(|| sum["runs"].as_u64())
        .unwrap_or(0);
    let mut s = String::from("<dl class=\"meta\">\n");
    for (k, v) in [
        (
            "brink version",
            sum["brink_version"].as_str().unwrap_or("?").to_string(),
        ),
        (
            "scenario hash",
            sum["scenario_hash"].as_str().unwrap_or("?").to_string(),
        ),
        ("seed", sum["seed"].to_string()),
        ("runs", runs.to_string()),
        ("weeks", sum["weeks"].to_string()),
        (
            "start date",
            sum["start_date"].as_str().unwrap_or("?").to_string(),
        ),
    ] {
        let _ = writeln!(s, "<dt>{k}</dt><dd><code>{}</code></dd>", esc(&v));
    }
    s.push_str("</dl>\n");
    let _ = writeln!(
        s,
        "<p>The study directory's <code>scenario.toml</code> is the resolved scenario (every <code>--set</code> applied), so this reruns it bit for bit with brink {}:</p>\n<pre><code>brink run DIR/scenario.toml --runs {runs} --seed {} --weeks {} --out DIR2</code></pre>",
        esc(sum["brink_version"].as_str().unwrap_or("?")),
        sum["seed"],
        sum["weeks"]
    );
    s
}

fn parameters(p: Option<&(String, Vec<read::ParamRow>)>) -> String {
    let Some((_, rows)) = p else {
        return "<p class=\"note\">scenario.toml is missing from the study directory, so its parameters cannot be listed.</p>\n".into();
    };
    let random = rows.iter().filter(|r| r.random).count();
    let mut s = format!(
        "<p>{} parameters, {random} of them random (sampled once per run). Each carries the <code>source:</code> or <code>assumption:</code> comment it has in <code>scenario.toml</code>.</p>\n<details>\n<summary>All parameters (click to open)</summary>\n<table id=\"parameters\">\n<thead><tr><th>parameter</th><th>value or distribution</th><th>source or assumption</th></tr></thead>\n<tbody>\n",
        rows.len()
    );
    for r in rows {
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&r.path),
            esc(&r.value),
            esc(&r.note)
        );
    }
    s.push_str("</tbody>\n</table>\n</details>\n");
    s
}
