//! Readers of a study directory's files. A missing optional file is `None` (the report shows
//! a note); a file that exists but cannot be understood is an error naming the file.

use brink_core::decision::stats::EventStats;
use brink_core::output::{StoredCell, top_paths};
use brink_table::parse_csv_line;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Largest input file read (a guard against pointing the report at the wrong file).
pub const MAX_FILE_BYTES: u64 = 512 << 20;

/// Why a report could not be made.
#[derive(Debug)]
pub enum ReportError {
    /// A file could not be read or written (exit 1).
    Io { path: PathBuf, error: io::Error },
    /// A file is not what the report expects (exit 2).
    Bad { path: PathBuf, message: String },
}

impl ReportError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ReportError::Io { .. } => 1,
            ReportError::Bad { .. } => 2,
        }
    }
    fn bad(path: &Path, message: impl Into<String>) -> ReportError {
        ReportError::Bad {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            ReportError::Bad { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for ReportError {}

/// Reads a file, `None` if it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, ReportError> {
    let io = |error| ReportError::Io {
        path: path.to_path_buf(),
        error,
    };
    match fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
        Ok(m) if m.is_dir() => {
            return Err(ReportError::bad(path, "is a directory, expected a file"));
        }
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return Err(ReportError::bad(
                path,
                format!(
                    "{} bytes is more than the report reads ({MAX_FILE_BYTES})",
                    m.len()
                ),
            ));
        }
        Ok(_) => {}
    }
    let bytes = fs::read(path).map_err(io)?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ReportError::bad(path, "is not UTF-8 text; is it the right file?"))
}

fn json(path: &Path, text: &str) -> Result<Value, ReportError> {
    serde_json::from_str(text).map_err(|e| ReportError::bad(path, format!("not valid JSON: {e}")))
}

/// `summary.json`, required: the study's identity and probabilities.
pub fn summary(dir: &Path) -> Result<Value, ReportError> {
    let path = dir.join("summary.json");
    let Some(text) = read_optional(&path)? else {
        if !dir.is_dir() {
            return Err(ReportError::bad(
                dir,
                "no such directory; pass a study directory written by `brink run --out DIR`",
            ));
        }
        return Err(ReportError::bad(
            &path,
            "missing: is this a study directory? Write one with `brink run --out DIR`",
        ));
    };
    let v = json(&path, &text)?;
    for key in [
        "scenario",
        "seed",
        "runs",
        "weeks",
        "brink_version",
        "scenario_hash",
    ] {
        if v.get(key).is_none() {
            return Err(ReportError::bad(
                &path,
                format!("has no `{key}`: not a brink summary (rerun the study to rewrite it)"),
            ));
        }
    }
    Ok(v)
}

/// `study.json` (optional): run ranges, for the reproduce section.
pub fn study(dir: &Path) -> Result<Option<Value>, ReportError> {
    let path = dir.join("study.json");
    read_optional(&path)?.map(|t| json(&path, &t)).transpose()
}

/// Quantiles of one variable of one side at one week: p05, p25, p50, p75, p95.
pub type Quantiles = [Option<f64>; 5];

/// `weekly.csv`: per (side, variable), the weeks with their quantiles.
#[derive(Debug, Default)]
pub struct Weekly {
    pub series: BTreeMap<(String, String), Vec<(u32, Quantiles)>>,
    pub sides: Vec<String>,
    /// Week -> ISO date.
    pub dates: BTreeMap<u32, String>,
    /// The file read: `weekly.csv`, or `weekly.parquet` for a study written as Parquet only.
    pub source: String,
}

fn header_index(path: &Path, header: &[String], name: &str) -> Result<usize, ReportError> {
    header.iter().position(|h| h == name).ok_or_else(|| {
        ReportError::bad(
            path,
            format!("has no `{name}` column; header: {}", header.join(",")),
        )
    })
}

