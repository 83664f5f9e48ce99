//! The output contract: `summary.json`, `weekly.csv`, `runs.csv` and the terminal table.
//! Formatting only; files are opened (atomically) by the caller. Numbers are printed with Rust's
//! shortest round-trip formatting, so equal results give equal bytes.

use crate::aggregate::Accumulator;
use crate::decision::config::{KAHN_THRESHOLDS, Outcome};
use crate::decision::stats::{EventStats, wilson};
use crate::load::Resolved;
use crate::model::VARIABLES;
use crate::study::{RunRecord, StudyResult};
use brink_table::{ColType, CsvWriter, Schema, TableSink, Value as Cell};
use serde_json::{Map, Value, json};
use std::fmt;
use std::io::{self, Write};

/// Weeks shown in the summary table (those within the horizon).
pub const TABLE_WEEKS: [u32; 5] = [4, 8, 13, 26, 52];

/// Variables shown in the terminal table, in order: the front, then the mobilization pipeline
/// (from `summoned`; these rows are hidden for a side without a pipeline), then equipment.
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

/// A cell read back from one of brink's Parquet tables, as the value it stands for: a `Date`
/// column stores days since 1970-01-01 as INT32 and a `UInt64` column its value as INT64. The
/// one reading of stored cells, for `brink merge` (which writes them again) and `brink report`
/// (which shows them as text, by `Display`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StoredCell<'a> {
    Null,
    /// Days since 1970-01-01 and their calendar date.
    Date(i32, crate::time::Date),
    U64(u64),
    I32(i32),
    I64(i64),
    F64(f64),
    Str(&'a str),
}

impl<'a> StoredCell<'a> {
    pub fn read(ty: ColType, cell: &'a brink_table::Cell) -> StoredCell<'a> {
        use brink_table::Cell as Stored;
        match (ty, cell) {
            (_, Stored::Null) => StoredCell::Null,
            (ColType::Date, Stored::I32(days)) => {
                StoredCell::Date(*days, crate::time::Date::from_days(i64::from(*days)))
            }
            // The writer stores a UInt64 column's bits in INT64.
            (ColType::UInt64, Stored::I64(x)) => StoredCell::U64(*x as u64),
            (_, Stored::I32(x)) => StoredCell::I32(*x),
            (_, Stored::I64(x)) => StoredCell::I64(*x),
            (_, Stored::F64(x)) => StoredCell::F64(*x),
            (_, Stored::Str(s)) => StoredCell::Str(s),
        }
    }
}

/// Empty for null, the ISO date for dates, numbers in Rust's shortest round-trip form.
impl fmt::Display for StoredCell<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoredCell::Null => Ok(()),
            StoredCell::Date(_, date) => date.fmt(f),
            StoredCell::U64(x) => x.fmt(f),
            StoredCell::I32(x) => x.fmt(f),
            StoredCell::I64(x) => x.fmt(f),
            StoredCell::F64(x) => x.fmt(f),
            StoredCell::Str(s) => s.fmt(f),
        }
    }
}

pub const WEEKLY_HEADER: &str = "week,date,side,variable,mean,p05,p25,p50,p75,p95";

fn var_index(name: &str) -> usize {
    VARIABLES
        .iter()
        .position(|v| *v == name)
        .expect("known variable")
}

/// The columns of `weekly.csv` / `weekly.parquet`.
pub fn weekly_schema() -> Schema {
    let mut s = Schema::default();
    s.push("week", ColType::Int32, false);
    s.push("date", ColType::Date, false);
    s.push("side", ColType::Utf8, false);
    s.push("variable", ColType::Utf8, false);
    for q in ["mean", "p05", "p25", "p50", "p75", "p95"] {
        s.push(q, ColType::Double, true);
    }
    s
}

/// `weekly.csv` (header included).
pub fn write_weekly<W: Write>(w: &mut W, r: &Resolved, acc: &Accumulator) -> io::Result<()> {
    let mut csv = CsvWriter::new(w, &weekly_schema())?;
    write_weekly_rows(&mut csv, r, acc)
}

/// The rows of the weekly table: one per week, side and variable.
pub fn write_weekly_rows<S: TableSink>(
    sink: &mut S,
    r: &Resolved,
    acc: &Accumulator,
) -> io::Result<()> {
    for week in 0..=acc.weeks {
        let date = r.start_date.plus_days(7 * i64::from(week));
        let iso = date.to_string();
        let days =
            i32::try_from(date.to_days()).map_err(|_| io::Error::other("date out of range"))?;
        for (side, id) in r.sides.iter().enumerate() {
            for (k, name) in VARIABLES.iter().enumerate() {
                let h = acc.get(week, side, k);
                sink.write_row(&[
                    Cell::I32(week as i32),
                    Cell::Date { days, iso: &iso },
                    Cell::Str(id),
                    Cell::Str(name),
                    Cell::opt_f64(h.mean()),
                    Cell::opt_f64(h.quantile(0.05)),
                    Cell::opt_f64(h.quantile(0.25)),
                    Cell::opt_f64(h.quantile(0.5)),
                    Cell::opt_f64(h.quantile(0.75)),
                    Cell::opt_f64(h.quantile(0.95)),
                ])?;
            }
        }
    }
    Ok(())
}

