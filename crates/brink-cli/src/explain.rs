//! `brink explain DIR --run I` (the why of one run, replayed from its seed) and
//! `brink paths DIR` (the most frequent escalation sequences).

use crate::run::{CliError, io_err, stdout_err};
use brink_core::decision::stats::EventStats;
use brink_core::load;
use brink_core::model::{NVARS, VARIABLES, observe};
use brink_core::output::{human, top_paths};
use brink_core::study::{leader_side, run_seed, simulate_traced};
use serde_json::{Value, json};
use std::fs;
use std::io::Write;
use std::path::Path;

fn study_file(dir: &Path) -> Result<Value, CliError> {
    let p = dir.join("study.json");
    let text = fs::read_to_string(&p).map_err(io_err(&p))?;
    serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{}: not a brink study file: {e}", p.display())))
}

/// The variables `explain` shows each week.
const SHOWN: [&str; 9] = [
    "at_front",
    "effective_strength",
    "territory_km2",
    "casualties_total",
    "support",
    "protests",
    "face_loss",
    "elite_loyalty",
    "removal_hazard",
];

pub fn explain(dir: &Path, run: u64, as_json: bool) -> Result<(), CliError> {
    let study = study_file(dir)?;
    let runs_total = study["runs_total"].as_u64().unwrap_or(0);
    if run >= runs_total {
        return Err(CliError::Usage(format!(
            "run {run} is not in this study (runs 0..{runs_total})"
        )));
    }
    let seed = study["seed"].as_u64().unwrap_or(0);
    let weeks = study["weeks"].as_u64().unwrap_or(52) as u32;
    let scen = dir.join("scenario.toml");
    let text = fs::read_to_string(&scen).map_err(io_err(&scen))?;
    let r = load::load(&scen.display().to_string(), &text).map_err(CliError::Scenario)?;
    let rseed = run_seed(seed, run);
    let leader = leader_side(&r);
    let mut snapshots: Vec<[[Option<f64>; NVARS]; 2]> = Vec::new();
    let (sample, state) = simulate_traced(&r, weeks, rseed, |st| {
        snapshots.push([observe(st, 0, leader), observe(st, 1, leader)]);
    });
    let pol = state.politics.as_ref();
    let traces = pol.and_then(|p| p.traces.clone()).unwrap_or_default();
    let events = pol.map(|p| p.events.clone()).unwrap_or_default();
    let outcome = pol
        .and_then(|p| p.outcome)
        .map(|(o, w)| (o.id().to_string(), w));
    let params: Vec<(String, f64)> = r
        .params
        .iter()
        .zip(&sample)
        .filter(|((_, random), _)| *random)
        .map(|((path, _), v)| (path.clone(), *v))
        .collect();

    let index = |name: &str| VARIABLES.iter().position(|v| *v == name).expect("variable");
    let mut stdout = std::io::stdout().lock();
    if as_json {
        let weeks_json: Vec<Value> = snapshots
            .iter()
            .enumerate()
            .map(|(w, snap)| {
                let mut stateobj = serde_json::Map::new();
                for (i, id) in r.sides.iter().enumerate() {
                    let vars: serde_json::Map<String, Value> = SHOWN
                        .iter()
                        .filter_map(|v| snap[i][index(v)].map(|x| (v.to_string(), json!(x))))
                        .collect();
                    stateobj.insert(id.clone(), Value::Object(vars));
                }
                json!({
                    "week": w,
                    "date": r.start_date.plus_days(7 * w as i64).to_string(),
                    "state": stateobj,
                    "decisions": traces.iter().filter(|t| t.week as usize == w).collect::<Vec<_>>(),
                    "events": events.iter().filter(|e| e.week as usize == w).collect::<Vec<_>>(),
                })
            })
            .collect();
        let doc = json!({
            "run": run,
            "seed": rseed,
            "outcome": outcome.as_ref().map(|(o, w)| json!({"id": o, "week": w})),
            "sampled_parameters": params.iter().map(|(p, v)| (p.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "weeks": weeks_json,
        });
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&doc).expect("json")
        )
        .map_err(stdout_err)?;
        return Ok(());
    }

    let w =
        |stdout: &mut std::io::StdoutLock, s: String| writeln!(stdout, "{s}").map_err(stdout_err);
    w(
        &mut stdout,
        format!(
            "Run {run} of {} (run seed {rseed}), replayed from its seed.",
            dir.display()
        ),
    )?;
    if let Some((o, week)) = &outcome {
        w(&mut stdout, format!("Outcome: {o} in week {week}.\n"))?;
    }
    w(&mut stdout, "Sampled parameters of this run:".into())?;
    for (p, v) in &params {
        w(&mut stdout, format!("  {p} = {v:.4}"))?;
    }
    w(&mut stdout, String::new())?;
    for (week, snap) in snapshots.iter().enumerate() {
        let decisions: Vec<_> = traces.iter().filter(|t| t.week as usize == week).collect();
        let evs: Vec<_> = events.iter().filter(|e| e.week as usize == week).collect();
        let date = r.start_date.plus_days(7 * week as i64);
        let mut line = format!("week {week:>2} ({date})");
        for (i, id) in r.sides.iter().enumerate() {
            line.push_str(&format!(
                "  {id}: front {} strength {} ground {} km2",
                human(snap[i][index("at_front")].unwrap_or(0.0)),
                human(snap[i][index("effective_strength")].unwrap_or(0.0)),
                human(snap[i][index("territory_km2")].unwrap_or(0.0)),
            ));
        }
        if let Some(l) = leader {
            let g = |v: &str| snap[l][index(v)].unwrap_or(0.0);
            line.push_str(&format!(
                "  | support {:.2} protests {:.2} face loss {:.2} loyalty {:.2} removal hazard {:.4}",
                g("support"),
                g("protests"),
                g("face_loss"),
                g("elite_loyalty"),
                g("removal_hazard")
            ));
        }
        w(&mut stdout, line)?;
        for d in decisions {
            let mut opts = d.options.clone();
            opts.sort_by(|a, b| b.2.total_cmp(&a.2));
            let shown: Vec<String> = opts
                .iter()
                .map(|(id, u, p)| format!("{id} (u={u:.2}, p={:.1}%)", 100.0 * p))
                .collect();
            w(
                &mut stdout,
                format!("    {} chose {}: {}", d.actor, d.chosen, shown.join(", ")),
            )?;
        }
        for e in evs {
            let kahn = if e.kahn_rung > 0 {
                format!(
                    " [Kahn {}{}]",
                    e.kahn_rung,
                    if e.threshold.is_empty() {
                        String::new()
                    } else {
                        format!(", past \"{}\"", e.threshold)
                    }
                )
            } else {
                String::new()
            };
            w(
                &mut stdout,
                format!("    event: {} ({}){kahn}", e.event, e.actor),
            )?;
        }
    }
    Ok(())
}