fn cell_f64(path: &Path, line: usize, col: &str, s: &str) -> Result<Option<f64>, ReportError> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>().map(Some).map_err(|_| {
        ReportError::bad(
            path,
            format!("line {line}: `{col}` = `{s}` is not a number"),
        )
    })
}

/// A week number cell.
fn cell_week(path: &Path, line: usize, s: &str) -> Result<u32, ReportError> {
    s.parse().map_err(|_| {
        ReportError::bad(
            path,
            format!("line {line}: week `{s}` is not a whole number"),
        )
    })
}

/// A CSV row with its line number.
type CsvRow = (usize, Vec<String>);

/// A table as text: its header and its rows.
type TextTable = (Vec<String>, Vec<CsvRow>);

/// Survival per event: (week, share of runs without it).
pub type SurvivalCurves = BTreeMap<String, Vec<(u32, f64)>>;

/// Splits a CSV text into a header and rows, with line numbers for messages.
fn csv_rows(path: &Path, text: &str) -> Result<TextTable, ReportError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, h)) = lines.next() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let header =
        parse_csv_line(h).ok_or_else(|| ReportError::bad(path, "line 1: unclosed quote"))?;
    let mut rows = Vec::new();
    for (i, l) in lines {
        let cells = parse_csv_line(l)
            .ok_or_else(|| ReportError::bad(path, format!("line {}: unclosed quote", i + 1)))?;
        if cells.len() != header.len() {
            return Err(ReportError::bad(
                path,
                format!(
                    "line {}: {} cells for {} columns",
                    i + 1,
                    cells.len(),
                    header.len()
                ),
            ));
        }
        rows.push((i + 1, cells));
    }
    Ok((header, rows))
}

/// The rows of a Parquet table as the text its CSV twin would hold (numbers in shortest
/// round-trip form, dates in ISO 8601, nulls empty), so one reader serves both formats. Row
/// numbers stand in for line numbers in messages. `None` when the file does not exist.
fn parquet_rows_as_text(
    path: &Path,
    schema: &brink_table::Schema,
) -> Result<Option<TextTable>, ReportError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ReportError::Io {
                path: path.to_path_buf(),
                error: e,
            });
        }
    };
    let header: Vec<String> = schema.columns.iter().map(|c| c.name.clone()).collect();
    let mut rows = Vec::new();
    brink_table::read_parquet_rows(&bytes, schema, |cells| {
        let text = schema
            .columns
            .iter()
            .zip(cells)
            .map(|(c, cell)| StoredCell::read(c.ty, cell).to_string())
            .collect();
        rows.push((rows.len() + 1, text));
        Ok(())
    })
    .map_err(|e| ReportError::bad(path, e.to_string()))?;
    Ok(Some((header, rows)))
}

pub fn weekly(dir: &Path) -> Result<Option<Weekly>, ReportError> {
    let csv = dir.join("weekly.csv");
    let (path, header, rows) = match read_optional(&csv)? {
        Some(text) => {
            let (header, rows) = csv_rows(&csv, &text)?;
            (csv, header, rows)
        }
        // A study written with `--format parquet` only.
        None => {
            let parquet = dir.join("weekly.parquet");
            match parquet_rows_as_text(&parquet, &brink_core::output::weekly_schema())? {
                Some((header, rows)) => (parquet, header, rows),
                None => return Ok(None),
            }
        }
    };
    let source = path
        .file_name()
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    if header.is_empty() {
        return Ok(Some(Weekly {
            source,
            ..Weekly::default()
        }));
    }
    let ix = |n| header_index(&path, &header, n);
    let (iw, idate, iside, ivar) = (ix("week")?, ix("date")?, ix("side")?, ix("variable")?);
    let qs = [ix("p05")?, ix("p25")?, ix("p50")?, ix("p75")?, ix("p95")?];
    let mut w = Weekly {
        source,
        ..Weekly::default()
    };
    for (line, cells) in rows {
        let week = cell_week(&path, line, &cells[iw])?;
        let mut q = [None; 5];
        for (k, i) in qs.iter().enumerate() {
            q[k] = cell_f64(&path, line, &header[*i], &cells[*i])?;
        }
        if !w.sides.contains(&cells[iside]) {
            w.sides.push(cells[iside].clone());
        }
        w.dates.entry(week).or_insert_with(|| cells[idate].clone());
        w.series
            .entry((cells[iside].clone(), cells[ivar].clone()))
            .or_default()
            .push((week, q));
    }
    Ok(Some(w))
}