/// The columns of the decision layer at the end of `runs.csv`.
const RUN_DECISION_COLUMNS: [(&str, ColType); 5] = [
    ("outcome", ColType::Utf8),
    ("outcome_week", ColType::Int32),
    ("highest_kahn_rung", ColType::Int32),
    ("nuclear_killed", ColType::Double),
    ("nuclear_injured", ColType::Double),
];

/// The columns of `runs.csv` / `runs.parquet`.
pub fn runs_schema(r: &Resolved) -> Schema {
    let mut s = Schema::default();
    s.push("run", ColType::Int64, false);
    s.push("seed", ColType::UInt64, false);
    for p in r.random_params() {
        s.push(p, ColType::Double, false);
    }
    for id in &r.sides {
        for v in VARIABLES {
            s.push(format!("final.{id}.{v}"), ColType::Double, true);
        }
    }
    if r.scenario.politics.is_some() {
        for (name, ty) in RUN_DECISION_COLUMNS {
            s.push(name, ty, true);
        }
    }
    s
}

/// The header of `runs.csv`.
pub fn runs_header(r: &Resolved) -> String {
    runs_schema(r).csv_header()
}

pub const EVENTS_HEADER: &str = "run,week,actor,event,rung,kahn_rung,threshold,killed,injured";

/// The columns of `events.csv` / `events.parquet`.
pub fn events_schema() -> Schema {
    let mut s = Schema::default();
    s.push("run", ColType::Int64, false);
    s.push("week", ColType::Int32, false);
    s.push("actor", ColType::Utf8, false);
    s.push("event", ColType::Utf8, false);
    s.push("rung", ColType::Utf8, true);
    s.push("kahn_rung", ColType::Int32, false);
    s.push("threshold", ColType::Utf8, true);
    s.push("killed", ColType::Double, false);
    s.push("injured", ColType::Double, false);
    s
}

/// Rows of the events table: one per event occurrence, in run order.
pub fn write_event_rows<S: TableSink>(sink: &mut S, records: &[RunRecord]) -> io::Result<()> {
    fn text(s: &str) -> Cell<'_> {
        if s.is_empty() {
            Cell::Null
        } else {
            Cell::Str(s)
        }
    }
    for rec in records {
        for e in &rec.events.events {
            sink.write_row(&[
                Cell::I64(rec.run as i64),
                Cell::I32(e.week as i32),
                Cell::Str(&e.actor),
                Cell::Str(&e.event),
                text(&e.rung),
                Cell::I32(e.kahn_rung as i32),
                text(e.threshold),
                Cell::F64(e.killed),
                Cell::F64(e.injured),
            ])?;
        }
    }
    Ok(())
}

/// `survival.csv`: Kaplan-Meier survival (share of runs in which the event has not happened
/// by the end of the week) per event and week; censored only at the horizon.
pub fn write_survival<W: Write>(w: &mut W, r: &Resolved, ev: &EventStats) -> io::Result<()> {
    writeln!(w, "week,date,event,survival")?;
    for id in ev.first_week.keys() {
        for (week, s) in ev.survival(id).iter().enumerate() {
            let date = r.start_date.plus_days(7 * week as i64);
            writeln!(w, "{week},{date},{id},{s}")?;
        }
    }
    Ok(())
}

