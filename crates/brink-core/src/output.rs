//! The output contract: `summary.json`, `weekly.csv`, `runs.csv` and the terminal table.
//! Formatting only; files are opened (atomically) by the caller. Numbers are printed with Rust's
//! shortest round-trip formatting, so equal results give equal bytes.

use crate::aggregate::Accumulator;
use crate::load::Resolved;
use crate::model::VARIABLES;
use crate::study::{RunRecord, StudyResult};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// Weeks shown in the summary table (those within the horizon).
pub const TABLE_WEEKS: [u32; 5] = [4, 8, 13, 26, 52];

/// Variables shown in the terminal table, in order.
pub const TABLE_VARIABLES: [&str; 13] = [
    "at_front",
    "arrived_total",
    "arrival_quality",
    "casualties_total",
    "territory_km2",
    "summoned",
    "evaded",
    "emigrated",
    "inducted",
    "in_training",
    "quartered",
    "assigned",
    "equipment",
];

pub const WEEKLY_HEADER: &str = "week,date,side,variable,mean,p05,p25,p50,p75,p95";

fn var_index(name: &str) -> usize {
    VARIABLES
        .iter()
        .position(|v| *v == name)
        .expect("known variable")
}

fn num(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `weekly.csv`: one row per week, side and variable.
pub fn write_weekly<W: Write>(w: &mut W, r: &Resolved, acc: &Accumulator) -> io::Result<()> {
    writeln!(w, "{WEEKLY_HEADER}")?;
    for week in 0..=acc.weeks {
        let date = r.start_date.plus_days(7 * i64::from(week));
        for (side, id) in r.sides.iter().enumerate() {
            for (k, name) in VARIABLES.iter().enumerate() {
                let h = acc.get(week, side, k);
                writeln!(
                    w,
                    "{week},{date},{id},{name},{},{},{},{},{},{}",
                    num(h.mean()),
                    num(h.quantile(0.05)),
                    num(h.quantile(0.25)),
                    num(h.quantile(0.5)),
                    num(h.quantile(0.75)),
                    num(h.quantile(0.95)),
                )?;
            }
        }
    }
    Ok(())
}

/// The header of `runs.csv`.
pub fn runs_header(r: &Resolved) -> String {
    let mut cols = vec!["run".to_string(), "seed".to_string()];
    cols.extend(
        r.params
            .iter()
            .filter(|(_, random)| *random)
            .map(|(p, _)| p.clone()),
    );
    for id in &r.sides {
        cols.extend(VARIABLES.iter().map(|v| format!("final.{id}.{v}")));
    }
    cols.join(",")
}

/// Rows of `runs.csv`.
pub fn write_run_rows<W: Write>(w: &mut W, records: &[RunRecord]) -> io::Result<()> {
    let mut line = String::with_capacity(512);
    for rec in records {
        line.clear();
        line.push_str(&rec.run.to_string());
        line.push(',');
        line.push_str(&rec.seed.to_string());
        for v in &rec.sampled {
            line.push(',');
            line.push_str(&v.to_string());
        }
        for v in &rec.final_values {
            line.push(',');
            line.push_str(&num(*v));
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn table_weeks(weeks: u32) -> Vec<u32> {
    let mut v: Vec<u32> = TABLE_WEEKS
        .iter()
        .copied()
        .filter(|w| *w <= weeks)
        .collect();
    if v.last() != Some(&weeks) && !TABLE_WEEKS.contains(&weeks) {
        v.push(weeks);
    }
    v
}

/// The content of `summary.json` (no timestamps or durations: equal studies, equal bytes).
pub fn summary_json(r: &Resolved, seed: u64, result: &StudyResult) -> Value {
    let acc = &result.acc;
    let mut table = Map::new();
    for (side, id) in r.sides.iter().enumerate() {
        let mut vars = Map::new();
        for name in TABLE_VARIABLES {
            let k = var_index(name);
            let rows: Vec<Value> = table_weeks(acc.weeks)
                .into_iter()
                .map(|week| {
                    let h = acc.get(week, side, k);
                    json!({
                        "week": week,
                        "date": r.start_date.plus_days(7 * i64::from(week)).to_string(),
                        "mean": h.mean(),
                        "p05": h.quantile(0.05),
                        "p50": h.quantile(0.5),
                        "p95": h.quantile(0.95),
                    })
                })
                .collect();
            vars.insert(name.to_string(), Value::Array(rows));
        }
        table.insert(id.clone(), Value::Object(vars));
    }
    let mut out = Map::new();
    out.insert("brink_version".into(), json!(env!("CARGO_PKG_VERSION")));
    out.insert("scenario".into(), json!(r.scenario.scenario.name));
    out.insert("scenario_hash".into(), json!(r.hash));
    out.insert("seed".into(), json!(seed));
    out.insert("runs".into(), json!(acc.runs));
    out.insert("weeks".into(), json!(acc.weeks));
    out.insert("start_date".into(), json!(r.start_date.to_string()));
    out.insert("sides".into(), json!(r.sides));
    if result.interrupted {
        out.insert("interrupted".into(), json!(true));
        out.insert(
            "requested_runs".into(),
            json!(result.requested.end - result.requested.start),
        );
    }
    out.insert("table".into(), Value::Object(table));
    Value::Object(out)
}

/// Compact human formatting: 1.23M, 45.6k, 512, 0.62.
pub fn human(x: f64) -> String {
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a == 0.0 {
        "0".into()
    } else {
        format!("{x:.2}")
    }
}

/// The terminal table: per side, each variable's median and 5-95% range at the table weeks.
pub fn write_table<W: Write>(
    w: &mut W,
    r: &Resolved,
    seed: u64,
    result: &StudyResult,
) -> io::Result<()> {
    let acc = &result.acc;
    let weeks = table_weeks(acc.weeks);
    writeln!(
        w,
        "{}: {} runs, seed {}, {} weeks from {}",
        r.scenario.scenario.name, acc.runs, seed, acc.weeks, r.start_date
    )?;
    writeln!(w, "median [5% - 95%] across runs\n")?;
    for (side, id) in r.sides.iter().enumerate() {
        let name = r
            .scenario
            .actors
            .get(id)
            .map_or(id.as_str(), |a| a.name.as_str());
        writeln!(w, "{id} ({name})")?;
        let mut header = format!("  {:<18}", "variable");
        for wk in &weeks {
            header.push_str(&format!(" {:>24}", format!("week {wk}")));
        }
        writeln!(w, "{header}")?;
        for var in TABLE_VARIABLES {
            let k = var_index(var);
            // Skip mobilization rows that are zero throughout for a side without a pipeline.
            if acc.get(acc.weeks, side, k).max() == Some(0.0)
                && [
                    "summoned",
                    "evaded",
                    "emigrated",
                    "inducted",
                    "in_training",
                    "quartered",
                    "assigned",
                ]
                .contains(&var)
            {
                continue;
            }
            let mut line = format!("  {var:<18}");
            for wk in &weeks {
                let h = acc.get(*wk, side, k);
                let cell = match (h.quantile(0.5), h.quantile(0.05), h.quantile(0.95)) {
                    (Some(m), Some(lo), Some(hi)) => {
                        format!("{} [{} - {}]", human(m), human(lo), human(hi))
                    }
                    _ => "-".into(),
                };
                line.push_str(&format!(" {cell:>24}"));
            }
            writeln!(w, "{line}")?;
        }
        writeln!(w)?;
    }
    if result.interrupted {
        writeln!(
            w,
            "interrupted: {} of {} runs finished",
            acc.runs,
            result.requested.end - result.requested.start
        )?;
    }
    Ok(())
}