/// `survival.csv`: per event, (week, survival).
pub fn survival(dir: &Path) -> Result<Option<SurvivalCurves>, ReportError> {
    let path = dir.join("survival.csv");
    let Some(text) = read_optional(&path)? else {
        return Ok(None);
    };
    let (header, rows) = csv_rows(&path, &text)?;
    let mut out: BTreeMap<String, Vec<(u32, f64)>> = BTreeMap::new();
    if header.is_empty() {
        return Ok(Some(out));
    }
    let (iw, iev, is) = (
        header_index(&path, &header, "week")?,
        header_index(&path, &header, "event")?,
        header_index(&path, &header, "survival")?,
    );
    for (line, cells) in rows {
        let week = cell_week(&path, line, &cells[iw])?;
        let s = cell_f64(&path, line, "survival", &cells[is])?
            .ok_or_else(|| ReportError::bad(&path, format!("line {line}: empty survival")))?;
        out.entry(cells[iev].clone()).or_default().push((week, s));
    }
    Ok(Some(out))
}

/// The most frequent escalation paths (from `events_aggregate.json`, as `brink paths`).
#[derive(Debug)]
pub struct Paths {
    pub runs: u64,
    pub top: Vec<(String, u64)>,
}

pub fn paths(dir: &Path, n: usize) -> Result<Option<Paths>, ReportError> {
    let path = dir.join("events_aggregate.json");
    let Some(text) = read_optional(&path)? else {
        return Ok(None);
    };
    let ev: EventStats = serde_json::from_str(&text)
        .map_err(|e| ReportError::bad(&path, format!("not a brink events aggregate: {e}")))?;
    Ok(Some(Paths {
        runs: ev.runs,
        top: top_paths(&ev, n),
    }))
}

/// A scenario parameter with its value text and its `source:`/`assumption:` comment.
#[derive(Debug)]
pub struct ParamRow {
    pub path: String,
    pub random: bool,
    pub value: String,
    pub note: String,
}

/// `scenario.toml`: the resolved scenario's parameters with the comments that give sources.
pub fn parameters(dir: &Path) -> Result<Option<(String, Vec<ParamRow>)>, ReportError> {
    let path = dir.join("scenario.toml");
    let Some(text) = read_optional(&path)? else {
        return Ok(None);
    };
    let r = brink_core::load::load(&path.display().to_string(), &text)
        .map_err(|e| ReportError::bad(&path, format!("not a valid scenario:\n{e}")))?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| ReportError::bad(&path, format!("not TOML: {e}")))?;
    let rows = r
        .params
        .iter()
        .map(|(p, random)| {
            let (value, note) = find(doc.as_item(), p).unwrap_or_default();
            ParamRow {
                path: p.clone(),
                random: *random,
                value,
                note,
            }
        })
        .collect();
    Ok(Some((r.scenario.scenario.name.clone(), rows)))
}