/// Every event a run of this scenario can record, known before the study runs (empty without a
/// decision layer): the always-reported events and the outcomes recorded as events. The names
/// `--given` accepts.
pub fn possible_events(r: &Resolved) -> Vec<String> {
    if r.scenario.politics.is_none() {
        return Vec::new();
    }
    let mut ids = always_reported_events(r);
    for o in Outcome::ALL {
        let id = o.id().to_string();
        if !matches!(o, Outcome::RuWithdrawal | Outcome::OngoingAtHorizon) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The event ids a study reports even when they never happen (the contract), plus
/// every rung and event seen.
pub fn reported_events(r: &Resolved, ev: &EventStats) -> Vec<String> {
    let mut ids = always_reported_events(r);
    for id in ev.first_week.keys() {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids
}

/// Every rung, then the built-in events the contract reports.
fn always_reported_events(r: &Resolved) -> Vec<String> {
    let mut ids: Vec<String> = r.scenario.ladder.iter().map(|x| x.id.clone()).collect();
    for id in [
        "nuclear_use",
        "leader_removed",
        "leader_removed_palace_coup",
        "leader_removed_uprising",
        "leader_removed_foreign_backed",
        "leader_removed_tribunal",
        "negotiated_settlement",
        "frozen_conflict",
        "strategic_exchange",
    ] {
        ids.push(id.to_string());
    }
    ids
}

/// `outcomes` and `events` of `summary.json`, optionally among the runs with event `given`.
pub fn decision_json(r: &Resolved, ev: &EventStats, given: Option<&str>) -> Value {
    let n = match given {
        Some(g) => ev.event_runs(g),
        None => ev.runs,
    };
    let mut outcomes = Map::new();
    for o in Outcome::ALL {
        let k = match given {
            Some(g) => ev
                .outcome_given
                .get(g)
                .and_then(|m| m.get(o.id()))
                .copied()
                .unwrap_or(0),
            None => ev.outcomes.get(o.id()).copied().unwrap_or(0),
        };
        let (p, lo, hi) = wilson(k, n);
        outcomes.insert(
            o.id().into(),
            json!({"p": p, "ci95_lo": lo, "ci95_hi": hi, "runs": k}),
        );
    }
    let mut events = Map::new();
    for id in reported_events(r, ev) {
        let k = match given {
            Some(g) => ev
                .event_given
                .get(g)
                .and_then(|m| m.get(&id))
                .copied()
                .unwrap_or(0),
            None => ev.event_runs(&id),
        };
        let (p, lo, hi) = wilson(k, n);
        let mut e = json!({"p": p, "ci95_lo": lo, "ci95_hi": hi, "runs": k});
        if given.is_none() {
            e["median_week"] = json!(ev.event_week_quantile(&id, 0.5));
            e["week_p25"] = json!(ev.event_week_quantile(&id, 0.25));
            e["week_p75"] = json!(ev.event_week_quantile(&id, 0.75));
        }
        if let Some(rung) = r.scenario.ladder.iter().find(|x| x.id == id) {
            e["kahn_rung"] = json!(rung.kahn_rung);
            e["threshold"] = json!(crate::decision::config::kahn_threshold(rung.kahn_rung));
        }
        events.insert(id, e);
    }
    let mut out = Map::new();
    out.insert("runs_considered".into(), json!(n));
    if let Some(g) = given {
        out.insert("given".into(), json!(g));
    }
    out.insert("outcomes".into(), Value::Object(outcomes));
    out.insert("events".into(), Value::Object(events));
    if given.is_none() {
        let kahn: Map<String, Value> = ev
            .highest_kahn
            .iter()
            .map(|(k, n)| (k.to_string(), json!(*n as f64 / ev.runs.max(1) as f64)))
            .collect();
        out.insert("highest_kahn_rung".into(), Value::Object(kahn));
        let mut thresholds = Map::new();
        for (_, name) in KAHN_THRESHOLDS {
            let k = ev.thresholds.get(name).copied().unwrap_or(0);
            let (p, lo, hi) = wilson(k, ev.runs);
            thresholds.insert(name.into(), json!({"p": p, "ci95_lo": lo, "ci95_hi": hi}));
        }
        out.insert("thresholds_crossed".into(), Value::Object(thresholds));
        out.insert("paths".into(), json!(top_paths(ev, 20)
            .into_iter()
            .map(|(path, k)| json!({"path": path, "runs": k, "share": k as f64 / ev.runs.max(1) as f64}))
            .collect::<Vec<_>>()));
        let mut cas = Map::new();
        for (id, h) in &ev.nuclear_killed {
            cas.insert(
                id.clone(),
                json!({
                    "runs": h.count(),
                    "killed_mean": h.mean(),
                    "killed_p05": h.quantile(0.05),
                    "killed_p50": h.quantile(0.5),
                    "killed_p95": h.quantile(0.95),
                }),
            );
        }
        out.insert("nuclear_strike_killed".into(), Value::Object(cas));
    }
    Value::Object(out)
}

/// The most frequent paths, most frequent first (ties by path text).
pub fn top_paths(ev: &EventStats, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = ev.paths.iter().map(|(k, c)| (k.clone(), *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// The decision-layer part of the terminal table.
pub fn write_decision_table<W: Write>(
    w: &mut W,
    r: &Resolved,
    ev: &EventStats,
    given: Option<&str>,
) -> io::Result<()> {
    let j = decision_json(r, ev, given);
    let n = j["runs_considered"].as_u64().unwrap_or(0);
    match given {
        Some(g) => writeln!(w, "Among the {n} runs in which `{g}` happened:")?,
        None => writeln!(
            w,
            "Outcomes at the horizon ({n} runs), probability [95% Wilson interval]:"
        )?,
    }
    for o in Outcome::ALL {
        let x = &j["outcomes"][o.id()];
        writeln!(
            w,
            "  {:<24} {:>6.1}%  [{:>5.1}% - {:>5.1}%]",
            o.id(),
            100.0 * x["p"].as_f64().unwrap_or(0.0),
            100.0 * x["ci95_lo"].as_f64().unwrap_or(0.0),
            100.0 * x["ci95_hi"].as_f64().unwrap_or(0.0)
        )?;
    }
    writeln!(
        w,
        "\nEvents: probability [95% CI], median week of first occurrence [25%-75%]"
    )?;
    if let Some(events) = j["events"].as_object() {
        for (id, x) in events {
            let week = match (
                x.get("median_week").and_then(Value::as_u64),
                x.get("week_p25").and_then(Value::as_u64),
                x.get("week_p75").and_then(Value::as_u64),
            ) {
                (Some(m), Some(a), Some(b)) => format!("week {m} [{a}-{b}]"),
                _ => "-".into(),
            };
            writeln!(
                w,
                "  {:<34} {:>6.2}%  [{:>6.2}% - {:>6.2}%]  {}",
                id,
                100.0 * x["p"].as_f64().unwrap_or(0.0),
                100.0 * x["ci95_lo"].as_f64().unwrap_or(0.0),
                100.0 * x["ci95_hi"].as_f64().unwrap_or(0.0),
                week
            )?;
        }
    }
    if given.is_none() {
        writeln!(w, "\nMost frequent paths:")?;
        for (path, k) in top_paths(ev, 5) {
            writeln!(
                w,
                "  {:>5.1}%  {path}",
                100.0 * k as f64 / ev.runs.max(1) as f64
            )?;
        }
    }
    writeln!(w)
}

/// Rows of the runs table: one per run. `decision` says whether the schema has the decision
/// layer's columns (the scenario has a `[politics]` section).
pub fn write_run_rows<S: TableSink>(
    sink: &mut S,
    records: &[RunRecord],
    decision: bool,
) -> io::Result<()> {
    let mut row: Vec<Cell> = Vec::with_capacity(256);
    for rec in records {
        row.clear();
        row.push(Cell::I64(rec.run as i64));
        row.push(Cell::U64(rec.seed));
        row.extend(rec.sampled.iter().map(|v| Cell::F64(*v)));
        row.extend(rec.final_values.iter().map(|v| Cell::opt_f64(*v)));
        if decision {
            match rec.events.outcome {
                Some((o, week)) => row.extend([
                    Cell::Str(o.id()),
                    Cell::I32(week as i32),
                    Cell::I32(rec.events.highest_kahn as i32),
                    Cell::F64(rec.events.nuclear_killed),
                    Cell::F64(rec.events.nuclear_injured),
                ]),
                None => row.extend([Cell::Null; 5]),
            }
        }
        sink.write_row(&row)?;
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
    if r.scenario.politics.is_some()
        && let Value::Object(d) = decision_json(r, &result.events, None)
    {
        for (k, v) in d {
            if k != "runs_considered" {
                out.insert(k, v);
            }
        }
    }
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
                && TABLE_VARIABLES[5..].contains(&var)
                && var != "equipment"
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

#[cfg(test)]
mod tests {
    use super::*;
    use brink_table::Cell as Stored;

    #[test]
    fn stored_cells_read_by_their_column_type() {
        // 2022-09-21 is day 19,256 since 1970-01-01.
        let date = StoredCell::read(ColType::Date, &Stored::I32(19_256));
        assert!(matches!(date, StoredCell::Date(19_256, _)));
        assert_eq!(date.to_string(), "2022-09-21");
        // A UInt64 column's bits come back from INT64, beyond i64's range too.
        let seed = StoredCell::read(ColType::UInt64, &Stored::I64(-1));
        assert_eq!(seed, StoredCell::U64(u64::MAX));
        assert_eq!(seed.to_string(), "18446744073709551615");
        assert_eq!(
            StoredCell::read(ColType::Double, &Stored::Null).to_string(),
            ""
        );
        assert_eq!(
            StoredCell::read(ColType::Double, &Stored::F64(0.1)).to_string(),
            "0.1"
        );
        let text = Stored::Str("RU".to_string());
        assert_eq!(
            StoredCell::read(ColType::Utf8, &text),
            StoredCell::Str("RU")
        );
    }
}