pub fn paths(dir: &Path, top: usize, as_json: bool) -> Result<(), CliError> {
    let p = dir.join("events_aggregate.json");
    let text = fs::read_to_string(&p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CliError::Usage(format!(
            "{} has no events: run a scenario with a [politics] section with --out first",
            dir.display()
        )),
        _ => CliError::Io {
            path: p.clone(),
            error: e,
        },
    })?;
    let ev: EventStats = serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "{}: not a brink events aggregate: {e}",
            p.display()
        ))
    })?;
    let rows = top_paths(&ev, top);
    let mut stdout = std::io::stdout().lock();
    if as_json {
        let v: Vec<Value> = rows
            .iter()
            .map(|(path, k)| json!({"path": path, "runs": k, "share": *k as f64 / ev.runs.max(1) as f64}))
            .collect();
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&v).expect("json")
        )
        .map_err(stdout_err)?;
        return Ok(());
    }
    writeln!(
        stdout,
        "Most frequent escalation paths in {} runs (events after week 0, then the outcome):",
        ev.runs
    )
    .map_err(stdout_err)?;
    for (path, k) in rows {
        writeln!(
            stdout,
            "  {:>6.2}%  {:>7}  {path}",
            100.0 * k as f64 / ev.runs.max(1) as f64,
            k
        )
        .map_err(stdout_err)?;
    }
    Ok(())
}