/// The value text and comments of the key at a dotted path (array indices as numbers).
/// A key without its own comment takes the comment above its table or array entry.
fn find(root: &toml_edit::Item, path: &str) -> Option<(String, String)> {
    use toml_edit::Item;
    let segs: Vec<&str> = path.split('.').collect();
    let mut table: &dyn toml_edit::TableLike = root.as_table_like()?;
    let mut inherited = String::new();
    let mut i = 0;
    while i < segs.len() {
        let (key, next) = table.get_key_value(segs[i])?;
        let prefix = comments(
            key.leaf_decor()
                .prefix()
                .and_then(|r| r.as_str())
                .unwrap_or(""),
        );
        if i + 1 == segs.len() {
            let mut note = prefix;
            let value = match next.as_value() {
                Some(v) => {
                    let suffix =
                        comments(v.decor().suffix().and_then(|r| r.as_str()).unwrap_or(""));
                    if !suffix.is_empty() {
                        if !note.is_empty() {
                            note.push(' ');
                        }
                        note.push_str(&suffix);
                    }
                    let mut v = v.clone();
                    v.decor_mut().clear();
                    v.to_string()
                }
                None => next.to_string(),
            };
            if note.is_empty() {
                note = inherited;
            }
            return Some((value.trim().to_string(), note));
        }
        if !prefix.is_empty() {
            inherited = prefix;
        }
        table = match next {
            Item::ArrayOfTables(a) => {
                i += 1;
                a.get(segs.get(i)?.parse::<usize>().ok()?)?
            }
            _ => next.as_table_like()?,
        };
        i += 1;
    }
    None
}

/// The text of `#` comment lines, joined; separator lines (`# ----`) dropped.
fn comments(raw: &str) -> String {
    raw.lines()
        .filter_map(|l| l.trim().strip_prefix('#'))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| c == '-' || c == '='))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `sensitivity.json` (written by `brink sensitivity`).
#[derive(Debug)]
pub struct Sensitivity {
    pub method: String,
    pub outcome: String,
    pub n: Option<u64>,
    pub n_evaluations: Option<u64>,
    pub base_value: Option<f64>,
    pub params: Vec<SensParam>,
}

#[derive(Debug)]
pub struct SensParam {
    pub path: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Method-specific numbers by key (S1, ST, mu_star, value_at_low, ...).
    pub values: BTreeMap<String, f64>,
    /// Intervals by key (S1_ci95, ST_ci95).
    pub intervals: BTreeMap<String, (f64, f64)>,
}

pub fn sensitivity(dir: &Path) -> Result<Option<Sensitivity>, ReportError> {
    let path = dir.join("sensitivity.json");
    let Some(text) = read_optional(&path)? else {
        return Ok(None);
    };
    let v = json(&path, &text)?;
    let method = v["method"].as_str().unwrap_or_default().to_string();
    let needed: &[&str] = match method.as_str() {
        "oat" => &["value_at_low", "value_at_high"],
        "morris" => &["mu_star", "sigma"],
        "sobol" => &["S1", "ST"],
        other => {
            return Err(ReportError::bad(
                &path,
                format!("`method` is `{other}`; expected \"oat\", \"morris\" or \"sobol\""),
            ));
        }
    };
    let Some(list) = v["parameters"].as_array() else {
        return Err(ReportError::bad(&path, "has no `parameters` array"));
    };
    let mut params = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let Some(ppath) = p["path"].as_str() else {
            return Err(ReportError::bad(
                &path,
                format!("parameters[{i}] has no `path`"),
            ));
        };
        let mut values = BTreeMap::new();
        let mut intervals = BTreeMap::new();
        if let Some(obj) = p.as_object() {
            for (k, x) in obj {
                if let Some(f) = x.as_f64() {
                    values.insert(k.clone(), f);
                } else if let Some([a, b]) = x.as_array().map(Vec::as_slice)
                    && let (Some(a), Some(b)) = (a.as_f64(), b.as_f64())
                {
                    intervals.insert(k.clone(), (a, b));
                }
            }
        }
        for k in needed {
            if !values.contains_key(*k) {
                return Err(ReportError::bad(
                    &path,
                    format!(
                        "parameters[{i}] (`{ppath}`) has no number `{k}`, which method `{method}` needs"
                    ),
                ));
            }
        }
        params.push(SensParam {
            path: ppath.to_string(),
            low: p["low"].as_f64(),
            high: p["high"].as_f64(),
            values,
            intervals,
        });
    }
    let base_value = v["base_value"].as_f64();
    if method == "oat" && base_value.is_none() {
        return Err(ReportError::bad(
            &path,
            "method `oat` needs a top-level number `base_value`",
        ));
    }
    Ok(Some(Sensitivity {
        method,
        outcome: v["outcome"].as_str().unwrap_or("the outcome").to_string(),
        n: v["n"].as_u64(),
        n_evaluations: v["n_evaluations"].as_u64(),
        base_value,
        params,
    }))
}

/// `sweep.csv` (with `sweep.json` naming its parameter and outcome columns).
#[derive(Debug)]
pub struct Sweep {
    pub parameters: Vec<String>,
    pub outcomes: Vec<String>,
    /// Rows of numbers by column name order: parameters, then outcomes.
    pub rows: Vec<Vec<Option<f64>>>,
}

pub fn sweep(dir: &Path) -> Result<Option<Sweep>, ReportError> {
    let path = dir.join("sweep.csv");
    let Some(text) = read_optional(&path)? else {
        return Ok(None);
    };
    let (header, rows) = csv_rows(&path, &text)?;
    if header.is_empty() {
        return Err(ReportError::bad(&path, "is empty (no header)"));
    }
    let meta_path = dir.join("sweep.json");
    let (parameters, outcomes) = match read_optional(&meta_path)? {
        Some(t) => {
            let m = json(&meta_path, &t)?;
            // Items are names, or objects naming themselves by `key` (as `brink sweep` writes:
            // `{"path", "low", "high", "points"}` and `{"name", "kind"}`).
            let list = |k: &str, key: &str| -> Result<Vec<String>, ReportError> {
                m[k].as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().or_else(|| x[key].as_str()))
                            .map(String::from)
                            .collect()
                    })
                    .ok_or_else(|| ReportError::bad(&meta_path, format!("has no `{k}` list")))
            };
            (list("parameters", "path")?, list("outcomes", "name")?)
        }
        None => {
            // Without sweep.json: the leading columns that look like scenario paths.
            let k = header
                .iter()
                .take_while(|h| h.contains('.'))
                .count()
                .clamp(1, 2);
            (header[..k].to_vec(), header[k..].to_vec())
        }
    };
    if parameters.is_empty() || parameters.len() > 2 {
        return Err(ReportError::bad(
            &meta_path,
            format!(
                "{} swept parameters; the report draws one or two",
                parameters.len()
            ),
        ));
    }
    let mut idx = Vec::new();
    for name in parameters.iter().chain(&outcomes) {
        idx.push(header_index(&path, &header, name)?);
    }
    let mut out = Vec::new();
    for (line, cells) in rows {
        let mut r = Vec::new();
        for &i in &idx {
            r.push(cell_f64(&path, line, &header[i], &cells[i])?);
        }
        out.push(r);
    }
    Ok(Some(Sweep {
        parameters,
        outcomes,
        rows: out,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("brink-report-read-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        for (f, t) in files {
            fs::write(d.join(f), t).unwrap();
        }
        d
    }

    #[test]
    fn broken_files_are_named_in_errors() {
        let d = dir(
            "broken",
            &[
                ("summary.json", "{not json"),
                (
                    "weekly.csv",
                    "week,date,side,variable,mean,p05,p25,p50,p75,p95\n1,2022-01-01,RU,at_front,1,1,1,x,1,1\n",
                ),
                ("survival.csv", "week,date,event,survival\n1,2022-01-01,a\n"),
                (
                    "sensitivity.json",
                    r#"{"method":"sobol","parameters":[{"path":"a.b","S1":0.1}]}"#,
                ),
                ("sweep.csv", "a.b,c.d,p\n1,2,0.5\n"),
                (
                    "sweep.json",
                    r#"{"parameters":["a.b","x.y"],"outcomes":["p"]}"#,
                ),
                ("events_aggregate.json", "[]"),
            ],
        );
        let e = summary(&d).unwrap_err().to_string();
        assert!(
            e.contains("summary.json") && e.contains("not valid JSON"),
            "{e}"
        );
        let e = weekly(&d).unwrap_err().to_string();
        assert!(
            e.contains("weekly.csv") && e.contains("line 2") && e.contains("`p50` = `x`"),
            "{e}"
        );
        let e = survival(&d).unwrap_err().to_string();
        assert!(
            e.contains("survival.csv") && e.contains("line 2: 3 cells for 4 columns"),
            "{e}"
        );
        let e = sensitivity(&d).unwrap_err().to_string();
        assert!(e.contains("sensitivity.json") && e.contains("`ST`"), "{e}");
        let e = sweep(&d).unwrap_err().to_string();
        assert!(e.contains("sweep.csv") && e.contains("`x.y`"), "{e}");
        let e = paths(&d, 5).unwrap_err().to_string();
        assert!(e.contains("events_aggregate.json"), "{e}");
        let _ = fs::remove_dir_all(d);
    }

    #[test]
    fn missing_optional_files_are_none_and_a_missing_summary_says_what_to_do() {
        let d = dir("empty", &[]);
        assert!(weekly(&d).unwrap().is_none());
        assert!(survival(&d).unwrap().is_none());
        assert!(sensitivity(&d).unwrap().is_none());
        assert!(sweep(&d).unwrap().is_none());
        assert!(paths(&d, 5).unwrap().is_none());
        let e = summary(&d).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("brink run --out DIR"), "{e}");
        let _ = fs::remove_dir_all(d);
    }

    #[test]
    fn sensitivity_and_sweep_contracts_are_read() {
        let d = dir(
            "contracts",
            &[
                (
                    "sensitivity.json",
                    r#"{"brink_version":"0.1.0","method":"sobol","outcome":"nuclear_use","n":1024,"n_evaluations":8192,
              "parameters":[{"path":"a.b","low":0,"high":1,"S1":0.31,"S1_ci95":[0.29,0.33],"ST":0.55,"ST_ci95":[0.5,0.6]}]}"#,
                ),
                (
                    "sweep.csv",
                    "mobilization.RU.call_up,combat.exponent_own,nuclear_use,ua_military_victory\n100000,1,0.1,0.3\n200000,1,,0.2\n",
                ),
            ],
        );
        let s = sensitivity(&d).unwrap().unwrap();
        assert_eq!(s.method, "sobol");
        assert_eq!(s.params[0].values["S1"], 0.31);
        assert_eq!(s.params[0].intervals["ST_ci95"], (0.5, 0.6));
        let w = sweep(&d).unwrap().unwrap();
        assert_eq!(
            w.parameters,
            ["mobilization.RU.call_up", "combat.exponent_own"]
        );
        assert_eq!(w.outcomes, ["nuclear_use", "ua_military_victory"]);
        assert_eq!(w.rows[1], [Some(200000.0), Some(1.0), None, Some(0.2)]);
        let _ = fs::remove_dir_all(d);
    }

    #[test]
    fn parameter_sources_come_from_the_scenario_comments() {
        let d = dir(
            "params",
            &[("scenario.toml", brink_core::load::DEFAULT_SCENARIO_TOML)],
        );
        let (name, rows) = parameters(&d).unwrap().unwrap();
        assert!(name.contains("September 2022"));
        let at_front = rows
            .iter()
            .find(|r| r.path == "forces.RU.at_front")
            .unwrap();
        assert!(at_front.random);
        assert!(at_front.value.contains("pert"), "{}", at_front.value);
        assert!(
            at_front.note.contains("assumption: 169,000-190,000"),
            "{}",
            at_front.note
        );
        let captured = rows
            .iter()
            .find(|r| r.path == "forces.RU.captured_share")
            .unwrap();
        assert!(
            captured.note.contains("assumption: 1-5%"),
            "{}",
            captured.note
        );
        let with_notes = rows.iter().filter(|r| !r.note.is_empty()).count();
        assert!(
            with_notes * 10 >= rows.len() * 8,
            "{with_notes} of {} have a note",
            rows.len()
        );
        let _ = fs::remove_dir_all(d);
    }
}
